//! Charge review, "if a charge looks wrong": given a project, an approximate
//! time and the user's description of the action, find the build activity
//! (build credits, in the editor) and the cloud usage (Cloud Credits, the
//! running app) around that time, say which one the charge most likely
//! belongs to, and file a support report with an id.

use crate::clock::{self, rfc3339};
use crate::db::{enum_text, stored_count, Dec};
use crate::error::{AppError, AppResult};
use crate::{build, ledger, projects, validate};
use rork_cloud_credits_core::estimate::UsageRequest;
use rork_cloud_credits_core::id;
use rork_cloud_credits_core::wire::{
    BuildActivity, ChargeClassification, ChargeReview, ChargeReviewRequest, RecordedUsage,
};
use sqlx::AnyPool;

/// The default window either side of the approximate time: 60 minutes.
pub const DEFAULT_WINDOW_MINUTES: u32 = 60;
/// The widest window: one day either side.
pub const MAX_WINDOW_MINUTES: u32 = 1440;
/// The longest description of the action that led to the charge.
pub const MAX_ACTION_CHARS: usize = 2000;

/// `POST /v1/support/charge-reviews` for `account_id`.
pub async fn create(
    pool: &AnyPool,
    account_id: &str,
    request: &ChargeReviewRequest,
) -> AppResult<ChargeReview> {
    let project_id = match (&request.project_id, &request.project_link) {
        (Some(id), _) => id.clone(),
        (None, Some(link)) => project_id_in_link(link)?,
        (None, None) => {
            return Err(AppError::invalid(
                "give projectId or projectLink (a link to the project)",
            ))
        }
    };
    let project = projects::get(pool, &project_id).await?;
    if project.account_id != account_id {
        return Err(AppError::not_found("project"));
    }
    let at = clock::parse_rfc3339("approximateTime", &request.approximate_time)?;
    validate::text("action", &request.action, MAX_ACTION_CHARS)?;
    let window_minutes = request.window_minutes.unwrap_or(DEFAULT_WINDOW_MINUTES);
    if !(1..=MAX_WINDOW_MINUTES).contains(&window_minutes) {
        return Err(AppError::invalid(format!(
            "windowMinutes must be from 1 to {MAX_WINDOW_MINUTES}, got {window_minutes}"
        )));
    }
    let window = i64::from(window_minutes) * 60_000;
    let (from, to) = (at - window, at + window);

    let usage_events = usage_between(pool, &project.id, from, to).await?;
    let build_activity =
        build::activity::between(&mut *pool.acquire().await?, &project.id, from, to).await?;
    let ledger_entries = ledger::around(pool, &project.id, from, to).await?;
    let (classification, reason) = classify(at, &usage_events, &build_activity)?;

    let now = clock::now_ms();
    let review = ChargeReview {
        id: format!("sr_{}", uuid::Uuid::new_v4().simple()),
        project_id: project.id.clone(),
        classification,
        reason,
        approximate_time: rfc3339(at),
        action: request.action.clone(),
        window_minutes,
        ledger_entries,
        usage_events,
        build_activity,
        created_at: rfc3339(now),
    };
    sqlx::query(
        "INSERT INTO support_reports (id, account_id, project_id, classification, report, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&review.id)
    .bind(account_id)
    .bind(&review.project_id)
    .bind(enum_text(classification))
    .bind(serde_json::to_string(&review).map_err(AppError::internal)?)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(review)
}

/// The project id (a UUID) inside a project link such as
/// `https://rork.com/p/3f2a.../settings`.
fn project_id_in_link(link: &str) -> AppResult<String> {
    link.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .find_map(id::canonical_uuid)
        .ok_or_else(|| AppError::invalid(format!("projectLink holds no project id: {link:?}")))
}

/// Build or cloud: whichever kind of activity happened closest to `at`
/// (ties go to cloud, which has the exact per-event record).
fn classify(
    at: i64,
    usage: &[RecordedUsage],
    build: &[BuildActivity],
) -> AppResult<(ChargeClassification, String)> {
    let nearest = |times: Vec<i64>| times.into_iter().map(|t| (t - at).abs()).min();
    let cloud = nearest(
        usage
            .iter()
            .map(|u| clock::parse_rfc3339("occurredAt", &u.occurred_at))
            .collect::<AppResult<_>>()?,
    );
    let built = nearest(
        build
            .iter()
            .map(|b| clock::parse_rfc3339("occurredAt", &b.occurred_at))
            .collect::<AppResult<_>>()?,
    );
    let (classification, distance) = match (cloud, built) {
        (None, None) => {
            return Ok((
                ChargeClassification::Unknown,
                "No build activity or cloud usage was recorded in that window; support will look wider."
                    .into(),
            ))
        }
        (Some(c), Some(b)) if b < c => (ChargeClassification::Build, b),
        (Some(c), _) => (ChargeClassification::Cloud, c),
        (None, Some(b)) => (ChargeClassification::Build, b),
    };
    let minutes = distance / 60_000;
    let reason = if classification == ChargeClassification::Build {
        format!(
            "Build activity in the editor ({} items, the nearest {minutes} min from the time given): \
             paid from build credits.",
            build.len()
        )
    } else {
        format!(
            "Cloud usage by the running app ({} events, the nearest {minutes} min from the time given): \
             paid from Cloud Credits.",
            usage.len()
        )
    };
    Ok((classification, reason))
}

#[derive(sqlx::FromRow)]
struct UsageRow {
    id: String,
    project_id: String,
    model: String,
    input_tokens: i64,
    cached_input_tokens: i64,
    cache_write_tokens: i64,
    output_tokens: i64,
    units: i64,
    feature: Option<String>,
    hold_id: Option<String>,
    cost: Dec,
    occurred_at: i64,
    recorded_at: i64,
}

async fn usage_between(
    pool: &AnyPool,
    project_id: &str,
    from: i64,
    to: i64,
) -> AppResult<Vec<RecordedUsage>> {
    let rows: Vec<UsageRow> = sqlx::query_as(
        "SELECT id, project_id, model, input_tokens, cached_input_tokens, cache_write_tokens, \
         output_tokens, units, feature, hold_id, cost, occurred_at, recorded_at FROM usage_events \
         WHERE project_id = $1 AND occurred_at >= $2 AND occurred_at <= $3 ORDER BY occurred_at, id",
    )
    .bind(project_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| RecordedUsage {
            id: row.id,
            project_id: row.project_id,
            usage: UsageRequest {
                model: row.model,
                input_tokens: stored_count(row.input_tokens),
                cached_input_tokens: stored_count(row.cached_input_tokens),
                cache_write_tokens: stored_count(row.cache_write_tokens),
                output_tokens: stored_count(row.output_tokens),
                units: stored_count(row.units),
            },
            feature: row.feature,
            hold_id: row.hold_id,
            cost_usd: row.cost.0,
            occurred_at: rfc3339(row.occurred_at),
            recorded_at: rfc3339(row.recorded_at),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rork_cloud_credits_core::wire::BuildKind;
    use rust_decimal::Decimal;

    #[test]
    fn finds_the_project_id_in_a_link() {
        assert_eq!(
            project_id_in_link("https://rork.com/p/3F2A9C1E-0B6D-4E4F-9A8B-1C2D3E4F5A6B/settings")
                .unwrap(),
            "3f2a9c1e-0b6d-4e4f-9a8b-1c2d3e4f5a6b"
        );
        assert!(project_id_in_link("https://rork.com/p/my-app").is_err());
    }

    #[test]
    fn the_nearest_activity_decides_build_or_cloud() {
        let usage = |t: &str| RecordedUsage {
            id: "u".into(),
            project_id: "p".into(),
            usage: UsageRequest::default(),
            feature: None,
            hold_id: None,
            cost_usd: Decimal::ONE,
            occurred_at: t.into(),
            recorded_at: t.into(),
        };
        let build = |t: &str| BuildActivity {
            id: "b".into(),
            project_id: "p".into(),
            kind: BuildKind::Build,
            description: "Build".into(),
            credits: 1,
            subscription_credits: 1,
            usage_credits: 0,
            occurred_at: t.into(),
        };
        let at = clock::parse_rfc3339("t", "2026-11-25T12:00:00Z").unwrap();
        let near = "2026-11-25T12:05:00Z";
        let far = "2026-11-25T12:30:00Z";
        assert_eq!(
            classify(at, &[], &[]).unwrap().0,
            ChargeClassification::Unknown
        );
        assert_eq!(
            classify(at, &[usage(near)], &[build(far)]).unwrap().0,
            ChargeClassification::Cloud
        );
        assert_eq!(
            classify(at, &[usage(far)], &[build(near)]).unwrap().0,
            ChargeClassification::Build
        );
        assert_eq!(
            classify(at, &[], &[build(far)]).unwrap().0,
            ChargeClassification::Build
        );
    }
}
