// The SDK's error class, imported by the wasm (src/error.rs) and exported by every entry of the
// package: `err instanceof CloudCreditsError`, `err.code` a stable code, `err.status` the HTTP
// status when a server answered, `err.docs` the README's entry for the code.

/** Where each code is explained: the README's error table, one anchor per code. */
const DOCS = 'https://github.com/rork/rork-cloud-credits/blob/main/pkg/README.md#error-';

/** A stack frame in WebAssembly. */
const WASM_FRAME = /wasm:\/\/|wasm-function\[/;

/**
 * Marks errors of this package, whichever copy made them: `rork-cloud-credits` and
 * `rork-cloud-credits/estimate` each carry the class, and an app may load ES module and CommonJS
 * copies or two versions; `instanceof CloudCreditsError` holds across all of them.
 */
const BRAND = Symbol.for('rork-cloud-credits.CloudCreditsError');

/** What every function and method of rork-cloud-credits throws or rejects with. */
export class CloudCreditsError extends Error {
  /** An error of any copy of this package (a subclass of it keeps the usual prototype test). */
  static [Symbol.hasInstance](value) {
    if (this !== CloudCreditsError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && value[BRAND] === true;
  }

  /**
   * @param {string} code one of the stable error codes
   * @param {string} message what happened and what to fix
   * @param {number} [status] the HTTP status, when a server answered
   */
  constructor(code, message, status) {
    super(message);
    Object.defineProperty(this, BRAND, { value: true });
    this.code = code;
    this.status = status;
    this.docs = DOCS + code.replace(/_/g, '-');
  }

  /** The error as plain data, for logs (`JSON.stringify(err)`). */
  toJSON() {
    return { name: this.name, code: this.code, message: this.message, status: this.status, docs: this.docs };
  }
}
Object.defineProperty(CloudCreditsError.prototype, 'name', {
  value: 'CloudCreditsError',
  writable: true,
  configurable: true,
});

/**
 * A `CloudCreditsError` built for the wasm (src/error.rs). Its stack leaves out the frames from
 * the top through the first run of WebAssembly frames (this function, the glue's import shim and
 * the wasm), so it starts where JS called into the SDK, with as many of the app's frames as usual.
 */
export function cloudCreditsError(code, message, status) {
  const limit = Error.stackTraceLimit;
  if (typeof limit === 'number') Error.stackTraceLimit = limit + 64;
  const error = new CloudCreditsError(code, message, status ?? undefined);
  if (typeof limit === 'number') Error.stackTraceLimit = limit;
  const { stack } = error;
  if (typeof stack !== 'string') return error;
  const lines = stack.split('\n');
  // V8 writes "Name: message" before its frames; other engines write frames only.
  const first = /^\s*at |@/.test(lines[0]) ? 0 : 1;
  let end = lines.findIndex((line, i) => i >= first && WASM_FRAME.test(line));
  if (end < 0) return error;
  while (end < lines.length && WASM_FRAME.test(lines[end])) end++;
  const frames = lines.slice(end);
  error.stack = lines.slice(0, first).concat(typeof limit === 'number' ? frames.slice(0, limit) : frames).join('\n');
  return error;
}
