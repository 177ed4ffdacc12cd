// Money on this page follows one rule. The API counts every amount in whole minor units (an
// integer in a decimal string: "1250"); the configuration (GET /wallet/config.json) says of
// which currency and how many digits follow its decimal point (CNY, 2: "1250" is 12.50).
// People type and read decimals ("12.50"); text is converted to minor units digit by digit
// and back, never through a JavaScript number, so no amount is ever rounded.

/** The API's largest amount in minor units (its Amount schema: 1 to 10^18). */
const MINOR_MAX = 10n ** 18n;

/** An amount a person typed that is not one: the message says what to type instead. */
export class AmountError extends Error {
  name = 'AmountError';
}

/** `minor` (a bigint) as a plain decimal string with `exponent` digits after the point: 1250n, 2 -> "12.50". */
export function decimalOf(minor, exponent) {
  const sign = minor < 0n ? '-' : '';
  const digits = (minor < 0n ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  return exponent === 0 ? `${sign}${whole}` : `${sign}${whole}.${digits.slice(digits.length - exponent)}`;
}

/** An amount to show as an example of what to type: "12.50" ("1250" in a currency without decimals). */
export function exampleOf(exponent) {
  return decimalOf(1250n * 10n ** BigInt(Math.max(0, exponent - 2)), exponent);
}

/**
 * Typed text as minor units ("12.5" -> "1250" at exponent 2), or an AmountError saying why
 * not. `separators` are the decimal points accepted (always "."; the locale's own too).
 */
export function parseAmount(text, exponent, separators = ['.']) {
  const example = exampleOf(exponent);
  let trimmed = String(text).trim();
  for (const separator of separators) trimmed = trimmed.replace(separator, '.');
  const match = /^(\d*)(?:\.(\d*))?$/.exec(trimmed);
  if (!match || trimmed === '' || trimmed === '.')
    throw new AmountError(`Enter an amount such as ${example}.`);
  const [, whole = '', fraction = ''] = match;
  if (fraction.length > exponent)
    throw new AmountError(
      exponent === 0
        ? `Enter a whole amount, such as ${example}.`
        : `Use at most ${exponent} digits after the point, such as ${example}.`,
    );
  const minor = BigInt(`${whole || '0'}${fraction.padEnd(exponent, '0')}`);
  if (minor === 0n) throw new AmountError('Enter an amount above zero.');
  if (minor > MINOR_MAX) throw new AmountError('That amount is too large.');
  return minor.toString();
}

/** The sum of amounts in minor units (strings or bigints), as a bigint. */
export function sumOf(amounts) {
  return amounts.reduce((total, amount) => total + BigInt(amount), 0n);
}

/**
 * The page's money: `format` for display (Intl.NumberFormat in the currency, given the exact
 * decimal text, so no float is involved), `parse` for typed amounts, `unit` for labels.
 * `config` is GET /wallet/config.json: { currency, exponent, minorUnit }.
 */
export function createMoney(config, locale) {
  const { currency, exponent, minorUnit } = config;
  const display = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  const point = new Intl.NumberFormat(locale).formatToParts('1.5').find((part) => part.type === 'decimal');
  const separators = point && point.value !== '.' ? ['.', point.value] : ['.'];
  return Object.freeze({
    currency,
    exponent,
    /** What one minor unit is worth ("0.01 CNY"), as the bills CSV header names it. */
    minorUnit,
    /** "1250" -> "CN¥12.50" (in an en-US browser). */
    format: (minor) => display.format(decimalOf(BigInt(minor), exponent)),
    /** "12.50" -> "1250"; throws AmountError with a message for a person. */
    parse: (text) => parseAmount(text, exponent, separators),
    /** An example of what to type, for placeholders. */
    example: exampleOf(exponent),
  });
}
