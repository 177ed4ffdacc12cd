import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute, z } from '@hono/zod-openapi';
import type { Collections, RechargeOrderDoc } from '../db/mongo.js';
import { bearerToken } from '../middleware/auth.js';
import type { Accounts } from '../services/accounts.js';
import { isAdminCredential } from './admin.js';
import { once } from '../services/idempotency.js';
import type { Recharges } from '../services/recharge.js';
import type { AppEnv } from '../types.js';
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

/**
 * Recharge orders, and the development payment provider's confirmation (only with
 * config.devPayments, which a production configuration refuses: a real provider would call a
 * signed webhook instead).
 */
export function rechargeRoutes(
  app: OpenAPIHono<AppEnv>,
  recharges: Recharges,
  collections: Collections,
  devPayments: { enabled: boolean; accounts: Accounts; adminToken: string },
): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/recharges',
      tags: ['recharge'],
      summary: 'Create a recharge order to my receive address; it mints once the payment is confirmed',
      security: [{ bearer: [] }],
      request: { headers: IdempotencyHeader, ...jsonBody(z.object({ amount: Amount }).strict()) },
      responses: { 201: json(Order, 'Order created'), ...problemResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(
        await once(c, collections, body, async () =>
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
      request: { params: z.object({ orderId: z.string().min(1).max(80) }) },
      responses: { 200: json(Order, 'The order'), ...problemResponses },
    }),
    async (c) => c.json(orderView(await recharges.get(c.get('user'), c.req.valid('param').orderId)), 200),
  );

  // Off (a production configuration): the route does not exist, in the server or its document.
  if (!devPayments.enabled) return;
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/dev/payments/{orderId}/confirm',
      tags: ['recharge'],
      summary:
        'Development payment provider: confirm the payment of an order (mints it once). The order ' +
        "owner's session or the admin credential; never in a production configuration",
      security: [{ bearer: [] }],
      request: { params: z.object({ orderId: z.string().min(1).max(80) }) },
      responses: { 200: json(Order, 'Paid and minted'), ...problemResponses },
    }),
    async (c) => {
      const { orderId } = c.req.valid('param');
      const header = c.req.header('authorization');
      // The admin confirms any order; a user only their own (another's is "not found").
      const owner = isAdminCredential(devPayments.adminToken, header)
        ? undefined
        : (await devPayments.accounts.authenticate(bearerToken(header))).user;
      return c.json(orderView(await recharges.confirmPayment(orderId, owner)), 200);
    },
  );
}
