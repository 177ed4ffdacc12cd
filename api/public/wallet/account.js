// Signing in, registering, signing out, and the two password changes (Settings).

import { api, session } from './api.js';
import { $, onAction } from './ui.js';

async function login(ctx, username, password, greeting) {
  const started = await api('POST', '/v1/sessions', { body: { username, password } });
  session.start(started.token);
  await ctx.signIn(greeting);
}

/** The sign-in and registration forms, the log-out button and the Settings section. */
export function accountScreens(ctx) {
  onAction($('#login-form'), {
    pending: 'Signing in…',
    run: async ({ username, password }) => {
      await login(ctx, username, password, `Welcome back, ${username}.`);
      return 'Signed in.';
    },
  });

  onAction($('#register-form'), {
    pending: 'Creating your account…',
    run: async ({ username, password, paymentPassword }) => {
      await api('POST', '/v1/users', { body: { username, password, paymentPassword } });
      await login(ctx, username, password, `Account ${username} created.`);
      return 'Account created.';
    },
  });

  $('#logout').addEventListener('click', async () => {
    await api('DELETE', '/v1/sessions/current').catch(() => undefined);
    ctx.signOut('You are signed out.');
  });

  onAction($('#password-form'), {
    pending: 'Changing…',
    run: async (body) => {
      await api('PUT', '/v1/me/password', { body });
      return 'Login password changed; your other sessions have ended.';
    },
  });

  onAction($('#payment-password-form'), {
    pending: 'Changing…',
    run: async (body) => {
      await api('PUT', '/v1/me/payment-password', { body });
      return 'Payment password changed.';
    },
  });

  return { settings: {} };
}
