//! The reference Cloud Credits server: per-project USD balances kept as an
//! append-only ledger, holds, idempotent usage ingestion priced from the
//! core catalog, top-ups through a [`payment::PaymentProvider`], balance
//! alerts and auto top-up, usage summaries and charge reviews, over a REST
//! API (`/v1`, see `server/API.md`) on SQLite or PostgreSQL.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use rork_cloud_credits_server::{App, Options};
//! let app = App::open(Options::new("sqlite://cloud-credits.db")).await?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8787").await?;
//! app.serve(listener, std::future::pending()).await?;
//! # Ok(()) }
//! ```

pub mod accounts;
pub mod alerts;
pub mod build;
pub mod clock;
pub mod commit;
pub mod daily;
pub mod db;
pub mod error;
pub mod holds;
pub mod http;
pub mod keys;
pub mod ledger;
pub mod mail;
pub mod payment;
pub mod pricing;
pub mod projects;
pub mod review;
pub mod secret;
pub mod seed;
pub mod services;
pub mod sessions;
pub mod settings;
pub mod spend;
pub mod summary;
pub mod topups;
pub mod usage;
pub mod validate;

pub use error::{AppError, AppResult};
pub use services::Services;

use db::Store;
use http::{AppState, ConnectionLimits, RateLimit, RateLimits, StaticDirs};
use mail::Mailer;
use payment::{PaymentProvider, TestPaymentProvider};
use rork_cloud_credits_core::wire::DemoInfo;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// How the server is set up.
#[derive(Clone)]
pub struct Options {
    /// `sqlite://FILE` or `postgres://...`.
    pub db_url: String,
    /// Base URL the server is reached at (for add-credits links).
    pub public_url: String,
    /// Create the demo account and expose `GET /v1/demo`.
    pub seed_demo: bool,
    /// The demo page and npm package directories to serve.
    pub dirs: StaticDirs,
    /// Per-credential rate limit (keys, sessions, sign-in emails).
    pub rate_limit: RateLimit,
    /// Per-project rate limit (its publishable keys together); `None`: as `rate_limit`.
    pub project_rate_limit: Option<RateLimit>,
    /// Per-client-address rate limit of every `/v1` request.
    pub address_rate_limit: RateLimit,
    /// Requests per end user of a project (the `endUser` an app sends).
    pub end_user_rate_limit: RateLimit,
    /// Sign-in attempts per client address.
    pub sign_in_rate_limit: RateLimit,
    /// Connection cap and timeouts.
    pub connections: ConnectionLimits,
    /// Mark the session cookie `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// How often the sweeper expires holds and completes pending top-ups.
    pub sweep_every: Duration,
    /// The payment provider for top-ups.
    pub payments: Arc<dyn PaymentProvider>,
    /// Sends alert emails from the outbox; without it they wait there.
    pub mailer: Option<Mailer>,
    /// The clock build-credit plan periods renew by (tests fix and move it).
    pub clock: clock::Clock,
}

impl Options {
    /// Defaults for the database at `db_url`: test payments, no static
    /// directories, the default rate limits ([`RateLimits::default`]) and
    /// connection limits ([`ConnectionLimits::default`]), a sweep every 5 seconds.
    pub fn new(db_url: &str) -> Options {
        let limits = RateLimits::default();
        Options {
            db_url: db_url.to_owned(),
            public_url: "http://127.0.0.1:8787".into(),
            seed_demo: false,
            dirs: StaticDirs::default(),
            rate_limit: limits.per_key,
            project_rate_limit: limits.per_project,
            address_rate_limit: limits.per_address,
            end_user_rate_limit: limits.per_end_user,
            sign_in_rate_limit: limits.sign_in_per_address,
            connections: ConnectionLimits::default(),
            secure_cookies: false,
            sweep_every: Duration::from_secs(5),
            payments: Arc::new(TestPaymentProvider),
            mailer: None,
            clock: clock::Clock::system(),
        }
    }
}

/// An opened server, ready to serve.
pub struct App {
    /// The domain services (also usable directly, e.g. by tests and tools).
    pub services: Services,
    /// The demo project, when seeded.
    pub demo: Option<DemoInfo>,
    state: AppState,
    dirs: StaticDirs,
    sweep_every: Duration,
    mailer: Option<Mailer>,
    connections: ConnectionLimits,
}

impl App {
    /// Opens the database (creating or migrating the schema) and seeds the
    /// demo account if asked.
    pub async fn open(options: Options) -> AppResult<App> {
        let services = Services {
            store: open_store(&options.db_url).await?,
            payments: options.payments,
            public_url: options.public_url.trim_end_matches('/').to_owned(),
            clock: options.clock,
        };
        let demo = if options.seed_demo {
            Some(seed::demo(&services).await?)
        } else {
            None
        };
        let limits = RateLimits {
            per_key: options.rate_limit,
            per_project: options.project_rate_limit,
            per_address: options.address_rate_limit,
            per_end_user: options.end_user_rate_limit,
            sign_in_per_address: options.sign_in_rate_limit,
        };
        let state = AppState::new(
            services.clone(),
            limits,
            demo.clone(),
            options.secure_cookies,
        );
        Ok(App {
            services,
            demo,
            state,
            dirs: options.dirs,
            sweep_every: options.sweep_every,
            mailer: options.mailer,
            connections: options.connections,
        })
    }

    /// The HTTP application.
    pub fn router(&self) -> axum::Router {
        http::router(self.state.clone(), self.dirs.clone())
    }

    /// Serves on `listener` until `shutdown` completes, then finishes the
    /// requests in flight (graceful shutdown), with the connection cap and
    /// timeouts of [`Options::connections`] ([`http::listen`]). Runs the
    /// sweeper meanwhile.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let sweeper = tokio::spawn(sweep(
            self.state.clone(),
            self.mailer.clone(),
            self.sweep_every,
        ));
        let result = http::listen::serve(listener, self.router(), self.connections, shutdown).await;
        sweeper.abort();
        self.services.store.close().await;
        result
    }
}

/// Opens the database at `url` with its schema up to date: the migrations,
/// then the work they leave for Rust (totalling the usage recorded before
/// `usage_daily` existed, since SQL cannot sum decimal TEXT exactly).
pub async fn open_store(url: &str) -> AppResult<Store> {
    let store = Store::open(url).await?;
    daily::backfill(&store).await?;
    Ok(store)
}

/// Every `every`: expires past-due holds, completes top-ups and packs left
/// pending by a crash, sends waiting alert emails (with a mailer), and forgets idle
/// rate-limit buckets.
async fn sweep(state: AppState, mailer: Option<Mailer>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    loop {
        ticks.tick().await;
        if let Err(error) = holds::expire_all_due(&state.services).await {
            tracing::warn!(%error, "expiring holds failed");
        }
        if let Err(error) = topups::resume_pending(&state.services, 60_000).await {
            tracing::warn!(%error, "resuming pending top-ups failed");
        }
        if let Err(error) = build::packs::resume_pending(&state.services, 60_000).await {
            tracing::warn!(%error, "resuming pending build-credit packs failed");
        }
        if let Some(mailer) = &mailer {
            if let Err(error) = mailer.deliver_pending(&state.services).await {
                tracing::warn!(%error, "sending alert emails failed");
            }
        }
        state.limiters.retain_recent();
    }
}
