// The cloud client (CloudCredits) in the Hermes VM, React Native's JavaScript engine, bundled as
// Metro resolves the package (the `react-native` condition: the wasm2js build). The Hermes CLI has
// no network (no fetch, no sockets), so this suite covers what runs on the device without the
// server: the missing crypto.getRandomValues, an AsyncStorage-shaped adapter keeping the queue
// across client instances, the memory-only warning, and no browser globals. The same client
// against the real server is tests/hermes/client.test.mjs (node --jitless).
// Run after `cargo xtask build`: node --test tests/hermes/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runInHermes, tempDir } from './harness.mjs';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// Runs in Hermes: prints one `RESULT <json>` line with what it observed.
const APP = `
import init, { CloudCredits } from 'rork-cloud-credits';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const caught = (call) => {
  try { call(); return null; } catch (error) {
    return { isError: error instanceof Error, name: error.name, code: error.code, message: error.message };
  }
};
/** Async key-value storage with AsyncStorage's methods, answering after a timer. */
class AsyncMapStorage {
  constructor() { this.map = new Map(); }
  async getItem(key) { await sleep(1); return this.map.has(key) ? this.map.get(key) : null; }
  async setItem(key, value) { await sleep(1); this.map.set(key, value); }
  async removeItem(key) { await sleep(1); this.map.delete(key); }
}
/** What React Native's fetch does without a connection. Hermes itself has no fetch. */
const offlineFetch = () => Promise.reject(new TypeError('Network request failed'));
const options = (more) => ({ baseUrl: 'https://credits.example.com', projectId: 'proj-1', publishableKey: 'pk_test', fetch: offlineFetch, ...more });
const usage = { model: 'gpt-4o-mini', inputTokens: 100, outputTokens: 20, feature: 'hermes' };

(async () => {
  await init();
  const out = {};
  out.runtime = {
    WebAssembly: typeof WebAssembly, window: typeof window, document: typeof document,
    crypto: typeof crypto, fetch: typeof fetch, localStorage: typeof localStorage,
  };
  out.withoutCrypto = caught(() => new CloudCredits(options({ storage: new AsyncMapStorage() })));

  // What react-native-get-random-values installs (it fills from the platform's secure random).
  globalThis.crypto = { getRandomValues(bytes) { for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256); return bytes; } };

  const storage = new AsyncMapStorage();
  const first = new CloudCredits(options({ storage }));
  const firstErrors = [];
  first.on('error', (error) => firstErrors.push(error.code));
  out.ids = [];
  for (let i = 0; i < 3; i++) out.ids.push(first.reportUsage(usage));
  out.offlineFlush = await first.flush();
  out.balance = await first.balance().then(() => 'resolved', (error) => ({ isError: error instanceof Error, code: error.code }));
  first.close();
  // No AbortController, AbortSignal.timeout or AbortSignal.any in Hermes: a deadline still ends a call.
  out.abortApis = { AbortController: typeof AbortController, AbortSignal: typeof AbortSignal };
  const hanging = new CloudCredits(options({ projectId: 'proj-timeout', storage: new AsyncMapStorage(), fetch: () => new Promise(() => {}) }));
  out.timeout = await hanging.balance({ timeoutMs: 30 }).then(() => 'resolved', (error) => ({ code: error.code, message: error.message }));
  hanging.close();
  await sleep(50);
  out.storedKeys = Array.from(storage.map.keys());
  out.stored = storage.map.get('rork-cloud-credits:v1:proj-1:queue') || '';
  out.firstErrors = firstErrors;

  const second = new CloudCredits(options({ storage }));
  out.restoredFlush = await second.flush();
  out.restoredPending = second.pending();
  second.close();

  const volatile = new CloudCredits(options());
  const warnings = [];
  volatile.on('error', (error) => warnings.push({ isError: error instanceof Error, code: error.code, message: error.message }));
  await sleep(20);
  out.warnings = warnings;
  volatile.close();
  print('RESULT ' + JSON.stringify(out));
})().catch((error) => print('FAILED ' + error + '\\n' + error.stack));
`;

let work;
let observed;

before(async () => {
  work = await tempDir('rork-hermes-client-');
  observed = (await runInHermes(APP, work.dir, 'RESULT ')).result;
});

after(() => work?.remove());

test('Hermes has no WebAssembly, window, document, crypto, fetch or localStorage', () => {
  assert.deepEqual(observed.runtime, {
    WebAssembly: 'undefined', window: 'undefined', document: 'undefined',
    crypto: 'undefined', fetch: 'undefined', localStorage: 'undefined',
  });
});

test('without crypto.getRandomValues the constructor throws invalid_input naming the polyfill', () => {
  const error = observed.withoutCrypto;
  assert.ok(error, 'the constructor threw');
  assert.equal(error.isError, true);
  assert.equal(error.name, 'CloudCreditsError');
  assert.equal(error.code, 'invalid_input');
  assert.match(error.message, /react-native-get-random-values/);
});

test('reportUsage returns distinct UUIDs and an offline flush keeps every event', () => {
  assert.equal(observed.ids.length, 3);
  assert.equal(new Set(observed.ids).size, 3);
  for (const id of observed.ids) assert.match(id, UUID_V4);
  assert.deepEqual(observed.offlineFlush, { sent: 0, duplicate: 0, rejected: 0, pending: 3 });
  assert.deepEqual(observed.balance, { isError: true, code: 'network' });
  assert.deepEqual(observed.firstErrors, ['network'], 'the failed delivery is told; no memory-only warning with an adapter');
});

test('without AbortController a call still ends at its deadline with network', () => {
  assert.equal(observed.abortApis.AbortSignal === 'function' && observed.abortApis.AbortController === 'function', false,
    `Hermes gained the abort APIs (${JSON.stringify(observed.abortApis)}): this test no longer covers their absence`);
  assert.equal(observed.timeout.code, 'network', JSON.stringify(observed.timeout));
  assert.match(observed.timeout.message, /timed out after 30 ms/);
});

test('the queue is kept in the adapter under one key and a new client restores it', () => {
  assert.deepEqual(observed.storedKeys, ['rork-cloud-credits:v1:proj-1:queue']);
  for (const id of observed.ids) assert.ok(observed.stored.includes(id), id);
  assert.deepEqual(observed.restoredFlush, { sent: 0, duplicate: 0, rejected: 0, pending: 3 });
  assert.equal(observed.restoredPending, 3);
});

test('without storage the client warns through an error event', () => {
  assert.equal(observed.warnings.length, 1);
  assert.equal(observed.warnings[0].isError, true);
  assert.equal(observed.warnings[0].code, 'invalid_input');
  assert.match(observed.warnings[0].message, /no persistent storage/);
});
