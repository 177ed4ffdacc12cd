import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords.js';
import { newVault, openSecret, sealSecret, unwrapDek, wrapDek } from './vault.js';

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

describe('the key vault', () => {
  it('opens secrets with the payment password and not with another', async () => {
    const { wrapped, dek } = await newVault('pay-1234', 'user-1');
    const sealed = sealSecret(dek, 'PRIVATE KEY', 'address:W1');

    const reopened = await unwrapDek(wrapped, 'pay-1234', 'user-1');

    expect(reopened && openSecret(reopened, sealed, 'address:W1')).toBe('PRIVATE KEY');
    expect(await unwrapDek(wrapped, 'pay-9999', 'user-1')).toBeUndefined();
    expect(await unwrapDek(wrapped, 'pay-1234', 'user-2')).toBeUndefined();
    expect(sealed).not.toContain('PRIVATE');
  });

  it('re-wraps under a new payment password; the old one stops working and the secrets stay readable', async () => {
    const { wrapped, dek } = await newVault('old-pass', 'u');
    const sealed = sealSecret(dek, 'k', 'label');

    const rewrapped = await wrapDek(dek, 'new-pass', 'u');

    expect(await unwrapDek(rewrapped, 'old-pass', 'u')).toBeUndefined();
    const opened = await unwrapDek(rewrapped, 'new-pass', 'u');
    expect(opened && openSecret(opened, sealed, 'label')).toBe('k');
    expect(wrapped.sealedDek).not.toBe(rewrapped.sealedDek);
  });

  it('refuses a secret opened under another label (no swapping ciphertexts between fields)', async () => {
    const { dek } = await newVault('p', 'u');
    const sealed = sealSecret(dek, 'k', 'address:W1');

    expect(() => openSecret(dek, sealed, 'address:W2')).toThrow(/does not decrypt/);
  });
});
