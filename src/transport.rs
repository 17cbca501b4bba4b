//! HTTP to the Cloud Credits server through `fetch` (the global one, or the
//! one passed in the constructor options), with the publishable key as a
//! bearer token. Every request has a deadline and stops when the caller's
//! signal aborts ([`abort`]). [`Transport::call`] retries what may pass (no
//! answer, 408, 429, 5xx) per the client's [`Retry`] policy and reads the
//! answer; [`Transport::send`] makes one attempt for the usage queue, which
//! retries on its own schedule. Callers decide what a status means.

mod abort;

pub(crate) use abort::CallError;

use crate::client::env;
use crate::js_value;
use abort::Abort;
use js_sys::{Function, Object, Promise, Reflect};
use rork_cloud_credits_core::answers::Answer;
use rork_cloud_credits_core::queue::error_for_status;
use rork_cloud_credits_core::retry::Retry;
use rork_cloud_credits_core::wire::ErrorBody;
use rork_cloud_credits_core::{Error, ErrorCode};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

/// How long a call may take, retries included, unless the app says otherwise.
pub(crate) const DEFAULT_TIMEOUT_MS: u32 = 30_000;
/// A server's answer.
pub(crate) struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// `Retry-After`, in milliseconds.
    pub retry_after_ms: Option<u64>,
    /// The body text (a JS string).
    body: JsValue,
}

impl Reply {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The error this non-2xx answer stands for: the server's `{ error }`
    /// body when it sent one, otherwise one derived from the status.
    pub fn error(&self) -> Error {
        let body = self.read::<ErrorBody>().ok();
        error_for_status(self.status, body.map(|b| b.error))
    }

    /// The body as `T`: the engine's `JSON.parse`, then [`Answer::read`].
    /// The error says what is wrong with it.
    pub fn read<T: Answer>(&self) -> Result<T, String> {
        js_value::from_json_text(&self.body, "the answer", |_| {
            Error::invalid_input("not JSON")
        })
        .and_then(|value| T::read(&value, ""))
        .map_err(|e| e.message)
    }
}

/// What one call may set for itself (`{ timeoutMs, signal }`); what it
/// leaves unset comes from the client ([`Defaults`]).
#[derive(Default)]
pub(crate) struct CallOptions {
    /// The call's deadline, in milliseconds, retries included.
    pub timeout_ms: Option<u32>,
    /// Aborts the call (together with the client's own signal).
    pub signal: Option<AbortSignal>,
}

/// The client's network settings (constructor options).
pub(crate) struct Defaults {
    /// Each call's deadline, in milliseconds, retries included.
    pub timeout_ms: u32,
    /// Aborts every call of the client.
    pub signal: Option<AbortSignal>,
    /// How failed calls are retried.
    pub retry: Retry,
}

/// One HTTP request.
pub(crate) struct Request<'a> {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path after the base URL, `/v1/...`.
    pub path: &'a str,
    /// The JSON body.
    pub body: Option<&'a str>,
    /// The `Idempotency-Key` header, the same on every attempt.
    pub idempotency_key: Option<&'a str>,
}

/// The server's base URL, the key, the `fetch` to use and the defaults.
pub(crate) struct Transport {
    base_url: String,
    key: String,
    fetch: Function,
    defaults: Defaults,
}

impl Transport {
    /// A transport for `base_url` (trailing slashes ignored).
    pub fn new(base_url: &str, key: &str, fetch: Function, defaults: Defaults) -> Self {
        Transport {
            base_url: base_url.trim_end_matches('/').to_string(),
            key: key.to_string(),
            fetch,
            defaults,
        }
    }

    /// Sends one request of the usage queue within the client's deadline
    /// (its signal does not stop deliveries: queued usage is the app's
    /// record of what it spent); `Err` only when no HTTP answer arrived
    /// (`network`). A `keepalive` request outlives the page.
    pub async fn send(&self, path: &str, body: &str, keepalive: bool) -> Result<Reply, Error> {
        let request = Request {
            method: "POST",
            path,
            body: Some(body),
            idempotency_key: None,
        };
        let abort = Abort::start(self.defaults.timeout_ms, Vec::new());
        let reply = match abort {
            Ok(abort) => self.attempt(&request, keepalive, &abort).await,
            Err(stopped) => Err(stopped),
        };
        reply.map_err(|stopped| match stopped {
            CallError::Failed(error) => error,
            // No signal is listened to: nothing aborts a delivery.
            CallError::Aborted(reason) => network(reason),
        })
    }

    /// Makes `request` and reads a 2xx JSON answer as `T`, within the call's
    /// deadline and until a signal aborts. Failures that may pass are retried
    /// per the client's policy; any other answer is the error it stands for.
    pub async fn call<T: Answer>(
        &self,
        request: &Request<'_>,
        options: &CallOptions,
    ) -> Result<T, CallError> {
        let reply = self.success(request, options).await?;
        reply.read().map_err(|why| {
            let Request { method, path, .. } = request;
            CallError::Failed(Error::new(
                ErrorCode::Server,
                format!("unreadable answer from {method} {path}: {why}"),
            ))
        })
    }

    /// The 2xx answer to `request`, after the retries [`Transport::call`]
    /// describes (not generic: one copy of the retry loop in the wasm).
    async fn success(
        &self,
        request: &Request<'_>,
        options: &CallOptions,
    ) -> Result<Reply, CallError> {
        let timeout_ms = options.timeout_ms.unwrap_or(self.defaults.timeout_ms);
        let signals = self.defaults.signal.iter().chain(&options.signal);
        let abort = Abort::start(timeout_ms, signals.cloned().collect())?;
        let mut failures = 0;
        loop {
            let (status, retry_after_ms, error) = match self.attempt(request, false, &abort).await {
                Ok(reply) if reply.is_success() => return Ok(reply),
                Ok(reply) => (Some(reply.status), reply.retry_after_ms, reply.error()),
                Err(CallError::Failed(error)) if !abort.timed_out() => (None, None, error),
                Err(stopped) => return Err(stopped),
            };
            failures += 1;
            let wait = self.defaults.retry.wait(
                failures,
                status,
                retry_after_ms,
                abort.remaining_ms(),
                env::random_u64(),
            );
            match wait {
                Some(ms) => abort.sleep(ms).await?,
                None => return Err(error.into()),
            }
        }
    }

    /// One attempt at `request`, its waits bounded by `abort`; `Err` when
    /// no HTTP answer arrived.
    async fn attempt(
        &self,
        request: &Request<'_>,
        keepalive: bool,
        abort: &Abort,
    ) -> Result<Reply, CallError> {
        let init = self.init(request, keepalive, abort)?;
        let url = format!("{}{}", self.base_url, request.path);
        let called = self
            .fetch
            .call2(&JsValue::UNDEFINED, &JsValue::from_str(&url), &init)
            .map_err(network)?;
        let response: web_sys::Response = abort
            .wait(&Promise::resolve(&called), network)
            .await?
            .unchecked_into();
        let status = response.status();
        let retry_after_ms = response
            .headers()
            .get("Retry-After")
            .ok()
            .flatten()
            .and_then(|value| retry_after_ms(&value));
        let text = response.text().map_err(network)?;
        let body = abort.wait(&text, network).await?;
        Ok(Reply {
            status,
            retry_after_ms,
            body,
        })
    }

    fn init(&self, request: &Request<'_>, keepalive: bool, abort: &Abort) -> Result<Object, Error> {
        let headers = Object::new();
        set(
            &headers,
            "Authorization",
            &format!("Bearer {}", self.key).into(),
        )?;
        let init = Object::new();
        set(&init, "method", &request.method.into())?;
        if let Some(body) = request.body {
            set(&headers, "Content-Type", &"application/json".into())?;
            set(&init, "body", &body.into())?;
        }
        if let Some(key) = request.idempotency_key {
            set(&headers, "Idempotency-Key", &key.into())?;
        }
        set(&init, "headers", &headers)?;
        if keepalive {
            // Not aborted: a keepalive request is made to outlive the page.
            set(&init, "keepalive", &true.into())?;
        } else if let Some(signal) = abort.signal() {
            set(&init, "signal", &signal)?;
        }
        Ok(init)
    }
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), Error> {
    Reflect::set(target, &key.into(), value)
        .map(|_| ())
        .map_err(network)
}

/// A `network` error from whatever `fetch` threw.
fn network(thrown: JsValue) -> Error {
    let message =
        crate::error::thrown_message(&thrown).unwrap_or_else(|| "the request failed".into());
    Error::new(
        ErrorCode::Network,
        format!("could not reach the Cloud Credits server: {message}"),
    )
}

/// `Retry-After` as milliseconds: delta-seconds or an HTTP date.
fn retry_after_ms(value: &str) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds.saturating_mul(1_000));
    }
    let at = js_sys::Date::parse(value);
    at.is_finite()
        .then(|| (at - env::now_ms() as f64).max(0.0) as u64)
}
