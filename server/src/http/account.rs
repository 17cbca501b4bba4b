//! Account routes: dashboard session, account, keys, projects, account-wide
//! usage and charge reviews.

use super::extract::{Json, Path, Query};
use super::limits::Client;
use super::{AppState, Owner, Principal};
use crate::error::AppResult;
use crate::summary::{self, Scope};
use crate::{accounts, keys, projects, review, sessions, settings};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use rork_cloud_credits_core::wire::{
    Account, ChargeReview, ChargeReviewRequest, CreateProjectRequest, CreatedKey, CreatedProject,
    GroupBy, KeyInfo, PublishableLimits, SessionRequest, UsageSummary,
};
use serde::Deserialize;

/// `POST /v1/session`: email + password → the account, and the session cookie.
pub async fn sign_in(
    State(state): State<AppState>,
    client: Option<Extension<Client>>,
    Json(request): Json<SessionRequest>,
) -> AppResult<Response> {
    // Password guessing is limited per client address, and per email address
    // like any key; the hashing pool then refuses what it has no room for.
    if let Some(Extension(client)) = client {
        state.limiters.sign_in(client)?;
    }
    state.rate_limit(&format!("sign-in:{}", request.email.trim().to_lowercase()))?;
    let pool = state.services.store.pool();
    let account =
        accounts::authenticate(pool, &state.passwords, &request.email, &request.password).await?;
    let token = sessions::create(&mut *pool.acquire().await?, &account.id).await?;
    let body = accounts::to_wire(pool, &account, &state.services.public_url).await?;
    let cookie = session_cookie(&token, sessions::TTL_SECONDS, state.secure_cookies);
    Ok((set_cookie(cookie)?, Json(body)).into_response())
}

/// `DELETE /v1/session`: signs out (clears the cookie).
pub async fn sign_out(State(state): State<AppState>, principal: Principal) -> AppResult<Response> {
    if let Principal::Session { token_hash, .. } = &principal {
        let pool = state.services.store.pool();
        sessions::delete(&mut *pool.acquire().await?, token_hash).await?;
    }
    let cookie = session_cookie("", 0, state.secure_cookies);
    Ok((StatusCode::NO_CONTENT, set_cookie(cookie)?).into_response())
}

fn session_cookie(token: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}",
        sessions::COOKIE
    )
}

fn set_cookie(cookie: String) -> AppResult<HeaderMap> {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::from_str(&cookie).map_err(crate::error::AppError::internal)?;
    headers.insert(header::SET_COOKIE, value);
    Ok(headers)
}

/// `GET /v1/account` (session or secret key).
pub async fn get_account(
    State(state): State<AppState>,
    Owner(principal): Owner,
) -> AppResult<Json<Account>> {
    let pool = state.services.store.pool();
    let account = accounts::get(pool, principal.owner()?).await?;
    Ok(Json(
        accounts::to_wire(pool, &account, &state.services.public_url).await?,
    ))
}

/// `POST /v1/account/keys` (session or secret key): a new secret key, shown once.
pub async fn create_secret_key(
    State(state): State<AppState>,
    Owner(principal): Owner,
) -> AppResult<(StatusCode, Json<CreatedKey>)> {
    let account_id = principal.owner()?;
    let mut tx = state.services.store.write().await?;
    let key = keys::create(&mut tx, account_id, None).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(key)))
}

/// `DELETE /v1/keys/{id}` (session or secret key): revokes a key of the account.
pub async fn revoke_key(
    State(state): State<AppState>,
    Owner(principal): Owner,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let account_id = principal.owner()?;
    let mut tx = state.services.store.write().await?;
    keys::revoke(&mut tx, account_id, &id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PATCH /v1/keys/{id}` (session or secret key): replaces what a
/// publishable key of the account may spend.
pub async fn set_key_limits(
    State(state): State<AppState>,
    Owner(principal): Owner,
    Path(id): Path<String>,
    Json(limits): Json<PublishableLimits>,
) -> AppResult<Json<KeyInfo>> {
    let account_id = principal.owner()?;
    let key = keys::set_limits(&state.services.store, account_id, &id, &limits).await?;
    Ok(Json(key))
}

/// `POST /v1/projects` (session or secret key): a project and its publishable key.
pub async fn create_project(
    State(state): State<AppState>,
    Owner(principal): Owner,
    Json(request): Json<CreateProjectRequest>,
) -> AppResult<(StatusCode, Json<CreatedProject>)> {
    let account_id = principal.owner()?;
    let mut tx = state.services.store.write().await?;
    let project = projects::create(&mut tx, account_id, request.name.trim()).await?;
    let publishable_key = keys::create(&mut tx, account_id, Some(&project.id)).await?;
    tx.commit().await?;
    let pool = state.services.store.pool();
    let project = settings::to_wire(pool, &project, &state.services.public_url).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedProject {
            project,
            publishable_key,
        }),
    ))
}

/// The query of the usage summary routes.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryQuery {
    /// Window in days (default 30, at most 90).
    pub days: Option<u32>,
    /// Grouping (default `model`).
    pub group_by: Option<GroupBy>,
}

/// `GET /v1/account/usage?days=30&groupBy=project|model|day` (session or secret key).
pub async fn usage_summary(
    State(state): State<AppState>,
    Owner(principal): Owner,
    Query(query): Query<SummaryQuery>,
) -> AppResult<Json<UsageSummary>> {
    let scope = Scope::Account(principal.owner()?);
    let group_by = query.group_by.unwrap_or(GroupBy::Project);
    Ok(Json(
        summary::summarize(state.services.store.pool(), scope, query.days, group_by).await?,
    ))
}

/// `POST /v1/support/charge-reviews` (session or secret key).
pub async fn charge_review(
    State(state): State<AppState>,
    Owner(principal): Owner,
    Json(request): Json<ChargeReviewRequest>,
) -> AppResult<(StatusCode, Json<ChargeReview>)> {
    let account_id = principal.owner()?;
    let review = review::create(state.services.store.pool(), account_id, &request).await?;
    Ok((StatusCode::CREATED, Json(review)))
}
