//! Text patches of the wasm-bindgen glue: the JS half of the estimate fast
//! path (`src/wrapper.js`), the client classes (`src/js/client.js`), loading on first use (`src/js/loader.js`), the
//! error class export, Node's inspector hook (`src/js/inspect.js`), and the
//! public declarations.
//!
//! Each patch checks that wasm-bindgen emitted what it replaces, so a new
//! wasm-bindgen that writes its glue differently fails the build with a
//! message instead of shipping an entry that needs `init()` again.

use crate::files::read;
use crate::{root, Result};
use std::path::Path;

/// The wasm-bindgen exports that only the JS wrapper calls (`src/quick.rs`, `src/lib.rs`).
const WRAPPED_EXPORTS: [&str; 9] = [
    "quickGeneration",
    "quickResolve",
    "quickModel",
    "quickEstimate",
    "quickBatch",
    "quickTotals",
    "quickInput",
    "estimateCostFull",
    "estimateBatchFull",
];

/// The wasm-bindgen exports of the client build that only `src/js/client.js` calls (`src/client.rs`).
const CLIENT_EXPORTS: [&str; 11] = [
    "answerError",
    "checkAnswer",
    "holdBody",
    "guardBody",
    "settleBody",
    "affordableFor",
    "retryWait",
    "retryDefaults",
    "clientLimits",
    "leaseGrant",
    "leaseMayTake",
];

/// The wasm-bindgen class of the client build that only `src/js/client.js` uses.
const CLIENT_CLASS: &str = "QueueCore";

/// The name of the setter each entry calls to say where the module's bytes come from.
pub const SET_SOURCE: &str = "__setWasmSource";

/// Which glue is patched: what each needs differs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Glue {
    /// `--target web`: loads the `.wasm` itself; patched to load it on first use.
    Web,
    /// `--target bundler` under the wasm2js build: the module is JavaScript,
    /// instantiated at import, so there is nothing to load.
    Wasm2js,
}

/// The glue `text` (read from `origin`, named in errors) ready to bundle: the
/// wrapper's internal exports private, `src/wrapper.js` appended (and, for a
/// `client` build, `src/js/client.js` with its internal exports private), the error
/// class exported and, for [`Glue::Web`], every public function and
/// constructor loading the module first, with `init()` as the default export.
pub fn patch(text: &str, origin: &Path, glue: Glue, client: bool) -> Result<String> {
    let fail = |what: &str| {
        format!(
            "{}: wasm-bindgen did not emit {what}; xtask/src/glue.rs needs it",
            origin.display()
        )
    };
    let mut text = text.to_owned();
    let client_exports = if client { &CLIENT_EXPORTS[..] } else { &[] };
    for name in WRAPPED_EXPORTS.iter().chain(client_exports) {
        let exported = format!("export function {name}(");
        if !text.contains(&exported) {
            return Err(fail(&format!("`{exported}`")));
        }
        text = text.replace(&exported, &format!("function {name}("));
    }
    if client {
        let exported = format!("export class {CLIENT_CLASS} ");
        if !text.contains(&exported) {
            return Err(fail(&format!("`{exported}`")));
        }
        text = text.replace(&exported, &format!("class {CLIENT_CLASS} "));
    }
    let error_module = snippet_of(&text, "/src/js/error.js").ok_or_else(|| {
        fail("an import of src/js/error.js (src/error.rs imports the error class)")
    })?;
    if glue == Glue::Web {
        text = load_first(&text).ok_or_else(|| fail("public functions to load the module in"))?;
        let stem = origin
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| fail("a file name"))?;
        let default_url = format!("new URL('{stem}_bg.wasm', import.meta.url)");
        let exports = "export { initSync, __wbg_init as default };";
        if !text.contains(&default_url) || !text.contains(exports) {
            return Err(fail(&format!("`{default_url}` and `{exports}`")));
        }
        // No URL of the .wasm stays in the glue: bundlers would ship the file for nothing.
        text = text
            .replace(&default_url, "wasmSource()")
            .replace(exports, "export { init as default };");
    }
    text.push_str(&read(&root().join("sdk/src/wrapper.js"))?);
    if client {
        text.push_str(&read(&root().join("sdk/src/js/client.js"))?);
    }
    text.push_str(&read(&root().join("sdk/src/js/inspect.js"))?);
    match glue {
        Glue::Web => text.push_str(&read(&root().join("sdk/src/js/loader.js"))?),
        Glue::Wasm2js => text.push_str(
            "\n/** Nothing to load: this build is JavaScript. */\nfunction ensure() {}\n",
        ),
    }
    text.push_str(&format!(
        "\nexport {{ CloudCreditsError }} from '{error_module}';\n"
    ));
    Ok(text)
}

/// The path the glue imports the snippet `file` (a path from the crate root) by.
fn snippet_of(glue: &str, file: &str) -> Option<String> {
    glue.lines()
        .filter(|line| line.starts_with("import "))
        .filter_map(|line| {
            let quote = line.rfind(['\'', '"'])?;
            let start = line[..quote].rfind(['\'', '"'])? + 1;
            Some(&line[start..quote])
        })
        .find(|path| path.starts_with("./snippets/") && path.ends_with(file))
        .map(String::from)
}

/// `glue` with `ensure();` (src/js/loader.js) first in every exported
/// function and in the constructor of every exported class, or `None` when it
/// has neither.
fn load_first(glue: &str) -> Option<String> {
    let mut out = String::with_capacity(glue.len() + 1024);
    let mut in_class = false;
    let mut patched = 0;
    for line in glue.lines() {
        out.push_str(line);
        out.push('\n');
        if line.starts_with("export class ") {
            in_class = true;
        } else if line.starts_with('}') {
            in_class = false;
        }
        let opens = line.trim_end().ends_with('{');
        let function = line.starts_with("export function ");
        let constructor = in_class && line.starts_with("    constructor(");
        if opens && (function || constructor) {
            out.push_str("    ensure();\n");
            patched += 1;
        }
    }
    (patched > 0).then_some(out)
}

/// The public declarations from wasm-bindgen's `.d.ts` `text`: the
/// loader's raw types (`InitInput`, `InitOutput`, `initSync`) replaced by
/// `src/js/loader.d.ts`, no `free()` / `[Symbol.dispose]` (the classes are
/// reclaimed with their objects), and the built-in catalog's model names as
/// `KnownModel`.
pub fn declarations(text: &str, origin: &Path, known_models: &[String]) -> Result<String> {
    let cut = text.find("export type InitInput").ok_or_else(|| {
        format!(
            "{}: wasm-bindgen did not emit `export type InitInput`; xtask/src/glue.rs needs it",
            origin.display()
        )
    })?;
    let mut out: String = text[..cut]
        .lines()
        .filter(|line| !matches!(line.trim(), "free(): void;" | "[Symbol.dispose](): void;"))
        .map(|line| format!("{line}\n"))
        .collect();
    out.push_str(&read(&root().join("sdk/src/js/loader.d.ts"))?);
    out.push_str("\n/** The ids and aliases of the built-in catalog's models and features. */\n");
    out.push_str("export type KnownModel =\n");
    for name in known_models {
        out.push_str(&format!("  | {}\n", serde_json::Value::from(name.as_str())));
    }
    out.push_str("  ;\n");
    Ok(out)
}

/// Every id and alias of the built-in catalog, in its order.
pub fn known_models() -> Result<Vec<String>> {
    let path = root().join("core/catalog/models.json");
    let document: serde_json::Value =
        serde_json::from_str(&read(&path)?).map_err(|e| format!("{}: {e}", path.display()))?;
    let entries = document["entries"]
        .as_array()
        .ok_or_else(|| format!("{}: no entries", path.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        names.extend(entry["id"].as_str().map(String::from));
        if let Some(aliases) = entry["aliases"].as_array() {
            names.extend(aliases.iter().filter_map(|a| a.as_str()).map(String::from));
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::{declarations, load_first, snippet_of};
    use std::path::Path;

    #[test]
    fn public_functions_and_constructors_load_the_module_first() {
        let glue = "\
export function formatUsd(amount) {
    return 1;
}
function inner() {
}
export class CloudCredits {
    constructor(options) {
        this.x = options;
    }
    close() {
    }
}
";
        let patched = load_first(glue).unwrap();
        assert_eq!(patched.matches("ensure();").count(), 2);
        assert!(patched.contains("export function formatUsd(amount) {\n    ensure();\n"));
        assert!(patched.contains("    constructor(options) {\n    ensure();\n"));
        assert!(patched.contains("    close() {\n    }"));
        assert!(load_first("function inner() {\n}\n").is_none());
    }

    #[test]
    fn the_error_snippet_is_found_by_its_crate_path() {
        let glue = "import { cloudCreditsError } from './snippets/rork-cloud-credits-0f3a/src/js/error.js';\nlet wasm;\n";
        assert_eq!(
            snippet_of(glue, "/src/js/error.js").as_deref(),
            Some("./snippets/rork-cloud-credits-0f3a/src/js/error.js")
        );
        assert_eq!(snippet_of(glue, "/src/js/other.js"), None);
    }

    #[test]
    fn declarations_lose_the_raw_loader_and_free() {
        let dts = "\
export class Hold {
    free(): void;
    [Symbol.dispose](): void;
    readonly id: string;
}
export type InitInput = RequestInfo | URL;
export interface InitOutput {}
";
        let out = declarations(dts, Path::new("m.d.ts"), &["gpt-4o".into()]).unwrap();
        assert!(out.contains("readonly id: string;"));
        for gone in [
            "free()",
            "Symbol.dispose",
            "InitInput",
            "InitOutput",
            "RequestInfo",
        ] {
            assert!(!out.contains(gone), "{gone} is still declared");
        }
        assert!(out.contains("export default function init(source?: unknown): Promise<void>;"));
        assert!(out.contains("export type KnownModel =\n  | \"gpt-4o\"\n  ;\n"));
        assert!(declarations("export class X {}", Path::new("m.d.ts"), &[]).is_err());
    }
}
