// The cloud client (CloudCredits) without WebAssembly, as in React Native: the package's Node entry
// under `node --jitless` (WebAssembly undefined, so it uses the wasm2js build) against the real
// reference server, with an AsyncStorage-shaped storage adapter.
//
// This one file is both halves: run by `node --test` (WebAssembly present) it reruns itself under
// `node --jitless --test` and passes when every test there passed; under --jitless it is the suite.
// Needs CLOUD_CREDITS_URL (a server started with --seed-demo). Run after `cargo xtask build`:
// node --test tests/hermes/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { atto } from '../decimal.mjs';
import { testUnderJitless } from './harness.mjs';

const SERVER = process.env.CLOUD_CREDITS_URL;
const self = fileURLToPath(import.meta.url);
/** The tests below, run under --jitless. */
const TESTS = 11;

if (typeof WebAssembly === 'object') {
  test('the cloud client suite passes under node --jitless (the wasm2js build)',
    { skip: !SERVER && 'CLOUD_CREDITS_URL not set', timeout: 240_000 }, () => {
      const suite = testUnderJitless(self);
      const { count } = suite;
      assert.equal(count('fail'), 0, suite.stdout.slice(-6000));
      assert.equal(count('pass'), TESTS, suite.stdout.slice(-6000));
      assert.equal(suite.status, 0, suite.stderr);
    });
} else {
  await jitlessSuite();
}

/**
 * `fetch` over node:http. Node's global fetch (undici) parses HTTP with a WebAssembly module and
 * throws `WebAssembly is not defined` under --jitless; React Native brings its own fetch, and the
 * client takes any through its `fetch` option. Plain HTTP only: that is what the test server speaks.
 */
function httpFetch(url, init = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, signal: init.signal }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode,
          ok: res.statusCode >= 200 && res.statusCode < 300,
          headers: { get: (name) => res.headers[name.toLowerCase()] ?? null },
          text: async () => body,
          json: async () => JSON.parse(body),
        });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/**
 * React Native's modules the README example imports, as this test provides them: AsyncStorage over
 * a Map, an AppState whose changes the test sends, and react-native-get-random-values (Node has
 * crypto.getRandomValues already).
 */
const REACT_NATIVE_STAND_INS = {
  'react-native': `const listeners = [];
    export const AppState = { addEventListener: (type, listener) => { listeners.push(listener); return { remove() {} }; } };
    export const sendAppState = (state) => listeners.forEach((listener) => listener(state));`,
  '@react-native-async-storage/async-storage': `export const map = new Map();
    export default {
      getItem: async (key) => (map.has(key) ? map.get(key) : null),
      setItem: async (key, value) => { map.set(key, value); },
      removeItem: async (key) => { map.delete(key); },
    };`,
  'react-native-get-random-values': '',
};

async function jitlessSuite() {
  // No init(): the Node entry takes the wasm2js build where WebAssembly is missing.
  const api = await import('../../pkg/dist/node.js');
  const wasm2js = createRequire(import.meta.url)('../../pkg/dist/rork_cloud_credits.wasm2js.cjs');
  const { projectId, publishableKey } = await (await httpFetch(`${SERVER}/v1/demo`)).json();
  const QUEUE_KEY = `rork-cloud-credits:v1:${projectId}:queue`;
  const usage = { model: 'gpt-4o-mini', inputTokens: 1000, cachedInputTokens: 200, outputTokens: 300 };

  /** The balance as the server reports it to a plain HTTP request (not through the client). */
  const serverBalance = async () => {
    const res = await httpFetch(`${SERVER}/v1/projects/${projectId}/balance`, { headers: { Authorization: `Bearer ${publishableKey}` } });
    assert.equal(res.status, 200);
    return res.json();
  };
  const { pkgDir, readmeExample, tempDir } = await import('./harness.mjs');
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  /** Waits until `check()` holds (background storage writes), failing after 5 s. */
  const eventually = async (check, what) => {
    for (let i = 0; i < 250; i++) {
      if (check()) return;
      await sleep(20);
    }
    assert.fail(`timed out waiting for ${what}`);
  };

  /**
   * Async key-value storage with AsyncStorage's methods; every call answers after a timer, as a
   * native module does.
   */
  class AsyncMapStorage {
    constructor(entries = []) { this.map = new Map(entries); this.calls = []; }
    async getItem(key) { this.calls.push(['getItem', key]); await sleep(2); return this.map.has(key) ? this.map.get(key) : null; }
    async setItem(key, value) { this.calls.push(['setItem', key]); await sleep(2); this.map.set(key, value); }
    async removeItem(key) { this.calls.push(['removeItem', key]); await sleep(2); this.map.delete(key); }
  }
  const client = (more = {}) => new api.CloudCredits({ baseUrl: SERVER, projectId, publishableKey, fetch: httpFetch, ...more });
  /** The `error` events a client emits. */
  const errorsOf = (cc) => {
    const errors = [];
    cc.on('error', (error) => errors.push(error));
    return errors;
  };

  test('runs without WebAssembly, on the wasm2js build', () => {
    assert.equal(typeof WebAssembly, 'undefined');
    // The Node entry hands out the CommonJS copy of the wasm2js build.
    assert.equal(api.CloudCredits, wasm2js.CloudCredits);
    assert.equal(typeof window, 'undefined');
    assert.equal(typeof document, 'undefined');
  });

  test('balance() answers what the server holds, money as decimal strings', async () => {
    const cc = client({ storage: new AsyncMapStorage() });
    const balance = await cc.balance({ refresh: true });
    const direct = await serverBalance();
    assert.equal(balance.projectId, projectId);
    assert.equal(balance.balanceUsd, direct.balanceUsd);
    assert.equal(balance.availableUsd, direct.availableUsd);
    assert.match(balance.balanceUsd, /^-?\d+(\.\d+)?$/);
    cc.close();
  });

  test('guard() holds the estimate and settle() debits exactly the actual cost', async () => {
    const cc = client({ storage: new AsyncMapStorage() });
    const before = atto((await serverBalance()).balanceUsd);
    const hold = await cc.guard(usage);
    const estimate = api.estimateCost(usage);
    assert.equal(hold.amountUsd, estimate.total);
    assert.equal(before - atto((await serverBalance()).balanceUsd), atto(estimate.total), 'the hold is reserved');
    const actual = { ...usage, outputTokens: 120 };
    const settlement = await hold.settle(actual);
    assert.equal(settlement.event.status, 'accepted');
    assert.equal(settlement.event.costUsd, api.estimateCost(actual).total);
    assert.equal(before - atto((await serverBalance()).balanceUsd), atto(api.estimateCost(actual).total), 'only the actual cost is debited');
    cc.close();
  });

  test('queued usage persists through the adapter and a new client delivers it exactly once', async () => {
    const storage = new AsyncMapStorage();
    const first = client({ storage });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(first.reportUsage({ ...usage, feature: 'rn-restore' }));
    assert.equal(new Set(ids).size, 5);
    first.close(); // the app was killed before sending: nothing was flushed
    await eventually(() => ids.every((id) => storage.map.get(QUEUE_KEY)?.includes(id)), 'the queue to be written');
    const stored = storage.map.get(QUEUE_KEY);
    assert.deepEqual([...storage.map.keys()], [QUEUE_KEY], 'one key per app and project, nothing else');

    const before = atto((await serverBalance()).balanceUsd);
    const second = client({ storage });
    const result = await second.flush(); // waits for the stored queue to be read back
    assert.deepEqual(result, { sent: 5, duplicate: 0, rejected: 0, pending: 0 });
    const price = atto(api.estimateCost(usage).total);
    assert.equal(before - atto((await serverBalance()).balanceUsd), 5n * price, 'each event charged once');
    await eventually(() => !storage.map.has(QUEUE_KEY), 'the delivered queue to be removed');
    second.close();

    // The same stored events delivered again (a copy restored from a backup): duplicates, no charge.
    const replay = client({ storage: new AsyncMapStorage([[QUEUE_KEY, stored]]) });
    assert.deepEqual(await replay.flush(), { sent: 0, duplicate: 5, rejected: 0, pending: 0 });
    assert.equal(before - atto((await serverBalance()).balanceUsd), 5n * price, 'no second charge');
    replay.close();
  });

  test('events reported while the stored queue is read are kept with it', async () => {
    const storage = new AsyncMapStorage();
    const first = client({ storage });
    const old = first.reportUsage(usage);
    first.close();
    const second = client({ storage });
    const fresh = second.reportUsage(usage); // before the restore finished
    await eventually(() => [old, fresh].every((id) => storage.map.get(QUEUE_KEY)?.includes(id)), 'both events to be stored');
    assert.equal(second.pending(), 2);
    assert.deepEqual(await second.flush(), { sent: 2, duplicate: 0, rejected: 0, pending: 0 });
    second.close();
  });

  test('a second client of the project takes the stored queue over only once the first closes', async () => {
    const storage = new AsyncMapStorage();
    const first = client({ storage });
    const a = first.reportUsage(usage);
    await eventually(() => storage.map.get(QUEUE_KEY)?.includes(a), 'the first client to store its event');
    const second = client({ storage });
    const b = second.reportUsage(usage);
    await sleep(100);
    assert.ok(storage.map.get(QUEUE_KEY).includes(a), "the second client does not write over the first one's queue");
    assert.ok(!storage.map.get(QUEUE_KEY).includes(b));
    first.close();
    await eventually(() => [a, b].every((id) => storage.map.get(QUEUE_KEY)?.includes(id)), 'the second client to store both');
    assert.deepEqual(await second.flush(), { sent: 2, duplicate: 0, rejected: 0, pending: 0 });
    second.close();
  });

  test('without persistent storage the client warns through an error event', async () => {
    const volatile = client();
    const errors = errorsOf(volatile);
    await sleep(20);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof Error);
    assert.equal(errors[0].code, 'invalid_input');
    assert.match(errors[0].message, /no persistent storage/);
    volatile.close();
    for (const storage of ['memory', new AsyncMapStorage()]) {
      const chosen = client({ storage });
      const none = errorsOf(chosen);
      await sleep(20);
      assert.deepEqual(none, [], `no warning with storage ${storage}`);
      chosen.close();
    }
  });

  test('a failing adapter write is reported and the events stay deliverable', async () => {
    const storage = new AsyncMapStorage();
    storage.setItem = async () => { throw new Error('disk full'); };
    const cc = client({ storage });
    const errors = errorsOf(cc);
    cc.reportUsage(usage);
    await eventually(() => errors.length > 0, 'the error event');
    assert.equal(errors[0].code, 'invalid_input');
    assert.match(errors[0].message, /setItem.*disk full/);
    assert.deepEqual(await cc.flush(), { sent: 1, duplicate: 0, rejected: 0, pending: 0 });
    cc.close();
  });

  test('an unreadable stored queue is reported and left untouched', async () => {
    const storage = new AsyncMapStorage([[QUEUE_KEY, 'kept']]);
    storage.getItem = async () => { throw new Error('locked'); };
    const cc = client({ storage });
    const errors = errorsOf(cc);
    cc.reportUsage(usage);
    assert.deepEqual(await cc.flush(), { sent: 1, duplicate: 0, rejected: 0, pending: 0 });
    assert.match(errors.map((e) => e.message).join('\n'), /getItem.*locked/);
    assert.equal(storage.map.get(QUEUE_KEY), 'kept');
    assert.ok(!storage.calls.some(([call]) => call !== 'getItem'), 'never written over');
    cc.close();

    // Corrupted data is discarded with an error event, never a crash.
    const corrupt = new AsyncMapStorage([[QUEUE_KEY, '{not json']]);
    const next = client({ storage: corrupt });
    const reported = errorsOf(next);
    assert.deepEqual(await next.flush(), { sent: 0, duplicate: 0, rejected: 0, pending: 0 });
    assert.equal(reported.length, 1);
    assert.match(reported[0].message, /^discarded the stored usage queue: the stored text is not JSON/);
    next.close();

    // A document with one readable event among unreadable ones: that one is sent, the rest reported.
    const id = crypto.randomUUID();
    const events = [
      { queuedAt: Date.now(), event: { id, model: 'gpt-4o-mini', inputTokens: 10, outputTokens: 2, feature: null } },
      { queuedAt: 2, event: { id: crypto.randomUUID(), model: 'gpt-4o-mini', outputToken: 2 } },
      { queuedAt: 'soon', event: { id: crypto.randomUUID(), model: 'gpt-4o-mini' } },
    ];
    const document = JSON.stringify({ kind: 'rork-cloud-credits/usage-queue', version: 1, events });
    const damaged = client({ storage: new AsyncMapStorage([[QUEUE_KEY, document]]) });
    const discarded = errorsOf(damaged);
    assert.deepEqual(await damaged.flush(), { sent: 1, duplicate: 0, rejected: 0, pending: 0 });
    assert.deepEqual(discarded.map((e) => e.message), ['discarded 2 of 3 stored usage events: they were unreadable']);
    damaged.close();
  });

  test('a storage option that is not an adapter is refused with invalid_input', () => {
    for (const storage of [{ getItem() {}, setItem() {} }, null, 42, 'async']) {
      assert.throws(() => client({ storage }), (e) => e instanceof Error && e.code === 'invalid_input', String(storage));
    }
  });

  test('the README React Native example runs without WebAssembly and its usage is charged once', async () => {
    const readme = await readFile(join(pkgDir, 'README.md'), 'utf8');
    // The example, pointed at the test server.
    const code = readmeExample(readme, '### The cloud client in React Native')
      .replace("'https://credits.example.com'", JSON.stringify(SERVER))
      .replace("'prj_demo'", JSON.stringify(projectId))
      .replace("'pk_…'", JSON.stringify(publishableKey));
    const work = await tempDir('rork-rn-example-');
    const modules = join(work.dir, 'node_modules');
    for (const [name, source] of Object.entries(REACT_NATIVE_STAND_INS)) {
      await mkdir(join(modules, name), { recursive: true });
      await writeFile(join(modules, name, 'package.json'), JSON.stringify({ name, type: 'module', main: 'index.js' }));
      await writeFile(join(modules, name, 'index.js'), source);
    }
    await symlink(pkgDir, join(modules, 'rork-cloud-credits'), 'dir');
    await writeFile(join(work.dir, 'package.json'), '{ "type": "module" }');
    await writeFile(join(work.dir, 'app.js'), code);
    const globalFetch = globalThis.fetch;
    const usagePosts = [];
    // React Native's global fetch, noting when usage is sent.
    globalThis.fetch = (url, init) => {
      if (url.endsWith('/v1/usage')) usagePosts.push(Date.now());
      return httpFetch(url, init);
    };
    try {
      const before = atto((await serverBalance()).balanceUsd);
      await import(pathToFileURL(join(work.dir, 'app.js')));
      const settled = atto(api.estimateCost({ model: 'gpt-4o-mini', inputTokens: 812, outputTokens: 230 }).total);
      assert.equal(before - atto((await serverBalance()).balanceUsd), settled, 'guard/settle charged the actual usage');
      const storage = await import(pathToFileURL(join(modules, '@react-native-async-storage/async-storage/index.js')));
      await eventually(() => storage.map.has(QUEUE_KEY), 'reportUsage to be stored in AsyncStorage');
      const { sendAppState } = await import(pathToFileURL(join(modules, 'react-native/index.js')));
      assert.deepEqual(usagePosts, [], 'nothing sent yet (the batch timer waits 2 s)');
      const backgroundAt = Date.now();
      sendAppState('background');
      await eventually(() => !storage.map.has(QUEUE_KEY), 'the background flush to deliver the queue');
      assert.ok(usagePosts.length === 1 && usagePosts[0] - backgroundAt < 1000, 'sent by the AppState flush, not the timer');
      const image = atto(api.estimateCost({ model: 'gpt-image-1.5', units: 1 }).total);
      assert.equal(before - atto((await serverBalance()).balanceUsd), settled + image, 'each charged exactly once');
    } finally {
      globalThis.fetch = globalFetch;
      await work.remove();
    }
  });
}
