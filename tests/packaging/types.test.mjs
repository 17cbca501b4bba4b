// Strict TypeScript against the installed package's types: the README's
// TypeScript examples must compile under `tsc --strict --noEmit`, and the wrong
// calls in fixtures/types/misuse.ts must be rejected. Checked twice, the way a
// Vite app (bundler resolution, DOM) and a Node.js project (NodeNext, @types/node)
// see the package.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanUp, makeProject, packTarball, pkgDir, run, toolsDir, toolVersion, writeFiles } from './harness.mjs';

const tsc = join(toolsDir, 'typescript', 'bin', 'tsc');

/** The ```ts blocks of pkg/README.md; an info string `ts node` or `ts browser` limits a block to one runtime. */
async function readmeExamples() {
  const readme = await readFile(join(pkgDir, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```ts([^\n]*)\n([\s\S]*?)^```$/gm)].map(([, info, code], i) => ({
    file: `readme-${i + 1}.ts`,
    only: info.trim() || null,
    code,
  }));
}

const base = { strict: true, target: 'ES2022', skipLibCheck: false, forceConsistentCasingInFileNames: true };
const setups = {
  browser: { ...base, noEmit: true, module: 'ESNext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] },
  // As @tsconfig/node20 sets it up (`skipLibCheck`: the generated `init()` argument types name
  // DOM types that @types/node lacks), and emitted so that the examples also run, in Node.
  node: {
    ...base,
    skipLibCheck: true,
    outDir: 'out',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2022'],
    types: ['node'],
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

/** Type-checks misuse.ts and the README examples for `runtime`; returns the examples' directory. */
async function typeCheck(runtime) {
  const dir = join(project, runtime);
  const files = { 'misuse.ts': await readFile(join(project, 'misuse.ts'), 'utf8') };
  for (const example of examples.filter((e) => !e.only || e.only === runtime)) files[example.file] = example.code;
  const tsconfig = { compilerOptions: setups[runtime], include: ['*.ts'] };
  await writeFiles(dir, { ...files, 'tsconfig.json': JSON.stringify(tsconfig, null, 2) });
  await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: project });
  return dir;
}

test('tsc --strict --noEmit accepts the README examples and rejects misuse (Vite, DOM)', async () => {
  await typeCheck('browser');
});

test('tsc --strict accepts them for Node.js (NodeNext, @types/node), and they run there', async () => {
  const dir = await typeCheck('node');
  for (const example of examples.filter((e) => e.only !== 'browser')) {
    await run(process.execPath, [join('out', example.file.replace(/\.ts$/, '.js'))], { cwd: dir });
  }
});

test('the public declarations have no `any`', async () => {
  const dist = join(project, 'node_modules/rork-cloud-credits/dist');
  // `InitOutput` (and rork_cloud_credits_bg.wasm.d.ts) describe the raw wasm exports, not the API.
  for (const file of ['rork_cloud_credits.d.ts', 'node.d.ts']) {
    const code = (await readFile(join(dist, file), 'utf8'))
      .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
      .replace(/export interface InitOutput \{[\s\S]*?\n\}/, '');
    const lines = code.split('\n').filter((line) => /\bany\b/.test(line));
    assert.deepEqual(lines, [], `${file} declares \`any\``);
  }
});
