import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { selects, type Network } from '../../api/v1alpha1/parse.js';
import type {
  FabricCA,
  FabricChaincode,
  FabricChannel,
  FabricPeerSet,
  FabricResource,
} from '../../api/v1alpha1/types.js';
import { createChaincodeTls } from '../../fabric/ca-keys.js';
import type { ChannelOrg, Consensus } from '../../fabric/configtx.js';
import { readSigningIdentity, writeMsp, type SigningIdentity } from '../../fabric/identity.js';
import { OrgPki, type IdentityMaterial } from '../../fabric/org-pki.js';
import { ccaasPackage } from '../../fabric/package.js';
import { PeerAdmin, type PeerEndpoint } from '../../fabric/peer-admin.js';
import {
  channelHeights,
  commitDefinition,
  definitionOf,
  genesisBlock,
  installPackage,
  joinOrderers,
  joinPeers,
} from '../../fabric/steps.js';
import { repoRoot } from '../../tools/versions.js';
import { toolBin } from '../../tools/paths.js';
import { ensureCaServer } from './ca-server.js';
import { FileMaterialStore } from './file-store.js';
import { Layout } from './layout.js';
import { ordererEnv, peerEnv, writeOrdererConfig, writePeerConfig } from './node-config.js';
import { PortBook } from './ports.js';
import { StatusBook, type ResourceStatus } from './status.js';
import { Supervisor, type SupervisorEvent } from './supervisor.js';
import { waitForTcp } from './wait.js';

/** A peer of the local network, as clients reach it. */
export interface LocalPeer {
  readonly name: string;
  readonly set: string;
  readonly ordinal: number;
  readonly org: string;
  readonly mspId: string;
  readonly endpoint: PeerEndpoint;
}

/** An org's identity as the network's tools and tests use it. */
export interface LocalOrg {
  readonly org: string;
  readonly mspId: string;
  readonly ca: FabricCA;
  readonly pki: OrgPki;
  readonly admin: SigningIdentity;
  readonly adminTls: IdentityMaterial;
}

export interface LocalNetworkOptions {
  readonly dataDir: string;
  readonly network: Network;
  /** Progress lines ("phase ... done in 3.1 s"); defaults to nothing. */
  readonly log?: (line: string) => void;
  readonly onProcessEvent?: (event: SupervisorEvent) => void;
}

/**
 * The whole Fabric network of a manifest as processes of the real binaries on this machine.
 * `up()` reconciles: every step checks what exists (processes, identities, channel
 * membership, installed and committed chaincode) and does only what is missing, so a second
 * run creates nothing twice and a restarted network reuses its ledgers and identities.
 */
export class LocalNetwork {
  readonly layout: Layout;
  readonly supervisor: Supervisor;
  private network: Network;
  private ports: PortBook | undefined;
  private readonly orgs = new Map<string, LocalOrg>();
  private readonly log: (line: string) => void;
  private readonly packageIds = new Map<string, string>();
  private status: StatusBook | undefined;
  private readonly committedSequence = new Map<string, number>();

  constructor(options: LocalNetworkOptions) {
    this.layout = new Layout(options.dataDir);
    this.network = options.network;
    this.log = options.log ?? (() => undefined);
    this.supervisor = new Supervisor({
      pidDir: join(options.dataDir, 'run'),
      ...(options.onProcessEvent ? { onEvent: options.onProcessEvent } : {}),
    });
  }

  /** The resources this network is reconciled against. */
  get resources(): Network {
    return this.network;
  }

  /** Replaces the desired state (e.g. after the manifest changed) without reconciling yet. */
  setResources(network: Network): void {
    this.network = network;
  }

  /**
   * Brings everything to the desired state, phase by phase, printing how long each took and
   * recording each resource's conditions in status.json.
   */
  async up(): Promise<void> {
    await this.openPorts();
    this.status ??= await StatusBook.open(this.layout.statusFile);
    const { cas, ordererSets, peerSets, channels, chaincodes } = this.network;
    this.status.retain(
      new Set(
        [...cas, ...ordererSets, ...peerSets, ...channels, ...chaincodes].map(
          (r) => `${r.kind}/${r.metadata.name}`,
        ),
      ),
    );
    await this.phase(
      'certificate authorities and identities',
      cas,
      () => this.reconcileCas(),
      (ca) =>
        Promise.resolve({
          details: {
            org: ca.spec.org,
            mspId: ca.spec.mspId,
            identities: ['admin', ...ca.spec.identities.map((i) => i.name)],
          },
        }),
    );
    await this.phase(
      'orderers',
      ordererSets,
      () => this.reconcileOrderers(),
      (set) =>
        Promise.resolve({
          replicas: `${set.spec.replicas}/${set.spec.replicas}`,
          details: { consensus: set.spec.consensus },
        }),
    );
    await this.phase(
      'peers',
      peerSets,
      () => this.reconcilePeers(),
      (set) => {
        const peers = this.peersOf(set);
        const running = peers.filter((peer) => this.supervisor.isRunning(peer.name)).length;
        return Promise.resolve({
          replicas: `${running}/${peers.length}`,
          details: { peers: peers.map((peer) => ({ name: peer.name, endpoint: peer.endpoint.address })) },
        });
      },
    );
    for (const channel of channels) {
      await this.phase(
        `channel ${channel.metadata.name}`,
        [channel],
        () => this.reconcileChannel(channel),
        async () => {
          const peers = this.channelPeerSets(channel).flatMap((set) => this.peersOf(set));
          const heights = await channelHeights(
            channel.metadata.name,
            peers.map((peer) => ({ ...peer, admin: this.org(peer.org).admin })),
          );
          return {
            height: Math.min(...Object.values(heights)),
            details: { organizations: [...new Set(peers.map((peer) => peer.mspId))], heights },
          };
        },
      );
    }
    for (const chaincode of chaincodes) {
      await this.phase(
        `chaincode ${chaincode.metadata.name}`,
        [chaincode],
        () => this.reconcileChaincode(chaincode),
        () =>
          Promise.resolve({
            details: {
              version: chaincode.spec.version,
              sequence: this.committedSequence.get(chaincode.metadata.name),
              packageIds: Object.fromEntries(this.packageIds),
            },
          }),
      );
    }
  }

  /** Refreshes observed facts that change without a reconcile (block heights, running peers). */
  async refreshStatus(): Promise<void> {
    const status = this.status;
    if (!status) return;
    for (const channel of this.network.channels) {
      const current = status.get('FabricChannel', channel.metadata.name);
      if (!current) continue;
      const peers = this.channelPeerSets(channel).flatMap((set) => this.peersOf(set));
      const heights = await Promise.all(
        peers.map((peer) => this.peerHeight(peer, channel.metadata.name).catch(() => 0)),
      );
      status.ready(
        'FabricChannel',
        channel.metadata.name,
        current.observedGeneration,
        'Reconciled',
        `channel ${channel.metadata.name} is up`,
        {
          height: Math.min(...heights),
          details: {
            ...current.details,
            heights: Object.fromEntries(peers.map((peer, i) => [peer.name, heights[i]])),
          },
        },
      );
    }
    for (const set of this.network.peerSets) {
      const current = status.get('FabricPeerSet', set.metadata.name);
      if (!current) continue;
      const peers = this.peersOf(set);
      const running = peers.filter((peer) => this.supervisor.isRunning(peer.name)).length;
      const generation = current.observedGeneration;
      if (running === peers.length) {
        status.ready('FabricPeerSet', set.metadata.name, generation, 'Reconciled', 'peers is up', {
          replicas: `${running}/${peers.length}`,
        });
      } else {
        status.degraded(
          'FabricPeerSet',
          set.metadata.name,
          generation,
          'PeerDown',
          `${peers.length - running} peer(s) not running`,
        );
      }
    }
    await status.save();
  }

  /** The status of every resource as last reconciled. */
  statuses(): ResourceStatus[] {
    return this.status?.all() ?? [];
  }

  private async peerHeight(peer: LocalPeer, channel: string): Promise<number> {
    const admin = new PeerAdmin(peer.endpoint, this.org(peer.org).admin);
    try {
      return await admin.height(channel);
    } finally {
      admin.close();
    }
  }

  /** Stops every process; data stays for the next up(). */
  async down(): Promise<void> {
    await this.supervisor.stopAll();
  }

  /** Peers that the current resources ask for. */
  peers(): LocalPeer[] {
    return this.network.peerSets.flatMap((set) => this.peersOf(set));
  }

  /** An org's admin and PKI (after up()). */
  org(name: string): LocalOrg {
    const org = this.orgs.get(name);
    if (!org) throw new Error(`org ${name} is not reconciled yet`);
    return org;
  }

  /** Loads a user identity of an org (issued by up() from the CA's spec.identities). */
  async user(org: string, id: string): Promise<SigningIdentity> {
    return readSigningIdentity(join(this.layout.user(org, id), 'msp'), this.org(org).mspId);
  }

  /**
   * Runs one reconcile phase for `resources`: Progressing while it runs, then Ready with
   * what `describe` observed, or Degraded with the error (which is rethrown).
   */
  private async phase<R extends FabricResource>(
    name: string,
    resources: readonly R[],
    work: () => Promise<void>,
    describe: (resource: R) => Promise<Partial<ResourceStatus>>,
  ): Promise<void> {
    const status = this.status;
    if (!status) throw new Error('status book not open');
    const start = performance.now();
    this.log(`${name} ...`);
    const generation = (resource: R) => resource.metadata.generation;
    for (const resource of resources)
      status.progressing(resource.kind, resource.metadata.name, generation(resource), 'Reconciling', name);
    await status.save();
    try {
      await work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      for (const resource of resources)
        status.degraded(
          resource.kind,
          resource.metadata.name,
          generation(resource),
          'ReconcileFailed',
          message,
        );
      await status.save();
      throw error;
    }
    for (const resource of resources) {
      status.ready(
        resource.kind,
        resource.metadata.name,
        generation(resource),
        'Reconciled',
        `${name} is up`,
        await describe(resource),
      );
    }
    await status.save();
    this.log(`${name} done in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }

  private async openPorts(): Promise<PortBook> {
    await mkdir(this.layout.root, { recursive: true });
    this.ports ??= await PortBook.open(this.layout.portsFile);
    return this.ports;
  }

  /** The loopback port recorded for `name` (allocated on first use, stable across restarts). */
  async port(name: string): Promise<number> {
    return (await this.openPorts()).port(name);
  }

  private caOf(caName: string): FabricCA {
    const ca = this.network.cas.find((candidate) => candidate.metadata.name === caName);
    if (!ca) throw new Error(`no FabricCA ${caName}`);
    return ca;
  }

  private async reconcileCas(): Promise<void> {
    const store = new FileMaterialStore(this.layout);
    await Promise.all(
      this.network.cas.map(async (ca) => {
        const { org, mspId } = ca.spec;
        const [enrollment, tls] = await Promise.all([
          ensureCaServer(this.layout, this.portBook(), this.supervisor, org, 'ca'),
          ensureCaServer(this.layout, this.portBook(), this.supervisor, org, 'tlsca'),
        ]);
        await writeMsp(this.layout.orgMsp(org), { caCert: enrollment.caCert, tlsCaCert: tls.caCert });
        const pki = new OrgPki({ org, mspId, ca: enrollment, tlsca: tls }, store);
        const admin = await pki.ensure('users/admin', {
          id: `${org.toLowerCase()}-admin`,
          type: 'admin',
          tls: 'client',
        });
        for (const identity of ca.spec.identities) {
          await pki.ensure(`users/${identity.name}`, {
            id: identity.name,
            type: identity.type,
            ...(identity.walletRole ? { attrs: { 'wallet.role': identity.walletRole } } : {}),
            ...(identity.registrar ? { registrar: true } : {}),
          });
        }
        this.orgs.set(org, {
          org,
          mspId,
          ca,
          pki,
          admin: await readSigningIdentity(join(this.layout.user(org, 'admin'), 'msp'), mspId),
          adminTls: admin.material,
        });
      }),
    );
  }

  private portBook(): PortBook {
    if (!this.ports) throw new Error('port book not open');
    return this.ports;
  }

  private orgOfCa(caName: string): LocalOrg {
    return this.org(this.caOf(caName).spec.org);
  }

  private ordererNames(): { name: string; org: LocalOrg; consensus: Consensus }[] {
    return this.network.ordererSets.flatMap((set) =>
      Array.from({ length: set.spec.replicas }, (_, i) => ({
        name: `${set.metadata.name}-${i}`,
        org: this.orgOfCa(set.spec.ca),
        consensus: set.spec.consensus,
      })),
    );
  }

  private async reconcileOrderers(): Promise<void> {
    await Promise.all(
      this.ordererNames().map(async ({ name, org, consensus }) => {
        const node = this.layout.node(name);
        await org.pki.ensure(`nodes/${name}`, {
          id: name,
          type: 'orderer',
          tls: { dns: ['localhost', name], ips: ['127.0.0.1'] },
        });
        await writeOrdererConfig(join(node, 'config'));
        const ports = {
          listen: await this.port(name),
          admin: await this.port(`${name}-admin`),
          operations: await this.port(`${name}-operations`),
        };
        this.supervisor.ensure({
          name,
          command: toolBin('fabric', 'orderer'),
          args: [],
          env: { PATH: process.env.PATH ?? '', ...ordererEnv(node, ports, org.mspId, consensus) },
          cwd: node,
          logFile: this.layout.log(name),
        });
        await waitForTcp(ports.admin, 60_000, () => this.supervisor.isRunning(name));
      }),
    );
  }

  private peersOf(set: FabricPeerSet): LocalPeer[] {
    const ca = this.caOf(set.spec.ca);
    return Array.from({ length: set.spec.replicas }, (_, ordinal) => {
      const name = `${set.metadata.name}-peer-${ordinal}`;
      const listen = this.portBook().known(name);
      return {
        name,
        set: set.metadata.name,
        ordinal,
        org: ca.spec.org,
        mspId: ca.spec.mspId,
        endpoint: {
          address: `127.0.0.1:${listen ?? 0}`,
          tlsRootCert: this.orgs.get(ca.spec.org)?.adminTls.tlsCaCert ?? '',
          hostOverride: 'localhost',
        },
      };
    });
  }

  private async reconcilePeers(): Promise<void> {
    for (const set of this.network.peerSets) {
      const org = this.orgOfCa(set.spec.ca);
      const bootstrap = `127.0.0.1:${await this.port(`${set.metadata.name}-peer-0`)}`;
      await Promise.all(
        Array.from({ length: set.spec.replicas }, async (_, ordinal) => {
          const name = `${set.metadata.name}-peer-${ordinal}`;
          const node = this.layout.node(name);
          await org.pki.ensure(`nodes/${name}`, {
            id: name,
            type: 'peer',
            tls: { dns: ['localhost', name], ips: ['127.0.0.1'] },
          });
          await writePeerConfig(join(node, 'config'));
          const ports = {
            listen: await this.port(name),
            chaincode: await this.port(`${name}-chaincode`),
            operations: await this.port(`${name}-operations`),
          };
          this.supervisor.ensure({
            name,
            command: toolBin('fabric', 'peer'),
            args: ['node', 'start'],
            env: { PATH: process.env.PATH ?? '', ...peerEnv(name, node, ports, org.mspId, bootstrap) },
            cwd: node,
            logFile: this.layout.log(name),
          });
          await waitForTcp(ports.listen, 60_000, () => this.supervisor.isRunning(name));
        }),
      );
    }
    // Peers beyond the desired replicas are stopped; their data and identity stay (Retain).
    const wanted = new Set(this.peers().map((peer) => peer.name));
    for (const name of this.supervisor.names()) {
      if (/-peer-\d+$/.test(name) && !wanted.has(name)) await this.supervisor.stop(name);
    }
  }

  private channelPeerSets(channel: FabricChannel): FabricPeerSet[] {
    return this.network.peerSets.filter((set) => selects(channel.spec.peerSelector, set.metadata.labels));
  }

  private async genesisBlock(channel: FabricChannel): Promise<Uint8Array> {
    const dir = this.layout.channelDir(channel.metadata.name);
    const ordererSet = this.network.ordererSets.find((set) => set.metadata.name === channel.spec.ordererSet);
    if (!ordererSet)
      throw new Error(`channel ${channel.metadata.name}: no FabricOrdererSet ${channel.spec.ordererSet}`);
    const ordererOrg = this.orgOfCa(ordererSet.spec.ca);
    const orderers = this.ordererNames();
    const consenters = await Promise.all(
      orderers.map(async ({ name, org }) => ({
        host: '127.0.0.1',
        port: await this.port(name),
        tlsCertFile: join(this.layout.node(name), 'tls', 'server.crt'),
        mspId: org.mspId,
        identityCertFile: join(this.layout.node(name), 'msp', 'signcerts', 'cert.pem'),
      })),
    );
    const peerOrgs = new Map<string, ChannelOrg>();
    for (const set of this.channelPeerSets(channel)) {
      const org = this.orgOfCa(set.spec.ca);
      const anchor = { host: '127.0.0.1', port: await this.port(`${set.metadata.name}-peer-0`) };
      const existing = peerOrgs.get(org.org);
      peerOrgs.set(org.org, {
        name: org.org,
        mspId: org.mspId,
        mspDir: this.layout.orgMsp(org.org),
        anchorPeers: [...(existing?.anchorPeers ?? []), anchor],
      });
    }
    const ordererChannelOrg: ChannelOrg = {
      name: ordererOrg.org,
      mspId: ordererOrg.mspId,
      mspDir: this.layout.orgMsp(ordererOrg.org),
      ordererEndpoints: consenters.map((consenter) => `${consenter.host}:${consenter.port}`),
    };
    return genesisBlock(toolBin('fabric', 'configtxgen'), dir, channel.metadata.name, {
      consensus: ordererSet.spec.consensus,
      ordererOrgs: [ordererChannelOrg],
      peerOrgs: [...peerOrgs.values()],
      consenters,
    });
  }

  private async reconcileChannel(channel: FabricChannel): Promise<void> {
    const block = await this.genesisBlock(channel);
    const ordererSet = this.network.ordererSets.find((set) => set.metadata.name === channel.spec.ordererSet);
    if (!ordererSet)
      throw new Error(`channel ${channel.metadata.name}: no FabricOrdererSet ${channel.spec.ordererSet}`);
    const ordererOrg = this.orgOfCa(ordererSet.spec.ca);
    const orderers = await Promise.all(
      this.ordererNames().map(async ({ name }) => ({
        name,
        endpoint: {
          address: `127.0.0.1:${await this.port(`${name}-admin`)}`,
          tlsRootCert: ordererOrg.adminTls.tlsCaCert,
          clientCert: ordererOrg.adminTls.tls?.certificate ?? '',
          clientKey: ordererOrg.adminTls.tls?.privateKeyPem ?? '',
        },
      })),
    );
    const indent = (line: string) => {
      this.log(`  ${line}`);
    };
    await joinOrderers(channel.metadata.name, block, orderers, indent);
    const peers = this.channelPeerSets(channel).flatMap((set) => this.peersOf(set));
    await joinPeers(
      channel.metadata.name,
      block,
      peers.map((peer) => ({ ...peer, admin: this.org(peer.org).admin })),
      indent,
    );
  }

  /**
   * The chaincode server of one org for one chaincode version: its process name and port.
   * Each version has its own server, so the running definition keeps serving while an
   * upgrade is approved and committed.
   */
  private async chaincodeServer(label: string, org: string): Promise<{ name: string; port: number }> {
    const name = `${label}-ccaas-${org.toLowerCase()}`;
    return { name, port: await this.port(name) };
  }

  private async reconcileChaincode(chaincode: FabricChaincode): Promise<void> {
    const channel = this.network.channels.find(
      (candidate) => candidate.metadata.name === chaincode.spec.channel,
    );
    if (!channel)
      throw new Error(`chaincode ${chaincode.metadata.name}: no FabricChannel ${chaincode.spec.channel}`);
    const peers = this.channelPeerSets(channel).flatMap((set) => this.peersOf(set));
    const orgNames = [...new Set(peers.map((peer) => peer.org))];
    const label = `${chaincode.metadata.name}_${chaincode.spec.version}`;
    const entry = join(repoRoot, 'ccaas', 'dist', 'main.js');
    await access(entry).catch(() => {
      throw new Error(`${entry} is missing: build the chaincode first (npm run build)`);
    });

    // One chaincode server per org; the org's package points its peers at it.
    for (const org of orgNames) {
      const server = await this.chaincodeServer(label, org);
      const dir = this.layout.chaincodeDir(chaincode.metadata.name);
      const tls = await this.chaincodeTls(dir, `${label}-${org}`);
      const { bytes, packageId } = ccaasPackage(label, {
        address: `127.0.0.1:${server.port}`,
        ...(tls ? { tls: tls.connection } : {}),
      });
      this.packageIds.set(org, packageId);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${label}-${org}.tgz`), bytes);
      this.supervisor.ensure({
        name: server.name,
        command: process.execPath,
        args: [entry],
        env: {
          PATH: process.env.PATH ?? '',
          CHAINCODE_SERVER_ADDRESS: `127.0.0.1:${server.port}`,
          CHAINCODE_ID: packageId,
          WALLET_CHAINCODE_NAME: chaincode.metadata.name,
          WALLET_ISSUER_MSP_IDS: this.issuerMsps().join(','),
          // fabric-shim logs a line per transaction at info: CPU and disk for nothing under load.
          CORE_CHAINCODE_LOGGING_LEVEL: 'warning',
          // Lets a profiling run (--cpu-prof) reach the chaincode servers too.
          ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
          // The benchmark's account-model contract (ccaas/src/bench), only when asked for.
          ...(process.env.WALLET_BENCH_CONTRACTS
            ? { WALLET_BENCH_CONTRACTS: process.env.WALLET_BENCH_CONTRACTS }
            : {}),
          ...(tls?.env ?? {}),
        },
        cwd: dir,
        logFile: this.layout.log(server.name),
      });
      await waitForTcp(server.port, 30_000, () => this.supervisor.isRunning(server.name));
      await installPackage(
        peers.filter((peer) => peer.org === org).map((peer) => ({ ...peer, admin: this.org(org).admin })),
        bytes,
        packageId,
        (line) => {
          this.log(`  ${line}`);
        },
      );
    }

    const firstPeer = (org: string) => {
      const peer = peers.find((candidate) => candidate.org === org);
      if (!peer) throw new Error(`no peer of ${org} on ${channel.metadata.name}`);
      return peer;
    };
    const result = await commitDefinition(
      {
        ...definitionOf(chaincode),
        orgs: orgNames.map((org) => ({
          peer: { ...firstPeer(org), admin: this.org(org).admin },
          packageId: this.packageIds.get(org) ?? '',
        })),
      },
      (line) => {
        this.log(`  ${line}`);
      },
    );
    this.committedSequence.set(chaincode.metadata.name, result.sequence);
    if (!result.committedNow)
      this.log(
        `  ${chaincode.metadata.name} ${chaincode.spec.version} is committed at sequence ${result.sequence}`,
      );
    await this.stopOtherVersions(chaincode, label);
  }

  /**
   * Mutual TLS between the peers and one chaincode server: material made once in
   * `<dir>/tls-<server>/` (keys 0600). A server whose plaintext package predates this (a data
   * dir from an earlier version) stays plaintext, so its installed package keeps matching.
   */
  private async chaincodeTls(
    dir: string,
    server: string,
  ): Promise<
    | { connection: { rootCert: string; clientCert: string; clientKey: string }; env: Record<string, string> }
    | undefined
  > {
    const tlsDir = join(dir, `tls-${server}`);
    const file = (name: string) => join(tlsDir, name);
    const exists = (path: string) =>
      access(path).then(
        () => true,
        () => false,
      );
    if (!(await exists(file('ca.pem')))) {
      if (await exists(join(dir, `${server}.tgz`))) return undefined;
      const material = createChaincodeTls(server, { dns: ['localhost'], ips: ['127.0.0.1'] });
      await mkdir(tlsDir, { recursive: true, mode: 0o700 });
      await writeFile(file('server.key'), material.server.privateKeyPem, { mode: 0o600 });
      await writeFile(file('server.crt'), material.server.certificate);
      await writeFile(file('client.key'), material.client.privateKeyPem, { mode: 0o600 });
      await writeFile(file('client.crt'), material.client.certificate);
      await writeFile(file('ca.pem'), material.root.certificate);
    }
    const [rootCert, clientCert, clientKey] = await Promise.all(
      ['ca.pem', 'client.crt', 'client.key'].map((name) => readFile(file(name), 'utf8')),
    );
    return {
      connection: { rootCert: rootCert ?? '', clientCert: clientCert ?? '', clientKey: clientKey ?? '' },
      env: {
        CHAINCODE_TLS_KEY_FILE: file('server.key'),
        CHAINCODE_TLS_CERT_FILE: file('server.crt'),
        CHAINCODE_TLS_CLIENT_CA_FILE: file('ca.pem'),
      },
    };
  }

  /** Stops the chaincode servers of versions other than the committed one. */
  private async stopOtherVersions(chaincode: FabricChaincode, label: string): Promise<void> {
    const prefix = `${chaincode.metadata.name}_`;
    for (const process of this.supervisor.names()) {
      if (
        process.startsWith(prefix) &&
        process.includes('-ccaas-') &&
        !process.startsWith(`${label}-ccaas-`)
      ) {
        await this.supervisor.stop(process);
        this.log(`  stopped ${process} (superseded by ${label})`);
      }
    }
  }

  /** MSPs whose issuer certificates the chaincode trusts: the orgs whose CA names an issuer. */
  private issuerMsps(): string[] {
    return this.network.cas
      .filter((ca) => ca.spec.identities.some((identity) => identity.walletRole === 'issuer'))
      .map((ca) => ca.spec.mspId);
  }
}

export { retry } from '../../fabric/steps.js';
