// Shared set-up of the packaging tests: the built package packed with `npm pack`,
// throwaway projects that install that tarball the way an app would, the child
// processes and servers they run, and Debian's Chromium.
//
// The package must have been built first (`cargo xtask build` fills pkg/dist).
// Set PACKAGING_KEEP=1 to keep the temporary projects for a look afterwards.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { collectProblems, openBrowser } from '../e2e/browser.mjs';

/** The repository root. */
export const repo = fileURLToPath(new URL('../..', import.meta.url));
/** The npm package directory (`pkg/`), or PACKAGING_PKG_DIR. */
export const pkgDir = process.env.PACKAGING_PKG_DIR ?? join(repo, 'pkg');
/** tests/node_modules: the tooling installed by `npm ci` in tests/. */
export const toolsDir = join(repo, 'tests', 'node_modules');

const execFileAsync = promisify(execFile);

/** Runs a command to completion; the error names the command and carries its output. */
export async function run(command, args, { cwd, env } = {}) {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` failed in ${cwd}:\n${error.stdout ?? ''}\n${error.stderr ?? error.message}`,
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
export async function makeProject(label, { tarball, devDependencies = {}, files = {} }) {
  const dir = await tempDir(label);
  const manifest = {
    name: `rcc-${label}`,
    private: true,
    type: 'module',
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
 * every console error and uncaught exception.
 */
export async function loadPage(url, { timeoutMs = 15_000, read } = {}) {
  const browser = await openBrowser();
  try {
    const page = await browser.newPage();
    const problems = collectProblems(page);
    page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
    // An uncaught exception (a missing export fails the module graph) ends the wait at once.
    const crashed = new Promise((_, reject) => page.once('pageerror', reject));
    await page.goto(url);
    await Promise.race([
      page.waitForFunction(() => document.body?.dataset.done, null, { timeout: timeoutMs }),
      crashed,
    ]).catch((error) => {
      throw new Error(`${url} did not finish: ${error.message}\n${problems.join('\n')}`);
    });
    if (read) return { ...(await page.evaluate(read)), problems };
    const result = await page.evaluate(() => window.result);
    return { result, problems };
  } finally {
    await browser.close();
  }
}
