// The `CloudCredits` and `Hold` classes in a real Chromium, with its real `localStorage`, Web Locks
// and `fetch`, against the reference server: each test runs one scenario in a page of the server's
// origin (the package as `/pkg/dist/rork_cloud_credits.js`) and checks what it returns.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { base, newPage, startBrowser } from './harness.mjs';

/** A server nobody listens on (port 9, discard): every request fails fast. */
const UNREACHABLE = 'http://127.0.0.1:9';

let browser;
let page;
before(async () => {
  browser = await startBrowser();
  ({ page } = await newPage(browser));
  await page.goto(`${base}/v1/models`);
});
after(() => browser?.close());

/**
 * Runs `scenario(sdk, tools)` in the page: `sdk` the package's exports, `tools` helpers (a fresh
 * project name, the stored queues of a project, `until`, `sleep`, the demo project). Its result
 * comes back as JSON.
 */
function inPage(scenario, arg = {}) {
  return page.evaluate(
    async ([source, arg]) => {
      const sdk = await import('/pkg/dist/rork_cloud_credits.js');
      const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      const tools = {
        arg,
        sleep,
        fresh: (name) => `${name}-${Math.random().toString(36).slice(2)}`,
        queueKeys: (project) =>
          Object.keys(localStorage).filter((k) => k.startsWith(`rork-cloud-credits:v1:${project}:queue:`)).sort(),
        storedEvents: (project) =>
          tools.queueKeys(project).reduce((n, key) => n + JSON.parse(localStorage.getItem(key)).events.length, 0),
        async until(done) {
          for (let i = 0; i < 100; i++) {
            if (done()) return true;
            await sleep(50);
          }
          return done();
        },
        async demo() {
          return (await fetch('/v1/demo')).json();
        },
      };
      // eslint-disable-next-line no-new-func
      return new Function('sdk', 'tools', `return (${source})(sdk, tools);`)(sdk, tools);
    },
    [scenario.toString(), arg],
  );
}

const USAGE = { model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 200, feature: 'chat' };

test('bad options and reports throw invalid_input or unknown_model; ids are version 4 UUIDs', async () => {
  const result = await inPage(({ CloudCredits }, { arg, fresh }) => {
    const code = (f) => {
      try {
        f();
        return 'no error';
      } catch (e) {
        return e.code;
      }
    };
    const options = [
      null,
      { projectId: 'p', publishableKey: 'pk_x' },
      { baseUrl: 'ftp://x', projectId: 'p', publishableKey: 'pk_x' },
      { baseUrl: 'http://x', publishableKey: 'pk_x' },
      { baseUrl: 'http://x', projectId: 'p', publishableKey: 'sk_secret' },
      { baseUrl: 'http://x', projectId: 'p', publishableKey: 'pk_x', storage: 'disk' },
      { baseUrl: 'http://x', projectId: 'p', publishableKey: 'pk_x', fetch: 42 },
    ].map((o) => code(() => new CloudCredits(o)));
    const cc = new CloudCredits({ baseUrl: arg.UNREACHABLE, projectId: fresh('validate'), publishableKey: 'pk_test' });
    const id = cc.reportUsage(arg.USAGE);
    const reports = [
      { model: 'no-such-model', inputTokens: 1 },
      { model: 'gpt-4o', inputTokens: -1 },
      { model: 'gpt-4o', inputTokens: 1.5 },
      { model: 'gpt-4o', inputTokens: '5' },
      { model: 'gpt-4o', inputToken: 5 },
      { model: 'gpt-4o', inputTokens: 5, feature: '' },
      { inputTokens: 5 },
      { model: 'gpt-4o', outputTokens: NaN },
    ].map((r) => code(() => cc.reportUsage(r)));
    const events = code(() => cc.on('lowbalance', () => {}));
    const pending = cc.pending();
    cc.close();
    return { options, id, reports, events, pending };
  }, { UNREACHABLE, USAGE });
  assert.deepEqual(result.options, Array(7).fill('invalid_input'));
  assert.match(result.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(result.reports, ['unknown_model', ...Array(7).fill('invalid_input')]);
  assert.equal(result.events, 'invalid_input');
  assert.equal(result.pending, 1, 'refused reports are not queued');
});

test('an unreachable server keeps every event queued and persisted, also after close()', async () => {
  const result = await inPage(async ({ CloudCredits }, { arg, fresh, storedEvents, until }) => {
    const project = fresh('offline');
    const cc = new CloudCredits({ baseUrl: arg.UNREACHABLE, projectId: project, publishableKey: 'pk_test' });
    for (let i = 0; i < 5; i++) cc.reportUsage(arg.USAGE);
    const persisted = await until(() => storedEvents(project) === 5);
    const flushed = await cc.flush();
    const stored = storedEvents(project);
    cc.close();
    return { persisted, flushed, pending: cc.pending(), stored, afterClose: storedEvents(project) };
  }, { UNREACHABLE, USAGE });
  assert.deepEqual(result, {
    persisted: true,
    flushed: { sent: 0, duplicate: 0, rejected: 0, pending: 5 },
    pending: 5,
    stored: 5,
    afterClose: 5,
  });
});

test('a new client adopts the queue a closed one left behind, stored once under its own key', async () => {
  const result = await inPage(async ({ CloudCredits }, { arg, fresh, queueKeys, storedEvents, until }) => {
    const project = fresh('reload');
    const options = { baseUrl: arg.UNREACHABLE, projectId: project, publishableKey: 'pk_test' };
    const first = new CloudCredits(options);
    for (let i = 0; i < 3; i++) first.reportUsage(arg.USAGE);
    await until(() => storedEvents(project) === 3);
    const oldKeys = queueKeys(project).join();
    first.close();
    const second = new CloudCredits(options);
    const adopted = await until(() => second.pending() === 3);
    const moved = await until(() => queueKeys(project).join() !== oldKeys);
    const stored = storedEvents(project);
    second.close();
    return { adopted, moved, stored, keys: queueKeys(project).length };
  }, { UNREACHABLE, USAGE });
  assert.deepEqual(result, { adopted: true, moved: true, stored: 3, keys: 1 });
});

test("two live tabs never take each other's events; a closed one's go to exactly one survivor", async () => {
  const result = await inPage(async ({ CloudCredits }, { arg, fresh, queueKeys, sleep, until }) => {
    const project = fresh('tabs');
    const open = () => new CloudCredits({ baseUrl: arg.UNREACHABLE, projectId: project, publishableKey: 'pk_test' });
    const [a, b] = [open(), open()];
    for (let i = 0; i < 2; i++) a.reportUsage(arg.USAGE);
    for (let i = 0; i < 3; i++) b.reportUsage(arg.USAGE);
    await until(() => queueKeys(project).length === 2);
    const c = open();
    await sleep(300);
    const alive = [a.pending(), b.pending(), c.pending()];
    a.close();
    const d = open();
    const handed = await until(() => d.pending() === 2);
    const after = [b.pending(), c.pending(), d.pending()];
    for (const cc of [b, c, d]) cc.close();
    return { alive, handed, after };
  }, { UNREACHABLE, USAGE });
  assert.deepEqual(result, { alive: [2, 3, 0], handed: true, after: [3, 0, 2] });
});

test('a corrupt stored queue is discarded with an error event', async () => {
  const result = await inPage(async ({ CloudCredits }, { arg, fresh, until }) => {
    const project = fresh('corrupt');
    const key = `rork-cloud-credits:v1:${project}:queue:dead-tab`;
    localStorage.setItem(key, '{this is not json');
    const cc = new CloudCredits({ baseUrl: arg.UNREACHABLE, projectId: project, publishableKey: 'pk_test' });
    const errors = [];
    cc.on('error', (e) => errors.push(e));
    await until(() => errors.length > 0);
    const removed = await until(() => localStorage.getItem(key) === null);
    cc.close();
    return { errors: errors.map((e) => [e.code, /discarded/.test(e.message)]), removed, pending: cc.pending() };
  }, { UNREACHABLE });
  assert.deepEqual(result, { errors: [['invalid_input', true]], removed: true, pending: 0 });
});

test('the balance is read, cached for 5 s and announced once per server read', async () => {
  const result = await inPage(async ({ CloudCredits }, { demo }) => {
    const { projectId, publishableKey } = await demo();
    const cc = new CloudCredits({ baseUrl: location.origin, projectId, publishableKey });
    const balances = [];
    cc.on('balance', (b) => balances.push(b));
    const first = await cc.balance();
    const cached = await cc.balance();
    const events = balances.length;
    await cc.balance({ refresh: true });
    cc.close();
    return { first, project: projectId, sameRead: cached.asOf === first.asOf, events, afterRefresh: balances.length };
  });
  assert.equal(result.first.projectId, result.project);
  for (const field of ['balanceUsd', 'availableUsd', 'lowBalanceThresholdUsd', 'asOf', 'addCreditsUrl']) {
    assert.equal(typeof result.first[field], 'string', field);
  }
  assert.ok(['ok', 'low', 'empty'].includes(result.first.status));
  assert.deepEqual([result.sameRead, result.events, result.afterRefresh], [true, 1, 2]);
});

test('guard, settle, reserve and release against the server; refusals keep their codes', async () => {
  const result = await inPage(async ({ CloudCredits }, { demo }) => {
    const { projectId, publishableKey } = await demo();
    const cc = new CloudCredits({ baseUrl: location.origin, projectId, publishableKey });
    const code = (promise) => promise.then(() => 'no error', (e) => e.code);
    const hold = await cc.guard({ model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 500 });
    const guarded = { status: hold.status, amount: Number(hold.amountUsd), estimate: typeof hold.estimate };
    const settlement = await hold.settle({ model: 'gpt-4o-mini', inputTokens: 800, outputTokens: 100 });
    const released = await cc.reserve({ amountUsd: '0.01' });
    await released.release();
    const outcome = {
      guarded,
      settled: [settlement.hold.status, hold.status, JSON.parse(JSON.stringify(hold)).status],
      released: released.status,
      tooMuch: await code(cc.reserve({ amountUsd: '9999' })),
      invalid: await code(cc.guard({ model: 'gpt-4o', inputTokens: -5 })),
      notifications: Array.isArray(await cc.notifications()),
      affordable: await cc.affordable({ model: 'gpt-4o-mini', inputTokens: 1000 }),
      wrongKey: await code(new CloudCredits({ baseUrl: location.origin, projectId, publishableKey: 'pk_not_a_real_key' }).balance()),
    };
    cc.close();
    return outcome;
  });
  assert.deepEqual(result.guarded.status, 'active');
  assert.ok(result.guarded.amount > 0);
  assert.equal(result.guarded.estimate, 'object', "a guard's hold carries the estimate");
  assert.deepEqual(result.settled, ['settled', 'settled', 'settled']);
  assert.equal(result.released, 'released');
  assert.equal(result.tooMuch, 'insufficient_credits');
  assert.equal(result.invalid, 'invalid_input');
  assert.equal(result.notifications, true);
  assert.equal(result.affordable.model, 'gpt-4o-mini');
  assert.equal(typeof result.affordable.outputTokens, 'number');
  assert.equal(result.wrongKey, 'unauthorized');
});

test('a call times out with network, or rejects with the reason of an abort, aborting the request', async () => {
  const result = await inPage(async ({ CloudCredits }, { arg, sleep }) => {
    const signals = [];
    const hanging = (url, init) => {
      signals.push(init.signal);
      return new Promise(() => {});
    };
    const cc = new CloudCredits({
      baseUrl: arg.UNREACHABLE, projectId: 'p', publishableKey: 'pk_x', storage: 'memory', timeoutMs: 50, fetch: hanging,
    });
    const timedOut = await cc.balance().catch((e) => [e.code, e.message]);
    const firstAborted = signals[0].aborted;
    const controller = new AbortController();
    const pending = cc.balance({ timeoutMs: 60000, signal: controller.signal });
    await sleep(10);
    controller.abort();
    const reason = await pending.catch((e) => e.name);
    cc.close();
    return { timedOut, firstAborted, reason, requests: signals.length, secondAborted: signals[1].aborted };
  }, { UNREACHABLE });
  assert.equal(result.timedOut[0], 'network');
  assert.match(result.timedOut[1], /timed out after 50 ms/);
  assert.deepEqual(
    [result.firstAborted, result.reason, result.requests, result.secondAborted],
    [true, 'AbortError', 2, true],
    "the request itself is aborted; the signal's reason, as fetch rejects; not retried after the abort",
  );
});
