// The package in `node --jitless`, where `typeof WebAssembly === 'undefined'`: the Node entry
// (node.js over node.cjs) uses the wasm2js build, which must give exactly what the WebAssembly
// build gives. Run after `cargo xtask build`: node --test tests/hermes/
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { dist, node, nodeJitless, root, testUnderJitless } from './harness.mjs';
import { expectHandValues, expectSameAsWasm } from './expect.mjs';

const observer = join(root, 'tests/hermes/observe-node.mjs');
let reference;
let jitless;
let estimateOnly;

before(async () => {
  [reference, jitless, estimateOnly] = await Promise.all([
    node(observer).then(JSON.parse),
    nodeJitless(observer).then(JSON.parse),
    nodeJitless(observer, ['estimate']).then(JSON.parse),
  ]);
});

test('node --jitless has no WebAssembly, and the Node entry still works', () => {
  assert.equal(jitless.runtime.WebAssembly, 'undefined');
  assert.equal(reference.runtime.WebAssembly, 'object');
});

test('the wasm2js build gives exactly what the WebAssembly build gives', () => {
  expectSameAsWasm(jitless, reference);
});

test('the wasm2js build gives the hand-computed totals and error codes', () => {
  expectHandValues(jitless);
});

test('the estimate-only entry (rork-cloud-credits/estimate) falls back too, with the same answers', () => {
  assert.equal(estimateOnly.runtime.WebAssembly, 'undefined');
  expectSameAsWasm(estimateOnly, reference);
  expectHandValues(estimateOnly);
});

test('the whole estimate suite (tests/js/estimate.test.mjs) passes under --jitless', () => {
  const suite = testUnderJitless(join(root, 'tests/js/estimate.test.mjs'));
  const { count } = suite;
  assert.equal(count('fail'), 0, suite.stdout.slice(-4000));
  assert.ok(count('pass') >= 8, `${count('pass')} estimate tests passed`);
  assert.equal(suite.status, 0, suite.stderr);
});

test('every entry exports the same API: browser, wasm2js (ES module and CommonJS) and Node', async () => {
  const names = async (file) => Object.keys(await import(join(dist, file))).sort();
  for (const dir of ['', 'estimate/']) {
    const wasm = await names(`${dir}rork_cloud_credits.js`);
    assert.ok(['estimateCost', 'default', 'CloudCreditsError'].every((name) => wasm.includes(name)), wasm.join(' '));
    assert.ok(!wasm.includes('initSync') && !wasm.some((name) => name.startsWith('__')), wasm.join(' '));
    assert.equal(wasm.includes('CloudCredits'), dir === '', `${dir}: the client only in the whole SDK`);
    for (const file of ['rork_cloud_credits.wasm2js.js', 'node.js']) {
      assert.deepEqual(await names(`${dir}${file}`), wasm, `${dir}${file}`);
    }
    for (const file of ['rork_cloud_credits.wasm2js.cjs', 'node.cjs']) {
      const cjs = Object.keys(createRequire(import.meta.url)(join(dist, `${dir}${file}`))).sort();
      assert.deepEqual(cjs, wasm, `${dir}${file}`);
    }
  }
});
