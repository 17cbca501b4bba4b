//! Driving the usage queue: timers for batches, `flush()`, keepalive sends
//! as the page is hidden, and applying each answer. Every decision is the
//! core queue's; this module only performs the I/O it asks for.

use super::restore::Restore;
use super::{env, Client};
use crate::client::env::Timer;
use rork_cloud_credits_core::queue::{Batch, Failure, Outcome, Poll, Report, Trigger};
use rork_cloud_credits_core::wire::UsageBatchResult;
use rork_cloud_credits_core::{Error, ErrorCode};
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;

/// How often `flush()` looks again while a scheduled batch is in flight.
const BUSY_POLL_MS: u64 = 20;

/// What `flush()` resolves with.
#[derive(Debug, Default, Serialize)]
pub(crate) struct FlushResult {
    /// Events this flush delivered that the server recorded now.
    pub sent: usize,
    /// Events this flush delivered that the server had already recorded.
    pub duplicate: usize,
    /// Events the server rejected (each also reported through `error`).
    pub rejected: usize,
    /// Events still waiting for delivery.
    pub pending: usize,
}

/// Sends what the queue says is due, or arms a timer for when it will be.
pub(crate) fn schedule(client: &Rc<Client>) {
    if client.closed.get() {
        return;
    }
    let now = env::now_ms();
    let poll = client.queue.borrow_mut().poll(now, Trigger::Scheduled);
    let timer = match poll {
        Poll::Send(batch) => {
            let client = client.clone();
            spawn_local(async move {
                send(&client, batch).await;
                schedule(&client);
            });
            None
        }
        Poll::WaitUntil(at) => {
            let weak = Rc::downgrade(client);
            Some(Timer::after(at.saturating_sub(now), move || {
                if let Some(client) = weak.upgrade() {
                    schedule(&client);
                }
            }))
        }
        Poll::Busy | Poll::Idle | Poll::Offline => None,
    };
    client.timer.replace(timer);
}

/// Sends every waiting event now (after the queue stored through an adapter
/// is read back), batch after batch, until the queue is empty, the server
/// fails or asks to wait, or the browser is offline.
pub(crate) async fn flush(client: &Rc<Client>) -> FlushResult {
    let mut result = FlushResult::default();
    // The queue stored through an adapter joins first.
    while client.restore.get() == Restore::Reading {
        env::sleep(BUSY_POLL_MS).await;
    }
    loop {
        let poll = client
            .queue
            .borrow_mut()
            .poll(env::now_ms(), Trigger::Flush);
        match poll {
            Poll::Send(batch) => {
                let report = send(client, batch).await;
                result.sent += report.accepted;
                result.duplicate += report.duplicate;
                result.rejected += report.rejected.len();
                if report.failure.is_some() {
                    break;
                }
            }
            Poll::Busy => env::sleep(BUSY_POLL_MS).await,
            Poll::WaitUntil(_) | Poll::Idle | Poll::Offline => break,
        }
    }
    result.pending = client.queue.borrow().len();
    schedule(client);
    result
}

/// The page is being hidden (and maybe unloaded): send what fits in the
/// keepalive budget; the rest stays persisted for the next load.
pub(crate) fn page_hidden(client: &Rc<Client>) {
    let batches = client.queue.borrow_mut().keepalive(env::now_ms());
    for batch in batches {
        let client = client.clone();
        spawn_local(async move {
            send(&client, batch).await;
        });
    }
}

/// Sends one batch and applies the answer.
async fn send(client: &Rc<Client>, batch: Batch) -> Report {
    let reply = client
        .transport
        .send("/v1/usage", &batch.body, batch.keepalive)
        .await;
    let mut touched_balance = false;
    let outcome = match reply {
        Err(error) => Outcome::Failed(Failure::Network(error.message)),
        Ok(reply) if reply.is_success() => match reply.read::<UsageBatchResult>() {
            Ok(answer) => {
                touched_balance = answer
                    .balances
                    .iter()
                    .any(|b| b.project_id == client.project_id);
                Outcome::Answered(answer.results)
            }
            Err(e) => Outcome::Failed(Failure::Status {
                status: reply.status,
                retry_after_ms: reply.retry_after_ms,
                error: Some(Error::new(
                    ErrorCode::Server,
                    format!("unreadable answer to POST /v1/usage: {e}"),
                )),
            }),
        },
        Ok(reply) => Outcome::Failed(Failure::Status {
            status: reply.status,
            retry_after_ms: reply.retry_after_ms,
            error: Some(reply.error()),
        }),
    };
    let report =
        client
            .queue
            .borrow_mut()
            .complete(batch.token, outcome, env::now_ms(), env::random_u64());
    // The stored form holds the events, not which batch carries them: only
    // a completion that removed some changes it.
    if report.removed() > 0 {
        client.persist();
    }
    for rejection in &report.rejected {
        let error = Error::new(
            rejection.error.code,
            format!(
                "usage event {} was not recorded: {}",
                rejection.id, rejection.error.message
            ),
        );
        client.emit_error(error, Some(&rejection.id));
    }
    // A request that failed as a whole (no answer, a 5xx, 429, an answer that
    // cannot be read): its events stay queued and are sent again with backoff;
    // the app hears why each time.
    if let (Some(failure), true) = (&report.failure, report.retrying > 0) {
        let error = Error::new(
            failure.code,
            format!(
                "{} usage events not delivered yet (kept, sent again later): {}",
                report.retrying, failure.message
            ),
        );
        client.emit_error(error, None);
    }
    if touched_balance {
        client.balance_changed();
    }
    report
}
