//! The client's results to JS: one crossing per result. A result goes out as
//! one JSON string that `JSON.parse` turns into plain objects; money stays a
//! decimal string. (Arguments come in through [`crate::js_value`].)

use rork_cloud_credits_core::{Error, ErrorCode};
use serde::Serialize;
use wasm_bindgen::JsValue;

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
