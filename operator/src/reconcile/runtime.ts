import type { Network } from '../api/v1alpha1/parse.js';
import type {
  FabricCA,
  FabricChaincode,
  FabricChannel,
  FabricOrdererSet,
  FabricPeerSet,
  FabricResource,
} from '../api/v1alpha1/types.js';
import type { MaterialStore, OrgCas } from '../fabric/org-pki.js';
import type { Notice } from './verdict.js';

export type NodeSet = FabricPeerSet | FabricOrdererSet;

/** DNS names and IPs a TLS server certificate must carry. */
export interface Hosts {
  readonly dns: readonly string[];
  readonly ips: readonly string[];
}

export interface Address {
  readonly host: string;
  readonly port: number;
}

/** A CA as its reconcile sees it: where it is served, and how to enroll once it answers. */
export interface CaState {
  readonly url: string;
  readonly tlsUrl: string;
  /** Undefined until both CA servers answer. */
  readonly cas?: OrgCas;
}

/** The chaincode server's TLS root and the client pair peers use (connection.json). */
export interface ChaincodeTls {
  readonly rootCert: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/**
 * What differs between running the network as processes on this machine and as Kubernetes
 * objects. The reconcilers (ca.ts, nodes.ts, channel.ts, chaincode.ts) decide everything
 * else - names, identities, the genesis profile, joins, installs, definitions, status - so a
 * change to how a peer joins a channel is made once and shows in both runtimes.
 *
 * Every `start*` is idempotent (a process supervisor's ensure, a server-side apply) and is
 * called on every reconcile: it declares what should exist.
 */
export interface Runtime {
  /** Whether this runtime may act as the orgs' admins (enroll, join, install, commit). */
  readonly fabricAdmin: boolean;
  /** The valid desired resources (the manifest, or the informer caches). */
  network(): Network;
  log(line: string): void;
  notify(resource: FabricResource, notice: Notice): Promise<void>;

  /** Runs or applies the org's CA and TLS CA. */
  startCa(ca: FabricCA): Promise<void>;
  /** Where the CA is served, and whether it answers yet. */
  caState(ca: FabricCA): Promise<CaState>;
  /** Where the org's enrolled identities are kept (files, or Secrets). */
  store(ca: FabricCA): MaterialStore;

  nodeHosts(name: string): Hosts;
  hasNodeIdentity(ca: FabricCA, name: string): Promise<boolean>;
  /** Runs or applies one node; `identityIssued` says whether its identity exists to mount. */
  startNode(set: NodeSet, ordinal: number, ca: FabricCA, identityIssued: boolean): Promise<void>;
  nodeAvailable(name: string): boolean;
  /** Ordinals >= spec.replicas that still have something (process, Deployment, Service...). */
  extraOrdinals(set: NodeSet): number[];
  /** Removes one node; its data and identity go too when `purge`. */
  removeNode(set: NodeSet, ordinal: number, purge: boolean): Promise<void>;
  /** The label selector `kubectl scale` reads from a set's status, where there is one. */
  selector(set: NodeSet): string | undefined;
  address(name: string, port: 'peer' | 'orderer' | 'ordererAdmin'): Promise<Address>;
  /** TLS server name to verify a node's certificate by, when the address is not in it. */
  readonly tlsHostOverride?: string;

  /** The channel's genesis block, if made before. */
  readGenesis(channel: FabricChannel): Promise<Uint8Array | undefined>;
  /** Keeps a new genesis block; returns the one kept (another writer may have won). */
  storeGenesis(channel: FabricChannel, block: Uint8Array): Promise<Uint8Array>;

  /** The chaincode server's TLS material, made once. */
  chaincodeTls(chaincode: FabricChaincode, make: () => ChaincodeTlsFiles): Promise<ChaincodeTls>;
  /** host:port the peers dial for this version's server (goes into connection.json). */
  chaincodeAddress(chaincode: FabricChaincode, label: string): Promise<string>;
  startChaincodeServer(chaincode: FabricChaincode, server: ChaincodeServer): Promise<void>;
  chaincodeAvailable(chaincode: FabricChaincode, label: string): boolean;
  /** Stops servers of versions other than `label` (once it is committed); returns their names. */
  retireChaincodeServers(chaincode: FabricChaincode, label: string): Promise<string[]>;
}

/** The files of a chaincode server's TLS material, by name. */
export type ChaincodeTlsFiles = Record<
  'ca.pem' | 'server.crt' | 'server.key' | 'client.crt' | 'client.key',
  string
>;

export interface ChaincodeServer {
  readonly label: string;
  readonly packageId: string;
  readonly issuerMsps: readonly string[];
}
