//! Packs of usage credits, bought as you go: recorded `pending` under the
//! request's idempotency key, charged through the
//! [`PaymentProvider`](crate::payment::PaymentProvider) with the purchase's id
//! as the provider's idempotency key, then credited under the account's lock
//! only if still pending, as top-ups are, so a retried or concurrent request
//! never credits twice.

use super::ledger::{self, Bucket, Entry, EntryKind};
use super::plans::{self, whole};
use crate::clock::rfc3339;
use crate::db::{Dec, WriteTx};
use crate::error::{AppError, AppResult};
use crate::payment::{self, Charge, FAILED, PENDING, SUCCEEDED};
use crate::services::Services;
use rork_cloud_credits_core::wire::{BuildPackPurchase, BuildPackRequest};
use rust_decimal::Decimal;
use sqlx::AnyConnection;

/// A pack purchase as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
struct PurchaseRow {
    id: String,
    account_id: String,
    idempotency_key: String,
    pack: String,
    credits: i64,
    amount: Dec,
    payment_method: String,
    status: String,
    payment_reference: Option<String>,
    failure: Option<String>,
    usage_after: Option<i64>,
    created_at: i64,
}

const COLUMNS: &str = "id, account_id, idempotency_key, pack, credits, amount, payment_method, \
                       status, payment_reference, failure, usage_after, created_at";

impl PurchaseRow {
    /// The outcome as the API answers it: the purchase, or `payment_failed`.
    fn outcome(&self) -> AppResult<BuildPackPurchase> {
        payment::outcome(&self.status, self.failure.as_deref(), "purchase", || {
            Some(BuildPackPurchase {
                id: self.id.clone(),
                pack: self.pack.clone(),
                credits: whole(self.credits),
                amount_usd: self.amount.0,
                payment_reference: self.payment_reference.clone()?,
                usage_after: whole(self.usage_after?),
                created_at: rfc3339(self.created_at),
            })
        })
    }
}

/// `POST /v1/build-credits/packs`: buys the pack for the account. Retrying
/// with the same `idempotency_key` returns the first outcome and never
/// charges or credits twice; the same key for another pack or payment
/// method is a `conflict`.
pub async fn buy(
    services: &Services,
    account_id: &str,
    request: &BuildPackRequest,
    idempotency_key: Option<&str>,
) -> AppResult<BuildPackPurchase> {
    let pack = plans::pack(&request.pack)?;
    let (payment_method, key) = payment::terms(request.payment_method.as_deref(), idempotency_key)?;

    let now = services.clock.now_ms();
    let mut tx = services.store.write().await?;
    ledger::lock(&mut tx, account_id, now).await?;
    let id = match by_key(&mut tx, account_id, &key).await? {
        Some(row) if row.pack != pack.id || row.payment_method != payment_method => {
            return Err(AppError::conflict(
                "this Idempotency-Key was already used for a different pack",
            ))
        }
        Some(row) if row.status != PENDING => return row.outcome(),
        Some(row) => row.id,
        None => {
            let id = uuid::Uuid::new_v4().to_string();
            let row = PurchaseRow {
                id: id.clone(),
                account_id: account_id.to_owned(),
                idempotency_key: key.into_owned(),
                pack: pack.id.to_owned(),
                credits: pack.credits,
                amount: Dec(Decimal::new(pack.price_cents, 2)),
                payment_method: payment_method.to_owned(),
                status: PENDING.into(),
                payment_reference: None,
                failure: None,
                usage_after: None,
                created_at: now,
            };
            insert(&mut tx, &row).await?;
            id
        }
    };
    tx.commit().await?;
    charge_and_credit(services, &id).await?.outcome()
}

/// Completes purchases left pending for more than `older_than_ms` (a crash
/// between recording and crediting; the sweeper's job, as for top-ups): each
/// is charged with its own id as the provider's key, so a charge the crash
/// interrupted is not taken twice. One that fails is logged and left for the
/// next pass, as top-ups are. Returns how many it found pending.
pub async fn resume_pending(services: &Services, older_than_ms: i64) -> AppResult<usize> {
    let ids: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM build_packs WHERE status = $1 AND created_at < $2")
            .bind(PENDING)
            .bind(services.clock.now_ms() - older_than_ms)
            .fetch_all(services.store.pool())
            .await?;
    for (id,) in &ids {
        if let Err(error) = charge_and_credit(services, id).await {
            tracing::warn!(purchase = %id, %error, "build-credit pack left pending");
        }
    }
    Ok(ids.len())
}

/// Charges a pending purchase and credits its usage credits (or marks it
/// failed). Does nothing to a purchase no longer pending.
async fn charge_and_credit(services: &Services, id: &str) -> AppResult<PurchaseRow> {
    let row = by_id(&mut *services.store.pool().acquire().await?, id).await?;
    if row.status != PENDING {
        return Ok(row);
    }
    let charge = Charge {
        account_id: &row.account_id,
        project_id: None,
        amount: row.amount.0,
        payment_method: &row.payment_method,
        idempotency_key: &row.id,
    };
    let result = services.payments.charge(&charge).await;

    let now = services.clock.now_ms();
    let mut tx = services.store.write().await?;
    let mut account = ledger::lock(&mut tx, &row.account_id, now).await?;
    let row = by_id(&mut tx, id).await?;
    if row.status != PENDING {
        return Ok(row);
    }
    match result {
        Ok(receipt) => {
            let memo = format!("Pack of {} usage credits", row.credits);
            let entry = Entry {
                kind: EntryKind::Pack,
                bucket: Bucket::Usage,
                credits: row.credits,
                activity_id: None,
                purchase_id: Some(&row.id),
                memo: &memo,
            };
            account.append(&mut tx, entry, now).await?;
            sqlx::query(
                "UPDATE build_packs SET status = $1, payment_reference = $2, usage_after = $3 \
                 WHERE id = $4",
            )
            .bind(SUCCEEDED)
            .bind(&receipt.reference)
            .bind(account.build_usage_credits)
            .bind(&row.id)
            .execute(&mut *tx)
            .await?;
        }
        Err(decline) => {
            sqlx::query("UPDATE build_packs SET status = $1, failure = $2 WHERE id = $3")
                .bind(FAILED)
                .bind(&decline.message)
                .bind(&row.id)
                .execute(&mut *tx)
                .await?;
        }
    }
    let row = by_id(&mut tx, id).await?;
    tx.commit().await?;
    Ok(row)
}

async fn insert(tx: &mut WriteTx, row: &PurchaseRow) -> AppResult<()> {
    sqlx::query(&format!(
        "INSERT INTO build_packs ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL, $9)"
    ))
    .bind(&row.id)
    .bind(&row.account_id)
    .bind(&row.idempotency_key)
    .bind(&row.pack)
    .bind(row.credits)
    .bind(row.amount)
    .bind(&row.payment_method)
    .bind(&row.status)
    .bind(row.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn by_key(
    conn: &mut AnyConnection,
    account_id: &str,
    key: &str,
) -> AppResult<Option<PurchaseRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM build_packs WHERE account_id = $1 AND idempotency_key = $2"
    ))
    .bind(account_id)
    .bind(key)
    .fetch_optional(conn)
    .await?)
}

async fn by_id(conn: &mut AnyConnection, id: &str) -> AppResult<PurchaseRow> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM build_packs WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| AppError::not_found("pack purchase"))
}
