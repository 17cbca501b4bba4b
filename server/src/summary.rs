//! Usage summaries: spend and tokens over the last N UTC days, grouped by
//! model, project or day, from the per-day totals (`daily`): a row per
//! project, day and model of the window, however many events it holds.
//! Costs are summed exactly in Rust (the database holds decimal strings).

use crate::clock::{self, DAY_MS};
use crate::daily::{StoredTotals, Totals};
use crate::error::{AppError, AppResult};
use rork_cloud_credits_core::wire::{GroupBy, UsageGroup, UsageSummary};
use sqlx::AnyPool;
use std::collections::BTreeMap;

/// The default window: 30 days.
pub const DEFAULT_DAYS: u32 = 30;
/// The longest window, in UTC days: the core's, as the SDK checks it.
pub use rork_cloud_credits_core::wire::MAX_SUMMARY_DAYS as MAX_DAYS;

/// Whose usage to summarize.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// One project.
    Project(&'a str),
    /// Every project of an account.
    Account(&'a str),
}

#[derive(sqlx::FromRow)]
struct DayRow {
    project_id: String,
    project_name: String,
    model: String,
    day: i64,
    #[sqlx(flatten)]
    totals: StoredTotals,
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
        Scope::Project(id) => ("d.project_id = $1", id),
        Scope::Account(id) => ("p.account_id = $1", id),
    };
    let rows: Vec<DayRow> = sqlx::query_as(&format!(
        "SELECT d.project_id, p.name AS project_name, d.model, d.day, d.events, d.input_tokens, \
         d.output_tokens, d.units, d.cost FROM usage_daily d JOIN projects p ON p.id = d.project_id \
         WHERE {filter} AND d.day >= $2"
    ))
    .bind(id)
    .bind(from)
    .fetch_all(pool)
    .await?;

    // Key → (label, totals).
    let mut groups: BTreeMap<String, (String, Totals)> = BTreeMap::new();
    if group_by == GroupBy::Day {
        for day in 0..i64::from(days) {
            let key = clock::utc_day(from + day * DAY_MS);
            groups.insert(key.clone(), (key, Totals::default()));
        }
    }
    let mut total = Totals::default();
    for row in rows {
        let (key, label) = match group_by {
            GroupBy::Model => (row.model.clone(), row.model),
            GroupBy::Project => (row.project_id, row.project_name),
            GroupBy::Day => {
                let day = clock::utc_day(row.day);
                (day.clone(), day)
            }
        };
        let totals = Totals::from(row.totals);
        let (_, group) = groups
            .entry(key)
            .or_insert_with(|| (label, Totals::default()));
        group.add(&totals)?;
        total.add(&totals)?;
    }
    let mut groups: Vec<UsageGroup> = groups
        .into_iter()
        .map(|(key, (label, totals))| UsageGroup {
            key,
            label,
            cost_usd: totals.cost,
            events: totals.events,
            input_tokens: totals.input_tokens,
            output_tokens: totals.output_tokens,
            units: totals.units,
        })
        .collect();
    if group_by != GroupBy::Day {
        groups.sort_by(|a, b| b.cost_usd.cmp(&a.cost_usd).then_with(|| a.key.cmp(&b.key)));
    }
    Ok(UsageSummary {
        days,
        group_by,
        from: clock::rfc3339(from),
        to: clock::rfc3339(now),
        total_cost_usd: total.cost,
        total_events: total.events,
        groups,
    })
}
