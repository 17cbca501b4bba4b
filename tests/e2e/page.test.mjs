// Browser end-to-end tests of the demo page: real Chromium (Debian's), driven by
// playwright-core, against the real reference server that `cargo xtask test` starts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { openBrowser } from './browser.mjs';

const base = process.env.CLOUD_CREDITS_URL;
let browser;

before(async () => {
  assert.ok(base, 'CLOUD_CREDITS_URL must point at a running reference server');
  browser = await openBrowser();
});
after(() => browser?.close());

test('the demo page loads the wasm module without console errors', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${base}/`);
  const status = page.locator('#status[data-state]');
  await status.waitFor();
  assert.equal(await status.getAttribute('data-state'), 'ready', await status.textContent());
  assert.match(await status.textContent(), /SDK ready: \d+ models/);
  mkdirSync('tests/artifacts', { recursive: true });
  await page.screenshot({ path: 'tests/artifacts/demo-desktop.png', fullPage: true });
  assert.deepEqual(problems, []);
});
