import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords.js';
import {
  KeyringError,
  newVault,
  openSecret,
  scryptWrapDek,
  sealSecret,
  unwrapDek,
  VaultKeyring,
  wrapDek,
} from './vault.js';

describe('login password hashing', () => {
  it('verifies the right password and refuses another, with a fresh salt each time', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');

    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horse!', a)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });
});

const keyringText = VaultKeyring.generate('k1');
const keyring = VaultKeyring.parse(keyringText);

describe('the key vault', () => {
  it('opens secrets with the payment password and the keyring, and not with another of either', async () => {
    const { wrapped, dek } = newVault(keyring, 'pay-1234', 'user-1');
    const sealed = sealSecret(dek, 'PRIVATE KEY', 'address:W1');

    const reopened = await unwrapDek(keyring, wrapped, 'pay-1234', 'user-1');

    expect(reopened?.stale).toBe(false);
    expect(reopened && openSecret(reopened.dek, sealed, 'address:W1')).toBe('PRIVATE KEY');
    expect(await unwrapDek(keyring, wrapped, 'pay-9999', 'user-1')).toBeUndefined();
    expect(await unwrapDek(keyring, wrapped, 'pay-1234', 'user-2')).toBeUndefined();
    // A stolen database with another server's key (same id) opens nothing.
    const other = VaultKeyring.parse(VaultKeyring.generate('k1'));
    expect(await unwrapDek(other, wrapped, 'pay-1234', 'user-1')).toBeUndefined();
    expect(sealed).not.toContain('PRIVATE');
    expect(JSON.stringify(wrapped)).not.toContain('pay-1234');
  });

  it('re-wraps under a new payment password; the old one stops working and the secrets stay readable', async () => {
    const { wrapped, dek } = newVault(keyring, 'old-pass', 'u');
    const sealed = sealSecret(dek, 'k', 'label');

    const rewrapped = wrapDek(keyring, dek, 'new-pass', 'u');

    expect(await unwrapDek(keyring, rewrapped, 'old-pass', 'u')).toBeUndefined();
    const opened = await unwrapDek(keyring, rewrapped, 'new-pass', 'u');
    expect(opened && openSecret(opened.dek, sealed, 'label')).toBe('k');
    expect(wrapped.sealedDek).not.toBe(rewrapped.sealedDek);
  });

  it('opens a vault wrapped before a key rotation, says it is stale, and refuses once its key is gone', async () => {
    const { wrapped, dek } = newVault(keyring, 'pin', 'u');
    const newKey = VaultKeyring.generate('k2').split('\n')[1] as string;
    const lines = (text: string) => text.split('\n').filter((line) => line && !line.startsWith('#'));
    const rotated = VaultKeyring.parse([newKey, ...lines(keyringText)].join('\n'));

    const opened = await unwrapDek(rotated, wrapped, 'pin', 'u');

    expect(opened?.stale).toBe(true);
    expect(opened?.dek.equals(dek)).toBe(true);
    const rewrapped = wrapDek(rotated, dek, 'pin', 'u');
    expect(rewrapped.keyId).toBe('k2');
    expect((await unwrapDek(rotated, rewrapped, 'pin', 'u'))?.stale).toBe(false);
    await expect(unwrapDek(VaultKeyring.parse(newKey), wrapped, 'pin', 'u')).rejects.toThrow(KeyringError);
  });

  it('opens a vault of the scrypt format (earlier versions) and says it is stale', async () => {
    const { dek } = newVault(keyring, 'pin', 'u');
    const legacy = await scryptWrapDek(dek, 'pin', 'u');

    const opened = await unwrapDek(keyring, legacy, 'pin', 'u');

    expect(opened?.stale).toBe(true);
    expect(opened?.dek.equals(dek)).toBe(true);
    expect(await unwrapDek(keyring, legacy, 'pim', 'u')).toBeUndefined();
  });

  it('refuses keyring files that cannot be used, naming the line, never echoing a key', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(() => VaultKeyring.parse('')).toThrow(/holds no key/);
    expect(() => VaultKeyring.parse(`k1 ${key} extra`)).toThrow(/line 1: expected/);
    expect(() => VaultKeyring.parse(`# c\nk1 ${Buffer.alloc(16).toString('base64')}`)).toThrow(
      /16 bytes, not 32/,
    );
    expect(() => VaultKeyring.parse(`k1 ${key}\nk1 ${key}`)).toThrow(/appears twice/);
    expect(() => VaultKeyring.parse(`bad/id ${key}`)).toThrow(/is not/);
    try {
      VaultKeyring.parse(`k1 ${key} extra`);
    } catch (error) {
      expect((error as Error).message).not.toContain(key);
    }
    // Helm's randBytes writes standard base64; both alphabets are read.
    expect(VaultKeyring.parse(`k1 ${key}`).key('k1')?.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  it('refuses a secret opened under another label (no swapping ciphertexts between fields)', () => {
    const { dek } = newVault(keyring, 'p', 'u');
    const sealed = sealSecret(dek, 'k', 'address:W1');

    expect(() => openSecret(dek, sealed, 'address:W2')).toThrow(/does not decrypt/);
  });
});
