import { describe, expect, it } from 'vitest';
import { planChannel, type ChannelObserved, type ChannelPeerObserved } from './channel.js';
import { channel, ordererSet, sample } from './test-fixtures.js';

const ordererCa = sample.cas.find((ca) => ca.metadata.name === 'orderer-ca');
/** A peer as observed; `joined: undefined` = could not ask it, `height: undefined` = not on the channel. */
const peer = (
  name: string,
  mspId: string,
  state: { reachable?: boolean; joined?: boolean | undefined; height?: number | undefined } = {},
): ChannelPeerObserved => {
  const joined = 'joined' in state ? state.joined : true;
  const height = 'height' in state ? state.height : 7;
  return {
    name,
    mspId,
    reachable: state.reachable ?? true,
    ...(joined === undefined ? {} : { joined }),
    ...(height === undefined ? {} : { height }),
  };
};
const base = (overrides: Partial<ChannelObserved> = {}): ChannelObserved => ({
  fabricAdmin: true,
  ordererSet: ordererSet(),
  ...(ordererCa ? { ordererCa } : {}),
  orderersAvailable: true,
  ordererAdmin: true,
  orderersJoined: { 'orderer-0': true },
  organizations: ['WalletOrgMSP', 'CinemaOrgMSP'],
  peers: [
    peer('wallet-0', 'WalletOrgMSP'),
    peer('wallet-1', 'WalletOrgMSP'),
    peer('cinema-0', 'CinemaOrgMSP'),
  ],
  genesisKept: true,
  ...overrides,
});
const describeActions = (observed: ChannelObserved) =>
  planChannel(channel(), observed).actions.map((action) =>
    'name' in action ? `${action.type} ${action.name}` : action.type,
  );

describe('planChannel (FabricChannel)', () => {
  it('a new channel: makes the genesis block, joins the orderer and every peer', () => {
    const observed = base({
      genesisKept: false,
      orderersJoined: { 'orderer-0': false },
      peers: base().peers.map((p) => ({ ...p, joined: false })),
    });
    expect(describeActions(observed)).toEqual([
      'makeGenesis',
      'joinOrderer orderer-0',
      'joinPeer wallet-0',
      'joinPeer wallet-1',
      'joinPeer cinema-0',
    ]);
    const { verdict } = planChannel(channel(), observed);
    expect(verdict.state).toBe('Ready');
    expect(verdict.fields).toMatchObject({ peers: ['cinema-0', 'wallet-0', 'wallet-1'], height: 1 });
  });

  it('a scaled-out peer: only it joins; the height shown is the lowest (it starts at 1)', () => {
    const observed = base({
      peers: [...base().peers, peer('wallet-2', 'WalletOrgMSP', { joined: false, height: undefined })],
    });
    expect(describeActions(observed)).toEqual(['joinPeer wallet-2']);
    expect(planChannel(channel(), observed).verdict.fields).toMatchObject({ height: 1 });
  });

  it('all joined: nothing to do, Ready with the lowest height, looked at again in a minute', () => {
    const observed = base({
      peers: [
        peer('wallet-0', 'WalletOrgMSP', { height: 9 }),
        peer('cinema-0', 'CinemaOrgMSP', { height: 8 }),
      ],
    });
    const plan = planChannel(channel(), observed);
    expect(plan.actions).toEqual([]);
    expect(plan.verdict).toMatchObject({
      state: 'Ready',
      reason: 'Joined',
      after: 60_000,
      fields: { height: 8 },
    });
  });

  it('a peer not reachable yet: the others join, the channel stays Progressing', () => {
    const observed = base({
      peers: [
        peer('wallet-0', 'WalletOrgMSP'),
        peer('wallet-1', 'WalletOrgMSP', { reachable: false, joined: undefined }),
        peer('cinema-0', 'CinemaOrgMSP'),
      ],
    });
    expect(planChannel(channel(), observed).verdict).toMatchObject({
      state: 'Progressing',
      reason: 'WaitingForPeers',
      message: '2/3 peers joined',
    });
  });

  const waits: { name: string; observed: ChannelObserved; state: string; reason: string }[] = [
    {
      name: 'orderers not available',
      observed: base({ orderersAvailable: false }),
      state: 'Progressing',
      reason: 'WaitingForOrderers',
    },
    {
      name: 'no reachable peer of one org',
      observed: base({
        peers: [
          peer('wallet-0', 'WalletOrgMSP'),
          peer('cinema-0', 'CinemaOrgMSP', { reachable: false, joined: undefined }),
        ],
      }),
      state: 'Progressing',
      reason: 'WaitingForPeers',
    },
    {
      name: 'orderer admin not enrolled',
      observed: base({ ordererAdmin: false }),
      state: 'Progressing',
      reason: 'WaitingForIdentities',
    },
    {
      name: 'not allowed to act as admin',
      observed: base({ fabricAdmin: false }),
      state: 'Progressing',
      reason: 'WaitingForPeers',
    },
    {
      name: 'no orderer set',
      observed: (({ ordererSet: _o, ...rest }) => rest)(base()),
      state: 'Degraded',
      reason: 'OrdererSetNotFound',
    },
    {
      name: 'no member org',
      observed: base({ organizations: [], peers: [] }),
      state: 'Degraded',
      reason: 'NoPeers',
    },
  ];
  it.each(waits)('waits and does nothing when $name', ({ observed, state, reason }) => {
    const plan = planChannel(channel(), observed);
    expect(plan.actions).toEqual([]);
    expect([plan.verdict.state, plan.verdict.reason]).toEqual([state, reason]);
  });
});
