import { canonicalJson } from './canonical-json.js';
import { decodeChaincodeJson } from './chaincode-result.js';
import { Limits } from './limits.js';
import {
  screeningSchema,
  screeningSeatsSchema,
  ticketSchema,
  ticketsBoughtSchema,
  traceResultSchema,
  txRecordSchema,
  unspentPageSchema,
  utxoSchema,
  type Screening,
  type ScreeningSeats,
  type ScreeningSpec,
  type Ticket,
  type TicketsBought,
  type TraceResult,
  type TxRecord,
  type UnspentPage,
  type Utxo,
} from './records.js';
import type { Schema } from './schema.js';
import type { Outpoint, TransferBody, TxOutput, Witness } from './transfer-body.js';

/** The chaincode's contracts: `token` (the default) and `cinema`. */
export type ContractName = 'token' | 'cinema';

/** One transaction of the chaincode: where it is, how it is sent, what it returns. */
export interface TransactionSpec<T> {
  readonly contract: ContractName;
  /** The function's name within its contract (`Transfer`). */
  readonly name: string;
  /** `submit`: endorsed, ordered and committed; `evaluate`: a query on one peer. */
  readonly mode: 'submit' | 'evaluate';
  readonly result: Schema<T>;
}

const spec = <T>(
  contract: ContractName,
  name: string,
  mode: 'submit' | 'evaluate',
  result: Schema<T>,
): TransactionSpec<T> => ({ contract, name, mode, result });

/** Every transaction of the chaincode (ccaas/README.md describes their arguments). */
export const Transactions = {
  recharge: spec('token', 'Recharge', 'submit', txRecordSchema),
  transfer: spec('token', 'Transfer', 'submit', txRecordSchema),
  getUtxo: spec('token', 'GetUtxo', 'evaluate', utxoSchema),
  listUnspent: spec('token', 'ListUnspent', 'evaluate', unspentPageSchema),
  getTx: spec('token', 'GetTx', 'evaluate', txRecordSchema),
  trace: spec('token', 'Trace', 'evaluate', traceResultSchema),
  createScreening: spec('cinema', 'CreateScreening', 'submit', screeningSchema),
  buyTickets: spec('cinema', 'BuyTickets', 'submit', ticketsBoughtSchema),
  redeemTicket: spec('cinema', 'RedeemTicket', 'submit', ticketSchema),
  getScreening: spec('cinema', 'GetScreening', 'evaluate', screeningSeatsSchema),
  getTicket: spec('cinema', 'GetTicket', 'evaluate', ticketSchema),
} as const;

/** What a transport is asked to send. */
export interface TransactionCall {
  readonly contract: ContractName;
  readonly name: string;
  readonly mode: 'submit' | 'evaluate';
  /** Every argument is a string; structured ones are canonical JSON. */
  readonly args: readonly string[];
}

/**
 * Sends one call to the chaincode and returns its result bytes: a Fabric gateway contract, a
 * test's in-memory chaincode, a fake. A submit returns once the transaction is committed.
 * Whatever fails (a chaincode rejection, the network) is thrown as the transport sees fit.
 */
export type ChaincodeTransport = (call: TransactionCall) => Promise<Uint8Array>;

/**
 * The chaincode's transactions, typed: arguments encoded as the chaincode reads them, each
 * result checked by its schema (ChaincodeResultError when it is refused).
 */
export interface ChaincodeClient {
  /** Mints `outputs` for a paid recharge order (issuers only; once per order). */
  recharge(orderId: string, outputs: readonly TxOutput[]): Promise<TxRecord>;
  /** Spends the body's inputs into its outputs; one witness per distinct input owner. */
  transfer(body: TransferBody, witnesses: readonly Witness[]): Promise<TxRecord>;
  getUtxo(outpoint: Outpoint): Promise<Utxo>;
  /** One page of an address's unspent outputs (pageSize 1..100, bookmark '' first). */
  listUnspent(address: string, pageSize: number, bookmark: string): Promise<UnspentPage>;
  /** Every unspent output of `address`, page after page (at most UNSPENT_PAGES_MAX pages). */
  unspent(address: string): Promise<Utxo[]>;
  getTx(txId: string): Promise<TxRecord>;
  /** The provenance of an output back to its mints, `maxDepth` levels at most (1..64). */
  trace(outpoint: Outpoint, maxDepth: number): Promise<TraceResult>;
  createScreening(screening: ScreeningSpec): Promise<Screening>;
  /** Pays for `seats` and gets them in one transaction; `body.purchase` must name the same. */
  buyTickets(
    screeningId: string,
    seats: readonly string[],
    body: TransferBody,
    witnesses: readonly Witness[],
  ): Promise<TicketsBought>;
  redeemTicket(ticketId: string): Promise<Ticket>;
  getScreening(screeningId: string): Promise<ScreeningSeats>;
  getTicket(ticketId: string): Promise<Ticket>;
}

/** Pages read by `unspent` at most: 100,000 outputs of one address. */
export const UNSPENT_PAGES_MAX = 1000;

/** A ChaincodeClient over `transport`. */
export function chaincodeClient(transport: ChaincodeTransport): ChaincodeClient {
  const run = async <T>(transaction: TransactionSpec<T>, args: readonly string[]): Promise<T> => {
    const { contract, name, mode } = transaction;
    const bytes = await transport({ contract, name, mode, args });
    return decodeChaincodeJson(transaction.result, bytes, {
      source: `${contract}:${name}`,
      root: 'result',
      committed: mode === 'submit',
    });
  };
  const listUnspent = (address: string, pageSize: number, bookmark: string) =>
    run(Transactions.listUnspent, [address, String(pageSize), bookmark]);
  return {
    recharge: (orderId, outputs) => run(Transactions.recharge, [orderId, canonicalJson(outputs)]),
    transfer: (body, witnesses) =>
      run(Transactions.transfer, [canonicalJson(body), canonicalJson(witnesses)]),
    getUtxo: (outpoint) => run(Transactions.getUtxo, [outpoint.txId, String(outpoint.index)]),
    listUnspent,
    async unspent(address) {
      const items: Utxo[] = [];
      let bookmark = '';
      for (let page = 0; page < UNSPENT_PAGES_MAX; page++) {
        const next = await listUnspent(address, Limits.listPageSizeMax, bookmark);
        items.push(...next.items);
        if (next.bookmark === '') return items;
        bookmark = next.bookmark;
      }
      throw new RangeError(`${address} has more than ${UNSPENT_PAGES_MAX} pages of unspent outputs`);
    },
    getTx: (txId) => run(Transactions.getTx, [txId]),
    trace: (outpoint, maxDepth) =>
      run(Transactions.trace, [outpoint.txId, String(outpoint.index), String(maxDepth)]),
    createScreening: (screening) => run(Transactions.createScreening, [canonicalJson(screening)]),
    buyTickets: (screeningId, seats, body, witnesses) =>
      run(Transactions.buyTickets, [
        screeningId,
        canonicalJson(seats),
        canonicalJson(body),
        canonicalJson(witnesses),
      ]),
    redeemTicket: (ticketId) => run(Transactions.redeemTicket, [ticketId]),
    getScreening: (screeningId) => run(Transactions.getScreening, [screeningId]),
    getTicket: (ticketId) => run(Transactions.getTicket, [ticketId]),
  };
}
