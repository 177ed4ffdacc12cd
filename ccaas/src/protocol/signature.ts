import { sign, verify, type KeyObject } from 'node:crypto';

/** Order of the P-256 group, and half of it: a signature's S must not exceed the half. */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P256_HALF_N = P256_N >> 1n;

const SIGNATURE_HEX = /^[0-9a-f]{128}$/;

/**
 * Signs SHA-256(message) with ECDSA P-256 and returns the IEEE P1363 encoding (r || s, 64
 * bytes) as hex, with S normalised to the lower half of the group order, so that each
 * signature has one valid form (no malleability).
 */
export function signMessage(privateKey: KeyObject, message: Uint8Array): string {
  const raw = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
  if (s <= P256_HALF_N) return raw.toString('hex');
  const low = (P256_N - s).toString(16).padStart(64, '0');
  return raw.subarray(0, 32).toString('hex') + low;
}

/** The outcome of a signature check; only 'valid' lets a spend through. */
export type SignatureCheck = 'valid' | 'malformed' | 'high-s' | 'invalid';

/** Checks a hex P1363 signature over SHA-256(message), refusing the high-S form. */
export function verifyMessage(
  publicKey: KeyObject,
  message: Uint8Array,
  signatureHex: unknown,
): SignatureCheck {
  if (typeof signatureHex !== 'string' || !SIGNATURE_HEX.test(signatureHex)) return 'malformed';
  const raw = Buffer.from(signatureHex, 'hex');
  const s = BigInt(`0x${signatureHex.slice(64)}`);
  if (s > P256_HALF_N) return 'high-s';
  return verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw) ? 'valid' : 'invalid';
}

/** The high-S twin of a valid signature (same r, S replaced by n - S); for tests of rejection. */
export function toHighS(signatureHex: string): string {
  const s = BigInt(`0x${signatureHex.slice(64)}`);
  return signatureHex.slice(0, 64) + (P256_N - s).toString(16).padStart(64, '0');
}
