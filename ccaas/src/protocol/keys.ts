import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { base58CheckDecode, base58CheckEncode } from './base58.js';
import { sha256 } from './hash.js';

/** Version byte of an address; with 20 hash bytes every address starts with 'W'. */
export const ADDRESS_VERSION = 0x49;

/** Uncompressed SEC1 P-256 public key: 0x04 || X (32) || Y (32), written as 130 hex digits. */
const PUBLIC_KEY_HEX = /^04[0-9a-f]{128}$/;

/**
 * The address of a P-256 public key: base58check(version || first 20 bytes of
 * SHA-256(uncompressed SEC1 key)). It carries no name: only the key holder can spend from it.
 */
export function addressFromPublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) {
    throw new RangeError('an address is derived from a 65-byte uncompressed SEC1 P-256 public key');
  }
  return base58CheckEncode(
    Buffer.concat([Uint8Array.of(ADDRESS_VERSION), sha256(publicKey).subarray(0, 20)]),
  );
}

/** True when `text` is a well-formed address (checksum, version, length). */
export function isAddress(text: unknown): text is string {
  if (typeof text !== 'string' || text.length < 25 || text.length > 40) return false;
  const payload = base58CheckDecode(text);
  return payload?.length === 21 && payload[0] === ADDRESS_VERSION;
}

/** A public key checked to be a point on P-256, with the address it hashes to. */
export interface ParsedPublicKey {
  readonly key: KeyObject;
  readonly address: string;
}

/** Parsed keys by hex; bounded so a flood of distinct keys cannot grow memory without limit. */
const parsedKeys = new Map<string, ParsedPublicKey>();
const PARSED_KEYS_MAX = 10_000;

/**
 * Parses an uncompressed SEC1 public key given as lower-case hex, checking that it is a point
 * on P-256. Results are cached (parsing is the costly part of a signature check).
 * Returns undefined for anything else.
 */
export function parsePublicKeyHex(hex: unknown): ParsedPublicKey | undefined {
  if (typeof hex !== 'string' || !PUBLIC_KEY_HEX.test(hex)) return undefined;
  const cached = parsedKeys.get(hex);
  if (cached) return cached;
  const bytes = Buffer.from(hex, 'hex');
  let key: KeyObject;
  try {
    key = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: bytes.subarray(1, 33).toString('base64url'),
        y: bytes.subarray(33, 65).toString('base64url'),
      },
      format: 'jwk',
    });
  } catch {
    return undefined; // not a point on the curve
  }
  const parsed = { key, address: addressFromPublicKey(bytes) };
  if (parsedKeys.size >= PARSED_KEYS_MAX) {
    const oldest = parsedKeys.keys().next();
    if (oldest.done !== true) parsedKeys.delete(oldest.value);
  }
  parsedKeys.set(hex, parsed);
  return parsed;
}

/** The uncompressed SEC1 hex of a P-256 public or private key's public half. */
export function publicKeyHexOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'P-256' || jwk.x === undefined || jwk.y === undefined) {
    throw new TypeError('expected a P-256 key');
  }
  return `04${Buffer.from(jwk.x, 'base64url').toString('hex')}${Buffer.from(jwk.y, 'base64url').toString('hex')}`;
}

/** A fresh address key pair. */
export interface AddressKey {
  readonly privateKey: KeyObject;
  readonly publicKeyHex: string;
  readonly address: string;
}

/** Generates a new P-256 key pair and its address (one per receive or change address). */
export function generateAddressKey(): AddressKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyHex = publicKeyHexOf(privateKey);
  return { privateKey, publicKeyHex, address: addressFromPublicKey(Buffer.from(publicKeyHex, 'hex')) };
}
