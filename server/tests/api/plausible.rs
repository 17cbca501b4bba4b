//! Plausibility per event (`core/src/plausible.rs`): counts no single request
//! to the model could produce are refused, per event, before they are priced,
//! in usage reports, holds and settlements; honest counts at the limits pass.

use crate::common::{assert_error, d, dec, Backend, Server, TEXT_MODEL};
use crate::on_both;
use serde_json::{json, Value};

on_both!(
    implausible_events_are_refused_per_event_and_not_charged,
    implausible_holds_and_settlements_are_refused,
);

/// A usage event with a fresh id and `usage`'s model and counts.
fn event(usage: Value) -> Value {
    let mut event = usage;
    event["id"] = json!(uuid::Uuid::new_v4().to_string());
    event
}

/// `usage` on `TEXT_MODEL` (gpt-4o-mini) at both of its limits:
/// 128,000 × $0.15 + 16,384 × $0.60 per 1M = $0.0290304.
fn text_at_limits() -> Value {
    json!({ "model": TEXT_MODEL, "inputTokens": 128000, "outputTokens": 16384 })
}

/// Asserts that `result` (one result of a usage answer) was refused as
/// `invalid_input` with a message containing every one of `parts`.
#[track_caller]
fn assert_refused(result: &Value, parts: &[&str]) {
    assert_eq!(result["status"], "rejected", "{result}");
    assert_eq!(result["error"]["code"], "invalid_input", "{result}");
    let message = result["error"]["message"].as_str().unwrap();
    for part in parts {
        assert!(message.contains(part), "{part:?} not in {message:?}");
    }
}

/// Posts one usage batch with `key`; returns the results.
async fn implausible_events_are_refused_per_event_and_not_charged(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let results = server
        .report(
            &owner.pk,
            vec![
                // Issue 18: charged $125 before (gpt-4o's context window is 128,000).
                event(json!({ "model": "gpt-4o", "inputTokens": 50000000 })),
                // Issue 18: charged $3.6e15 before.
                event(json!({ "model": "veo-3.1", "units": 9007199254740991u64 })),
                event(json!({ "model": "veo-3.1", "units": 601 })),
                event(json!({ "model": TEXT_MODEL, "inputTokens": 10, "outputTokens": 16385 })),
                event(text_at_limits()),
                event(json!({ "model": "veo-3.1", "units": 2 })),
                // Backend functions at their limit: 10,000 × $0.0000003.
                event(json!({ "model": "backend-functions", "units": 10000 })),
            ],
        )
        .await["results"]
        .as_array()
        .unwrap()
        .clone();
    assert_refused(
        &results[0],
        &[
            "inputTokens is 50000000",
            "128000",
            "contextWindow",
            "gpt-4o",
        ],
    );
    assert_refused(
        &results[1],
        &["units is 9007199254740991", "600 seconds", "veo-3.1"],
    );
    assert_refused(&results[2], &["units is 601", "600"]);
    assert_refused(
        &results[3],
        &["outputTokens is 16385", "16384", "maxOutputTokens"],
    );
    let accepted: Vec<&Value> = results[4..].iter().collect();
    for result in &accepted {
        assert_eq!(result["status"], "accepted", "{result}");
    }
    assert_eq!(dec(&accepted[0]["costUsd"]), d("0.0290304"));
    assert_eq!(dec(&accepted[1]["costUsd"]), d("0.80"));
    assert_eq!(dec(&accepted[2]["costUsd"]), d("0.003"));
    let spent = d("0.0290304") + d("0.80") + d("0.003");
    assert_eq!(server.balance(&owner).await, d("1.00") - spent);
    assert_eq!(server.usage_events(&owner.project_id).await, 3);

    // The secret key (server-side metering) is held to the same limits.
    let mut metered = event(json!({ "model": "gpt-4o", "inputTokens": 50000000 }));
    metered["projectId"] = json!(owner.project_id);
    let results = server.report(&owner.sk, vec![metered]).await["results"].clone();
    assert_refused(&results[0], &["contextWindow"]);
    assert_eq!(server.balance(&owner).await, d("1.00") - spent);
    server.assert_ledger(&owner.project_id).await;
}

async fn implausible_holds_and_settlements_are_refused(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let pid = &owner.project_id;
    let holds = format!("/v1/projects/{pid}/holds");
    for (usage, part) in [
        (
            json!({ "model": "gpt-4o", "inputTokens": 50000000 }),
            "contextWindow",
        ),
        (
            json!({ "model": "gpt-4o", "outputTokens": 16385 }),
            "maxOutputTokens",
        ),
        (
            json!({ "model": "veo-3.1", "units": 9007199254740991u64 }),
            "600 seconds",
        ),
    ] {
        let refused = server
            .post(&holds, Some(&owner.pk), json!({ "usage": usage }))
            .await;
        assert_error(&refused, 400, "invalid_input");
        let message = refused.1["error"]["message"].as_str().unwrap();
        assert!(message.contains(part), "{part:?} not in {message:?}");
    }
    assert_eq!(server.balance(&owner).await, d("1.00"));

    // An honest hold at the limits is granted; settling it with usage no
    // request could produce is refused and leaves the hold active.
    let (status, hold) = server
        .post(
            &holds,
            Some(&owner.pk),
            json!({ "usage": text_at_limits() }),
        )
        .await;
    assert_eq!(status, 201, "{hold}");
    assert_eq!(dec(&hold["amountUsd"]), d("0.0290304"));
    let settle = format!("/v1/holds/{}/settle", hold["id"].as_str().unwrap());
    let refused = server
        .post(
            &settle,
            Some(&owner.pk),
            json!({ "usage": { "model": TEXT_MODEL, "inputTokens": 128001 } }),
        )
        .await;
    assert_error(&refused, 400, "invalid_input");
    let (_, still) = server
        .get(
            &format!("/v1/holds/{}", hold["id"].as_str().unwrap()),
            Some(&owner.pk),
        )
        .await;
    assert_eq!(still["status"], "active", "{still}");
    let (status, settled) = server
        .post(
            &settle,
            Some(&owner.pk),
            json!({ "usage": text_at_limits() }),
        )
        .await;
    assert_eq!(status, 200, "{settled}");
    assert_eq!(settled["event"]["status"], "accepted");
    assert_eq!(server.balance(&owner).await, d("1.00") - d("0.0290304"));
    server.assert_ledger(pid).await;
}
