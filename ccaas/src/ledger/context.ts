/**
 * The part of the Fabric shim the contracts use. The real `Context` from fabric-contract-api
 * satisfies it structurally; unit tests pass an in-memory implementation (memory-ledger.ts).
 */

export interface StateEntry {
  readonly key: string;
  readonly value: Uint8Array;
}

export interface StatePage {
  readonly iterator: {
    next(): Promise<{ value?: StateEntry; done?: boolean }>;
    close(): Promise<void>;
  };
  readonly metadata: { readonly fetchedRecordsCount: number; readonly bookmark: string };
}

export interface LedgerStub {
  getTxID(): string;
  getChannelID(): string;
  /** The transaction's timestamp, set by the client and the same on every endorser. */
  getDateTimestamp(): Date;
  getState(key: string): Promise<Uint8Array>;
  putState(key: string, value: Uint8Array): Promise<void>;
  deleteState(key: string): Promise<void>;
  createCompositeKey(objectType: string, attributes: string[]): string;
  splitCompositeKey(compositeKey: string): { objectType: string; attributes: string[] };
  /** Range read: evaluate (query) paths only; the submit path never ranges. */
  getStateByPartialCompositeKey(objectType: string, attributes: string[]): AsyncIterable<StateEntry>;
  getStateByPartialCompositeKeyWithPagination(
    objectType: string,
    attributes: string[],
    pageSize: number,
    bookmark?: string,
  ): Promise<StatePage>;
  setEvent(name: string, payload: Uint8Array): void;
}

export interface CallerIdentity {
  getMSPID(): string;
  getID(): string;
  getAttributeValue(name: string): string | null;
}

/** What every transaction function receives. */
export interface WalletContext {
  readonly stub: LedgerStub;
  readonly clientIdentity: CallerIdentity;
}
