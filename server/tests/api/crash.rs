//! `kill -9` of the real server binary in the middle of ingestion, then a
//! restart: every event the client saw acknowledged is there exactly once,
//! and the ledger still adds up.

use crate::common::{read, text_event, Backend, Server, TestDb};
use crate::on_both;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

on_both!(
    kill_nine_mid_ingest_loses_no_acknowledged_event,
    kill_nine_while_a_client_retries_charges_each_event_once,
);

/// The server binary running on `url`, seeded with the demo account.
struct Process {
    child: Child,
    url: String,
}

impl Process {
    async fn start(db_url: &str) -> (Process, String, String) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_rork-cloud-credits-server"))
            .args([
                "--db",
                db_url,
                "--seed-demo",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("start the server binary");
        let process = Process {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(response) = client.get(format!("{}/v1/demo", process.url)).send().await {
                let (status, demo) = read(response).await;
                assert_eq!(status, 200, "{demo}");
                let project = demo["projectId"].as_str().unwrap().to_owned();
                let key = demo["publishableKey"].as_str().unwrap().to_owned();
                return (process, project, key);
            }
            assert!(Instant::now() < deadline, "the server binary did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: no graceful shutdown, no flush.
    fn kill_nine(&mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reap");
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn kill_nine_mid_ingest_loses_no_acknowledged_event(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let (mut process, project_id, pk) = Process::start(&db.url).await;
    let sent: Arc<Mutex<Vec<Value>>> = Arc::default();
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut senders = Vec::new();
    for _ in 0..3 {
        let (url, pk, sent, acked) = (process.url.clone(), pk.clone(), sent.clone(), acked.clone());
        senders.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            loop {
                let batch: Vec<Value> = (0..25).map(|_| text_event(1000, 100)).collect();
                sent.lock().unwrap().extend(batch.iter().cloned());
                let response = client
                    .post(format!("{url}/v1/usage"))
                    .bearer_auth(&pk)
                    .json(&json!({ "events": batch }))
                    .send()
                    .await;
                let Ok(response) = response else { return };
                let Ok(body) = response.json::<Value>().await else {
                    return;
                };
                for result in body["results"].as_array().unwrap() {
                    assert_ne!(result["status"], "rejected", "{result}");
                    acked
                        .lock()
                        .unwrap()
                        .push(result["id"].as_str().unwrap().to_owned());
                }
            }
        }));
    }
    // Let some batches be acknowledged, then kill the server mid-stream.
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.lock().unwrap().len() < 300 {
        assert!(Instant::now() < deadline, "no progress before the kill");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    process.kill_nine();
    for sender in senders {
        sender.await.unwrap();
    }
    let sent = sent.lock().unwrap().clone();
    let acked = acked.lock().unwrap().clone();
    assert!(
        sent.len() > acked.len(),
        "the kill interrupted requests in flight"
    );

    // Restart the binary and replay everything the client sent.
    let (process, _, pk) = Process::start(&db.url).await;
    let client = reqwest::Client::new();
    let mut replay_status = std::collections::HashMap::new();
    for chunk in sent.chunks(500) {
        let response = client
            .post(format!("{}/v1/usage", process.url))
            .bearer_auth(&pk)
            .json(&json!({ "events": chunk }))
            .send()
            .await
            .unwrap();
        let (status, body) = read(response).await;
        assert_eq!(status, 200, "{body}");
        for result in body["results"].as_array().unwrap() {
            replay_status.insert(
                result["id"].as_str().unwrap().to_owned(),
                result["status"].as_str().unwrap().to_owned(),
            );
        }
    }
    for id in &acked {
        assert_eq!(
            replay_status[id], "duplicate",
            "acknowledged event {id} was lost"
        );
    }
    drop(process);

    let check = Server::open(&db.url).await;
    let ids: Vec<String> = sent
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    for id in &ids {
        assert_eq!(
            check
                .count("SELECT COUNT(*) FROM usage_events WHERE id = $1", id)
                .await,
            1,
            "event {id} must be recorded exactly once"
        );
    }
    let usage_entries = check
        .count(
            "SELECT COUNT(*) FROM ledger_entries WHERE project_id = $1 AND kind = 'usage'",
            &project_id,
        )
        .await;
    let events = check
        .count(
            "SELECT COUNT(*) FROM usage_events WHERE project_id = $1",
            &project_id,
        )
        .await;
    assert_eq!(usage_entries, events, "one debit per recorded event");
    check.assert_ledger(&project_id).await;
    check.stop().await;
}

/// A client that retries each batch until it is answered (as the SDK's
/// queue does), while the server is killed with SIGKILL and restarted three
/// times: every batch ends up answered, every event is recorded once, and
/// charged once (one debit per event, the balance the sum of the ledger).
async fn kill_nine_while_a_client_retries_charges_each_event_once(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let (process, project_id, pk) = Process::start(&db.url).await;
    // Where the server is now, and its publishable key (each start issues a new one).
    let target = Arc::new(Mutex::new((process.url.clone(), pk)));
    let answered: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sender = {
        let (target, answered) = (target.clone(), answered.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            for _ in 0..40 {
                let batch: Vec<Value> = (0..25).map(|_| text_event(1000, 100)).collect();
                loop {
                    let (url, pk) = target.lock().unwrap().clone();
                    let response = client
                        .post(format!("{url}/v1/usage"))
                        .bearer_auth(&pk)
                        .timeout(Duration::from_secs(5))
                        .json(&json!({ "events": batch }))
                        .send()
                        .await;
                    if let Ok(response) = response {
                        if let Ok(body) = response.json::<Value>().await {
                            if body["results"].is_array() {
                                answered.lock().unwrap().push(body);
                                break;
                            }
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        })
    };
    let mut process = process;
    for round in 1..=3 {
        let deadline = Instant::now() + Duration::from_secs(30);
        while answered.lock().unwrap().len() < round * 8 {
            assert!(Instant::now() < deadline, "no progress before kill {round}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        process.kill_nine();
        let (restarted, _, pk) = Process::start(&db.url).await;
        *target.lock().unwrap() = (restarted.url.clone(), pk);
        process = restarted;
    }
    sender.await.unwrap();
    drop(process);

    let answered = answered.lock().unwrap().clone();
    assert_eq!(answered.len(), 40, "every batch answered in the end");
    let mut ids = std::collections::HashSet::new();
    for body in &answered {
        for result in body["results"].as_array().unwrap() {
            let status = result["status"].as_str().unwrap();
            assert!(status == "accepted" || status == "duplicate", "{result}");
            ids.insert(result["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(ids.len(), 1000);
    let check = Server::open(&db.url).await;
    for id in &ids {
        assert_eq!(
            check
                .count("SELECT COUNT(*) FROM usage_events WHERE id = $1", id)
                .await,
            1,
            "event {id} must be recorded exactly once"
        );
    }
    let debits = check
        .count(
            "SELECT COUNT(*) FROM ledger_entries WHERE project_id = $1 AND kind = 'usage' \
             AND usage_event_id IS NOT NULL",
            &project_id,
        )
        .await;
    let events = check
        .count(
            "SELECT COUNT(*) FROM usage_events WHERE project_id = $1",
            &project_id,
        )
        .await;
    assert_eq!(debits, events, "one debit per recorded event");
    check.assert_ledger(&project_id).await;
    check.stop().await;
}
