/**
 * Stable codes for every reason the chaincode rejects a request. The chaincode's error
 * message is `<CODE>: <what is wrong>`, so clients (the API) map a rejection without
 * parsing prose; see `parseRejection`.
 */
export const RejectionCode = {
  MalformedArgument: 'MALFORMED_ARGUMENT',
  InputUnknown: 'INPUT_UNKNOWN',
  InputSpent: 'INPUT_SPENT',
  DuplicateInput: 'DUPLICATE_INPUT',
  InputsNotSorted: 'INPUTS_NOT_SORTED',
  KeyAddressMismatch: 'KEY_ADDRESS_MISMATCH',
  MissingSignature: 'MISSING_SIGNATURE',
  UnexpectedWitness: 'UNEXPECTED_WITNESS',
  BadSignature: 'BAD_SIGNATURE',
  HighSSignature: 'HIGH_S_SIGNATURE',
  WrongChannel: 'WRONG_CHANNEL',
  WrongChaincode: 'WRONG_CHAINCODE',
  Expired: 'EXPIRED',
  BadAmount: 'BAD_AMOUNT',
  SumsDiffer: 'SUMS_DIFFER',
  TooManyInputs: 'TOO_MANY_INPUTS',
  TooManyOutputs: 'TOO_MANY_OUTPUTS',
  RoleRequired: 'ROLE_REQUIRED',
  OrderExists: 'ORDER_EXISTS',
  ScreeningExists: 'SCREENING_EXISTS',
  ScreeningNotFound: 'SCREENING_NOT_FOUND',
  ScreeningStarted: 'SCREENING_STARTED',
  SeatUnknown: 'SEAT_UNKNOWN',
  SeatSold: 'SEAT_SOLD',
  Underpaid: 'UNDERPAID',
  NotScreeningMerchant: 'NOT_SCREENING_MERCHANT',
  TicketNotFound: 'TICKET_NOT_FOUND',
  TicketRedeemed: 'TICKET_REDEEMED',
  TxNotFound: 'TX_NOT_FOUND',
  UtxoNotFound: 'UTXO_NOT_FOUND',
} as const;

export type RejectionCode = (typeof RejectionCode)[keyof typeof RejectionCode];

const knownCodes = new Set<string>(Object.values(RejectionCode));

/** A request the protocol or the chaincode refuses, with a stable code and a clear message. */
export class Rejection extends Error {
  override readonly name = 'Rejection';
  constructor(
    readonly code: RejectionCode,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`${code}: ${detail}`, options);
  }
}

/** Recovers a Rejection from a chaincode error message (possibly wrapped by the peer). */
export function parseRejection(message: string): Rejection | undefined {
  // Wrappers add their own upper-case words ("10 ABORTED: ..."), so take the first known code.
  for (const match of message.matchAll(/\b([A-Z][A-Z_]+[A-Z]): ([^|]*)/g)) {
    if (match[1] && knownCodes.has(match[1]))
      return new Rejection(match[1] as RejectionCode, (match[2] ?? '').trim());
  }
  return undefined;
}
