// The CloudCredits client's delivery guarantees in a real Chromium, through
// the package as an app imports it (www/client-test.html) and the real
// server: the keepalive flush as the page goes away, offline/online, a
// reload with a persisted queue, and two tabs reporting at once. What the
// server recorded is read back from the project's ledger: one usage entry
// per event id, none twice, each charged the client's own estimate.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as forward } from 'node:http';
import {
  apiCall, assertNoConsoleErrors, base, nanos, newPage, newProject, startBrowser, visit,
} from './harness.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(() => browser?.close());

/** The usage every test reports: a small chat turn. */
const CHAT = { model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 200 };

/** How long the server may take to record delivered events. */
const DELIVERY_MS = 15_000;

/** The test page running as `app`, its client talking to `server` (default: the page's own origin). */
const clientPath = ({ id, key }, server) =>
  `/client-test.html?${new URLSearchParams({ project: id, key, ...(server ? { server } : {}) })}`;

/**
 * A gateway in front of the server that the test can take down: while down
 * it drops every connection, so the browser sees the server as unreachable
 * (for every request, including keepalive sends during unload, which
 * Playwright's request routing does not see).
 */
async function startGateway() {
  const target = new URL(base);
  let up = true;
  const gateway = createServer((incoming, answer) => {
    if (!up) {
      incoming.socket.destroy();
      return;
    }
    const upstream = forward(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (response) => {
        answer.writeHead(response.statusCode, response.headers);
        response.pipe(answer);
      },
    );
    upstream.on('error', () => incoming.socket.destroy());
    incoming.pipe(upstream);
  });
  await new Promise((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  // A test that fails before `close()` must not keep the file's process (and the suite) waiting.
  gateway.unref();
  return {
    url: `http://127.0.0.1:${gateway.address().port}`,
    /** Takes the server down (`false`) or back up (`true`) for the browser. */
    reachable(value) {
      up = value;
      if (!up) gateway.closeAllConnections();
    },
    close() {
      gateway.closeAllConnections();
      return new Promise((resolve) => gateway.close(resolve));
    },
  };
}

/** Reports `count` CHAT events in the page; their ids. */
const report = (page, count) =>
  page.evaluate(([n, request]) => window.app.report(n, { ...request, feature: 'chat' }), [count, CHAT]);

/** The price of one CHAT event in billionths of a dollar, as the page's SDK estimates it. */
const chatPrice = async (page) => nanos(await page.evaluate((request) => window.app.estimateCost(request).total, CHAT));

/** `{ eventId: times recorded }` of the usage entries in the project's ledger, and their amounts. */
async function recorded(context, projectId) {
  const { status, body } = await apiCall(context, 'GET', `/projects/${projectId}/ledger?limit=200`);
  assert.equal(status, 200, JSON.stringify(body));
  const usage = body.entries.filter((e) => e.kind === 'usage');
  assert.ok(body.entries.length < 200, 'the ledger page holds every entry of the test');
  const counts = {};
  for (const entry of usage) counts[entry.usageEventId] = (counts[entry.usageEventId] ?? 0) + 1;
  return { counts, amounts: usage.map((e) => e.amountUsd) };
}

/** Polls the ledger until it holds `expected` usage entries (or the deadline passes); returns it. */
async function awaitRecorded(context, projectId, expected) {
  const deadline = Date.now() + DELIVERY_MS;
  for (;;) {
    const ledger = await recorded(context, projectId);
    const total = Object.values(ledger.counts).reduce((a, b) => a + b, 0);
    if (total >= expected || Date.now() > deadline) return ledger;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Asserts the server recorded each of `ids` exactly once and nothing else,
 * each charged `price` (the SDK's estimate of CHAT), and that the balance is
 * the free $1.00 less exactly that much per event.
 */
async function assertExactlyOnce(context, projectId, ids, price) {
  assert.equal(new Set(ids).size, ids.length, 'event ids are unique');
  const ledger = await awaitRecorded(context, projectId, ids.length);
  const expected = Object.fromEntries(ids.map((id) => [id, 1]));
  assert.deepEqual(ledger.counts, expected, 'every event recorded exactly once, none twice, none foreign');
  assert.ok(price > 0n);
  for (const amount of ledger.amounts) assert.equal(-nanos(amount), price, 'each event charged the estimate');
  const { status, body } = await apiCall(context, 'GET', `/projects/${projectId}/balance`);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(nanos(body.balanceUsd), 1_000_000_000n - price * BigInt(ids.length));
}

/** The queued events the page's origin holds in localStorage for the project (all tabs' queues). */
const storedQueues = (page, projectId) =>
  page.evaluate((prefix) => {
    const keys = Object.keys(localStorage).filter((k) => k.startsWith(prefix));
    return keys.map((k) => localStorage.getItem(k)).join('\n');
  }, `rork-cloud-credits:v1:${projectId}:queue:`);

/** Asserts every one of `ids` is persisted in the page's localStorage. */
async function assertPersisted(page, projectId, ids) {
  const stored = await storedQueues(page, projectId);
  const missing = ids.filter((id) => !stored.includes(id));
  assert.deepEqual(missing, [], 'every queued event is persisted in localStorage');
}

/** Waits until the page's client has sent everything and nothing is left in storage. */
async function awaitDrained(page, projectId) {
  await page.waitForFunction(
    (prefix) =>
      window.app.cc.pending() === 0 && !Object.keys(localStorage).some((k) => k.startsWith(prefix)),
    `rork-cloud-credits:v1:${projectId}:queue:`,
    { timeout: DELIVERY_MS, polling: 50 },
  );
}

/** What the page's client reported through its `error` event. */
const clientErrors = (page) => page.evaluate(() => window.app.errors);

/** Fails unless every error `page`'s client reported is a delivery that failed for the network. */
async function assertOnlyNetworkDeliveryErrors(page) {
  for (const error of await clientErrors(page)) {
    assert.equal(error.code, 'network', error.message);
    assert.match(error.message, /usage events not delivered yet \(kept, sent again later\)/);
  }
}

/**
 * Reports 20 events and runs `leave` (navigate away, close the tab) well
 * before the 2 s batch timer could send them: only the pagehide keepalive
 * send can deliver them, since nothing of the page is left to retry.
 */
async function reportAndLeave(page, leave) {
  const ids = await report(page, 20);
  const reportedAt = Date.now();
  assert.equal(await page.evaluate(() => window.app.cc.pending()), 20);
  assert.deepEqual(await clientErrors(page), []);
  await leave();
  assert.ok(Date.now() - reportedAt < 1_500, 'left before the batch timer could fire');
  return ids;
}

test('page hide: events reported just before navigating away are sent with keepalive, recorded exactly once', async () => {
  const { context, page, problems } = await newPage(browser);
  const app = await newProject(context, 'Keepalive app');
  await visit(page, clientPath(app));
  const price = await chatPrice(page);

  const ids = await reportAndLeave(page, () => page.goto('about:blank'));
  await assertExactlyOnce(context, app.id, ids, price);

  // The keepalive answers reached no page, so the events are still stored;
  // the next load sends them again and the server's dedup keeps one charge.
  await visit(page, clientPath(app));
  await awaitDrained(page, app.id);
  await assertExactlyOnce(context, app.id, ids, price);
  assert.deepEqual(await clientErrors(page), []);
  assertNoConsoleErrors(problems);
  await context.close();
});

test('page hide: events reported just before the tab is closed are sent with keepalive, recorded exactly once', async () => {
  const { context, page, problems } = await newPage(browser);
  const app = await newProject(context, 'Closed tab app');
  await visit(page, clientPath(app));
  const price = await chatPrice(page);

  const ids = await reportAndLeave(page, () => page.close());
  await assertExactlyOnce(context, app.id, ids, price);
  assertNoConsoleErrors(problems);
  await context.close();
});

/** The console errors of a browser refused the network (each failed request logs one). */
const NETWORK_ERRORS = [/Failed to load resource: net::ERR_(INTERNET_DISCONNECTED|CONNECTION_(RESET|CLOSED|REFUSED)|EMPTY_RESPONSE)/];

test('offline: events stay queued and persisted; back online they are delivered exactly once', async () => {
  const { context, page, problems } = await newPage(browser);
  const app = await newProject(context, 'Offline app');
  await visit(page, clientPath(app));
  const price = await chatPrice(page);

  await context.setOffline(true);
  await page.waitForFunction(() => !navigator.onLine);
  // A burst of reports in one task writes the stored queue once, at the end of the task.
  const burst = await page.evaluate(async ([n, request, prefix]) => {
    let writes = 0;
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (key.startsWith(prefix)) writes++;
      return setItem.call(this, key, value);
    };
    const ids = window.app.report(n, { ...request, feature: 'chat' });
    const during = writes;
    await null; // the task's microtasks run: the queue is written here
    Storage.prototype.setItem = setItem;
    return { ids, during, after: writes };
  }, [10, CHAT, `rork-cloud-credits:v1:${app.id}:queue:`]);
  assert.deepEqual([burst.during, burst.after], [0, 1], 'ten reports in one task, one write after it');
  const ids = [...burst.ids, ...(await report(page, 5))];
  const flushed = await page.evaluate(() => window.app.cc.flush());
  assert.deepEqual(flushed, { sent: 0, duplicate: 0, rejected: 0, pending: 15 });
  await assertPersisted(page, app.id, ids);
  assert.deepEqual((await recorded(context, app.id)).counts, {}, 'nothing reached the server while offline');

  // The `online` event alone resumes delivery: no flush() call.
  await context.setOffline(false);
  await awaitDrained(page, app.id);
  await assertExactlyOnce(context, app.id, ids, price);
  assert.deepEqual(await clientErrors(page), []);
  assertNoConsoleErrors(problems, NETWORK_ERRORS);
  await context.close();
});

/**
 * Reports `count` events while the server is unreachable, reloads the page, and checks that the new
 * load adopts the previous load's stored queue at once and delivers every event exactly once once
 * the server is back. `withoutLocks`: in a browser without the Web Locks API (storage leases).
 */
async function reloadWhileUnreachable(name, count, { withoutLocks = false } = {}) {
  const gateway = await startGateway();
  const { context, page, problems } = await newPage(browser);
  if (withoutLocks) {
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined }));
  }
  const leases = () => page.evaluate(() => Object.keys(localStorage).filter((key) => key.includes(':lease:')).length);
  const app = await newProject(context, name);
  await visit(page, clientPath(app, gateway.url));
  const price = await chatPrice(page);
  assert.equal(await leases(), withoutLocks ? 1 : 0, 'a storage lease exactly when there are no Web Locks');

  gateway.reachable(false);
  const ids = await report(page, count);
  const flushed = await page.evaluate(() => window.app.cc.flush());
  assert.deepEqual(flushed, { sent: 0, duplicate: 0, rejected: 0, pending: count });
  await assertPersisted(page, app.id, ids);

  // Reload while the server is still unreachable (the pagehide keepalive sends fail too).
  await page.reload();
  await page.locator('#status[data-state="ready"]').waitFor();
  // The new load adopts the previous load's queue from localStorage now: the unloaded page's Web
  // Lock was released by the browser, or its storage lease given up by the client (else the new
  // load would wait for the lease to expire, 5 minutes).
  await page.waitForFunction((n) => window.app.cc.pending() === n, count, { timeout: 5_000 });
  await assertPersisted(page, app.id, ids);
  assert.equal(await leases(), withoutLocks ? 1 : 0, "only the new load's lease is left");
  assert.deepEqual((await recorded(context, app.id)).counts, {}, 'nothing reached the server before it was back');

  gateway.reachable(true);
  const delivered = await page.evaluate(() => window.app.cc.flush());
  assert.deepEqual(delivered, { sent: count, duplicate: 0, rejected: 0, pending: 0 });
  await awaitDrained(page, app.id);
  await assertExactlyOnce(context, app.id, ids, price);
  // Sends while the server was out of reach were told to the app, as network errors, nothing else.
  await assertOnlyNetworkDeliveryErrors(page);
  assertNoConsoleErrors(problems, NETWORK_ERRORS);
  await context.close();
  await gateway.close();
}

test('reload: events queued while the server is unreachable survive a reload and are delivered once after it', () =>
  reloadWhileUnreachable('Reload app', 12));

test("reload without Web Locks (storage leases): the previous load's queue is adopted at once, each event once", () =>
  reloadWhileUnreachable('Lease app', 6, { withoutLocks: true }));

test('two tabs reporting concurrently: each event recorded exactly once, none twice', async () => {
  const { context, page: first, problems } = await newPage(browser);
  const app = await newProject(context, 'Two tabs app');
  const second = await context.newPage();
  await Promise.all([visit(first, clientPath(app)), visit(second, clientPath(app))]);
  const price = await chatPrice(first);

  const ids = [];
  for (let round = 0; round < 5; round++) {
    const batches = await Promise.all([report(first, 6), report(second, 6)]);
    ids.push(...batches.flat());
    // Both tabs flush at once, racing their batch timers.
    if (round % 2 === 1) {
      await Promise.all([first, second].map((page) => page.evaluate(() => window.app.cc.flush())));
    }
  }
  await Promise.all([awaitDrained(first, app.id), awaitDrained(second, app.id)]);
  await assertExactlyOnce(context, app.id, ids, price);
  for (const page of [first, second]) assert.deepEqual(await clientErrors(page), []);
  assertNoConsoleErrors(problems);
  await context.close();
});

test('two tabs: a closed tab\'s stored queue is adopted by a new tab while the other keeps its own, each event once', async () => {
  const gateway = await startGateway();
  const { context, page: first, problems } = await newPage(browser);
  const app = await newProject(context, 'Adopting tabs app');
  const second = await context.newPage();
  await Promise.all([visit(first, clientPath(app, gateway.url)), visit(second, clientPath(app, gateway.url))]);
  const price = await chatPrice(first);

  gateway.reachable(false);
  const [closedIds, openIds] = await Promise.all([report(first, 8), report(second, 8)]);
  await Promise.all([first, second].map((page) => page.evaluate(() => window.app.cc.flush())));
  await assertPersisted(second, app.id, [...closedIds, ...openIds]);
  // The first tab goes away with its events unsent (its keepalive sends fail).
  await first.close();
  await assertPersisted(second, app.id, closedIds);

  gateway.reachable(true);
  const third = await context.newPage();
  await visit(third, clientPath(app, gateway.url));
  await Promise.all([second, third].map((page) => page.evaluate(() => window.app.cc.flush())));
  await Promise.all([awaitDrained(second, app.id), awaitDrained(third, app.id)]);
  await assertExactlyOnce(context, app.id, [...closedIds, ...openIds], price);
  await assertOnlyNetworkDeliveryErrors(second);
  assert.deepEqual(await clientErrors(third), []);
  assertNoConsoleErrors(problems, NETWORK_ERRORS);
  await context.close();
  await gateway.close();
});
