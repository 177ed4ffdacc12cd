import { z } from '@hono/zod-openapi';

/** Shared request and response schemas; every request object is strict (unknown fields are refused). */

export const Username = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'letters, digits, _ . - (starting with a letter or digit)')
  .openapi({ example: 'alice' });
export const Password = z.string().min(8).max(128).openapi({ example: 'correct horse battery' });
export const PaymentPassword = z.string().min(6).max(128).openapi({ example: '246810' });
/** Integer minor units as a decimal string; parsed to BigInt with bounds by the service. */
export const Amount = z
  .string()
  .min(1)
  .max(40)
  .openapi({ example: '1500', description: 'integer minor units, as a decimal string' });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string(),
    instance: z.string(),
    requestId: z.string().optional(),
  })
  .openapi('Problem');

export const problemResponses = {
  400: {
    content: { 'application/problem+json': { schema: Problem } },
    description: 'The request is not valid',
  },
  401: { content: { 'application/problem+json': { schema: Problem } }, description: 'Not logged in' },
  403: { content: { 'application/problem+json': { schema: Problem } }, description: 'Not allowed' },
  404: { content: { 'application/problem+json': { schema: Problem } }, description: 'Not found' },
  409: { content: { 'application/problem+json': { schema: Problem } }, description: 'Conflict' },
  422: { content: { 'application/problem+json': { schema: Problem } }, description: 'Refused' },
  503: {
    content: { 'application/problem+json': { schema: Problem } },
    description: 'The ledger is unavailable',
  },
} as const;

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export const IdempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .openapi({ description: 'required: 8-128 characters; the same key and body return the first result' }),
});
