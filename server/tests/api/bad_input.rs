//! Bad requests of every kind get a JSON error with the right code and change nothing.

use crate::common::{assert_error, d, read, Backend, Server};
use crate::on_both;
use reqwest::Method;
use serde_json::json;

on_both!(malformed_requests_get_json_errors_and_change_nothing);

async fn malformed_requests_get_json_errors_and_change_nothing(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let pid = &owner.project_id;
    let raw = |method: Method, path: String, body: &'static str, content_type: &'static str| {
        server
            .client
            .request(method, format!("{}{path}", server.url))
            .bearer_auth(&owner.pk)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let json_type = "application/json";
    for (path, body) in [
        ("/v1/usage".to_owned(), "{"),
        ("/v1/usage".to_owned(), "[]"),
        ("/v1/usage".to_owned(), "{\"events\": 5}"),
        ("/v1/usage".to_owned(), "{\"events\": null}"),
        ("/v1/usage".to_owned(), "null"),
        (format!("/v1/projects/{pid}/holds"), "{\"amountUsd\": 0.5}"),
        (
            format!("/v1/projects/{pid}/holds"),
            "{\"amountUsd\": \"1e400\"}",
        ),
        (
            format!("/v1/projects/{pid}/holds"),
            "{\"amountUsd\": \"NaN\"}",
        ),
        (
            format!("/v1/projects/{pid}/holds"),
            "{\"usage\": {\"model\": 5}}",
        ),
        (
            format!("/v1/projects/{pid}/holds"),
            "{\"usage\": {\"model\": \"gpt-4o-mini\", \"outputTokens\": 1e3}}",
        ),
        (format!("/v1/projects/{pid}/holds"), "{\"surprise\": true}"),
    ] {
        let response = read(
            raw(Method::POST, path.clone(), body, json_type)
                .await
                .unwrap(),
        )
        .await;
        assert_error(&response, 400, "invalid_input");
        assert!(
            !response.1["error"]["message"].as_str().unwrap().is_empty(),
            "{path} {body}"
        );
    }
    let no_type = read(
        raw(
            Method::POST,
            "/v1/usage".into(),
            "{\"events\": []}",
            "text/plain",
        )
        .await
        .unwrap(),
    )
    .await;
    assert_error(&no_type, 400, "invalid_input");

    let huge = format!("{{\"events\": [\"{}\"]}}", "x".repeat(2 << 20));
    let response = server
        .client
        .post(format!("{}/v1/usage", server.url))
        .bearer_auth(&owner.pk)
        .header("content-type", json_type)
        // The server answers 413 without reading the rest and drops the
        // connection: keep it out of the client's pool, or the next request
        // may be sent on it and fail with IncompleteMessage.
        .header("connection", "close")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_error(&read(response).await, 413, "invalid_input");

    let unknown_route = server.get("/v1/nothing-here", Some(&owner.pk)).await;
    assert_error(&unknown_route, 404, "not_found");
    let wrong_method = server
        .send(Method::PUT, "/v1/usage", Some(&owner.pk), Some(json!({})))
        .await;
    assert_error(&wrong_method, 405, "invalid_input");
    let unknown_project = server
        .get(
            "/v1/projects/00000000-0000-0000-0000-000000000000",
            Some(&owner.sk),
        )
        .await;
    assert_error(&unknown_project, 404, "not_found");
    let unknown_hold = server
        .post("/v1/holds/nope/release", Some(&owner.pk), json!({}))
        .await;
    assert_error(&unknown_hold, 404, "not_found");
    let summary = server
        .get(
            &format!("/v1/projects/{pid}/usage?days=91"),
            Some(&owner.sk),
        )
        .await;
    assert_error(&summary, 400, "invalid_input");
    let summary = server
        .get(
            &format!("/v1/projects/{pid}/usage?days=-1"),
            Some(&owner.sk),
        )
        .await;
    assert_error(&summary, 400, "invalid_input");
    let summary = server
        .get(
            &format!("/v1/projects/{pid}/usage?groupBy=color"),
            Some(&owner.sk),
        )
        .await;
    assert_error(&summary, 400, "invalid_input");

    assert_eq!(server.balance(&owner).await, d("1.00"));
    assert_eq!(server.assert_ledger(pid).await, d("1.00"));
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM holds WHERE project_id = $1", pid)
            .await,
        0
    );
}
