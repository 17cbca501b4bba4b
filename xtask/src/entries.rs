//! The sources of the package's entry points, each bundled by esbuild with
//! the patched glue ([`crate::glue`]) into one file per runtime:
//!
//! - `{stem}.js`, the browser entry (bundlers, workers, `<script type="module">`):
//!   the module's bytes embedded as hex text and instantiated synchronously
//!   on first use, so no `init()`, no second request, no `.wasm` for a
//!   bundler to find, and no URL of the wasm2js build for one to ship;
//! - `node.cjs`, Node's CommonJS entry: `rork_cloud_credits.node.cjs` (the
//!   `.wasm` next to it read on first use, or, in a bundle deployed alone,
//!   its copy as base64 text), or the wasm2js build where WebAssembly is
//!   missing (`--jitless`);
//! - `node.js`, Node's ES module entry: the same objects as `node.cjs`
//!   (one module instance however an app mixes `import` and `require`).
//!
//! Hex rather than base64: it keeps the bytes' alignment, so gzip still finds
//! the module's repeats: +10% over the gzipped `.wasm`, where base64 costs
//! +32% (bench/RESULTS.md, "No init()").

use crate::fallback;

/// The module that embeds the `.wasm` `bytes` as hex text, exported as `HEX`.
pub fn wasm_hex(bytes: &[u8]) -> String {
    format!(
        "// The WebAssembly module, as hex text.\nexport const HEX = '{}';\n",
        hex::encode(bytes)
    )
}

/// The browser entry: the glue `./{stem}.js`, told to take the module from
/// `./wasm_hex.js`, exporting `names` and `init()` as the default.
pub fn browser(stem: &str, names: &[String]) -> String {
    format!(
        "\
import {{ {set} }} from './{stem}.js';
import {{ HEX }} from './wasm_hex.js';

/**
 * The module's bytes from their hex text ('0'-'9' and 'a'-'f'): the engine's own decoder where it
 * has one (0.2 ms in Chromium, where this loop takes 2.7 ms at start-up), else this loop.
 */
function bytes() {{
  if (typeof Uint8Array.fromHex === 'function') return Uint8Array.fromHex(HEX);
  const out = new Uint8Array(HEX.length >> 1);
  for (let i = 0, j = 0; i < out.length; i++, j += 2) {{
    const hi = HEX.charCodeAt(j);
    const lo = HEX.charCodeAt(j + 1);
    out[i] = (((hi & 15) + (hi >> 6) * 9) << 4) | ((lo & 15) + (lo >> 6) * 9);
  }}
  return out;
}}

{set}(bytes, false);
export {{ {list}, default }} from './{stem}.js';
",
        set = crate::glue::SET_SOURCE,
        list = names.join(", "),
    )
}

/// The module that embeds the `.wasm` `bytes` as base64 text, exported as
/// `BASE64`: for Node, where `Buffer` decodes it natively and size matters less.
pub fn wasm_base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    format!(
        "// The WebAssembly module, as base64 text.\nexports.BASE64 = '{}';\n",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// The file name of the module as base64 text, for Node ([`wasm_base64`]).
pub const NODE_BASE64_FILE: &str = "rork_cloud_credits_bg.wasm.cjs";

/// The file name of Node's WebAssembly build (bundled from [`node_wasm`]).
pub const NODE_WASM_FILE: &str = "rork_cloud_credits.node.cjs";

/// The source of Node's WebAssembly build: the glue `./{stem}.js`, reading
/// the module from `{stem}_bg.wasm` next to the bundle (the package as
/// installed), or, where that file is missing or another (a bundle of an app's
/// backend function, deployed alone), from the copy embedded as base64
/// ([`NODE_BASE64_FILE`], a file of its own, read only then: an app's bundler
/// follows the `require` and carries it). Exports `names` and `init()` as
/// `default`. `length` is the module's size in bytes.
pub fn node_wasm(stem: &str, names: &[String], length: usize) -> String {
    let fields: String = names
        .iter()
        .map(|name| format!("  {name}: api.{name},\n"))
        .collect();
    format!(
        "\
'use strict';
const api = require('./{stem}.js');

/** The module's bytes: the file next to this one when it is this module, else the embedded copy. */
function wasmBytes() {{
  try {{
    const bytes = require('node:fs').readFileSync(require('node:path').join(__dirname, '{stem}_bg.wasm'));
    if (bytes.length === {length}) return bytes;
  }} catch {{
    // No such file here, or no Node `require` (an ES module bundle).
  }}
  return Buffer.from(require('./{NODE_BASE64_FILE}').BASE64, 'base64');
}}

api.{set}(wasmBytes, true);
module.exports = {{
{fields}  default: api.default,
}};
",
        set = crate::glue::SET_SOURCE,
    )
}

/// Node's CommonJS entry, `node.cjs`, written as is: the names of
/// [`NODE_WASM_FILE`], or of the wasm2js build where this Node has no
/// WebAssembly (`--jitless`), as plain `exports.name =` lines that tools read
/// without running it (Node's scan for an ES module's `import`, type checkers).
/// Small on purpose: Node scans a CommonJS file imported from an ES module for
/// its names, which takes ~30 ms over the embedded module. On Node 18, which
/// has Web Crypto only as `require('node:crypto').webcrypto`, it defines
/// `globalThis.crypto` as Node 19+ does (the client's event ids).
pub fn node_cjs(names: &[String]) -> String {
    let exports: String = names
        .iter()
        .chain([&"default".to_string()])
        .map(|name| format!("exports.{name} = api.{name};\n"))
        .collect();
    format!(
        "\
// Generated by `cargo xtask build`: the CommonJS entry of rork-cloud-credits in Node.js.
'use strict';
if (typeof globalThis.crypto === 'undefined') {{
  try {{
    const {{ webcrypto }} = require('node:crypto');
    Object.defineProperty(globalThis, 'crypto', {{ value: webcrypto, writable: true, configurable: true }});
  }} catch {{
    // Not Node's require (an ES module bundle): the client says what is missing when it needs it.
  }}
}}
const api = typeof WebAssembly === 'object' ? require('./{NODE_WASM_FILE}') : require('./{wasm2js}');
Object.defineProperty(exports, '__esModule', {{ value: true }});
{exports}",
        wasm2js = fallback::CJS_FILE,
    )
}

/// Node's ES module entry: the names of `node.cjs`.
pub fn node_esm(names: &[String]) -> String {
    format!(
        "\
// Generated by `cargo xtask build`: the ES module entry of rork-cloud-credits in Node.js, the same
// objects as its CommonJS entry node.cjs.
import api from './node.cjs';

export const {{ {list} }} = api;
export default api.default;
",
        list = names.join(", "),
    )
}

#[cfg(test)]
mod tests {
    use super::{browser, node_cjs, node_esm, node_wasm, wasm_base64, wasm_hex};

    #[test]
    fn hex_text_holds_every_byte() {
        let module = wasm_hex(&[0x00, 0x61, 0x73, 0x6d, 0xff, 0x0a]);
        assert!(module.contains("export const HEX = '0061736dff0a';"));
    }

    #[test]
    fn base64_text_is_what_node_decodes() {
        for (bytes, text) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (&[0x00, 0x61, 0x73, 0x6d, 0xff][..], "AGFzbf8="),
        ] {
            assert!(
                wasm_base64(bytes).contains(&format!("exports.BASE64 = '{text}';")),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn entries_export_exactly_the_api() {
        let names = ["estimateCost".to_string(), "CloudCredits".to_string()];
        let web = browser("m", &names);
        assert!(web.contains("export { estimateCost, CloudCredits, default } from './m.js';"));
        assert!(web.contains("__setWasmSource(bytes, false);"));
        let wasm = node_wasm("m", &names, 1234);
        assert!(wasm.contains("join(__dirname, 'm_bg.wasm')"));
        assert!(wasm.contains("if (bytes.length === 1234) return bytes;"));
        assert!(
            wasm.contains("  estimateCost: api.estimateCost,\n  CloudCredits: api.CloudCredits,\n")
        );
        assert!(wasm
            .contains("Buffer.from(require('./rork_cloud_credits_bg.wasm.cjs').BASE64, 'base64')"));
        let cjs = node_cjs(&names);
        assert!(cjs.contains(
            "require('./rork_cloud_credits.node.cjs') : require('./rork_cloud_credits.wasm2js.cjs')"
        ));
        assert!(cjs.ends_with(
            "exports.estimateCost = api.estimateCost;\nexports.CloudCredits = api.CloudCredits;\nexports.default = api.default;\n"
        ));
        assert!(node_esm(&names).contains("export const { estimateCost, CloudCredits } = api;"));
    }
}
