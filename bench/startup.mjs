// Start-up: from `import` to the first estimate, in a fresh Node process and a fresh Chromium page.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { median } from './speed.mjs';
import { PEERS, REQUEST } from './peers.mjs';

const run = promisify(execFile);
const RUNS = 7;

/** Code that imports `url`, makes its first estimate and sets `elapsed` (ms). Ours needs no init(). */
export function probe(url, ours) {
  const first = ours ? `m.estimateCost(${JSON.stringify(REQUEST)});` : `m.cost(${JSON.stringify(REQUEST)});`;
  return `const t0 = performance.now(); const m = await import(${JSON.stringify(url)}); ${first} const elapsed = performance.now() - t0;`;
}

/** Our entries: the whole SDK and the estimate-only module, by their directory in the package's dist. */
const OURS = [
  { name: 'rork-cloud-credits', dir: '' },
  { name: 'rork-cloud-credits/estimate', dir: 'estimate/' },
];

/** The baseline subject: a module with nothing in it (`entries/empty.mjs`). */
export const BASELINE = { name: 'an empty module (baseline: the import alone)', entry: 'entries/empty.mjs' };

/**
 * What is measured: our modules through `oursUrl(dir)`, every peer through `peerUrl(index)`, and
 * the baseline through `peerUrl(-1)`.
 */
function targets(oursUrl, peerUrl) {
  return [
    ...OURS.map(({ name, dir }) => ({ name, code: probe(oursUrl(dir), true) })),
    ...PEERS.map((peer, i) => ({ name: peer.name, code: probe(peerUrl(i), false) })),
    { name: BASELINE.name, baseline: true, code: probe(peerUrl(-1), false) },
  ];
}

/** Median ms from import to first estimate in fresh Node processes, through each module's `node.js` in `dist`. */
export async function nodeStartup(dist) {
  const rows = [];
  const peerUrl = (i) => new URL(i < 0 ? BASELINE.entry : PEERS[i].entry, import.meta.url).href;
  for (const target of targets((dir) => new URL(`${dir}node.js`, `file://${dist}`).href, peerUrl)) {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `${target.code} console.log(elapsed);`], { cwd: fileURLToPath(new URL('.', import.meta.url)) });
      times.push(Number(stdout.trim()));
    }
    rows.push({ name: target.name, baseline: !!target.baseline, ms: median(times) });
  }
  return rows;
}

/** Median ms from import to first estimate in fresh Chromium contexts (no shared cache). */
export async function browserStartup(browser, origin) {
  const rows = [];
  for (const target of targets((dir) => `${origin}/dist/${dir}rork_cloud_credits.js`, (i) => (i < 0 ? `${origin}/baseline.js` : `${origin}/peer/${i}.js`))) {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      times.push(await page.evaluate(`(async () => { ${target.code} return elapsed; })()`));
      await context.close();
    }
    rows.push({ name: target.name, baseline: !!target.baseline, ms: median(times) });
  }
  return rows;
}
