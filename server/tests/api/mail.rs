//! Low-balance emails over SMTP: sent once per crossing, by one instance
//! even when two share the database. The SMTP server here is a minimal sink
//! that records what it is sent.

use crate::common::{Backend, Server};
use crate::on_both;
use rork_cloud_credits_server::{alerts, mail::Mailer};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

on_both!(alert_emails_go_out_over_smtp_exactly_once);

/// Accepts SMTP sessions and records each message's recipients and data.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let messages: Arc<Mutex<Vec<String>>> = Arc::default();
    let received = messages.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let received = received.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut message = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let command = line.to_ascii_uppercase();
                    let reply: &[u8] = if command.starts_with("DATA") {
                        let _ = write.write_all(b"354 end with .\r\n").await;
                        while let Ok(Some(data)) = lines.next_line().await {
                            if data == "." {
                                break;
                            }
                            message.push_str(&data);
                            message.push('\n');
                        }
                        received.lock().unwrap().push(std::mem::take(&mut message));
                        b"250 queued\r\n"
                    } else if command.starts_with("RCPT") {
                        message.push_str(&line);
                        message.push('\n');
                        b"250 ok\r\n"
                    } else if command.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (port, messages)
}

async fn alert_emails_go_out_over_smtp_exactly_once(backend: Backend) {
    let (port, messages) = smtp_sink().await;
    let mailer = Mailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Cloud Credits <alerts@example.com>",
    )
    .unwrap();
    let with_mailer = |options: &mut rork_cloud_credits_server::Options| {
        options.mailer = Some(mailer.clone());
        options.sweep_every = Duration::from_millis(50);
    };
    let server = Server::start_with(backend, with_mailer).await;
    let second = Server::open_with(&server.db.url, with_mailer).await;
    let owner = server.owner().await;
    server
        .settings(
            &owner.sk,
            &owner.project_id,
            json!({"lowBalanceThresholdUsd": "0.80", "alertEmail": "owner@example.com"}),
        )
        .await;
    // gpt-4o: 120,000 input tokens = $0.30 → 0.70, below 0.80.
    let (status, _) = server
        .post(
            "/v1/usage",
            Some(&owner.pk),
            json!({"events": [{"id": uuid::Uuid::new_v4().to_string(), "model": "gpt-4o",
                                "inputTokens": 120_000}]}),
        )
        .await;
    assert_eq!(status, 200);

    let deadline = Instant::now() + Duration::from_secs(20);
    let outbox = loop {
        let outbox = alerts::outbox(server.services.store.pool(), &owner.project_id)
            .await
            .unwrap();
        if outbox.iter().all(|email| email.sent_at.is_some()) && !outbox.is_empty() {
            break outbox;
        }
        assert!(
            Instant::now() < deadline,
            "the email was not sent: {outbox:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(outbox.len(), 1);
    // Give both sweepers more rounds: still one message.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let messages = messages.lock().unwrap().clone();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("owner@example.com"), "{}", messages[0]);
    assert!(
        messages[0].contains("Subject: Cloud Credits low for App"),
        "{}",
        messages[0]
    );
    assert!(messages[0].contains("#add-credits"), "{}", messages[0]);
    second.stop().await;
}
