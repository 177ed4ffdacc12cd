import { createHash, randomUUID } from 'node:crypto';
import type { Collections, IdempotencyDoc } from '../db/mongo.js';
import { ApiError, badRequest, conflict } from '../errors.js';
import { isDuplicateKey } from '../db/mongo.js';
import { ChaincodeResultError, type TxRecord } from '@fabric-wallet/ccaas/protocol';
import { beforeOrdering, CommitUnknownError } from '../fabric/ledger.js';

/** What an Idempotency-Key may be (the OpenAPI document states it too). */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;
/** How long a duplicate waits for the first request with its key to finish. */
const WAIT_MS = 90_000;
/**
 * How long a running request holds its key without renewing (it renews every third of it):
 * the default of API_IDEMPOTENCY_LEASE_SECONDS. A retry after the holder died waits this long.
 */
export const DEFAULT_LEASE_MS = 30_000;
/**
 * A transaction not on the ledger this long after it was sent never will be: the orderer puts
 * what it has in a block within seconds, or lost it in a crash, and only the dead process had
 * the signed envelope to send it again.
 */
const SENT_SETTLED_MS = 120_000;

/**
 * How a retry finishes a request whose process died (its lease ran out): `lookup` finds a
 * transaction it sent on the ledger, `answer` turns that transaction into the request's answer.
 * Without `answer` a request that reached the ledger keeps its key pending (409 to retries).
 */
export interface Recovery {
  lookup(txId: string): Promise<TxRecord | undefined>;
  answer?(record: TxRecord): unknown;
}

/** What a request run once per Idempotency-Key answered, and whether it is a replay. */
export interface IdempotentResult {
  readonly status: number;
  readonly body: unknown;
  readonly replayed: boolean;
  /** False when a completed request's answer could not be stored (its key stays pending). */
  readonly saved?: boolean;
}

/** The work of a request: its answer's status and body. */
export type RequestWork = () => Promise<{ status: number; body: unknown }>;

/** Runs requests once per (user, Idempotency-Key); see `idempotent`. */
export interface IdempotentRun {
  run(
    userId: string,
    key: string | undefined,
    request: unknown,
    work: RequestWork,
    recovery?: Recovery,
  ): Promise<IdempotentResult>;
}

/** The outer DB's idempotency records (`idempotency`), behind IdempotentRun. */
export class Idempotency implements IdempotentRun {
  constructor(
    private readonly collections: Collections,
    private readonly leaseMs = DEFAULT_LEASE_MS,
  ) {}

  readonly run: IdempotentRun['run'] = (userId, key, request, work, recovery) =>
    idempotent(this.collections, userId, key, request, work, recovery, this.leaseMs);
}

/**
 * Runs a state-changing request once per (user, Idempotency-Key): the same key and body
 * return the first result (a duplicate arriving while the first runs waits for it); the same
 * key with another body is a 409. A request that failed with a client error keeps that answer;
 * one that failed otherwise frees its key so it can be retried, unless what it sent the ledger
 * may still commit.
 */
export async function idempotent(
  collections: Collections,
  userId: string,
  key: string | undefined,
  request: unknown,
  work: RequestWork,
  recovery?: Recovery,
  leaseMs = DEFAULT_LEASE_MS,
): Promise<IdempotentResult> {
  if (key === undefined)
    throw badRequest(
      'the Idempotency-Key header is required for this request (8-128 characters: letters, digits, _ . : -)',
    );
  if (!IDEMPOTENCY_KEY.test(key))
    throw badRequest('the Idempotency-Key header must be 8-128 characters: letters, digits, _ . : -');
  const id = `${userId}:${key}`;
  const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  const owner = randomUUID();
  try {
    await collections.idempotency.insertOne({
      _id: id,
      requestHash,
      state: 'pending',
      createdAt: new Date(),
      owner,
      leaseUntil: new Date(Date.now() + leaseMs),
      // Present and empty: this version records what it sends (see orphanOutcome).
      sent: [],
    });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return replay(
      collections,
      id,
      requestHash,
      (taker) => run(collections, id, taker, work, leaseMs),
      recovery,
      leaseMs,
    );
  }
  return run(collections, id, owner, work, leaseMs);
}

/** The request's lease was taken over (this process stalled past it): it must send nothing more. */
class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/** Runs a write up to three times over about 2 s (the outer DB restarting); whether it ran. */
async function persist(write: () => Promise<unknown>): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return true;
    } catch {
      if (attempt >= 3) return false;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/**
 * Runs the request holding its key as `owner`: the lease renewed, each transaction recorded
 * before it is sent. Every write is conditional on still being the owner, and a send whose
 * record fails (the lease taken over, the outer DB down) does not happen: a taker must never
 * run a request whose first run could still send.
 */
async function run(
  collections: Collections,
  id: string,
  owner: string,
  work: RequestWork,
  leaseMs: number,
): Promise<IdempotentResult> {
  const mine = { _id: id, owner, state: 'pending' as const };
  const renew = setInterval(() => {
    collections.idempotency
      .updateOne(mine, { $set: { leaseUntil: new Date(Date.now() + leaseMs) } })
      .catch(() => undefined);
  }, leaseMs / 3);
  renew.unref();
  const recordSent = async (txId: string) => {
    const recorded = await collections.idempotency.updateOne(mine, {
      $push: { sent: { txId, at: new Date() } },
    });
    if (recorded.matchedCount === 0) throw new LeaseLostError('the request was taken over by a retry');
  };
  let response: { status: number; body: unknown };
  try {
    response = await beforeOrdering.run(recordSent, work);
  } catch (error) {
    clearInterval(renew);
    if (error instanceof LeaseLostError)
      throw conflict(
        'idempotency-in-progress',
        'In progress',
        'a retry of this request took it over; wait for its answer',
      );
    if (error instanceof ApiError && error.status < 500) {
      const response = {
        status: error.status,
        body: {
          problem: {
            kind: error.kind,
            title: error.title,
            detail: error.detail,
            extensions: error.extensions,
          },
        },
      };
      await persist(() => collections.idempotency.updateOne(mine, { $set: { state: 'done', response } }));
    } else if (!mayHaveCommitted(error)) {
      // Freed at once, so a retry runs now rather than after the lease (the outer DB may be
      // restarting: tried three times).
      await persist(() => collections.idempotency.deleteOne(mine));
    }
    // A transaction the ledger may yet commit keeps its key pending: running the request again
    // could pay twice. A retry waits for the record, then gets 409 idempotency-in-progress.
    throw error;
  }
  clearInterval(renew);
  // The work is done (a payment is on the ledger): from here on the key is never freed, even
  // when the answer cannot be saved (the outer DB down); a retry then waits instead of paying
  // again (the fault suite saw a payment made twice when the key was freed here).
  const saved = await persist(() =>
    collections.idempotency.updateOne({ _id: id, owner }, { $set: { state: 'done', response } }),
  );
  return { ...response, replayed: false, saved };
}

/**
 * A transaction the ledger may yet commit, or did commit though its result could not be read
 * (the chaincode answered what the protocol refuses): running the request again could pay
 * twice.
 */
function mayHaveCommitted(error: unknown): boolean {
  return error instanceof CommitUnknownError || (error instanceof ChaincodeResultError && error.committed);
}

async function replay(
  collections: Collections,
  id: string,
  requestHash: string,
  takeOver: (owner: string) => Promise<IdempotentResult>,
  recovery: Recovery | undefined,
  leaseMs: number,
): Promise<IdempotentResult> {
  const deadline = Date.now() + WAIT_MS;
  let checkedAt = 0;
  for (;;) {
    const existing = await collections.idempotency.findOne({ _id: id });
    if (!existing)
      throw conflict(
        'idempotency-retry',
        'Retry',
        'the first request with this Idempotency-Key failed; send it again',
      );
    if (existing.requestHash !== requestHash) {
      throw conflict(
        'idempotency-key-reused',
        'Idempotency-Key reused',
        'this Idempotency-Key was used with a different request',
      );
    }
    if (existing.state === 'done' && existing.response) {
      const { status, body } = existing.response;
      const problem = (
        body as {
          problem?: { kind: string; title: string; detail: string; extensions: Record<string, unknown> };
        }
      ).problem;
      if (problem)
        throw new ApiError(status, problem.kind, problem.title, problem.detail, problem.extensions);
      return { status, body, replayed: true };
    }
    // Pending past its lease: the process running it died. Checked every 2 s while waiting.
    const leaseUntil = existing.leaseUntil ?? new Date(existing.createdAt.getTime() + leaseMs);
    if (leaseUntil.getTime() < Date.now() && Date.now() - checkedAt > 2_000) {
      checkedAt = Date.now();
      const outcome = await orphanOutcome(existing, recovery);
      if (outcome.kind === 'committed' && recovery?.answer) {
        const response = { status: 201, body: recovery.answer(outcome.record) };
        await collections.idempotency.updateOne(
          { _id: id, state: 'pending' },
          { $set: { state: 'done', response } },
        );
        return { ...response, replayed: true };
      }
      if (outcome.kind === 'never-sent') {
        // Take the request over (compare-and-set on the dead lease: one retry wins), and run it.
        const owner = randomUUID();
        const taken = await collections.idempotency.updateOne(
          { _id: id, state: 'pending', leaseUntil: existing.leaseUntil ?? { $exists: false } },
          { $set: { owner, leaseUntil: new Date(Date.now() + leaseMs) } },
        );
        if (taken.modifiedCount === 1) return takeOver(owner);
      }
    }
    if (Date.now() > deadline)
      throw conflict(
        'idempotency-in-progress',
        'In progress',
        'a request with this Idempotency-Key is still running',
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * What became of the transactions a dead request sent: one committed, or none sent (or every
 * one sent long enough ago to be sure it will not commit), or still undecided. A record
 * without `sent` was written by a version that did not record what it sent (a rolling upgrade
 * whose old process died mid-payment): it may have paid, and nothing says with which
 * transaction, so it stays undecided (a retry gets 409 idempotency-in-progress, as before).
 * The fault suite saw every payment in flight paid twice when such records were taken for
 * "never sent".
 */
async function orphanOutcome(
  { sent }: Pick<IdempotencyDoc, 'sent'>,
  recovery: Recovery | undefined,
): Promise<{ kind: 'committed'; record: TxRecord } | { kind: 'never-sent' } | { kind: 'undecided' }> {
  if (sent === undefined) return { kind: 'undecided' };
  if (sent.length === 0) return { kind: 'never-sent' };
  if (!recovery) return { kind: 'undecided' };
  for (const { txId } of sent) {
    const record = await recovery.lookup(txId);
    if (record) return { kind: 'committed', record };
  }
  const settled = sent.every(({ at }) => Date.now() - at.getTime() > SENT_SETTLED_MS);
  return settled ? { kind: 'never-sent' } : { kind: 'undecided' };
}
