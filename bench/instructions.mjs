// Instructions per estimate, counted by callgrind through the real package (JS wrapper, boundary
// and wasm, as V8 runs them): far steadier than wall-clock time on a shared machine (a few percent
// between runs, from V8's own heuristics).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { BATCH_SIZE } from './speed.mjs';

const run = promisify(execFile);
const child = fileURLToPath(new URL('count.mjs', import.meta.url));

/** Instructions of `n` calls in a `node count.mjs` process: the smaller of two runs (noise only adds). */
async function total(dist, what, n) {
  return Math.min(await once(dist, what, n), await once(dist, what, n));
}

/**
 * Instructions of one `node count.mjs` process while it makes its `n` measured calls: callgrind
 * starts with counting off (`--instr-atstart=no`) and `callgrind_control` turns it on when the
 * child is warm and off when the calls are done, so Node's start-up, module loading and the
 * warm-up (which vary by hundreds of millions of instructions between runs) are not counted.
 */
async function once(dist, what, n) {
  const proc = spawn(
    'valgrind',
    ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', '--expose-gc', child, dist, what, String(n)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  proc.stderr.on('data', (chunk) => (stderr += chunk));
  const closed = new Promise((resolve) => proc.on('close', resolve));
  const instrument = (on) => execFileSync('callgrind_control', [`--instr=${on ? 'on' : 'off'}`, String(proc.pid)], { stdio: 'ignore' });
  for await (const line of createInterface({ input: proc.stdout })) {
    if (line === 'ready') {
      instrument(true);
      proc.stdin.write('go\n');
    } else if (line === 'done') {
      instrument(false);
      proc.stdin.end('exit\n');
    }
  }
  const code = await closed;
  const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr);
  if (code !== 0 || !refs) throw new Error(`callgrind printed no instruction count (exit ${code}):\n${stderr}`);
  return Number(refs[1].replaceAll(',', ''));
}

/** { cost, batchItem, totalsItem }: instructions per estimateCost call and per estimateBatch / estimateTotals item; null without valgrind. */
export async function instructions(dist) {
  try {
    await run('valgrind', ['--version']);
  } catch {
    return null;
  }
  // Two measured lengths after the same warm-up: what the measured stretch pays once (the
  // collections before and after it, the hand-over) is in both and cancels out.
  const per = async (what, short, long, items) =>
    Math.round(((await total(dist, what, long)) - (await total(dist, what, short))) / ((long - short) * items));
  return {
    cost: await per('cost', 5_000, 25_000, 1),
    batchItem: await per('batch', 100, 300, BATCH_SIZE),
    totalsItem: await per('totals', 100, 300, BATCH_SIZE),
  };
}
