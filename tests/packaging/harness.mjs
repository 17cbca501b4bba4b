// Shared set-up of the packaging tests: the built package packed with `npm pack`,
// throwaway projects that install that tarball the way an app would, the child
// processes and servers they run, and Debian's Chromium.
//
// The package must have been built first (`cargo xtask build` fills pkg/dist).
// Set PACKAGING_KEEP=1 to keep the temporary projects for a look afterwards.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { collectProblems, openBrowser } from '../e2e/browser.mjs';

/** The repository root. */
export const repo = fileURLToPath(new URL('../..', import.meta.url));
/** The npm package directory (`pkg/`), or PACKAGING_PKG_DIR. */
export const pkgDir = process.env.PACKAGING_PKG_DIR ?? join(repo, 'pkg');
/** tests/node_modules: the tooling installed by `npm ci` in tests/. */
export const toolsDir = join(repo, 'tests', 'node_modules');

const execFileAsync = promisify(execFile);

/** Runs a command to completion; the error names the command and carries its output. */
export async function run(command, args, { cwd, env, timeoutMs = 300_000 } = {}) {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    return stdout;
  } catch (error) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` ${error.killed ? `was still running after ${timeoutMs} ms` : 'failed'} in ${cwd}:\n${error.stdout ?? ''}\n${error.stderr ?? error.message}`,
    );
  }
}

/** A fresh temporary directory, removed by `cleanUp()` unless PACKAGING_KEEP is set. */
const made = [];
export async function tempDir(label) {
  const dir = await mkdtemp(join(tmpdir(), `rcc-${label}-`));
  made.push(dir);
  return dir;
}

/** Removes the temporary directories this process made. */
export async function cleanUp() {
  if (process.env.PACKAGING_KEEP) {
    console.log(`# kept: ${made.join(' ')}`);
    return;
  }
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** `npm pack`s pkg/ into a temporary directory and returns the tarball's path and file list. */
export async function packTarball() {
  if (!existsSync(join(pkgDir, 'dist', 'rork_cloud_credits_bg.wasm'))) {
    throw new Error(`${pkgDir}/dist is not built: run \`cargo xtask build\` first`);
  }
  const out = await tempDir('pack');
  const json = await run('npm', ['pack', '--json', '--pack-destination', out, pkgDir], { cwd: out });
  const [packed] = JSON.parse(json);
  return {
    tarball: join(out, packed.filename),
    files: packed.files.map((f) => f.path).sort(),
    size: packed.size,
    unpackedSize: packed.unpackedSize,
  };
}

/** The version of a tool installed in tests/node_modules (`vite7` is an npm alias of vite 7). */
export async function toolVersion(name) {
  const manifest = JSON.parse(await readFile(join(toolsDir, name, 'package.json'), 'utf8'));
  return manifest.version;
}

/**
 * Creates a project like an app developer would: a package.json depending on the
 * packed tarball (and on `devDependencies`), the given files, then `npm install`
 * preferring the npm cache that `npm ci` in tests/ filled.
 */
export async function makeProject(label, { tarball, devDependencies = {}, files = {}, type = 'module' }) {
  const dir = await tempDir(label);
  const manifest = {
    name: `rcc-${label}`,
    private: true,
    type,
    dependencies: { 'rork-cloud-credits': `file:${tarball}` },
    devDependencies,
  };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFiles(dir, files);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: dir,
  });
  return dir;
}

/** Writes `{ relativePath: text }` under `dir`, creating folders as needed. */
export async function writeFiles(dir, files) {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

/**
 * Starts a long-running command (a dev server) and resolves once its output
 * matches `ready`, with the first capture group as `url`. `stop()` ends it.
 */
export function startServer(command, args, { cwd, ready, timeoutMs = 30_000 }) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`\`${command} ${args.join(' ')}\` not ready after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk) => {
      output += chunk.toString();
      const match = output.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], stop, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`\`${command} ${args.join(' ')}\` exited with ${code}:\n${output}`));
    });
  });
}

const mimeTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** Serves `root` as static files on a free loopback port, like any plain web server would. */
export async function serveStatic(root) {
  const server = createServer(async (req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    const file = path.endsWith(sep) ? join(path, 'index.html') : path;
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': mimeTypes[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Opens `url` in headless Chromium, waits until the page sets
 * `document.body.dataset.done`, and returns what the page put on `window.result`
 * (or, with `read`, the object that function returns in the page) together with
 * every console error and uncaught exception (`problems`) and every URL fetched (`requests`).
 */
export async function loadPage(url, { timeoutMs = 15_000, read } = {}) {
  const browser = await openBrowser();
  try {
    const page = await browser.newPage();
    const problems = collectProblems(page);
    page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
    // Every URL the page and its workers fetched.
    const requests = [];
    page.context().on('request', (r) => requests.push(r.url()));
    // An uncaught exception (a missing export fails the module graph) ends the wait at once.
    const crashed = new Promise((_, reject) => page.once('pageerror', reject));
    // Handled by the race below; an error thrown while the page loads must not be an unhandled rejection.
    crashed.catch(() => {});
    await page.goto(url);
    await Promise.race([
      page.waitForFunction(() => document.body?.dataset.done, null, { timeout: timeoutMs }),
      crashed,
    ]).catch((error) => {
      throw new Error(`${url} did not finish: ${error.message}\n${problems.join('\n')}`);
    });
    if (read) return { ...(await page.evaluate(read)), problems, requests };
    const result = await page.evaluate(() => window.result);
    return { result, problems, requests };
  } finally {
    await browser.close();
  }
}

const requireTool = createRequire(join(toolsDir, 'noop.js'));

/** Every file under `dir` (paths relative to it), with its size in bytes. */
export async function listFiles(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    out.push({ path: relative(dir, path), size: (await stat(path)).size });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** The string literals of a JavaScript file. */
function stringLiterals(code) {
  const acorn = requireTool('acorn');
  const out = new Set();
  for (const token of acorn.tokenizer(code, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true })) {
    if ((token.type === acorn.tokTypes.string || token.type === acorn.tokTypes.template) && typeof token.value === 'string') {
      out.add(token.value);
    }
  }
  return out;
}

/**
 * What only the package's wasm2js builds contain (read from the installed package
 * `packageDir`): their string literals of 12+ plain characters (the wasm2js data
 * segments, the text codecs for Hermes) that no other module of the package has
 * except the Node entries. Any one of them in a build means the wasm2js build came along.
 */
export async function wasm2jsFingerprints(packageDir) {
  const files = (await listFiles(join(packageDir, 'dist'))).map((f) => f.path).filter((f) => /\.[cm]?js$/.test(f));
  const others = new Set();
  for (const file of files.filter((f) => !f.includes('wasm2js') && !basename(f).startsWith('node.'))) {
    for (const literal of stringLiterals(await readFile(join(packageDir, 'dist', file), 'utf8'))) others.add(literal);
  }
  const prints = new Set();
  for (const file of files.filter((f) => f.includes('wasm2js'))) {
    for (const literal of stringLiterals(await readFile(join(packageDir, 'dist', file), 'utf8'))) {
      if (literal.length >= 12 && /^[\x20-\x7e]+$/.test(literal) && !/["'`\\]/.test(literal) && !others.has(literal)) prints.add(literal);
    }
  }
  return [...prints];
}

/**
 * Checks the output folder of a browser build: no wasm2js file (by name or by content: a
 * browser with WebAssembly never needs the 260 KB / 790 KB fallbacks) and no file larger
 * than the package's largest browser module plus 128 KiB of app (the wasm2js build inlined
 * into a chunk would be; source maps aside). Returns the files and sizes, for a diagnostic.
 */
export async function assertLeanBrowserBuild(outDir, packageDir) {
  const files = await listFiles(outDir);
  assert.ok(files.some((f) => /\.[cm]?js$/.test(f.path)), `no JavaScript in ${outDir}: ${files.map((f) => f.path).join(', ')}`);
  const prints = await wasm2jsFingerprints(packageDir);
  assert.ok(prints.length >= 10, `only ${prints.length} strings identify the wasm2js build: the check would prove nothing`);
  const browserModules = (await listFiles(join(packageDir, 'dist'))).filter(
    (f) => /\.[cm]?js$/.test(f.path) && !f.path.includes('wasm2js') && !basename(f.path).startsWith('node.'),
  );
  const limit = Math.max(...browserModules.map((f) => f.size)) + 128 * 1024;
  const problems = [];
  for (const file of files) {
    if (/wasm2js/i.test(file.path)) problems.push(`${file.path}: a wasm2js file`);
    // Source maps are for the developer's tools, not loaded by the page.
    if (file.size > limit && !file.path.endsWith('.map')) problems.push(`${file.path}: ${file.size} B, over ${limit} B`);
    if (/\.(m?js|cjs|html)$/.test(file.path)) {
      const text = await readFile(join(outDir, file.path), 'utf8');
      const found = prints.filter((p) => text.includes(p));
      if (found.length) problems.push(`${file.path}: holds the wasm2js build (${found.length} of its ${prints.length} strings, such as ${JSON.stringify(found[0].slice(0, 60))})`);
    }
  }
  assert.deepEqual(problems, [], `the browser build in ${outDir} (${files.map((f) => `${f.path} ${f.size} B`).join(', ')})`);
  return files;
}

/**
 * The README examples every runtime must run unchanged: the repository README's
 * "30-second example" and the package README's "Quick start", as found there now, each
 * with `code` (TypeScript stripped of its types by esbuild, which keeps imports as
 * written, when it is not already JavaScript) and `logs`: what its comments say each
 * `console.log` prints (`console.log(x, y); // "0.00863" "$0.01"`).
 */
export async function readmeExamples() {
  const sources = [
    { name: 'readme-30-second', file: join(repo, 'README.md'), heading: '## 30-second example' },
    { name: 'pkg-readme-quick-start', file: join(pkgDir, 'README.md'), heading: '## Quick start' },
  ];
  const acorn = requireTool('acorn');
  const esbuild = requireTool('esbuild');
  const examples = [];
  for (const { name, file, heading } of sources) {
    const text = await readFile(file, 'utf8');
    const at = text.indexOf(`\n${heading}\n`);
    assert.ok(at >= 0, `${file} has no "${heading}" section`);
    const section = text.slice(at + heading.length + 2).split(/^## /m)[0];
    const block = section.match(/^```(\w*)[^\n]*\n([\s\S]*?)^```$/m);
    assert.ok(block, `no code block under "${heading}" in ${file}`);
    let code = block[2];
    try {
      acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
    } catch {
      code = esbuild.transformSync(code, {
        loader: 'ts',
        tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
      }).code;
    }
    const logs = [];
    for (const line of code.split('\n')) {
      const comment = line.match(/console\.log\(.*\);?\s*\/\/\s*((?:"[^"]*"\s*)+)/);
      if (comment) logs.push([...comment[1].matchAll(/"[^"]*"/g)].map(([s]) => JSON.parse(s)));
    }
    assert.ok(logs.length > 0, `the example under "${heading}" in ${file} says nothing of what it prints`);
    examples.push({ name, file, heading, code, logs });
  }
  return examples;
}

/**
 * The example as a module whose default export runs it, its imports kept on top: for
 * targets without top-level await (an esbuild IIFE bundle, Hermes).
 */
export function wrappedExample(code) {
  const lines = code.split('\n');
  const imports = [];
  let i = 0;
  const body = [];
  while (i < lines.length) {
    if (/^import\s/.test(lines[i])) {
      let statement = lines[i];
      while (!/['"];?\s*$/.test(lines[i]) && i + 1 < lines.length) statement += `\n${lines[++i]}`;
      imports.push(statement);
    } else {
      body.push(lines[i]);
    }
    i++;
  }
  return `${imports.join('\n')}\nexport default async function main() {\n${body.join('\n')}\n}\n`;
}

/**
 * Checks one run of a README example (`run` = { logs, requests } recorded by
 * fixtures/fake-cloud.js): it printed what its comments say, and its cloud calls reached
 * the server as written (a hold for the estimate, a settlement of the app's actual usage).
 */
export function assertReadmeRun(example, run, where) {
  assert.ok(run && !run.failed, `${example.name} failed in ${where}: ${run?.failed}`);
  assert.deepEqual(run.logs, example.logs, `what ${example.name} printed in ${where}`);
  const calls = run.requests.map((r) => `${r.method} ${new URL(r.url).pathname.replace(/\/holds\/[^/]+\//, '/holds/{id}/')}`);
  if (example.code.includes('.guard(')) {
    const hold = run.requests.find((r) => r.method === 'POST' && /\/holds$/.test(r.url));
    assert.ok(hold, `${example.name} in ${where} made no hold: ${calls.join(', ')}`);
    assert.equal(hold.body?.usage?.model, 'gpt-4o', JSON.stringify(hold.body));
  }
  if (example.code.includes('.settle(')) {
    const settle = run.requests.find((r) => r.method === 'POST' && /\/settle$/.test(r.url));
    assert.ok(settle, `${example.name} in ${where} settled nothing: ${calls.join(', ')}`);
    // callYourModel() answered 1200 prompt and 350 completion tokens.
    assert.deepEqual([settle.body?.usage?.inputTokens, settle.body?.usage?.outputTokens], [1200, 350], JSON.stringify(settle.body));
  }
}

const fixturesDir = new URL('./fixtures/', import.meta.url);
const fixtureText = (path) => readFile(new URL(path, fixturesDir), 'utf8');

/** fixtures/scenario.js on another entry of the package (`rork-cloud-credits/estimate`). */
export function onEntry(scenario, entry) {
  const out = scenario.replace("from 'rork-cloud-credits';", `from '${entry}';`);
  assert.notEqual(out, scenario);
  return out;
}

/** fixtures/scenario.js as a CommonJS module: its import a `require`, its export `module.exports`. */
export function asCommonJs(scenario) {
  const out = scenario
    .replace(/^import \{ ([^}]+) \} from ('[^']+');$/m, 'const { $1 } = require($2);')
    .replace('export function scenario()', 'function scenario()');
  assert.ok(!/^(import|export) /m.test(out), out);
  return `${out}\nmodule.exports = { scenario };\n`;
}

/**
 * The source files of the test app every browser bundler builds, in `src/` (fixtures/app):
 * the scenario on the main thread and, on rork-cloud-credits/estimate, in a module worker,
 * and the README examples (`wrap`: as functions, for targets without top-level await).
 */
export async function appFiles(examples, { wrap = false } = {}) {
  const scenario = await fixtureText('scenario.js');
  const files = {
    'src/main.js': await fixtureText('app/main.js'),
    'src/worker.js': await fixtureText('app/worker.js'),
    'src/scenario.js': scenario,
    'src/estimate-scenario.js': onEntry(scenario, 'rork-cloud-credits/estimate'),
    'src/fake-cloud.js': await fixtureText('fake-cloud.js'),
    'src/readme.js': readmeRunner(examples),
  };
  for (const example of examples) {
    files[`src/${example.name}.js`] = wrap ? wrappedExample(example.code) : example.code;
  }
  return files;
}

/** The module that runs the README examples one after the other and returns what each did. */
function readmeRunner(examples) {
  return `// Generated by the packaging tests: runs the README examples, each a module of its own.
import { cloud } from './fake-cloud.js';

const examples = {
${examples.map((e) => `  ${JSON.stringify(e.name)}: () => import('./${e.name}.js'),`).join('\n')}
};

export async function runReadmes() {
  const out = {};
  for (const [name, load] of Object.entries(examples)) {
    const logs = cloud.logs.length;
    const requests = cloud.requests.length;
    try {
      const example = await load();
      if (typeof example.default === 'function') await example.default();
      out[name] = { logs: cloud.logs.slice(logs), requests: cloud.requests.slice(requests) };
    } catch (error) {
      out[name] = { failed: String(error && error.stack ? error.stack : error) };
    }
  }
  return out;
}
`;
}

/**
 * Where a browser's import map must point `specifier` (`rork-cloud-credits` or a subpath) in
 * the installed package at `packageDir`: its `exports` resolved with the conditions of a
 * browser (`browser`, `import`, `default`), relative to `packageDir`.
 */
export async function browserTarget(packageDir, specifier) {
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8'));
  const subpath = `.${specifier.slice('rork-cloud-credits'.length)}`;
  let target = manifest.exports?.[subpath];
  const conditions = ['browser', 'import', 'default'];
  while (target && typeof target === 'object') {
    const key = Object.keys(target).find((k) => conditions.includes(k));
    assert.ok(key, `exports["${subpath}"] has no browser condition: ${JSON.stringify(target)}`);
    target = target[key];
  }
  assert.equal(typeof target, 'string', `exports["${subpath}"] resolves to nothing for a browser`);
  return target;
}
