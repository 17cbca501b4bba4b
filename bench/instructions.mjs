// Instructions per estimate, counted by callgrind through the real package (JS wrapper, boundary
// and wasm, as V8 runs them): far steadier than wall-clock time on a shared machine (a few percent
// between runs, from V8's own heuristics).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { BATCH_SIZE } from './speed.mjs';

const run = promisify(execFile);
const child = fileURLToPath(new URL('count.mjs', import.meta.url));

/** Total instructions of a `node count.mjs` process: the smaller of two runs (noise only adds). */
async function total(dist, what, n) {
  return Math.min(await once(dist, what, n), await once(dist, what, n));
}

/** Total instructions of one `node count.mjs` process. */
async function once(dist, what, n) {
  const { stderr } = await run(
    'valgrind',
    ['--tool=callgrind', '--smc-check=all-non-file', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', '--expose-gc', child, dist, what, String(n)],
    { maxBuffer: 1 << 24 },
  );
  const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr);
  if (!refs) throw new Error(`callgrind printed no instruction count:\n${stderr}`);
  return Number(refs[1].replaceAll(',', ''));
}

/** { cost, batchItem }: instructions per estimateCost call and per estimateBatch item; null without valgrind. */
export async function instructions(dist) {
  try {
    await run('valgrind', ['--version']);
  } catch {
    return null;
  }
  // Two measured lengths after the same warm-up: one-time work (tier-up, the first collections) is
  // in both and cancels out.
  const per = async (what, short, long, items) =>
    Math.round(((await total(dist, what, long)) - (await total(dist, what, short))) / ((long - short) * items));
  return { cost: await per('cost', 5_000, 25_000, 1), batchItem: await per('batch', 100, 300, BATCH_SIZE) };
}
