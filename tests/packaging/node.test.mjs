// The packed package installed into a fresh Node.js ESM project, as a backend
// function or a server-side script would use it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanUp, makeProject, packTarball, run } from './harness.mjs';
import { exactValues, expected } from './fixtures/expected.mjs';

const fixtures = new URL('./fixtures/', import.meta.url);
let project;

before(async () => {
  const { tarball } = await packTarball();
  const scenario = await readFile(new URL('scenario.js', fixtures), 'utf8');
  assert.ok(scenario.includes("from 'rork-cloud-credits';"));
  project = await makeProject('node', {
    tarball,
    files: {
      'app.mjs': await readFile(new URL('node/app.mjs', fixtures), 'utf8'),
      'scenario.js': scenario,
      // The same scenario through the estimate-only entry.
      'estimate-app.mjs': (await readFile(new URL('node/app.mjs', fixtures), 'utf8')).replace('./scenario.js', './estimate-scenario.js'),
      'estimate-scenario.js': scenario.replace("from 'rork-cloud-credits';", "from 'rork-cloud-credits/estimate';"),
    },
  });
});
after(cleanUp);

test('a Node script estimates exactly and gets typed errors', async () => {
  const out = await run(process.execPath, ['app.mjs'], { cwd: project });
  assert.deepEqual(exactValues(JSON.parse(out)), expected);
});

test('the same script on rork-cloud-credits/estimate gives the same answers', async () => {
  const out = await run(process.execPath, ['estimate-app.mjs'], { cwd: project });
  assert.deepEqual(exactValues(JSON.parse(out)), expected);
  const script = "import * as m from 'rork-cloud-credits/estimate'; console.log(Object.keys(m).join(' '))";
  const names = (await run(process.execPath, ['--input-type=module', '-e', script], { cwd: project })).trim().split(' ');
  assert.ok(names.includes('estimateCost') && names.includes('loadCatalog'), names.join(' '));
  assert.ok(!names.includes('CloudCredits'), 'the estimate entry has no client');
});

/** Where Node resolves `specifier` from inside the project, relative to the package. */
async function resolveIn(specifier) {
  const script = `console.log(import.meta.resolve(${JSON.stringify(specifier)}))`;
  const url = (await run(process.execPath, ['--input-type=module', '-e', script], { cwd: project })).trim();
  return url.slice(url.indexOf('/node_modules/rork-cloud-credits/') + '/node_modules/rork-cloud-credits/'.length);
}

test('Node resolves the node entries, the wasm file and package.json', async () => {
  assert.equal(await resolveIn('rork-cloud-credits'), 'dist/node.js');
  // Browsers, bundlers and workers get the web build (proved by the browser tests);
  // TypeScript takes the first `types` it meets, so each condition lists it first.
  const manifest = JSON.parse(await readFile(join(project, 'node_modules/rork-cloud-credits/package.json'), 'utf8'));
  for (const entry of [manifest.exports['.'], manifest.exports['./estimate']]) {
    for (const conditions of Object.values(entry)) {
      assert.equal(Object.keys(conditions)[0], 'types', 'types must come first in every condition');
    }
  }
  assert.equal(await resolveIn('rork-cloud-credits/estimate'), 'dist/estimate/node.js');
  assert.equal(await resolveIn('rork-cloud-credits/package.json'), 'package.json');
  assert.equal(await resolveIn('rork-cloud-credits/rork_cloud_credits_bg.wasm'), 'dist/rork_cloud_credits_bg.wasm');
});
