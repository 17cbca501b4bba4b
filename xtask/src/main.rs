//! Build automation for rork-cloud-credits, run as `cargo xtask <command>`.
//!
//! Every CI step is a command a person can run locally: `.ci/run` is just
//! `cargo xtask test`. Set-up (toolchains, browsers, PostgreSQL, npm packages)
//! is part of the commands, so a fresh clone needs nothing installed by hand.

mod bench;
mod build;
mod catalog;
mod circles;
mod demo;
mod doc;
mod entries;
mod fallback;
mod files;
mod flavor;
mod glue;
mod postgres;
mod process;
mod server;
mod setup;
mod size;
mod test;
mod version;

use std::path::PathBuf;
use std::process::ExitCode;

/// What went wrong in a step, already phrased for the person at the terminal.
pub type Result<T = ()> = std::result::Result<T, String>;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  bench                    build the package and measure it against its peers (size,
                           start-up, speed in Node and Chromium, exactness) into
                           bench/RESULTS.md; not part of `test`
  build                    build the wasm SDK into the npm package in pkg/
  demo                     build everything, start the reference server on SQLite with
                           a seeded demo account, serve the demo page, print its URL
  doc                      render the TypeScript API reference (TypeDoc) of the built
                           package into target/api/
  size                     build the package, then print each module's code by origin
                           (crate or module) into bench/RESULTS.md; not part of `test`
  test [<suite>...]        run every test suite, or the ones named (core, sdk, server,
                           xtask, js, packaging, hermes, e2e), and print
                           `N passed, M failed, K skipped`
  catalog import <file>    refresh core/catalog/models.json from a LiteLLM
                           model_prices_and_context_window.json file
  version [<x.y.z>]        set the version in Cargo.toml and pkg/package.json (no
                           argument: print them and fail when they differ)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match args.as_slice() {
        ["bench"] => bench::run(),
        ["build"] => build::run(),
        ["demo"] => demo::run(),
        ["doc"] => doc::run(),
        ["size"] => size::run(),
        ["test", suites @ ..] => test::run(suites),
        ["catalog", "import", file] => catalog::import(
            std::path::Path::new(file),
            &root().join("core/catalog/models.json"),
        ),
        ["version", rest @ ..] => version::run(rest),
        _ => Err(USAGE.to_string()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's directory).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Cargo's target directory (honouring `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}
