import { describe, expect, it } from 'vitest';
import type { TokenTrace, TraceOptions } from '../services/trace.js';
import { traceRoutes } from './trace.js';
import { fakeAuth, routeApp, send, TOKEN } from './testing.js';

const TX = '1'.repeat(64);

function trace() {
  const asked: { userId: string; txId: string; index: number; options: TraceOptions }[] = [];
  const answer: TokenTrace = {
    root: { txId: TX, index: 0 },
    txs: [],
    mints: [TX],
    complete: true,
    verified: null,
  };
  const app = routeApp((hono) => {
    traceRoutes(hono, {
      tracer: {
        ofToken: (userId, txId, index, options) => {
          asked.push({ userId, txId, index, options });
          return Promise.resolve(answer);
        },
      },
      auth: fakeAuth(),
    });
  });
  return { app, asked };
}

describe('GET /v1/me/tokens/{txId}/{index}/trace', () => {
  it('traces the session user’s token from the outer DB to depth 16 unless told otherwise', async () => {
    const { app, asked } = trace();

    const answer = await send(app, 'GET', `/v1/me/tokens/${TX}/0/trace`, { token: TOKEN });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ mints: [TX], complete: true, verified: null });
    expect(asked).toEqual([
      { userId: 'user-alice', txId: TX, index: 0, options: { maxDepth: 16, source: 'index' } },
    ]);
  });

  it('passes the depth as a number and the ledger source and check on', async () => {
    const { app, asked } = trace();

    await send(app, 'GET', `/v1/me/tokens/${TX}/15/trace?maxDepth=64&source=ledger&verify=ledger`, {
      token: TOKEN,
    });

    expect(asked[0]).toMatchObject({
      index: 15,
      options: { maxDepth: 64, source: 'ledger', verify: 'ledger' },
    });
  });

  it.each([
    [`/v1/me/tokens/${'A'.repeat(64)}/0/trace`, 'txId'],
    [`/v1/me/tokens/${TX.slice(1)}/0/trace`, 'txId'],
    [`/v1/me/tokens/${TX}/16/trace`, 'index'],
    [`/v1/me/tokens/${TX}/-1/trace`, 'index'],
    [`/v1/me/tokens/${TX}/0/trace?maxDepth=0`, 'maxDepth'],
    [`/v1/me/tokens/${TX}/0/trace?maxDepth=65`, 'maxDepth'],
    [`/v1/me/tokens/${TX}/0/trace?verify=index`, 'verify'],
  ])('refuses %s, naming %s', async (path, field) => {
    const { app, asked } = trace();

    const answer = await send(app, 'GET', path, { token: TOKEN });

    expect(answer.status).toBe(400);
    expect(answer.body.errors).toMatchObject([{ path: field }]);
    expect(asked).toEqual([]);
  });
});
