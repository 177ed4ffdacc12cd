import { z } from '@hono/zod-openapi';
import { passwordWeakness } from '../security/password-policy.js';
import { IDEMPOTENCY_KEY } from '../services/idempotency.js';

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
/** A positive amount in minor units, as its canonical decimal string (1 to 10^18). */
export const Amount = z
  .string()
  .regex(
    /^[1-9][0-9]{0,18}$/,
    'a positive whole number of minor units, as decimal digits without leading zeros',
  )
  .openapi({
    example: '1500',
    description:
      'a positive whole number of minor units (1 to 10^18), as decimal digits without leading zeros',
  });

/** An instant with its offset: `2026-12-01T19:30:00Z` or `2026-12-01T20:30:00+01:00`. */
export const DateTime = z.iso.datetime({ offset: true });

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
    description:
      'Unavailable for now (the ledger or the outer DB is unreachable, or too many requests wait); ' +
      'Retry-After says when to try again',
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
    .regex(IDEMPOTENCY_KEY, '8-128 characters: letters, digits, _ . : -')
    .openapi({
      description:
        'Required. 8-128 characters (letters, digits, _ . : -), unique per request of this user; the same ' +
        'key and body return the first answer (marked Idempotent-Replayed: true), another body is a 409',
      example: '3f2c9a1e-7b44-4c1d-9a0e-1d2b3c4d5e6f',
    }),
});
