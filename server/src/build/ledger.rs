//! An account's two build-credit balances, its plan period and its ledger:
//! the row lock every change runs under, renewal at the period's end, and
//! the entries whose sums the balances are.

use super::plans::{self, Plan};
use crate::clock::{self, rfc3339};
use crate::db::WriteTx;
use crate::error::{AppError, AppResult};
use sqlx::AnyConnection;

/// An account's build-credit state as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BuildAccount {
    /// Account id.
    pub id: String,
    /// Plan name.
    pub plan: String,
    /// Subscription credits left in the period.
    pub build_subscription_credits: i64,
    /// Usage credits left.
    pub build_usage_credits: i64,
    /// Start of the current plan period (ms).
    pub build_period_start: i64,
    /// End of the current plan period (ms, exclusive).
    pub build_period_end: i64,
    /// `seq` of the last ledger entry.
    pub build_ledger_seq: i64,
    /// Creation time (ms): the anchor of every plan period.
    pub created_at: i64,
}

const COLUMNS: &str = "id, plan, build_subscription_credits, build_usage_credits, \
                       build_period_start, build_period_end, build_ledger_seq, created_at";

/// The balance an entry moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// Subscription credits.
    Subscription,
    /// Usage credits.
    Usage,
}

/// What a ledger entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// The plan's allowance for a period.
    Grant,
    /// Unused subscription credits at a period's end.
    Expire,
    /// A pack of usage credits bought.
    Pack,
    /// Build activity.
    Debit,
    /// Credits set by hand (an account's opening balance).
    Adjustment,
}

impl EntryKind {
    fn text(self) -> &'static str {
        match self {
            EntryKind::Grant => "grant",
            EntryKind::Expire => "expire",
            EntryKind::Pack => "pack",
            EntryKind::Debit => "debit",
            EntryKind::Adjustment => "adjustment",
        }
    }
}

/// One entry to append.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// What it is.
    pub kind: EntryKind,
    /// The balance it moves.
    pub bucket: Bucket,
    /// Credits, signed.
    pub credits: i64,
    /// The build activity it pays for.
    pub activity_id: Option<&'a str>,
    /// The pack purchase it credits.
    pub purchase_id: Option<&'a str>,
    /// A line for people.
    pub memo: &'a str,
}

impl BuildAccount {
    /// The account's plan.
    pub fn plan(&self) -> AppResult<Plan> {
        plans::plan(&self.plan).map_err(AppError::internal)
    }

    /// Appends `entry` at `now`, moving the in-memory balance with it, and
    /// stores the account's balances, period and last `seq`. The caller holds
    /// the account's lock; a balance never goes below zero (callers check,
    /// this refuses as a last line).
    pub async fn append(
        &mut self,
        conn: &mut AnyConnection,
        entry: Entry<'_>,
        now: i64,
    ) -> AppResult<()> {
        let balance = match entry.bucket {
            Bucket::Subscription => &mut self.build_subscription_credits,
            Bucket::Usage => &mut self.build_usage_credits,
        };
        let after = *balance + entry.credits;
        if after < 0 {
            return Err(AppError::internal(format_args!(
                "build credits of {} would go below zero",
                self.id
            )));
        }
        *balance = after;
        self.build_ledger_seq += 1;
        let bucket = match entry.bucket {
            Bucket::Subscription => "subscription",
            Bucket::Usage => "usage",
        };
        sqlx::query(
            "INSERT INTO build_ledger (id, account_id, seq, kind, bucket, credits, balance_after, \
             activity_id, purchase_id, memo, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&self.id)
        .bind(self.build_ledger_seq)
        .bind(entry.kind.text())
        .bind(bucket)
        .bind(entry.credits)
        .bind(after)
        .bind(entry.activity_id)
        .bind(entry.purchase_id)
        .bind(entry.memo)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        self.save(conn).await
    }

    async fn save(&self, conn: &mut AnyConnection) -> AppResult<()> {
        sqlx::query(
            "UPDATE accounts SET build_subscription_credits = $1, build_usage_credits = $2, \
             build_period_start = $3, build_period_end = $4, build_ledger_seq = $5 WHERE id = $6",
        )
        .bind(self.build_subscription_credits)
        .bind(self.build_usage_credits)
        .bind(self.build_period_start)
        .bind(self.build_period_end)
        .bind(self.build_ledger_seq)
        .bind(&self.id)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Whether the plan period has ended at `now`.
    pub fn renewal_due(&self, now: i64) -> bool {
        now >= self.build_period_end
    }

    /// Renews the plan period if it has ended at `now`: the unused
    /// subscription credits expire, the plan's allowance is granted, and the
    /// period becomes the one holding `now` (one grant however many periods
    /// passed). Usage credits are untouched.
    pub async fn renew(&mut self, conn: &mut AnyConnection, now: i64) -> AppResult<()> {
        if !self.renewal_due(now) {
            return Ok(());
        }
        let plan = self.plan()?;
        (self.build_period_start, self.build_period_end) = period_holding(self.created_at, now);
        let unused = self.build_subscription_credits;
        if unused > 0 {
            let memo = format!("{unused} unused subscription credits expired at renewal");
            let entry = subscription(EntryKind::Expire, -unused, &memo);
            self.append(conn, entry, now).await?;
        }
        let memo = grant_memo(plan, self.build_period_start);
        let entry = subscription(EntryKind::Grant, plan.monthly_credits, &memo);
        self.append(conn, entry, now).await
    }
}

fn subscription(kind: EntryKind, credits: i64, memo: &str) -> Entry<'_> {
    Entry {
        kind,
        bucket: Bucket::Subscription,
        credits,
        activity_id: None,
        purchase_id: None,
        memo,
    }
}

fn grant_memo(plan: Plan, start: i64) -> String {
    format!(
        "{} plan: {} credits for the period from {}",
        plan.name,
        plan.monthly_credits,
        rfc3339(start)
    )
}

/// The plan period holding `now`: `[anchor + k months, anchor + k+1 months)`.
/// Counted from the anchor each time, so a period starting on the 31st
/// comes back to the 31st after a shorter month.
pub fn period_holding(anchor: i64, now: i64) -> (i64, i64) {
    let months = |k: i64| clock::add_months(anchor, u32::try_from(k).unwrap_or(u32::MAX));
    // A month is 28 to 31 days: start at the lowest estimate and walk up.
    let mut k = ((now - anchor) / (31 * clock::DAY_MS)).max(0);
    while months(k + 1) <= now {
        k += 1;
    }
    (months(k), months(k + 1))
}

/// Locks the account's row for a change and renews its period if due at `now`.
pub async fn lock(tx: &mut WriteTx, account_id: &str, now: i64) -> AppResult<BuildAccount> {
    let sql = tx.locking(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"));
    let mut account: BuildAccount = sqlx::query_as(&sql)
        .bind(account_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| AppError::not_found("account"))?;
    account.renew(tx, now).await?;
    Ok(account)
}

/// The account's build-credit state, unlocked (for reading).
pub async fn get(conn: &mut AnyConnection, account_id: &str) -> AppResult<BuildAccount> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
        .bind(account_id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| AppError::not_found("account"))
}

/// Opens the build credits of a new account (its row just inserted with zero
/// balances and `created_at`): its first period from `created_at`, the plan's
/// allowance granted, and `usage` credits as an opening adjustment.
pub async fn open(conn: &mut AnyConnection, account_id: &str, usage: i64) -> AppResult<()> {
    let mut account = get(conn, account_id).await?;
    let plan = account.plan()?;
    let now = account.created_at;
    (account.build_period_start, account.build_period_end) = period_holding(now, now);
    let memo = grant_memo(plan, now);
    let grant = subscription(EntryKind::Grant, plan.monthly_credits, &memo);
    account.append(conn, grant, now).await?;
    if usage > 0 {
        let opening = Entry {
            bucket: Bucket::Usage,
            ..subscription(EntryKind::Adjustment, usage, "Opening usage credits")
        };
        account.append(conn, opening, now).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_calendar_months_from_the_anchor() {
        let at = |text| clock::parse_rfc3339("t", text).unwrap();
        let anchor = at("2026-01-31T10:00:00Z");
        let period = |now| {
            let (start, end) = period_holding(anchor, at(now));
            (rfc3339(start), rfc3339(end))
        };
        let day = |d: &str| format!("2026-{d}T10:00:00.000Z");
        assert_eq!(period("2026-01-31T10:00:00Z"), (day("01-31"), day("02-28")));
        assert_eq!(period("2026-02-28T09:59:59Z"), (day("01-31"), day("02-28")));
        assert_eq!(period("2026-02-28T10:00:00Z"), (day("02-28"), day("03-31")));
        assert_eq!(period("2026-04-15T00:00:00Z"), (day("03-31"), day("04-30")));
        assert_eq!(
            period("2026-12-31T10:00:00Z"),
            (day("12-31"), "2027-01-31T10:00:00.000Z".into())
        );
    }
}
