import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../support/api-harness.js';

/**
 * Latency of reads served from the outer DB versus the same data read from the ledger, on
 * the real local network and FerretDB: my tokens, bills, and token trace, 200 calls each.
 * Figures go to bench-results/api-latency.json.
 */
const CALLS = 200;

function summary(samples: number[]): { medianMs: number; p95Ms: number; calls: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { medianMs: Number(at(0.5).toFixed(2)), p95Ms: Number(at(0.95).toFixed(2)), calls: samples.length };
}

async function measure(fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < 10; i++) await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return samples;
}

describe('read latency: outer DB versus ledger', () => {
  let api: ApiHarness;
  let token: string;
  let traced: { txId: string; index: number };

  beforeAll(async () => {
    api = await ApiHarness.start('bench-latency');
    token = await api.signUp('bench-user');
    const other = await api.signUp('bench-other');
    for (let i = 0; i < 20; i++) await api.recharge(token, String(100 + i));
    // A chain of payments back and forth gives bills and a trace several levels deep.
    for (let i = 0; i < 10; i++) {
      const [from, to] = i % 2 === 0 ? [token, 'bench-other'] : [other, 'bench-user'];
      const paid = await api.call('POST', '/v1/transfers', {
        token: from,
        body: { to, amount: '150', paymentPassword: 'pay-123456' },
        headers: { 'idempotency-key': `bench-${i}-xxxxxxxx` },
      });
      expect(paid.status, JSON.stringify(paid.body)).toBe(201);
      if (i === 0) await api.recharge(other, '1000');
    }
    const tokens = (await api.call('GET', '/v1/me/tokens', { token })).body.tokens as {
      txId: string;
      index: number;
    }[];
    const last = tokens.at(-1);
    if (!last) throw new Error('no tokens');
    traced = last;
  });

  afterAll(async () => {
    await api.stop();
  });

  it('measures my tokens, bills and trace from the outer DB and from the ledger', async () => {
    const auth = { token };
    const billsPage = (await api.call('GET', '/v1/me/bills?limit=20', auth)).body.bills as { txId: string }[];
    const get = (path: string) => async () => {
      await api.call('GET', path, auth);
    };
    const chaincode = api.ledger.as(api.config.fabric.registrar);
    const results = {
      tokens: {
        outerDb: summary(await measure(get('/v1/me/tokens'))),
        ledger: summary(await measure(get('/v1/me/tokens?source=ledger'))),
      },
      bills: {
        outerDb: summary(await measure(get('/v1/me/bills?limit=20'))),
        // Without the outer DB a page of bills means reading each of its transactions from the ledger.
        ledger: summary(
          await measure(async () => {
            await Promise.all(billsPage.map((bill) => chaincode.getTx(bill.txId)));
          }),
        ),
      },
      trace: {
        outerDb: summary(await measure(get(`/v1/me/tokens/${traced.txId}/${traced.index}/trace`))),
        ledger: summary(
          await measure(get(`/v1/me/tokens/${traced.txId}/${traced.index}/trace?source=ledger`)),
        ),
      },
    };
    const tokensFromDb = (await api.call('GET', '/v1/me/tokens', auth)).body.tokens as unknown[];
    const tokensFromLedger = (await api.call('GET', '/v1/me/tokens?source=ledger', auth)).body
      .tokens as unknown[];

    await mkdir(join(repoRoot, 'bench-results'), { recursive: true });
    const file = join(repoRoot, 'bench-results', 'api-latency.json');
    await writeFile(
      file,
      `${JSON.stringify({ measuredAt: new Date().toISOString(), billsPageSize: billsPage.length, results }, null, 2)}\n`,
    );
    console.log(`read latency written to ${file}:\n${JSON.stringify(results, null, 2)}`);

    expect(tokensFromLedger).toHaveLength(tokensFromDb.length);
    expect(billsPage.length).toBe(20);
  });
});
