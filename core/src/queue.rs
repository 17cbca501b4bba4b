//! The usage queue: a pure state machine that decides which usage events to
//! send and when, and what becomes of each one after the server (or the
//! network) answers.
//!
//! It does no I/O and has no clock or randomness of its own: the binding
//! passes the time (`now_ms`, milliseconds since the epoch) and random numbers
//! in, performs the HTTP requests the queue hands out as [`Batch`]es, and
//! reports the outcome back with [`UsageQueue::complete`]. That keeps every
//! decision testable natively and deterministically.
//!
//! Guarantees:
//! - An event leaves the queue only when the server answered for it
//!   (`accepted` or `duplicate`: delivered; `rejected`: reported in
//!   [`Report::rejected`]), or when the whole batch was refused with a 4xx
//!   status that retrying cannot fix (reported likewise). Everything else
//!   (network failures, 5xx, 408, 429, unreadable answers, events the answer
//!   does not mention) is retried with exponential backoff and full jitter,
//!   honouring `Retry-After`.
//! - An event is in at most one batch in flight, and a full queue refuses new
//!   events with an error instead of dropping anything.
//! - [`UsageQueue::snapshot`] / [`UsageQueue::absorb`] persist and restore the
//!   queue (events in flight included: their answer may never come), so a
//!   reload resends what was not confirmed and the server's per-event dedup
//!   makes delivery exactly-once.

mod lease;
mod snapshot;

pub use lease::Lease;

use crate::error::{Error, ErrorCode, Result};
use crate::retry::Backoff;
use crate::value::Value;
use crate::wire::{EventStatus, UsageEvent, UsageResult};
use std::collections::{HashSet, VecDeque};

/// The browsers' budget for the bodies of all `keepalive` requests in flight at once.
pub const KEEPALIVE_BUDGET: usize = 64 * 1024;

/// The most events the server takes in one `POST /v1/usage`.
pub const MAX_BATCH_EVENTS: usize = 500;

/// What wraps the events of a batch: `{"events":[` … `]}`.
const ENVELOPE: (&str, &str) = (r#"{"events":["#, "]}");

/// Limits and timings of a queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueConfig {
    /// The most events held; [`UsageQueue::push`] refuses more.
    pub capacity: usize,
    /// The most events in one batch (at most [`MAX_BATCH_EVENTS`]).
    pub max_batch_events: usize,
    /// The most bytes in one batch's body.
    pub max_batch_bytes: usize,
    /// How long an event may wait for more to join its batch, in milliseconds.
    pub batch_delay_ms: u64,
    /// The byte budget shared by all keepalive batches in flight.
    pub keepalive_budget: usize,
    /// Backoff after failures.
    pub backoff: Backoff,
}

impl Default for QueueConfig {
    /// 5,000 events; batches of up to 100 events and 60 KiB sent after at
    /// most 2 s; the browsers' 64 KiB keepalive budget; 1 s to 60 s backoff.
    fn default() -> Self {
        QueueConfig {
            capacity: 5_000,
            max_batch_events: 100,
            max_batch_bytes: 60 * 1024,
            batch_delay_ms: 2_000,
            keepalive_budget: KEEPALIVE_BUDGET,
            backoff: Backoff::default(),
        }
    }
}

/// Why the queue is being asked for a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A timer: send only a full batch or one whose oldest event waited
    /// `batch_delay_ms`, and respect the backoff.
    Scheduled,
    /// An explicit flush: send now, skipping the batching delay and the
    /// jittered backoff, but still honouring the server's `Retry-After`.
    Flush,
}

/// What the sender should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll {
    /// Send this batch, then report the outcome with [`UsageQueue::complete`].
    Send(Batch),
    /// Nothing to send before this time (milliseconds since the epoch).
    WaitUntil(u64),
    /// A batch is in flight; poll again when it completes.
    Busy,
    /// Nothing is waiting to be sent.
    Idle,
    /// The browser is offline; poll again when it is back online.
    Offline,
}

/// One `POST /v1/usage` request body and the events in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Identifies the batch in [`UsageQueue::complete`].
    pub token: u64,
    /// The event ids, in body order.
    pub ids: Vec<String>,
    /// The JSON body, `{"events":[...]}`.
    pub body: String,
    /// Whether it is to be sent with `fetch(..., { keepalive: true })`.
    pub keepalive: bool,
}

/// How a batch's request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer with per-event results.
    Answered(Vec<UsageResult>),
    /// No per-event answer.
    Failed(Failure),
}

/// A request that produced no per-event results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server could not be reached (or the answer was cut off); the message says how.
    Network(String),
    /// An HTTP status without usable per-event results (any status: a 2xx
    /// whose body was unreadable lands here too).
    Status {
        /// The HTTP status.
        status: u16,
        /// The `Retry-After` header, in milliseconds.
        retry_after_ms: Option<u64>,
        /// The error body, when the server sent one.
        error: Option<Error>,
    },
}

/// An event that left the queue undelivered, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The event id.
    pub id: String,
    /// The server's reason.
    pub error: Error,
}

/// What [`UsageQueue::complete`] did with a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Events recorded by the server now.
    pub accepted: usize,
    /// Events the server had recorded before (delivered all the same).
    pub duplicate: usize,
    /// Events removed undelivered; the app must hear about each.
    pub rejected: Vec<Rejection>,
    /// Events put back to be sent again.
    pub retrying: usize,
    /// Why the request failed, when it did.
    pub failure: Option<Error>,
}

impl Report {
    /// How many events left the queue: accepted, duplicate or rejected.
    pub fn removed(&self) -> usize {
        self.accepted + self.duplicate + self.rejected.len()
    }
}

/// What [`UsageQueue::absorb`] took from a persisted queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Absorbed {
    /// Events added to the queue.
    pub added: usize,
    /// Stored events that were unreadable or too large, and dropped.
    pub discarded: usize,
    /// Why something was discarded, when something was.
    pub error: Option<Error>,
}

impl Absorbed {
    /// What absorbing stored text that is no JSON at all gives: nothing
    /// added, and `why` (such as the JSON reader's message) in the error.
    pub fn unreadable(why: &str) -> Absorbed {
        let restored = snapshot::discarded_whole(why.to_string());
        Absorbed {
            error: restored.error,
            ..Absorbed::default()
        }
    }
}

/// A queued event in its serialized form.
#[derive(Debug, Clone)]
struct Entry {
    id: String,
    json: String,
    queued_at: u64,
    /// The batch in flight that carries it.
    batch: Option<u64>,
}

/// A batch handed out and not yet completed.
#[derive(Debug, Clone, Copy)]
struct InFlight {
    token: u64,
    /// Body bytes counted against the keepalive budget (0 for normal requests).
    keepalive_bytes: usize,
}

/// What to do with the events of a batch that got no per-event answer.
enum Disposition {
    Retry,
    Split,
    Reject,
}

/// The usage queue state machine.
#[derive(Debug, Clone)]
pub struct UsageQueue {
    config: QueueConfig,
    entries: VecDeque<Entry>,
    /// The ids of `entries`, so that a push checks for a duplicate without a
    /// pass over the queue.
    ids: HashSet<String>,
    in_flight: Vec<InFlight>,
    next_token: u64,
    failures: u32,
    backoff_until: u64,
    retry_after_until: u64,
    batch_limit: usize,
    online: bool,
}

impl UsageQueue {
    /// An empty, online queue.
    pub fn new(config: QueueConfig) -> Self {
        let batch_limit = config.max_batch_events.clamp(1, MAX_BATCH_EVENTS);
        UsageQueue {
            config,
            entries: VecDeque::new(),
            ids: HashSet::new(),
            in_flight: Vec::new(),
            next_token: 1,
            failures: 0,
            backoff_until: 0,
            retry_after_until: 0,
            batch_limit,
            online: true,
        }
    }

    /// Events held (waiting or in flight).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no event is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The ids of the events held, oldest first.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.id.as_str())
    }

    /// Whether an event with this id is held.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// Batches handed out and not yet completed.
    pub fn batches_in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Whether the queue considers the browser online.
    pub fn is_online(&self) -> bool {
        self.online
    }

    /// Pauses sending (offline) or resumes it (online). Coming back online
    /// also forgets the backoff: the failures were most likely the outage.
    pub fn set_online(&mut self, online: bool) {
        self.online = online;
        if online {
            self.failures = 0;
            self.backoff_until = 0;
        }
    }

    /// The largest serialized event accepted, in bytes: a batch of one must
    /// fit in a batch body and in the keepalive budget.
    pub fn max_event_bytes(&self) -> usize {
        self.config
            .max_batch_bytes
            .min(self.config.keepalive_budget)
            .saturating_sub(ENVELOPE.0.len() + ENVELOPE.1.len())
    }

    /// Queues an event at `now_ms`. Refuses, changing nothing, an event with
    /// an empty or already queued id or too large to send (`invalid_input`),
    /// and any event while the queue is full (`rate_limited`: the app is
    /// producing usage faster than it can be delivered).
    pub fn push(&mut self, event: &UsageEvent, now_ms: u64) -> Result<()> {
        if self.entries.len() >= self.config.capacity {
            return Err(Error::new(
                ErrorCode::RateLimited,
                format!(
                    "the usage queue is full ({} events wait for delivery); event {} was not queued",
                    self.entries.len(),
                    event.id
                ),
            ));
        }
        if self.contains(&event.id) {
            return Err(Error::invalid_input(format!(
                "usage event {} is already queued",
                event.id
            )));
        }
        let entry = self.encode(event, now_ms)?;
        self.hold(entry);
        Ok(())
    }

    /// Adds `entry` at the end of the queue, its id to `ids`.
    fn hold(&mut self, entry: Entry) {
        self.ids.insert(entry.id.clone());
        self.entries.push_back(entry);
    }

    fn encode(&self, event: &UsageEvent, queued_at: u64) -> Result<Entry> {
        if event.id.is_empty() {
            return Err(Error::invalid_input("usage event id must not be empty"));
        }
        let mut json = event.to_json();
        // Held until delivered: no spare capacity per queued event.
        json.shrink_to_fit();
        let limit = self.max_event_bytes();
        if json.len() > limit {
            return Err(Error::invalid_input(format!(
                "usage event {} is {} bytes as JSON; the limit is {limit} (shorten `feature`)",
                event.id,
                json.len()
            )));
        }
        Ok(Entry {
            id: event.id.clone(),
            json,
            queued_at,
            batch: None,
        })
    }

    /// Decides what to send at `now_ms`.
    pub fn poll(&mut self, now_ms: u64, trigger: Trigger) -> Poll {
        if !self.online {
            return Poll::Offline;
        }
        let normal_in_flight = self.in_flight.iter().any(|b| b.keepalive_bytes == 0);
        let Some(oldest) = self.entries.iter().find(|e| e.batch.is_none()) else {
            return if normal_in_flight {
                Poll::Busy
            } else {
                Poll::Idle
            };
        };
        if normal_in_flight {
            return Poll::Busy;
        }
        let gate = match trigger {
            Trigger::Scheduled => self.retry_after_until.max(self.backoff_until),
            Trigger::Flush => self.retry_after_until,
        };
        if now_ms < gate {
            return Poll::WaitUntil(gate);
        }
        if trigger == Trigger::Scheduled && !self.has_full_batch() {
            let due = oldest.queued_at.saturating_add(self.config.batch_delay_ms);
            if now_ms < due {
                return Poll::WaitUntil(due);
            }
        }
        match self.take_batch(self.config.max_batch_bytes, 0) {
            Some(batch) => Poll::Send(batch),
            None => Poll::Idle,
        }
    }

    /// Whether the waiting events fill a batch by count or by size.
    fn has_full_batch(&self) -> bool {
        let mut count = 0;
        let mut bytes = ENVELOPE.0.len() + ENVELOPE.1.len();
        for entry in self.entries.iter().filter(|e| e.batch.is_none()) {
            count += 1;
            bytes += entry.json.len() + 1;
            if count >= self.batch_limit || bytes > self.config.max_batch_bytes {
                return true;
            }
        }
        false
    }

    /// The batches to send with `keepalive` as the page is hidden: every
    /// waiting event that fits in what is left of the keepalive budget, in
    /// chunks of at most one batch each. What does not fit stays queued (and
    /// persisted) for the next page load. Nothing is sent while offline or
    /// while the server's `Retry-After` runs.
    pub fn keepalive(&mut self, now_ms: u64) -> Vec<Batch> {
        let mut batches = Vec::new();
        if !self.online || now_ms < self.retry_after_until {
            return batches;
        }
        let used: usize = self.in_flight.iter().map(|b| b.keepalive_bytes).sum();
        let mut budget = self.config.keepalive_budget.saturating_sub(used);
        while let Some(batch) = self.take_batch(budget.min(self.config.max_batch_bytes), budget) {
            budget -= batch.body.len();
            batches.push(batch);
        }
        batches
    }

    /// Marks the oldest waiting events that fit in `max_bytes` as one batch.
    /// `keepalive_budget` is nonzero for keepalive batches.
    fn take_batch(&mut self, max_bytes: usize, keepalive_budget: usize) -> Option<Batch> {
        let token = self.next_token;
        let mut ids = Vec::new();
        let mut body = String::from(ENVELOPE.0);
        for entry in self.entries.iter_mut().filter(|e| e.batch.is_none()) {
            let separator = usize::from(!ids.is_empty());
            if ids.len() >= self.batch_limit
                || body.len() + separator + entry.json.len() + ENVELOPE.1.len() > max_bytes
            {
                break;
            }
            if separator == 1 {
                body.push(',');
            }
            body.push_str(&entry.json);
            ids.push(entry.id.clone());
            entry.batch = Some(token);
        }
        if ids.is_empty() {
            return None;
        }
        body.push_str(ENVELOPE.1);
        self.next_token += 1;
        let keepalive = keepalive_budget > 0;
        self.in_flight.push(InFlight {
            token,
            keepalive_bytes: if keepalive { body.len() } else { 0 },
        });
        Some(Batch {
            token,
            ids,
            body,
            keepalive,
        })
    }

    /// Applies the outcome of batch `token` at `now_ms`; `random` (any
    /// uniformly distributed `u64`) draws the backoff. A token that is not in
    /// flight (already completed, or from before a reload) changes nothing.
    pub fn complete(&mut self, token: u64, outcome: Outcome, now_ms: u64, random: u64) -> Report {
        let Some(position) = self.in_flight.iter().position(|b| b.token == token) else {
            return Report::default();
        };
        self.in_flight.swap_remove(position);
        match outcome {
            Outcome::Answered(results) => self.apply_results(token, &results, now_ms, random),
            Outcome::Failed(failure) => self.apply_failure(token, failure, now_ms, random),
        }
    }

    fn apply_results(
        &mut self,
        token: u64,
        results: &[UsageResult],
        now_ms: u64,
        random: u64,
    ) -> Report {
        let mut report = Report::default();
        let mut index = 0;
        let ids = &mut self.ids;
        self.entries.retain_mut(|entry| {
            if entry.batch != Some(token) {
                return true;
            }
            let position = index;
            index += 1;
            let result = results
                .iter()
                .find(|r| r.index == position && r.id.as_ref().map_or(true, |id| *id == entry.id));
            match result.map(|r| (r.status, &r.error)) {
                Some((EventStatus::Accepted, _)) => report.accepted += 1,
                Some((EventStatus::Duplicate, _)) => report.duplicate += 1,
                Some((EventStatus::Rejected, error)) => report.rejected.push(Rejection {
                    id: entry.id.clone(),
                    error: error.clone().unwrap_or_else(|| {
                        Error::invalid_input("the server rejected the event without a reason")
                    }),
                }),
                None => {
                    entry.batch = None;
                    report.retrying += 1;
                    return true;
                }
            }
            ids.remove(&entry.id);
            false
        });
        if report.retrying > 0 {
            let error = Error::new(
                ErrorCode::Server,
                format!(
                    "the server's answer left out {} events; they will be sent again",
                    report.retrying
                ),
            );
            self.back_off(now_ms, random, None);
            report.failure = Some(error);
        } else {
            self.failures = 0;
            self.backoff_until = 0;
        }
        report
    }

    fn apply_failure(&mut self, token: u64, failure: Failure, now_ms: u64, random: u64) -> Report {
        let (disposition, retry_after_ms, error) = classify(failure);
        let size = self
            .entries
            .iter()
            .filter(|e| e.batch == Some(token))
            .count();
        let mut report = Report {
            failure: Some(error.clone()),
            ..Report::default()
        };
        let disposition = match disposition {
            Disposition::Split if size > 1 => {
                self.batch_limit = (size / 2).max(1);
                Disposition::Split
            }
            Disposition::Split => Disposition::Reject,
            other => other,
        };
        match disposition {
            Disposition::Reject => self.entries.retain(|entry| {
                if entry.batch != Some(token) {
                    return true;
                }
                self.ids.remove(&entry.id);
                report.rejected.push(Rejection {
                    id: entry.id.clone(),
                    error: error.clone(),
                });
                false
            }),
            Disposition::Retry | Disposition::Split => {
                for entry in self.entries.iter_mut().filter(|e| e.batch == Some(token)) {
                    entry.batch = None;
                    report.retrying += 1;
                }
                if matches!(disposition, Disposition::Retry) {
                    self.back_off(now_ms, random, retry_after_ms);
                }
            }
        }
        report
    }

    fn back_off(&mut self, now_ms: u64, random: u64, retry_after_ms: Option<u64>) {
        self.failures = self.failures.saturating_add(1);
        let delay = self.config.backoff.delay(self.failures, random);
        self.backoff_until = now_ms.saturating_add(delay);
        if let Some(wait) = retry_after_ms {
            self.retry_after_until = self.retry_after_until.max(now_ms.saturating_add(wait));
        }
    }

    /// The persisted form of every event held, in flight or not (an answer
    /// that never arrives must not lose them).
    pub fn snapshot(&self) -> String {
        snapshot::write(self.entries.iter().map(|e| (e.json.as_str(), e.queued_at)))
    }

    /// Adds the events of a persisted queue (this tab's from a previous page
    /// load, or an abandoned tab's), skipping ids already held. Restored
    /// events are never dropped for capacity: the capacity limits new events.
    /// Unreadable data is discarded and reported, never a panic. `persisted`
    /// is the stored text as JSON read it (the SDK: the engine's `JSON.parse`);
    /// text that is no JSON at all is [`Absorbed::unreadable`].
    pub fn absorb(&mut self, persisted: &Value) -> Absorbed {
        let restored = snapshot::read(persisted);
        let mut absorbed = Absorbed {
            discarded: restored.discarded,
            error: restored.error,
            ..Absorbed::default()
        };
        for (event, queued_at) in restored.events {
            if self.contains(&event.id) {
                continue;
            }
            match self.encode(&event, queued_at) {
                Ok(entry) => {
                    self.hold(entry);
                    absorbed.added += 1;
                }
                Err(error) => {
                    absorbed.discarded += 1;
                    absorbed.error.get_or_insert(error);
                }
            }
        }
        absorbed
    }
}

/// How to treat a request without per-event results: retry network
/// failures, 408, 429, 5xx and anything else that is not a 4xx; split a
/// batch the server found too large (413); reject the batch on other 4xx.
fn classify(failure: Failure) -> (Disposition, Option<u64>, Error) {
    match failure {
        Failure::Network(message) => (
            Disposition::Retry,
            None,
            Error::new(ErrorCode::Network, message),
        ),
        Failure::Status {
            status,
            retry_after_ms,
            error,
        } => {
            let disposition = match status {
                408 | 429 => Disposition::Retry,
                413 => Disposition::Split,
                400..=499 => Disposition::Reject,
                _ => Disposition::Retry,
            };
            let error = Error::for_status(status, error);
            (disposition, retry_after_ms, error)
        }
    }
}
