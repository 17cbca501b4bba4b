// Prints what the estimation API returns (observe.mjs) through the package's Node entry, as
// JSON. Run with plain Node it uses WebAssembly; with `node --jitless` (no WebAssembly) the same
// entry uses the wasm2js build. No init() call: none is needed.
//   node tests/hermes/observe-node.mjs [estimate]   (the estimate-only entry's module)
import { observe } from './observe.mjs';

const dir = process.argv[2] ? `${process.argv[2]}/` : '';
const api = await import(new URL(`../../pkg/dist/${dir}node.js`, import.meta.url));
console.log(JSON.stringify(observe(api)));
