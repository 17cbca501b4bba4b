// Size: what ships (ours) against esbuild --bundle --minify of each peer's cost function, gzip -9.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { PEERS } from './peers.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** Raw and gzip -9 bytes of each shipped file of ours, per entry point. */
export async function oursSize(files) {
  const rows = [];
  for (const file of files) {
    const bytes = await readFile(file);
    rows.push({ file: file.split('/').pop(), raw: bytes.length, gzip: gzip(bytes) });
  }
  return rows;
}

/** The browser bundle (ESM, minified) of one entry, as bytes. */
export async function bundle(entry) {
  const result = await build({
    entryPoints: [here(entry)],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].contents;
}

/** Raw and gzip -9 bytes of each peer's bundled cost function. */
export async function peerSizes() {
  const rows = [];
  for (const peer of PEERS) {
    const bytes = await bundle(peer.entry);
    rows.push({ name: peer.name, api: peer.api, raw: bytes.length, gzip: gzip(bytes) });
  }
  return rows;
}
