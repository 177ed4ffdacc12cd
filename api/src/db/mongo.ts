import {
  MongoBulkWriteError,
  MongoClient,
  MongoServerError,
  type Collection,
  type Db,
  type WriteError,
} from 'mongodb';
import type { TxRecord } from '@fabric-wallet/ccaas';
import type { WrappedKey, Sealed } from '../security/vault.js';

/**
 * The outer DB. Works on MongoDB and on FerretDB v1, so it uses no multi-document
 * transactions, change streams, TTL indexes, $lookup or Decimal128: amounts are decimal
 * strings, expiry is checked on read, and every write is an idempotent single-document one.
 */

export type Role = 'customer' | 'merchant' | 'issuer';

export interface UserDoc {
  _id: string;
  username: string;
  passwordHash: string;
  role: Role;
  vault: WrappedKey;
  fabric: { enrollmentId: string; mspId: string; certificate: string; sealedKey: Sealed };
  /** The current receive address; older ones still receive and can be swept. */
  receiveAddress: string;
  /**
   * Earlier versions kept the login and payment-password attempt counters here; they are in
   * `attempts` now (security/attempts.ts), so a payment does not rewrite this document.
   */
  failedLogins?: number;
  lockedUntil?: Date;
  paymentFailures?: number;
  paymentLockedUntil?: Date;
  createdAt: Date;
  passwordChangedAt: Date;
}

export interface AddressDoc {
  /** The address itself. */
  _id: string;
  userId: string;
  publicKey: string;
  sealedKey: Sealed;
  purpose: 'receive' | 'change';
  createdAt: Date;
}

export interface SessionDoc {
  /** SHA-256 of the bearer token: a leaked DB does not yield usable tokens. */
  _id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface IdempotencyDoc {
  /** `<userId>:<Idempotency-Key>`. */
  _id: string;
  requestHash: string;
  state: 'pending' | 'done';
  response?: { status: number; body: unknown };
  createdAt: Date;
  /**
   * While pending: until when the process running the request holds it (renewed while it
   * runs). Past it the process is gone, and a retry may take the request over.
   */
  leaseUntil?: Date;
  /** Which run holds the lease (a random id per run): only it may write the record. */
  owner?: string;
  /** Transactions the request handed to the orderer, each recorded just before it was sent. */
  sent?: { txId: string; at: Date }[];
}

export interface UtxoDoc {
  /** `<txId>:<index>`. */
  _id: string;
  txId: string;
  index: number;
  owner: string;
  userId: string | null;
  amount: string;
  ts: Date;
  spent: boolean;
  spentBy?: string;
}

/** A payment's reservation of one coin (see Wallet.lockCoins). */
/** Attempt counters of one secret of one account (security/attempts.ts). */
export interface AttemptDoc {
  /** `login:<username>` (known or not) or `payment:<userId>`. */
  _id: string;
  /** Failed attempts in a row plus attempts being checked right now. */
  count: number;
  /** Attempts being checked right now. */
  pending: number;
  /** When the last attempt was taken. */
  at?: Date;
  lockedUntil?: Date;
}

export interface CoinLockDoc {
  /** The coin's outpoint, `<txId>:<index>`: one reservation per coin. */
  _id: string;
  /** The payment holding it. */
  lockId: string;
  until: Date;
}

export interface TxDoc {
  _id: string;
  record: TxRecord;
  blockNumber: number | null;
}

export type MovementKind = 'recharge' | 'transfer' | 'ticket';

/** One line of a user's bill: what one transaction did to that user's balance. */
export interface MovementDoc {
  /** `<txId>:<userId>`. */
  _id: string;
  userId: string;
  txId: string;
  kind: MovementKind;
  direction: 'in' | 'out' | 'self';
  /** Net change, minor units, always positive; see direction. */
  amount: string;
  /** Other parties: usernames where known, else addresses. */
  counterparties: string[];
  ts: Date;
  memoHash: string;
}

export interface RechargeOrderDoc {
  _id: string;
  userId: string;
  amount: string;
  address: string;
  status: 'created' | 'paid' | 'minted';
  txId?: string;
  createdAt: Date;
  paidAt?: Date;
}

export interface ScreeningDoc {
  _id: string;
  film: string;
  startsAt: Date;
  seatMap: { row: string; count: number }[];
  price: string;
  cinemaAddress: string;
  merchantUserId: string | null;
  createdAt: Date;
  txId: string;
}

export interface TicketDoc {
  /** `<screeningId>:<seat>`. */
  _id: string;
  screeningId: string;
  seat: string;
  holder: string;
  holderUserId: string | null;
  txId: string;
  soldAt: Date;
  redeemedAt?: Date;
}

export interface CheckpointDoc {
  _id: string;
  blockNumber: string;
  transactionId?: string;
}

export interface Collections {
  readonly users: Collection<UserDoc>;
  readonly addresses: Collection<AddressDoc>;
  readonly sessions: Collection<SessionDoc>;
  readonly idempotency: Collection<IdempotencyDoc>;
  readonly utxos: Collection<UtxoDoc>;
  readonly coinLocks: Collection<CoinLockDoc>;
  readonly attempts: Collection<AttemptDoc>;
  readonly txs: Collection<TxDoc>;
  readonly movements: Collection<MovementDoc>;
  readonly orders: Collection<RechargeOrderDoc>;
  readonly checkpoints: Collection<CheckpointDoc>;
  readonly screenings: Collection<ScreeningDoc>;
  readonly tickets: Collection<TicketDoc>;
}

/** The collections that are an index of the ledger: a rebuild empties and refills exactly these. */
export const LEDGER_INDEX = ['txs', 'utxos', 'movements', 'screenings', 'tickets', 'checkpoints'] as const;

export interface Database {
  readonly client: MongoClient;
  readonly db: Db;
  readonly collections: Collections;
  close(): Promise<void>;
}

/** Connects and creates the indexes every query relies on (idempotent). */
export async function connectDatabase(uri: string, dbName: string): Promise<Database> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 20 });
  await client.connect();
  const db = client.db(dbName);
  const collections: Collections = {
    users: db.collection('users'),
    addresses: db.collection('addresses'),
    sessions: db.collection('sessions'),
    idempotency: db.collection('idempotency'),
    utxos: db.collection('utxos'),
    coinLocks: db.collection('coinLocks'),
    attempts: db.collection('attempts'),
    txs: db.collection('txs'),
    movements: db.collection('movements'),
    orders: db.collection('rechargeOrders'),
    checkpoints: db.collection('checkpoints'),
    screenings: db.collection('screenings'),
    tickets: db.collection('tickets'),
  };
  await collections.users.createIndex({ username: 1 }, { unique: true }, undefined);
  await collections.addresses.createIndex({ userId: 1, createdAt: -1 }, undefined, undefined);
  await collections.sessions.createIndex({ userId: 1 }, undefined, undefined);
  await collections.sessions.createIndex({ expiresAt: 1 }, undefined, undefined);
  await collections.idempotency.createIndex({ state: 1, createdAt: 1 }, undefined, undefined);
  await collections.utxos.createIndex({ userId: 1, spent: 1 }, undefined, undefined);
  await collections.utxos.createIndex({ owner: 1, spent: 1 }, undefined, undefined);
  // Expired reservations are purged by time (purgeExpired); a payment frees its own by _id.
  await collections.coinLocks.createIndex({ until: 1 }, undefined, undefined);
  // Counters idle for a day are purged (logins are counted for unknown usernames too).
  await collections.attempts.createIndex({ at: 1 }, undefined, undefined);
  await collections.movements.createIndex({ userId: 1, ts: -1, _id: -1 }, undefined, undefined);
  await collections.orders.createIndex({ userId: 1, createdAt: -1 }, undefined, undefined);
  await collections.screenings.createIndex({ startsAt: 1 }, undefined, undefined);
  await collections.tickets.createIndex({ holderUserId: 1, soldAt: -1 }, undefined, undefined);
  await collections.tickets.createIndex({ screeningId: 1 }, undefined, undefined);
  return { client, db, collections, close: () => client.close() };
}

/**
 * Drops the named indexes (`connectDatabase` creates them again): how the launcher rebuilds
 * indexes a data dir of an earlier version made differently. An index already gone is fine.
 */
export async function dropIndexes(
  uri: string,
  indexes: readonly { database: string; collection: string; index: string }[],
): Promise<void> {
  if (indexes.length === 0) return;
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    for (const { database, collection, index } of indexes) {
      try {
        await client.db(database).collection(collection).dropIndex(index);
      } catch (error) {
        // 27: IndexNotFound, 26: NamespaceNotFound.
        if (!(error instanceof MongoServerError) || (error.code !== 27 && error.code !== 26)) throw error;
      }
    }
  } finally {
    await client.close();
  }
}

/** Whether `error` is a duplicate-key violation (code 11000, on MongoDB and FerretDB). */
export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

/**
 * The positions of the documents an unordered insertMany refused as duplicate keys; rethrows
 * `error` when it is anything else (or any write failed for another reason).
 */
export function duplicateIndexes(error: unknown): number[] {
  if (!(error instanceof MongoBulkWriteError)) throw error;
  const errors = ([] as WriteError[]).concat(error.writeErrors);
  if (errors.length === 0 || errors.some((e) => e.code !== 11000)) throw error;
  return errors.map((e) => e.index);
}

/**
 * Find options for a bounded read answered in one reply: all of at most `limit` documents in
 * the first batch, and no cursor left open. FerretDB v2 keeps a sorted or limited find's
 * session open even when it returned everything, and then serves the next request on a fresh
 * PostgreSQL connection (about 7 ms instead of under 1 ms, measured by `npm run bench --
 * outer-db`); on MongoDB it saves the getMore/killCursors round trip.
 */
export function oneBatch(limit: number): { singleBatch: true; batchSize: number } {
  return { singleBatch: true, batchSize: limit };
}
