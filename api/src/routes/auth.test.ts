import { describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import type { Database } from '../db/mongo.js';
import { FakeLedger } from '../fabric/fake-ledger.js';
import { localApiConfig } from '../local-config.js';
import { createLogger } from '../logger.js';
import { NOWHERE_FABRIC } from './testing.js';

/**
 * The whole app in-process: every operation the OpenAPI document marks with the bearer
 * scheme refuses a request without a credential before anything reaches a service; the
 * others are exactly the public ones. The outer DB here throws at any use, so a route that
 * forgot its credential check would answer 500, not 401.
 */
const refuse = () => {
  throw new Error('a request reached the outer DB');
};
/** Collections that can be handed around but not used. */
const unreachable = new Proxy({}, { get: () => new Proxy(refuse, { get: refuse, apply: refuse }) });
const ledger = new FakeLedger();
const app = createApp({
  config: localApiConfig(NOWHERE_FABRIC, {
    adminToken: 'admin-token-'.padEnd(48, '0'),
    rateLimits: { enabled: false, trustedProxyHops: 0 },
  }),
  db: { collections: unreachable } as unknown as Database,
  ledger,
  logger: createLogger('silent'),
});

interface Operation {
  security?: unknown[];
  parameters?: { name: string; in: string }[];
}
const operations = async () => {
  const document = (await (await app.request('/openapi.json')).json()) as {
    paths: Record<string, Record<string, Operation>>;
  };
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      method: method.toUpperCase(),
      // Path parameters filled with values of the right form: only the credential is missing.
      url: path
        .replace('{txId}', 'a'.repeat(64))
        .replace('{index}', '0')
        .replace('{ticketId}', 'sc-1:A1')
        .replace(/\{[^}]+\}/g, 'id-1'),
      secured: (operation.security ?? []).length > 0,
    })),
  );
};

describe('credentials, route by route', () => {
  it('answers 401 to every operation that declares the bearer scheme, without a credential', async () => {
    const secured = (await operations()).filter((operation) => operation.secured);

    const answers = await Promise.all(
      secured.map(async ({ method, url }) => {
        const response = await app.request(url, {
          method,
          headers: { 'content-type': 'application/json', 'idempotency-key': 'key-00000001' },
          ...(method === 'GET' ? {} : { body: '{}' }),
        });
        return `${method} ${url} ${String(response.status)}`;
      }),
    );

    expect(secured.length).toBeGreaterThan(20);
    expect(answers).toEqual(secured.map(({ method, url }) => `${method} ${url} 401`));
    expect(ledger.calls).toEqual([]);
  });

  it('declares no credential on the public operations only', async () => {
    const open = (await operations()).filter((operation) => !operation.secured);

    expect(open.map(({ method, url }) => `${method} ${url}`).sort()).toEqual([
      'GET /healthz',
      'GET /metrics',
      'GET /readyz',
      'GET /v1/cinema/screenings',
      'GET /v1/cinema/screenings/id-1',
      'POST /v1/sessions',
      'POST /v1/users',
    ]);
  });
});
