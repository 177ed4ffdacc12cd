import { describe, expect, it } from 'vitest';
import { planChaincode, wantedSequence, type ChaincodeObserved } from './chaincode.js';
import { chaincode } from './test-fixtures.js';

const PACKAGE = 'token_1.0:abc';
const base = (overrides: Partial<ChaincodeObserved> = {}): ChaincodeObserved => ({
  fabricAdmin: true,
  channelFound: true,
  packageId: PACKAGE,
  address: 'token-ccaas:9999',
  serverAvailable: true,
  peers: [
    { name: 'wallet-0', mspId: 'WalletOrgMSP', installed: [PACKAGE] },
    { name: 'cinema-0', mspId: 'CinemaOrgMSP', installed: [PACKAGE] },
  ],
  committed: { version: chaincode().spec.version, sequence: 1, sameEndorsement: true },
  ...overrides,
});
const types = (observed: ChaincodeObserved) =>
  planChaincode(chaincode(), observed).actions.map((action) =>
    action.type === 'install'
      ? `install ${action.peer}`
      : action.type === 'commit'
        ? `commit ${String(action.sequence)}`
        : action.type,
  );

describe('wantedSequence', () => {
  const spec = chaincode();
  const version = spec.spec.version;
  it.each([
    { name: 'nothing committed', committed: undefined, sequence: 1 },
    {
      name: 'same version and policy',
      committed: { version, sequence: 4, sameEndorsement: true },
      sequence: 4,
    },
    {
      name: 'another version',
      committed: { version: `${version}-old`, sequence: 4, sameEndorsement: true },
      sequence: 5,
    },
    {
      name: 'same version, other policy',
      committed: { version, sequence: 4, sameEndorsement: false },
      sequence: 5,
    },
  ])('$name -> $sequence', ({ committed, sequence }) => {
    expect(wantedSequence(spec, committed)).toBe(sequence);
  });
  it('an explicit spec.sequence wins', () => {
    expect(wantedSequence({ ...spec, spec: { ...spec.spec, sequence: 9 } }, undefined)).toBe(9);
  });
});

describe('planChaincode (FabricChaincode)', () => {
  it('a first install: installs everywhere, commits sequence 1', () => {
    const observed = base({
      peers: base().peers.map((peer) => ({ ...peer, installed: [] })),
    });
    const { committed: _c, ...fresh } = observed;
    expect(types(fresh)).toEqual(['install wallet-0', 'install cinema-0', 'commit 1', 'retireOtherVersions']);
    expect(planChaincode(chaincode(), fresh).verdict).toMatchObject({
      state: 'Ready',
      reason: 'Committed',
      fields: {
        sequence: 1,
        approvedBy: ['WalletOrgMSP', 'CinemaOrgMSP'],
        installedOn: ['cinema-0', 'wallet-0'],
      },
    });
  });

  it('converged: only the idempotent clean-up of other versions', () => {
    expect(types(base())).toEqual(['retireOtherVersions']);
  });

  it('a peer added to the channel: installs there only; no new sequence', () => {
    const observed = base({
      peers: [...base().peers, { name: 'wallet-1', mspId: 'WalletOrgMSP', installed: [] }],
    });
    expect(types(observed)).toEqual(['install wallet-1', 'retireOtherVersions']);
  });

  it('a peer not on the channel yet: committed for the others, Installing until it is', () => {
    const observed = base({ peers: [...base().peers, { name: 'wallet-1', mspId: 'WalletOrgMSP' }] });
    expect(planChaincode(chaincode(), observed).verdict).toMatchObject({
      state: 'Progressing',
      reason: 'Installing',
    });
  });

  it.each([
    {
      name: 'server not available',
      observed: base({ serverAvailable: false }),
      state: 'Progressing',
      reason: 'WaitingForPods',
    },
    {
      name: 'no peer on the channel',
      observed: base({ peers: [{ name: 'wallet-0', mspId: 'WalletOrgMSP' }] }),
      state: 'Progressing',
      reason: 'WaitingForChannel',
    },
    {
      name: 'channel missing',
      observed: base({ channelFound: false }),
      state: 'Degraded',
      reason: 'ChannelNotFound',
    },
  ])('waits and does nothing when $name', ({ observed, state, reason }) => {
    const plan = planChaincode(chaincode(), observed);
    expect(plan.actions).toEqual([]);
    expect([plan.verdict.state, plan.verdict.reason]).toEqual([state, reason]);
  });
});
