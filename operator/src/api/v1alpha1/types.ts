/**
 * The custom resources of group fabricwallet.io, version v1alpha1. The same shapes are read
 * by the Kubernetes operator (from the API server) and by the local runtime (from
 * manifests/local/network.yaml); CRD schemas are generated from these types.
 */

export const GROUP = 'fabricwallet.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly generation?: number;
  readonly uid?: string;
  readonly creationTimestamp?: string;
}

/** A standard Kubernetes condition; `lastTransitionTime` moves only when `status` flips. */
export interface Condition {
  readonly type: 'Ready' | 'Progressing' | 'Degraded';
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration: number;
  readonly lastTransitionTime: string;
}

export interface CommonStatus {
  readonly observedGeneration?: number;
  readonly conditions?: readonly Condition[];
}

/** An identity the CA registers and enrolls at reconcile time. */
export interface IdentitySpec {
  /** Enrollment id. Operator identities only; end users get random ids from the API. */
  readonly name: string;
  /** Fabric CA identity type; NodeOUs map it to the MSP role. */
  readonly type: 'admin' | 'client' | 'peer' | 'orderer';
  /** wallet.role written into the enrollment certificate (customer, merchant, issuer, auditor). */
  readonly walletRole?: 'customer' | 'merchant' | 'issuer' | 'auditor';
  /** May register further client identities carrying wallet.role (the API's registrar). */
  readonly registrar?: boolean;
}

/** A certificate authority for one organization, with a separate TLS CA. */
export interface FabricCASpec {
  /** Organization name, e.g. WalletOrg. */
  readonly org: string;
  /** MSP id of the organization, e.g. WalletOrgMSP. */
  readonly mspId: string;
  /** Identities to register and enroll besides the nodes' own. */
  readonly identities?: readonly IdentitySpec[];
}

export interface FabricCAStatus extends CommonStatus {
  /** The CA's URL (local runtime: https://127.0.0.1:<port>). */
  readonly url?: string;
  readonly tlsUrl?: string;
  /** Enrollment ids registered so far. */
  readonly registered?: readonly string[];
}

export type ConsensusType = 'etcdraft' | 'BFT';

export interface FabricOrdererSetSpec {
  /** Name of the FabricCA that issues the orderers' identities and TLS certificates. */
  readonly ca: string;
  readonly replicas: number;
  readonly consensus: ConsensusType;
}

export interface FabricOrdererSetStatus extends CommonStatus {
  readonly readyReplicas?: number;
  /** Channels each orderer has joined, by ordinal. */
  readonly channels?: Readonly<Record<string, readonly string[]>>;
}

/** What happens to a scaled-down peer's storage and identity. */
export type ScaleDownPolicy = 'Retain' | 'Delete';

export interface FabricPeerSetSpec {
  readonly ca: string;
  readonly replicas: number;
  /** Retain (default) keeps the removed peer's ledger and identity, so scaling back out reuses them. */
  readonly scaleDownPolicy?: ScaleDownPolicy;
}

export interface PeerStatus {
  readonly name: string;
  readonly ordinal: number;
  readonly ready: boolean;
  readonly endpoint?: string;
  readonly channels?: readonly string[];
  /** Block height per channel. */
  readonly heights?: Readonly<Record<string, number>>;
  /** Chaincode package ids installed. */
  readonly installed?: readonly string[];
}

export interface FabricPeerSetStatus extends CommonStatus {
  readonly replicas?: number;
  readonly readyReplicas?: number;
  /** Label selector string for the scale subresource. */
  readonly selector?: string;
  readonly peers?: readonly PeerStatus[];
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
}

export interface FabricChannelSpec {
  /** The FabricOrdererSet that orders this channel. */
  readonly ordererSet: string;
  /** Selects the FabricPeerSets whose peers join the channel; their orgs become channel members. */
  readonly peerSelector: LabelSelector;
}

export interface FabricChannelStatus extends CommonStatus {
  readonly organizations?: readonly string[];
  readonly height?: number;
}

export interface FabricChaincodeSpec {
  readonly channel: string;
  /** Chaincode version label, e.g. "1.0". */
  readonly version: string;
  /** Definition sequence; computed (committed + 1 on a change) when omitted. */
  readonly sequence?: number;
  /** Signature policy, e.g. "AND('WalletOrgMSP.peer','CinemaOrgMSP.peer')"; default: the channel's MAJORITY Endorsement. */
  readonly endorsementPolicy?: string;
  /** Where the chaincode server runs. */
  readonly server: {
    /** Container image (Kubernetes runtime). */
    readonly image?: string;
    /** Port the chaincode server listens on. */
    readonly port?: number;
  };
}

export interface FabricChaincodeStatus extends CommonStatus {
  readonly packageId?: string;
  readonly sequence?: number;
  readonly approvedBy?: readonly string[];
  readonly committed?: boolean;
}

interface Resource<K extends string, S, T> {
  readonly apiVersion: typeof API_VERSION;
  readonly kind: K;
  readonly metadata: ObjectMeta;
  readonly spec: S;
  readonly status?: T;
}

export type FabricCA = Resource<'FabricCA', FabricCASpec, FabricCAStatus>;
export type FabricOrdererSet = Resource<'FabricOrdererSet', FabricOrdererSetSpec, FabricOrdererSetStatus>;
export type FabricPeerSet = Resource<'FabricPeerSet', FabricPeerSetSpec, FabricPeerSetStatus>;
export type FabricChannel = Resource<'FabricChannel', FabricChannelSpec, FabricChannelStatus>;
export type FabricChaincode = Resource<'FabricChaincode', FabricChaincodeSpec, FabricChaincodeStatus>;

export type FabricResource = FabricCA | FabricOrdererSet | FabricPeerSet | FabricChannel | FabricChaincode;
export type FabricKind = FabricResource['kind'];
