//! Balance alerts: project notifications (`low`, `empty`, auto top-up),
//! low-balance emails (one per crossing, written to the outbox in the same
//! transaction as the change that crossed) and the auto top-up trigger (the
//! top-up itself is [`crate::topups::after_change`]'s).
//!
//! Each alert has an "armed" flag on the project: it fires when the settled
//! balance (the balance ignoring in-flight holds) crosses below its level
//! while armed, which disarms it, and it re-arms once the settled balance is
//! back at or above the level. So there is exactly one alert per crossing.

use crate::clock;
use crate::db::{enum_from_text, enum_text, Dec, WriteTx};
use crate::error::AppResult;
use crate::projects::{self, ProjectRow};
use rork_cloud_credits_core::money::format_usd;
use rork_cloud_credits_core::wire::{Notification, NotificationKind};
use rust_decimal::Decimal;
use sqlx::AnyPool;

/// Fires and re-arms the project's alerts for its current balance, in `tx`.
/// Returns whether the auto top-up fired (it is due now).
pub async fn evaluate(
    tx: &mut WriteTx,
    project: &mut ProjectRow,
    public_url: &str,
) -> AppResult<bool> {
    let settled = project.settled_balance();
    let before = (project.low_armed, project.empty_armed, project.auto_armed);
    let link = projects::add_credits_url(public_url, &project.id);

    if crossed(&mut project.low_armed, settled < project.low_threshold.0) {
        let message = format!(
            "Cloud Credits for {} are running low: {} left (alert threshold {}).",
            project.name,
            format_usd(settled),
            format_usd(project.low_threshold.0)
        );
        notify(tx, project, NotificationKind::Low, &message).await?;
        if let Some(to) = project.alert_email.clone() {
            let subject = format!("Cloud Credits low for {}", project.name);
            let body = format!(
                "{message}\n\nAdd credits so your app's AI and cloud features keep working: {link}\n"
            );
            queue_email(tx, &project.id, &to, &subject, &body).await?;
        }
    }
    if crossed(&mut project.empty_armed, settled <= Decimal::ZERO) {
        let message = format!(
            "Cloud Credits for {} have run out ({}): AI and cloud features are paused until you add credits.",
            project.name,
            format_usd(settled)
        );
        notify(tx, project, NotificationKind::Empty, &message).await?;
    }
    let auto_top_up = project.auto_enabled != 0
        && crossed(&mut project.auto_armed, settled < project.auto_threshold.0);

    if before != (project.low_armed, project.empty_armed, project.auto_armed) {
        sqlx::query(
            "UPDATE projects SET low_armed = $1, empty_armed = $2, auto_armed = $3 WHERE id = $4",
        )
        .bind(project.low_armed)
        .bind(project.empty_armed)
        .bind(project.auto_armed)
        .bind(&project.id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(auto_top_up)
}

/// Updates an alert's armed flag given whether the balance is `below` its
/// level: returns true (and disarms) when an armed alert is below; re-arms
/// once the balance is no longer below.
fn crossed(armed: &mut i64, below: bool) -> bool {
    let fire = *armed != 0 && below;
    *armed = i64::from(!below);
    fire
}

/// Raises a notification for the project, in `tx`.
pub async fn notify(
    tx: &mut WriteTx,
    project: &ProjectRow,
    kind: NotificationKind,
    message: &str,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO notifications (id, project_id, kind, message, balance, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&project.id)
    .bind(enum_text(kind))
    .bind(message)
    .bind(project.balance)
    .bind(clock::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn queue_email(
    tx: &mut WriteTx,
    project_id: &str,
    to: &str,
    subject: &str,
    body: &str,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO email_outbox (id, project_id, to_address, subject, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(project_id)
    .bind(to)
    .bind(subject)
    .bind(body)
    .bind(clock::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: String,
    project_id: String,
    kind: String,
    message: String,
    balance: Dec,
    created_at: i64,
}

/// The project's most recent `limit` notifications, newest first.
pub async fn notifications(
    pool: &AnyPool,
    project_id: &str,
    limit: u32,
    public_url: &str,
) -> AppResult<Vec<Notification>> {
    let rows: Vec<NotificationRow> = sqlx::query_as(
        "SELECT id, project_id, kind, message, balance, created_at FROM notifications \
         WHERE project_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(project_id)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(Notification {
                add_credits_url: projects::add_credits_url(public_url, &row.project_id),
                id: row.id,
                project_id: row.project_id,
                kind: enum_from_text(&row.kind)?,
                message: row.message,
                balance_usd: row.balance.0,
                created_at: clock::rfc3339(row.created_at),
            })
        })
        .collect()
}

/// An email waiting in (or sent from) the outbox.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxEmail {
    /// Email id.
    pub id: String,
    /// The project it is about.
    pub project_id: String,
    /// Recipient.
    pub to_address: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// When it was queued (ms).
    pub created_at: i64,
    /// When it was handed to the SMTP server (ms); `None` while waiting.
    pub sent_at: Option<i64>,
}

/// The project's outbox, oldest first.
pub async fn outbox(pool: &AnyPool, project_id: &str) -> AppResult<Vec<OutboxEmail>> {
    Ok(sqlx::query_as(
        "SELECT id, project_id, to_address, subject, body, created_at, sent_at \
         FROM email_outbox WHERE project_id = $1 ORDER BY created_at, id",
    )
    .bind(project_id)
    .fetch_all(pool)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::crossed;

    #[test]
    fn an_alert_fires_once_per_crossing_and_rearms_when_no_longer_below() {
        let mut armed = 1;
        assert!(!crossed(&mut armed, false));
        assert!(crossed(&mut armed, true));
        assert!(!crossed(&mut armed, true));
        assert!(!crossed(&mut armed, true));
        assert_eq!(armed, 0);
        assert!(!crossed(&mut armed, false));
        assert_eq!(armed, 1);
        assert!(crossed(&mut armed, true));
    }
}
