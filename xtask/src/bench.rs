//! `cargo xtask bench`: the package side by side with its peers, written to
//! `bench/RESULTS.md` (not part of `cargo xtask test`: it takes minutes and
//! measures, it does not judge).
//!
//! Builds the package and the release server, installs the peers from
//! `bench/package-lock.json`, starts the server on a fresh SQLite file and on
//! a throwaway PostgreSQL, and runs `bench/run.mjs`: size, start-up,
//! throughput in Node and headless Chromium, callgrind instruction counts,
//! exactness, usage ingestion and the client's usage queue. The servers'
//! URLs reach it as `BENCH_SQLITE_URL` and `BENCH_POSTGRES_URL`.

use crate::build::target_dir;
use crate::postgres::TempPostgres;
use crate::{build, process, root, server, setup, Result};
use std::process::Command;

/// The load generator sends far more than the default per-key rate limit.
const UNLIMITED: [&str; 4] = [
    "--rate-limit-per-second",
    "1000000000",
    "--rate-limit-burst",
    "1000000000",
];

/// Builds the package and writes `bench/RESULTS.md`.
pub fn run() -> Result {
    build::build_package()?;
    let bench = root().join("bench");
    setup::npm_ci(&bench)?;
    let binary = server::build_release()?;
    let work = target_dir().join("bench");
    std::fs::create_dir_all(&work).map_err(|e| format!("creating {}: {e}", work.display()))?;
    let sqlite_db = server::fresh_sqlite(&work.join("ingest.db"));
    let sqlite = server::start_with(&binary, &sqlite_db, None, &UNLIMITED)?;
    let postgres = TempPostgres::start()?;
    let on_postgres = server::start_with(&binary, &postgres.url, None, &UNLIMITED)?;
    process::run(
        Command::new("node")
            .arg(bench.join("run.mjs"))
            .env("BENCH_SQLITE_URL", &sqlite.url)
            .env("BENCH_POSTGRES_URL", &on_postgres.url)
            .current_dir(root()),
    )
}
