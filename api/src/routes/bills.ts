import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute, z } from '@hono/zod-openapi';
import type { Filter } from 'mongodb';
import { oneBatch, type Collections, type MovementDoc } from '../db/mongo.js';
import { badRequest } from '../errors.js';
import type { AppEnv } from '../types.js';
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

type BillQuery = z.infer<typeof Query>;

/** The MongoDB filter of a bill query: owner, date range, type, direction, counterparty, cursor. */
function billFilter(userId: string, query: Omit<BillQuery, 'limit'>): Filter<MovementDoc> {
  const filter: Filter<MovementDoc> = { userId };
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
  return filter;
}

/** A CSV field, quoted when needed; a leading = + - @ is neutralised (spreadsheet injection). */
function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Rows of a CSV export at most. */
const CSV_ROWS_MAX = 10_000;

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
      const filter = billFilter(c.get('user')._id, query);
      const rows = await collections.movements
        .find(filter, oneBatch(query.limit + 1))
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

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/bills.csv',
      tags: ['wallet'],
      summary: 'Bills as CSV (same filters; at most 10 000 rows)',
      security: [{ bearer: [] }],
      request: { query: Query.omit({ limit: true, cursor: true }) },
      responses: {
        200: { content: { 'text/csv': { schema: z.string() } }, description: 'CSV' },
        ...problemResponses,
      },
    }),
    async (c) => {
      const rows = await collections.movements
        .find(billFilter(c.get('user')._id, c.req.valid('query')))
        .sort({ ts: -1, _id: -1 })
        .limit(CSV_ROWS_MAX)
        .toArray();
      const lines = [
        'time,type,direction,amount,counterparties,txId',
        ...rows.map((m) =>
          [m.ts.toISOString(), m.kind, m.direction, m.amount, m.counterparties.join(' '), m.txId]
            .map(csvField)
            .join(','),
        ),
      ];
      return c.body(`${lines.join('\n')}\n`, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="bills.csv"',
      });
    },
  );
}
