//! Metering routes, usable with a project's publishable key: holds and
//! usage reports.

use super::extract::{Json, Path};
use super::{AppState, Principal};
use crate::error::AppResult;
use crate::holds;
use crate::usage::{self, Reporter};
use axum::extract::State;
use axum::http::StatusCode;
use rork_cloud_credits_core::wire::{
    Hold, HoldRequest, SettleRequest, Settlement, UsageBatchResult,
};
use serde::Deserialize;

/// `POST /v1/projects/{id}/holds`.
pub async fn create_hold(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Json(request): Json<HoldRequest>,
) -> AppResult<(StatusCode, Json<Hold>)> {
    let project = principal.project(&state, &id).await?;
    let hold = holds::create(&state.services, &project.id, principal.payer(), &request).await?;
    Ok((StatusCode::CREATED, Json(hold)))
}

/// `GET /v1/holds/{id}`.
pub async fn get_hold(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Hold>> {
    let hold = authorized_hold(&state, &principal, &id).await?;
    Ok(Json(hold.to_wire()?))
}

/// `POST /v1/holds/{id}/settle`.
pub async fn settle_hold(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Json(request): Json<SettleRequest>,
) -> AppResult<Json<Settlement>> {
    let hold = authorized_hold(&state, &principal, &id).await?;
    Ok(Json(
        usage::settle(&state.services, &hold, &request, principal.payer()).await?,
    ))
}

/// `POST /v1/holds/{id}/release`.
pub async fn release_hold(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Hold>> {
    let hold = authorized_hold(&state, &principal, &id).await?;
    Ok(Json(holds::release(&state.services, &hold).await?))
}

async fn authorized_hold(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> AppResult<holds::HoldRow> {
    let hold = holds::get(state.services.store.pool(), id).await?;
    principal.project(state, &hold.project_id).await?;
    Ok(hold)
}

/// The body of `POST /v1/usage`, with events kept raw so that a malformed
/// event is rejected on its own instead of failing the batch.
#[derive(Debug, Deserialize)]
pub struct RawBatch {
    events: Vec<serde_json::Value>,
}

/// `POST /v1/usage`: a batch of up to 500 events.
pub async fn report_usage(
    State(state): State<AppState>,
    principal: Principal,
    Json(batch): Json<RawBatch>,
) -> AppResult<Json<UsageBatchResult>> {
    let reporter = match &principal {
        Principal::Publishable {
            key_id, project_id, ..
        } => Reporter::Key { key_id, project_id },
        other => Reporter::Account(other.account_id()),
    };
    Ok(Json(
        usage::ingest(&state.services, reporter, batch.events).await?,
    ))
}
