// Shared by the tests and the benchmark in tests/hermes/: running code under `node --jitless`
// and in the Hermes VM (React Native's JavaScript engine) against the built package in pkg/dist.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const pkgDir = join(root, 'pkg');
export const dist = join(pkgDir, 'dist');
/** The Hermes VM from the npm package hermes-engine-cli (tests/package.json). */
export const hermes = join(root, 'tests/node_modules/hermes-engine-cli/linux64-bin/hermes');

const esbuild = require('esbuild');
const babel = require('@babel/core');
const transformClasses = require('@babel/plugin-transform-classes');

/**
 * Runs `file` (an ES module) with Node under `--jitless`, which has no WebAssembly, and returns
 * its standard output.
 */
export async function nodeJitless(file, args = []) {
  const { stdout } = await run(process.execPath, ['--jitless', file, ...args], {
    cwd: root,
    maxBuffer: 64 << 20,
  });
  return stdout;
}

/**
 * Runs the node:test suite `file` under `node --jitless --test` with the TAP reporter and returns
 * its output, exit status and `count(kind)`: the number on its `# <kind> N` summary line
 * (`pass`, `fail`, ...), NaN when there is none.
 */
export function testUnderJitless(file) {
  // Without this variable the child would report to this runner instead of printing TAP.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const suite = spawnSync(process.execPath, ['--jitless', '--test', '--test-reporter=tap', file],
    { cwd: root, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const count = (kind) => Number(suite.stdout.match(new RegExp(`^# ${kind} (\\d+)$`, 'm'))?.[1]);
  return { stdout: suite.stdout, stderr: suite.stderr, status: suite.status, count };
}

/** Runs `file` with plain Node (WebAssembly available) and returns its standard output. */
export async function node(file, args = []) {
  const { stdout } = await run(process.execPath, [file, ...args], { cwd: root, maxBuffer: 64 << 20 });
  return stdout;
}

/**
 * Bundles `source` (an ES module that may import `rork-cloud-credits`, resolved from pkg/ through
 * its `exports` with the `react-native` condition, as Metro does) into one script for Hermes:
 * esbuild (iife, ES2019, async functions as generators), then Babel's class transform (Metro's Hermes preset also lowers
 * classes, which this Hermes VM does not parse). Returns the script's path and the package files
 * the bundle took.
 */
export async function bundleForHermes(source, work) {
  const modules = join(work, 'node_modules');
  await mkdir(modules, { recursive: true });
  await symlink(pkgDir, join(modules, 'rork-cloud-credits'), 'dir').catch((error) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const built = await esbuild.build({
    stdin: { contents: source, resolveDir: work, sourcefile: 'app.mjs' },
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    conditions: ['react-native'],
    mainFields: ['react-native', 'module', 'main'],
    target: 'es2019',
    // Like Metro's Hermes preset: async functions become generators, which this Hermes runs.
    supported: { 'async-await': false },
    metafile: true,
    write: false,
    logLevel: 'error',
  });
  const { code } = babel.transformSync(built.outputFiles[0].text, {
    babelrc: false,
    configFile: false,
    compact: true,
    plugins: [transformClasses],
  });
  const script = join(work, 'app.js');
  await writeFile(script, code);
  const inputs = Object.keys(built.metafile.inputs).filter((input) => input.includes('pkg/dist/'));
  return { script, inputs };
}

/** Runs `script` in the Hermes VM and returns its standard output. */
export async function runHermes(script, flags = []) {
  const { stdout } = await run(hermes, [...flags, script], { maxBuffer: 64 << 20 });
  return stdout;
}

/**
 * Bundles `source` for Hermes in `work` (see `bundleForHermes`), runs it, and parses the JSON after
 * `prefix` on the first output line that starts with it (failing with the start of the output when
 * no line does). Returns the bundle's `script` and `inputs`, the whole `output`, and that `result`.
 */
export async function runInHermes(source, work, prefix) {
  const bundle = await bundleForHermes(source, work);
  const output = await runHermes(bundle.script);
  const line = output.split('\n').find((l) => l.startsWith(prefix));
  assert.ok(line, output.slice(0, 4000));
  return { ...bundle, output, result: JSON.parse(line.slice(prefix.length)) };
}

/** A fresh temporary directory and a function that removes it. */
export async function tempDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The first ```ts code block after `heading` in pkg/README.md. */
export function readmeExample(readme, heading) {
  const at = readme.indexOf(heading);
  if (at < 0) throw new Error(`pkg/README.md has no "${heading}"`);
  const start = readme.indexOf('```ts', at);
  const body = readme.indexOf('\n', start) + 1;
  return readme.slice(body, readme.indexOf('\n```', body) + 1);
}
