//! `rork-cloud-credits-server`: the reference Cloud Credits server.

use clap::Parser;
use rork_cloud_credits_server::http::{ConnectionLimits, RateLimit, StaticDirs};
use rork_cloud_credits_server::mail::Mailer;
use rork_cloud_credits_server::{App, Options};
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;
use tracing_subscriber::EnvFilter;

/// The reference Cloud Credits server (REST API under /v1; see server/API.md).
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Database: sqlite://FILE (created if missing) or postgres://USER@HOST/DB.
    #[arg(long, env = "RCC_DB", default_value = "sqlite://cloud-credits.db")]
    db: String,
    /// Address to listen on.
    #[arg(long, env = "RCC_LISTEN", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Base URL clients reach the server at (add-credits links); default http://LISTEN.
    #[arg(long, env = "RCC_PUBLIC_URL")]
    public_url: Option<String>,
    /// Create the demo account (demo@example.com / demo) if missing, print the
    /// demo project's id and publishable key, and serve them at GET /v1/demo.
    #[arg(long)]
    seed_demo: bool,
    /// Serve this directory (the demo page) at /.
    #[arg(long)]
    www: Option<PathBuf>,
    /// Serve this directory (the npm package) at /pkg/.
    #[arg(long)]
    pkg: Option<PathBuf>,
    /// Sustained requests per second allowed per key or session.
    #[arg(long, env = "RCC_RATE_LIMIT", default_value = "50")]
    rate_limit_per_second: NonZeroU32,
    /// Requests per key or session allowed in a burst.
    #[arg(long, env = "RCC_RATE_BURST", default_value = "100")]
    rate_limit_burst: NonZeroU32,
    /// Sustained requests per second allowed per project (all its publishable
    /// keys together); default: the per-key rate.
    #[arg(long, env = "RCC_PROJECT_RATE_LIMIT")]
    project_rate_limit_per_second: Option<NonZeroU32>,
    /// Requests per project allowed in a burst; default: the per-key burst.
    #[arg(long, env = "RCC_PROJECT_RATE_BURST")]
    project_rate_limit_burst: Option<NonZeroU32>,
    /// Sustained requests per second allowed per client address (IPv4
    /// address or IPv6 /64), every /v1 request, signed in or not.
    #[arg(long, env = "RCC_ADDRESS_RATE_LIMIT", default_value = "200")]
    address_rate_limit_per_second: NonZeroU32,
    /// Requests per client address allowed in a burst.
    #[arg(long, env = "RCC_ADDRESS_RATE_BURST", default_value = "400")]
    address_rate_limit_burst: NonZeroU32,
    /// Sustained requests per second allowed per end user of a project (the
    /// endUser an app sends with holds and usage).
    #[arg(long, env = "RCC_END_USER_RATE_LIMIT", default_value = "10")]
    end_user_rate_limit_per_second: NonZeroU32,
    /// Requests per end user allowed in a burst.
    #[arg(long, env = "RCC_END_USER_RATE_BURST", default_value = "20")]
    end_user_rate_limit_burst: NonZeroU32,
    /// Sustained sign-in attempts per second allowed per client address.
    #[arg(long, env = "RCC_SIGN_IN_RATE_LIMIT", default_value = "1")]
    sign_in_rate_limit_per_second: NonZeroU32,
    /// Sign-in attempts per client address allowed in a burst.
    #[arg(long, env = "RCC_SIGN_IN_RATE_BURST", default_value = "20")]
    sign_in_rate_limit_burst: NonZeroU32,
    /// Open connections at most (the oldest idle one is closed to make room);
    /// default: the file-descriptor limit less 128, at most 10000.
    #[arg(long, env = "RCC_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// Seconds a client has to send a request head, and an idle keep-alive
    /// connection is kept.
    #[arg(long, env = "RCC_HEADER_TIMEOUT", default_value = "10")]
    header_timeout_seconds: u64,
    /// Seconds a request may take, body included (then 408).
    #[arg(long, env = "RCC_REQUEST_TIMEOUT", default_value = "30")]
    request_timeout_seconds: u64,
    /// Mark the session cookie Secure (set when serving over HTTPS).
    #[arg(long, env = "RCC_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Send low-balance emails through this SMTP server:
    /// smtp://[user:password@]host[:port] (plain SMTP). Without it they stay in the outbox table.
    #[arg(long, env = "RCC_SMTP_URL")]
    smtp_url: Option<String>,
    /// The From address of alert emails.
    #[arg(
        long,
        env = "RCC_SMTP_FROM",
        default_value = "Cloud Credits <alerts@localhost>"
    )]
    smtp_from: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    return_freed_memory();
    let mut options = Options::new(&args.db);
    options.public_url = args
        .public_url
        .unwrap_or_else(|| format!("http://{}", args.listen));
    options.seed_demo = args.seed_demo;
    options.dirs = StaticDirs {
        www: args.www,
        pkg: args.pkg,
    };
    let rate = |per_second, burst| RateLimit { per_second, burst };
    options.rate_limit = rate(args.rate_limit_per_second, args.rate_limit_burst);
    options.project_rate_limit = match (
        args.project_rate_limit_per_second,
        args.project_rate_limit_burst,
    ) {
        (None, None) => None,
        (per_second, burst) => Some(rate(
            per_second.unwrap_or(args.rate_limit_per_second),
            burst.unwrap_or(args.rate_limit_burst),
        )),
    };
    options.address_rate_limit = rate(
        args.address_rate_limit_per_second,
        args.address_rate_limit_burst,
    );
    options.end_user_rate_limit = rate(
        args.end_user_rate_limit_per_second,
        args.end_user_rate_limit_burst,
    );
    options.sign_in_rate_limit = rate(
        args.sign_in_rate_limit_per_second,
        args.sign_in_rate_limit_burst,
    );
    options.connections = ConnectionLimits {
        max_connections: args.max_connections,
        header_read_timeout: Duration::from_secs(args.header_timeout_seconds),
        request_timeout: Duration::from_secs(args.request_timeout_seconds),
    };
    options.secure_cookies = args.secure_cookies;
    if let Some(url) = &args.smtp_url {
        options.mailer = Some(Mailer::new(url, &args.smtp_from)?);
    }

    let app = App::open(options).await?;
    if let Some(demo) = &app.demo {
        println!("demo account: {} / password: demo", demo.email);
        println!("demo project: {}", demo.project_id);
        println!("demo publishable key: {}", demo.publishable_key);
    }
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(address = %args.listen, "Cloud Credits server listening");
    app.serve(listener, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Makes glibc give large freed blocks back to the system. Its default
/// threshold for mapping a block on its own rises to the size of the last
/// one freed, so after a few sign-ins each Argon2 block (19 MiB) came from a
/// per-thread arena and stayed there (RSS 45 -> 368 MiB after a sign-in
/// flood, and kept). A fixed threshold keeps blocks of 1 MiB and more mapped
/// on their own, and unmapped when freed.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter (under glibc's own locks).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
