//! Public routes: the catalog and the demo info.

use crate::common::{assert_error, Backend, Server};
use crate::on_both;
use rork_cloud_credits_core::catalog::Catalog;

on_both!(models_serve_the_catalog_and_demo_is_absent_unless_seeded);

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
