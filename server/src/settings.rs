//! A project as its owner sees and changes it: its wire form (with its
//! publishable keys) and its settings, applied under the project's lock.

use crate::db::{flag, Dec};
use crate::error::{AppError, AppResult};
use crate::projects::{list, lock, ProjectRow, FREE_GRANT_USD, MAX_SETTING_USD};
use crate::services::Services;
use crate::{clock, commit, keys, ledger, topups, validate};
use rork_cloud_credits_core::wire::{self, AutoTopUp, LedgerKind, SettingsPatch};
use rust_decimal::Decimal;
use sqlx::AnyPool;

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
    commit::commit(services, tx, std::slice::from_mut(&mut project)).await?;
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
