/**
 * The wire format shared by the chaincode and the API: amounts, addresses, keys, the signed
 * transfer body, rejection codes, and the typed client of the chaincode's transactions and
 * events (results checked by schemas). Pure TypeScript over node:crypto; no Fabric imports.
 */
export { AMOUNT_MAX, AmountError, formatAmount, parseAmount, type AmountProblem } from './amount.js';
export { base58CheckDecode, base58CheckEncode, base58Decode, base58Encode } from './base58.js';
export { canonicalJson } from './canonical-json.js';
export { ChaincodeResultError, decodeChaincodeJson, type ResultSource } from './chaincode-result.js';
export {
  chaincodeClient,
  Transactions,
  UNSPENT_PAGES_MAX,
  type ChaincodeClient,
  type ChaincodeTransport,
  type ContractName,
  type TransactionCall,
  type TransactionSpec,
} from './client.js';
export {
  decodeEvent,
  EventName,
  type ChaincodeEvent,
  type ScreeningCreatedEvent,
  type TicketRedeemedEvent,
  type TicketsBoughtEvent,
  type TxEvent,
} from './events.js';
export { parseRejection, Rejection, RejectionCode } from './errors.js';
export { sha256, sha256Hex } from './hash.js';
export {
  ADDRESS_VERSION,
  addressFromPublicKey,
  generateAddressKey,
  isAddress,
  parsePublicKeyHex,
  publicKeyHexOf,
  type AddressKey,
  type ParsedPublicKey,
} from './keys.js';
export { Limits } from './limits.js';
export {
  outpointSchema,
  screeningSchema,
  screeningSeatsSchema,
  ticketSchema,
  ticketsBoughtSchema,
  traceResultSchema,
  txOutputSchema,
  txRecordSchema,
  unspentPageSchema,
  utxoSchema,
  type Screening,
  type ScreeningSeats,
  type ScreeningSpec,
  type SeatRow,
  type SpentInput,
  type Ticket,
  type TicketsBought,
  type TraceResult,
  type TxKind,
  type TxRecord,
  type UnspentPage,
  type Utxo,
} from './records.js';
export { SchemaError, type Infer, type Schema } from './schema.js';
export { signMessage, toHighS, verifyMessage, type SignatureCheck } from './signature.js';
export {
  compareOutpoints,
  outpointId,
  parseOutpoint,
  parseOutputs,
  parseTransferBody,
  parseWitnesses,
  signTransferBody,
  sortOutpoints,
  TRANSFER_DOMAIN,
  transferSigningMessage,
  type Outpoint,
  type PurchaseTerms,
  type TransferBody,
  type TxOutput,
  type Witness,
} from './transfer-body.js';
export {
  ID_RULE,
  parseJsonArgument,
  readArray,
  readInteger,
  readObject,
  readString,
  TX_ID_RULE,
} from './validate.js';
