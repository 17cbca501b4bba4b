// What `npm pack` ships: only the built package, within the size budget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cleanUp, packTarball, pkgDir } from './harness.mjs';

/**
 * Size ceilings of every file a device downloads, gzip -9, per entry: the browser module (the
 * WebAssembly embedded as hex text, catalog included) and the JavaScript build that React Native
 * and `--jitless` load. Guards against growth, set just above today's sizes (the README's size
 * table, written by the build); lower them as the package shrinks (issue 20's targets).
 */
const BUDGETS = [
  { entry: 'rork-cloud-credits', file: 'dist/rork_cloud_credits.js', gzipBytes: 94 * 1024 },
  { entry: 'rork-cloud-credits/estimate', file: 'dist/estimate/rork_cloud_credits.js', gzipBytes: 54 * 1024 },
  { entry: 'rork-cloud-credits (wasm2js)', file: 'dist/rork_cloud_credits.wasm2js.js', gzipBytes: 126 * 1024 },
  { entry: 'rork-cloud-credits/estimate (wasm2js)', file: 'dist/estimate/rork_cloud_credits.wasm2js.js', gzipBytes: 69.5 * 1024 },
];

/** The files of one module, as they sit in its directory. */
const MODULE_FILES = [
  'node.cjs',
  'node.js',
  'rork_cloud_credits.d.cts',
  'rork_cloud_credits.d.ts',
  'rork_cloud_credits.js',
  'rork_cloud_credits.js.map',
  'rork_cloud_credits.node.cjs',
  'rork_cloud_credits.node.cjs.map',
  'rork_cloud_credits.wasm2js.cjs',
  'rork_cloud_credits.wasm2js.js',
  'rork_cloud_credits_bg.wasm',
  'rork_cloud_credits_bg.wasm.cjs',
];

let packed;
before(async () => {
  packed = await packTarball();
});
after(cleanUp);

test('the tarball holds the built package and nothing else', () => {
  assert.deepEqual(packed.files, [
    'CHANGELOG.md',
    'LICENSE',
    'README.md',
    'estimate/package.json',
    'estimate/wasm2js/package.json',
    'wasm2js/package.json',
    ...MODULE_FILES.map((file) => `dist/${file}`),
    ...MODULE_FILES.map((file) => `dist/estimate/${file}`),
    'package.json',
  ].sort());
});

for (const { entry, file, gzipBytes } of BUDGETS) {
  test(`${entry}: ${file} is under ${gzipBytes / 1024} KB gzip`, async (t) => {
    const bytes = await readFile(join(pkgDir, file));
    const gzip = gzipSync(bytes, { level: 9 }).length;
    t.diagnostic(`${file}: ${bytes.length} B raw, ${gzip} B gzip`);
    assert.ok(gzip <= gzipBytes, `${gzip} B gzip is over the ${gzipBytes} B budget`);
  });
}

test('the browser entries name no other file: no .wasm, no wasm2js build for a bundler to ship', async () => {
  for (const dir of ['dist', 'dist/estimate']) {
    const code = await readFile(join(pkgDir, dir, 'rork_cloud_credits.js'), 'utf8');
    for (const name of ['_bg.wasm', 'wasm2js.js', 'wasm2js.cjs', 'import.meta', 'import(']) {
      assert.ok(!code.includes(name), `${dir}/rork_cloud_credits.js mentions ${name}`);
    }
  }
});

test('the JS of every entry comes with a source map of the glue, without the embedded module', async () => {
  for (const file of ['dist/rork_cloud_credits.js', 'dist/rork_cloud_credits.node.cjs', 'dist/estimate/rork_cloud_credits.js']) {
    const code = await readFile(join(pkgDir, file), 'utf8');
    const name = file.split('/').pop();
    assert.ok(code.trimEnd().endsWith(`//# sourceMappingURL=${name}.map`), `${file} links its map`);
    const map = JSON.parse(await readFile(join(pkgDir, `${file}.map`), 'utf8'));
    assert.ok(map.sources.some((source) => source.endsWith('rork_cloud_credits.js')), map.sources.join(' '));
    const embedded = map.sources.findIndex((source) => source.endsWith('wasm_hex.js'));
    if (embedded >= 0) assert.equal(map.sourcesContent[embedded], null, `${file}.map carries the module`);
    assert.ok(JSON.stringify(map).length < 200_000, `${file}.map is ${JSON.stringify(map).length} B`);
  }
});
