//! Low-balance alerts (one per crossing, re-armed), empty notifications, auto top-up.

use crate::common::{d, dec, text_event, Backend, Owner, Server};
use crate::on_both;
use rork_cloud_credits_server::alerts;
use serde_json::{json, Value};

on_both!(
    low_balance_alerts_fire_once_per_crossing_and_rearm,
    auto_top_up_fires_once_per_crossing_within_the_daily_cap,
    failed_auto_top_up_becomes_a_notification,
);

/// Spends `usd` (a multiple of $0.15) as the owner's server meters it:
/// events of 375,000 input tokens of gpt-4.1-mini ($0.40 per 1M), $0.15 each.
async fn spend(server: &Server, owner: &Owner, usd: &str) -> Value {
    let events = (d(usd) / d("0.15")).to_string().parse::<usize>().unwrap();
    let events: Vec<Value> = (0..events)
        .map(|_| {
            let mut event = text_event(375_000, 0);
            event["model"] = json!("gpt-4.1-mini");
            event["projectId"] = json!(owner.project_id);
            event
        })
        .collect();
    let (status, body) = server
        .post("/v1/usage", Some(&owner.sk), json!({ "events": events }))
        .await;
    assert_eq!(status, 200, "{body}");
    for result in body["results"].as_array().unwrap() {
        assert_eq!(result["status"], "accepted", "{body}");
    }
    body
}

async fn settings(server: &Server, owner: &Owner, patch: Value) {
    server.settings(&owner.sk, &owner.project_id, patch).await;
}

async fn kinds(server: &Server, owner: &Owner) -> Vec<String> {
    let (status, body) = server
        .get(
            &format!("/v1/projects/{}/notifications", owner.project_id),
            Some(&owner.pk),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn low_balance_alerts_fire_once_per_crossing_and_rearm(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    settings(
        &server,
        &owner,
        json!({"lowBalanceThresholdUsd": "0.80", "alertEmail": "alerts@example.com"}),
    )
    .await;
    let outbox = || alerts::outbox(server.services.store.pool(), &owner.project_id);

    spend(&server, &owner, "0.15").await; // 0.85
    assert!(kinds(&server, &owner).await.is_empty());
    let body = spend(&server, &owner, "0.15").await; // 0.70: crosses 0.80
    assert_eq!(body["balances"][0]["status"], "low");
    assert_eq!(kinds(&server, &owner).await, ["low"]);
    spend(&server, &owner, "0.15").await; // 0.55: still below, no new alert
    assert_eq!(outbox().await.unwrap().len(), 1);

    // A hold and its release never alert by themselves.
    let (status, hold) = server
        .post(
            &format!("/v1/projects/{}/holds", owner.project_id),
            Some(&owner.pk),
            json!({"amountUsd": "0.50"}),
        )
        .await;
    assert_eq!(status, 201, "{hold}");
    let id = hold["id"].as_str().unwrap();
    server
        .post(
            &format!("/v1/holds/{id}/release"),
            Some(&owner.pk),
            json!({}),
        )
        .await;
    assert_eq!(kinds(&server, &owner).await, ["low"]);

    // Back above the threshold re-arms it; the next crossing alerts again.
    let (status, _) = server
        .post(
            &format!("/v1/projects/{}/topups", owner.project_id),
            Some(&owner.sk),
            json!({"amountUsd": "5.00"}),
        )
        .await;
    assert_eq!(status, 200);
    spend(&server, &owner, "4.80").await; // 5.55 - 4.80 = 0.75
    assert_eq!(kinds(&server, &owner).await, ["low", "low"]);
    // The owner's metering may go below zero as far as the owner allows.
    settings(&server, &owner, json!({ "overdraftLimitUsd": "1.00" })).await;
    spend(&server, &owner, "1.50").await; // -0.75
    assert_eq!(kinds(&server, &owner).await, ["empty", "low", "low"]);
    spend(&server, &owner, "0.15").await;
    assert_eq!(kinds(&server, &owner).await.len(), 3, "empty fires once");

    let emails = outbox().await.unwrap();
    assert_eq!(emails.len(), 2);
    for email in &emails {
        assert_eq!(email.to_address, "alerts@example.com");
        assert!(email.subject.contains("low"), "{}", email.subject);
        assert!(email.body.contains("#add-credits"), "{}", email.body);
        assert_eq!(
            email.sent_at, None,
            "no SMTP configured: waiting in the outbox"
        );
    }
    let (_, list) = server
        .get(
            &format!("/v1/projects/{}/notifications", owner.project_id),
            Some(&owner.pk),
        )
        .await;
    let newest = &list["notifications"][0];
    assert_eq!(dec(&newest["balanceUsd"]), d("-0.75"));
    assert!(newest["addCreditsUrl"]
        .as_str()
        .unwrap()
        .contains(&owner.project_id));
    server.assert_ledger(&owner.project_id).await;
}

async fn auto_top_up_fires_once_per_crossing_within_the_daily_cap(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    settings(
        &server,
        &owner,
        json!({"lowBalanceThresholdUsd": "0",
               "autoTopUp": {"enabled": true, "thresholdUsd": "0.50", "amountUsd": "5.00",
                             "dailyCapUsd": "5.00", "paymentMethod": "pm_test_ok"}}),
    )
    .await;
    spend(&server, &owner, "0.60").await; // 0.40: below 0.50, tops up 5.00
    assert_eq!(server.balance(&owner).await, d("5.40"));
    assert_eq!(kinds(&server, &owner).await, ["auto_top_up"]);
    let (_, ledger) = server
        .get(
            &format!("/v1/projects/{}/ledger", owner.project_id),
            Some(&owner.sk),
        )
        .await;
    assert_eq!(ledger["entries"][0]["kind"], "auto_top_up");
    assert_eq!(ledger["entries"][0]["amountUsd"], "5.00");

    spend(&server, &owner, "5.10").await; // 0.30: crosses again, but the cap is spent
    assert_eq!(server.balance(&owner).await, d("0.30"));
    assert_eq!(
        kinds(&server, &owner).await,
        ["auto_top_up_failed", "auto_top_up"]
    );
    spend(&server, &owner, "0.15").await; // still below: no new attempt
    assert_eq!(kinds(&server, &owner).await.len(), 2);
    assert_eq!(
        server
            .count(
                "SELECT COUNT(*) FROM top_ups WHERE project_id = $1",
                &owner.project_id
            )
            .await,
        1
    );
    server.assert_ledger(&owner.project_id).await;
}

async fn failed_auto_top_up_becomes_a_notification(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    settings(
        &server,
        &owner,
        json!({"lowBalanceThresholdUsd": "0",
               "autoTopUp": {"enabled": true, "thresholdUsd": "0.90", "amountUsd": "10.00",
                             "dailyCapUsd": "50.00", "paymentMethod": "pm_test_decline"}}),
    )
    .await;
    spend(&server, &owner, "0.15").await;
    assert_eq!(server.balance(&owner).await, d("0.85"));
    assert_eq!(kinds(&server, &owner).await, ["auto_top_up_failed"]);
    let (_, list) = server
        .get(
            &format!("/v1/projects/{}/notifications", owner.project_id),
            Some(&owner.pk),
        )
        .await;
    let message = list["notifications"][0]["message"].as_str().unwrap();
    assert!(message.contains("declined"), "{message}");
    server.assert_ledger(&owner.project_id).await;
}
