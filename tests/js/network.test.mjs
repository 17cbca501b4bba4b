// Network behaviour of the CloudCredits client of the built package: deadlines
// (`timeoutMs`), aborts (`signal`), retries with backoff, and which calls are
// retried. The server-backed tests put a small HTTP proxy in front of the real
// reference server (CLOUD_CREDITS_URL, started with --seed-demo) that delays,
// fails or loses answers as each test plans.
// Run: node --test tests/js/  (after `cargo xtask build`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import init, { CloudCredits } from '../../pkg/dist/node.js';

await init();

const SERVER = process.env.CLOUD_CREDITS_URL;
const needsServer = { skip: !SERVER && 'CLOUD_CREDITS_URL not set' };
const UNREACHABLE = 'http://127.0.0.1:9';
const MODEL = 'gpt-4o-mini';
const FAST = { retries: 2, baseDelayMs: 10, maxDelayMs: 2000 };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function demo() {
  const res = await fetch(`${SERVER}/v1/demo`);
  assert.equal(res.status, 200, 'GET /v1/demo: start the server with --seed-demo');
  return res.json();
}

/**
 * An HTTP proxy to the real server. `plan(request, n)` (n: how many requests with this
 * method and path came so far, this one included) returns what to do: nothing (forward),
 * `{ delayMs }` (then forward), `{ status, headers?, body? }` (answer that instead) or
 * `{ lose: true }` (forward, then close the connection without answering).
 */
async function proxy(plan = () => undefined) {
  const seen = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString();
    const request = { method: req.method, path: req.url, headers: req.headers, body };
    seen.push(request);
    const n = seen.filter((r) => r.method === req.method && r.path === req.url).length;
    const step = plan(request, n) ?? {};
    if (step.delayMs) await sleep(step.delayMs);
    if (step.status) {
      res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
      res.end(step.body ?? '');
      return;
    }
    const headers = {};
    for (const name of ['authorization', 'content-type', 'idempotency-key']) {
      if (req.headers[name]) headers[name] = req.headers[name];
    }
    const real = await fetch(`${SERVER}${req.url}`, { method: req.method, headers, body: body || undefined });
    request.answer = { status: real.status, body: await real.text() };
    if (step.lose) {
      req.socket.destroy();
      return;
    }
    res.writeHead(real.status, { 'content-type': 'application/json' });
    res.end(request.answer.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    /** The requests seen to paths ending with `tail`. */
    to: (tail) => seen.filter((r) => r.path.split('?')[0].endsWith(tail)),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A client of the demo project through `baseUrl`. */
async function client(baseUrl, more = {}) {
  const { projectId, publishableKey } = await demo();
  return new CloudCredits({ baseUrl, projectId, publishableKey, storage: 'memory', ...more });
}

const isAbortError = (e) => e instanceof Error && e.name === 'AbortError' && e.code !== 'network';

test('network options are validated', async () => {
  const make = (more) => new CloudCredits({ baseUrl: UNREACHABLE, projectId: 'p', publishableKey: 'pk_x', storage: 'memory', ...more });
  for (const bad of [{ timeoutMs: 0 }, { timeoutMs: 1.5 }, { timeoutMs: '100' }, { timeoutMs: 2 ** 31 },
    { signal: {} }, { signal: 'abort' }, { retry: { retries: 11 } }, { retry: { retries: -1 } },
    { retry: { retry: 2 } }, { retry: { baseDelayMs: 100, maxDelayMs: 50 } }, { retry: 3 }]) {
    assert.throws(() => make(bad), (e) => e.code === 'invalid_input', JSON.stringify(bad));
  }
  const cc = make({ timeoutMs: 1000, signal: new AbortController().signal, retry: { retries: 0 } });
  await assert.rejects(cc.balance({ timeout: 5 }), (e) => e.code === 'invalid_input' && /unknown option timeout/.test(e.message));
  await assert.rejects(cc.notifications({ timeoutMs: -1 }), (e) => e.code === 'invalid_input');
  await assert.rejects(cc.usage({ days: 7, signal: 1 }), (e) => e.code === 'invalid_input');
  await assert.rejects(cc.reserve({ amountUsd: '0.01' }, 'fast'), (e) => e.code === 'invalid_input');
  cc.close();
});

test('a call that outlives timeoutMs rejects with network, naming the timeout', needsServer, async () => {
  const slow = await proxy(() => ({ delayMs: 3000 }));
  try {
    const cc = await client(slow.url, { timeoutMs: 250 });
    let started = performance.now();
    await assert.rejects(cc.balance(), (e) => e.code === 'network' && /timed out after 250 ms/.test(e.message));
    assert.ok(performance.now() - started < 1500, 'rejected at the deadline, not when the server answered');
    // A call's own timeoutMs replaces the client's; a timeout is not retried.
    started = performance.now();
    await assert.rejects(cc.usage({ days: 7, timeoutMs: 100 }), (e) => e.code === 'network' && /timed out after 100 ms/.test(e.message));
    assert.ok(performance.now() - started < 1000);
    assert.equal(slow.to('/usage').length, 1);
    cc.close();
  } finally {
    await slow.close();
  }
});

test('the deadline holds even when a custom fetch ignores its signal, and with no AbortController', async () => {
  const signals = [];
  const hanging = (url, init) => { signals.push(init.signal); return new Promise(() => {}); };
  const cc = new CloudCredits({ baseUrl: UNREACHABLE, projectId: 'p', publishableKey: 'pk_x', storage: 'memory', fetch: hanging });
  await assert.rejects(cc.notifications({ timeoutMs: 50 }), (e) => e.code === 'network' && /timed out after 50 ms/.test(e.message));
  assert.ok(signals[0] instanceof AbortSignal && signals[0].aborted, 'fetch got the signal, aborted at the deadline');

  // Runtimes without AbortController (or AbortSignal.timeout / any, as Hermes may lack):
  // nothing crashes, the deadline and the caller's signal still end the call.
  const saved = { AbortController: globalThis.AbortController, timeout: AbortSignal.timeout, any: AbortSignal.any };
  const controller = new AbortController();
  try {
    delete globalThis.AbortController;
    delete AbortSignal.timeout;
    delete AbortSignal.any;
    await assert.rejects(cc.balance({ timeoutMs: 50 }), (e) => e.code === 'network' && /timed out/.test(e.message));
    assert.equal(signals[1], undefined, 'no signal to give without AbortController');
    const pending = cc.balance({ signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, isAbortError);
  } finally {
    globalThis.AbortController = saved.AbortController;
    AbortSignal.timeout = saved.timeout;
    AbortSignal.any = saved.any;
  }
  cc.close();
});

test('an abort rejects with the signal\'s reason, passes the signal to fetch and stops retrying', needsServer, async () => {
  const slow = await proxy((req) => (req.path.endsWith('/balance') ? { delayMs: 3000 } : { status: 503, headers: { 'retry-after': '2' } }));
  try {
    const given = [];
    const recording = (url, init) => { given.push(init.signal); return fetch(url, init); };
    const cc = await client(slow.url, { fetch: recording, retry: { retries: 5, baseDelayMs: 2000, maxDelayMs: 2000 } });

    // The default reason: a DOMException named AbortError, as fetch rejects with.
    let controller = new AbortController();
    let pending = cc.balance({ signal: controller.signal });
    await sleep(50);
    controller.abort();
    await assert.rejects(pending, isAbortError);
    assert.ok(given[0].aborted, 'the request given to fetch is aborted with the call');

    // A reason of the app's own is what the call rejects with, untouched.
    controller = new AbortController();
    const reason = new Error('user left the page');
    pending = cc.usage({ signal: controller.signal });
    const started = performance.now();
    await sleep(100);
    controller.abort(reason);
    await assert.rejects(pending, (e) => e === reason);
    assert.ok(performance.now() - started < 1000, 'the backoff wait ends at the abort');
    assert.equal(slow.to('/usage').length, 1, 'no retry after the abort');

    // An already aborted signal: rejected before any request.
    const before = slow.seen.length;
    await assert.rejects(cc.notifications({ signal: AbortSignal.abort() }), isAbortError);
    assert.equal(slow.seen.length, before);
    cc.close();

    // The constructor's signal aborts every call of the client.
    controller = new AbortController();
    const owned = await client(slow.url, { signal: controller.signal });
    pending = owned.balance();
    await sleep(50);
    controller.abort();
    await assert.rejects(pending, isAbortError);
    await assert.rejects(owned.guard({ model: MODEL, inputTokens: 10, outputTokens: 10 }), isAbortError);
    owned.close();
  } finally {
    await slow.close();
  }
});

test('reads are retried on 5xx, 429 (after Retry-After) and network errors, not on other 4xx', needsServer, async () => {
  const flaky = await proxy((req, n) => {
    if (req.path.includes('no-such-project')) return undefined;
    if (req.path.endsWith('/balance') && n <= 2) return { status: 503, body: '{"error":{"code":"server","message":"busy"}}' };
    if (req.path.endsWith('/notifications') && n === 1) return { status: 429, headers: { 'retry-after': '1' } };
    if (req.path.includes('days=7') && n === 1) return { status: 408 };
    if (req.path.includes('days=9')) return { status: 400, body: '{"error":{"code":"invalid_input","message":"no"}}' };
    if (req.path.includes('days=8')) return { status: 429, headers: { 'retry-after': '10' } };
    return undefined;
  });
  try {
    const cc = await client(flaky.url, { retry: FAST });
    const balance = await cc.balance();
    assert.match(balance.balanceUsd, /^-?\d+(\.\d+)?$/);
    assert.equal(flaky.to('/balance').length, 3, 'two 503s, then the answer');

    const started = performance.now();
    assert.ok(Array.isArray(await cc.notifications()));
    assert.ok(performance.now() - started >= 900, 'Retry-After: 1 is waited for');
    assert.equal(flaky.to('/notifications').length, 2);

    assert.equal((await cc.usage({ days: 7 })).days, 7);
    assert.equal(flaky.to('/usage').length, 2, '408, then the answer');

    await assert.rejects(cc.usage({ days: 9 }), (e) => e.code === 'invalid_input' && e.message === 'no');
    assert.equal(flaky.seen.filter((r) => r.path.includes('days=9')).length, 1, 'a 400 is never retried');

    // A Retry-After longer than maxDelayMs is not waited for: rate_limited at once.
    await assert.rejects(cc.usage({ days: 8 }), (e) => e.code === 'rate_limited');
    assert.equal(flaky.seen.filter((r) => r.path.includes('days=8')).length, 1);
    cc.close();

    // A real 4xx of the server (a project this key may not read) is not retried either.
    const { publishableKey } = await demo();
    const other = new CloudCredits({ baseUrl: flaky.url, projectId: 'no-such-project', publishableKey, storage: 'memory', retry: FAST });
    await assert.rejects(other.balance(), (e) => ['forbidden', 'not_found'].includes(e.code));
    assert.equal(flaky.seen.filter((r) => r.path.includes('no-such-project')).length, 1);
    other.close();
  } finally {
    await flaky.close();
  }

  // Network errors: a fetch that fails twice, then reaches the server.
  let calls = 0;
  const failing = (url, init) => (++calls <= 2 ? Promise.reject(new TypeError('fetch failed')) : fetch(url, init));
  const cc = await client(SERVER, { fetch: failing, retry: FAST });
  await cc.balance();
  assert.equal(calls, 3);
  cc.close();

  // retries: 0 turns retrying off.
  calls = 0;
  const off = await client(SERVER, { fetch: failing, retry: { retries: 0 } });
  await assert.rejects(off.balance(), (e) => e.code === 'network' && /fetch failed/.test(e.message));
  assert.equal(calls, 1);
  off.close();
});

test('a hold whose answer was lost is retried with its Idempotency-Key: one hold', needsServer, async () => {
  const lossy = await proxy((req, n) => (req.path.endsWith('/holds') && n === 1 ? { lose: true } : undefined));
  try {
    const cc = await client(lossy.url, { retry: FAST });
    const hold = await cc.guard({ model: MODEL, inputTokens: 100, outputTokens: 50 });
    const attempts = lossy.to('/holds');
    assert.equal(attempts.length, 2);
    const key = attempts[0].headers['idempotency-key'];
    assert.match(key, /^[0-9a-f-]{36}$/);
    assert.equal(attempts[1].headers['idempotency-key'], key, 'the same key on the retry');
    assert.equal(attempts[0].answer.status, 201, 'the server made the hold the first time');
    assert.equal(JSON.parse(attempts[0].answer.body).id, hold.id, 'the retry got that same hold');
    // Another reserve is another hold (another key).
    const second = await cc.reserve({ amountUsd: '0.01' });
    assert.notEqual(second.id, hold.id);
    assert.notEqual(lossy.to('/holds')[2].headers['idempotency-key'], key);
    await second.release();
    await hold.release();
    cc.close();
  } finally {
    await lossy.close();
  }
});

test('settle and release are retried after a lost answer; settling again differently is a conflict', needsServer, async () => {
  const lossy = await proxy((req, n) => ((req.path.endsWith('/settle') || req.path.endsWith('/release')) && n === 1 ? { lose: true } : undefined));
  try {
    const cc = await client(lossy.url, { retry: FAST });
    const actual = { model: MODEL, inputTokens: 100, outputTokens: 20 };
    const hold = await cc.guard({ model: MODEL, inputTokens: 100, outputTokens: 50 });
    const settlement = await hold.settle(actual);
    const attempts = lossy.to('/settle');
    assert.equal(attempts.length, 2);
    assert.equal(attempts[0].answer.status, 200, 'the first attempt settled');
    assert.equal(attempts[1].body, attempts[0].body, 'the retry is the same usage event');
    assert.equal(settlement.event.status, 'duplicate', 'recognised, not charged twice');
    assert.equal(settlement.event.costUsd, JSON.parse(attempts[0].answer.body).event.costUsd);
    assert.equal(hold.status, 'settled');

    // The same numbers again: the first settlement. Different ones: conflict, naming them.
    assert.equal((await hold.settle(actual)).event.status, 'duplicate');
    await assert.rejects(hold.settle({ ...actual, outputTokens: 30 }), (e) =>
      e.code === 'conflict' && e.status === 409 && /outputTokens 20, now 30/.test(e.message));

    const released = await cc.reserve({ amountUsd: '0.01' });
    await released.release();
    assert.equal(lossy.to('/release').length, 2, 'the lost release was sent again');
    assert.equal(released.status, 'released');
    cc.close();
  } finally {
    await lossy.close();
  }
});

test('flush() and usage deliveries keep their own retries and ignore the client signal', needsServer, async () => {
  const controller = new AbortController();
  const cc = await client(SERVER, { signal: controller.signal });
  controller.abort();
  cc.reportUsage({ model: MODEL, inputTokens: 10, outputTokens: 2, feature: 'network-test' });
  const result = await cc.flush();
  assert.equal(result.sent + result.duplicate, 1, JSON.stringify(result));
  assert.equal(result.pending, 0);
  cc.close();
});
