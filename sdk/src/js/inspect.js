
// ---- src/js/inspect.js, appended by `cargo xtask build` to the glue: Node's `console.log` and
// `util.inspect` show a client or a hold as its `toJSON()` (its project, queue, amounts) instead of
// the wasm object's pointer.
// The names are written out: minifying renames the classes.
for (const [name, type] of [
  ['CloudCredits', typeof CloudCredits === 'function' && CloudCredits],
  ['Hold', typeof Hold === 'function' && Hold],
]) {
  if (!type) continue;
  Object.defineProperty(type.prototype, Symbol.for('nodejs.util.inspect.custom'), {
    value(depth, options, inspect) {
      const data = this.toJSON();
      return inspect ? `${name} ${inspect(data, options)}` : data;
    },
  });
}
