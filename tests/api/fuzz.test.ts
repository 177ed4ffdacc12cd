import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../support/api-harness.js';
import { seeded } from '../support/seeded.js';

/**
 * A fuzzer driven by the API's OpenAPI document: for every operation, requests built from its
 * declared parameters and body schema, some valid in shape and most mutated (wrong types,
 * missing and unknown fields, empty, huge, control and bidi characters, operator-looking
 * objects), sent with and without a session. Every answer must be below 500 and match the
 * document (the harness checks each one). Seeded, so a failure can be replayed.
 */

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

const SEED = Number(process.env.FUZZ_SEED ?? '20261130');
const PER_OPERATION = 24;

const HOSTILE_STRINGS = [
  '',
  ' ',
  'x',
  '0',
  '-1',
  '1e999',
  '00000000000000000000000000001',
  '9'.repeat(40),
  'A'.repeat(5000),
  '\u0000',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '../../etc/passwd',
  '%00%2e%2e',
  '<script>alert(1)</script>',
  "'; DROP TABLE users; --",
  '{"$gt":""}',
  '2026-13-45T25:61:00Z',
  '2026-11-30T10:00:00+01:00',
  '😀'.repeat(40),
];
const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 64,
  [],
  {},
  { $gt: '' },
  { $where: 'sleep(1000)' },
];

class Fuzzer {
  constructor(
    private readonly next: () => number,
    private readonly components: Record<string, Schema>,
  ) {}

  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)] as T;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A value for `schema`: usually of its shape, sometimes anything hostile. */
  value(schema: Schema | undefined, depth = 0): unknown {
    if (!schema || depth > 4 || this.chance(0.15))
      return this.chance(0.5) ? this.pick(HOSTILE_STRINGS) : this.pick(HOSTILE_VALUES);
    const ref = schema.$ref;
    if (typeof ref === 'string') return this.value(this.components[ref.split('/').pop() ?? ''], depth + 1);
    const options = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
    if (options) return this.value(this.pick(options), depth + 1);
    if (Array.isArray(schema.enum) && this.chance(0.8)) return this.pick(schema.enum as unknown[]);
    if (schema.example !== undefined && this.chance(0.4)) return schema.example;
    switch (schema.type) {
      case 'object':
        return this.object(schema, depth);
      case 'array':
        return Array.from({ length: this.pick([0, 1, 2, 50]) }, () =>
          this.value(schema.items as Schema | undefined, depth + 1),
        );
      case 'integer':
        return this.pick([0, 1, 7, -3, 1e9, Number.MAX_SAFE_INTEGER]);
      case 'number':
        return this.pick([0, 0.5, -1, 1e308]);
      case 'boolean':
        return this.chance(0.5);
      default:
        return this.pick([...HOSTILE_STRINGS, 'alice', 'pay-123456', '1500', 'A1']);
    }
  }

  private object(schema: Schema, depth: number): Record<string, unknown> {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const result: Record<string, unknown> = {};
    for (const [name, property] of Object.entries(properties))
      if (!this.chance(0.15)) result[name] = this.value(property, depth + 1);
    if (this.chance(0.2)) result[this.pick(['admin', '__proto__', 'role', '$set'])] = this.value(undefined);
    return result;
  }

  /** A path parameter's text: mostly plausible, sometimes hostile (URL-encoded). */
  segment(): string {
    const text = this.chance(0.5)
      ? this.pick(['0', '1', 'a'.repeat(64), 'rc-1', 'sc-1', 'tk-1', '00000000-0000-0000-0000-000000000000'])
      : this.pick(HOSTILE_STRINGS.filter((s) => s.length > 0));
    return encodeURIComponent(text.slice(0, 300));
  }
}

describe('OpenAPI-driven fuzzing of every operation', () => {
  let api: ApiHarness;
  let token: string;
  let operations: { method: string; path: string; operation: Operation }[];
  let components: Record<string, Schema>;

  beforeAll(async () => {
    api = await ApiHarness.start('fuzz');
    token = await api.signUp('fuzz-holder');
    await api.recharge(token, '1000');
    const document = (await api.call('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, Schema> };
    };
    components = document.components.schemas;
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
    );
  });

  afterAll(async () => {
    await api.stop();
  });

  it(`answers every generated request below 500 and as documented (seed ${String(SEED)})`, async () => {
    const fuzz = new Fuzzer(seeded(SEED), components);
    const statuses = new Map<number, number>();
    let sent = 0;
    for (const { method, path, operation } of operations) {
      if (path === '/metrics') continue;
      for (let i = 0; i < PER_OPERATION; i++) {
        const parameters = operation.parameters ?? [];
        const url = path.replace(/\{[^}]+\}/g, () => fuzz.segment());
        const query = parameters
          .filter((p) => p.in === 'query' && fuzz.chance(0.6))
          .map((p) => `${p.name}=${encodeURIComponent(String(fuzz.value(p.schema)).slice(0, 300))}`);
        const headers: Record<string, string> = {};
        if (parameters.some((p) => p.name === 'idempotency-key') && fuzz.chance(0.8))
          headers['idempotency-key'] = fuzz.chance(0.7)
            ? `fuzz-${String(SEED)}-${String(sent)}`
            : // A header carries visible ASCII only (fetch refuses anything else before sending).
              fuzz.pick(HOSTILE_STRINGS.filter((text) => /^[\x20-\x7e]*$/.test(text))).slice(0, 300);
        const bodySchema = operation.requestBody?.content['application/json']?.schema;
        const answer = await api.call(method, query.length > 0 ? `${url}?${query.join('&')}` : url, {
          ...(fuzz.chance(0.8) ? { token } : {}),
          headers,
          ...(bodySchema
            ? fuzz.chance(0.1)
              ? { raw: fuzz.pick(['{', '[]', 'null', '"x"', '{"a":'.repeat(100)]) }
              : { body: fuzz.value(bodySchema) }
            : {}),
        });
        sent++;
        // A logout succeeded: log in again, or every later request would only test the 401.
        if (path === '/v1/sessions/current' && answer.status === 204)
          token = (
            await api.call('POST', '/v1/sessions', {
              body: { username: 'fuzz-holder', password: 'login-password-1' },
            })
          ).body.token as string;
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect(answer.status, `${method} ${url}`).toBeLessThan(500);
      }
    }

    process.stdout.write(
      `fuzz: ${String(sent)} requests, statuses ${JSON.stringify([...statuses].sort())}\n`,
    );
    // The run did reach past validation: some requests were refused for what they are, and
    // the holder's coins are untouched (no payment password was right).
    expect(sent).toBe(operations.filter((o) => o.path !== '/metrics').length * PER_OPERATION);
    expect([...statuses.keys()].filter((status) => status >= 400 && status < 500).length).toBeGreaterThan(3);
    expect((statuses.get(401) ?? 0) / sent).toBeLessThan(0.4);
    expect(await api.balance(token)).toBe('1000');
  });
});
