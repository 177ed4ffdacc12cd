import { describe, expect, it } from 'vitest';
import { sha256Hex } from './hash.js';
import { generateAddressKey } from './keys.js';
import { verifyMessage } from './signature.js';
import {
  parseTransferBody,
  parseWitnesses,
  signTransferBody,
  sortOutpoints,
  transferSigningMessage,
  type TransferBody,
} from './transfer-body.js';

const txA = sha256Hex('a');
const txB = sha256Hex('b');
const payee = generateAddressKey().address;

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    channel: 'payments',
    chaincode: 'token',
    inputs: sortOutpoints([
      { txId: txA, index: 0 },
      { txId: txB, index: 1 },
    ]),
    outputs: [{ address: payee, amount: '150' }],
    memoHash: '',
    expiresAt: 1_900_000_000_000,
    ...overrides,
  };
}

function rejectionOf(value: unknown): unknown {
  try {
    parseTransferBody(value);
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('parseTransferBody', () => {
  it('accepts a well-formed body', () => {
    const parsed = parseTransferBody(body());

    expect(parsed.inputs).toHaveLength(2);
    expect(parsed.outputs).toEqual([{ address: payee, amount: '150' }]);
  });

  it.each([
    ['an unknown field', body({ extra: 1 }), 'MALFORMED_ARGUMENT', 'body.extra'],
    ['a missing field', { ...body(), channel: undefined }, 'MALFORMED_ARGUMENT', 'body.channel: is required'],
    ['another version', body({ version: 2 }), 'MALFORMED_ARGUMENT', 'body.version'],
    ['no input', body({ inputs: [] }), 'MALFORMED_ARGUMENT', 'at least one input'],
    [
      'a duplicate input',
      body({
        inputs: [
          { txId: txA, index: 0 },
          { txId: txA, index: 0 },
        ],
      }),
      'DUPLICATE_INPUT',
      'spent twice',
    ],
    [
      'unsorted inputs',
      body({
        inputs: sortOutpoints([
          { txId: txA, index: 0 },
          { txId: txB, index: 0 },
        ]).reverse(),
      }),
      'INPUTS_NOT_SORTED',
      'sorted',
    ],
    [
      'too many inputs',
      body({ inputs: Array.from({ length: 65 }, (_, i) => ({ txId: sha256Hex(String(i)), index: 0 })) }),
      'TOO_MANY_INPUTS',
      'limit is 64',
    ],
    [
      'too many outputs',
      body({ outputs: Array.from({ length: 17 }, () => ({ address: payee, amount: '1' })) }),
      'TOO_MANY_OUTPUTS',
      'limit is 16',
    ],
    [
      'a zero amount',
      body({ outputs: [{ address: payee, amount: '0' }] }),
      'BAD_AMOUNT',
      'greater than zero',
    ],
    ['a negative amount', body({ outputs: [{ address: payee, amount: '-5' }] }), 'BAD_AMOUNT', 'digits only'],
    [
      'a fractional amount',
      body({ outputs: [{ address: payee, amount: '1.5' }] }),
      'BAD_AMOUNT',
      'digits only',
    ],
    [
      'a too large amount',
      body({ outputs: [{ address: payee, amount: '1' + '0'.repeat(18) + '1' }] }),
      'BAD_AMOUNT',
      'exceed',
    ],
    ['a numeric amount', body({ outputs: [{ address: payee, amount: 5 }] }), 'BAD_AMOUNT', 'decimal string'],
    [
      'a bad address',
      body({ outputs: [{ address: 'Wnope', amount: '5' }] }),
      'MALFORMED_ARGUMENT',
      'not a valid address',
    ],
    [
      'a bad txId',
      body({ inputs: [{ txId: 'xyz', index: 0 }] }),
      'MALFORMED_ARGUMENT',
      'body.inputs[0].txId',
    ],
    ['a bad memo hash', body({ memoHash: 'abc' }), 'MALFORMED_ARGUMENT', 'memoHash'],
    ['a fractional expiry', body({ expiresAt: 1.5 }), 'MALFORMED_ARGUMENT', 'expiresAt'],
    ['an array', [], 'MALFORMED_ARGUMENT', 'must be an object'],
    [
      'a purchase naming a seat twice',
      body({ purchase: { screeningId: 's1', seats: ['A1', 'A1'], holder: payee } }),
      'MALFORMED_ARGUMENT',
      'seat twice',
    ],
  ])('rejects %s', (_name, value, code, fragment) => {
    const error = rejectionOf(value) as { code: string; message: string };

    expect(error.code).toBe(code);
    expect(error.message).toContain(fragment);
  });
});

describe('the signed message', () => {
  it('is the same for the same body whatever the key order of its JSON', () => {
    const a = parseTransferBody(body());
    const reordered = JSON.parse(
      JSON.stringify(Object.fromEntries(Object.entries(body()).reverse())),
    ) as unknown;

    expect(transferSigningMessage(parseTransferBody(reordered))).toEqual(transferSigningMessage(a));
  });

  it('starts with the transfer domain and changes when any field changes', () => {
    const a = parseTransferBody(body());
    const b = parseTransferBody(body({ expiresAt: 1_900_000_000_001 }));

    expect(transferSigningMessage(a).toString('utf8').startsWith('fabric-wallet/transfer/v1\u0000')).toBe(
      true,
    );
    expect(transferSigningMessage(a)).not.toEqual(transferSigningMessage(b));
  });

  it('is signed by each key so that each witness verifies', () => {
    const keys = [generateAddressKey(), generateAddressKey()];
    const parsed: TransferBody = parseTransferBody(body());

    const witnesses = parseWitnesses(signTransferBody(parsed, keys));

    expect(witnesses).toHaveLength(2);
    witnesses.forEach((witness, i) => {
      expect(witness.publicKey).toBe(keys[i]?.publicKeyHex);
      expect(
        verifyMessage(keys[i]?.privateKey as never, transferSigningMessage(parsed), witness.signature),
      ).toBe('valid');
    });
  });
});
