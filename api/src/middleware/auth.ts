import type { MiddlewareHandler } from 'hono';
import { unauthorized } from '../errors.js';
import type { Accounts } from '../services/accounts.js';
import type { AppEnv } from '../types.js';

/**
 * Requires `Authorization: Bearer <session token>` (the scheme is case-insensitive, RFC 9110
 * section 11.1) and puts the user on the context.
 */
export function requireUser(accounts: Accounts): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^bearer ([A-Za-z0-9_-]{20,100})$/i.exec(header);
    if (!match?.[1]) throw unauthorized();
    const { user, sessionId } = await accounts.authenticate(match[1]);
    c.set('user', user);
    c.set('sessionId', sessionId);
    await next();
  };
}
