//! Ending a call early: at its deadline (`timeoutMs`) or when one of the
//! caller's `AbortSignal`s aborts.
//!
//! One `AbortController` per call, aborted by a timer or by an `abort`
//! listener on each of the caller's signals (removed when the call ends), is
//! what `fetch` gets as its signal. That works wherever `AbortController`
//! exists, without `AbortSignal.timeout` or `AbortSignal.any` (React Native's
//! Hermes lacks both). Every wait of the call (the request, the body, the
//! pause before a retry) also races a promise the same events reject, so the
//! deadline holds where there is no `AbortController` at all and with a
//! custom `fetch` that ignores `signal`.

use crate::client::env::{self, Timeout};
use js_sys::{Array, Function, Promise};
use rork_cloud_credits_core::{Error, ErrorCode};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

/// Why a call ended without an answer to give.
pub(crate) enum CallError {
    /// The error the call rejects with (`network` for a timeout).
    Failed(Error),
    /// A caller's signal aborted: the call rejects with its `reason`, as
    /// `fetch` does.
    Aborted(JsValue),
}

impl CallError {
    /// What the call rejects with: a `CloudCreditsError`, or the abort's reason.
    pub fn into_js(self) -> JsValue {
        match self {
            CallError::Failed(error) => crate::error::to_js(error),
            CallError::Aborted(reason) => reason,
        }
    }
}

impl From<Error> for CallError {
    fn from(error: Error) -> Self {
        CallError::Failed(error)
    }
}

/// The deadline and the caller's signals of one call, armed until dropped.
pub(crate) struct Abort {
    timeout_ms: u32,
    /// When the deadline passes (ms since the epoch).
    deadline: u64,
    signals: Vec<AbortSignal>,
    controller: Option<AbortController>,
    /// Rejects when the deadline passes or a signal aborts.
    stopped: Promise,
    /// Whether [`Abort::stopped`] was rejected.
    stopped_yet: Rc<Cell<bool>>,
    _deadline_timer: Timeout,
    /// Stops the call: the deadline's timer and every signal's listener.
    stop: Closure<dyn FnMut()>,
}

impl Abort {
    /// Arms the deadline `timeout_ms` from now and listens to `signals`; an
    /// already aborted signal ends the call before it starts.
    pub fn start(timeout_ms: u32, signals: Vec<AbortSignal>) -> Result<Abort, CallError> {
        if let Some(reason) = aborted(&signals) {
            return Err(CallError::Aborted(reason));
        }
        // Absent where the runtime has no AbortController: the race alone
        // then ends the call (the request itself runs on, unobserved).
        let controller = AbortController::new().ok();
        let mut reject = None;
        let stopped = Promise::new(&mut |_, rejecter| reject = Some(rejecter));
        let stopped_yet = Rc::new(Cell::new(false));
        let stop = {
            let (controller, stopped_yet) = (controller.clone(), stopped_yet.clone());
            Closure::<dyn FnMut()>::new(move || {
                stopped_yet.set(true);
                // The executor ran synchronously: `reject` is set.
                if let Some(reject) = &reject {
                    let _ = reject.call0(&JsValue::UNDEFINED);
                }
                if let Some(controller) = &controller {
                    controller.abort();
                }
            })
        };
        let callback: &Function = stop.as_ref().unchecked_ref();
        for signal in &signals {
            let _ = signal.add_event_listener_with_callback("abort", callback);
        }
        Ok(Abort {
            timeout_ms,
            deadline: env::now_ms().saturating_add(timeout_ms.into()),
            signals,
            controller,
            stopped,
            stopped_yet,
            _deadline_timer: Timeout::after(timeout_ms.into(), callback),
            stop,
        })
    }

    /// The signal to give `fetch`, where the runtime has `AbortController`.
    pub fn signal(&self) -> Option<AbortSignal> {
        self.controller.as_ref().map(AbortController::signal)
    }

    /// Milliseconds left before the deadline.
    pub fn remaining_ms(&self) -> u64 {
        self.deadline.saturating_sub(env::now_ms())
    }

    /// Whether the deadline has passed (the call was stopped, and not by a signal).
    pub fn timed_out(&self) -> bool {
        self.stopped_yet.get() && aborted(&self.signals).is_none()
    }

    /// `promise`'s value, unless the call is stopped first; `failed` turns
    /// what it rejects with into the call's error.
    pub async fn wait(
        &self,
        promise: &Promise,
        failed: impl FnOnce(JsValue) -> Error,
    ) -> Result<JsValue, CallError> {
        let raced = Promise::race(&Array::of2(promise, &self.stopped));
        JsFuture::from(raced).await.map_err(|thrown| {
            if let Some(reason) = aborted(&self.signals) {
                CallError::Aborted(reason)
            } else if self.stopped_yet.get() {
                CallError::Failed(Error::new(
                    ErrorCode::Network,
                    format!(
                        "the Cloud Credits server did not answer in time: the request timed out after {} ms (timeoutMs)",
                        self.timeout_ms
                    ),
                ))
            } else {
                CallError::Failed(failed(thrown))
            }
        })
    }

    /// Waits `ms` milliseconds, unless the call is stopped first.
    pub async fn sleep(&self, ms: u64) -> Result<(), CallError> {
        let mut timeout = None;
        let slept = Promise::new(&mut |resolve, _| timeout = Some(Timeout::after(ms, &resolve)));
        // A timer only resolves; `timeout` stays armed until the wait ends.
        let waited = self.wait(&slept, super::network).await;
        drop(timeout);
        waited.map(|_| ())
    }
}

impl Drop for Abort {
    fn drop(&mut self) {
        for signal in &self.signals {
            let _ = signal
                .remove_event_listener_with_callback("abort", self.stop.as_ref().unchecked_ref());
        }
    }
}

/// The reason of the first aborted signal, if one is.
fn aborted(signals: &[AbortSignal]) -> Option<JsValue> {
    signals
        .iter()
        .find(|signal| signal.aborted())
        .map(AbortSignal::reason)
}
