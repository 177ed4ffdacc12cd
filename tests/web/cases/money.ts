import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { eventually, type WalletKit } from '../wallet-kit.js';

/** One money rule: amounts shown in the configured currency, typed as decimals, sent as minor units. */
export function moneyCases(kit: () => WalletKit): void {
  it('shows amounts in the configured currency and sends a typed 12.50 as 1250 minor units', async () => {
    await kit().customer('web-dave', '5000');
    const payee = await kit().customer('web-dave-payee');
    const wallet = await kit().open();
    await wallet.signIn('web-dave');
    const before = await wallet.page.getByTestId('balance').textContent();
    await wallet.fillPayment('web-dave-payee', '12.50');

    const request = await wallet.submitSending('#pay-form', '**/v1/transfers');

    await eventually(() => wallet.feedback('#pay-form').textContent()).toMatch(
      /^Paid CN¥12\.50 to web-dave-payee\. Transaction [0-9a-f]{64}\.$/,
    );
    const sent: unknown = request.postDataJSON();
    expect(sent).toMatchObject({ to: 'web-dave-payee', amount: '1250' });
    expect(before).toBe('CN¥50.00');
    expect(await kit().api.balance(payee)).toBe('1250');
    await wallet.tab('wallet').click();
    await eventually(() => wallet.page.getByTestId('balance').textContent()).toBe('CN¥37.50');
  });

  it('refuses an amount it cannot send exactly, naming the field, before calling the API', async () => {
    await kit().customer('web-exact', '1000');
    const wallet = await kit().open();
    await wallet.signIn('web-exact');
    const sent: string[] = [];
    wallet.page.on('request', (request) => {
      if (request.url().endsWith('/v1/transfers')) sent.push(request.method());
    });
    await wallet.fillPayment('web-exact', '12.345');

    await wallet.submit('#pay-form').click();

    await eventually(() => wallet.feedback('#pay-form').textContent()).toBe(
      'Use at most 2 digits after the point, such as 12.50.',
    );
    expect(await wallet.feedback('#pay-form').getAttribute('data-tone')).toBe('error');
    expect(await wallet.field('#pay-form', 'amount').getAttribute('aria-invalid')).toBe('true');
    expect(await wallet.field('#pay-form', 'amount').getAttribute('placeholder')).toBe('12.50');
    expect(sent).toEqual([]);
  });

  it('exports the period’s bills as CSV whose header names the unit of the amounts', async () => {
    await kit().paidOnce('web-exporter');
    const wallet = await kit().open();
    await wallet.signIn('web-exporter');
    await wallet.tab('bills').click();
    await eventually(() => wallet.page.getByTestId('bills').locator('tr').count()).toBe(2);

    const [download] = await Promise.all([
      wallet.page.waitForEvent('download'),
      wallet.page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);

    const lines = (await readFile(await download.path(), 'utf8')).trim().split('\n');
    expect(download.suggestedFilename()).toBe('bills.csv');
    expect(lines[0]).toBe('time,type,direction,amount (0.01 CNY),counterparties,txId');
    expect(lines.slice(1).map((line) => line.split(',').slice(1, 4).join(' '))).toEqual([
      'transfer out 1200',
      'recharge in 5000',
    ]);
    expect(await wallet.page.locator('#csv-note').textContent()).toBe(
      'In the CSV, amounts are whole numbers of 0.01 CNY.',
    );
  });
}
