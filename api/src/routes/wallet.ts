import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Wallet } from '../services/wallet.js';
import type { AppEnv, SessionEnv } from '../types.js';
import { json, problemResponses } from './schemas.js';

/** Orders tokens by transaction id, then output index. */
const byOutpoint = (a: { txId: string; index: number }, b: { txId: string; index: number }) =>
  a.txId < b.txId ? -1 : a.txId > b.txId ? 1 : a.index - b.index;

const Token = z
  .object({
    txId: z.string(),
    index: z.number(),
    address: z.string(),
    amount: z.string(),
    createdAt: z.string(),
  })
  .openapi('Token');

export interface WalletRouteDeps {
  readonly wallet: Pick<Wallet, 'unspent' | 'unspentOnLedger'>;
  /** The session check (middleware/auth.ts). */
  readonly auth: MiddlewareHandler<SessionEnv>;
}

/** Balance and tokens (UTXOs) of the logged-in user. */
export function walletRoutes(app: OpenAPIHono<AppEnv>, { wallet, auth }: WalletRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/balance',
      tags: ['wallet'],
      summary: 'Balance: the sum of unspent tokens',
      security: [{ bearer: [] }],
      middleware: auth,
      responses: {
        200: json(z.object({ balance: z.string(), tokens: z.number() }), 'The balance'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const tokens = await wallet.unspent(c.get('user')._id);
      return c.json(
        {
          balance: tokens.reduce((sum, token) => sum + BigInt(token.amount), 0n).toString(),
          tokens: tokens.length,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/tokens',
      tags: ['wallet'],
      summary: 'My tokens: unspent outputs of my addresses (outer DB; source=ledger reads the chain)',
      security: [{ bearer: [] }],
      middleware: auth,
      request: { query: z.object({ source: z.enum(['index', 'ledger']).default('index') }).strict() },
      responses: {
        200: json(
          z.object({ tokens: z.array(Token), source: z.enum(['index', 'ledger']) }),
          'Unspent tokens',
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const userId = c.get('user')._id;
      if (c.req.valid('query').source === 'ledger') {
        const utxos = await wallet.unspentOnLedger(userId);
        const tokens = utxos.map((u) => ({
          txId: u.txId,
          index: u.index,
          address: u.owner,
          amount: u.amount,
          createdAt: '',
        }));
        return c.json({ tokens: tokens.sort(byOutpoint), source: 'ledger' as const }, 200);
      }
      const tokens = (await wallet.unspent(userId)).map((t) => ({
        txId: t.txId,
        index: t.index,
        address: t.owner,
        amount: t.amount,
        createdAt: t.ts.toISOString(),
      }));
      return c.json({ tokens: tokens.sort(byOutpoint), source: 'index' as const }, 200);
    },
  );
}
