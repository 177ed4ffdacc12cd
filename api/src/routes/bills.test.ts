import { describe, expect, it } from 'vitest';
import type { MovementDoc } from '../db/mongo.js';
import type { BillQuery } from '../services/bills.js';
import { billRoutes } from './bills.js';
import { fakeAuth, routeApp, send, TOKEN } from './testing.js';

const movement: MovementDoc = {
  _id: 'tx1:user-alice',
  userId: 'user-alice',
  txId: 'tx1',
  kind: 'transfer',
  direction: 'out',
  amount: '300',
  counterparties: ['bob'],
  ts: new Date('2026-11-04T12:00:00Z'),
  memoHash: '',
};

function bills() {
  const asked: { userId: string; query: BillQuery; limit?: number }[] = [];
  const app = routeApp((hono) => {
    billRoutes(hono, {
      bills: {
        page: (userId, query, limit) => {
          asked.push({ userId, query, limit });
          return Promise.resolve({ bills: [movement], nextCursor: 'next-page' });
        },
        csv: (userId, query) => {
          asked.push({ userId, query });
          return Promise.resolve('time,type\n');
        },
      },
      auth: fakeAuth(),
    });
  });
  return { app, asked };
}

describe('GET /v1/me/bills', () => {
  it('answers a page of the session user with 20 rows by default and the next cursor', async () => {
    const { app, asked } = bills();

    const answer = await send(app, 'GET', '/v1/me/bills?type=transfer&direction=out', { token: TOKEN });

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      bills: [
        {
          txId: 'tx1',
          kind: 'transfer',
          direction: 'out',
          amount: '300',
          counterparties: ['bob'],
          at: '2026-11-04T12:00:00.000Z',
        },
      ],
      nextCursor: 'next-page',
    });
    expect(asked).toEqual([
      { userId: 'user-alice', query: { type: 'transfer', direction: 'out' }, limit: 20 },
    ]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['from=yesterday', 'from'],
    ['to=2026-11-04T12:00:00', 'to'],
    ['type=refund', 'type'],
    ['page=2', '(body)'],
  ])('refuses %s, naming the parameter', async (query, path) => {
    const { app, asked } = bills();

    const answer = await send(app, 'GET', `/v1/me/bills?${query}`, { token: TOKEN });

    expect(answer.status).toBe(400);
    expect(answer.body.errors).toMatchObject([{ path }]);
    expect(asked).toEqual([]);
  });
});

describe('GET /v1/me/bills.csv', () => {
  it('answers CSV as an attachment, with the filters but no page', async () => {
    const { app, asked } = bills();

    const answer = await send(app, 'GET', '/v1/me/bills.csv?counterparty=bob', { token: TOKEN });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(answer.headers.get('content-disposition')).toBe('attachment; filename="bills.csv"');
    expect(answer.text).toBe('time,type\n');
    expect(asked).toEqual([{ userId: 'user-alice', query: { counterparty: 'bob' } }]);
  });

  it('refuses a cursor, which a CSV export does not take', async () => {
    const { app } = bills();

    expect((await send(app, 'GET', '/v1/me/bills.csv?cursor=abc', { token: TOKEN })).status).toBe(400);
  });
});
