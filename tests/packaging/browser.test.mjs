// The packed package in a browser with no bundler: a plain `<script type="module">` page
// whose import map points at the package's browser build (as its `exports` give it), and
// pages whose Content Security Policy refuses WebAssembly. The bundlers' apps are in
// bundlers.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { browserTarget, cleanUp, loadPage, makeProject, onEntry, packTarball, serveStatic, writeFiles } from './harness.mjs';
import { exactValues, expected } from './fixtures/expected.mjs';

const fixtures = new URL('./fixtures/', import.meta.url);
const fixture = (path) => readFile(new URL(path, fixtures), 'utf8');

// No 'wasm-unsafe-eval': Chromium refuses to compile any WebAssembly on such a page.
const CSP = `<meta http-equiv="Content-Security-Policy" content="script-src 'self' 'unsafe-inline'">`;
/** Page code recording what compiling the smallest module gives, to prove the refusal. */
const PROBE = `window.compiled = await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(() => 'compiled', (error) => \`\${error.name}: \${error.message}\`);`;

let project;
let scenario;
before(async () => {
  const { tarball } = await packTarball();
  scenario = await fixture('scenario.js');
  project = await makeProject('plain', { tarball });
});
after(cleanUp);

/** The import map of `specifiers`, each to its browser build in the installed package. */
async function importMap(specifiers) {
  const dir = join(project, 'node_modules/rork-cloud-credits');
  const imports = {};
  for (const specifier of specifiers) {
    imports[specifier] = `./node_modules/rork-cloud-credits/${(await browserTarget(dir, specifier)).replace(/^\.\//, '')}`;
  }
  return JSON.stringify(imports);
}

/** Writes `files` into a folder of the project, serves the project and loads that folder's page. */
async function loadIn(folder, files, options) {
  await writeFiles(join(project, folder), files);
  const server = await serveStatic(project);
  try {
    return await loadPage(`${server.url}${folder}/`, options);
  } finally {
    await server.close();
  }
}

/** A page of the project that maps the package's names, with the plain fixture's script. */
async function plainPage(specifiers, { csp = false } = {}) {
  let html = (await fixture('plain/index.html')).replace('IMPORTS', await importMap(specifiers));
  // The page sits one folder down: the map's paths are relative to it.
  html = html.replaceAll('"./node_modules/', '"../node_modules/');
  if (csp) {
    html = html
      .replace('<meta charset="utf-8">', `<meta charset="utf-8">\n  ${CSP}`)
      .replace("import { scenario } from './scenario.js';", `import { scenario } from './scenario.js';\n    ${PROBE}`);
    assert.ok(html.includes(CSP) && html.includes(PROBE));
  }
  return html;
}

test('a plain <script type="module"> page with an import map, no init()', async () => {
  const { result, problems } = await loadIn('plain', {
    'index.html': await plainPage(['rork-cloud-credits', 'rork-cloud-credits/estimate']),
    'scenario.js': scenario,
    'estimate-scenario.js': onEntry(scenario, 'rork-cloud-credits/estimate'),
  });
  assert.deepEqual(exactValues(result), { main: expected, estimate: expected });
  assert.deepEqual(problems, []);
});

test("a page whose Content Security Policy refuses WebAssembly works on rork-cloud-credits/wasm2js", async () => {
  const { result, problems, compiled } = await loadIn(
    'csp-wasm2js',
    {
      'index.html': await plainPage(['rork-cloud-credits/wasm2js', 'rork-cloud-credits/estimate/wasm2js'], { csp: true }),
      'scenario.js': onEntry(scenario, 'rork-cloud-credits/wasm2js'),
      'estimate-scenario.js': onEntry(scenario, 'rork-cloud-credits/estimate/wasm2js'),
    },
    { read: () => ({ result: window.result, compiled: window.compiled }) },
  );
  assert.match(compiled, /^CompileError: .*(refused|unsafe-eval|Content Security Policy)/i);
  assert.deepEqual(exactValues(result), { main: expected, estimate: expected });
  assert.deepEqual(problems.filter((problem) => !/WebAssembly|wasm-unsafe-eval|Content Security Policy/i.test(problem)), []);
});

test("on such a page the default entry throws CloudCreditsError 'unsupported', naming both ways out", async () => {
  const check = `
    import { estimateCost, formatUsd, CloudCreditsError } from 'rork-cloud-credits';
    ${PROBE}
    const attempt = (call) => {
      try {
        call();
        return 'no error';
      } catch (error) {
        return { isClass: error instanceof CloudCreditsError && error instanceof Error, code: error.code, message: String(error.message) };
      }
    };
    window.result = {
      estimate: attempt(() => estimateCost({ model: 'gpt-4o', inputTokens: 1 })),
      // The same answer on every later call, not a half-loaded module.
      again: attempt(() => formatUsd('1.5')),
    };
    document.body.dataset.done = 'yes';
  `;
  const html = (await plainPage(['rork-cloud-credits'], { csp: true })).replace(
    /<script type="module">[\s\S]*?<\/script>/,
    `<script type="module">${check}</script>`,
  );
  const { result, compiled } = await loadIn('csp-default', { 'index.html': html }, {
    read: () => ({ result: window.result, compiled: window.compiled }),
  });
  assert.match(compiled, /^CompileError: /);
  for (const attempt of [result.estimate, result.again]) {
    assert.equal(typeof attempt, 'object', `no error: ${JSON.stringify(result)}`);
    assert.equal(attempt.isClass, true, JSON.stringify(attempt));
    assert.equal(attempt.code, 'unsupported', JSON.stringify(attempt));
    assert.match(attempt.message, /'wasm-unsafe-eval'/);
    assert.match(attempt.message, /rork-cloud-credits\/wasm2js/);
  }
});
