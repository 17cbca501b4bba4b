//! Usage ingestion: per-event results, exactly-once ids, server-side prices,
//! usage past zero.

use crate::common::{assert_error, d, dec, read, text_event, Backend, Server, TEXT_MODEL};
use crate::on_both;
use rust_decimal::Decimal;
use serde_json::{json, Value};

on_both!(
    each_event_gets_its_own_result_and_is_recorded_once_ever,
    usage_up_to_zero_is_recorded_and_the_project_becomes_empty,
    secret_key_reports_for_named_projects_of_its_account_only,
    batch_size_is_limited,
    a_batch_mixing_plain_and_settling_events_keeps_its_order,
);

/// The `status` of each result of a `POST /v1/usage` answer, in order.
fn statuses(body: &Value) -> Vec<&str> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect()
}

async fn each_event_gets_its_own_result_and_is_recorded_once_ever(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let first = text_event(1000, 500); // 0.00015 + 0.0003 = 0.00045
    let mut with_cost = text_event(2000, 0); // a cost is no field of an event: refused
    with_cost["costUsd"] = json!("0.000001");
    let mut upper = text_event(0, 1000); // 0.0006
    let upper_id = upper["id"].as_str().unwrap().to_uppercase();
    upper["id"] = json!(upper_id);
    let batch = json!({ "events": [
        first,
        { "id": uuid::Uuid::new_v4().to_string(), "model": "no-such-model", "inputTokens": 5 },
        with_cost,
        first,
        { "id": "not-a-uuid", "model": TEXT_MODEL },
        { "id": uuid::Uuid::new_v4().to_string(), "model": TEXT_MODEL, "inputTokens": -1 },
        { "id": uuid::Uuid::new_v4().to_string(), "model": TEXT_MODEL, "inputTokens": 1.5 },
        { "id": uuid::Uuid::new_v4().to_string(), "model": TEXT_MODEL, "inputTokens": "10" },
        { "id": uuid::Uuid::new_v4().to_string(), "model": TEXT_MODEL, "outputTokens": "HUGE" },
        { "id": uuid::Uuid::new_v4().to_string(), "model": TEXT_MODEL, "inputTokens": 9007199254740992u64 },
        { "id": uuid::Uuid::new_v4().to_string(), "model": TEXT_MODEL, "inputTokens": 10, "cachedInputTokens": 11 },
        { "id": uuid::Uuid::new_v4().to_string(), "model": TEXT_MODEL, "occurredAt": "2999-01-01T00:00:00Z" },
        { "id": uuid::Uuid::new_v4().to_string(), "model": TEXT_MODEL, "occurredAt": "yesterday" },
        { "id": uuid::Uuid::new_v4().to_string(), "model": "web-search", "inputTokens": 10 },
        "not an object",
        upper,
    ]});
    // 2^64 does not fit any integer type: sent as raw JSON text.
    let batch = batch
        .to_string()
        .replace("\"HUGE\"", "18446744073709551616");
    let post = || {
        server
            .client
            .post(format!("{}/v1/usage", server.url))
            .bearer_auth(&owner.pk)
            .header("content-type", "application/json")
            .body(batch.clone())
            .send()
    };
    let (status, body) = read(post().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), 16);
    assert_eq!(
        statuses(&body),
        [
            "accepted",
            "rejected",
            "rejected",
            "duplicate",
            "rejected",
            "rejected",
            "rejected",
            "rejected",
            "rejected",
            "rejected",
            "rejected",
            "rejected",
            "rejected",
            "rejected",
            "rejected",
            "accepted"
        ]
    );
    for (index, result) in results.iter().enumerate() {
        assert_eq!(result["index"], index);
    }
    assert_eq!(results[1]["error"]["code"], "unknown_model");
    for rejected in [2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14] {
        assert_eq!(
            results[rejected]["error"]["code"], "invalid_input",
            "{}",
            results[rejected]
        );
    }
    assert_eq!(dec(&results[0]["costUsd"]), d("0.00045"));
    assert!(results[2]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("costUsd"));
    assert_eq!(dec(&results[3]["costUsd"]), d("0.00045"));
    // Ids come back in canonical (lower-case) form.
    assert_eq!(results[15]["id"], upper_id.to_lowercase().as_str());
    assert_eq!(dec(&results[15]["costUsd"]), d("0.0006"));
    let spent = d("0.00045") + d("0.0006");
    assert_eq!(dec(&body["balances"][0]["balanceUsd"]), d("1.00") - spent);
    assert_eq!(body["balances"][0]["projectId"], owner.project_id.as_str());

    // Replaying the whole batch charges nothing: every recorded event is a duplicate,
    // the lower-case form of an id too.
    let (status, replay) = read(post().await.unwrap()).await;
    assert_eq!(status, 200);
    let replayed = statuses(&replay);
    assert_eq!(replayed.iter().filter(|s| **s == "duplicate").count(), 3);
    assert_eq!(replayed.iter().filter(|s| **s == "accepted").count(), 0);
    let lower = json!({ "events": [{ "id": upper_id.to_lowercase(), "model": TEXT_MODEL, "outputTokens": 1000 }] });
    let (_, lower) = server.post("/v1/usage", Some(&owner.pk), lower).await;
    assert_eq!(lower["results"][0]["status"], "duplicate");

    assert_eq!(server.balance(&owner).await, d("1.00") - spent);
    assert_eq!(server.usage_events(&owner.project_id).await, 2);
    server.assert_ledger(&owner.project_id).await;
}

async fn usage_up_to_zero_is_recorded_and_the_project_becomes_empty(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    // gpt-4o-mini: 100,000 input tokens = $0.015; $1.00 buys 66 of them, and
    // the 67th would take the balance below zero.
    let events: Vec<Value> = (0..66).map(|_| text_event(100_000, 0)).collect();
    let (status, body) = server
        .post("/v1/usage", Some(&owner.pk), json!({ "events": events }))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(dec(&body["balances"][0]["balanceUsd"]), d("0.01"));
    // Two web searches at $0.005 spend exactly what is left.
    let searches =
        json!({ "id": uuid::Uuid::new_v4().to_string(), "model": "web-search", "units": 2 });
    let last = json!({ "events": [text_event(100_000, 0), searches] });
    let (status, body) = server.post("/v1/usage", Some(&owner.pk), last).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(statuses(&body), ["rejected", "accepted"]);
    assert_eq!(body["results"][0]["error"]["code"], "insufficient_credits");
    assert_eq!(dec(&body["balances"][0]["balanceUsd"]), Decimal::ZERO);
    assert_eq!(body["balances"][0]["status"], "empty");
    let hold = server
        .post(
            &format!("/v1/projects/{}/holds", owner.project_id),
            Some(&owner.pk),
            json!({ "amountUsd": "0.000001" }),
        )
        .await;
    assert_error(&hold, 402, "insufficient_credits");
    let (_, balance) = server
        .get(
            &format!("/v1/projects/{}/balance", owner.project_id),
            Some(&owner.pk),
        )
        .await;
    assert_eq!(dec(&balance["availableUsd"]), Decimal::ZERO);
    assert_eq!(balance["status"], "empty");
    server.assert_ledger(&owner.project_id).await;
}

async fn secret_key_reports_for_named_projects_of_its_account_only(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let stranger = server.owner().await;
    let mut mine = text_event(1000, 0);
    mine["projectId"] = json!(owner.project_id);
    let mut theirs = text_event(1000, 0);
    theirs["projectId"] = json!(stranger.project_id);
    let unnamed = text_event(1000, 0);
    let (status, body) = server
        .post(
            "/v1/usage",
            Some(&owner.sk),
            json!({ "events": [mine, theirs, unnamed] }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["results"][0]["status"], "accepted");
    assert_eq!(body["results"][1]["error"]["code"], "not_found");
    assert_eq!(body["results"][2]["error"]["code"], "invalid_input");
    assert_eq!(server.balance(&stranger).await, d("1.00"));

    // A publishable key cannot report for another project, even its owner's.
    let mut other = text_event(1000, 0);
    other["projectId"] = json!(stranger.project_id);
    let (_, body) = server
        .post("/v1/usage", Some(&owner.pk), json!({ "events": [other] }))
        .await;
    assert_eq!(body["results"][0]["error"]["code"], "forbidden");
    // The same event id in another project is not a duplicate: it conflicts.
    let mut reused = text_event(1000, 0);
    reused["id"] = body["results"][0]["id"].clone();
    let (_, first) = server
        .post(
            "/v1/usage",
            Some(&owner.pk),
            json!({ "events": [reused.clone()] }),
        )
        .await;
    assert_eq!(first["results"][0]["status"], "accepted");
    let (_, second) = server
        .post(
            "/v1/usage",
            Some(&stranger.pk),
            json!({ "events": [reused] }),
        )
        .await;
    assert_eq!(second["results"][0]["error"]["code"], "conflict");
    assert_eq!(server.balance(&stranger).await, d("1.00"));
}

async fn batch_size_is_limited(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let empty = server
        .post("/v1/usage", Some(&owner.pk), json!({ "events": [] }))
        .await;
    assert_error(&empty, 400, "invalid_input");
    let too_many: Vec<_> = (0..501).map(|_| text_event(1, 1)).collect();
    let over = server
        .post("/v1/usage", Some(&owner.pk), json!({ "events": too_many }))
        .await;
    assert_error(&over, 400, "invalid_input");
    let full: Vec<_> = (0..500).map(|_| text_event(1000, 1000)).collect();
    let (status, body) = server
        .post("/v1/usage", Some(&owner.pk), json!({ "events": full }))
        .await;
    assert_eq!(status, 200);
    assert!(body["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "accepted"));
    // 500 × (0.00015 + 0.0006) = 0.375
    assert_eq!(server.balance(&owner).await, d("0.625"));
    server.assert_ledger(&owner.project_id).await;
}

/// Plain events are recorded together and an event that settles a hold on
/// its own: the ledger still follows the batch order, and repeats of either
/// kind in the same batch are duplicates.
async fn a_batch_mixing_plain_and_settling_events_keeps_its_order(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let pid = &owner.project_id;
    let (status, hold) = server
        .post(
            &format!("/v1/projects/{pid}/holds"),
            Some(&owner.pk),
            json!({ "amountUsd": "0.10" }),
        )
        .await;
    assert_eq!(status, 201, "{hold}");
    let hold_id = hold["id"].as_str().unwrap();
    let first = text_event(1000, 0); // 0.00015
    let mut settling = text_event(0, 1000); // 0.0006
    settling["holdId"] = json!(hold_id);
    let last = text_event(2000, 0); // 0.0003
    let batch = json!({ "events": [first, settling, last, first, settling] });
    let (status, body) = server.post("/v1/usage", Some(&owner.pk), batch).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        statuses(&body),
        ["accepted", "accepted", "accepted", "duplicate", "duplicate"]
    );
    assert_eq!(dec(&body["results"][4]["costUsd"]), d("0.0006"));

    let (_, hold) = server
        .get(&format!("/v1/holds/{hold_id}"), Some(&owner.pk))
        .await;
    assert_eq!(hold["status"], "settled");
    let (status, page) = server
        .get(
            &format!("/v1/projects/{pid}/ledger?limit=4"),
            Some(&owner.sk),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let mut entries: Vec<(String, String)> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let id = e["usageEventId"].as_str().or(e["holdId"].as_str());
            (
                e["kind"].as_str().unwrap().to_owned(),
                id.unwrap().to_owned(),
            )
        })
        .collect();
    entries.reverse();
    let owned = |kind: &str, value: &serde_json::Value| {
        (kind.to_owned(), value.as_str().unwrap().to_owned())
    };
    assert_eq!(
        entries,
        [
            owned("usage", &first["id"]),
            owned("release", &json!(hold_id)),
            owned("usage", &settling["id"]),
            owned("usage", &last["id"]),
        ]
    );
    let spent = d("0.00015") + d("0.0006") + d("0.0003");
    assert_eq!(server.assert_ledger(pid).await, d("1.00") - spent);
    assert_eq!(server.usage_events(pid).await, 3);
}
