//! The JSON bridge: one crossing each way per call.
//!
//! Requests come in as one `JSON.stringify` of the JS value (instead of one
//! crossing per property), results go out as one string that `JSON.parse`
//! turns into plain objects. Money stays a decimal string on both sides.

use rork_cloud_credits_core::{Error, ErrorCode};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::JsValue;

/// The JSON form of a JS value; `invalid_input` naming `what` if it has none
/// (a `BigInt`, a cycle, or `undefined`).
pub fn from_js(value: &JsValue, what: &str) -> Result<Value, Error> {
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| {
            Error::invalid_input(format!(
                "{what} must be plain JSON data (numbers, strings, objects); BigInt values and cycles are not accepted"
            ))
        })?;
    serde_json::from_str(&text)
        .map_err(|error| Error::invalid_input(format!("{what} could not be read: {error}")))
}

/// A Rust value as a plain JS value (objects, arrays, strings, numbers).
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|error| {
        crate::error::to_js(Error::new(
            ErrorCode::Server,
            format!("could not encode the result: {error}"),
        ))
    })?;
    js_sys::JSON::parse(&text)
}
