//! Concurrency: many parallel holds and usage batches against one balance,
//! from two server instances on one database.

use crate::common::{d, dec, text_event, Backend, Server};
use crate::on_both;
use futures::future::join_all;
use rust_decimal::Decimal;
use serde_json::json;

on_both!(
    parallel_holds_from_two_instances_never_overspend,
    parallel_overlapping_batches_record_every_event_exactly_once,
);

async fn parallel_holds_from_two_instances_never_overspend(backend: Backend) {
    let first = Server::start(backend).await;
    let second = first.sibling().await;
    let owner = first.owner().await;
    let pid = &owner.project_id;
    let path = format!("/v1/projects/{pid}/holds");
    let body = json!({ "amountUsd": "0.07" });
    let results = join_all((0..40).map(|n| {
        let server = if n % 2 == 0 { &first } else { &second };
        server.post(&path, Some(&owner.pk), body.clone())
    }))
    .await;
    let granted: Vec<&serde_json::Value> = results
        .iter()
        .filter(|(status, _)| *status == 201)
        .map(|(_, hold)| hold)
        .collect();
    for (status, body) in &results {
        assert!(
            *status == 201 || (*status == 402 && body["error"]["code"] == "insufficient_credits"),
            "{status} {body}"
        );
    }
    // $1.00 fits 14 holds of $0.07 ($0.98), and not one more.
    assert_eq!(granted.len(), 14);
    let (_, balance) = second
        .get(&format!("/v1/projects/{pid}/balance"), Some(&owner.pk))
        .await;
    assert_eq!(dec(&balance["balanceUsd"]), d("0.02"));
    assert_eq!(dec(&balance["heldUsd"]), d("0.98"));

    // Settle half (actual cost 0.00045 each) and release the rest, in parallel.
    let finished = join_all(granted.iter().enumerate().map(|(n, hold)| {
        let id = hold["id"].as_str().unwrap();
        let server = if n % 2 == 0 { &first } else { &second };
        let (path, body) = if n < 7 {
            (
                format!("/v1/holds/{id}/settle"),
                json!({ "usage": { "model": crate::common::TEXT_MODEL, "inputTokens": 1000, "outputTokens": 500 } }),
            )
        } else {
            (format!("/v1/holds/{id}/release"), json!({}))
        };
        let pk = &owner.pk;
        async move { server.post(&path, Some(pk), body).await }
    }))
    .await;
    assert!(
        finished.iter().all(|(status, _)| *status == 200),
        "{finished:?}"
    );
    let expected = d("1.00") - Decimal::from(7) * d("0.00045");
    assert_eq!(first.balance(&owner).await, expected);
    assert_eq!(first.assert_ledger(pid).await, expected);
    second.stop().await;
}

async fn parallel_overlapping_batches_record_every_event_exactly_once(backend: Backend) {
    let first = Server::start(backend).await;
    let second = first.sibling().await;
    let owner = first.owner().await;
    // 120 events of 0.00045 each; 12 batches, every event in three of them.
    let events: Vec<serde_json::Value> = (0..120).map(|_| text_event(1000, 500)).collect();
    let batches: Vec<Vec<serde_json::Value>> = (0..12)
        .map(|b| {
            events
                .iter()
                .enumerate()
                .filter(|(i, _)| (i % 4) == (b % 4))
                .map(|(_, e)| e.clone())
                .collect()
        })
        .collect();
    let responses = join_all(batches.iter().enumerate().map(|(n, batch)| {
        let server = if n % 2 == 0 { &first } else { &second };
        server.post("/v1/usage", Some(&owner.pk), json!({ "events": batch }))
    }))
    .await;
    let mut accepted = 0;
    let mut duplicate = 0;
    for (status, body) in &responses {
        assert_eq!(*status, 200, "{body}");
        for result in body["results"].as_array().unwrap() {
            match result["status"].as_str().unwrap() {
                "accepted" => accepted += 1,
                "duplicate" => duplicate += 1,
                other => panic!("unexpected {other}: {result}"),
            }
            assert_eq!(dec(&result["costUsd"]), d("0.00045"));
        }
    }
    assert_eq!(accepted, 120, "every event accepted exactly once");
    assert_eq!(duplicate, 240);
    assert_eq!(first.usage_events(&owner.project_id).await, 120);
    // The day's totals, read-added-written by both instances, count each event once.
    let pid = &owner.project_id;
    let (status, summary) = second
        .get(&format!("/v1/projects/{pid}/usage"), Some(&owner.sk))
        .await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["totalEvents"], 120);
    assert_eq!(
        dec(&summary["totalCostUsd"]),
        Decimal::from(120) * d("0.00045")
    );
    let expected = d("1.00") - Decimal::from(120) * d("0.00045");
    assert_eq!(second.balance(&owner).await, expected);
    assert_eq!(first.assert_ledger(&owner.project_id).await, expected);
    second.stop().await;
}
