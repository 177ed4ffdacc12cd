import type { Screening, Ticket, TxRecord } from './model.js';

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
