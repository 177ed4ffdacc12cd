import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { Limits } from '@fabric-wallet/ccaas/protocol';
import type { MiddlewareHandler } from 'hono';
import type { Tracer } from '../services/trace.js';
import type { AppEnv, SessionEnv } from '../types.js';
import { json, problemResponses } from './schemas.js';

export interface TraceRouteDeps {
  readonly tracer: Pick<Tracer, 'ofToken'>;
  /** The session check (middleware/auth.ts). */
  readonly auth: MiddlewareHandler<SessionEnv>;
}

/** Token traceability: where a token of mine came from, back to the mints. */
export function traceRoutes(app: OpenAPIHono<AppEnv>, { tracer, auth }: TraceRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/tokens/{txId}/{index}/trace',
      tags: ['wallet'],
      summary:
        'Provenance of one of my tokens back to its mints (outer DB; verify=ledger checks it on chain)',
      security: [{ bearer: [] }],
      middleware: auth,
      request: {
        params: z.object({
          txId: z.string().regex(/^[0-9a-f]{64}$/),
          index: z.coerce
            .number()
            .int()
            .min(0)
            .max(Limits.outputsMax - 1)
            .openapi({
              param: { required: true },
              type: 'integer',
              minimum: 0,
              maximum: Limits.outputsMax - 1,
              description: 'the output index',
            }),
        }),
        query: z
          .object({
            maxDepth: z.coerce.number().int().min(1).max(Limits.traceDepthMax).default(16),
            verify: z.enum(['ledger']).optional(),
            source: z.enum(['index', 'ledger']).default('index'),
          })
          .strict(),
      },
      responses: {
        200: json(
          z.object({
            root: z.object({ txId: z.string(), index: z.number() }),
            txs: z.array(
              z.object({
                txId: z.string(),
                kind: z.string(),
                ts: z.string(),
                inputs: z.array(z.string()),
                outputs: z.array(z.object({ address: z.string(), amount: z.string() })),
              }),
            ),
            mints: z.array(z.string()),
            complete: z.boolean(),
            verified: z.boolean().nullable(),
          }),
          'The provenance graph',
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const { txId, index } = c.req.valid('param');
      const trace = await tracer.ofToken(c.get('user')._id, txId, index, c.req.valid('query'));
      return c.json(trace, 200);
    },
  );
}
