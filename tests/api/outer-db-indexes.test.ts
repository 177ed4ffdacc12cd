import { randomBytes } from 'node:crypto';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, dropIndexes, type Database } from '@fabric-wallet/api';
import { startFerretDb } from '../support/ferretdb.js';
import type { Started } from '../support/processes.js';
import { planSteps } from '../support/explain.js';
import { tempDir, type TempDir } from '../support/temp.js';

/**
 * Every query on a hot path is answered through an index, not a scan. The outer DB server is
 * the real one (FerretDB v2 on PostgreSQL + DocumentDB, or MONGODB_URI's MongoDB), holding
 * enough documents that a planner would rather scan a small table; the indexes are the ones
 * connectDatabase creates. A query that becomes a scan (an index dropped or a filter changed)
 * fails here with its plan. The access patterns are listed in docs/api.md.
 */

const USERS = 4000;

interface HotQuery {
  readonly name: string;
  readonly collection: string;
  readonly filter: Document;
  readonly sort?: Document;
  readonly limit?: number;
}

const isScan = (step: string) => step === 'Seq Scan' || step === 'COLLSCAN';
const isIndex = (step: string) => /Index|IXSCAN|IDHACK|EXPRESS/.test(step);

describe('hot queries of the outer DB use indexes', () => {
  let dir: TempDir;
  let server: Started;
  let db: Database;
  let sql: (command: string) => Promise<string>;
  let started: Awaited<ReturnType<typeof startFerretDb>>;
  const user = (i: number) => `user-${String(i).padStart(6, '0')}`;
  const someone = user(1234);

  beforeAll(async () => {
    dir = await tempDir('outer-db-indexes');
    started = await startFerretDb(dir.path);
    server = started.process;
    sql = started.sql;
    db = await connectDatabase(started.uri, 'explain');
    const c = db.collections;
    const now = Date.now();
    const users = Array.from({ length: USERS }, (_, i) => i);
    const batches = <T>(docs: T[], size = 1000) =>
      Array.from({ length: Math.ceil(docs.length / size) }, (_, i) => docs.slice(i * size, (i + 1) * size));
    const fill = async (name: keyof typeof c, docs: Document[]) => {
      for (const batch of batches(docs)) await db.db.collection(c[name].collectionName).insertMany(batch);
    };
    await fill(
      'users',
      users.map((i) => ({
        _id: user(i),
        username: `name-${String(i)}`,
        role: 'customer',
        createdAt: new Date(now),
      })),
    );
    await fill(
      'addresses',
      users.flatMap((i) =>
        [0, 1].map((k) => ({
          _id: `addr-${String(i)}-${String(k)}`,
          userId: user(i),
          createdAt: new Date(now - k),
        })),
      ),
    );
    await fill(
      'utxos',
      users.flatMap((i) =>
        [0, 1, 2].map((k) => ({
          _id: `${randomBytes(32).toString('hex')}:${String(k)}`,
          userId: user(i),
          owner: `addr-${String(i)}-0`,
          amount: '10',
          spent: k === 0,
          ts: new Date(now - k),
        })),
      ),
    );
    await fill(
      'movements',
      users.flatMap((i) =>
        [0, 1, 2].map((k) => ({
          _id: `tx${String(i)}-${String(k)}:${user(i)}`,
          userId: user(i),
          kind: 'transfer',
          direction: 'out',
          ts: new Date(now - k * 1000),
        })),
      ),
    );
    await fill(
      'txs',
      users.map((i) => ({ _id: `tx-${String(i)}`, blockNumber: i })),
    );
    await fill(
      'sessions',
      users.map((i) => ({ _id: `s-${String(i)}`, userId: user(i), expiresAt: new Date(now + i) })),
    );
    await fill(
      'idempotency',
      users.map((i) => ({ _id: `${user(i)}:k`, state: 'done', createdAt: new Date(now - i * 1000) })),
    );
    await fill(
      'coinLocks',
      users.map((i) => ({ _id: `lock-${String(i)}:0`, lockId: `l-${String(i)}`, until: new Date(now) })),
    );
    await fill(
      'attempts',
      users.map((i) => ({ _id: `payment:${user(i)}`, count: 0, pending: 0, at: new Date(now - i * 1000) })),
    );
    await fill(
      'screenings',
      users.map((i) => ({ _id: `sc-${String(i)}`, startsAt: new Date(now + i * 60_000), film: 'f' })),
    );
    await fill(
      'tickets',
      users.map((i) => ({
        _id: `sc-${String(i % 100)}:A${String(i)}`,
        screeningId: `sc-${String(i % 100)}`,
        holderUserId: user(i),
        soldAt: new Date(now - i),
      })),
    );
    await fill(
      'orders',
      users.map((i) => ({ _id: `o-${String(i)}`, userId: user(i), createdAt: new Date(now - i) })),
    );
    // Fresh planner statistics, as autovacuum would take a moment to gather (MongoDB needs none).
    if (!process.env.MONGODB_URI) await sql('ANALYZE');
  });

  afterAll(async () => {
    await db.close();
    await server.stop();
    await dir.remove();
  });

  const hot: HotQuery[] = [
    { name: 'login: user by username', collection: 'users', filter: { username: 'name-1234' } },
    { name: 'session check: session by id', collection: 'sessions', filter: { _id: 's-1234' } },
    { name: 'session check: user by id', collection: 'users', filter: { _id: someone } },
    {
      name: 'balance and coin selection: unspent coins of a user',
      collection: 'utxos',
      filter: { userId: someone, spent: false },
      sort: { ts: 1, _id: 1 },
      limit: 10_000,
    },
    { name: 'expired coin locks (purge)', collection: 'coinLocks', filter: { until: { $lte: new Date() } } },
    { name: 'idle attempt counters (purge)', collection: 'attempts', filter: { at: { $lt: new Date(0) } } },
    { name: 'tokens of an address', collection: 'utxos', filter: { owner: 'addr-1234-0', spent: false } },
    {
      name: 'addresses of a user, newest first',
      collection: 'addresses',
      filter: { userId: someone },
      sort: { createdAt: -1 },
    },
    {
      name: 'owners of addresses (projection, signing keys)',
      collection: 'addresses',
      filter: { _id: { $in: ['addr-1-0', 'addr-2-1'] } },
    },
    {
      name: 'bills page, newest first',
      collection: 'movements',
      filter: { userId: someone },
      sort: { ts: -1, _id: -1 },
      limit: 21,
    },
    {
      name: 'bills page after a cursor',
      collection: 'movements',
      filter: {
        userId: someone,
        $or: [{ ts: { $lt: new Date() } }, { ts: new Date(), _id: { $lt: 'z' } }],
      },
      sort: { ts: -1, _id: -1 },
      limit: 21,
    },
    { name: 'trace step: transaction by id', collection: 'txs', filter: { _id: 'tx-1234' } },
    { name: 'trace step: parents by id', collection: 'txs', filter: { _id: { $in: ['tx-1', 'tx-2'] } } },
    { name: 'idempotency record', collection: 'idempotency', filter: { _id: `${someone}:k` } },
    { name: 'screening by id', collection: 'screenings', filter: { _id: 'sc-12' } },
    {
      name: 'upcoming screenings',
      collection: 'screenings',
      filter: { startsAt: { $gte: new Date(Date.now() + 3_000 * 60_000) } },
      sort: { startsAt: 1 },
      limit: 100,
    },
    { name: 'sold seats of a screening', collection: 'tickets', filter: { screeningId: 'sc-12' } },
    { name: 'my tickets', collection: 'tickets', filter: { holderUserId: someone }, sort: { soldAt: -1 } },
    {
      name: 'my recharge orders',
      collection: 'rechargeOrders',
      filter: { userId: someone },
      sort: { createdAt: -1 },
    },
    { name: 'purge: expired sessions', collection: 'sessions', filter: { expiresAt: { $lte: new Date(0) } } },
    {
      name: 'purge: old idempotency records',
      collection: 'idempotency',
      filter: { state: 'done', createdAt: { $lt: new Date(0) } },
    },
  ];

  it.each(hot)('$name is answered through an index', async (query) => {
    const explain = await db.db.command({
      explain: {
        find: query.collection,
        filter: query.filter,
        ...(query.sort ? { sort: query.sort } : {}),
        ...(query.limit ? { limit: query.limit } : {}),
      },
      verbosity: 'queryPlanner',
    });
    const steps = planSteps(explain);

    expect(steps.filter(isScan), JSON.stringify(explain.queryPlanner ?? explain)).toEqual([]);
    expect(steps.some(isIndex), JSON.stringify(explain.queryPlanner ?? explain)).toBe(true);
  });

  // DocumentDB keys a compound index per field unless told otherwise; then an equality on
  // userId and spent reads every unspent coin of every user (docs/performance.md).
  const indexDef = async (database: string, collection: string, index: string) =>
    (
      await sql(
        "SELECT pg_get_indexdef(to_regclass('documentdb_data.documents_rum_index_' || i.index_id)) " +
          'FROM documentdb_api_catalog.collection_indexes i JOIN documentdb_api_catalog.collections c ' +
          `USING (collection_id) WHERE c.database_name = '${database}' AND c.collection_name = '${collection}' ` +
          `AND (i.index_spec).index_name = '${index}'`,
      )
    ).trim();

  it('compound indexes are made with the composite key, and queries are not JIT-compiled', async () => {
    expect(await indexDef('explain', 'utxos', 'userId_1_spent_1')).toMatch(
      /bson_rum_composite_path_ops \(pathspec='\[ "userId", "spent" \]'/,
    );
    expect(await started.compoundIndexesToRebuild()).toEqual([]);
    // And no JIT: DocumentDB's row estimates put a one-user read over jit_above_cost at 100k
    // users, 4-8 ms of compiling for a 0.2 ms query (docs/performance.md, finding 6).
    expect((await sql('SHOW jit')).trim()).toBe('off');
  });

  it('a compound index of an earlier version is found and rebuilt with the composite key', async () => {
    // As a data dir made before the setting: the same index with one single-path key per field.
    await sql(
      'SET documentdb.defaultUseCompositeOpClass = off; ' +
        "SELECT documentdb_api_internal.create_indexes_non_concurrently('legacy', " +
        '\'{"createIndexes": "utxos", "indexes": [{"key": {"userId": 1, "spent": 1}, "name": "userId_1_spent_1"}]}\')',
    );
    expect(await indexDef('legacy', 'utxos', 'userId_1_spent_1')).toMatch(/single_path_ops.*single_path_ops/);
    const stale = await started.compoundIndexesToRebuild();
    expect(stale).toEqual([{ database: 'legacy', collection: 'utxos', index: 'userId_1_spent_1' }]);

    await dropIndexes(started.uri, stale);
    const legacy = await connectDatabase(started.uri, 'legacy');
    await legacy.close();

    expect(await indexDef('legacy', 'utxos', 'userId_1_spent_1')).toMatch(/bson_rum_composite_path_ops/);
    expect(await started.compoundIndexesToRebuild()).toEqual([]);
  });
});
