import type { Collections } from './mongo.js';

/** How long an Idempotency-Key keeps its answer. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3600_000;
/** How long idle attempt counters are kept. */
const ATTEMPTS_RETENTION_MS = 24 * 3600_000;

/**
 * Deletes expired sessions, expired coin reservations and idempotency records older than the retention, the work TTL
 * indexes would do on MongoDB (FerretDB v1 has none). Run periodically; safe to run anywhere.
 */
export async function purgeExpired(
  collections: Collections,
  now = new Date(),
): Promise<{ sessions: number; idempotency: number; coinLocks: number; attempts: number }> {
  const sessions = await collections.sessions.deleteMany({ expiresAt: { $lte: now } });
  const idempotency = await collections.idempotency.deleteMany({
    state: 'done',
    createdAt: { $lt: new Date(now.getTime() - IDEMPOTENCY_RETENTION_MS) },
  });
  // Reservations of coins that were spent are left to expire by the payment (Wallet.pay).
  const coinLocks = await collections.coinLocks.deleteMany({ until: { $lte: now } });
  // Attempt counters untouched for a day, with nothing in flight and no lock still running
  // (logins are counted per username, known or not, so these accumulate).
  const attempts = await collections.attempts.deleteMany({
    at: { $lt: new Date(now.getTime() - ATTEMPTS_RETENTION_MS) },
    pending: 0,
    $or: [{ lockedUntil: { $exists: false } }, { lockedUntil: { $lte: now } }],
  });
  return {
    sessions: sessions.deletedCount,
    idempotency: idempotency.deletedCount,
    coinLocks: coinLocks.deletedCount,
    attempts: attempts.deletedCount,
  };
}
