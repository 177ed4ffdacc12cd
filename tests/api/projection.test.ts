import type { TxRecord } from '@fabric-wallet/ccaas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTx, connectDatabase, type Database } from '@fabric-wallet/api';
import { startFerretDb } from '../support/ferretdb.js';
import type { Started } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

/**
 * The ledger projection on the real outer DB server, raced the way the API and the indexer
 * race it: the same record applied many times at once, a spend applied before the output
 * it spends, and the indexer's block number arriving while the API applies the record.
 */

const hex = (c: string) => c.repeat(64);
const alice = 'Walice';
const bob = 'Wbob';

const mint: TxRecord = {
  txId: hex('a'),
  kind: 'mint',
  ts: Date.UTC(2026, 0, 1),
  inputs: [],
  outputs: [{ address: alice, amount: '100' }],
  signers: [],
  memoHash: '',
  submitterMsp: 'WalletOrgMSP',
  orderId: 'order-1',
};

const pay: TxRecord = {
  txId: hex('b'),
  kind: 'transfer',
  ts: Date.UTC(2026, 0, 2),
  inputs: [{ txId: hex('a'), index: 0, owner: alice, amount: '100' }],
  outputs: [
    { address: bob, amount: '60' },
    { address: alice, amount: '40' },
  ],
  signers: [alice],
  memoHash: '',
  submitterMsp: 'WalletOrgMSP',
};

describe('the ledger projection under racing writers (real outer DB server)', () => {
  let dir: TempDir;
  let server: Started;
  let db: Database;
  let round = 0;

  /** A fresh database per test, with alice's and bob's addresses known. */
  async function fresh(): Promise<Database> {
    await db.close().catch(() => undefined);
    db = await connectDatabase(uri, `projection-${String(round++)}`);
    await db.collections.addresses.insertMany([
      {
        _id: alice,
        userId: 'u-alice',
        publicKey: '',
        sealedKey: '',
        purpose: 'receive',
        createdAt: new Date(),
      },
      { _id: bob, userId: 'u-bob', publicKey: '', sealedKey: '', purpose: 'receive', createdAt: new Date() },
    ]);
    return db;
  }
  let uri: string;

  beforeAll(async () => {
    dir = await tempDir('projection');
    const started = await startFerretDb(dir.path);
    server = started.process;
    uri = started.uri;
    db = await connectDatabase(uri, 'projection-init');
  });

  afterAll(async () => {
    await db.close();
    await server.stop();
    await dir.remove();
  });

  it('gives one set of documents when one record is applied 20 times at once', async () => {
    const { collections } = await fresh();
    await applyTx(collections, mint, 1);

    await Promise.all(Array.from({ length: 20 }, (_, i) => applyTx(collections, pay, i % 2 ? 2 : null)));

    expect(await collections.txs.countDocuments()).toBe(2);
    expect((await collections.txs.findOne({ _id: pay.txId }))?.blockNumber).toBe(2);
    const coins = await collections.utxos
      .find({}, { projection: { _id: 1, spent: 1, userId: 1 } })
      .sort({ _id: 1 })
      .toArray();
    expect(coins).toEqual([
      { _id: `${hex('a')}:0`, spent: true, userId: 'u-alice' },
      { _id: `${hex('b')}:0`, spent: false, userId: 'u-bob' },
      { _id: `${hex('b')}:1`, spent: false, userId: 'u-alice' },
    ]);
    const bills = await collections.movements
      .find({}, { projection: { _id: 1, amount: 1, direction: 1 } })
      .sort({ _id: 1 })
      .toArray();
    expect(bills).toEqual([
      { _id: `${hex('a')}:u-alice`, amount: '100', direction: 'in' },
      { _id: `${hex('b')}:u-alice`, amount: '60', direction: 'out' },
      { _id: `${hex('b')}:u-bob`, amount: '60', direction: 'in' },
    ]);
  });

  it('keeps a coin spent when its spend is applied before the transaction that made it', async () => {
    const { collections } = await fresh();

    await applyTx(collections, pay, 2);
    await applyTx(collections, mint, 1);

    const coin = await collections.utxos.findOne({ _id: `${hex('a')}:0` });
    expect(coin).toMatchObject({ spent: true, spentBy: pay.txId, amount: '100', owner: alice });
  });

  it('ends with the block number when the indexer and the API apply a record at the same moment (20 rounds)', async () => {
    for (let i = 0; i < 20; i++) {
      const { collections } = await fresh();
      await applyTx(collections, mint, 1);

      await Promise.all([applyTx(collections, pay, null), applyTx(collections, pay, 7)]);

      expect((await collections.txs.findOne({ _id: pay.txId }))?.blockNumber).toBe(7);
      expect(await collections.utxos.countDocuments({ spent: false })).toBe(2);
    }
  });

  it('has the indexer only set the block number on a record the API applied (the transaction document is written last)', async () => {
    const { collections } = await fresh();
    await applyTx(collections, mint, 1);
    await applyTx(collections, pay, null);
    // A bill line removed behind the projection's back: the indexer's pass must not look.
    await collections.movements.deleteOne({ _id: `${hex('b')}:u-bob` });

    await applyTx(collections, pay, 2);

    expect((await collections.txs.findOne({ _id: pay.txId }))?.blockNumber).toBe(2);
    expect(await collections.movements.countDocuments({ txId: pay.txId })).toBe(1);
  });

  it('has the API stop at the transaction document when the indexer applied the record first; full mode redoes it', async () => {
    const { collections } = await fresh();
    await applyTx(collections, mint, 1);
    await applyTx(collections, pay, 2);
    await collections.movements.deleteOne({ _id: `${hex('b')}:u-bob` });

    await applyTx(collections, pay, null);
    expect(await collections.movements.countDocuments({ txId: pay.txId })).toBe(1);
    await applyTx(collections, pay, null, 'full');

    expect(await collections.movements.countDocuments({ txId: pay.txId })).toBe(2);
    expect((await collections.txs.findOne({ _id: pay.txId }))?.blockNumber).toBe(2);
  });

  it('uses the owners the caller knows for every address, and looks them up when one is missing', async () => {
    const { collections } = await fresh();
    await applyTx(collections, mint, 1);
    // The API knows whose addresses a payment touches; told so, applyTx does not look them up.
    const told = new Map<string, string | null>([
      [alice, 'u-alice'],
      [bob, 'u-told'],
    ]);

    await applyTx(collections, pay, null, 'unless-applied', told);
    await applyTx(
      collections,
      { ...pay, txId: hex('c') },
      null,
      'unless-applied',
      new Map([[alice, 'u-told']]),
    );

    expect((await collections.utxos.findOne({ _id: `${hex('b')}:0` }))?.userId).toBe('u-told');
    expect((await collections.utxos.findOne({ _id: `${hex('c')}:0` }))?.userId).toBe('u-bob');
  });

  it('leaves no transaction document when applying fails half-way, so the indexer redoes it all', async () => {
    const { collections } = await fresh();
    await applyTx(collections, mint, 1);
    // A unique index the payment's second bill line violates: the API's apply fails after
    // the coins are written (a crash at that point, on a real server).
    await collections.movements.createIndex(
      { txId: 1 },
      { unique: true, name: 'fail-second-movement' },
      undefined,
    );

    await expect(applyTx(collections, pay, null)).rejects.toThrow();
    expect(await collections.txs.countDocuments({ _id: pay.txId })).toBe(0);
    await collections.movements.dropIndex('fail-second-movement');
    await applyTx(collections, pay, 2);

    expect((await collections.txs.findOne({ _id: pay.txId }))?.blockNumber).toBe(2);
    expect(await collections.movements.countDocuments({ txId: pay.txId })).toBe(2);
  });

  it('has the indexer complete a record the API stopped applying half-way (no transaction document yet)', async () => {
    const { collections } = await fresh();
    await applyTx(collections, mint, 1);
    await applyTx(collections, pay, null);
    await collections.txs.deleteOne({ _id: pay.txId });
    await collections.movements.deleteOne({ _id: `${hex('b')}:u-bob` });
    await collections.utxos.deleteOne({ _id: `${hex('b')}:1` });

    await applyTx(collections, pay, 2);

    expect((await collections.txs.findOne({ _id: pay.txId }))?.blockNumber).toBe(2);
    expect(await collections.movements.countDocuments({ txId: pay.txId })).toBe(2);
    expect(await collections.utxos.countDocuments({ txId: pay.txId, spent: false })).toBe(2);
  });
});
