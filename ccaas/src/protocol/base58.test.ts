import { describe, expect, it } from 'vitest';
import { base58CheckDecode, base58CheckEncode, base58Decode, base58Encode } from './base58.js';

describe('base58', () => {
  it.each([
    ['', ''],
    ['00', '1'],
    ['0000ff', '115Q'],
    ['61', '2g'],
    ['626262', 'a3gV'],
    ['516b6fcd0f', 'ABnLTmg'],
  ])('encodes hex %j as %j and decodes it back', (hex, text) => {
    const bytes = Buffer.from(hex, 'hex');

    const encoded = base58Encode(bytes);

    expect(encoded).toBe(text);
    expect(Buffer.from(base58Decode(encoded) ?? [])).toEqual(bytes);
  });

  it('refuses characters outside the alphabet (0, O, I, l)', () => {
    expect(base58Decode('0abc')).toBeUndefined();
    expect(base58Decode('abOc')).toBeUndefined();
    expect(base58Decode('Il')).toBeUndefined();
  });

  it('round-trips base58check and detects a changed character', () => {
    const payload = Buffer.from('49' + 'ab'.repeat(20), 'hex');
    const text = base58CheckEncode(payload);
    const last = text.at(-1) === 'a' ? 'b' : 'a';

    expect(Buffer.from(base58CheckDecode(text) ?? [])).toEqual(payload);
    expect(base58CheckDecode(text.slice(0, -1) + last)).toBeUndefined();
  });
});
