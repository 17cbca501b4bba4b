//! `cargo xtask test`: every suite, from set-up to the browser, ending with
//! one summary line `N passed, M failed`.

use crate::postgres::TempPostgres;
use crate::process::{self, tee};
use crate::setup::{self, WASM_TARGET};
use crate::{build, doc, root, server, version, Result};
use std::process::Command;

/// Counts of passed and failed tests over all suites.
#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    failed_suites: Vec<String>,
}

impl Tally {
    /// Runs a test command, echoing its output and adding its counts.
    /// A suite that fails without reporting a failed test (a compile error,
    /// a crash) counts as one failure.
    fn suite(&mut self, name: &str, cmd: &mut Command) {
        eprintln!("\n==> {name}");
        let (ok, out) = match tee(cmd) {
            Ok(result) => result,
            Err(message) => {
                eprintln!("{message}");
                (false, String::new())
            }
        };
        let (passed, failed) = counts(&out);
        self.passed += passed;
        self.failed += failed;
        if !ok || failed > 0 {
            self.failed += u64::from(failed == 0);
            self.failed_suites.push(name.to_string());
        }
    }

    /// Runs a step that is one check (format, lint, build): one pass or one failure.
    fn check(&mut self, name: &str, outcome: Result) -> bool {
        eprintln!("\n==> {name}");
        match outcome {
            Ok(()) => self.passed += 1,
            Err(message) => {
                eprintln!("{message}");
                self.failed += 1;
                self.failed_suites.push(name.to_string());
            }
        }
        self.failed_suites.last().map(String::as_str) != Some(name)
    }
}

/// Sums the counts that cargo test (`test result: ok. 3 passed; 0 failed; ...`)
/// and node's TAP reporter (`# pass 3`, `# fail 0`) print.
fn counts(output: &str) -> (u64, u64) {
    let mut passed = 0;
    let mut failed = 0;
    for line in output.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result: ") {
            for part in rest.split(['.', ';']) {
                let mut words = part.split_whitespace();
                if let (Some(n), Some(kind)) = (words.next(), words.next()) {
                    let n: u64 = n.parse().unwrap_or(0);
                    match kind {
                        "passed" => passed += n,
                        "failed" => failed += n,
                        _ => {}
                    }
                }
            }
        } else if let Some(n) = line.strip_prefix("# pass ") {
            passed += n.trim().parse::<u64>().unwrap_or(0);
        } else if let Some(n) = line.strip_prefix("# fail ") {
            failed += n.trim().parse::<u64>().unwrap_or(0);
        }
    }
    (passed, failed)
}

fn cargo(args: &[&str]) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root()).args(args);
    cmd
}

fn node_tests(dir: &str) -> Command {
    let mut cmd = Command::new("node");
    cmd.current_dir(root())
        .args(["--test", "--test-reporter=tap", "--test-concurrency=1", dir]);
    cmd
}

/// Runs every suite and fails when any test failed.
pub fn run() -> Result {
    // A full run builds each crate once: incremental state would only add
    // about 1 GB to `target/` (every cargo command below inherits this).
    std::env::set_var("CARGO_INCREMENTAL", "0");
    setup::disk_space();
    setup::rust_tools()?;
    setup::system_packages()?;
    setup::npm_ci(&root().join("tests"))?;
    setup::npm_ci(&root().join("www"))?;

    let mut tally = Tally::default();
    tally.check(
        "format",
        process::run(&mut cargo(&["fmt", "--all", "--check"])),
    );
    tally.check(
        "clippy",
        process::run(&mut cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])),
    );
    tally.check(
        "versions in step (Cargo.toml, pkg/package.json)",
        version::run(&[]),
    );
    let built = tally.check("build the npm package", build::run());
    if built {
        tally.check(
            "API reference (TypeDoc, no warnings)",
            doc::generate().map(|_| ()),
        );
    }

    match TempPostgres::start() {
        Ok(pg) => tally.suite(
            "native tests (core, SDK, server on SQLite and PostgreSQL)",
            cargo(&["test", "--workspace"]).env("TEST_POSTGRES_URL", &pg.url),
        ),
        Err(message) => {
            tally.check("start PostgreSQL", Err(message));
        }
    }

    server_suites(&mut tally, built);

    println!();
    if !tally.failed_suites.is_empty() {
        println!("failed: {}", tally.failed_suites.join(", "));
        setup::disk_space();
    }
    println!("{} passed, {} failed", tally.passed, tally.failed);
    if tally.failed == 0 {
        Ok(())
    } else {
        Err("some tests failed".into())
    }
}

/// A test suite of the built SDK, most of them against their own reference server.
struct Suite {
    name: &'static str,
    /// Names the suite's database file; `None` for a suite that talks to no server.
    key: Option<&'static str>,
    /// Whether the suite tests the built npm package (skipped if it did not build).
    needs_package: bool,
    command: fn() -> Command,
}

/// The suites that run against a reference server: each gets its own
/// server on a fresh SQLite database, its URL in `CLOUD_CREDITS_URL` (the
/// packaging suite, which talks to none, runs without one). The wasm
/// tests bake that URL in at compile time; the JS suites also need the built package.
fn server_suites(tally: &mut Tally, package_built: bool) {
    let binary = server::build();
    if let Err(message) = &binary {
        tally.check("build the reference server", Err(message.clone()));
    }
    let work = build::target_dir().join("xtask-test");
    let _ = std::fs::create_dir_all(&work);
    let suites = [
        Suite {
            name: "wasm tests in headless Chromium",
            key: Some("wasm"),
            needs_package: false,
            command: || {
                let mut cmd = cargo(&[
                    "test",
                    "--target",
                    WASM_TARGET,
                    "--package",
                    "rork-cloud-credits",
                ]);
                cmd.env("CHROMEDRIVER", "/usr/bin/chromedriver");
                cmd
            },
        },
        Suite {
            name: "npm package tests (node:test)",
            key: Some("js"),
            needs_package: true,
            command: || node_tests("tests/js"),
        },
        Suite {
            name: "packaging tests (npm pack into every bundler, Node 18 and 20, Metro + Hermes, tsc, publint, attw)",
            key: None,
            needs_package: true,
            command: || node_tests("tests/packaging"),
        },
        Suite {
            name: "no-WebAssembly fallback (node --jitless, Hermes VM)",
            key: Some("hermes"),
            needs_package: true,
            command: || node_tests("tests/hermes"),
        },
        Suite {
            name: "browser end-to-end tests (Playwright + Chromium)",
            key: Some("e2e"),
            needs_package: true,
            command: || node_tests("tests/e2e"),
        },
    ];
    for Suite {
        name,
        key,
        needs_package,
        command,
    } in suites
    {
        if needs_package && !package_built {
            tally.check(name, Err("skipped: the npm package did not build".into()));
            continue;
        }
        let Some(key) = key else {
            tally.suite(name, &mut command());
            continue;
        };
        let Ok(binary) = &binary else {
            tally.check(
                name,
                Err("skipped: the reference server did not build".into()),
            );
            continue;
        };
        let db = server::fresh_sqlite(&work.join(format!("{key}.db")));
        match server::start(binary, &db, None) {
            Ok(server) => tally.suite(
                name,
                command()
                    .env("CLOUD_CREDITS_URL", &server.url)
                    .env("CLOUD_CREDITS_SERVER_BIN", binary),
            ),
            Err(message) => {
                tally.check(name, Err(message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::counts;

    #[test]
    fn sums_cargo_and_tap_counts() {
        let out = "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured\n\
                   test result: FAILED. 3 passed; 2 failed; 0 ignored\n\
                   # tests 5\n# pass 4\n# fail 1\n";
        assert_eq!(counts(out), (19, 3));
    }

    #[test]
    fn output_without_results_counts_nothing() {
        assert_eq!(counts("error[E0425]: cannot find value\n"), (0, 0));
    }
}
