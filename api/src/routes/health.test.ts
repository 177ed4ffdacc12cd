import { describe, expect, it } from 'vitest';
import type { Readiness } from '../services/readiness.js';
import { healthRoutes, metrics } from './health.js';
import { routeApp, send } from './testing.js';

function health(readiness: Readiness) {
  const { registry, middleware } = metrics();
  return routeApp((hono) => {
    hono.use(middleware);
    healthRoutes(hono, { readiness: { check: () => Promise.resolve(readiness) }, registry });
  });
}

describe('health routes', () => {
  it('answers /readyz 200 when every check is ok', async () => {
    const app = health({ ready: true, checks: { db: 'ok', ledger: 'ok' } });

    const answer = await send(app, 'GET', '/readyz');

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ready', checks: { db: 'ok', ledger: 'ok' } });
  });

  it('answers /readyz 503 with the checks saying what is wrong', async () => {
    const app = health({ ready: false, checks: { db: 'ok', ledger: 'unreachable: 14 UNAVAILABLE' } });

    const answer = await send(app, 'GET', '/readyz');

    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({
      status: 'not ready',
      checks: { db: 'ok', ledger: 'unreachable: 14 UNAVAILABLE' },
    });
  });

  it('counts requests by route pattern in /metrics', async () => {
    const app = health({ ready: true, checks: {} });
    await send(app, 'GET', '/healthz');

    const answer = await send(app, 'GET', '/metrics');

    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(
      /wallet_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/,
    );
  });
});
