import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The web wallet's money rule (api/public/wallet/money.js, a browser module with no DOM use),
 * run here in Node: the table of what people type and what the API receives, and the display.
 */
interface Money {
  readonly format: (minor: string | bigint) => string;
  readonly parse: (text: string) => string;
  readonly minorUnit: string;
  readonly example: string;
}
interface MoneyModule {
  readonly createMoney: (
    config: { currency: string; exponent: number; minorUnit: string },
    locale: string,
  ) => Money;
  readonly decimalOf: (minor: bigint, exponent: number) => string;
  readonly AmountError: new (message: string) => Error;
}

const MODULE = fileURLToPath(new URL('../../api/public/wallet/money.js', import.meta.url));

describe('the web wallet’s money rule', () => {
  let money: MoneyModule;
  let cny: Money;

  beforeAll(async () => {
    money = (await import(MODULE)) as MoneyModule;
    cny = money.createMoney({ currency: 'CNY', exponent: 2, minorUnit: '0.01 CNY' }, 'en-US');
  });

  it.each([
    ['12.50', '1250'],
    ['12.5', '1250'],
    ['12', '1200'],
    ['0.01', '1'],
    ['.5', '50'],
    [' 7.00 ', '700'],
    ['0012.30', '1230'],
    ['10000000000000000.00', '1000000000000000000'],
  ])('reads %j as %s minor units', (typed, minor) => {
    expect(cny.parse(typed)).toBe(minor);
  });

  it.each([
    ['12.345', 'Use at most 2 digits after the point, such as 12.50.'],
    ['0', 'Enter an amount above zero.'],
    ['0.00', 'Enter an amount above zero.'],
    ['-5', 'Enter an amount such as 12.50.'],
    ['1e3', 'Enter an amount such as 12.50.'],
    ['12,50', 'Enter an amount such as 12.50.'],
    ['1 000', 'Enter an amount such as 12.50.'],
    ['', 'Enter an amount such as 12.50.'],
    ['.', 'Enter an amount such as 12.50.'],
    ['10000000000000000.01', 'That amount is too large.'],
  ])('refuses %j, saying %j', (typed, message) => {
    expect(() => cny.parse(typed)).toThrow(new money.AmountError(message));
  });

  it('takes the locale’s decimal comma as well as a point', () => {
    const euro = money.createMoney({ currency: 'EUR', exponent: 2, minorUnit: '0.01 EUR' }, 'de-DE');

    expect(euro.parse('12,50')).toBe('1250');
    expect(euro.parse('12.50')).toBe('1250');
  });

  it('formats minor units in the currency without passing through a float', () => {
    expect(cny.format('1250')).toBe('CN¥12.50');
    expect(cny.format(1n)).toBe('CN¥0.01');
    // 2^53 + 1 cents: a JavaScript number would print ...992.
    expect(cny.format('9007199254740993')).toBe('CN¥90,071,992,547,409.93');
  });

  it('follows the configured exponent for parsing, display and examples', () => {
    const yen = money.createMoney({ currency: 'JPY', exponent: 0, minorUnit: 'JPY' }, 'en-US');
    const dinar = money.createMoney({ currency: 'KWD', exponent: 3, minorUnit: '0.001 KWD' }, 'en-US');

    expect(yen.parse('1200')).toBe('1200');
    expect(() => yen.parse('12.5')).toThrow('Enter a whole amount, such as 1250.');
    expect(yen.format('1200')).toBe('¥1,200');
    expect(dinar.parse('1.5')).toBe('1500');
    expect(dinar.format('1500')).toBe('KWD\u00a01.500');
    expect([cny.example, yen.example, dinar.example]).toEqual(['12.50', '1250', '12.500']);
  });

  it.each([
    [0n, 2, '0.00'],
    [5n, 2, '0.05'],
    [123456n, 3, '123.456'],
    [-1250n, 2, '-12.50'],
    [42n, 0, '42'],
  ])('writes %s at exponent %i as %j', (minor, exponent, text) => {
    expect(money.decimalOf(minor, exponent)).toBe(text);
  });
});
