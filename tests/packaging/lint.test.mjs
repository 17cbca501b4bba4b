// The packed tarball as package linters see it: publint --strict and @arethetypeswrong/cli at
// their default settings (every entry resolves, under every module resolution, to JavaScript and
// types of the same module format). Both read the tarball only: nothing is installed or fetched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cleanUp, packTarball, pkgDir, run, toolsDir } from './harness.mjs';

let tarball;
before(async () => {
  ({ tarball } = await packTarball());
});
after(cleanUp);

test('publint --strict finds nothing to report', async () => {
  const out = await run(process.execPath, [join(toolsDir, 'publint', 'src', 'cli.js'), '--strict', pkgDir], { cwd: pkgDir });
  assert.doesNotMatch(out, /error|warning|suggestion/i, out);
});

test('@arethetypeswrong/cli at default settings finds no problem in any entry', async () => {
  const out = await run(process.execPath, [join(toolsDir, '@arethetypeswrong', 'cli', 'dist', 'index.js'), tarball, '--format', 'json'], {
    cwd: pkgDir,
  });
  const { problems } = JSON.parse(out).analysis;
  assert.deepEqual(problems, [], JSON.stringify(problems, null, 2));
});
