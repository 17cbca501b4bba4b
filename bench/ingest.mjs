// Server ingestion: a load generator on loopback against a running reference server (started with
// --seed-demo and a raised rate limit by `cargo xtask bench`). Measures `POST /v1/usage` with
// batches of 1, 100 and 500 events, and hold + settle pairs, each bounded in requests AND seconds
// (whichever comes first) over a few keep-alive connections. Every event must come back
// `accepted`, and the project's usage summary must grow by exactly the events accepted
// (exactly once), else the run fails rather than report a number for broken ingestion.
import { Agent, request } from 'node:http';
import { randomUUID } from 'node:crypto';

const USAGE = { model: 'gpt-4o-mini', inputTokens: 10, outputTokens: 2 };

/** A JSON client over one keep-alive agent with `connections` sockets. */
function client(baseUrl, connections) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const url = new URL(baseUrl);
  const call = (method, path, body, headers = {}) => new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request({
      agent, host: url.hostname, port: url.port, method, path,
      headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}), ...headers },
    }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : undefined });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
  return { call, close: () => agent.destroy() };
}

function expect(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/**
 * Runs `connections` workers calling `step()` until `maxRequests` steps are done or `seconds`
 * have passed. Returns the count, the elapsed seconds and the p50/p99 latency of a step (ms).
 */
async function load(step, { connections, maxRequests, seconds }) {
  const latencies = [];
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let started = 0;
  const worker = async () => {
    while (started < maxRequests && performance.now() < deadline) {
      started += 1;
      const t0 = performance.now();
      await step();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, seconds: elapsed, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99) };
}

/** The seeded demo project, its key, and a $200 top-up through the owner's session (so holds always fit). */
async function demoProject(http) {
  const demo = expect(await http.call('GET', '/v1/demo'), 200, 'GET /v1/demo (start the server with --seed-demo)');
  const session = await http.call('POST', '/v1/session', { email: demo.email, password: 'demo' });
  expect(session, 200, 'POST /v1/session');
  const cookie = String(session.headers['set-cookie']).split(';')[0];
  expect(await http.call('POST', `/v1/projects/${demo.projectId}/topups`, { amountUsd: '200.00' },
    { cookie, 'x-csrf': '1', 'idempotency-key': randomUUID() }), 200, 'top-up');
  return { projectId: demo.projectId, auth: { authorization: `Bearer ${demo.publishableKey}` } };
}

async function eventCount(http, project) {
  const summary = expect(await http.call('GET', `/v1/projects/${project.projectId}/usage?days=1`, undefined, project.auth), 200, 'usage summary');
  return summary.totalEvents;
}

/**
 * Measures the server at `baseUrl`: usage batches of each size in `batches`, then hold + settle.
 * `bounds(size)` gives `{ maxRequests, seconds }` for a batch size, `holdBounds` for the pairs.
 */
export async function ingest(baseUrl, { batches = [1, 100, 500], connections = 4, bounds, holdBounds }) {
  const http = client(baseUrl, connections);
  try {
    const project = await demoProject(http);
    const before = await eventCount(http, project);
    let accepted = 0;
    const usage = [];
    for (const size of batches) {
      const post = async () => {
        const events = Array.from({ length: size }, () => ({ id: randomUUID(), ...USAGE }));
        const body = expect(await http.call('POST', '/v1/usage', { events }, project.auth), 200, 'POST /v1/usage');
        const refused = body.results.find((r) => r.status !== 'accepted');
        if (refused) throw new Error(`event not accepted: ${JSON.stringify(refused)}`);
        accepted += size;
      };
      await load(post, { connections, maxRequests: connections * 2, seconds: 5 }); // warm-up
      const run = await load(post, { connections, ...bounds(size) });
      usage.push({ batch: size, ...run, events: run.requests * size, eventsPerSecond: (run.requests * size) / run.seconds });
    }
    const after = await eventCount(http, project);
    if (after - before !== accepted) throw new Error(`usage summary grew by ${after - before} events, ${accepted} were accepted`);

    const pair = async () => {
      const hold = expect(await http.call('POST', `/v1/projects/${project.projectId}/holds`, { usage: USAGE }, project.auth), 201, 'hold');
      const settled = expect(await http.call('POST', `/v1/holds/${hold.id}/settle`, { usage: USAGE, eventId: randomUUID() }, project.auth), 200, 'settle');
      if (settled.hold.status !== 'settled' || settled.event.status !== 'accepted') throw new Error(`settle: ${JSON.stringify(settled)}`);
    };
    await load(pair, { connections, maxRequests: connections * 2, seconds: 5 });
    const holds = await load(pair, { connections, ...holdBounds });
    return { connections, usage, accepted, holds: { ...holds, pairsPerSecond: holds.requests / holds.seconds } };
  } finally {
    http.close();
  }
}
