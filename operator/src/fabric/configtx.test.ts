import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configtxYaml } from './configtx.js';

const consenter = (ordinal: number) => ({
  host: '127.0.0.1',
  port: 7050 + ordinal,
  tlsCertFile: `/d/o${String(ordinal)}/tls/server.crt`,
  mspId: 'OrdererOrgMSP',
  identityCertFile: `/d/o${String(ordinal)}/msp/signcerts/cert.pem`,
});

describe('configtxYaml', () => {
  const base = {
    ordererOrgs: [
      {
        name: 'OrdererOrg',
        mspId: 'OrdererOrgMSP',
        mspDir: '/d/orderer/msp',
        ordererEndpoints: ['127.0.0.1:7050'],
      },
    ],
    peerOrgs: [
      {
        name: 'WalletOrg',
        mspId: 'WalletOrgMSP',
        mspDir: '/d/wallet/msp',
        anchorPeers: [{ host: '127.0.0.1', port: 7051 }],
      },
      {
        name: 'CinemaOrg',
        mspId: 'CinemaOrgMSP',
        mspDir: '/d/cinema/msp',
        anchorPeers: [{ host: '127.0.0.1', port: 9051 }],
      },
    ],
  };
  const channelOf = (yaml: string) =>
    (parse(yaml) as { Profiles: { Channel: Record<string, Record<string, unknown>> } }).Profiles.Channel;
  const profile = channelOf(configtxYaml({ ...base, consensus: 'etcdraft', consenters: [consenter(0)] }));

  it('requires the Fabric v3 channel capability and sets no global orderer addresses', () => {
    expect(profile.Capabilities).toEqual({ V3_0: true });
    expect(profile.Orderer).not.toHaveProperty('Addresses');
    expect(profile.Application?.Capabilities).toEqual({ V2_5: true });
  });

  it('orders with Raft through the given consenters and a short batch timeout', () => {
    expect(profile.Orderer).toMatchObject({
      OrdererType: 'etcdraft',
      BatchTimeout: '250ms',
      EtcdRaft: {
        Consenters: [
          {
            Host: '127.0.0.1',
            Port: 7050,
            ClientTLSCert: '/d/o0/tls/server.crt',
            ServerTLSCert: '/d/o0/tls/server.crt',
          },
        ],
      },
    });
  });

  it('orders with SmartBFT through numbered consenters with their MSP and signing certificate', () => {
    const bft = channelOf(
      configtxYaml({
        ...base,
        consensus: 'BFT',
        consenters: [0, 1, 2, 3].map(consenter),
        batchTimeout: '100ms',
      }),
    );

    expect(bft.Orderer).not.toHaveProperty('EtcdRaft');
    expect(bft.Orderer).toMatchObject({
      OrdererType: 'BFT',
      BatchTimeout: '100ms',
      SmartBFT: { RequestBatchMaxInterval: '100ms' },
    });
    const mapping = bft.Orderer?.ConsenterMapping as Record<string, unknown>[];
    expect(mapping.map((entry) => entry.ID)).toEqual([1, 2, 3, 4]);
    expect(mapping[3]).toEqual({
      ID: 4,
      Host: '127.0.0.1',
      Port: 7053,
      MSPID: 'OrdererOrgMSP',
      Identity: '/d/o3/msp/signcerts/cert.pem',
      ClientTLSCert: '/d/o3/tls/server.crt',
      ServerTLSCert: '/d/o3/tls/server.crt',
    });
  });

  it('refuses BFT with fewer than four consenters', () => {
    expect(() => configtxYaml({ ...base, consensus: 'BFT', consenters: [0, 1, 2].map(consenter) })).toThrow(
      'BFT needs at least 4 consenters',
    );
  });

  it('requires endorsement and lifecycle approval by a MAJORITY of the peer orgs', () => {
    expect(profile.Application?.Policies).toMatchObject({
      Endorsement: { Type: 'ImplicitMeta', Rule: 'MAJORITY Endorsement' },
      LifecycleEndorsement: { Type: 'ImplicitMeta', Rule: 'MAJORITY Endorsement' },
    });
  });

  it('gives each peer org NodeOU policies and its anchor peers', () => {
    const orgs = profile.Application?.Organizations as {
      ID: string;
      Policies: Record<string, { Rule: string }>;
      AnchorPeers: unknown;
    }[];

    expect(orgs.map((org) => org.ID)).toEqual(['WalletOrgMSP', 'CinemaOrgMSP']);
    expect(orgs[0]?.Policies.Endorsement?.Rule).toBe("OR('WalletOrgMSP.peer')");
    expect(orgs[0]?.Policies.Admins?.Rule).toBe("OR('WalletOrgMSP.admin')");
    expect(orgs[1]?.AnchorPeers).toEqual([{ Host: '127.0.0.1', Port: 9051 }]);
  });
});
