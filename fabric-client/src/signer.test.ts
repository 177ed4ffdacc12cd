import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nativeSigner } from './signer.js';

describe('the native Fabric signer', () => {
  it.each([
    ['prime256v1', 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n],
    [
      'secp384r1',
      0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    ],
  ] as const)(
    'signs SHA-256 of the message on %s, DER, always low-S (as peers require)',
    async (curve, order) => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const { signer } = nativeSigner(privateKey);
      // ECDSA's random k makes about half the raw signatures high-S: 40 rounds exercise both.
      for (let i = 0; i < 40; i++) {
        const message = Buffer.from(`proposal ${String(i)}`);
        const signature = await signer(message);

        expect(verify('sha256', message, publicKey, signature)).toBe(true);
        // SEQUENCE { INTEGER r, INTEGER s }: s is the second integer.
        const der = Buffer.from(signature);
        expect(der[0]).toBe(0x30);
        const sAt = 2 + 2 + (der[3] ?? 0);
        expect(der[sAt]).toBe(0x02);
        const s = BigInt(`0x${der.subarray(sAt + 2, sAt + 2 + (der[sAt + 1] ?? 0)).toString('hex')}`);
        expect(s <= order >> 1n).toBe(true);
      }
    },
  );

  it('refuses a key Fabric cannot use', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    expect(() => nativeSigner(privateKey)).toThrow(/must be ECDSA P-256 or P-384, got ed25519/);
  });
});
