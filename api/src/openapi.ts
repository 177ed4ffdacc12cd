import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ApiError, notFound } from './errors.js';
import { problem } from './middleware/problem.js';
import type { AppEnv } from './types.js';

type Document = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;
interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
  responses: Record<string, { description: string; headers?: Record<string, unknown> }>;
}

const header = (name: string) => ({ $ref: `#/components/headers/${name}` });
const problemContent = {
  'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
};

/**
 * The OpenAPI document: what the routes declare, plus what middleware adds to them (quotas,
 * body limits, media types, replay marks), so that it states every status and header the
 * server sends. Built once.
 */
export function openApiDocument(app: OpenAPIHono<AppEnv>): Document {
  const document = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'fabric-wallet API',
      version: '0.1.0',
      description:
        'Errors are RFC 9457 problem documents (application/problem+json). Every /v1 answer carries ' +
        'Cache-Control: no-store, and every answer X-Content-Type-Options: nosniff. A method a path ' +
        'does not declare is answered 405 with Allow; an unknown path 404. Amounts are whole minor ' +
        'units as decimal strings.',
    },
  });
  document.components ??= {};
  document.components.headers = {
    'Retry-After': {
      description: 'Seconds to wait before trying again',
      schema: { type: 'integer', minimum: 1 },
    },
    RateLimit: {
      description: 'The quota left: `"<policy>";r=<requests left>;t=<seconds until full>`',
      schema: { type: 'string', pattern: '^"[a-z-]+";r=\\d+;t=\\d+$' },
    },
    'RateLimit-Policy': {
      description: 'The quota: `"<policy>";q=<requests>;w=<window seconds>` (docs/security.md)',
      schema: { type: 'string', pattern: '^"[a-z-]+";q=\\d+;w=\\d+$' },
    },
    'Idempotent-Replayed': {
      description: 'The stored answer of an earlier request with the same Idempotency-Key',
      schema: { type: 'string', enum: ['true'] },
    },
  };
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const operation of Object.values(item as Record<string, Operation>)) {
      const { responses } = operation;
      if (path.startsWith('/v1/'))
        responses['429'] = {
          description:
            'Too many requests: a per-client quota or an attempt limit of the account; Retry-After says when to try again',
          headers: {
            'Retry-After': header('Retry-After'),
            RateLimit: header('RateLimit'),
            'RateLimit-Policy': header('RateLimit-Policy'),
          },
          ...{ content: problemContent },
        };
      const unavailable = responses['503'];
      if (unavailable && path.startsWith('/v1/'))
        unavailable.headers = { ...unavailable.headers, 'Retry-After': header('Retry-After') };
      if (operation.requestBody) {
        responses['413'] = {
          description: 'The body is larger than the limit',
          ...{ content: problemContent },
        };
        responses['415'] = {
          description: 'The body is not application/json',
          ...{ content: problemContent },
        };
      }
      const created = responses['201'];
      if (created && operation.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key'))
        created.headers = { ...created.headers, 'Idempotent-Replayed': header('Idempotent-Replayed') };
    }
  }
  return document;
}

/** A path pattern of Hono (`:id`, `*`) or OpenAPI (`{id}`) as an anchored regular expression. */
function pathPattern(path: string): RegExp {
  const parts = path
    .split('/')
    .map((part) =>
      part === '*'
        ? '.*'
        : part.startsWith(':') || /^\{[^}]+\}$/.test(part)
          ? '[^/]+'
          : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    );
  return new RegExp(`^${parts.join('/')}$`);
}

/**
 * What the app declares: its OpenAPI document (built once, on first use, when every route
 * exists) and the methods each path takes: the document's operations plus the plain GET pages
 * outside /v1 (the web wallet, the docs). Middleware registered per method is not a route,
 * which is why the Hono route table alone cannot answer.
 */
export class DeclaredRoutes {
  private built?: { document: Document; table: { pattern: RegExp; method: string }[] };

  constructor(private readonly app: OpenAPIHono<AppEnv>) {}

  document(): Document {
    return this.build().document;
  }

  /** The methods `path` takes (HEAD wherever GET is). */
  methods(path: string): Set<string> {
    const methods = new Set(
      this.build()
        .table.filter((route) => route.pattern.test(path))
        .map((route) => route.method),
    );
    if (methods.has('GET')) methods.add('HEAD');
    return methods;
  }

  declares(method: string, path: string): boolean {
    return this.methods(path).has(method);
  }

  /** The not-found handler: 405 with Allow when the path takes other methods (RFC 9110 15.5.6), else 404. */
  readonly notFound = (c: Context<AppEnv>): Response => {
    const methods = this.methods(c.req.path);
    if (methods.size === 0) return problem(c, notFound(`no route ${c.req.method} ${c.req.path}`));
    const allow = [...methods].sort().join(', ');
    c.header('Allow', allow);
    return problem(
      c,
      new ApiError(
        405,
        'method-not-allowed',
        'Method not allowed',
        `${c.req.path} allows ${allow}, not ${c.req.method}`,
      ),
    );
  };

  private build(): { document: Document; table: { pattern: RegExp; method: string }[] } {
    if (this.built) return this.built;
    const document = openApiDocument(this.app);
    const table = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => ({
        pattern: pathPattern(path),
        method: method.toUpperCase(),
      })),
    );
    for (const route of this.app.routes)
      if (route.method === 'GET' && !route.path.startsWith('/v1/'))
        table.push({ pattern: pathPattern(route.path), method: 'GET' });
    this.built = { document, table };
    return this.built;
  }
}
