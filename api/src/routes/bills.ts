import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute, z } from '@hono/zod-openapi';
import type { Filter } from 'mongodb';
import type { Collections, MovementDoc } from '../db/mongo.js';
import { badRequest } from '../errors.js';
import type { AppEnv } from '../types.js';
import { json, problemResponses } from './schemas.js';

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
    from: z.iso.datetime().optional(),
    to: z.iso.datetime().optional(),
    type: z.enum(['recharge', 'transfer', 'ticket']).optional(),
    direction: z.enum(['in', 'out', 'self']).optional(),
    counterparty: z.string().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).optional(),
  })
  .strict();

/** Cursor = the last row's (ts, _id), so pages are stable while new bills arrive. */
function decodeCursor(cursor: string): { ts: Date; id: string } {
  try {
    const { t, i } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      t: number;
      i: string;
    };
    if (typeof t !== 'number' || typeof i !== 'string') throw new Error('shape');
    return { ts: new Date(t), id: i };
  } catch {
    throw badRequest('cursor: is not a cursor this API returned');
  }
}

/** Bills: the movements of my balance, newest first, filtered and paginated. */
export function billRoutes(app: OpenAPIHono<AppEnv>, collections: Collections): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/bills',
      tags: ['wallet'],
      summary: 'Bills: what each transaction did to my balance (from the outer DB)',
      security: [{ bearer: [] }],
      request: { query: Query },
      responses: {
        200: json(z.object({ bills: z.array(Bill), nextCursor: z.string().nullable() }), 'A page of bills'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const filter: Filter<MovementDoc> = { userId: c.get('user')._id };
      const ts: { $gte?: Date; $lte?: Date } = {};
      if (query.from) ts.$gte = new Date(query.from);
      if (query.to) ts.$lte = new Date(query.to);
      if (ts.$gte || ts.$lte) filter.ts = ts;
      if (query.type) filter.kind = query.type;
      if (query.direction) filter.direction = query.direction;
      if (query.counterparty) filter.counterparties = query.counterparty;
      if (query.cursor) {
        const after = decodeCursor(query.cursor);
        filter.$or = [{ ts: { $lt: after.ts } }, { ts: after.ts, _id: { $lt: after.id } }];
      }
      const rows = await collections.movements
        .find(filter)
        .sort({ ts: -1, _id: -1 })
        .limit(query.limit + 1)
        .toArray();
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return c.json(
        {
          bills: page.map((m) => ({
            txId: m.txId,
            kind: m.kind,
            direction: m.direction,
            amount: m.amount,
            counterparties: m.counterparties,
            at: m.ts.toISOString(),
          })),
          nextCursor:
            rows.length > query.limit && last
              ? Buffer.from(JSON.stringify({ t: last.ts.getTime(), i: last._id })).toString('base64url')
              : null,
        },
        200,
      );
    },
  );
}
