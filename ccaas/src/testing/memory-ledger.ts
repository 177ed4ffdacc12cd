import { randomBytes } from 'node:crypto';
import type { CallerIdentity, LedgerStub, StateEntry, StatePage, WalletContext } from '../ledger/context.js';

/**
 * An in-memory stand-in for a peer's ledger, for unit tests of the contracts. It keeps the
 * Fabric semantics the contracts depend on: a transaction reads committed state only (not
 * its own writes), its writes apply at commit, and commit fails with MVCC_READ_CONFLICT when
 * a key it read has changed since (so concurrent double spends are caught as on a peer).
 */

interface Versioned {
  readonly value: Uint8Array;
  readonly version: number;
}

export interface TxOptions {
  readonly identity: CallerIdentity;
  readonly timestamp?: Date;
  readonly channel?: string;
  readonly txId?: string;
}

export type CommitStatus = 'VALID' | 'MVCC_READ_CONFLICT' | 'DUPLICATE_TXID';

export class MemoryLedger {
  private readonly state = new Map<string, Versioned>();
  private readonly txIds = new Set<string>();
  private version = 0;
  /** Events of committed transactions, in commit order. */
  readonly events: { txId: string; name: string; payload: unknown }[] = [];

  /** Starts simulating a transaction: reads see committed state; writes are buffered. */
  begin(options: TxOptions): MemoryTransaction {
    return new MemoryTransaction(this.state, options);
  }

  /** Applies a simulated transaction's writes unless a key it read has changed since. */
  commit(tx: MemoryTransaction): CommitStatus {
    if (this.txIds.has(tx.txId)) return 'DUPLICATE_TXID';
    for (const [key, version] of tx.reads) {
      if ((this.state.get(key)?.version ?? 0) !== version) return 'MVCC_READ_CONFLICT';
    }
    this.txIds.add(tx.txId);
    this.version++;
    for (const [key, value] of tx.writes) {
      if (value === undefined) this.state.delete(key);
      else this.state.set(key, { value, version: this.version });
    }
    if (tx.event) this.events.push({ txId: tx.txId, ...tx.event });
    return 'VALID';
  }

  /** Runs `fn` as one transaction: simulate, then commit when it did not throw. */
  async submit<T>(
    options: TxOptions,
    fn: (ctx: WalletContext) => Promise<T>,
  ): Promise<{ result: T; status: CommitStatus; txId: string }> {
    const tx = this.begin(options);
    const result = await fn(tx.context);
    return { result, status: this.commit(tx), txId: tx.txId };
  }

  /** Runs `fn` read-only, as an evaluate. */
  async evaluate<T>(options: TxOptions, fn: (ctx: WalletContext) => Promise<T>): Promise<T> {
    return fn(this.begin(options).context);
  }

  /** Every committed key and value (for invariant checks in tests). */
  entries(): [string, Uint8Array][] {
    return [...this.state].map(([key, entry]) => [key, entry.value]);
  }
}

const SEP = '\u0000';

export class MemoryTransaction {
  readonly txId: string;
  readonly reads = new Map<string, number>();
  readonly writes = new Map<string, Uint8Array | undefined>();
  event: { name: string; payload: unknown } | undefined;
  readonly context: WalletContext;

  constructor(
    private readonly committed: ReadonlyMap<string, Versioned>,
    options: TxOptions,
  ) {
    this.txId = options.txId ?? randomBytes(32).toString('hex');
    const timestamp = options.timestamp ?? new Date();
    const channel = options.channel ?? 'payments';
    const stub: LedgerStub = {
      getTxID: () => this.txId,
      getChannelID: () => channel,
      getDateTimestamp: () => timestamp,
      getState: (key) => Promise.resolve(this.read(key)),
      putState: (key, value) => {
        if (value.length === 0)
          throw new Error('putState with an empty value is a delete on Fabric; use deleteState');
        this.writes.set(key, Uint8Array.from(value));
        return Promise.resolve();
      },
      deleteState: (key) => {
        this.writes.set(key, undefined);
        return Promise.resolve();
      },
      createCompositeKey: (objectType, attributes) =>
        `${SEP}${objectType}${SEP}${attributes.map((a) => `${a}${SEP}`).join('')}`,
      splitCompositeKey: (key) => {
        const [objectType = '', ...attributes] = key.slice(1, -1).split(SEP);
        return { objectType, attributes };
      },
      getStateByPartialCompositeKey: (objectType, attributes) =>
        this.range(stub.createCompositeKey(objectType, attributes)),
      getStateByPartialCompositeKeyWithPagination: (objectType, attributes, pageSize, bookmark) =>
        Promise.resolve(this.page(stub.createCompositeKey(objectType, attributes), pageSize, bookmark ?? '')),
      setEvent: (name, payload) => {
        this.event = { name, payload: JSON.parse(Buffer.from(payload).toString('utf8')) as unknown };
      },
    };
    this.context = { stub, clientIdentity: options.identity };
  }

  private read(key: string): Uint8Array {
    const entry = this.committed.get(key);
    this.reads.set(key, entry?.version ?? 0);
    return entry ? Uint8Array.from(entry.value) : new Uint8Array();
  }

  private sortedKeys(prefix: string): string[] {
    return [...this.committed.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  private async *range(prefix: string): AsyncIterable<StateEntry> {
    // A peer streams range results; each arrives asynchronously.
    for (const key of this.sortedKeys(prefix)) yield await Promise.resolve({ key, value: this.read(key) });
  }

  private page(prefix: string, pageSize: number, bookmark: string): StatePage {
    const keys = this.sortedKeys(prefix).filter((key) => bookmark === '' || key >= bookmark);
    const selected = keys.slice(0, pageSize);
    const entries = selected.map((key) => ({ key, value: this.read(key) }));
    let i = 0;
    return {
      iterator: {
        next: () => {
          const value = entries[i++];
          return Promise.resolve(value ? { value, done: false } : { done: true });
        },
        close: () => Promise.resolve(),
      },
      metadata: { fetchedRecordsCount: entries.length, bookmark: keys[pageSize] ?? '' },
    };
  }
}

/** A caller identity with a wallet.role attribute, for tests. */
export function identity(mspId: string, id: string, role?: string): CallerIdentity {
  return {
    getMSPID: () => mspId,
    getID: () => id,
    getAttributeValue: (name) => (name === 'wallet.role' ? (role ?? null) : null),
  };
}
