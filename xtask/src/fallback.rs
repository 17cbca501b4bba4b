//! The wasm2js build: the SDK compiled to plain JavaScript for runtimes
//! without WebAssembly (React Native's Hermes, `node --jitless`, webviews
//! that forbid it), with the same API and the same exact results: an ES
//! module (React Native, `rork-cloud-credits/wasm2js`) and a CommonJS file,
//! which Node's entry `node.cjs` requires where WebAssembly is missing
//! (`node --jitless`).
//!
//! binaryen's `wasm2js` takes only WebAssembly 1.0 with one table, so this is
//! a second cargo build with `-C target-cpu=mvp` in its own target directory
//! (no reference types, so wasm-bindgen keeps JS values in a heap array instead
//! of a second table; the standard library is compiled for that CPU too).
//! `wasm-opt` lowers any post-1.0 instruction left (bulk memory, sign
//! extension, non-trapping float-to-int), wasm-bindgen binds it for bundlers,
//! `wasm2js -Oz` translates it, and esbuild joins glue, translation and a
//! UTF-8 text codec (for runtimes without `TextEncoder`/`TextDecoder`) into
//! one minified file per module format.

use crate::files::{clear_dir, read, write};
use crate::flavor::Flavor;
use crate::glue::{self, Glue};
use crate::process;
use crate::setup::{self, WASM_TARGET};
use crate::target_dir;
use crate::{root, Result};
use std::path::PathBuf;
use std::process::Command;

/// The file name of the wasm2js build in `pkg/dist`.
pub const FILE: &str = "rork_cloud_credits.wasm2js.js";

/// The file name of the wasm2js build in `pkg/dist`, as CommonJS.
pub const CJS_FILE: &str = "rork_cloud_credits.wasm2js.cjs";

/// wasm-opt passes that rewrite post-1.0 instructions into WebAssembly 1.0.
const LOWERING_PASSES: [&str; 3] = [
    "--llvm-nontrapping-fptoint-lowering",
    "--signext-lowering",
    "--llvm-memory-copy-fill-lowering",
];

/// Builds the wasm2js variant of `flavor`, exporting `names` (the API of the
/// WebAssembly build), into its directory of `pkg/dist`, its glue patched as
/// the main build's is ([`glue::patch`]). Returns the ES module's path.
pub fn build(flavor: &Flavor, names: &[String]) -> Result<Vec<PathBuf>> {
    let dist = root().join("pkg/dist").join(flavor.dir);
    let stem = "rork_cloud_credits";
    let work = target_dir().join("wasm2js");

    process::run(
        flavor
            .cargo_build("-C target-cpu=mvp")
            .arg("--target-dir")
            .arg(&work),
    )?;
    let wasm = work
        .join(WASM_TARGET)
        .join("release")
        .join(format!("{stem}.wasm"));
    let lowered = work.join(format!("{stem}.mvp.wasm"));
    process::run(
        Command::new(setup::tool("wasm-opt"))
            .arg(&wasm)
            .args(LOWERING_PASSES)
            // Without the features section wasm-bindgen sees no reference types.
            .arg("--strip-target-features")
            .arg("-o")
            .arg(&lowered),
    )?;

    let bound = work.join("bindgen").join(flavor.dir);
    clear_dir(&bound)?;
    process::run(
        Command::new("wasm-bindgen")
            .args(["--target", "bundler", "--out-name", stem, "--out-dir"])
            .arg(&bound)
            .arg(&lowered),
    )?;
    let bg_glue = bound.join(format!("{stem}_bg.js"));
    let text = glue::patch(&read(&bg_glue)?, &bg_glue, Glue::Wasm2js, flavor.client)?;
    write(&bg_glue, &renew_memory_views(&text)?)?;
    process::run(
        Command::new(setup::tool("wasm2js"))
            .arg("-Oz")
            .arg(bound.join(format!("{stem}_bg.wasm")))
            .arg("-o")
            .arg(bound.join(format!("{stem}_bg.wasm.js"))),
    )?;

    let entry = bound.join("wasm2js_entry.js");
    write(
        &entry,
        &wasm2js_entry(&read(&bound.join(format!("{stem}.js")))?, stem, names)?,
    )?;
    let codec = bound.join("text_codec.js");
    write(&codec, include_str!("fallback/text_codec.js"))?;
    for (format, file) in [("esm", FILE), ("cjs", CJS_FILE)] {
        process::run(
            Command::new(setup::tool("esbuild"))
                .arg(&entry)
                .args(["--bundle", "--minify", "--log-level=warning"])
                .arg(format!("--format={format}"))
                .arg(format!("--inject:{}", codec.display()))
                .arg(format!("--outfile={}", dist.join(file).display())),
        )?;
    }
    Ok(vec![dist.join(FILE)])
}

/// wasm2js grows memory by copying it into a new `ArrayBuffer` and leaves the
/// old one attached, so a cached view of it is not emptied as wasm-bindgen's
/// glue expects (it tests `byteLength === 0` or `buffer.detached`). Renews
/// each cached view whenever `wasm.memory.buffer` is another buffer.
fn renew_memory_views(glue: &str) -> Result<String> {
    let lines: Vec<&str> = glue.lines().collect();
    let mut out = Vec::with_capacity(lines.len());
    let mut renewed = 0;
    let mut i = 0;
    while i < lines.len() {
        out.push(lines[i].to_string());
        let getter = lines[i].starts_with("function get") && lines[i].ends_with("Memory0() {");
        let cached = lines
            .get(i + 2)
            .and_then(|line| line.trim().split_once(" = new "))
            .map(|(name, _)| name);
        if let (true, Some(name), Some(test)) = (getter, cached, lines.get(i + 1)) {
            if test.trim_start().starts_with("if (") {
                out.push(format!(
                    "    if ({name} === null || {name}.buffer !== wasm.memory.buffer) {{"
                ));
                renewed += 1;
                i += 2;
                continue;
            }
        }
        i += 1;
    }
    if renewed == 0 {
        return Err("the wasm-bindgen glue has no `get…Memory0()` view to renew".into());
    }
    Ok(out.join("\n") + "\n")
}

/// The module esbuild bundles into the wasm2js build: wasm-bindgen's bundler
/// entry with the wasm2js translation in place of the `.wasm`, exporting
/// exactly `names` plus the `init()` the WebAssembly build has.
fn wasm2js_entry(bundler_entry: &str, stem: &str, names: &[String]) -> Result<String> {
    let wasm_import = format!("\"./{stem}_bg.wasm\"");
    let start = bundler_entry.find("export {");
    let end = start.and_then(|start| {
        let close = format!("}} from \"./{stem}_bg.js\";");
        bundler_entry[start..].find(&close).map(|n| start + n)
    });
    let (Some(start), Some(end), true) = (start, end, bundler_entry.contains(&wasm_import)) else {
        return Err(format!(
            "unexpected wasm-bindgen bundler entry for {stem}: no wasm import or export list"
        ));
    };
    let tail = &bundler_entry[end..];
    let after_exports = tail.find('\n').map_or("", |n| &tail[n..]);
    Ok(format!(
        "{head}export {{ {list} }} from \"./{stem}_bg.js\";{after_exports}
/** Nothing to load: this build is JavaScript. Same signature as the WebAssembly build's. */
export default async function init() {{}}
",
        head = bundler_entry[..start].replace(&wasm_import, &format!("\"./{stem}_bg.wasm.js\"")),
        list = names.join(", "),
    ))
}

#[cfg(test)]
mod tests {
    use super::{renew_memory_views, wasm2js_entry};

    const BUNDLER_ENTRY: &str = "\
/* @ts-self-types=\"./m.d.ts\" */
import * as wasm from \"./m_bg.wasm\";
import { __wbg_set_wasm } from \"./m_bg.js\";

__wbg_set_wasm(wasm);

export {
    estimateCostFull, formatUsd
} from \"./m_bg.js\";
";

    #[test]
    fn the_entry_imports_the_translation_and_exports_the_given_api() {
        let names = ["estimateCost".to_string(), "formatUsd".to_string()];
        let entry = wasm2js_entry(BUNDLER_ENTRY, "m", &names).unwrap();
        assert!(entry.contains("import * as wasm from \"./m_bg.wasm.js\";"));
        assert!(entry.contains("__wbg_set_wasm(wasm);"));
        assert!(entry.contains("export { estimateCost, formatUsd } from \"./m_bg.js\";"));
        assert!(!entry.contains("estimateCostFull"));
        assert_eq!(entry.matches("__wbg_set_wasm(wasm);").count(), 1);
        assert_eq!(entry.matches("export {").count(), 1);
        assert!(entry.contains("export default async function init() {}"));
        assert!(!entry.contains("initSync"));
    }

    #[test]
    fn an_unexpected_bundler_entry_is_an_error() {
        assert!(wasm2js_entry("export * from './m_bg.js';", "m", &[]).is_err());
    }

    #[test]
    fn cached_memory_views_are_renewed_when_the_buffer_changes() {
        let glue = "\
let cachedUint8ArrayMemory0 = null;
function getUint8ArrayMemory0() {
    if (cachedUint8ArrayMemory0 === null || cachedUint8ArrayMemory0.byteLength === 0) {
        cachedUint8ArrayMemory0 = new Uint8Array(wasm.memory.buffer);
    }
    return cachedUint8ArrayMemory0;
}
";
        let patched = renew_memory_views(glue).unwrap();
        assert!(patched.contains(
            "    if (cachedUint8ArrayMemory0 === null || cachedUint8ArrayMemory0.buffer !== wasm.memory.buffer) {"
        ));
        assert!(!patched.contains("byteLength === 0"));
        assert!(renew_memory_views("let x = 1;\n").is_err());
    }
}
