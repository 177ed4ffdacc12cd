import type { KeyObject } from 'node:crypto';
import { AmountError, formatAmount, parseAmount } from './amount.js';
import { canonicalJson } from './canonical-json.js';
import { Rejection, RejectionCode } from './errors.js';
import { isAddress } from './keys.js';
import { Limits } from './limits.js';
import { signMessage } from './signature.js';
import { ID_RULE, readArray, readInteger, readObject, readString, TX_ID_RULE } from './validate.js';

/** An output of an earlier transaction, named by that transaction's id and the output's index. */
export interface Outpoint {
  readonly txId: string;
  readonly index: number;
}

/** A new output: who may spend it and how much it holds (minor units, decimal string). */
export interface TxOutput {
  readonly address: string;
  readonly amount: string;
}

/** What a ticket purchase buys, bound into the signed body so a payment buys only these seats. */
export interface PurchaseTerms {
  readonly screeningId: string;
  readonly seats: readonly string[];
  /** The address that holds the tickets (the buyer's). */
  readonly holder: string;
}

/**
 * The body every input owner signs. Inputs are sorted and unique; outputs keep their order
 * (an output's index names it). `expiresAt` is compared with the transaction's timestamp.
 */
export interface TransferBody {
  readonly version: 1;
  readonly channel: string;
  readonly chaincode: string;
  readonly inputs: readonly Outpoint[];
  readonly outputs: readonly TxOutput[];
  /** Hex SHA-256 of the payer's memo, or '' for none: the memo itself stays off the ledger. */
  readonly memoHash: string;
  /** Milliseconds since the epoch after which the body is refused. */
  readonly expiresAt: number;
  readonly purchase?: PurchaseTerms;
}

/** A public key and its signature over the body, one for each distinct input owner. */
export interface Witness {
  readonly publicKey: string;
  readonly signature: string;
}

/** Domain separation: a transfer signature can never be valid for any other message. */
export const TRANSFER_DOMAIN = 'fabric-wallet/transfer/v1';

/** Latest expiry accepted (year 2100), so the field stays within safe integers. */
const EXPIRES_AT_MAX = 4_102_444_800_000;

/** Orders outpoints by transaction id, then index. */
export function compareOutpoints(a: Outpoint, b: Outpoint): number {
  if (a.txId !== b.txId) return a.txId < b.txId ? -1 : 1;
  return a.index - b.index;
}

/** `txId:index`, the outpoint's name in messages and in the outer DB. */
export function outpointId(outpoint: Outpoint): string {
  return `${outpoint.txId}:${outpoint.index}`;
}

/** Reads an outpoint `{txId, index}`. */
export function parseOutpoint(value: unknown, path: string): Outpoint {
  const record = readObject(value, path, ['txId', 'index']);
  return {
    txId: readString(record.txId, `${path}.txId`, TX_ID_RULE),
    index: readInteger(record.index, `${path}.index`, 0, Limits.outputsMax - 1),
  };
}

/** Reads `[{address, amount}]`: 1..outputsMax outputs, each to a valid address, each amount > 0. */
export function parseOutputs(value: unknown, path: string): TxOutput[] {
  const items = readArray(value, path, Limits.outputsMax, RejectionCode.TooManyOutputs);
  if (items.length === 0)
    throw new Rejection(RejectionCode.MalformedArgument, `${path}: must hold at least one output`);
  return items.map((item, i) => {
    const record = readObject(item, `${path}[${i}]`, ['address', 'amount']);
    if (!isAddress(record.address)) {
      throw new Rejection(RejectionCode.MalformedArgument, `${path}[${i}].address: is not a valid address`);
    }
    try {
      return {
        address: record.address,
        amount: formatAmount(parseAmount(record.amount, `${path}[${i}].amount`)),
      };
    } catch (error) {
      if (error instanceof AmountError)
        throw new Rejection(RejectionCode.BadAmount, error.message, { cause: error });
      throw error;
    }
  });
}

function parsePurchase(value: unknown, path: string): PurchaseTerms {
  const record = readObject(value, path, ['screeningId', 'seats', 'holder']);
  const seats = readArray(record.seats, `${path}.seats`, Limits.seatsPerPurchaseMax).map((seat, i) =>
    readString(seat, `${path}.seats[${i}]`, ID_RULE),
  );
  if (seats.length === 0)
    throw new Rejection(RejectionCode.MalformedArgument, `${path}.seats: must name at least one seat`);
  if (new Set(seats).size !== seats.length) {
    throw new Rejection(RejectionCode.MalformedArgument, `${path}.seats: names a seat twice`);
  }
  if (!isAddress(record.holder))
    throw new Rejection(RejectionCode.MalformedArgument, `${path}.holder: is not a valid address`);
  return {
    screeningId: readString(record.screeningId, `${path}.screeningId`, ID_RULE),
    seats,
    holder: record.holder,
  };
}

/**
 * Reads and checks a transfer body: shape, no unknown fields, valid addresses and amounts,
 * 1..inputsMax inputs that are sorted with no duplicate. Ledger checks (existence,
 * signatures, sums, expiry) are the chaincode's.
 */
export function parseTransferBody(value: unknown, path = 'body'): TransferBody {
  const record = readObject(
    value,
    path,
    ['version', 'channel', 'chaincode', 'inputs', 'outputs', 'memoHash', 'expiresAt'],
    ['purchase'],
  );
  if (record.version !== 1)
    throw new Rejection(RejectionCode.MalformedArgument, `${path}.version: must be 1`);
  const inputItems = readArray(
    record.inputs,
    `${path}.inputs`,
    Limits.inputsMax,
    RejectionCode.TooManyInputs,
  );
  if (inputItems.length === 0)
    throw new Rejection(RejectionCode.MalformedArgument, `${path}.inputs: must hold at least one input`);
  const inputs = inputItems.map((item, i) => parseOutpoint(item, `${path}.inputs[${i}]`));
  inputs.reduce<Outpoint | undefined>((previous, current, i) => {
    const order = previous === undefined ? -1 : compareOutpoints(previous, current);
    if (order === 0) {
      throw new Rejection(
        RejectionCode.DuplicateInput,
        `${path}.inputs[${i}]: ${outpointId(current)} is spent twice`,
      );
    }
    if (order > 0)
      throw new Rejection(
        RejectionCode.InputsNotSorted,
        `${path}.inputs: must be sorted by txId, then index`,
      );
    return current;
  }, undefined);
  const memoHash = record.memoHash;
  if (typeof memoHash !== 'string' || !(memoHash === '' || /^[0-9a-f]{64}$/.test(memoHash))) {
    throw new Rejection(
      RejectionCode.MalformedArgument,
      `${path}.memoHash: must be '' or 64 lower-case hex digits`,
    );
  }
  const body: TransferBody = {
    version: 1,
    channel: readString(record.channel, `${path}.channel`, ID_RULE),
    chaincode: readString(record.chaincode, `${path}.chaincode`, ID_RULE),
    inputs,
    outputs: parseOutputs(record.outputs, `${path}.outputs`),
    memoHash,
    expiresAt: readInteger(record.expiresAt, `${path}.expiresAt`, 0, EXPIRES_AT_MAX),
  };
  return record.purchase === undefined
    ? body
    : { ...body, purchase: parsePurchase(record.purchase, `${path}.purchase`) };
}

/** Reads `[{publicKey, signature}]`; their meaning is checked against the inputs by the chaincode. */
export function parseWitnesses(value: unknown, path = 'witnesses'): Witness[] {
  return readArray(value, path, Limits.inputsMax, RejectionCode.TooManyInputs).map((item, i) => {
    const record = readObject(item, `${path}[${i}]`, ['publicKey', 'signature']);
    const hex = { pattern: /^[0-9a-f]+$/, patternHint: 'lower-case hex', maxLength: 130 };
    return {
      publicKey: readString(record.publicKey, `${path}[${i}].publicKey`, hex),
      signature: readString(record.signature, `${path}[${i}].signature`, hex),
    };
  });
}

/** The bytes each input owner signs: domain, a zero byte, then the canonical body. */
export function transferSigningMessage(body: TransferBody): Buffer {
  return Buffer.from(`${TRANSFER_DOMAIN}\u0000${canonicalJson(body)}`, 'utf8');
}

/** Sorts inputs into the order the body requires. */
export function sortOutpoints(outpoints: readonly Outpoint[]): Outpoint[] {
  return [...outpoints].sort(compareOutpoints);
}

/** Signs a body with each owner's key, giving the witnesses the chaincode expects. */
export function signTransferBody(
  body: TransferBody,
  keys: readonly { readonly privateKey: KeyObject; readonly publicKeyHex: string }[],
): Witness[] {
  const message = transferSigningMessage(body);
  return keys.map((key) => ({
    publicKey: key.publicKeyHex,
    signature: signMessage(key.privateKey, message),
  }));
}
