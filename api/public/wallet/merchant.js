// The Merchant section of a cinema account: its screenings with sold and free seats, a new
// screening, and checking a ticket at the door (its code pasted, or its QR code scanned where
// the browser can), then redeeming it once.

import { api, segment } from './api.js';
import { canScan, scanQr } from './scanner.js';
import { $, amountField, el, onAction, onClick, report, when, whenShort } from './ui.js';

/** A ticket id as the API writes one: `<screeningId>:<seat>`. */
const TICKET_ID = /^[A-Za-z0-9._-]{1,64}:[A-Za-z0-9._-]{1,64}$/;
const ROW_NAMES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function screeningRow(ctx, screening) {
  const seats = screening.sold.length + screening.available.length;
  const bar = el('span', { class: 'occupancy', 'aria-hidden': 'true' }, el('span', {}));
  // The fill's width is set through the CSSOM: the CSP refuses style attributes.
  bar.firstChild.style.width = `${seats === 0 ? 0 : Math.round((screening.sold.length * 100) / seats)}%`;
  return el(
    'tr',
    { dataset: { screeningId: screening.screeningId } },
    el('td', { text: screening.film }),
    el('td', { text: whenShort(screening.startsAt) }),
    el('td', { class: 'num wide-only', text: ctx.money.format(screening.price) }),
    el('td', { class: 'num sold', text: screening.sold.length }),
    el('td', { class: 'num free', text: screening.available.length }),
    el(
      'td',
      {},
      bar,
      el('span', { class: 'visually-hidden', text: `${screening.sold.length} of ${seats} sold` }),
    ),
  );
}

/** The body of POST /v1/cinema/screenings from the form's values. */
function newScreening(ctx, values) {
  const startsAt = new Date(values.startsAt);
  if (Number.isNaN(startsAt.getTime())) throw new Error('Choose when the screening starts.');
  if (startsAt <= new Date()) throw new Error('The screening must start in the future.');
  const rows = Number(values.rows);
  const perRow = Number(values.perRow);
  if (!Number.isInteger(rows) || rows < 1 || rows > 26) throw new Error('Rows: 1 to 26.');
  if (!Number.isInteger(perRow) || perRow < 1 || perRow > 100) throw new Error('Seats a row: 1 to 100.');
  return {
    film: values.film.trim(),
    startsAt: startsAt.toISOString(),
    seatMap: Array.from({ length: rows }, (_, i) => ({ row: ROW_NAMES[i], count: perRow })),
    price: amountField(ctx.money, values, 'price'),
    paymentPassword: values.paymentPassword,
  };
}

function ticketForms(ctx, state) {
  const describe = (ticket) => {
    const screening = state.mine.get(ticket.screeningId);
    return `${screening ? screening.film : ticket.screeningId}, seat ${ticket.seat}, bought ${when(ticket.soldAt)}`;
  };
  onAction($('#check-form'), {
    pending: 'Checking…',
    run: async ({ ticketId }) => {
      $('#redeem-form').hidden = true;
      const code = ticketId.trim();
      if (!TICKET_ID.test(code)) throw new Error('That is not a ticket code; one looks like sc-0123abcd:A1.');
      const ticket = await api('GET', `/v1/cinema/tickets/${segment(code)}`);
      if (ticket.redeemedAt !== null)
        throw new Error(`Already used at ${when(ticket.redeemedAt)}: ${describe(ticket)}.`);
      state.checked = ticket;
      $('#checked-ticket').textContent =
        `${state.mine.get(ticket.screeningId)?.film ?? ticket.screeningId}, seat ${ticket.seat}`;
      $('#redeem-form').hidden = false;
      return `Valid ticket: ${describe(ticket)}.`;
    },
  });
  onAction($('#redeem-form'), {
    pending: 'Redeeming…',
    run: async ({ paymentPassword }) => {
      const ticket = await api('POST', `/v1/cinema/tickets/${segment(state.checked.ticketId)}/redeem`, {
        body: { paymentPassword },
      });
      $('#checked-ticket').textContent = `Used at ${when(ticket.redeemedAt)}: ${describe(ticket)}`;
      return `Let in: ${describe(ticket)}.`;
    },
  });
  const scan = $('#scan');
  scan.hidden = !canScan();
  onClick(scan, $('#check-form .feedback'), async () => {
    const view = $('#scan-view');
    view.hidden = false;
    try {
      $('#check-form').elements.ticketId.value = await scanQr(view);
    } finally {
      view.hidden = true;
    }
    $('#check-form').requestSubmit();
  });
}

/** The Merchant section (shown to merchant accounts only). */
export function merchantScreen(ctx) {
  const state = { mine: new Map(), checked: undefined };
  const load = async () => {
    const [{ screenings }, { addresses }] = await Promise.all([
      api('GET', '/v1/cinema/screenings'),
      api('GET', '/v1/me/addresses'),
    ]);
    // Tickets pay the address the cinema had when it created the screening: any of its own.
    const own = new Set(addresses.map((address) => address.address));
    const mine = screenings.filter((screening) => own.has(screening.cinemaAddress));
    const details = await Promise.all(
      mine.map((screening) => api('GET', `/v1/cinema/screenings/${segment(screening.screeningId)}`)),
    );
    state.mine = new Map(details.map((screening) => [screening.screeningId, screening]));
    const rows = details.map((screening) => screeningRow(ctx, screening));
    if (rows.length === 0)
      rows.push(
        el(
          'tr',
          {},
          el('td', { colspan: 6, class: 'empty', text: 'No screenings coming up: create one below.' }),
        ),
      );
    $('#my-screenings').replaceChildren(...rows);
  };

  onAction($('#screening-form'), {
    pending: 'Creating…',
    idempotent: true,
    run: async (values, { form, idempotencyKey }) => {
      const body = newScreening(ctx, values);
      const created = await api('POST', '/v1/cinema/screenings', { body, idempotencyKey });
      form.reset();
      await load();
      const seats = created.available.length;
      return `Created ${created.film}, ${when(created.startsAt)}: ${seats} seats at ${ctx.money.format(created.price)}.`;
    },
  });
  ticketForms(ctx, state);

  return {
    load,
    reset() {
      state.mine = new Map();
      state.checked = undefined;
      $('#my-screenings').replaceChildren();
      $('#redeem-form').hidden = true;
      report($('#check-form .feedback'), '', 'ok');
    },
  };
}
