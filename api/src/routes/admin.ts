import { timingSafeEqual } from 'node:crypto';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { unauthorized } from '../errors.js';
import type { Accounts } from '../services/accounts.js';
import type { AppEnv } from '../types.js';
import { json, jsonBody, Password, PaymentPassword, problemResponses, Username } from './schemas.js';

/** Requires `Authorization: Bearer <admin token>` (from config; routes are off when it is empty). */
export function requireAdmin(adminToken: string): MiddlewareHandler<AppEnv> {
  const expected = Buffer.from(adminToken);
  return async (c, next) => {
    const given = Buffer.from((c.req.header('authorization') ?? '').replace(/^bearer /i, ''));
    if (adminToken === '' || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw unauthorized('this route needs the admin credential');
    }
    await next();
  };
}

/** Merchant and issuer accounts, created by an operator with the admin credential. */
export function adminRoutes(app: OpenAPIHono<AppEnv>, accounts: Accounts): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/admin/accounts',
      tags: ['admin'],
      summary: 'Create a merchant (cinema) account, or an issuer account of the wallet operator',
      security: [{ bearer: [] }],
      request: jsonBody(
        z
          .object({
            username: Username,
            password: Password,
            paymentPassword: PaymentPassword,
            role: z.enum(['merchant', 'issuer']),
          })
          .strict(),
      ),
      responses: {
        201: json(
          z.object({
            userId: z.string(),
            username: z.string(),
            role: z.string(),
            receiveAddress: z.string(),
          }),
          'Created',
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const user = await accounts.register(c.req.valid('json'));
      return c.json(
        { userId: user._id, username: user.username, role: user.role, receiveAddress: user.receiveAddress },
        201,
      );
    },
  );
}
