// Prints what the estimation API returns (observe.mjs) through the package's Node entry, as
// JSON. Run with plain Node it uses WebAssembly; with `node --jitless` (no WebAssembly) the same
// entry's init() falls back to the wasm2js build.
import init, * as api from '../../pkg/dist/node.js';
import { observe } from './observe.mjs';

await init();
await init(); // a second init is a no-op
console.log(JSON.stringify(observe(api)));
