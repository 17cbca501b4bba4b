//! Usage summaries: spend and tokens over the last N UTC days, grouped by
//! model, project or day. Costs are summed exactly in Rust (the database
//! holds them as decimal strings).

use crate::clock::{self, DAY_MS};
use crate::db::{stored_count, Dec};
use crate::error::{AppError, AppResult};
use rork_cloud_credits_core::wire::{GroupBy, UsageGroup, UsageSummary};
use rust_decimal::Decimal;
use sqlx::AnyPool;
use std::collections::BTreeMap;

/// The default window: 30 days.
pub const DEFAULT_DAYS: u32 = 30;
/// The longest window: 90 days.
pub const MAX_DAYS: u32 = 90;

/// Whose usage to summarize.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// One project.
    Project(&'a str),
    /// Every project of an account.
    Account(&'a str),
}

#[derive(sqlx::FromRow)]
struct EventRow {
    project_id: String,
    project_name: String,
    model: String,
    input_tokens: i64,
    output_tokens: i64,
    units: i64,
    cost: Dec,
    occurred_at: i64,
}

/// Summarizes `scope`'s usage over the `days` UTC days ending today
/// (`days` defaults to 30, at most 90), grouped by `group_by`.
pub async fn summarize(
    pool: &AnyPool,
    scope: Scope<'_>,
    days: Option<u32>,
    group_by: GroupBy,
) -> AppResult<UsageSummary> {
    let days = days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(AppError::invalid(format!(
            "days must be from 1 to {MAX_DAYS}, got {days}"
        )));
    }
    if group_by == GroupBy::Project && matches!(scope, Scope::Project(_)) {
        return Err(AppError::invalid(
            "groupBy=project is for account summaries (GET /v1/account/usage)",
        ));
    }
    let now = clock::now_ms();
    let from = clock::start_of_utc_day(now) - i64::from(days - 1) * DAY_MS;
    let (filter, id) = match scope {
        Scope::Project(id) => ("u.project_id = $1", id),
        Scope::Account(id) => ("p.account_id = $1", id),
    };
    let rows: Vec<EventRow> = sqlx::query_as(&format!(
        "SELECT u.project_id, p.name AS project_name, u.model, u.input_tokens, u.output_tokens, \
         u.units, u.cost, u.occurred_at FROM usage_events u JOIN projects p ON p.id = u.project_id \
         WHERE {filter} AND u.occurred_at >= $2"
    ))
    .bind(id)
    .bind(from)
    .fetch_all(pool)
    .await?;

    let mut groups: BTreeMap<String, UsageGroup> = BTreeMap::new();
    if group_by == GroupBy::Day {
        for day in 0..i64::from(days) {
            let key = clock::utc_day(from + day * DAY_MS);
            groups.insert(key.clone(), empty_group(key.clone(), key));
        }
    }
    let mut total = Decimal::ZERO;
    let mut total_events = 0;
    for row in rows {
        let (key, label) = match group_by {
            GroupBy::Model => (row.model.clone(), row.model),
            GroupBy::Project => (row.project_id, row.project_name),
            GroupBy::Day => {
                let day = clock::utc_day(row.occurred_at);
                (day.clone(), day)
            }
        };
        let group = groups
            .entry(key.clone())
            .or_insert_with(|| empty_group(key, label));
        group.cost_usd += row.cost.0;
        group.events += 1;
        group.input_tokens = group
            .input_tokens
            .saturating_add(stored_count(row.input_tokens));
        group.output_tokens = group
            .output_tokens
            .saturating_add(stored_count(row.output_tokens));
        group.units = group.units.saturating_add(stored_count(row.units));
        total += row.cost.0;
        total_events += 1;
    }
    let mut groups: Vec<UsageGroup> = groups.into_values().collect();
    if group_by != GroupBy::Day {
        groups.sort_by(|a, b| b.cost_usd.cmp(&a.cost_usd).then_with(|| a.key.cmp(&b.key)));
    }
    Ok(UsageSummary {
        days,
        group_by,
        from: clock::rfc3339(from),
        to: clock::rfc3339(now),
        total_cost_usd: total,
        total_events,
        groups,
    })
}

fn empty_group(key: String, label: String) -> UsageGroup {
    UsageGroup {
        key,
        label,
        cost_usd: Decimal::ZERO,
        events: 0,
        input_tokens: 0,
        output_tokens: 0,
        units: 0,
    }
}
