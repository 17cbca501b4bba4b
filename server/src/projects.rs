//! Projects: the row holding their Cloud Credits balance, the "Use Cloud
//! Credits" toggle, the alert and auto top-up settings, and the project lock
//! (changed through [`crate::settings`]).

use crate::db::{Dec, WriteTx};
use crate::error::{AppError, AppResult};
use crate::{clock, validate};
use rork_cloud_credits_core::wire::{self, AutoTopUp, BalanceBrief, BalanceStatus};
use rust_decimal::Decimal;
use sqlx::{AnyConnection, AnyPool};

/// The one-time free grant when the cloud is first enabled for a project: $1.00.
pub const FREE_GRANT_USD: Decimal = Decimal::from_parts(100, 0, 0, false, 2);
/// The default low-balance threshold: $0.50.
pub const DEFAULT_LOW_THRESHOLD_USD: Decimal = Decimal::from_parts(50, 0, 0, false, 2);
/// The largest threshold or daily cap a setting accepts: $10,000.00.
pub const MAX_SETTING_USD: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// A project as stored. `balance` is always the sum of its ledger entries.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectRow {
    /// Project id.
    pub id: String,
    /// Owning account.
    pub account_id: String,
    /// Display name.
    pub name: String,
    /// The "Use Cloud Credits" toggle (0/1).
    pub use_cloud_credits: i64,
    /// When the free $1.00 was granted; `None` until the cloud is first enabled.
    pub free_grant_at: Option<i64>,
    /// Sum of the ledger entries.
    pub balance: Dec,
    /// Reserved by active holds (their entries are part of `balance`).
    pub held: Dec,
    /// Seq of the last ledger entry.
    pub ledger_seq: i64,
    /// Low-balance threshold.
    pub low_threshold: Dec,
    /// Where low-balance emails go.
    pub alert_email: Option<String>,
    /// A low-balance alert fires on the next crossing (0/1).
    pub low_armed: i64,
    /// An empty notification fires on the next crossing (0/1).
    pub empty_armed: i64,
    /// Auto top-up on (0/1).
    pub auto_enabled: i64,
    /// Auto top-up threshold.
    pub auto_threshold: Dec,
    /// Auto top-up amount.
    pub auto_amount: Dec,
    /// Auto top-up cap per UTC day.
    pub auto_daily_cap: Dec,
    /// Payment method auto top-ups charge.
    pub auto_payment_method: String,
    /// An auto top-up fires on the next crossing (0/1).
    pub auto_armed: i64,
    /// Newline-separated allowed origins for the publishable key.
    pub allowed_origins: String,
    /// Creation time (ms).
    pub created_at: i64,
    /// How far secret-key usage may take the balance below zero.
    pub overdraft_limit: Dec,
}

const COLUMNS: &str = "id, account_id, name, use_cloud_credits, free_grant_at, balance, held, \
     ledger_seq, low_threshold, alert_email, low_armed, empty_armed, auto_enabled, \
     auto_threshold, auto_amount, auto_daily_cap, auto_payment_method, auto_armed, \
     allowed_origins, created_at, overdraft_limit";

impl ProjectRow {
    /// Whether "Use Cloud Credits" is on.
    pub fn cloud_enabled(&self) -> bool {
        self.use_cloud_credits != 0
    }

    /// The balance ignoring in-flight holds: what alerts and auto top-up
    /// watch, so reserving and releasing never triggers an alert by itself.
    pub fn settled_balance(&self) -> Decimal {
        self.balance.0 + self.held.0
    }

    /// `ok`, `low` or `empty`, from the balance.
    pub fn status(&self) -> BalanceStatus {
        if self.balance.0 <= Decimal::ZERO {
            BalanceStatus::Empty
        } else if self.balance.0 < self.low_threshold.0 {
            BalanceStatus::Low
        } else {
            BalanceStatus::Ok
        }
    }

    /// The allowed origins as a list.
    pub fn origins(&self) -> Vec<String> {
        self.allowed_origins
            .lines()
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The auto top-up settings.
    pub fn auto_top_up(&self) -> AutoTopUp {
        AutoTopUp {
            enabled: self.auto_enabled != 0,
            threshold_usd: self.auto_threshold.0,
            amount_usd: self.auto_amount.0,
            daily_cap_usd: self.auto_daily_cap.0,
            payment_method: self.auto_payment_method.clone(),
        }
    }

    /// The balance as `GET /v1/projects/{id}/balance` answers it.
    pub fn balance_wire(&self, public_url: &str) -> wire::Balance {
        wire::Balance {
            project_id: self.id.clone(),
            balance_usd: self.balance.0,
            held_usd: self.held.0,
            available_usd: self.balance.0.max(Decimal::ZERO),
            status: self.status(),
            use_cloud_credits: self.cloud_enabled(),
            low_balance_threshold_usd: self.low_threshold.0,
            auto_top_up: self.auto_top_up(),
            add_credits_url: add_credits_url(public_url, &self.id),
            as_of: clock::rfc3339(clock::now_ms()),
        }
    }

    /// The balance in short.
    pub fn brief(&self) -> BalanceBrief {
        BalanceBrief {
            project_id: self.id.clone(),
            balance_usd: self.balance.0,
            status: self.status(),
        }
    }
}

/// Where the owner adds credits for `project_id`: the billing page of the dashboard.
pub fn add_credits_url(public_url: &str, project_id: &str) -> String {
    format!("{public_url}/?project={project_id}#add-credits")
}

/// Creates a project with Cloud Credits off and a zero balance.
pub async fn create(
    conn: &mut AnyConnection,
    account_id: &str,
    name: &str,
) -> AppResult<ProjectRow> {
    validate::text("name", name, validate::MAX_NAME_CHARS)?;
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(&format!(
        "INSERT INTO projects ({COLUMNS}) VALUES \
         ($1, $2, $3, 0, NULL, '0', '0', 0, $4, NULL, 1, 1, 0, '1.00', '10.00', '50.00', \
          'pm_test_ok', 1, '', $5, '0')"
    ))
    .bind(&id)
    .bind(account_id)
    .bind(name)
    .bind(Dec(DEFAULT_LOW_THRESHOLD_USD))
    .bind(clock::now_ms())
    .execute(&mut *conn)
    .await?;
    fetch(conn, &id).await
}

/// The project with `id`, or `not_found`.
pub async fn get(pool: &AnyPool, id: &str) -> AppResult<ProjectRow> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM projects WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::not_found("project"))
}

async fn fetch(conn: &mut AnyConnection, id: &str) -> AppResult<ProjectRow> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM projects WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| AppError::not_found("project"))
}

/// Locks the project's row for the rest of `tx` and reads it: every change
/// to a balance happens under this lock, so concurrent requests (from any
/// number of server instances) apply one after the other.
pub async fn lock(tx: &mut WriteTx, id: &str) -> AppResult<ProjectRow> {
    let sql = tx.locking(&format!("SELECT {COLUMNS} FROM projects WHERE id = $1"));
    sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| AppError::not_found("project"))
}

/// The account's projects, oldest first.
pub async fn list(pool: &AnyPool, account_id: &str) -> AppResult<Vec<ProjectRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM projects WHERE account_id = $1 ORDER BY created_at, id"
    ))
    .bind(account_id)
    .fetch_all(pool)
    .await?)
}
