import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ApiConfig } from '@fabric-wallet/api';
import { ApiHarness } from '../support/api-harness.js';
import { latencies, machine, writeFigures } from './system.js';

/**
 * One hostile client floods logins (60 concurrent bogus ones, again and again) while another
 * user logs in and pays: their latency with the defences off (no per-client quota, hashing
 * as wide as libuv's pool with an unbounded queue: what issue 14 measured, 0.3 s -> 8-10 s)
 * and on (the defaults). Real HTTP to the API over the real network and outer DB; clients are
 * told apart by X-Forwarded-For behind one trusted proxy hop. Figures go to
 * bench-results/login-flood.json.
 */
const FLOOD = 60;
const SAMPLES = 30;

async function scenario(name: string, overrides: Partial<ApiConfig>) {
  const api = await ApiHarness.start(`bench-flood-${name}`, undefined, overrides);
  try {
    const base = await api.listen();
    const token = await api.signUp('flood-victim');
    await api.signUp('flood-payee');
    await api.recharge(token, String(SAMPLES * 10));
    const post = async (path: string, from: string, body: unknown, headers: Record<string, string> = {}) => {
      const start = performance.now();
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': from, ...headers },
        body: JSON.stringify(body),
      });
      await response.arrayBuffer();
      return { status: response.status, ms: performance.now() - start };
    };
    const login = () =>
      post('/v1/sessions', '192.0.2.10', { username: 'flood-victim', password: 'login-password-1' });
    const pay = (i: number) =>
      post(
        '/v1/transfers',
        '192.0.2.11',
        { to: 'flood-payee', amount: '1', paymentPassword: 'pay-123456' },
        {
          authorization: `Bearer ${token}`,
          'idempotency-key': `flood-${name}-${String(i)}-${randomBytes(4).toString('hex')}`,
        },
      );

    const quiet: number[] = [];
    for (let i = 0; i < SAMPLES; i++) quiet.push((await login()).ms);

    const flood = { on: true };
    const floodStatuses: Record<string, number> = {};
    const flooder = (async () => {
      for (let round = 0; flood.on; round++) {
        const answers = await Promise.all(
          Array.from({ length: FLOOD }, (_, i) =>
            post('/v1/sessions', '198.51.100.66', {
              username: `ghost-${String(round)}-${String(i)}`,
              password: 'nope-nope',
            }),
          ),
        );
        for (const { status } of answers) floodStatuses[status] = (floodStatuses[status] ?? 0) + 1;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const underFlood: { status: number; ms: number }[] = [];
    const payments: { status: number; ms: number }[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const [logged, paid] = await Promise.all([login(), pay(i)]);
      underFlood.push(logged);
      payments.push(paid);
    }
    flood.on = false;
    await flooder;

    const statuses = (answers: { status: number }[]) =>
      answers.reduce<Record<string, number>>((counts, { status }) => {
        counts[status] = (counts[status] ?? 0) + 1;
        return counts;
      }, {});
    return {
      victimLoginMs: { quiet: latencies(quiet), underFlood: latencies(underFlood.map((a) => a.ms)) },
      victimLoginStatuses: statuses(underFlood),
      paymentMs: latencies(payments.map((a) => a.ms)),
      paymentStatuses: statuses(payments),
      floodStatuses,
    };
  } finally {
    await api.stop();
  }
}

describe('a login flood from one client: what other users see', () => {
  it('measures logins and payments of others with the defences off and on', async () => {
    const off = await scenario('off', {
      rateLimits: { enabled: false, trustedProxyHops: 1 },
      passwordHashing: { concurrency: 4, queue: 100_000 },
    });
    const on = await scenario('on', { rateLimits: { enabled: true, trustedProxyHops: 1 } });

    await writeFigures('login-flood', { machine: machine(), flood: FLOOD, samples: SAMPLES, off, on });

    // Correctness only: the victim could log in and pay in both runs, and with the defences
    // on the flood was refused by its quota.
    expect(off.paymentStatuses).toEqual({ 201: SAMPLES });
    expect(on.paymentStatuses).toEqual({ 201: SAMPLES });
    expect(on.victimLoginStatuses).toEqual({ 201: SAMPLES });
    expect(on.floodStatuses[429]).toBeGreaterThan(0);
  });
});
