// The Bills section: a period, a chart of money in and out per day, the movements, and the
// CSV export of the same period (the server's; its header names the unit of the amounts).

import { api } from './api.js';
import { dayChart } from './chart.js';
import { $, el, legend, onAction, onClick, report, shortId, whenShort } from './ui.js';

/** Days a period may span (the chart stays readable), and pages of 100 bills read at most. */
const PERIOD_DAYS_MAX = 92;
const PAGES_MAX = 10;
const WHAT = { recharge: 'Recharge', transfer: 'Payment', ticket: 'Cinema tickets' };

const pad = (n) => String(n).padStart(2, '0');
/** A local calendar day as an <input type=date> writes it. */
export const dayKey = (date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
const dayOf = (key) => {
  const [y, m, d] = key.split('-').map(Number);
  return new Date(y, m - 1, d);
};

/** The local days from `from` to `to` (input values), or an Error saying what is wrong. */
export function daysOf(from, to) {
  const first = dayOf(from);
  const last = dayOf(to);
  if (Number.isNaN(first.getTime()) || Number.isNaN(last.getTime())) throw new Error('Choose both days.');
  if (first > last) throw new Error('The period ends before it starts.');
  const days = [];
  for (let day = first; day <= last; day = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1)) {
    if (days.length === PERIOD_DAYS_MAX) throw new Error(`Choose at most ${PERIOD_DAYS_MAX} days.`);
    days.push({ key: dayKey(day), date: day, in: 0n, out: 0n });
  }
  return days;
}

/** The period as the API's query: from the first day's midnight to the last day's end, local time. */
function periodQuery(days) {
  const first = days[0].date;
  const last = days[days.length - 1].date;
  const end = new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1, 0, 0, 0, -1);
  return { from: first.toISOString(), to: end.toISOString() };
}

async function billsOf(period) {
  const bills = [];
  let cursor;
  for (let page = 0; page < PAGES_MAX; page++) {
    const query = new URLSearchParams({ ...period, limit: '100', ...(cursor ? { cursor } : {}) });
    const answer = await api('GET', `/v1/me/bills?${query}`);
    bills.push(...answer.bills);
    cursor = answer.nextCursor;
    if (!cursor) return { bills, complete: true };
  }
  return { bills, complete: false };
}

function billRow(money, bill) {
  const sign = { in: '+', out: '−', self: '' }[bill.direction];
  return el(
    'tr',
    { class: bill.direction },
    el('td', { text: whenShort(bill.at) }),
    el('td', { text: `${WHAT[bill.kind] ?? bill.kind}${bill.direction === 'self' ? ' (to yourself)' : ''}` }),
    el('td', { class: 'num', text: `${sign}${money.format(bill.amount)}` }),
    el('td', { class: 'wide-only', text: bill.counterparties.join(', ') }),
    el('td', { class: 'wide-only' }, shortId(bill.txId)),
  );
}

function render(money, days, { bills, complete }) {
  const byDay = new Map(days.map((day) => [day.key, day]));
  for (const bill of bills) {
    const day = byDay.get(dayKey(new Date(bill.at)));
    if (day && bill.direction === 'in') day.in += BigInt(bill.amount);
    if (day && bill.direction === 'out') day.out += BigInt(bill.amount);
  }
  const totalIn = days.reduce((sum, day) => sum + day.in, 0n);
  const totalOut = days.reduce((sum, day) => sum + day.out, 0n);
  const span = `${days[0].date.toLocaleDateString()} to ${days[days.length - 1].date.toLocaleDateString()}`;
  const totals = `In ${money.format(totalIn)}, out ${money.format(totalOut)} from ${span}.`;
  $('#bills-totals').textContent = complete
    ? totals
    : `${totals} (the newest ${bills.length} movements only)`;
  const chart = $('#bills-chart');
  chart.replaceChildren(
    dayChart(money, days, `Money in and out per day. ${totals}`, chart.clientWidth || 640),
    legend([
      ['in', 'In'],
      ['out', 'Out'],
    ]),
  );
  const rows = bills.map((bill) => billRow(money, bill));
  if (rows.length === 0)
    rows.push(el('tr', {}, el('td', { colspan: 5, class: 'empty', text: 'Nothing moved in this period.' })));
  $('#bills').replaceChildren(...rows);
}

async function downloadCsv(days) {
  const response = await api('GET', `/v1/me/bills.csv?${new URLSearchParams(periodQuery(days))}`, {
    raw: true,
  });
  const link = el('a', { href: URL.createObjectURL(await response.blob()), download: 'bills.csv' });
  link.click();
  URL.revokeObjectURL(link.href);
}

/** The Bills section; the period starts as the last 14 days. */
export function billsScreen(ctx) {
  const form = $('#period-form');
  const show = async ({ from, to }) => {
    const days = daysOf(from, to);
    render(ctx.money, days, await billsOf(periodQuery(days)));
    return '';
  };
  onAction(form, { pending: 'Loading…', run: show });
  $('#csv-note').textContent = `In the CSV, amounts are whole numbers of ${ctx.money.minorUnit}.`;
  onClick($('#csv'), $('#csv-feedback'), async () => {
    await downloadCsv(daysOf(form.elements.from.value, form.elements.to.value));
    report($('#csv-feedback'), 'CSV downloaded.', 'ok');
  });

  return {
    async load() {
      if (!form.elements.from.value) {
        const today = new Date();
        form.elements.to.value = dayKey(today);
        form.elements.from.value = dayKey(
          new Date(today.getFullYear(), today.getMonth(), today.getDate() - 13),
        );
      }
      await show({ from: form.elements.from.value, to: form.elements.to.value });
    },
    reset() {
      form.reset();
      $('#bills').replaceChildren();
      $('#bills-chart').replaceChildren();
      $('#bills-totals').textContent = '';
    },
  };
}
