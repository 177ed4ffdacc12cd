import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Accounts } from '../services/accounts.js';
import type { AppEnv, SessionEnv } from '../types.js';
import {
  GivenSecret,
  json,
  jsonBody,
  checkNewAccount,
  NewAccount,
  Password,
  PaymentPassword,
  problemResponses,
  Username,
} from './schemas.js';

const Profile = z
  .object({
    userId: z.string(),
    username: z.string(),
    role: z.string(),
    receiveAddress: z.string(),
    createdAt: z.string(),
  })
  .openapi('Profile');

const profileOf = (user: {
  _id: string;
  username: string;
  role: string;
  receiveAddress: string;
  createdAt: Date;
}) => ({
  userId: user._id,
  username: user.username,
  role: user.role,
  receiveAddress: user.receiveAddress,
  createdAt: user.createdAt.toISOString(),
});

export interface AccountRouteDeps {
  readonly accounts: Pick<
    Accounts,
    'register' | 'login' | 'logout' | 'changePassword' | 'changePaymentPassword'
  >;
  /** The session check of the routes that need one (middleware/auth.ts). */
  readonly auth: MiddlewareHandler<SessionEnv>;
}

/** Registration and login (anyone), logout, profile, login and payment password changes (a session). */
export function accountRoutes(app: OpenAPIHono<AppEnv>, deps: AccountRouteDeps): void {
  sessionRoutes(app, deps);
  profileRoutes(app, deps);
}

/** Registration and login (anyone), logout (a session). */
function sessionRoutes(app: OpenAPIHono<AppEnv>, { accounts, auth }: AccountRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/users',
      tags: ['accounts'],
      summary: 'Register a customer: a login, a payment password, a Fabric identity and a first address',
      request: jsonBody(NewAccount.strict().superRefine(checkNewAccount)),
      responses: { 201: json(Profile, 'Registered'), ...problemResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const user = await accounts.register(body);
      return c.json(profileOf(user), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/sessions',
      tags: ['accounts'],
      summary: 'Log in; returns a bearer token (shown once)',
      request: jsonBody(z.object({ username: Username, password: GivenSecret }).strict()),
      responses: {
        201: json(z.object({ token: z.string(), expiresAt: z.string() }), 'Logged in'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const { username, password } = c.req.valid('json');
      const session = await accounts.login(username, password);
      return c.json({ token: session.token, expiresAt: session.expiresAt.toISOString() }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/sessions/current',
      tags: ['accounts'],
      summary: 'Log out: ends this session',
      security: [{ bearer: [] }],
      middleware: auth,
      responses: { 204: { description: 'Logged out' }, ...problemResponses },
    }),
    async (c) => {
      await accounts.logout(c.get('sessionId'));
      return c.body(null, 204);
    },
  );
}

/** The profile and the password changes of the session user. */
function profileRoutes(app: OpenAPIHono<AppEnv>, { accounts, auth }: AccountRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me',
      tags: ['accounts'],
      summary: 'Profile',
      security: [{ bearer: [] }],
      middleware: auth,
      responses: { 200: json(Profile, 'The profile'), ...problemResponses },
    }),
    (c) => c.json(profileOf(c.get('user')), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/me/password',
      tags: ['accounts'],
      summary: 'Change the login password (other sessions end)',
      security: [{ bearer: [] }],
      middleware: auth,
      request: jsonBody(z.object({ oldPassword: GivenSecret, newPassword: Password }).strict()),
      responses: { 204: { description: 'Changed' }, ...problemResponses },
    }),
    async (c) => {
      const { oldPassword, newPassword } = c.req.valid('json');
      await accounts.changePassword(c.get('user'), c.get('sessionId'), oldPassword, newPassword);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/me/payment-password',
      tags: ['accounts'],
      summary: 'Change the payment password (keys are re-wrapped; the old one stops working)',
      security: [{ bearer: [] }],
      middleware: auth,
      request: jsonBody(
        z.object({ oldPaymentPassword: GivenSecret, newPaymentPassword: PaymentPassword }).strict(),
      ),
      responses: { 204: { description: 'Changed' }, ...problemResponses },
    }),
    async (c) => {
      const { oldPaymentPassword, newPaymentPassword } = c.req.valid('json');
      await accounts.changePaymentPassword(c.get('user'), oldPaymentPassword, newPaymentPassword);
      return c.body(null, 204);
    },
  );
}
