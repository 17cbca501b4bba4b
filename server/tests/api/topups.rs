//! Top-ups: the $5–$200 limits, cent precision, idempotency, declines.

use crate::common::{assert_error, d, read, Backend, Server};
use crate::on_both;
use futures::future::join_all;
use serde_json::{json, Value};

on_both!(
    top_up_limits_are_inclusive_and_cent_precise,
    idempotency_key_makes_retries_safe,
    declined_payment_changes_nothing,
);

async fn top_up(
    server: &Server,
    key: &str,
    project_id: &str,
    idempotency: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let mut request = server
        .client
        .post(format!("{}/v1/projects/{project_id}/topups", server.url))
        .bearer_auth(key)
        .json(&body);
    if let Some(idempotency) = idempotency {
        request = request.header("idempotency-key", idempotency);
    }
    read(request.send().await.unwrap()).await
}

async fn top_up_limits_are_inclusive_and_cent_precise(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let pid = &owner.project_id;
    for (amount, message_part) in [
        (json!("4.99"), "from 5.00 to 200.00"),
        (json!("200.01"), "from 5.00 to 200.00"),
        (json!("0"), "from 5.00 to 200.00"),
        (json!("-10.00"), "from 5.00 to 200.00"),
        (json!("10.001"), "whole cents"),
        (json!("1e2"), "amountUsd"),
        (json!("ten"), "amountUsd"),
        (json!(10), "amountUsd"),
        (json!("99999999999999999999999999999999"), "amountUsd"),
    ] {
        let response = top_up(
            &server,
            &owner.sk,
            pid,
            None,
            json!({ "amountUsd": amount }),
        )
        .await;
        assert_error(&response, 400, "invalid_input");
        let message = response.1["error"]["message"].as_str().unwrap();
        assert!(message.contains(message_part), "{amount}: {message}");
    }
    assert_eq!(server.balance(&owner).await, d("1.00"), "nothing credited");

    for amount in ["5.00", "200", "17.5"] {
        let (status, body) = top_up(
            &server,
            &owner.sk,
            pid,
            None,
            json!({ "amountUsd": amount }),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["source"], "manual");
        assert!(body["paymentReference"]
            .as_str()
            .unwrap()
            .starts_with("test_ch_"));
    }
    assert_eq!(server.balance(&owner).await, d("223.50"));
    server.assert_ledger(pid).await;

    // A publishable key cannot buy credits.
    let response = top_up(
        &server,
        &owner.pk,
        pid,
        None,
        json!({ "amountUsd": "5.00" }),
    )
    .await;
    assert_error(&response, 403, "forbidden");
}

async fn idempotency_key_makes_retries_safe(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let pid = &owner.project_id;
    let body = json!({ "amountUsd": "25.00" });
    let (status, first) = top_up(&server, &owner.sk, pid, Some("order-1"), body.clone()).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["balanceAfterUsd"], "26.00");

    // Retries, sequential and concurrent, return the same top-up.
    let retries =
        join_all((0..8).map(|_| top_up(&server, &owner.sk, pid, Some("order-1"), body.clone())))
            .await;
    for (status, again) in retries {
        assert_eq!(status, 200, "{again}");
        assert_eq!(again, first);
    }
    assert_eq!(server.balance(&owner).await, d("26.00"));
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM top_ups WHERE project_id = $1", pid)
            .await,
        1
    );

    let reused = top_up(
        &server,
        &owner.sk,
        pid,
        Some("order-1"),
        json!({ "amountUsd": "30.00" }),
    )
    .await;
    assert_error(&reused, 409, "conflict");
    assert_eq!(server.balance(&owner).await, d("26.00"));
    server.assert_ledger(pid).await;
}

async fn declined_payment_changes_nothing(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let pid = &owner.project_id;
    let body = json!({ "amountUsd": "50.00", "paymentMethod": "pm_test_decline" });
    let declined = top_up(&server, &owner.sk, pid, Some("order-2"), body.clone()).await;
    assert_error(&declined, 402, "payment_failed");
    let again = top_up(&server, &owner.sk, pid, Some("order-2"), body).await;
    assert_eq!(again, declined, "a retry gets the same outcome");
    assert_eq!(server.balance(&owner).await, d("1.00"));
    server.assert_ledger(pid).await;
}
