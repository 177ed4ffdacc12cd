// Pay and Recharge: amounts typed as decimals ("12.50") go to the API as minor units ("1250").
// Both send an Idempotency-Key per user action (ui.js onAction says why a retry is then safe).

import { api, segment } from './api.js';
import { $, amountField, onAction } from './ui.js';

function payForm(ctx) {
  onAction($('#pay-form'), {
    pending: 'Paying…',
    idempotent: true,
    run: async (values, { form, idempotencyKey }) => {
      const amount = amountField(ctx.money, values, 'amount');
      const { to, memo, paymentPassword } = values;
      const paid = await api('POST', '/v1/transfers', {
        body: { to, amount, paymentPassword, ...(memo ? { memo } : {}) },
        idempotencyKey,
      });
      form.reset();
      return { text: `Paid ${ctx.money.format(paid.amount)} to ${to}.`, txId: paid.txId };
    },
  });
}

function orderText(ctx, order) {
  const status =
    { created: 'waiting for payment', paid: 'paid', minted: 'credited' }[order.status] ?? order.status;
  return `Order ${order.orderId}: ${ctx.money.format(order.amount)} to your address ${order.address} (${status}).`;
}

function rechargeForms(ctx) {
  let order;
  onAction($('#recharge-form'), {
    pending: 'Creating the order…',
    idempotent: true,
    run: async (values, { idempotencyKey }) => {
      const amount = amountField(ctx.money, values, 'amount');
      order = await api('POST', '/v1/recharges', { body: { amount }, idempotencyKey });
      $('#order').textContent = orderText(ctx, order);
      $('#confirm-form').hidden = !ctx.devPayments;
      return ctx.devPayments
        ? 'Order created: confirm it below (development payment provider).'
        : 'Order created: pay it with your payment provider; the tokens arrive once it is paid.';
    },
  });

  onAction($('#confirm-form'), {
    pending: 'Confirming the payment…',
    run: async () => {
      // The provider mints once per order, so confirming twice cannot credit twice.
      const paid = await api('POST', `/v1/dev/payments/${segment(order.orderId)}/confirm`);
      $('#order').textContent = orderText(ctx, paid);
      $('#recharge-form').reset();
      return { text: `Recharged ${ctx.money.format(paid.amount)}.`, txId: paid.txId ?? undefined };
    },
  });

  return {
    reset() {
      order = undefined;
      $('#confirm-form').hidden = true;
    },
  };
}

/** The Pay and Recharge sections. */
export function paymentScreens(ctx) {
  payForm(ctx);
  return { pay: {}, recharge: rechargeForms(ctx) };
}
