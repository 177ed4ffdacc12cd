import { describe, expect, it } from 'vitest';
import type { AddressDoc, UserDoc } from '../db/mongo.js';
import { addressRoutes } from './addresses.js';
import { fakeAuth, routeApp, send, TOKEN, userDoc } from './testing.js';

const address = (id: string, purpose: AddressDoc['purpose'], day: number): AddressDoc => ({
  _id: id,
  userId: 'user-alice',
  publicKey: '04ab',
  sealedKey: 'sealed',
  purpose,
  createdAt: new Date(Date.UTC(2026, 10, day)),
});

function addresses() {
  const rotations: { user: UserDoc; paymentPassword: string; sweep: boolean | undefined }[] = [];
  const user = userDoc({ receiveAddress: 'Wnew' });
  const app = routeApp((hono) => {
    addressRoutes(hono, {
      wallet: {
        addresses: () => Promise.resolve([address('Wnew', 'receive', 3), address('Wchange', 'change', 2)]),
        rotateAddress: (rotated, paymentPassword, sweep) => {
          rotations.push({ user: rotated, paymentPassword, sweep });
          return Promise.resolve({ address: 'Wnewer', sweptTxId: null });
        },
      },
      auth: fakeAuth(user),
    });
  });
  return { app, rotations };
}

describe('/v1/me/addresses', () => {
  it('lists the addresses, marking the current receive address', async () => {
    const { app } = addresses();

    const answer = await send(app, 'GET', '/v1/me/addresses', { token: TOKEN });

    expect(answer.body.addresses).toEqual([
      { address: 'Wnew', purpose: 'receive', current: true, createdAt: '2026-11-03T00:00:00.000Z' },
      { address: 'Wchange', purpose: 'change', current: false, createdAt: '2026-11-02T00:00:00.000Z' },
    ]);
  });

  it('rotates without a sweep unless asked, and answers 201 with the new address', async () => {
    const { app, rotations } = addresses();

    const plain = await send(app, 'POST', '/v1/me/addresses', {
      token: TOKEN,
      body: { paymentPassword: 'p' },
    });
    await send(app, 'POST', '/v1/me/addresses', {
      token: TOKEN,
      body: { paymentPassword: 'p', sweep: true },
    });

    expect(plain.status).toBe(201);
    expect(plain.body).toEqual({ address: 'Wnewer', sweptTxId: null });
    expect(rotations.map((r) => [r.user.username, r.paymentPassword, r.sweep])).toEqual([
      ['alice', 'p', false],
      ['alice', 'p', true],
    ]);
  });

  it.each([
    ['no payment password', {}, 'paymentPassword'],
    ['a sweep that is not a boolean', { paymentPassword: 'p', sweep: 'yes' }, 'sweep'],
  ])('refuses a rotation with %s, rotating nothing', async (_case, body, path) => {
    const { app, rotations } = addresses();

    const answer = await send(app, 'POST', '/v1/me/addresses', { token: TOKEN, body });

    expect(answer.status).toBe(400);
    expect(answer.body.errors).toMatchObject([{ path }]);
    expect(rotations).toEqual([]);
  });

  it('answers 401 to both methods without a session', async () => {
    const { app } = addresses();

    const answers = await Promise.all([
      send(app, 'GET', '/v1/me/addresses'),
      send(app, 'POST', '/v1/me/addresses', { body: { paymentPassword: 'p' } }),
    ]);

    expect(answers.map((a) => a.status)).toEqual([401, 401]);
  });
});
