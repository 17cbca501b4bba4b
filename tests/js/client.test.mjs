// The CloudCredits client of the built package in Node.js (storage: "memory").
// Run: node --test tests/js/  (after `cargo xtask build`).
// With CLOUD_CREDITS_URL (a reference server started with --seed-demo) the
// server-backed tests run; the restart test also needs the server binary
// (CLOUD_CREDITS_SERVER_BIN, default $CARGO_TARGET_DIR/debug/rork-cloud-credits-server)
// because it stops and restarts its own server on its own database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import init, { CloudCredits, estimateCost } from '../../pkg/dist/node.js';
import { atto } from '../decimal.mjs';

await init();

const SERVER = process.env.CLOUD_CREDITS_URL;
const UNREACHABLE = 'http://127.0.0.1:9';
const BIN = process.env.CLOUD_CREDITS_SERVER_BIN
  ?? join(process.env.CARGO_TARGET_DIR ?? 'target', 'debug', 'rork-cloud-credits-server');

const usage = (extra = {}) => ({ model: 'gpt-4o-mini', inputTokens: 10, outputTokens: 2, feature: 'node-test', ...extra });
const client = (baseUrl, projectId, publishableKey, more = {}) =>
  new CloudCredits({ baseUrl, projectId, publishableKey, ...more });

async function demo(url) {
  const res = await fetch(`${url}/v1/demo`);
  assert.equal(res.status, 200, 'GET /v1/demo: start the server with --seed-demo');
  return res.json();
}

async function flushAll(cc, rounds = 200) {
  let delivered = 0;
  for (let i = 0; i < rounds; i++) {
    const r = await cc.flush();
    delivered += r.sent + r.duplicate;
    if (r.pending === 0) return delivered;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`still ${cc.pending()} pending`);
}

test('in Node the default storage is memory and "local" is refused', () => {
  const cc = client(UNREACHABLE, 'p', 'pk_x');
  assert.equal(cc.pending(), 0);
  cc.close();
  assert.throws(() => client(UNREACHABLE, 'p', 'pk_x', { storage: 'local' }), (e) => e.code === 'invalid_input');
});

test('reportUsage validates synchronously with estimateCost codes', () => {
  const cc = client(UNREACHABLE, 'p', 'pk_x');
  const id = cc.reportUsage(usage());
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.throws(() => cc.reportUsage({ model: 'nope-model', inputTokens: 1 }), (e) => e instanceof Error && e.code === 'unknown_model');
  assert.throws(() => cc.reportUsage({ model: 'gpt-4o', inputTokens: NaN }), (e) => e.code === 'invalid_input');
  assert.throws(() => cc.reportUsage({ model: 'gpt-4o', inputTokens: 1, feature: 'x'.repeat(101) }), (e) => e.code === 'invalid_input');
  // holdId by the server's rule (a UUID in any case), with the server's message.
  assert.throws(() => cc.reportUsage(usage({ holdId: 'h-1' })),
    (e) => e.code === 'invalid_input' && e.message === 'holdId must be a UUID, got the string "h-1"');
  assert.throws(() => cc.reportUsage(usage({ holdId: 5 })),
    (e) => e.code === 'invalid_input' && e.message === 'holdId must be a UUID, got the number 5');
  assert.equal(cc.pending(), 1);
  cc.reportUsage(usage({ holdId: '9B1DEB4D-3B7D-4BAD-9BDD-2B0D7B3DCB6D' }));
  assert.equal(cc.pending(), 2);
  cc.close();
});

test('an unreachable server leaves events pending, never lost, and says so', async () => {
  const cc = client(UNREACHABLE, 'p', 'pk_x', { storage: 'memory' });
  const errors = [];
  cc.on('error', (e) => errors.push(e));
  for (let i = 0; i < 3; i++) cc.reportUsage(usage());
  const r = await cc.flush();
  assert.deepEqual(r, { sent: 0, duplicate: 0, rejected: 0, pending: 3 });
  assert.equal(errors.length, 1, errors.map((e) => e.message).join('\n'));
  assert.equal(errors[0].code, 'network');
  assert.match(errors[0].message, /^3 usage events not delivered yet \(kept, sent again later\): /);
  cc.close();
});

test('the fetch option is used for every request', { skip: !SERVER && 'CLOUD_CREDITS_URL not set' }, async () => {
  const { projectId, publishableKey } = await demo(SERVER);
  const urls = [];
  const counting = (url, init) => { urls.push(`${init.method} ${url}`); return fetch(url, init); };
  const cc = client(SERVER, projectId, publishableKey, { fetch: counting });
  const balance = await cc.balance();
  assert.equal(balance.projectId, projectId);
  assert.match(balance.availableUsd, /^-?\d+(\.\d+)?$/, 'money is a decimal string');
  cc.reportUsage(usage());
  await flushAll(cc);
  assert.ok(urls.includes(`GET ${SERVER}/v1/projects/${projectId}/balance`), urls.join('\n'));
  assert.ok(urls.includes(`POST ${SERVER}/v1/usage`), urls.join('\n'));
  cc.close();
});

test('endUser goes with every hold and usage event, and a bad one is refused', { skip: !SERVER && 'CLOUD_CREDITS_URL not set' }, async () => {
  assert.throws(() => client(UNREACHABLE, 'p', 'pk_x', { endUser: '' }), (e) => e.code === 'invalid_input');
  assert.throws(() => client(UNREACHABLE, 'p', 'pk_x', { endUser: 'u'.repeat(101) }), (e) => e.code === 'invalid_input');
  const { projectId, publishableKey } = await demo(SERVER);
  const bodies = [];
  const recording = (url, init) => {
    if (init.body) bodies.push(JSON.parse(init.body));
    return fetch(url, init);
  };
  const cc = client(SERVER, projectId, publishableKey, { fetch: recording, endUser: 'user_42' });
  const hold = await cc.guard({ model: 'gpt-4o-mini', inputTokens: 100, outputTokens: 50 });
  await hold.settle({ model: 'gpt-4o-mini', inputTokens: 100, outputTokens: 20 });
  cc.reportUsage(usage());
  await flushAll(cc);
  assert.equal(bodies[0].endUser, 'user_42', JSON.stringify(bodies[0]));
  const events = bodies.flatMap((body) => body.events ?? []);
  assert.equal(events.length, 1);
  assert.equal(events[0].endUser, 'user_42');
  cc.close();
});

test('usage summary and notifications', { skip: !SERVER && 'CLOUD_CREDITS_URL not set' }, async () => {
  const { projectId, publishableKey } = await demo(SERVER);
  const cc = client(SERVER, projectId, publishableKey);
  const summary = await cc.usage({ days: 30, groupBy: 'model' });
  assert.equal(summary.days, 30);
  assert.ok(Array.isArray(summary.groups));
  await assert.rejects(cc.usage({ days: 91 }), (e) => e.code === 'invalid_input');
  assert.ok(Array.isArray(await cc.notifications()));
  cc.close();
});

/** A `fetch` that asks the real server, then answers with `rewrite(status, body text)`'s `[status, body]`. */
const rewriting = (rewrite) => async (url, init) => {
  const real = await fetch(url, init);
  const [status, body] = rewrite(real.status, await real.text(), `${init.method} ${new URL(url).pathname}`);
  return new Response(body, { status, headers: { 'content-type': 'application/json' } });
};

test('answers are checked field by field: new fields let through, wrong ones a server error', { skip: !SERVER && 'CLOUD_CREDITS_URL not set' }, async () => {
  const { projectId, publishableKey } = await demo(SERVER);
  const withBalance = async (rewrite) => {
    const cc = client(SERVER, projectId, publishableKey, { fetch: rewriting(rewrite) });
    try { return await cc.balance(); } finally { cc.close(); }
  };
  const plain = await withBalance((status, body) => [status, body]);
  const newer = await withBalance((status, body) => [status, JSON.stringify({ ...JSON.parse(body), addedLater: { x: 1 } })]);
  const { addedLater, ...known } = newer;
  assert.deepEqual(addedLater, { x: 1 }, 'a field this SDK predates is let through, untouched');
  assert.deepEqual({ ...known, asOf: plain.asOf }, plain);

  const refused = async (rewrite, code, message) => {
    await assert.rejects(withBalance(rewrite), (e) => {
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      return true;
    });
  };
  const balancePath = new RegExp(`unreadable answer from GET /v1/projects/${projectId}/balance: `);
  await refused((status, body) => [status, JSON.stringify({ ...JSON.parse(body), heldUsd: 0.5 })], 'server',
    new RegExp(`${balancePath.source}heldUsd must be a string, got the number 0.5`));
  await refused((status, body) => [status, JSON.stringify({ ...JSON.parse(body), status: 'fine' })], 'server', /status must be one of ok, low, empty, got "fine"/);
  const { heldUsd, ...withoutHeld } = JSON.parse((await (await fetch(`${SERVER}/v1/projects/${projectId}/balance`, { headers: { authorization: `Bearer ${publishableKey}` } })).text()));
  assert.ok(heldUsd);
  await refused(() => [200, JSON.stringify(withoutHeld)], 'server', /heldUsd is required/);
  await refused(() => [200, '<html>busy</html>'], 'server', new RegExp(`${balancePath.source}not JSON`));
  await refused(() => [403, JSON.stringify({ error: { code: 'forbidden', message: 'not this project' } })], 'forbidden', /^not this project$/);
  // An error body this SDK cannot read: the error follows the status.
  await refused(() => [403, JSON.stringify({ error: { code: 'teapot', message: 'short and stout' } })], 'forbidden', /.*/);
});

test('a usage answer that cannot be read keeps the events queued, and they are delivered once', { skip: !SERVER && 'CLOUD_CREDITS_URL not set' }, async () => {
  const { projectId, publishableKey } = await demo(SERVER);
  let garble = true;
  const cc = client(SERVER, projectId, publishableKey, {
    storage: 'memory',
    fetch: rewriting((status, body, what) => [status, garble && what === 'POST /v1/usage' ? body.replace('"results"', '"resultz"') : body]),
  });
  const errors = [];
  cc.on('error', (e) => errors.push(e));
  cc.reportUsage(usage());
  const first = await cc.flush();
  assert.deepEqual({ ...first }, { sent: 0, duplicate: 0, rejected: 0, pending: 1 }, 'recorded by the server, but not known to be');
  assert.deepEqual(errors.map((e) => [e.code, e.message]), [['server',
    '1 usage events not delivered yet (kept, sent again later): unreadable answer to POST /v1/usage: results is required']]);
  garble = false;
  const second = await cc.flush();
  assert.deepEqual({ ...second }, { sent: 0, duplicate: 1, rejected: 0, pending: 0 }, 'the retry is a duplicate: charged once');
  cc.close();
});

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

// The restart runs without --seed-demo: seeding again mints a new demo key,
// and the client must keep working with the key it was created with.
async function startServer(db, port, seed) {
  const args = ['--db', db, '--listen', `127.0.0.1:${port}`, ...(seed ? ['--seed-demo'] : [])];
  const child = spawn(BIN, args, { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(`${url}/v1/models`)).ok) return { child, url }; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the server did not start');
}

function stop(child) {
  return new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGKILL'); });
}

test('1,000 events are recorded exactly once through a server stopped and restarted mid-run',
  { skip: !existsSync(BIN) && `no server binary at ${BIN}`, timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-restart-'));
    try {
      const db = `sqlite://${join(dir, 'restart.db')}`;
      const port = await freePort();
      let server = await startServer(db, port, true);
      const { projectId, publishableKey } = await demo(server.url);
      // Kill the server right after it answered the second usage batch: the
      // flush is mid-run, with 800 events still to go.
      let posts = 0;
      let killed;
      const fetchThenKill = async (url, init) => {
        const res = await fetch(url, init);
        if (init.method === 'POST' && url.endsWith('/v1/usage') && ++posts === 2) killed = stop(server.child);
        return res;
      };
      const cc = client(server.url, projectId, publishableKey, { fetch: fetchThenKill });
      const before = atto((await cc.balance({ refresh: true })).balanceUsd);
      const ids = new Set();
      for (let i = 0; i < 1000; i++) ids.add(cc.reportUsage(usage()));
      assert.equal(ids.size, 1000);
      const partial = await cc.flush();
      await killed;
      assert.ok(partial.pending > 0 && partial.pending < 1000, `interrupted mid-run: ${JSON.stringify(partial)}`);
      assert.equal(cc.pending(), partial.pending);
      server = await startServer(db, port, false);
      try {
        await flushAll(cc);
        assert.equal(cc.pending(), 0);
        // Each event charged exactly once: the balance fell by 1,000 × its price.
        const after = atto((await cc.balance({ refresh: true })).balanceUsd);
        const { model, inputTokens, outputTokens } = usage();
        const price = atto(estimateCost({ model, inputTokens, outputTokens }).total);
        assert.equal(before - after, 1000n * price, 'each event recorded once, none lost');
      } finally {
        cc.close();
        await stop(server.child);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
