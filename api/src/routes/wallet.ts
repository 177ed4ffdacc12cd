import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute, z } from '@hono/zod-openapi';
import type { TxRecord } from '@fabric-wallet/ccaas/protocol';
import type { PemIdentity } from '../config.js';
import type { Collections } from '../db/mongo.js';
import type { Ledger } from '../fabric/ledger.js';
import { unspentFromLedger } from '../services/trace.js';
import { once } from '../services/idempotency.js';
import type { Wallet } from '../services/wallet.js';
import type { AppEnv } from '../types.js';
import { Amount, GivenSecret, IdempotencyHeader, json, jsonBody, problemResponses } from './schemas.js';

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
const Address = z
  .object({
    address: z.string(),
    purpose: z.enum(['receive', 'change']),
    current: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('Address');
const Transfer = z
  .object({
    txId: z.string(),
    amount: z.string(),
    to: z.string(),
    change: z.string().nullable(),
    inputs: z.number(),
  })
  .openapi('TransferResult');

/** Balance, tokens (UTXOs), addresses and transfers of the logged-in user. */
export function walletRoutes(
  app: OpenAPIHono<AppEnv>,
  wallet: Wallet,
  collections: Collections,
  ledger: Ledger,
  reader: PemIdentity,
): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/balance',
      tags: ['wallet'],
      summary: 'Balance: the sum of unspent tokens',
      security: [{ bearer: [] }],
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
      const user = c.get('user');
      if (c.req.valid('query').source === 'ledger') {
        const addresses = (await wallet.addresses(user._id)).slice(0, 200).map((a) => a._id);
        const utxos = await unspentFromLedger(ledger.as(reader), addresses);
        const tokens = utxos.map((u) => ({
          txId: u.txId,
          index: u.index,
          address: u.owner,
          amount: u.amount,
          createdAt: '',
        }));
        return c.json(
          {
            tokens: tokens.sort(byOutpoint),
            source: 'ledger' as const,
          },
          200,
        );
      }
      const tokens = await wallet.unspent(user._id);
      return c.json(
        {
          tokens: tokens
            .map((t) => ({
              txId: t.txId,
              index: t.index,
              address: t.owner,
              amount: t.amount,
              createdAt: t.ts.toISOString(),
            }))
            .sort(byOutpoint),
          source: 'index' as const,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/addresses',
      tags: ['wallet'],
      summary: 'My addresses, newest first',
      security: [{ bearer: [] }],
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

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/transfers',
      tags: ['wallet'],
      summary: 'Pay an address or a user; change goes to a fresh address of mine',
      security: [{ bearer: [] }],
      request: {
        headers: IdempotencyHeader,
        ...jsonBody(
          z
            .object({
              to: z.string().min(1).max(64).openapi({ description: 'an address or a username' }),
              amount: Amount,
              memo: z.string().max(200).optional(),
              paymentPassword: GivenSecret,
            })
            .strict(),
        ),
      },
      responses: { 201: json(Transfer, 'Committed'), ...problemResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const transferView = (record: TxRecord) => ({
        txId: record.txId,
        amount: record.outputs[0]?.amount ?? '0',
        to: record.outputs[0]?.address ?? '',
        change: record.outputs[1]?.address ?? null,
        inputs: record.inputs.length,
      });
      const paid = await once(
        c,
        collections,
        body,
        async () => transferView(await wallet.transfer(c.get('user'), body)),
        // A retry after the API died mid-payment answers from the ledger what was paid.
        { lookup: (txId) => ledger.committedTx(reader, txId), answer: transferView },
      );
      return c.json(paid, 201);
    },
  );
}
