import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile, mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLauncher } from '../support/launcher.js';
import { tempDir, type TempDir } from '../support/temp.js';

/**
 * Payments per second through the HTTP API of the whole system as `npm start` runs it (the
 * launcher: Fabric network, outer DB, indexer, API), measured with closed-loop payers: each
 * client pays, waits for the answer, pays again. Only payments committed on the ledger and
 * visible in the outer DB count. Also: latency percentiles, every non-201 by status and
 * problem type, ledger supply before and after (must be equal), and the CPU seconds every
 * process used during the measured window (from /proc). Figures go to
 * bench-results/throughput.json; docs/performance.md explains them.
 *
 * Knobs: BENCH_THROUGHPUT_CLIENTS (64), BENCH_THROUGHPUT_SECONDS (60),
 * BENCH_THROUGHPUT_WARMUP_SECONDS (10), BENCH_THROUGHPUT_USERS (2 x clients).
 */
const env = process.env;
const CLIENTS = Number(env.BENCH_THROUGHPUT_CLIENTS ?? 64);
const SECONDS = Number(env.BENCH_THROUGHPUT_SECONDS ?? 60);
const WARMUP_SECONDS = Number(env.BENCH_THROUGHPUT_WARMUP_SECONDS ?? 10);
const USERS = Math.max(CLIENTS + 1, Number(env.BENCH_THROUGHPUT_USERS ?? 2 * CLIENTS));
const FUNDS = 1_000_000n;
const PASSWORD = 'login-password-1';
const PAYMENT_PASSWORD = 'pay-123456';
const TICK = 100; // USER_HZ: /proc reports CPU time in clock ticks of 1/100 s on Linux

const progress = (line: string) => process.stdout.write(`[throughput bench] ${line}\n`);

interface Payment {
  readonly client: number;
  readonly startedMs: number;
  readonly ms: number;
  readonly status: number;
  readonly problem?: string;
  readonly txId?: string;
}

/** CPU seconds of a process: its own and its reaped children's (e.g. PostgreSQL backends). */
async function cpuOf(pid: number, withChildren: boolean): Promise<number> {
  const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8').catch(() => '');
  if (!stat) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
  const ticks =
    Number(fields[11]) + Number(fields[12]) + (withChildren ? Number(fields[13]) + Number(fields[14]) : 0);
  return ticks / TICK;
}

/** Every live process with its parent, from /proc. */
async function processTree(): Promise<Map<number, number[]>> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  return children;
}

/**
 * CPU seconds per component: the launcher itself (API, indexer, reconciler, supervisor: one
 * Node process) and every supervised process with all its descendants (a peer, PostgreSQL
 * with its backends), named by the supervisor's pid files.
 */
async function cpuByComponent(launcher: number, runDir: string): Promise<Record<string, number>> {
  const tree = await processTree();
  const subtree = async (pid: number): Promise<number> => {
    let total = await cpuOf(pid, true);
    for (const child of tree.get(pid) ?? []) total += await subtree(child);
    return total;
  };
  const result: Record<string, number> = { 'api (launcher process)': await cpuOf(launcher, false) };
  for (const file of await readdir(runDir).catch(() => [] as string[])) {
    if (!file.endsWith('.pid')) continue;
    const pid = Number((await readFile(join(runDir, file), 'utf8')).trim());
    if (Number.isInteger(pid) && pid > 0) result[file.slice(0, -4)] = await subtree(pid);
  }
  return result;
}

function percentile(sorted: readonly number[], q: number): number {
  return Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1));
}

describe('throughput: closed-loop payers through the HTTP API of the whole system', () => {
  let dir: TempDir;
  let child: ChildProcess;
  let base: string;
  let data: string;

  const call = async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown; key?: string } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.key) headers['idempotency-key'] = options.key;
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  beforeAll(async () => {
    dir = await tempDir('bench-throughput');
    data = join(dir.path, 'data');
    progress(`starting the whole system (npm start's launcher) in ${data}`);
    const started = await startLauncher(data, 300_000);
    child = started.child;
    base = started.base;
    progress('system up');
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGINT');
      await once(child, 'exit');
    }
    await dir.remove();
  });

  it(`${String(CLIENTS)} clients pay for ${String(SECONDS)} s; every 201 is on the ledger and in the outer DB, supply unchanged`, async () => {
    // Users with funded wallets: registered, logged in, one recharge each (a mint by the issuer).
    const setupStart = performance.now();
    const users: { name: string; token: string }[] = [];
    const runId = randomBytes(3).toString('hex');
    for (let i = 0; i < USERS; i += 8) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(8, USERS - i) }, async (_, k) => {
          const name = `payer-${runId}-${String(i + k)}`;
          const registered = await call('POST', '/v1/users', {
            body: { username: name, password: PASSWORD, paymentPassword: PAYMENT_PASSWORD },
          });
          expect(registered.status, JSON.stringify(registered.body)).toBe(201);
          const login = await call('POST', '/v1/sessions', { body: { username: name, password: PASSWORD } });
          expect(login.status).toBe(201);
          const token = login.body.token as string;
          const order = await call('POST', '/v1/recharges', {
            token,
            body: { amount: FUNDS.toString() },
            key: `fund-${name}`,
          });
          expect(order.status, JSON.stringify(order.body)).toBe(201);
          const paid = await call('POST', `/v1/dev/payments/${String(order.body.orderId)}/confirm`);
          expect(paid.status, JSON.stringify(paid.body)).toBe(200);
          return { name, token };
        }),
      );
      users.push(...batch);
    }
    const ledgerBalance = async (token: string) => {
      const listed = await call('GET', '/v1/me/tokens?source=ledger', { token });
      expect(listed.status).toBe(200);
      return (listed.body.tokens as { amount: string }[]).reduce((sum, t) => sum + BigInt(t.amount), 0n);
    };
    const supply = async () => {
      let total = 0n;
      for (let i = 0; i < users.length; i += 16)
        for (const b of await Promise.all(users.slice(i, i + 16).map((u) => ledgerBalance(u.token))))
          total += b;
      return total;
    };
    const supplyBefore = await supply();
    expect(supplyBefore).toBe(FUNDS * BigInt(USERS));
    const setupSeconds = (performance.now() - setupStart) / 1000;
    progress(
      `${String(USERS)} users funded in ${setupSeconds.toFixed(1)} s; supply on the ledger ${supplyBefore.toString()}`,
    );

    // Closed-loop payers: warm-up, then the measured window.
    const payments: Payment[] = [];
    const t0 = performance.now();
    const warmupEnd = t0 + WARMUP_SECONDS * 1000;
    const end = warmupEnd + SECONDS * 1000;
    let cpuStart: Record<string, number> = {};
    const launcher = child.pid ?? 0;
    const runDir = join(data, 'run');
    const cpuStartTaken = (async () => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, warmupEnd - performance.now())));
      cpuStart = await cpuByComponent(launcher, runDir);
    })();
    const ticker = setInterval(() => {
      const now = performance.now();
      const measured = payments.filter((p) => p.startedMs >= warmupEnd - t0);
      const ok = measured.filter((p) => p.status === 201).length;
      const seconds = Math.max(0.001, (now - Math.max(warmupEnd, t0)) / 1000);
      progress(
        now < warmupEnd
          ? `warm-up: ${String(payments.length)} payments answered`
          : `${seconds.toFixed(0)} s of ${String(SECONDS)}: ${String(ok)} payments (${(ok / seconds).toFixed(1)}/s), ${String(measured.length - ok)} other answers`,
      );
    }, 10_000);
    const payer = async (client: number) => {
      const me = users[client];
      if (!me) return;
      for (let seq = 0; performance.now() < end; seq++) {
        let to = users[Math.floor(Math.random() * users.length)];
        while (!to || to.name === me.name) to = users[Math.floor(Math.random() * users.length)];
        const started = performance.now();
        let status: number;
        let body: Record<string, unknown> = {};
        try {
          ({ status, body } = await call('POST', '/v1/transfers', {
            token: me.token,
            key: `tp-${runId}-${String(client)}-${String(seq)}`,
            body: { to: to.name, amount: String(1 + (seq % 9)), paymentPassword: PAYMENT_PASSWORD },
          }));
        } catch {
          status = 0;
        }
        payments.push({
          client,
          startedMs: started - t0,
          ms: performance.now() - started,
          status,
          ...(status === 201
            ? { txId: body.txId as string }
            : { problem: typeof body.type === 'string' ? body.type : '' }),
        });
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => payer(c)));
    const finished = performance.now();
    const cpuEnd = await cpuByComponent(launcher, runDir);
    await cpuStartTaken;
    clearInterval(ticker);

    // What counts: payments started in the measured window.
    const measured = payments.filter((p) => p.startedMs >= WARMUP_SECONDS * 1000);
    const ok = measured.filter((p) => p.status === 201);
    const windowSeconds = (finished - warmupEnd) / 1000;
    const latencies = ok.map((p) => p.ms).sort((a, b) => a - b);
    const others: Record<string, number> = {};
    for (const p of measured.filter((m) => m.status !== 201)) {
      const key =
        `${String(p.status)} ${p.problem?.replace(/^https:\/\/fabric-wallet\.io\/problems\//, '') ?? ''}`.trim();
      others[key] = (others[key] ?? 0) + 1;
    }

    // Every 201 (warm-up included) is committed: in the outer DB with a block number (the
    // indexer saw it in a block), after at most a minute for the indexer to catch up.
    const all201 = payments.filter((p) => p.status === 201).map((p) => p.txId ?? '');
    const ports = JSON.parse(await readFile(join(data, 'ports.json'), 'utf8')) as Record<string, number>;
    const outer = new MongoClient(`mongodb://127.0.0.1:${String(ports.ferretdb)}/`);
    let indexed: number;
    try {
      const txs = outer.db('fabric-wallet').collection<{ _id: string; blockNumber: number | null }>('txs');
      const deadline = Date.now() + 60_000;
      for (;;) {
        indexed = 0;
        for (let i = 0; i < all201.length; i += 500)
          indexed += await txs.countDocuments({
            _id: { $in: all201.slice(i, i + 500) },
            blockNumber: { $ne: null },
          });
        if (indexed === all201.length || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    } finally {
      await outer.close();
    }
    const supplyAfter = await supply();

    const cpu: Record<string, number> = {};
    for (const [name, seconds] of Object.entries(cpuEnd))
      cpu[name] = Number((seconds - (cpuStart[name] ?? 0)).toFixed(2));
    const cpuTotal = Object.values(cpu).reduce((a, b) => a + b, 0);
    const figures = {
      measuredAt: new Date().toISOString(),
      machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? '', node: process.version },
      settings: { clients: CLIENTS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, users: USERS },
      setupSeconds: Number(setupSeconds.toFixed(1)),
      windowSeconds: Number(windowSeconds.toFixed(1)),
      committed: ok.length,
      paymentsPerSecond: Number((ok.length / windowSeconds).toFixed(2)),
      latencyMs: {
        p50: percentile(latencies, 0.5),
        p95: percentile(latencies, 0.95),
        p99: percentile(latencies, 0.99),
      },
      answered: measured.length,
      notCreated: others,
      conflicts: Object.entries(others)
        .filter(([key]) => key.startsWith('409'))
        .reduce((sum, [, n]) => sum + n, 0),
      every201: { count: all201.length, inOuterDbWithBlock: indexed },
      supply: { before: supplyBefore.toString(), after: supplyAfter.toString() },
      cpuSeconds: cpu,
      cpuSecondsTotal: Number(cpuTotal.toFixed(2)),
      cpuUtilisation: Number((cpuTotal / windowSeconds / cpus().length).toFixed(2)),
      paymentsPerCpuSecond: Number((ok.length / Math.max(0.01, cpuTotal)).toFixed(2)),
    };
    await mkdir(join(repoRoot, 'bench-results'), { recursive: true });
    await writeFile(
      join(repoRoot, 'bench-results', 'throughput.json'),
      `${JSON.stringify(figures, null, 2)}\n`,
    );
    progress(`figures: ${JSON.stringify(figures)}`);

    expect(ok.length).toBeGreaterThan(0);
    expect(indexed, 'every 201 is committed and in the outer DB').toBe(all201.length);
    expect(supplyAfter, 'supply on the ledger before and after').toBe(supplyBefore);
  });
});
