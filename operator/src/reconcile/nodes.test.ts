import { describe, expect, it } from 'vitest';
import { planNodeSet, type NodeSetObserved } from './nodes.js';
import { sample, walletSet, ordererSet, withReplicas } from './test-fixtures.js';

const ca = sample.cas.find((candidate) => candidate.metadata.name === 'wallet-ca');
const node = (name: string, identity: boolean, available: boolean) => ({
  name,
  identity,
  available,
  endpoint: `${name}:7051`,
});
const observed = (overrides: Partial<NodeSetObserved>): NodeSetObserved => ({
  ...(ca ? { ca } : {}),
  caAnswers: true,
  nodes: [],
  extraOrdinals: [],
  ...overrides,
});

describe('planNodeSet (FabricPeerSet / FabricOrdererSet)', () => {
  const set = withReplicas(walletSet(), 2);
  const cases: {
    name: string;
    observed: NodeSetObserved;
    actions: string[];
    state: string;
    reason: string;
  }[] = [
    {
      name: 'a new set whose CA answers: issue each identity, then start each node',
      observed: observed({ nodes: [node('wallet-0', false, false), node('wallet-1', false, false)] }),
      actions: [
        'issueIdentity wallet-0',
        'startNode 0 issued',
        'issueIdentity wallet-1',
        'startNode 1 issued',
      ],
      state: 'Progressing',
      reason: 'WaitingForPods',
    },
    {
      name: 'the CA does not answer yet: nodes are declared without an identity, none issued',
      observed: observed({
        caAnswers: false,
        nodes: [node('wallet-0', false, false), node('wallet-1', false, false)],
      }),
      actions: ['startNode 0 pending', 'startNode 1 pending'],
      state: 'Progressing',
      reason: 'WaitingForPods',
    },
    {
      name: 'every node available: Ready, nothing issued again',
      observed: observed({ nodes: [node('wallet-0', true, true), node('wallet-1', true, true)] }),
      actions: ['startNode 0 issued', 'startNode 1 issued'],
      state: 'Ready',
      reason: 'AllAvailable',
    },
    {
      name: 'scaled in from 4: the extra ordinals go, highest first',
      observed: observed({
        nodes: [node('wallet-0', true, true), node('wallet-1', true, true)],
        extraOrdinals: [2, 3],
      }),
      actions: [
        'startNode 0 issued',
        'startNode 1 issued',
        'removeNode wallet-3 keep',
        'removeNode wallet-2 keep',
      ],
      state: 'Ready',
      reason: 'AllAvailable',
    },
  ];
  it.each(cases)('$name', ({ observed: seen, actions, state, reason }) => {
    const plan = planNodeSet(set, seen);
    expect(
      plan.actions.map((action) =>
        action.type === 'issueIdentity'
          ? `issueIdentity ${action.name}`
          : action.type === 'startNode'
            ? `startNode ${String(action.ordinal)} ${action.identityIssued ? 'issued' : 'pending'}`
            : `removeNode ${action.name} ${action.purge ? 'purge' : 'keep'}`,
      ),
    ).toEqual(actions);
    expect([plan.verdict.state, plan.verdict.reason]).toEqual([state, reason]);
  });

  it('purges storage and identity on scale-in only when a peer set says scaleDownPolicy: Delete', () => {
    const deleting = { ...set, spec: { ...set.spec, scaleDownPolicy: 'Delete' as const } };
    const seen = observed({
      nodes: [node('wallet-0', true, true), node('wallet-1', true, true)],
      extraOrdinals: [2],
    });
    expect(planNodeSet(deleting, seen).actions.at(-1)).toEqual({
      type: 'removeNode',
      ordinal: 2,
      name: 'wallet-2',
      purge: true,
    });
    const orderers = withReplicas(ordererSet(), 1);
    expect(
      planNodeSet(orderers, { ...seen, nodes: [node('orderer-0', true, true)] }).actions.at(-1),
    ).toMatchObject({
      type: 'removeNode',
      purge: false,
    });
  });

  it('reports readiness and each peer in the status fields, and the selector kubectl scale reads', () => {
    const plan = planNodeSet(
      set,
      observed({ nodes: [node('wallet-0', true, true), node('wallet-1', true, false)], selector: 'a=b' }),
    );
    expect(plan.verdict.fields).toMatchObject({ replicas: 2, readyReplicas: 1, selector: 'a=b' });
    expect(plan.verdict.message).toBe('1/2 available; waiting for wallet-1 (not available yet)');
    const orderers = planNodeSet(
      withReplicas(ordererSet(), 1),
      observed({ nodes: [node('orderer-0', true, true)] }),
    );
    expect(orderers.verdict.fields).toEqual({ replicas: 1, readyReplicas: 1 });
  });

  it('is Degraded with nothing to do when spec.ca names no FabricCA', () => {
    const { ca: _ca, ...withoutCa } = observed({});
    const plan = planNodeSet(set, withoutCa);
    expect(plan.actions).toEqual([]);
    expect([plan.verdict.state, plan.verdict.reason]).toEqual(['Degraded', 'CANotFound']);
  });
});
