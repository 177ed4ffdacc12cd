import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../support/api-harness.js';

/**
 * The web wallet in a real browser (Debian's headless Chromium driven by playwright-core)
 * against the API over the real network and FerretDB: every flow a user clicks through. One
 * network, API and browser for the file; each case opens its own browser context (no session
 * carries over) with its own users, made through the API when the flow under test is not
 * registration itself.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('web wallet page in headless Chromium', () => {
  let api: ApiHarness;
  let server: ServerType;
  let base: string;
  let browser: Browser;
  let screeningId: string;
  /** The current case's page, in a browser context of its own. */
  let page: Page | undefined;

  const current = () => {
    if (!page) throw new Error('no page open: call openWallet() first');
    return page;
  };
  const message = () => current().getByTestId('message');
  const field = (form: string, name: string) => current().locator(`${form} [name=${name}]`);
  const button = (name: string) => current().getByRole('button', { name, exact: true });
  /** Polls what the page shows: each step waits on the API (an enrollment, a commit) first. */
  const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000 });

  /** Opens the wallet page in a fresh browser context. */
  async function openWallet(): Promise<Page> {
    page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${base}/wallet`);
    return page;
  }

  /** A customer registered through the API, with `funds` recharged when given; the session token. */
  async function customer(username: string, funds?: string): Promise<string> {
    const token = await api.signUp(username);
    if (funds) await api.recharge(token, funds);
    return token;
  }

  /** Signs `username` in through the login form of a fresh page. */
  async function signIn(username: string): Promise<Page> {
    const opened = await openWallet();
    await field('#login-form', 'username').fill(username);
    await field('#login-form', 'password').fill('login-password-1');
    await opened.locator('#login-form button').click();
    await eventually(() => message().textContent()).toBe(`Welcome back, ${username}.`);
    return opened;
  }

  /** A customer who was recharged 5000 and paid 1200 to a new user (through the API). */
  async function paidOnce(username: string): Promise<void> {
    const token = await customer(username, '5000');
    await customer(`${username}-payee`);
    const paid = await api.call('POST', '/v1/transfers', {
      token,
      body: { to: `${username}-payee`, amount: '1200', memo: 'lunch', paymentPassword: 'pay-123456' },
      headers: { 'idempotency-key': `${username}-pays-1200` },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
  }

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
    screeningId = await api.createScreening(merchant, {
      film: 'Sunrise',
      seatMap: [{ row: 'A', count: 3 }],
      price: '500',
    });
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
  });

  afterEach(async () => {
    await page?.context().close();
    page = undefined;
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
    const opened = await openWallet();

    await field('#register-form', 'username').fill('web-alice');
    await field('#register-form', 'password').fill('login-password-1');
    await field('#register-form', 'paymentPassword').fill('pay-123456');
    await opened.locator('#register-form button').click();

    await eventually(() => message().textContent()).toBe('Account web-alice created.');
    expect(await opened.getByTestId('who').textContent()).toBe('web-alice (customer)');
    expect(await opened.getByTestId('balance').textContent()).toBe('0');
    expect(await opened.getByTestId('receive-address').textContent()).toMatch(/^W/);
  });

  it('shows the server’s reason when input is wrong, and keeps the page usable', async () => {
    await customer('web-broke');
    await customer('web-broke-payee');
    const opened = await signIn('web-broke');

    await button('Pay').click();
    await field('#pay-form', 'to').fill('web-broke-payee');
    await field('#pay-form', 'amount').fill('100');
    await field('#pay-form', 'paymentPassword').fill('pay-123456');
    await opened.locator('#pay-form button').click();

    await eventually(() => message().getAttribute('class')).toBe('error');
    expect(await message().textContent()).toMatch(/insufficient|not enough|balance/i);
    await button('Wallet').click();
    await eventually(() => opened.getByTestId('balance').textContent()).toBe('0');
  });

  it('recharges through the development payment provider and shows the new balance', async () => {
    await customer('web-carol');
    const opened = await signIn('web-carol');
    await button('Recharge').click();
    await field('#recharge-form', 'amount').fill('5000');
    await opened.locator('#recharge-form button').click();
    await eventually(() => opened.getByTestId('order').textContent()).toMatch(
      /^Order .*: 5000 to W\S+ \(created\)$/,
    );
    await button('Confirm payment (development provider)').click();
    await eventually(() => message().textContent()).toBe('Recharged 5000.');

    await button('Wallet').click();

    await eventually(() => opened.getByTestId('balance').textContent()).toBe('5000');
    expect(await opened.getByTestId('tokens').locator('tr').count()).toBe(1);
  });

  it('pays another user by username, with change back to itself', async () => {
    await customer('web-dave', '5000');
    const payee = await customer('web-dave-payee');
    const opened = await signIn('web-dave');
    await button('Pay').click();
    await field('#pay-form', 'to').fill('web-dave-payee');
    await field('#pay-form', 'amount').fill('1200');
    await field('#pay-form', 'memo').fill('lunch');
    await field('#pay-form', 'paymentPassword').fill('pay-123456');
    await opened.locator('#pay-form button').click();
    await eventually(() => message().textContent()).toMatch(
      /^Paid 1200 to web-dave-payee \(transaction [0-9a-f]{12}\.\.\.\)\.$/,
    );

    await button('Wallet').click();

    await eventually(() => opened.getByTestId('balance').textContent()).toBe('3800');
    expect(await api.balance(payee)).toBe('1200');
  });

  it('traces a token back to its mint', async () => {
    await paidOnce('web-tracer');
    const opened = await signIn('web-tracer');

    await opened.getByTestId('tokens').getByRole('button', { name: 'Trace' }).first().click();

    await eventually(() => message().textContent()).toBe('Traced back to 1 mint(s).');
    const steps = await opened.getByTestId('trace').locator('li').allTextContents();
    expect(steps.some((step) => step.startsWith('mint '))).toBe(true);
    expect(steps.some((step) => step.startsWith('transfer '))).toBe(true);
  });

  it('lists bills newest first', async () => {
    await paidOnce('web-biller');
    const opened = await signIn('web-biller');

    await button('Bills').click();

    await eventually(() => opened.getByTestId('bills').locator('tr').count()).toBe(2);
    const rows = await opened.getByTestId('bills').locator('tr').allTextContents();
    expect(rows[0]).toContain('transfer');
    expect(rows[0]).toContain('1200');
    expect(rows[1]).toContain('recharge');
  });

  it('buys a cinema seat in one transaction and lists the ticket', async () => {
    await customer('web-fan', '1000');
    const opened = await signIn('web-fan');
    await button('Cinema').click();
    await opened.getByTestId('screenings').getByRole('button', { name: 'Choose seats' }).click();
    await opened.getByTestId('seats').getByLabel('A2').check();
    await field('#tickets-form', 'paymentPassword').fill('pay-123456');

    await opened.locator('#tickets-form button').click();

    await eventually(() => message().textContent()).toBe('Bought A2 for Sunrise.');
    expect(await opened.getByTestId('tickets').textContent()).toContain(`${screeningId}:A2`);
    const screening = await api.call('GET', `/v1/cinema/screenings/${screeningId}`);
    expect(screening.body.sold).toEqual(['A2']);
  });

  it('changes the login password and signs out', async () => {
    await customer('web-gina');
    const opened = await signIn('web-gina');
    await button('Settings').click();
    await field('#password-form', 'oldPassword').fill('login-password-1');
    await field('#password-form', 'newPassword').fill('login-password-2');
    await opened.locator('#password-form button').click();
    await eventually(() => message().textContent()).toBe(
      'Login password changed; your other sessions have ended.',
    );

    await button('Log out').click();

    await eventually(() => message().textContent()).toBe('Logged out.');
    expect(await opened.locator('#login-form').isVisible()).toBe(true);
    const old = await api.call('POST', '/v1/sessions', {
      body: { username: 'web-gina', password: 'login-password-1' },
    });
    expect(old.status).toBe(401);
  });
});
