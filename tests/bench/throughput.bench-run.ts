import { generateAddressKey } from '@fabric-wallet/ccaas/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeldCoin } from '../support/token-client.js';
import {
  answerKind,
  BenchSystem,
  closedLoop,
  latencies,
  machine,
  PAYMENT_PASSWORD,
  tally,
  writeFigures,
  type User,
} from './system.js';

/**
 * Payments per second through the HTTP API of the whole system as `npm start` runs it (the
 * launcher: Fabric network, outer DB, indexer, API), measured with closed-loop payers: each
 * client pays, waits for the answer, pays again. Only payments committed on the ledger and
 * visible in the outer DB count. Also: latency percentiles, every non-201 by status and
 * problem type, ledger supply before and after (must be equal), and the CPU seconds every
 * process used during the measured window (from /proc). Figures go to
 * bench-results/throughput.json; docs/performance.md explains them.
 *
 * And, on the same system, one payment at a time straight through the gateway (no API, no
 * outer DB): the submit-to-commit time of one signed transfer, most of it the orderer's batch
 * timeout; figures in bench-results/throughput-sequential.json.
 *
 * Knobs: BENCH_THROUGHPUT_CLIENTS (64), BENCH_THROUGHPUT_SECONDS (60),
 * BENCH_THROUGHPUT_WARMUP_SECONDS (10), BENCH_THROUGHPUT_USERS (2 x clients),
 * BENCH_THROUGHPUT_SEQUENTIAL (transfers one after another, 50).
 */
const env = process.env;
const CLIENTS = Number(env.BENCH_THROUGHPUT_CLIENTS ?? 64);
const SECONDS = Number(env.BENCH_THROUGHPUT_SECONDS ?? 60);
const WARMUP_SECONDS = Number(env.BENCH_THROUGHPUT_WARMUP_SECONDS ?? 10);
const USERS = Math.max(CLIENTS + 1, Number(env.BENCH_THROUGHPUT_USERS ?? 2 * CLIENTS));
const FUNDS = 1_000_000n;
const SEQUENTIAL = Number(env.BENCH_THROUGHPUT_SEQUENTIAL ?? 50);

const progress = (line: string) => process.stdout.write(`[throughput bench] ${line}\n`);

describe('throughput: closed-loop payers through the HTTP API of the whole system', () => {
  let system: BenchSystem;

  beforeAll(async () => {
    system = await BenchSystem.start('bench-throughput', progress);
  });

  afterAll(async () => {
    await system.stop('throughput');
  });

  it(`one client pays ${String(SEQUENTIAL)} times in a row straight through the gateway; the last coin holds what was minted`, async () => {
    const gateway = await system.gateway('issuer');
    try {
      let coin = (await gateway.mint(`bench-sequential-${Date.now().toString(36)}`, 1000n))[0] as HeldCoin;
      const ms: number[] = [];

      for (let i = 0; i < SEQUENTIAL; i++) {
        const start = performance.now();
        const { coins } = await gateway.transfer(
          [coin],
          [{ key: generateAddressKey(), amount: coin.amount }],
        );
        ms.push(performance.now() - start);
        coin = coins[0] as HeldCoin;
      }

      const seconds = ms.reduce((sum, each) => sum + each, 0) / 1000;
      const figures = {
        measuredAt: new Date().toISOString(),
        machine: machine(),
        settings: { transfers: SEQUENTIAL },
        transfersPerSecond: Number((SEQUENTIAL / seconds).toFixed(2)),
        meanMs: Number(((1000 * seconds) / SEQUENTIAL).toFixed(1)),
        latencyMs: latencies(ms),
      };
      await writeFigures('throughput-sequential', figures);
      progress(`sequential figures: ${JSON.stringify(figures)}`);
      expect(await gateway.unspent(coin.key.address)).toEqual([
        { txId: coin.txId, index: 0, owner: coin.key.address, amount: '1000' },
      ]);
    } finally {
      gateway.close();
    }
  });

  it(`${String(CLIENTS)} clients pay for ${String(SECONDS)} s; every 201 is on the ledger and in the outer DB, supply unchanged`, async () => {
    const setupStart = performance.now();
    const users = await system.fundedUsers(USERS, 'payer', FUNDS);
    const tokens = users.map((u) => u.token);
    const supplyBefore = await system.ledgerSupply(tokens);
    expect(supplyBefore).toBe(FUNDS * BigInt(USERS));
    const setupSeconds = (performance.now() - setupStart) / 1000;
    progress(
      `${String(USERS)} users funded in ${setupSeconds.toFixed(1)} s; supply on the ledger ${supplyBefore.toString()}`,
    );

    // Closed-loop payers: warm-up, then the measured window.
    const runId = Date.now().toString(36);
    const run = await closedLoop(system, {
      clients: CLIENTS,
      warmupSeconds: WARMUP_SECONDS,
      seconds: SECONDS,
      progress,
      op: (client, seq) => {
        const me = users[client] as User;
        let to = users[Math.floor(Math.random() * users.length)];
        while (!to || to.name === me.name) to = users[Math.floor(Math.random() * users.length)];
        return system.call('POST', '/v1/transfers', {
          token: me.token,
          key: `tp-${runId}-${String(client)}-${String(seq)}`,
          body: { to: to.name, amount: String(1 + (seq % 9)), paymentPassword: PAYMENT_PASSWORD },
        });
      },
    });

    // What counts: payments started in the measured window.
    const { measured, windowSeconds, cpu } = run;
    const ok = measured.filter((p) => p.answer.status === 201);
    const others = tally(measured.filter((p) => p.answer.status !== 201).map((p) => answerKind(p.answer)));
    // Every 201 (warm-up included) is committed and in the outer DB.
    const all201 = run.all.filter((p) => p.answer.status === 201).map((p) => String(p.answer.body.txId));
    const indexed = await system.indexedWithBlock(all201);
    const supplyAfter = await system.ledgerSupply(tokens);
    const cores = machine().cores;

    const figures = {
      measuredAt: new Date().toISOString(),
      machine: machine(),
      settings: { clients: CLIENTS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, users: USERS },
      setupSeconds: Number(setupSeconds.toFixed(1)),
      windowSeconds: Number(windowSeconds.toFixed(1)),
      committed: ok.length,
      paymentsPerSecond: Number((ok.length / windowSeconds).toFixed(2)),
      latencyMs: latencies(ok.map((p) => p.ms)),
      answered: measured.length,
      notCreated: others.byKind,
      conflicts: others.conflicts,
      every201: { count: all201.length, inOuterDbWithBlock: indexed },
      supply: { before: supplyBefore.toString(), after: supplyAfter.toString() },
      cpuSeconds: cpu.perProcess,
      cpuSecondsTotal: cpu.total,
      cpuUtilisation: Number((cpu.total / windowSeconds / cores).toFixed(2)),
      paymentsPerCpuSecond: Number((ok.length / Math.max(0.01, cpu.total)).toFixed(2)),
      cpuMsPerPayment: Object.fromEntries(
        Object.entries(cpu.perProcess)
          .filter(([, seconds]) => seconds > 0)
          .map(([name, seconds]) => [name, Number(((1000 * seconds) / Math.max(1, ok.length)).toFixed(2))]),
      ),
      fabric: run.fabric,
    };
    await writeFigures('throughput', figures);
    progress(`figures: ${JSON.stringify(figures)}`);

    expect(ok.length).toBeGreaterThan(0);
    expect(indexed, 'every 201 is committed and in the outer DB').toBe(all201.length);
    expect(supplyAfter, 'supply on the ledger before and after').toBe(supplyBefore);
  });
});
