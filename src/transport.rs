//! HTTP to the Cloud Credits server through `fetch` (the global one, or the
//! one passed in the constructor options), with the publishable key as a
//! bearer token. Turns every outcome into either a [`Reply`] or a `network`
//! error; callers decide what a status means.

use crate::client::env;
use crate::js_value;
use js_sys::{Function, Object, Promise, Reflect};
use rork_cloud_credits_core::answers::Answer;
use rork_cloud_credits_core::queue::error_for_status;
use rork_cloud_credits_core::wire::ErrorBody;
use rork_cloud_credits_core::{Error, ErrorCode};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How long a request may take before it counts as a network failure.
const TIMEOUT_MS: u32 = 30_000;

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

/// The server's base URL, the key, and the `fetch` to use.
pub(crate) struct Transport {
    base_url: String,
    key: String,
    fetch: Function,
}

impl Transport {
    /// A transport for `base_url` (trailing slashes ignored).
    pub fn new(base_url: &str, key: &str, fetch: Function) -> Self {
        Transport {
            base_url: base_url.trim_end_matches('/').to_string(),
            key: key.to_string(),
            fetch,
        }
    }

    /// Sends a request; `Err` only when no HTTP answer arrived (`network`).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        keepalive: bool,
    ) -> Result<Reply, Error> {
        let init = self.init(method, body, keepalive)?;
        let url = format!("{}{path}", self.base_url);
        let called = self
            .fetch
            .call2(&JsValue::UNDEFINED, &JsValue::from_str(&url), &init)
            .map_err(network)?;
        let response: web_sys::Response = JsFuture::from(Promise::resolve(&called))
            .await
            .map_err(network)?
            .unchecked_into();
        let status = response.status();
        let retry_after_ms = response
            .headers()
            .get("Retry-After")
            .ok()
            .flatten()
            .and_then(|value| retry_after_ms(&value));
        let text = response.text().map_err(network)?;
        let body = JsFuture::from(text).await.map_err(network)?;
        Ok(Reply {
            status,
            retry_after_ms,
            body,
        })
    }

    /// Sends a request and reads a 2xx JSON answer as `T`; any other answer
    /// is the error it stands for.
    pub async fn json<T: Answer>(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<T, Error> {
        let reply = self.send(method, path, body, false).await?;
        if !reply.is_success() {
            return Err(reply.error());
        }
        reply.read().map_err(|why| {
            Error::new(
                ErrorCode::Server,
                format!("unreadable answer from {method} {path}: {why}"),
            )
        })
    }

    fn init(&self, method: &str, body: Option<&str>, keepalive: bool) -> Result<Object, Error> {
        let headers = Object::new();
        set(
            &headers,
            "Authorization",
            &format!("Bearer {}", self.key).into(),
        )?;
        let init = Object::new();
        set(&init, "method", &method.into())?;
        if let Some(body) = body {
            set(&headers, "Content-Type", &"application/json".into())?;
            set(&init, "body", &body.into())?;
        }
        set(&init, "headers", &headers)?;
        if keepalive {
            set(&init, "keepalive", &true.into())?;
        } else if let Some(signal) = timeout_signal() {
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

/// `AbortSignal.timeout(TIMEOUT_MS)` where the runtime has it.
fn timeout_signal() -> Option<JsValue> {
    let abort_signal = env::global("AbortSignal")?;
    let timeout: Function = Reflect::get(&abort_signal, &"timeout".into())
        .ok()?
        .dyn_into()
        .ok()?;
    timeout.call1(&abort_signal, &TIMEOUT_MS.into()).ok()
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
