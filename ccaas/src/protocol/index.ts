/**
 * The wire format shared by the chaincode and the API: amounts, addresses, keys, the signed
 * transfer body and rejection codes. Pure TypeScript over node:crypto; no Fabric imports.
 */
export { AMOUNT_MAX, AmountError, formatAmount, parseAmount, type AmountProblem } from './amount.js';
export { base58CheckDecode, base58CheckEncode, base58Decode, base58Encode } from './base58.js';
export { canonicalJson } from './canonical-json.js';
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
