//! `rork-cloud-credits-server`: the reference Cloud Credits server.

use clap::Parser;
use rork_cloud_credits_server::http::{RateLimit, StaticDirs};
use rork_cloud_credits_server::mail::Mailer;
use rork_cloud_credits_server::{App, Options};
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
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
    let mut options = Options::new(&args.db);
    options.public_url = args
        .public_url
        .unwrap_or_else(|| format!("http://{}", args.listen));
    options.seed_demo = args.seed_demo;
    options.dirs = StaticDirs {
        www: args.www,
        pkg: args.pkg,
    };
    options.rate_limit = RateLimit {
        per_second: args.rate_limit_per_second,
        burst: args.rate_limit_burst,
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
