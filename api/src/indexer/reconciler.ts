import type { ChaincodeClient, Utxo } from '@fabric-wallet/ccaas/protocol';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PemIdentity } from '../config.js';
import type { Collections } from '../db/mongo.js';
import { applyTx } from '../db/projection.js';
import { ApiError } from '../errors.js';
import type { Ledger } from '../fabric/ledger.js';
import type { Logger } from '../logger.js';

/** What one user's check found and did. */
export interface ReconcileResult {
  /** Coins the outer DB shows unspent that the ledger does not have: now marked spent. */
  readonly extra: number;
  /** Unspent coins on the ledger that the outer DB lacked or showed spent: now unspent. */
  readonly missing: number;
  /** Differences seen but not repaired (the ledger did not answer, or a write lost a race). */
  readonly unrepaired: number;
}

export interface ReconcilerStatus {
  readonly checkedUsers: number;
  readonly repaired: number;
  /** Users whose last check left a difference unrepaired, and the last error. */
  readonly unrepairedUsers: readonly string[];
  readonly lastError: string | null;
  readonly lastSweepAt: Date | null;
}

export interface ReconcilerOptions {
  /** How often every user is checked (a full sweep), ms; 0 turns the schedule off. */
  readonly sweepIntervalMs?: number;
  /** How long after an event a user is checked, so the indexer applies what it saw first. */
  readonly eventDelayMs?: number;
}

/**
 * Keeps the outer DB's unspent outputs equal to the ledger's. The ledger is the truth: per
 * user, the unspent set of each of their addresses (ListUnspent, all pages) is compared with
 * the outer DB's. A coin the outer DB shows unspent that the ledger does not have is marked
 * spent once GetUtxo confirms it; a ledger coin the outer DB lacks (or shows spent) is
 * restored from its transaction record (GetTx). Users are checked after an event that
 * suggests a difference (a payment the ledger refused for a spent or unknown coin) and by a
 * periodic sweep of every user. Counts go to /metrics; users left unrepaired make /readyz
 * report not ready.
 */
export class Reconciler {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly unrepaired = new Map<string, string>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private checked = 0;
  private repaired = 0;
  private lastError: string | null = null;
  private lastSweepAt: Date | null = null;
  private stopped = false;
  private divergences: Counter | undefined;
  private checks: Counter | undefined;

  constructor(
    private readonly collections: Collections,
    private readonly ledger: Ledger,
    private readonly reader: PemIdentity,
    private readonly logger: Logger,
    private readonly options: ReconcilerOptions = {},
  ) {}

  /** Registers the reconciler's counters and gauge in the app's /metrics registry. */
  attachMetrics(registry: Registry): void {
    const registers = [registry];
    this.divergences = new Counter({
      name: 'wallet_outer_db_divergences_total',
      help: 'Differences between the outer DB and the ledger found by the reconciler',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.checks = new Counter({
      name: 'wallet_outer_db_reconcile_checks_total',
      help: 'Users whose unspent outputs the reconciler compared with the ledger',
      registers,
    });
    const unrepaired = () => this.unrepaired.size;
    new Gauge({
      name: 'wallet_outer_db_unrepaired_users',
      help: 'Users whose last reconciliation left a difference unrepaired',
      registers,
      collect() {
        this.set(unrepaired());
      },
    });
  }

  /** Starts the periodic sweep (events work without it). */
  start(): void {
    const every = this.options.sweepIntervalMs ?? 300_000;
    if (every <= 0) return;
    this.sweepTimer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .then(() => undefined)
        .catch((error: unknown) => {
          this.lastError = String(error);
        })
        .finally(() => (this.sweeping = undefined));
    }, every);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    await this.sweeping;
  }

  /** Checks `userId` soon (once, however often it is asked before then). */
  suspect(userId: string): void {
    if (this.stopped || this.pending.has(userId)) return;
    const timer = setTimeout(() => {
      this.pending.delete(userId);
      this.reconcileUser(userId).catch((error: unknown) => {
        this.lastError = String(error);
      });
    }, this.options.eventDelayMs ?? 2_000);
    timer.unref();
    this.pending.set(userId, timer);
  }

  snapshot(): ReconcilerStatus {
    return {
      checkedUsers: this.checked,
      repaired: this.repaired,
      unrepairedUsers: [...this.unrepaired.keys()],
      lastError: this.lastError,
      lastSweepAt: this.lastSweepAt,
    };
  }

  /**
   * Transactions the API applied that still lack a block number after `olderThanMs` (the
   * indexer should have set it within seconds): each gets its block number from the ledger
   * (qscc), or is reported when the ledger has no such transaction. Returns how many were set.
   */
  async repairUnindexed(olderThanMs = 60_000): Promise<number> {
    const stale = await this.collections.txs
      .find({ blockNumber: null, 'record.ts': { $lt: Date.now() - olderThanMs } }, { projection: { _id: 1 } })
      .limit(1000)
      .toArray();
    let repaired = 0;
    for (const { _id } of stale) {
      const block = await this.ledger.blockNumberOf(this.reader, _id);
      if (block === null) {
        this.lastError = `transaction ${_id} is in the outer DB but not on the ledger`;
        this.logger.warn({ txId: _id }, 'outer DB holds a transaction the ledger does not');
        continue;
      }
      const result = await this.collections.txs.updateOne(
        { _id, blockNumber: null },
        { $set: { blockNumber: block } },
      );
      if (result.modifiedCount === 1) {
        repaired++;
        this.divergences?.inc({ kind: 'unindexed', outcome: 'repaired' });
      }
    }
    if (repaired > 0)
      this.logger.warn({ repaired }, 'block numbers the indexer had not written were set from the ledger');
    return repaired;
  }

  /**
   * Checks every user once, in _id order, one at a time (bounded load on the ledger), after
   * setting any block number the indexer left unwritten.
   */
  async sweep(): Promise<{
    users: number;
    extra: number;
    missing: number;
    unrepaired: number;
    unindexed: number;
  }> {
    const totals = { users: 0, extra: 0, missing: 0, unrepaired: 0, unindexed: await this.repairUnindexed() };
    const cursor = this.collections.users.find({}, { projection: { _id: 1 } }).sort({ _id: 1 });
    for await (const { _id } of cursor) {
      if (this.stopped) break;
      const result = await this.reconcileUser(_id);
      totals.users++;
      totals.extra += result.extra;
      totals.missing += result.missing;
      totals.unrepaired += result.unrepaired;
    }
    this.lastSweepAt = new Date();
    return totals;
  }

  /** Compares one user's unspent outputs with the ledger and repairs the outer DB. */
  async reconcileUser(userId: string): Promise<ReconcileResult> {
    let extra = 0;
    let missing = 0;
    let unrepaired = 0;
    try {
      const addresses = await this.collections.addresses
        .find({ userId }, { projection: { _id: 1 } })
        .toArray();
      const onLedger = new Map<string, Utxo>();
      for (const { _id: address } of addresses) {
        for (const utxo of await this.chaincode().unspent(address))
          onLedger.set(`${utxo.txId}:${utxo.index}`, utxo);
      }
      const outer = await this.collections.utxos
        .find({ userId, spent: false }, { projection: { _id: 1, txId: 1, index: 1 } })
        .toArray();
      const outerIds = new Set(outer.map((coin) => coin._id));
      for (const coin of outer) {
        if (onLedger.has(coin._id)) continue;
        if (await this.repairExtra(coin._id, coin.txId, coin.index)) extra++;
      }
      for (const [id, utxo] of onLedger) {
        if (outerIds.has(id)) continue;
        if (await this.repairMissing(id, utxo)) missing++;
        else unrepaired++;
      }
      this.unrepaired.delete(userId);
    } catch (error) {
      unrepaired++;
      this.unrepaired.set(userId, String(error));
      this.lastError = String(error);
      this.logger.warn({ userId, err: String(error) }, 'reconciliation of a user failed');
    }
    this.checked++;
    this.checks?.inc();
    if (extra + missing > 0) {
      this.repaired += extra + missing;
      this.logger.warn({ userId, extra, missing }, 'outer DB repaired to match the ledger');
    }
    if (unrepaired > 0) {
      this.unrepaired.set(userId, this.unrepaired.get(userId) ?? 'difference left');
      this.suspect(userId); // try again soon: most are a race with the indexer
    }
    return { extra, missing, unrepaired };
  }

  /** The chaincode as the reconciler's reader. */
  private chaincode(): ChaincodeClient {
    return this.ledger.as(this.reader);
  }

  /**
   * The outer DB shows `id` unspent and the ledger's list lacks it. GetUtxo tells spent from
   * not yet visible: only a coin the ledger says was spent (or never existed) is marked.
   */
  private async repairExtra(id: string, txId: string, index: number): Promise<boolean> {
    try {
      await this.chaincode().getUtxo({ txId, index });
      return false; // it is there after all (created between the two reads)
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
    const result = await this.collections.utxos.updateOne(
      { _id: id, spent: false },
      { $set: { spent: true, spentBy: 'reconciler' } },
    );
    this.divergences?.inc({ kind: 'extra', outcome: result.modifiedCount === 1 ? 'repaired' : 'raced' });
    return result.modifiedCount === 1;
  }

  private async stillUnspent(utxo: Utxo): Promise<boolean> {
    try {
      await this.chaincode().getUtxo(utxo);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return false;
      throw error;
    }
  }

  /** The ledger has `utxo` unspent and the outer DB does not: restore it from its record. */
  private async repairMissing(id: string, utxo: Utxo): Promise<boolean> {
    const record = await this.chaincode().getTx(utxo.txId);
    await applyTx(this.collections, record, null, 'full');
    // applyTx never unsets `spent`; a coin wrongly shown spent is corrected here, only if
    // nothing changed it since (the indexer may be applying its real spend right now).
    const current = await this.collections.utxos.findOne(
      { _id: id },
      { projection: { spent: 1, spentBy: 1 } },
    );
    let repaired = current?.spent === false;
    if (current?.spent === true && (await this.stillUnspent(utxo))) {
      const result = await this.collections.utxos.updateOne(
        { _id: id, spent: true, spentBy: current.spentBy ?? { $exists: false } },
        { $set: { spent: false }, $unset: { spentBy: '' } },
      );
      repaired = result.modifiedCount === 1;
    }
    this.divergences?.inc({ kind: 'missing', outcome: repaired ? 'repaired' : 'raced' });
    return repaired;
  }
}
