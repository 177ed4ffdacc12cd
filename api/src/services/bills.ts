import type { Filter } from 'mongodb';
import { oneBatch, type Collections, type MovementDoc, type MovementKind } from '../db/mongo.js';
import { badRequest } from '../errors.js';

/** What a bill query may ask for (the route has checked each field's form). */
export interface BillQuery {
  /** ISO instants, inclusive. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly type?: MovementKind | undefined;
  readonly direction?: MovementDoc['direction'] | undefined;
  readonly counterparty?: string | undefined;
  /** A cursor a previous page returned. */
  readonly cursor?: string | undefined;
}

/** One page of bills, newest first, and the cursor of the next (null on the last page). */
export interface BillPage {
  readonly bills: MovementDoc[];
  readonly nextCursor: string | null;
}

/** Rows of a CSV export at most. */
export const CSV_ROWS_MAX = 10_000;

/** A cursor names the last row of a page by (ts, _id), so pages stay stable while bills arrive. */
export function encodeCursor(last: Pick<MovementDoc, 'ts' | '_id'>): string {
  return Buffer.from(JSON.stringify({ t: last.ts.getTime(), i: last._id })).toString('base64url');
}

/** The (ts, _id) of a cursor this API returned; 400 for anything else. */
export function decodeCursor(cursor: string): { ts: Date; id: string } {
  const refused = badRequest('cursor: is not a cursor this API returned');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refused;
  }
  if (typeof value !== 'object' || value === null) throw refused;
  const fields = new Map<string, unknown>(Object.entries(value));
  const [t, i] = [fields.get('t'), fields.get('i')];
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || typeof i !== 'string') throw refused;
  return { ts: new Date(t), id: i };
}

/** The MongoDB filter of a bill query: owner, date range, type, direction, counterparty, cursor. */
export function billFilter(userId: string, query: BillQuery): Filter<MovementDoc> {
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
export function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * Bills as CSV text: a header line, then one line per movement. Amounts stay exact integers;
 * the header names what one counts (`amount (0.01 CNY)`, config.ts minorUnitName).
 */
export function billsCsv(rows: readonly MovementDoc[], amountUnit = 'minor units'): string {
  const lines = [
    `time,type,direction,${csvField(`amount (${amountUnit})`)},counterparties,txId`,
    ...rows.map((m) =>
      [m.ts.toISOString(), m.kind, m.direction, m.amount, m.counterparties.join(' '), m.txId]
        .map(csvField)
        .join(','),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** Bills: the movements of a user's balance, from the outer DB. */
export class Bills {
  /** `amountUnit` names a minor unit in the CSV header (`0.01 CNY`). */
  constructor(
    private readonly collections: Collections,
    private readonly amountUnit?: string,
  ) {}

  /** A page of `limit` bills, newest first. */
  async page(userId: string, query: BillQuery, limit: number): Promise<BillPage> {
    const rows = await this.collections.movements
      .find(billFilter(userId, query), oneBatch(limit + 1))
      .sort({ ts: -1, _id: -1 })
      .limit(limit + 1)
      .toArray();
    const bills = rows.slice(0, limit);
    const last = bills.at(-1);
    return { bills, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  /** Every bill the query matches as CSV, newest first, at most CSV_ROWS_MAX rows. */
  async csv(userId: string, query: Omit<BillQuery, 'cursor'>): Promise<string> {
    const rows = await this.collections.movements
      .find(billFilter(userId, query))
      .sort({ ts: -1, _id: -1 })
      .limit(CSV_ROWS_MAX)
      .toArray();
    return billsCsv(rows, this.amountUnit);
  }
}
