import type { ChaincodeClient } from '@fabric-wallet/ccaas/protocol';
import type { Database } from '../db/mongo.js';
import { ApiError } from '../errors.js';
import type { IndexerStatus } from '../indexer/indexer.js';
import type { ReconcilerStatus } from '../indexer/reconciler.js';

/** How far the indexer may lag behind the API's own writes before the API reports not ready. */
export const INDEX_LAG_MAX_MS = 30_000;

/** Each check's verdict: "ok", or what is wrong. */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, string>>;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The ledger answers: any answer of the chaincode proves the gateway path works, "no such
 * transaction" (a 404) included.
 */
export async function ledgerCheck(reader: ChaincodeClient): Promise<string> {
  try {
    await reader.getTx('0'.repeat(64));
    return 'ok';
  } catch (error) {
    return error instanceof ApiError && error.status === 404 ? 'ok' : `unreachable: ${message(error)}`;
  }
}

/** The reconciler left no user whose outer DB coins differ from the ledger. */
export function reconcilerCheck(status: Pick<ReconcilerStatus, 'unrepairedUsers'>): string {
  const count = status.unrepairedUsers.length;
  return count === 0
    ? 'ok'
    : `diverged: ${String(count)} user(s) whose outer DB coins differ from the ledger and could not be repaired yet`;
}

/** What /readyz checks: the outer DB, the ledger, the indexer's lag and the reconciler. */
export class ReadinessChecks {
  constructor(
    private readonly deps: {
      readonly db: Database;
      readonly reader: () => ChaincodeClient;
      readonly indexer?: { snapshot(): IndexerStatus } | undefined;
      readonly reconciler?: { snapshot(): ReconcilerStatus } | undefined;
    },
  ) {}

  async check(): Promise<Readiness> {
    const { db, indexer, reconciler } = this.deps;
    const checks: Record<string, string> = {};
    try {
      await db.db.command({ ping: 1 });
      checks.db = 'ok';
    } catch (error) {
      checks.db = `unreachable: ${message(error)}`;
    }
    checks.ledger = await ledgerCheck(this.deps.reader());
    if (indexer) {
      const stale = await db.collections.txs.countDocuments({
        blockNumber: null,
        'record.ts': { $lt: Date.now() - INDEX_LAG_MAX_MS },
      });
      checks.indexer =
        stale === 0
          ? 'ok'
          : `behind: ${stale} committed transaction(s) older than ${INDEX_LAG_MAX_MS / 1000} s not indexed`;
    }
    if (reconciler) checks.reconciler = reconcilerCheck(reconciler.snapshot());
    return { ready: Object.values(checks).every((value) => value === 'ok'), checks };
  }
}
