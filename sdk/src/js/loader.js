
// ---- src/js/loader.js, appended by `cargo xtask build` to the WebAssembly build's glue: loading
// the module on first use, so that no entry of the package needs an `init()` call. Each entry says
// where the bytes come from (`__setWasmSource`): embedded in the browser entry, read from the file
// next to it in Node. Every exported function and constructor calls `ensure()` first.

/** Returns the module's bytes (or a compiled `WebAssembly.Module`); set by the entry. */
let wasmSource;
/** Whether `init()` without an argument compiles on the spot (Node) instead of asynchronously. */
let compileInPlace = false;

/** Sets where the module comes from. Internal: no entry re-exports it. */
export function __setWasmSource(source, inPlace) {
  wasmSource = source;
  compileInPlace = inPlace;
}

/** Whether compiling failed because this runtime refuses to run any WebAssembly. */
const refused = (error) =>
  error instanceof EvalError ||
  (typeof WebAssembly === 'object' &&
    error instanceof WebAssembly.CompileError &&
    /refused|blocked|disallowed|not allowed|unsafe-eval|content security policy/i.test(error.message));

/** `error`, or the `unsupported` error it stands for when WebAssembly is refused or missing. */
function loadError(error) {
  if (typeof WebAssembly === 'object' && !refused(error)) return error;
  return cloudCreditsError(
    'unsupported',
    "this page cannot run WebAssembly (a Content Security Policy without 'wasm-unsafe-eval', or no WebAssembly): " +
      "allow 'wasm-unsafe-eval' in script-src, or import 'rork-cloud-credits/wasm2js' (the same API in plain JavaScript)",
  );
}

/** Loads the module synchronously if it is not loaded yet. */
function ensure() {
  if (wasm !== undefined) return;
  try {
    initSync({ module: wasmSource() });
  } catch (error) {
    throw loadError(error);
  }
}

let loading;

/**
 * Optional: loads the module now, asynchronously (compiling off the main thread in browsers), or
 * from `source` (the .wasm's URL, a `fetch` Response, its bytes or a compiled module) instead of
 * the bytes the package carries. Resolves at once when the module is already loaded. A call that
 * needs the module meanwhile loads it synchronously; the instance loaded here is then dropped.
 */
async function init(source) {
  if (wasm !== undefined) return;
  if (source === undefined && compileInPlace) return ensure();
  loading ??= (async () => {
    let input = await (source ?? wasmSource());
    const byUrl = typeof input === 'string' || input instanceof URL || (typeof Request === 'function' && input instanceof Request);
    if (byUrl) input = await fetch(input);
    const { instance, module } = await __wbg_load(input, __wbg_get_imports());
    if (wasm === undefined) __wbg_finalize_init(instance, module);
  })();
  try {
    await loading;
  } catch (error) {
    loading = undefined;
    throw loadError(error);
  }
}
