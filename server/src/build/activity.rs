//! Build activity in the editor (agent chat, builds and previews, assets,
//! publishing): recorded with its debit, subscription credits first.

use super::ledger::{self, Bucket, BuildAccount, Entry, EntryKind};
use super::plans::whole;
use crate::clock::{self, rfc3339};
use crate::db::{enum_from_text, enum_text, WriteTx};
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::{projects, validate};
use rork_cloud_credits_core::wire::{
    BuildActivity, BuildActivityRequest, BuildKind, BuildKindTotal,
};
use rork_cloud_credits_core::ErrorCode;
use sqlx::AnyConnection;

/// The most credits one activity may cost.
pub const MAX_ACTIVITY_CREDITS: u64 = 10_000;
/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 200;

/// A build activity as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
struct ActivityRow {
    id: String,
    project_id: String,
    kind: String,
    description: String,
    credits: i64,
    subscription_credits: i64,
    usage_credits: i64,
    occurred_at: i64,
}

const COLUMNS: &str =
    "id, project_id, kind, description, credits, subscription_credits, usage_credits, occurred_at";

impl ActivityRow {
    fn into_wire(self) -> AppResult<BuildActivity> {
        Ok(BuildActivity {
            id: self.id,
            project_id: self.project_id,
            kind: enum_from_text(&self.kind)?,
            description: self.description,
            credits: whole(self.credits),
            subscription_credits: whole(self.subscription_credits),
            usage_credits: whole(self.usage_credits),
            occurred_at: rfc3339(self.occurred_at),
        })
    }

    fn is(&self, project_id: &str, request: &BuildActivityRequest) -> bool {
        self.project_id == project_id
            && self.kind == enum_text(request.kind)
            && self.description == request.description
            && whole(self.credits) == request.credits
    }
}

/// `POST /v1/build-credits/activity`: validates, then debits `request.credits`
/// from the account's subscription credits and, for what they do not cover,
/// its usage credits, and records the activity, all under the account's lock.
/// `insufficient_credits` (nothing debited) when both together fall short. A
/// retry with the same `idempotency_key` returns the first activity; the same
/// key for another activity is a `conflict`.
pub async fn record(
    services: &Services,
    account_id: &str,
    request: &BuildActivityRequest,
    idempotency_key: Option<&str>,
) -> AppResult<BuildActivity> {
    let project_id = validate::uuid("projectId", &request.project_id)?;
    validate::text("description", &request.description, MAX_DESCRIPTION_CHARS)?;
    if !(1..=MAX_ACTIVITY_CREDITS).contains(&request.credits) {
        return Err(AppError::invalid(format!(
            "credits must be from 1 to {MAX_ACTIVITY_CREDITS}, got {}",
            request.credits
        )));
    }
    if let Some(key) = idempotency_key {
        validate::idempotency_key(key)?;
    }
    let project = projects::get(services.store.pool(), &project_id).await?;
    if project.account_id != account_id {
        return Err(AppError::not_found("project"));
    }
    let now = services.clock.now_ms();
    let mut tx = services.store.write().await?;
    let mut account = ledger::lock(&mut tx, account_id, now).await?;
    if let Some(key) = idempotency_key {
        if let Some(earlier) = by_key(&mut tx, account_id, key).await? {
            return if earlier.is(&project_id, request) {
                earlier.into_wire()
            } else {
                Err(AppError::conflict(
                    "this Idempotency-Key was already used for different build activity",
                ))
            };
        }
    }
    let debit = Debit {
        project_id: &project_id,
        kind: request.kind,
        description: &request.description,
        credits: i64::try_from(request.credits).map_err(AppError::internal)?,
        idempotency_key,
        occurred_at: now,
    };
    let activity = debit.apply(&mut tx, &mut account, now).await?;
    tx.commit().await?;
    Ok(activity)
}

/// One activity to debit.
#[derive(Debug, Clone, Copy)]
pub struct Debit<'a> {
    /// The project built.
    pub project_id: &'a str,
    /// What kind of work.
    pub kind: BuildKind,
    /// What was done.
    pub description: &'a str,
    /// Credits it costs (positive).
    pub credits: i64,
    /// The key a retry sends again.
    pub idempotency_key: Option<&'a str>,
    /// When it happened (ms).
    pub occurred_at: i64,
}

impl Debit<'_> {
    /// Records the activity and its debit entries on `account` (locked in
    /// `tx`, renewed), subscription credits first; `insufficient_credits`
    /// when the two balances together fall short.
    pub async fn apply(
        self,
        tx: &mut WriteTx,
        account: &mut BuildAccount,
        now: i64,
    ) -> AppResult<BuildActivity> {
        let subscription = account.build_subscription_credits;
        let usage = account.build_usage_credits;
        if self.credits > subscription + usage {
            return Err(AppError::new(
                ErrorCode::InsufficientCredits,
                format!(
                    "this needs {} build credits; {} are left ({subscription} subscription + \
                     {usage} usage): buy a pack or upgrade the plan",
                    self.credits,
                    subscription + usage
                ),
            ));
        }
        let row = ActivityRow {
            // Time-ordered (v7): activity of the same millisecond lists in the order recorded.
            id: uuid::Uuid::now_v7().to_string(),
            project_id: self.project_id.to_owned(),
            kind: enum_text(self.kind),
            description: self.description.to_owned(),
            credits: self.credits,
            subscription_credits: self.credits.min(subscription),
            usage_credits: self.credits - self.credits.min(subscription),
            occurred_at: self.occurred_at,
        };
        sqlx::query(&format!(
            "INSERT INTO build_activity (account_id, idempotency_key, {COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(&account.id)
        .bind(self.idempotency_key)
        .bind(&row.id)
        .bind(&row.project_id)
        .bind(&row.kind)
        .bind(&row.description)
        .bind(row.credits)
        .bind(row.subscription_credits)
        .bind(row.usage_credits)
        .bind(row.occurred_at)
        .execute(&mut **tx)
        .await?;
        for (bucket, credits) in [
            (Bucket::Subscription, row.subscription_credits),
            (Bucket::Usage, row.usage_credits),
        ] {
            if credits > 0 {
                let entry = Entry {
                    kind: EntryKind::Debit,
                    bucket,
                    credits: -credits,
                    activity_id: Some(&row.id),
                    purchase_id: None,
                    memo: self.description,
                };
                account.append(tx, entry, now).await?;
            }
        }
        row.into_wire()
    }
}

async fn by_key(
    conn: &mut AnyConnection,
    account_id: &str,
    key: &str,
) -> AppResult<Option<ActivityRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM build_activity WHERE account_id = $1 AND idempotency_key = $2"
    ))
    .bind(account_id)
    .bind(key)
    .fetch_optional(conn)
    .await?)
}

/// The project's build activity from `from` to `to` (ms, inclusive), oldest first.
pub async fn between(
    conn: &mut AnyConnection,
    project_id: &str,
    from: i64,
    to: i64,
) -> AppResult<Vec<BuildActivity>> {
    let rows: Vec<ActivityRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM build_activity \
         WHERE project_id = $1 AND occurred_at >= $2 AND occurred_at <= $3 ORDER BY occurred_at, id"
    ))
    .bind(project_id)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(ActivityRow::into_wire).collect()
}

/// The account's build activity since `since` (ms), newest first, at most `limit`.
pub async fn recent(
    conn: &mut AnyConnection,
    account_id: &str,
    since: i64,
    limit: u32,
) -> AppResult<Vec<BuildActivity>> {
    let rows: Vec<ActivityRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM build_activity WHERE account_id = $1 AND occurred_at >= $2 \
         ORDER BY occurred_at DESC, id DESC LIMIT $3"
    ))
    .bind(account_id)
    .bind(since)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(ActivityRow::into_wire).collect()
}

/// The account's spend per kind since `since` (ms): every kind, in [`BuildKind::ALL`]'s order.
pub async fn by_kind(
    conn: &mut AnyConnection,
    account_id: &str,
    since: i64,
) -> AppResult<Vec<BuildKindTotal>> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT kind, CAST(SUM(credits) AS BIGINT), COUNT(*) FROM build_activity \
         WHERE account_id = $1 AND occurred_at >= $2 GROUP BY kind",
    )
    .bind(account_id)
    .bind(since)
    .fetch_all(conn)
    .await?;
    Ok(BuildKind::ALL
        .into_iter()
        .map(|kind| {
            let text = enum_text(kind);
            let (credits, count) = rows
                .iter()
                .find(|(stored, _, _)| *stored == text)
                .map_or((0, 0), |(_, credits, count)| (*credits, *count));
            BuildKindTotal {
                kind,
                credits: whole(credits),
                count: whole(count),
            }
        })
        .collect())
}

/// The window of the Build Credits tab: the last 30 days.
pub const RECENT_MS: i64 = 30 * clock::DAY_MS;
