import type { Collections } from './mongo.js';

/** How long an Idempotency-Key keeps its answer. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3600_000;

/**
 * Deletes expired sessions and idempotency records older than the retention, the work TTL
 * indexes would do on MongoDB (FerretDB v1 has none). Run periodically; safe to run anywhere.
 */
export async function purgeExpired(
  collections: Collections,
  now = new Date(),
): Promise<{ sessions: number; idempotency: number }> {
  const sessions = await collections.sessions.deleteMany({ expiresAt: { $lte: now } });
  const idempotency = await collections.idempotency.deleteMany({
    state: 'done',
    createdAt: { $lt: new Date(now.getTime() - IDEMPOTENCY_RETENTION_MS) },
  });
  return { sessions: sessions.deletedCount, idempotency: idempotency.deletedCount };
}
