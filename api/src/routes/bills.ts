import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Bills } from '../services/bills.js';
import type { AppEnv, SessionEnv } from '../types.js';
import { DateTime, json, problemResponses } from './schemas.js';

const Bill = z
  .object({
    txId: z.string(),
    kind: z.enum(['recharge', 'transfer', 'ticket']),
    direction: z.enum(['in', 'out', 'self']),
    amount: z.string(),
    counterparties: z.array(z.string()),
    at: z.string(),
  })
  .openapi('Bill');

const Query = z
  .object({
    from: DateTime.optional(),
    to: DateTime.optional(),
    type: z.enum(['recharge', 'transfer', 'ticket']).optional(),
    direction: z.enum(['in', 'out', 'self']).optional(),
    counterparty: z.string().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export interface BillRouteDeps {
  readonly bills: Pick<Bills, 'page' | 'csv'>;
  /** The session check (middleware/auth.ts). */
  readonly auth: MiddlewareHandler<SessionEnv>;
}

/** Bills: the movements of my balance, newest first, filtered and paginated, or as CSV. */
export function billRoutes(app: OpenAPIHono<AppEnv>, { bills, auth }: BillRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/bills',
      tags: ['wallet'],
      summary: 'Bills: what each transaction did to my balance (from the outer DB)',
      security: [{ bearer: [] }],
      middleware: auth,
      request: { query: Query },
      responses: {
        200: json(z.object({ bills: z.array(Bill), nextCursor: z.string().nullable() }), 'A page of bills'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const { limit, ...query } = c.req.valid('query');
      const page = await bills.page(c.get('user')._id, query, limit);
      return c.json(
        {
          bills: page.bills.map((m) => ({
            txId: m.txId,
            kind: m.kind,
            direction: m.direction,
            amount: m.amount,
            counterparties: m.counterparties,
            at: m.ts.toISOString(),
          })),
          nextCursor: page.nextCursor,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/bills.csv',
      tags: ['wallet'],
      summary: 'Bills as CSV (same filters; at most 10 000 rows)',
      security: [{ bearer: [] }],
      middleware: auth,
      request: { query: Query.omit({ limit: true, cursor: true }) },
      responses: {
        200: { content: { 'text/csv': { schema: z.string() } }, description: 'CSV' },
        ...problemResponses,
      },
    }),
    async (c) =>
      c.body(await bills.csv(c.get('user')._id, c.req.valid('query')), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="bills.csv"',
      }),
  );
}
