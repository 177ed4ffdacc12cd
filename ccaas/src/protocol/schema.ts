import { AmountError, parseAmount } from './amount.js';
import type { StringRule } from './validate.js';

/**
 * Schemas for JSON that clients receive from the chaincode (transaction results, event
 * payloads): each checks a value's shape and bounds and returns it typed, or throws a
 * SchemaError naming the path of the first thing wrong. Unknown fields are dropped rather
 * than refused, so a chaincode that adds a field does not break older clients; a missing or
 * wrong field is refused. (The chaincode's own input checks are validate.ts: stricter, and
 * failing with a Rejection.)
 */

/** A value a schema refuses: where (`$.outputs[0].amount`) and what is wrong. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  constructor(
    readonly path: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${problem}`, options);
  }
}

/** Checks untrusted JSON and returns it typed; throws SchemaError. */
export interface Schema<T> {
  parse(value: unknown, path?: string): T;
}

/** The type a schema returns. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

type Shape = Readonly<Record<string, Schema<unknown>>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type Decoded<R extends Shape, O extends Shape | undefined> = Simplify<
  { readonly [K in keyof R]: Infer<R[K]> } & (O extends Shape
    ? { readonly [K in keyof O]?: Infer<O[K]> }
    : unknown)
>;

const ROOT = '$';

function schema<T>(parse: (value: unknown, path: string) => T): Schema<T> {
  return { parse: (value, path = ROOT) => parse(value, path) };
}

/** A string within the rule's length, matching its pattern. */
export function string(rule: StringRule): Schema<string> {
  return schema((value, path) => {
    if (typeof value !== 'string') throw new SchemaError(path, 'must be a string');
    if (value.length < (rule.minLength ?? 1)) throw new SchemaError(path, 'must not be empty');
    if (value.length > rule.maxLength)
      throw new SchemaError(path, `must be at most ${rule.maxLength} characters`);
    if (rule.pattern && !rule.pattern.test(value))
      throw new SchemaError(path, `must be ${rule.patternHint ?? String(rule.pattern)}`);
    return value;
  });
}

/** A safe integer in [min, max]. */
export function integer(min: number, max: number): Schema<number> {
  return schema((value, path) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value))
      throw new SchemaError(path, 'must be an integer');
    if (value < min || value > max) throw new SchemaError(path, `must be between ${min} and ${max}`);
    return value;
  });
}

export const boolean: Schema<boolean> = schema((value, path) => {
  if (typeof value !== 'boolean') throw new SchemaError(path, 'must be true or false');
  return value;
});

/** One of the given strings. */
export function oneOf<const T extends readonly string[]>(...values: T): Schema<T[number]> {
  return schema((value, path) => {
    const found = values.find((candidate) => candidate === value);
    if (found === undefined) throw new SchemaError(path, `must be one of ${values.join(', ')}`);
    return found;
  });
}

/** A positive amount of minor units as its canonical decimal string (see amount.ts). */
export const amount: Schema<string> = schema((value, path) => {
  const problem = 'must be a positive whole number of minor units as a decimal string';
  if (typeof value !== 'string') throw new SchemaError(path, problem);
  try {
    parseAmount(value, path);
  } catch (error) {
    if (error instanceof AmountError) throw new SchemaError(path, problem, { cause: error });
    throw error;
  }
  return value;
});

/** An array of at most `max` items, each checked by `item`. */
export function array<T>(item: Schema<T>, max: number): Schema<T[]> {
  return schema((value, path) => {
    if (!Array.isArray(value)) throw new SchemaError(path, 'must be an array');
    if (value.length > max) throw new SchemaError(path, `has ${value.length} items, the limit is ${max}`);
    return value.map((entry: unknown, i) => item.parse(entry, `${path}[${i}]`));
  });
}

/**
 * An object with every `required` field and any of the `optional` ones (absent stays absent);
 * other fields are dropped.
 */
export function object<R extends Shape, O extends Shape | undefined = undefined>(
  required: R,
  optional?: O,
): Schema<Decoded<R, O>> {
  return schema((value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new SchemaError(path, 'must be an object');
    // Own enumerable fields only: nothing is read through the prototype.
    const given = new Map<string, unknown>(Object.entries(value));
    const decoded: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(required)) {
      const entry = given.get(key);
      if (entry === undefined) throw new SchemaError(`${path}.${key}`, 'is required');
      decoded[key] = field.parse(entry, `${path}.${key}`);
    }
    const optionalFields: Shape = optional ?? {};
    for (const [key, field] of Object.entries(optionalFields)) {
      const entry = given.get(key);
      if (entry !== undefined) decoded[key] = field.parse(entry, `${path}.${key}`);
    }
    // Every field was checked by its schema just above: this is the one place the mapped
    // type is asserted, so that no caller needs to.
    return decoded as Decoded<R, O>;
  });
}

/** Parses JSON text and checks it; a text that is not JSON is a SchemaError at `path`. */
export function parseJson<T>(target: Schema<T>, text: string, path = ROOT): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SchemaError(path, `is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return target.parse(value, path);
}
