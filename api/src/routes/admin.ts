import { timingSafeEqual } from 'node:crypto';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { unauthorized } from '../errors.js';
import type { Accounts } from '../services/accounts.js';
import type { AppEnv } from '../types.js';
import { json, jsonBody, checkNewAccount, NewAccount, problemResponses } from './schemas.js';

/** Whether an Authorization header carries the admin token (never when the token is empty). */
export function isAdminCredential(adminToken: string, header: string | undefined): boolean {
  const expected = Buffer.from(adminToken);
  const given = Buffer.from((header ?? '').replace(/^bearer /i, ''));
  return adminToken !== '' && given.length === expected.length && timingSafeEqual(given, expected);
}

/** Requires `Authorization: Bearer <admin token>` (from config; routes are off when it is empty). */
export function requireAdmin(adminToken: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!isAdminCredential(adminToken, c.req.header('authorization')))
      throw unauthorized('this route needs the admin credential');
    await next();
  };
}

export interface AdminRouteDeps {
  readonly accounts: Pick<Accounts, 'register'>;
  /** The admin credential check (requireAdmin). */
  readonly auth: MiddlewareHandler<AppEnv>;
}

/** Merchant and issuer accounts, created by an operator with the admin credential. */
export function adminRoutes(app: OpenAPIHono<AppEnv>, { accounts, auth }: AdminRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/admin/accounts',
      tags: ['admin'],
      summary: 'Create a merchant (cinema) account, or an issuer account of the wallet operator',
      security: [{ bearer: [] }],
      middleware: auth,
      request: jsonBody(
        NewAccount.extend({ role: z.enum(['merchant', 'issuer']) })
          .strict()
          .superRefine(checkNewAccount),
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
