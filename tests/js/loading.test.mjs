// Loading and errors, through the package's Node entries (ES module and CommonJS): no init() is
// needed anywhere, init() stays optional and idempotent, and every error is a CloudCreditsError.
// Run after `cargo xtask build` with CLOUD_CREDITS_URL (a server started with --seed-demo).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const dist = new URL('../../pkg/dist/', import.meta.url);
const file = (name) => fileURLToPath(new URL(name, dist));
/** What `call()` throws; fails the test when it returns. */
function thrown(call) {
  try {
    call();
  } catch (error) {
    return error;
  }
  return assert.fail('did not throw');
}

/** Runs `code` in a fresh Node process (a module not loaded yet) and returns what it printed. */
const fresh = (code, type = 'module') =>
  execFileSync(process.execPath, [`--input-type=${type}`, '-e', code], { encoding: 'utf8' }).trim();

test('a fresh process estimates at once, imported or required, with no init()', () => {
  const call = "estimateCost({ model: 'gpt-4o', inputTokens: 1000, outputTokens: 100 }).total";
  assert.equal(fresh(`import { estimateCost } from '${file('node.js')}'; console.log(${call});`), '0.0035');
  assert.equal(fresh(`const { estimateCost } = require('${file('node.cjs')}'); console.log(${call});`, 'commonjs'), '0.0035');
  const estimateOnly = file('estimate/node.cjs');
  assert.equal(fresh(`const { formatUsd } = require('${estimateOnly}'); console.log(formatUsd('1234.565'));`, 'commonjs'), '$1,234.57');
});

test("the browser entries decode their embedded module with the engine's fromHex, or without it", () => {
  const call = "estimateCost({ model: 'gpt-4o', inputTokens: 1000, outputTokens: 100 }).total";
  for (const entry of ['rork_cloud_credits.js', 'estimate/rork_cloud_credits.js']) {
    const load = `const { estimateCost } = await import('${file(entry)}'); console.log(${call});`;
    // No Uint8Array.fromHex (Node 20, Safari before 18.2): the entry's own loop.
    assert.equal(fresh(`delete Uint8Array.fromHex; ${load}`), '0.0035', entry);
    // An engine decoder (Chromium 140+, Firefox 133+): used, and it must be what decodes.
    const spy = "let used = 0; Uint8Array.fromHex = (hex) => (used++, new Uint8Array(Buffer.from(hex, 'hex')));";
    assert.equal(fresh(`${spy} ${load} console.log(used);`), '0.0035\n1', entry);
  }
});

test('import and require give the very same objects (one module instance)', async () => {
  const esm = await import(file('node.js'));
  const cjs = createRequire(import.meta.url)(file('node.cjs'));
  for (const name of ['estimateCost', 'CloudCredits', 'CloudCreditsError', 'default']) assert.equal(esm[name], cjs[name], name);
});

test('init() is optional, resolves with nothing, and is idempotent', async () => {
  const api = await import(file('node.js'));
  assert.equal(await api.default(), undefined);
  assert.equal(await api.default(), undefined);
  assert.equal(api.estimateCost({ model: 'gpt-4o-mini', outputTokens: 1_000_000 }).total, '0.6');
});

test('a call while init(bytes) compiles loads at once, and init() then keeps that instance', () => {
  // In a fresh process: init(bytes) takes the asynchronous path; loadCatalog needs the module
  // now, so it loads it synchronously; the instance init() finishes afterwards must not replace it.
  const code = `
    import init, { catalogVersion, loadCatalog, estimateCost } from '${file('node.js')}';
    import { readFileSync } from 'node:fs';
    const loading = init(readFileSync('${file('rork_cloud_credits_bg.wasm')}'));
    const catalog = { version: 'mine-1', asOf: '2026-01-01', source: 'test', entries: [
      { id: 'm', name: 'M', provider: 'openai', kind: 'text', aliases: [], contextWindow: null, inputPer1M: '1',
        cachedInputPer1M: null, cacheWritePer1M: null, outputPer1M: '2', unit: null, pricePerUnit: null, tiers: [], note: null } ] };
    loadCatalog(JSON.stringify(catalog));
    await loading;
    await init();
    console.log(catalogVersion(), estimateCost({ model: 'm', inputTokens: 1000000 }).total);`;
  assert.equal(fresh(code), 'mine-1 1');
});

test('an error of one entry is an instance of every copy of the class (estimate, CommonJS, wasm2js)', async () => {
  const main = await import(file('node.js'));
  const estimate = await import(file('estimate/node.js'));
  const wasm2js = await import(file('rork_cloud_credits.wasm2js.js'));
  const cjsEstimate = createRequire(import.meta.url)(file('estimate/node.cjs'));
  const errors = [estimate, wasm2js, cjsEstimate, main].map((api) => thrown(() => api.estimateCost({ model: 'gpt-4oo' })));
  for (const error of errors) {
    for (const api of [main, estimate, wasm2js, cjsEstimate]) assert.ok(error instanceof api.CloudCreditsError);
  }
  assert.ok(!(new Error('x') instanceof main.CloudCreditsError));
  assert.ok(!({ code: 'unknown_model' } instanceof main.CloudCreditsError));
  class AppError extends main.CloudCreditsError {}
  assert.ok(new AppError('server', 'x') instanceof AppError);
  assert.ok(!(errors[0] instanceof AppError), 'a subclass keeps the prototype test');
});

test('errors are CloudCreditsError instances with a code, a docs link and a stack that starts in the app', async () => {
  const { estimateCost, formatUsd, CloudCreditsError } = await import(file('node.js'));
  const unknown = thrown(() => estimateCost({ model: 'gpt-4oo' }));
  assert.ok(unknown instanceof CloudCreditsError && unknown instanceof Error);
  assert.equal(unknown.name, 'CloudCreditsError');
  assert.equal(unknown.code, 'unknown_model');
  assert.equal(unknown.status, undefined);
  assert.equal(unknown.docs, 'https://github.com/rork/rork-cloud-credits/blob/main/pkg/README.md#error-unknown-model');
  assert.match(unknown.message, /did you mean "gpt-4o"/);
  assert.deepEqual(JSON.parse(JSON.stringify(unknown)), { name: 'CloudCreditsError', code: 'unknown_model', message: unknown.message, docs: unknown.docs });
  assert.doesNotMatch(unknown.stack, /wasm:\/\/|wasm-function/);
  assert.match(unknown.stack.split('\n')[0], /^CloudCreditsError: unknown model/);
  assert.match(unknown.stack, /loading\.test\.mjs/, 'the caller is on the stack');
  const invalid = thrown(() => formatUsd(0.5));
  assert.ok(invalid instanceof CloudCreditsError);
  assert.equal(invalid.code, 'invalid_input');
  // The README documents each code at the anchor the link names.
  const readme = readFileSync(fileURLToPath(new URL('../../pkg/README.md', import.meta.url)), 'utf8');
  assert.ok(readme.includes('id="error-unknown-model"'), 'pkg/README.md has the anchor');
});

test('every error code has its anchor in the README error table', async () => {
  const readme = readFileSync(fileURLToPath(new URL('../../pkg/README.md', import.meta.url)), 'utf8');
  const dts = readFileSync(file('rork_cloud_credits.d.ts'), 'utf8');
  const union = dts.slice(dts.indexOf('export type ErrorCode ='), dts.indexOf(';', dts.indexOf('export type ErrorCode =')));
  const codes = [...union.matchAll(/"([a-z_]+)"/g)].map(([, code]) => code);
  assert.ok(codes.length >= 14, codes.join(' '));
  for (const code of codes) assert.ok(readme.includes(`id="error-${code.replace(/_/g, '-')}"`), `no anchor for ${code}`);
});

test('a server error carries its HTTP status', { skip: !process.env.CLOUD_CREDITS_URL && 'needs CLOUD_CREDITS_URL' }, async () => {
  const { CloudCredits, CloudCreditsError } = await import(file('node.js'));
  const { projectId } = await (await fetch(`${process.env.CLOUD_CREDITS_URL}/v1/demo`)).json();
  const cc = new CloudCredits({ baseUrl: process.env.CLOUD_CREDITS_URL, projectId, publishableKey: 'pk_not_a_key', storage: 'memory' });
  try {
    const error = await cc.balance().then(() => assert.fail('resolved'), (error) => error);
    assert.ok(error instanceof CloudCreditsError);
    assert.equal(error.code, 'unauthorized');
    assert.equal(error.status, 401);
  } finally {
    cc.close();
  }
});
