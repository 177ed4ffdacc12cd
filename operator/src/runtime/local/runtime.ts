import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Network } from '../../api/v1alpha1/parse.js';
import type { FabricCA, FabricChaincode, FabricChannel, FabricResource } from '../../api/v1alpha1/types.js';
import { writeMsp } from '../../fabric/identity.js';
import type { OrgCas } from '../../fabric/org-pki.js';
import { nodeName } from '../../reconcile/names.js';
import type {
  Address,
  CaState,
  ChaincodeServer,
  ChaincodeTls,
  ChaincodeTlsFiles,
  Hosts,
  NodeSet,
  Runtime,
} from '../../reconcile/runtime.js';
import type { Notice } from '../../reconcile/verdict.js';
import { repoRoot } from '../../tools/versions.js';
import { toolBin } from '../../tools/paths.js';
import { ensureCaServer } from './ca-server.js';
import { FileMaterialStore } from './file-store.js';
import type { Layout } from './layout.js';
import { ordererEnv, peerEnv, writeOrdererConfig, writePeerConfig } from './node-config.js';
import type { PortBook } from './ports.js';
import type { Supervisor } from './supervisor.js';
import { waitForTcp } from './wait.js';

const LOCALHOST = '127.0.0.1';
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The local runtime: every node is a process of the real binaries on 127.0.0.1, supervised
 * (restarted when it dies), with its data and identity under the data directory. Starting a
 * node waits until it listens, so a reconcile that started one sees it available after.
 */
export class LocalRuntime implements Runtime {
  readonly fabricAdmin = true;
  readonly tlsHostOverride = 'localhost';
  private readonly files: FileMaterialStore;
  private readonly cas = new Map<string, OrgCas>();

  constructor(
    private readonly layout: Layout,
    private readonly ports: PortBook,
    private readonly supervisor: Supervisor,
    private readonly desired: () => Network,
    readonly log: (line: string) => void,
  ) {
    this.files = new FileMaterialStore(layout);
  }

  network(): Network {
    return this.desired();
  }

  notify(resource: FabricResource, notice: Notice): Promise<void> {
    this.log(`${resource.kind}/${resource.metadata.name}: ${notice.reason}: ${notice.message}`);
    return Promise.resolve();
  }

  private port(name: string): Promise<number> {
    return this.ports.port(name);
  }

  async startCa(ca: FabricCA): Promise<void> {
    const { org, mspId } = ca.spec;
    const [enrollment, tls] = await Promise.all([
      ensureCaServer(this.layout, this.ports, this.supervisor, org, 'ca'),
      ensureCaServer(this.layout, this.ports, this.supervisor, org, 'tlsca'),
    ]);
    await writeMsp(this.layout.orgMsp(org), { caCert: enrollment.caCert, tlsCaCert: tls.caCert });
    this.cas.set(ca.metadata.name, { org, mspId, ca: enrollment, tlsca: tls });
  }

  async caState(ca: FabricCA): Promise<CaState> {
    const url = async (which: string) =>
      `https://${LOCALHOST}:${String(await this.port(`${ca.spec.org.toLowerCase()}-${which}`))}`;
    const cas = this.cas.get(ca.metadata.name);
    const running = ['ca', 'tlsca'].every((which) =>
      this.supervisor.isRunning(`${ca.spec.org.toLowerCase()}-${which}`),
    );
    return { url: await url('ca'), tlsUrl: await url('tlsca'), ...(cas && running ? { cas } : {}) };
  }

  store(): FileMaterialStore {
    return this.files;
  }

  nodeHosts(name: string): Hosts {
    return { dns: ['localhost', name], ips: [LOCALHOST] };
  }

  async hasNodeIdentity(ca: FabricCA, name: string): Promise<boolean> {
    return (await this.files.read(ca.spec.org, `nodes/${name}`))?.tls !== undefined;
  }

  async startNode(set: NodeSet, ordinal: number, ca: FabricCA, identityIssued: boolean): Promise<void> {
    if (!identityIssued) return;
    const name = nodeName(set, ordinal);
    const node = this.layout.node(name);
    const { mspId } = ca.spec;
    let env: Record<string, string>;
    let listen: number;
    if (set.kind === 'FabricPeerSet') {
      await writePeerConfig(join(node, 'config'));
      const ports = {
        listen: await this.port(name),
        chaincode: await this.port(`${name}-chaincode`),
        operations: await this.port(`${name}-operations`),
      };
      const bootstrap = `${LOCALHOST}:${String(await this.port(nodeName(set, 0)))}`;
      env = peerEnv(name, node, ports, mspId, bootstrap);
      listen = ports.listen;
    } else {
      await writeOrdererConfig(join(node, 'config'));
      const ports = {
        listen: await this.port(name),
        admin: await this.port(`${name}-admin`),
        operations: await this.port(`${name}-operations`),
      };
      env = ordererEnv(node, ports, mspId, set.spec.consensus);
      listen = ports.admin;
    }
    this.supervisor.ensure({
      name,
      command: toolBin('fabric', set.kind === 'FabricPeerSet' ? 'peer' : 'orderer'),
      args: set.kind === 'FabricPeerSet' ? ['node', 'start'] : [],
      env: { PATH: process.env.PATH ?? '', ...env },
      cwd: node,
      logFile: this.layout.log(name),
    });
    await waitForTcp(listen, 60_000, () => this.supervisor.isRunning(name));
  }

  nodeAvailable(name: string): boolean {
    return this.supervisor.isRunning(name);
  }

  extraOrdinals(set: NodeSet): number[] {
    const pattern = new RegExp(`^${set.metadata.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`);
    return this.supervisor.names().flatMap((name) => {
      const ordinal = Number(pattern.exec(name)?.[1] ?? -1);
      return ordinal >= set.spec.replicas ? [ordinal] : [];
    });
  }

  async removeNode(set: NodeSet, ordinal: number, purge: boolean): Promise<void> {
    const name = nodeName(set, ordinal);
    await this.supervisor.stop(name);
    if (purge) await rm(this.layout.node(name), { recursive: true, force: true });
  }

  selector(): undefined {
    return undefined;
  }

  async address(name: string, port: 'peer' | 'orderer' | 'ordererAdmin'): Promise<Address> {
    return { host: LOCALHOST, port: await this.port(port === 'ordererAdmin' ? `${name}-admin` : name) };
  }

  private genesisFile(channel: FabricChannel): string {
    return join(this.layout.channelDir(channel.metadata.name), 'genesis.block');
  }

  async readGenesis(channel: FabricChannel): Promise<Uint8Array | undefined> {
    return readFile(this.genesisFile(channel)).catch(() => undefined);
  }

  async storeGenesis(channel: FabricChannel, block: Uint8Array): Promise<Uint8Array> {
    await mkdir(this.layout.channelDir(channel.metadata.name), { recursive: true });
    await writeFile(this.genesisFile(channel), block);
    return block;
  }

  private tlsDir(chaincode: FabricChaincode): string {
    return join(this.layout.chaincodeDir(chaincode.metadata.name), 'tls');
  }

  async chaincodeTls(chaincode: FabricChaincode, make: () => ChaincodeTlsFiles): Promise<ChaincodeTls> {
    const dir = this.tlsDir(chaincode);
    const file = (name: string) => join(dir, name);
    if (!(await exists(file('ca.pem')))) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // ca.pem last: its presence says the set is complete.
      const { 'ca.pem': root, ...rest } = make();
      for (const [name, content] of Object.entries(rest))
        await writeFile(file(name), content, { mode: 0o600 });
      await writeFile(file('ca.pem'), root);
    }
    const [rootCert, clientCert, clientKey] = await Promise.all(
      ['ca.pem', 'client.crt', 'client.key'].map((name) => readFile(file(name), 'utf8')),
    );
    return { rootCert: rootCert ?? '', clientCert: clientCert ?? '', clientKey: clientKey ?? '' };
  }

  async chaincodeAddress(_chaincode: FabricChaincode, label: string): Promise<string> {
    return `${LOCALHOST}:${String(await this.port(`${label}-ccaas`))}`;
  }

  async startChaincodeServer(chaincode: FabricChaincode, server: ChaincodeServer): Promise<void> {
    const entry = join(repoRoot, 'ccaas', 'dist', 'main.js');
    if (!(await exists(entry)))
      throw new Error(`${entry} is missing: build the chaincode first (npm run build)`);
    const name = `${server.label}-ccaas`;
    const address = await this.chaincodeAddress(chaincode, server.label);
    const dir = this.layout.chaincodeDir(chaincode.metadata.name);
    const tls = this.tlsDir(chaincode);
    await mkdir(dir, { recursive: true });
    // One server per version: the running definition keeps serving while an upgrade commits.
    this.supervisor.ensure({
      name,
      command: process.execPath,
      args: [entry],
      env: {
        PATH: process.env.PATH ?? '',
        CHAINCODE_SERVER_ADDRESS: address,
        CHAINCODE_ID: server.packageId,
        WALLET_CHAINCODE_NAME: chaincode.metadata.name,
        WALLET_ISSUER_MSP_IDS: server.issuerMsps.join(','),
        // fabric-shim logs a line per transaction at info: CPU and disk for nothing under load.
        CORE_CHAINCODE_LOGGING_LEVEL: 'warning',
        CHAINCODE_TLS_KEY_FILE: join(tls, 'server.key'),
        CHAINCODE_TLS_CERT_FILE: join(tls, 'server.crt'),
        CHAINCODE_TLS_CLIENT_CA_FILE: join(tls, 'ca.pem'),
        // Lets a profiling run (--cpu-prof) reach the chaincode servers too.
        ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
        // The benchmark's account-model contract (ccaas/src/bench), only when asked for.
        ...(process.env.WALLET_BENCH_CONTRACTS
          ? { WALLET_BENCH_CONTRACTS: process.env.WALLET_BENCH_CONTRACTS }
          : {}),
      },
      cwd: dir,
      logFile: this.layout.log(name),
    });
    await waitForTcp(Number(address.split(':')[1]), 30_000, () => this.supervisor.isRunning(name));
  }

  chaincodeAvailable(_chaincode: FabricChaincode, label: string): boolean {
    return this.supervisor.isRunning(`${label}-ccaas`);
  }

  async retireChaincodeServers(chaincode: FabricChaincode, label: string): Promise<string[]> {
    const stopped: string[] = [];
    for (const name of this.supervisor.names()) {
      if (
        name.startsWith(`${chaincode.metadata.name}_`) &&
        name.endsWith('-ccaas') &&
        name !== `${label}-ccaas`
      ) {
        await this.supervisor.stop(name);
        stopped.push(name);
      }
    }
    return stopped;
  }
}
