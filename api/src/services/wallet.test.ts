import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { parseAmountField } from './wallet.js';

describe('parseAmountField', () => {
  it('reads amounts as integers of minor units up to 10^18, exactly', () => {
    expect(parseAmountField('1', 'amount')).toBe(1n);
    expect(parseAmountField('9007199254740993', 'amount')).toBe(9_007_199_254_740_993n);
    expect(parseAmountField('1000000000000000000', 'price')).toBe(10n ** 18n);
  });

  it.each([
    ['1000000000000000001', /must not exceed 1000000000000000000 minor units/],
    ['0', /greater than zero/],
    ['12.5', /digits only/],
  ])('answers %j with a 400 naming the field', (text, message) => {
    let error: unknown;
    try {
      parseAmountField(text, 'price');
    } catch (thrown) {
      error = thrown;
    }

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, extensions: { errors: [{ path: 'price' }] } });
    expect(String(error)).toMatch(message);
  });
});
