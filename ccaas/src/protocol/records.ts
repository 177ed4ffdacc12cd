import type { Screening, SpentInput, Ticket, TxRecord, Utxo } from '../model.js';
import type { TraceResult } from '../token/trace.js';
import { Limits } from './limits.js';
import { amount, array, boolean, integer, object, oneOf, string, type Infer, type Schema } from './schema.js';
import type { Outpoint, TxOutput } from './transfer-body.js';
import { ID_RULE, TX_ID_RULE } from './validate.js';

/**
 * The schemas of what the chaincode returns and emits. Each is declared as a Schema of the
 * chaincode's own type (model.ts), so the compiler keeps the two in step: a field the
 * chaincode's type gains or changes fails to compile here until its schema follows.
 */

export type {
  Screening,
  ScreeningSpec,
  SeatRow,
  SpentInput,
  Ticket,
  TxKind,
  TxRecord,
  Utxo,
} from '../model.js';
export type { TraceResult } from '../token/trace.js';

const txId = string(TX_ID_RULE);
/**
 * An address by its form (base58, 'W' first). Its checksum is the chaincode's to check on
 * the way in; checking it again in every result and event would cost a big-integer decode
 * per address for nothing.
 */
const address = string({
  pattern: /^W[1-9A-HJ-NP-Za-km-z]{24,39}$/,
  patternHint: 'an address',
  maxLength: 40,
});
const outputIndex = integer(0, Limits.outputsMax - 1);
const millis = integer(0, Number.MAX_SAFE_INTEGER);
const id = string(ID_RULE);
const seat = string({
  pattern: /^[A-Z]{1,3}[1-9][0-9]{0,2}$/,
  patternHint: 'a seat such as B7',
  maxLength: 6,
});
const ticketId = string({
  pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*:[A-Za-z0-9][A-Za-z0-9._-]*$/,
  patternHint: '<screeningId>:<seat>',
  maxLength: 2 * Limits.idLengthMax + 1,
});
/** MSP ids and Fabric client ids (`x509::<subject>::<issuer>`): printable, bounded. */
const fabricName = string({ pattern: /^[\x20-\x7e]+$/, patternHint: 'printable ASCII', maxLength: 4096 });

export const outpointSchema: Schema<Outpoint> = object({ txId, index: outputIndex });

export const txOutputSchema: Schema<TxOutput> = object({ address, amount });

const spentInputSchema: Schema<SpentInput> = object({ txId, index: outputIndex, owner: address, amount });

export const txRecordSchema: Schema<TxRecord> = object(
  {
    txId,
    kind: oneOf('mint', 'transfer', 'purchase'),
    ts: millis,
    inputs: array(spentInputSchema, Limits.inputsMax),
    outputs: array(txOutputSchema, Limits.outputsMax),
    signers: array(address, Limits.inputsMax),
    memoHash: string({
      pattern: /^([0-9a-f]{64})?$/,
      patternHint: "'' or 64 hex digits",
      minLength: 0,
      maxLength: 64,
    }),
    submitterMsp: fabricName,
  },
  {
    orderId: id,
    purchase: object({
      screeningId: id,
      seats: array(seat, Limits.seatsPerPurchaseMax),
      tickets: array(ticketId, Limits.seatsPerPurchaseMax),
    }),
  },
);

export const utxoSchema: Schema<Utxo> = object({ txId, index: outputIndex, owner: address, amount });

/** One page of ListUnspent; `bookmark` is '' on the last page. */
export const unspentPageSchema = object({
  items: array(utxoSchema, Limits.listPageSizeMax),
  bookmark: string({ minLength: 0, maxLength: 4096 }),
});
export type UnspentPage = Infer<typeof unspentPageSchema>;

export const traceResultSchema: Schema<TraceResult> = object({
  root: outpointSchema,
  txs: array(txRecordSchema, Limits.traceNodesMax),
  edges: array(
    object({ from: string({ maxLength: 64 + 1 + 2 }), to: txId }),
    Limits.traceNodesMax * Limits.inputsMax,
  ),
  mints: array(txId, Limits.traceNodesMax),
  complete: boolean,
});

export const ticketSchema: Schema<Ticket> = object(
  { ticketId, screeningId: id, seat, holder: address, txId, soldAt: millis },
  { redeemedAt: millis },
);

export const screeningSchema: Schema<Screening> = object({
  screeningId: id,
  film: string({ maxLength: Limits.filmTitleLengthMax }),
  startsAt: millis,
  seatMap: array(
    object({
      row: string({ pattern: /^[A-Z]{1,3}$/, patternHint: 'a row label', maxLength: 3 }),
      count: integer(1, 100),
    }),
    Limits.seatsPerScreeningMax,
  ),
  price: amount,
  cinemaAddress: address,
  merchantMsp: fabricName,
  merchantId: fabricName,
  createdAt: millis,
  txId,
});

/** GetScreening: the screening with its sold and available seats. */
export const screeningSeatsSchema = object({
  screening: screeningSchema,
  sold: array(seat, Limits.seatsPerScreeningMax),
  available: array(seat, Limits.seatsPerScreeningMax),
});
export type ScreeningSeats = Infer<typeof screeningSeatsSchema>;

/** BuyTickets: the payment's record and the tickets it created (also the TicketsBought event). */
export const ticketsBoughtSchema = object({
  tx: txRecordSchema,
  tickets: array(ticketSchema, Limits.seatsPerPurchaseMax),
});
export type TicketsBought = Infer<typeof ticketsBoughtSchema>;
