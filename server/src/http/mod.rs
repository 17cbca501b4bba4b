//! The HTTP API under `/v1` (documented in `server/API.md` and served as an
//! OpenAPI 3 document at `/v1/openapi.json`), plus the optional static demo
//! page and npm package.

mod account;
mod auth;
mod build;
mod examples;
mod extract;
pub mod limits;
pub mod listen;
mod meta;
mod metering;
pub mod openapi;
mod projects;

pub use auth::{Owner, Principal, CSRF_HEADER};
pub use limits::{RateLimit, RateLimits};
pub use listen::ConnectionLimits;

use crate::accounts::Passwords;
use crate::error::AppError;
use crate::services::Services;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, Method};
use axum::Router;
use limits::Limiters;
use rork_cloud_credits_core::wire::DemoInfo;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

/// The largest request body: 1 MiB (a full usage batch is far smaller).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// Domain services.
    pub services: Services,
    /// The rate limiters.
    pub limiters: Arc<Limiters>,
    /// The pool sign-in password checks run in.
    pub passwords: Arc<Passwords>,
    /// The demo project, when started with `--seed-demo`.
    pub demo: Option<Arc<DemoInfo>>,
    /// Whether the session cookie is marked `Secure` (serve over HTTPS).
    pub secure_cookies: bool,
}

impl AppState {
    /// State for `services` with the buckets of `limits`.
    pub fn new(
        services: Services,
        limits: RateLimits,
        demo: Option<DemoInfo>,
        secure_cookies: bool,
    ) -> Self {
        AppState {
            services,
            limiters: Arc::new(Limiters::new(limits)),
            passwords: Arc::default(),
            demo: demo.map(Arc::new),
            secure_cookies,
        }
    }

    /// Counts one request against `key`'s budget (the per-key bucket size):
    /// `rate_limited` (with `Retry-After`) when it is spent.
    pub fn rate_limit(&self, key: &str) -> Result<(), AppError> {
        self.limiters.key(key)
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

/// The whole application: `/v1` with the per-address rate limit, CORS and a
/// body limit, plus the static directories.
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
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::per_address,
        ))
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
