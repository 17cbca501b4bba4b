//! API keys: a publishable key per project (`pk_...`, browser-safe) and
//! secret keys per account (`sk_...`, server side). A key is
//! `{kind}_{12 hex id}_{64 hex secret}`; the server stores the id and the
//! SHA-256 of the whole key, looks the key up by id and compares hashes in
//! constant time. Revoked keys stop working at once.

use crate::db::{enum_from_text, enum_text, Dec, WriteTx};
use crate::error::{AppError, AppResult};
use crate::{clock, projects, secret, validate};
use rork_cloud_credits_core::wire::{
    CreatedKey, KeyInfo, KeyKind, PublishableLimits, MAX_HOLD_TTL_SECONDS,
};
use rork_cloud_credits_core::ErrorCode;
use rust_decimal::Decimal;
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
    /// Publishable keys: spend per UTC hour.
    pub limit_per_hour: Dec,
    /// Publishable keys: spend per UTC day.
    pub limit_per_day: Dec,
    /// Publishable keys: the largest hold.
    pub limit_hold: Dec,
    /// Publishable keys: the most held at once.
    pub limit_held: Dec,
    /// Publishable keys: the longest hold lifetime (seconds).
    pub limit_hold_seconds: i64,
    /// Publishable keys: spend per end user and UTC day (`None`: no cap).
    pub limit_end_user_per_day: Option<Dec>,
}

impl KeyRow {
    /// `pk` or `sk`.
    pub fn kind(&self) -> AppResult<KeyKind> {
        enum_from_text(&self.kind)
    }

    /// What the key may spend (publishable keys).
    pub fn limits(&self) -> PublishableLimits {
        PublishableLimits {
            spend_per_hour_usd: self.limit_per_hour.0,
            spend_per_day_usd: self.limit_per_day.0,
            max_hold_usd: self.limit_hold.0,
            max_held_usd: self.limit_held.0,
            max_hold_seconds: u64::try_from(self.limit_hold_seconds).unwrap_or_default(),
            end_user_per_day_usd: self.limit_end_user_per_day.map(|cap| cap.0),
        }
    }

    fn info(&self) -> AppResult<KeyInfo> {
        let kind = self.kind()?;
        Ok(KeyInfo {
            id: self.id.clone(),
            kind,
            prefix: format!("{}_…", self.id),
            created_at: clock::rfc3339(self.created_at),
            limits: (kind == KeyKind::Pk).then(|| self.limits()),
        })
    }
}

const COLUMNS: &str = "id, kind, account_id, project_id, secret_hash, created_at, \
     limit_per_hour, limit_per_day, limit_hold, limit_held, limit_hold_seconds, \
     limit_end_user_per_day";

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
    // The limits take their columns' defaults (migration 0004).
    sqlx::query(
        "INSERT INTO api_keys (id, kind, account_id, project_id, secret_hash, created_at, \
         revoked_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)",
    )
    .bind(&id)
    .bind(enum_text(kind))
    .bind(account_id)
    .bind(project_id)
    .bind(secret::sha256_hex(&key))
    .bind(clock::now_ms())
    .execute(&mut *conn)
    .await?;
    let row = fetch(conn, &id).await?;
    Ok(CreatedKey {
        info: row.info()?,
        key,
    })
}

/// The limits of publishable key `id`, in `tx` (its project locked).
pub async fn limits(tx: &mut WriteTx, id: &str) -> AppResult<PublishableLimits> {
    Ok(fetch(tx, id).await?.limits())
}

async fn fetch(conn: &mut AnyConnection, id: &str) -> AppResult<KeyRow> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM api_keys WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| AppError::not_found("key"))
}

/// `PATCH /v1/keys/{id}`: replaces the limits of the account's publishable
/// key `id`, validated first, under its project's lock (so no charge runs
/// between a read of the old limits and the write of the new ones).
pub async fn set_limits(
    store: &crate::db::Store,
    account_id: &str,
    id: &str,
    limits: &PublishableLimits,
) -> AppResult<KeyInfo> {
    validate_limits(limits)?;
    let row: KeyRow = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM api_keys WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL"
    ))
    .bind(id)
    .bind(account_id)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| AppError::not_found("key"))?;
    let Some(project_id) = row.project_id.as_deref() else {
        return Err(AppError::invalid(
            "only publishable keys have spend limits: a secret key is the owner's own",
        ));
    };
    let mut tx = store.write().await?;
    projects::lock(&mut tx, project_id).await?;
    sqlx::query(
        "UPDATE api_keys SET limit_per_hour = $1, limit_per_day = $2, limit_hold = $3, \
         limit_held = $4, limit_hold_seconds = $5, limit_end_user_per_day = $6 WHERE id = $7",
    )
    .bind(Dec(limits.spend_per_hour_usd))
    .bind(Dec(limits.spend_per_day_usd))
    .bind(Dec(limits.max_hold_usd))
    .bind(Dec(limits.max_held_usd))
    .bind(i64::try_from(limits.max_hold_seconds).map_err(AppError::internal)?)
    .bind(limits.end_user_per_day_usd.map(Dec))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let row = fetch(&mut tx, id).await?;
    tx.commit().await?;
    row.info()
}

fn validate_limits(limits: &PublishableLimits) -> AppResult<()> {
    let max = projects::MAX_SETTING_USD;
    validate::cents(
        "spendPerHourUsd",
        limits.spend_per_hour_usd,
        Decimal::ZERO,
        max,
    )?;
    validate::cents(
        "spendPerDayUsd",
        limits.spend_per_day_usd,
        Decimal::ZERO,
        max,
    )?;
    validate::cents("maxHoldUsd", limits.max_hold_usd, Decimal::ZERO, max)?;
    validate::cents("maxHeldUsd", limits.max_held_usd, Decimal::ZERO, max)?;
    if let Some(cap) = limits.end_user_per_day_usd {
        validate::cents("endUserPerDayUsd", cap, Decimal::ZERO, max)?;
    }
    if !(1..=MAX_HOLD_TTL_SECONDS).contains(&limits.max_hold_seconds) {
        return Err(AppError::invalid(format!(
            "maxHoldSeconds must be from 1 to {}, got {}",
            MAX_HOLD_TTL_SECONDS, limits.max_hold_seconds
        )));
    }
    Ok(())
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
