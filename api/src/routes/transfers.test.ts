import type { TxRecord } from '@fabric-wallet/ccaas/protocol';
import { describe, expect, it } from 'vitest';
import type { UserDoc } from '../db/mongo.js';
import { transferRoutes } from './transfers.js';
import { fakeAuth, FakeIdempotency, KEY, routeApp, send, TOKEN } from './testing.js';

const TX = 'c'.repeat(64);
const record: TxRecord = {
  txId: TX,
  kind: 'transfer',
  ts: 1,
  inputs: [{ txId: 'd'.repeat(64), index: 0, owner: 'Wpayer', amount: '1000' }],
  outputs: [
    { address: 'Wpayee', amount: '300' },
    { address: 'Wchange', amount: '700' },
  ],
  signers: ['Wpayer'],
  memoHash: '',
  submitterMsp: 'WalletOrgMSP',
};

/** The route over a wallet that records what it was asked to pay. */
function transfers() {
  const paid: { user: UserDoc; input: { to: string; amount: string; memo?: string | undefined } }[] = [];
  const idempotency = new FakeIdempotency();
  const wallet = {
    transfer: (user: UserDoc, input: { to: string; amount: string; memo?: string | undefined }) => {
      paid.push({ user, input });
      return Promise.resolve(record);
    },
    committedTx: () => Promise.resolve(record),
  };
  const app = routeApp((hono) => {
    transferRoutes(hono, { wallet, idempotency, auth: fakeAuth() });
  });
  const pay = (
    body: unknown,
    options: { token?: string | undefined; headers?: Record<string, string> } = {},
  ) => send(app, 'POST', '/v1/transfers', { token: TOKEN, headers: KEY, body, ...options });
  return { pay, paid, idempotency };
}

const payment = { to: 'bob', amount: '300', paymentPassword: 'pay-123456' };

describe('POST /v1/transfers', () => {
  it('pays once per Idempotency-Key and answers the payee output, the change and the inputs', async () => {
    const { pay, paid, idempotency } = transfers();

    const answer = await pay({ ...payment, memo: 'lunch' });

    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ txId: TX, amount: '300', to: 'Wpayee', change: 'Wchange', inputs: 1 });
    expect(paid.map((p) => p.input)).toEqual([{ ...payment, memo: 'lunch' }]);
    expect(idempotency.runs).toMatchObject([{ userId: 'user-alice', key: KEY['idempotency-key'] }]);
    expect(answer.headers.get('idempotent-replayed')).toBeNull();
  });

  it('keys a payment by its request without the payment password', async () => {
    const { pay, idempotency } = transfers();

    await pay(payment);

    expect(idempotency.runs[0]?.request).toEqual({ to: 'bob', amount: '300' });
  });

  it('recovers a payment whose process died from the ledger, as the same answer', async () => {
    const { pay, idempotency } = transfers();

    await pay(payment);
    const recovery = idempotency.runs[0]?.recovery;

    expect(await recovery?.lookup(TX)).toEqual(record);
    expect(recovery?.answer?.(record)).toEqual({
      txId: TX,
      amount: '300',
      to: 'Wpayee',
      change: 'Wchange',
      inputs: 1,
    });
  });

  it('answers a replayed request with the first answer, marked Idempotent-Replayed', async () => {
    const { pay, paid, idempotency } = transfers();
    idempotency.replay = {
      status: 201,
      body: { txId: TX, amount: '300', to: 'Wpayee', change: null, inputs: 1 },
    };

    const answer = await pay(payment);

    expect(answer.status).toBe(201);
    expect(answer.headers.get('idempotent-replayed')).toBe('true');
    expect(answer.body.change).toBeNull();
    expect(paid).toEqual([]);
  });

  it('passes the amount on as its decimal text, never as a number (2^53 + 1 stays exact)', async () => {
    const { pay, paid } = transfers();

    await pay({ ...payment, amount: '9007199254740993' });

    expect(paid[0]?.input.amount).toBe('9007199254740993');
  });

  it.each([
    ['zero', '0'],
    ['a fraction', '1.5'],
    ['a sign', '-1'],
    ['a leading zero', '0300'],
    ['an exponent', '1e3'],
    ['more than 19 digits', '1'.repeat(20)],
    ['a JSON number', 300],
  ])('refuses an amount with %s, naming the field, and pays nothing', async (_case, amount) => {
    const { pay, paid } = transfers();

    const answer = await pay({ ...payment, amount });

    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(answer.body.type).toBe('https://fabric-wallet.io/problems/validation');
    expect(answer.body.errors).toEqual([{ path: 'amount', message: expect.any(String) as string }]);
    expect(paid).toEqual([]);
  });

  it.each([
    ['without an Idempotency-Key', {}],
    ['with a key shorter than 8 characters', { 'idempotency-key': 'short' }],
    ['with a key holding a space', { 'idempotency-key': 'has a space' }],
  ])('refuses a payment %s, naming the header', async (_case, headers) => {
    const { pay, idempotency } = transfers();

    const answer = await pay(payment, { headers });

    expect(answer.status).toBe(400);
    expect(answer.body.errors).toMatchObject([{ path: 'idempotency-key' }]);
    expect(idempotency.runs).toEqual([]);
  });

  it('refuses a field the request does not have, and a missing payment password', async () => {
    const { pay } = transfers();

    const unknown = await pay({ ...payment, fee: '1' });
    const { paymentPassword: _omitted, ...withoutPassword } = payment;
    const missing = await pay(withoutPassword);

    expect(unknown.status).toBe(400);
    expect(String(unknown.body.detail)).toContain('fee');
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toMatchObject([{ path: 'paymentPassword' }]);
  });

  it('requires a session before reading the request: 401 even for an invalid body', async () => {
    const { pay, idempotency } = transfers();

    const none = await pay({ amount: 'nonsense' }, { token: undefined });
    const unknown = await pay(payment, { token: 'b'.repeat(43) });

    expect([none.status, unknown.status]).toEqual([401, 401]);
    expect(none.body.type).toBe('https://fabric-wallet.io/problems/unauthorized');
    expect(idempotency.runs).toEqual([]);
  });
});
