//! Projects: their Cloud Credits balance, the "Use Cloud Credits" toggle,
//! the one-time free grant and the alert / auto top-up settings.

use crate::db::{flag, Dec, WriteTx};
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::{clock, keys, ledger, topups, validate};
use rork_cloud_credits_core::wire::{
    self, AutoTopUp, BalanceBrief, BalanceStatus, LedgerKind, SettingsPatch,
};
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

/// The project as the API shows it.
pub async fn to_wire(
    pool: &AnyPool,
    project: &ProjectRow,
    public_url: &str,
) -> AppResult<wire::Project> {
    Ok(wire::Project {
        id: project.id.clone(),
        name: project.name.clone(),
        balance: project.balance_wire(public_url),
        alert_email: project.alert_email.clone(),
        free_grant_received: project.free_grant_at.is_some(),
        allowed_origins: project.origins(),
        publishable_keys: keys::list_for_project(pool, &project.id).await?,
        overdraft_limit_usd: project.overdraft_limit.0,
    })
}

/// The account's projects as the API shows them.
pub async fn list_wire(
    pool: &AnyPool,
    account_id: &str,
    public_url: &str,
) -> AppResult<Vec<wire::Project>> {
    let mut out = Vec::new();
    for project in list(pool, account_id).await? {
        out.push(to_wire(pool, &project, public_url).await?);
    }
    Ok(out)
}

/// Applies a settings patch atomically: validates all of it first, then
/// writes it under the project's lock. Turning the cloud on for the first
/// time grants the free $1.00 (once per project, ever).
pub async fn update_settings(
    services: &Services,
    project_id: &str,
    patch: &SettingsPatch,
) -> AppResult<ProjectRow> {
    let alert_email = match patch.alert_email.as_deref().map(str::trim) {
        Some("") => Some(None),
        Some(email) => {
            validate::email("alertEmail", email)?;
            Some(Some(email.to_owned()))
        }
        None => None,
    };
    if let Some(threshold) = patch.low_balance_threshold_usd {
        validate::cents(
            "lowBalanceThresholdUsd",
            threshold,
            Decimal::ZERO,
            MAX_SETTING_USD,
        )?;
    }
    if let Some(auto) = &patch.auto_top_up {
        validate_auto_top_up(auto)?;
    }
    if let Some(overdraft) = patch.overdraft_limit_usd {
        validate::cents(
            "overdraftLimitUsd",
            overdraft,
            Decimal::ZERO,
            MAX_SETTING_USD,
        )?;
    }
    let origins = match &patch.allowed_origins {
        Some(list) if list.len() > 20 => {
            return Err(AppError::invalid("allowedOrigins holds at most 20 origins"))
        }
        Some(list) => Some(
            list.iter()
                .map(|origin| validate::origin(origin))
                .collect::<AppResult<Vec<_>>>()?
                .join("\n"),
        ),
        None => None,
    };

    let mut tx = services.store.write().await?;
    let mut project = lock(&mut tx, project_id).await?;
    let now = clock::now_ms();
    if let Some(enabled) = patch.use_cloud_credits {
        project.use_cloud_credits = flag(enabled);
        if enabled && project.free_grant_at.is_none() {
            project.free_grant_at = Some(now);
            ledger::append(
                &mut tx,
                &mut project,
                LedgerKind::Grant,
                FREE_GRANT_USD,
                ledger::Refs::default(),
                "Free Cloud Credits for enabling Rork AI Cloud",
            )
            .await?;
        }
    }
    if let Some(threshold) = patch.low_balance_threshold_usd {
        project.low_threshold = Dec(threshold);
    }
    if let Some(email) = alert_email {
        project.alert_email = email;
    }
    if let Some(auto) = &patch.auto_top_up {
        project.auto_enabled = flag(auto.enabled);
        project.auto_threshold = Dec(auto.threshold_usd);
        project.auto_amount = Dec(auto.amount_usd);
        project.auto_daily_cap = Dec(auto.daily_cap_usd);
        project.auto_payment_method = auto.payment_method.clone();
    }
    if let Some(origins) = origins {
        project.allowed_origins = origins;
    }
    if let Some(overdraft) = patch.overdraft_limit_usd {
        project.overdraft_limit = Dec(overdraft);
    }
    sqlx::query(
        "UPDATE projects SET use_cloud_credits = $1, free_grant_at = $2, low_threshold = $3, \
         alert_email = $4, auto_enabled = $5, auto_threshold = $6, auto_amount = $7, \
         auto_daily_cap = $8, auto_payment_method = $9, allowed_origins = $10, \
         overdraft_limit = $11 WHERE id = $12",
    )
    .bind(project.use_cloud_credits)
    .bind(project.free_grant_at)
    .bind(project.low_threshold)
    .bind(project.alert_email.clone())
    .bind(project.auto_enabled)
    .bind(project.auto_threshold)
    .bind(project.auto_amount)
    .bind(project.auto_daily_cap)
    .bind(project.auto_payment_method.clone())
    .bind(project.allowed_origins.clone())
    .bind(project.overdraft_limit)
    .bind(&project.id)
    .execute(&mut *tx)
    .await?;
    services
        .commit(tx, std::slice::from_mut(&mut project))
        .await?;
    Ok(project)
}

fn validate_auto_top_up(auto: &AutoTopUp) -> AppResult<()> {
    validate::cents(
        "autoTopUp.amountUsd",
        auto.amount_usd,
        topups::MIN_TOP_UP_USD,
        topups::MAX_TOP_UP_USD,
    )?;
    validate::cents(
        "autoTopUp.thresholdUsd",
        auto.threshold_usd,
        Decimal::ZERO,
        MAX_SETTING_USD,
    )?;
    validate::cents(
        "autoTopUp.dailyCapUsd",
        auto.daily_cap_usd,
        auto.amount_usd,
        MAX_SETTING_USD,
    )?;
    validate::text(
        "autoTopUp.paymentMethod",
        &auto.payment_method,
        validate::MAX_NAME_CHARS,
    )
}
