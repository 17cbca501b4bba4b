//! JS values to and from the core's JSON-shaped [`Value`]s, property by
//! property (no JSON text, so the module carries no JSON library).
//!
//! Reading follows `JSON.stringify`: own enumerable properties, object fields
//! that are `undefined` left out. Unlike it, `NaN` and `±Infinity` stay
//! numbers (so the message names them), and `BigInt`s, functions, symbols
//! and cycles are refused instead of dropped or thrown on.

use rork_cloud_credits_core::value::{Number, Value};
use rork_cloud_credits_core::Error;
use wasm_bindgen::{JsCast, JsValue};

/// Deeper than this is refused: no request or catalog nests past a few
/// levels, and a cycle would recurse forever.
const MAX_DEPTH: usize = 32;

/// The data of a JS value; `invalid_input` naming `what` when it is not plain
/// data.
pub fn from_js(value: &JsValue, what: &str) -> Result<Value, Error> {
    read(value, 0).ok_or_else(|| {
        Error::invalid_input(format!(
            "{what} must be plain JSON data (numbers, strings, booleans, null, arrays and objects); \
             undefined, BigInt values, functions, symbols and cycles are not accepted"
        ))
    })
}

/// The data of `value`, or `None` when it (or something in it) is not plain data.
fn read(value: &JsValue, depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    if value.is_null() {
        return Some(Value::Null);
    }
    if let Some(flag) = value.as_bool() {
        return Some(Value::Bool(flag));
    }
    if let Some(number) = value.as_f64() {
        return Some(Value::Number(Number {
            value: number,
            text: number_text(value, number),
        }));
    }
    if let Some(text) = value.as_string() {
        return Some(Value::String(text));
    }
    if js_sys::Array::is_array(value) {
        let array: &js_sys::Array = value.unchecked_ref();
        return array
            .iter()
            .map(|item| match item.is_undefined() {
                true => Some(Value::Null),
                false => read(&item, depth + 1),
            })
            .collect::<Option<Vec<_>>>()
            .map(Value::Array);
    }
    if value.is_object() {
        let mut fields = Vec::new();
        for entry in js_sys::Object::entries(value.unchecked_ref()).iter() {
            let entry: js_sys::Array = entry.unchecked_into();
            let field = entry.get(1);
            if !field.is_undefined() {
                fields.push((entry.get(0).as_string()?, read(&field, depth + 1)?));
            }
        }
        return Some(Value::Object(fields));
    }
    None
}

/// How JS writes `number`: whole numbers (every valid count) without a
/// crossing, the rest (`1.5`, `NaN`, `1e+300`) by `Number.prototype.toString`.
fn number_text(value: &JsValue, number: f64) -> String {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if number.fract() == 0.0 && number.abs() < EXACT {
        return (number as i64).to_string();
    }
    value
        .unchecked_ref::<js_sys::Number>()
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

/// The JS value of `value`: plain objects, arrays, strings, numbers.
pub fn to_js(value: &Value) -> JsValue {
    match value {
        Value::Null => JsValue::NULL,
        Value::Bool(flag) => JsValue::from_bool(*flag),
        Value::Number(number) => JsValue::from_f64(number.value),
        Value::String(text) => JsValue::from_str(text),
        Value::Array(items) => items.iter().map(to_js).collect::<js_sys::Array>().into(),
        Value::Object(fields) => {
            let object = js_sys::Object::new();
            for (name, field) in fields {
                // Defining a property on a fresh, extensible object cannot fail.
                let _ = js_sys::Reflect::set(&object, &JsValue::from_str(name), &to_js(field));
            }
            object.into()
        }
    }
}
