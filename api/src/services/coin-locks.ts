import type { Collection } from 'mongodb';
import { Limits } from '@fabric-wallet/ccaas/protocol';
import { duplicateIndexes, type CoinLockDoc, type UtxoDoc } from '../db/mongo.js';
import { ApiError } from '../errors.js';

/** How long coins stay reserved for one payment (covers endorsement, ordering and commit). */
const LOCK_MS = 120_000;

/**
 * Reservations of a wallet's coins for the payments in progress (`coinLocks`), so two
 * payments from one wallet never spend the same coin.
 */
export class CoinLocks {
  constructor(private readonly coinLocks: Collection<CoinLockDoc>) {}

  /**
   * Reserves coins of `unspent` worth at least `amount`, largest first, so two concurrent
   * payments from one wallet never pick the same coin. A reservation is its own document in
   * `coinLocks` (`_id` = outpoint), created by an insert that the unique `_id` lets only one
   * request win; an expired one is deleted (conditionally) and retaken. Coin documents are
   * written by the ledger projection alone: a lock can never overwrite a coin's `spent` (the
   * lost update behind the outer DB's divergence, see docs/api.md). Locks are not looked up
   * first (a wallet rarely pays twice at once): a coin another payment holds is refused by
   * the insert and the next coin tried.
   */
  async reserve(unspent: readonly UtxoDoc[], amount: bigint, lockId: string): Promise<UtxoDoc[]> {
    const now = new Date();
    const candidates = [...unspent].sort((a, b) =>
      BigInt(b.amount) > BigInt(a.amount) ? 1 : BigInt(b.amount) < BigInt(a.amount) ? -1 : 0,
    );
    const locked: UtxoDoc[] = [];
    let total = 0n;
    /** Coins other payments hold, skipped here. */
    let reservedElsewhere = 0n;
    const until = new Date(now.getTime() + LOCK_MS);
    // Reserve as many of the largest coins as the amount needs in one insert; coins another
    // payment won meanwhile are skipped and the next ones tried.
    let next = 0;
    while (total < amount && locked.length < Limits.inputsMax && next < candidates.length) {
      const batch: UtxoDoc[] = [];
      let batchTotal = total;
      while (
        batchTotal < amount &&
        locked.length + batch.length < Limits.inputsMax &&
        next < candidates.length
      ) {
        const coin = candidates[next++] as UtxoDoc;
        batch.push(coin);
        batchTotal += BigInt(coin.amount);
      }
      const taken = await this.takeLocks(batch, lockId, until, now);
      for (const coin of taken) {
        locked.push(coin);
        total += BigInt(coin.amount);
      }
      for (const coin of batch) if (!taken.includes(coin)) reservedElsewhere += BigInt(coin.amount);
    }
    if (total < amount) {
      await this.release(lockId, locked);
      // Enough coins, but other payments hold some: not a lack of funds (after an outer-DB
      // crash, a failed payment's reservations stay until they expire; the fault suite saw a
      // false 422 here).
      if (total + reservedElsewhere >= amount)
        throw new ApiError(
          409,
          'conflict',
          'Conflicting transaction',
          'coins this payment needs are reserved by another payment in progress; nothing was charged, try again',
        );
      throw new ApiError(
        422,
        'insufficient-funds',
        'Insufficient funds',
        `the spendable balance is ${total}, the payment needs ${amount}`,
      );
    }
    return locked;
  }

  /**
   * Reserves `coins` for this payment in one insert; returns those it now holds. Coins whose
   * reservation expired are deleted (only if still expired) and taken in a second insert.
   */
  private async takeLocks(
    coins: readonly UtxoDoc[],
    lockId: string,
    until: Date,
    now: Date,
  ): Promise<UtxoDoc[]> {
    let refused = await this.insertLocks(coins, lockId, until);
    if (refused.size === 0) return [...coins];
    // One delete command, an entry per coin found by its _id (a multi-document write with
    // `_id: {$in}` scans on DocumentDB; see applyTx).
    const expired = await this.coinLocks.bulkWrite(
      [...refused].map((_id) => ({ deleteOne: { filter: { _id, until: { $lte: now } } } })),
      { ordered: false },
    );
    if (expired.deletedCount > 0) {
      const retried = await this.insertLocks(
        coins.filter((coin) => refused.has(coin._id)),
        lockId,
        until,
      );
      refused = retried;
    }
    return coins.filter((coin) => !refused.has(coin._id));
  }

  /** Inserts one reservation per coin; returns the outpoints another payment holds. */
  private async insertLocks(coins: readonly UtxoDoc[], lockId: string, until: Date): Promise<Set<string>> {
    if (coins.length === 0) return new Set();
    try {
      await this.coinLocks.insertMany(
        coins.map((coin) => ({ _id: coin._id, lockId, until })),
        { ordered: false },
      );
      return new Set();
    } catch (error) {
      return new Set(duplicateIndexes(error).map((index) => coins[index]?._id ?? ''));
    }
  }

  /** Frees the reservations of a payment that did not happen (one delete entry per coin, by _id). */
  async release(lockId: string, coins: readonly UtxoDoc[]): Promise<void> {
    if (coins.length === 0) return;
    await this.coinLocks.bulkWrite(
      coins.map((coin) => ({ deleteOne: { filter: { _id: coin._id, lockId } } })),
      { ordered: false },
    );
  }
}
