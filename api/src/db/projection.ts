import type { Screening, Ticket, TxRecord } from '@fabric-wallet/ccaas';
import { MongoServerError } from 'mongodb';
import type { Collections, MovementDoc, MovementKind } from './mongo.js';

const kindOf: Record<TxRecord['kind'], MovementKind> = {
  mint: 'recharge',
  transfer: 'transfer',
  purchase: 'ticket',
};

/**
 * Runs an upsert, retrying when a concurrent upsert of the same _id won the insert (the
 * indexer and a write request may apply one transaction at the same moment): the retry finds
 * the document and updates it.
 */
async function upsert(write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === 11000) || attempt >= 3) throw error;
    }
  }
}

/**
 * Applies one committed transaction record to the outer DB. Every write is an idempotent
 * upsert keyed by tx id or outpoint, so applying a record twice, or in the order the indexer
 * and a write request happen to see it, gives the same result. `spent` is only ever set, so
 * an output whose spend is applied before its creation stays spent.
 */
export async function applyTx(
  collections: Collections,
  record: TxRecord,
  blockNumber: number | null,
): Promise<void> {
  const ts = new Date(record.ts);
  const owners = [
    ...new Set([
      ...record.inputs.map((input) => input.owner),
      ...record.outputs.map((output) => output.address),
    ]),
  ];
  const users = new Map(
    (await collections.addresses.find({ _id: { $in: owners } }, { projection: { userId: 1 } }).toArray()).map(
      (doc) => [doc._id, doc.userId],
    ),
  );
  const userOf = (address: string) => users.get(address) ?? null;

  await upsert(() =>
    collections.txs.updateOne(
      { _id: record.txId },
      blockNumber === null
        ? { $setOnInsert: { record, blockNumber: null } }
        : { $set: { record, blockNumber } },
      { upsert: true },
    ),
  );
  for (const input of record.inputs) {
    await upsert(() =>
      collections.utxos.updateOne(
        { _id: `${input.txId}:${input.index}` },
        {
          $set: { spent: true, spentBy: record.txId },
          $unset: { lockedBy: '', lockedUntil: '' },
          $setOnInsert: {
            txId: input.txId,
            index: input.index,
            owner: input.owner,
            userId: userOf(input.owner),
            amount: input.amount,
            ts,
          },
        },
        { upsert: true },
      ),
    );
  }
  for (const [index, output] of record.outputs.entries()) {
    await upsert(() =>
      collections.utxos.updateOne(
        { _id: `${record.txId}:${index}` },
        {
          $set: {
            txId: record.txId,
            index,
            owner: output.address,
            userId: userOf(output.address),
            amount: output.amount,
            ts,
          },
          $setOnInsert: { spent: false },
        },
        { upsert: true },
      ),
    );
  }
  for (const movement of movementsOf(record, userOf)) {
    await upsert(() => collections.movements.replaceOne({ _id: movement._id }, movement, { upsert: true }));
  }
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
  await upsert(() =>
    collections.screenings.replaceOne(
      { _id: screening.screeningId },
      {
        film: screening.film,
        startsAt: new Date(screening.startsAt),
        seatMap: screening.seatMap.map((row) => ({ row: row.row, count: row.count })),
        price: screening.price,
        cinemaAddress: screening.cinemaAddress,
        merchantUserId: owner?.userId ?? null,
        createdAt: new Date(screening.createdAt),
        txId: screening.txId,
      },
      { upsert: true },
    ),
  );
}

/** Records tickets as sold or redeemed (idempotent; a redemption is never undone). */
export async function applyTickets(collections: Collections, tickets: readonly Ticket[]): Promise<void> {
  for (const ticket of tickets) {
    const holder = await collections.addresses.findOne({ _id: ticket.holder }, { projection: { userId: 1 } });
    await upsert(() =>
      collections.tickets.updateOne(
        { _id: ticket.ticketId },
        {
          $set: {
            screeningId: ticket.screeningId,
            seat: ticket.seat,
            holder: ticket.holder,
            holderUserId: holder?.userId ?? null,
            txId: ticket.txId,
            soldAt: new Date(ticket.soldAt),
            ...(ticket.redeemedAt === undefined ? {} : { redeemedAt: new Date(ticket.redeemedAt) }),
          },
        },
        { upsert: true },
      ),
    );
  }
}
