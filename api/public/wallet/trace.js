// A token's trace as a picture: its transaction at the top, the transactions its money came
// from below, down to the mints; arrows show the money moving up. Drawn as SVG by hand.

import { svg, el, when } from './ui.js';
import { sumOf } from './money.js';

const NODE = { width: 184, height: 86 };
const GAP = { x: 20, y: 44 };
const PAD = 12;
const KIND = { mint: 'Mint', transfer: 'Payment', purchase: 'Tickets' };

const txOf = (outpoint) => outpoint.slice(0, outpoint.lastIndexOf(':'));

/**
 * Each transaction's level: 0 for the token's own, and one below the lowest transaction that
 * spends it, so every arrow points up. The ledger's graph has no cycles; the guard bounds the
 * walk should a broken answer have one.
 */
export function levelsOf(graph) {
  const byId = new Map(graph.txs.map((tx) => [tx.txId, tx]));
  const level = new Map([[graph.root.txId, 0]]);
  const queue = [graph.root.txId];
  for (let steps = 0; queue.length > 0 && steps < byId.size * byId.size + 1; steps++) {
    const id = queue.shift();
    const below = (level.get(id) ?? 0) + 1;
    for (const parent of new Set((byId.get(id)?.inputs ?? []).map(txOf))) {
      if (!byId.has(parent) || (level.get(parent) ?? -1) >= below) continue;
      level.set(parent, below);
      queue.push(parent);
    }
  }
  return level;
}

/** How much of each transaction's money is on the way to the token (minor units, a bigint). */
export function flowsOf(graph) {
  const spent = new Set(graph.txs.flatMap((tx) => tx.inputs));
  return new Map(
    graph.txs.map((tx) => {
      if (tx.txId === graph.root.txId) return [tx.txId, BigInt(tx.outputs[graph.root.index]?.amount ?? 0)];
      const used = tx.outputs.filter((_, index) => spent.has(`${tx.txId}:${index}`));
      return [tx.txId, sumOf(used.map((output) => output.amount))];
    }),
  );
}

/** Where each transaction's box goes: rows by level, each row centred. */
function place(graph, levels) {
  const rows = [];
  for (const tx of graph.txs) {
    const level = levels.get(tx.txId);
    if (level === undefined) continue;
    (rows[level] ??= []).push(tx);
  }
  const widest = Math.max(1, ...rows.map((row) => row?.length ?? 0));
  const width = PAD * 2 + widest * NODE.width + (widest - 1) * GAP.x;
  const boxes = new Map();
  rows.forEach((row = [], level) => {
    const rowWidth = row.length * NODE.width + (row.length - 1) * GAP.x;
    row.forEach((tx, i) => {
      const x = (width - rowWidth) / 2 + i * (NODE.width + GAP.x);
      boxes.set(tx.txId, { x, y: PAD + level * (NODE.height + GAP.y), tx });
    });
  });
  return { boxes, width, height: PAD * 2 + rows.length * NODE.height + (rows.length - 1) * GAP.y };
}

function nodeOf(money, box, flow, isRoot) {
  const { x, y, tx } = box;
  const kind = isRoot ? 'Your token' : (KIND[tx.kind] ?? tx.kind);
  return svg(
    'g',
    { class: `node ${tx.kind}${isRoot ? ' root' : ''}`, dataset: { kind: tx.kind, txid: tx.txId } },
    svg('title', { text: `${kind}: ${money.format(flow)}, transaction ${tx.txId}, ${when(tx.ts)}` }),
    svg('rect', { x, y, width: NODE.width, height: NODE.height, rx: 10 }),
    svg('text', { x: x + 12, y: y + 19, class: 'kind', text: kind }),
    svg('text', { x: x + 12, y: y + 41, class: 'amount', text: money.format(flow) }),
    svg('text', { x: x + 12, y: y + 60, class: 'tx', text: `tx ${tx.txId.slice(0, 16)}…` }),
    svg('text', { x: x + 12, y: y + 76, class: 'time', text: when(tx.ts) }),
  );
}

function edgesOf(graph, boxes) {
  const edges = [];
  for (const child of graph.txs) {
    const to = boxes.get(child.txId);
    for (const parent of new Set(child.inputs.map(txOf))) {
      const from = boxes.get(parent);
      if (!to || !from) continue;
      const [x1, y1, x2, y2] = [from.x + NODE.width / 2, from.y, to.x + NODE.width / 2, to.y + NODE.height];
      const bend = GAP.y / 2;
      const d = `M${x1} ${y1} C${x1} ${y1 - bend} ${x2} ${y2 + bend} ${x2} ${y2 + 6}`;
      edges.push(svg('path', { d, class: 'edge', 'marker-end': 'url(#arrow)' }));
    }
  }
  return edges;
}

/**
 * The trace of `graph` (GET /v1/me/tokens/{txId}/{index}/trace): `graph` an SVG picture,
 * `steps` the same as list items (for screen readers and copying), `summary` one sentence.
 */
export function traceFigure(money, graph) {
  const levels = levelsOf(graph);
  const flows = flowsOf(graph);
  const { boxes, width, height } = place(graph, levels);
  const token = flows.get(graph.root.txId) ?? 0n;
  const mints = graph.mints.length === 1 ? '1 mint' : `${graph.mints.length} mints`;
  const summary =
    `A token of ${money.format(token)}: ${graph.txs.length} transaction${graph.txs.length === 1 ? '' : 's'} ` +
    `back to ${mints}${graph.complete ? '' : ' (cut at the depth limit)'}.`;
  const arrow = svg(
    'marker',
    { id: 'arrow', viewBox: '0 0 10 10', refX: 8, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto' },
    svg('path', { d: 'M0 0 L10 5 L0 10 z', class: 'arrow' }),
  );
  const picture = svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': summary, class: 'trace' },
    svg('defs', {}, arrow),
    ...edgesOf(graph, boxes),
    ...[...boxes.values()].map((box) =>
      nodeOf(money, box, flows.get(box.tx.txId) ?? 0n, box.tx.txId === graph.root.txId),
    ),
  );
  const steps = [...boxes.values()]
    .sort((a, b) => a.y - b.y || a.x - b.x)
    .map(({ tx }) =>
      el('li', {
        text: `${KIND[tx.kind] ?? tx.kind} ${tx.txId} on ${when(tx.ts)}: ${money.format(flows.get(tx.txId) ?? 0n)}`,
      }),
    );
  return { graph: picture, steps, summary };
}
