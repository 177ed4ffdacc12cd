import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import type { Database } from './db/mongo.js';
import type { Ledger } from './fabric/ledger.js';
import { localApiConfig } from './local-config.js';
import { createLogger } from './logger.js';
import { NOWHERE_FABRIC } from './routes/testing.js';

/**
 * The OpenAPI document and the answers the routing itself gives (405, 404), with no network:
 * nothing here reaches a service, so the app is built over inert dependencies.
 */
const inert = new Proxy({}, { get: () => ({}) });
const app = createApp({
  config: localApiConfig(NOWHERE_FABRIC),
  db: { collections: inert } as unknown as Database,
  ledger: inert as unknown as Ledger,
  logger: createLogger('silent'),
});

interface Operation {
  parameters?: { name: string; in: string; required?: boolean; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
  responses: Record<string, { headers?: Record<string, unknown> }>;
}
const document = async () =>
  (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, Operation>> };

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document (the official JSON schema)', async () => {
    const result = await new Validator().validate(await document());

    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('states what the server enforces: required path parameters and Idempotency-Key, amount digits', async () => {
    const { paths } = await document();
    const trace = paths['/v1/me/tokens/{txId}/{index}/trace']?.get;
    const transfer = paths['/v1/transfers']?.post;

    expect(trace?.parameters?.find((p) => p.name === 'index')).toMatchObject({
      in: 'path',
      required: true,
      schema: { type: 'integer', minimum: 0 },
    });
    expect(transfer?.parameters?.find((p) => p.name === 'idempotency-key')).toMatchObject({
      in: 'header',
      required: true,
      schema: { pattern: '^[A-Za-z0-9_.:-]{8,128}$' },
    });
    expect(transfer?.requestBody?.content['application/json']?.schema.properties?.amount).toMatchObject({
      type: 'string',
      pattern: '^[1-9][0-9]{0,18}$',
    });
  });

  it('documents 429 on every /v1 operation, 413 and 415 on every one with a body, replays on 201s', async () => {
    const { paths } = await document();
    const operations = Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
    );

    expect(operations.length).toBeGreaterThan(25);
    for (const { path, method, operation } of operations) {
      const codes = Object.keys(operation.responses);
      if (path.startsWith('/v1/')) expect(codes, `${method} ${path}`).toContain('429');
      if (operation.requestBody)
        expect(codes, `${method} ${path}`).toEqual(expect.arrayContaining(['413', '415']));
      if (operation.parameters?.some((p) => p.name === 'idempotency-key'))
        expect(operation.responses['201']?.headers, `${method} ${path}`).toHaveProperty(
          'Idempotent-Replayed',
        );
    }
  });
});

describe('routing answers', () => {
  it.each([
    ['DELETE', '/v1/transfers', 'POST'],
    ['PUT', '/v1/cinema/screenings/abc', 'GET, HEAD'],
    ['POST', '/v1/me/balance', 'GET, HEAD'],
    ['PATCH', '/v1/me/addresses', 'GET, HEAD, POST'],
    ['DELETE', '/healthz', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const response = await app.request(path, { method });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({
      status: 405,
      detail: `${path} allows ${allow}, not ${method}`,
    });
  });

  it('answers an unknown path with 404', async () => {
    const response = await app.request('/v1/nothing-here', { method: 'GET' });

    expect(response.status).toBe(404);
    expect(response.headers.get('allow')).toBeNull();
  });
});
