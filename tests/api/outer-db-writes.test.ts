import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TxRecord } from '@fabric-wallet/ccaas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTx, connectDatabase, type Database } from '@fabric-wallet/api';
import { startFerretDb } from '../support/ferretdb.js';
import type { Started } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

/**
 * The writes of a payment find their documents through an index, not a scan. FerretDB
 * cannot `explain` an update or a delete, so PostgreSQL logs the plan of every statement
 * (auto_explain, nested statements included) and the test reads the plans its writes
 * produced. Found this way: an `updateMany` with `_id: {$in: [...]}` reads the whole
 * collection on DocumentDB (300 ms per two-input payment at 100k users), so applyTx marks
 * inputs spent with one update entry per coin (docs/performance.md).
 */

const hex = (c: string) => c.repeat(64);
const alice = 'Walice';
const bob = 'Wbob';
const COINS = 4000;

describe('payment writes on the outer DB use indexes (plans logged by PostgreSQL)', () => {
  let dir: TempDir;
  let server: Started;
  let db: Database;
  let sql: (command: string) => Promise<string>;
  let utxosTable: string;
  const log = () => readFile(join(dir.path, 'postgres.log'), 'utf8');

  /** The plans PostgreSQL logged while `action` ran. */
  async function plansOf(action: () => Promise<unknown>): Promise<string> {
    const before = (await log()).length;
    await action();
    await new Promise((resolve) => setTimeout(resolve, 300));
    return (await log()).slice(before);
  }

  beforeAll(async () => {
    dir = await tempDir('outer-db-writes');
    const started = await startFerretDb(dir.path, {
      postgresSettings: [
        'session_preload_libraries=auto_explain',
        'auto_explain.log_min_duration=0',
        'auto_explain.log_nested_statements=on',
      ],
    });
    server = started.process;
    sql = started.sql;
    db = await connectDatabase(started.uri, 'writes');
    await db.collections.addresses.insertMany(
      [alice, bob].map((address) => ({
        _id: address,
        userId: `u-${address}`,
        publicKey: '',
        sealedKey: '',
        purpose: 'receive' as const,
        createdAt: new Date(),
      })),
    );
    const ts = new Date();
    const coin = (id: string, owner: string) => ({
      _id: id,
      txId: id.slice(0, 64),
      index: 0,
      owner,
      userId: `u-${owner}`,
      amount: '10',
      ts,
      spent: false,
    });
    await db.collections.utxos.insertMany([
      coin(`${hex('a')}:0`, alice),
      coin(`${hex('c')}:0`, alice),
      ...Array.from({ length: COINS }, () => coin(`${randomBytes(32).toString('hex')}:0`, bob)),
    ]);
    await sql('ANALYZE');
    const id = (
      await sql(
        "SELECT collection_id FROM documentdb_api_catalog.collections WHERE database_name = 'writes' AND collection_name = 'utxos'",
      )
    ).trim();
    utxosTable = `documents_${id}`;
  });

  afterAll(async () => {
    await db.close();
    await server.stop();
    await dir.remove();
  });

  it('applyTx of a payment spending two coins reads each coin by its _id', async () => {
    const record: TxRecord = {
      txId: hex('d'),
      kind: 'transfer',
      ts: Date.now(),
      inputs: [
        { txId: hex('a'), index: 0, owner: alice, amount: '10' },
        { txId: hex('c'), index: 0, owner: alice, amount: '10' },
      ],
      outputs: [
        { address: bob, amount: '15' },
        { address: alice, amount: '5' },
      ],
      signers: [alice],
      memoHash: '',
      submitterMsp: 'WalletOrgMSP',
    };

    const plans = await plansOf(() => applyTx(db.collections, record, 7));

    const spent = await db.collections.utxos.find({ txId: { $in: [hex('a'), hex('c')] } }).toArray();
    expect(spent.map((c) => [c.spent, c.spentBy])).toEqual([
      [true, hex('d')],
      [true, hex('d')],
    ]);
    expect(plans, 'the writes were logged').toContain(`Update on ${utxosTable}`);
    expect(plans).not.toMatch(new RegExp(`Seq Scan on ${utxosTable}\\b`));
  });

  it('detects a scan: an updateMany with _id $in (what applyTx no longer sends) reads every coin', async () => {
    const two = await db.collections.utxos
      .find({ owner: bob }, { limit: 2, projection: { _id: 1 } })
      .toArray();

    const plans = await plansOf(() =>
      db.collections.utxos.updateMany({ _id: { $in: two.map((c) => c._id) } }, { $set: { amount: '11' } }),
    );

    expect(plans).toMatch(new RegExp(`Seq Scan on ${utxosTable}\\b`));
  });
});
