// Start-up: from `import` to the first estimate, in a fresh Node process and a fresh Chromium page.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { median } from './speed.mjs';
import { PEERS, REQUEST } from './peers.mjs';

const run = promisify(execFile);
const RUNS = 7;

/** Code that imports `url`, makes its first estimate and sets `elapsed` (ms). */
function probe(url, ours) {
  const first = ours
    ? `await m.default(); m.estimateCost(${JSON.stringify(REQUEST)});`
    : `m.cost(${JSON.stringify(REQUEST)});`;
  return `const t0 = performance.now(); const m = await import(${JSON.stringify(url)}); ${first} const elapsed = performance.now() - t0;`;
}

/** Our entries: the whole SDK and the estimate-only module, by their directory in the package's dist. */
const OURS = [
  { name: 'rork-cloud-credits', dir: '' },
  { name: 'rork-cloud-credits/estimate', dir: 'estimate/' },
];

/** What is measured: our modules through `oursUrl(dir)`, then every peer through `peerUrl(index)`. */
function targets(oursUrl, peerUrl) {
  return [
    ...OURS.map(({ name, dir }) => ({ name, code: probe(oursUrl(dir), true) })),
    ...PEERS.map((peer, i) => ({ name: peer.name, code: probe(peerUrl(i), false) })),
  ];
}

/** Median ms from import to first estimate in fresh Node processes, through each module's `node.js` in `dist`. */
export async function nodeStartup(dist) {
  const rows = [];
  const peerUrl = (i) => new URL(PEERS[i].entry, import.meta.url).href;
  for (const target of targets((dir) => new URL(`${dir}node.js`, `file://${dist}`).href, peerUrl)) {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `${target.code} console.log(elapsed);`], { cwd: fileURLToPath(new URL('.', import.meta.url)) });
      times.push(Number(stdout.trim()));
    }
    rows.push({ name: target.name, ms: median(times) });
  }
  return rows;
}

/** Median ms from import to first estimate in fresh Chromium contexts (no shared cache). */
export async function browserStartup(browser, origin) {
  const rows = [];
  for (const target of targets((dir) => `${origin}/dist/${dir}rork_cloud_credits.js`, (i) => `${origin}/peer/${i}.js`)) {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      times.push(await page.evaluate(`(async () => { ${target.code} return elapsed; })()`));
      await context.close();
    }
    rows.push({ name: target.name, ms: median(times) });
  }
  return rows;
}
