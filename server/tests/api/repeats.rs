//! Repeated requests, as a client's retries send them: the same request is
//! answered like the first and never acts twice; the same id or key with
//! different content is a `conflict` naming what differs.

use crate::common::{assert_error, d, dec, read, text_event, Backend, Server, TEXT_MODEL};
use crate::on_both;
use serde_json::{json, Value};

on_both!(
    settling_again_with_different_usage_is_a_conflict,
    a_usage_event_resent_with_different_content_is_rejected,
    a_hold_request_retried_with_its_idempotency_key_makes_one_hold,
    releasing_a_released_hold_answers_it_again,
);

async fn settling_again_with_different_usage_is_a_conflict(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let pid = &owner.project_id;
    let hold = server
        .hold(&owner.pk, pid, json!({ "amountUsd": "0.10" }))
        .await;
    let path = format!("/v1/holds/{}/settle", hold["id"].as_str().unwrap());
    let event_id = uuid::Uuid::new_v4().to_string();
    let settle = |output: u64, feature: &str| {
        json!({
            "usage": { "model": TEXT_MODEL, "inputTokens": 1000, "outputTokens": output },
            "eventId": event_id,
            "feature": feature,
        })
    };
    let (status, first) = server
        .post(&path, Some(&owner.pk), settle(1000, "chat"))
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["event"]["status"], "accepted");
    // 1,000 in + 1,000 out on gpt-4o-mini: 0.00015 + 0.0006.
    assert_eq!(dec(&first["event"]["costUsd"]), d("0.00075"));

    // The same numbers: the first settlement again, nothing charged twice.
    let (status, again) = server
        .post(&path, Some(&owner.pk), settle(1000, "chat"))
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["event"]["status"], "duplicate");
    assert_eq!(again["event"]["costUsd"], first["event"]["costUsd"]);
    assert_eq!(again["hold"], first["hold"]);

    // Different numbers: a conflict that names each difference.
    let different = server
        .post(&path, Some(&owner.pk), settle(2000, "search"))
        .await;
    assert_error(&different, 409, "conflict");
    let message = different.1["error"]["message"].as_str().unwrap();
    assert!(message.contains("outputTokens 1000, now 2000"), "{message}");
    assert!(
        message.contains(r#"feature "chat", now "search""#),
        "{message}"
    );
    assert!(!message.contains("inputTokens"), "{message}");

    assert_eq!(server.balance(&owner).await, d("1.00") - d("0.00075"));
    assert_eq!(server.usage_events(pid).await, 1);
    server.assert_ledger(pid).await;
}

async fn a_usage_event_resent_with_different_content_is_rejected(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let event = text_event(1000, 0); // 0.00015
    let mut changed = event.clone();
    changed["outputTokens"] = json!(10);
    changed["model"] = json!("gpt-4o");
    let answer = server.report(&owner.pk, vec![event.clone()]).await;
    assert_eq!(answer["results"][0]["status"], "accepted");

    // Resent as it was (in a later batch, and twice in one): duplicates.
    // Changed: rejected on its own, in a later batch and within one batch.
    let fresh = text_event(2000, 0); // 0.0003
    let mut fresh_changed = fresh.clone();
    fresh_changed["feature"] = json!("chat");
    let answer = server
        .report(
            &owner.pk,
            vec![
                event.clone(),
                changed,
                event,
                fresh.clone(),
                fresh_changed,
                fresh,
            ],
        )
        .await;
    let results = answer["results"].as_array().unwrap();
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "duplicate",
            "rejected",
            "duplicate",
            "accepted",
            "rejected",
            "duplicate"
        ]
    );
    assert_eq!(results[1]["error"]["code"], "conflict");
    let message = results[1]["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("model gpt-4o-mini, now gpt-4o"),
        "{message}"
    );
    assert!(message.contains("outputTokens 0, now 10"), "{message}");
    assert_eq!(results[4]["error"]["code"], "conflict");
    assert!(
        results[4]["error"]["message"]
            .as_str()
            .unwrap()
            .contains(r#"feature none, now "chat""#),
        "{}",
        results[4]
    );

    assert_eq!(server.usage_events(&owner.project_id).await, 2);
    assert_eq!(server.balance(&owner).await, d("1.00") - d("0.00045"));
    server.assert_ledger(&owner.project_id).await;
}

/// Posts a hold request with `Idempotency-Key: key`.
async fn hold_with_key(
    server: &Server,
    pk: &str,
    pid: &str,
    key: &str,
    body: Value,
) -> (u16, Value) {
    let response = server
        .client
        .post(format!("{}/v1/projects/{pid}/holds", server.url))
        .bearer_auth(pk)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .expect("request");
    read(response).await
}

async fn a_hold_request_retried_with_its_idempotency_key_makes_one_hold(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let pid = &owner.project_id;
    let key = uuid::Uuid::new_v4().to_string();
    let body =
        json!({ "usage": { "model": TEXT_MODEL, "inputTokens": 100000, "outputTokens": 15000 } });
    let (status, first) = hold_with_key(&server, &owner.pk, pid, &key, body.clone()).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(dec(&first["amountUsd"]), d("0.024"));
    let (status, again) = hold_with_key(&server, &owner.pk, pid, &key, body.clone()).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again, first);
    assert_eq!(server.balance(&owner).await, d("0.976"));
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM holds WHERE project_id = $1", pid)
            .await,
        1
    );

    // The key with another request, or from another credential: a conflict.
    let other = json!({ "amountUsd": "0.05" });
    let reused = hold_with_key(&server, &owner.pk, pid, &key, other).await;
    assert_error(&reused, 409, "conflict");
    let by_owner = hold_with_key(&server, &owner.sk, pid, &key, body.clone()).await;
    assert_error(&by_owner, 409, "conflict");

    // A replay answers the hold as it is now, settled or not.
    let id = first["id"].as_str().unwrap();
    let (status, _) = server
        .post(
            &format!("/v1/holds/{id}/release"),
            Some(&owner.pk),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, replayed) = hold_with_key(&server, &owner.pk, pid, &key, body.clone()).await;
    assert_eq!(status, 201, "{replayed}");
    assert_eq!(replayed["id"], id);
    assert_eq!(replayed["status"], "released");

    // Another key, or none, makes another hold.
    let other_key = uuid::Uuid::new_v4().to_string();
    let (status, second) = hold_with_key(&server, &owner.pk, pid, &other_key, body.clone()).await;
    assert_eq!(status, 201, "{second}");
    assert_ne!(second["id"], first["id"]);
    server.hold(&owner.pk, pid, body).await;
    assert_eq!(server.balance(&owner).await, d("0.952"));
    server.assert_ledger(pid).await;
}

async fn releasing_a_released_hold_answers_it_again(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let pid = &owner.project_id;
    let hold = server
        .hold(&owner.pk, pid, json!({ "amountUsd": "0.40" }))
        .await;
    let release = format!("/v1/holds/{}/release", hold["id"].as_str().unwrap());
    let (status, first) = server.post(&release, Some(&owner.pk), json!({})).await;
    assert_eq!(status, 200, "{first}");
    let (status, again) = server.post(&release, Some(&owner.pk), json!({})).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, first);
    assert_eq!(again["status"], "released");
    assert_eq!(server.balance(&owner).await, d("1.00"));
    server.assert_ledger(pid).await;
}
