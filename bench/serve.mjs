// A loopback HTTP server for the Chromium runs: the built package under /dist/, bundles under
// their own paths, and a blank page at /.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

/** Serves `dist` at /dist/ and `bundles` (path → bytes) at their paths; resolves to its origin and a close(). */
export function serve(dist, bundles) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    let body = bundles.get(path);
    if (path === '/') body = '<!doctype html><meta charset="utf-8"><title>bench</title>';
    if (!body && path.startsWith('/dist/')) {
      const file = normalize(join(dist, path.slice('/dist/'.length)));
      if (file.startsWith(dist)) body = await readFile(file).catch(() => undefined);
    }
    if (!body) return res.writeHead(404).end();
    const type = TYPES[path.slice(path.lastIndexOf('.'))] ?? 'text/html';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ origin: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(done)) });
    });
  });
}
