//! `cargo xtask bench`: the package side by side with its peers, written to
//! `bench/RESULTS.md` (not part of `cargo xtask test`: it takes minutes and
//! measures, it does not judge).
//!
//! Builds the package and the release server, installs the peers from
//! `bench/package-lock.json`, starts the server on a fresh SQLite file and on
//! a throwaway PostgreSQL, and runs `bench/run.mjs`: size, start-up,
//! throughput in Node and headless Chromium, callgrind instruction counts,
//! exactness, usage ingestion and the client's usage queue. The servers'
//! URLs reach it as `BENCH_SQLITE_URL` and `BENCH_POSTGRES_URL`. Then
//! `bench/attack.mjs` against a fresh release server (printed, not written).

use crate::postgres::TempPostgres;
use crate::target_dir;
use crate::{build, process, root, server, setup, Result};
use std::process::Command;

/// The load generator sends far more than the default per-key rate limit.
const UNLIMITED_PER_KEY: [&str; 4] = [
    "--rate-limit-per-second",
    "1000000000",
    "--rate-limit-burst",
    "1000000000",
];

/// ... and than the default per-address one (it runs from one address).
const UNLIMITED_PER_ADDRESS: [&str; 4] = [
    "--address-rate-limit-per-second",
    "1000000000",
    "--address-rate-limit-burst",
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
    let unlimited = [UNLIMITED_PER_KEY, UNLIMITED_PER_ADDRESS].concat();
    let sqlite = server::start_with(&binary, &sqlite_db, None, &unlimited)?;
    let postgres = TempPostgres::start()?;
    let on_postgres = server::start_with(&binary, &postgres.url, None, &unlimited)?;
    process::run(
        Command::new("node")
            .arg(bench.join("run.mjs"))
            .env("BENCH_SQLITE_URL", &sqlite.url)
            .env("BENCH_POSTGRES_URL", &on_postgres.url)
            .current_dir(root()),
    )?;
    // Under attack (printed, for the hand-written section of RESULTS.md): the
    // per-address limits at their defaults, the flood and the client sharing one key.
    let attack_db = server::fresh_sqlite(&work.join("attack.db"));
    let target = server::start_with(&binary, &attack_db, None, &UNLIMITED_PER_KEY)?;
    process::run(
        Command::new("node")
            .arg(bench.join("attack.mjs"))
            .arg(&target.url)
            .env("BENCH_ATTACK_PID", target.service.id().to_string())
            .current_dir(root()),
    )
}
