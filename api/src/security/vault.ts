import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { scrypt } from './passwords.js';

/**
 * Key material of a user, envelope style: a random data key (DEK) encrypts each secret (the
 * Fabric private key, every address key) with AES-256-GCM, and the DEK is wrapped by a key
 * derived from the payment password AND a server key held outside the outer DB (the vault
 * keyring: a file locally, a Kubernetes Secret in the chart). The derivation is one HMAC, so
 * a payment costs microseconds, not a memory-hard KDF; a stolen database alone cannot open a
 * vault because the server key is not in it. Threat model: docs/security.md.
 *
 * Vaults made by earlier versions were wrapped with scrypt of the payment password alone
 * (`ScryptWrap`); they still open, and are re-wrapped under the keyring on the next payment.
 * Nothing here is ever logged.
 */

/** AES-256-GCM ciphertext: iv (12 bytes) || tag (16 bytes) || data, base64url. */
export type Sealed = string;

/** A DEK wrapped under a keyring key and the payment password (current format). */
export interface KeyringWrap {
  readonly v: 2;
  /** Which keyring key wrapped it, so keys can rotate. */
  readonly keyId: string;
  readonly salt: string;
  readonly sealedDek: Sealed;
}

/** A DEK wrapped under scrypt of the payment password alone (before the keyring). */
export interface ScryptWrap {
  readonly v?: undefined;
  readonly salt: string;
  readonly n: number;
  readonly sealedDek: Sealed;
}

export type WrappedKey = KeyringWrap | ScryptWrap;

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;

/** Raised for a keyring file that cannot be used; says which line and why, never a key. */
export class KeyringError extends Error {
  override readonly name = 'KeyringError';
}

/**
 * The server keys that wrap data keys. The first key wraps new and re-wrapped vaults; the
 * others only open vaults wrapped before a rotation (each is re-wrapped under the first on
 * its owner's next payment). File format: one key per line, `<id> <32 random bytes,
 * base64 or base64url>`; blank lines and `#` comments are ignored.
 */
export class VaultKeyring {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly currentId: string;

  constructor(keys: readonly { id: string; key: Buffer }[]) {
    const first = keys[0];
    if (!first) throw new KeyringError('the vault keyring holds no key');
    const map = new Map<string, Buffer>();
    for (const { id, key } of keys) {
      if (!KEY_ID.test(id))
        throw new KeyringError(`vault key id ${JSON.stringify(id)} is not [A-Za-z0-9._-]{1,32}`);
      if (key.length !== 32) throw new KeyringError(`vault key ${id} is ${key.length} bytes, not 32`);
      if (map.has(id)) throw new KeyringError(`vault key id ${id} appears twice`);
      map.set(id, key);
    }
    this.keys = map;
    this.currentId = first.id;
  }

  static parse(text: string): VaultKeyring {
    const keys: { id: string; key: Buffer }[] = [];
    text.split('\n').forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const [id, encoded, extra] = line.split(/\s+/);
      if (!id || !encoded || extra !== undefined || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded))
        throw new KeyringError(`vault keyring line ${index + 1}: expected "<id> <base64 key>"`);
      // Node's base64 decoder takes both alphabets (Helm's randBytes writes standard base64).
      keys.push({ id, key: Buffer.from(encoded, 'base64') });
    });
    return new VaultKeyring(keys);
  }

  /** The text of a keyring file with one new random key. */
  static generate(id = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`): string {
    return `# fabric-wallet vault keyring: first line wraps new vaults; keep older lines until rotated out\n${id} ${randomBytes(32).toString('base64url')}\n`;
  }

  key(id: string): Buffer | undefined {
    return this.keys.get(id);
  }
}

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

/** The wrapping key: HMAC-SHA256 under the server key over the salt, owner and payment password. */
function keyringKek(serverKey: Buffer, salt: string, userId: string, paymentPassword: string): Buffer {
  const hmac = createHmac('sha256', serverKey).update('fabric-wallet vault v2\0');
  for (const part of [salt, userId, paymentPassword.normalize('NFKC')]) {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hmac.update(length).update(bytes);
  }
  return hmac.digest();
}

/** A new data key, wrapped under the keyring and the payment password. */
export function newVault(
  keyring: VaultKeyring,
  paymentPassword: string,
  userId: string,
): { wrapped: KeyringWrap; dek: Buffer } {
  const dek = randomBytes(32);
  return { wrapped: wrapDek(keyring, dek, paymentPassword, userId), dek };
}

/** Wraps `dek` under the keyring's current key and the payment password; binds it to `userId`. */
export function wrapDek(
  keyring: VaultKeyring,
  dek: Buffer,
  paymentPassword: string,
  userId: string,
): KeyringWrap {
  const salt = randomBytes(16).toString('base64url');
  const serverKey = keyring.key(keyring.currentId) as Buffer;
  const kek = keyringKek(serverKey, salt, userId, paymentPassword);
  return { v: 2, keyId: keyring.currentId, salt, sealedDek: seal(kek, dek, `dek:${userId}`) };
}

/**
 * The data key, or undefined when the payment password is wrong. `stale` says the wrap
 * should be replaced (scrypt format, or a key that is no longer the keyring's first).
 * Throws KeyringError when the vault's key is not in the keyring (a configuration problem,
 * not a wrong password: it must not count as a failed attempt).
 */
export async function unwrapDek(
  keyring: VaultKeyring,
  wrapped: WrappedKey,
  paymentPassword: string,
  userId: string,
): Promise<{ dek: Buffer; stale: boolean } | undefined> {
  if (wrapped.v === 2) {
    const serverKey = keyring.key(wrapped.keyId);
    if (!serverKey)
      throw new KeyringError(
        `vault key ${wrapped.keyId} is not in the keyring; it must stay until every vault is re-wrapped`,
      );
    const dek = open(
      keyringKek(serverKey, wrapped.salt, userId, paymentPassword),
      wrapped.sealedDek,
      `dek:${userId}`,
    );
    return dek && { dek, stale: wrapped.keyId !== keyring.currentId };
  }
  const kek = await scrypt(paymentPassword, Buffer.from(wrapped.salt, 'base64url'), 32, {
    N: wrapped.n,
    r: 8,
    p: 1,
    maxmem: 64 * 1024 * 1024,
  });
  const dek = open(kek, wrapped.sealedDek, `dek:${userId}`);
  return dek && { dek, stale: true };
}

/** The scrypt wrap of earlier versions; kept so the migration of such vaults can be tested. */
export async function scryptWrapDek(
  dek: Buffer,
  paymentPassword: string,
  userId: string,
): Promise<ScryptWrap> {
  const salt = randomBytes(16).toString('base64url');
  const n = 2 ** 15;
  const kek = await scrypt(paymentPassword, Buffer.from(salt, 'base64url'), 32, {
    N: n,
    r: 8,
    p: 1,
    maxmem: 64 * 1024 * 1024,
  });
  return { salt, n, sealedDek: seal(kek, dek, `dek:${userId}`) };
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
