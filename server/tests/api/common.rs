//! The test harness: a real server on an ephemeral port over a fresh
//! database (a SQLite temp file, or a new PostgreSQL database per test on
//! the server named by `TEST_POSTGRES_URL`), and a real HTTP client.

use reqwest::Method;
use rork_cloud_credits_server::http::RateLimit;
use rork_cloud_credits_server::projects;
use rork_cloud_credits_server::{accounts, keys, ledger, App, Options, Services};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use sqlx::Connection;
use std::str::FromStr;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs an `async fn(Backend)` test on SQLite and on PostgreSQL. The
/// PostgreSQL half is ignored unless asked for (`-- --include-ignored`, with
/// `TEST_POSTGRES_URL` set; `cargo xtask test server` does both), so that a
/// run without a database reports it as ignored, never as passed.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "PostgreSQL: set TEST_POSTGRES_URL and pass --include-ignored (cargo xtask test does)"]
                async fn postgres() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            }
        )*
    };
}

/// A fresh database.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A fresh database on `backend`; PostgreSQL panics without
    /// `TEST_POSTGRES_URL` (its tests are ignored unless asked for).
    pub async fn fresh(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                TestDb {
                    url,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let base = std::env::var("TEST_POSTGRES_URL").expect(
                    "TEST_POSTGRES_URL must name a PostgreSQL server for the PostgreSQL tests \
                     (cargo xtask test server starts a throwaway one)",
                );
                let name = format!("rcc_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = sqlx::PgConnection::connect(&base)
                    .await
                    .expect("connect to TEST_POSTGRES_URL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("create test database");
                let (prefix, rest) = base.rsplit_once('/').expect("postgres URL with a path");
                let query = rest
                    .split_once('?')
                    .map(|(_, q)| format!("?{q}"))
                    .unwrap_or_default();
                TestDb {
                    url: format!("{prefix}/{name}{query}"),
                    _dir: None,
                }
            }
        }
    }
}

/// A running server.
pub struct Server {
    pub url: String,
    pub services: Services,
    pub client: reqwest::Client,
    pub db: TestDb,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// An account with a secret key and one project (cloud on: $1.00 granted)
/// with its publishable key.
#[derive(Debug, Clone)]
pub struct Owner {
    pub account_id: String,
    pub email: String,
    pub sk: String,
    pub project_id: String,
    pub pk: String,
}

/// A generous rate limit so that only the rate-limit test meets it.
pub fn test_options(url: &str) -> Options {
    let mut options = Options::new(url);
    options.rate_limit = RateLimit {
        per_second: 10_000.try_into().unwrap(),
        burst: 10_000.try_into().unwrap(),
    };
    options
}

impl Server {
    pub async fn start(backend: Backend) -> Server {
        Server::start_with(backend, |_| {}).await
    }

    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Options)) -> Server {
        let db = TestDb::fresh(backend).await;
        let mut options = test_options(&db.url);
        tweak(&mut options);
        Server::on(db, options).await
    }

    /// Another server instance on the same database.
    pub async fn sibling(&self) -> Server {
        Server::open(&self.db.url).await
    }

    /// A server on the existing database at `url`.
    pub async fn open(url: &str) -> Server {
        Server::open_with(url, |_| {}).await
    }

    /// A server on the existing database at `url`, with options tweaked.
    pub async fn open_with(url: &str, tweak: impl FnOnce(&mut Options)) -> Server {
        let db = TestDb {
            url: url.to_owned(),
            _dir: None,
        };
        let mut options = test_options(url);
        tweak(&mut options);
        Server::on(db, options).await
    }

    async fn on(db: TestDb, options: Options) -> Server {
        let app = App::open(options).await.expect("open the server");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let services = app.services.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.serve(listener, async {
            let _ = stopped.await;
        }));
        Server {
            url,
            services,
            client: reqwest::Client::new(),
            db,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server result");
        }
    }

    /// A new account with a secret key and a cloud-enabled project.
    pub async fn owner(&self) -> Owner {
        let email = format!("owner-{}@example.com", uuid::Uuid::new_v4().simple());
        let mut tx = self.services.store.write().await.unwrap();
        let account = accounts::create(
            &mut tx,
            &accounts::NewAccount {
                email: &email,
                password: "correct horse",
                plan: "Pro",
                build_usage_credits: 25,
                created_at: self.services.clock.now_ms(),
            },
        )
        .await
        .unwrap();
        let sk = keys::create(&mut tx, &account.id, None).await.unwrap().key;
        tx.commit().await.unwrap();
        let (project_id, pk) = self.project(&sk, "App").await;
        self.settings(&sk, &project_id, json!({"useCloudCredits": true}))
            .await;
        Owner {
            account_id: account.id,
            email,
            sk,
            project_id,
            pk,
        }
    }

    /// Applies a settings patch (which must succeed); returns the project.
    pub async fn settings(&self, sk: &str, project_id: &str, patch: Value) -> Value {
        let path = format!("/v1/projects/{project_id}/settings");
        let (status, project) = self.send(Method::PATCH, &path, Some(sk), Some(patch)).await;
        assert_eq!(status, 200, "{project}");
        project
    }

    /// Adds `amount` (a decimal string, $5 to $200) to the project's balance.
    pub async fn top_up(&self, sk: &str, project_id: &str, amount: &str) {
        let path = format!("/v1/projects/{project_id}/topups");
        let (status, body) = self
            .post(&path, Some(sk), json!({ "amountUsd": amount }))
            .await;
        assert_eq!(status, 200, "{body}");
    }

    /// Posts `events` as one usage batch with `key` (which must be answered
    /// 200); returns the answer.
    pub async fn report(&self, key: &str, events: Vec<Value>) -> Value {
        let (status, body) = self
            .post("/v1/usage", Some(key), json!({ "events": events }))
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Makes a hold on `project_id` with `key` (which must be answered 201); returns it.
    pub async fn hold(&self, key: &str, project_id: &str, body: Value) -> Value {
        let (status, hold) = self
            .post(&format!("/v1/projects/{project_id}/holds"), Some(key), body)
            .await;
        assert_eq!(status, 201, "{hold}");
        hold
    }

    /// How many usage events the project has recorded.
    pub async fn usage_events(&self, project_id: &str) -> i64 {
        self.count(
            "SELECT COUNT(*) FROM usage_events WHERE project_id = $1",
            project_id,
        )
        .await
    }

    /// Creates a project through the API; returns its id and publishable key.
    pub async fn project(&self, sk: &str, name: &str) -> (String, String) {
        let (status, body) = self
            .post("/v1/projects", Some(sk), json!({ "name": name }))
            .await;
        assert_eq!(status, 201, "{body}");
        (
            body["project"]["id"].as_str().unwrap().to_owned(),
            body["publishableKey"]["key"].as_str().unwrap().to_owned(),
        )
    }

    /// Sends a request with an optional bearer key and JSON body; returns
    /// the status and the JSON body (`Value::Null` when empty).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.url));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, key: Option<&str>) -> (u16, Value) {
        self.send(Method::GET, path, key, None).await
    }

    pub async fn post(&self, path: &str, key: Option<&str>, body: Value) -> (u16, Value) {
        self.send(Method::POST, path, key, Some(body)).await
    }

    /// The project's balance as the API reports it.
    pub async fn balance(&self, owner: &Owner) -> Decimal {
        let (status, body) = self
            .get(
                &format!("/v1/projects/{}/balance", owner.project_id),
                Some(&owner.pk),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        dec(&body["balanceUsd"])
    }

    /// Asserts the ledger invariant (balance == sum of entries, entries
    /// numbered 1..=n) and returns the balance.
    pub async fn assert_ledger(&self, project_id: &str) -> Decimal {
        let pool = self.services.store.pool();
        let project = projects::get(pool, project_id).await.unwrap();
        let amounts = ledger::amounts(pool, project_id).await.unwrap();
        let sum: Decimal = amounts.iter().copied().sum();
        assert_eq!(project.balance.0, sum, "balance must equal the ledger sum");
        assert_eq!(project.ledger_seq, amounts.len() as i64);
        let held: Vec<(String,)> =
            sqlx::query_as("SELECT amount FROM holds WHERE project_id = $1 AND status = 'active'")
                .bind(project_id)
                .fetch_all(pool)
                .await
                .unwrap();
        let held: Decimal = held.iter().map(|(a,)| Decimal::from_str(a).unwrap()).sum();
        assert_eq!(project.held.0, held, "held must equal the active holds");
        sum
    }

    /// How many rows `sql` (a `SELECT COUNT(*)` with one `$1`) counts.
    pub async fn count(&self, sql: &str, arg: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql)
            .bind(arg)
            .fetch_one(self.services.store.pool())
            .await
            .unwrap();
        n
    }
}

/// The status and JSON body of a response.
pub async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
    };
    (status, body)
}

/// A decimal from a JSON string.
pub fn dec(value: &Value) -> Decimal {
    Decimal::from_str(
        value
            .as_str()
            .unwrap_or_else(|| panic!("not a decimal string: {value}")),
    )
    .unwrap()
}

/// A decimal literal.
pub fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// Asserts an error response: status and stable code.
#[track_caller]
pub fn assert_error(response: &(u16, Value), status: u16, code: &str) {
    assert_eq!(response.0, status, "{}", response.1);
    assert_eq!(response.1["error"]["code"], code, "{}", response.1);
    assert!(
        response.1["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}",
        response.1
    );
}

/// A usage event on a text model.
pub fn text_event(input: u64, output: u64) -> Value {
    json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "model": TEXT_MODEL,
        "inputTokens": input,
        "outputTokens": output,
    })
}

/// The text model the tests use, and its list prices per 1M tokens.
pub const TEXT_MODEL: &str = "gpt-4o-mini";
