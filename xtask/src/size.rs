//! `cargo xtask size`: what each file a device downloads weighs (the build's
//! report, also the README's table), and where each module's code comes from:
//! the bytes of its function bodies by origin (crate, or the module of this
//! workspace's crates), measured on the shipped build with its names kept
//! (the same wasm-opt passes, with `-g` to keep the name section). The result
//! is printed and written into bench/RESULTS.md between
//! `<!-- size:begin -->` and `<!-- size:end -->`, so every size change shows
//! what it moved. Not part of `cargo xtask test`; the budgets are
//! (tests/packaging/contents.test.mjs).

use crate::build::{self, target_dir, FLAVORS};
use crate::files::{read, write};
use crate::process;
use crate::setup;
use crate::{root, Result};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// How many origins each module's table lists (the rest are summed).
const ROWS: usize = 20;

/// Builds the package, then prints and records each module's code by origin.
pub fn run() -> Result {
    build::build_package()?;
    let mut report = String::new();
    for flavor in &FLAVORS {
        let work = target_dir().join("pkg-work").join(flavor.dir);
        let named = work.join("named.wasm");
        process::run(
            Command::new(setup::npm_bin(&root().join("tests"), "wasm-opt"))
                .args(build::WASM_OPT_PASSES)
                .args(["-g", "--strip-producers", "--strip-target-features"])
                .arg(work.join("rork_cloud_credits_bg.wasm"))
                .arg("-o")
                .arg(&named),
        )?;
        let bytes =
            std::fs::read(&named).map_err(|e| format!("reading {}: {e}", named.display()))?;
        let module = format!(
            "rork-cloud-credits{}{}",
            if flavor.dir.is_empty() { "" } else { "/" },
            flavor.dir
        );
        report.push_str(&table(&module, &origins(&bytes)?));
    }
    print!("{report}");
    record(&root().join("bench/RESULTS.md"), &report)
}

/// Bytes of function bodies by origin, and the names of the functions that have none.
fn origins(wasm: &[u8]) -> Result<BTreeMap<String, usize>> {
    use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};
    let fail = |e: wasmparser::BinaryReaderError| format!("reading the module: {e}");
    let mut imported = 0u32;
    let mut bodies = Vec::new();
    let mut names = BTreeMap::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(fail)? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    if matches!(
                        import.map_err(fail)?.ty,
                        TypeRef::Func(_) | TypeRef::FuncExact(_)
                    ) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body.range().len()),
            Payload::CustomSection(section) => {
                if let KnownCustom::Name(reader) = section.as_known() {
                    for name in reader {
                        if let Name::Function(map) = name.map_err(fail)? {
                            for naming in map {
                                let naming = naming.map_err(fail)?;
                                names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if names.is_empty() {
        return Err("the module has no function names (was the name section stripped?)".into());
    }
    let mut by_origin = BTreeMap::new();
    for (i, size) in bodies.into_iter().enumerate() {
        let index = imported + i as u32;
        let origin = names
            .get(&index)
            .map_or_else(|| "(unnamed)".to_string(), |name| origin_of(name));
        *by_origin.entry(origin).or_insert(0) += size;
    }
    Ok(by_origin)
}

/// Where a function comes from, by its (demangled) name: this workspace's
/// crates by module (`rork_cloud_credits_core::queue`) and the standard
/// library by module (`core::fmt`), other crates by crate (`serde_json`);
/// `<T as Trait>::f` by `T` when it is a path, else by the trait
/// (`<f64 as core::fmt::Display>::fmt` is `core::fmt`). Names that are no
/// Rust path are the module's exports: wasm-bindgen's shims, with the
/// `#[wasm_bindgen]` function inlined.
fn origin_of(mangled: &str) -> String {
    let name = without_hashes(&format!("{:#}", rustc_demangle::demangle(mangled)));
    if !name.contains("::") {
        return "exports: wasm-bindgen shims, src/ inlined".into();
    }
    let mut path = name.as_str();
    if let Some(inner) = path.strip_prefix('<') {
        let (own, rest) = inner.split_once(" as ").unwrap_or((inner, ""));
        let own = own
            .trim_start_matches(['&', '*', '['])
            .trim_start_matches("mut ")
            .trim_start_matches("dyn ");
        path = if own.contains("::") { own } else { rest };
    }
    let mut segments = path
        .trim_start_matches(['<', '&', '*', '['])
        .split("::")
        .map(|s| s.split([' ', '<', '>', '(', ']', ';']).next().unwrap_or(""));
    let first = segments.next().unwrap_or("");
    let second = segments.next().unwrap_or("");
    match first {
        "rork_cloud_credits" | "rork_cloud_credits_core" | "core" | "alloc" | "std" => {
            format!("{first}::{second}")
        }
        "" => "(other)".into(),
        _ => first.to_string(),
    }
}

/// `name` without the crate hashes of v0 symbols (`core[27cd0353e63fa9bc]::fmt`).
fn without_hashes(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let hex = after
            .find(']')
            .filter(|&end| end > 0 && after[..end].bytes().all(|b| b.is_ascii_hexdigit()));
        match hex {
            Some(end) => {
                out.push_str(&rest[..open]);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A Markdown table of `origins` for `module`: the largest first.
fn table(module: &str, origins: &BTreeMap<String, usize>) -> String {
    let total: usize = origins.values().sum();
    let mut rows: Vec<(&String, &usize)> = origins.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut out = format!(
        "\n`{module}`: {total} B of function bodies (before gzip) by origin\n\n| origin | bytes | share |\n|---|---:|---:|\n"
    );
    let share = |bytes: usize| format!("{:.1}%", bytes as f64 * 100.0 / total.max(1) as f64);
    for (origin, bytes) in rows.iter().take(ROWS) {
        out.push_str(&format!("| `{origin}` | {bytes} | {} |\n", share(**bytes)));
    }
    let rest: usize = rows.iter().skip(ROWS).map(|(_, b)| **b).sum();
    if rest > 0 {
        out.push_str(&format!(
            "| {} more | {rest} | {} |\n",
            rows.len() - ROWS,
            share(rest)
        ));
    }
    out
}

/// Replaces the text between the size markers of `results` with `report`.
fn record(results: &Path, report: &str) -> Result {
    const START: &str =
        "<!-- size:begin (generated by `cargo xtask size`; edit outside these markers) -->";
    const END: &str = "<!-- size:end -->";
    let text = read(results)?;
    let (Some(start), Some(end)) = (text.find(START), text.find(END)) else {
        return Err(format!("{} has no size markers", results.display()));
    };
    write(
        results,
        &format!("{}{START}\n{report}\n{}", &text[..start], &text[end..]),
    )
}

#[cfg(test)]
mod tests {
    use super::{origin_of, table, without_hashes};
    use std::collections::BTreeMap;

    #[test]
    fn functions_are_grouped_by_crate_or_workspace_module() {
        assert_eq!(
            origin_of("_ZN23rork_cloud_credits_core5queue10UsageQueue4push17h0123456789abcdefE"),
            "rork_cloud_credits_core::queue"
        );
        assert_eq!(
            origin_of("_ZN10serde_json2de5parse17h0123456789abcdefE"),
            "serde_json"
        );
        assert_eq!(
            origin_of("_ZN4core3fmt5write17h0123456789abcdefE"),
            "core::fmt"
        );
        assert_eq!(
            origin_of("estimateCostFull externref shim"),
            "exports: wasm-bindgen shims, src/ inlined"
        );
        assert_eq!(
            origin_of("<f64 as core[27cd0353e63fa9bc]::fmt::Display>::fmt"),
            "core::fmt"
        );
        assert_eq!(
            origin_of("<rork_cloud_credits_core::money::Usd as core::fmt::Display>::fmt"),
            "rork_cloud_credits_core::money"
        );
        assert_eq!(
            without_hashes("core[27cd0353e63fa9bc]::fmt::[u8]"),
            "core::fmt::[u8]"
        );
    }

    #[test]
    fn the_table_lists_the_largest_first_with_shares() {
        let origins = BTreeMap::from([("a".to_string(), 10), ("b".to_string(), 30)]);
        let table = table("m", &origins);
        assert!(table.contains("`m`: 40 B"));
        let (b, a) = (
            table.find("| `b` | 30 | 75.0% |").unwrap(),
            table.find("| `a` | 10 | 25.0% |").unwrap(),
        );
        assert!(b < a);
    }
}
