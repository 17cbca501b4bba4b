//! Keys: what each credential may do, revocation, origins, rate limits.

use crate::common::{assert_error, read, Backend, Server};
use crate::on_both;
use reqwest::Method;
use rork_cloud_credits_server::http::RateLimit;
use serde_json::json;

on_both!(
    keys_reach_only_what_they_may,
    revoked_keys_stop_working,
    publishable_key_origins_are_enforced,
    rate_limit_answers_429_with_retry_after,
);

async fn keys_reach_only_what_they_may(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let other = server.owner().await;
    let pid = &owner.project_id;
    let balance = format!("/v1/projects/{pid}/balance");

    assert_error(&server.get(&balance, None).await, 401, "unauthorized");
    for garbage in [
        "pk_nope",
        "sk_000000000000_00",
        "Bearer",
        "",
        "pk_",
        &owner.pk[..owner.pk.len() - 1],
    ] {
        assert_error(
            &server.get(&balance, Some(garbage)).await,
            401,
            "unauthorized",
        );
    }
    let basic = server
        .client
        .get(format!("{}{balance}", server.url))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    assert_error(&read(basic).await, 401, "unauthorized");

    assert_eq!(server.get(&balance, Some(&owner.pk)).await.0, 200);
    assert_eq!(server.get(&balance, Some(&owner.sk)).await.0, 200);
    // Another project's publishable key: forbidden; another account's secret key: not found.
    assert_error(
        &server.get(&balance, Some(&other.pk)).await,
        403,
        "forbidden",
    );
    assert_error(
        &server.get(&balance, Some(&other.sk)).await,
        404,
        "not_found",
    );
    // A publishable key cannot reach owner routes.
    for (method, path) in [
        (Method::GET, "/v1/account".to_owned()),
        (Method::GET, format!("/v1/projects/{pid}")),
        (Method::GET, format!("/v1/projects/{pid}/ledger")),
        (Method::GET, "/v1/account/usage".to_owned()),
        (Method::PATCH, format!("/v1/projects/{pid}/settings")),
        (Method::POST, format!("/v1/projects/{pid}/keys")),
        (Method::POST, "/v1/account/keys".to_owned()),
        (Method::POST, "/v1/projects".to_owned()),
    ] {
        let response = server
            .send(method, &path, Some(&owner.pk), Some(json!({"name": "x"})))
            .await;
        assert_error(&response, 403, "forbidden");
    }
    // Another account's hold is invisible to this key.
    let (status, hold) = server
        .post(
            &format!("/v1/projects/{}/holds", other.project_id),
            Some(&other.pk),
            json!({"amountUsd": "0.10"}),
        )
        .await;
    assert_eq!(status, 201);
    let path = format!("/v1/holds/{}/release", hold["id"].as_str().unwrap());
    assert_error(
        &server.post(&path, Some(&owner.pk), json!({})).await,
        403,
        "forbidden",
    );
    assert_error(
        &server.post(&path, Some(&owner.sk), json!({})).await,
        404,
        "not_found",
    );
    let (_, balance) = server
        .get(
            &format!("/v1/projects/{}/balance", other.project_id),
            Some(&other.pk),
        )
        .await;
    assert_eq!(balance["heldUsd"], "0.10");
}

async fn revoked_keys_stop_working(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let balance = format!("/v1/projects/{}/balance", owner.project_id);
    let (status, created) = server
        .post(
            &format!("/v1/projects/{}/keys", owner.project_id),
            Some(&owner.sk),
            json!({}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let new_pk = created["key"].as_str().unwrap().to_owned();
    assert!(new_pk.starts_with("pk_"));
    assert_eq!(server.get(&balance, Some(&new_pk)).await.0, 200);

    let (status, secret) = server
        .post("/v1/account/keys", Some(&owner.sk), json!({}))
        .await;
    assert_eq!(status, 201);
    let new_sk = secret["key"].as_str().unwrap().to_owned();
    assert!(new_sk.starts_with("sk_"));

    let id = created["id"].as_str().unwrap();
    let (status, _) = server
        .send(
            Method::DELETE,
            &format!("/v1/keys/{id}"),
            Some(&new_sk),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_error(
        &server.get(&balance, Some(&new_pk)).await,
        401,
        "unauthorized",
    );
    assert_eq!(server.get(&balance, Some(&owner.pk)).await.0, 200);
    let again = server
        .send(
            Method::DELETE,
            &format!("/v1/keys/{id}"),
            Some(&new_sk),
            None,
        )
        .await;
    assert_error(&again, 404, "not_found");
    // Another account cannot revoke this account's keys.
    let other = server.owner().await;
    let pk_id: String = owner.pk.rsplit_once('_').unwrap().0.into();
    let foreign = server
        .send(
            Method::DELETE,
            &format!("/v1/keys/{pk_id}"),
            Some(&other.sk),
            None,
        )
        .await;
    assert_error(&foreign, 404, "not_found");
    assert_eq!(server.get(&balance, Some(&owner.pk)).await.0, 200);
}

async fn publishable_key_origins_are_enforced(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let balance = format!("{}/v1/projects/{}/balance", server.url, owner.project_id);
    let from = |origin: &'static str| {
        server
            .client
            .get(&balance)
            .bearer_auth(&owner.pk)
            .header("origin", origin)
            .send()
    };
    // No list: any origin.
    assert_eq!(
        from("https://anywhere.example").await.unwrap().status(),
        200
    );
    server
        .settings(
            &owner.sk,
            &owner.project_id,
            json!({"allowedOrigins": ["https://app.example.com"]}),
        )
        .await;
    let allowed = from("https://app.example.com").await.unwrap();
    assert_eq!(allowed.status(), 200);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert_error(
        &read(from("https://evil.example").await.unwrap()).await,
        403,
        "forbidden",
    );

    let preflight = server
        .client
        .request(Method::OPTIONS, &balance)
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert!(preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("authorization"));
    assert!(preflight
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
}

async fn rate_limit_answers_429_with_retry_after(backend: Backend) {
    let server = Server::start_with(backend, |options| {
        options.rate_limit = RateLimit {
            per_second: 1.try_into().unwrap(),
            burst: 3.try_into().unwrap(),
        };
    })
    .await;
    let owner = server.owner().await;
    let balance = format!("/v1/projects/{}/balance", owner.project_id);
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..5 {
        let response = server
            .client
            .get(format!("{}{balance}", server.url))
            .bearer_auth(&owner.pk)
            .send()
            .await
            .unwrap();
        if let Some(value) = response.headers().get("retry-after") {
            retry_after = Some(value.to_str().unwrap().parse::<u64>().unwrap());
        }
        let response = read(response).await;
        if response.0 == 429 {
            assert_error(&response, 429, "rate_limited");
        }
        statuses.push(response.0);
    }
    assert_eq!(statuses[..3], [200, 200, 200]);
    assert_eq!(statuses[3..], [429, 429]);
    assert!(
        retry_after.is_some_and(|s| (1..=2).contains(&s)),
        "{retry_after:?}"
    );
    // The limit is per key: the secret key still has its own budget.
    assert_eq!(server.get(&balance, Some(&owner.sk)).await.0, 200);

    // Password guessing is limited per email address.
    let guess = json!({"email": owner.email, "password": "guess"});
    let guesses =
        futures::future::join_all((0..6).map(|_| server.post("/v1/session", None, guess.clone())))
            .await;
    let limited = guesses.iter().filter(|r| r.0 == 429).count();
    assert!((2..=3).contains(&limited), "{guesses:?}");
    for guess in &guesses {
        let code = if guess.0 == 429 {
            "rate_limited"
        } else {
            "unauthorized"
        };
        assert_error(guess, guess.0, code);
    }
}
