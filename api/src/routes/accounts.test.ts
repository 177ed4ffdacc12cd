import { describe, expect, it } from 'vitest';
import type { UserDoc } from '../db/mongo.js';
import { accountRoutes } from './accounts.js';
import { fakeAuth, routeApp, send, SESSION_ID, TOKEN, userDoc } from './testing.js';

function accounts() {
  const calls: unknown[][] = [];
  const app = routeApp((hono) => {
    accountRoutes(hono, {
      accounts: {
        register: (input) => {
          calls.push(['register', input.username]);
          return Promise.resolve(userDoc({ username: input.username }));
        },
        login: (username) => {
          calls.push(['login', username]);
          return Promise.resolve({
            token: 'session-token',
            expiresAt: new Date('2026-11-06T00:00:00Z'),
            user: userDoc(),
          });
        },
        logout: (sessionId) => {
          calls.push(['logout', sessionId]);
          return Promise.resolve();
        },
        changePassword: (user: UserDoc, sessionId: string) => {
          calls.push(['password', user._id, sessionId]);
          return Promise.resolve();
        },
        changePaymentPassword: (user: UserDoc) => {
          calls.push(['payment-password', user._id]);
          return Promise.resolve();
        },
      },
      auth: fakeAuth(),
    });
  });
  return { app, calls };
}

describe('account routes', () => {
  it('registers without a session and answers the profile, never a secret', async () => {
    const { app, calls } = accounts();

    const answer = await send(app, 'POST', '/v1/users', {
      body: { username: 'carol', password: 'a long enough passphrase', paymentPassword: '739104' },
    });

    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      userId: 'user-alice',
      username: 'carol',
      role: 'customer',
      receiveAddress: 'W1111111111111111111111111',
      createdAt: '2026-11-01T10:00:00.000Z',
    });
    expect(answer.text).not.toMatch(/passphrase|739104|hash/);
    expect(calls).toEqual([['register', 'carol']]);
  });

  it('lists every weak field of a registration at once', async () => {
    const { app, calls } = accounts();

    const answer = await send(app, 'POST', '/v1/users', {
      body: { username: 'dave', password: 'password', paymentPassword: '123456', role: 'issuer' },
    });

    expect(answer.status).toBe(400);
    const paths = (answer.body.errors as { path: string }[]).map((error) => error.path).sort();
    expect(paths).toEqual(['(body)', 'password', 'paymentPassword']);
    expect(calls).toEqual([]);
  });

  it('logs in without a session and out with one, ending that session', async () => {
    const { app, calls } = accounts();

    const login = await send(app, 'POST', '/v1/sessions', { body: { username: 'alice', password: 'x' } });
    const logout = await send(app, 'DELETE', '/v1/sessions/current', { token: TOKEN });

    expect(login.status).toBe(201);
    expect(login.body).toEqual({ token: 'session-token', expiresAt: '2026-11-06T00:00:00.000Z' });
    expect(logout.status).toBe(204);
    expect(calls).toEqual([
      ['login', 'alice'],
      ['logout', SESSION_ID],
    ]);
  });

  it('changes a password for the session user, keeping the current session', async () => {
    const { app, calls } = accounts();

    const answer = await send(app, 'PUT', '/v1/me/password', {
      token: TOKEN,
      body: { oldPassword: 'x', newPassword: 'another long passphrase' },
    });

    expect(answer.status).toBe(204);
    expect(calls).toEqual([['password', 'user-alice', SESSION_ID]]);
  });

  it('answers 401 to the session routes without one, reading nothing else first', async () => {
    const { app, calls } = accounts();

    const answers = await Promise.all([
      send(app, 'GET', '/v1/me'),
      send(app, 'DELETE', '/v1/sessions/current'),
      send(app, 'PUT', '/v1/me/password', { body: { nonsense: true } }),
      send(app, 'PUT', '/v1/me/payment-password', { body: {} }),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401]);
    expect(calls).toEqual([]);
  });
});
