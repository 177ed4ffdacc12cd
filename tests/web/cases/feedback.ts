import { expect, it } from 'vitest';
import { eventually, holdRequests, PAY_PASSWORD, type WalletKit, type WalletPage } from '../wallet-kit.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What the submit button and the feedback line of `form` say now. */
async function progressOf(wallet: WalletPage, form: string) {
  return {
    button: await wallet.submit(form).textContent(),
    disabled: await wallet.submit(form).isDisabled(),
    feedback: await wallet.feedback(form).textContent(),
    tone: await wallet.feedback(form).getAttribute('data-tone'),
  };
}

/** Payments, recharges and purchases: in progress, then the transaction id or the problem's detail. */
export function feedbackCases(kit: () => WalletKit): void {
  it('shows a payment in progress, refuses to send it twice, then shows its transaction id', async () => {
    await kit().customer('web-eager', '5000');
    const payee = await kit().customer('web-eager-payee');
    const wallet = await kit().open();
    await wallet.signIn('web-eager');
    const held = await holdRequests(wallet.page, '**/v1/transfers');
    await wallet.fillPayment('web-eager-payee', '12');
    await wallet.submit('#pay-form').click();
    await held.arrived;
    const during = await progressOf(wallet, '#pay-form');

    // A second submission while the first runs: by script, and by Enter in a field.
    await wallet.page.evaluate(`document.querySelector('#pay-form').requestSubmit()`);
    await wallet.field('#pay-form', 'amount').press('Enter');
    held.release();

    await eventually(() => wallet.feedback('#pay-form').textContent()).toMatch(
      /^Paid CN¥12\.00 to web-eager-payee\. Transaction [0-9a-f]{64}\.$/,
    );
    expect(during).toEqual({ button: 'Paying…', disabled: true, feedback: 'Paying…', tone: 'pending' });
    expect(held.keys).toHaveLength(1);
    expect(held.keys[0]).toMatch(UUID);
    expect(await kit().api.balance(payee)).toBe('1200');
    expect(await progressOf(wallet, '#pay-form')).toMatchObject({
      button: 'Pay',
      disabled: false,
      tone: 'ok',
    });
  });

  it('repeats a payment whose answer was lost with the same Idempotency-Key, so it is paid once', async () => {
    await kit().customer('web-retry', '5000');
    const payee = await kit().customer('web-retry-payee');
    const wallet = await kit().open();
    await wallet.signIn('web-retry');
    const keys: string[] = [];
    await wallet.page.route('**/v1/transfers', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (keys.length > 1) return route.continue();
      // The server pays, but its answer never reaches the page (a dropped connection).
      await route.fetch();
      return route.abort('connectionreset');
    });
    await wallet.fillPayment('web-retry-payee', '20');
    await wallet.submit('#pay-form').click();
    await eventually(() => wallet.feedback('#pay-form').textContent()).toBe(
      'The server could not be reached. Check the connection and try again.',
    );
    const paidBeforeRetry = await kit().api.balance(payee);
    await wallet.field('#pay-form', 'paymentPassword').fill(PAY_PASSWORD);

    const retry = await wallet.submitSending('#pay-form', '**/v1/transfers');

    await eventually(() => wallet.feedback('#pay-form').textContent()).toMatch(
      /^Paid CN¥20\.00 to web-retry-payee\. Transaction [0-9a-f]{64}\.$/,
    );
    expect(paidBeforeRetry).toBe('2000');
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect((await retry.response())?.headers()['idempotent-replayed']).toBe('true');
    expect(await kit().api.balance(payee)).toBe('2000');
  });

  it('shows the problem’s detail when a payment is refused, and keeps the page usable', async () => {
    await kit().customer('web-broke');
    await kit().customer('web-broke-payee');
    const wallet = await kit().open();
    await wallet.signIn('web-broke');
    await wallet.fillPayment('web-broke-payee', '1');

    await wallet.submit('#pay-form').click();

    await eventually(() => wallet.feedback('#pay-form').getAttribute('data-tone')).toBe('error');
    expect(await wallet.feedback('#pay-form').textContent()).toMatch(/insufficient|not enough|balance/i);
    expect(await wallet.submit('#pay-form').isDisabled()).toBe(false);
    await wallet.tab('wallet').click();
    await eventually(() => wallet.page.getByTestId('balance').textContent()).toBe('CN¥0.00');
  });

  it('shows a recharge in progress, then the transaction that credited it', async () => {
    await kit().customer('web-carol');
    const wallet = await kit().open();
    await wallet.signIn('web-carol');
    await wallet.tab('recharge').click();
    await wallet.field('#recharge-form', 'amount').fill('50');
    const order = await wallet.submitSending('#recharge-form', '**/v1/recharges');
    await eventually(() => wallet.page.getByTestId('order').textContent()).toMatch(
      /^Order \S+: CN¥50\.00 to your address W\S+ \(waiting for payment\)\.$/,
    );
    const held = await holdRequests(wallet.page, '**/v1/dev/payments/*/confirm');

    await wallet.submit('#confirm-form').click();
    await held.arrived;
    const during = await progressOf(wallet, '#confirm-form');
    held.release();

    await eventually(() => wallet.feedback('#confirm-form').textContent()).toMatch(
      /^Recharged CN¥50\.00\. Transaction [0-9a-f]{64}\.$/,
    );
    const body: unknown = order.postDataJSON();
    expect(body).toEqual({ amount: '5000' });
    expect(order.headers()['idempotency-key']).toMatch(UUID);
    expect(during).toMatchObject({ button: 'Confirming the payment…', disabled: true, tone: 'pending' });
    await wallet.tab('wallet').click();
    await eventually(() => wallet.page.getByTestId('balance').textContent()).toBe('CN¥50.00');
    expect(await wallet.page.getByTestId('tokens').locator('tr').count()).toBe(1);
  });
}
