//! What the client takes from its JS environment: the clock, secure random
//! numbers, timers and the browser globals. Everything here works in browsers,
//! workers and Node.js; browser-only globals are `None` elsewhere.

use js_sys::{Date, Function, Promise, Reflect};
use rork_cloud_credits_core::{Error, ErrorCode};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buffer: &mut [u8]) -> Result<JsValue, JsValue>;
}

/// Milliseconds since the epoch.
pub(crate) fn now_ms() -> u64 {
    // `Date.now()` is a non-negative integer number of milliseconds.
    Date::now() as u64
}

/// The current time as an RFC 3339 UTC string (`2026-11-25T12:00:00.000Z`).
pub(crate) fn now_iso() -> String {
    Date::new_0().to_iso_string().into()
}

/// `N` bytes from `crypto.getRandomValues`.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], Error> {
    let mut bytes = [0u8; N];
    get_random_values(&mut bytes).map_err(|_| {
        Error::new(
            ErrorCode::InvalidInput,
            "crypto.getRandomValues is not available in this environment; usage event ids must be random \
             UUIDs. In React Native, install react-native-get-random-values and import it first in \
             your app's entry file: import 'react-native-get-random-values';",
        )
    })?;
    Ok(bytes)
}

/// A random `u64` for backoff jitter.
pub(crate) fn random_u64() -> u64 {
    // Jitter needs spread, not secrecy: without `crypto`, Math.random will do.
    random_bytes::<8>()
        .map(u64::from_le_bytes)
        .unwrap_or_else(|_| (js_sys::Math::random() * u64::MAX as f64) as u64)
}

/// A random (version 4) UUID.
pub(crate) fn new_uuid() -> Result<String, Error> {
    let bytes = random_bytes::<16>()?;
    Ok(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string())
}

/// A pending `setTimeout` of a JS function; dropping it cancels it.
pub(crate) struct Timeout(JsValue);

impl Timeout {
    /// Calls `callback` after `ms` milliseconds.
    pub(crate) fn after(ms: u64, callback: &Function) -> Timeout {
        Timeout(set_timeout(callback, ms as f64))
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(&self.0);
    }
}

/// A pending `setTimeout` of a Rust callback; dropping it cancels it.
pub(crate) struct Timer {
    _timeout: Timeout,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    /// Calls `callback` once after `ms` milliseconds.
    pub(crate) fn after(ms: u64, callback: impl FnOnce() + 'static) -> Timer {
        let callback = Closure::once(callback);
        Timer {
            _timeout: Timeout::after(ms, callback.as_ref().unchecked_ref()),
            _callback: callback,
        }
    }
}

/// Resolves after `ms` milliseconds.
pub(crate) async fn sleep(ms: u64) {
    let promise = Promise::new(&mut |resolve, _reject| {
        set_timeout(&resolve, ms as f64);
    });
    // A timer promise only resolves.
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// `globalThis[name]`, when it is defined.
pub(crate) fn global(name: &str) -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null())
}

/// The browser window, when there is one.
pub(crate) fn window() -> Option<web_sys::Window> {
    global("window").and_then(|w| w.dyn_into().ok())
}

/// `navigator.onLine`; `true` where there is no such notion (Node.js).
pub(crate) fn is_online() -> bool {
    global("navigator")
        .and_then(|n| Reflect::get(&n, &JsValue::from_str("onLine")).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(true)
}
