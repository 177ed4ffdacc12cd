// Money in and out per day as paired bars, drawn as SVG by hand. Heights are computed from the
// amounts in bigint arithmetic (minor units), so no amount passes through a float.

import { svg } from './ui.js';

const PLOT = { top: 22, height: 150, left: 6, right: 6, bottom: 24 };
/** Pixels a day at least (a long period scrolls), and a bar at most. */
const DAY_WIDTH_MIN = 22;
const BAR_WIDTH_MAX = 18;

/** A bar's height in whole pixels: `value` of `max` (both bigint minor units) over `pixels`. */
export function barHeight(value, max, pixels) {
  if (max <= 0n || value <= 0n) return 0;
  return Math.max(1, Number((value * BigInt(pixels)) / max));
}

/** A dashed line at `value` (of `max`), labelled with the amount. */
function gridLine(money, value, max, width) {
  const y = PLOT.top + PLOT.height - barHeight(value, max, PLOT.height);
  return [
    svg('line', { x1: PLOT.left, x2: width - PLOT.right, y1: y, y2: y, class: 'grid' }),
    svg('text', { x: PLOT.left, y: y - 4, class: 'axis', text: money.format(value) }),
  ];
}

function dayBars(money, day, i, { max, dayWidth, labelEvery }) {
  const bar = Math.min(BAR_WIDTH_MAX, Math.floor(dayWidth * 0.38));
  const x = PLOT.left + i * dayWidth + (dayWidth - 2 * bar - 1) / 2;
  const base = PLOT.top + PLOT.height;
  const hIn = barHeight(day.in, max, PLOT.height);
  const hOut = barHeight(day.out, max, PLOT.height);
  const label = day.date.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  const dayNumber = {
    x: x + bar,
    y: base + 16,
    class: 'axis',
    'text-anchor': 'middle',
    text: day.date.getDate(),
  };
  return svg(
    'g',
    { class: 'day', dataset: { day: day.key, in: day.in.toString(), out: day.out.toString() } },
    svg('title', { text: `${label}: in ${money.format(day.in)}, out ${money.format(day.out)}` }),
    svg('rect', { x, y: base - hIn, width: bar, height: hIn, class: 'in' }),
    svg('rect', { x: x + bar + 1, y: base - hOut, width: bar, height: hOut, class: 'out' }),
    i % labelEvery === 0 ? svg('text', dayNumber) : undefined,
  );
}

/**
 * Paired bars, one pair a day, `width` pixels wide (or wider for a long period): `days` is
 * [{ key, date, in, out }] with amounts as bigint minor units. `label` describes the picture
 * for screen readers (the table beside it has the rows).
 */
export function dayChart(money, days, label, width) {
  const max = days.reduce((top, day) => [day.in, day.out, top].reduce((a, b) => (a > b ? a : b)), 0n);
  const plotWidth = Math.max(days.length * DAY_WIDTH_MIN, width - PLOT.left - PLOT.right);
  const dayWidth = Math.floor(plotWidth / days.length);
  const fullWidth = PLOT.left + days.length * dayWidth + PLOT.right;
  const height = PLOT.top + PLOT.height + PLOT.bottom;
  const labelEvery = Math.max(1, Math.ceil((days.length * 28) / plotWidth));
  const base = PLOT.top + PLOT.height;
  return svg(
    'svg',
    {
      viewBox: `0 0 ${fullWidth} ${height}`,
      width: fullWidth,
      height,
      role: 'img',
      'aria-label': label,
      class: 'chart',
    },
    ...(max > 0n
      ? [...gridLine(money, max, max, fullWidth), ...gridLine(money, max / 2n, max, fullWidth)]
      : []),
    svg('line', { x1: PLOT.left, x2: fullWidth - PLOT.right, y1: base, y2: base, class: 'baseline' }),
    ...days.map((day, i) => dayBars(money, day, i, { max, dayWidth, labelEvery })),
  );
}
