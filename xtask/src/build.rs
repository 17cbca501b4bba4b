//! `cargo xtask build`: the wasm SDK compiled, bound, optimized and laid out
//! as the npm package in `pkg/`, with its size reported.

use crate::files::{clear_dir, read, replace_between, write};
use crate::flavor::{Flavor, FLAVORS};
use crate::glue::{self, Glue};
use crate::process;
use crate::setup::{self, WASM_TARGET};
use crate::{entries, fallback};
use crate::{root, target_dir, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The file stem wasm-bindgen gives the generated module.
const OUT_NAME: &str = "rork_cloud_credits";

/// Builds the npm package and prints its size.
pub fn run() -> Result {
    build_package().map(|_| ())
}

/// wasm-opt's passes over the shipped module: for size, repeated until they
/// change nothing (`--converge`), and told that the low 1 KB of memory is
/// unused (`--low-memory-unused`: it is, Rust's stack grows down from 1 MB
/// and its data lies above), which lets it fold constant offsets into loads
/// and stores. Together 1.4 KB less gzip for the whole SDK and 0.65 KB for
/// estimation than `-Oz` alone (bench/RESULTS.md, "Where the bytes are").
const WASM_OPT_PASSES: [&str; 3] = ["-Oz", "--low-memory-unused", "--converge"];

/// Optimizes the bound module `input` into `output` as it ships: the
/// [`WASM_OPT_PASSES`], producers and target features stripped, and the
/// names with the debug info unless `keep_names` (what `cargo xtask size`
/// reads the origins of functions from).
pub fn optimize(input: &Path, output: &Path, keep_names: bool) -> Result {
    process::run(
        Command::new(setup::tool("wasm-opt"))
            .args(WASM_OPT_PASSES)
            .arg(if keep_names { "-g" } else { "--strip-debug" })
            .args(["--strip-producers", "--strip-target-features"])
            .arg(input)
            .arg("-o")
            .arg(output),
    )
}

/// Builds the npm package in `pkg/dist` and returns that directory.
pub fn build_package() -> Result<PathBuf> {
    setup::rust_tools()?;
    setup::npm_ci(&setup::tools_dir())?;

    let dist = root().join("pkg/dist");
    clear_dir(&dist)?;
    for file in ["LICENSE", "CHANGELOG.md"] {
        std::fs::copy(root().join(file), root().join("pkg").join(file))
            .map_err(|e| format!("copying {file} into pkg/: {e}"))?;
    }
    let mut rows = Vec::new();
    for flavor in &FLAVORS {
        let files = build_flavor(flavor, &dist.join(flavor.dir))?;
        rows.extend(report_size(&files, flavor)?);
    }
    write_size_table(&root().join("pkg/README.md"), &rows)?;
    Ok(dist)
}

/// Builds one module into `dir`: the WebAssembly build, its glue patched
/// ([`glue::patch`]) and bundled into the browser and Node entries
/// ([`entries`]), the public declarations, and the wasm2js build. Returns
/// the files to report: what a browser downloads first.
fn build_flavor(flavor: &Flavor, dir: &Path) -> Result<Vec<PathBuf>> {
    process::run(&mut flavor.cargo_build(""))?;
    let wasm = target_dir()
        .join(WASM_TARGET)
        .join("release")
        .join(format!("{OUT_NAME}.wasm"));
    let work = target_dir().join("pkg-work").join(flavor.dir);
    clear_dir(&work)?;
    process::run(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--out-name", OUT_NAME, "--out-dir"])
            .arg(&work)
            .arg(&wasm),
    )?;
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let bound = dir.join(format!("{OUT_NAME}_bg.wasm"));
    optimize(&work.join(format!("{OUT_NAME}_bg.wasm")), &bound, false)?;

    let glue = work.join(format!("{OUT_NAME}.js"));
    write(
        &glue,
        &glue::patch(&read(&glue)?, &glue, Glue::Web, flavor.client)?,
    )?;
    let names = api_names(&glue)?;
    let dts = work.join(format!("{OUT_NAME}.d.ts"));
    let public = glue::declarations(&read(&dts)?, &dts, &glue::known_models()?)?;
    write(&dir.join(format!("{OUT_NAME}.d.ts")), &public)?;
    write(&dir.join(format!("{OUT_NAME}.d.cts")), &public)?;

    let bytes = std::fs::read(&bound).map_err(|e| format!("reading {}: {e}", bound.display()))?;
    write(&work.join("wasm_hex.js"), &entries::wasm_hex(&bytes))?;
    write(
        &work.join("browser.js"),
        &entries::browser(OUT_NAME, &names),
    )?;
    let browser = dir.join(format!("{OUT_NAME}.js"));
    bundle(
        &work.join("browser.js"),
        &browser,
        &["--platform=browser", "--format=esm", "--target=es2020"],
    )?;
    tidy_source_map(&browser)?;

    write(
        &dir.join(entries::NODE_BASE64_FILE),
        &entries::wasm_base64(&bytes),
    )?;
    write(
        &work.join("node_wasm.cjs"),
        &entries::node_wasm(OUT_NAME, &names, bytes.len()),
    )?;
    let node_wasm = dir.join(entries::NODE_WASM_FILE);
    bundle(
        &work.join("node_wasm.cjs"),
        &node_wasm,
        &[
            "--platform=node",
            "--format=cjs",
            "--target=node18",
            &format!("--external:./{}", entries::NODE_BASE64_FILE),
        ],
    )?;
    tidy_source_map(&node_wasm)?;
    write(&dir.join("node.cjs"), &entries::node_cjs(&names))?;
    write(&dir.join("node.js"), &entries::node_esm(&names))?;

    let without_wasm = fallback::build(flavor, &names)?;
    Ok([&[browser][..], &without_wasm].concat())
}

/// Bundles `entry` into `out` with esbuild, minified (exports keep their
/// names; the documentation ships in the `.d.ts`), with a source map of the
/// glue next to it.
fn bundle(entry: &Path, out: &Path, args: &[&str]) -> Result {
    process::run(
        Command::new(setup::tool("esbuild"))
            .arg(entry)
            .args(["--bundle", "--minify", "--sourcemap", "--log-level=warning"])
            .args(args)
            .arg(format!("--outfile={}", out.display())),
    )
}

/// Tidies the source map of `bundle`: its sources named by file under
/// `rork-cloud-credits/` (not by the build's work folders), and the text of
/// `wasm_hex.js` left out (the embedded module: nothing to read in a
/// debugger).
fn tidy_source_map(bundle: &Path) -> Result {
    let map = PathBuf::from(format!("{}.map", bundle.display()));
    let mut json: serde_json::Value =
        serde_json::from_str(&read(&map)?).map_err(|e| format!("{}: {e}", map.display()))?;
    let names: Vec<String> = json["sources"]
        .as_array()
        .map(|sources| {
            sources
                .iter()
                .map(|s| {
                    s.as_str()
                        .unwrap_or_default()
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(contents) = json["sourcesContent"].as_array_mut() {
        for (content, name) in contents.iter_mut().zip(&names) {
            if name == "wasm_hex.js" {
                *content = serde_json::Value::Null;
            }
        }
    }
    json["sources"] = names
        .iter()
        .map(|name| serde_json::Value::from(format!("rork-cloud-credits/{name}")))
        .collect();
    write(&map, &json.to_string())
}

/// The names `glue` exports, as Node sees them, without `default` and the
/// internal setter: the API every entry exports. Importing the glue runs no wasm.
fn api_names(glue: &Path) -> Result<Vec<String>> {
    const LIST: &str = "const m = await import(process.argv[1]); \
                        console.log(Object.keys(m).join(' '));";
    // A file URL needs an absolute path (`CARGO_TARGET_DIR` may be relative).
    let absolute = std::path::absolute(glue).map_err(|e| format!("{}: {e}", glue.display()))?;
    let url = format!("file://{}", absolute.display());
    let listed = process::output(
        Command::new("node")
            .args(["--input-type=module", "-e", LIST])
            .arg(url),
    )
    .ok_or_else(|| {
        format!(
            "node could not import {} to list its exports",
            glue.display()
        )
    })?;
    let names: Vec<String> = listed
        .split_whitespace()
        .filter(|name| *name != "default" && *name != glue::SET_SOURCE)
        .map(String::from)
        .collect();
    if !names.iter().any(|name| name == "estimateCost") {
        return Err(format!("{} does not export estimateCost", glue.display()));
    }
    Ok(names)
}

/// Raw, gzip -9 and brotli (quality 11) sizes of one file, in bytes.
pub fn sizes(path: &Path) -> Result<(usize, usize, usize)> {
    let bytes = std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes).map_err(|e| e.to_string())?;
    let gzip = gz.finish().map_err(|e| e.to_string())?.len();
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut br, &params).map_err(|e| e.to_string())?;
    Ok((bytes.len(), gzip, br.len()))
}

/// Prints the sizes of `flavor`'s `files` and returns its rows of the
/// README's size table.
fn report_size(files: &[PathBuf], flavor: &Flavor) -> Result<Vec<String>> {
    println!(
        "{} size (bytes):      raw     gzip   brotli",
        flavor.entry()
    );
    let mut total = (0, 0, 0);
    let mut rows = Vec::new();
    for file in files {
        let (raw, gzip, br) = sizes(file)?;
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        println!("  {name:<22} {raw:>8} {gzip:>8} {br:>8}");
        total = (total.0 + raw, total.1 + gzip, total.2 + br);
        let what = match (name.contains("wasm2js"), flavor.dir.is_empty()) {
            (false, true) => "`rork-cloud-credits`: the whole SDK, its WebAssembly inside",
            (false, false) => {
                "`rork-cloud-credits/estimate`: estimation only, its WebAssembly inside"
            }
            (true, _) => {
                "its JavaScript build, only where WebAssembly is missing: React Native, `--jitless`"
            }
        };
        let path = Path::new(flavor.dir).join(&*name);
        rows.push(format!(
            "| `{}` ({what}) | {} B | {} B | {} B |",
            path.display(),
            grouped(raw),
            grouped(gzip),
            grouped(br)
        ));
    }
    println!(
        "  {:<22} {:>8} {:>8} {:>8}",
        "total", total.0, total.1, total.2
    );
    Ok(rows)
}

/// `n` with its thousands grouped by commas.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Rewrites the size table between `<!-- size:start -->` and
/// `<!-- size:end -->` in `readme` with `rows`, so the README's figures are
/// always those of the files it ships with.
fn write_size_table(readme: &Path, rows: &[String]) -> Result {
    let table = format!(
        "| file | raw | gzip -9 | brotli |\n|---|---:|---:|---:|\n{}\n",
        rows.join("\n")
    );
    replace_between(readme, "<!-- size:start -->", "<!-- size:end -->", &table)
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(62_485), "62,485");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
