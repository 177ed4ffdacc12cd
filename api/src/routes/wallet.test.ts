import type { Utxo } from '@fabric-wallet/ccaas/protocol';
import { describe, expect, it } from 'vitest';
import type { UtxoDoc } from '../db/mongo.js';
import { walletRoutes } from './wallet.js';
import { fakeAuth, routeApp, send, TOKEN } from './testing.js';

const coin = (txId: string, index: number, amount: string): UtxoDoc => ({
  _id: `${txId}:${index}`,
  txId,
  index,
  owner: 'Wowner',
  userId: 'user-alice',
  amount,
  ts: new Date('2026-11-02T08:00:00Z'),
  spent: false,
});

/** The routes over a wallet holding `coins` in the outer DB and `onLedger` on the ledger. */
function wallet(coins: UtxoDoc[], onLedger: Utxo[] = []) {
  const asked: string[] = [];
  const app = routeApp((hono) => {
    walletRoutes(hono, {
      wallet: {
        unspent: (userId) => {
          asked.push(`index:${userId}`);
          return Promise.resolve(coins);
        },
        unspentOnLedger: (userId) => {
          asked.push(`ledger:${userId}`);
          return Promise.resolve(onLedger);
        },
      },
      auth: fakeAuth(),
    });
  });
  return { app, asked };
}

describe('GET /v1/me/balance', () => {
  it('adds amounts as integers of any size: 2^53 + 1 and 1 make 2^53 + 2 exactly', async () => {
    const { app } = wallet([coin('a'.repeat(64), 0, '9007199254740993'), coin('b'.repeat(64), 1, '1')]);

    const answer = await send(app, 'GET', '/v1/me/balance', { token: TOKEN });

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ balance: '9007199254740994', tokens: 2 });
  });

  it('answers 401 with a problem document without a session', async () => {
    const { app, asked } = wallet([]);

    const answer = await send(app, 'GET', '/v1/me/balance');

    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ title: 'Not logged in', instance: '/v1/me/balance' });
    expect(asked).toEqual([]);
  });
});

describe('GET /v1/me/tokens', () => {
  it('lists the outer DB coins of the session user, by transaction id then index', async () => {
    const { app, asked } = wallet([
      coin('b'.repeat(64), 0, '5'),
      coin('a'.repeat(64), 2, '7'),
      coin('a'.repeat(64), 1, '9'),
    ]);

    const answer = await send(app, 'GET', '/v1/me/tokens', { token: TOKEN });

    expect(answer.body.source).toBe('index');
    expect(answer.body.tokens).toEqual([
      {
        txId: 'a'.repeat(64),
        index: 1,
        address: 'Wowner',
        amount: '9',
        createdAt: '2026-11-02T08:00:00.000Z',
      },
      {
        txId: 'a'.repeat(64),
        index: 2,
        address: 'Wowner',
        amount: '7',
        createdAt: '2026-11-02T08:00:00.000Z',
      },
      {
        txId: 'b'.repeat(64),
        index: 0,
        address: 'Wowner',
        amount: '5',
        createdAt: '2026-11-02T08:00:00.000Z',
      },
    ]);
    expect(asked).toEqual(['index:user-alice']);
  });

  it('reads the ledger itself with source=ledger (no creation time there)', async () => {
    const { app, asked } = wallet([], [{ txId: 'e'.repeat(64), index: 0, owner: 'Wowner', amount: '3' }]);

    const answer = await send(app, 'GET', '/v1/me/tokens?source=ledger', { token: TOKEN });

    expect(answer.body).toEqual({
      tokens: [{ txId: 'e'.repeat(64), index: 0, address: 'Wowner', amount: '3', createdAt: '' }],
      source: 'ledger',
    });
    expect(asked).toEqual(['ledger:user-alice']);
  });

  it.each([['source=chain'], ['limit=5']])('refuses the query %s, naming the parameter', async (query) => {
    const { app } = wallet([]);

    const answer = await send(app, 'GET', `/v1/me/tokens?${query}`, { token: TOKEN });

    expect(answer.status).toBe(400);
    expect(String(answer.body.detail)).toMatch(/source|limit/);
  });
});
