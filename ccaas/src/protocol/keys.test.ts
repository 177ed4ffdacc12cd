import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base58CheckDecode, base58CheckEncode } from './base58.js';
import { sha256 } from './hash.js';
import {
  addressFromPublicKey,
  generateAddressKey,
  isAddress,
  parsePublicKeyHex,
  publicKeyHexOf,
} from './keys.js';

describe('addresses', () => {
  it('derives base58check(version || first 20 bytes of SHA-256(public key)), starting with W', () => {
    const key = generateAddressKey();

    const payload = base58CheckDecode(key.address);

    expect(key.address.startsWith('W')).toBe(true);
    expect(Buffer.from(payload ?? [])).toEqual(
      Buffer.concat([Uint8Array.of(0x49), sha256(Buffer.from(key.publicKeyHex, 'hex')).subarray(0, 20)]),
    );
  });

  it('gives a different address for every new key', () => {
    const addresses = new Set(Array.from({ length: 20 }, () => generateAddressKey().address));

    expect(addresses.size).toBe(20);
  });

  it('recognises only well-formed addresses of this version', () => {
    const { address } = generateAddressKey();
    const otherVersion = base58CheckEncode(Buffer.concat([Uint8Array.of(0x00), Buffer.alloc(20, 7)]));
    const flipped = address.slice(0, 5) + (address[5] === 'z' ? 'y' : 'z') + address.slice(6);

    expect(isAddress(address)).toBe(true);
    expect(isAddress(otherVersion)).toBe(false);
    expect(isAddress(flipped)).toBe(false);
    expect(isAddress(42)).toBe(false);
    expect(isAddress('W' + 'x'.repeat(60))).toBe(false);
  });

  it('refuses to derive an address from anything but an uncompressed 65-byte key', () => {
    expect(() => addressFromPublicKey(Buffer.alloc(33, 2))).toThrow(RangeError);
  });
});

describe('parsePublicKeyHex', () => {
  it('parses a key, derives its address and returns the cached result the second time', () => {
    const key = generateAddressKey();

    const first = parsePublicKeyHex(key.publicKeyHex);
    const second = parsePublicKeyHex(key.publicKeyHex);

    expect(first?.address).toBe(key.address);
    expect(second).toBe(first);
    expect(publicKeyHexOf(createPublicKey(key.privateKey))).toBe(key.publicKeyHex);
  });

  it('rejects a point that is not on P-256, upper-case hex and the compressed form', () => {
    const key = generateAddressKey();
    const offCurve = `04${'11'.repeat(64)}`;

    expect(parsePublicKeyHex(offCurve)).toBeUndefined();
    expect(parsePublicKeyHex(key.publicKeyHex.toUpperCase())).toBeUndefined();
    expect(parsePublicKeyHex(`02${key.publicKeyHex.slice(2, 66)}`)).toBeUndefined();
    expect(parsePublicKeyHex(undefined)).toBeUndefined();
  });
});
