
/**
 * Optional: the package loads its WebAssembly module on first use, so no call is needed. Await
 * `init()` to load it ahead of time (asynchronously: in browsers the module then compiles off the
 * main thread), or pass where to load it from instead of the copy the package carries: the .wasm's
 * URL, a `fetch` Response, its bytes, or a compiled `WebAssembly.Module`. Resolves at once when the
 * module is already loaded; rejects with `unsupported` where WebAssembly is refused.
 */
export default function init(source?: unknown): Promise<void>;
