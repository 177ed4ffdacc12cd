import type { Collection } from 'mongodb';
import type { UserDoc } from '../db/mongo.js';
import { tooManyRequests } from '../errors.js';

/** The fields of a user document that one limiter (logins, payment passwords) keeps. */
export interface AttemptFields {
  /** Failed attempts in a row plus attempts being checked right now. */
  readonly count: 'failedLogins' | 'paymentFailures';
  /** Attempts being checked right now. */
  readonly pending: 'loginPending' | 'paymentPending';
  /** When the last attempt was taken (an attempt left pending by a crash expires after this). */
  readonly at: 'loginAttemptAt' | 'paymentAttemptAt';
  readonly lockedUntil: 'lockedUntil' | 'paymentLockedUntil';
}

export const LOGIN_ATTEMPTS: AttemptFields = {
  count: 'failedLogins',
  pending: 'loginPending',
  at: 'loginAttemptAt',
  lockedUntil: 'lockedUntil',
};
export const PAYMENT_ATTEMPTS: AttemptFields = {
  count: 'paymentFailures',
  pending: 'paymentPending',
  at: 'paymentAttemptAt',
  lockedUntil: 'paymentLockedUntil',
};

export interface AttemptPolicy {
  /** Failures in a row (counting attempts in flight) before the lock. */
  readonly max: number;
  readonly lockMs: number;
  /** An attempt still pending after this long was lost by a crashed process. */
  readonly staleMs: number;
}

/** How long an attempt waits for a place held by another attempt in flight. */
const WAIT_MS = 2000;

export const DEFAULT_ATTEMPT_POLICY: AttemptPolicy = { max: 5, lockMs: 15 * 60_000, staleMs: 60_000 };

type Counters = Partial<Pick<UserDoc, AttemptFields[keyof AttemptFields]>>;

/**
 * Limits guesses of a secret per account, and holds under concurrency: an attempt is counted
 * (atomically, in the user's document) BEFORE the secret is checked, so N concurrent guesses
 * take N of the `max` places and the rest are refused without a check. A correct attempt
 * gives its place back (and clears the failures when no other attempt is in flight); a wrong
 * one keeps it, and the one that fills the last place locks the account for `lockMs`.
 */
export class AttemptLimiter {
  constructor(
    private readonly users: Collection<UserDoc>,
    private readonly fields: AttemptFields,
    private readonly policy: AttemptPolicy = DEFAULT_ATTEMPT_POLICY,
    private readonly lockedMessage = 'too many failed attempts; try again later',
  ) {}

  /**
   * Runs `check` as one counted attempt for `userId`: its result when it succeeds; `false`
   * (counted as a failure) when it returns false; 429 when no attempt may be made now.
   * An exception from `check` gives the place back and is rethrown (not a failure).
   */
  async attempt(userId: string, check: () => Promise<boolean> | boolean, now = new Date()): Promise<boolean> {
    await this.reserve(userId, now);
    let ok: boolean;
    try {
      ok = await check();
    } catch (error) {
      await this.users.updateOne(
        { _id: userId },
        { $inc: { [this.fields.count]: -1, [this.fields.pending]: -1 } },
      );
      throw error;
    }
    const { count, pending, lockedUntil } = this.fields;
    if (ok) {
      // Alone in flight: clear the failures with our place; otherwise give back our place only.
      const cleared = await this.users.updateOne(
        { _id: userId, [pending]: 1 },
        { $set: { [count]: 0, [pending]: 0 } },
      );
      if (cleared.matchedCount === 0)
        await this.users.updateOne({ _id: userId }, { $inc: { [count]: -1, [pending]: -1 } });
      return true;
    }
    const after = await this.users.findOneAndUpdate(
      { _id: userId },
      { $inc: { [pending]: -1 } },
      { returnDocument: 'after', projection: { [count]: 1, [lockedUntil]: 1 } },
    );
    const counters = (after ?? {}) as Counters;
    if ((counters[count] ?? 0) >= this.policy.max && !counters[lockedUntil])
      await this.users.updateOne(
        { _id: userId, [lockedUntil]: { $exists: false } },
        { $set: { [lockedUntil]: new Date(now.getTime() + this.policy.lockMs) } },
      );
    return false;
  }

  /**
   * Takes one place, or throws 429; repairs an expired lock or places lost by a crash first.
   * When every place is taken by attempts in flight (one account paying many times at once),
   * it waits for one to be given back, up to WAIT_MS: each check takes a few milliseconds.
   */
  private async reserve(userId: string, now: Date): Promise<void> {
    const { count, pending, at, lockedUntil } = this.fields;
    const deadline = Date.now() + WAIT_MS;
    for (let round = 0; round < 2 || Date.now() < deadline; round++) {
      const taken = await this.users.updateOne(
        { _id: userId, [count]: { $not: { $gte: this.policy.max } }, [lockedUntil]: { $exists: false } },
        { $inc: { [count]: 1, [pending]: 1 }, $set: { [at]: now } },
      );
      if (taken.matchedCount === 1) return;
      const current = (await this.users.findOne(
        { _id: userId },
        { projection: { [count]: 1, [pending]: 1, [at]: 1, [lockedUntil]: 1 } },
      )) as Counters | null;
      if (!current) return; // the account is gone; the check that follows fails on its own
      const locked = current[lockedUntil];
      if (locked && locked > now)
        throw tooManyRequests(this.lockedMessage, Math.ceil((locked.getTime() - now.getTime()) / 1000));
      if (locked) {
        // The lock expired: start again from zero (once, whoever gets there first).
        await this.users.updateOne(
          { _id: userId, [lockedUntil]: locked },
          { $set: { [count]: 0, [pending]: 0 }, $unset: { [lockedUntil]: '' } },
        );
        continue;
      }
      // Places were given back since the update was refused: try again.
      if ((current[count] ?? 0) < this.policy.max) continue;
      const last = current[at];
      const lost = current[pending] ?? 0;
      if (lost > 0 && last && now.getTime() - last.getTime() > this.policy.staleMs) {
        // Attempts still pending long after the last one began were lost by a crash.
        await this.users.updateOne(
          { _id: userId, [at]: last, [pending]: lost },
          { $inc: { [count]: -lost, [pending]: -lost } },
        );
        continue;
      }
      if (lost === 0) {
        // Full without a lock: the failure that filled it stopped before locking. Lock now.
        const until = new Date(now.getTime() + this.policy.lockMs);
        await this.users.updateOne(
          { _id: userId, [lockedUntil]: { $exists: false } },
          { $set: { [lockedUntil]: until } },
        );
        throw tooManyRequests(this.lockedMessage, Math.ceil(this.policy.lockMs / 1000));
      }
      // Places held by attempts in flight: wait for one (with jitter, so waiters spread out).
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
    throw tooManyRequests('too many attempts at once for this account; try again in a second', 1);
  }
}
