import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { RechargeOrderDoc, UserDoc } from '../db/mongo.js';
import { bearerToken } from '../middleware/auth.js';
import type { Accounts } from '../services/accounts.js';
import type { IdempotentRun } from '../services/idempotency.js';
import type { Recharges } from '../services/recharge.js';
import type { AppEnv, SessionEnv } from '../types.js';
import { isAdminCredential } from './admin.js';
import { once } from './idempotent.js';
import { Amount, IdempotencyHeader, json, jsonBody, problemResponses } from './schemas.js';

const Order = z
  .object({
    orderId: z.string(),
    amount: z.string(),
    address: z.string(),
    status: z.enum(['created', 'paid', 'minted']),
    txId: z.string().nullable(),
  })
  .openapi('RechargeOrder');

const orderView = (order: RechargeOrderDoc) => ({
  orderId: order._id,
  amount: order.amount,
  address: order.address,
  status: order.status,
  txId: order.txId ?? null,
});

/** Who confirms a development payment: the order's owner, or the admin (undefined: any order). */
export interface ConfirmEnv {
  Variables: AppEnv['Variables'] & { orderOwner: UserDoc | undefined };
}

/**
 * The development payment provider's credential: the admin token (any order), or a user's
 * session (their own orders only; another's is "not found"). 401 otherwise.
 */
export function requireOwnerOrAdmin(
  accounts: Pick<Accounts, 'authenticate'>,
  adminToken: string,
): MiddlewareHandler<ConfirmEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    c.set(
      'orderOwner',
      isAdminCredential(adminToken, header)
        ? undefined
        : (await accounts.authenticate(bearerToken(header))).user,
    );
    await next();
  };
}

export interface RechargeRouteDeps {
  readonly recharges: Pick<Recharges, 'create' | 'get' | 'confirmPayment'>;
  readonly idempotency: IdempotentRun;
  /** The session check (middleware/auth.ts). */
  readonly auth: MiddlewareHandler<SessionEnv>;
  /**
   * The development payment provider's confirmation route and its credential check; absent
   * in a production configuration, where a real provider would call a signed webhook instead.
   */
  readonly devPayments?: { readonly auth: MiddlewareHandler<ConfirmEnv> } | undefined;
}

/** Recharge orders, and the development payment provider's confirmation (config.devPayments only). */
export function rechargeRoutes(
  app: OpenAPIHono<AppEnv>,
  { recharges, idempotency, auth, devPayments }: RechargeRouteDeps,
): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/recharges',
      tags: ['recharge'],
      summary: 'Create a recharge order to my receive address; it mints once the payment is confirmed',
      security: [{ bearer: [] }],
      middleware: auth,
      request: { headers: IdempotencyHeader, ...jsonBody(z.object({ amount: Amount }).strict()) },
      responses: { 201: json(Order, 'Order created'), ...problemResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(
        await once(c, idempotency, body, async () =>
          orderView(await recharges.create(c.get('user'), body.amount)),
        ),
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/recharges/{orderId}',
      tags: ['recharge'],
      summary: 'A recharge order of mine',
      security: [{ bearer: [] }],
      middleware: auth,
      request: { params: z.object({ orderId: z.string().min(1).max(80) }) },
      responses: { 200: json(Order, 'The order'), ...problemResponses },
    }),
    async (c) => c.json(orderView(await recharges.get(c.get('user'), c.req.valid('param').orderId)), 200),
  );

  // Off (a production configuration): the route does not exist, in the server or its document.
  if (!devPayments) return;
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/dev/payments/{orderId}/confirm',
      tags: ['recharge'],
      summary:
        'Development payment provider: confirm the payment of an order (mints it once). The order ' +
        "owner's session or the admin credential; never in a production configuration",
      security: [{ bearer: [] }],
      middleware: devPayments.auth,
      request: { params: z.object({ orderId: z.string().min(1).max(80) }) },
      responses: { 200: json(Order, 'Paid and minted'), ...problemResponses },
    }),
    async (c) => {
      const { orderId } = c.req.valid('param');
      return c.json(orderView(await recharges.confirmPayment(orderId, c.get('orderOwner'))), 200);
    },
  );
}
