// Prints what the estimation API returns (observe.mjs) through the package's Node entry, as
// JSON. Run with plain Node it uses WebAssembly; with `node --jitless` (no WebAssembly) the same
// entry's init() falls back to the wasm2js build.
//   node tests/hermes/observe-node.mjs [estimate]   (the estimate-only entry's module)
import { observe } from './observe.mjs';

const dir = process.argv[2] ? `${process.argv[2]}/` : '';
// The namespace itself: its bindings are live, init() may point them at the wasm2js build.
const api = await import(new URL(`../../pkg/dist/${dir}node.js`, import.meta.url));
const init = api.default;

await init();
await init(); // a second init is a no-op
console.log(JSON.stringify(observe(api)));
