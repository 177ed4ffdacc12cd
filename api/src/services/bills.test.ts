import { describe, expect, it } from 'vitest';
import type { MovementDoc } from '../db/mongo.js';
import { ApiError } from '../errors.js';
import { billFilter, billsCsv, csvField, decodeCursor, encodeCursor } from './bills.js';

const line = (overrides: Partial<MovementDoc>): MovementDoc => ({
  _id: 'tx1:u1',
  userId: 'u1',
  txId: 'tx1',
  kind: 'transfer',
  direction: 'in',
  amount: '25',
  counterparties: ['bob'],
  ts: new Date('2026-11-04T12:00:00Z'),
  memoHash: '',
  ...overrides,
});

describe('bill cursors', () => {
  it('name the last row of a page by its time and id', () => {
    const cursor = encodeCursor({ ts: new Date('2026-11-04T12:00:00Z'), _id: 'tx9:u1' });

    expect(decodeCursor(cursor)).toEqual({ ts: new Date('2026-11-04T12:00:00Z'), id: 'tx9:u1' });
  });

  it.each([
    ['not base64 JSON', 'not-a-cursor'],
    ['JSON null', Buffer.from('null').toString('base64url')],
    ['a time that is not a number', Buffer.from('{"t":"2026","i":"x"}').toString('base64url')],
    ['a fractional time', Buffer.from('{"t":1.5,"i":"x"}').toString('base64url')],
    ['no id', Buffer.from('{"t":1}').toString('base64url')],
  ])('refuses a cursor that is %s with a 400', (_case, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(
      new ApiError(400, 'validation', 'Request is not valid', 'cursor: is not a cursor this API returned'),
    );
  });
});

describe('billFilter', () => {
  it('keeps to the user and adds each filter given, the cursor as "older than that row"', () => {
    const cursor = encodeCursor({ ts: new Date(1000), _id: 'tx5:u1' });

    const filter = billFilter('u1', {
      from: '2026-11-01T00:00:00Z',
      type: 'ticket',
      direction: 'out',
      counterparty: 'Wcinema',
      cursor,
    });

    expect(filter).toEqual({
      userId: 'u1',
      ts: { $gte: new Date('2026-11-01T00:00:00Z') },
      kind: 'ticket',
      direction: 'out',
      counterparties: 'Wcinema',
      $or: [{ ts: { $lt: new Date(1000) } }, { ts: new Date(1000), _id: { $lt: 'tx5:u1' } }],
    });
  });

  it('filters by the user alone when nothing else is asked', () => {
    expect(billFilter('u1', {})).toEqual({ userId: 'u1' });
  });
});

describe('bills as CSV', () => {
  it.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@cmd', "'@cmd"],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['plain', 'plain'],
  ])('writes %j as %j (no formula a spreadsheet would run)', (value, field) => {
    expect(csvField(value)).toBe(field);
  });

  it('writes a header naming the unit of amounts and one line per movement, counterparties space-separated', () => {
    const csv = billsCsv(
      [line({ counterparties: ['bob', 'Wxyz'] }), line({ txId: 'tx2', direction: 'out', amount: '5' })],
      '0.01 CNY',
    );

    expect(csv).toBe(
      'time,type,direction,amount (0.01 CNY),counterparties,txId\n' +
        '2026-11-04T12:00:00.000Z,transfer,in,25,bob Wxyz,tx1\n' +
        '2026-11-04T12:00:00.000Z,transfer,out,5,bob,tx2\n',
    );
  });
});
