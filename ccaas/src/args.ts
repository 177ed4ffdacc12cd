import { Rejection, RejectionCode } from './protocol/errors.js';
import { readString, type StringRule } from './protocol/validate.js';

/** Transaction arguments arrive as strings; these read them with the same clear errors. */

export function stringArg(value: unknown, name: string, rule: StringRule): string {
  return readString(value, name, rule);
}

/** A decimal integer argument within [min, max]. */
export function integerArg(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,8})$/.test(value)) {
    throw new Rejection(RejectionCode.MalformedArgument, `${name}: must be a decimal integer`);
  }
  const number = Number(value);
  if (number < min || number > max)
    throw new Rejection(RejectionCode.MalformedArgument, `${name}: must be between ${min} and ${max}`);
  return number;
}

/** Fails when a transaction function was called with the wrong number of arguments. */
export function expectArgCount(args: readonly unknown[], count: number, signature: string): void {
  if (args.length !== count) {
    throw new Rejection(
      RejectionCode.MalformedArgument,
      `expected ${count} arguments (${signature}), got ${args.length}`,
    );
  }
}
