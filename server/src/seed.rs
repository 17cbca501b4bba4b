//! `--seed-demo`: the demo account, created once and found again on every
//! later start. Everything goes through the same operations the API uses
//! (settings, top-up, usage ingestion), so the demo's ledger is a real one.

use crate::error::AppResult;
use crate::services::Services;
use crate::usage::{self, Reporter};
use crate::{accounts, build, clock, keys, projects, settings, topups};
use rork_cloud_credits_core::catalog::{Catalog, Kind};
use rork_cloud_credits_core::wire::{
    BuildKind, BuildPackRequest, DemoInfo, SettingsPatch, TopUpRequest,
};
use rust_decimal::Decimal;
use serde_json::json;

/// The demo account's email.
pub const DEMO_EMAIL: &str = "demo@example.com";
/// The demo account's password.
pub const DEMO_PASSWORD: &str = "demo";
/// The demo project with Cloud Credits on and a usage history.
pub const DEMO_PROJECT: &str = "Recipe Chat";
/// The second demo project, still on legacy features.
const LEGACY_PROJECT: &str = "Landing Page";
/// Days of build activity, within the account's first plan period.
const BUILD_DAYS: i64 = 25;

/// Creates the demo account if it does not exist yet, and issues a fresh
/// publishable key for the demo project (revoking the previous one: the
/// server keeps only key hashes, so an old key cannot be shown again).
pub async fn demo(services: &Services) -> AppResult<DemoInfo> {
    let pool = services.store.pool();
    let account = match accounts::by_email(pool, DEMO_EMAIL).await? {
        Some(account) => account,
        None => create_demo_account(services).await?,
    };
    let project = projects::list(pool, &account.id)
        .await?
        .into_iter()
        .find(|project| project.name == DEMO_PROJECT)
        .ok_or_else(|| crate::error::AppError::not_found("demo project"))?;
    let mut tx = services.store.write().await?;
    for key in keys::list_for_project(pool, &project.id).await? {
        keys::revoke(&mut tx, &account.id, &key.id).await?;
    }
    let key = keys::create(&mut tx, &account.id, Some(&project.id)).await?;
    tx.commit().await?;
    Ok(DemoInfo {
        project_id: project.id,
        publishable_key: key.key,
        email: DEMO_EMAIL.into(),
    })
}

async fn create_demo_account(services: &Services) -> AppResult<accounts::AccountRow> {
    let now = services.clock.now_ms();
    let hour = 3_600_000;
    let mut tx = services.store.write().await?;
    let account = accounts::create(
        &mut tx,
        &accounts::NewAccount {
            email: DEMO_EMAIL,
            password: DEMO_PASSWORD,
            plan: "Pro",
            build_usage_credits: 0,
            created_at: now - BUILD_DAYS * 24 * hour,
        },
    )
    .await?;
    let app = projects::create(&mut tx, &account.id, DEMO_PROJECT).await?;
    let legacy = projects::create(&mut tx, &account.id, LEGACY_PROJECT).await?;
    tx.commit().await?;

    let pack = BuildPackRequest {
        pack: "credits_200".into(),
        payment_method: None,
    };
    build::packs::buy(services, &account.id, &pack, Some("demo-seed-pack")).await?;
    let mut tx = services.store.write().await?;
    let mut credits = build::ledger::lock(&mut tx, &account.id, now).await?;
    for day in 0..BUILD_DAYS {
        let (project, kind, description, cost) = match day % 4 {
            0 => (
                &legacy.id,
                BuildKind::Build,
                "Build and preview from the editor",
                3,
            ),
            1 => (&app.id, BuildKind::Chat, "Chat messages with the agent", 2),
            2 => (
                &app.id,
                BuildKind::Asset,
                "Generated app icon and splash images",
                4,
            ),
            _ => (&app.id, BuildKind::Publish, "Published to the web", 5),
        };
        let debit = build::activity::Debit {
            project_id: project,
            kind,
            description,
            credits: cost,
            idempotency_key: None,
            occurred_at: now - day * 24 * hour - 2 * hour,
        };
        debit.apply(&mut tx, &mut credits, now).await?;
    }
    tx.commit().await?;

    let enable = SettingsPatch {
        use_cloud_credits: Some(true),
        ..SettingsPatch::default()
    };
    settings::update_settings(services, &app.id, &enable).await?;
    let top_up = TopUpRequest {
        amount_usd: Decimal::new(2000, 2),
        payment_method: None,
    };
    topups::top_up(services, &app.id, &top_up, Some("demo-seed")).await?;
    let alerts = SettingsPatch {
        low_balance_threshold_usd: Some(Decimal::new(200, 2)),
        alert_email: Some(DEMO_EMAIL.into()),
        ..SettingsPatch::default()
    };
    settings::update_settings(services, &app.id, &alerts).await?;
    let events = history(&app.id, now);
    usage::ingest(services, Reporter::Account(&account.id), events).await?;
    Ok(account)
}

/// Thirty days of plausible usage: a few chat requests a day on three text
/// models, plus some image generations and web searches.
fn history(project_id: &str, now: i64) -> Vec<serde_json::Value> {
    let catalog = Catalog::builtin();
    let of_kind = |kind: Kind| {
        catalog
            .entries()
            .iter()
            .filter(move |entry| entry.kind == kind)
            .map(|entry| entry.id.clone())
    };
    let text: Vec<String> = of_kind(Kind::Text).take(3).collect();
    let units: Vec<String> = of_kind(Kind::Image)
        .take(1)
        .chain(of_kind(Kind::Search).take(1))
        .collect();
    let mut events = Vec::new();
    for day in 0..30i64 {
        let requests = 2 + day % 4;
        for n in 0..requests {
            let at = now - day * 86_400_000 - n * 3_000_000 - 600_000;
            let occurred_at = clock::rfc3339(at);
            if let Some(model) = text.get(((day + n) % 3) as usize) {
                events.push(json!({
                    "id": uuid::Uuid::new_v4().to_string(),
                    "projectId": project_id,
                    "model": model,
                    "inputTokens": 1200 + 150 * ((day * 7 + n) % 11),
                    "outputTokens": 300 + 40 * ((day * 3 + n) % 13),
                    "feature": "recipe-chat",
                    "occurredAt": occurred_at,
                }));
            }
            if n == 0 && day % 3 == 0 {
                if let Some(model) = units.get((day % 2) as usize) {
                    events.push(json!({
                        "id": uuid::Uuid::new_v4().to_string(),
                        "projectId": project_id,
                        "model": model,
                        "units": 1,
                        "feature": "recipe-photos",
                        "occurredAt": occurred_at,
                    }));
                }
            }
        }
    }
    events
}
