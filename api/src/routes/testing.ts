import type { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import type { FabricConfig } from '../config.js';
import type { UserDoc } from '../db/mongo.js';
import { unauthorized } from '../errors.js';
import { createLogger } from '../logger.js';
import { requireUser } from '../middleware/auth.js';
import { onError } from '../middleware/problem.js';
import type { Accounts } from '../services/accounts.js';
import type { IdempotentRun, Recovery } from '../services/idempotency.js';
import type { AppEnv } from '../types.js';
import { apiHono } from './hono.js';

/**
 * Builders for the in-process tests of the routes (`app.request`): an app with the real
 * validation hook, error handler and session middleware, over fake services. Nothing here
 * reaches MongoDB or Fabric; what needs them is the integration suites' (tests/api).
 */

/** Fabric settings that lead nowhere: for an app whose tests never reach the ledger. */
export const NOWHERE_FABRIC: FabricConfig = (() => {
  const identity = { mspId: 'WalletOrgMSP', certificate: '', privateKeyPem: '' };
  return {
    channel: 'payments',
    chaincode: 'token',
    peer: { address: '127.0.0.1:1', tlsRootCert: '' },
    registrar: identity,
    issuer: identity,
    ca: { url: 'https://127.0.0.1:1', caName: 'ca', tlsRootCert: '' },
  };
})();

/** A session token the fake session store knows: alice's. */
export const TOKEN = 'a'.repeat(43);
export const SESSION_ID = 'session-1';

/** A user as the outer DB would hold one, built for a test. */
export function userDoc(overrides: Partial<UserDoc> = {}): UserDoc {
  const at = new Date('2026-11-01T10:00:00Z');
  return {
    _id: 'user-alice',
    username: 'alice',
    passwordHash: 'scrypt$not-a-real-hash',
    role: 'customer',
    vault: { v: 2, keyId: 'k1', salt: 'salt', sealedDek: 'sealed' },
    fabric: { enrollmentId: 'u-1', mspId: 'WalletOrgMSP', certificate: 'cert', sealedKey: 'sealed' },
    receiveAddress: 'W1111111111111111111111111',
    createdAt: at,
    passwordChangedAt: at,
    ...overrides,
  };
}

/** A session store that knows TOKEN only, as `user`'s session SESSION_ID. */
export function fakeSessions(user: UserDoc = userDoc()): Pick<Accounts, 'authenticate'> {
  return {
    authenticate: (token) =>
      token === TOKEN
        ? Promise.resolve({ user, sessionId: SESSION_ID })
        : Promise.reject(unauthorized('the session is unknown or was ended; log in again')),
  };
}

/** The real session middleware over fakeSessions. */
export function fakeAuth(user: UserDoc = userDoc()) {
  return requireUser(fakeSessions(user));
}

/** An app with `mount`'s routes, as createApp frames them (hook, request id, logger, errors). */
export function routeApp(mount: (app: OpenAPIHono<AppEnv>) => void): OpenAPIHono<AppEnv> {
  const app = apiHono();
  app.use(requestId());
  app.use(async (c, next) => {
    c.set('logger', createLogger('silent'));
    await next();
  });
  mount(app);
  app.onError(onError);
  return app;
}

/** An answer read back: status, headers and the JSON body (or the text when it is not JSON). */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

/** Sends a request to `app` in-process; `token` as a bearer session, `body` as JSON. */
export async function send(
  app: OpenAPIHono<AppEnv>,
  method: string,
  path: string,
  options: { token?: string | undefined; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await app.request(path, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) body = Object.fromEntries(Object.entries(parsed));
  } catch {
    // Not JSON (CSV, an empty 204): the text says it.
  }
  return { status: response.status, headers: response.headers, body, text };
}

/**
 * Runs every request's work at once, as a first request with its key; records what each was
 * keyed by. `replay` makes it answer as a replay of an earlier request instead.
 */
export class FakeIdempotency implements IdempotentRun {
  readonly runs: { userId: string; key: string | undefined; request: unknown; recovery?: Recovery }[] = [];
  replay: { status: number; body: unknown } | undefined;

  readonly run: IdempotentRun['run'] = async (userId, key, request, work, recovery) => {
    this.runs.push({ userId, key, request, ...(recovery ? { recovery } : {}) });
    if (this.replay) return { ...this.replay, replayed: true };
    return { ...(await work()), replayed: false, saved: true };
  };
}

/** The Idempotency-Key header of a test request. */
export const KEY = { 'idempotency-key': 'key-0000001' };
