//! Top-ups, manual and automatic.
//!
//! A top-up is first recorded as `pending` under its idempotency key (its own
//! transaction), then charged through the [`PaymentProvider`](crate::payment::PaymentProvider)
//! with the top-up's id as the provider's idempotency key, then credited
//! (or marked failed) under the project's lock — only if still pending, so
//! a retried or concurrent request can never credit twice. A pending top-up
//! left by a crash is completed by the next retry with the same key or by
//! the sweeper.

use crate::db::{Dec, WriteTx};
use crate::error::{AppError, AppResult};
use crate::payment::{self, Charge, FAILED, PENDING, SUCCEEDED};
use crate::projects::{self, ProjectRow};
use crate::services::Services;
use crate::{alerts, clock, ledger, validate};
use rork_cloud_credits_core::money::format_usd;
use rork_cloud_credits_core::wire::{LedgerKind, NotificationKind, TopUp, TopUpRequest};
use rust_decimal::Decimal;

/// The smallest top-up: $5.00.
pub const MIN_TOP_UP_USD: Decimal = Decimal::from_parts(500, 0, 0, false, 2);
/// The largest top-up: $200.00.
pub const MAX_TOP_UP_USD: Decimal = Decimal::from_parts(20_000, 0, 0, false, 2);

const MANUAL: &str = "manual";
const AUTO: &str = "auto";

/// A top-up as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TopUpRow {
    /// Top-up id (also the provider's idempotency key).
    pub id: String,
    /// The project credited.
    pub project_id: String,
    /// The client's `Idempotency-Key` (or `auto-<uuid>` for auto top-ups).
    pub idempotency_key: String,
    /// `manual` or `auto`.
    pub source: String,
    /// Amount.
    pub amount: Dec,
    /// Payment method charged.
    pub payment_method: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// The provider's reference, once succeeded.
    pub payment_reference: Option<String>,
    /// Why it failed.
    pub failure: Option<String>,
    /// Balance right after the credit.
    pub balance_after: Option<Dec>,
    /// UTC day of creation.
    pub day: String,
    /// Creation time (ms).
    pub created_at: i64,
}

const COLUMNS: &str = "id, project_id, idempotency_key, source, amount, payment_method, status, \
                       payment_reference, failure, balance_after, day, created_at";

impl TopUpRow {
    /// The outcome as the API answers it: the top-up, or `payment_failed`.
    pub fn outcome(&self) -> AppResult<TopUp> {
        payment::outcome(&self.status, self.failure.as_deref(), "top-up", || {
            Some(TopUp {
                id: self.id.clone(),
                project_id: self.project_id.clone(),
                amount_usd: self.amount.0,
                source: self.source.clone(),
                payment_reference: self.payment_reference.clone()?,
                balance_after_usd: self.balance_after?.0,
                created_at: clock::rfc3339(self.created_at),
            })
        })
    }
}

/// `POST /v1/projects/{id}/topups`: validates, records, charges and credits
/// a top-up. Retrying with the same `idempotency_key` returns the first
/// outcome and never charges or credits twice; reusing a key for a
/// different request is a `conflict`.
pub async fn top_up(
    services: &Services,
    project_id: &str,
    request: &TopUpRequest,
    idempotency_key: Option<&str>,
) -> AppResult<TopUp> {
    validate::cents(
        "amountUsd",
        request.amount_usd,
        MIN_TOP_UP_USD,
        MAX_TOP_UP_USD,
    )?;
    let (payment_method, key) = payment::terms(request.payment_method.as_deref(), idempotency_key)?;

    let mut tx = services.store.write().await?;
    let project = projects::lock(&mut tx, project_id).await?;
    let existing = by_key(&mut tx, project_id, &key).await?;
    let id = match existing {
        Some(row)
            if row.source != MANUAL
                || row.amount.0 != request.amount_usd
                || row.payment_method != payment_method =>
        {
            return Err(AppError::conflict(
                "this Idempotency-Key was already used for a different top-up",
            ))
        }
        Some(row) if row.status != PENDING => return row.outcome(),
        Some(row) => row.id,
        None => {
            insert_pending(
                &mut tx,
                &project,
                &key,
                MANUAL,
                request.amount_usd,
                payment_method,
            )
            .await?
        }
    };
    tx.commit().await?;

    let (row, pending) = charge_and_credit(services, &id).await?;
    run(services, pending).await;
    row.outcome()
}

/// After a change to `project`'s balance, in its transaction `tx`: evaluates
/// its alerts and begins the auto top-up they fire (returned, to run after
/// commit), or notifies why it may not run (the daily cap).
pub async fn after_change(
    tx: &mut WriteTx,
    project: &mut ProjectRow,
    public_url: &str,
) -> AppResult<Option<String>> {
    if !alerts::evaluate(tx, project, public_url).await? {
        return Ok(None);
    }
    match begin_auto(tx, project).await? {
        Ok(id) => Ok(Some(id)),
        Err(reason) => {
            let message = format!("Auto top-up did not run: {reason}");
            alerts::notify(tx, project, NotificationKind::AutoTopUpFailed, &message).await?;
            Ok(None)
        }
    }
}

/// Charges and credits the pending top-ups `pending` (by id), and any auto
/// top-ups those fire in turn. One that fails is logged and left pending for
/// the sweeper.
pub async fn run(services: &Services, mut pending: Vec<String>) {
    while let Some(id) = pending.pop() {
        match charge_and_credit(services, &id).await {
            Ok((_, more)) => pending.extend(more),
            Err(error) => tracing::warn!(top_up = %id, %error, "auto top-up left pending"),
        }
    }
}

/// Records a pending auto top-up (in the transaction that crossed the
/// threshold) and returns its id, or the reason it may not run (the daily cap).
async fn begin_auto(tx: &mut WriteTx, project: &ProjectRow) -> AppResult<Result<String, String>> {
    let today = clock::utc_day(clock::now_ms());
    let spent: Vec<(Dec,)> = sqlx::query_as(
        "SELECT amount FROM top_ups WHERE project_id = $1 AND source = $2 AND day = $3 \
         AND status <> $4",
    )
    .bind(&project.id)
    .bind(AUTO)
    .bind(&today)
    .bind(FAILED)
    .fetch_all(&mut **tx)
    .await?;
    let spent: Decimal = spent.iter().map(|(amount,)| amount.0).sum();
    let amount = project.auto_amount.0;
    if spent + amount > project.auto_daily_cap.0 {
        return Ok(Err(format!(
            "today's auto top-ups ({}) plus {} would exceed the daily cap of {}.",
            format_usd(spent),
            format_usd(amount),
            format_usd(project.auto_daily_cap.0)
        )));
    }
    // Once per crossing is the armed flag's job (cleared in this transaction);
    // the key only has to be unique.
    let key = format!("auto-{}", uuid::Uuid::new_v4());
    let id = insert_pending(
        tx,
        project,
        &key,
        AUTO,
        amount,
        &project.auto_payment_method,
    )
    .await?;
    Ok(Ok(id))
}

async fn insert_pending(
    tx: &mut WriteTx,
    project: &ProjectRow,
    key: &str,
    source: &str,
    amount: Decimal,
    payment_method: &str,
) -> AppResult<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = clock::now_ms();
    sqlx::query(&format!(
        "INSERT INTO top_ups ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, NULL, $8, $9)"
    ))
    .bind(&id)
    .bind(&project.id)
    .bind(key)
    .bind(source)
    .bind(Dec(amount))
    .bind(payment_method)
    .bind(PENDING)
    .bind(clock::utc_day(now))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

async fn by_key(tx: &mut WriteTx, project_id: &str, key: &str) -> AppResult<Option<TopUpRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM top_ups WHERE project_id = $1 AND idempotency_key = $2"
    ))
    .bind(project_id)
    .bind(key)
    .fetch_optional(&mut **tx)
    .await?)
}

async fn by_id(conn: &mut sqlx::AnyConnection, id: &str) -> AppResult<TopUpRow> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM top_ups WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| AppError::not_found("top-up"))
}

/// Charges a pending top-up and credits it (or marks it failed; a failed
/// auto top-up raises a notification). Returns the final row and any auto
/// top-ups that fired meanwhile. Does nothing to a top-up no longer pending.
pub async fn charge_and_credit(
    services: &Services,
    id: &str,
) -> AppResult<(TopUpRow, Vec<String>)> {
    let row = by_id(&mut *services.store.pool().acquire().await?, id).await?;
    if row.status != PENDING {
        return Ok((row, Vec::new()));
    }
    let project = projects::get(services.store.pool(), &row.project_id).await?;
    let charge = Charge {
        account_id: &project.account_id,
        project_id: Some(&row.project_id),
        amount: row.amount.0,
        payment_method: &row.payment_method,
        idempotency_key: &row.id,
    };
    let result = services.payments.charge(&charge).await;

    let mut tx = services.store.write().await?;
    let mut project = projects::lock(&mut tx, &row.project_id).await?;
    let row = by_id(&mut tx, id).await?;
    if row.status != PENDING {
        return Ok((row, Vec::new()));
    }
    let auto = row.source == AUTO;
    match result {
        Ok(receipt) => {
            let (kind, memo) = if auto {
                (LedgerKind::AutoTopUp, "Auto top-up")
            } else {
                (LedgerKind::TopUp, "Top-up")
            };
            let refs = ledger::Refs {
                top_up_id: Some(&row.id),
                ..Default::default()
            };
            ledger::append(&mut tx, &mut project, kind, row.amount.0, refs, memo).await?;
            sqlx::query(
                "UPDATE top_ups SET status = $1, payment_reference = $2, balance_after = $3 WHERE id = $4",
            )
            .bind(SUCCEEDED)
            .bind(&receipt.reference)
            .bind(project.balance)
            .bind(&row.id)
            .execute(&mut *tx)
            .await?;
            if auto {
                let message = format!(
                    "Auto top-up added {} to your Cloud Credits (balance {}).",
                    format_usd(row.amount.0),
                    format_usd(project.balance.0)
                );
                alerts::notify(&mut tx, &project, NotificationKind::AutoTopUp, &message).await?;
            }
        }
        Err(decline) => {
            sqlx::query("UPDATE top_ups SET status = $1, failure = $2 WHERE id = $3")
                .bind(FAILED)
                .bind(&decline.message)
                .bind(&row.id)
                .execute(&mut *tx)
                .await?;
            if auto {
                let message = format!(
                    "Auto top-up of {} failed: {}. Add credits so your app's cloud features keep working.",
                    format_usd(row.amount.0),
                    decline.message
                );
                alerts::notify(
                    &mut tx,
                    &project,
                    NotificationKind::AutoTopUpFailed,
                    &message,
                )
                .await?;
            }
        }
    }
    let pending = after_change(&mut tx, &mut project, &services.public_url)
        .await?
        .into_iter()
        .collect();
    tx.commit().await?;
    let row = by_id(&mut *services.store.pool().acquire().await?, id).await?;
    Ok((row, pending))
}

/// Completes top-ups left pending for more than `older_than_ms` (a crash
/// between recording and crediting). Returns how many it found pending.
pub async fn resume_pending(services: &Services, older_than_ms: i64) -> AppResult<usize> {
    let ids: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM top_ups WHERE status = $1 AND created_at < $2")
            .bind(PENDING)
            .bind(clock::now_ms() - older_than_ms)
            .fetch_all(services.store.pool())
            .await?;
    let count = ids.len();
    run(services, ids.into_iter().map(|(id,)| id).collect()).await;
    Ok(count)
}
