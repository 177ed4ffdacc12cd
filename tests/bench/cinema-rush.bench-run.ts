import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerKind,
  BenchSystem,
  cpuBetween,
  latencies,
  machine,
  PASSWORD,
  PAYMENT_PASSWORD,
  tally,
  writeFigures,
  type Answer,
} from './system.js';

/**
 * A cinema rush through the HTTP API of the whole system as `npm start` runs it: one
 * screening, BENCH_RUSH_BUYERS buyers (1,000) with funded wallets, each buying a different
 * seat, all requests sent at once. Seats are keys of their own on the ledger, so no two
 * purchases touch the same key: every seat must be sold exactly once, with no conflict. The
 * ledger supply (buyers and cinema) is the same before and after. Figures (latency
 * percentiles, purchases per second from the first request to the last answer, answers by
 * kind, CPU seconds per process) go to bench-results/cinema-rush.json.
 */
const BUYERS = Number(process.env.BENCH_RUSH_BUYERS ?? 1000);
const ROW_SEATS = 100;
const PRICE = 1200n;
const FUNDS = 10_000n;

const progress = (line: string) => process.stdout.write(`[cinema-rush bench] ${line}\n`);

const rows = Array.from({ length: Math.ceil(BUYERS / ROW_SEATS) }, (_, i) =>
  String.fromCharCode('A'.charCodeAt(0) + i),
);
const seatOf = (buyer: number) =>
  `${rows[Math.floor(buyer / ROW_SEATS)] ?? 'Z'}${String((buyer % ROW_SEATS) + 1)}`;

describe('cinema rush: one screening, every buyer a different seat, all at once', () => {
  let system: BenchSystem;

  beforeAll(async () => {
    system = await BenchSystem.start('bench-cinema-rush', progress);
  });

  afterAll(async () => {
    await system.stop('cinema-rush');
  });

  it(`${String(BUYERS)} buyers: every seat sold once, no conflicts, supply unchanged`, async () => {
    const admin = (await readFile(join(system.data, 'api-admin-token'), 'utf8')).trim();
    const cinemaName = `rush-cinema-${Date.now().toString(36)}`;
    const created = await system.call('POST', '/v1/admin/accounts', {
      token: admin,
      body: { username: cinemaName, password: PASSWORD, paymentPassword: PAYMENT_PASSWORD, role: 'merchant' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const cinema = await system.login(cinemaName, PASSWORD);
    const screening = await system.call('POST', '/v1/cinema/screenings', {
      token: cinema,
      key: `rush-screening-${cinemaName}`,
      body: {
        film: 'Rush Hour',
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        seatMap: rows.map((row) => ({ row, count: ROW_SEATS })),
        price: PRICE.toString(),
        paymentPassword: PAYMENT_PASSWORD,
      },
    });
    expect(screening.status, JSON.stringify(screening.body)).toBe(201);
    const screeningId = String(screening.body.screeningId);

    const setupStart = performance.now();
    const buyers = await system.fundedUsers(BUYERS, 'buyer', FUNDS);
    const tokens = [...buyers.map((b) => b.token), cinema];
    const supplyBefore = await system.ledgerSupply(tokens);
    expect(supplyBefore).toBe(FUNDS * BigInt(BUYERS));
    progress(
      `${String(BUYERS)} buyers funded in ${((performance.now() - setupStart) / 1000).toFixed(1)} s; rush starts`,
    );

    const cpuStart = await system.cpu();
    const t0 = performance.now();
    let answered = 0;
    const ticker = setInterval(() => {
      progress(
        `${((performance.now() - t0) / 1000).toFixed(0)} s: ${String(answered)} of ${String(BUYERS)} answered`,
      );
    }, 10_000);
    const purchases = await Promise.all(
      buyers.map(async (buyer, i) => {
        const started = performance.now();
        const answer = await system
          .call('POST', `/v1/cinema/screenings/${screeningId}/tickets`, {
            token: buyer.token,
            key: `rush-${screeningId}-${String(i)}`,
            body: { seats: [seatOf(i)], paymentPassword: PAYMENT_PASSWORD },
          })
          .catch((): Answer => ({ status: 0, body: {} }));
        answered += 1;
        return { seat: seatOf(i), ms: performance.now() - started, answer };
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuBetween(cpuStart, await system.cpu());
    clearInterval(ticker);

    const bought = purchases.filter((p) => p.answer.status === 201);
    const others = tally(purchases.filter((p) => p.answer.status !== 201).map((p) => answerKind(p.answer)));
    const view = await system.call('GET', `/v1/cinema/screenings/${screeningId}`, { token: cinema });
    const sold = view.body.sold as string[];
    const txIds = bought.map((p) => String(p.answer.body.txId));
    const indexed = await system.indexedWithBlock(txIds);
    const supplyAfter = await system.ledgerSupply(tokens);
    const figures = {
      measuredAt: new Date().toISOString(),
      machine: machine(),
      settings: { buyers: BUYERS, seats: rows.length * ROW_SEATS, price: PRICE.toString() },
      sold: bought.length,
      seconds: Number(seconds.toFixed(1)),
      purchasesPerSecond: Number((bought.length / seconds).toFixed(2)),
      latencyMs: latencies(bought.map((p) => p.ms)),
      notSold: others.byKind,
      conflicts: others.conflicts,
      soldSeatsInOuterDb: sold.length,
      every201: { count: txIds.length, inOuterDbWithBlock: indexed },
      supply: { before: supplyBefore.toString(), after: supplyAfter.toString() },
      cpuSeconds: cpu.perProcess,
      cpuSecondsTotal: cpu.total,
    };
    await writeFigures('cinema-rush', figures);
    progress(`figures: ${JSON.stringify(figures)}`);

    expect(others.conflicts, 'distinct seats never conflict').toBe(0);
    expect(bought.length, JSON.stringify(others.byKind)).toBe(BUYERS);
    expect(new Set(sold).size, 'no seat sold twice').toBe(sold.length);
    expect([...sold].sort()).toEqual(bought.map((p) => p.seat).sort());
    expect(indexed).toBe(txIds.length);
    expect(supplyAfter, 'supply on the ledger before and after').toBe(supplyBefore);
  });
});
