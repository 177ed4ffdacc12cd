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
}

export interface ChannelProfile {
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
 * configtx.yaml for one application channel with no system channel (genesis block for the
 * channel participation API): Raft ordering, and endorsement and lifecycle by MAJORITY of
 * the peer orgs.
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
        Capabilities: { V2_0: true },
        Orderer: {
          OrdererType: 'etcdraft',
          BatchTimeout: profile.batchTimeout ?? '250ms',
          BatchSize: {
            MaxMessageCount: profile.maxMessageCount ?? 200,
            AbsoluteMaxBytes: '10 MB',
            PreferredMaxBytes: '2 MB',
          },
          EtcdRaft: {
            Consenters: profile.consenters.map((consenter) => ({
              Host: consenter.host,
              Port: consenter.port,
              ClientTLSCert: consenter.tlsCertFile,
              ServerTLSCert: consenter.tlsCertFile,
            })),
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
          Capabilities: { V2_0: true },
        },
      },
    },
  };
  return stringify(document);
}
