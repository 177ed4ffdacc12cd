import type { Context } from 'hono';
import type { IdempotentRun, Recovery } from '../services/idempotency.js';
import type { SessionEnv } from '../types.js';

/**
 * The body of a state-changing route that answers 201: runs `work` once per Idempotency-Key
 * of the caller (header `Idempotency-Key`), fingerprinting the request without its payment
 * password, and marks a replayed answer with `Idempotent-Replayed: true`.
 */
export async function once<T>(
  c: Context<SessionEnv>,
  idempotency: IdempotentRun,
  request: Readonly<Record<string, unknown>>,
  work: () => Promise<T>,
  recovery?: Recovery,
): Promise<T> {
  const { paymentPassword: _secret, ...fingerprint } = request;
  const key = c.req.header('idempotency-key');
  const result = await idempotency.run(
    c.get('user')._id,
    key,
    fingerprint,
    async () => ({ status: 201, body: await work() }),
    recovery,
  );
  if (result.saved === false)
    c.get('logger').warn(
      { idempotencyKey: key },
      'the answer of a completed request was not saved; its Idempotency-Key stays pending',
    );
  if (result.replayed) c.header('Idempotent-Replayed', 'true');
  // A replayed body is the one this route's `work` gave the first time, read back from the
  // outer DB.
  return result.body as T;
}
