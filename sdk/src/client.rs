//! The client's WebAssembly half: what the `CloudCredits` and `Hold` classes
//! (`src/js/client.js`, appended to the glue by the build) ask of the core.
//!
//! The classes do the I/O in JavaScript: `fetch` with deadlines and retries,
//! timers, storage, tab locks and events. Every rule stays here, defined once
//! in the core: the usage queue state machine ([`Queue`]), validating usage
//! reports and hold requests with the same reader and catalog as
//! `estimateCost` ([`input`]), the request bodies, checking each server answer
//! field by field ([`check_answer`]), the error an HTTP status stands for, the
//! retry policy ([`retry_wait`]) and the storage lease ([`lease_grant`]).
//! None of these is public API: the build makes them private to the glue.

mod input;
mod typescript;

use crate::{active_catalog, error, js_value};
use js_sys::{Array, Object, Reflect};
use rork_cloud_credits_core::answers::Answer;
use rork_cloud_credits_core::catalog::Billing;
use rork_cloud_credits_core::estimate::UsageRequest;
use rork_cloud_credits_core::queue::{
    Absorbed, Batch, Failure, Lease, Outcome, Poll, QueueConfig, Trigger, UsageQueue,
};
use rork_cloud_credits_core::retry::{Backoff, Retry, MAX_RETRIES};
use rork_cloud_credits_core::value::Value;
use rork_cloud_credits_core::wire::{
    Balance, ErrorBody, Hold, HoldRequest, NotificationList, SettleRequest, Settlement,
    UsageBatchResult, UsageEvent, UsageSummary, MAX_LABEL_CHARS, MAX_SUMMARY_DAYS,
};
use rork_cloud_credits_core::{money, Error, ErrorCode};
use wasm_bindgen::prelude::*;

/// Sets `object[name] = value` on a fresh plain object (which cannot fail).
fn set(object: &Object, name: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &name.into(), &value.into());
}

/// The usage queue of one client ([`UsageQueue`]), driven by `client.js`.
#[wasm_bindgen(js_name = QueueCore, skip_typescript)]
pub struct Queue {
    queue: UsageQueue,
}

#[wasm_bindgen(js_class = QueueCore)]
impl Queue {
    /// An empty queue, online or not.
    #[wasm_bindgen(constructor)]
    pub fn new(online: bool) -> Queue {
        let mut queue = UsageQueue::new(QueueConfig::default());
        queue.set_online(online);
        Queue { queue }
    }

    /// Validates `report` as `reportUsage` does (throws `invalid_input` or
    /// `unknown_model`) and queues it as the event `id`. A queue that refuses
    /// it (full, or the event too large) returns that error instead of
    /// throwing it: the caller also emits it with the event's id.
    pub fn push(
        &mut self,
        report: JsValue,
        id: String,
        occurred_at: String,
        end_user: Option<String>,
        now: f64,
    ) -> Result<JsValue, JsValue> {
        let report = input::usage_report(&report, "the usage report").map_err(error::to_js)?;
        let event = UsageEvent {
            id,
            project_id: None,
            usage: report.usage,
            feature: report.feature,
            hold_id: report.hold_id,
            occurred_at: Some(occurred_at),
            end_user,
        };
        Ok(match self.queue.push(&event, now as u64) {
            Ok(()) => JsValue::UNDEFINED,
            Err(refused) => error::to_js(refused),
        })
    }

    /// What to do next: a batch to send (`{ token, body, keepalive }`), the
    /// time to look again (a number), or `"busy"`, `"idle"` or `"offline"`.
    /// `flush` skips the batching delay and the jittered backoff.
    pub fn poll(&mut self, now: f64, flush: bool) -> JsValue {
        let trigger = if flush {
            Trigger::Flush
        } else {
            Trigger::Scheduled
        };
        match self.queue.poll(now as u64, trigger) {
            Poll::Send(batch) => batch_object(batch),
            Poll::WaitUntil(at) => (at as f64).into(),
            Poll::Busy => "busy".into(),
            Poll::Idle => "idle".into(),
            Poll::Offline => "offline".into(),
        }
    }

    /// The batches to send with `keepalive` as the page is hidden.
    pub fn keepalive(&mut self, now: f64) -> Array {
        self.queue
            .keepalive(now as u64)
            .into_iter()
            .map(batch_object)
            .collect()
    }

    /// Applies how the request of batch `token` ended: an HTTP `status` with
    /// its `Retry-After` in ms (negative: none) and body text, or, for status
    /// 0, no answer (`body` then says why). Returns `{ accepted, duplicate,
    /// removed, rejected, failure, touched }`: `rejected` the errors to emit
    /// (each with its `eventId`), `failure` the error to emit when events are
    /// kept for a retry, `touched` whether `projectId`'s balance changed.
    #[allow(clippy::too_many_arguments)]
    pub fn complete(
        &mut self,
        token: f64,
        status: u16,
        retry_after_ms: f64,
        body: String,
        now: f64,
        random: f64,
        project_id: &str,
    ) -> JsValue {
        let retry_after_ms = (retry_after_ms >= 0.0).then_some(retry_after_ms as u64);
        let mut touched = false;
        let outcome = if status == 0 {
            Outcome::Failed(Failure::Network(body))
        } else if (200..300).contains(&status) {
            match read::<UsageBatchResult>(&body) {
                Ok(answer) => {
                    touched = answer.balances.iter().any(|b| b.project_id == project_id);
                    Outcome::Answered(answer.results)
                }
                Err(why) => Outcome::Failed(Failure::Status {
                    status,
                    retry_after_ms,
                    error: Some(Error::new(
                        ErrorCode::Server,
                        format!("unreadable answer to POST /v1/usage: {why}"),
                    )),
                }),
            }
        } else {
            Outcome::Failed(Failure::Status {
                status,
                retry_after_ms,
                error: Some(status_error(status, &body)),
            })
        };
        let report = self
            .queue
            .complete(token as u64, outcome, now as u64, random as u64);
        let result = Object::new();
        set(&result, "accepted", report.accepted as u32);
        set(&result, "duplicate", report.duplicate as u32);
        set(&result, "removed", report.removed() as u32);
        let rejected: Array = report
            .rejected
            .iter()
            .map(|rejection| {
                let error = error::to_js(Error::new(
                    rejection.error.code,
                    format!(
                        "usage event {} was not recorded: {}",
                        rejection.id, rejection.error.message
                    ),
                ));
                let _ = Reflect::set(&error, &"eventId".into(), &rejection.id.as_str().into());
                error
            })
            .collect();
        set(&result, "rejected", rejected);
        // A request that failed as a whole: its events stay queued and are
        // sent again with backoff; the app hears why each time.
        if let (Some(failure), true) = (&report.failure, report.retrying > 0) {
            let error = Error::new(
                failure.code,
                format!(
                    "{} usage events not delivered yet (kept, sent again later): {}",
                    report.retrying, failure.message
                ),
            );
            set(&result, "failure", error::to_js(error));
        }
        set(&result, "failed", report.failure.is_some());
        set(&result, "touched", touched);
        result.into()
    }

    /// The stored form of the queue.
    pub fn snapshot(&self) -> String {
        self.queue.snapshot()
    }

    /// Events not yet confirmed by the server.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no event is queued.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Tells the queue whether the browser is online.
    #[wasm_bindgen(js_name = setOnline)]
    pub fn set_online(&mut self, online: bool) {
        self.queue.set_online(online);
    }

    /// Adds the queue stored as `text` (this client's from a previous run, or
    /// another's): `{ added, error }`, `error` saying what was discarded.
    /// Text that is no JSON at all is discarded whole, with the reason.
    pub fn absorb(&mut self, text: &str) -> JsValue {
        let absorbed = match js_value::from_json_str(text, "the stored text") {
            Ok(document) => self.queue.absorb(&document),
            Err(error) => Absorbed::unreadable(&error.message),
        };
        let result = Object::new();
        set(&result, "added", absorbed.added as u32);
        if let Some(error) = absorbed.error {
            set(&result, "error", error::to_js(error));
        }
        result.into()
    }
}

/// A batch as `{ token, body, keepalive }`.
fn batch_object(batch: Batch) -> JsValue {
    let object = Object::new();
    set(&object, "token", batch.token as f64);
    set(&object, "body", batch.body);
    set(&object, "keepalive", batch.keepalive);
    object.into()
}

/// `text` read as `T`: the engine's `JSON.parse`, then [`Answer::read`]; the
/// error says what is wrong with it.
fn read<T: Answer>(text: &str) -> Result<T, String> {
    js_value::from_json_text(&JsValue::from_str(text), "the answer", |_| {
        Error::invalid_input("not JSON")
    })
    .and_then(|value| T::read(&value, ""))
    .map_err(|e| e.message)
}

/// The error a non-2xx answer stands for: the server's `{ error }` body when
/// it sent one, otherwise one derived from the status.
fn status_error(status: u16, body: &str) -> Error {
    let body = read::<ErrorBody>(body).ok();
    Error::for_status(status, body.map(|b| b.error))
}

/// The `CloudCreditsError` a non-2xx answer (`status`, body `text`) stands for.
#[wasm_bindgen(js_name = answerError, skip_typescript)]
pub fn answer_error(status: u16, text: &str) -> JsValue {
    error::to_js(status_error(status, text))
}

/// Checks a 2xx answer of `kind` (`balance`, `hold`, `settlement`, `usage`,
/// `notifications`), the engine's `JSON.parse` of its body, field by field
/// as serde reads it (fields a newer server adds are let through); throws
/// `server` naming `what` (the request) when it cannot be read.
#[wasm_bindgen(js_name = checkAnswer, skip_typescript)]
pub fn check_answer(kind: &str, answer: &JsValue, what: &str) -> Result<(), JsValue> {
    fn check<T: Answer>(value: &Value) -> Result<(), Error> {
        T::read(value, "").map(drop)
    }
    let checked = js_value::from_js(answer, "the answer").and_then(|value| match kind {
        "balance" => check::<Balance>(&value),
        "hold" => check::<Hold>(&value),
        "settlement" => check::<Settlement>(&value),
        "usage" => check::<UsageSummary>(&value),
        _ => check::<NotificationList>(&value),
    });
    checked.map_err(|e| {
        error::to_js(Error::new(
            ErrorCode::Server,
            format!("unreadable answer from {what}: {}", e.message),
        ))
    })
}

/// The body of `reserve(request)`: an estimate's `total`, `{ amountUsd }`,
/// or a usage request validated like `estimateCost`; with the client's end user.
#[wasm_bindgen(js_name = holdBody, skip_typescript)]
pub fn hold_body(request: JsValue, end_user: Option<String>) -> Result<String, JsValue> {
    let mut request = input::hold_request(&request).map_err(error::to_js)?;
    request.end_user = end_user;
    Ok(request.to_json())
}

/// The body of `guard(request)`: the hold of a usage request validated like
/// `estimateCost` (the server estimates it).
#[wasm_bindgen(js_name = guardBody, skip_typescript)]
pub fn guard_body(request: JsValue, end_user: Option<String>) -> Result<String, JsValue> {
    let report = input::usage_report(&request, "the request").map_err(error::to_js)?;
    let request = HoldRequest {
        usage: Some(report.usage),
        end_user,
        ..HoldRequest::default()
    };
    Ok(request.to_json())
}

/// The body of `hold.settle(actual)`: the actual usage, validated like
/// `estimateCost`, as the usage event `event_id`.
#[wasm_bindgen(js_name = settleBody, skip_typescript)]
pub fn settle_body(actual: JsValue, event_id: String) -> Result<String, JsValue> {
    let report = input::usage_report(&actual, "the actual usage").map_err(error::to_js)?;
    let request = SettleRequest {
        usage: report.usage,
        event_id: Some(event_id),
        feature: report.feature,
    };
    Ok(request.to_json())
}

/// `affordable(query)`: validates `query` (`{ model, inputTokens? }`) and,
/// given the available balance (a decimal string already read from an
/// answer), says how many output tokens or units it still pays for; without
/// one it only validates (and returns `undefined`).
#[wasm_bindgen(js_name = affordableFor, skip_typescript)]
pub fn affordable_for(query: JsValue, available_usd: Option<String>) -> Result<JsValue, JsValue> {
    let query = js_value::from_js(&query, "the query")
        .and_then(|query| UsageRequest::from_value(&query, ""))
        .map_err(error::to_js)?;
    let Some(available_text) = available_usd else {
        return Ok(JsValue::UNDEFINED);
    };
    let available = money::parse_decimal(&available_text).map_err(error::to_js)?;
    let answer = active_catalog::with(|catalog| {
        let count = catalog.max_affordable(&query.model, query.input_tokens, available)?;
        let entry = catalog.resolve(&query.model)?;
        let by_unit = matches!(entry.billing(), Billing::Units { .. });
        let answer = Object::new();
        set(&answer, "model", entry.id.as_str());
        set(&answer, "availableUsd", available_text);
        set(&answer, "inputTokens", query.input_tokens as f64);
        let counted = if by_unit { "units" } else { "outputTokens" };
        set(&answer, counted, count as f64);
        Ok::<_, Error>(answer)
    });
    answer.map(JsValue::from).map_err(error::to_js)
}

/// How long to wait before retrying a call ([`Retry::wait`]), or -1 for not
/// at all: after `failures` failures, the last an HTTP `status` (0: no
/// answer) with `Retry-After` in ms (negative: none), `remaining_ms` before
/// the deadline, under the policy `{ retries, baseDelayMs, maxDelayMs }`.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = retryWait, skip_typescript)]
pub fn retry_wait(
    retries: u32,
    base_ms: f64,
    max_ms: f64,
    failures: u32,
    status: u16,
    retry_after_ms: f64,
    remaining_ms: f64,
    random: f64,
) -> f64 {
    let retry = Retry {
        retries,
        backoff: Backoff {
            base_ms: base_ms as u64,
            max_ms: max_ms as u64,
        },
    };
    let status = (status != 0).then_some(status);
    let retry_after_ms = (retry_after_ms >= 0.0).then_some(retry_after_ms as u64);
    let wait = retry.wait(
        failures,
        status,
        retry_after_ms,
        remaining_ms as u64,
        random as u64,
    );
    wait.map_or(-1.0, |ms| ms as f64)
}

/// The retry policy's defaults and limit: `[retries, baseDelayMs, maxDelayMs, maxRetries]`.
#[wasm_bindgen(js_name = retryDefaults, skip_typescript)]
pub fn retry_defaults() -> Vec<f64> {
    let retry = Retry::default();
    vec![
        retry.retries.into(),
        retry.backoff.base_ms as f64,
        retry.backoff.max_ms as f64,
        MAX_RETRIES.into(),
    ]
}

/// The limits `client.js` checks before anything is sent, the server's:
/// `[maxLabelChars, maxSummaryDays]` (`endUser`'s length, `usage({ days })`).
#[wasm_bindgen(js_name = clientLimits, skip_typescript)]
pub fn client_limits() -> Vec<f64> {
    vec![MAX_LABEL_CHARS as f64, MAX_SUMMARY_DAYS.into()]
}

/// A storage lease of `owner` for `ttl_ms` from `now`, as stored text.
#[wasm_bindgen(js_name = leaseGrant, skip_typescript)]
pub fn lease_grant(owner: &str, now: f64, ttl_ms: f64) -> String {
    Lease::grant(owner, now as u64, ttl_ms as u64).to_json()
}

/// Whether `me` may take the lease stored as `stored` (absent, unreadable
/// or expired leases may be taken) at `now`.
#[wasm_bindgen(js_name = leaseMayTake, skip_typescript)]
pub fn lease_may_take(stored: Option<String>, me: &str, now: f64) -> bool {
    let lease = stored
        .and_then(|text| js_value::from_json_str(&text, "the lease").ok())
        .and_then(|lease| Lease::read(&lease));
    Lease::may_take(lease.as_ref(), me, now as u64)
}
