// Instructions per estimate, counted by callgrind through the real package (JS wrapper, boundary
// and wasm, as V8 runs them): repeatable where wall-clock time on a shared machine is not.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { BATCH_SIZE } from './speed.mjs';

const run = promisify(execFile);
const child = fileURLToPath(new URL('count.mjs', import.meta.url));

/** Total instructions of one `node count.mjs` process. */
async function total(dist, what, n) {
  const { stderr } = await run(
    'valgrind',
    ['--tool=callgrind', '--smc-check=all-non-file', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', child, dist, what, String(n)],
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
  const per = async (what, calls, items) => Math.round((await total(dist, what, calls) - (await total(dist, what, 0))) / (calls * items));
  return { cost: await per('cost', 10_000, 1), batchItem: await per('batch', 200, BATCH_SIZE) };
}
