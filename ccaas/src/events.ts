/**
 * The chaincode's events: names and payloads live in the protocol (protocol/events.ts), which
 * clients use to decode them.
 */
export {
  EventName,
  type ScreeningCreatedEvent,
  type TicketRedeemedEvent,
  type TicketsBoughtEvent,
  type TxEvent,
} from './protocol/events.js';
