import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { BSON, MongoClient, type Db, type Document } from 'mongodb';
import { duplicateIndexes, LEDGER_INDEX } from './mongo.js';

/**
 * Moving a data dir of a release before the FerretDB v2 switch to the current outer DB.
 *
 * The old outer DB (FerretDB v1 on SQLite) holds two kinds of data. The ledger index (tokens,
 * transactions, bills, screenings, tickets, checkpoints) is a copy of the ledger: it is not
 * moved, the indexer rebuilds it from block 0. Everything else exists only there (accounts
 * with their password hashes, sealed address keys and Fabric identities, addresses, recharge
 * orders, sessions, Idempotency-Key answers) and is moved document by document, every BSON
 * type kept, in two steps so that nothing starts before the old data has been read:
 *
 * 1. exportAccounts, through FerretDB v1, to an export file in the data dir (canonical
 *    Extended JSON, one document per line, mode 0600: it holds what the DB files hold);
 * 2. importAccounts into the new outer DB once it runs, checked by `_id` afterwards.
 *
 * Coin reservations (`coinLocks`) and attempt counters (`attempts`) are short-lived and not
 * moved.
 */

/** The collections that are not moved: the ledger index, coin reservations, attempt counters. */
export const NOT_MIGRATED: ReadonlySet<string> = new Set<string>([...LEDGER_INDEX, 'coinLocks', 'attempts']);

export interface MigrationCounts {
  /** Documents per collection name. */
  readonly collections: Record<string, number>;
  readonly documents: number;
}

interface ExportLine {
  readonly c: string;
  readonly d: Document;
}

/** Reads the movable collections of `dbName` at `uri` into `file` (replaced if present). */
export async function exportAccounts(uri: string, dbName: string, file: string): Promise<MigrationCounts> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  const out = await open(file, 'w', 0o600);
  const collections: Record<string, number> = {};
  let documents = 0;
  try {
    await client.connect();
    const db = client.db(dbName);
    const names = (await db.listCollections({}, { nameOnly: true }).toArray())
      .map((c) => c.name)
      .filter((name) => !NOT_MIGRATED.has(name) && !name.startsWith('system.'))
      .sort();
    for (const name of names) {
      collections[name] = 0;
      let lines: string[] = [];
      for await (const doc of db.collection(name).find({}).sort({ _id: 1 }).batchSize(1000)) {
        const line: ExportLine = { c: name, d: doc };
        lines.push(BSON.EJSON.stringify(line, { relaxed: false }));
        collections[name] += 1;
        documents += 1;
        if (lines.length === 1000) {
          await out.write(`${lines.join('\n')}\n`);
          lines = [];
        }
      }
      if (lines.length > 0) await out.write(`${lines.join('\n')}\n`);
    }
    await out.sync();
  } finally {
    await out.close();
    await client.close();
  }
  return { collections, documents };
}

export interface ImportResult extends MigrationCounts {
  /**
   * Documents refused as duplicates and found under their `_id` afterwards: the new outer DB
   * held them already (a re-run after an interruption); kept as they are.
   */
  readonly alreadyThere: number;
}

/**
 * Inserts every document of an export file into `db` (its indexes made first by
 * connectDatabase, so a unique username still holds). A document whose `_id` is there already
 * is left alone, so an interrupted import can run again. Fails, naming the collection and the
 * count only, when a document could not be inserted for another reason (a username taken by
 * a different account): the caller then keeps the old data dir.
 */
export async function importAccounts(db: Db, file: string): Promise<ImportResult> {
  const collections: Record<string, number> = {};
  let documents = 0;
  let alreadyThere = 0;
  let batch: Document[] = [];
  let current = '';
  const flush = async () => {
    if (batch.length === 0) return;
    const docs = batch;
    batch = [];
    const collection = db.collection(current);
    try {
      await collection.insertMany(docs, { ordered: false });
    } catch (error) {
      alreadyThere += duplicateIndexes(error).length;
    }
    // Every document must now be there under its own _id: a duplicate of another key (a
    // username) would have been refused without being there.
    const byId: Document = { _id: { $in: docs.map((doc) => doc._id as unknown) } };
    const present = await collection
      .find(byId, { projection: { _id: 1 } })
      .batchSize(docs.length)
      .toArray();
    const missing = docs.length - present.length;
    if (missing > 0)
      throw new Error(
        `${String(missing)} document(s) of collection ${current} could not be moved: the new outer DB ` +
          'holds other documents with the same unique key (for example a username registered there since)',
      );
    collections[current] = (collections[current] ?? 0) + docs.length;
    documents += docs.length;
  };
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const text of lines) {
    if (text.trim() === '') continue;
    const line = BSON.EJSON.parse(text, { relaxed: false }) as ExportLine;
    if (line.c !== current || batch.length === 500) await flush();
    current = line.c;
    batch.push(line.d);
  }
  await flush();
  return { collections, documents, alreadyThere };
}
