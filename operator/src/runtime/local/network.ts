import { join } from 'node:path';
import type { Network } from '../../api/v1alpha1/parse.js';
import type { FabricCA, FabricPeerSet, FabricResource } from '../../api/v1alpha1/types.js';
import { readSigningIdentity, type SigningIdentity } from '../../fabric/identity.js';
import type { IdentityMaterial, OrgPki } from '../../fabric/org-pki.js';
import type { PeerEndpoint } from '../../fabric/peer-admin.js';
import { orgAdmin } from '../../reconcile/admins.js';
import { pkiOf } from '../../reconcile/ca.js';
import { findByName, nodeName } from '../../reconcile/names.js';
import { reconcile } from '../../reconcile/reconciler.js';
import { isUnreachable } from '../../reconcile/verdict.js';
import { Layout } from './layout.js';
import { PortBook } from './ports.js';
import { LocalRuntime } from './runtime.js';
import { StatusBook, type ResourceStatus } from './status.js';
import { Supervisor, type SupervisorEvent } from './supervisor.js';

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
  /** How long one resource may take to become Ready before up() gives up (default 180 s). */
  readonly readyTimeoutMs?: number;
}

/**
 * The whole Fabric network of a manifest as processes of the real binaries on this machine,
 * reconciled by the same per-kind reconcilers as the Kubernetes operator (operator/src/reconcile)
 * over the LocalRuntime. `up()` takes the kinds in dependency order and reconciles each
 * resource until it is Ready; every step checks what exists, so a second run creates nothing
 * twice and a restarted network reuses its ledgers and identities.
 */
export class LocalNetwork {
  readonly layout: Layout;
  readonly supervisor: Supervisor;
  private network: Network;
  private runtime: LocalRuntime | undefined;
  private ports: PortBook | undefined;
  private status: StatusBook | undefined;
  private readonly orgs = new Map<string, LocalOrg>();
  private readonly log: (line: string) => void;
  private readonly readyTimeoutMs: number;

  constructor(options: LocalNetworkOptions) {
    this.layout = new Layout(options.dataDir);
    this.network = options.network;
    this.log = options.log ?? (() => undefined);
    this.readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
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

  private async open(): Promise<{ runtime: LocalRuntime; status: StatusBook }> {
    this.ports ??= await PortBook.open(this.layout.portsFile);
    this.runtime ??= new LocalRuntime(this.layout, this.ports, this.supervisor, () => this.network, this.log);
    this.status ??= await StatusBook.open(this.layout.statusFile);
    return { runtime: this.runtime, status: this.status };
  }

  /** Brings everything to the desired state, kind by kind, printing how long each took. */
  async up(): Promise<void> {
    const { status } = await this.open();
    const { cas, ordererSets, peerSets, channels, chaincodes } = this.network;
    const all = [...cas, ...ordererSets, ...peerSets, ...channels, ...chaincodes];
    status.retain(new Set(all.map((r) => `${r.kind}/${r.metadata.name}`)));
    await this.phase('certificate authorities and identities', cas);
    await this.rememberOrgs();
    await this.phase('orderers', ordererSets);
    await this.phase('peers', peerSets);
    for (const channel of channels) await this.phase(`channel ${channel.metadata.name}`, [channel]);
    for (const chaincode of chaincodes) await this.phase(`chaincode ${chaincode.metadata.name}`, [chaincode]);
  }

  /** Reconciles `resources` (together) until each is Ready; a Degraded one or a timeout fails. */
  private async phase(name: string, resources: readonly FabricResource[]): Promise<void> {
    const start = performance.now();
    this.log(`${name} ...`);
    await Promise.all(resources.map((resource) => this.converge(resource)));
    this.log(`${name} done in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }

  private async converge(resource: FabricResource): Promise<void> {
    const { runtime, status } = await this.open();
    const { kind, metadata } = resource;
    const deadline = performance.now() + this.readyTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const { verdict } = await reconcile(runtime, resource);
        status.record(kind, metadata.name, metadata.generation, verdict);
        await status.save();
        if (verdict.state === 'Ready') return;
        if (verdict.state === 'Degraded') throw new Error(`${kind} ${metadata.name}: ${verdict.message}`);
        if (performance.now() > deadline)
          throw new Error(
            `${kind} ${metadata.name} not ready after ${String(this.readyTimeoutMs / 1000)} s: ${verdict.message}`,
          );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!isUnreachable(error) || performance.now() > deadline) {
          status.degraded(kind, metadata.name, metadata.generation, 'ReconcileFailed', message);
          await status.save();
          throw error;
        }
        status.progressing(kind, metadata.name, metadata.generation, 'Unreachable', message);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 1000)));
    }
  }

  private async rememberOrgs(): Promise<void> {
    const { runtime } = await this.open();
    for (const ca of this.network.cas) {
      const state = await runtime.caState(ca);
      const admin = await orgAdmin(runtime, ca);
      if (!state.cas || !admin) continue;
      this.orgs.set(ca.spec.org, {
        org: ca.spec.org,
        mspId: ca.spec.mspId,
        ca,
        pki: pkiOf(runtime, ca, state.cas),
        admin: admin.identity,
        adminTls: admin.material,
      });
    }
  }

  /** Observes again what changes without a manifest edit (block heights, running peers). */
  async refreshStatus(): Promise<void> {
    if (!this.status || !this.runtime) return;
    for (const resource of [...this.network.peerSets, ...this.network.channels]) {
      const { kind, metadata } = resource;
      try {
        const { verdict } = await reconcile(this.runtime, resource);
        this.status.record(kind, metadata.name, metadata.generation, verdict);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.status.degraded(kind, metadata.name, metadata.generation, 'ReconcileFailed', message);
      }
    }
    await this.status.save();
  }

  /** The status of every resource as last reconciled. */
  statuses(): ResourceStatus[] {
    return this.status?.all() ?? [];
  }

  /** Stops every process; data stays for the next up(). */
  async down(): Promise<void> {
    await this.supervisor.stopAll();
  }

  /** Peers that the current resources ask for. */
  peers(): LocalPeer[] {
    return this.network.peerSets.flatMap((set) => this.peersOf(set));
  }

  private peersOf(set: FabricPeerSet): LocalPeer[] {
    const ca = findByName(this.network.cas, set.spec.ca);
    if (!ca) return [];
    return Array.from({ length: set.spec.replicas }, (_, ordinal) => {
      const name = nodeName(set, ordinal);
      return {
        name,
        set: set.metadata.name,
        ordinal,
        org: ca.spec.org,
        mspId: ca.spec.mspId,
        endpoint: {
          address: `127.0.0.1:${String(this.ports?.known(name) ?? 0)}`,
          tlsRootCert: this.orgs.get(ca.spec.org)?.adminTls.tlsCaCert ?? '',
          hostOverride: 'localhost',
        },
      };
    });
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

  /** The loopback port recorded for `name` (allocated on first use, stable across restarts). */
  async port(name: string): Promise<number> {
    this.ports ??= await PortBook.open(this.layout.portsFile);
    return this.ports.port(name);
  }
}

export { retry } from '../../fabric/steps.js';
