import type { Screening, Ticket, TxRecord } from '../model.js';
import { decodeChaincodeJson } from './chaincode-result.js';
import { screeningSchema, ticketSchema, ticketsBoughtSchema, txRecordSchema } from './records.js';
import { object, type Schema } from './schema.js';

/**
 * Event names, one event per transaction (Fabric keeps only the last one set). Each payload
 * carries what an indexer needs to update the outer DB without reading the ledger.
 */
export const EventName = {
  Minted: 'wallet.Minted',
  Transferred: 'wallet.Transferred',
  TicketsBought: 'cinema.TicketsBought',
  ScreeningCreated: 'cinema.ScreeningCreated',
  TicketRedeemed: 'cinema.TicketRedeemed',
} as const;

export type EventName = (typeof EventName)[keyof typeof EventName];

/** Minted, Transferred: the full transaction record. */
export interface TxEvent {
  readonly tx: TxRecord;
}

/** TicketsBought: the payment's record and the tickets it created. */
export interface TicketsBoughtEvent extends TxEvent {
  readonly tickets: readonly Ticket[];
}

export interface ScreeningCreatedEvent {
  readonly screening: Screening;
}

export interface TicketRedeemedEvent {
  readonly ticket: Ticket;
}

const txEventSchema: Schema<TxEvent> = object({ tx: txRecordSchema });
const ticketsBoughtEventSchema: Schema<TicketsBoughtEvent> = ticketsBoughtSchema;
const screeningCreatedSchema: Schema<ScreeningCreatedEvent> = object({ screening: screeningSchema });
const ticketRedeemedSchema: Schema<TicketRedeemedEvent> = object({ ticket: ticketSchema });

/** A chaincode event this protocol knows, its payload checked. */
export type ChaincodeEvent =
  | { readonly name: typeof EventName.Minted | typeof EventName.Transferred; readonly payload: TxEvent }
  | { readonly name: typeof EventName.TicketsBought; readonly payload: TicketsBoughtEvent }
  | { readonly name: typeof EventName.ScreeningCreated; readonly payload: ScreeningCreatedEvent }
  | { readonly name: typeof EventName.TicketRedeemed; readonly payload: TicketRedeemedEvent };

/**
 * Decodes an event of the chaincode: its payload checked by the event's schema. An event
 * name this version does not know gives undefined (a newer chaincode's; skip it); a known
 * event whose payload the schema refuses throws ChaincodeResultError.
 */
export function decodeEvent(name: string, payload: Uint8Array): ChaincodeEvent | undefined {
  // Only committed transactions emit events.
  const read = <T>(target: Schema<T>): T =>
    decodeChaincodeJson(target, payload, { source: `event ${name}`, root: 'payload', committed: true });
  switch (name) {
    case EventName.Minted:
    case EventName.Transferred:
      return { name, payload: read(txEventSchema) };
    case EventName.TicketsBought:
      return { name, payload: read(ticketsBoughtEventSchema) };
    case EventName.ScreeningCreated:
      return { name, payload: read(screeningCreatedSchema) };
    case EventName.TicketRedeemed:
      return { name, payload: read(ticketRedeemedSchema) };
    default:
      return undefined;
  }
}
