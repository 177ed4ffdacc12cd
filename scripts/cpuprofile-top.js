#!/usr/bin/env node
// Summarises V8 CPU profiles (node --cpu-prof, or `BENCH_CPU_PROFILE=<dir> npm run bench`):
// self time by function and by package or file, largest first, plus the total time spent
// under chosen functions (inclusive), so a change's effect on one place can be compared.
//
//   node scripts/cpuprofile-top.js <file.cpuprofile> [--top 25] [--under name,name]
//                                   [--callers name]   (the stacks that lead to a function)
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.find((arg) => !arg.startsWith('--') && !/^\d+$/.test(arg));
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
};
if (!file) {
  console.error('usage: node scripts/cpuprofile-top.js <file.cpuprofile> [--top N] [--under fn1,fn2]');
  process.exit(2);
}
const top = Number(option('--top', '25'));
const under = option('--under', '').split(',').filter(Boolean);

const callersOf = option('--callers', '');

const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

// Self time per node from the samples and their time deltas (microseconds).
const self = new Map();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

const where = (frame) => {
  const url = frame.url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return url;
  return url.replace(/^.*?\/(api|ccaas|operator|tests)\//, '$1/');
};
const label = (frame) =>
  `${frame.functionName || '(anonymous)'} ${where(frame)}:${String(frame.lineNumber + 1)}`;

const byStack = new Map();
const byFunction = new Map();
const byPlace = new Map();
const inclusive = new Map(under.map((name) => [name, 0]));
for (const [id, time] of self) {
  const { callFrame } = nodes.get(id);
  byFunction.set(label(callFrame), (byFunction.get(label(callFrame)) ?? 0) + time);
  byPlace.set(where(callFrame), (byPlace.get(where(callFrame)) ?? 0) + time);
  if (callersOf && callerFrame(id)) {
    const stack = [];
    for (let at = parent.get(id); at !== undefined && stack.length < 8; at = parent.get(at))
      stack.push(label(nodes.get(at).callFrame));
    byStack.set(stack.join('\n            <- '), (byStack.get(stack.join('\n            <- ')) ?? 0) + time);
  }
  // Counted once per sample for each chosen function found on its stack.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const name = nodes.get(at).callFrame.functionName;
    if (inclusive.has(name) && !seen.has(name)) {
      seen.add(name);
      inclusive.set(name, inclusive.get(name) + time);
    }
  }
}

function callerFrame(id) {
  return nodes.get(id).callFrame.functionName === callersOf;
}

const ms = (us) => (us / 1000).toFixed(0).padStart(8);
const pct = (us) => ((100 * us) / total).toFixed(1).padStart(5);
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${ms(time)} ms ${pct(time)}%  ${name}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
print('self time by package or file', byPlace);
print('self time by function', byFunction);
if (under.length > 0) print('inclusive time under', inclusive);
if (callersOf) print(`stacks into ${callersOf}`, byStack);
