// Size of the wasm2js build and time per estimate without WebAssembly: `node --jitless` and the
// Hermes VM, next to the WebAssembly build in plain Node and the JS peers of bench/ in the same
// engines (when `npm ci` has run in bench/). Not a test: prints a table.
//   node tests/hermes/bench.mjs
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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

const ours = {
  name: 'rork-cloud-credits',
  setup: "import init, { estimateCost } from 'rork-cloud-credits';\nawait init();",
  call: 'estimateCost(request).total',
};
const peers = [
  ['@pydantic/genai-prices', 'bench/entries/genai-prices.mjs'],
  ['tokenlens', 'bench/entries/tokenlens.mjs'],
].filter(([, entry]) => existsSync(join(root, 'bench/node_modules')) && existsSync(join(root, entry)))
  .map(([name, entry]) => ({ name, setup: `import { cost } from ${JSON.stringify(join(root, entry))};`, call: 'cost(request)' }));

const { dir, remove } = await tempDir('rork-bench-hermes-');
try {
  const file = join(dist, 'rork_cloud_credits.wasm2js.js');
  const bytes = await readFile(file);
  console.log(`wasm2js build: ${bytes.length} B raw, ${gzipSync(bytes, { level: 9 }).length} B gzip -9`);
  console.log(`request: ${JSON.stringify(REQUEST)}; median of ${RUNS} runs of ${CALLS} calls\n`);
  console.log('| library | engine | µs per call | result |\n|---|---|---:|---|');
  for (const lib of [ours, ...peers]) {
    const script = join(dir, `${lib.name.replace(/\W/g, '_')}.mjs`);
    await writeFile(script, timer(lib.setup, lib.call, 'console.log'));
    // Hermes: no top-level await, so the timing runs inside an async function. Bundling first
    // also links node_modules/rork-cloud-credits into `dir` for the Node runs.
    const wrapped = timer(lib.setup.replace('await init();', ''), lib.call, 'print')
      .replace(/^const request/m, '(async () => {\n' + (lib === ours ? 'await init();\n' : '') + 'const request') + '})();';
    const { script: bundled } = await bundleForHermes(wrapped, dir);
    const engines = [
      ['Node 20 (JIT; ours on WebAssembly)', () => node(script)],
      ['node --jitless', () => nodeJitless(script)],
      ['Hermes 0.12 (no WebAssembly)', () => runHermes(bundled)],
    ];
    for (const [engine, measure] of engines) {
      const { usPerCall, last } = JSON.parse((await measure()).trim().split('\n').pop());
      console.log(`| ${lib.name} | ${engine} | ${usPerCall.toFixed(1)} | ${last} |`);
    }
  }
} finally {
  await remove();
}
