//! `cargo xtask bench`: the package side by side with its peers, written to
//! `bench/RESULTS.md` (not part of `cargo xtask test`: it takes minutes and
//! measures, it does not judge).
//!
//! Builds the package, installs the peers from `bench/package-lock.json` and
//! runs `bench/run.mjs`: size, start-up, throughput in Node and headless
//! Chromium, callgrind instruction counts and exactness.

use crate::{build, process, root, setup, Result};
use std::process::Command;

/// Builds the package and writes `bench/RESULTS.md`.
pub fn run() -> Result {
    build::build_package()?;
    let bench = root().join("bench");
    setup::npm_ci(&bench)?;
    process::run(
        Command::new("node")
            .arg(bench.join("run.mjs"))
            .current_dir(root()),
    )
}
