//! Reading options: the constructor's strings, its `timeoutMs`, `signal`
//! and `retry`, and each call's `{ timeoutMs, signal }`. Read property by
//! property (no JSON reader: this runs in every client's constructor).

use crate::transport::{CallOptions, Defaults, DEFAULT_TIMEOUT_MS};
use js_sys::{Object, Reflect};
use rork_cloud_credits_core::retry::{Backoff, Retry, MAX_RETRIES};
use rork_cloud_credits_core::Error;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

/// The longest wait in milliseconds: what `setTimeout` takes (2^31 - 1, 24.8 days).
const MAX_MS: u32 = i32::MAX as u32;

/// The options every call takes.
const CALL_FIELDS: [&str; 2] = ["timeoutMs", "signal"];

/// The fields of `retry`.
const RETRY_FIELDS: [&str; 3] = ["retries", "baseDelayMs", "maxDelayMs"];

/// The constructor's network settings from its `options`.
#[inline(never)]
pub(crate) fn defaults(options: &JsValue) -> Result<Defaults, Error> {
    let call = read_call(options)?;
    let retry = get(options, "retry")?;
    Ok(Defaults {
        timeout_ms: call.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS),
        signal: call.signal,
        retry: if retry.is_undefined() {
            Retry::default()
        } else {
            read_retry(&retry)?
        },
    })
}

/// A call's `options` (`undefined` or `null`: none), which may hold
/// `timeoutMs`, `signal` and the fields in `also` (read by the caller).
pub(crate) fn call(options: &JsValue, also: &[&str]) -> Result<CallOptions, Error> {
    if options.is_undefined() || options.is_null() {
        return Ok(CallOptions::default());
    }
    only(options, "the options", |name| {
        CALL_FIELDS.contains(&name) || also.contains(&name)
    })?;
    read_call(options)
}

/// `timeoutMs` and `signal` of `options`.
fn read_call(options: &JsValue) -> Result<CallOptions, Error> {
    let timeout_ms = whole(options, "timeoutMs", "timeoutMs", 1, MAX_MS)?;
    let signal = get(options, "signal")?;
    let signal = if signal.is_undefined() || signal.is_null() {
        None
    } else if is_signal(&signal) {
        Some(signal.unchecked_into::<AbortSignal>())
    } else {
        return Err(Error::invalid_input(
            "signal must be an AbortSignal, such as new AbortController().signal",
        ));
    };
    Ok(CallOptions { timeout_ms, signal })
}

/// Whether `value` behaves like an `AbortSignal` (an `aborted` flag and
/// `addEventListener`): polyfills and other realms' signals count.
fn is_signal(value: &JsValue) -> bool {
    let has = |name: &str| Reflect::get(value, &name.into()).ok();
    value.is_object()
        && has("aborted").is_some_and(|aborted| aborted.as_bool().is_some())
        && has("addEventListener").is_some_and(|add| add.is_function())
}

/// `retry`: `{ retries?, baseDelayMs?, maxDelayMs? }`, each defaulting to [`Retry::default`]'s.
fn read_retry(value: &JsValue) -> Result<Retry, Error> {
    only(value, "retry", |name| RETRY_FIELDS.contains(&name))?;
    let defaults = Retry::default();
    let retries = whole(value, "retries", "retry.retries", 0, MAX_RETRIES)?;
    let base = whole(value, "baseDelayMs", "retry.baseDelayMs", 0, MAX_MS)?;
    let base_ms = base.map_or(defaults.backoff.base_ms, u64::from);
    let max_ms = whole(value, "maxDelayMs", "retry.maxDelayMs", 0, MAX_MS)?
        .map_or(defaults.backoff.max_ms.max(base_ms), u64::from);
    if max_ms < base_ms {
        return Err(Error::invalid_input(
            "retry.maxDelayMs must not be less than retry.baseDelayMs",
        ));
    }
    Ok(Retry {
        retries: retries.unwrap_or(defaults.retries),
        backoff: Backoff { base_ms, max_ms },
    })
}

/// `invalid_input` unless `value` is an object whose every own field is
/// `known`: a misspelt option is refused, not silently ignored.
fn only(value: &JsValue, what: &str, known: impl Fn(&str) -> bool) -> Result<(), Error> {
    // Not `instanceof Object`: objects of other realms, or without a prototype, count.
    if !value.is_object() {
        return Err(Error::invalid_input(format!("{what} must be an object")));
    }
    let keys = Object::keys(value.unchecked_ref::<Object>());
    match keys
        .iter()
        .find_map(|key| key.as_string().filter(|k| !known(k)))
    {
        Some(unknown) => Err(Error::invalid_input(format!(
            "unknown option {unknown} in {what}"
        ))),
        None => Ok(()),
    }
}

/// The whole number `object[name]` from `min` to `max`; `None` when
/// undefined. `path` names it in errors.
fn whole(
    object: &JsValue,
    name: &str,
    path: &str,
    min: u32,
    max: u32,
) -> Result<Option<u32>, Error> {
    let value = get(object, name)?;
    if value.is_undefined() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(n) if n >= f64::from(min) && n <= f64::from(max) && n.fract() == 0.0 => {
            Ok(Some(n as u32))
        }
        _ => Err(Error::invalid_input(format!(
            "{path} must be a whole number from {min} to {max}"
        ))),
    }
}

/// A string option: absent (or undefined) is `None`; anything else but a
/// string is `invalid_input`.
pub(crate) fn string(options: &JsValue, name: &str) -> Result<Option<String>, Error> {
    let value = get(options, name)?;
    if value.is_undefined() {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| Error::invalid_input(format!("{name} must be a string")))
}

/// `options[name]`; `undefined` when `options` is.
fn get(options: &JsValue, name: &str) -> Result<JsValue, Error> {
    if options.is_undefined() {
        return Ok(JsValue::UNDEFINED);
    }
    Reflect::get(options, &name.into())
        .map_err(|_| Error::invalid_input(format!("{name} could not be read")))
}
