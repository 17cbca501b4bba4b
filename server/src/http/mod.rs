//! The HTTP API under `/v1` (documented in `server/API.md` and served as an
//! OpenAPI 3 document at `/v1/openapi.json`), plus the optional static demo
//! page and npm package.

mod account;
mod auth;
mod examples;
mod extract;
mod meta;
mod metering;
pub mod openapi;
mod projects;

pub use auth::{Owner, Principal, CSRF_HEADER};

use crate::error::AppError;
use crate::services::Services;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, Method};
use axum::Router;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use rork_cloud_credits_core::wire::DemoInfo;
use rork_cloud_credits_core::ErrorCode;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

/// The largest request body: 1 MiB (a full usage batch is far smaller).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Requests per second and burst allowed per key or session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: NonZeroU32,
    /// Requests allowed at once before the sustained rate applies.
    pub burst: NonZeroU32,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            per_second: NonZeroU32::new(50).unwrap_or(NonZeroU32::MIN),
            burst: NonZeroU32::new(100).unwrap_or(NonZeroU32::MIN),
        }
    }
}

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// Domain services.
    pub services: Services,
    /// Per-credential rate limiter.
    pub limiter: Arc<DefaultKeyedRateLimiter<String>>,
    /// The demo project, when started with `--seed-demo`.
    pub demo: Option<Arc<DemoInfo>>,
    /// Whether the session cookie is marked `Secure` (serve over HTTPS).
    pub secure_cookies: bool,
}

impl AppState {
    /// State for `services` with `rate_limit` per credential.
    pub fn new(
        services: Services,
        rate_limit: RateLimit,
        demo: Option<DemoInfo>,
        secure_cookies: bool,
    ) -> Self {
        let quota = Quota::per_second(rate_limit.per_second).allow_burst(rate_limit.burst);
        AppState {
            services,
            limiter: Arc::new(governor::RateLimiter::keyed(quota)),
            demo: demo.map(Arc::new),
            secure_cookies,
        }
    }
}

impl AppState {
    /// Counts one request against `key`'s budget: `rate_limited` (with
    /// `Retry-After`) when it is spent.
    pub fn rate_limit(&self, key: &str) -> Result<(), AppError> {
        self.limiter
            .check_key(&key.to_owned())
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                let mut error = AppError::new(
                    ErrorCode::RateLimited,
                    "too many requests; retry after the Retry-After seconds",
                );
                error.retry_after = Some(wait.as_secs() + 1);
                error
            })
    }
}

/// Static directories served next to the API.
#[derive(Debug, Clone, Default)]
pub struct StaticDirs {
    /// The demo page, served at `/`.
    pub www: Option<PathBuf>,
    /// The npm package directory, served at `/pkg/`.
    pub pkg: Option<PathBuf>,
}

/// Every `/v1` route of [`openapi::routes`], and JSON errors for unknown
/// routes and wrong methods.
pub fn api() -> Router<AppState> {
    openapi::routes()
        .into_iter()
        .fold(Router::new(), |router, route| {
            router.route(route.path, (route.handler)())
        })
        .fallback(|| async { AppError::not_found("route") })
        .method_not_allowed_fallback(|| async {
            AppError::invalid("method not allowed on this route").with_status(405)
        })
}

/// The whole application: `/v1` with CORS and a body limit, plus the static
/// directories.
pub fn router(state: AppState, dirs: StaticDirs) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static(CSRF_HEADER),
        ])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600));
    let api = api()
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(cors)
        .with_state(state);
    let mut app = Router::new().nest("/v1", api);
    if let Some(pkg) = dirs.pkg {
        app = app.nest_service("/pkg", ServeDir::new(pkg));
    }
    app = match dirs.www {
        Some(www) => app.fallback_service(ServeDir::new(www)),
        None => app.fallback(|| async { AppError::not_found("page") }),
    };
    app.layer(TraceLayer::new_for_http())
}
