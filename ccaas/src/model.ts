import type { Outpoint, TxOutput } from './protocol/transfer-body.js';

/** A spent input as the transaction record keeps it: enough to trace and to rebuild bills. */
export interface SpentInput extends Outpoint {
  readonly owner: string;
  readonly amount: string;
}

export type TxKind = 'mint' | 'transfer' | 'purchase';

/** A ticket sold by a purchase. Its id is `<screeningId>:<seat>` (a seat is sold once). */
export interface Ticket {
  readonly ticketId: string;
  readonly screeningId: string;
  readonly seat: string;
  readonly holder: string;
  readonly txId: string;
  readonly soldAt: number;
  readonly redeemedAt?: number;
}

/**
 * The immutable record written at `tx~<txId>`: both the result and the proof of a
 * transaction, and the edges of the provenance graph (inputs point at earlier records).
 */
export interface TxRecord {
  readonly txId: string;
  readonly kind: TxKind;
  /** Milliseconds since the epoch: the transaction's timestamp. */
  readonly ts: number;
  readonly inputs: readonly SpentInput[];
  readonly outputs: readonly TxOutput[];
  /** Addresses whose signatures authorised the spend, sorted. */
  readonly signers: readonly string[];
  readonly memoHash: string;
  /** MSP of the Fabric identity that submitted it. */
  readonly submitterMsp: string;
  readonly orderId?: string;
  readonly purchase?: {
    readonly screeningId: string;
    readonly seats: readonly string[];
    readonly tickets: readonly string[];
  };
}

/** An unspent output as the chaincode keeps it at `utxo~<txId>~<index>`. */
export interface StoredUtxo {
  readonly owner: string;
  readonly amount: string;
}

/** An unspent output as queries return it. */
export interface Utxo extends Outpoint, StoredUtxo {}

/** A row of the seat map: row label and number of seats, giving seats `<row>1..<row><count>`. */
export interface SeatRow {
  readonly row: string;
  readonly count: number;
}

/** A screening as a merchant proposes it, before the ledger adds who and when. */
export interface ScreeningSpec {
  readonly screeningId: string;
  readonly film: string;
  /** Milliseconds since the epoch. */
  readonly startsAt: number;
  readonly seatMap: readonly SeatRow[];
  /** Price of one seat in minor units. */
  readonly price: string;
  /** Where ticket payments go. */
  readonly cinemaAddress: string;
}

export interface Screening extends ScreeningSpec {
  readonly merchantMsp: string;
  readonly merchantId: string;
  readonly createdAt: number;
  readonly txId: string;
}
