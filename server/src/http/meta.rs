//! Public routes: the model catalog and the demo project (the OpenAPI
//! document is served by [`super::openapi`], which it describes).

use super::extract::Json;
use super::AppState;
use crate::error::{AppError, AppResult};
use crate::pricing;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use rork_cloud_credits_core::wire::DemoInfo;
use std::sync::OnceLock;

/// `GET /v1/models` (public): the catalog document the server prices with.
pub async fn models() -> impl IntoResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    (
        [(header::CONTENT_TYPE, "application/json")],
        JSON.get_or_init(pricing::catalog_json).as_str(),
    )
}

/// `GET /v1/demo` (public, demo only): the demo project's id and publishable
/// key, present only when the server was started with `--seed-demo`.
pub async fn demo(State(state): State<AppState>) -> AppResult<Json<DemoInfo>> {
    match &state.demo {
        Some(demo) => Ok(Json(DemoInfo::clone(demo))),
        None => Err(AppError::not_found(
            "demo (start the server with --seed-demo)",
        )),
    }
}
