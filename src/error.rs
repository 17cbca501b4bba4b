//! Core errors as real JS `Error` objects carrying a stable `code`.
//!
//! Every exported function reports failure by throwing what [`to_js`] builds:
//! `err instanceof Error`, `err.name === "CloudCreditsError"`, `err.code` one
//! of the `ErrorCode` strings (`"invalid_input"`, `"unknown_model"`, ...), and
//! `err.message` telling the user what to fix. The cloud client reuses this.

use rork_cloud_credits_core::Error;
use wasm_bindgen::JsValue;

/// The JS `Error` for a core error: message, `name` and `code` set.
pub fn to_js(error: Error) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    js.set_name("CloudCreditsError");
    // Defining a data property on a fresh, extensible Error object cannot fail.
    let _ = js_sys::Reflect::set(
        &js,
        &JsValue::from_str("code"),
        &JsValue::from_str(error.code.as_str()),
    );
    js.into()
}

/// The message of a thrown JS value: its `message` property, or the value
/// itself when it is a string; `None` otherwise (callers supply their own text).
pub fn thrown_message(thrown: &JsValue) -> Option<String> {
    js_sys::Reflect::get(thrown, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| thrown.as_string())
}
