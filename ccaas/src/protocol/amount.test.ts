import { describe, expect, it } from 'vitest';
import { AMOUNT_MAX, AmountError, formatAmount, parseAmount } from './amount.js';

describe('parseAmount', () => {
  it.each([
    ['1', 1n],
    ['250', 250n],
    [AMOUNT_MAX.toString(), AMOUNT_MAX],
  ])('accepts the canonical decimal %s', (text, expected) => {
    expect(parseAmount(text)).toBe(expected);
  });

  it.each([
    ['0', 'zero'],
    ['-5', 'not-decimal'],
    ['+5', 'not-decimal'],
    ['1.5', 'not-decimal'],
    ['1e3', 'not-decimal'],
    ['007', 'not-decimal'],
    [' 7', 'not-decimal'],
    ['', 'not-decimal'],
    [(AMOUNT_MAX + 1n).toString(), 'too-large'],
    ['9'.repeat(40), 'too-large'],
  ])('rejects %j as %s', (text, problem) => {
    expect(() => parseAmount(text, 'outputs[0].amount')).toThrow(
      expect.objectContaining({ problem, field: 'outputs[0].amount' }) as Error,
    );
  });

  it('rejects a number, which cannot carry every amount exactly', () => {
    expect(() => parseAmount(5)).toThrow(AmountError);
  });

  it('round-trips through formatAmount', () => {
    expect(formatAmount(parseAmount('123456789012345678'))).toBe('123456789012345678');
  });
});
