//! API keys: a publishable key per project (`pk_...`, browser-safe) and
//! secret keys per account (`sk_...`, server side). A key is
//! `{kind}_{12 hex id}_{64 hex secret}`; the server stores the id and the
//! SHA-256 of the whole key, looks the key up by id and compares hashes in
//! constant time. Revoked keys stop working at once.

use crate::db::{enum_from_text, enum_text};
use crate::error::{AppError, AppResult};
use crate::{clock, secret};
use rork_cloud_credits_core::wire::{CreatedKey, KeyInfo, KeyKind};
use rork_cloud_credits_core::ErrorCode;
use sqlx::{AnyConnection, AnyPool};

/// A key as stored (without its secret).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyRow {
    /// The key's public id (`pk_0123456789ab`).
    pub id: String,
    /// `pk` or `sk`.
    pub kind: String,
    /// The owning account.
    pub account_id: String,
    /// The project, for publishable keys.
    pub project_id: Option<String>,
    /// SHA-256 (hex) of the whole key.
    pub secret_hash: String,
    /// Creation time (ms).
    pub created_at: i64,
}

impl KeyRow {
    /// `pk` or `sk`.
    pub fn kind(&self) -> AppResult<KeyKind> {
        enum_from_text(&self.kind)
    }

    fn info(&self) -> AppResult<KeyInfo> {
        Ok(KeyInfo {
            id: self.id.clone(),
            kind: self.kind()?,
            prefix: format!("{}_…", self.id),
            created_at: clock::rfc3339(self.created_at),
        })
    }
}

const COLUMNS: &str = "id, kind, account_id, project_id, secret_hash, created_at";

/// Creates a key: a publishable key for `project_id`, or a secret key for
/// the account when `project_id` is `None`. The whole key is in the answer
/// only.
pub async fn create(
    conn: &mut AnyConnection,
    account_id: &str,
    project_id: Option<&str>,
) -> AppResult<CreatedKey> {
    let kind = if project_id.is_some() {
        KeyKind::Pk
    } else {
        KeyKind::Sk
    };
    let id = format!("{}_{}", enum_text(kind), secret::random_hex(6)?);
    let key = format!("{id}_{}", secret::random_hex(32)?);
    let row = KeyRow {
        id,
        kind: enum_text(kind),
        account_id: account_id.to_owned(),
        project_id: project_id.map(str::to_owned),
        secret_hash: secret::sha256_hex(&key),
        created_at: clock::now_ms(),
    };
    sqlx::query(&format!(
        "INSERT INTO api_keys ({COLUMNS}, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)"
    ))
    .bind(&row.id)
    .bind(&row.kind)
    .bind(&row.account_id)
    .bind(row.project_id.clone())
    .bind(&row.secret_hash)
    .bind(row.created_at)
    .execute(conn)
    .await?;
    Ok(CreatedKey {
        info: row.info()?,
        key,
    })
}

/// The active key `presented` is, or `unauthorized`.
pub async fn verify(pool: &AnyPool, presented: &str) -> AppResult<KeyRow> {
    let unauthorized = || AppError::new(ErrorCode::Unauthorized, "unknown or revoked API key");
    let (id, _) = presented.rsplit_once('_').ok_or_else(unauthorized)?;
    let row: KeyRow = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM api_keys WHERE id = $1 AND revoked_at IS NULL"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(unauthorized)?;
    if secret::matches(presented, &row.secret_hash) {
        Ok(row)
    } else {
        Err(unauthorized())
    }
}

/// The project's active publishable keys, oldest first.
pub async fn list_for_project(pool: &AnyPool, project_id: &str) -> AppResult<Vec<KeyInfo>> {
    let rows: Vec<KeyRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM api_keys WHERE project_id = $1 AND revoked_at IS NULL \
         ORDER BY created_at, id"
    ))
    .bind(project_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(KeyRow::info).collect()
}

/// Revokes the account's key `id` (`not_found` if it is not the account's).
pub async fn revoke(conn: &mut AnyConnection, account_id: &str, id: &str) -> AppResult<()> {
    let revoked = sqlx::query(
        "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
    )
    .bind(clock::now_ms())
    .bind(id)
    .bind(account_id)
    .execute(conn)
    .await?;
    if revoked.rows_affected() == 1 {
        Ok(())
    } else {
        Err(AppError::not_found("key"))
    }
}
