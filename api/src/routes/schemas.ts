import { z } from '@hono/zod-openapi';
import { passwordWeakness } from '../security/password-policy.js';

/** Shared request and response schemas; every request object is strict (unknown fields are refused). */

export const Username = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'letters, digits, _ . - (starting with a letter or digit)')
  .openapi({ example: 'alice' });
/** A new login password: 8-128 characters, not a common or easily guessed one (password-policy.ts). */
export const Password = z
  .string()
  .min(8)
  .max(128)
  .superRefine((value, ctx) => {
    const weakness = value.length >= 8 && value.length <= 128 ? passwordWeakness('login', value) : undefined;
    if (weakness) ctx.addIssue({ code: 'custom', message: weakness });
  })
  .openapi({
    example: 'correct horse battery',
    description: '8-128 characters; common and easily guessed passwords are refused',
  });
/** A new payment password: 6-128 characters (a PIN may do), not a trivial one such as 123456. */
export const PaymentPassword = z
  .string()
  .min(6)
  .max(128)
  .superRefine((value, ctx) => {
    const weakness =
      value.length >= 6 && value.length <= 128 ? passwordWeakness('payment', value) : undefined;
    if (weakness) ctx.addIssue({ code: 'custom', message: weakness });
  })
  .openapi({
    example: '739104',
    description: '6-128 characters; trivial PINs (123456, 000000, ...) and common passwords are refused',
  });
/**
 * A new account's credentials (a superRefine of its object): the login password may not
 * contain the username (of four or more characters), and the payment password must differ
 * from the login password.
 */
export function checkNewAccount(
  value: { username: string; password: string; paymentPassword: string },
  ctx: z.RefinementCtx,
): void {
  const username = value.username.toLowerCase();
  if (username.length >= 4 && value.password.toLowerCase().includes(username))
    ctx.addIssue({ code: 'custom', path: ['password'], message: 'must not contain the username' });
  if (value.paymentPassword === value.password)
    ctx.addIssue({
      code: 'custom',
      path: ['paymentPassword'],
      message: 'must differ from the login password',
    });
}

/** A new account: username, login and payment passwords (and `extra` fields), checked together. */
export const NewAccount = z.object({
  username: Username,
  password: Password,
  paymentPassword: PaymentPassword,
});

/** A secret being checked (login, payment): any length the server accepts, never judged. */
export const GivenSecret = z.string().min(1).max(128);
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
