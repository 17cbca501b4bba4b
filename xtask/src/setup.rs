//! Fresh-machine set-up: every tool the build and the tests need is checked
//! and, where this machine allows it, installed. When a step cannot run (no
//! root, no apt-get), the error says exactly what to install by hand.

use crate::process::{output, run};
use crate::{root, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The wasm target the SDK compiles to.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Debian packages the tests use, with the file each one provides.
/// PostgreSQL's server counts only with its `initdb` (a machine may have just the client).
const SYSTEM_PACKAGES: [(&str, &str); 3] = [
    ("chromium", "/usr/bin/chromium"),
    ("chromium-driver", "/usr/bin/chromedriver"),
    ("postgresql", "/usr/lib/postgresql/*/bin/initdb"),
];

/// Whether `file` exists; a `*` in it stands for any one directory, as in `/usr/lib/postgresql/*/bin/initdb`.
fn installed(file: &str) -> bool {
    match file.split_once("/*/") {
        Some((dir, rest)) => std::fs::read_dir(dir)
            .map(|entries| entries.flatten().any(|e| e.path().join(rest).exists()))
            .unwrap_or(false),
        None => Path::new(file).exists(),
    }
}

/// Whether this process runs as root (apt-get works; PostgreSQL must run as another user).
pub fn is_root() -> bool {
    output(Command::new("id").arg("-u")).as_deref() == Some("0")
}

/// Disk a full `cargo xtask test` takes from a clean clone: about 2.2 GB in
/// `target/` and 0.4 GB of npm packages, with some room to spare.
const DISK_NEEDED_GB: f64 = 3.0;

/// Warns when the disk holding `target/` has less free space than a full run
/// takes (checked before the run and again after a failed one): a full disk
/// otherwise shows up only as compile or npm errors deep in the log. Only a
/// warning: a rerun over an earlier run's `target/` needs much less.
pub fn disk_space() {
    let target = crate::target_dir();
    let dir = target.ancestors().find(|d| d.exists()).unwrap_or(&target);
    let free = output(Command::new("df").arg("-Pk").arg(dir)).and_then(|df| free_gb(&df));
    if let Some(free) = free.filter(|gb| *gb < DISK_NEEDED_GB) {
        eprintln!(
            "xtask: warning: only {free:.1} GB free on the disk of {} (a full run from a \
             clean clone takes about {DISK_NEEDED_GB} GB); builds and installs on a full disk \
             fail with \"No space left on device\"",
            target.display()
        );
    }
}

/// The free space `df -Pk` reports (its second line, fourth column), in GB.
fn free_gb(df: &str) -> Option<f64> {
    let kb: u64 = df.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()?;
    Some(kb as f64 / 1_048_576.0)
}

/// Installs the wasm32 target, the standard library's source and the
/// wasm-bindgen CLI matching Cargo.lock.
pub fn rust_tools() -> Result {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))
        .ok_or("rustup not found: install Rust with rustup (https://rustup.rs), then rerun")?;
    if !installed.lines().any(|t| t.trim() == WASM_TARGET) {
        run(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
    }
    // The standard library's source, which the release wasm is built with (`flavor::Flavor`).
    let components = output(Command::new("rustup").args(["component", "list", "--installed"]))
        .unwrap_or_default();
    if !components.lines().any(|c| c.trim().starts_with("rust-src")) {
        run(Command::new("rustup").args(["component", "add", "rust-src"]))?;
    }
    let version = wasm_bindgen_version()?;
    let wanted = format!("wasm-bindgen {version}");
    let have = output(Command::new("wasm-bindgen").arg("--version"));
    let runner = output(Command::new("wasm-bindgen-test-runner").arg("--version"));
    if have.as_deref() != Some(wanted.as_str()) || runner.is_none() {
        // No `--locked`: one of the CLI's pinned dependencies is not on the registry.
        run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &version]))?;
    }
    Ok(())
}

/// The exact `wasm-bindgen` version in Cargo.lock, which the CLI must equal.
pub fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry".into())
}

/// Installs Chromium, ChromeDriver and PostgreSQL with apt-get when missing.
pub fn system_packages() -> Result {
    let missing: Vec<&str> = SYSTEM_PACKAGES
        .iter()
        .filter(|(_, file)| !installed(file))
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let is_root = is_root();
    let has_apt = output(Command::new("apt-get").arg("--version")).is_some();
    if !(is_root && has_apt) {
        return Err(format!(
            "missing system packages: {list}. Install them as root, e.g. \
             `sudo apt-get install -y {list}` (Debian/Ubuntu), then rerun",
            list = missing.join(" ")
        ));
    }
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The newest PostgreSQL server's `bin` directory.
pub fn postgres_bin() -> Result<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| format!("PostgreSQL not installed (/usr/lib/postgresql: {e})"))?
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort_by_key(|bin| {
        bin.parent()
            .and_then(|v| v.file_name())
            .and_then(|n| n.to_str()?.parse::<u32>().ok())
    });
    versions
        .pop()
        .ok_or_else(|| "no initdb under /usr/lib/postgresql/*/bin".into())
}

/// Runs `npm ci` in `dir` (from its committed lockfile) unless it is up to date.
pub fn npm_ci(dir: &Path) -> Result {
    let node = output(Command::new("node").arg("--version"))
        .ok_or("Node.js not found: install Node.js 20 or newer, then rerun")?;
    let major: u32 = node
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 20 {
        return Err(format!(
            "Node.js {node} is too old: install Node.js 20 or newer"
        ));
    }
    let stamp = dir.join("node_modules/.package-lock.json");
    let lock = dir.join("package-lock.json");
    let installed = modified(&stamp);
    if installed.is_some() && installed >= modified(&lock) {
        return Ok(());
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir))
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// A binary installed by `npm ci` in `dir`.
pub fn npm_bin(dir: &Path, name: &str) -> PathBuf {
    dir.join("node_modules/.bin").join(name)
}

/// The build's own tools (`tools/package.json`: wasm-opt, wasm2js, esbuild),
/// not the test suites' (`tests/package.json`).
pub fn tools_dir() -> PathBuf {
    crate::root().join("tools")
}

/// A binary of the build's tools ([`tools_dir`]).
pub fn tool(name: &str) -> PathBuf {
    npm_bin(&tools_dir(), name)
}

#[cfg(test)]
mod tests {
    use super::{free_gb, installed};

    #[test]
    fn reads_the_free_space_from_df() {
        let df = "Filesystem 1024-blocks Used Available Capacity Mounted on\n\
                  /dev/vda 264140800 93323264 2831155 98% /\n";
        let free = free_gb(df).unwrap();
        assert!((free - 2.7).abs() < 0.01, "{free}");
        assert_eq!(free_gb("df: /nowhere: No such file or directory\n"), None);
    }

    #[test]
    fn a_star_stands_for_any_one_directory() {
        let dir = std::env::temp_dir().join(format!("xtask-installed-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("15/bin")).unwrap();
        let pattern = |rest: &str| format!("{}/*/{rest}", dir.display());
        assert!(!installed(&pattern("bin/initdb")), "client-only install");
        std::fs::write(dir.join("15/bin/initdb"), "").unwrap();
        assert!(installed(&pattern("bin/initdb")));
        assert!(installed(&dir.join("15").display().to_string()));
        assert!(!installed(&dir.join("16").display().to_string()));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
