//! JS values to and from the core's JSON-shaped [`Value`]s, with no JSON
//! library in the module: arguments are read property by property, and
//! results go out as JSON text written by [`Value::to_json`] for the
//! engine's `JSON.parse`.
//!
//! Reading sees what `JSON.stringify` would: own enumerable properties, a
//! `toJSON()` result (a `Date` is its ISO string), boxed numbers, strings and
//! booleans unwrapped, object fields that are `undefined` left out, array
//! holes as `null`. Unlike it, `NaN` and `±Infinity` stay numbers (so the
//! message names them), and what it would drop, throw on or garble is refused
//! with `invalid_input` naming the place: `undefined` values, functions,
//! symbols, `BigInt`s, strings with lone surrogates, cycles (anything nested
//! deeper than [`MAX_DEPTH`]), arrays longer than [`MAX_ITEMS`], and
//! getters, `toJSON` methods or proxies that throw. Every JS call here
//! catches, so a throwing getter cannot unwind through Rust.

use rork_cloud_credits_core::value::{field_path, Number, Value};
use rork_cloud_credits_core::Error;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Deeper than this is refused: no request or catalog nests past a few
/// levels, and a cycle would recurse forever.
const MAX_DEPTH: usize = 32;

/// Longer arrays are refused before they are read (a batch of a million
/// requests is already far past any real use).
const MAX_ITEMS: u32 = 1_000_000;

#[wasm_bindgen]
extern "C" {
    /// `Array.isArray`, which throws for a revoked proxy.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    /// `Array.from`: a plain copy, its items read (getters run) once.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    fn array_from(value: &JsValue) -> Result<js_sys::Array, JsValue>;
    /// `Object.keys`: the own enumerable string keys (no getter runs).
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn keys(value: &JsValue) -> Result<js_sys::Array, JsValue>;
    /// `Reflect.get`.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn get(target: &JsValue, key: &JsValue) -> Result<JsValue, JsValue>;
    /// `JSON.parse` of a JS string.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn parse(text: &JsValue) -> Result<JsValue, JsValue>;
    /// `Reflect.apply` with no arguments: `method.call(this)`.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = apply)]
    fn apply(
        method: &js_sys::Function,
        this: &JsValue,
        args: &js_sys::Array,
    ) -> Result<JsValue, JsValue>;
}

/// Why a value could not be read, and where (`inputTokens`, `[3].model`).
struct Refusal {
    path: String,
    why: String,
}

/// The data of JSON `text` (a JS string), parsed by the engine's
/// `JSON.parse` where it lies (no copy into Rust) and read with [`from_js`]
/// naming `what`; text that is not JSON is the error `not_json` makes of the
/// engine's message.
pub fn from_json_text(
    text: &JsValue,
    what: &str,
    not_json: impl FnOnce(String) -> Error,
) -> Result<Value, Error> {
    let parsed = parse(text)
        .map_err(|thrown| not_json(crate::error::thrown_message(&thrown).unwrap_or_default()))?;
    from_js(&parsed, what)
}

/// The data of JSON `text` held in Rust (what storage gave back), parsed by
/// the engine's `JSON.parse` like [`from_json_text`]: `invalid_input` naming
/// `what` when it is not JSON.
#[cfg(feature = "client")]
pub fn from_json_str(text: &str, what: &str) -> Result<Value, Error> {
    from_json_text(&JsValue::from_str(text), what, |why| {
        Error::invalid_input(format!("{what} is not JSON: {why}"))
    })
}

/// The data of a JS value; `invalid_input` naming `what` and the place when
/// it is not plain data (see the module docs).
pub fn from_js(value: &JsValue, what: &str) -> Result<Value, Error> {
    read(value, String::new(), 0).map_err(|Refusal { path, why }| {
        let place = if path.is_empty() {
            what.to_owned()
        } else {
            format!("{what}: {path}")
        };
        Error::invalid_input(format!(
            "{place} {why}; pass plain JSON data (numbers, strings, booleans, null, arrays and objects)"
        ))
    })
}

/// The data of `value` at `path`, `depth` levels down.
fn read(value: &JsValue, path: String, depth: usize) -> Result<Value, Refusal> {
    let refusal = |why: &str| Refusal {
        path: path.clone(),
        why: why.to_owned(),
    };
    if depth > MAX_DEPTH {
        return Err(refusal(&format!(
            "nests deeper than {MAX_DEPTH} levels (a cycle?)"
        )));
    }
    if value.is_null() {
        return Ok(Value::Null);
    }
    if let Some(flag) = value.as_bool() {
        return Ok(Value::Bool(flag));
    }
    if let Some(number) = value.as_f64() {
        return Ok(Value::Number(Number {
            value: number,
            text: number_text(value, number),
        }));
    }
    if value.is_string() {
        return string(value).map(Value::String).map_err(refusal);
    }
    if value.is_undefined() {
        return Err(refusal("is undefined"));
    }
    if value.is_function() {
        return Err(refusal("is a function"));
    }
    if value.is_bigint() {
        return Err(refusal("is a BigInt (pass counts as numbers)"));
    }
    if !value.is_object() {
        return Err(refusal("is a symbol"));
    }
    let failed = |error| threw(&path, error);
    // What JSON.stringify would write instead of the object itself.
    if let Some(replacement) = stand_in(value).map_err(failed)? {
        return read(&replacement, path, depth + 1);
    }
    if is_array(value).map_err(failed)? {
        let length = get(value, &"length".into())
            .map_err(failed)?
            .as_f64()
            .unwrap_or(0.0);
        if length > f64::from(MAX_ITEMS) {
            // As a whole number: formatting an f64 would link float formatting into the module.
            let length = length as u64;
            return Err(refusal(&format!(
                "has {length} items, more than {MAX_ITEMS}"
            )));
        }
        let items = array_from(value).map_err(failed)?;
        let mut values = Vec::with_capacity(items.length() as usize);
        for (i, item) in items.iter().enumerate() {
            let value = match item.is_undefined() {
                true => Value::Null,
                false => read(&item, format!("{path}[{i}]"), depth + 1)?,
            };
            values.push(value);
        }
        return Ok(Value::Array(values));
    }
    let mut fields = Vec::new();
    for key in keys(value).map_err(failed)?.iter() {
        let name = string(&key).map_err(refusal)?;
        let path = field_path(&path, &name);
        let field = get(value, &key).map_err(|error| threw(&path, error))?;
        if !field.is_undefined() {
            fields.push((name, read(&field, path, depth + 1)?));
        }
    }
    Ok(Value::Object(fields))
}

/// The refusal of what at `path` threw `error` when read.
fn threw(path: &str, error: JsValue) -> Refusal {
    Refusal {
        path: path.to_owned(),
        why: format!(
            "could not be read: {}",
            crate::error::thrown_message(&error).unwrap_or_else(|| "it threw".into())
        ),
    }
}

/// What `JSON.stringify` writes in place of the object `value`: its
/// `toJSON()` result, or the primitive in a `Number`, `String` or `Boolean`
/// object; `None` for a plain object or array.
fn stand_in(value: &JsValue) -> Result<Option<JsValue>, JsValue> {
    let method = |name: &str| -> Result<Option<js_sys::Function>, JsValue> {
        Ok(get(value, &name.into())?
            .dyn_into::<js_sys::Function>()
            .ok())
    };
    if let Some(to_json) = method("toJSON")? {
        return apply(&to_json, value, &js_sys::Array::new()).map(Some);
    }
    let boxed = value.is_instance_of::<js_sys::Number>()
        || value.is_instance_of::<js_sys::JsString>()
        || value.is_instance_of::<js_sys::Boolean>();
    match boxed {
        true => match method("valueOf")? {
            Some(value_of) => apply(&value_of, value, &js_sys::Array::new()).map(Some),
            None => Ok(None),
        },
        false => Ok(None),
    }
}

/// A JS string as Rust text, refused when it has a lone surrogate (which
/// Rust text cannot hold: it would become U+FFFD unnoticed).
fn string(value: &JsValue) -> Result<String, &'static str> {
    let text = value.as_string().unwrap_or_default();
    // Only text that came out with a replacement character (U+FFFD, bytes EF BF BD:
    // searched as bytes, without `str`'s substring search in the wasm) can have lost one.
    let replaced = text.as_bytes().windows(3).any(|w| w == [0xEF, 0xBF, 0xBD]);
    if replaced && !value.unchecked_ref::<js_sys::JsString>().is_valid_utf16() {
        return Err("is a string with a lone surrogate (broken UTF-16)");
    }
    Ok(text)
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

/// The JS value of `value`: plain objects, arrays, strings, numbers, made by
/// the engine's `JSON.parse` from [`Value::to_json`]: one crossing and one
/// text decode for a whole result, instead of one per field and name.
pub fn to_js(value: &Value) -> JsValue {
    parse(&JsValue::from_str(&value.to_json())).expect("Value::to_json writes JSON")
}
