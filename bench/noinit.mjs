// What removing init() cost (bench/RESULTS.md, "No init()"): the package built before the change
// (a separate `.wasm` fetched or read by `await init()`) against this one (the wasm embedded in the
// browser module, read by Node on first use), in one run: gzip size of what a browser downloads,
// and import → first estimate in fresh Node processes and fresh Chromium contexts.
//   node bench/noinit.mjs <dist of the earlier build>      (after `cargo xtask build`)
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { openBrowser } from '../tests/e2e/browser.mjs';
import { REQUEST } from './peers.mjs';
import { serve } from './serve.mjs';
import { median } from './speed.mjs';

const run = promisify(execFile);
const RUNS = 15;
const before = resolve(process.argv[2] ?? '');
const after = fileURLToPath(new URL('../pkg/dist/', import.meta.url));
const call = `m.estimateCost(${JSON.stringify(REQUEST)});`;

/** The variants measured: the earlier build needs `await init()`; this one needs nothing. */
const VARIANTS = [
  { name: 'before: await init(), then estimate', which: 'before', first: `await m.default(); ${call}` },
  { name: 'after: estimate (no init)', which: 'after', first: call },
  { name: 'after: await init(), then estimate', which: 'after', first: `await m.default(); ${call}` },
];

const gzip = async (file) => gzipSync(await readFile(file), { level: 9 }).length;
const ENTRIES = [
  { entry: 'rork-cloud-credits', dir: '' },
  { entry: 'rork-cloud-credits/estimate', dir: 'estimate/' },
];

/** Median ms of `code` (which prints its elapsed ms) over fresh Node processes. */
async function inNode(code) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `${code} console.log(elapsed);`]);
    times.push(Number(stdout.trim()));
  }
  return median(times);
}

/** Median ms of `code` (which sets its elapsed ms) over fresh Chromium contexts on `origin`. */
async function inChromium(browser, origin, code) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    times.push(await page.evaluate(`(async () => { ${code} return elapsed; })()`));
    await context.close();
  }
  return median(times);
}

const timed = (url, first) =>
  `const t0 = performance.now(); const m = await import(${JSON.stringify(url)}); ${first} const elapsed = performance.now() - t0;`;

const sizes = [];
for (const { entry, dir } of ENTRIES) {
  const old = (await gzip(join(before, dir, 'rork_cloud_credits_bg.wasm'))) + (await gzip(join(before, dir, 'rork_cloud_credits.js')));
  const now = await gzip(join(after, dir, 'rork_cloud_credits.js'));
  sizes.push(`| ${entry} | ${old} B (.wasm + glue) | ${now} B (one module) | ${((now / old - 1) * 100).toFixed(1)}% |`);
}

const startup = [];
const browser = await openBrowser();
const servers = { before: await serve(before, new Map()), after: await serve(after, new Map()) };
for (const { entry, dir } of ENTRIES) {
  const node = (which) => new URL(`${dir}node.js`, `file://${which === 'before' ? `${before}/` : after}`).href;
  const web = (which) => `${servers[which].origin}/dist/${dir}rork_cloud_credits.js`;
  for (const [runtime, url, measure] of [
    [`Node ${process.version}`, node, (code) => inNode(code)],
    ['Chromium', web, (code) => inChromium(browser, servers[code.includes(servers.before.origin) ? 'before' : 'after'].origin, code)],
  ]) {
    const cells = [];
    for (const variant of VARIANTS) cells.push((await measure(timed(url(variant.which), variant.first))).toFixed(2));
    startup.push(`| ${entry} | ${runtime} | ${cells.join(' ms | ')} ms |`);
  }
}
await Promise.all(Object.values(servers).map((server) => server.close()));
await browser.close();

console.log('| entry | before: gzip -9 | after | change |\n|---|---:|---:|---:|');
console.log(sizes.join('\n'));
console.log(`\n| entry | runtime | ${VARIANTS.map((v) => v.name).join(' | ')} |\n|---|---|---:|---:|---:|`);
console.log(startup.join('\n'));
