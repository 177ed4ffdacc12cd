// The Cinema section: upcoming screenings, a seat map to choose from with the total before
// buying, and my tickets, each with a QR code of its id that the cinema scans at the door.

import { api, segment } from './api.js';
import { qrSvg } from './qr.js';
import { seatGrid, totalText } from './seatmap.js';
import { $, $$, el, onAction, when } from './ui.js';

function screeningCard(ctx, screening, choose) {
  const button = el('button', { type: 'button', text: 'Choose seats' });
  button.addEventListener('click', () => choose(screening.screeningId));
  const seats = screening.seatMap.reduce((sum, row) => sum + row.count, 0);
  return el(
    'li',
    { class: 'card screening' },
    el('h3', { text: screening.film }),
    el('p', { text: when(screening.startsAt) }),
    el('p', { class: 'hint', text: `${ctx.money.format(screening.price)} a seat · ${seats} seats` }),
    button,
  );
}

function ticketCard(ticket, screening) {
  const used = ticket.redeemedAt !== null;
  return el(
    'li',
    { class: `card ticket${used ? ' used' : ''}`, dataset: { testid: 'ticket', ticketId: ticket.ticketId } },
    qrSvg(ticket.ticketId, `QR code of ticket ${ticket.ticketId}`),
    el(
      'div',
      {},
      el('h3', { text: screening ? screening.film : `Screening ${ticket.screeningId}` }),
      screening ? el('p', { text: when(screening.startsAt) }) : undefined,
      el('p', { class: 'seat-name', text: `Seat ${ticket.seat}` }),
      el(
        'p',
        {},
        el('span', {
          class: `badge ${used ? 'muted' : 'ok'}`,
          text: used ? `Used ${when(ticket.redeemedAt)}` : 'Valid',
        }),
      ),
      el('p', { class: 'hint' }, 'Code ', el('code', { text: ticket.ticketId })),
    ),
  );
}

/** The seat picker of one screening, inside the tickets form; `focus` moves the reader there. */
async function choose(ctx, state, screeningId, focus = true) {
  const screening = await api('GET', `/v1/cinema/screenings/${segment(screeningId)}`);
  state.screening = screening;
  const total = $('#seat-total');
  const update = () => {
    total.textContent = totalText(ctx.money, screening.price, selectedSeats());
  };
  $('#screening-title').textContent = `${screening.film}, ${when(screening.startsAt)}`;
  $('#seats').replaceChildren(seatGrid(screening, update));
  update();
  const form = $('#tickets-form');
  form.hidden = false;
  if (!focus) return;
  $('#screening-title').focus();
  form.scrollIntoView({ block: 'start' });
}

const selectedSeats = () => $$('#seats input[name=seat]:checked').map((box) => box.value);

/** The Cinema section. */
export function cinemaScreen(ctx) {
  const state = { screening: undefined, screenings: new Map() };

  const load = async () => {
    const [{ screenings }, { tickets }] = await Promise.all([
      api('GET', '/v1/cinema/screenings'),
      api('GET', '/v1/me/tickets'),
    ]);
    for (const screening of screenings) state.screenings.set(screening.screeningId, screening);
    const cards = screenings.map((screening) =>
      screeningCard(ctx, screening, (id) => choose(ctx, state, id)),
    );
    $('#screenings').replaceChildren(...cards);
    if (cards.length === 0)
      $('#screenings').replaceChildren(el('li', { class: 'empty', text: 'No screenings coming up.' }));
    const items = tickets.map((ticket) => ticketCard(ticket, state.screenings.get(ticket.screeningId)));
    $('#tickets').replaceChildren(...items);
    if (items.length === 0)
      $('#tickets').replaceChildren(el('li', { class: 'empty', text: 'No tickets yet.' }));
  };

  onAction($('#tickets-form'), {
    pending: 'Buying…',
    idempotent: true,
    run: async ({ paymentPassword }, { idempotencyKey }) => {
      const seats = selectedSeats();
      if (seats.length === 0) throw new Error('Choose at least one seat.');
      const { screening } = state;
      const bought = await api('POST', `/v1/cinema/screenings/${segment(screening.screeningId)}/tickets`, {
        body: { seats, paymentPassword },
        idempotencyKey,
      });
      await Promise.all([choose(ctx, state, screening.screeningId, false), load()]);
      const cost = ctx.money.format(BigInt(screening.price) * BigInt(seats.length));
      return { text: `Bought ${seats.join(', ')} for ${screening.film} (${cost}).`, txId: bought.txId };
    },
  });

  return {
    load,
    reset() {
      state.screening = undefined;
      $('#tickets-form').hidden = true;
      $('#tickets').replaceChildren();
    },
  };
}
