// The Wallet section: balance, receive address, my tokens, and a token's trace as a graph.

import { api, segment } from './api.js';
import { traceFigure } from './trace.js';
import { $, clear, el, onAction, onClick, report, shortId, whenShort } from './ui.js';

function tokenRow(ctx, token) {
  const trace = el('button', { type: 'button', class: 'small', text: 'Trace' });
  onClick(trace, $('#tokens-feedback'), () => showTrace(ctx, token));
  return el(
    'tr',
    {},
    el('td', { class: 'num', text: ctx.money.format(token.amount) }),
    el('td', { class: 'wide-only' }, shortId(token.address)),
    el('td', { text: token.createdAt ? whenShort(token.createdAt) : '' }),
    el('td', {}, trace),
  );
}

async function showTrace(ctx, token) {
  const feedback = $('#tokens-feedback');
  report(feedback, 'Tracing…', 'pending');
  const graph = await api('GET', `/v1/me/tokens/${segment(token.txId)}/${token.index}/trace`);
  const figure = traceFigure(ctx.money, graph);
  $('#trace-summary').textContent = figure.summary;
  $('#trace-graph').replaceChildren(figure.graph);
  $('#trace-list').replaceChildren(...figure.steps);
  clear(feedback);
  const panel = $('#trace-panel');
  panel.hidden = false;
  $('#trace-title').focus();
  panel.scrollIntoView({ block: 'start' });
}

/** The Wallet section. */
export function walletScreen(ctx) {
  onAction($('#rotate-form'), {
    pending: 'Making a new address…',
    run: async ({ paymentPassword }) => {
      const rotated = await api('POST', '/v1/me/addresses', { body: { paymentPassword, sweep: false } });
      $('#receive-address').textContent = rotated.address;
      return 'New receive address ready; your older addresses keep receiving.';
    },
  });

  return {
    async load() {
      const [me, balance, { tokens }] = await Promise.all([
        api('GET', '/v1/me'),
        api('GET', '/v1/me/balance'),
        api('GET', '/v1/me/tokens'),
      ]);
      $('#balance').textContent = ctx.money.format(balance.balance);
      $('#token-count').textContent = balance.tokens === 1 ? 'in 1 token' : `in ${balance.tokens} tokens`;
      $('#receive-address').textContent = me.receiveAddress;
      $('#tokens').replaceChildren(...tokens.map((token) => tokenRow(ctx, token)));
      if (tokens.length === 0)
        $('#tokens').replaceChildren(
          el(
            'tr',
            {},
            el('td', { colspan: 4, class: 'empty', text: 'No tokens yet: recharge or ask to be paid.' }),
          ),
        );
    },
    reset() {
      $('#balance').textContent = '–';
      $('#tokens').replaceChildren();
      $('#trace-panel').hidden = true;
      $('#trace-graph').replaceChildren();
    },
  };
}
