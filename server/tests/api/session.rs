//! The owner's dashboard session: sign in, cookie flags, CSRF, sign out.

use crate::common::{assert_error, read, Backend, Server};
use crate::on_both;
use serde_json::json;

on_both!(session_cookie_signs_in_and_requires_csrf_header_on_mutations);

async fn session_cookie_signs_in_and_requires_csrf_header_on_mutations(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;

    let wrong = server
        .post(
            "/v1/session",
            None,
            json!({"email": owner.email, "password": "wrong"}),
        )
        .await;
    assert_error(&wrong, 401, "unauthorized");
    let unknown = server
        .post(
            "/v1/session",
            None,
            json!({"email": "nobody@example.com", "password": "x"}),
        )
        .await;
    assert_error(&unknown, 401, "unauthorized");

    let response = server
        .client
        .post(format!("{}/v1/session", server.url))
        .json(&json!({"email": owner.email.to_uppercase(), "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    let (status, account) = read(response).await;
    assert_eq!(status, 200, "{account}");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    assert_eq!(account["email"], owner.email);
    assert_eq!(account["plan"], "Pro");
    assert_eq!(
        account["buildCredits"],
        json!({"subscription": 500, "usage": 25})
    );
    assert_eq!(account["projects"][0]["id"], owner.project_id);
    assert_eq!(account["projects"][0]["balance"]["balanceUsd"], "1.00");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();

    let get = |path: String| {
        server
            .client
            .get(format!("{}{path}", server.url))
            .header("cookie", &cookie)
            .send()
    };
    let (status, body) = read(get("/v1/account".into()).await.unwrap()).await;
    assert_eq!((status, &body["id"]), (200, &json!(owner.account_id)));

    let settings = format!("{}/v1/projects/{}/settings", server.url, owner.project_id);
    let patch = json!({"lowBalanceThresholdUsd": "3.00"});
    let no_csrf = server
        .client
        .patch(&settings)
        .header("cookie", &cookie)
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_error(&read(no_csrf).await, 403, "forbidden");
    let (_, balance) = read(
        get(format!("/v1/projects/{}/balance", owner.project_id))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        balance["lowBalanceThresholdUsd"], "0.50",
        "unchanged without X-CSRF"
    );

    let with_csrf = server
        .client
        .patch(&settings)
        .header("cookie", &cookie)
        .header("x-csrf", "1")
        .json(&patch)
        .send()
        .await
        .unwrap();
    let (status, project) = read(with_csrf).await;
    assert_eq!(status, 200, "{project}");
    assert_eq!(project["balance"]["lowBalanceThresholdUsd"], "3.00");

    let sign_out = server
        .client
        .delete(format!("{}/v1/session", server.url))
        .header("cookie", &cookie)
        .header("x-csrf", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(sign_out.status(), 204);
    assert!(sign_out.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let after = read(get("/v1/account".into()).await.unwrap()).await;
    assert_error(&after, 401, "unauthorized");
}
