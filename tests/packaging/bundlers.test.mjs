// The packed package in a fresh app of each bundler, built with no configuration of the
// package's own (Vite 7 and 8 with no config file, webpack 5 with none, a plain esbuild
// --bundle, Rollup with the node-resolve plugin every Rollup app has, Parcel), then run in
// headless Chromium: the scenario on the main thread and, on rork-cloud-credits/estimate,
// in a module worker built by the same bundler, and the README examples as written, none
// of them calling init(). Every production build must leave out the wasm2js fallbacks,
// which a browser with WebAssembly never loads.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import {
  appFiles,
  assertLeanBrowserBuild,
  assertReadmeRun,
  cleanUp,
  loadPage,
  makeProject,
  packTarball,
  readmeExamples,
  run,
  serveStatic,
  startServer,
  toolVersion,
  writeFiles,
} from './harness.mjs';
import { exactValues, expected } from './fixtures/expected.mjs';

const fixtures = new URL('./fixtures/', import.meta.url);
const fixture = (path) => readFile(new URL(path, fixtures), 'utf8');
const examples = await readmeExamples();

let tarball;
before(async () => {
  ({ tarball } = await packTarball());
});
after(cleanUp);

/** A page loading the built `script` (a module script unless `classic`). */
const page = (script, { classic = false } = {}) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>rork-cloud-credits app</title><link rel="icon" href="data:,"></head>
<body><script ${classic ? '' : 'type="module" '}src="${script}"></script></body>
</html>
`;

/** Serves `root` and loads `path` in Chromium; returns the page's result and problems. */
async function open(root, path = '') {
  const server = await serveStatic(root);
  try {
    return await loadPage(server.url + path, { timeoutMs: 30_000 });
  } finally {
    await server.close();
  }
}

/**
 * The tests of one loaded app (`load()` gives `{ result, problems }`, once): the scenario on
 * the main thread and in the worker, each README example, and no console error.
 */
function appTests(where, load) {
  let loaded;
  const get = async () => (loaded ??= await load());
  test(`${where}: estimates and throws CloudCreditsError on the main thread, with no init()`, async () => {
    const { result } = await get();
    assert.deepEqual(exactValues(result.main), expected);
  });
  test(`${where}: the same on rork-cloud-credits/estimate in a module worker`, async () => {
    const { result } = await get();
    assert.deepEqual(exactValues(result.worker), expected);
  });
  for (const example of examples) {
    test(`${where}: ${example.name.replace(/-/g, ' ')} (README) runs as written`, async () => {
      const { result } = await get();
      assertReadmeRun(example, result.readme?.[example.name], where);
    });
  }
  test(`${where}: no console error, no failed request, nothing of the wasm2js build fetched`, async () => {
    const { problems, requests } = await get();
    assert.deepEqual(problems, []);
    assert.ok(requests.length > 0);
    assert.deepEqual(requests.filter((url) => /wasm2js/i.test(url)), []);
  });
}

// Vite: index.html at the root of the project, no vite.config.js.
for (const tool of ['vite7', 'vite']) {
  const version = await toolVersion(tool);
  describe(`Vite ${version}, no config file`, () => {
    let project;
    const vite = (args) => [join(project, 'node_modules/vite/bin/vite.js'), ...args];
    before(async () => {
      project = await makeProject(`vite-${version}`, {
        tarball,
        devDependencies: { vite: version },
        files: { 'index.html': await fixture('app/index.html'), ...(await appFiles(examples)) },
      });
    });

    appTests(`Vite ${version} dev server`, async () => {
      const server = await startServer(process.execPath, vite(['--host', '127.0.0.1', '--port', '0']), {
        cwd: project,
        ready: /Local:\s+(http:\/\/\S+)/,
      });
      try {
        return await loadPage(server.url, { timeoutMs: 30_000 });
      } finally {
        await server.stop();
      }
    });

    let built;
    const build = async () => {
      built ??= run(process.execPath, vite(['build']), { cwd: project });
      await built;
      return join(project, 'dist');
    };
    test(`Vite ${version} build: no wasm2js file or code, no oversized file`, async (t) => {
      const files = await assertLeanBrowserBuild(await build(), join(project, 'node_modules/rork-cloud-credits'));
      t.diagnostic(files.map((f) => `${f.path} ${f.size} B`).join(', '));
    });
    appTests(`Vite ${version} build`, async () => open(await build()));
  });
}

describe(`webpack ${await toolVersion('webpack')}, no config file`, () => {
  let dist;
  let project;
  before(async () => {
    const files = await appFiles(examples);
    // webpack's zero-config entry is src/index.js.
    files['src/index.js'] = files['src/main.js'];
    delete files['src/main.js'];
    project = await makeProject('webpack', {
      tarball,
      devDependencies: { webpack: await toolVersion('webpack'), 'webpack-cli': await toolVersion('webpack-cli') },
      files,
    });
    await run(process.execPath, [join(project, 'node_modules/webpack-cli/bin/cli.js'), '--mode', 'production'], { cwd: project });
    dist = join(project, 'dist');
  });
  test('webpack build: no wasm2js file or code, no oversized file', async (t) => {
    const files = await assertLeanBrowserBuild(dist, join(project, 'node_modules/rork-cloud-credits'));
    t.diagnostic(files.map((f) => `${f.path} ${f.size} B`).join(', '));
  });
  appTests('webpack build', async () => {
    await writeFiles(dist, { 'index.html': page('main.js', { classic: true }) });
    return open(dist);
  });
});

describe(`esbuild ${await toolVersion('esbuild')}, plain --bundle`, () => {
  let dist;
  let project;
  before(async () => {
    // An IIFE has no import.meta (the worker is at a fixed URL) and no top-level await (the
    // README examples run as functions).
    const files = await appFiles(examples, { wrap: true });
    const main = files['src/main.js'].replace("new URL('./worker.js', import.meta.url)", "'./worker.js'");
    assert.notEqual(main, files['src/main.js']);
    files['src/main.js'] = main;
    project = await makeProject('esbuild', {
      tarball,
      devDependencies: { esbuild: await toolVersion('esbuild') },
      files,
    });
    const esbuild = join(project, 'node_modules/.bin/esbuild');
    await run(esbuild, ['src/main.js', '--bundle', '--outfile=dist/main.js'], { cwd: project });
    // The module worker: the same, as an ES module.
    await run(esbuild, ['src/worker.js', '--bundle', '--format=esm', '--outfile=dist/worker.js'], { cwd: project });
    dist = join(project, 'dist');
  });
  test('esbuild bundle: no wasm2js file or code, no oversized file', async (t) => {
    const files = await assertLeanBrowserBuild(dist, join(project, 'node_modules/rork-cloud-credits'));
    t.diagnostic(files.map((f) => `${f.path} ${f.size} B`).join(', '));
  });
  test('the check finds the wasm2js build when a bundle has it (rork-cloud-credits/wasm2js)', async () => {
    await writeFiles(project, { 'src/fallback.js': "import { estimateCost } from 'rork-cloud-credits/wasm2js';\nconsole.log(estimateCost);\n" });
    await run(join(project, 'node_modules/.bin/esbuild'), ['src/fallback.js', '--bundle', '--outfile=fallback/main.js'], { cwd: project });
    await assert.rejects(
      assertLeanBrowserBuild(join(project, 'fallback'), join(project, 'node_modules/rork-cloud-credits')),
      /holds the wasm2js build/,
    );
  });
  appTests('esbuild bundle', async () => {
    await writeFiles(dist, { 'index.html': page('main.js', { classic: true }) });
    return open(dist);
  });
});

describe(`Rollup ${await toolVersion('rollup')} with @rollup/plugin-node-resolve`, () => {
  let dist;
  let project;
  before(async () => {
    project = await makeProject('rollup', {
      tarball,
      devDependencies: {
        rollup: await toolVersion('rollup'),
        '@rollup/plugin-node-resolve': await toolVersion('@rollup/plugin-node-resolve'),
      },
      files: {
        ...(await appFiles(examples)),
        // What a Rollup app's config has: node-resolve, default options; the worker is an entry.
        'rollup.config.mjs': `import { nodeResolve } from '@rollup/plugin-node-resolve';

export default {
  input: ['src/main.js', 'src/worker.js'],
  output: { dir: 'dist', format: 'es' },
  plugins: [nodeResolve()],
};
`,
      },
    });
    await run(process.execPath, [join(project, 'node_modules/rollup/dist/bin/rollup'), '-c'], { cwd: project });
    dist = join(project, 'dist');
  });
  test('Rollup build: no wasm2js file or code, no oversized file', async (t) => {
    const files = await assertLeanBrowserBuild(dist, join(project, 'node_modules/rork-cloud-credits'));
    t.diagnostic(files.map((f) => `${f.path} ${f.size} B`).join(', '));
  });
  appTests('Rollup build', async () => {
    await writeFiles(dist, { 'index.html': page('main.js') });
    return open(dist);
  });
});

// Parcel 2 resolves packages through their `module`/`browser`/`main` fields (and the
// estimate/package.json stubs) unless the app turns `exports` on: both ways are tested.
for (const packageExports of [false, true]) {
  const label = packageExports ? 'with "packageExports": true' : 'no config';
  describe(`Parcel ${await toolVersion('parcel')}, ${label}`, () => {
    let dist;
    let project;
    before(async () => {
      project = await makeProject(packageExports ? 'parcel-exports' : 'parcel', {
        tarball,
        devDependencies: { parcel: await toolVersion('parcel') },
        // Parcel's optimizer refuses top-level await ("await isn't allowed in non-async
        // function"), in any module: the README examples run as functions.
        files: { 'index.html': await fixture('app/index.html'), ...(await appFiles(examples, { wrap: true })) },
      });
      if (packageExports) {
        const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
        manifest['@parcel/resolver-default'] = { packageExports: true };
        await writeFiles(project, { 'package.json': `${JSON.stringify(manifest, null, 2)}\n` });
      }
      await run(join(project, 'node_modules/.bin/parcel'), ['build', 'index.html', '--no-autoinstall'], { cwd: project });
      dist = join(project, 'dist');
    });
    test(`Parcel build (${label}): no wasm2js file or code, no oversized file`, async (t) => {
      const files = await assertLeanBrowserBuild(dist, join(project, 'node_modules/rork-cloud-credits'));
      t.diagnostic(files.map((f) => `${f.path} ${f.size} B`).join(', '));
    });
    appTests(`Parcel build (${label})`, async () => open(dist));
  });
}

test('the README examples need no init()', () => {
  for (const example of examples) {
    assert.doesNotMatch(example.code, /\binit\s*\(/, `${example.file}, "${example.heading}"`);
  }
});
