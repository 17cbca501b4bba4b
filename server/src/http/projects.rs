//! Project routes: settings, balance, top-ups, keys, ledger, notifications
//! and usage summary.

use super::account::SummaryQuery;
use super::extract::{idempotency_key, Json, Path, Query};
use super::{AppState, Owner, Principal};
use crate::error::{AppError, AppResult};
use crate::summary::{self, Scope};
use crate::{alerts, keys, ledger, settings, topups};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use rork_cloud_credits_core::wire::{
    Balance, CreatedKey, GroupBy, LedgerPage, NotificationList, Project, SettingsPatch, TopUp,
    TopUpRequest, UsageSummary,
};
use serde::Deserialize;

/// `GET /v1/projects/{id}` (session or secret key).
pub async fn get_project(
    State(state): State<AppState>,
    Owner(principal): Owner,
    Path(id): Path<String>,
) -> AppResult<Json<Project>> {
    let project = principal.owned_project(&state, &id).await?;
    let pool = state.services.store.pool();
    Ok(Json(
        settings::to_wire(pool, &project, &state.services.public_url).await?,
    ))
}

/// `PATCH /v1/projects/{id}/settings` (session or secret key).
pub async fn update_settings(
    State(state): State<AppState>,
    Owner(principal): Owner,
    Path(id): Path<String>,
    Json(patch): Json<SettingsPatch>,
) -> AppResult<Json<Project>> {
    principal.owned_project(&state, &id).await?;
    let project = settings::update_settings(&state.services, &id, &patch).await?;
    let pool = state.services.store.pool();
    Ok(Json(
        settings::to_wire(pool, &project, &state.services.public_url).await?,
    ))
}

/// `POST /v1/projects/{id}/keys` (session or secret key): a new publishable key.
pub async fn create_publishable_key(
    State(state): State<AppState>,
    Owner(principal): Owner,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<CreatedKey>)> {
    let project = principal.owned_project(&state, &id).await?;
    let mut tx = state.services.store.write().await?;
    let key = keys::create(&mut tx, &project.account_id, Some(&project.id)).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(key)))
}

/// `GET /v1/projects/{id}/balance` (its publishable key, session or secret key).
pub async fn balance(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Balance>> {
    let project = principal.project(&state, &id).await?;
    Ok(Json(project.balance_wire(&state.services.public_url)))
}

/// `POST /v1/projects/{id}/topups` (session or secret key), with an optional
/// `Idempotency-Key` header.
pub async fn top_up(
    State(state): State<AppState>,
    Owner(principal): Owner,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(request): Json<TopUpRequest>,
) -> AppResult<Json<TopUp>> {
    principal.owned_project(&state, &id).await?;
    let key = idempotency_key(&headers)?;
    Ok(Json(
        topups::top_up(&state.services, &id, &request, key).await?,
    ))
}

/// `?limit=N` of the list routes.
#[derive(Debug, Deserialize)]
pub struct LimitQuery {
    /// How many items (1 to 200, default 50).
    pub limit: Option<u32>,
}

impl LimitQuery {
    pub(super) fn limit(&self) -> AppResult<u32> {
        match self.limit.unwrap_or(50) {
            limit @ 1..=200 => Ok(limit),
            other => Err(AppError::invalid(format!(
                "limit must be from 1 to 200, got {other}"
            ))),
        }
    }
}

/// `GET /v1/projects/{id}/ledger?limit=50` (session or secret key): newest first.
pub async fn ledger(
    State(state): State<AppState>,
    Owner(principal): Owner,
    Path(id): Path<String>,
    Query(query): Query<LimitQuery>,
) -> AppResult<Json<LedgerPage>> {
    let project = principal.owned_project(&state, &id).await?;
    let entries = ledger::recent(state.services.store.pool(), &project.id, query.limit()?).await?;
    Ok(Json(LedgerPage { entries }))
}

/// `GET /v1/projects/{id}/notifications?limit=50` (its publishable key, session or secret key).
pub async fn notifications(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Query(query): Query<LimitQuery>,
) -> AppResult<Json<NotificationList>> {
    let project = principal.project(&state, &id).await?;
    let notifications = alerts::notifications(
        state.services.store.pool(),
        &project.id,
        query.limit()?,
        &state.services.public_url,
    )
    .await?;
    Ok(Json(NotificationList { notifications }))
}

/// `GET /v1/projects/{id}/usage?days=30&groupBy=model|day` (its publishable
/// key, session or secret key): the running app may show its own spend.
pub async fn usage_summary(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Query(query): Query<SummaryQuery>,
) -> AppResult<Json<UsageSummary>> {
    let project = principal.project(&state, &id).await?;
    let group_by = query.group_by.unwrap_or(GroupBy::Model);
    Ok(Json(
        summary::summarize(
            state.services.store.pool(),
            Scope::Project(&project.id),
            query.days,
            group_by,
        )
        .await?,
    ))
}
