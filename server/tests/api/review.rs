//! Charge review: build or cloud, matching records, a support report id.

use crate::common::{assert_error, Backend, Server, TEXT_MODEL};
use crate::on_both;
use chrono::{Duration, SecondsFormat, Utc};
use rork_cloud_credits_server::clock::Clock;
use serde_json::json;

on_both!(charge_review_tells_build_from_cloud_and_files_a_report);

async fn charge_review_tells_build_from_cloud_and_files_a_report(backend: Backend) {
    let server = Server::start_with(backend, |options| {
        options.clock = Clock::fixed(Utc::now().timestamp_millis());
    })
    .await;
    let owner = server.owner().await;
    let pid = &owner.project_id;
    let t = Utc::now() - Duration::hours(5);
    let at = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);

    let event_id = uuid::Uuid::new_v4().to_string();
    let (status, _) = server
        .post(
            "/v1/usage",
            Some(&owner.pk),
            json!({"events": [{"id": event_id, "model": TEXT_MODEL, "inputTokens": 5000,
                               "outputTokens": 900, "occurredAt": at(t - Duration::minutes(2))}]}),
        )
        .await;
    assert_eq!(status, 200);
    // The editor records its work as it happens: the server's clock is set
    // to each activity's time.
    for (minutes, kind) in [(20, "build"), (-180, "chat")] {
        let when = (t + Duration::minutes(minutes)).timestamp_millis();
        server.services.clock.set(when);
        let (status, body) = server
            .post(
                "/v1/build-credits/activity",
                Some(&owner.sk),
                json!({"projectId": pid, "kind": kind, "description": "Editor work", "credits": 3}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }

    let request = |time: chrono::DateTime<Utc>, window: u32| json!({"projectId": pid, "approximateTime": at(time), "action": "AI chat reply", "windowMinutes": window});
    let (status, cloud) = server
        .post(
            "/v1/support/charge-reviews",
            Some(&owner.sk),
            request(t, 60),
        )
        .await;
    assert_eq!(status, 201, "{cloud}");
    assert_eq!(cloud["classification"], "cloud");
    assert!(cloud["id"].as_str().unwrap().starts_with("sr_"));
    assert_eq!(cloud["usageEvents"][0]["id"], event_id.as_str());
    assert_eq!(cloud["usageEvents"][0]["model"], TEXT_MODEL);
    assert_eq!(cloud["buildActivity"].as_array().unwrap().len(), 1);
    let entries = cloud["ledgerEntries"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e["kind"] == "usage" && e["usageEventId"] == event_id.as_str()),
        "{cloud}"
    );

    let (_, build) = server
        .post(
            "/v1/support/charge-reviews",
            Some(&owner.sk),
            request(t + Duration::minutes(25), 10),
        )
        .await;
    assert_eq!(build["classification"], "build", "{build}");
    assert_eq!(build["buildActivity"][0]["kind"], "build");
    assert_eq!(build["usageEvents"].as_array().unwrap().len(), 0);

    let (_, nothing) = server
        .post(
            "/v1/support/charge-reviews",
            Some(&owner.sk),
            request(t - Duration::days(10), 60),
        )
        .await;
    assert_eq!(nothing["classification"], "unknown");

    let link = json!({"projectLink": format!("https://rork.com/p/{pid}/editor"),
                      "approximateTime": at(t - Duration::minutes(180)), "action": "prompting the agent"});
    let (status, by_link) = server
        .post("/v1/support/charge-reviews", Some(&owner.sk), link)
        .await;
    assert_eq!(status, 201, "{by_link}");
    assert_eq!(by_link["classification"], "build");
    assert_eq!(by_link["projectId"], pid.as_str());

    assert_eq!(
        server
            .count(
                "SELECT COUNT(*) FROM support_reports WHERE project_id = $1",
                pid
            )
            .await,
        4
    );

    let other = server.owner().await;
    let foreign = server
        .post(
            "/v1/support/charge-reviews",
            Some(&other.sk),
            request(t, 60),
        )
        .await;
    assert_error(&foreign, 404, "not_found");
    let with_pk = server
        .post(
            "/v1/support/charge-reviews",
            Some(&owner.pk),
            request(t, 60),
        )
        .await;
    assert_error(&with_pk, 403, "forbidden");
    for bad in [
        json!({"projectId": pid, "approximateTime": "last tuesday", "action": "x"}),
        json!({"projectId": pid, "approximateTime": at(t), "action": ""}),
        json!({"projectId": pid, "approximateTime": at(t), "action": "x", "windowMinutes": 0}),
        json!({"approximateTime": at(t), "action": "x"}),
        json!({"projectLink": "https://rork.com/p/my-app", "approximateTime": at(t), "action": "x"}),
    ] {
        let response = server
            .post("/v1/support/charge-reviews", Some(&owner.sk), bad)
            .await;
        assert_error(&response, 400, "invalid_input");
    }
}
