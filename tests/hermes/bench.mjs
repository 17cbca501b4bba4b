// Size of the wasm2js builds and time per estimate without WebAssembly: `node --jitless` and the
// Hermes VM, next to the WebAssembly build in plain Node and the JS peers of bench/ in the same
// engines (when `npm ci` has run in bench/). Not a test: `cargo xtask bench` calls
// measureWithoutWasm() for bench/RESULTS.md; run on its own it prints a table.
//   node tests/hermes/bench.mjs
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleForHermes, dist, node, nodeJitless, root, runHermes, tempDir } from './harness.mjs';

/** The reference request of bench/peers.mjs (issue 9). */
const REQUEST = { model: 'gpt-4o', inputTokens: 1234, cachedInputTokens: 100, outputTokens: 567 };
const CALLS = 2000;
const RUNS = 5;

/** A module that times CALLS calls of `cost` RUNS times and prints the median µs per call. */
const timer = (setup, call, out) => `
${setup}
const request = ${JSON.stringify(REQUEST)};
const times = [];
let last;
for (let run = 0; run < ${RUNS + 1}; run++) {
  const start = Date.now();
  for (let i = 0; i < ${CALLS}; i++) last = ${call};
  if (run > 0) times.push(((Date.now() - start) * 1000) / ${CALLS});
}
times.sort((a, b) => a - b);
${out}(JSON.stringify({ usPerCall: times[${RUNS >> 1}], last: String(last) }));
`;

/** Our two entries (the whole SDK, estimates only) and the peers, each as module setup and a call. */
const subjects = [
  ['rork-cloud-credits', 'rork-cloud-credits'],
  ['rork-cloud-credits/estimate', 'rork-cloud-credits/estimate'],
].map(([name, specifier]) => ({
  name,
  ours: true,
  setup: `import init, { estimateCost } from '${specifier}';\nawait init();`,
  call: 'estimateCost(request).total',
}));
const peers = [
  ['@pydantic/genai-prices', 'bench/entries/genai-prices.mjs'],
  ['tokenlens', 'bench/entries/tokenlens.mjs'],
].filter(([, entry]) => existsSync(join(root, 'bench/node_modules')) && existsSync(join(root, entry)))
  .map(([name, entry]) => ({ name, setup: `import { cost } from ${JSON.stringify(join(root, entry))};`, call: 'cost(request)' }));

/** The engines, by the name the results use. */
export const ENGINES = ['Node 20 (JIT; ours on WebAssembly)', 'node --jitless', 'Hermes 0.12 (no WebAssembly)'];

/**
 * Sizes of both wasm2js builds and µs per estimateCost of every subject in every engine:
 * `{ sizes: [{ file, raw, gzip }], request, calls, runs, engines, times: [{ name, ours, engine, usPerCall, last }] }`.
 */
export async function measureWithoutWasm() {
  const sizes = [];
  for (const file of ['rork_cloud_credits.wasm2js.js', 'estimate/rork_cloud_credits.wasm2js.js']) {
    const bytes = await readFile(join(dist, file));
    sizes.push({ file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  const times = [];
  const { dir, remove } = await tempDir('rork-bench-hermes-');
  try {
    for (const lib of [...subjects, ...peers]) {
      const script = join(dir, `${lib.name.replace(/\W/g, '_')}.mjs`);
      await writeFile(script, timer(lib.setup, lib.call, 'console.log'));
      // Hermes: no top-level await, so the timing runs inside an async function. Bundling first
      // also links node_modules/rork-cloud-credits into `dir` for the Node runs.
      const wrapped = timer(lib.setup.replace('await init();', ''), lib.call, 'print')
        .replace(/^const request/m, '(async () => {\n' + (lib.ours ? 'await init();\n' : '') + 'const request') + '})();';
      const { script: bundled } = await bundleForHermes(wrapped, dir);
      const run = [() => node(script), () => nodeJitless(script), () => runHermes(bundled)];
      for (const [i, engine] of ENGINES.entries()) {
        const { usPerCall, last } = JSON.parse((await run[i]()).trim().split('\n').pop());
        times.push({ name: lib.name, ours: !!lib.ours, engine, usPerCall, last });
      }
    }
  } finally {
    await remove();
  }
  return { sizes, request: REQUEST, calls: CALLS, runs: RUNS, engines: ENGINES, times };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { sizes, times } = await measureWithoutWasm();
  for (const { file, raw, gzip } of sizes) console.log(`${file}: ${raw} B raw, ${gzip} B gzip -9`);
  console.log(`request: ${JSON.stringify(REQUEST)}; median of ${RUNS} runs of ${CALLS} calls\n`);
  console.log('| library | engine | µs per call | result |\n|---|---|---:|---|');
  for (const t of times) console.log(`| ${t.name} | ${t.engine} | ${t.usPerCall.toFixed(1)} | ${t.last} |`);
}
