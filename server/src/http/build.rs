//! Build Credits routes (owner): the tab's summary, recording build
//! activity, buying a pack.

use super::extract::{idempotency_key, Json, Query};
use super::projects::LimitQuery;
use super::{AppState, Owner};
use crate::build;
use crate::error::AppResult;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use rork_cloud_credits_core::wire::{
    BuildActivity, BuildActivityRequest, BuildCreditsSummary, BuildPackPurchase, BuildPackRequest,
};

/// `GET /v1/build-credits?limit=N` (session or secret key).
pub async fn summary(
    State(state): State<AppState>,
    Owner(principal): Owner,
    Query(query): Query<LimitQuery>,
) -> AppResult<Json<BuildCreditsSummary>> {
    let limit = query.limit()?;
    let summary = build::summary::summary(&state.services, principal.owner()?, limit).await?;
    Ok(Json(summary))
}

/// `POST /v1/build-credits/activity` (session or secret key), with an
/// optional `Idempotency-Key` header.
pub async fn record_activity(
    State(state): State<AppState>,
    Owner(principal): Owner,
    headers: HeaderMap,
    Json(request): Json<BuildActivityRequest>,
) -> AppResult<(StatusCode, Json<BuildActivity>)> {
    let key = idempotency_key(&headers)?;
    let activity =
        build::activity::record(&state.services, principal.owner()?, &request, key).await?;
    Ok((StatusCode::CREATED, Json(activity)))
}

/// `POST /v1/build-credits/packs` (session or secret key), with an optional
/// `Idempotency-Key` header.
pub async fn buy_pack(
    State(state): State<AppState>,
    Owner(principal): Owner,
    headers: HeaderMap,
    Json(request): Json<BuildPackRequest>,
) -> AppResult<Json<BuildPackPurchase>> {
    let key = idempotency_key(&headers)?;
    let purchase = build::packs::buy(&state.services, principal.owner()?, &request, key).await?;
    Ok(Json(purchase))
}
