import { randomBytes } from 'node:crypto';
import { readdir, readFile, mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { MongoClient } from 'mongodb';
import { expect } from 'vitest';
import { readSigningIdentity } from '@fabric-wallet/operator/fabric';
import { startLauncher, type Launcher } from '../support/launcher.js';
import { tempDir, type TempDir } from '../support/temp.js';
import { TokenClient } from '../support/token-client.js';

/**
 * What the system benchmarks (throughput, cinema rush) share: the whole system as `npm start`
 * runs it, HTTP calls to its API, funded users, the ledger supply, and CPU seconds per
 * process from /proc.
 */

export const PASSWORD = 'login-password-1';
export const PAYMENT_PASSWORD = 'pay-123456';
const TICK = 100; // USER_HZ: /proc reports CPU time in clock ticks of 1/100 s on Linux

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export interface User {
  readonly name: string;
  readonly token: string;
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
export async function cpuByComponent(launcher: number, runDir: string): Promise<Record<string, number>> {
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

export function percentile(sorted: readonly number[], q: number): number {
  return Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1));
}

/** Machine facts recorded with every figure. */
export function machine(): { cores: number; cpu: string; node: string } {
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? '', node: process.version };
}

/** Writes `bench-results/<name>.json`. */
export async function writeFigures(name: string, figures: unknown): Promise<void> {
  await mkdir(join(repoRoot, 'bench-results'), { recursive: true });
  await writeFile(join(repoRoot, 'bench-results', `${name}.json`), `${JSON.stringify(figures, null, 2)}\n`);
}

/** The whole system in a temporary data dir, and an HTTP client for its API. */
export class BenchSystem {
  private constructor(
    private readonly dir: TempDir,
    readonly data: string,
    private readonly launcher: Launcher,
    readonly base: string,
  ) {}

  static async start(
    name: string,
    progress: (line: string) => void,
    env: NodeJS.ProcessEnv = {},
  ): Promise<BenchSystem> {
    const dir = await tempDir(name);
    const data = join(dir.path, 'data');
    progress(`starting the whole system (npm start's launcher) in ${data}`);
    // BENCH_CPU_PROFILE=<dir>: the launcher (API, indexer) and the chaincode servers write V8
    // CPU profiles there when they stop (open them in Chrome DevTools or speedscope).
    const profiles = process.env.BENCH_CPU_PROFILE;
    const launched = await startLauncher(data, 300_000, {
      // One load generator plays thousands of users from one address: per-client quotas off.
      API_RATE_LIMITS: 'off',
      ...env,
      ...(profiles ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(profiles)}` } : {}),
    });
    progress('system up');
    return new BenchSystem(dir, data, launched, launched.base);
  }

  /** Stops the system; its output (the API's warnings with their causes) is kept in `logName`. */
  async stop(logName: string): Promise<void> {
    const { child } = this.launcher;
    if (child.exitCode === null) {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    await mkdir(join(repoRoot, 'bench-results'), { recursive: true });
    await writeFile(join(repoRoot, 'bench-results', `${logName}.log`), this.launcher.output());
    await this.dir.remove();
  }

  async call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; key?: string } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.key) headers['idempotency-key'] = options.key;
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** Logs in; the session token. */
  async login(username: string, password: string): Promise<string> {
    const login = await this.call('POST', '/v1/sessions', { body: { username, password } });
    expect(login.status, JSON.stringify(login.body)).toBe(201);
    return login.body.token as string;
  }

  /**
   * `count` users registered, logged in and funded with one recharge each (a mint by the
   * issuer, confirmed through the development payment provider), 8 at a time.
   */
  async fundedUsers(count: number, prefix: string, funds: bigint): Promise<User[]> {
    const runId = randomBytes(3).toString('hex');
    const users: User[] = [];
    for (let i = 0; i < count; i += 8) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(8, count - i) }, async (_, k) => {
          const name = `${prefix}-${runId}-${String(i + k)}`;
          const registered = await this.call('POST', '/v1/users', {
            body: { username: name, password: PASSWORD, paymentPassword: PAYMENT_PASSWORD },
          });
          expect(registered.status, JSON.stringify(registered.body)).toBe(201);
          const token = await this.login(name, PASSWORD);
          const order = await this.call('POST', '/v1/recharges', {
            token,
            body: { amount: funds.toString() },
            key: `fund-${name}`,
          });
          expect(order.status, JSON.stringify(order.body)).toBe(201);
          const paid = await this.call('POST', `/v1/dev/payments/${String(order.body.orderId)}/confirm`, {
            token,
          });
          expect(paid.status, JSON.stringify(paid.body)).toBe(200);
          return { name, token };
        }),
      );
      users.push(...batch);
    }
    return users;
  }

  /** The sum of the unspent coins of these sessions' users, read from the chain. */
  async ledgerSupply(tokens: readonly string[]): Promise<bigint> {
    const balance = async (token: string) => {
      const listed = await this.call('GET', '/v1/me/tokens?source=ledger', { token });
      expect(listed.status).toBe(200);
      return (listed.body.tokens as { amount: string }[]).reduce((sum, t) => sum + BigInt(t.amount), 0n);
    };
    let total = 0n;
    for (let i = 0; i < tokens.length; i += 16)
      for (const b of await Promise.all(tokens.slice(i, i + 16).map(balance))) total += b;
    return total;
  }

  /**
   * How many of these transactions the outer DB holds with a block number (the indexer read
   * them from committed blocks), waiting up to a minute for it to catch up.
   */
  async indexedWithBlock(txIds: readonly string[]): Promise<number> {
    const ports = JSON.parse(await readFile(join(this.data, 'ports.json'), 'utf8')) as Record<string, number>;
    const outer = new MongoClient(`mongodb://127.0.0.1:${String(ports.ferretdb)}/`);
    try {
      const txs = outer.db('fabric-wallet').collection<{ _id: string; blockNumber: number | null }>('txs');
      const deadline = Date.now() + 60_000;
      for (;;) {
        let indexed = 0;
        for (let i = 0; i < txIds.length; i += 500)
          indexed += await txs.countDocuments({
            _id: { $in: txIds.slice(i, i + 500) },
            blockNumber: { $ne: null },
          });
        if (indexed === txIds.length || Date.now() > deadline) return indexed;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    } finally {
      await outer.close();
    }
  }

  /**
   * The token chaincode straight through the wallet org's first peer (no API, no outer DB), as
   * one of the identities the system enrolled for the wallet org (`api-registrar`, `issuer`).
   */
  async gateway(user: string): Promise<TokenClient> {
    const ports = JSON.parse(await readFile(join(this.data, 'ports.json'), 'utf8')) as Record<string, number>;
    const org = join(this.data, 'orgs', 'WalletOrg');
    return new TokenClient(
      {
        address: `127.0.0.1:${String(ports['wallet-0'])}`,
        tlsRootCert: await readFile(join(org, 'tlsca', 'ca-cert.pem'), 'utf8'),
      },
      await readSigningIdentity(join(org, 'users', user, 'msp'), 'WalletOrgMSP'),
    );
  }

  /** CPU seconds used so far by each component of the system. */
  cpu(): Promise<Record<string, number>> {
    return cpuByComponent(this.launcher.child.pid ?? 0, join(this.data, 'run'));
  }
}

/** CPU seconds each component used between two readings, and their sum. */
export function cpuBetween(
  start: Record<string, number>,
  end: Record<string, number>,
): { perProcess: Record<string, number>; total: number } {
  const perProcess: Record<string, number> = {};
  for (const [name, seconds] of Object.entries(end))
    perProcess[name] = Number((seconds - (start[name] ?? 0)).toFixed(2));
  return {
    perProcess,
    total: Number(
      Object.values(perProcess)
        .reduce((a, b) => a + b, 0)
        .toFixed(2),
    ),
  };
}

/** "409 conflict": an answer other than 201 by status and problem type, for counting. */
export function answerKind(answer: Answer): string {
  const type = typeof answer.body.type === 'string' ? answer.body.type : '';
  return `${String(answer.status)} ${type.replace(/^https:\/\/fabric-wallet\.io\/problems\//, '')}`.trim();
}

/** Counts per kind, and how many of them are 409 (lost a race on the ledger or in the API). */
export function tally(kinds: readonly string[]): { byKind: Record<string, number>; conflicts: number } {
  const byKind: Record<string, number> = {};
  for (const kind of kinds) byKind[kind] = (byKind[kind] ?? 0) + 1;
  return { byKind, conflicts: kinds.filter((k) => k.startsWith('409')).length };
}

/** p50, p95 and p99 of latencies in milliseconds. */
export function latencies(ms: readonly number[]): { p50: number; p95: number; p99: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) };
}

/** One call of a closed-loop run: when it started (ms after the run began), how long it took. */
export interface Timed {
  readonly startedMs: number;
  readonly ms: number;
  readonly answer: Answer;
}

/**
 * Closed-loop clients: each calls `op`, waits for the answer, calls again, for a warm-up and
 * then `seconds`; a progress line every 10 s. Returns every call, the measured window's
 * length, and CPU per component over that window. Calls started during the warm-up are not
 * measured (`measured`), though they are returned too.
 */
export async function closedLoop(
  system: BenchSystem,
  options: {
    readonly clients: number;
    readonly warmupSeconds: number;
    readonly seconds: number;
    readonly progress: (line: string) => void;
    readonly op: (client: number, seq: number) => Promise<Answer>;
  },
): Promise<{
  all: Timed[];
  measured: Timed[];
  windowSeconds: number;
  cpu: ReturnType<typeof cpuBetween>;
  fabric: FabricMetrics;
}> {
  const all: Timed[] = [];
  const t0 = performance.now();
  const warmupEnd = t0 + options.warmupSeconds * 1000;
  const end = warmupEnd + options.seconds * 1000;
  let cpuStart: Record<string, number> = {};
  let fabricStart: FabricMetrics = {};
  const cpuStartTaken = (async () => {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, warmupEnd - performance.now())));
    cpuStart = await system.cpu();
    fabricStart = await fabricMetrics(system.data);
  })();
  const inWindow = (call: Timed) => call.startedMs >= warmupEnd - t0;
  const ticker = setInterval(() => {
    const now = performance.now();
    const measured = all.filter(inWindow);
    const ok = measured.filter((call) => call.answer.status === 201).length;
    const seconds = Math.max(0.001, (now - warmupEnd) / 1000);
    options.progress(
      now < warmupEnd
        ? `warm-up: ${String(all.length)} answered`
        : `${seconds.toFixed(0)} s of ${String(options.seconds)}: ${String(ok)} done (${(ok / seconds).toFixed(1)}/s), ${String(measured.length - ok)} other answers`,
    );
  }, 10_000);
  const client = async (c: number) => {
    for (let seq = 0; performance.now() < end; seq++) {
      const started = performance.now();
      const answer = await options.op(c, seq).catch((): Answer => ({ status: 0, body: {} }));
      all.push({ startedMs: started - t0, ms: performance.now() - started, answer });
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, c) => client(c)));
  const finished = performance.now();
  const cpuEnd = await system.cpu();
  const fabricEnd = await fabricMetrics(system.data);
  await cpuStartTaken;
  clearInterval(ticker);
  return {
    all,
    measured: all.filter(inWindow),
    windowSeconds: (finished - warmupEnd) / 1000,
    cpu: cpuBetween(cpuStart, cpuEnd),
    fabric: fabricBetween(fabricStart, fabricEnd),
  };
}

/** Sums every series of `name` in Prometheus text whose labels contain `having` (e.g. `chaincode="token"`). */
export function metricSum(text: string, name: string, having = ''): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!rest.startsWith('{') && !rest.startsWith(' ')) continue;
    if (having && !rest.includes(having)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return total;
}

/** Per-node Fabric metrics (operations endpoints) at one moment: counters and duration sums. */
export type FabricMetrics = Record<string, Record<string, number>>;

/**
 * Reads the operations endpoint (`/metrics`, Prometheus) of every peer and orderer of the
 * system: endorsements of the token chaincode and their time, blocks committed and their
 * processing time (validation and commit), state and block storage commit time, transactions
 * by the ledger; for orderers, blocks cut, their fill time and transactions broadcast.
 */
export async function fabricMetrics(dataDir: string): Promise<FabricMetrics> {
  const ports = JSON.parse(await readFile(join(dataDir, 'ports.json'), 'utf8')) as Record<string, number>;
  const result: FabricMetrics = {};
  for (const [name, port] of Object.entries(ports)) {
    if (!name.endsWith('-operations')) continue;
    const node = name.slice(0, -'-operations'.length);
    const kind = /^orderer-\d+$/.test(node) ? 'orderer' : /^[a-z0-9-]+-\d+$/.test(node) ? 'peer' : undefined;
    if (!kind) continue;
    const text = await fetch(`http://127.0.0.1:${String(port)}/metrics`)
      .then((response) => response.text())
      .catch(() => '');
    result[node] =
      kind === 'peer'
        ? {
            endorsements: metricSum(text, 'endorser_proposal_duration_count', 'chaincode="token"'),
            endorseSeconds: metricSum(text, 'endorser_proposal_duration_sum', 'chaincode="token"'),
            chaincodeCalls: metricSum(text, 'chaincode_shim_request_duration_count'),
            chaincodeSeconds: metricSum(text, 'chaincode_shim_request_duration_sum'),
            blocks: metricSum(text, 'ledger_block_processing_time_count'),
            blockProcessingSeconds: metricSum(text, 'ledger_block_processing_time_sum'),
            blockStorageSeconds: metricSum(text, 'ledger_blockstorage_commit_time_sum'),
            stateDbSeconds: metricSum(text, 'ledger_statedb_commit_time_sum'),
            transactions: metricSum(text, 'ledger_transaction_count', 'chaincode="token'),
          }
        : {
            blocks: metricSum(text, 'blockcutter_block_fill_duration_count'),
            blockFillSeconds: metricSum(text, 'blockcutter_block_fill_duration_sum'),
            broadcast: metricSum(text, 'broadcast_processed_count'),
            raftPersistSeconds: metricSum(text, 'consensus_etcdraft_data_persist_duration_sum'),
          };
  }
  return result;
}

/**
 * What the peers and orderers did between two readings, per node: counts, and mean
 * milliseconds per endorsement, per chaincode call, per block (processing, storage, state DB),
 * transactions per block.
 */
export function fabricBetween(start: FabricMetrics, end: FabricMetrics): FabricMetrics {
  const result: FabricMetrics = {};
  const ms = (seconds: number, count: number) =>
    count > 0 ? Number(((1000 * seconds) / count).toFixed(2)) : 0;
  for (const [node, after] of Object.entries(end)) {
    const before = start[node] ?? {};
    const d = (key: string) => (after[key] ?? 0) - (before[key] ?? 0);
    result[node] =
      'endorsements' in after
        ? {
            endorsements: d('endorsements'),
            endorseMsMean: ms(d('endorseSeconds'), d('endorsements')),
            chaincodeCallMsMean: ms(d('chaincodeSeconds'), d('chaincodeCalls')),
            blocks: d('blocks'),
            blockProcessingMsMean: ms(d('blockProcessingSeconds'), d('blocks')),
            blockStorageMsMean: ms(d('blockStorageSeconds'), d('blocks')),
            stateDbCommitMsMean: ms(d('stateDbSeconds'), d('blocks')),
            transactionsPerBlock: d('blocks') > 0 ? Number((d('transactions') / d('blocks')).toFixed(1)) : 0,
          }
        : {
            blocks: d('blocks'),
            blockFillMsMean: ms(d('blockFillSeconds'), d('blocks')),
            broadcast: d('broadcast'),
            raftPersistMsMean: ms(d('raftPersistSeconds'), d('blocks')),
          };
  }
  return result;
}
