import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Collection, CommandStartedEvent, Document, OptionalUnlessRequiredId } from 'mongodb';
import { applyTx, connectDatabase, oneBatch, type Database } from '@fabric-wallet/api';
import type { TxRecord } from '@fabric-wallet/ccaas';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../support/api-harness.js';
import { startFerretDb } from '../support/ferretdb.js';
import type { Started } from '../support/processes.js';
import { planSteps } from '../support/explain.js';
import { tempDir, type TempDir } from '../support/temp.js';
import { seeded } from '../support/seeded.js';

/**
 * How the outer DB holds up as the user base grows, and what it saves over the ledger.
 *
 * The outer DB (the real local server: FerretDB v2 on PostgreSQL + DocumentDB, or the
 * MongoDB at MONGODB_URI) is filled with 1k, then 10k, then 100k synthetic users in realistic
 * proportion (per user: 2 addresses, 12 coins of which 4 unspent, 12 transactions and bill
 * lines over 90 days, a session, 2 idempotency records, a recharge order; 2 tickets for every
 * fifth user across 200 screenings). At each size it times, one client at a time, the hot
 * reads the API makes, with exactly the API's queries (login, session check, balance and
 * coin selection, bills page, trace step, idempotency lookup, screening with sold seats, my
 * tickets), then the mixed read set from 16 concurrent clients, then the whole DB work of one
 * payment (everything the request does except the Fabric round trip, ending with the real
 * projection applyTx). The ledger reads those outer-DB reads replace (ListUnspent, GetTx, a
 * bills page as 20 GetTx, GetScreening) are timed once on the real local Fabric network:
 * they are key lookups in the state database whose cost does not depend on how many users
 * exist. The goals checked: every p95 stays within 2x from the smallest to the largest size,
 * and every outer-DB read is at least 20x faster than its ledger read.
 *
 * Figures go to bench-results/outer-db.json (rewritten after every step); docs/performance.md
 * explains them. Like every bench, this asserts correctness only (the reads find what was
 * filled), never speed.
 *
 * BENCH_OUTER_DB_USERS (default "1000,10000,100000") sets the sizes; BENCH_OUTER_DB_LEDGER=skip
 * leaves out the Fabric network (for a quick run of the outer DB alone);
 * BENCH_OUTER_DB_PG_SETTINGS="name=value,..." sets PostgreSQL settings on the local server
 * before the indexes are made (to try a configuration; the figures then go to
 * bench-results/outer-db-pg-settings.json instead).
 */

const SIZES = (process.env.BENCH_OUTER_DB_USERS ?? '1000,10000,100000').split(',').map(Number);
const WITH_LEDGER = process.env.BENCH_OUTER_DB_LEDGER !== 'skip';
const PG_SETTINGS = (process.env.BENCH_OUTER_DB_PG_SETTINGS ?? '')
  .split(',')
  .filter((setting) => setting.trim() !== '')
  .map((setting) => {
    const [name = '', value = ''] = setting.split('=').map((part) => part.trim());
    if (!/^[a-z_][a-z0-9_.]*$/i.test(name) || !/^[a-z0-9_.-]+$/i.test(value))
      throw new Error(`BENCH_OUTER_DB_PG_SETTINGS: cannot use "${setting}" (name=value)`);
    return { name, value };
  });
const RESULT_FILE = PG_SETTINGS.length > 0 ? 'outer-db-pg-settings.json' : 'outer-db.json';
/** Timed calls per read, after WARM_UP untimed ones. */
const CALLS = 300;
const WARM_UP = 30;
const PAYMENTS = 200;
const LEDGER_CALLS = 100;
const CONCURRENT_CLIENTS = 16;
/** Rounds of the whole mixed read set per concurrent client. */
const CONCURRENT_ROUNDS = 40;
/** Users generated at a time, documents per insertMany, insertMany calls in flight. */
const FILL_CHUNK_USERS = 1000;
const INSERT_BATCH = 2000;
const INSERTS_IN_FLIGHT = 2;

/** The shape of the data: see the doc comment. */
const COINS_PER_USER = 12;
const UNSPENT_PER_USER = 4;
const SCREENINGS = 200;
const TICKET_HOLDER_EVERY = 5;
const TICKETS_PER_HOLDER = 2;
const SEAT_ROWS = 20;
const SEATS_PER_ROW = 20;
const HISTORY_DAYS = 90;
const DAY_MS = 86_400_000;

type Collections = Database['collections'];
type CollectionName = keyof Collections;
type DocOf<K extends CollectionName> = Collections[K] extends Collection<infer T> ? T : never;

interface Summary {
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly calls: number;
}

interface SizeResult {
  readonly users: number;
  /** Inserting the users added at this step (from the previous size). */
  readonly fillSeconds: number;
  readonly fillDocsPerSecond: number;
  /** VACUUM (ANALYZE) and CHECKPOINT after the fill (null on MONGODB_URI, where nothing is run). */
  readonly analyzeSeconds: number | null;
  readonly docs: Record<string, number>;
  /** PostgreSQL's size of the database after the fill (null on MONGODB_URI). */
  readonly databaseMb: number | null;
  readonly reads: Record<string, Summary>;
  /** The sorted reads as the API sent them before `oneBatch` (see cursorReads). */
  readonly readsWithCursor: Record<string, Summary>;
  readonly payment: Summary & {
    readonly roundTrips: number;
    readonly roundTripsRange: [number, number];
    /** Each step of the payment on its own, in order. */
    readonly steps: Record<string, Summary>;
  };
  readonly concurrent: {
    readonly clients: number;
    readonly reads: number;
    readonly readsPerSecond: number;
    readonly p50Ms: number;
    readonly p95Ms: number;
  };
  /** The plan of each hot query at this size: node types and index names, outermost first. */
  readonly plans: Record<string, string[]>;
}

function summary(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50Ms: Number(at(0.5).toFixed(2)), p95Ms: Number(at(0.95).toFixed(2)), calls: samples.length };
}

async function timed(calls: number, fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < WARM_UP; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return samples;
}

/** The commit measured, and whether the API's sources differed from it (work in progress). */
function codeVersion(): { commit: string; apiChanged: boolean } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  try {
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      apiChanged: git('status', '--porcelain', '--', 'api') !== '',
    };
  } catch {
    return { commit: 'unknown', apiChanged: false };
  }
}

/** Read when the bench starts, which is when vitest loads the API's sources. */
const CODE_MEASURED = codeVersion();

const log = (line: string) => {
  console.log(`[outer-db bench] ${line}`);
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
/** A synthetic address of a real address's length (34 base58 characters). */
function addressOf(label: string): string {
  const digest = createHash('sha256').update(label).digest();
  let text = 'W';
  for (let i = 0; i < 33; i++) text += BASE58[(digest[i % 32] ?? 0) % 58] ?? '1';
  return text;
}

/** Random base64url text to cut key material, certificates and hashes of realistic size from. */
const FILLER = randomBytes(48 * 1024).toString('base64url');
const filler = (seed: number, length: number) => {
  const start = (seed * 7919) % (FILLER.length - length);
  return FILLER.slice(start, start + length);
};

/** Ids of user `i`'s documents, derived from `i` so a read can pick any existing one. */
const ids = {
  user: (i: number) => {
    const h = sha256(`user:${String(i)}`);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  },
  username: (i: number) => `customer-${String(i).padStart(6, '0')}`,
  receive: (i: number) => addressOf(`receive:${String(i)}`),
  change: (i: number) => addressOf(`change:${String(i)}`),
  tx: (i: number, k: number) => sha256(`tx:${String(i)}:${String(k)}`),
  session: (i: number) => sha256(`session:${String(i)}`),
  idempotency: (i: number, j: number) =>
    `${ids.user(i)}:transfer-${sha256(`key:${String(i)}:${String(j)}`).slice(0, 16)}`,
  screening: (s: number) => `scr-${String(s).padStart(4, '0')}`,
};

const isTicketHolder = (i: number) => i % TICKET_HOLDER_EVERY === 0;
/** Holder h (the h-th ticket holder) sits in screening h % SCREENINGS, seats from slot 2*floor(h/SCREENINGS). */
function seatsOf(i: number): { screeningId: string; seats: string[] } {
  const holder = i / TICKET_HOLDER_EVERY;
  const firstSlot = Math.floor(holder / SCREENINGS) * TICKETS_PER_HOLDER;
  if (firstSlot + TICKETS_PER_HOLDER > SEAT_ROWS * SEATS_PER_ROW)
    throw new Error(`too many ticket holders for ${String(SCREENINGS)} screenings`);
  const seats = Array.from({ length: TICKETS_PER_HOLDER }, (_, j) => {
    const slot = firstSlot + j;
    return `${String.fromCharCode(65 + Math.floor(slot / SEATS_PER_ROW))}${String((slot % SEATS_PER_ROW) + 1)}`;
  });
  return { screeningId: ids.screening(holder % SCREENINGS), seats };
}

/** Tickets sold for screening `s` once `users` users are filled. */
function soldSeatsOf(s: number, users: number): number {
  const holders = Math.ceil(users / TICKET_HOLDER_EVERY);
  return s < holders ? (Math.floor((holders - 1 - s) / SCREENINGS) + 1) * TICKETS_PER_HOLDER : 0;
}

interface UserFixture {
  users: DocOf<'users'>[];
  attempts: DocOf<'attempts'>[];
  addresses: DocOf<'addresses'>[];
  utxos: DocOf<'utxos'>[];
  txs: DocOf<'txs'>[];
  movements: DocOf<'movements'>[];
  sessions: DocOf<'sessions'>[];
  idempotency: DocOf<'idempotency'>[];
  orders: DocOf<'orders'>[];
  tickets: DocOf<'tickets'>[];
}

const emptyFixture = (): UserFixture => ({
  users: [],
  attempts: [],
  addresses: [],
  utxos: [],
  txs: [],
  movements: [],
  sessions: [],
  idempotency: [],
  orders: [],
  tickets: [],
});

/**
 * Everything of user `i`, appended to `into`. Its 12 transactions, one every 7.5 days over
 * the last 90: recharges at k = 0, 4, 8; payments out at odd k (spending the previous coin,
 * change back to the change address; k = 11 buys the tickets of a ticket holder); payments in
 * at the other even k. Each leaves the user one coin, and a payment out spends the one before;
 * of the coins left, the oldest went in payments before this history, so 4 stay unspent.
 */
function fillUser(i: number, now: number, into: UserFixture): void {
  const random = seeded(i + 1);
  const userId = ids.user(i);
  const receive = ids.receive(i);
  const change = ids.change(i);
  const createdAt = new Date(now - HISTORY_DAYS * DAY_MS - DAY_MS);
  const username = ids.username(i);
  into.users.push({
    _id: userId,
    username,
    passwordHash: `scrypt$32768$8$1$${filler(i, 22)}$${filler(i + 1, 43)}`,
    role: 'customer',
    vault: { salt: filler(i + 2, 22), n: 32_768, sealedDek: filler(i + 3, 80) },
    fabric: {
      enrollmentId: `u-${userId}`,
      mspId: 'WalletOrgMSP',
      certificate: `-----BEGIN CERTIFICATE-----\n${filler(i + 4, 780)}\n-----END CERTIFICATE-----\n`,
      sealedKey: filler(i + 5, 360),
    },
    receiveAddress: receive,
    createdAt,
    passwordChangedAt: createdAt,
  });
  // Counters of a user who has logged in and paid before.
  into.attempts.push(
    { _id: `login:${userId}`, count: 0, pending: 0, at: createdAt },
    { _id: `payment:${userId}`, count: 0, pending: 0, at: createdAt },
  );
  for (const [address, purpose] of [
    [receive, 'receive'],
    [change, 'change'],
  ] as const) {
    into.addresses.push({
      _id: address,
      userId,
      publicKey: `04${filler(i + 6, 128)}`,
      sealedKey: filler(i + 7, 360),
      purpose,
      createdAt,
    });
  }
  const ticket = isTicketHolder(i) ? seatsOf(i) : null;
  const cinema = ids.receive(0);
  const other = (k: number) => ({
    address: addressOf(`other:${String(i)}:${String(k)}`),
    username: ids.username((i * 31 + k * 7) % Math.max(1, i)),
  });
  let previous: { txId: string; index: number; owner: string; amount: bigint } | null = null;
  for (let k = 0; k < COINS_PER_USER; k++) {
    const txId = ids.tx(i, k);
    const ts = now - HISTORY_DAYS * DAY_MS + Math.floor((k + random()) * ((HISTORY_DAYS * DAY_MS) / 12));
    const kind = k % 4 === 0 ? 'mint' : k % 2 === 1 ? 'out' : 'in';
    const fresh = BigInt(500 + Math.floor(random() * 49_500));
    let record: TxRecord;
    let coin: { index: number; owner: string; amount: bigint };
    let movement: Pick<DocOf<'movements'>, 'kind' | 'direction' | 'amount' | 'counterparties'>;
    if (kind === 'mint') {
      coin = { index: 0, owner: receive, amount: fresh };
      record = {
        txId,
        kind: 'mint',
        ts,
        inputs: [],
        outputs: [{ address: receive, amount: fresh.toString() }],
        signers: [],
        memoHash: '',
        submitterMsp: 'WalletOrgMSP',
        orderId: `order-${sha256(`order:${String(i)}:${String(k)}`).slice(0, 24)}`,
      };
      movement = { kind: 'recharge', direction: 'in', amount: fresh.toString(), counterparties: [] };
    } else if (kind === 'out' && previous) {
      const spent = previous;
      const kept = (spent.amount * BigInt(20 + Math.floor(random() * 60))) / 100n;
      const paid = spent.amount - kept;
      const buys = k === COINS_PER_USER - 1 && ticket;
      const payee = buys ? cinema : other(k).address;
      coin = { index: 1, owner: change, amount: kept };
      record = {
        txId,
        kind: buys ? 'purchase' : 'transfer',
        ts,
        inputs: [
          { txId: spent.txId, index: spent.index, owner: spent.owner, amount: spent.amount.toString() },
        ],
        outputs: [
          { address: payee, amount: paid.toString() },
          { address: change, amount: kept.toString() },
        ],
        signers: [spent.owner],
        memoHash: random() < 0.3 ? sha256(`memo:${txId}`) : '',
        submitterMsp: 'WalletOrgMSP',
        ...(buys
          ? {
              purchase: {
                screeningId: ticket.screeningId,
                seats: ticket.seats,
                tickets: ticket.seats.map((seat) => `${ticket.screeningId}:${seat}`),
              },
            }
          : {}),
      };
      movement = {
        kind: buys ? 'ticket' : 'transfer',
        direction: 'out',
        amount: paid.toString(),
        counterparties: [buys ? 'cinema' : other(k).username],
      };
    } else {
      const payer = other(k);
      coin = { index: 0, owner: receive, amount: fresh };
      record = {
        txId,
        kind: 'transfer',
        ts,
        inputs: [
          {
            txId: sha256(`outside:${String(i)}:${String(k)}`),
            index: 0,
            owner: payer.address,
            amount: (fresh + 1000n).toString(),
          },
        ],
        outputs: [
          { address: receive, amount: fresh.toString() },
          { address: payer.address, amount: '1000' },
        ],
        signers: [payer.address],
        memoHash: '',
        submitterMsp: 'WalletOrgMSP',
      };
      movement = {
        kind: 'transfer',
        direction: 'in',
        amount: fresh.toString(),
        counterparties: [payer.username],
      };
    }
    if (kind === 'out') {
      const spentCoin = into.utxos.at(-1);
      if (spentCoin) {
        spentCoin.spent = true;
        spentCoin.spentBy = txId;
      }
    }
    into.txs.push({ _id: txId, record, blockNumber: 10 + i * COINS_PER_USER + k });
    into.utxos.push({
      _id: `${txId}:${String(coin.index)}`,
      txId,
      index: coin.index,
      owner: coin.owner,
      userId,
      amount: coin.amount.toString(),
      ts: new Date(ts),
      spent: false,
    });
    into.movements.push({
      _id: `${txId}:${userId}`,
      userId,
      txId,
      ts: new Date(ts),
      ...movement,
      memoHash: record.memoHash,
    });
    previous = { txId, index: coin.index, owner: coin.owner, amount: coin.amount };
  }
  // The oldest coins not spent above went in payments older than this history: 4 stay unspent.
  const unspent = into.utxos.slice(-COINS_PER_USER).filter((coin) => !coin.spent);
  if (unspent.length < UNSPENT_PER_USER) throw new Error('the history leaves too few coins');
  for (const coin of unspent.slice(0, unspent.length - UNSPENT_PER_USER)) {
    coin.spent = true;
    coin.spentBy = sha256(`earlier:${coin._id}`);
  }
  into.sessions.push({
    _id: ids.session(i),
    userId,
    createdAt: new Date(now - 3_600_000),
    expiresAt: new Date(now + 11 * 3_600_000),
  });
  for (let j = 0; j < 2; j++) {
    into.idempotency.push({
      _id: ids.idempotency(i, j),
      requestHash: sha256(`request:${String(i)}:${String(j)}`),
      state: 'done',
      response: { status: 201, body: { txId: ids.tx(i, 9 + 2 * j), amount: '1200', fee: '0' } },
      createdAt: new Date(now - (j + 1) * 3_600_000),
    });
  }
  const mintedAt = new Date(now - 10 * DAY_MS);
  into.orders.push({
    _id: `order-${sha256(`order:${String(i)}:8`).slice(0, 24)}`,
    userId,
    amount: '20000',
    address: receive,
    status: 'minted',
    txId: ids.tx(i, 8),
    createdAt: mintedAt,
    paidAt: mintedAt,
  });
  if (ticket) {
    const purchase = ids.tx(i, COINS_PER_USER - 1);
    for (const seat of ticket.seats) {
      into.tickets.push({
        _id: `${ticket.screeningId}:${seat}`,
        screeningId: ticket.screeningId,
        seat,
        holder: receive,
        holderUserId: userId,
        txId: purchase,
        soldAt: new Date(now - 2 * DAY_MS),
      });
    }
  }
}

/** Runs at most `max` tasks at once; `drain` waits for the rest and rethrows the first failure. */
class InFlight {
  private readonly running = new Set<Promise<void>>();
  constructor(private readonly max: number) {}

  async add(task: () => Promise<unknown>): Promise<void> {
    while (this.running.size >= this.max) await Promise.race(this.running);
    const promise: Promise<void> = task().then(() => {
      this.running.delete(promise);
    });
    this.running.add(promise);
  }

  async drain(): Promise<void> {
    await Promise.all(this.running);
  }
}

describe('outer DB at 1k, 10k and 100k users, against the ledger', () => {
  let dir: TempDir;
  let server: Started | undefined;
  let sql: ((command: string) => Promise<string>) | undefined;
  let database: Database;
  let c: Collections;
  let serverVersion = '';
  /** Commands sent to the server since the counter was last read: round trips. */
  let commands = 0;
  const now = Date.now();
  const filled: Record<string, number> = {};
  const sizes: SizeResult[] = [];
  let ledger: Record<string, Summary> = {};
  /** Users whose documents payments changed: the correctness checks leave them out. */
  const paidBy = new Set<number>();
  let usersFilled = 0;

  beforeAll(async () => {
    dir = await tempDir('bench-outer-db');
  });

  afterAll(async () => {
    await database.close();
    await server?.stop();
    await dir.remove();
  });

  const figures = () => {
    const first = sizes[0];
    const last = sizes.at(-1);
    const flat: Record<string, number> = {};
    const faster: Record<string, number> = {};
    const fasterWithCursor: Record<string, number> = {};
    if (first && last && first !== last) {
      for (const [name, read] of Object.entries(last.reads)) {
        const base = first.reads[name];
        if (base) flat[name] = Number((read.p95Ms / base.p95Ms).toFixed(2));
      }
      flat.payment = Number((last.payment.p95Ms / first.payment.p95Ms).toFixed(2));
    }
    if (last) {
      for (const [name, ledgerRead] of Object.entries(ledger)) {
        const read = last.reads[name];
        if (read) faster[name] = Number((ledgerRead.p95Ms / read.p95Ms).toFixed(1));
        const variant = last.readsWithCursor[name] ?? read;
        if (variant) fasterWithCursor[name] = Number((ledgerRead.p95Ms / variant.p95Ms).toFixed(1));
      }
    }
    return {
      measuredAt: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        outerDb: serverVersion,
      },
      code: CODE_MEASURED,
      settings: {
        callsPerRead: CALLS,
        warmUp: WARM_UP,
        payments: PAYMENTS,
        ledgerCalls: LEDGER_CALLS,
        postgres: Object.fromEntries(PG_SETTINGS.map((setting) => [setting.name, setting.value])),
      },
      sizes,
      ledger,
      goals: {
        /** p95 at the largest size over p95 at the smallest: at most 2 holds. */
        p95FlatWithin2x: flat,
        /** Ledger p95 over outer-DB p95 at the largest size: at least 20 holds. */
        fasterThanLedger20x: faster,
        /** The same with the sorted reads as they were before `oneBatch`. */
        fasterThanLedger20xWithCursor: fasterWithCursor,
        holds: {
          p95FlatWithin2x: Object.keys(flat).length > 0 && Object.values(flat).every((ratio) => ratio <= 2),
          fasterThanLedger20x:
            Object.keys(faster).length > 0 && Object.values(faster).every((ratio) => ratio >= 20),
        },
      },
    };
  };

  const save = async () => {
    await mkdir(join(repoRoot, 'bench-results'), { recursive: true });
    const file = join(repoRoot, 'bench-results', RESULT_FILE);
    await writeFile(file, `${JSON.stringify(figures(), null, 2)}\n`);
    return file;
  };

  it.skipIf(!WITH_LEDGER)(
    'times the ledger reads that the outer DB replaces, on the real local network',
    async () => {
      log('starting the local Fabric network and the API for the ledger reads');
      const api = await ApiHarness.start('bench-outer-db-ledger');
      try {
        const payer = await api.signUp('bench-payer');
        await api.signUp('bench-payee');
        const merchant = await api.signUp('bench-cinema', 'merchant');
        for (let i = 0; i < 12; i++) await api.recharge(payer, String(1000 + i));
        for (let i = 0; i < 8; i++) {
          const paid = await api.call('POST', '/v1/transfers', {
            token: payer,
            body: { to: 'bench-payee', amount: String(150 + i), paymentPassword: 'pay-123456' },
            headers: { 'idempotency-key': `bench-outer-db-${String(i)}` },
          });
          expect(paid.status, JSON.stringify(paid.body)).toBe(201);
        }
        const screening = await api.call('POST', '/v1/cinema/screenings', {
          token: merchant,
          headers: { 'idempotency-key': 'bench-screening-1' },
          body: {
            film: 'Metropolis',
            startsAt: new Date(Date.now() + DAY_MS).toISOString(),
            seatMap: [
              { row: 'A', count: 20 },
              { row: 'B', count: 20 },
            ],
            price: '10',
            paymentPassword: 'pay-123456',
          },
        });
        expect(screening.status, JSON.stringify(screening.body)).toBe(201);
        const screeningId = screening.body.screeningId as string;
        for (const seats of [
          ['A1', 'A2'],
          ['B5', 'B6'],
        ]) {
          const bought = await api.call('POST', `/v1/cinema/screenings/${screeningId}/tickets`, {
            token: payer,
            headers: { 'idempotency-key': `bench-tickets-${seats.join('-')}` },
            body: { seats, paymentPassword: 'pay-123456' },
          });
          expect(bought.status, JSON.stringify(bought.body)).toBe(201);
        }
        const bills = (await api.call('GET', '/v1/me/bills?limit=20', { token: payer })).body.bills as {
          txId: string;
        }[];
        expect(bills).toHaveLength(20);
        const txIds = bills.map((bill) => bill.txId);
        const user = await api.db.collections.users.findOne({ username: 'bench-payer' });
        if (!user) throw new Error('bench-payer is missing');
        const chaincode = api.ledger.as(api.config.fabric.registrar);
        const random = seeded(7);
        const anyTx = () => txIds[Math.floor(random() * txIds.length)] ?? '';
        const unspent = await chaincode.listUnspent(user.receiveAddress, 100, '');
        expect(unspent.items.length).toBeGreaterThan(0);

        log('timing ListUnspent, GetTx, 20 GetTx, GetScreening');
        ledger = {
          balance: summary(
            await timed(LEDGER_CALLS, async () => {
              await chaincode.listUnspent(user.receiveAddress, 100, '');
            }),
          ),
          traceStep: summary(
            await timed(LEDGER_CALLS, async () => {
              await chaincode.getTx(anyTx());
            }),
          ),
          // Without the outer DB, a page of bills is the page's transactions read one by one
          // (here all 20 at once, the ledger's best case).
          billsPage: summary(
            await timed(LEDGER_CALLS, async () => {
              await Promise.all(txIds.map((txId) => chaincode.getTx(txId)));
            }),
          ),
          screening: summary(
            await timed(LEDGER_CALLS, async () => {
              await chaincode.getScreening(screeningId);
            }),
          ),
        };
        log(`ledger reads: ${JSON.stringify(ledger)}`);
      } finally {
        await api.stop();
      }
    },
  );

  it('starts the outer DB', async () => {
    const given = process.env.MONGODB_URI;
    let uri: string;
    if (given) {
      uri = given;
    } else {
      const started = await startFerretDb(dir.path);
      server = started.process;
      sql = started.sql;
      uri = started.uri;
      for (const setting of PG_SETTINGS) await sql(`ALTER SYSTEM SET ${setting.name} = '${setting.value}'`);
      if (PG_SETTINGS.length > 0) {
        await sql('SELECT pg_reload_conf()');
        log(`PostgreSQL settings: ${PG_SETTINGS.map((s) => `${s.name}=${s.value}`).join(', ')}`);
      }
    }
    if (given && PG_SETTINGS.length > 0) throw new Error('BENCH_OUTER_DB_PG_SETTINGS needs the local server');
    // Command monitoring counts the round trips of a payment.
    const [base = uri, query] = uri.split('?');
    const monitored = `${base.includes('/', 'mongodb://'.length) ? base : `${base}/`}?${
      query ? `${query}&` : ''
    }monitorCommands=true`;
    database = await connectDatabase(monitored, 'bench');
    c = database.collections;
    database.client.on('commandStarted', (_event: CommandStartedEvent) => {
      commands++;
    });
    const info = await database.db.admin().command({ buildInfo: 1 });
    const ferret = info.ferretdb as { version?: string } | undefined;
    serverVersion = ferret?.version ? `FerretDB ${ferret.version}` : `MongoDB ${String(info.version)}`;
    log(`outer DB: ${serverVersion}${given ? ' (MONGODB_URI)' : ''}`);
  });

  /** Inserts users [from, to) (and the screenings, the first time). */
  async function fill(from: number, to: number): Promise<{ seconds: number; docs: number }> {
    const start = performance.now();
    const inFlight = new InFlight(INSERTS_IN_FLIGHT);
    let docs = 0;
    const insert = async <T extends Document>(
      name: string,
      collection: Collection<T>,
      all: OptionalUnlessRequiredId<T>[],
    ) => {
      for (let at = 0; at < all.length; at += INSERT_BATCH) {
        const batch = all.slice(at, at + INSERT_BATCH);
        await inFlight.add(() => collection.insertMany(batch));
      }
      filled[name] = (filled[name] ?? 0) + all.length;
      docs += all.length;
    };
    if (from === 0) {
      const screenings: DocOf<'screenings'>[] = Array.from({ length: SCREENINGS }, (_, s) => ({
        _id: ids.screening(s),
        film: `Film ${String(s % 40)}`,
        startsAt: new Date(now + (s + 1) * 3 * 3_600_000),
        seatMap: Array.from({ length: SEAT_ROWS }, (_, r) => ({
          row: String.fromCharCode(65 + r),
          count: SEATS_PER_ROW,
        })),
        price: '1200',
        cinemaAddress: ids.receive(0),
        merchantUserId: ids.user(0),
        createdAt: new Date(now - 7 * DAY_MS),
        txId: sha256(`screening:${String(s)}`),
      }));
      await insert('screenings', c.screenings, screenings);
    }
    let reported = performance.now();
    for (let chunk = from; chunk < to; chunk += FILL_CHUNK_USERS) {
      const fixture = emptyFixture();
      for (let i = chunk; i < Math.min(to, chunk + FILL_CHUNK_USERS); i++) fillUser(i, now, fixture);
      await insert('users', c.users, fixture.users);
      await insert('attempts', c.attempts, fixture.attempts);
      await insert('addresses', c.addresses, fixture.addresses);
      await insert('utxos', c.utxos, fixture.utxos);
      await insert('txs', c.txs, fixture.txs);
      await insert('movements', c.movements, fixture.movements);
      await insert('sessions', c.sessions, fixture.sessions);
      await insert('idempotency', c.idempotency, fixture.idempotency);
      await insert('orders', c.orders, fixture.orders);
      await insert('tickets', c.tickets, fixture.tickets);
      if (performance.now() - reported > 15_000) {
        reported = performance.now();
        const seconds = (reported - start) / 1000;
        log(
          `  filled ${String(chunk + FILL_CHUNK_USERS)} of ${String(to)} users, ` +
            `${String(Math.round(docs / seconds))} docs/s`,
        );
      }
    }
    await inFlight.drain();
    return { seconds: (performance.now() - start) / 1000, docs };
  }

  const pick = (random: () => number, below: number) => Math.floor(random() * below);

  /** The hot reads, each with the API's own query and a random existing document. */
  function hotReads(users: number, random: () => number): Record<string, () => Promise<unknown>> {
    const anyUser = () => pick(random, users);
    const anyHolder = () => pick(random, Math.ceil(users / TICKET_HOLDER_EVERY)) * TICKET_HOLDER_EVERY;
    return {
      // Accounts.login
      login: () => c.users.findOne({ username: ids.username(anyUser()) }),
      // Accounts.authenticate: the session, then its user
      sessionCheck: async () => {
        const session = await c.sessions.findOne({ _id: ids.session(anyUser()) });
        if (!session) throw new Error('session missing');
        return c.users.findOne({ _id: session.userId });
      },
      // Wallet.unspent: the balance and coin selection
      balance: () =>
        c.utxos
          .find({ userId: ids.user(anyUser()), spent: false }, oneBatch(10_000))
          .sort({ ts: 1, _id: 1 })
          .limit(10_000)
          .toArray(),
      // GET /v1/me/bills, first page of 20
      billsPage: () =>
        c.movements
          .find({ userId: ids.user(anyUser()) }, oneBatch(21))
          .sort({ ts: -1, _id: -1 })
          .limit(21)
          .toArray(),
      // traceFromIndex: one transaction by id
      traceStep: () => c.txs.findOne({ _id: ids.tx(anyUser(), pick(random, COINS_PER_USER)) }),
      // idempotent(): the replay lookup
      idempotency: () => c.idempotency.findOne({ _id: ids.idempotency(anyUser(), pick(random, 2)) }),
      // Cinema.screening: the screening, then its sold seats
      screening: async () => {
        const screeningId = ids.screening(pick(random, SCREENINGS));
        const screening = await c.screenings.findOne({ _id: screeningId });
        if (!screening) throw new Error('screening missing');
        return c.tickets.find({ screeningId }, { projection: { seat: 1 } }).toArray();
      },
      // Cinema.myTickets
      myTickets: () =>
        c.tickets
          .find({ holderUserId: ids.user(anyHolder()) }, oneBatch(500))
          .sort({ soldAt: -1 })
          .limit(500)
          .toArray(),
    };
  }

  /**
   * The sorted and limited reads as the API sent them before it asked for one batch: FerretDB
   * v2 answers such a find with a cursor even when it returned everything, and then serves
   * the next request on a fresh PostgreSQL connection. Timed beside the API's queries to show
   * what `oneBatch` saves.
   */
  function cursorReads(users: number, random: () => number): Record<string, () => Promise<unknown>> {
    const anyUser = () => pick(random, users);
    const anyHolder = () => pick(random, Math.ceil(users / TICKET_HOLDER_EVERY)) * TICKET_HOLDER_EVERY;
    return {
      balance: () =>
        c.utxos
          .find({ userId: ids.user(anyUser()), spent: false }, {})
          .sort({ ts: 1, _id: 1 })
          .limit(10_000)
          .toArray(),
      billsPage: () =>
        c.movements
          .find({ userId: ids.user(anyUser()) }, {})
          .sort({ ts: -1, _id: -1 })
          .limit(21)
          .toArray(),
      myTickets: () =>
        c.tickets
          .find({ holderUserId: ids.user(anyHolder()) }, {})
          .sort({ soldAt: -1 })
          .limit(500)
          .toArray(),
    };
  }

  /** The same queries as explain sees them, for the plans recorded at each size. */
  const explained = (users: number) => {
    const i = Math.floor(users / 2);
    const holder = Math.floor(i / TICKET_HOLDER_EVERY) * TICKET_HOLDER_EVERY;
    return {
      login: { find: 'users', filter: { username: ids.username(i) } },
      sessionCheck: { find: 'sessions', filter: { _id: ids.session(i) } },
      balance: {
        find: 'utxos',
        filter: { userId: ids.user(i), spent: false },
        sort: { ts: 1, _id: 1 },
        limit: 10_000,
      },
      billsPage: { find: 'movements', filter: { userId: ids.user(i) }, sort: { ts: -1, _id: -1 }, limit: 21 },
      traceStep: { find: 'txs', filter: { _id: ids.tx(i, 3) } },
      idempotency: { find: 'idempotency', filter: { _id: ids.idempotency(i, 0) } },
      screening: { find: 'tickets', filter: { screeningId: ids.screening(7) }, projection: { seat: 1 } },
      myTickets: {
        find: 'tickets',
        filter: { holderUserId: ids.user(holder) },
        sort: { soldAt: -1 },
        limit: 500,
      },
    };
  };

  /**
   * One payment's DB work, as POST /v1/transfers does it around the Fabric submit: session
   * and user, idempotency record, recipient, vault unlock's user read, unspent coins, the locks
   * held on them, one lock per chosen coin (one insertMany, as Wallet.lockCoins does now), a
   * change address, the signing addresses, the projection of the committed record (the real
   * applyTx), the locks' release, the idempotency answer. The indexer applies the same record
   * again when its block arrives; that is background work, not the request's, and not timed.
   */
  async function payment(
    payerIndex: number,
    payeeIndex: number,
    random: () => number,
    lap: (step: string) => void = () => undefined,
  ): Promise<void> {
    const session = await c.sessions.findOne({ _id: ids.session(payerIndex) });
    if (!session) throw new Error('session missing');
    const payer = await c.users.findOne({ _id: session.userId });
    if (!payer) throw new Error('payer missing');
    lap('session and user');
    const idempotencyId = `${payer._id}:transfer-${randomBytes(8).toString('hex')}`;
    await c.idempotency.insertOne({
      _id: idempotencyId,
      requestHash: randomBytes(32).toString('hex'),
      state: 'pending',
      createdAt: new Date(),
    });
    lap('idempotency record');
    const payee = await c.users.findOne(
      { username: ids.username(payeeIndex) },
      { projection: { receiveAddress: 1 } },
    );
    if (!payee) throw new Error('payee missing');
    lap('recipient');
    // AttemptLimiter: the attempt is counted before the check, and given back after it.
    await c.attempts.updateOne(
      { _id: `payment:${payer._id}`, count: { $lt: 5 }, lockedUntil: { $exists: false } },
      { $inc: { count: 1, pending: 1 }, $set: { at: new Date() } },
    );
    await c.attempts.updateOne(
      { _id: `payment:${payer._id}`, pending: 1 },
      { $set: { count: 0, pending: 0 } },
    );
    lap('vault unlock (attempt counted, given back)');
    const started = new Date();
    const coins = await c.utxos
      .find({ userId: payer._id, spent: false }, oneBatch(10_000))
      .sort({ ts: 1, _id: 1 })
      .limit(10_000)
      .toArray();
    lap('unspent coins');
    const largestFirst = [...coins].sort((a, b) => (BigInt(b.amount) > BigInt(a.amount) ? 1 : -1));
    const largest = BigInt(largestFirst[0]?.amount ?? '0');
    // Mostly one coin, sometimes two: up to 1.3x the largest coin.
    const amount = 1n + (largest * BigInt(10 + Math.floor(random() * 120))) / 100n;
    const lockId = randomUUID();
    const until = new Date(started.getTime() + 120_000);
    const chosen: typeof coins = [];
    let total = 0n;
    for (const coin of largestFirst) {
      if (total >= amount) break;
      chosen.push(coin);
      total += BigInt(coin.amount);
    }
    if (total < amount) throw new Error(`payer ${String(payerIndex)} cannot pay ${amount.toString()}`);
    // Wallet.lockCoins: one reservation per chosen coin, in one unordered insert.
    await c.coinLocks.insertMany(
      chosen.map((coin) => ({ _id: coin._id, lockId, until })),
      { ordered: false },
    );
    lap('lock coins');
    const changeAddress = addressOf(`payment-change:${randomUUID()}`);
    await c.addresses.insertOne({
      _id: changeAddress,
      userId: payer._id,
      publicKey: `04${filler(payerIndex, 128)}`,
      sealedKey: filler(payerIndex + 1, 360),
      purpose: 'change',
      createdAt: new Date(),
    });
    lap('change address');
    await c.addresses.find({ _id: { $in: [...new Set(chosen.map((coin) => coin.owner))] } }).toArray();
    lap('signing addresses');
    const record: TxRecord = {
      txId: randomBytes(32).toString('hex'),
      kind: 'transfer',
      ts: Date.now(),
      inputs: chosen.map((coin) => ({
        txId: coin.txId,
        index: coin.index,
        owner: coin.owner,
        amount: coin.amount,
      })),
      outputs: [
        { address: payee.receiveAddress, amount: amount.toString() },
        ...(total > amount ? [{ address: changeAddress, amount: (total - amount).toString() }] : []),
      ],
      signers: [...new Set(chosen.map((coin) => coin.owner))].sort(),
      memoHash: '',
      submitterMsp: 'WalletOrgMSP',
    };
    lap('build the record');
    await applyTx(c, record, null);
    lap('applyTx');
    // The reservations of spent coins are left to expire (Wallet.pay).
    await c.idempotency.updateOne(
      { _id: idempotencyId },
      { $set: { state: 'done', response: { status: 201, body: { txId: record.txId } } } },
    );
    lap('idempotency answer');
  }

  /** The reads find exactly what was filled, for users no payment has touched. */
  async function checkReads(users: number, random: () => number): Promise<void> {
    for (let n = 0; n < 40; n++) {
      let i = pick(random, users);
      while (paidBy.has(i)) i = pick(random, users);
      const expected = emptyFixture();
      fillUser(i, now, expected);
      const userId = ids.user(i);
      expect((await c.users.findOne({ username: ids.username(i) }))?._id).toBe(userId);
      expect((await c.sessions.findOne({ _id: ids.session(i) }))?.userId).toBe(userId);
      const unspent = await c.utxos
        .find({ userId, spent: false })
        .sort({ ts: 1, _id: 1 })
        .limit(10_000)
        .toArray();
      expect(unspent.map((coin) => coin._id)).toEqual(
        expected.utxos.filter((coin) => !coin.spent).map((coin) => coin._id),
      );
      const bills = await c.movements.find({ userId }).sort({ ts: -1, _id: -1 }).limit(21).toArray();
      expect(bills.map((bill) => bill.txId)).toEqual(expected.movements.map((m) => m.txId).reverse());
      const k = pick(random, COINS_PER_USER);
      expect((await c.txs.findOne({ _id: ids.tx(i, k) }))?.record).toEqual(expected.txs[k]?.record);
      expect(await c.idempotency.findOne({ _id: ids.idempotency(i, 1) })).toEqual(expected.idempotency[1]);
      const s = pick(random, SCREENINGS);
      const sold = await c.tickets
        .find({ screeningId: ids.screening(s) }, { projection: { seat: 1 } })
        .toArray();
      expect(sold).toHaveLength(soldSeatsOf(s, users));
      const tickets = await c.tickets
        .find({ holderUserId: userId })
        .sort({ soldAt: -1 })
        .limit(500)
        .toArray();
      expect(tickets).toHaveLength(isTicketHolder(i) ? TICKETS_PER_HOLDER : 0);
    }
  }

  for (const users of SIZES) {
    it(`fills ${users.toLocaleString('en')} users and times the hot reads and a payment`, async () => {
      expect(users).toBeGreaterThan(usersFilled);
      log(`filling users ${String(usersFilled)}..${String(users - 1)}`);
      const filling = await fill(usersFilled, users);
      usersFilled = users;
      log(
        `  ${String(filling.docs)} docs in ${filling.seconds.toFixed(1)} s ` +
          `(${String(Math.round(filling.docs / filling.seconds))} docs/s)`,
      );
      let analyzeSeconds: number | null = null;
      let databaseMb: number | null = null;
      if (sql) {
        // Fresh planner statistics after the bulk insert, the new rows vacuumed now (autovacuum
        // would start on them in the middle of the timings), and a checkpoint, so the fill's
        // pages are not still being written out meanwhile.
        const start = performance.now();
        await sql('VACUUM (ANALYZE)');
        await sql('CHECKPOINT');
        analyzeSeconds = Number(((performance.now() - start) / 1000).toFixed(1));
        databaseMb = Math.round(Number(await sql('SELECT pg_database_size(current_database())')) / 2 ** 20);
        log(
          `  VACUUM (ANALYZE) and CHECKPOINT in ${String(analyzeSeconds)} s; PostgreSQL database ${String(databaseMb)} MB`,
        );
      }
      const docs: Record<string, number> = {};
      for (const name of Object.keys(c) as CollectionName[]) {
        docs[name] = await c[name].countDocuments({});
        expect(docs[name]).toBeGreaterThanOrEqual(filled[name] ?? 0);
      }
      log(`  documents: ${JSON.stringify(docs)}`);

      const random = seeded(users);
      await checkReads(users, random);

      const reads: Record<string, Summary> = {};
      const hot = hotReads(users, random);
      for (const [name, read] of Object.entries(hot)) {
        reads[name] = summary(
          await timed(CALLS, async () => {
            await read();
          }),
        );
      }
      log(`  reads: ${JSON.stringify(reads)}`);
      const readsWithCursor: Record<string, Summary> = {};
      for (const [name, read] of Object.entries(cursorReads(users, random))) {
        readsWithCursor[name] = summary(
          await timed(CALLS, async () => {
            await read();
          }),
        );
      }
      log(`  the same as before oneBatch: ${JSON.stringify(readsWithCursor)}`);

      const plans: Record<string, string[]> = {};
      for (const [name, query] of Object.entries(explained(users))) {
        plans[name] = planSteps(await database.db.command({ explain: query, verbosity: 'queryPlanner' }));
      }

      // Concurrent clients, each running the mixed read set round after round.
      const clients = Array.from({ length: CONCURRENT_CLIENTS }, (_, n) =>
        Object.values(hotReads(users, seeded(users * 100 + n))),
      );
      const latencies: number[] = [];
      const concurrentStart = performance.now();
      await Promise.all(
        clients.map(async (set) => {
          for (let round = 0; round < CONCURRENT_ROUNDS; round++) {
            for (const read of set) {
              const start = performance.now();
              await read();
              latencies.push(performance.now() - start);
            }
          }
        }),
      );
      const concurrentSeconds = (performance.now() - concurrentStart) / 1000;
      const concurrentLatency = summary(latencies);
      const concurrent = {
        clients: CONCURRENT_CLIENTS,
        reads: latencies.length,
        readsPerSecond: Math.round(latencies.length / concurrentSeconds),
        p50Ms: concurrentLatency.p50Ms,
        p95Ms: concurrentLatency.p95Ms,
      };
      log(`  concurrent: ${JSON.stringify(concurrent)}`);

      // Payments: random payer and payee, each payer once per size.
      const payRandom = seeded(users + 1);
      const nextPayer = () => {
        let i = pick(payRandom, users);
        while (paidBy.has(i)) i = pick(payRandom, users);
        return i;
      };
      for (let n = 0; n < WARM_UP; n++) {
        const payer = nextPayer();
        paidBy.add(payer);
        const payee = nextPayer();
        paidBy.add(payee);
        await payment(payer, payee, payRandom);
      }
      const paymentTimes: number[] = [];
      const roundTrips: number[] = [];
      const stepTimes = new Map<string, number[]>();
      for (let n = 0; n < PAYMENTS; n++) {
        const payer = nextPayer();
        paidBy.add(payer);
        const payee = nextPayer();
        paidBy.add(payee);
        commands = 0;
        const start = performance.now();
        let last = start;
        await payment(payer, payee, payRandom, (step) => {
          const at = performance.now();
          stepTimes.set(step, [...(stepTimes.get(step) ?? []), at - last]);
          last = at;
        });
        paymentTimes.push(performance.now() - start);
        roundTrips.push(commands);
      }
      const sortedTrips = [...roundTrips].sort((a, b) => a - b);
      const paymentSummary = {
        ...summary(paymentTimes),
        roundTrips: sortedTrips[Math.floor(sortedTrips.length / 2)] ?? 0,
        roundTripsRange: [sortedTrips[0] ?? 0, sortedTrips.at(-1) ?? 0] as [number, number],
        steps: Object.fromEntries([...stepTimes].map(([step, samples]) => [step, summary(samples)])),
      };
      log(`  payment: ${JSON.stringify(paymentSummary)}`);

      sizes.push({
        users,
        fillSeconds: Number(filling.seconds.toFixed(1)),
        fillDocsPerSecond: Math.round(filling.docs / filling.seconds),
        analyzeSeconds,
        databaseMb,
        docs,
        reads,
        readsWithCursor,
        payment: paymentSummary,
        concurrent,
        plans,
      });
      log(`figures written to ${await save()}`);
    });
  }

  it('writes the figures and the goal check', async () => {
    const file = await save();
    const { goals } = figures();
    log(`goals: ${JSON.stringify(goals)}`);
    log(`figures in ${file}`);
    expect(sizes.map((size) => size.users)).toEqual(SIZES);
  });
});
