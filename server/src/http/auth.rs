//! Who is calling: a publishable key, a secret key, or the owner's dashboard
//! session — and what each may do. Also the per-credential and per-project
//! rate limits (see [`super::limits`]), the CSRF rule for cookie sessions
//! and the allowed-origins rule for publishable keys.
//!
//! - `Authorization: Bearer pk_...`: one project; browser-safe. If the
//!   request carries an `Origin` and the project lists allowed origins, the
//!   origin must be one of them.
//! - `Authorization: Bearer sk_...`: the whole account; server side only.
//! - Cookie `rcc_session` (HttpOnly, SameSite=Strict): the whole account;
//!   every request other than GET must also send `X-CSRF: 1`, a header a
//!   cross-site form cannot send and cross-origin scripts cannot send
//!   without a CORS preflight this server does not grant credentials for.

use super::AppState;
use crate::error::{AppError, AppResult};
use crate::keys;
use crate::projects::{self, ProjectRow};
use crate::sessions;
use crate::spend::Payer;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use rork_cloud_credits_core::wire::KeyKind;
use rork_cloud_credits_core::ErrorCode;

/// The header cookie-authenticated mutations must send.
pub const CSRF_HEADER: &str = "x-csrf";

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A publishable key of `project_id`.
    Publishable {
        /// The key's id.
        key_id: String,
        /// The account owning the project.
        account_id: String,
        /// The key's project.
        project_id: String,
    },
    /// A secret key of `account_id`.
    Secret {
        /// The key's id.
        key_id: String,
        /// The account.
        account_id: String,
    },
    /// The owner's dashboard session.
    Session {
        /// The signed-in account.
        account_id: String,
        /// SHA-256 of the session token.
        token_hash: String,
    },
}

impl Principal {
    /// The account behind the credential.
    pub fn account_id(&self) -> &str {
        match self {
            Principal::Publishable { account_id, .. }
            | Principal::Secret { account_id, .. }
            | Principal::Session { account_id, .. } => account_id,
        }
    }

    /// The account, for owner-only routes (secret key or session);
    /// `forbidden` for a publishable key.
    pub fn owner(&self) -> AppResult<&str> {
        match self {
            Principal::Publishable { .. } => Err(AppError::forbidden(
                "a publishable key cannot do this: use a secret key on your server, or the dashboard",
            )),
            _ => Ok(self.account_id()),
        }
    }

    /// Who pays for what this credential spends ([`crate::spend`]).
    pub fn payer(&self) -> Payer<'_> {
        match self {
            Principal::Publishable { key_id, .. } => Payer::Publishable(key_id),
            _ => Payer::Owner,
        }
    }

    /// A project this credential may use: its own project for a publishable
    /// key (`forbidden` for any other), any project of the account otherwise
    /// (`not_found` for one of another account).
    pub async fn project(&self, state: &AppState, project_id: &str) -> AppResult<ProjectRow> {
        if let Principal::Publishable {
            project_id: own, ..
        } = self
        {
            if own != project_id {
                return Err(AppError::forbidden(
                    "a publishable key can only be used for its own project",
                ));
            }
        }
        let project = projects::get(state.services.store.pool(), project_id).await?;
        if project.account_id != self.account_id() {
            return Err(AppError::not_found("project"));
        }
        Ok(project)
    }

    /// A project of the account, for owner-only routes.
    pub async fn owned_project(&self, state: &AppState, project_id: &str) -> AppResult<ProjectRow> {
        self.owner()?;
        self.project(state, project_id).await
    }

    fn rate_key(&self) -> &str {
        match self {
            Principal::Publishable { key_id, .. } | Principal::Secret { key_id, .. } => key_id,
            Principal::Session { token_hash, .. } => token_hash,
        }
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let pool = state.services.store.pool();
        let principal = if let Some(key) = bearer(parts)? {
            let row = keys::verify(pool, key).await?;
            match (row.kind()?, row.project_id) {
                (KeyKind::Pk, Some(project_id)) => Principal::Publishable {
                    key_id: row.id,
                    account_id: row.account_id,
                    project_id,
                },
                (KeyKind::Sk, None) => Principal::Secret {
                    key_id: row.id,
                    account_id: row.account_id,
                },
                _ => return Err(AppError::internal(format_args!("malformed key {}", row.id))),
            }
        } else if let Some(token) = cookie(parts, sessions::COOKIE) {
            let (account_id, token_hash) = sessions::lookup(pool, token)
                .await?
                .ok_or_else(|| unauthorized("the session has expired: sign in again"))?;
            Principal::Session {
                account_id,
                token_hash,
            }
        } else {
            return Err(unauthorized(
                "send Authorization: Bearer <key>, or sign in to the dashboard",
            ));
        };

        state.rate_limit(principal.rate_key())?;
        if let Principal::Publishable { project_id, .. } = &principal {
            state.limiters.project(project_id)?;
        }
        let safe_method = matches!(parts.method, Method::GET | Method::HEAD);
        if matches!(principal, Principal::Session { .. })
            && !safe_method
            && parts.headers.get(CSRF_HEADER).is_none_or(|v| v != "1")
        {
            return Err(AppError::forbidden(
                "requests signed in with the session cookie must send the header X-CSRF: 1",
            ));
        }
        if let (Principal::Publishable { project_id, .. }, Some(origin)) =
            (&principal, parts.headers.get(header::ORIGIN))
        {
            let origin = origin.to_str().unwrap_or_default().to_ascii_lowercase();
            let allowed = projects::get(pool, project_id).await?.origins();
            if !allowed.is_empty() && !allowed.contains(&origin) {
                return Err(AppError::forbidden(format!(
                    "origin {origin} is not in this project's allowed origins"
                )));
            }
        }
        Ok(principal)
    }
}

/// The credential of an owner-only route: a secret key or the dashboard
/// session. A publishable key is refused with `forbidden` before the request
/// body is even read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner(pub Principal);

impl FromRequestParts<AppState> for Owner {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let principal = Principal::from_request_parts(parts, state).await?;
        principal.owner()?;
        Ok(Owner(principal))
    }
}

fn unauthorized(message: &str) -> AppError {
    AppError::new(ErrorCode::Unauthorized, message)
}

fn bearer(parts: &Parts) -> AppResult<Option<&str>> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(|key| Some(key.trim()))
        .ok_or_else(|| unauthorized("Authorization must be: Bearer <key>"))
}

/// The value of cookie `name`, if the request has it.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}
