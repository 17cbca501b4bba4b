// The packed package in browsers, imported the same way everywhere: a plain
// `<script type="module">` page with an import map, and fresh Vite apps (dev
// server and production build), each also running the scenario in a module
// worker, all in headless Chromium.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanUp, loadPage, makeProject, packTarball, run, serveStatic, startServer, toolVersion } from './harness.mjs';
import { exactValues, expected } from './fixtures/expected.mjs';

const fixtures = new URL('./fixtures/', import.meta.url);
const fixture = (path) => readFile(new URL(path, fixtures), 'utf8');

let tarball;
before(async () => {
  ({ tarball } = await packTarball());
});
after(cleanUp);

test('a plain <script type="module"> page with an import map', async () => {
  const project = await makeProject('plain', {
    tarball,
    files: { 'index.html': await fixture('plain/index.html'), 'scenario.js': await fixture('scenario.js') },
  });
  const server = await serveStatic(project);
  try {
    const { result, problems } = await loadPage(server.url);
    assert.deepEqual(exactValues(result), expected);
    assert.deepEqual(problems, []);
  } finally {
    await server.close();
  }
});

test('a page whose Content Security Policy refuses WebAssembly gets the JavaScript build', async () => {
  // No 'wasm-unsafe-eval': Chromium refuses to compile any WebAssembly on this page.
  const csp = `<meta http-equiv="Content-Security-Policy" content="script-src 'self' 'unsafe-inline'">`;
  // The page also records what compiling the smallest module gives, to prove the refusal.
  const probe = `window.compiled = await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(() => 'compiled', (error) => \`\${error.name}: \${error.message}\`);`;
  const page = (await fixture('plain/index.html'))
    .replace('<meta charset="utf-8">', `<meta charset="utf-8">\n  ${csp}`)
    .replace("import { scenario } from './scenario.js';", `import { scenario } from './scenario.js';\n    ${probe}`);
  assert.ok(page.includes(csp) && page.includes(probe));
  const project = await makeProject('plain-csp', {
    tarball,
    files: { 'index.html': page, 'scenario.js': await fixture('scenario.js') },
  });
  const server = await serveStatic(project);
  try {
    const { result, problems, compiled } = await loadPage(server.url, { read: () => ({ result: window.result, compiled: window.compiled }) });
    assert.match(compiled, /^CompileError: .*(refused|unsafe-eval|Content Security Policy)/i);
    assert.deepEqual(exactValues(result), expected);
    assert.deepEqual(problems.filter((problem) => !/WebAssembly/.test(problem)), []);
  } finally {
    await server.close();
  }
});

// Vite 8 needs no configuration. Vite 7 and older pre-bundle dependencies in
// the dev server, which breaks `new URL('…_bg.wasm', import.meta.url)`; the
// README's one-line `optimizeDeps.exclude` fixes it, and is tested here.
const vites = [
  { tool: 'vite', config: null },
  { tool: 'vite7', config: "export default { optimizeDeps: { exclude: ['rork-cloud-credits'] } };\n" },
];

for (const { tool, config } of vites) {
  const version = await toolVersion(tool);
  describe(`a fresh Vite ${version} app${config ? ' with optimizeDeps.exclude' : ''}`, () => {
    let project;
    const vite = (args) => [join(project, 'node_modules/vite/bin/vite.js'), ...args];

    before(async () => {
      const files = {
        'index.html': await fixture('vite/index.html'),
        'main.js': await fixture('vite/main.js'),
        'worker.js': await fixture('vite/worker.js'),
        'scenario.js': await fixture('scenario.js'),
      };
      if (config) files['vite.config.js'] = config;
      project = await makeProject(`vite-${version}`, { tarball, devDependencies: { vite: version }, files });
    });

    /** Runs a Vite server command and loads the app in Chromium: main thread and worker. */
    async function check(args) {
      const server = await startServer(process.execPath, vite([...args, '--host', '127.0.0.1', '--port', '0']), {
        cwd: project,
        ready: /Local:\s+(http:\/\/\S+)/,
      });
      try {
        const { result, problems } = await loadPage(server.url);
        assert.deepEqual(exactValues(result), { main: expected, worker: expected });
        assert.deepEqual(problems, []);
      } finally {
        await server.stop();
      }
    }

    test('dev server', () => check([]));

    test('production build, served by vite preview', async () => {
      await run(process.execPath, vite(['build']), { cwd: project });
      const assets = await readdir(join(project, 'dist/assets'));
      assert.ok(
        assets.some((name) => name.endsWith('.wasm')),
        `the build emits the .wasm as an asset: ${assets.join(', ')}`,
      );
      await check(['preview']);
    });
  });
}
