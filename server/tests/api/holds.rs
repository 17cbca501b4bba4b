//! Holds: reserve, settle with actual usage, release, expire.

use crate::common::{assert_error, d, dec, Backend, Server, TEXT_MODEL};
use crate::on_both;
use serde_json::json;

on_both!(
    hold_reserves_and_settle_debits_actual_and_releases_rest,
    release_and_expiry_give_the_reservation_back,
    holds_that_do_not_fit_are_refused,
);

async fn hold_reserves_and_settle_debits_actual_and_releases_rest(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let pid = &owner.project_id;
    // gpt-4o-mini: $0.15 / 1M input, $0.60 / 1M output.
    // Estimate: 100,000 in + 15,000 out = 0.015 + 0.009 = 0.024.
    let (status, hold) = server
        .post(
            &format!("/v1/projects/{pid}/holds"),
            Some(&owner.pk),
            json!({ "usage": { "model": TEXT_MODEL, "inputTokens": 100000, "outputTokens": 15000 } }),
        )
        .await;
    assert_eq!(status, 201, "{hold}");
    assert_eq!(dec(&hold["amountUsd"]), d("0.024"));
    assert_eq!(hold["status"], "active");
    assert_eq!(hold["estimate"]["model"], TEXT_MODEL);
    let id = hold["id"].as_str().unwrap();

    let (_, balance) = server
        .get(&format!("/v1/projects/{pid}/balance"), Some(&owner.pk))
        .await;
    assert_eq!(dec(&balance["balanceUsd"]), d("0.976"));
    assert_eq!(dec(&balance["heldUsd"]), d("0.024"));
    server.assert_ledger(pid).await;
    let (_, ledger) = server
        .get(&format!("/v1/projects/{pid}/ledger"), Some(&owner.sk))
        .await;
    assert_eq!(ledger["entries"][0]["kind"], "hold");
    assert_eq!(ledger["entries"][0]["memo"], "Hold of $0.024");

    // Actual: 100,000 in + 10,000 out = 0.015 + 0.006 = 0.021.
    let event_id = uuid::Uuid::new_v4().to_string();
    let settle = json!({
        "usage": { "model": TEXT_MODEL, "inputTokens": 100000, "outputTokens": 10000 },
        "eventId": event_id,
        "feature": "chat",
    });
    let (status, settled) = server
        .post(
            &format!("/v1/holds/{id}/settle"),
            Some(&owner.pk),
            settle.clone(),
        )
        .await;
    assert_eq!(status, 200, "{settled}");
    assert_eq!(settled["hold"]["status"], "settled");
    assert_eq!(dec(&settled["hold"]["settledCostUsd"]), d("0.021"));
    assert_eq!(settled["event"]["status"], "accepted");
    assert_eq!(settled["event"]["id"], event_id.as_str());
    assert_eq!(dec(&settled["balance"]["balanceUsd"]), d("0.979"));

    // Retrying the same settlement is harmless.
    let (status, again) = server
        .post(&format!("/v1/holds/{id}/settle"), Some(&owner.pk), settle)
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["event"]["status"], "duplicate");
    assert_eq!(dec(&again["balance"]["balanceUsd"]), d("0.979"));
    // Settling again with another event, or releasing, conflicts.
    let other = server
        .post(
            &format!("/v1/holds/{id}/settle"),
            Some(&owner.pk),
            json!({ "usage": { "model": TEXT_MODEL, "inputTokens": 1 } }),
        )
        .await;
    assert_error(&other, 409, "conflict");
    let release = server
        .post(
            &format!("/v1/holds/{id}/release"),
            Some(&owner.pk),
            json!({}),
        )
        .await;
    assert_error(&release, 409, "conflict");

    assert_eq!(server.balance(&owner).await, d("0.979"));
    assert_eq!(server.assert_ledger(pid).await, d("0.979"));
    let (_, hold) = server
        .get(&format!("/v1/holds/{id}"), Some(&owner.sk))
        .await;
    assert_eq!(hold["status"], "settled");
}

async fn release_and_expiry_give_the_reservation_back(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let pid = &owner.project_id;
    let path = format!("/v1/projects/{pid}/holds");
    let hold = |body| server.post(&path, Some(&owner.pk), body);

    let (status, released) = hold(json!({ "amountUsd": "0.40" })).await;
    assert_eq!(status, 201, "{released}");
    assert_eq!(server.balance(&owner).await, d("0.60"));
    let id = released["id"].as_str().unwrap();
    let (status, body) = server
        .post(
            &format!("/v1/holds/{id}/release"),
            Some(&owner.pk),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "released");
    assert_eq!(server.balance(&owner).await, d("1.00"));

    let (status, expiring) = hold(json!({ "amountUsd": "0.70", "ttlSeconds": 1 })).await;
    assert_eq!(status, 201, "{expiring}");
    assert_eq!(server.balance(&owner).await, d("0.30"));
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    // The next hold on the project expires the old one first, so it fits.
    let (status, fits) = hold(json!({ "amountUsd": "0.90" })).await;
    assert_eq!(status, 201, "{fits}");
    let id = expiring["id"].as_str().unwrap();
    let (_, expired) = server
        .get(&format!("/v1/holds/{id}"), Some(&owner.pk))
        .await;
    assert_eq!(expired["status"], "expired");
    assert_eq!(server.balance(&owner).await, d("0.10"));

    // Usage that settles an expired hold is still recorded and charged, if
    // it fits: the hold no longer reserves anything. gpt-4o: $2.50 / 1M input.
    let path = format!("/v1/holds/{id}/settle");
    let settle = |tokens: u64| {
        server.post(
            &path,
            Some(&owner.pk),
            json!({ "usage": { "model": "gpt-4o", "inputTokens": tokens } }),
        )
    };
    assert_error(&settle(60_000).await, 402, "insufficient_credits");
    let (status, settled) = settle(6_000).await;
    assert_eq!(status, 200, "{settled}");
    assert_eq!(settled["hold"]["status"], "expired");
    assert_eq!(dec(&settled["balance"]["balanceUsd"]), d("0.085"));
    server.assert_ledger(pid).await;
}

async fn holds_that_do_not_fit_are_refused(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let pid = &owner.project_id;
    let path = format!("/v1/projects/{pid}/holds");
    let too_big = server
        .post(&path, Some(&owner.pk), json!({ "amountUsd": "1.000001" }))
        .await;
    assert_error(&too_big, 402, "insufficient_credits");
    let exact = server
        .post(&path, Some(&owner.pk), json!({ "amountUsd": "1.00" }))
        .await;
    assert_eq!(exact.0, 201, "{}", exact.1);
    let empty = server
        .post(&path, Some(&owner.pk), json!({ "amountUsd": "0.01" }))
        .await;
    assert_error(&empty, 402, "insufficient_credits");
    for bad in [
        json!({}),
        json!({ "amountUsd": "0" }),
        json!({ "amountUsd": "-1" }),
        json!({ "amountUsd": "0.5", "usage": { "model": TEXT_MODEL } }),
        json!({ "amountUsd": "0.5", "ttlSeconds": 0 }),
        json!({ "amountUsd": "0.5", "ttlSeconds": 3601 }),
        json!({ "usage": { "model": TEXT_MODEL, "inputTokens": -5 } }),
    ] {
        let response = server.post(&path, Some(&owner.pk), bad).await;
        assert_error(&response, 400, "invalid_input");
    }
    let unknown = server
        .post(
            &path,
            Some(&owner.pk),
            json!({ "usage": { "model": "gpt-99-ultra" } }),
        )
        .await;
    assert_error(&unknown, 400, "unknown_model");
    assert_eq!(server.balance(&owner).await, d("0.00"));
    server.assert_ledger(pid).await;
}
