import { stringify } from 'yaml';

/** An organization as the channel's configuration names it. */
export interface ChannelOrg {
  readonly name: string;
  readonly mspId: string;
  /** Directory with cacerts/, tlscacerts/ and config.yaml (NodeOUs). */
  readonly mspDir: string;
  /** Peer orgs: endpoints other orgs' peers gossip with (anchor peers). */
  readonly anchorPeers?: readonly { host: string; port: number }[];
  /** Orderer orgs: where clients and peers send transactions. */
  readonly ordererEndpoints?: readonly string[];
}

export interface Consenter {
  readonly host: string;
  readonly port: number;
  /** Paths to the orderer's TLS certificate (client and server are the same here). */
  readonly tlsCertFile: string;
  /** BFT only: the orderer's MSP and its signing certificate (it signs the blocks). */
  readonly mspId: string;
  readonly identityCertFile: string;
}

/** The ordering service's consensus: Raft (crash fault tolerant) or SmartBFT (3f+1 nodes). */
export type Consensus = 'etcdraft' | 'BFT';

export interface ChannelProfile {
  readonly consensus: Consensus;
  readonly ordererOrgs: readonly ChannelOrg[];
  readonly peerOrgs: readonly ChannelOrg[];
  readonly consenters: readonly Consenter[];
  /** How long the orderer waits to fill a block; low for interactive latency. */
  readonly batchTimeout?: string;
  readonly maxMessageCount?: number;
}

/** Signature policies that use NodeOUs, the usual set for an org. */
function orgPolicies(mspId: string, kind: 'peer' | 'orderer') {
  const member =
    kind === 'peer' ? `'${mspId}.admin', '${mspId}.peer', '${mspId}.client'` : `'${mspId}.member'`;
  return {
    Readers: { Type: 'Signature', Rule: `OR(${member})` },
    Writers: {
      Type: 'Signature',
      Rule: kind === 'peer' ? `OR('${mspId}.admin', '${mspId}.client')` : `OR('${mspId}.member')`,
    },
    Admins: { Type: 'Signature', Rule: `OR('${mspId}.admin')` },
    ...(kind === 'peer' ? { Endorsement: { Type: 'Signature', Rule: `OR('${mspId}.peer')` } } : {}),
  };
}

function orgSection(org: ChannelOrg, kind: 'peer' | 'orderer') {
  return {
    Name: org.mspId,
    ID: org.mspId,
    MSPDir: org.mspDir,
    Policies: orgPolicies(org.mspId, kind),
    ...(org.ordererEndpoints ? { OrdererEndpoints: [...org.ordererEndpoints] } : {}),
    ...(org.anchorPeers
      ? { AnchorPeers: org.anchorPeers.map((peer) => ({ Host: peer.host, Port: peer.port })) }
      : {}),
  };
}

const implicit = (rule: string) => ({ Type: 'ImplicitMeta', Rule: rule });

/**
 * The consensus part of the Orderer section. Raft lists its consenters by TLS certificate.
 * SmartBFT numbers them (ID from 1, in the given order, fixed for the channel's life) and
 * needs each one's MSP and signing certificate, because blocks carry a quorum of orderer
 * signatures; configtxgen derives the BlockValidation policy from that list and forces
 * leader rotation off. The SmartBFT timeouts are Fabric's defaults except the batch
 * interval, which follows the batch timeout so both consensus types answer alike.
 */
function consensusSection(profile: ChannelProfile) {
  if (profile.consensus === 'etcdraft') {
    return {
      OrdererType: 'etcdraft',
      EtcdRaft: {
        Consenters: profile.consenters.map((consenter) => ({
          Host: consenter.host,
          Port: consenter.port,
          ClientTLSCert: consenter.tlsCertFile,
          ServerTLSCert: consenter.tlsCertFile,
        })),
      },
    };
  }
  if (profile.consenters.length < 4) {
    throw new RangeError(
      `BFT needs at least 4 consenters (3f+1 with f >= 1), got ${String(profile.consenters.length)}`,
    );
  }
  return {
    OrdererType: 'BFT',
    ConsenterMapping: profile.consenters.map((consenter, index) => ({
      ID: index + 1,
      Host: consenter.host,
      Port: consenter.port,
      MSPID: consenter.mspId,
      Identity: consenter.identityCertFile,
      ClientTLSCert: consenter.tlsCertFile,
      ServerTLSCert: consenter.tlsCertFile,
    })),
    SmartBFT: {
      RequestBatchMaxCount: profile.maxMessageCount ?? 200,
      RequestBatchMaxInterval: profile.batchTimeout ?? '250ms',
      RequestForwardTimeout: '2s',
      RequestComplainTimeout: '20s',
      RequestAutoRemoveTimeout: '3m',
      ViewChangeResendInterval: '5s',
      ViewChangeTimeout: '20s',
      LeaderHeartbeatTimeout: '1m',
      LeaderHeartbeatCount: 10,
      CollectTimeout: '1s',
      IncomingMessageBufferSize: 200,
      RequestPoolSize: 100000,
    },
  };
}

/**
 * configtx.yaml for one application channel with no system channel (genesis block for the
 * channel participation API): Raft or SmartBFT ordering, Fabric v3 channel capability
 * (needed by BFT; with it no global orderer addresses, each orderer org lists its
 * endpoints), and endorsement and lifecycle by MAJORITY of the peer orgs.
 */
export function configtxYaml(profile: ChannelProfile): string {
  const document = {
    Profiles: {
      Channel: {
        Policies: {
          Readers: implicit('ANY Readers'),
          Writers: implicit('ANY Writers'),
          Admins: implicit('MAJORITY Admins'),
        },
        Capabilities: { V3_0: true },
        Orderer: {
          ...consensusSection(profile),
          BatchTimeout: profile.batchTimeout ?? '250ms',
          BatchSize: {
            MaxMessageCount: profile.maxMessageCount ?? 200,
            AbsoluteMaxBytes: '10 MB',
            PreferredMaxBytes: '2 MB',
          },
          Organizations: profile.ordererOrgs.map((org) => orgSection(org, 'orderer')),
          Policies: {
            Readers: implicit('ANY Readers'),
            Writers: implicit('ANY Writers'),
            Admins: implicit('MAJORITY Admins'),
            BlockValidation: implicit('ANY Writers'),
          },
          Capabilities: { V2_0: true },
        },
        Application: {
          Organizations: profile.peerOrgs.map((org) => orgSection(org, 'peer')),
          Policies: {
            Readers: implicit('ANY Readers'),
            Writers: implicit('ANY Writers'),
            Admins: implicit('MAJORITY Admins'),
            LifecycleEndorsement: implicit('MAJORITY Endorsement'),
            Endorsement: implicit('MAJORITY Endorsement'),
          },
          Capabilities: { V2_5: true },
        },
      },
    },
  };
  return stringify(document);
}
