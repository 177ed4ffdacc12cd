import { OpenAPIHono } from '@hono/zod-openapi';
import { swaggerUI } from '@hono/swagger-ui';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { ApiConfig } from './config.js';
import type { Database } from './db/mongo.js';
import { ApiError, badRequest } from './errors.js';
import { DeclaredRoutes } from './openapi.js';
import type { MiddlewareHandler } from 'hono';
import type { Ledger } from './fabric/ledger.js';
import type { Logger } from './logger.js';
import { requireUser } from './middleware/auth.js';
import { applyRateLimits, SESSION_PATHS, SESSION_POSTS } from './middleware/limits.js';
import { PasswordHasher } from './security/passwords.js';
import { onError, problem } from './middleware/problem.js';
import { accountRoutes } from './routes/accounts.js';
import { adminRoutes, requireAdmin } from './routes/admin.js';
import { billRoutes } from './routes/bills.js';
import { cinemaRoutes } from './routes/cinema.js';
import { traceRoutes } from './routes/trace.js';
import { healthRoutes, metrics } from './routes/health.js';
import type { IndexerStatus } from './indexer/indexer.js';
import type { Reconciler } from './indexer/reconciler.js';
import { rechargeRoutes } from './routes/recharges.js';
import { walletRoutes } from './routes/wallet.js';
import { Accounts } from './services/accounts.js';
import { Cinema } from './services/cinema.js';
import { Recharges } from './services/recharge.js';
import { Wallet } from './services/wallet.js';
import type { AppEnv } from './types.js';
import { webRoutes } from './routes/web.js';

export interface AppDeps {
  readonly config: ApiConfig;
  readonly db: Database;
  readonly ledger: Ledger;
  readonly logger: Logger;
  /** The running indexer, whose lag /readyz reports. */
  readonly indexer?: { snapshot(): IndexerStatus };
  /** The outer DB's reconciler: payments the ledger refuses make it check the payer. */
  readonly reconciler?: Reconciler;
}

/** The HTTP API. Everything it talks to comes in `deps`, so tests build it in-process. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const { collections } = deps.db;
  if (deps.config.devPayments && deps.config.environment !== 'development')
    throw new Error('development payments are refused in a production configuration');
  const accounts = new Accounts(
    collections,
    deps.config.fabric,
    deps.config.sessionTtlMs,
    deps.config.vaultKeyring,
    undefined,
    new PasswordHasher(deps.config.passwordHashing),
  );
  const wallet = new Wallet(collections, deps.ledger, accounts, deps.config.fabric, (userId) => {
    deps.reconciler?.suspect(userId);
  });
  const recharges = new Recharges(collections, deps.ledger, deps.config.fabric.issuer);
  const cinema = new Cinema(collections, deps.ledger, accounts, wallet);

  const app = new OpenAPIHono<AppEnv>({
    // Schema failures become one 400 problem listing every field that is wrong.
    defaultHook: (result, c) => {
      if (result.success) return;
      const errors = result.error.issues.map((issue) => ({
        path: issue.path.join('.') || '(body)',
        message: issue.message,
      }));
      return problem(c, badRequest(errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors }));
    },
  });

  const { registry, middleware: measure } = metrics();
  deps.reconciler?.attachMetrics(registry);
  app.use(requestId({ limitLength: 64 }));
  app.use(measure);
  // API answers (problems included) are per user and often secret: never cached, never
  // content-sniffed. The web wallet's static files keep their own caching.
  app.use(async (c, next) => {
    await next();
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    if (c.req.path.startsWith('/v1/')) c.res.headers.set('Cache-Control', 'no-store');
  });
  app.use(async (c, next) => {
    const logger = deps.logger.child({ requestId: c.get('requestId') });
    c.set('logger', logger);
    const start = performance.now();
    await next();
    logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - start),
      },
      'request',
    );
  });
  app.use(
    bodyLimit({
      maxSize: deps.config.bodyLimitBytes,
      onError: () => {
        throw new ApiError(
          413,
          'payload-too-large',
          'Body too large',
          `request bodies are limited to ${deps.config.bodyLimitBytes} bytes`,
        );
      },
    }),
  );

  // Quotas first: a refused request costs no session lookup, hash or ledger call.
  applyRateLimits(app, deps.config.rateLimits);
  // A method the path does not declare skips authentication: the answer is 405, not 401.
  const declared = new DeclaredRoutes(app);
  const user = requireUser(accounts);
  const auth: MiddlewareHandler<AppEnv> = (c, next) =>
    declared.declares(c.req.method, c.req.path) ? user(c, next) : next();
  for (const path of SESSION_PATHS) app.use(path, auth);
  app.on('POST', SESSION_POSTS, auth);
  app.use('/v1/admin/*', requireAdmin(deps.config.adminToken));
  healthRoutes(app, {
    db: deps.db,
    ledger: deps.ledger,
    reader: deps.config.fabric.registrar,
    registry,
    ...(deps.indexer ? { indexer: deps.indexer } : {}),
    ...(deps.reconciler ? { reconciler: deps.reconciler } : {}),
  });
  accountRoutes(app, accounts);
  walletRoutes(app, wallet, collections, deps.ledger, deps.config.fabric.registrar);
  billRoutes(app, collections);
  rechargeRoutes(app, recharges, collections, {
    enabled: deps.config.devPayments,
    accounts,
    adminToken: deps.config.adminToken,
  });
  cinemaRoutes(app, cinema, collections);
  traceRoutes(app, collections, deps.ledger, deps.config.fabric.registrar);
  adminRoutes(app, accounts);
  webRoutes(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.get('/openapi.json', (c) => c.json(declared.document()));
  app.get('/docs', swaggerUI({ url: '/openapi.json' }));
  app.notFound(declared.notFound);
  app.onError(onError);
  return app;
}
