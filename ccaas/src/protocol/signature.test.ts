import { describe, expect, it } from 'vitest';
import { generateAddressKey } from './keys.js';
import { signMessage, toHighS, verifyMessage } from './signature.js';

const halfN = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n >> 1n;

describe('ECDSA P-256 signatures', () => {
  const key = generateAddressKey();
  const message = Buffer.from('pay 5 to W...');

  it('verifies a signature it made and always emits the low-S form', () => {
    for (let i = 0; i < 20; i++) {
      const signature = signMessage(key.privateKey, message);

      expect(signature).toMatch(/^[0-9a-f]{128}$/);
      expect(BigInt(`0x${signature.slice(64)}`) <= halfN).toBe(true);
      expect(verifyMessage(key.privateKey, message, signature)).toBe('valid');
    }
  });

  it('refuses the high-S twin of a valid signature', () => {
    const signature = signMessage(key.privateKey, message);

    expect(verifyMessage(key.privateKey, message, toHighS(signature))).toBe('high-s');
  });

  it('refuses a signature over another message or by another key', () => {
    const signature = signMessage(key.privateKey, message);

    expect(verifyMessage(key.privateKey, Buffer.from('pay 6 to W...'), signature)).toBe('invalid');
    expect(verifyMessage(generateAddressKey().privateKey, message, signature)).toBe('invalid');
  });

  it('calls anything but 128 lower-case hex digits malformed', () => {
    expect(verifyMessage(key.privateKey, message, 'zz')).toBe('malformed');
    expect(verifyMessage(key.privateKey, message, signMessage(key.privateKey, message).toUpperCase())).toBe(
      'malformed',
    );
    expect(verifyMessage(key.privateKey, message, 7)).toBe('malformed');
  });
});
