//! Core errors as instances of the package's JS class `CloudCreditsError`
//! (`src/js/error.js`).
//!
//! Every exported function reports failure by throwing what [`to_js`] builds:
//! `err instanceof CloudCreditsError` (and `Error`), `err.code` one of the
//! `ErrorCode` strings (`"invalid_input"`, `"unknown_model"`, ...),
//! `err.message` telling the user what to fix, `err.status` the HTTP status
//! when a server answered, and `err.docs` the README's entry for the code.
//! The cloud client reuses this.

use rork_cloud_credits_core::Error;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/error.js")]
extern "C" {
    /// `new CloudCreditsError(code, message, status)`, its stack without the SDK's own frames.
    #[wasm_bindgen(js_name = cloudCreditsError)]
    fn cloud_credits_error(code: &str, message: &str, status: Option<u16>) -> JsValue;
}

/// The `CloudCreditsError` for a core error.
pub fn to_js(error: Error) -> JsValue {
    cloud_credits_error(error.code.as_str(), &error.message, error.status)
}

/// The message of a thrown JS value: its `message` property, or the value
/// itself when it is a string; `None` otherwise (callers supply their own text).
pub fn thrown_message(thrown: &JsValue) -> Option<String> {
    js_sys::Reflect::get(thrown, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| thrown.as_string())
}
