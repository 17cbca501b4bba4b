//! `cargo xtask demo`: build everything, start the reference server on an
//! embedded SQLite file with the demo account, serve the page, print its URL.

use crate::{build, root, server, setup, Result};

/// The port the demo prefers; a free one is used when it is taken.
const DEMO_PORT: u16 = 8787;

/// Runs the demo until Ctrl-C.
pub fn run() -> Result {
    build::build_package()?;
    setup::npm_ci(&root().join("www"))?;
    let binary = server::build()?;

    let data = crate::target_dir().join("demo");
    std::fs::create_dir_all(&data).map_err(|e| format!("creating {}: {e}", data.display()))?;
    let db = format!("sqlite://{}", data.join("demo.db").display());
    let port = std::net::TcpListener::bind(("127.0.0.1", DEMO_PORT))
        .is_ok()
        .then_some(DEMO_PORT);

    // Ctrl-C reaches the whole process group: the server shuts down
    // gracefully by itself, and xtask stays alive to wait for it.
    ctrlc::set_handler(|| {}).map_err(|e| format!("installing the Ctrl-C handler: {e}"))?;

    let server = server::start(&binary, &db, port)?;
    println!();
    println!("  Cloud Credits demo: {}/", server.url);
    println!("  sign in as demo@example.com / demo   (database: {db})");
    println!("  Ctrl-C stops it.");
    println!();
    server.service.wait()
}
