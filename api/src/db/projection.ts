import type { Screening, Ticket, TxRecord } from '@fabric-wallet/ccaas';
import type { Collection, Filter, OptionalUnlessRequiredId, UpdateFilter } from 'mongodb';
import {
  duplicateIndexes,
  isDuplicateKey,
  type Collections,
  type MovementDoc,
  type MovementKind,
  type UtxoDoc,
} from './mongo.js';

const kindOf: Record<TxRecord['kind'], MovementKind> = {
  mint: 'recharge',
  transfer: 'transfer',
  purchase: 'ticket',
};

/**
 * Writes one document whether or not it exists yet, without an upsert: update it if it is
 * there, else insert it, and if a concurrent writer inserted it first (duplicate key), update
 * again. The indexer and a write request apply the same transaction at the same moment; a
 * server's upsert under such a race may drop one writer's changes (seen on FerretDB v2 with
 * DocumentDB: a transaction left without its block number), while a plain update and a plain
 * insert are each atomic on every server. `update` null means "insert only if missing".
 */
async function writeDoc<T extends { _id: string }>(
  collection: Collection<T>,
  doc: T,
  update: UpdateFilter<T> | null,
): Promise<void> {
  const filter = { _id: doc._id } as Filter<T>;
  if (!update) {
    // Insert only if missing: one round trip, and a duplicate key means it is there already.
    // (Not countDocuments first: an aggregate, after which FerretDB v2.5 serves the next
    // request on a fresh PostgreSQL connection; docs/performance.md.)
    try {
      await collection.insertOne(doc as OptionalUnlessRequiredId<T>);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    return;
  }
  for (let attempt = 1; ; attempt++) {
    const updated = await collection.updateOne(filter, update);
    if (updated.matchedCount === 1) return;
    try {
      await collection.insertOne(doc as OptionalUnlessRequiredId<T>);
      return;
    } catch (error) {
      if (!isDuplicateKey(error) || attempt >= 3) throw error;
    }
  }
}

/** Replaces one document, inserting it when missing (same race rules as writeDoc). */
async function putDoc<T extends { _id: string }>(collection: Collection<T>, doc: T): Promise<void> {
  const filter = { _id: doc._id } as Filter<T>;
  for (let attempt = 1; ; attempt++) {
    const { _id: _ignored, ...rest } = doc;
    const replaced = await collection.replaceOne(filter, rest);
    if (replaced.matchedCount === 1) return;
    try {
      await collection.insertOne(doc as OptionalUnlessRequiredId<T>);
      return;
    } catch (error) {
      if (!isDuplicateKey(error) || attempt >= 3) throw error;
    }
  }
}

/**
 * Inserts `docs` in one round trip; each one another writer inserted first (duplicate key)
 * is written with `onDuplicate` instead, one by one (rare: the indexer and the API applying
 * the same record at the same moment, or a replay).
 */
async function insertAll<T extends { _id: string }>(
  collection: Collection<T>,
  docs: readonly T[],
  onDuplicate: (doc: T) => Promise<void>,
): Promise<void> {
  if (docs.length === 0) return;
  try {
    await collection.insertMany(docs as OptionalUnlessRequiredId<T>[], { ordered: false });
  } catch (error) {
    for (const index of duplicateIndexes(error)) {
      const doc = docs[index];
      if (doc) await onDuplicate(doc);
    }
  }
}

/**
 * Applies one committed transaction record to the outer DB. Every write is idempotent and
 * keyed by tx id or outpoint, so applying a record twice, or in the order the indexer
 * and a write request happen to see it, gives the same result. `spent` is only ever set, so
 * an output whose spend is applied before its creation stays spent.
 *
 * The transaction document is written last, so its presence means the rest is written. The
 * API and the indexer both apply every payment, in either order; whichever comes second
 * finds the document and stops there (the indexer only sets the block number on it), which
 * saves about nine round trips per payment. `full` applies everything regardless (the
 * reconciler, restoring a document that went missing).
 */
export async function applyTx(
  collections: Collections,
  record: TxRecord,
  blockNumber: number | null,
  mode: 'unless-applied' | 'full' = 'unless-applied',
  /** The user of each address of the record, when the caller knows them all (null: nobody's). */
  owners?: ReadonlyMap<string, string | null>,
): Promise<void> {
  if (mode === 'unless-applied') {
    const found =
      blockNumber === null
        ? (await collections.txs.findOne({ _id: record.txId }, { projection: { _id: 1 } })) !== null
        : (await collections.txs.updateOne({ _id: record.txId }, { $set: { record, blockNumber } }))
            .matchedCount === 1;
    if (found) return;
  }
  const ts = new Date(record.ts);
  const addresses = [
    ...new Set([
      ...record.inputs.map((input) => input.owner),
      ...record.outputs.map((output) => output.address),
    ]),
  ];
  const users: ReadonlyMap<string, string | null> = addresses.every((address) => owners?.has(address))
    ? (owners as ReadonlyMap<string, string | null>)
    : new Map(
        (
          await collections.addresses
            .find({ _id: { $in: addresses } }, { projection: { userId: 1 } })
            .toArray()
        ).map((doc) => [doc._id, doc.userId]),
      );
  const userOf = (address: string) => users.get(address) ?? null;

  // The spent inputs: one update for all (they exist unless records arrive out of order).
  const spends = record.inputs.map((input): UtxoDoc => ({
    _id: `${input.txId}:${input.index}`,
    txId: input.txId,
    index: input.index,
    owner: input.owner,
    userId: userOf(input.owner),
    amount: input.amount,
    ts,
    spent: true,
    spentBy: record.txId,
  }));
  const spend = { $set: { spent: true, spentBy: record.txId } };
  if (spends.length > 0) {
    // One update command with an entry per coin, each found by its _id. (Not one updateMany
    // with `_id: {$in: [...]}`: DocumentDB's multi-document update does not use the primary
    // key for $in and read every coin, 300 ms at 100k users; docs/performance.md.)
    const updated = await collections.utxos.bulkWrite(
      spends.map((coin) => ({ updateOne: { filter: { _id: coin._id }, update: spend } })),
      { ordered: false },
    );
    if (updated.matchedCount < spends.length)
      for (const coin of spends) await writeDoc(collections.utxos, coin, spend);
  }
  // The new outputs: one insert for all. `spent` is only ever set: an output whose spend
  // was applied first stays spent.
  const outputs = record.outputs.map((output, index): UtxoDoc => ({
    _id: `${record.txId}:${index}`,
    txId: record.txId,
    index,
    owner: output.address,
    userId: userOf(output.address),
    amount: output.amount,
    ts,
    spent: false,
  }));
  await insertAll(collections.utxos, outputs, async ({ _id, spent: _spent, ...fields }) => {
    await writeDoc(collections.utxos, { _id, ...fields, spent: false }, { $set: fields });
  });
  await insertAll(collections.movements, movementsOf(record, userOf), (movement) =>
    putDoc(collections.movements, movement),
  );
  await writeDoc(
    collections.txs,
    { _id: record.txId, record, blockNumber },
    blockNumber === null ? null : { $set: { record, blockNumber } },
  );
}

/** The bill lines of a transaction: one per user it touched, with the net amount. */
export function movementsOf(record: TxRecord, userOf: (address: string) => string | null): MovementDoc[] {
  const net = new Map<string, bigint>();
  const add = (userId: string | null, amount: bigint) => {
    if (userId !== null) net.set(userId, (net.get(userId) ?? 0n) + amount);
  };
  for (const input of record.inputs) add(userOf(input.owner), -BigInt(input.amount));
  for (const output of record.outputs) add(userOf(output.address), BigInt(output.amount));
  return [...net].map(([userId, amount]) => {
    const direction = amount > 0n ? 'in' : amount < 0n ? 'out' : 'self';
    const others =
      direction === 'in'
        ? record.inputs.map((input) => input.owner).filter((address) => userOf(address) !== userId)
        : record.outputs.map((output) => output.address).filter((address) => userOf(address) !== userId);
    return {
      _id: `${record.txId}:${userId}`,
      userId,
      txId: record.txId,
      kind: kindOf[record.kind],
      direction,
      amount: (amount < 0n ? -amount : amount).toString(),
      counterparties: [...new Set(others)],
      ts: new Date(record.ts),
      memoHash: record.memoHash,
    };
  });
}

/** Records a screening (idempotent); its merchant is the user owning the cinema address. */
export async function applyScreening(collections: Collections, screening: Screening): Promise<void> {
  const owner = await collections.addresses.findOne(
    { _id: screening.cinemaAddress },
    { projection: { userId: 1 } },
  );
  await putDoc(collections.screenings, {
    _id: screening.screeningId,
    film: screening.film,
    startsAt: new Date(screening.startsAt),
    seatMap: screening.seatMap.map((row) => ({ row: row.row, count: row.count })),
    price: screening.price,
    cinemaAddress: screening.cinemaAddress,
    merchantUserId: owner?.userId ?? null,
    createdAt: new Date(screening.createdAt),
    txId: screening.txId,
  });
}

/** Records tickets as sold or redeemed (idempotent; a redemption is never undone). */
export async function applyTickets(collections: Collections, tickets: readonly Ticket[]): Promise<void> {
  for (const ticket of tickets) {
    const holder = await collections.addresses.findOne({ _id: ticket.holder }, { projection: { userId: 1 } });
    const fields = {
      screeningId: ticket.screeningId,
      seat: ticket.seat,
      holder: ticket.holder,
      holderUserId: holder?.userId ?? null,
      txId: ticket.txId,
      soldAt: new Date(ticket.soldAt),
      ...(ticket.redeemedAt === undefined ? {} : { redeemedAt: new Date(ticket.redeemedAt) }),
    };
    await writeDoc(collections.tickets, { _id: ticket.ticketId, ...fields }, { $set: fields });
  }
}
