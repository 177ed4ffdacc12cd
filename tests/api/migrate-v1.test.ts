import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Binary, Long, MongoClient, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, exportAccounts, importAccounts, NOT_MIGRATED } from '@fabric-wallet/api';
import { startFerretDb, startLegacyFerretDb } from '../support/ferretdb.js';
import type { Started } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

/**
 * Moving the accounts of a FerretDB v1 (SQLite) outer DB, as releases before the v2 switch
 * kept them, into the current outer DB: both servers real, every BSON type the API stores
 * (strings, dates, numbers, nested documents, arrays) and binary and 64-bit integers (FerretDB v1 has no Decimal128).
 */
describe('migrating a FerretDB v1 outer DB', () => {
  let dir: TempDir;
  let source: { uri: string; process: Started };
  let target: Awaited<ReturnType<typeof startFerretDb>>;
  /** The export of the old outer DB, made once: what the import cases read. */
  let exported: { file: string; counts: Awaited<ReturnType<typeof exportAccounts>> };
  const dbName = 'fabric-wallet';
  const now = new Date('2026-11-01T10:00:00.123Z');
  const users = Array.from({ length: 120 }, (_, i) => ({
    _id: `user-${String(i)}`,
    username: `holder-${String(i)}`,
    passwordHash: `scrypt$${randomBytes(16).toString('base64')}$${randomBytes(32).toString('base64')}`,
    role: i === 0 ? 'merchant' : 'customer',
    vault: { salt: randomBytes(16).toString('base64'), wrapped: randomBytes(48).toString('base64') },
    fabric: {
      enrollmentId: `u-${String(i)}`,
      mspId: 'WalletOrgMSP',
      certificate: `-----BEGIN CERTIFICATE-----\n${randomBytes(300).toString('base64')}\n-----END CERTIFICATE-----\n`,
      sealedKey: randomBytes(120).toString('base64'),
    },
    receiveAddress: `addr-${String(i)}-0`,
    failedLogins: i % 3,
    ...(i % 7 === 0 ? { lockedUntil: new Date(now.getTime() + 60_000) } : {}),
    createdAt: now,
    passwordChangedAt: now,
  }));
  const extra: Document[] = [
    {
      _id: 'types',
      bin: new Binary(randomBytes(24)),
      long: Long.fromString('9007199254740993'),

      nested: { list: [1, 'two', { three: 3.5 }], when: now },
      empty: {},
      nothing: null,
    },
  ];
  const accountDocs: Record<string, Document[]> = {
    users,
    addresses: users.flatMap((u, i) =>
      ['receive', 'change'].map((purpose, k) => ({
        _id: `addr-${String(i)}-${String(k)}`,
        userId: u._id,
        publicKey: randomBytes(33).toString('hex'),
        sealedKey: randomBytes(80).toString('base64'),
        purpose,
        createdAt: now,
      })),
    ),
    sessions: users
      .slice(0, 10)
      .map((u, i) => ({ _id: `s-${String(i)}`, userId: u._id, createdAt: now, expiresAt: now })),
    idempotency: [
      {
        _id: 'user-1:key-1',
        requestHash: 'h',
        state: 'done',
        response: { status: 201, body: { txId: 'tx-1', amount: '100' } },
        createdAt: now,
      },
    ],
    rechargeOrders: [
      {
        _id: 'order-1',
        userId: 'user-1',
        amount: '5000',
        address: 'addr-1-0',
        status: 'minted',
        txId: 'tx-1',
        createdAt: now,
        paidAt: now,
      },
    ],
    misc: extra,
  };
  const ledgerDocs: Record<string, Document[]> = {
    utxos: [{ _id: 'tx-1:0', userId: 'user-1', owner: 'addr-1-0', amount: '5000', spent: false, ts: now }],
    txs: [{ _id: 'tx-1', blockNumber: 7 }],
    movements: [{ _id: 'tx-1:user-1', userId: 'user-1', ts: now }],
    checkpoints: [{ _id: 'indexer', blockNumber: '7' }],
    coinLocks: [{ _id: 'tx-1:0', lockId: 'l', until: now }],
  };

  beforeAll(async () => {
    dir = await tempDir('migrate-v1');
    source = await startLegacyFerretDb(join(dir.path, 'data', 'ferretdb'), join(dir.path, 'v1-state'));
    // The old outer DB as the API made it: its indexes (the unique username among them) and documents.
    const old = await connectDatabase(source.uri, dbName);
    for (const [name, docs] of Object.entries({ ...accountDocs, ...ledgerDocs }))
      await old.db.collection(name).insertMany(docs);
    await old.close();
    const file = join(dir.path, 'export.ejson');
    exported = { file, counts: await exportAccounts(source.uri, dbName, file) };
    target = await startFerretDb(join(dir.path, 'outer-db'));
  }, 120_000);

  afterAll(async () => {
    await source.process.stop();
    await target.process.stop();
    await dir.remove();
  });

  it('exports the accounts, not the ledger index, to a file only the owner can read', async () => {
    const { file, counts } = exported;

    expect(counts.collections).toEqual(
      Object.fromEntries(Object.entries(accountDocs).map(([name, docs]) => [name, docs.length])),
    );
    expect(counts.documents).toBe(Object.values(accountDocs).flat().length);
    expect((await stat(file)).mode & 0o077).toBe(0);
    const text = await readFile(file, 'utf8');
    for (const name of Object.keys(ledgerDocs)) expect(text).not.toContain(`"c":"${name}"`);
    expect([...NOT_MIGRATED].sort()).toEqual([
      'attempts',
      'checkpoints',
      'coinLocks',
      'movements',
      'screenings',
      'tickets',
      'txs',
      'utxos',
    ]);
  });

  it('imports every document into the new outer DB with its types, and a second run changes nothing', async () => {
    const { file } = exported;
    const db = await connectDatabase(target.uri, dbName);
    try {
      const first = await importAccounts(db.db, file);
      const again = await importAccounts(db.db, file);

      const total = Object.values(accountDocs).flat().length;
      expect(first).toMatchObject({ documents: total, alreadyThere: 0 });
      expect(again).toMatchObject({ documents: total, alreadyThere: total });
      for (const [name, docs] of Object.entries(accountDocs)) {
        const moved = await db.db.collection(name).find({}).sort({ _id: 1 }).toArray();
        const expected = [...docs].sort((a, b) => String(a._id).localeCompare(String(b._id)));
        expect(moved, name).toEqual(expected);
      }
      const types = await db.db.collection('misc').findOne({ _id: 'types' } as Document);
      expect(types?.bin).toBeInstanceOf(Binary);
      expect(types?.long).toEqual(Long.fromString('9007199254740993'));
      expect((types?.nested as Document).when).toBeInstanceOf(Date);
      for (const name of Object.keys(ledgerDocs))
        expect(await db.db.collection(name).countDocuments()).toBe(0);
      // The migrated accounts answer the API's own queries through its indexes.
      expect(await db.collections.users.findOne({ username: 'holder-42' })).toMatchObject({ _id: 'user-42' });
    } finally {
      await db.close();
    }
  });

  it('refuses, naming the collection, when a username was taken since by another account', async () => {
    const { file } = exported;
    const client = new MongoClient(target.uri);
    try {
      await client.connect();
      const clash = await connectDatabase(target.uri, 'clash');
      await clash.collections.users.insertOne({
        ...(users[5] as unknown as Document),
        _id: 'someone-else',
      } as never);
      await clash.close();

      await expect(importAccounts(client.db('clash'), file)).rejects.toThrow(
        /1 document\(s\) of collection users could not be moved: .*same unique key/,
      );
    } finally {
      await client.close();
    }
  });
});
