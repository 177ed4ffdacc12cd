import { describe, expect, it } from 'vitest';
import type { RechargeOrderDoc, UserDoc } from '../db/mongo.js';
import { rechargeRoutes, requireOwnerOrAdmin } from './recharges.js';
import { fakeAuth, FakeIdempotency, fakeSessions, KEY, routeApp, send, TOKEN, userDoc } from './testing.js';

const ADMIN_TOKEN = 'admin-'.padEnd(48, 'x');

const order = (status: RechargeOrderDoc['status']): RechargeOrderDoc => ({
  _id: 'rc-1',
  userId: 'user-alice',
  amount: '700',
  address: 'Wreceive',
  status,
  ...(status === 'minted' ? { txId: 'f'.repeat(64) } : {}),
  createdAt: new Date('2026-11-03T00:00:00Z'),
});

/** The routes over recharges that record every call; `dev` turns the payment provider on. */
function recharges(dev: boolean) {
  const calls: unknown[][] = [];
  const user = userDoc();
  const idempotency = new FakeIdempotency();
  const app = routeApp((hono) => {
    rechargeRoutes(hono, {
      recharges: {
        create: (owner: UserDoc, amount: string) => {
          calls.push(['create', owner._id, amount]);
          return Promise.resolve(order('created'));
        },
        get: (owner: UserDoc, orderId: string) => {
          calls.push(['get', owner._id, orderId]);
          return Promise.resolve(order('created'));
        },
        confirmPayment: (orderId: string, owner?: UserDoc) => {
          calls.push(['confirm', orderId, owner?._id]);
          return Promise.resolve(order('minted'));
        },
      },
      idempotency,
      auth: fakeAuth(user),
      devPayments: dev
        ? {
            auth: requireOwnerOrAdmin(fakeSessions(user), ADMIN_TOKEN),
          }
        : undefined,
    });
  });
  return { app, calls, idempotency };
}

describe('recharge orders', () => {
  it('creates an order once per Idempotency-Key, for the session user, with the amount as text', async () => {
    const { app, calls, idempotency } = recharges(false);

    const answer = await send(app, 'POST', '/v1/recharges', {
      token: TOKEN,
      headers: KEY,
      body: { amount: '700' },
    });

    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      orderId: 'rc-1',
      amount: '700',
      address: 'Wreceive',
      status: 'created',
      txId: null,
    });
    expect(calls).toEqual([['create', 'user-alice', '700']]);
    expect(idempotency.runs).toMatchObject([{ key: KEY['idempotency-key'], request: { amount: '700' } }]);
  });

  it.each([['0'], ['12.50'], [''], ['1'.repeat(20)]])('refuses the amount %j', async (amount) => {
    const { app, calls } = recharges(false);

    const answer = await send(app, 'POST', '/v1/recharges', { token: TOKEN, headers: KEY, body: { amount } });

    expect(answer.status).toBe(400);
    expect(answer.body.errors).toMatchObject([{ path: 'amount' }]);
    expect(calls).toEqual([]);
  });

  it('reads an order of the session user', async () => {
    const { app, calls } = recharges(false);

    const answer = await send(app, 'GET', '/v1/recharges/rc-1', { token: TOKEN });

    expect(answer.status).toBe(200);
    expect(calls).toEqual([['get', 'user-alice', 'rc-1']]);
  });
});

describe('the development payment provider', () => {
  const confirm = '/v1/dev/payments/rc-1/confirm';

  it('does not exist in a production configuration', async () => {
    const { app } = recharges(false);

    expect((await send(app, 'POST', confirm, { token: ADMIN_TOKEN })).status).toBe(404);
  });

  it('confirms any order for the admin and only their own for a user', async () => {
    const { app, calls } = recharges(true);

    const byAdmin = await send(app, 'POST', confirm, { token: ADMIN_TOKEN });
    const byOwner = await send(app, 'POST', confirm, { token: TOKEN });

    expect([byAdmin.status, byOwner.status]).toEqual([200, 200]);
    expect(byAdmin.body.status).toBe('minted');
    expect(calls).toEqual([
      ['confirm', 'rc-1', undefined],
      ['confirm', 'rc-1', 'user-alice'],
    ]);
  });

  it('answers 401 without a credential or with a wrong one, confirming nothing', async () => {
    const { app, calls } = recharges(true);

    const answers = await Promise.all([
      send(app, 'POST', confirm),
      send(app, 'POST', confirm, { token: 'x'.repeat(48) }),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([401, 401]);
    expect(calls).toEqual([]);
  });
});
