// The SDK's usage queue in Node: events/second through `reportUsage` + `flush` of a
// `CloudCredits` client (storage "memory") to a running reference server, and memory per queued
// event, measured in a fresh `node --expose-gc` process (this file run as a script) so nothing
// else shares its heap.
//   node --expose-gc bench/queue.mjs <dist dir> <events>   → prints the memory measurement as JSON
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './speed.mjs';

const USAGE = { model: 'gpt-4o-mini', inputTokens: 10, outputTokens: 2, feature: 'bench' };
/** The client's queue capacity (core `QueueConfig::default`): the most events one round may queue. */
export const QUEUE_CAPACITY = 5000;

/** The package's API from `dist` (in this process, the module the bench already loaded). */
const packageApi = (dist) => import(pathToFileURL(`${dist}node.js`).href);

/**
 * The package's API and its wasm instance's exports (for the size of linear memory), in a process
 * that has not loaded it yet: the package does not hand out its instance, so the first
 * `WebAssembly.Instance` made by its first (synchronous) call is kept.
 */
async function load(dist) {
  const Instance = WebAssembly.Instance;
  let wasm;
  WebAssembly.Instance = function (module, imports) {
    const instance = new Instance(module, imports);
    wasm ??= instance.exports;
    return instance;
  };
  try {
    const api = await packageApi(dist);
    api.catalogVersion();
    if (!wasm) throw new Error('the package made no WebAssembly.Instance on its first call');
    return { api, wasm };
  } finally {
    WebAssembly.Instance = Instance;
  }
}

/** Flushes until nothing is pending; fails if anything is rejected or the server stops answering. */
async function drain(cc) {
  for (let i = 0; i < 1000; i++) {
    const r = await cc.flush();
    if (r.rejected) throw new Error(`${r.rejected} events rejected`);
    if (r.pending === 0) return;
    if (r.sent + r.duplicate === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`still ${cc.pending()} events pending`);
}

/** Events the server recorded for the project today (its usage summary, read with the publishable key). */
async function recorded(baseUrl, demo) {
  const res = await fetch(`${baseUrl}/v1/projects/${demo.projectId}/usage?days=1`, { headers: { authorization: `Bearer ${demo.publishableKey}` } });
  if (!res.ok) throw new Error(`usage summary: HTTP ${res.status}`);
  return (await res.json()).totalEvents;
}

/**
 * `rounds` rounds of queueing `events` events with `reportUsage` and flushing them all to the
 * demo project of the server at `baseUrl`. Median events/second from the first report to the
 * last delivery, and the median cost of one `reportUsage` call alone. The server's usage summary
 * must grow by exactly the events reported (none lost, none twice).
 */
export async function queueThroughput(dist, baseUrl, { rounds, events }) {
  const api = await packageApi(dist);
  const demo = await (await fetch(`${baseUrl}/v1/demo`)).json();
  const cc = new api.CloudCredits({ baseUrl, projectId: demo.projectId, publishableKey: demo.publishableKey, storage: 'memory' });
  try {
    cc.reportUsage(USAGE); // warm-up: one event end to end
    await drain(cc);
    const runs = [];
    for (let round = 0; round < rounds; round++) {
      const before = await recorded(baseUrl, demo);
      const t0 = performance.now();
      for (let i = 0; i < events; i++) cc.reportUsage(USAGE);
      const t1 = performance.now();
      await drain(cc);
      const t2 = performance.now();
      const delivered = (await recorded(baseUrl, demo)) - before;
      if (delivered !== events) throw new Error(`the server recorded ${delivered} of ${events} events`);
      runs.push({ eventsPerSecond: events / ((t2 - t0) / 1000), reportUs: ((t1 - t0) * 1000) / events });
    }
    const middle = (key) => median(runs.map((r) => r[key]));
    return { events, rounds, eventsPerSecond: middle('eventsPerSecond'), reportUs: middle('reportUs') };
  } finally {
    cc.close();
  }
}

/** Memory per queued event, from a fresh process (see the script part below). */
export function queueMemory(dist, events) {
  const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), dist, String(events)], { encoding: 'utf8' });
  return JSON.parse(out);
}

/**
 * In this process: JS heap (plus external and array buffers) and wasm linear memory before and
 * after queueing `events` events on a client whose every request fails at once, both after full
 * collections. Full batches are sent as they fill; the snapshot is taken once their failures
 * have put them back in the queue (waiting out the backoff), so it counts the queue, not
 * requests in flight.
 */
async function measureMemory(dist, events) {
  const { api, wasm } = await load(dist);
  const offline = () => Promise.reject(new TypeError('offline'));
  const cc = new api.CloudCredits({ baseUrl: 'http://127.0.0.1:9', projectId: 'bench', publishableKey: 'pk_000000000000_bench', storage: 'memory', fetch: offline });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
  const snapshot = () => {
    globalThis.gc();
    globalThis.gc();
    const m = process.memoryUsage();
    return { heap: m.heapUsed, external: m.external, wasm: wasm.memory.buffer.byteLength };
  };
  cc.reportUsage(USAGE); // first-use allocations are not per event
  await settle();
  const before = snapshot();
  for (let i = 1; i < events; i++) cc.reportUsage(USAGE);
  await settle();
  const after = snapshot();
  if (cc.pending() !== events) throw new Error(`${cc.pending()} of ${events} events queued`);
  cc.close();
  const per = (key) => (after[key] - before[key]) / (events - 1);
  return { events, heapBytes: per('heap'), wasmBytes: per('wasm'), externalBytes: per('external'), bytes: per('heap') + per('wasm') };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dist, events] = process.argv.slice(2);
  console.log(JSON.stringify(await measureMemory(dist, Number(events))));
  process.exit(0);
}
