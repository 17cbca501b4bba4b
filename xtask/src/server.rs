//! Starting the reference Cloud Credits server for the demo and the tests.

use crate::process::{free_port, run, Service};
use crate::target_dir;
use crate::{root, Result};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A running reference server and its base URL.
pub struct Server {
    /// The process; stopped when dropped.
    pub service: Service,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

/// Compiles the server binary (dev profile, shared with `cargo test`).
pub fn build() -> Result<PathBuf> {
    build_profile(&[], "debug")
}

/// Compiles the server binary with the release profile (for measuring it).
pub fn build_release() -> Result<PathBuf> {
    build_profile(&["--release"], "release")
}

fn build_profile(flags: &[&str], dir: &str) -> Result<PathBuf> {
    run(Command::new("cargo")
        .current_dir(root())
        .args(["build", "--package", "rork-cloud-credits-server"])
        .args(flags))?;
    Ok(target_dir().join(dir).join("rork-cloud-credits-server"))
}

/// Starts the server on `db` with the demo account seeded, serving `www/`
/// and the npm package, on `port` (a free one when `None`).
pub fn start(binary: &Path, db: &str, port: Option<u16>) -> Result<Server> {
    start_with(binary, db, port, &[])
}

/// [`start`] with more command-line options (e.g. `--rate-limit-per-second`).
pub fn start_with(binary: &Path, db: &str, port: Option<u16>, options: &[&str]) -> Result<Server> {
    let port = match port {
        Some(port) => port,
        None => free_port()?,
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut service = Service::spawn(
        "reference server",
        Command::new(binary)
            .current_dir(root())
            .args(["--db", db, "--seed-demo", "--listen", &addr.to_string()])
            .arg("--www")
            .arg(root().join("www"))
            .arg("--pkg")
            .arg(root().join("pkg"))
            .args(options),
    )?;
    service.wait_for_port(addr, Duration::from_secs(60))?;
    Ok(Server {
        service,
        url: format!("http://{addr}"),
    })
}

/// A SQLite URL for a fresh database file at `path` (deleted first).
pub fn fresh_sqlite(path: &Path) -> String {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(file));
    }
    format!("sqlite://{}", path.display())
}
