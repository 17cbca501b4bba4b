// `cargo xtask bench` runs this after building the package: size, start-up, throughput (Node and
// headless Chromium) and exactness, against the peers, then server ingestion and the client's
// usage queue, written into bench/RESULTS.md between the generated-section markers (the
// hand-written profile notes around them are kept).
//   node bench/run.mjs [--quick]     (BENCH_DIST=dir measures a copy of pkg/dist instead)
// Ingestion and the queue need running servers (release build, --seed-demo, a raised rate limit),
// which `cargo xtask bench` starts: BENCH_SQLITE_URL and BENCH_POSTGRES_URL; without them those
// sections are skipped.
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PEERS } from './peers.mjs';
import { oursSize, peerSizes } from './size.mjs';
import { measure, subjects } from './speed.mjs';
import { nodeStartup } from './startup.mjs';
import { chromium } from './chromium.mjs';
import { exactness } from './exactness.mjs';
import { markdown } from './report.mjs';
import { instructions } from './instructions.mjs';
import { ingest } from './ingest.mjs';
import { QUEUE_CAPACITY, queueMemory, queueThroughput } from './queue.mjs';
import { measureWithoutWasm } from '../tests/hermes/bench.mjs';

const quick = process.argv.includes('--quick');
const dist = process.env.BENCH_DIST ? `${process.env.BENCH_DIST.replace(/\/$/, '')}/` : fileURLToPath(new URL('../pkg/dist/', import.meta.url));
const results = fileURLToPath(new URL('RESULTS.md', import.meta.url));
const speedOptions = quick ? { rounds: 3, roundMs: 60 } : { rounds: 9, roundMs: 200 };
// Each load is bounded in requests and in seconds, whichever comes first.
const ingestOptions = quick
  ? { bounds: (size) => ({ maxRequests: Math.ceil(4000 / size), seconds: 1 }), holdBounds: { maxRequests: 200, seconds: 1 } }
  : { bounds: (size) => ({ maxRequests: size === 1 ? 20000 : Math.ceil(300000 / size), seconds: 10 }), holdBounds: { maxRequests: 5000, seconds: 10 } };
const queueOptions = quick ? { rounds: 1, events: 1000 } : { rounds: 5, events: QUEUE_CAPACITY };
const servers = { SQLite: process.env.BENCH_SQLITE_URL, PostgreSQL: process.env.BENCH_POSTGRES_URL };

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const versions = async () => {
  const lock = JSON.parse(await readFile(new URL('package-lock.json', import.meta.url), 'utf8'));
  const version = (name) => lock.packages[`node_modules/${name}`]?.version;
  const ours = JSON.parse(await readFile(new URL('../pkg/package.json', import.meta.url), 'utf8')).version;
  return { 'rork-cloud-credits': ours, ...Object.fromEntries([...PEERS.map((p) => p.name), 'esbuild'].map((n) => [n, version(n)])) };
};

const run = { date: new Date().toISOString(), nodeVersion: process.version, cpu: cpus()[0]?.model, cores: cpus().length, memGiB: (totalmem() / 2 ** 30).toFixed(1) };
run.versions = await versions();
const log = (what) => console.log(`bench: ${what} (load average ${load()})`);

log('size');
const shipped = (dir) => oursSize([dist + dir + 'rork_cloud_credits.js']);
run.size = {
  ours: await shipped(''),
  estimate: await shipped('estimate/'),
  peers: await peerSizes(),
};

log('exactness');
const api = await import(new URL('node.js', `file://${dist}`).href);
await api.default();
run.exactness = exactness(api);

log('throughput in Node');
run.nodeLoad = load();
run.node = measure(subjects(api), speedOptions);

log('instructions per estimate (callgrind)');
run.instructions = await instructions(dist);

log('start-up in Node');
run.nodeStartup = await nodeStartup(dist);

log('Chromium');
run.browserLoad = load();
({ chromium: run.chromium, startup: run.browserStartup, speed: run.browser } = await chromium(dist, speedOptions));

run.ingest = [];
for (const [database, url] of Object.entries(servers)) {
  if (!url) {
    log(`ingestion on ${database}: skipped (no server URL; \`cargo xtask bench\` starts one)`);
    continue;
  }
  log(`ingestion on ${database}`);
  run.ingest.push({ database, load: load(), ...(await ingest(url, ingestOptions)) });
}
if (servers.SQLite) {
  log('client usage queue');
  run.queue = {
    load: load(),
    ...(await queueThroughput(dist, servers.SQLite, queueOptions)),
    memory: queueMemory(dist, queueOptions.events),
  };
}
log('without WebAssembly (node --jitless, Hermes)');
run.withoutWasmLoad = load();
run.withoutWasm = await measureWithoutWasm();

run.endLoad = load();

const previous = await readFile(results, 'utf8').catch(() => '');
await writeFile(results, markdown(run, previous));
await writeFile(fileURLToPath(new URL('results.json', import.meta.url)), `${JSON.stringify(run, null, 2)}\n`);
log(`wrote ${results}`);
