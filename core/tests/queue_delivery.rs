//! The usage queue's decisions, scenario by scenario: batching, answers,
//! retries and backoff, offline, capacity, keepalive chunks, persistence.

mod queue_support;

use queue_support::{absorb, event, event_with_feature, Server};
use rork_cloud_credits_core::queue::{
    Batch, Failure, Outcome, Poll, QueueConfig, Trigger, UsageQueue, KEEPALIVE_BUDGET,
};
use rork_cloud_credits_core::retry::Backoff;
use rork_cloud_credits_core::wire::{EventStatus, UsageBatch, UsageResult};
use rork_cloud_credits_core::{Error, ErrorCode};

fn config() -> QueueConfig {
    QueueConfig {
        capacity: 1_000,
        max_batch_events: 10,
        max_batch_bytes: 8 * 1024,
        batch_delay_ms: 2_000,
        keepalive_budget: KEEPALIVE_BUDGET,
        backoff: Backoff {
            base_ms: 1_000,
            max_ms: 30_000,
        },
    }
}

fn queue_with(n: usize, now: u64) -> UsageQueue {
    let mut q = UsageQueue::new(config());
    for i in 0..n {
        q.push(&event(&format!("e{i}")), now).unwrap();
    }
    q
}

fn send(q: &mut UsageQueue, now: u64, trigger: Trigger) -> Batch {
    match q.poll(now, trigger) {
        Poll::Send(batch) => batch,
        other => panic!("expected a batch, got {other:?}"),
    }
}

fn status(status: u16, retry_after_ms: Option<u64>) -> Outcome {
    Outcome::Failed(Failure::Status {
        status,
        retry_after_ms,
        error: None,
    })
}

#[test]
fn a_lone_event_waits_for_the_batch_delay_then_goes() {
    let mut q = queue_with(1, 10_000);
    assert_eq!(q.poll(10_000, Trigger::Scheduled), Poll::WaitUntil(12_000));
    assert_eq!(q.poll(11_999, Trigger::Scheduled), Poll::WaitUntil(12_000));
    let batch = send(&mut q, 12_000, Trigger::Scheduled);
    assert_eq!(batch.ids, ["e0"]);
    assert!(!batch.keepalive);
}

#[test]
fn a_full_batch_goes_at_once_and_flush_skips_the_delay() {
    let mut q = queue_with(25, 0);
    let first = send(&mut q, 0, Trigger::Scheduled);
    assert_eq!(first.ids.len(), 10);
    assert_eq!(
        q.poll(0, Trigger::Scheduled),
        Poll::Busy,
        "one request at a time"
    );
    let mut server = Server::default();
    let report = q.complete(first.token, Outcome::Answered(server.answer(&first)), 1, 0);
    assert_eq!((report.accepted, report.retrying), (10, 0));
    assert_eq!(send(&mut q, 1, Trigger::Scheduled).ids[0], "e10");
    q.complete(2, Outcome::Failed(Failure::Network("x".into())), 2, 0);
    // 15 left, one full batch of 10 then 5 waiting for the delay (or a flush).
    let mut q = queue_with(5, 0);
    assert_eq!(q.poll(0, Trigger::Scheduled), Poll::WaitUntil(2_000));
    assert_eq!(send(&mut q, 0, Trigger::Flush).ids.len(), 5);
}

#[test]
fn batches_respect_the_byte_cap_and_bodies_are_valid_usage_batches() {
    let mut q = UsageQueue::new(config());
    let feature = "f".repeat(1_000);
    for i in 0..9 {
        q.push(
            &event_with_feature(&format!("big{i}"), Some(feature.clone())),
            0,
        )
        .unwrap();
    }
    let batch = send(&mut q, 0, Trigger::Scheduled);
    assert!(batch.body.len() <= 8 * 1024, "{} bytes", batch.body.len());
    assert_eq!(batch.ids.len(), 7, "seven ~1.1 KB events fill 8 KiB");
    let parsed: UsageBatch = serde_json::from_str(&batch.body).unwrap();
    assert_eq!(parsed.events.len(), 7);
    assert_eq!(parsed.events[0].feature.as_deref(), Some(feature.as_str()));
}

#[test]
fn accepted_and_duplicate_are_delivered_rejected_is_reported_missing_is_retried() {
    let mut q = queue_with(4, 0);
    let batch = send(&mut q, 0, Trigger::Flush);
    let results = vec![
        result(0, "e0", EventStatus::Accepted, None),
        result(1, "e1", EventStatus::Duplicate, None),
        result(
            2,
            "e2",
            EventStatus::Rejected,
            Some(Error::new(ErrorCode::UnknownModel, "no such model")),
        ),
    ];
    let report = q.complete(batch.token, Outcome::Answered(results), 10, 0);
    assert_eq!(
        (report.accepted, report.duplicate, report.retrying),
        (1, 1, 1)
    );
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].id, "e2");
    assert_eq!(report.rejected[0].error.code, ErrorCode::UnknownModel);
    assert_eq!(report.failure.map(|e| e.code), Some(ErrorCode::Server));
    assert_eq!(q.ids().collect::<Vec<_>>(), ["e3"]);
}

#[test]
fn an_answer_for_another_event_at_that_index_is_not_taken_as_delivery() {
    let mut q = queue_with(1, 0);
    let batch = send(&mut q, 0, Trigger::Flush);
    let results = vec![result(0, "someone-else", EventStatus::Accepted, None)];
    let report = q.complete(batch.token, Outcome::Answered(results), 0, 0);
    assert_eq!((report.accepted, report.retrying), (0, 1));
    assert!(q.contains("e0"));
}

#[test]
fn server_errors_and_throttling_retry_with_jittered_backoff() {
    for outcome in [
        status(500, None),
        status(503, None),
        status(408, None),
        status(429, None),
        Outcome::Failed(Failure::Network("connection refused".into())),
    ] {
        // Queued long ago, so only the backoff can hold them back.
        let mut q = queue_with(3, 0);
        let t = 10_000;
        let b = send(&mut q, t, Trigger::Scheduled);
        let report = q.complete(b.token, outcome.clone(), t, u64::MAX);
        assert_eq!(report.retrying, 3, "{outcome:?}");
        assert!(report.rejected.is_empty());
        assert_eq!(q.len(), 3);
        // First failure: wait in 0..=1000 ms; u64::MAX % 1001 = 616.
        let wait = u64::MAX % 1_001;
        assert_eq!(q.poll(t, Trigger::Scheduled), Poll::WaitUntil(t + wait));
        // The second consecutive failure doubles the ceiling.
        let b = send(&mut q, t + wait, Trigger::Scheduled);
        q.complete(b.token, outcome, 20_000, 2_000);
        assert_eq!(q.poll(20_000, Trigger::Scheduled), Poll::WaitUntil(22_000));
        // An explicit flush skips the jittered backoff.
        assert!(matches!(q.poll(20_000, Trigger::Flush), Poll::Send(_)));
    }
}

#[test]
fn retry_after_is_honoured_even_by_flush_and_keepalive() {
    let mut q = queue_with(3, 0);
    let b = send(&mut q, 0, Trigger::Flush);
    let report = q.complete(b.token, status(429, Some(30_000)), 1_000, 0);
    assert_eq!(report.failure.map(|e| e.code), Some(ErrorCode::RateLimited));
    assert_eq!(q.poll(1_000, Trigger::Flush), Poll::WaitUntil(31_000));
    assert!(q.keepalive(30_999).is_empty());
    assert!(matches!(q.poll(31_000, Trigger::Flush), Poll::Send(_)));
}

#[test]
fn success_resets_the_backoff() {
    let mut q = queue_with(20, 0);
    let mut server = Server::default();
    for _ in 0..5 {
        let b = send(&mut q, 0, Trigger::Flush);
        q.complete(b.token, status(502, None), 0, u64::MAX);
    }
    let b = send(&mut q, 0, Trigger::Flush);
    q.complete(b.token, Outcome::Answered(server.answer(&b)), 0, 0);
    // Full batch waiting and no backoff left: it goes now.
    assert!(matches!(q.poll(0, Trigger::Scheduled), Poll::Send(_)));
}

#[test]
fn client_errors_other_than_408_413_429_reject_the_batch_without_retry() {
    for (code, expected) in [
        (400, ErrorCode::InvalidInput),
        (401, ErrorCode::Unauthorized),
        (403, ErrorCode::Forbidden),
        (404, ErrorCode::NotFound),
        (422, ErrorCode::InvalidInput),
    ] {
        let mut q = queue_with(3, 0);
        let b = send(&mut q, 0, Trigger::Flush);
        let report = q.complete(b.token, status(code, None), 0, 0);
        assert_eq!(report.rejected.len(), 3);
        assert!(report.rejected.iter().all(|r| r.error.code == expected));
        assert_eq!(report.retrying, 0);
        assert!(q.is_empty());
    }
    // The server's own error body wins over the status-derived code.
    let mut q = queue_with(1, 0);
    let b = send(&mut q, 0, Trigger::Flush);
    let body = Error::new(ErrorCode::CloudDisabled, "Use Cloud Credits is off");
    let report = q.complete(
        b.token,
        Outcome::Failed(Failure::Status {
            status: 403,
            retry_after_ms: None,
            error: Some(body.clone()),
        }),
        0,
        0,
    );
    // ... and keeps the status of the answer it came with.
    assert_eq!(report.rejected[0].error, body.with_status(403));
}

#[test]
fn a_batch_too_large_for_the_server_is_split_and_a_single_event_rejected() {
    let mut q = queue_with(10, 0);
    let b = send(&mut q, 0, Trigger::Flush);
    assert_eq!(b.ids.len(), 10);
    let report = q.complete(b.token, status(413, None), 0, 0);
    assert_eq!(report.retrying, 10);
    let b = send(&mut q, 0, Trigger::Flush);
    assert_eq!(b.ids.len(), 5, "halved, and no backoff for a split");
    let mut q = queue_with(1, 0);
    let b = send(&mut q, 0, Trigger::Flush);
    let report = q.complete(b.token, status(413, None), 0, 0);
    assert_eq!(report.rejected.len(), 1);
    assert!(q.is_empty());
}

#[test]
fn offline_pauses_and_online_resumes_without_the_old_backoff() {
    let mut q = queue_with(3, 0);
    let b = send(&mut q, 0, Trigger::Flush);
    q.complete(
        b.token,
        Outcome::Failed(Failure::Network("offline".into())),
        0,
        u64::MAX,
    );
    q.set_online(false);
    assert_eq!(q.poll(100_000, Trigger::Flush), Poll::Offline);
    assert!(q.keepalive(100_000).is_empty());
    q.set_online(true);
    assert!(matches!(
        q.poll(0, Trigger::Scheduled),
        Poll::WaitUntil(2_000)
    ));
    assert!(matches!(q.poll(2_000, Trigger::Scheduled), Poll::Send(_)));
}

#[test]
fn a_full_queue_refuses_with_an_error_and_keeps_everything() {
    let mut q = UsageQueue::new(QueueConfig {
        capacity: 3,
        ..config()
    });
    for i in 0..3 {
        q.push(&event(&format!("e{i}")), 0).unwrap();
    }
    let err = q.push(&event("e3"), 0).unwrap_err();
    assert_eq!(err.code, ErrorCode::RateLimited);
    assert!(err.message.contains("e3"), "{err}");
    assert_eq!(q.ids().collect::<Vec<_>>(), ["e0", "e1", "e2"]);
}

#[test]
fn bad_events_are_refused_and_change_nothing() {
    let mut q = queue_with(1, 0);
    assert_eq!(
        q.push(&event("e0"), 0).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    assert_eq!(
        q.push(&event(""), 0).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    let huge = event_with_feature("huge", Some("x".repeat(70_000)));
    let err = q.push(&huge, 0).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.contains("feature"), "{err}");
    assert_eq!(q.len(), 1);
}

#[test]
fn keepalive_chunks_fit_the_shared_64_kib_budget_and_the_rest_stays() {
    let mut q = UsageQueue::new(QueueConfig {
        capacity: 10_000,
        max_batch_events: 100,
        max_batch_bytes: 60 * 1024,
        ..config()
    });
    let feature = "k".repeat(400);
    for i in 0..400 {
        q.push(
            &event_with_feature(&format!("k{i:03}"), Some(feature.clone())),
            0,
        )
        .unwrap();
    }
    // A normal request in flight does not count against the keepalive budget.
    let normal = send(&mut q, 0, Trigger::Flush);
    let chunks = q.keepalive(0);
    assert!(chunks.len() >= 2, "{} chunks", chunks.len());
    let total: usize = chunks.iter().map(|b| b.body.len()).sum();
    assert!(total <= KEEPALIVE_BUDGET, "{total} bytes");
    assert!(
        total > KEEPALIVE_BUDGET - 1_000,
        "the budget is used: {total}"
    );
    assert!(chunks.iter().all(|b| b.keepalive && b.ids.len() <= 100));
    let sent: Vec<&String> = normal
        .ids
        .iter()
        .chain(chunks.iter().flat_map(|b| &b.ids))
        .collect();
    let mut unique = sent.clone();
    unique.dedup();
    assert_eq!(unique.len(), sent.len(), "no event in two batches");
    // While those are in flight the budget is spent: nothing more goes.
    assert!(q.keepalive(0).is_empty());
    // Once one completes, its bytes are free again.
    let mut server = Server::default();
    let first = &chunks[0];
    q.complete(first.token, Outcome::Answered(server.answer(first)), 0, 0);
    let more = q.keepalive(0);
    assert!(more.iter().map(|b| b.body.len()).sum::<usize>() <= first.body.len());
    assert!(!more.is_empty());
    // Everything not confirmed is still held (and so persisted).
    assert_eq!(q.len(), 400 - first.ids.len());
}

#[test]
fn completing_an_unknown_or_finished_batch_changes_nothing() {
    let mut q = queue_with(2, 0);
    let b = send(&mut q, 0, Trigger::Flush);
    let mut server = Server::default();
    let answer = server.answer(&b);
    assert_eq!(
        q.complete(b.token, Outcome::Answered(answer.clone()), 0, 0)
            .accepted,
        2
    );
    q.push(&event("late"), 0).unwrap();
    let again = q.complete(b.token, Outcome::Answered(answer), 0, 0);
    assert_eq!(again, Default::default());
    assert_eq!(q.complete(999, status(500, None), 0, 0), Default::default());
    assert_eq!(q.ids().collect::<Vec<_>>(), ["late"]);
}

#[test]
fn snapshot_restores_everything_held_including_batches_in_flight() {
    let mut q = queue_with(15, 5);
    let in_flight = send(&mut q, 5, Trigger::Flush);
    let saved = q.snapshot();
    let mut restored = UsageQueue::new(config());
    let absorbed = absorb(&mut restored, &saved);
    assert_eq!(
        (absorbed.added, absorbed.discarded, absorbed.error),
        (15, 0, None)
    );
    assert_eq!(
        restored.ids().collect::<Vec<_>>(),
        q.ids().collect::<Vec<_>>()
    );
    // The old token means nothing to the restored queue.
    assert_eq!(
        restored.complete(in_flight.token, status(500, None), 0, 0),
        Default::default()
    );
    // Restored events keep their age: they are due now, not in 2 s.
    assert!(matches!(
        restored.poll(2_005, Trigger::Scheduled),
        Poll::Send(_)
    ));
    // Absorbing the same snapshot again adds nothing (ids are unique).
    assert_eq!(absorb(&mut restored, &saved).added, 0);
    assert_eq!(restored.len(), 15);
}

#[test]
fn corrupt_or_foreign_storage_is_discarded_with_an_error() {
    for text in [
        "",
        "{",
        "null",
        "[1,2,3]",
        r#"{"kind":"rork-cloud-credits/usage-queue","version":2,"events":[]}"#,
        r#"{"kind":"someone-elses","version":1,"events":[]}"#,
        r#"{"theme":"dark"}"#,
    ] {
        let mut q = queue_with(1, 0);
        let absorbed = absorb(&mut q, text);
        assert_eq!(absorbed.added, 0, "{text}");
        let error = absorbed.error.expect("an error explains the discard");
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert!(error.message.contains("discarded"), "{error}");
        assert_eq!(q.len(), 1, "what was held is untouched");
    }
}

#[test]
fn readable_events_survive_next_to_unreadable_ones() {
    let good = UsageQueue::new(config());
    let mut source = good.clone();
    source.push(&event("ok1"), 7).unwrap();
    source.push(&event("ok2"), 8).unwrap();
    let saved = source.snapshot();
    let damaged = saved.replacen(
        r#"{"queuedAt":8"#,
        r#"{"queuedAt":"x","event":{}},{"queuedAt":9,"event":{"id":"","model":"m"}},{"queuedAt":8"#,
        1,
    );
    let mut q = UsageQueue::new(config());
    let absorbed = absorb(&mut q, &damaged);
    assert_eq!((absorbed.added, absorbed.discarded), (2, 2));
    assert!(absorbed.error.is_some());
    assert_eq!(q.ids().collect::<Vec<_>>(), ["ok1", "ok2"]);
}

#[test]
fn restored_events_are_not_limited_by_capacity() {
    let mut source = queue_with(10, 0);
    source.push(&event("extra"), 0).unwrap();
    let mut small = UsageQueue::new(QueueConfig {
        capacity: 5,
        ..config()
    });
    assert_eq!(absorb(&mut small, &source.snapshot()).added, 11);
    assert_eq!(
        small.push(&event("new"), 0).unwrap_err().code,
        ErrorCode::RateLimited
    );
}

fn result(index: usize, id: &str, status: EventStatus, error: Option<Error>) -> UsageResult {
    UsageResult {
        index,
        id: Some(id.to_string()),
        status,
        cost_usd: None,
        error,
    }
}
