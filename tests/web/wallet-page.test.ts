import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../support/api-harness.js';

/**
 * The web wallet in a real browser (Debian's headless Chromium driven by playwright-core)
 * against the API over the real network and FerretDB: every flow a user clicks through.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('web wallet page in headless Chromium', () => {
  let api: ApiHarness;
  let server: ServerType;
  let base: string;
  let browser: Browser;
  let page: Page;
  let screeningId: string;

  const message = () => page.getByTestId('message');
  const field = (form: string, name: string) => page.locator(`${form} [name=${name}]`);

  beforeAll(async () => {
    api = await ApiHarness.start('web-wallet');
    server = serve({ fetch: api.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) =>
      server.once('listening', () => {
        resolve();
      }),
    );
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    const merchant = await api.signUp('web-cinema', 'merchant');
    const created = await api.call('POST', '/v1/cinema/screenings', {
      token: merchant,
      headers: { 'idempotency-key': 'web-screening-1' },
      body: {
        film: 'Sunrise',
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        seatMap: [{ row: 'A', count: 3 }],
        price: '500',
        paymentPassword: 'pay-123456',
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    screeningId = created.body.screeningId as string;
    await api.signUp('web-bob');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // This machine has no internet: keep Chromium from calling home.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
    page.setDefaultTimeout(30_000);
  });

  afterAll(async () => {
    await browser.close();
    server.close();
    await api.stop();
  });

  it('serves the page with a strict content security policy, and / leads to it', async () => {
    const response = await fetch(`${base}/`, { redirect: 'manual' });
    const html = await fetch(`${base}/wallet`);

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/wallet');
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(html.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('registers an account and signs in', async () => {
    await page.goto(`${base}/wallet`);
    await field('#register-form', 'username').fill('web-alice');
    await field('#register-form', 'password').fill('login-password-1');
    await field('#register-form', 'paymentPassword').fill('pay-123456');
    await page.locator('#register-form button').click();

    await expect.poll(() => message().textContent()).toBe('Account web-alice created.');
    expect(await page.getByTestId('who').textContent()).toBe('web-alice (customer)');
    expect(await page.getByTestId('balance').textContent()).toBe('0');
    expect(await page.getByTestId('receive-address').textContent()).toMatch(/^W/);
  });

  it('shows the server’s reason when input is wrong, and keeps the page usable', async () => {
    await page.getByRole('button', { name: 'Pay', exact: true }).click();
    await field('#pay-form', 'to').fill('web-bob');
    await field('#pay-form', 'amount').fill('100');
    await field('#pay-form', 'paymentPassword').fill('pay-123456');
    await page.locator('#pay-form button').click();

    await expect.poll(() => message().getAttribute('class')).toBe('error');
    expect(await message().textContent()).toMatch(/insufficient|not enough|balance/i);
  });

  it('recharges through the development payment provider and shows the new balance', async () => {
    await page.getByRole('button', { name: 'Recharge' }).click();
    await field('#recharge-form', 'amount').fill('5000');
    await page.locator('#recharge-form button').click();
    await expect
      .poll(() => page.getByTestId('order').textContent())
      .toMatch(/^Order .*: 5000 to W\S+ \(created\)$/);
    await page.getByRole('button', { name: 'Confirm payment (development provider)' }).click();
    await expect.poll(() => message().textContent()).toBe('Recharged 5000.');

    await page.getByRole('button', { name: 'Wallet' }).click();

    await expect.poll(() => page.getByTestId('balance').textContent()).toBe('5000');
    expect(await page.getByTestId('tokens').locator('tr').count()).toBe(1);
  });

  it('pays another user by username, with change back to itself', async () => {
    await page.getByRole('button', { name: 'Pay', exact: true }).click();
    await field('#pay-form', 'to').fill('web-bob');
    await field('#pay-form', 'amount').fill('1200');
    await field('#pay-form', 'memo').fill('lunch');
    await field('#pay-form', 'paymentPassword').fill('pay-123456');
    await page.locator('#pay-form button').click();
    await expect
      .poll(() => message().textContent())
      .toMatch(/^Paid 1200 to web-bob \(transaction [0-9a-f]{12}\.\.\.\)\.$/);

    await page.getByRole('button', { name: 'Wallet' }).click();

    await expect.poll(() => page.getByTestId('balance').textContent()).toBe('3800');
    const bob = await api.call('POST', '/v1/sessions', {
      body: { username: 'web-bob', password: 'login-password-1' },
    });
    const balance = await api.call('GET', '/v1/me/balance', { token: bob.body.token as string });
    expect(balance.body.balance).toBe('1200');
  });

  it('traces a token back to its mint', async () => {
    await page.getByTestId('tokens').getByRole('button', { name: 'Trace' }).first().click();

    await expect.poll(() => message().textContent()).toBe('Traced back to 1 mint(s).');
    const steps = await page.getByTestId('trace').locator('li').allTextContents();
    expect(steps.some((step) => step.startsWith('mint '))).toBe(true);
    expect(steps.some((step) => step.startsWith('transfer '))).toBe(true);
  });

  it('lists bills newest first', async () => {
    await page.getByRole('button', { name: 'Bills' }).click();

    await expect.poll(() => page.getByTestId('bills').locator('tr').count()).toBe(2);
    const rows = await page.getByTestId('bills').locator('tr').allTextContents();
    expect(rows[0]).toContain('transfer');
    expect(rows[0]).toContain('1200');
    expect(rows[1]).toContain('recharge');
  });

  it('buys a cinema seat in one transaction and lists the ticket', async () => {
    await page.getByRole('button', { name: 'Cinema' }).click();
    await page.getByTestId('screenings').getByRole('button', { name: 'Choose seats' }).click();
    await page.getByTestId('seats').getByLabel('A2').check();
    await field('#tickets-form', 'paymentPassword').fill('pay-123456');
    await page.locator('#tickets-form button').click();

    await expect.poll(() => message().textContent()).toBe('Bought A2 for Sunrise.');
    expect(await page.getByTestId('tickets').textContent()).toContain(`${screeningId}:A2`);
    const screening = await api.call('GET', `/v1/cinema/screenings/${screeningId}`);
    expect(screening.body.sold).toEqual(['A2']);
  });

  it('changes the login password and signs out', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await field('#password-form', 'oldPassword').fill('login-password-1');
    await field('#password-form', 'newPassword').fill('login-password-2');
    await page.locator('#password-form button').click();
    await expect
      .poll(() => message().textContent())
      .toBe('Login password changed; your other sessions have ended.');

    await page.getByRole('button', { name: 'Log out' }).click();

    await expect.poll(() => message().textContent()).toBe('Logged out.');
    expect(await page.locator('#login-form').isVisible()).toBe(true);
    const old = await api.call('POST', '/v1/sessions', {
      body: { username: 'web-alice', password: 'login-password-1' },
    });
    expect(old.status).toBe(401);
  });
});
