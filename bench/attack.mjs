// The reference server under attack: a legitimate client's latency (p50/p99 of `GET balance`
// with the demo's publishable key, one request at a time, 100 a second at most (within the
// per-address limit), from 127.0.0.2, so that it is another
// address to the per-address limits than the attacker's 127.0.0.1) on its own, while 2,000 idle
// connections are held, and while 256 refused bodies of ~1 MiB (`{"events":[{},{},...]}`) are
// posted 64 at a time; then a sign-in flood (400 random emails, 64 in flight): how many were
// refused with 429, and the server's RSS (BENCH_ATTACK_PID) before, right after and 5 s after;
// last, spend refused: batches of 500 $0.30 events with the demo's publishable key, 4 in flight,
// until 20,000 events were sent: how many were refused per second, and how much the balance fell
// (at most the key's default $10 an hour).
//   node bench/attack.mjs http://127.0.0.1:PORT     (a server started with --seed-demo and a
// per-key limit raised above the flood's: `cargo xtask bench` starts one)
// Loads are bounded in requests and seconds. Prints one JSON object.
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const base = new URL(process.argv[2] ?? process.env.BENCH_ATTACK_URL ?? 'http://127.0.0.1:8787');
const pid = process.env.BENCH_ATTACK_PID;

function call(method, path, { body, key, agent, localAddress } = {}) {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const headers = { ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}), ...(key ? { authorization: `Bearer ${key}` } : {}) };
    const req = request({ host: base.hostname, port: base.port, method, path, headers, agent, localAddress }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: 0 }));
    });
    req.setTimeout(30000, () => req.destroy());
    req.on('error', () => resolve({ status: 0 }));
    req.end(payload);
  });
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** The legitimate client: sequential requests on one keep-alive connection until `until()` is false. */
async function legitimate(path, key, until, maxRequests = 2000) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies = [];
  let failed = 0;
  while (latencies.length + failed < maxRequests && until()) {
    const t0 = performance.now();
    const res = await call('GET', path, { key, agent, localAddress: '127.0.0.2' });
    const took = performance.now() - t0;
    if (res.status === 200) latencies.push(took);
    else failed += 1;
    if (took < 10) await sleep(10 - took);
  }
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const ms = (x) => (x === undefined ? null : Number(x.toFixed(2)));
  return { requests: latencies.length, failed, p50Ms: ms(quantile(latencies, 0.5)), p99Ms: ms(quantile(latencies, 0.99)) };
}

const forSeconds = (seconds) => { const end = performance.now() + seconds * 1000; return () => performance.now() < end; };

async function idleConnections(count) {
  const sockets = [];
  for (let i = 0; i < count; i += 1) {
    const socket = connect({ host: base.hostname, port: Number(base.port) });
    socket.on('error', () => {});
    sockets.push(socket);
    if (i % 200 === 199) await sleep(10);
  }
  await sleep(200);
  return sockets;
}

function rssMiB() {
  if (!pid) return null;
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}

/** `total` calls of `step(i)`, `inFlight` at a time; the statuses. */
async function flood(total, inFlight, step) {
  const statuses = [];
  let next = 0;
  const worker = async () => { while (next < total) statuses.push((await step(next++)).status); };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return statuses;
}

const count = (statuses, status) => statuses.filter((s) => s === status).length;

const demo = JSON.parse((await call('GET', '/v1/demo')).text);
const balance = `/v1/projects/${demo.projectId}/balance`;
const results = {};

results.alone = await legitimate(balance, demo.publishableKey, forSeconds(3));

const idle = await idleConnections(2000);
results.idle2000 = await legitimate(balance, demo.publishableKey, forSeconds(3));
results.idle2000.stillOpen = idle.filter((s) => !s.destroyed && s.readyState === 'open').length;
for (const socket of idle) socket.destroy();
await sleep(500);

const big = `{"events":[${'{},'.repeat(Math.floor((1 << 20) / 3) - 8)}{}]}`;
let flooding = true;
const bodies = flood(256, 64, () => call('POST', '/v1/usage', { body: big, key: demo.publishableKey, agent: new Agent({ keepAlive: false }) }))
  .then((statuses) => { flooding = false; return statuses; });
results.largeBodies = await legitimate(balance, demo.publishableKey, () => flooding);
const bodyStatuses = await bodies;
results.largeBodies.refused400 = count(bodyStatuses, 400);
results.largeBodies.refused429 = count(bodyStatuses, 429);

await sleep(1000);
const before = rssMiB();
const signIns = await flood(400, 64, (i) => call('POST', '/v1/session', { body: { email: `nobody-${i}-${Math.random()}@example.com`, password: 'guess' } }));
const after = rssMiB();
await sleep(5000);
results.signInFlood = { attempts: 400, refused429: count(signIns, 429), checked401: count(signIns, 401), rssMiB: { before, after, fiveSecondsLater: rssMiB() } };

const balanceUsd = async () => JSON.parse((await call('GET', balance, { key: demo.publishableKey })).text).balanceUsd;
const startUsd = await balanceUsd();
// gpt-4o: 60,000 input tokens at $2.50/1M + 15,000 output at $10/1M = $0.30 an event.
const costly = () => ({ id: crypto.randomUUID(), model: 'gpt-4o', inputTokens: 60000, outputTokens: 15000 });
const t0 = performance.now();
const batches = [];
await flood(40, 4, async () => {
  const res = await call('POST', '/v1/usage', { body: { events: Array.from({ length: 500 }, costly) }, key: demo.publishableKey });
  batches.push(res.status === 200 ? JSON.parse(res.text).results : []);
  return res;
});
const seconds = (performance.now() - t0) / 1000;
const outcomes = batches.flat();
const refused = outcomes.filter((r) => r.status === 'rejected').length;
results.spendRefused = {
  events: 40 * 500,
  answered: outcomes.length,
  accepted: outcomes.filter((r) => r.status === 'accepted').length,
  refused,
  refusedPerSecond: Math.round(refused / seconds),
  codes: [...new Set(outcomes.filter((r) => r.error).map((r) => r.error.code))],
  balanceUsd: { before: startUsd, after: await balanceUsd() },
};

console.log(JSON.stringify(results, null, 2));
