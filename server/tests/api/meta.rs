//! Public routes: the catalog and the demo info.

use crate::common::{assert_error, read, Backend, Server};
use crate::on_both;
use reqwest::Method;
use rork_cloud_credits_core::catalog::Catalog;

on_both!(
    models_serve_the_catalog_and_demo_is_absent_unless_seeded,
    openapi_document_lists_exactly_the_routes_that_answer,
);

async fn models_serve_the_catalog_and_demo_is_absent_unless_seeded(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
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
    let Some(server) = Server::start(backend).await else {
        return;
    };
    let (status, document) = server.get("/v1/openapi.json", None).await;
    assert_eq!(status, 200);
    assert_eq!(document["openapi"], "3.0.3");
    let paths = document["paths"].as_object().unwrap();
    assert_eq!(
        paths
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum::<usize>(),
        24
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
