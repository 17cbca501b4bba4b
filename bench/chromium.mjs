// The Chromium half of the bench alone, for iterating on a change: start-up and throughput of
// ours and the peers in headless Chromium, printed (nothing written).
//   node bench/chromium.mjs [--quick]     (BENCH_DIST=dir measures a copy of pkg/dist instead)
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { PEERS } from './peers.mjs';
import { bundle } from './size.mjs';
import { BASELINE, browserStartup } from './startup.mjs';
import { serve } from './serve.mjs';

/**
 * Start-up and throughput in headless Chromium of the package in `dist`:
 * `{ chromium, startup: [{ name, baseline, ms }], speed: [{ name, ours, peer, ns, runs }] }`.
 */
export async function chromium(dist, speedOptions) {
  const bundles = new Map();
  const browserEntry = await build({
    entryPoints: [fileURLToPath(new URL('browser-entry.mjs', import.meta.url))],
    bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, external: ['/dist/*'], logLevel: 'silent',
  });
  bundles.set('/speed.js', browserEntry.outputFiles[0].contents);
  for (const [i, peer] of PEERS.entries()) bundles.set(`/peer/${i}.js`, await bundle(peer.entry));
  bundles.set('/baseline.js', await bundle(BASELINE.entry));
  const server = await serve(dist, bundles);
  const { openBrowser } = await import('../tests/e2e/browser.mjs');
  const browser = await openBrowser();
  try {
    const startup = await browserStartup(browser, server.origin);
    const page = await browser.newPage();
    await page.goto(`${server.origin}/`);
    await page.addScriptTag({ url: '/speed.js', type: 'module' });
    await page.waitForFunction(() => typeof globalThis.runSpeed === 'function');
    const speed = await page.evaluate((options) => globalThis.runSpeed(options), speedOptions);
    return { chromium: browser.version(), startup, speed };
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = process.env.BENCH_DIST ? `${process.env.BENCH_DIST.replace(/\/$/, '')}/` : fileURLToPath(new URL('../pkg/dist/', import.meta.url));
  const quick = process.argv.includes('--quick');
  const { chromium: version, startup, speed } = await chromium(dist, quick ? { rounds: 3, roundMs: 60 } : { rounds: 9, roundMs: 200 });
  console.log(`Chromium ${version}`);
  for (const { name, ms } of startup) console.log(`start-up  ${ms.toFixed(1).padStart(7)} ms  ${name}`);
  for (const { name, ns } of speed) console.log(`speed     ${ns.toFixed(0).padStart(7)} ns  ${name}`);
}
