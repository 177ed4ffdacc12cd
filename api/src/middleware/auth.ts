import type { MiddlewareHandler } from 'hono';
import { unauthorized } from '../errors.js';
import type { Accounts } from '../services/accounts.js';
import type { SessionEnv } from '../types.js';

/** The session token of an `Authorization: Bearer <token>` header; 401 when there is none. */
export function bearerToken(header: string | undefined): string {
  const match = /^bearer ([A-Za-z0-9_-]{20,100})$/i.exec(header ?? '');
  if (!match?.[1]) throw unauthorized();
  return match[1];
}

/**
 * Requires `Authorization: Bearer <session token>` (the scheme is case-insensitive, RFC 9110
 * section 11.1) and puts the user and the session on the context. A route declares it as its
 * `middleware`, which is what types its handler to read them.
 */
export function requireUser(accounts: Pick<Accounts, 'authenticate'>): MiddlewareHandler<SessionEnv> {
  return async (c, next) => {
    const { user, sessionId } = await accounts.authenticate(bearerToken(c.req.header('authorization')));
    c.set('user', user);
    c.set('sessionId', sessionId);
    await next();
  };
}
