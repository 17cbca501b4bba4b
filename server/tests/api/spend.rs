//! What a publishable key can cost the owner: the key is in every end
//! user's browser, so each probe here is what anyone holding it could send.
//! Nothing it sends takes the balance below zero or past the limits the
//! owner set for the key; the owner's secret key meters what really
//! happened, down to the overdraft limit the owner allows.

use crate::common::{assert_error, d, dec, text_event, Backend, Owner, Server, TEXT_MODEL};
use crate::on_both;
use reqwest::Method;
use rork_cloud_credits_server::http::RateLimit;
use rust_decimal::Decimal;
use serde_json::{json, Value};

on_both!(
    a_publishable_batch_never_takes_the_balance_below_zero,
    secret_key_usage_goes_below_zero_only_as_far_as_the_overdraft_limit,
    cloud_off_refuses_publishable_spend_even_naming_a_hold,
    publishable_holds_cannot_lock_the_balance,
    a_publishable_settlement_charges_at_most_the_hold,
    unknown_fields_in_usage_and_holds_are_refused,
    owner_set_key_limits_bound_spend_per_hour_and_per_end_user,
    key_limits_hold_across_two_instances,
    each_end_user_has_a_request_budget_of_their_own,
    a_publishable_key_closes_only_its_own_holds,
);

/// The public id of a key (`pk_0123456789ab`).
fn key_id(key: &str) -> &str {
    key.rsplit_once('_').map(|(id, _)| id).unwrap()
}

/// One image of `grok-imagine-image` ($0.02), for an end user of its own.
fn image_event() -> Value {
    json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "model": "grok-imagine-image",
        "units": 1,
        "endUser": format!("user-{}", uuid::Uuid::new_v4()),
    })
}

fn outcomes(batch: &Value) -> Vec<(String, String)> {
    batch["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| {
            let code = result["error"]["code"].as_str().unwrap_or_default();
            (
                result["status"].as_str().unwrap().to_owned(),
                code.to_owned(),
            )
        })
        .collect()
}

async fn hold(server: &Server, owner: &Owner, key: &str, body: Value) -> (u16, Value) {
    let path = format!("/v1/projects/{}/holds", owner.project_id);
    server.post(&path, Some(key), body).await
}

async fn set_limits(server: &Server, owner: &Owner, limits: Value) -> (u16, Value) {
    let path = format!("/v1/keys/{}", key_id(&owner.pk));
    server
        .send(Method::PATCH, &path, Some(&owner.sk), Some(limits))
        .await
}

/// Was: 500 image events from a project holding $1.00 were all accepted
/// (balance -$9.00 here, -$16,999 with 1,000 units each).
async fn a_publishable_batch_never_takes_the_balance_below_zero(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let batch = server
        .report(&owner.pk, (0..500).map(|_| image_event()).collect())
        .await;
    let statuses = outcomes(&batch);
    let accepted = statuses.iter().filter(|(s, _)| s == "accepted").count();
    assert_eq!(accepted, 50, "$1.00 buys 50 images at $0.02");
    assert!(statuses[..50].iter().all(|(s, _)| s == "accepted"));
    for (status, code) in &statuses[50..] {
        assert_eq!(
            (status.as_str(), code.as_str()),
            ("rejected", "insufficient_credits")
        );
    }
    assert_eq!(server.balance(&owner).await, Decimal::ZERO);
    assert_eq!(server.assert_ledger(&owner.project_id).await, Decimal::ZERO);
    assert_eq!(server.usage_events(&owner.project_id).await, 50);
    // 50 end users charged, but the key caps none: only the key's hour and day are kept.
    let rows = server
        .count(
            "SELECT COUNT(*) FROM publishable_spend WHERE key_id = $1",
            key_id(&owner.pk),
        )
        .await;
    assert_eq!(rows, 2);

    // Refused events were not recorded: sent again once there is money, they count.
    server.top_up(&owner.sk, &owner.project_id, "5.00").await;
    let again: Vec<Value> = batch["results"].as_array().unwrap()[50..55]
        .iter()
        .map(|result| json!({ "id": result["id"], "model": "grok-imagine-image", "units": 1 }))
        .collect();
    let statuses = outcomes(&server.report(&owner.pk, again).await);
    assert!(
        statuses.iter().all(|(s, _)| s == "accepted"),
        "{statuses:?}"
    );
    assert_eq!(server.balance(&owner).await, d("4.90"));

    // One event of 2^53 - 1 video seconds: refused, not charged.
    let huge = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "model": "veo-3.1",
        "units": 9_007_199_254_740_991u64,
    });
    let statuses = outcomes(&server.report(&owner.pk, vec![huge]).await);
    assert_eq!(statuses[0].0, "rejected");
    assert_eq!(server.balance(&owner).await, d("4.90"));
    server.assert_ledger(&owner.project_id).await;
}

async fn secret_key_usage_goes_below_zero_only_as_far_as_the_overdraft_limit(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    // $0.30 each: gpt-4o, 60,000 input tokens at $2.50/1M + 15,000 output at $10/1M.
    let events = |n: usize| {
        (0..n)
            .map(|_| {
                let mut event = text_event(60_000, 15_000);
                event["model"] = json!("gpt-4o");
                event["projectId"] = json!(owner.project_id);
                event
            })
            .collect::<Vec<_>>()
    };
    let refused = ("rejected".to_owned(), "insufficient_credits".to_owned());
    // Default: not at all.
    let statuses = outcomes(&server.report(&owner.sk, events(4)).await);
    assert!(
        statuses[..3].iter().all(|(s, _)| s == "accepted"),
        "{statuses:?}"
    );
    assert_eq!(statuses[3], refused);
    assert_eq!(server.balance(&owner).await, d("0.10"));

    let project = server
        .settings(
            &owner.sk,
            &owner.project_id,
            json!({ "overdraftLimitUsd": "0.50" }),
        )
        .await;
    assert_eq!(dec(&project["overdraftLimitUsd"]), d("0.50"));
    let statuses = outcomes(&server.report(&owner.sk, events(3)).await);
    assert!(
        statuses[..2].iter().all(|(s, _)| s == "accepted"),
        "down to -0.50 exactly"
    );
    assert_eq!(statuses[2], refused);
    assert_eq!(server.balance(&owner).await, d("-0.50"));
    // A publishable key never spends what is not there.
    let statuses = outcomes(&server.report(&owner.pk, vec![image_event()]).await);
    assert_eq!(statuses[0], refused);
    for bad in ["-1", "10000.01", "0.001"] {
        let path = format!("/v1/projects/{}/settings", owner.project_id);
        let refused = server
            .send(
                Method::PATCH,
                &path,
                Some(&owner.sk),
                Some(json!({ "overdraftLimitUsd": bad })),
            )
            .await;
        assert_error(&refused, 400, "invalid_input");
    }
    server.assert_ledger(&owner.project_id).await;
}

/// Was: with the cloud off, events naming an already settled hold were
/// accepted and charged.
async fn cloud_off_refuses_publishable_spend_even_naming_a_hold(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let (status, settled) = hold(&server, &owner, &owner.pk, json!({ "amountUsd": "0.05" })).await;
    assert_eq!(status, 201, "{settled}");
    let settle =
        json!({ "usage": { "model": TEXT_MODEL, "inputTokens": 1000, "outputTokens": 100 } });
    let path = format!("/v1/holds/{}/settle", settled["id"].as_str().unwrap());
    let (status, body) = server.post(&path, Some(&owner.pk), settle.clone()).await;
    assert_eq!(status, 200, "{body}");
    let (_, active) = hold(&server, &owner, &owner.pk, json!({ "amountUsd": "0.05" })).await;

    server
        .settings(
            &owner.sk,
            &owner.project_id,
            json!({ "useCloudCredits": false }),
        )
        .await;
    let before = server.balance(&owner).await;
    let events: Vec<Value> = (0..20)
        .map(|n| {
            let mut event = text_event(100_000, 10_000);
            let hold = if n % 2 == 0 { &settled } else { &active };
            event["holdId"] = hold["id"].clone();
            event
        })
        .collect();
    let statuses = outcomes(&server.report(&owner.pk, events).await);
    assert!(
        statuses
            .iter()
            .all(|s| *s == ("rejected".into(), "cloud_disabled".into())),
        "{statuses:?}"
    );
    let path = format!("/v1/holds/{}/settle", active["id"].as_str().unwrap());
    let refused = server.post(&path, Some(&owner.pk), settle).await;
    assert_error(&refused, 403, "cloud_disabled");
    assert_eq!(server.balance(&owner).await, before);
    server.assert_ledger(&owner.project_id).await;
}

/// Was: a publishable key reserved the whole $51 for an hour, and the real
/// app's next small hold was refused.
async fn publishable_holds_cannot_lock_the_balance(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    server.top_up(&owner.sk, &owner.project_id, "50.00").await;
    let all = hold(&server, &owner, &owner.pk, json!({ "amountUsd": "51.00" })).await;
    assert_error(&all, 402, "spend_limit");
    let long = hold(
        &server,
        &owner,
        &owner.pk,
        json!({ "amountUsd": "1.00", "ttlSeconds": 3600 }),
    )
    .await;
    assert_error(&long, 400, "invalid_input");
    let mut granted = 0;
    let mut last = (0, Value::Null);
    for _ in 0..10 {
        last = hold(&server, &owner, &owner.pk, json!({ "amountUsd": "2.00" })).await;
        if last.0 != 201 {
            break;
        }
        assert!(last.1["expiresAt"].as_str().is_some());
        granted += 1;
    }
    assert_eq!(granted, 5, "the default limit holds $10.00 at once");
    assert_error(&last, 402, "spend_limit");
    // The owner's own holds are not the key's: the app still works.
    let (status, body) = hold(&server, &owner, &owner.sk, json!({ "amountUsd": "0.0075" })).await;
    assert_eq!(status, 201, "{body}");
    server.assert_ledger(&owner.project_id).await;
}

/// Was: settling a $0.03 hold with $0.45 of usage debited $0.45 (here $0.30).
async fn a_publishable_settlement_charges_at_most_the_hold(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    // gpt-4o: 60,000 input tokens at $2.50/1M + 15,000 output at $10/1M = $0.30.
    let usage = json!({ "model": "gpt-4o", "inputTokens": 60_000, "outputTokens": 15_000 });
    let mut charged = Vec::new();
    for key in [&owner.pk, &owner.sk] {
        let (status, held) = hold(&server, &owner, key, json!({ "amountUsd": "0.03" })).await;
        assert_eq!(status, 201, "{held}");
        let path = format!("/v1/holds/{}/settle", held["id"].as_str().unwrap());
        let (status, body) = server
            .post(&path, Some(key), json!({ "usage": usage }))
            .await;
        assert_eq!(status, 200, "{body}");
        charged.push(dec(&body["event"]["costUsd"]));
    }
    assert_eq!(
        charged,
        [d("0.03"), d("0.30")],
        "publishable: capped; secret: all"
    );
    assert_eq!(server.balance(&owner).await, d("0.67"));
    let (unbilled,): (Option<String>,) =
        sqlx::query_as("SELECT unbilled FROM usage_events WHERE project_id = $1 AND cost = '0.03'")
            .bind(&owner.project_id)
            .fetch_one(server.services.store.pool())
            .await
            .unwrap();
    assert_eq!(unbilled.as_deref().map(d), Some(d("0.27")));
    let (_, page) = server
        .get(
            &format!("/v1/projects/{}/ledger", owner.project_id),
            Some(&owner.sk),
        )
        .await;
    let memos: Vec<&str> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|entry| entry["memo"].as_str())
        .collect();
    assert!(
        memos
            .iter()
            .any(|memo| memo.contains("0.27 USD over the hold not charged")),
        "{memos:?}"
    );
    server.assert_ledger(&owner.project_id).await;
}

/// Was: `"outputToken": 5000` was accepted and charged 0.
async fn unknown_fields_in_usage_and_holds_are_refused(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let mut event = text_event(1000, 0);
    event["outputToken"] = json!(5000);
    let batch = server.report(&owner.pk, vec![event]).await;
    assert_eq!(batch["results"][0]["status"], "rejected");
    assert_eq!(batch["results"][0]["error"]["code"], "invalid_input");
    let message = batch["results"][0]["error"]["message"].as_str().unwrap();
    assert!(message.contains("outputToken"), "{message}");
    assert_eq!(server.usage_events(&owner.project_id).await, 0);

    let usage = json!({ "model": TEXT_MODEL, "inputTokens": 10, "outputToken": 5 });
    let refused = hold(&server, &owner, &owner.pk, json!({ "usage": usage })).await;
    assert_error(&refused, 400, "invalid_input");
    assert!(refused.1["error"]["message"]
        .as_str()
        .unwrap()
        .contains("outputToken"));
}

async fn owner_set_key_limits_bound_spend_per_hour_and_per_end_user(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let (_, project) = server
        .get(
            &format!("/v1/projects/{}", owner.project_id),
            Some(&owner.sk),
        )
        .await;
    let defaults = &project["publishableKeys"][0]["limits"];
    assert_eq!(dec(&defaults["spendPerHourUsd"]), d("10.00"), "{project}");
    assert_eq!(defaults["maxHoldSeconds"], 600);

    let limits = json!({
        "spendPerHourUsd": "0.10", "spendPerDayUsd": "1.00", "maxHoldUsd": "0.05",
        "maxHeldUsd": "0.05", "maxHoldSeconds": 60, "endUserPerDayUsd": "0.05",
    });
    let by_pk = server
        .send(
            Method::PATCH,
            &format!("/v1/keys/{}", key_id(&owner.pk)),
            Some(&owner.pk),
            Some(limits.clone()),
        )
        .await;
    assert_error(&by_pk, 403, "forbidden");
    for (field, bad) in [
        ("spendPerHourUsd", json!("-1")),
        ("maxHoldSeconds", json!(0)),
        ("endUserPerDayUsd", json!("0.001")),
        ("unknownLimit", json!("1")),
    ] {
        let mut body = limits.clone();
        body[field] = bad;
        let refused = set_limits(&server, &owner, body).await;
        assert_error(&refused, 400, "invalid_input");
    }
    let (status, key) = set_limits(&server, &owner, limits).await;
    assert_eq!(status, 200, "{key}");
    assert_eq!(dec(&key["limits"]["endUserPerDayUsd"]), d("0.05"));

    // $0.021 an event: alice reaches her $0.05 on the third, bob his on the
    // third as well, but by then the key's $0.10 an hour is reached first.
    let as_user = |user: &str| {
        let mut event = text_event(100_000, 10_000);
        event["endUser"] = json!(user);
        event
    };
    let users = ["alice", "alice", "alice", "bob", "bob", "carol", "carol"];
    let batch = server
        .report(&owner.pk, users.iter().map(|u| as_user(u)).collect())
        .await;
    let codes: Vec<String> = outcomes(&batch)
        .into_iter()
        .map(|(s, c)| s + ":" + &c)
        .collect();
    assert_eq!(
        codes,
        [
            "accepted:",
            "accepted:",
            "rejected:spend_limit",
            "accepted:",
            "accepted:",
            "rejected:spend_limit",
            "rejected:spend_limit",
        ]
    );
    let message = batch["results"][5]["error"]["message"].as_str().unwrap();
    assert!(message.contains("per hour"), "{message}");
    assert_eq!(server.balance(&owner).await, d("0.916"));
    // Holds count as spent while active.
    let held = hold(&server, &owner, &owner.pk, json!({ "amountUsd": "0.02" })).await;
    assert_error(&held, 402, "spend_limit");
    // The owner's own metering is not the key's.
    let mut event = as_user("alice");
    event["projectId"] = json!(owner.project_id);
    let statuses = outcomes(&server.report(&owner.sk, vec![event]).await);
    assert_eq!(statuses[0].0, "accepted");
    server.assert_ledger(&owner.project_id).await;
}

/// Concurrent holds through two server instances on one database: the key's
/// limit on what it holds at once is never exceeded.
async fn key_limits_hold_across_two_instances(backend: Backend) {
    let first = Server::start(backend).await;
    let second = first.sibling().await;
    let owner = first.owner().await;
    first.top_up(&owner.sk, &owner.project_id, "50.00").await;
    let mut tasks = Vec::new();
    for n in 0..24 {
        let server = if n % 2 == 0 { &first } else { &second };
        tasks.push(hold(
            server,
            &owner,
            &owner.pk,
            json!({ "amountUsd": "1.00" }),
        ));
    }
    let answers = futures::future::join_all(tasks).await;
    let granted = answers.iter().filter(|(status, _)| *status == 201).count();
    for answer in answers.iter().filter(|(status, _)| *status != 201) {
        assert_error(answer, 402, "spend_limit");
    }
    assert_eq!(granted, 10, "the default limit holds $10.00 at once");
    first.assert_ledger(&owner.project_id).await;
    second.stop().await;
}

async fn each_end_user_has_a_request_budget_of_their_own(backend: Backend) {
    let server = Server::start_with(backend, |options| {
        options.end_user_rate_limit = RateLimit::new(1, 3);
    })
    .await;
    let owner = server.owner().await;
    let as_user = |user: &str| json!({ "amountUsd": "0.01", "endUser": user });
    for _ in 0..3 {
        let (status, body) = hold(&server, &owner, &owner.pk, as_user("alice")).await;
        assert_eq!(status, 201, "{body}");
    }
    let refused = hold(&server, &owner, &owner.pk, as_user("alice")).await;
    assert_error(&refused, 429, "rate_limited");
    let mut event = text_event(10, 0);
    event["endUser"] = json!("alice");
    let refused = server
        .post("/v1/usage", Some(&owner.pk), json!({ "events": [event] }))
        .await;
    assert_error(&refused, 429, "rate_limited");
    let (status, body) = hold(&server, &owner, &owner.pk, as_user("bob")).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = hold(&server, &owner, &owner.pk, json!({ "amountUsd": "0.01" })).await;
    assert_eq!(status, 201, "without an end user: {body}");
}

/// The owner's server reserves $5 with its secret key: anyone holding the
/// publishable key and the hold's id must not turn that into a charge.
async fn a_publishable_key_closes_only_its_own_holds(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    server.top_up(&owner.sk, &owner.project_id, "10.00").await;
    let (status, held) = hold(&server, &owner, &owner.sk, json!({ "amountUsd": "5.00" })).await;
    assert_eq!(status, 201, "{held}");
    let id = held["id"].as_str().unwrap();
    let usage = json!({ "model": "gpt-4o", "inputTokens": 120_000, "outputTokens": 16_000 });
    let settled = server
        .post(
            &format!("/v1/holds/{id}/settle"),
            Some(&owner.pk),
            json!({ "usage": usage }),
        )
        .await;
    assert_error(&settled, 403, "forbidden");
    let mut event = text_event(120_000, 16_000);
    event["model"] = json!("gpt-4o");
    event["holdId"] = json!(id);
    let batch = server.report(&owner.pk, vec![event]).await;
    assert_eq!(batch["results"][0]["error"]["code"], "forbidden", "{batch}");
    let released = server
        .post(
            &format!("/v1/holds/{id}/release"),
            Some(&owner.pk),
            json!({}),
        )
        .await;
    assert_error(&released, 403, "forbidden");
    assert_eq!(
        server.balance(&owner).await,
        d("6.00"),
        "only the hold is reserved"
    );
    // A zero estimate reserves nothing: no hold for it.
    let zero = hold(
        &server,
        &owner,
        &owner.pk,
        json!({ "usage": { "model": "gpt-4o" } }),
    )
    .await;
    assert_error(&zero, 400, "invalid_input");
    // The owner still settles its own hold.
    let (status, body) = server
        .post(
            &format!("/v1/holds/{id}/settle"),
            Some(&owner.sk),
            json!({ "usage": usage }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    server.assert_ledger(&owner.project_id).await;
}
