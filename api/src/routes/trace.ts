import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { Limits } from '@fabric-wallet/ccaas/protocol';
import type { PemIdentity } from '../config.js';
import type { Collections } from '../db/mongo.js';
import { forbidden } from '../errors.js';
import type { Ledger } from '../fabric/ledger.js';
import { traceFromIndex, traceFromLedger, verifyTrace } from '../services/trace.js';
import type { AppEnv } from '../types.js';
import { json, problemResponses } from './schemas.js';

/** Token traceability: where a token of mine came from, back to the mints. */
export function traceRoutes(
  app: OpenAPIHono<AppEnv>,
  collections: Collections,
  ledger: Ledger,
  reader: PemIdentity,
): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/tokens/{txId}/{index}/trace',
      tags: ['wallet'],
      summary:
        'Provenance of one of my tokens back to its mints (outer DB; verify=ledger checks it on chain)',
      security: [{ bearer: [] }],
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
      const { maxDepth, verify, source } = c.req.valid('query');
      const owned = await collections.utxos.findOne({ _id: `${txId}:${index}`, userId: c.get('user')._id });
      if (!owned) throw forbidden('only tokens of your own addresses can be traced here');
      const provenance =
        source === 'ledger'
          ? await traceFromLedger(ledger.as(reader), txId, index, maxDepth)
          : await traceFromIndex(collections, txId, index, maxDepth);
      const verified =
        verify === 'ledger' ? await verifyTrace(ledger.as(reader), provenance, maxDepth) : null;
      return c.json({ ...provenance, verified }, 200);
    },
  );
}
