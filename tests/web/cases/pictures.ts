import { expect, it } from 'vitest';
import { eventually, holdRequests, PAY_PASSWORD, type WalletKit } from '../wallet-kit.js';

/** The seat map, a token's trace graph and the bills chart. */
export function pictureCases(kit: () => WalletKit): void {
  it('shows the seat map as a grid of free, sold and selected seats, with the total before buying', async () => {
    const { screeningId } = await kit().screening(
      'Seat Map Story',
      [
        { row: 'A', count: 4 },
        { row: 'B', count: 4 },
      ],
      '500',
    );
    await kit().buy(await kit().customer('web-early', '1000'), screeningId, ['A1']);
    await kit().customer('web-fan', '2000');
    const wallet = await kit().open();
    await wallet.signIn('web-fan');
    await wallet.tab('cinema').click();
    const card = wallet.page.getByTestId('screenings').locator('li', { hasText: 'Seat Map Story' });
    await card.getByRole('button', { name: 'Choose seats' }).click();
    const seats = wallet.page.getByTestId('seats');
    const total = wallet.page.getByTestId('seat-total');
    await seats.getByLabel('A1, sold').waitFor();
    const before = await total.textContent();
    await seats.getByLabel('A2', { exact: true }).check();
    await seats.getByLabel('B3', { exact: true }).check();
    const chosen = await total.textContent();
    await wallet.field('#tickets-form', 'paymentPassword').fill(PAY_PASSWORD);
    const held = await holdRequests(wallet.page, `**/v1/cinema/screenings/${screeningId}/tickets`);

    await wallet.submit('#tickets-form').click();
    await held.arrived;
    const during = await wallet.submit('#tickets-form').textContent();
    held.release();

    await eventually(() => wallet.feedback('#tickets-form').textContent()).toMatch(
      /^Bought A2, B3 for Seat Map Story \(CN¥10\.00\)\. Transaction [0-9a-f]{64}\.$/,
    );
    expect(await seats.locator('.seat-row').count()).toBe(2);
    expect(await seats.locator('input[type=checkbox]').count()).toBe(8);
    expect(await seats.getByLabel('A1, sold').isDisabled()).toBe(true);
    expect(before).toBe('Choose seats: CN¥5.00 each.');
    expect(chosen).toBe('2 seats (A2, B3) × CN¥5.00 = CN¥10.00');
    expect(during).toBe('Buying…');
    await eventually(() => seats.getByLabel('B3, sold').isDisabled()).toBe(true);
    const screening = await kit().api.call('GET', `/v1/cinema/screenings/${screeningId}`);
    expect(screening.body.sold).toEqual(['A1', 'A2', 'B3']);
    expect(await wallet.page.getByTestId('ticket').count()).toBe(2);
  });

  it('draws a token’s trace as a graph from the token back to the mint, each node with amount and transaction', async () => {
    await kit().paidOnce('web-tracer');
    const wallet = await kit().open();
    await wallet.signIn('web-tracer');

    await wallet.page.getByTestId('tokens').getByRole('button', { name: 'Trace' }).click();

    const graph = wallet.page.getByTestId('trace-graph');
    await eventually(() => wallet.page.getByTestId('trace-summary').textContent()).toBe(
      'A token of CN¥38.00: 2 transactions back to 1 mint.',
    );
    const nodes = graph.locator('g.node');
    const kinds = [
      await nodes.nth(0).getAttribute('data-kind'),
      await nodes.nth(1).getAttribute('data-kind'),
    ];
    expect(await nodes.count()).toBe(2);
    expect(kinds).toEqual(['transfer', 'mint']);
    const [token, mint] = await nodes.allTextContents();
    expect(token).toMatch(
      /^Your token: CN¥38\.00, transaction [0-9a-f]{64}, .*Your tokenCN¥38\.00tx [0-9a-f]{16}…/,
    );
    expect(mint).toMatch(/^Mint: CN¥50\.00, transaction [0-9a-f]{64}, .*MintCN¥50\.00tx [0-9a-f]{16}…/);
    expect(await graph.locator('path.edge').count()).toBe(1);
    expect(await graph.locator('svg').getAttribute('role')).toBe('img');
    expect(await wallet.page.getByTestId('trace').locator('li').count()).toBe(2);
  });

  it('charts money in and out per day for the chosen period', async () => {
    await kit().paidOnce('web-charter');
    const wallet = await kit().open();
    await wallet.signIn('web-charter');

    await wallet.tab('bills').click();

    const chart = wallet.page.getByTestId('bills-chart');
    await eventually(() => chart.locator('g.day').count()).toBe(14);
    const moved = chart.locator('g.day:not([data-in="0"][data-out="0"])');
    expect(await moved.count()).toBe(1);
    expect(await moved.getAttribute('data-in')).toBe('5000');
    expect(await moved.getAttribute('data-out')).toBe('1200');
    // Heights in bigint arithmetic: the largest bar is the plot's 150 px, 1200 of 5000 is 36 px.
    expect(await moved.locator('rect.in').getAttribute('height')).toBe('150');
    expect(await moved.locator('rect.out').getAttribute('height')).toBe('36');
    expect(await wallet.page.getByTestId('bills-totals').textContent()).toMatch(
      /^In CN¥50\.00, out CN¥12\.00 from .+ to .+\.$/,
    );

    const today = (await moved.getAttribute('data-day')) ?? '';
    await wallet.field('#period-form', 'from').fill('2020-01-01');
    await wallet.field('#period-form', 'to').fill('2020-01-03');
    await wallet.submit('#period-form').click();
    await eventually(() => chart.locator('g.day').count()).toBe(3);
    expect(await wallet.page.getByTestId('bills').textContent()).toBe('Nothing moved in this period.');
    await wallet.field('#period-form', 'from').fill(today);
    await wallet.submit('#period-form').click();
    await eventually(() => wallet.feedback('#period-form').textContent()).toBe(
      'The period ends before it starts.',
    );
  });
}
