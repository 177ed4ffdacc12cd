import { canonicalJson } from '../protocol/canonical-json.js';
import type { LedgerStub } from './context.js';

/** The key families of the ledger (ARCHITECTURE.md section 3). */
export const KeyType = {
  /** utxo~txId~index -> {owner, amount}: exists only while unspent. */
  Utxo: 'utxo',
  /** own~owner~txId~index -> {amount}: the owner index, for listing on evaluate. */
  Own: 'own',
  /** tx~txId -> the immutable transaction record. */
  Tx: 'tx',
  /** order~orderId -> {txId}: a recharge order mints once. */
  Order: 'order',
  /** screening~id -> the screening. */
  Screening: 'screening',
  /** seat~screeningId~seat -> the ticket; exists once the seat is sold. */
  Seat: 'seat',
} as const;

export type KeyType = (typeof KeyType)[keyof typeof KeyType];

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads and parses a JSON value; undefined when the key is absent. */
export async function readJson<T>(stub: LedgerStub, key: string): Promise<T | undefined> {
  const bytes = await stub.getState(key);
  if (bytes.length === 0) return undefined;
  return JSON.parse(decoder.decode(bytes)) as T;
}

/** Writes a value as canonical JSON, so every endorser writes identical bytes. */
export async function writeJson(stub: LedgerStub, key: string, value: unknown): Promise<void> {
  await stub.putState(key, Buffer.from(canonicalJson(value), 'utf8'));
}

/** Parses a stored JSON value from a range read; the caller knows the key family's type. */
export function parseStored(value: Uint8Array): unknown {
  return JSON.parse(decoder.decode(value)) as unknown;
}

export function stateKey(stub: LedgerStub, type: KeyType, ...attributes: string[]): string {
  return stub.createCompositeKey(type, attributes);
}
