// Strict TypeScript against the installed package's types: the README's
// TypeScript examples must compile under `tsc --strict`, and the wrong calls in
// fixtures/types/misuse.ts must be rejected, in a project set up like a Vite app
// and like a Node.js project (where the examples are also run); the
// declarations must also type-check on their own and have no `any`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanUp, makeProject, packTarball, pkgDir, run, toolsDir, toolVersion, writeFiles } from './harness.mjs';

const tsc = join(toolsDir, 'typescript', 'bin', 'tsc');
/** TypeScript 6 (TypeDoc's, tests/typedoc): TypeScript 7 no longer has the node10 resolution. */
const tsc6 = join(toolsDir, '..', 'typedoc', 'node_modules', 'typescript', 'bin', 'tsc');

/** The ```ts blocks of pkg/README.md; an info string such as `ts node`, `ts browser` or `ts react-native` limits a block to one runtime. */
async function readmeExamples() {
  const readme = await readFile(join(pkgDir, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```ts([^\n]*)\n([\s\S]*?)^```$/gm)].map(([, info, code], i) => ({
    file: `readme-${i + 1}.ts`,
    only: info.trim() || null,
    code,
  }));
}

// The two ways projects are set up today: create-vite 9's vanilla-ts template and
// @tsconfig/node20 (both with `skipLibCheck`, as almost every project has it), plus
// `strict`. The declarations themselves are checked without `skipLibCheck` below.
const setups = {
  browser: {
    strict: true,
    target: 'ES2023',
    module: 'ESNext',
    lib: ['ES2023', 'DOM'],
    types: [],
    skipLibCheck: true,
    moduleResolution: 'bundler',
    verbatimModuleSyntax: true,
    moduleDetection: 'force',
    noEmit: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    erasableSyntaxOnly: true,
    noFallthroughCasesInSwitch: true,
  },
  // Emitted so that the examples also run, in Node.
  node: {
    strict: true,
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    types: ['node'],
    skipLibCheck: true,
    outDir: 'out',
  },
};

let project;
let examples;
before(async () => {
  const { tarball } = await packTarball();
  examples = await readmeExamples();
  project = await makeProject('types', {
    tarball,
    devDependencies: { '@types/node': await toolVersion('@types/node') },
    files: { 'misuse.ts': await readFile(new URL('./fixtures/types/misuse.ts', import.meta.url), 'utf8') },
  });
});
after(cleanUp);

test('the README has TypeScript examples to check', () => {
  assert.ok(examples.length >= 3, `only ${examples.length} \`\`\`ts blocks in pkg/README.md`);
});

/** The README examples that apply to `runtime` (untagged ones apply everywhere). */
const examplesFor = (runtime) => examples.filter((e) => !e.only || e.only === runtime);

/** Type-checks misuse.ts and the README examples for `runtime`; returns the examples' directory. */
async function typeCheck(runtime) {
  const dir = join(project, runtime);
  const files = { 'misuse.ts': await readFile(join(project, 'misuse.ts'), 'utf8') };
  for (const example of examplesFor(runtime)) files[example.file] = example.code;
  const tsconfig = { compilerOptions: setups[runtime], include: ['*.ts'] };
  await writeFiles(dir, { ...files, 'tsconfig.json': JSON.stringify(tsconfig, null, 2) });
  await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: project });
  return dir;
}

test('tsc --strict --noEmit accepts the README examples and rejects misuse (a create-vite project)', async () => {
  await typeCheck('browser');
});

test('tsc --strict accepts them in a Node.js project (@tsconfig/node20), and they run there', async () => {
  const dir = await typeCheck('node');
  for (const example of examplesFor('node')) {
    await run(process.execPath, [join('out', example.file.replace(/\.ts$/, '.js'))], { cwd: dir });
  }
});

/**
 * Compiles `files` in a fresh folder of the project with `compilerOptions` and no `skipLibCheck`:
 * the package's declarations are checked with the app's code.
 */
async function compileWithoutSkipLibCheck(folder, compilerOptions, files, compiler = tsc) {
  const dir = join(project, folder);
  const options = { strict: true, noEmit: true, skipLibCheck: false, ...compilerOptions };
  await writeFiles(dir, { ...files, 'tsconfig.json': JSON.stringify({ compilerOptions: options, include: ['*.ts', '*.mts', '*.cts'] }, null, 2) });
  await run(process.execPath, [compiler, '-p', join(dir, 'tsconfig.json')], { cwd: project });
}

/** An app using every entry's declarations, as ES module imports. */
const everyEntry = `import { estimateCost, CloudCredits, CloudCreditsError } from 'rork-cloud-credits';
import * as estimate from 'rork-cloud-credits/estimate';
import * as wasm2js from 'rork-cloud-credits/wasm2js';
import * as estimateWasm2js from 'rork-cloud-credits/estimate/wasm2js';
const e = estimateCost({ model: 'gpt-4o', inputTokens: 1 });
const cc = new CloudCredits({ baseUrl: 'https://credits.example.com', projectId: 'p', publishableKey: 'pk_x' });
console.log(e.total, cc, CloudCreditsError, estimate.formatUsd('1'), wasm2js.listModels(), estimateWasm2js.catalogVersion());
`;

test('the declarations compile without skipLibCheck in a browser app with only lib ES2020 and DOM', async () => {
  await compileWithoutSkipLibCheck('browser-es2020', {
    target: 'ES2020',
    module: 'ESNext',
    moduleResolution: 'bundler',
    lib: ['ES2020', 'DOM'],
    types: [],
  }, { 'app.ts': everyEntry });
});

test('the declarations compile without skipLibCheck in a Node-only app (lib ES2020, @types/node), imported and required', async () => {
  await compileWithoutSkipLibCheck('node-only', {
    target: 'ES2020',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2020'],
    types: ['node'],
  }, {
    'app.mts': everyEntry,
    'app.cts': `import cc = require('rork-cloud-credits');
import estimate = require('rork-cloud-credits/estimate');
const e: string = cc.estimateCost({ model: 'gpt-4o', inputTokens: 1 }).total;
const error: typeof cc.CloudCreditsError = cc.CloudCreditsError;
console.log(e, error, estimate.formatUsd('1'));
`,
  });
});

test('the declarations compile without skipLibCheck under the oldest resolution (node10, TypeScript 6) too', async () => {
  await compileWithoutSkipLibCheck('node10', {
    target: 'ES2020',
    module: 'CommonJS',
    moduleResolution: 'node10',
    lib: ['ES2020', 'DOM'],
    types: [],
    ignoreDeprecations: '6.0',
  }, { 'app.ts': everyEntry }, tsc6);
});

test('the public declarations have no `any`', async () => {
  const dist = join(project, 'node_modules/rork-cloud-credits/dist');
  for (const file of ['rork_cloud_credits.d.ts', 'rork_cloud_credits.d.cts', 'estimate/rork_cloud_credits.d.ts']) {
    const code = (await readFile(join(dist, file), 'utf8')).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    const lines = code.split('\n').filter((line) => /\bany\b/.test(line));
    assert.deepEqual(lines, [], `${file} declares \`any\``);
  }
});

test('the raw wasm exports are not declared: no InitOutput, initSync, free() or Symbol.dispose', async () => {
  const dist = join(project, 'node_modules/rork-cloud-credits/dist');
  for (const file of ['rork_cloud_credits.d.ts', 'estimate/rork_cloud_credits.d.ts']) {
    const code = (await readFile(join(dist, file), 'utf8')).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const raw of ['InitOutput', 'InitInput', 'initSync', 'free(): void', 'Symbol.dispose', '__wbg', 'WebAssembly.', 'RequestInfo', 'BufferSource']) {
      assert.ok(!code.includes(raw), `${file} declares ${raw}`);
    }
  }
});
