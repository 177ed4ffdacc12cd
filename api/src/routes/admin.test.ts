import { describe, expect, it } from 'vitest';
import type { Role } from '../db/mongo.js';
import { adminRoutes, requireAdmin } from './admin.js';
import { routeApp, send, userDoc } from './testing.js';

const ADMIN_TOKEN = 'an-admin-token-'.padEnd(48, '7');
const account = { username: 'cinema-one', password: 'a long cinema passphrase', paymentPassword: '739104' };

function admin(adminToken = ADMIN_TOKEN) {
  const registered: { username: string; role?: Role | undefined }[] = [];
  const app = routeApp((hono) => {
    adminRoutes(hono, {
      accounts: {
        register: (input) => {
          registered.push({ username: input.username, role: input.role });
          return Promise.resolve(
            userDoc({ _id: 'user-cinema', username: input.username, role: input.role ?? 'customer' }),
          );
        },
      },
      auth: requireAdmin(adminToken),
    });
  });
  return { app, registered };
}

describe('POST /v1/admin/accounts', () => {
  it('creates a merchant with the admin credential', async () => {
    const { app, registered } = admin();

    const answer = await send(app, 'POST', '/v1/admin/accounts', {
      token: ADMIN_TOKEN,
      body: { ...account, role: 'merchant' },
    });

    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ userId: 'user-cinema', username: 'cinema-one', role: 'merchant' });
    expect(registered).toEqual([{ username: 'cinema-one', role: 'merchant' }]);
  });

  it.each([
    ['no credential', undefined, ADMIN_TOKEN],
    ['a wrong credential', 'not-the-admin-token'.padEnd(48, '7'), ADMIN_TOKEN],
    ['any credential when no admin token is configured', '', ''],
  ])('answers 401 to %s, creating nothing', async (_case, token, configured) => {
    const { app, registered } = admin(configured);

    const answer = await send(app, 'POST', '/v1/admin/accounts', {
      token,
      body: { ...account, role: 'merchant' },
    });

    expect(answer.status).toBe(401);
    expect(answer.body.detail).toBe('this route needs the admin credential');
    expect(registered).toEqual([]);
  });

  it('refuses a customer role, which registration gives', async () => {
    const { app } = admin();

    const answer = await send(app, 'POST', '/v1/admin/accounts', {
      token: ADMIN_TOKEN,
      body: { ...account, role: 'customer' },
    });

    expect(answer.status).toBe(400);
    expect(answer.body.errors).toMatchObject([{ path: 'role' }]);
  });
});
