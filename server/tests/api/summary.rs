//! Usage summaries by model, project and UTC day.

use crate::common::{d, dec, Backend, Server, TestDb};
use crate::on_both;
use chrono::{Duration, SecondsFormat, Utc};
use rork_cloud_credits_core::estimate::UsageRequest;
use rork_cloud_credits_core::wire::EventStatus;
use rork_cloud_credits_server::spend::Payer;
use rork_cloud_credits_server::usage;
use serde_json::json;

on_both!(summaries_group_spend_by_model_project_and_utc_day);

async fn summaries_group_spend_by_model_project_and_utc_day(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    server.top_up(&owner.sk, &owner.project_id, "5.00").await;
    let (second_id, second_pk) = server.project(&owner.sk, "Second").await;
    server
        .settings(&owner.sk, &second_id, json!({"useCloudCredits": true}))
        .await;

    let today = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let at = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let event = |model: &str, input: u64, output: u64, units: u64, when: chrono::DateTime<Utc>| {
        json!({"id": uuid::Uuid::new_v4().to_string(), "model": model, "inputTokens": input,
               "outputTokens": output, "units": units, "occurredAt": at(when)})
    };
    // claude-opus-4-7 5/25 per 1M; gpt-4o 2.50/10.00 per 1M; web-search 0.005 per query.
    let events = json!({"events": [
        event("claude-opus-4-7", 30_000, 0, 0, today),                              // 0.15 today 00:00
        event("claude-opus-4-7", 0, 24_000, 0, today - Duration::seconds(1)),       // 0.60 yesterday 23:59:59
        event("gpt-4o", 100_000, 10_000, 0, today - Duration::days(9)),             // 0.35
        event("web-search", 0, 0, 4, today - Duration::days(29)),                   // 0.02, first day of 30
        event("claude-opus-4-7", 500_000, 0, 0, today - Duration::days(30)),        // 2.50, outside 30 days
    ]});
    let (status, body) = server.post("/v1/usage", Some(&owner.pk), events).await;
    assert_eq!(status, 200, "{body}");
    let other = json!({"events": [event("claude-opus-4-7", 60_000, 0, 0, today)]}); // 0.30
    let (status, _) = server.post("/v1/usage", Some(&second_pk), other).await;
    assert_eq!(status, 200);

    let summary = |query: String| {
        let server = &server;
        let sk = owner.sk.clone();
        async move {
            let (status, body) = server.get(&query, Some(&sk)).await;
            assert_eq!(status, 200, "{query}: {body}");
            body
        }
    };
    let pid = &owner.project_id;
    let by_model = summary(format!("/v1/projects/{pid}/usage")).await;
    assert_eq!(by_model["days"], 30);
    assert_eq!(by_model["groupBy"], "model");
    assert_eq!(
        by_model["from"],
        at(today - Duration::days(29)).replace('Z', ".000Z")
    );
    assert_eq!(dec(&by_model["totalCostUsd"]), d("1.12"));
    assert_eq!(by_model["totalEvents"], 4);
    let groups = by_model["groups"].as_array().unwrap();
    let keys: Vec<&str> = groups.iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        ["claude-opus-4-7", "gpt-4o", "web-search"],
        "by cost, highest first"
    );
    assert_eq!(dec(&groups[0]["costUsd"]), d("0.75"));
    assert_eq!(groups[0]["inputTokens"], 30_000);
    assert_eq!(groups[0]["outputTokens"], 24_000);
    assert_eq!(groups[2]["units"], 4);

    let by_day = summary(format!("/v1/projects/{pid}/usage?groupBy=day")).await;
    let days = by_day["groups"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    let day = |offset: i64| {
        (today - Duration::days(offset))
            .format("%Y-%m-%d")
            .to_string()
    };
    assert_eq!(days[0]["key"], day(29));
    assert_eq!(dec(&days[0]["costUsd"]), d("0.02"));
    assert_eq!(days[29]["key"], day(0));
    assert_eq!(dec(&days[29]["costUsd"]), d("0.15"));
    assert_eq!(dec(&days[28]["costUsd"]), d("0.60"));
    assert_eq!(dec(&days[20]["costUsd"]), d("0.35"));
    assert_eq!(days.iter().filter(|g| g["events"] == 0).count(), 26);

    let week = summary(format!("/v1/projects/{pid}/usage?days=7&groupBy=day")).await;
    assert_eq!(week["groups"].as_array().unwrap().len(), 7);
    assert_eq!(dec(&week["totalCostUsd"]), d("0.75"));
    let quarter = summary(format!("/v1/projects/{pid}/usage?days=90")).await;
    assert_eq!(dec(&quarter["totalCostUsd"]), d("3.62"));

    let by_project = summary("/v1/account/usage?groupBy=project".into()).await;
    let projects = by_project["groups"].as_array().unwrap();
    assert_eq!(projects.len(), 2);
    assert_eq!(projects[0]["key"], owner.project_id.as_str());
    assert_eq!(projects[0]["label"], "App");
    assert_eq!(dec(&projects[1]["costUsd"]), d("0.30"));
    assert_eq!(projects[1]["label"], "Second");
    let account_models = summary("/v1/account/usage?groupBy=model".into()).await;
    assert_eq!(dec(&account_models["groups"][0]["costUsd"]), d("1.05"));

    // The running app reads its own project's spend with its publishable key,
    // and no other project's.
    let (status, app_view) = server
        .get(&format!("/v1/projects/{pid}/usage"), Some(&owner.pk))
        .await;
    assert_eq!(status, 200, "{app_view}");
    assert_eq!(app_view["groups"], by_model["groups"]);
    assert_eq!(app_view["totalCostUsd"], by_model["totalCostUsd"]);
    let other_project = server
        .get(&format!("/v1/projects/{second_id}/usage"), Some(&owner.pk))
        .await;
    crate::common::assert_error(&other_project, 403, "forbidden");

    let wrong = server
        .get(
            &format!("/v1/projects/{pid}/usage?groupBy=project"),
            Some(&owner.sk),
        )
        .await;
    crate::common::assert_error(&wrong, 400, "invalid_input");
}

on_both!(day_totals_kept_per_event_equal_the_totals_of_the_events_after_an_upgrade);

/// The per-day totals kept as events are recorded (batches with repeated
/// and resent ids, an event refused, a hold settled, events on several days
/// and projects) are the ones the start-up backfill computes from the
/// events alone: checked by taking the database back to the schema before
/// `usage_daily` (migration 3 undone) and opening a server on it.
async fn day_totals_kept_per_event_equal_the_totals_of_the_events_after_an_upgrade(
    backend: Backend,
) {
    let db = TestDb::fresh(backend).await;
    let server = Server::open(&db.url).await;
    let owner = server.owner().await;
    let pid = owner.project_id.clone();
    let (second_id, _) = server.project(&owner.sk, "Second").await;
    server
        .settings(&owner.sk, &second_id, json!({"useCloudCredits": true}))
        .await;
    server.top_up(&owner.sk, &second_id, "5.00").await;
    let (off_id, _) = server.project(&owner.sk, "Cloud off").await;

    let now = Utc::now();
    let event = |project: &str, model: &str, input: u64, units: u64, days_ago: i64| {
        json!({"id": uuid::Uuid::new_v4().to_string(), "projectId": project, "model": model,
               "inputTokens": input, "outputTokens": input / 3, "units": units,
               "occurredAt": (now - Duration::days(days_ago)).to_rfc3339_opts(SecondsFormat::Millis, true)})
    };
    let repeated = event(&pid, "gpt-4o", 1234, 0, 0);
    let first_batch = json!({"events": [
        event(&pid, "gpt-4o-mini", 1_000, 0, 0),
        repeated,
        repeated,
        event(&pid, "gpt-4o-mini", 7_777, 0, 1),
        event(&pid, "web-search", 0, 3, 1),
        event(&second_id, "claude-sonnet-4-6", 333_333, 0, 0),
        event(&off_id, "gpt-4o", 1_000, 0, 0),
    ]});
    let (status, body) = server
        .post("/v1/usage", Some(&owner.sk), first_batch.clone())
        .await;
    assert_eq!(status, 200, "{body}");
    let statuses: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "accepted",
            "accepted",
            "duplicate",
            "accepted",
            "accepted",
            "accepted",
            "rejected"
        ]
    );
    let (status, _) = server.post("/v1/usage", Some(&owner.sk), first_batch).await;
    assert_eq!(status, 200, "a resent batch is all duplicates");
    let (status, hold) = server
        .post(
            &format!("/v1/projects/{pid}/holds"),
            Some(&owner.pk),
            json!({"usage": {"model": "gpt-4o-mini", "inputTokens": 10_000, "outputTokens": 500}}),
        )
        .await;
    assert_eq!(status, 201, "{hold}");
    let settle =
        json!({"usage": {"model": "gpt-4o-mini", "inputTokens": 9_000, "outputTokens": 400}});
    let hold_id = hold["id"].as_str().unwrap();
    let (status, body) = server
        .post(
            &format!("/v1/holds/{hold_id}/settle"),
            Some(&owner.pk),
            settle,
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let kept = day_totals(&server).await;
    assert_eq!(kept.len(), 5, "{kept:#?}");
    let before = account_summaries(&server, &owner.sk).await;
    assert_eq!(before[0]["totalEvents"], 6);
    // gpt-4o-mini 0.15/0.60, gpt-4o 2.50/10.00 and claude-sonnet-4-6 3/15 per 1M tokens, web
    // search 0.005 a query: 0.0003498 + 0.007195 + 0.00272175 + 0.015 + 2.666664 + 0.00159 (the
    // settlement).
    assert_eq!(dec(&before[0]["totalCostUsd"]), d("2.69352055"));

    let mut connection = server.services.store.pool().acquire().await.unwrap();
    for undo in [
        "DROP TABLE usage_daily",
        "DROP TABLE pending_backfills",
        "DELETE FROM _sqlx_migrations WHERE version = 3",
    ] {
        sqlx::query(undo).execute(&mut *connection).await.unwrap();
    }
    drop(connection);
    server.stop().await;
    let upgraded = Server::open(&db.url).await;
    assert_eq!(day_totals(&upgraded).await, kept);
    assert_eq!(account_summaries(&upgraded, &owner.sk).await, before);
    upgraded.stop().await;
}

/// The account's summaries by model, project and day.
async fn account_summaries(server: &Server, sk: &str) -> Vec<serde_json::Value> {
    let mut bodies = Vec::new();
    for group_by in ["model", "project", "day"] {
        let path = format!("/v1/account/usage?groupBy={group_by}");
        let (status, body) = server.get(&path, Some(sk)).await;
        assert_eq!(status, 200, "{body}");
        let mut body = body;
        body.as_object_mut().unwrap().remove("to"); // now
        bodies.push(body);
    }
    bodies
}

/// A row of `usage_daily`: project, day, model, events, input and output tokens, units, cost.
type DayTotals = (String, i64, String, i64, i64, i64, i64, String);

/// Every row of `usage_daily`, in key order, as text.
async fn day_totals(server: &Server) -> Vec<String> {
    let rows: Vec<DayTotals> = sqlx::query_as(
        "SELECT project_id, day, model, events, input_tokens, output_tokens, units, cost \
         FROM usage_daily ORDER BY project_id, day, model",
    )
    .fetch_all(server.services.store.pool())
    .await
    .unwrap();
    rows.into_iter().map(|row| format!("{row:?}")).collect()
}

on_both!(day_totals_saturate_instead_of_failing_the_usage_that_overflows_them);

/// A day's token total past the BIGINT range (1,101 events of 2^53 - 1 tokens) stays at the
/// largest BIGINT; recording the usage that crosses it does not fail. No request can carry
/// such counts any more (they are beyond every model's context window and every balance), so
/// the events are recorded through `usage::record`, below the HTTP checks, at $0.000001 each.
async fn day_totals_saturate_instead_of_failing_the_usage_that_overflows_them(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let max = (1u64 << 53) - 1;
    let now = chrono::Utc::now().timestamp_millis();
    for _ in 0..3 {
        let events = (0..367)
            .map(|index| usage::Priced {
                index,
                id: uuid::Uuid::new_v4().to_string(),
                project_id: owner.project_id.clone(),
                usage: UsageRequest {
                    model: "gpt-4o-mini".into(),
                    input_tokens: max,
                    ..UsageRequest::default()
                },
                cost: d("0.000001"),
                catalog_version: "test".into(),
                feature: None,
                hold_id: None,
                end_user: None,
                unbilled: None,
                occurred_at: now,
                strict_hold: false,
            })
            .collect();
        let (results, _) = usage::record(&server.services, events, Payer::Owner)
            .await
            .unwrap();
        assert!(results.iter().all(|r| r.status == EventStatus::Accepted));
    }
    let pid = &owner.project_id;
    let (status, summary) = server
        .get(&format!("/v1/projects/{pid}/usage"), Some(&owner.pk))
        .await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["totalEvents"], 1101);
    assert_eq!(summary["groups"][0]["inputTokens"], i64::MAX);
    assert_eq!(dec(&summary["totalCostUsd"]), d("0.001101"));
}
