//! `cargo xtask test [suite...]`: every suite (or the ones named), from
//! set-up to the browser, ending with one summary line `N passed, M failed, K skipped`.

use crate::postgres::TempPostgres;
use crate::process::{self, tee};
use crate::setup::{self, WASM_TARGET};
use crate::{build, doc, root, server, version, Result};
use std::process::Command;

/// The suites `cargo xtask test <suite>` runs one at a time (no name: all of
/// them, after the format, lint, version and API reference checks).
pub const SUITES: [&str; 8] = [
    "core",
    "sdk",
    "server",
    "xtask",
    "js",
    "packaging",
    "hermes",
    "e2e",
];

/// Counts of passed, failed and skipped tests over all suites.
#[derive(Default)]
struct Tally {
    counts: Counts,
    failed_suites: Vec<String>,
}

/// Test counts, as the runners report them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    passed: u64,
    failed: u64,
    /// Ignored (cargo) or skipped (node) tests: reported, never counted as passed.
    skipped: u64,
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
        let found = counts(&out);
        self.counts.passed += found.passed;
        self.counts.failed += found.failed;
        self.counts.skipped += found.skipped;
        if !ok || found.failed > 0 {
            self.counts.failed += u64::from(found.failed == 0);
            self.failed_suites.push(name.to_string());
        }
    }

    /// Runs a step that is one check (format, lint, build): one pass or one failure.
    fn check(&mut self, name: &str, outcome: Result) -> bool {
        eprintln!("\n==> {name}");
        match outcome {
            Ok(()) => self.counts.passed += 1,
            Err(message) => {
                eprintln!("{message}");
                self.counts.failed += 1;
                self.failed_suites.push(name.to_string());
            }
        }
        self.failed_suites.last().map(String::as_str) != Some(name)
    }
}

/// Sums the counts that cargo test (`test result: ok. 3 passed; 0 failed; 1 ignored; ...`)
/// and node's TAP reporter (`# pass 3`, `# fail 0`, `# skipped 1`) print.
fn counts(output: &str) -> Counts {
    let mut counts = Counts::default();
    for line in output.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result: ") {
            for part in rest.split(['.', ';']) {
                let mut words = part.split_whitespace();
                if let (Some(n), Some(kind)) = (words.next(), words.next()) {
                    let n: u64 = n.parse().unwrap_or(0);
                    match kind {
                        "passed" => counts.passed += n,
                        "failed" => counts.failed += n,
                        "ignored" => counts.skipped += n,
                        _ => {}
                    }
                }
            }
            continue;
        }
        let tap = [
            ("# pass ", &mut counts.passed),
            ("# fail ", &mut counts.failed),
            ("# skipped ", &mut counts.skipped),
        ];
        for (prefix, count) in tap {
            if let Some(n) = line.strip_prefix(prefix) {
                *count += n.trim().parse::<u64>().unwrap_or(0);
            }
        }
    }
    counts
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

/// Runs the suites named in `names` (all of them, and the checks, when
/// none is named) and fails when any test failed.
pub fn run(names: &[&str]) -> Result {
    if let Some(unknown) = names.iter().find(|name| !SUITES.contains(name)) {
        return Err(format!(
            "no test suite {unknown:?}; the suites are {}",
            SUITES.join(", ")
        ));
    }
    let all = names.is_empty();
    let wants = |suite: &str| all || names.contains(&suite);
    // A full run builds each crate once: incremental state would only add
    // about 1 GB to `target/` (every cargo command below inherits this).
    std::env::set_var("CARGO_INCREMENTAL", "0");
    setup::disk_space();
    setup::rust_tools()?;
    setup::system_packages()?;
    setup::npm_ci(&root().join("tests"))?;
    setup::npm_ci(&root().join("www"))?;

    let mut tally = Tally::default();
    if all {
        checks(&mut tally);
    }
    let package_wanted = ["js", "packaging", "hermes", "e2e"]
        .iter()
        .any(|s| wants(s));
    let built = package_wanted && tally.check("build the npm package", build::run());
    if all && built {
        tally.check(
            "API reference (TypeDoc, no warnings)",
            doc::generate().map(|_| ()),
        );
    }
    native_suites(&mut tally, all, &wants);
    server_suites(&mut tally, built, &wants);

    println!();
    if !tally.failed_suites.is_empty() {
        println!("failed: {}", tally.failed_suites.join(", "));
        setup::disk_space();
    }
    let Counts {
        passed,
        failed,
        skipped,
    } = tally.counts;
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 {
        Ok(())
    } else {
        Err("some tests failed".into())
    }
}

/// Format, lint and the versions: each one check.
fn checks(tally: &mut Tally) {
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
}

/// The native `cargo test`s: the whole workspace in one run (`all`), else
/// each wanted crate's. The server's PostgreSQL tests (ignored without a
/// database) run on a throwaway PostgreSQL.
fn native_suites(tally: &mut Tally, all: bool, wants: &dyn Fn(&str) -> bool) {
    let with_postgres = |tally: &mut Tally, name: &str, packages: &[&str]| {
        let pg = match TempPostgres::start() {
            Ok(pg) => pg,
            Err(message) => {
                tally.check("start PostgreSQL", Err(message));
                return;
            }
        };
        let mut args = vec!["test"];
        args.extend(packages);
        args.extend(["--", "--include-ignored"]);
        tally.suite(name, cargo(&args).env("TEST_POSTGRES_URL", &pg.url));
    };
    if all {
        let name = "native tests (core, SDK, server on SQLite and PostgreSQL, xtask)";
        return with_postgres(tally, name, &["--workspace"]);
    }
    let crates = [
        (
            "core",
            "native tests of the core",
            "rork-cloud-credits-core",
        ),
        ("sdk", "native tests of the SDK crate", "rork-cloud-credits"),
        ("xtask", "tests of the build tools", "xtask"),
    ];
    for (suite, name, package) in crates {
        if wants(suite) {
            tally.suite(name, &mut cargo(&["test", "--package", package]));
        }
    }
    if wants("server") {
        let name = "server tests on SQLite and PostgreSQL";
        with_postgres(tally, name, &["--package", "rork-cloud-credits-server"]);
    }
}

/// A test suite of the built SDK, most of them against their own reference server.
struct Suite {
    /// Its name for `cargo xtask test <suite>`.
    suite: &'static str,
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
fn server_suites(tally: &mut Tally, package_built: bool, wants: &dyn Fn(&str) -> bool) {
    let wanted = ["sdk", "js", "packaging", "hermes", "e2e"];
    if !wanted.iter().any(|suite| wants(suite)) {
        return;
    }
    let binary = server::build();
    if let Err(message) = &binary {
        tally.check("build the reference server", Err(message.clone()));
    }
    let work = crate::target_dir().join("xtask-test");
    let _ = std::fs::create_dir_all(&work);
    let suites = [
        Suite {
            suite: "sdk",
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
            suite: "js",
            name: "npm package tests (node:test)",
            key: Some("js"),
            needs_package: true,
            command: || node_tests("tests/js"),
        },
        Suite {
            suite: "packaging",
            name: "packaging tests (npm pack into every bundler, Node 18 and 20, Metro + Hermes, tsc, publint, attw)",
            key: None,
            needs_package: true,
            command: || node_tests("tests/packaging"),
        },
        Suite {
            suite: "hermes",
            name: "no-WebAssembly fallback (node --jitless, Hermes VM)",
            key: Some("hermes"),
            needs_package: true,
            command: || node_tests("tests/hermes"),
        },
        Suite {
            suite: "e2e",
            name: "browser end-to-end tests (Playwright + Chromium)",
            key: Some("e2e"),
            needs_package: true,
            command: || node_tests("tests/e2e"),
        },
    ];
    for Suite {
        suite,
        name,
        key,
        needs_package,
        command,
    } in suites
    {
        if !wants(suite) {
            continue;
        }
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
    use super::{counts, Counts};

    #[test]
    fn sums_cargo_and_tap_counts() {
        let out = "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured\n\
                   test result: FAILED. 3 passed; 2 failed; 0 ignored\n\
                   # tests 5\n# pass 4\n# fail 1\n# skipped 2\n";
        let expected = Counts {
            passed: 19,
            failed: 3,
            skipped: 3,
        };
        assert_eq!(counts(out), expected);
    }

    #[test]
    fn output_without_results_counts_nothing() {
        assert_eq!(
            counts("error[E0425]: cannot find value\n"),
            Counts::default()
        );
    }
}
