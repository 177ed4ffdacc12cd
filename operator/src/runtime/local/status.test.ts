import { describe, expect, it } from 'vitest';
import { setCondition } from '../../api/v1alpha1/conditions.js';
import { age, formatStatus, type StatusDocument } from './status.js';

describe('setCondition', () => {
  const t0 = new Date('2026-11-25T10:00:00Z');
  const t1 = new Date('2026-11-25T10:05:00Z');
  const ready = {
    type: 'Ready',
    status: 'True',
    reason: 'Reconciled',
    message: 'up',
    observedGeneration: 1,
  } as const;

  it('moves lastTransitionTime only when the status flips', () => {
    const first = setCondition([], ready, t0);
    const sameStatusNewMessage = setCondition(first, { ...ready, message: 'still up' }, t1);
    const flipped = setCondition(first, { ...ready, status: 'False' }, t1);

    expect(sameStatusNewMessage[0]?.lastTransitionTime).toBe(t0.toISOString());
    expect(flipped[0]?.lastTransitionTime).toBe(t1.toISOString());
  });

  it('returns the same array when nothing changed, so no status write is needed', () => {
    const first = setCondition([], ready, t0);

    expect(setCondition(first, ready, t1)).toBe(first);
  });
});

describe('formatStatus', () => {
  it('prints a kubectl-like table with the reason of what is not ready', () => {
    const document: StatusDocument = {
      pid: 1,
      updatedAt: '2026-11-25T10:00:00Z',
      resources: [
        {
          kind: 'FabricPeerSet',
          name: 'wallet',
          observedGeneration: 1,
          replicas: '2/3',
          createdAt: '2026-11-25T09:00:00Z',
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'PeerDown',
              message: '1 peer(s) not running',
              observedGeneration: 1,
              lastTransitionTime: '',
            },
          ],
        },
        {
          kind: 'FabricChannel',
          name: 'payments',
          observedGeneration: 1,
          height: 12,
          createdAt: '2026-11-25T09:59:30Z',
          conditions: [],
        },
      ],
    };

    const table = formatStatus(document, new Date('2026-11-25T10:00:00Z')).split('\n');

    expect(table[0]).toMatch(/^KIND\s+NAME\s+READY\s+REPLICAS\s+HEIGHT\s+AGE$/);
    expect(table[1]).toMatch(
      /^FabricPeerSet\s+wallet\s+False \(PeerDown: 1 peer\(s\) not running\)\s+2\/3\s+-\s+60m$/,
    );
    expect(table[2]).toMatch(/^FabricChannel\s+payments\s+False\s+-\s+12\s+30s$/);
  });

  it.each([
    [30, '30s'],
    [600, '10m'],
    [10_800, '3h'],
    [259_200, '3d'],
  ])('prints an age of %i seconds as %s', (seconds, text) => {
    const now = new Date('2026-11-25T10:00:00Z');

    expect(age(new Date(now.getTime() - seconds * 1000).toISOString(), now)).toBe(text);
  });
});
