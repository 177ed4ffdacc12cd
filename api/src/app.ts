import type { OpenAPIHono } from '@hono/zod-openapi';
import { swaggerUI } from '@hono/swagger-ui';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { minorUnitName, type ApiConfig } from './config.js';
import type { Database } from './db/mongo.js';
import { ApiError } from './errors.js';
import type { ChaincodeAccess } from './fabric/ledger.js';
import type { IndexerStatus } from './indexer/indexer.js';
import type { Reconciler } from './indexer/reconciler.js';
import type { Logger } from './logger.js';
import { requireUser } from './middleware/auth.js';
import { applyRateLimits } from './middleware/limits.js';
import type { Registry } from 'prom-client';
import { onError } from './middleware/problem.js';
import { DeclaredRoutes } from './openapi.js';
import { accountRoutes } from './routes/accounts.js';
import { addressRoutes } from './routes/addresses.js';
import { adminRoutes, requireAdmin } from './routes/admin.js';
import { billRoutes } from './routes/bills.js';
import { cinemaRoutes } from './routes/cinema.js';
import { healthRoutes, metrics } from './routes/health.js';
import { apiHono } from './routes/hono.js';
import { rechargeRoutes, requireOwnerOrAdmin } from './routes/recharges.js';
import { traceRoutes } from './routes/trace.js';
import { transferRoutes } from './routes/transfers.js';
import { walletRoutes } from './routes/wallet.js';
import { webRoutes } from './routes/web.js';
import { PasswordHasher } from './security/passwords.js';
import { Accounts } from './services/accounts.js';
import { Bills } from './services/bills.js';
import { Cinema } from './services/cinema.js';
import { Idempotency } from './services/idempotency.js';
import { ReadinessChecks } from './services/readiness.js';
import { Recharges } from './services/recharge.js';
import { Tracer } from './services/trace.js';
import { Wallet } from './services/wallet.js';
import type { AppEnv } from './types.js';

export interface AppDeps {
  readonly config: ApiConfig;
  readonly db: Database;
  /** The chaincode (fabric/ledger.ts's Ledger; a FakeLedger in unit tests). */
  readonly ledger: ChaincodeAccess;
  readonly logger: Logger;
  /** The running indexer, whose lag /readyz reports. */
  readonly indexer?: { snapshot(): IndexerStatus };
  /** The outer DB's reconciler: payments the ledger refuses make it check the payer. */
  readonly reconciler?: Reconciler;
}

/**
 * The HTTP API. Everything it talks to comes in `deps`, so tests build it in-process. Each
 * route declares its own credential (a session, the admin token) as its middleware; routes
 * call services, which alone reach the outer DB and the ledger.
 */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  if (deps.config.devPayments && deps.config.environment !== 'development')
    throw new Error('development payments are refused in a production configuration');
  const app = apiHono();
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
  mountRoutes(app, deps, registry);

  const declared = new DeclaredRoutes(app);
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.get('/openapi.json', (c) => c.json(declared.document()));
  app.get('/docs', swaggerUI({ url: '/openapi.json' }));
  app.notFound(declared.notFound);
  app.onError(onError);
  return app;
}

/** The services over `deps`, and every route over them (this order is the OpenAPI document's). */
function mountRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps, registry: Registry): void {
  const { config, ledger } = deps;
  const { collections } = deps.db;
  const accounts = new Accounts(
    collections,
    config.fabric,
    config.sessionTtlMs,
    config.vaultKeyring,
    undefined,
    new PasswordHasher(config.passwordHashing),
  );
  const wallet = new Wallet(collections, ledger, accounts, config.fabric, (userId) => {
    deps.reconciler?.suspect(userId);
  });
  const reader = () => ledger.as(config.fabric.registrar);
  const idempotency = new Idempotency(collections, config.idempotencyLeaseSeconds * 1000);
  const auth = requireUser(accounts);

  healthRoutes(app, {
    readiness: new ReadinessChecks({
      db: deps.db,
      reader,
      indexer: deps.indexer,
      reconciler: deps.reconciler,
    }),
    registry,
  });
  accountRoutes(app, { accounts, auth });
  walletRoutes(app, { wallet, auth });
  addressRoutes(app, { wallet, auth });
  transferRoutes(app, { wallet, idempotency, auth });
  billRoutes(app, { bills: new Bills(collections, minorUnitName(config.money)), auth });
  rechargeRoutes(app, {
    recharges: new Recharges(collections, ledger, config.fabric.issuer),
    idempotency,
    auth,
    devPayments: config.devPayments ? { auth: requireOwnerOrAdmin(accounts, config.adminToken) } : undefined,
  });
  cinemaRoutes(app, { cinema: new Cinema(collections, ledger, accounts, wallet), idempotency, auth });
  traceRoutes(app, { tracer: new Tracer(collections, reader), auth });
  adminRoutes(app, { accounts, auth: requireAdmin(config.adminToken) });
  webRoutes(app, { money: config.money, devPayments: config.devPayments });
}
