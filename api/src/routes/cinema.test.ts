import type { Ticket } from '@fabric-wallet/ccaas/protocol';
import { describe, expect, it } from 'vitest';
import type { ScreeningDoc, TicketDoc, UserDoc } from '../db/mongo.js';
import type { ScreeningView } from '../services/cinema.js';
import { cinemaRoutes } from './cinema.js';
import { fakeAuth, FakeIdempotency, KEY, routeApp, send, TOKEN } from './testing.js';

const view: ScreeningView = {
  screeningId: 'sc-1',
  film: 'Metropolis',
  startsAt: '2026-12-01T19:30:00.000Z',
  price: '100',
  seatMap: [{ row: 'A', count: 3 }],
  sold: ['A1'],
  available: ['A2', 'A3'],
};
const ticket: TicketDoc = {
  _id: 'sc-1:A2',
  screeningId: 'sc-1',
  seat: 'A2',
  holder: 'Wholder',
  holderUserId: 'user-alice',
  txId: '2'.repeat(64),
  soldAt: new Date('2026-11-05T10:00:00Z'),
};

function cinema() {
  const calls: unknown[][] = [];
  const idempotency = new FakeIdempotency();
  const screening: ScreeningDoc = {
    _id: 'sc-1',
    film: 'Metropolis',
    startsAt: new Date('2026-12-01T19:30:00Z'),
    seatMap: [{ row: 'A', count: 3 }],
    price: '100',
    cinemaAddress: 'Wcinema',
    merchantUserId: 'user-merchant',
    createdAt: new Date('2026-11-01T00:00:00Z'),
    txId: '3'.repeat(64),
  };
  const app = routeApp((hono) => {
    cinemaRoutes(hono, {
      cinema: {
        createScreening: (user: UserDoc, input) => {
          calls.push(['create', user._id, input.price]);
          return Promise.resolve(view);
        },
        upcoming: () => Promise.resolve([screening]),
        screening: (screeningId) => Promise.resolve({ ...view, screeningId }),
        buy: (user: UserDoc, screeningId: string, seats: string[]) => {
          calls.push(['buy', user._id, screeningId, seats]);
          const sold: Ticket = {
            ticketId: `${screeningId}:${seats[0] ?? ''}`,
            screeningId,
            seat: seats[0] ?? '',
            holder: 'W',
            txId: '4'.repeat(64),
            soldAt: 1,
          };
          return Promise.resolve({ txId: sold.txId, tickets: [sold] });
        },
        myTickets: () => Promise.resolve([ticket]),
        ticketForMerchant: () => Promise.resolve(ticket),
        redeem: (_user: UserDoc, ticketId: string) => {
          calls.push(['redeem', ticketId]);
          return Promise.resolve({ ...ticket, redeemedAt: new Date('2026-12-01T19:00:00Z') });
        },
      },
      idempotency,
      auth: fakeAuth(),
    });
  });
  return { app, calls, idempotency };
}

const newScreening = {
  film: 'Metropolis',
  startsAt: '2026-12-01T20:30:00+01:00',
  seatMap: [{ row: 'A', count: 3 }],
  price: '100',
  paymentPassword: 'pay-123456',
};

describe('the cinema routes', () => {
  it('lists screenings with the address their tickets pay and one screening’s seats to anyone, without a session', async () => {
    const { app } = cinema();

    const list = await send(app, 'GET', '/v1/cinema/screenings');
    const one = await send(app, 'GET', '/v1/cinema/screenings/sc-1');

    expect(list.status).toBe(200);
    expect(list.body.screenings).toEqual([
      {
        screeningId: 'sc-1',
        film: 'Metropolis',
        startsAt: '2026-12-01T19:30:00.000Z',
        price: '100',
        seatMap: [{ row: 'A', count: 3 }],
        cinemaAddress: 'Wcinema',
      },
    ]);
    expect(one.body).toMatchObject({ screeningId: 'sc-1', available: ['A2', 'A3'] });
  });

  it('requires a session to create a screening, buy, list my tickets, verify and redeem', async () => {
    const { app, calls } = cinema();

    const answers = await Promise.all([
      send(app, 'POST', '/v1/cinema/screenings', { headers: KEY, body: newScreening }),
      send(app, 'POST', '/v1/cinema/screenings/sc-1/tickets', {
        headers: KEY,
        body: { seats: ['A2'], paymentPassword: 'p' },
      }),
      send(app, 'GET', '/v1/me/tickets'),
      send(app, 'GET', '/v1/cinema/tickets/sc-1:A2'),
      send(app, 'POST', '/v1/cinema/tickets/sc-1:A2/redeem', { body: { paymentPassword: 'p' } }),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    expect(calls).toEqual([]);
  });

  it('creates a screening once per Idempotency-Key, keyed without the payment password', async () => {
    const { app, calls, idempotency } = cinema();

    const answer = await send(app, 'POST', '/v1/cinema/screenings', {
      token: TOKEN,
      headers: KEY,
      body: newScreening,
    });

    expect(answer.status).toBe(201);
    expect(calls).toEqual([['create', 'user-alice', '100']]);
    const { paymentPassword: _secret, ...fingerprint } = newScreening;
    expect(idempotency.runs[0]?.request).toEqual(fingerprint);
  });

  it('buys seats, answering the transaction and the ticket ids', async () => {
    const { app, calls, idempotency } = cinema();

    const answer = await send(app, 'POST', '/v1/cinema/screenings/sc-1/tickets', {
      token: TOKEN,
      headers: KEY,
      body: { seats: ['A2'], paymentPassword: 'p' },
    });

    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ txId: '4'.repeat(64), tickets: ['sc-1:A2'] });
    expect(calls).toEqual([['buy', 'user-alice', 'sc-1', ['A2']]]);
    expect(idempotency.runs[0]?.request).toEqual({ screeningId: 'sc-1', seats: ['A2'] });
  });

  it.each([
    ['a seat of no row', { seats: ['1'], paymentPassword: 'p' }, 'seats.0'],
    ['no seat', { seats: [], paymentPassword: 'p' }, 'seats'],
    [
      'eleven seats',
      { seats: Array.from({ length: 11 }, (_, i) => `A${String(i + 1)}`), paymentPassword: 'p' },
      'seats',
    ],
  ])('refuses a purchase of %s', async (_case, body, path) => {
    const { app, calls } = cinema();

    const answer = await send(app, 'POST', '/v1/cinema/screenings/sc-1/tickets', {
      token: TOKEN,
      headers: KEY,
      body,
    });

    expect(answer.status).toBe(400);
    expect(answer.body.errors).toMatchObject([{ path }]);
    expect(calls).toEqual([]);
  });

  it.each([
    ['a start without an offset', { ...newScreening, startsAt: '2026-12-01T20:30:00' }, 'startsAt'],
    ['a price with cents', { ...newScreening, price: '1.00' }, 'price'],
    ['a row of digits', { ...newScreening, seatMap: [{ row: '1', count: 3 }] }, 'seatMap.0.row'],
  ])('refuses a screening with %s', async (_case, body, path) => {
    const { app } = cinema();

    const answer = await send(app, 'POST', '/v1/cinema/screenings', { token: TOKEN, headers: KEY, body });

    expect(answer.status).toBe(400);
    expect(answer.body.errors).toMatchObject([{ path }]);
  });

  it('redeems a ticket, answering it with its redemption time', async () => {
    const { app, calls } = cinema();

    const answer = await send(app, 'POST', '/v1/cinema/tickets/sc-1:A2/redeem', {
      token: TOKEN,
      body: { paymentPassword: 'p' },
    });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ticketId: 'sc-1:A2', redeemedAt: '2026-12-01T19:00:00.000Z' });
    expect(calls).toEqual([['redeem', 'sc-1:A2']]);
  });

  it('refuses a ticket id that is not <screening>:<seat>', async () => {
    const { app } = cinema();

    const answer = await send(app, 'GET', '/v1/cinema/tickets/sc-1', { token: TOKEN });

    expect(answer.status).toBe(400);
    expect(answer.body.errors).toMatchObject([{ path: 'ticketId' }]);
  });
});
