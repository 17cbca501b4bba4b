// Child program of instructions.mjs: loads the package from `dist`, warms `what` up (so V8 has
// tiered it up), says "ready", and after a line on stdin makes `n` more calls, says "done" and
// exits at the next line. Run with `node --single-threaded --expose-gc` so no compiler or GC
// helper thread adds instructions of its own. callgrind counts between "ready" and "done"; the
// difference between two values of `n` is the cost of the calls alone.
//   node bench/count.mjs <dist dir> <cost|batch|totals> <n>
import { createInterface } from 'node:readline';
import { REQUEST } from './peers.mjs';
import { BATCH_SIZE } from './speed.mjs';

const [dist, what, n] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const api = await import(new URL('node.js', `file://${dist.replace(/\/?$/, '/')}`).href);
await api.default();
const batch = Array.from({ length: BATCH_SIZE }, () => ({ ...REQUEST }));
const calls = {
  cost: () => api.estimateCost(REQUEST).total,
  batch: () => api.estimateBatch(batch).total,
  totals: () => api.estimateTotals(batch).total,
};
const call = calls[what];
for (let i = 0, warm = what === 'cost' ? 20_000 : 300; i < warm; i++) call();
// Full collections before and after, so both runs pay for exactly the garbage they made.
globalThis.gc();
// The parent counts instructions from "ready" (after it answers) to "done".
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
console.log('ready');
await lines.next();
let sink = 0;
for (let i = 0; i < n; i++) sink += call().length;
globalThis.gc();
console.log('done');
await lines.next();
if (sink === 0) throw new Error('unreachable: keeps the results alive');
