// The package in the Hermes VM (React Native's JavaScript engine: no WebAssembly, no
// TextEncoder/TextDecoder), bundled as Metro would resolve it (the `react-native` export
// condition), with esbuild (iife) and Babel's class transform. Run after `cargo xtask build`:
// node --test tests/hermes/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { node, pkgDir, readmeExample, root, runInHermes, tempDir } from './harness.mjs';
import { expectHandValues, expectSameAsWasm } from './expect.mjs';

/** README examples that must run unchanged without WebAssembly, by the heading they follow. */
const EXAMPLES = { quickStart: '## Quick start', reactNative: '## React Native' };

let work;
let bundle;
let observed;
let reference;
let readme;
/** The estimate-only entry in Hermes: its bundle and what it observed. */
let estimateOnly;

/** Writes README example `code` as a module whose default export runs it (imports stay on top). */
async function exampleModule(dir, name, code) {
  const lines = code.split('\n');
  const imports = lines.filter((line) => line.startsWith('import '));
  const body = lines.filter((line) => !line.startsWith('import '));
  const file = join(dir, `${name}.ts`);
  await writeFile(file, `${imports.join('\n')}\nexport default async function main() {\n${body.join('\n')}\n}\n`);
  return file;
}

before(async () => {
  work = await tempDir('rork-hermes-');
  readme = await readFile(join(pkgDir, 'README.md'), 'utf8');
  const examples = {};
  for (const [name, heading] of Object.entries(EXAMPLES)) {
    examples[name] = await exampleModule(work.dir, name, readmeExample(readme, heading));
  }
  // Hermes has `print` but no `console`; React Native provides one.
  const app = `
    globalThis.console = { log: (...args) => print(args.join(' ')), warn: (...args) => print(args.join(' ')) };
    import init, * as api from 'rork-cloud-credits';
    import { observe } from ${JSON.stringify(join(root, 'tests/hermes/observe.mjs'))};
    ${Object.entries(examples).map(([name, file]) => `import ${name} from ${JSON.stringify(file)};`).join('\n')}
    (async () => {
      ${Object.keys(examples).map((name) => `print('EXAMPLE ${name}'); await ${name}();`).join('\n')}
      print('DONE');
      await init();
      // Last: observe() ends on a custom catalog.
      print('OBSERVED ' + JSON.stringify(observe(api)));
    })().catch((error) => print('FAILED ' + error + '\\n' + error.stack));
  `;
  let ref;
  [bundle, ref] = await Promise.all([runInHermes(app, work.dir, 'OBSERVED '), node(join(root, 'tests/hermes/observe-node.mjs'))]);
  reference = JSON.parse(ref);
  observed = bundle.result;

  const lean = await tempDir('rork-hermes-estimate-');
  try {
    const leanRun = await runInHermes(`
      import init, * as api from 'rork-cloud-credits/estimate';
      import { observe } from ${JSON.stringify(join(root, 'tests/hermes/observe.mjs'))};
      init().then(() => print('OBSERVED ' + JSON.stringify(observe(api))), (error) => print('FAILED ' + error));
    `, lean.dir, 'OBSERVED ');
    estimateOnly = { inputs: leanRun.inputs, observed: leanRun.result };
  } finally {
    await lean.remove();
  }
});

after(() => work?.remove());

test('the react-native condition resolves to the wasm2js build only', () => {
  assert.deepEqual(bundle.inputs, ['pkg/dist/rork_cloud_credits.wasm2js.js']);
});

test('Hermes has no WebAssembly, TextEncoder or TextDecoder', () => {
  assert.deepEqual(observed.runtime, { WebAssembly: 'undefined', TextEncoder: 'undefined', TextDecoder: 'undefined' });
});

test('in Hermes the wasm2js build gives exactly what the WebAssembly build gives', () => {
  expectSameAsWasm(observed, reference);
});

test('in Hermes the wasm2js build gives the hand-computed totals and error codes', () => {
  expectHandValues(observed);
});

test('in Hermes the estimate-only entry takes its own wasm2js build and gives the same answers', () => {
  assert.deepEqual(estimateOnly.inputs, ['pkg/dist/estimate/rork_cloud_credits.wasm2js.js']);
  expectSameAsWasm(estimateOnly.observed, reference);
  expectHandValues(estimateOnly.observed);
});

test('the README examples run unchanged in Hermes and print what they print with WebAssembly', async () => {
  assert.match(bundle.output, /\nDONE\n/, bundle.output.slice(0, 4000));
  const printed = (name) => {
    const start = bundle.output.indexOf(`EXAMPLE ${name}\n`) + `EXAMPLE ${name}\n`.length;
    return bundle.output.slice(start).split(/\n(?:EXAMPLE \w+|DONE)\n/)[0].trim().split('\n');
  };
  for (const [name, heading] of Object.entries(EXAMPLES)) {
    // Next to the bundle's node_modules/rork-cloud-credits, so Node resolves the package too.
    const file = join(work.dir, `${name}.mjs`);
    await writeFile(file, readmeExample(readme, heading));
    const expected = (await node(file)).trim().split('\n');
    assert.ok(expected.length > 0 && expected[0] !== '', name);
    assert.deepEqual(printed(name), expected, name);
  }
});
