// Child program of instructions.mjs: loads the package from `dist`, warms `what` up (so V8 has
// tiered it up), then makes `n` more calls. Run with `node --single-threaded --expose-gc`
// so no compiler or GC helper thread adds instructions of its own. callgrind counts the whole process; the difference
// between two values of `n` is the cost of the calls alone.
//   node bench/count.mjs <dist dir> <cost|batch> <n>
import { REQUEST } from './peers.mjs';
import { BATCH_SIZE } from './speed.mjs';

const [dist, what, n] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const api = await import(new URL('node.js', `file://${dist.replace(/\/?$/, '/')}`).href);
await api.default();
const batch = Array.from({ length: BATCH_SIZE }, () => ({ ...REQUEST }));
const call = what === 'batch' ? () => api.estimateBatch(batch).total : () => api.estimateCost(REQUEST).total;
for (let i = 0, warm = what === 'batch' ? 300 : 20_000; i < warm; i++) call();
// Full collections before and after, so both runs pay for exactly the garbage they made.
globalThis.gc();
let sink = 0;
for (let i = 0; i < n; i++) sink += call().length;
globalThis.gc();
console.log(sink);
