//! Projects: the one-time free grant, the "Use Cloud Credits" toggle,
//! settings validation, ledger listing.

use crate::common::{assert_error, d, dec, text_event, Backend, Server};
use crate::on_both;
use reqwest::Method;
use serde_json::json;

on_both!(
    free_grant_is_given_once_ever,
    toggle_off_refuses_holds_and_usage_but_balance_stays_readable,
    settings_are_validated_whole_before_anything_changes,
);

async fn free_grant_is_given_once_ever(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    for enabled in [false, true, false, true, true] {
        let body = server
            .settings(
                &owner.sk,
                &owner.project_id,
                json!({ "useCloudCredits": enabled }),
            )
            .await;
        assert_eq!(body["balance"]["useCloudCredits"], enabled);
        assert_eq!(body["freeGrantReceived"], true);
    }
    assert_eq!(server.balance(&owner).await, d("1.00"));
    let (status, ledger) = server
        .get(
            &format!("/v1/projects/{}/ledger", owner.project_id),
            Some(&owner.sk),
        )
        .await;
    assert_eq!(status, 200);
    let entries = ledger["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{ledger}");
    assert_eq!(entries[0]["kind"], "grant");
    assert_eq!(entries[0]["amountUsd"], "1.00");
    assert_eq!(entries[0]["balanceAfterUsd"], "1.00");
    assert_eq!(entries[0]["seq"], 1);
    server.assert_ledger(&owner.project_id).await;

    // A new project starts with the cloud off and nothing granted.
    let (project_id, pk) = server.project(&owner.sk, "Second").await;
    let (_, balance) = server
        .get(&format!("/v1/projects/{project_id}/balance"), Some(&pk))
        .await;
    assert_eq!(balance["balanceUsd"], "0");
    assert_eq!(balance["useCloudCredits"], false);
    assert_eq!(balance["status"], "empty");
}

async fn toggle_off_refuses_holds_and_usage_but_balance_stays_readable(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    server
        .settings(
            &owner.sk,
            &owner.project_id,
            json!({ "useCloudCredits": false }),
        )
        .await;

    let hold = server
        .post(
            &format!("/v1/projects/{}/holds", owner.project_id),
            Some(&owner.pk),
            json!({ "amountUsd": "0.10" }),
        )
        .await;
    assert_error(&hold, 403, "cloud_disabled");

    let (status, usage) = server
        .post(
            "/v1/usage",
            Some(&owner.pk),
            json!({ "events": [text_event(1000, 100)] }),
        )
        .await;
    assert_eq!(status, 200, "{usage}");
    assert_eq!(usage["results"][0]["status"], "rejected");
    assert_eq!(usage["results"][0]["error"]["code"], "cloud_disabled");

    let (status, balance) = server
        .get(
            &format!("/v1/projects/{}/balance", owner.project_id),
            Some(&owner.pk),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(balance["useCloudCredits"], false);
    assert_eq!(dec(&balance["balanceUsd"]), d("1.00"));
    assert_eq!(server.usage_events(&owner.project_id).await, 0);
    server.assert_ledger(&owner.project_id).await;
}

async fn settings_are_validated_whole_before_anything_changes(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let path = format!("/v1/projects/{}/settings", owner.project_id);
    let auto = |amount: &str, cap: &str| {
        json!({"enabled": true, "thresholdUsd": "1.00", "amountUsd": amount,
               "dailyCapUsd": cap, "paymentMethod": "pm_test_ok"})
    };
    for bad in [
        json!({ "lowBalanceThresholdUsd": "-1" }),
        json!({ "lowBalanceThresholdUsd": "0.001" }),
        json!({ "lowBalanceThresholdUsd": 1 }),
        json!({ "alertEmail": "not an email" }),
        json!({ "autoTopUp": auto("4.99", "50.00") }),
        json!({ "autoTopUp": auto("200.01", "500.00") }),
        json!({ "autoTopUp": auto("10.00", "5.00") }),
        json!({ "allowedOrigins": ["https://example.com/path"] }),
        json!({ "useCloudCredits": "yes" }),
        json!({ "unknownSetting": true }),
        // A valid part next to an invalid one: nothing is applied.
        json!({ "lowBalanceThresholdUsd": "5.00", "alertEmail": "bad" }),
    ] {
        let response = server
            .send(Method::PATCH, &path, Some(&owner.sk), Some(bad.clone()))
            .await;
        assert_error(&response, 400, "invalid_input");
    }
    let (_, project) = server
        .get(
            &format!("/v1/projects/{}", owner.project_id),
            Some(&owner.sk),
        )
        .await;
    assert_eq!(project["balance"]["lowBalanceThresholdUsd"], "0.50");
    assert_eq!(project["alertEmail"], json!(null));
    assert_eq!(project["balance"]["autoTopUp"]["enabled"], false);

    let project = server
        .settings(
            &owner.sk,
            &owner.project_id,
            json!({
                "lowBalanceThresholdUsd": "2.50",
                "alertEmail": "Owner@Example.com",
                "autoTopUp": auto("25.00", "100.00"),
                "allowedOrigins": ["https://App.example.com", "http://localhost:5173"],
            }),
        )
        .await;
    assert_eq!(project["balance"]["lowBalanceThresholdUsd"], "2.50");
    assert_eq!(project["alertEmail"], "Owner@Example.com");
    assert_eq!(project["balance"]["autoTopUp"]["amountUsd"], "25.00");
    assert_eq!(
        project["allowedOrigins"],
        json!(["https://app.example.com", "http://localhost:5173"])
    );
    assert_eq!(project["publishableKeys"].as_array().unwrap().len(), 1);
    // Email alerts off again with the empty string.
    let project = server
        .settings(&owner.sk, &owner.project_id, json!({"alertEmail": ""}))
        .await;
    assert_eq!(project["alertEmail"], json!(null));
}
