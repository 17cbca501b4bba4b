//! A hostile client against the real server over real TCP on 127.0.0.1:
//! idle and trickling connections, floods without credentials, sign-in
//! floods and large refused bodies. Every probe is bounded in count and
//! time; deadlines only ask whether a legitimate client was answered at all.
//! The legitimate client connects from 127.0.0.2, so that it is another
//! address to the per-address limits.

use crate::common::{Backend, Server};
use crate::on_both;
use futures::future::join_all;
use rork_cloud_credits_server::http::RateLimit;
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{sleep, timeout, Instant};

/// Generous: only "answered at all" is asked of it.
const ANSWERED_WITHIN: Duration = Duration::from_secs(10);

/// Not kept waiting seconds: the unfixed server made a legitimate client
/// wait up to 3.9 s (debug build) under the large-body flood, now ~65 ms.
const PROMPTLY: Duration = Duration::from_secs(2);

/// A client on another loopback address than the attacker's 127.0.0.1.
fn legitimate(within: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .timeout(within)
        .build()
        .unwrap()
}

/// `GET path` by the legitimate client: its status, or `None` if it was not
/// answered [`ANSWERED_WITHIN`].
async fn answered(url: &str, path: &str, key: Option<&str>) -> Option<u16> {
    answered_within(ANSWERED_WITHIN, url, path, key).await
}

async fn answered_within(
    within: Duration,
    url: &str,
    path: &str,
    key: Option<&str>,
) -> Option<u16> {
    let mut request = legitimate(within).get(format!("{url}{path}"));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.ok().map(|r| r.status().as_u16())
}

/// `count` silent TCP connections to `addr` (as many as could be opened).
async fn idle_connections(addr: SocketAddr, count: usize) -> Vec<TcpStream> {
    let mut held = Vec::with_capacity(count);
    for _ in 0..count {
        match timeout(Duration::from_secs(1), TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => held.push(stream),
            _ => break,
        }
    }
    held
}

/// Whether the server closed `stream` within `within` (reads until EOF or error).
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buffer = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        match timeout(deadline - Instant::now(), stream.read(&mut buffer)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

/// The release-or-debug server binary on a fresh SQLite file, started with
/// only 256 file descriptors (soft and hard), on a free port.
struct Process {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Process {
    async fn start_with_file_limit(limit: u32) -> Process {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let db = format!("sqlite://{}", dir.path().join("attack.db").display());
        let child = Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_rork-cloud-credits-server"))
            .args(["--db", &db, "--listen", &addr.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while TcpStream::connect(addr).await.is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "server did not start"
            );
            sleep(Duration::from_millis(50)).await;
        }
        Process {
            child,
            addr,
            _dir: dir,
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// With 256 descriptors, 400 silent connections would take every one of
/// them: the cap keeps room, and the oldest idle connection makes way for
/// the legitimate client, which is answered (twice, on fresh connections).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_beyond_the_cap_do_not_stop_a_client_being_answered() {
    let server = Process::start_with_file_limit(256).await;
    let _idle = idle_connections(server.addr, 400).await;
    let url = format!("http://{}", server.addr);
    for _ in 0..2 {
        assert_eq!(answered(&url, "/v1/models", None).await, Some(200));
    }
}

/// A request head trickled a header at a time, a connection that never
/// sends anything, and a keep-alive connection left idle after a request
/// are all closed once the header-read timeout has passed.
async fn trickling_and_idle_connections_are_closed(backend: Backend) {
    let server = Server::start_with(backend, |options| {
        options.connections.header_read_timeout = Duration::from_secs(1);
    })
    .await;
    let addr: SocketAddr = server.url.trim_start_matches("http://").parse().unwrap();
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let mut kept_alive = TcpStream::connect(addr).await.unwrap();
    kept_alive
        .write_all(b"GET /v1/models HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut trickling = TcpStream::connect(addr).await.unwrap();
    trickling
        .write_all(b"GET /v1/models HTTP/1.1\r\n")
        .await
        .unwrap();
    let trickle = async {
        for n in 0..20 {
            if trickling
                .write_all(format!("x-{n}: y\r\n").as_bytes())
                .await
                .is_err()
            {
                return true;
            }
            sleep(Duration::from_millis(250)).await;
        }
        false
    };
    let within = Duration::from_secs(4);
    let (trickle_cut, silent_closed, idle_closed) = tokio::join!(
        trickle,
        closed_within(&mut silent, within),
        closed_within(&mut kept_alive, within),
    );
    assert!(silent_closed, "a silent connection stayed open");
    assert!(idle_closed, "an idle keep-alive connection stayed open");
    assert!(
        trickle_cut || closed_within(&mut trickling, Duration::from_millis(100)).await,
        "a trickling request head was not cut off"
    );
}

/// Requests with no credential are limited per client address (defaults:
/// burst 400): a flood from 127.0.0.1 meets 429 `rate_limited`, while
/// another address is still answered.
async fn unauthenticated_requests_from_one_address_get_429(backend: Backend) {
    let server = Server::start(backend).await;
    let path = "/v1/projects/none/balance";
    let mut statuses = Vec::new();
    for _ in 0..25 {
        let wave = join_all((0..40).map(|_| server.get(path, Some("pk_wrong")))).await;
        statuses.extend(wave.iter().map(|(status, _)| *status));
        if statuses.contains(&429) {
            break;
        }
    }
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert!(limited > 0, "1,000 wrong-key requests and none limited");
    assert_eq!(
        answered(&server.url, path, Some("pk_wrong")).await,
        Some(401)
    );
}

/// Two publishable keys of one project share the project's budget (the
/// per-key size unless set): keys do not multiply it.
async fn keys_of_one_project_share_its_rate_limit(backend: Backend) {
    let server = Server::start_with(backend, |options| {
        options.rate_limit = RateLimit::new(1, 3);
    })
    .await;
    let owner = server.owner().await;
    let path = format!("/v1/projects/{}/keys", owner.project_id);
    let (status, second) = server.post(&path, Some(&owner.sk), json!({})).await;
    assert_eq!(status, 201, "{second}");
    let second = second["key"].as_str().unwrap();
    let balance = format!("/v1/projects/{}/balance", owner.project_id);
    let mut statuses = Vec::new();
    for key in [owner.pk.as_str(), second] {
        for _ in 0..3 {
            statuses.push(server.get(&balance, Some(key)).await.0);
        }
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429, 429]);
}

/// 64 sign-ins at once with random emails: the answers.
async fn sign_in_flood(server: &Server) -> Vec<(u16, Value)> {
    let attempt = |n: usize| {
        let body = json!({"email": format!("nobody-{n}@example.com"), "password": "guess"});
        server.post("/v1/session", None, body)
    };
    join_all((0..64).map(attempt)).await
}

/// Random-email sign-ins, 64 at once from one address: refused with 429
/// before any password is hashed (per-address sign-in limit first, the
/// hashing pool after), and the server keeps answering meanwhile.
async fn a_sign_in_flood_is_refused_before_hashing(backend: Backend) {
    let server = Server::start(backend).await;
    let (answers, meanwhile) = tokio::join!(
        sign_in_flood(&server),
        answered(&server.url, "/v1/models", None)
    );
    assert_eq!(meanwhile, Some(200));
    let limited: Vec<&(u16, Value)> = answers.iter().filter(|(s, _)| *s == 429).collect();
    assert!(limited.len() >= 64 - 20, "{} of 64 limited", limited.len());
    assert!(limited
        .iter()
        .all(|(_, body)| body["error"]["code"] == "rate_limited"));
}

/// With the per-address sign-in limit out of the way, the hashing pool
/// alone refuses what it has no room for (2 hashing + 14 waiting): of 64
/// sign-ins at once, most are refused (a hash takes far longer than the
/// flood takes to arrive, though one finishing early lets another in).
async fn the_hashing_pool_refuses_what_it_cannot_hold(backend: Backend) {
    let server = Server::start_with(backend, |options| {
        options.sign_in_rate_limit = RateLimit::new(10_000, 10_000);
    })
    .await;
    let answers = sign_in_flood(&server).await;
    let checked = answers.iter().filter(|(s, _)| *s == 401).count();
    let limited = answers.iter().filter(|(s, _)| *s == 429).count();
    assert_eq!(checked + limited, 64, "{answers:?}");
    assert!(
        checked >= 1 && limited >= 32,
        "{checked} checked, {limited} refused"
    );
}

/// 256 refused bodies of ~1 MiB (`{"events":[{},{},...]}`), 64 in flight
/// with the publishable key: each is refused, and a legitimate client
/// reading its balance meanwhile is answered every time, [`PROMPTLY`].
async fn refused_large_bodies_do_not_starve_a_client(backend: Backend) {
    let server = Server::start(backend).await;
    let owner = server.owner().await;
    let mut body = String::from(r#"{"events":["#);
    while body.len() < (1 << 20) - 16 {
        body.push_str("{},");
    }
    body.push_str("{}]}");
    let flood = async {
        let client = reqwest::Client::new();
        let mut refused = 0;
        for _ in 0..4 {
            let wave = (0..64).map(|_| {
                client
                    .post(format!("{}/v1/usage", server.url))
                    .bearer_auth(&owner.pk)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
            });
            for response in join_all(wave).await {
                let status = response.unwrap().status().as_u16();
                assert!(status == 400 || status == 429, "{status}");
                refused += 1;
            }
        }
        refused
    };
    let balance = format!("/v1/projects/{}/balance", owner.project_id);
    let legitimate = async {
        let mut statuses = Vec::new();
        for _ in 0..20 {
            let status = answered_within(PROMPTLY, &server.url, &balance, Some(&owner.pk));
            statuses.push(status.await);
            sleep(Duration::from_millis(50)).await;
        }
        statuses
    };
    let (refused, statuses) = tokio::join!(flood, legitimate);
    assert_eq!(refused, 256);
    assert!(statuses.iter().all(|s| *s == Some(200)), "{statuses:?}");
}

on_both!(
    trickling_and_idle_connections_are_closed,
    unauthenticated_requests_from_one_address_get_429,
    keys_of_one_project_share_its_rate_limit,
    a_sign_in_flood_is_refused_before_hashing,
    the_hashing_pool_refuses_what_it_cannot_hold,
    refused_large_bodies_do_not_starve_a_client,
);
