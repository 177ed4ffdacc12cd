import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Wallet } from '../services/wallet.js';
import type { AppEnv, SessionEnv } from '../types.js';
import { GivenSecret, json, jsonBody, problemResponses } from './schemas.js';

const Address = z
  .object({
    address: z.string(),
    purpose: z.enum(['receive', 'change']),
    current: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('Address');

export interface AddressRouteDeps {
  readonly wallet: Pick<Wallet, 'addresses' | 'rotateAddress'>;
  /** The session check (middleware/auth.ts). */
  readonly auth: MiddlewareHandler<SessionEnv>;
}

/** The logged-in user's addresses, and a new receive address (optionally sweeping every token to it). */
export function addressRoutes(app: OpenAPIHono<AppEnv>, { wallet, auth }: AddressRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/addresses',
      tags: ['wallet'],
      summary: 'My addresses, newest first',
      security: [{ bearer: [] }],
      middleware: auth,
      responses: { 200: json(z.object({ addresses: z.array(Address) }), 'Addresses'), ...problemResponses },
    }),
    async (c) => {
      const user = c.get('user');
      const addresses = await wallet.addresses(user._id);
      return c.json(
        {
          addresses: addresses.map((a) => ({
            address: a._id,
            purpose: a.purpose,
            current: a._id === user.receiveAddress,
            createdAt: a.createdAt.toISOString(),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/me/addresses',
      tags: ['wallet'],
      summary: 'Account address update: a new receive address (older ones still receive)',
      security: [{ bearer: [] }],
      middleware: auth,
      request: {
        ...jsonBody(
          z
            .object({
              paymentPassword: GivenSecret,
              sweep: z
                .boolean()
                .default(false)
                .openapi({ description: 'move every token to the new address' }),
            })
            .strict(),
        ),
      },
      responses: {
        201: json(
          z.object({ address: z.string(), sweptTxId: z.string().nullable() }),
          'The new receive address',
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const { paymentPassword, sweep } = c.req.valid('json');
      const rotated = await wallet.rotateAddress(c.get('user'), paymentPassword, sweep);
      return c.json(rotated, 201);
    },
  );
}
