import type { Collection } from 'mongodb';
import { isDuplicateKey, type AttemptDoc } from '../db/mongo.js';
import { tooManyRequests } from '../errors.js';

/** Which secret a limiter guards; each account has one counter document per kind. */
export type AttemptKind = 'login' | 'payment';

export interface AttemptPolicy {
  /** Failures in a row (counting attempts in flight) before the lock. */
  readonly max: number;
  readonly lockMs: number;
  /** An attempt still pending after this long was lost by a crashed process. */
  readonly staleMs: number;
}

export const DEFAULT_ATTEMPT_POLICY: AttemptPolicy = { max: 5, lockMs: 15 * 60_000, staleMs: 60_000 };

/** How long an attempt waits for a place held by another attempt in flight. */
const WAIT_MS = 2000;

/**
 * Limits guesses of a secret per account, and holds under concurrency: an attempt is counted
 * (atomically, in the account's counter document) BEFORE the secret is checked, so N
 * concurrent guesses take N of the `max` places and the rest are refused without a check. A
 * correct attempt gives its place back (and clears the failures when no other attempt is in
 * flight); a wrong one keeps it, and the one that fills the last place locks the account for
 * `lockMs`. The counters live in their own small documents (`attempts`, `_id`
 * `login:<username>` for logins, known usernames or not; `payment:<userId>`), not in the user
 * document, so a payment does not rewrite the account.
 */
export class AttemptLimiter {
  constructor(
    private readonly attempts: Collection<AttemptDoc>,
    private readonly kind: AttemptKind,
    private readonly policy: AttemptPolicy = DEFAULT_ATTEMPT_POLICY,
    private readonly lockedMessage = 'too many failed attempts; try again later',
  ) {}

  private id(userId: string): string {
    return `${this.kind}:${userId}`;
  }

  /**
   * Runs `check` as one counted attempt for `userId`: true when it succeeds; false (counted
   * as a failure) when it returns false; 429 when no attempt may be made now. An exception
   * from `check` gives the place back and is rethrown (not a failure).
   */
  async attempt(userId: string, check: () => Promise<boolean> | boolean, now = new Date()): Promise<boolean> {
    const _id = this.id(userId);
    await this.reserve(_id, now);
    let ok: boolean;
    try {
      ok = await check();
    } catch (error) {
      await this.attempts.updateOne({ _id }, { $inc: { count: -1, pending: -1 } });
      throw error;
    }
    if (ok) {
      // Alone in flight: clear the failures with our place; otherwise give back our place only.
      const cleared = await this.attempts.updateOne({ _id, pending: 1 }, { $set: { count: 0, pending: 0 } });
      if (cleared.matchedCount === 0)
        await this.attempts.updateOne({ _id }, { $inc: { count: -1, pending: -1 } });
      return true;
    }
    const after = await this.attempts.findOneAndUpdate(
      { _id },
      { $inc: { pending: -1 } },
      { returnDocument: 'after', projection: { count: 1, lockedUntil: 1 } },
    );
    if ((after?.count ?? 0) >= this.policy.max && !after?.lockedUntil)
      await this.attempts.updateOne(
        { _id, lockedUntil: { $exists: false } },
        { $set: { lockedUntil: new Date(now.getTime() + this.policy.lockMs) } },
      );
    return false;
  }

  /**
   * Takes one place, or throws 429; repairs an expired lock or places lost by a crash first.
   * When every place is taken by attempts in flight (one account paying many times at once),
   * it waits for one to be given back, up to WAIT_MS: each check takes a few milliseconds.
   */
  private async reserve(_id: string, now: Date): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (let round = 0; round < 2 || Date.now() < deadline; round++) {
      const taken = await this.attempts.updateOne(
        { _id, count: { $lt: this.policy.max }, lockedUntil: { $exists: false } },
        { $inc: { count: 1, pending: 1 }, $set: { at: now } },
      );
      if (taken.matchedCount === 1) return;
      const current = await this.attempts.findOne({ _id });
      if (!current) {
        // The account's first attempt: its counters start at zero (a concurrent first
        // attempt may have made them already).
        await this.attempts.insertOne({ _id, count: 0, pending: 0 }).catch((error: unknown) => {
          if (!isDuplicateKey(error)) throw error;
        });
        continue;
      }
      const locked = current.lockedUntil;
      if (locked && locked > now)
        throw tooManyRequests(this.lockedMessage, Math.ceil((locked.getTime() - now.getTime()) / 1000));
      if (locked) {
        // The lock expired: start again from zero (once, whoever gets there first).
        await this.attempts.updateOne(
          { _id, lockedUntil: locked },
          { $set: { count: 0, pending: 0 }, $unset: { lockedUntil: '' } },
        );
        continue;
      }
      // Places were given back since the update was refused: try again.
      if (current.count < this.policy.max) continue;
      const last = current.at;
      const lost = current.pending;
      if (lost > 0 && last && now.getTime() - last.getTime() > this.policy.staleMs) {
        // Attempts still pending long after the last one began were lost by a crash.
        await this.attempts.updateOne(
          { _id, at: last, pending: lost },
          { $inc: { count: -lost, pending: -lost } },
        );
        continue;
      }
      if (lost === 0) {
        // Full without a lock: the failure that filled it stopped before locking. Lock now.
        await this.attempts.updateOne(
          { _id, lockedUntil: { $exists: false } },
          { $set: { lockedUntil: new Date(now.getTime() + this.policy.lockMs) } },
        );
        throw tooManyRequests(this.lockedMessage, Math.ceil(this.policy.lockMs / 1000));
      }
      // Places held by attempts in flight: wait for one (with jitter, so waiters spread out).
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
    throw tooManyRequests('too many attempts at once for this account; try again in a second', 1);
  }
}
