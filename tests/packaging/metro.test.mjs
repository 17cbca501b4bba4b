// The packed package in a React Native app's bundle: the real `metro` bundler, resolving with
// React Native's settings (package exports on, the `react-native` condition next to the
// `require`/`import` ones Metro asserts itself, RN's main fields and platforms) and
// transforming with RN's Babel transformer and @react-native/babel-preset (which lowers
// classes for Metro's default transform profile: this Hermes does not parse them), built as an RN release build with Hermes is (`--dev false --minify false`),
// then run in the Hermes VM of hermes-engine-cli: no WebAssembly, no TextEncoder, no fetch.
// The scenario, on the package and on /estimate, and the README examples, with no init().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  appFiles,
  assertReadmeRun,
  cleanUp,
  makeProject,
  packTarball,
  readmeExamples,
  run,
  toolsDir,
  toolVersion,
  wasm2jsFingerprints,
} from './harness.mjs';
import { exactValues, expected } from './fixtures/expected.mjs';

const hermes = join(toolsDir, 'hermes-engine-cli/linux64-bin/hermes');
const examples = await readmeExamples();

/** React Native's Metro settings (@react-native/metro-config's getDefaultConfig), without react-native itself. */
const METRO_CONFIG = `// What @react-native/metro-config sets for an app (its setup-env and polyfills aside: this app
// has no react-native package), over Metro's defaults.
module.exports = {
  projectRoot: __dirname,
  watchFolders: [],
  resolver: {
    unstable_enablePackageExports: true,
    // Metro asserts 'default' and 'require' or 'import' itself, per import.
    unstable_conditionNames: ['react-native'],
    resolverMainFields: ['react-native', 'browser', 'main'],
    platforms: ['android', 'ios'],
    useWatchman: false,
  },
  serializer: {
    // React Native's native console and the crypto of react-native-get-random-values, which
    // the README tells React Native apps to install.
    getPolyfills: () => [require.resolve('./hermes-env.js')],
  },
  transformer: {
    // React Native's Babel transformer: it tells the preset Metro's transform profile.
    babelTransformerPath: require.resolve('@react-native/metro-babel-transformer'),
    getTransformOptions: async () => ({ transform: { experimentalImportSupport: false, inlineRequires: true } }),
  },
};
`;

/** What React Native gives every bundle that the Hermes CLI lacks. */
const HERMES_ENV = `var print = globalThis.print;
globalThis.console = {
  log: function () { print(Array.prototype.map.call(arguments, String).join(' ')); },
  warn: function () { print('WARN ' + Array.prototype.map.call(arguments, String).join(' ')); },
  error: function () { print('ERROR ' + Array.prototype.map.call(arguments, String).join(' ')); },
};
globalThis.crypto = {
  getRandomValues: function (bytes) {
    for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    return bytes;
  },
};
`;

const INDEX = `// The app's entry (index.js of a React Native app).
import './fake-cloud';
import { scenario } from './scenario';
import { scenario as estimateScenario } from './estimate-scenario';
import { runReadmes } from './readme';

const failed = (error) => ({ failed: String(error && error.stack ? error.stack : error) });
const attempt = (check) => {
  try {
    return check();
  } catch (error) {
    return failed(error);
  }
};
const main = attempt(scenario);
const estimate = attempt(estimateScenario);
runReadmes().then(
  (readme) => print('RESULT ' + JSON.stringify({ main, estimate, readme, runtime: { WebAssembly: typeof WebAssembly, TextEncoder: typeof TextEncoder } })),
  (error) => print('RESULT ' + JSON.stringify({ failed: failed(error) })),
);
`;

let project;
let bundle;
let result;
before(async () => {
  const { tarball } = await packTarball();
  // Hermes parses no top-level await: the README examples run as functions.
  const app = await appFiles(examples, { wrap: true });
  const files = {};
  for (const [path, text] of Object.entries(app)) {
    if (!/^src\/(main|worker)\.js$/.test(path)) files[path.replace(/^src\//, '')] = text;
  }
  Object.assign(files, {
    'index.js': INDEX,
    'hermes-env.js': HERMES_ENV,
    'metro.config.js': METRO_CONFIG,
    'babel.config.js': "module.exports = { presets: ['module:@react-native/babel-preset'] };\n",
  });
  project = await makeProject('metro', {
    tarball,
    type: 'commonjs',
    devDependencies: {
      metro: await toolVersion('metro'),
      'metro-config': await toolVersion('metro-config'),
      '@react-native/babel-preset': await toolVersion('@react-native/babel-preset'),
      '@react-native/metro-babel-transformer': await toolVersion('@react-native/metro-babel-transformer'),
    },
    files,
  });
  // Metro writes <out>.js, into a folder that must exist.
  await mkdir(join(project, 'dist'));
  bundle = join(project, 'dist/index.android.js');
  await run(
    process.execPath,
    [join(project, 'node_modules/metro/src/cli.js'), 'build', 'index.js', '--out', bundle, '--platform', 'android', '--dev', 'false', '--minify', 'false', '--max-workers', '1'],
    { cwd: project },
  );
  const output = await run(hermes, [bundle], { cwd: project, timeoutMs: 120_000 });
  const line = output.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, output.slice(0, 4000));
  result = JSON.parse(line.slice('RESULT '.length));
});
after(cleanUp);

test(`Metro ${await toolVersion('metro')} bundles the react-native build: the wasm2js build, no WebAssembly build`, async () => {
  const text = await readFile(bundle, 'utf8');
  const prints = await wasm2jsFingerprints(join(project, 'node_modules/rork-cloud-credits'));
  assert.ok(prints.some((p) => text.includes(p)), 'the bundle holds no wasm2js build');
  assert.doesNotMatch(text, /\bWebAssembly\.(instantiate|Module)\b/, 'the bundle instantiates WebAssembly');
});

test('Hermes here has no WebAssembly and no TextEncoder', () => {
  assert.deepEqual(result.runtime, { WebAssembly: 'undefined', TextEncoder: 'undefined' });
});

test('in Hermes: exact estimates and CloudCreditsError, with no init() (and on /estimate)', () => {
  assert.deepEqual(exactValues({ main: result.main, estimate: result.estimate }), { main: expected, estimate: expected });
});

for (const example of examples) {
  test(`in Hermes: ${example.name.replace(/-/g, ' ')} (README) runs as written`, () => {
    assertReadmeRun(example, result.readme?.[example.name], 'Hermes');
  });
}
