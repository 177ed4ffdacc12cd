import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { scrypt } from './passwords.js';

/**
 * Key material encrypted under the user's payment password, envelope style: a random data
 * key (DEK) encrypts each secret with AES-256-GCM; a key derived from the payment password
 * with scrypt (KEK) encrypts the DEK. Changing the payment password re-wraps the DEK in one
 * document update, and the old password stops opening it. Nothing here is ever logged.
 */

/** AES-256-GCM ciphertext: iv (12 bytes) || tag (16 bytes) || data, base64url. */
export type Sealed = string;

export interface WrappedKey {
  readonly salt: string;
  /** scrypt cost used for this KEK, so it can be raised for new wraps. */
  readonly n: number;
  readonly sealedDek: Sealed;
}

const KDF = { r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KDF_N = 2 ** 15;

function seal(key: Buffer, plaintext: Buffer, aad: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url');
}

/** Decrypts; undefined when the key is wrong or the ciphertext was altered. */
function open(key: Buffer, sealed: Sealed, aad: string): Buffer | undefined {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < 28) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(bytes.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]);
  } catch {
    return undefined;
  }
}

async function kek(paymentPassword: string, salt: string, n: number): Promise<Buffer> {
  return scrypt(paymentPassword, Buffer.from(salt, 'base64url'), 32, { N: n, ...KDF });
}

/** A new data key, wrapped under the payment password. `userId` binds the wrap to its owner. */
export async function newVault(
  paymentPassword: string,
  userId: string,
): Promise<{ wrapped: WrappedKey; dek: Buffer }> {
  const dek = randomBytes(32);
  return { wrapped: await wrapDek(dek, paymentPassword, userId), dek };
}

export async function wrapDek(dek: Buffer, paymentPassword: string, userId: string): Promise<WrappedKey> {
  const salt = randomBytes(16).toString('base64url');
  return { salt, n: KDF_N, sealedDek: seal(await kek(paymentPassword, salt, KDF_N), dek, `dek:${userId}`) };
}

/** The data key, or undefined when the payment password is wrong. */
export async function unwrapDek(
  wrapped: WrappedKey,
  paymentPassword: string,
  userId: string,
): Promise<Buffer | undefined> {
  return open(await kek(paymentPassword, wrapped.salt, wrapped.n), wrapped.sealedDek, `dek:${userId}`);
}

/** Encrypts one secret (a PEM private key) under the data key; `label` names what it is. */
export function sealSecret(dek: Buffer, secret: string, label: string): Sealed {
  return seal(dek, Buffer.from(secret, 'utf8'), label);
}

export function openSecret(dek: Buffer, sealed: Sealed, label: string): string {
  const plain = open(dek, sealed, label);
  if (!plain) throw new Error(`stored secret ${label} does not decrypt under this data key`);
  return plain.toString('utf8');
}
