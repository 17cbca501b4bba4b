//! Holds: reserve an estimated cost against the balance before a request,
//! then settle with the actual usage (see [`crate::usage`]), release, or let
//! it expire. Reserving happens under the project's row lock and checks the
//! balance there, so concurrent holds can never reserve more than there is.

use crate::db::{enum_from_text, enum_text, Dec, WriteTx};
use crate::error::{AppError, AppResult};
use crate::projects::{self, ProjectRow};
use crate::services::Services;
use crate::spend::{Budget, Payer};
use crate::{clock, commit, ledger, pricing, validate};
use rork_cloud_credits_core::money;
use rork_cloud_credits_core::wire::{
    Hold, HoldRequest, HoldStatus, LedgerKind, MAX_HOLD_TTL_SECONDS,
};
use rork_cloud_credits_core::ErrorCode;
use rust_decimal::Decimal;
use sqlx::AnyPool;

/// How long an unsettled hold lives by default: 10 minutes.
pub const DEFAULT_TTL_SECONDS: u64 = 600;
/// The largest plain amount a hold may reserve: $10,000.
const MAX_HOLD_USD: Decimal = projects::MAX_SETTING_USD;

/// A hold as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HoldRow {
    /// Hold id.
    pub id: String,
    /// The project whose balance it reserves.
    pub project_id: String,
    /// Amount reserved.
    pub amount: Dec,
    /// `active`, `settled`, `released` or `expired`.
    pub status: String,
    /// The estimate (JSON) the amount came from.
    pub estimate: Option<String>,
    /// Actual cost when settled.
    pub settled_cost: Option<Dec>,
    /// Creation time (ms).
    pub created_at: i64,
    /// Expiry time (ms).
    pub expires_at: i64,
    /// The publishable key that made it (`None`: the owner).
    pub key_id: Option<String>,
    /// The end user it was made for, as the app named them.
    pub end_user: Option<String>,
}

const COLUMNS: &str = "id, project_id, amount, status, estimate, settled_cost, created_at, \
     expires_at, key_id, end_user";

impl HoldRow {
    /// The hold's state.
    pub fn status(&self) -> AppResult<HoldStatus> {
        enum_from_text(&self.status)
    }

    /// `forbidden` unless `payer` may settle or release this hold: a
    /// publishable key only the holds it made (a hold of the owner's, or of
    /// another key, is not its reservation to spend).
    pub fn may_close(&self, payer: Payer<'_>) -> AppResult<()> {
        match payer {
            Payer::Publishable(key_id) if self.key_id.as_deref() != Some(key_id) => Err(
                AppError::forbidden("a publishable key settles or releases only the holds it made"),
            ),
            _ => Ok(()),
        }
    }

    /// The hold as the API shows it.
    pub fn to_wire(&self) -> AppResult<Hold> {
        Ok(Hold {
            id: self.id.clone(),
            project_id: self.project_id.clone(),
            amount_usd: self.amount.0,
            status: self.status()?,
            estimate: match &self.estimate {
                Some(json) => Some(serde_json::from_str(json).map_err(AppError::internal)?),
                None => None,
            },
            settled_cost_usd: self.settled_cost.map(|cost| cost.0),
            created_at: clock::rfc3339(self.created_at),
            expires_at: clock::rfc3339(self.expires_at),
        })
    }
}

/// `POST /v1/projects/{id}/holds`: reserves the estimated cost of
/// `request.usage` (or `request.amount_usd`) against the balance, within
/// `payer`'s limits ([`crate::spend`]). With an `idempotency_key` already
/// used for the project, the hold made then is answered as it is now (the
/// same request from the same credential) or the request is a `conflict`.
pub async fn create(
    services: &Services,
    project_id: &str,
    payer: Payer<'_>,
    request: &HoldRequest,
    idempotency_key: Option<&str>,
) -> AppResult<Hold> {
    let (amount, estimate) = match (&request.usage, request.amount_usd) {
        (Some(usage), None) => {
            let estimate = pricing::estimate(usage)?;
            let json = serde_json::to_string(&estimate).map_err(AppError::internal)?;
            if estimate.total.is_zero() {
                return Err(AppError::invalid(
                    "usage with a zero estimate needs no hold: report it instead",
                ));
            }
            (estimate.total, Some(json))
        }
        (None, Some(amount)) if amount > Decimal::ZERO && amount <= MAX_HOLD_USD => (amount, None),
        (None, Some(amount)) => {
            return Err(AppError::invalid(format!(
                "amountUsd must be more than 0 and at most {MAX_HOLD_USD}, got {amount}"
            )))
        }
        _ => {
            return Err(AppError::invalid(
                "give exactly one of usage (to reserve its estimated cost) or amountUsd",
            ))
        }
    };
    if let Some(ttl) = request.ttl_seconds {
        if !(1..=MAX_HOLD_TTL_SECONDS).contains(&ttl) {
            return Err(AppError::invalid(format!(
                "ttlSeconds must be from 1 to {MAX_HOLD_TTL_SECONDS}, got {ttl}"
            )));
        }
    }
    if let Some(end_user) = &request.end_user {
        validate::text("endUser", end_user, validate::MAX_LABEL_CHARS)?;
    }
    let end_user = request.end_user.as_deref();
    if let Some(key) = idempotency_key {
        validate::idempotency_key(key)?;
    }
    let fingerprint = serde_json::to_string(request).map_err(AppError::internal)?;
    let key_id = match payer {
        Payer::Publishable(key_id) => Some(key_id.to_owned()),
        Payer::Owner => None,
    };

    let mut tx = services.store.write().await?;
    let mut project = lock_project(&mut tx, project_id).await?;
    if let Some(key) = idempotency_key {
        if let Some(made) = by_idempotency_key(&mut tx, &project.id, key).await? {
            return made.replay(key_id.as_deref(), &fingerprint);
        }
    }
    if !project.cloud_enabled() {
        return Err(cloud_disabled());
    }
    if project.balance.0 <= Decimal::ZERO || amount > project.balance.0 {
        return Err(AppError::new(
            ErrorCode::InsufficientCredits,
            format!(
                "a hold of {amount} USD does not fit the available {} USD; add credits",
                project.balance.0.max(Decimal::ZERO)
            ),
        ));
    }
    let ttl = match payer {
        Payer::Publishable(key_id) => {
            let mut budget = Budget::load(&mut tx, key_id).await?;
            let ttl = request
                .ttl_seconds
                .unwrap_or(DEFAULT_TTL_SECONDS.min(budget.limits().max_hold_seconds));
            budget.check_hold(&mut tx, amount, ttl, end_user).await?;
            ttl
        }
        Payer::Owner => request.ttl_seconds.unwrap_or(DEFAULT_TTL_SECONDS),
    };
    let now = clock::now_ms();
    let ttl_ms = i64::try_from(ttl * 1000).map_err(AppError::internal)?;
    let row = HoldRow {
        id: uuid::Uuid::new_v4().to_string(),
        project_id: project.id.clone(),
        amount: Dec(amount),
        status: enum_text(HoldStatus::Active),
        estimate,
        settled_cost: None,
        created_at: now,
        expires_at: now + ttl_ms,
        key_id,
        end_user: end_user.map(str::to_owned),
    };
    sqlx::query(&format!(
        "INSERT INTO holds ({COLUMNS}, idempotency_key, idempotency_request) \
         VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(&row.id)
    .bind(&row.project_id)
    .bind(row.amount)
    .bind(&row.status)
    .bind(row.estimate.clone())
    .bind(row.created_at)
    .bind(row.expires_at)
    .bind(row.key_id.clone())
    .bind(row.end_user.clone())
    .bind(idempotency_key)
    .bind(idempotency_key.map(|_| fingerprint))
    .execute(&mut *tx)
    .await?;
    let refs = ledger::Refs {
        hold_id: Some(&row.id),
        ..Default::default()
    };
    // Exact (a hold is often below a cent: "Hold of $0.0005", not "$0.00").
    let memo = format!("Hold of ${}", money::trim_zeros(amount));
    ledger::append(
        &mut tx,
        &mut project,
        LedgerKind::Hold,
        -amount,
        refs,
        &memo,
    )
    .await?;
    commit::commit(services, tx, std::slice::from_mut(&mut project)).await?;
    row.to_wire()
}

/// A hold made earlier with an `Idempotency-Key`, and the request it was
/// made for.
struct Made {
    hold: HoldRow,
    request: Option<String>,
}

impl Made {
    /// The answer to the same key used again by `key_id` (`None`: the owner)
    /// for `request`: the hold as it is now, or a `conflict`.
    fn replay(self, key_id: Option<&str>, request: &str) -> AppResult<Hold> {
        if self.hold.key_id.as_deref() != key_id || self.request.as_deref() != Some(request) {
            return Err(AppError::conflict(
                "this Idempotency-Key was already used for a different hold request",
            ));
        }
        self.hold.to_wire()
    }
}

/// The hold of `project_id` made with idempotency key `key`, in `tx`.
async fn by_idempotency_key(
    tx: &mut WriteTx,
    project_id: &str,
    key: &str,
) -> AppResult<Option<Made>> {
    let found: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT id, idempotency_request FROM holds WHERE project_id = $1 AND idempotency_key = $2",
    )
    .bind(project_id)
    .bind(key)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((id, request)) = found else {
        return Ok(None);
    };
    let hold = get_locked(tx, &id)
        .await?
        .ok_or_else(|| AppError::internal("hold vanished"))?;
    Ok(Some(Made { hold, request }))
}

/// The `cloud_disabled` refusal.
pub fn cloud_disabled() -> AppError {
    AppError::new(
        ErrorCode::CloudDisabled,
        "Use Cloud Credits is off for this project: legacy features only. Turn it on in billing settings.",
    )
}

/// The hold with `id`.
pub async fn get(pool: &AnyPool, id: &str) -> AppResult<HoldRow> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM holds WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::not_found("hold"))
}

/// The hold with `id` in `tx` (call with its project locked).
pub async fn get_locked(tx: &mut WriteTx, id: &str) -> AppResult<Option<HoldRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM holds WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// `POST /v1/holds/{id}/release`: gives `hold`'s whole reservation back.
/// `hold` is as the caller loaded it; its status is read again under the
/// project's lock. Releasing a released hold answers it as it is (a retried
/// release whose first answer was lost); a settled or expired one is a
/// `conflict`.
pub async fn release(services: &Services, hold: &HoldRow) -> AppResult<Hold> {
    let mut tx = services.store.write().await?;
    let mut project = lock_project(&mut tx, &hold.project_id).await?;
    let hold = get_locked(&mut tx, &hold.id)
        .await?
        .ok_or_else(|| AppError::not_found("hold"))?;
    let status = hold.status()?;
    if status == HoldStatus::Released {
        return hold.to_wire();
    }
    if status != HoldStatus::Active {
        return Err(AppError::conflict(format!(
            "the hold is already {}",
            enum_text(status)
        )));
    }
    let hold = close(&mut tx, &mut project, hold, HoldStatus::Released, None).await?;
    commit::commit(services, tx, std::slice::from_mut(&mut project)).await?;
    hold.to_wire()
}

/// Ends an active hold in `tx`: its whole amount goes back to the balance
/// (a release entry), and it is marked `status` (settled with `settled_cost`,
/// released or expired).
pub async fn close(
    tx: &mut WriteTx,
    project: &mut ProjectRow,
    mut hold: HoldRow,
    status: HoldStatus,
    settled_cost: Option<Decimal>,
) -> AppResult<HoldRow> {
    let refs = ledger::Refs {
        hold_id: Some(&hold.id),
        ..Default::default()
    };
    let memo = match status {
        HoldStatus::Expired => "Hold expired",
        HoldStatus::Settled => "Hold settled",
        _ => "Hold released",
    };
    ledger::append(tx, project, LedgerKind::Release, hold.amount.0, refs, memo).await?;
    hold.status = enum_text(status);
    hold.settled_cost = settled_cost.map(Dec);
    sqlx::query("UPDATE holds SET status = $1, settled_cost = $2, closed_at = $3 WHERE id = $4")
        .bind(&hold.status)
        .bind(hold.settled_cost)
        .bind(clock::now_ms())
        .bind(&hold.id)
        .execute(&mut **tx)
        .await?;
    Ok(hold)
}

/// Locks the project's row in `tx` and expires its past-due holds, so the
/// caller sees the balance as it is now.
pub async fn lock_project(tx: &mut WriteTx, project_id: &str) -> AppResult<ProjectRow> {
    let mut project = projects::lock(tx, project_id).await?;
    expire_due(tx, &mut project).await?;
    Ok(project)
}

/// Expires the project's active holds that are past due, in `tx`.
async fn expire_due(tx: &mut WriteTx, project: &mut ProjectRow) -> AppResult<()> {
    let due: Vec<HoldRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM holds WHERE project_id = $1 AND status = $2 AND expires_at <= $3 \
         ORDER BY expires_at, id"
    ))
    .bind(&project.id)
    .bind(enum_text(HoldStatus::Active))
    .bind(clock::now_ms())
    .fetch_all(&mut **tx)
    .await?;
    for hold in due {
        close(tx, project, hold, HoldStatus::Expired, None).await?;
    }
    Ok(())
}

/// Expires every past-due hold (the sweeper). Returns how many projects had some.
pub async fn expire_all_due(services: &Services) -> AppResult<usize> {
    let projects: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT project_id FROM holds WHERE status = $1 AND expires_at <= $2",
    )
    .bind(enum_text(HoldStatus::Active))
    .bind(clock::now_ms())
    .fetch_all(services.store.pool())
    .await?;
    for (project_id,) in &projects {
        let mut tx = services.store.write().await?;
        let mut project = lock_project(&mut tx, project_id).await?;
        commit::commit(services, tx, std::slice::from_mut(&mut project)).await?;
    }
    Ok(projects.len())
}
