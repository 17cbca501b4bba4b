//! Public routes: the catalog and the demo info.

use crate::common::{assert_error, read, Backend, Server};
use crate::on_both;
use reqwest::Method;
use rork_cloud_credits_core::catalog::Catalog;

on_both!(
    models_serve_the_catalog_and_demo_is_absent_unless_seeded,
    openapi_document_lists_exactly_the_routes_that_answer,
    real_answers_have_every_required_field_and_null_only_where_nullable,
    every_documented_request_body_is_the_one_its_handler_reads,
);

async fn models_serve_the_catalog_and_demo_is_absent_unless_seeded(backend: Backend) {
    let server = Server::start(backend).await;
    let response = server
        .client
        .get(format!("{}/v1/models", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let text = response.text().await.unwrap();
    let catalog = Catalog::from_json(&text).unwrap();
    assert_eq!(catalog.version(), Catalog::builtin().version());
    assert_eq!(catalog.entries(), Catalog::builtin().entries());
    assert_error(&server.get("/v1/demo", None).await, 404, "not_found");
}

async fn openapi_document_lists_exactly_the_routes_that_answer(backend: Backend) {
    let server = Server::start(backend).await;
    let (status, document) = server.get("/v1/openapi.json", None).await;
    assert_eq!(status, 200);
    assert_eq!(document["openapi"], "3.0.3");
    let paths = document["paths"].as_object().unwrap();
    assert_eq!(
        paths
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum::<usize>(),
        28
    );
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            let url = path.replace("{id}", "00000000-0000-0000-0000-000000000000");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = server
                .client
                .request(method.clone(), format!("{}{url}", server.url))
                .send()
                .await
                .unwrap();
            let (status, body) = read(response).await;
            let unrouted = status == 405 || body["error"]["message"] == "route not found";
            assert!(
                !unrouted,
                "{method} {path} is documented but not routed: {status} {body}"
            );
        }
    }
    let (status, body) = server.get("/v1/not-documented", None).await;
    assert_eq!(
        (status, &body["error"]["message"]),
        (404, &serde_json::json!("route not found"))
    );
}

/// Each route's documented request body, its example sent to the running
/// server, is read by the handler: whatever the answer, it is not the
/// rejection of a body that does not read (which a JSON string, sent as the
/// control, always is).
async fn every_documented_request_body_is_the_one_its_handler_reads(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let (_, document) = server.get("/v1/openapi.json", None).await;
    let unread = |status: u16, body: &serde_json::Value| {
        let message = body["error"]["message"].as_str().unwrap_or_default();
        status == 400
            && (message.starts_with("Failed to deserialize the JSON body")
                || message.starts_with("Failed to parse the request body"))
    };
    let mut checked = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let reference =
                &operation["requestBody"]["content"]["application/json"]["schema"]["$ref"];
            let Some(name) = reference
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            else {
                continue;
            };
            let example = document["components"]["schemas"][name]["example"].clone();
            let url = path.replace("{id}", &owner.project_id);
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (status, body) = server
                .send(method.clone(), &url, Some(&owner.sk), Some(example))
                .await;
            assert!(
                !unread(status, &body),
                "{method} {path}: its handler does not read {name}: {body}"
            );
            let (status, body) = server
                .send(
                    method.clone(),
                    &url,
                    Some(&owner.sk),
                    Some(serde_json::json!("x")),
                )
                .await;
            assert!(
                unread(status, &body),
                "{method} {path} read a string as {name}: {status} {body}"
            );
            checked.push(format!("{method} {path}"));
        }
    }
    assert_eq!(checked.len(), 11, "{checked:?}");
}

/// Answers of the running server against the document's schemas: every
/// `required` field present and `null` only where `nullable`, at every level.
async fn real_answers_have_every_required_field_and_null_only_where_nullable(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let pid = &owner.project_id;
    let (_, document) = server.get("/v1/openapi.json", None).await;
    let schemas = &document["components"]["schemas"];
    let (status, hold) = server
        .post(
            &format!("/v1/projects/{pid}/holds"),
            Some(&owner.pk),
            serde_json::json!({"amountUsd": "0.10"}),
        )
        .await;
    assert_eq!(status, 201, "{hold}");
    let rejected = serde_json::json!({"events": [
        {"id": "not-a-uuid", "model": "gpt-4o-mini"},
        {"id": uuid::Uuid::new_v4().to_string(), "model": "gpt-4o-mini", "inputTokens": 5},
    ]});
    let answers = [
        (
            "Balance",
            server
                .get(&format!("/v1/projects/{pid}/balance"), Some(&owner.pk))
                .await,
        ),
        ("Account", server.get("/v1/account", Some(&owner.sk)).await),
        (
            "BuildCreditsSummary",
            server.get("/v1/build-credits", Some(&owner.sk)).await,
        ),
        ("Hold", (status, hold)),
        (
            "UsageBatchResult",
            server.post("/v1/usage", Some(&owner.pk), rejected).await,
        ),
        (
            "UsageSummary",
            server
                .get(&format!("/v1/projects/{pid}/usage"), Some(&owner.pk))
                .await,
        ),
        ("ErrorBody", server.get("/v1/account", None).await),
    ];
    for (name, (_, body)) in answers {
        conforms(&schemas[name], &body, name);
    }
}

fn conforms(schema: &serde_json::Value, value: &serde_json::Value, at: &str) {
    if value.is_null() {
        assert_eq!(schema["nullable"], true, "{at} is null but not nullable");
        return;
    }
    if let Some(items) = value.as_array() {
        for (i, item) in items.iter().enumerate() {
            conforms(&schema["items"], item, &format!("{at}[{i}]"));
        }
    }
    let Some(fields) = value.as_object() else {
        return;
    };
    for name in schema["required"].as_array().into_iter().flatten() {
        let name = name.as_str().unwrap();
        assert!(
            fields.contains_key(name),
            "{at}.{name} is required but absent: {value}"
        );
    }
    for (name, field) in fields {
        let property = &schema["properties"][name];
        assert!(!property.is_null(), "{at}.{name} is not in the schema");
        conforms(property, field, &format!("{at}.{name}"));
    }
}
