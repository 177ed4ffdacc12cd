/**
 * Amounts are integer minor units (cents), written as decimal strings on the wire and in
 * state, and handled as BigInt: never a JS number, which loses precision past 2^53.
 */

/** The largest amount one output may carry: 10^18 minor units, inside a signed 64-bit int. */
export const AMOUNT_MAX = 10n ** 18n;

/** Longest decimal string accepted, so parsing never touches an unbounded input. */
const AMOUNT_DIGITS_MAX = 19;

/** Why a string is not a valid amount. */
export type AmountProblem = 'not-a-string' | 'not-decimal' | 'zero' | 'too-large';

/** An amount that failed validation, with what was wrong. */
export class AmountError extends Error {
  override readonly name = 'AmountError';
  constructor(
    readonly problem: AmountProblem,
    readonly field: string,
  ) {
    super(`${field}: ${describe(problem)}`);
  }
}

function describe(problem: AmountProblem): string {
  switch (problem) {
    case 'not-a-string':
      return 'amount must be a decimal string of integer minor units';
    case 'not-decimal':
      return 'amount must be digits only (integer minor units, no sign, no fraction, no leading zeros)';
    case 'zero':
      return 'amount must be greater than zero';
    case 'too-large':
      return `amount must not exceed ${AMOUNT_MAX} minor units`;
  }
}

/**
 * Parses a positive amount (1 .. AMOUNT_MAX) from its canonical decimal string. Rejects
 * signs, fractions, exponents, whitespace and leading zeros, so every amount has exactly
 * one spelling (the signed body depends on it).
 */
export function parseAmount(value: unknown, field = 'amount'): bigint {
  if (typeof value !== 'string') throw new AmountError('not-a-string', field);
  if (value.length > AMOUNT_DIGITS_MAX || !/^(0|[1-9][0-9]*)$/.test(value)) {
    throw new AmountError(
      value.length > AMOUNT_DIGITS_MAX && /^[0-9]+$/.test(value) ? 'too-large' : 'not-decimal',
      field,
    );
  }
  const amount = BigInt(value);
  if (amount === 0n) throw new AmountError('zero', field);
  if (amount > AMOUNT_MAX) throw new AmountError('too-large', field);
  return amount;
}

/** The canonical decimal string of an amount. */
export function formatAmount(amount: bigint): string {
  if (amount < 0n) throw new RangeError(`negative amount ${amount}`);
  return amount.toString(10);
}
