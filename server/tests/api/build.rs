//! Build credits: plan periods renewed on a fixed clock, subscription credits
//! spent before usage credits, packs credited once per `Idempotency-Key`,
//! concurrent activity never below zero, and the ledger always the sum.

use crate::common::{assert_error, read, Backend, Owner, Server};
use crate::on_both;
use futures::future::join_all;
use rork_cloud_credits_server::clock::{parse_rfc3339, Clock};
use serde_json::{json, Value};
use std::time::Duration;

on_both!(
    plan_periods_renew_and_unused_subscription_credits_expire,
    subscription_credits_are_spent_before_usage_credits,
    a_pack_bought_twice_with_one_key_is_credited_once,
    the_sweeper_completes_a_pack_a_crash_left_pending_once,
    concurrent_activity_never_goes_below_zero,
    bad_activity_is_refused_and_changes_nothing,
);

fn ms(text: &str) -> i64 {
    parse_rfc3339("t", text).unwrap()
}

/// A server whose build-credits clock stands at `at` (moved with `clock().set`).
async fn server_at(backend: Backend, at: &str) -> Server {
    Server::start_with(backend, |options| options.clock = Clock::fixed(ms(at))).await
}

async fn summary(server: &Server, owner: &Owner) -> Value {
    let (status, body) = server
        .get("/v1/build-credits?limit=200", Some(&owner.sk))
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// `(subscription, usage)` of the summary, checked against the ledger's sums.
async fn balances(server: &Server, owner: &Owner) -> (u64, u64) {
    let body = summary(server, owner).await;
    let (subscription, usage) = (
        body["subscription"].as_u64().unwrap(),
        body["usage"].as_u64().unwrap(),
    );
    assert_eq!(body["remaining"].as_u64().unwrap(), subscription + usage);
    let sums: Vec<(String, i64)> = sqlx::query_as(
        "SELECT bucket, CAST(SUM(credits) AS BIGINT) FROM build_ledger WHERE account_id = $1 GROUP BY bucket ORDER BY bucket",
    )
    .bind(&owner.account_id)
    .fetch_all(server.services.store.pool())
    .await
    .unwrap();
    let sum = |bucket: &str| {
        sums.iter()
            .find(|(b, _)| b == bucket)
            .map_or(0, |(_, s)| *s)
    };
    assert_eq!(
        (sum("subscription"), sum("usage")),
        (subscription as i64, usage as i64),
        "the ledger adds up"
    );
    (subscription, usage)
}

async fn activity(server: &Server, owner: &Owner, credits: u64, key: Option<&str>) -> (u16, Value) {
    let body = json!({"projectId": owner.project_id, "kind": "chat", "description": "Agent chat", "credits": credits});
    post(server, owner, "/v1/build-credits/activity", key, body).await
}

async fn post(
    server: &Server,
    owner: &Owner,
    path: &str,
    key: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let mut request = server
        .client
        .post(format!("{}{path}", server.url))
        .bearer_auth(&owner.sk)
        .json(&body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    read(request.send().await.unwrap()).await
}

async fn entries(server: &Server, owner: &Owner, kind: &str) -> Vec<i64> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT credits FROM build_ledger WHERE account_id = $1 AND kind = $2 ORDER BY seq",
    )
    .bind(&owner.account_id)
    .bind(kind)
    .fetch_all(server.services.store.pool())
    .await
    .unwrap();
    rows.into_iter().map(|(credits,)| credits).collect()
}

async fn plan_periods_renew_and_unused_subscription_credits_expire(backend: Backend) {
    let server = server_at(backend, "2026-01-31T10:00:00Z").await;
    let owner = server.owner().await;
    let body = summary(&server, &owner).await;
    assert_eq!(
        body["plan"],
        json!({"name": "Pro", "monthlyCredits": 500, "priceUsd": "25.00"})
    );
    assert_eq!(body["periodStart"], "2026-01-31T10:00:00.000Z");
    assert_eq!(
        body["renewsAt"], "2026-02-28T10:00:00.000Z",
        "a month, clamped to February's end"
    );
    assert_eq!(balances(&server, &owner).await, (500, 25));

    assert_eq!(activity(&server, &owner, 120, None).await.0, 201);
    server.services.clock.set(ms("2026-02-28T09:59:59.999Z"));
    assert_eq!(
        balances(&server, &owner).await,
        (380, 25),
        "not renewed before the period's end"
    );

    server.services.clock.set(ms("2026-02-28T10:00:00Z"));
    assert_eq!(
        balances(&server, &owner).await,
        (500, 25),
        "380 expired, 500 granted, usage kept"
    );
    let body = summary(&server, &owner).await;
    assert_eq!(body["periodStart"], "2026-02-28T10:00:00.000Z");
    assert_eq!(
        body["renewsAt"], "2026-03-31T10:00:00.000Z",
        "back to the 31st"
    );
    assert_eq!(entries(&server, &owner, "expire").await, [-380]);

    // Idle for months: one expiry and one grant, for the period holding now.
    server.services.clock.set(ms("2026-06-15T00:00:00Z"));
    assert_eq!(
        activity(&server, &owner, 7, None).await.0,
        201,
        "renewal runs first"
    );
    assert_eq!(balances(&server, &owner).await, (493, 25));
    let body = summary(&server, &owner).await;
    assert_eq!(body["periodStart"], "2026-05-31T10:00:00.000Z");
    assert_eq!(body["renewsAt"], "2026-06-30T10:00:00.000Z");
    assert_eq!(entries(&server, &owner, "grant").await, [500, 500, 500]);
    assert_eq!(entries(&server, &owner, "expire").await, [-380, -500]);
    let (status, account) = server.get("/v1/account", Some(&owner.sk)).await;
    assert_eq!(status, 200);
    assert_eq!(
        account["buildCredits"],
        json!({"subscription": 493, "usage": 25})
    );
}

async fn subscription_credits_are_spent_before_usage_credits(backend: Backend) {
    let server = server_at(backend, "2026-03-10T12:00:00Z").await;
    let owner = server.owner().await;
    let split = |body: &Value| {
        (
            body["subscriptionCredits"].as_u64().unwrap(),
            body["usageCredits"].as_u64().unwrap(),
        )
    };
    let (status, first) = activity(&server, &owner, 490, None).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        (first["credits"].as_u64(), split(&first)),
        (Some(490), (490, 0))
    );
    let (_, second) = activity(&server, &owner, 20, None).await;
    assert_eq!(
        split(&second),
        (10, 10),
        "the last 10 subscription credits, then usage"
    );
    assert_eq!(balances(&server, &owner).await, (0, 15));

    let refused = activity(&server, &owner, 16, None).await;
    assert_error(&refused, 402, "insufficient_credits");
    assert!(
        refused.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("15 are left"),
        "{}",
        refused.1
    );
    assert_eq!(balances(&server, &owner).await, (0, 15), "nothing debited");

    let (_, last) = activity(&server, &owner, 15, None).await;
    assert_eq!(split(&last), (0, 15));
    assert_eq!(balances(&server, &owner).await, (0, 0));

    let body = summary(&server, &owner).await;
    let recent: Vec<&str> = body["recent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(recent.len(), 3, "the refused activity is not recorded");
    assert_eq!(recent[0], last["id"].as_str().unwrap(), "newest first");
    assert_eq!(
        body["byKind"][0],
        json!({"kind": "chat", "credits": 525, "count": 3})
    );
    let kinds: Vec<&str> = body["byKind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["chat", "build", "asset", "publish"]);
}

async fn a_pack_bought_twice_with_one_key_is_credited_once(backend: Backend) {
    let server = server_at(backend, "2026-03-10T12:00:00Z").await;
    let owner = server.owner().await;
    let buy = |key: &'static str, pack: &'static str, method: &'static str| {
        let (server, owner) = (&server, &owner);
        async move {
            let body = json!({"pack": pack, "paymentMethod": method});
            post(server, owner, "/v1/build-credits/packs", Some(key), body).await
        }
    };
    let (status, first) = buy("pack-1", "credits_200", "pm_test_ok").await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(
        (first["credits"].as_u64(), first["amountUsd"].as_str()),
        (Some(200), Some("35.00"))
    );
    assert_eq!(first["usageAfter"], 225);
    let (status, again) = buy("pack-1", "credits_200", "pm_test_ok").await;
    assert_eq!(status, 200);
    assert_eq!(again, first, "the same purchase, not a second one");
    assert_eq!(balances(&server, &owner).await, (500, 225));
    assert_error(
        &buy("pack-1", "credits_50", "pm_test_ok").await,
        409,
        "conflict",
    );

    // The same key sent concurrently still credits once.
    let racing = join_all((0..6).map(|_| buy("pack-2", "credits_50", "pm_test_ok"))).await;
    let ids: Vec<&Value> = racing
        .iter()
        .filter(|(status, _)| *status == 200)
        .map(|(_, body)| &body["id"])
        .collect();
    assert!(
        !ids.is_empty() && ids.iter().all(|id| *id == ids[0]),
        "{racing:?}"
    );
    assert_eq!(balances(&server, &owner).await, (500, 275));
    assert_eq!(entries(&server, &owner, "pack").await, [200, 50]);

    assert_error(
        &buy("pack-3", "credits_500", "pm_test_decline").await,
        402,
        "payment_failed",
    );
    assert_error(
        &buy("pack-3", "credits_500", "pm_test_decline").await,
        402,
        "payment_failed",
    );
    assert_eq!(
        balances(&server, &owner).await,
        (500, 275),
        "a decline credits nothing"
    );
    assert_error(
        &buy("pack-4", "credits_7", "pm_test_ok").await,
        400,
        "invalid_input",
    );
}

/// A purchase recorded `pending` when the server stopped (neither charged nor
/// credited): the sweeper charges and credits it once after a minute, leaves
/// younger ones to their own request, and a retry with its key afterwards
/// answers the same purchase.
async fn the_sweeper_completes_a_pack_a_crash_left_pending_once(backend: Backend) {
    let server = Server::start_with(backend, |options| {
        options.clock = Clock::fixed(ms("2026-03-10T12:00:00Z"));
        options.sweep_every = Duration::from_millis(100);
    })
    .await;
    let owner = server.owner().await;
    let (subscription, usage) = balances(&server, &owner).await;
    let pending = |id: &'static str, key: &'static str, at: &'static str| {
        sqlx::query(
            "INSERT INTO build_packs (id, account_id, idempotency_key, pack, credits, amount, \
             payment_method, status, created_at) \
             VALUES ($1, $2, $3, 'credits_50', 50, '10.00', 'pm_test_ok', 'pending', $4)",
        )
        .bind(id)
        .bind(&owner.account_id)
        .bind(key)
        .bind(ms(at))
        .execute(server.services.store.pool())
    };
    pending("crashed", "key-crashed", "2026-03-10T11:58:00Z")
        .await
        .unwrap();
    pending("in-flight", "key-in-flight", "2026-03-10T11:59:30Z")
        .await
        .unwrap();
    let status = |id: &'static str| {
        let pool = server.services.store.pool();
        async move {
            let (status,): (String,) =
                sqlx::query_as("SELECT status FROM build_packs WHERE id = $1")
                    .bind(id)
                    .fetch_one(pool)
                    .await
                    .unwrap();
            status
        }
    };
    for _ in 0..100 {
        if status("crashed").await != "pending" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status("crashed").await, "succeeded");
    assert_eq!(
        status("in-flight").await,
        "pending",
        "younger than a minute"
    );
    assert_eq!(balances(&server, &owner).await, (subscription, usage + 50));

    let body = json!({"pack": "credits_50", "paymentMethod": "pm_test_ok"});
    let (code, again) = post(
        &server,
        &owner,
        "/v1/build-credits/packs",
        Some("key-crashed"),
        body,
    )
    .await;
    assert_eq!(code, 200, "{again}");
    assert_eq!(
        (again["id"].as_str(), again["usageAfter"].as_u64()),
        (Some("crashed"), Some(usage + 50))
    );
    assert_eq!(
        entries(&server, &owner, "pack").await,
        [50],
        "credited once"
    );
}

async fn concurrent_activity_never_goes_below_zero(backend: Backend) {
    let server = server_at(backend, "2026-03-10T12:00:00Z").await;
    let owner = server.owner().await;
    // 525 credits; 40 activities of 20 at once: 26 fit, 14 are refused.
    let results = join_all((0..40).map(|_| activity(&server, &owner, 20, None))).await;
    let statuses: Vec<u16> = results.iter().map(|(status, _)| *status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        26,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 402).count(),
        14,
        "{statuses:?}"
    );
    assert_eq!(balances(&server, &owner).await, (0, 5));

    // A retried activity is recorded and debited once.
    let (status, first) = activity(&server, &owner, 2, Some("edit-1")).await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = activity(&server, &owner, 2, Some("edit-1")).await;
    assert_eq!((status, &again), (201, &first));
    assert_eq!(balances(&server, &owner).await, (0, 3));
    assert_error(
        &activity(&server, &owner, 3, Some("edit-1")).await,
        409,
        "conflict",
    );
}

async fn bad_activity_is_refused_and_changes_nothing(backend: Backend) {
    let server = server_at(backend, "2026-03-10T12:00:00Z").await;
    let owner = server.owner().await;
    let other = server.owner().await;
    let path = "/v1/build-credits/activity";
    let with = |patch: Value| {
        let mut body = json!({"projectId": owner.project_id, "kind": "build", "description": "Build", "credits": 3});
        body.as_object_mut()
            .unwrap()
            .extend(patch.as_object().unwrap().clone());
        body
    };
    for (patch, status, code) in [
        (json!({"kind": "lunch"}), 400, "invalid_input"),
        (json!({"credits": 0}), 400, "invalid_input"),
        (json!({"credits": 10_001}), 400, "invalid_input"),
        (json!({"credits": "3"}), 400, "invalid_input"),
        (json!({"description": ""}), 400, "invalid_input"),
        (json!({"projectId": "not-a-project"}), 400, "invalid_input"),
        (json!({"projectId": other.project_id}), 404, "not_found"),
        (json!({"extra": 1}), 400, "invalid_input"),
    ] {
        assert_error(
            &post(&server, &owner, path, None, with(patch.clone())).await,
            status,
            code,
        );
    }
    let by_pk = server
        .client
        .post(format!("{}{path}", server.url))
        .bearer_auth(&owner.pk)
        .json(&with(json!({})));
    let response = read(by_pk.send().await.unwrap()).await;
    assert_eq!(
        response.0, 403,
        "a publishable key cannot spend build credits: {}",
        response.1
    );
    assert_eq!(balances(&server, &owner).await, (500, 25));
}
