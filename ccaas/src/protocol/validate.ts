import { Limits } from './limits.js';
import { Rejection, RejectionCode } from './errors.js';

/** Strict readers for untrusted JSON: each failure names the field path and what is wrong. */

function malformed(path: string, problem: string): Rejection {
  return new Rejection(RejectionCode.MalformedArgument, `${path}: ${problem}`);
}

/** Parses a JSON transaction argument, bounded in size. */
export function parseJsonArgument(text: unknown, name: string): unknown {
  if (typeof text !== 'string') throw malformed(name, 'must be a JSON string');
  if (text.length > Limits.argumentLengthMax) {
    throw malformed(name, `is ${text.length} characters, more than the limit of ${Limits.argumentLengthMax}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw malformed(name, `is not valid JSON (${(error as Error).message})`);
  }
}

/** A plain object whose keys are all in `required` or `optional`, with every required key present. */
export function readObject(
  value: unknown,
  path: string,
  required: readonly string[],
  optional: readonly string[] = [],
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed(path, 'must be an object');
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!required.includes(key) && !optional.includes(key))
      throw malformed(`${path}.${key}`, 'is not a known field');
  }
  for (const key of required) {
    if (record[key] === undefined) throw malformed(`${path}.${key}`, 'is required');
  }
  return record;
}

export interface StringRule {
  readonly pattern?: RegExp;
  /** Says what the pattern means, for the error message. */
  readonly patternHint?: string;
  readonly minLength?: number;
  readonly maxLength: number;
}

export function readString(value: unknown, path: string, rule: StringRule): string {
  if (typeof value !== 'string') throw malformed(path, 'must be a string');
  if (value.length < (rule.minLength ?? 1)) throw malformed(path, 'must not be empty');
  if (value.length > rule.maxLength) throw malformed(path, `must be at most ${rule.maxLength} characters`);
  if (rule.pattern && !rule.pattern.test(value))
    throw malformed(path, `must be ${rule.patternHint ?? String(rule.pattern)}`);
  return value;
}

export function readInteger(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw malformed(path, 'must be an integer');
  if (value < min || value > max) throw malformed(path, `must be between ${min} and ${max}`);
  return value;
}

/** An array of at most `max` items; `tooMany` is the rejection when it is longer. */
export function readArray(
  value: unknown,
  path: string,
  max: number,
  tooMany?: RejectionCode,
): readonly unknown[] {
  if (!Array.isArray(value)) throw malformed(path, 'must be an array');
  if (value.length > max) {
    throw new Rejection(
      tooMany ?? RejectionCode.MalformedArgument,
      `${path}: has ${value.length} items, the limit is ${max}`,
    );
  }
  return value as readonly unknown[];
}

/** Identifiers chosen by clients (orders, screenings, seats): short, printable, no separators. */
export const ID_RULE: StringRule = {
  pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
  patternHint: 'letters, digits, ".", "_" or "-", starting with a letter or digit',
  maxLength: Limits.idLengthMax,
};

/** A Fabric transaction id: 64 lower-case hex digits. */
export const TX_ID_RULE: StringRule = {
  pattern: /^[0-9a-f]{64}$/,
  patternHint: 'a transaction id of 64 lower-case hex digits',
  minLength: 64,
  maxLength: 64,
};
