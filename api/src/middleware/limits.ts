import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiConfig } from '../config.js';
import { clientAddress, rateLimit, RateLimiter, type RatePolicy } from '../security/rate-limit.js';
import type { AppEnv } from '../types.js';

/**
 * The per-client quotas (per address; docs/security.md). Attempt counters per account
 * (security/attempts.ts) stop guessing one account's secrets; these stop one client from
 * flooding the expensive or unauthenticated routes for everyone.
 */
export const RATE_POLICIES = {
  /** Registration hashes two secrets and enrolls an identity at the CA. */
  registrations: { name: 'registrations', quota: 10, windowSeconds: 600, counts: 'registrations' },
  /** Failed logins (a successful one gives its token back). */
  logins: { name: 'failed-logins', quota: 10, windowSeconds: 60, counts: 'failed logins' },
  /** Wrong admin credentials on /v1/admin/*. */
  admin: { name: 'admin-credentials', quota: 10, windowSeconds: 600, counts: 'wrong admin credentials' },
  /** Unknown or expired session tokens on the routes that need one. */
  sessions: {
    name: 'bad-sessions',
    quota: 30,
    windowSeconds: 60,
    counts: 'requests with a bad session token',
  },
  /** Reads anyone may make (screenings and their seats). */
  anonymous: { name: 'anonymous-reads', quota: 300, windowSeconds: 60, counts: 'anonymous reads' },
} as const satisfies Record<string, RatePolicy>;

/**
 * Paths whose every method needs a session (each of their routes declares requireUser), for
 * the quota on bad session tokens. `/x/*` matches `/x` too, so a request is counted once.
 */
export const SESSION_PATHS = [
  '/v1/me/*',
  '/v1/sessions/current',
  '/v1/transfers',
  '/v1/recharges/*',
  '/v1/cinema/tickets/*',
] as const;
/** Creating screenings and buying tickets need a session; listing screenings does not. */
export const SESSION_POSTS = ['/v1/cinema/screenings', '/v1/cinema/screenings/*'];

/** Installs the quotas; must run before the auth middleware so a refused request costs nothing. */
export function applyRateLimits(app: OpenAPIHono<AppEnv>, config: ApiConfig['rateLimits']): void {
  if (!config.enabled) return;
  const client = (c: Parameters<typeof clientAddress>[0]) => clientAddress(c, config.trustedProxyHops);
  const limit = (policy: RatePolicy, refundIf?: (status: number) => boolean) =>
    rateLimit(new RateLimiter(policy), client, refundIf);

  app.on('POST', '/v1/users', limit(RATE_POLICIES.registrations));
  app.on(
    'POST',
    '/v1/sessions',
    limit(RATE_POLICIES.logins, (status) => status === 201),
  );
  app.use(
    '/v1/admin/*',
    limit(RATE_POLICIES.admin, (status) => status !== 401),
  );
  const sessions = limit(RATE_POLICIES.sessions, (status) => status !== 401);
  for (const path of [...SESSION_PATHS, '/v1/dev/*']) app.use(path, sessions);
  app.on('POST', SESSION_POSTS, sessions);
  app.on('GET', ['/v1/cinema/screenings', '/v1/cinema/screenings/*'], limit(RATE_POLICIES.anonymous));
}
