import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configtxYaml } from './configtx.js';

describe('configtxYaml', () => {
  const yaml = configtxYaml({
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
    consenters: [{ host: '127.0.0.1', port: 7050, tlsCertFile: '/d/o0/tls/server.crt' }],
  });
  const profile = (parse(yaml) as { Profiles: { Channel: Record<string, Record<string, unknown>> } }).Profiles
    .Channel;

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
