// A screening's seat map as a grid: free seats are checkboxes (Space or a click selects one),
// sold ones are disabled, the screen is at the top. The total is shown before buying.

import { el, legend } from './ui.js';

/** The seat grid of `screening` (GET /v1/cinema/screenings/{id}); `onChange` runs when a seat is (un)selected. */
export function seatGrid(screening, onChange) {
  const sold = new Set(screening.sold);
  const rows = screening.seatMap.map(({ row, count }) =>
    el(
      'div',
      { class: 'seat-row', role: 'group', 'aria-label': `Row ${row}` },
      el('span', { class: 'row-name', 'aria-hidden': 'true', text: row }),
      ...Array.from({ length: count }, (_, i) => {
        const seat = `${row}${i + 1}`;
        const taken = sold.has(seat);
        return el(
          'label',
          { class: `seat${taken ? ' sold' : ''}`, title: taken ? `${seat}, sold` : seat },
          el('input', {
            type: 'checkbox',
            name: 'seat',
            value: seat,
            disabled: taken,
            'aria-label': taken ? `${seat}, sold` : seat,
            onchange: onChange,
          }),
          el('span', { 'aria-hidden': 'true', text: i + 1 }),
        );
      }),
    ),
  );
  return el(
    'div',
    { class: 'seatmap' },
    el('div', { class: 'screen', 'aria-hidden': 'true', text: 'Screen' }),
    el('div', { class: 'seat-rows' }, ...rows),
    legend([
      ['free', 'Free'],
      ['selected', 'Selected'],
      ['sold', 'Sold'],
    ]),
  );
}

/** The selected seats and what they cost, as a sentence. */
export function totalText(money, price, seats) {
  if (seats.length === 0) return `Choose seats: ${money.format(price)} each.`;
  const total = BigInt(price) * BigInt(seats.length);
  const count = seats.length === 1 ? '1 seat' : `${seats.length} seats`;
  return `${count} (${seats.join(', ')}) × ${money.format(price)} = ${money.format(total)}`;
}
