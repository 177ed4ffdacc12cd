import { expect, it } from 'vitest';
import {
  DESKTOP,
  eventually,
  PASSWORD,
  PAY_PASSWORD,
  PHONE,
  saveAxeResults,
  tabTo,
  type AxeViolation,
  type Viewport,
  type WalletKit,
  type WalletPage,
} from '../wallet-kit.js';

/** What the main screens show in the pictures of docs/web-wallet.md: one customer, one cinema. */
interface Scene {
  readonly customer: string;
  readonly merchant: string;
  readonly film: string;
  readonly ticketId: string;
}

async function scene(kit: WalletKit): Promise<Scene> {
  const merchant = await kit.api.signUp('moonlight-cinema', 'merchant');
  const rows = ['A', 'B', 'C', 'D', 'E'].map((row) => ({ row, count: 8 }));
  const screeningId = await kit.api.createScreening(merchant, {
    film: 'Spirited Away',
    seatMap: rows,
    price: '4500',
  });
  await kit.api.createScreening(merchant, {
    film: 'Paprika',
    seatMap: [{ row: 'A', count: 10 }],
    price: '3800',
  });
  const customer = await kit.customer('lin-wei', '50000');
  await kit.customer('chen-jing');
  const paid = await kit.api.call('POST', '/v1/transfers', {
    token: customer,
    body: { to: 'chen-jing', amount: '12000', memo: 'dinner', paymentPassword: PAY_PASSWORD },
    headers: { 'idempotency-key': 'scene-dinner-12000' },
  });
  expect(paid.status).toBe(201);
  const [ticketId] = await kit.buy(customer, screeningId, ['C4', 'C5']);
  await kit.buy(await kit.customer('zhou-min', '20000'), screeningId, ['A3', 'A4', 'B5']);
  return {
    customer: 'lin-wei',
    merchant: 'moonlight-cinema',
    film: 'Spirited Away',
    ticketId: ticketId ?? '',
  };
}

/** Each screen: axe-core's violations, how far it overflows sideways, and its screenshot. */
async function capture(
  wallet: WalletPage,
  screen: string,
  viewport: Viewport,
  results: Record<string, AxeViolation[]>,
  overflows: Record<string, number>,
): Promise<void> {
  const key = `${screen} (${viewport.name})`;
  results[key] = await wallet.axe();
  overflows[key] = await wallet.overflow();
  await wallet.screenshot(screen, viewport);
}

async function customerScreens(
  kit: WalletKit,
  { customer, film }: Scene,
  viewport: Viewport,
  record: (wallet: WalletPage, screen: string) => Promise<void>,
): Promise<void> {
  const wallet = await kit.open(viewport);
  await wallet.page.locator('#login-form').waitFor();
  await record(wallet, 'signed-out');
  await wallet.signIn(customer);
  await record(wallet, 'wallet');
  await wallet.page.getByTestId('tokens').getByRole('button', { name: 'Trace' }).first().click();
  await wallet.page.getByTestId('trace-graph').locator('svg').waitFor();
  await record(wallet, 'trace');
  await wallet.tab('bills').click();
  await wallet.page.getByTestId('bills-chart').locator('svg').waitFor();
  await record(wallet, 'bills');
  await wallet.tab('cinema').click();
  const card = wallet.page.getByTestId('screenings').locator('li', { hasText: film });
  await card.getByRole('button', { name: 'Choose seats' }).click();
  await wallet.page.getByTestId('seats').getByLabel('D4', { exact: true }).check();
  await wallet.page.getByTestId('seats').getByLabel('D5', { exact: true }).check();
  await record(wallet, 'seat-map');
}

/** Phone width, keyboard use and axe-core on the main screens; the pictures of the docs. */
export function screenCases(kit: () => WalletKit): void {
  it('has no serious or critical axe-core violation and no sideways scrolling on the main screens, at desktop and phone width', async () => {
    const data = await scene(kit());
    const results: Record<string, AxeViolation[]> = {};
    const overflows: Record<string, number> = {};

    for (const viewport of [DESKTOP, PHONE]) {
      const record = (wallet: WalletPage, screen: string) =>
        capture(wallet, screen, viewport, results, overflows);
      await customerScreens(kit(), data, viewport, record);
      const door = await kit().open(viewport);
      await door.signIn(data.merchant);
      await door.tab('merchant').click();
      await eventually(() => door.page.getByTestId('my-screenings').locator('tr').count()).toBe(2);
      await door.field('#check-form', 'ticketId').fill(data.ticketId);
      await door.submit('#check-form').click();
      await door.page.locator('#redeem-form').waitFor();
      await record(door, 'merchant');
    }
    await saveAxeResults(results);

    const serious = Object.entries(results).flatMap(([screen, violations]) =>
      violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map((violation) => `${screen}: ${violation.id} (${violation.help})`),
    );
    expect(serious).toEqual([]);
    expect(Object.keys(results)).toHaveLength(12);
    expect(Object.values(overflows).filter((pixels) => pixels > 0)).toEqual([]);
  });

  it('buys a seat with the keyboard alone, the focus visible on the seat', async () => {
    const { screeningId } = await kit().screening('Keyboard Matinee', [{ row: 'A', count: 4 }], '250');
    await kit().customer('web-keys', '1000');
    const wallet = await kit().open(PHONE);
    const { page } = wallet;
    await tabTo(page, wallet.field('#login-form', 'username'));
    await page.keyboard.type('web-keys');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await eventually(() => wallet.message().textContent()).toBe('Welcome back, web-keys.');
    await tabTo(page, wallet.tab('cinema'));
    await page.keyboard.press('Enter');
    const card = page.getByTestId('screenings').locator('li', { hasText: 'Keyboard Matinee' });
    await tabTo(page, card.getByRole('button', { name: 'Choose seats' }));
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByTestId('seats').getByLabel('A3', { exact: true }));
    const outline = await page.evaluate<string>(
      'getComputedStyle(document.activeElement.nextElementSibling).outlineStyle',
    );
    await page.keyboard.press('Space');
    await tabTo(page, wallet.field('#tickets-form', 'paymentPassword'));
    await page.keyboard.type(PAY_PASSWORD);

    await page.keyboard.press('Enter');

    await eventually(() => wallet.feedback('#tickets-form').textContent()).toMatch(
      /^Bought A3 for Keyboard Matinee \(CN¥2\.50\)\. Transaction [0-9a-f]{64}\.$/,
    );
    expect(outline).toBe('solid');
    const screening = await kit().api.call('GET', `/v1/cinema/screenings/${screeningId}`);
    expect(screening.body.sold).toEqual(['A3']);
  });
}
