import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { Registry, collectDefaultMetrics, Counter, Histogram } from 'prom-client';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { ReadinessChecks } from '../services/readiness.js';
import type { AppEnv } from '../types.js';
import { json } from './schemas.js';

/** Prometheus metrics of this app instance (its own registry, so tests can run several apps). */
export function metrics(): { registry: Registry; middleware: MiddlewareHandler<AppEnv> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'wallet_http_requests_total',
    help: 'HTTP requests',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'wallet_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    const start = performance.now();
    await next();
    // The matched route pattern, not the raw path, keeps label cardinality bounded.
    const route = routePath(c);
    requests.inc({ method: c.req.method, route, status: String(c.res.status) });
    duration.observe({ method: c.req.method, route }, (performance.now() - start) / 1000);
  };
  return { registry, middleware };
}

export interface HealthRouteDeps {
  readonly readiness: Pick<ReadinessChecks, 'check'>;
  /** This app's metrics (metrics()). */
  readonly registry: Registry;
}

/** /healthz (the process is up), /readyz (DB, ledger and indexer usable), /metrics; no credential. */
export function healthRoutes(app: OpenAPIHono<AppEnv>, deps: HealthRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['operations'],
      summary: 'Liveness: the process answers',
      responses: { 200: json(z.object({ status: z.literal('ok') }), 'Alive') },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );

  const Readiness = z
    .object({
      status: z.enum(['ready', 'not ready']),
      checks: z.record(z.string(), z.string()).openapi({
        description: 'db, ledger, indexer, reconciler: "ok" or what is wrong',
      }),
    })
    .openapi('Readiness');
  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      tags: ['operations'],
      summary: 'Readiness: the outer DB, the ledger, the indexer and the reconciler are usable',
      responses: { 200: json(Readiness, 'Ready'), 503: json(Readiness, 'Not ready: the checks say why') },
    }),
    async (c) => {
      const { ready, checks } = await deps.readiness.check();
      return ready
        ? c.json({ status: 'ready' as const, checks }, 200)
        : c.json({ status: 'not ready' as const, checks }, 503);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/metrics',
      tags: ['operations'],
      summary: 'Prometheus metrics (text exposition format)',
      responses: {
        200: { content: { 'text/plain': { schema: z.string() } }, description: 'The metrics' },
      },
    }),
    async (c) => c.text(await deps.registry.metrics(), 200, { 'content-type': deps.registry.contentType }),
  );
}
