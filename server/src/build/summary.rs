//! `GET /v1/build-credits`: what the Build Credits tab shows.

use super::activity::{self, RECENT_MS};
use super::ledger;
use super::plans::{self, whole};
use crate::clock::rfc3339;
use crate::error::AppResult;
use crate::services::Services;
use rork_cloud_credits_core::wire::BuildCreditsSummary;

/// The account's build credits (renewed first if the period has ended), its
/// plan and period, the packs on sale, and the last 30 days' activity: per
/// kind, and the newest `limit` entries.
pub async fn summary(
    services: &Services,
    account_id: &str,
    limit: u32,
) -> AppResult<BuildCreditsSummary> {
    let now = services.clock.now_ms();
    let mut conn = services.store.pool().acquire().await?;
    let mut account = ledger::get(&mut conn, account_id).await?;
    if account.renewal_due(now) {
        drop(conn);
        let mut tx = services.store.write().await?;
        account = ledger::lock(&mut tx, account_id, now).await?;
        tx.commit().await?;
        conn = services.store.pool().acquire().await?;
    }
    let since = now - RECENT_MS;
    let by_kind = activity::by_kind(&mut conn, account_id, since).await?;
    let subscription = whole(account.build_subscription_credits);
    let usage = whole(account.build_usage_credits);
    Ok(BuildCreditsSummary {
        remaining: subscription + usage,
        subscription,
        usage,
        plan: account.plan()?.to_wire(),
        period_start: rfc3339(account.build_period_start),
        renews_at: rfc3339(account.build_period_end),
        upgrade_url: plans::UPGRADE_URL.into(),
        packs: plans::PACKS.into_iter().map(plans::Pack::to_wire).collect(),
        by_kind,
        recent: activity::recent(&mut conn, account_id, since, limit).await?,
    })
}
