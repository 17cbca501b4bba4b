// The packed package installed into a fresh Node.js project, as a backend function or a
// server-side script would use it: `import` (ESM) and `require` (CommonJS), with no init(),
// on the oldest Node the package's `engines` allow (Node 18, from the npm package `node`
// installed in tests/ as `node18`), on this Node (20), on this Node with `--jitless`
// (no WebAssembly: the wasm2js build), and on Bun and Deno. The README examples run as written in each. And a
// backend function bundled by esbuild for Node, deployed as its bundle alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  appFiles,
  asCommonJs,
  assertReadmeRun,
  cleanUp,
  makeProject,
  onEntry,
  packTarball,
  readmeExamples,
  run,
  tempDir,
  toolsDir,
  toolVersion,
} from './harness.mjs';
import { exactValues, expected } from './fixtures/expected.mjs';

const fixtures = new URL('./fixtures/', import.meta.url);
const fixture = (path) => readFile(new URL(path, fixtures), 'utf8');

const node18 = join(toolsDir, 'node18', 'bin', 'node');
const bun = join(toolsDir, '.bin', 'bun');
const deno = join(toolsDir, '.bin', 'deno');
const version = async (command) => (await run(command, ['--version'])).trim();
const examples = await readmeExamples();
const node18Version = await version(node18);
const bunVersion = await version(bun);
const denoVersion = (await version(deno)).split('\n')[0];

/**
 * The server-side runtimes every entry must work in: Node, the oldest first, and Bun and Deno,
 * which resolve the package through its `node` condition (from tests/node_modules: bun, deno).
 */
const RUNTIMES = [
  { name: `Node ${node18Version}`, command: node18, flags: [] },
  { name: `Node ${process.version}`, command: process.execPath, flags: [] },
  { name: `Node ${process.version} --jitless`, command: process.execPath, flags: ['--jitless'] },
  { name: `Bun ${bunVersion}`, command: bun, flags: [] },
  { name: denoVersion.replace(/^deno/, 'Deno').replace(/ \(.*$/, ''), command: deno, flags: ['run', '--allow-read', '--allow-env'] },
];

/** A backend function's entry, bundled with esbuild for deployment: the scenario on both entries. */
const FUNCTION = `import { scenario } from './scenario.js';
import { scenario as estimateScenario } from './estimate-scenario.js';

process.stdout.write(\`\\nRESULT \${JSON.stringify({ main: scenario(), estimate: estimateScenario() })}\\n\`);
`;

let project;
before(async () => {
  const { tarball } = await packTarball();
  const app = await appFiles(examples);
  const files = {};
  for (const [path, text] of Object.entries(app)) {
    if (!/^src\/(main|worker)\.js$/.test(path)) files[path.replace(/^src\//, '')] = text;
  }
  const scenario = await fixture('scenario.js');
  Object.assign(files, {
    'app.mjs': await fixture('node/app.mjs'),
    'app.cjs': await fixture('node/app.cjs'),
    'scenario.cjs': asCommonJs(scenario),
    'estimate-scenario.cjs': asCommonJs(onEntry(scenario, 'rork-cloud-credits/estimate')),
  });
  files['function.mjs'] = FUNCTION;
  project = await makeProject('node', { tarball, files, devDependencies: { esbuild: await toolVersion('esbuild') } });
});
after(cleanUp);

/** Runs `script` of the project on `runtime` and returns what it printed on its RESULT line. */
async function runApp(runtime, script) {
  const out = await run(runtime.command, [...runtime.flags, script], { cwd: project, timeoutMs: 60_000 });
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, out);
  return JSON.parse(line.slice('RESULT '.length));
}

test(`${node18} is Node 18, and Node 18 is the oldest Node the package's engines allow`, async () => {
  assert.match(node18Version, /^v18\.\d+\.\d+$/);
  const manifest = JSON.parse(await readFile(join(project, 'node_modules/rork-cloud-credits/package.json'), 'utf8'));
  const engines = manifest.engines?.node;
  const floor = engines?.match(/^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/);
  assert.ok(floor, `engines.node is ${JSON.stringify(engines)}, not ">=N[.N.N]"`);
  assert.equal(Number(floor[1]), 18, `engines.node ${engines}: the tests run the oldest allowed major on Node 18`);
  const [, major, minor, patch] = node18Version.match(/^v(\d+)\.(\d+)\.(\d+)$/).map(Number);
  const need = [Number(floor[1]), Number(floor[2] ?? 0), Number(floor[3] ?? 0)];
  assert.ok(major * 1e6 + minor * 1e3 + patch >= need[0] * 1e6 + need[1] * 1e3 + need[2], `${node18Version} is below engines ${engines}`);
});

for (const runtime of RUNTIMES) {
  test(`${runtime.name}: import, no init(): exact estimates, CloudCreditsError (and on /estimate)`, async () => {
    const result = await runApp(runtime, 'app.mjs');
    assert.deepEqual(exactValues({ main: result.main, estimate: result.estimate }), { main: expected, estimate: expected });
  });

  test(`${runtime.name}: the README examples run as written, and the process exits`, async () => {
    const result = await runApp(runtime, 'app.mjs');
    for (const example of examples) assertReadmeRun(example, result.readme?.[example.name], runtime.name);
  });

  test(`${runtime.name}: require('rork-cloud-credits') (CommonJS), no init(): the same (and on /estimate)`, async () => {
    const result = await runApp(runtime, 'app.cjs');
    assert.deepEqual(exactValues(result), { main: expected, estimate: expected });
  });
}

test('--jitless really has no WebAssembly (the wasm2js build answers there)', async () => {
  const out = await run(process.execPath, ['--jitless', '-p', 'typeof WebAssembly'], { cwd: project });
  assert.equal(out.trim(), 'undefined');
});

/** Where `runtime` resolves `specifier` from inside the project (`kind`: import or require), relative to the package. */
async function resolveIn(specifier, kind, command = process.execPath) {
  const script =
    kind === 'import'
      ? `console.log(import.meta.resolve(${JSON.stringify(specifier)}))`
      : `console.log(require('node:url').pathToFileURL(require.resolve(${JSON.stringify(specifier)})).href)`;
  const args = kind === 'import' ? ['--input-type=module', '-e', script] : ['-e', script];
  const url = (await run(command, args, { cwd: project })).trim();
  const at = url.indexOf('/node_modules/rork-cloud-credits/');
  return at < 0 ? url : url.slice(at + '/node_modules/rork-cloud-credits/'.length);
}

test('Node resolves import to the ESM node entries, require to CommonJS ones, and package.json', async () => {
  assert.match(await resolveIn('rork-cloud-credits', 'import'), /^dist\/node\.m?js$/);
  assert.match(await resolveIn('rork-cloud-credits/estimate', 'import'), /^dist\/estimate\/node\.m?js$/);
  for (const command of [node18, process.execPath]) {
    assert.match(await resolveIn('rork-cloud-credits', 'require', command), /\.cjs$/);
    assert.match(await resolveIn('rork-cloud-credits/estimate', 'require', command), /^dist\/estimate\/.*\.cjs$/);
  }
  assert.equal(await resolveIn('rork-cloud-credits/package.json', 'import'), 'package.json');
  // TypeScript takes the first `types` it meets: each condition lists it first.
  const manifest = JSON.parse(await readFile(join(project, 'node_modules/rork-cloud-credits/package.json'), 'utf8'));
  const check = (target, path) => {
    if (!target || typeof target !== 'object') return;
    const keys = Object.keys(target);
    if (keys.includes('types')) assert.equal(keys[0], 'types', `types must come first in ${path}`);
    for (const key of keys) check(target[key], `${path}.${key}`);
  };
  check(manifest.exports, 'exports');
});

test('the .wasm files are no public subpath any more', async () => {
  for (const specifier of ['rork-cloud-credits/rork_cloud_credits_bg.wasm', 'rork-cloud-credits/estimate/rork_cloud_credits_bg.wasm']) {
    await assert.rejects(resolveIn(specifier, 'import'), /ERR_PACKAGE_PATH_NOT_EXPORTED/, specifier);
  }
});

// A backend function as serverless platforms deploy one: the app bundled by esbuild for Node
// (`--platform=node`, the package's `node` build), the bundle alone copied to another folder.
for (const format of ['cjs', 'esm']) {
  test(`a backend function bundled by esbuild --platform=node --format=${format} runs on its own`, async () => {
    const out = `function.${format === 'cjs' ? 'cjs' : 'mjs'}`;
    await run(join(project, 'node_modules/.bin/esbuild'), ['function.mjs', '--bundle', '--platform=node', `--format=${format}`, `--outfile=bundle/${out}`, '--log-level=warning'], { cwd: project });
    const deployed = await tempDir('function');
    await copyFile(join(project, 'bundle', out), join(deployed, out));
    const printed = await run(process.execPath, [out], { cwd: deployed, timeoutMs: 60_000 });
    const line = printed.split('\n').find((l) => l.startsWith('RESULT '));
    assert.ok(line, printed);
    assert.deepEqual(exactValues(JSON.parse(line.slice('RESULT '.length))), { main: expected, estimate: expected });
  });
}
