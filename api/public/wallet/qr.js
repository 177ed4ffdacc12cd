// A QR code as SVG. The encoding is qrcode-generator's (npm, MIT; served by the API from its
// own dependencies at /wallet/vendor/qrcode.mjs); the drawing is ours, one path of squares.

import qrcode from './vendor/qrcode.mjs';
import { svg } from './ui.js';

/** Modules of white around the code, as the QR specification asks for. */
const QUIET = 4;

/** `text` as a QR code picture (error correction M), described by `label`. */
export function qrSvg(text, label) {
  const code = qrcode(0, 'M');
  code.addData(text);
  code.make();
  const count = code.getModuleCount();
  const size = count + QUIET * 2;
  let path = '';
  for (let row = 0; row < count; row++)
    for (let col = 0; col < count; col++)
      if (code.isDark(row, col)) path += `M${col + QUIET} ${row + QUIET}h1v1h-1z`;
  return svg(
    'svg',
    {
      viewBox: `0 0 ${size} ${size}`,
      class: 'qr',
      role: 'img',
      'aria-label': label,
      'shape-rendering': 'crispEdges',
    },
    svg('rect', { width: size, height: size, fill: '#fff' }),
    svg('path', { d: path, fill: '#000' }),
  );
}
