import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsQR from 'jsqr';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
  type Request,
} from 'playwright-core';
import { expect } from 'vitest';
import { ApiHarness } from '../support/api-harness.js';

/**
 * What the web wallet's browser suite shares: the API over the real network and FerretDB,
 * served on a loopback port, and Debian's headless Chromium driven by playwright-core. Each
 * page opens in a browser context of its own (no session carries over).
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The throwaway passwords of every test user (ApiHarness.signUp sets the same). */
export const PASSWORD = 'login-password-1';
export const PAY_PASSWORD = 'pay-123456';

export const DESKTOP = { name: 'desktop', width: 1280, height: 900 } as const;
export const PHONE = { name: 'phone', width: 390, height: 844 } as const;
export type Viewport = typeof DESKTOP | typeof PHONE;

/**
 * Where each run saves the screenshots and the axe-core results: .data/web-wallet/ (not
 * tracked, so `npm test` leaves the tree clean). `WEB_WALLET_SHOTS_DIR=docs/web-wallet` makes a
 * run refresh the pictures docs/web-wallet.md shows.
 */
export const SHOTS_DIR = resolve(
  fileURLToPath(new URL('../../', import.meta.url)),
  process.env.WEB_WALLET_SHOTS_DIR ?? '.data/web-wallet',
);
const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Waits for what the page shows: each step waits on the API (an enrollment, a commit) first. */
export const eventually: typeof expect.poll = (read, options) =>
  expect.poll(read, { timeout: 30_000, ...(typeof options === 'number' ? { timeout: options } : options) });

/** A promise and the function that settles it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Requests the page sent to a held URL, and the way to let them through. */
export interface HeldRequests {
  /** Settles when the first request arrived (and waits). */
  readonly arrived: Promise<void>;
  /** The Idempotency-Key of each request, in order. */
  readonly keys: string[];
  release(): void;
}

/**
 * Holds the page's requests to `url` until release(), so what the page shows while an action
 * runs can be read without depending on how long the ledger takes.
 */
export async function holdRequests(page: Page, url: string): Promise<HeldRequests> {
  const arrived = deferred();
  const released = deferred();
  const keys: string[] = [];
  await page.route(url, async (route) => {
    keys.push(route.request().headers()['idempotency-key'] ?? '');
    arrived.resolve();
    await released.promise;
    await route.continue();
  });
  return { arrived: arrived.promise, keys, release: released.resolve };
}

/** Presses Tab until `target` has the focus (at most `pressesMax` times): it is reachable by keyboard. */
export async function tabTo(page: Page, target: Locator, pressesMax = 100): Promise<void> {
  for (let presses = 0; presses < pressesMax; presses++) {
    const focused = await target.evaluate(
      (element: unknown) =>
        element ===
        (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
    );
    if (focused) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${String(target)} was not reached by ${String(pressesMax)} presses of Tab`);
}

/** One axe-core rule the page breaks, as the suite records it. */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: number;
}

/** A page of the wallet and what it saw go wrong. */
export class WalletPage {
  /** Content Security Policy refusals, uncaught errors and 5xx answers: the suite expects none. */
  readonly problems: string[] = [];

  constructor(readonly page: Page) {
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
        this.problems.push(message.text());
    });
    page.on('pageerror', (error) => this.problems.push(error.message));
    page.on('response', (response) => {
      if (response.status() >= 500) this.problems.push(`${String(response.status())} ${response.url()}`);
    });
  }

  readonly message = () => this.page.getByTestId('message');
  readonly field = (form: string, name: string) => this.page.locator(`${form} [name=${name}]`);
  readonly feedback = (form: string) => this.page.locator(`${form} .feedback`);
  readonly submit = (form: string) => this.page.locator(`${form} [type=submit]`);
  readonly tab = (name: string) => this.page.locator(`nav [data-tab=${name}]`);

  /** Signs `username` in through the sign-in form. */
  async signIn(username: string): Promise<void> {
    await this.field('#login-form', 'username').fill(username);
    await this.field('#login-form', 'password').fill(PASSWORD);
    await this.submit('#login-form').click();
    await eventually(() => this.message().textContent()).toBe(`Welcome back, ${username}.`);
  }

  /** Opens Pay and fills its form, the payment password included. */
  async fillPayment(to: string, amount: string): Promise<void> {
    await this.tab('pay').click();
    await this.field('#pay-form', 'to').fill(to);
    await this.field('#pay-form', 'amount').fill(amount);
    await this.field('#pay-form', 'paymentPassword').fill(PAY_PASSWORD);
  }

  /** Submits `form` and returns the request it sent to `url`. */
  async submitSending(form: string, url: string): Promise<Request> {
    const [request] = await Promise.all([this.page.waitForRequest(url), this.submit(form).click()]);
    return request;
  }

  /** The tab's session token (sessionStorage). */
  async token(): Promise<string | null> {
    return this.page.evaluate<string | null>(`sessionStorage.getItem('fabric-wallet.session')`);
  }

  /** How many pixels the page is wider than the window (0: nothing to scroll sideways). */
  async overflow(): Promise<number> {
    return this.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  }

  /** axe-core's violations on what the page shows now (its source run in the page). */
  async axe(): Promise<AxeViolation[]> {
    await this.page.evaluate(await AXE_SOURCE);
    return this.page.evaluate<
      AxeViolation[]
    >(`axe.run(document, { resultTypes: ['violations'] }).then((result) =>
      result.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, nodes: v.nodes.length })))`);
  }

  /** Saves the whole page as docs/web-wallet/<screen>-<viewport>.png. */
  async screenshot(screen: string, viewport: Viewport): Promise<void> {
    await mkdir(SHOTS_DIR, { recursive: true });
    await this.page.screenshot({
      path: join(SHOTS_DIR, `${screen}-${viewport.name}.png`),
      fullPage: true,
      animations: 'disabled',
      caret: 'hide',
    });
  }

  /** The text of the QR code `picture` shows, read from a screenshot of it by jsQR (or undefined). */
  async qrText(picture: Locator): Promise<string | undefined> {
    const png = (await picture.screenshot()).toString('base64');
    const pixels = await this.page.evaluate<{ width: number; height: number; data: number[] }>(`(async () => {
      const image = new Image();
      image.src = 'data:image/png;base64,${png}';
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext('2d');
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      return { width: canvas.width, height: canvas.height, data: Array.from(data) };
    })()`);
    // jsqr is CommonJS: its default export is the module, whose `default` is the decoder.
    return jsQR.default(Uint8ClampedArray.from(pixels.data), pixels.width, pixels.height)?.data;
  }
}

/** The API, its server and the browser of the suite. */
export class WalletKit {
  private readonly contexts: BrowserContext[] = [];
  private readonly pages: WalletPage[] = [];

  private constructor(
    readonly api: ApiHarness,
    readonly base: string,
    private readonly browser: Browser,
  ) {}

  static async start(): Promise<WalletKit> {
    const api = await ApiHarness.start('web-wallet');
    try {
      const base = await api.listen();
      const browser = await chromium.launch({
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
      return new WalletKit(api, base, browser);
    } catch (error) {
      await api.stop();
      throw error;
    }
  }

  /** Opens the page in a fresh browser context (en-US, so amounts read "CN¥12.50"). */
  async open(viewport: Viewport = DESKTOP, deviceScaleFactor = 1): Promise<WalletPage> {
    const context = await this.browser.newContext({
      viewport: { width: viewport.width, height: viewport.height },
      deviceScaleFactor,
      locale: 'en-US',
      acceptDownloads: true,
    });
    this.contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const wallet = new WalletPage(page);
    this.pages.push(wallet);
    await page.goto(`${this.base}/wallet`);
    return wallet;
  }

  /** Closes the pages of a case, returning what they saw go wrong. */
  async closePages(): Promise<string[]> {
    const problems = this.pages.splice(0).flatMap((wallet) => wallet.problems);
    for (const context of this.contexts.splice(0)) await context.close();
    return problems;
  }

  async stop(): Promise<void> {
    await this.closePages();
    await this.browser.close();
    await this.api.stop();
  }

  /** A customer registered through the API, with `funds` (minor units) recharged when given. */
  async customer(username: string, funds?: string): Promise<string> {
    const token = await this.api.signUp(username);
    if (funds) await this.api.recharge(token, funds);
    return token;
  }

  /** A customer who was recharged 5000 and paid 1200 to a new user (through the API). */
  async paidOnce(username: string): Promise<string> {
    const token = await this.customer(username, '5000');
    await this.customer(`${username}-payee`);
    const paid = await this.api.call('POST', '/v1/transfers', {
      token,
      body: { to: `${username}-payee`, amount: '1200', memo: 'lunch', paymentPassword: PAY_PASSWORD },
      headers: { 'idempotency-key': `${username}-pays-1200` },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    return token;
  }

  /** A screening of a new merchant: its id, and the merchant's session and username. */
  async screening(
    film: string,
    seatMap: { row: string; count: number }[],
    price: string,
  ): Promise<{ screeningId: string; merchant: string; merchantName: string }> {
    const merchantName = `cinema-${randomBytes(3).toString('hex')}`;
    const merchant = await this.api.signUp(merchantName, 'merchant');
    const screeningId = await this.api.createScreening(merchant, { film, seatMap, price });
    return { screeningId, merchant, merchantName };
  }

  /** Buys `seats` of a screening as `token`; the ticket ids. */
  async buy(token: string, screeningId: string, seats: string[]): Promise<string[]> {
    const bought = await this.api.call('POST', `/v1/cinema/screenings/${screeningId}/tickets`, {
      token,
      body: { seats, paymentPassword: PAY_PASSWORD },
      headers: { 'idempotency-key': `buy-${randomBytes(8).toString('hex')}` },
    });
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    return bought.body.tickets as string[];
  }
}

/** Writes the suite's axe-core results beside the screenshots (docs/web-wallet/axe.json). */
export async function saveAxeResults(results: Record<string, AxeViolation[]>): Promise<void> {
  await mkdir(SHOTS_DIR, { recursive: true });
  await writeFile(join(SHOTS_DIR, 'axe.json'), `${JSON.stringify(results, null, 2)}\n`);
}
