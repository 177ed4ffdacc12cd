import { expect, it } from 'vitest';
import { eventually, PASSWORD, PAY_PASSWORD, type WalletKit } from '../wallet-kit.js';

/** How the page is served, and its two states: signed out (sign-in only) and signed in (the wallet only). */
export function stateCases(kit: () => WalletKit): void {
  it('serves the page, the currency and the QR encoder under a strict content security policy, and / leads to it', async () => {
    const { base } = kit();

    const root = await fetch(`${base}/`, { redirect: 'manual' });
    const page = await fetch(`${base}/wallet`);
    const config = await fetch(`${base}/wallet/config.json`);
    const encoder = await fetch(`${base}/wallet/vendor/qrcode.mjs`);

    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/wallet');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'; script-src 'self';");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    // The harness runs the API as npm start does: the development payment provider is on.
    expect(await config.json()).toEqual({
      currency: 'CNY',
      exponent: 2,
      minorUnit: '0.01 CNY',
      devPayments: true,
    });
    expect(encoder.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('shows only sign-in and registration when signed out, and only the wallet once registered', async () => {
    const wallet = await kit().open();
    const { page } = wallet;
    await page.locator('#login-form').waitFor();
    const signedOut = {
      register: await page.locator('#register-form').isVisible(),
      wallet: await page.locator('#signed-in').isVisible(),
      logout: await page.getByRole('button', { name: 'Log out' }).isVisible(),
    };

    await wallet.field('#register-form', 'username').fill('web-alice');
    await wallet.field('#register-form', 'password').fill(PASSWORD);
    await wallet.field('#register-form', 'paymentPassword').fill(PAY_PASSWORD);
    await wallet.submit('#register-form').click();

    await eventually(() => wallet.message().textContent()).toBe('Account web-alice created.');
    expect(signedOut).toEqual({ register: true, wallet: false, logout: false });
    expect(await page.locator('#login-form').isVisible()).toBe(false);
    expect(await page.locator('#register-form').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Log out' }).isVisible()).toBe(true);
    expect(await page.getByTestId('who').textContent()).toBe('web-alice');
    expect(await page.locator('#role').textContent()).toBe('customer');
    expect(await wallet.tab('merchant').isVisible()).toBe(false);
    expect(await page.getByTestId('balance').textContent()).toBe('CN¥0.00');
    expect(await page.getByTestId('receive-address').textContent()).toMatch(/^W/);
  });

  it('logging out returns to sign-in with a message, and nothing of the wallet stays', async () => {
    await kit().customer('web-leaver', '700');
    const wallet = await kit().open();
    await wallet.signIn('web-leaver');
    const token = await wallet.token();
    const balance = await wallet.page.getByTestId('balance').textContent();

    await wallet.page.getByRole('button', { name: 'Log out' }).click();

    await eventually(() => wallet.message().textContent()).toBe('You are signed out.');
    expect(balance).toBe('CN¥7.00');
    expect(await wallet.page.locator('#login-form').isVisible()).toBe(true);
    expect(await wallet.page.locator('#signed-in').isVisible()).toBe(false);
    expect(await wallet.page.getByTestId('balance').textContent()).toBe('–');
    expect(await wallet.token()).toBeNull();
    expect((await kit().api.call('GET', '/v1/me', { token: token ?? 'none' })).status).toBe(401);
  });

  it('a session the server no longer knows returns to sign-in with a message at the next call', async () => {
    await kit().customer('web-sleeper');
    const wallet = await kit().open();
    await wallet.signIn('web-sleeper');
    // Ended on the server, as expiry or a password change elsewhere would: the next call is a 401.
    const ended = await kit().api.call('DELETE', '/v1/sessions/current', {
      token: (await wallet.token()) ?? '',
    });

    await wallet.tab('bills').click();

    await eventually(() => wallet.message().textContent()).toBe(
      'Your session has ended. Sign in again to continue.',
    );
    expect(ended.status).toBe(204);
    expect(await wallet.message().getAttribute('data-tone')).toBe('error');
    expect(await wallet.page.locator('#login-form').isVisible()).toBe(true);
    expect(await wallet.page.locator('#signed-in').isVisible()).toBe(false);
    expect(await wallet.token()).toBeNull();
  });

  it('changes the login password; the old one no longer signs in', async () => {
    await kit().customer('web-gina');
    const wallet = await kit().open();
    await wallet.signIn('web-gina');
    await wallet.tab('settings').click();
    await wallet.field('#password-form', 'oldPassword').fill(PASSWORD);
    await wallet.field('#password-form', 'newPassword').fill('login-password-2');

    await wallet.submit('#password-form').click();

    await eventually(() => wallet.feedback('#password-form').textContent()).toBe(
      'Login password changed; your other sessions have ended.',
    );
    expect(await wallet.field('#password-form', 'oldPassword').inputValue()).toBe('');
    const old = await kit().api.call('POST', '/v1/sessions', {
      body: { username: 'web-gina', password: PASSWORD },
    });
    expect(old.status).toBe(401);
  });
}
