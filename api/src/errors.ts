import { parseRejection, RejectionCode } from '@fabric-wallet/ccaas/protocol';

/**
 * Errors the API answers with, as RFC 9457 problem documents. `type` is a stable URI per
 * kind of problem; clients switch on it, not on `detail`.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    /** Last segment of the problem type URI, e.g. "validation". */
    readonly kind: string,
    readonly title: string,
    readonly detail: string,
    /** Extra members of the problem document (e.g. `errors` for validation). */
    readonly extensions: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super(detail, options);
  }
}

export const PROBLEM_BASE = 'https://fabric-wallet.io/problems/';

export const badRequest = (detail: string, extensions?: Record<string, unknown>) =>
  new ApiError(400, 'validation', 'Request is not valid', detail, extensions);
export const unauthorized = (detail = 'log in first: send Authorization: Bearer <session token>') =>
  new ApiError(401, 'unauthorized', 'Not logged in', detail);
export const forbidden = (detail: string) => new ApiError(403, 'forbidden', 'Not allowed', detail);
export const notFound = (detail: string) => new ApiError(404, 'not-found', 'Not found', detail);
export const conflict = (kind: string, title: string, detail: string) =>
  new ApiError(409, kind, title, detail);
export const tooManyRequests = (detail: string, retryAfterSeconds: number) =>
  new ApiError(429, 'too-many-requests', 'Too many requests', detail, { retryAfterSeconds });
export const unavailable = (detail: string) =>
  new ApiError(503, 'unavailable', 'Service unavailable', detail);

/** HTTP status and problem kind for each chaincode rejection. */
const rejectionStatus: Partial<Record<RejectionCode, [number, string]>> = {
  [RejectionCode.InputSpent]: [409, 'input-spent'],
  [RejectionCode.InputUnknown]: [409, 'input-unknown'],
  [RejectionCode.SeatSold]: [409, 'seat-sold'],
  [RejectionCode.OrderExists]: [409, 'order-exists'],
  [RejectionCode.ScreeningExists]: [409, 'screening-exists'],
  [RejectionCode.TicketRedeemed]: [409, 'ticket-redeemed'],
  [RejectionCode.ScreeningStarted]: [409, 'screening-started'],
  [RejectionCode.Underpaid]: [422, 'underpaid'],
  [RejectionCode.RoleRequired]: [403, 'forbidden'],
  [RejectionCode.NotScreeningMerchant]: [403, 'forbidden'],
  [RejectionCode.ScreeningNotFound]: [404, 'not-found'],
  [RejectionCode.TicketNotFound]: [404, 'not-found'],
  [RejectionCode.TxNotFound]: [404, 'not-found'],
  [RejectionCode.UtxoNotFound]: [404, 'not-found'],
  [RejectionCode.SeatUnknown]: [422, 'seat-unknown'],
};

/**
 * Translates a Fabric failure (gateway error with the chaincode's message in its details) to
 * an ApiError when it is the chaincode rejecting the request; undefined otherwise.
 */
export function fromChaincode(message: string, cause?: unknown): ApiError | undefined {
  const rejection = parseRejection(message);
  if (!rejection) return undefined;
  const [status, kind] = rejectionStatus[rejection.code] ?? [422, 'rejected'];
  return new ApiError(
    status,
    kind,
    'The ledger refused the transaction',
    rejection.message,
    { code: rejection.code },
    { cause },
  );
}
