import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute, z } from '@hono/zod-openapi';
import type { TxRecord } from '@fabric-wallet/ccaas/protocol';
import type { MiddlewareHandler } from 'hono';
import type { IdempotentRun } from '../services/idempotency.js';
import type { Wallet } from '../services/wallet.js';
import type { AppEnv, SessionEnv } from '../types.js';
import { once } from './idempotent.js';
import { Amount, GivenSecret, IdempotencyHeader, json, jsonBody, problemResponses } from './schemas.js';

const Transfer = z
  .object({
    txId: z.string(),
    amount: z.string(),
    to: z.string(),
    change: z.string().nullable(),
    inputs: z.number(),
  })
  .openapi('TransferResult');

/** A committed transfer as the client sees it: the payee's output first, the change second. */
export const transferView = (record: TxRecord) => ({
  txId: record.txId,
  amount: record.outputs[0]?.amount ?? '0',
  to: record.outputs[0]?.address ?? '',
  change: record.outputs[1]?.address ?? null,
  inputs: record.inputs.length,
});

export interface TransferRouteDeps {
  readonly wallet: Pick<Wallet, 'transfer' | 'committedTx'>;
  readonly idempotency: IdempotentRun;
  /** The session check (middleware/auth.ts). */
  readonly auth: MiddlewareHandler<SessionEnv>;
}

/** Payments: to an address or a user, once per Idempotency-Key. */
export function transferRoutes(
  app: OpenAPIHono<AppEnv>,
  { wallet, idempotency, auth }: TransferRouteDeps,
): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/transfers',
      tags: ['wallet'],
      summary: 'Pay an address or a user; change goes to a fresh address of mine',
      security: [{ bearer: [] }],
      middleware: auth,
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
      const paid = await once(
        c,
        idempotency,
        body,
        async () => transferView(await wallet.transfer(c.get('user'), body)),
        // A retry after the API died mid-payment answers from the ledger what was paid.
        { lookup: (txId) => wallet.committedTx(txId), answer: transferView },
      );
      return c.json(paid, 201);
    },
  );
}
