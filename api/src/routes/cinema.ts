import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { TicketDoc } from '../db/mongo.js';
import type { Cinema } from '../services/cinema.js';
import type { IdempotentRun } from '../services/idempotency.js';
import type { AppEnv, SessionEnv } from '../types.js';
import { once } from './idempotent.js';
import {
  Amount,
  DateTime,
  GivenSecret,
  IdempotencyHeader,
  json,
  jsonBody,
  problemResponses,
} from './schemas.js';

const SeatRow = z
  .object({ row: z.string().regex(/^[A-Z]{1,3}$/), count: z.number().int().min(1).max(100) })
  .strict();
const ScreeningView = z
  .object({
    screeningId: z.string(),
    film: z.string(),
    startsAt: z.string(),
    price: z.string(),
    seatMap: z.array(z.object({ row: z.string(), count: z.number() })),
    sold: z.array(z.string()),
    available: z.array(z.string()),
  })
  .openapi('Screening');
const TicketView = z
  .object({
    ticketId: z.string(),
    screeningId: z.string(),
    seat: z.string(),
    txId: z.string(),
    soldAt: z.string(),
    redeemedAt: z.string().nullable(),
  })
  .openapi('Ticket');
const ScreeningId = z.object({ screeningId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/) });
const TicketId = z.object({ ticketId: z.string().regex(/^[A-Za-z0-9._-]{1,64}:[A-Za-z0-9._-]{1,64}$/) });

const ticketView = (t: TicketDoc) => ({
  ticketId: t._id,
  screeningId: t.screeningId,
  seat: t.seat,
  txId: t.txId,
  soldAt: t.soldAt.toISOString(),
  redeemedAt: t.redeemedAt?.toISOString() ?? null,
});

export interface CinemaRouteDeps {
  readonly cinema: Pick<
    Cinema,
    'createScreening' | 'upcoming' | 'screening' | 'buy' | 'myTickets' | 'ticketForMerchant' | 'redeem'
  >;
  readonly idempotency: IdempotentRun;
  /** The session check (middleware/auth.ts) of every route but the two that list screenings. */
  readonly auth: MiddlewareHandler<SessionEnv>;
}

/** Screenings, seats, ticket purchase, my tickets, and the merchant's verification and redemption. */
export function cinemaRoutes(app: OpenAPIHono<AppEnv>, deps: CinemaRouteDeps): void {
  screeningRoutes(app, deps);
  ticketRoutes(app, deps);
}

/** Creating screenings (merchants), and the list and seats of screenings (anyone). */
function screeningRoutes(app: OpenAPIHono<AppEnv>, { cinema, idempotency, auth }: CinemaRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/cinema/screenings',
      tags: ['cinema'],
      summary: 'Create a screening (merchants); tickets pay my receive address',
      security: [{ bearer: [] }],
      middleware: auth,
      request: {
        headers: IdempotencyHeader,
        ...jsonBody(
          z
            .object({
              film: z.string().min(1).max(200),
              startsAt: DateTime,
              seatMap: z.array(SeatRow).min(1).max(26),
              price: Amount,
              paymentPassword: GivenSecret,
            })
            .strict(),
        ),
      },
      responses: { 201: json(ScreeningView, 'Created on the ledger'), ...problemResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      // A retried creation must not create a second screening.
      return c.json(await once(c, idempotency, body, () => cinema.createScreening(c.get('user'), body)), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/cinema/screenings',
      tags: ['cinema'],
      summary: 'Upcoming screenings',
      responses: {
        200: json(
          z.object({
            screenings: z.array(
              ScreeningView.omit({ sold: true, available: true }).extend({
                cinemaAddress: z
                  .string()
                  .openapi({ description: 'the address tickets pay (a receive address of its cinema)' }),
              }),
            ),
          }),
          'Screenings',
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const screenings = await cinema.upcoming();
      return c.json(
        {
          screenings: screenings.map((s) => ({
            screeningId: s._id,
            film: s.film,
            startsAt: s.startsAt.toISOString(),
            price: s.price,
            seatMap: s.seatMap,
            cinemaAddress: s.cinemaAddress,
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/cinema/screenings/{screeningId}',
      tags: ['cinema'],
      summary: 'A screening with its available seats',
      request: { params: ScreeningId },
      responses: { 200: json(ScreeningView, 'The screening'), ...problemResponses },
    }),
    async (c) => c.json(await cinema.screening(c.req.valid('param').screeningId), 200),
  );
}

/** Buying seats, my tickets, and a merchant's verification and redemption of a ticket. */
function ticketRoutes(app: OpenAPIHono<AppEnv>, { cinema, idempotency, auth }: CinemaRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/cinema/screenings/{screeningId}/tickets',
      tags: ['cinema'],
      summary: 'Buy seats: one ledger transaction pays the cinema and reserves them',
      security: [{ bearer: [] }],
      middleware: auth,
      request: {
        params: ScreeningId,
        headers: IdempotencyHeader,
        ...jsonBody(
          z
            .object({
              seats: z
                .array(z.string().regex(/^[A-Z]{1,3}[1-9][0-9]{0,2}$/))
                .min(1)
                .max(10),
              paymentPassword: GivenSecret,
            })
            .strict(),
        ),
      },
      responses: {
        201: json(z.object({ txId: z.string(), tickets: z.array(z.string()) }), 'Bought'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const { screeningId } = c.req.valid('param');
      const { seats, paymentPassword } = c.req.valid('json');
      const bought = await once(c, idempotency, { screeningId, seats, paymentPassword }, async () => {
        const result = await cinema.buy(c.get('user'), screeningId, seats, paymentPassword);
        return { txId: result.txId, tickets: result.tickets.map((t) => t.ticketId) };
      });
      return c.json(bought, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/tickets',
      tags: ['cinema'],
      summary: 'My tickets',
      security: [{ bearer: [] }],
      middleware: auth,
      responses: { 200: json(z.object({ tickets: z.array(TicketView) }), 'Tickets'), ...problemResponses },
    }),
    async (c) => c.json({ tickets: (await cinema.myTickets(c.get('user'))).map(ticketView) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/cinema/tickets/{ticketId}',
      tags: ['cinema'],
      summary: 'Verify a ticket of one of my screenings (merchants)',
      security: [{ bearer: [] }],
      middleware: auth,
      request: { params: TicketId },
      responses: { 200: json(TicketView, 'The ticket'), ...problemResponses },
    }),
    async (c) =>
      c.json(ticketView(await cinema.ticketForMerchant(c.get('user'), c.req.valid('param').ticketId)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/cinema/tickets/{ticketId}/redeem',
      tags: ['cinema'],
      summary: 'Redeem a ticket at the door, once (merchants)',
      security: [{ bearer: [] }],
      middleware: auth,
      request: {
        params: TicketId,
        ...jsonBody(z.object({ paymentPassword: GivenSecret }).strict()),
      },
      responses: { 200: json(TicketView, 'Redeemed'), ...problemResponses },
    }),
    async (c) =>
      c.json(
        ticketView(
          await cinema.redeem(
            c.get('user'),
            c.req.valid('param').ticketId,
            c.req.valid('json').paymentPassword,
          ),
        ),
        200,
      ),
  );
}
