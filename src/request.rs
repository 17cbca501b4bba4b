//! Reading usage requests from JS, validating every field at the boundary.
//!
//! wasm-bindgen would silently wrap or truncate a JS number given to a Rust
//! integer (NaN becomes 0), so counts arrive as JSON and are checked here:
//! a non-negative integer ≤ 2^53 - 1, or `invalid_input` naming the field.
//! Unknown fields are rejected too, so a typo such as `inputToken` is an
//! error rather than a silently free request.

use rork_cloud_credits_core::estimate::{UsageRequest, MAX_COUNT};
use rork_cloud_credits_core::Error;
use serde_json::{Map, Number, Value};

/// The fields a usage request may have.
const FIELDS: &str = "model, inputTokens, cachedInputTokens, cacheWriteTokens, outputTokens, units";

/// A usage request from its JSON form; `path` prefixes field names in errors.
pub fn usage_request(value: &Value, path: &str) -> Result<UsageRequest, Error> {
    let Value::Object(fields) = value else {
        return Err(Error::invalid_input(format!(
            "{} must be an object like {{ model: \"gpt-4o\", inputTokens: 1200, outputTokens: 300 }}, got {}",
            if path.is_empty() { "the request" } else { path },
            describe(value)
        )));
    };
    let mut request = UsageRequest {
        model: model(fields, path)?,
        ..UsageRequest::default()
    };
    for (name, value) in fields {
        let slot = match name.as_str() {
            "model" => continue,
            "inputTokens" => &mut request.input_tokens,
            "cachedInputTokens" => &mut request.cached_input_tokens,
            "cacheWriteTokens" => &mut request.cache_write_tokens,
            "outputTokens" => &mut request.output_tokens,
            "units" => &mut request.units,
            _ => {
                return Err(Error::invalid_input(format!(
                    "unknown field {}; a request has {FIELDS}",
                    field(path, name)
                )))
            }
        };
        *slot = count(&field(path, name), value)?;
    }
    Ok(request)
}

/// `path.name`, or `name` at the top level.
fn field(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// The required `model` string.
fn model(fields: &Map<String, Value>, path: &str) -> Result<String, Error> {
    let name = field(path, "model");
    match fields.get("model") {
        Some(Value::String(model)) => Ok(model.clone()),
        None => Err(Error::invalid_input(format!(
            "{name} is required: a catalog id such as \"gpt-4o\" (listModels() lists them)"
        ))),
        Some(other) => Err(Error::invalid_input(format!(
            "{name} must be a string such as \"gpt-4o\", got {}",
            describe(other)
        ))),
    }
}

/// A count: a non-negative integer no larger than [`MAX_COUNT`].
fn count(name: &str, value: &Value) -> Result<u64, Error> {
    let fail = |why: String| Err(Error::invalid_input(format!("{name} {why}")));
    let Value::Number(number) = value else {
        return fail(format!(
            "must be a non-negative integer, got {}",
            describe(value)
        ));
    };
    match (number.as_u64(), number_f64(number)) {
        (Some(count), _) if count <= MAX_COUNT => Ok(count),
        (_, value) if value < 0.0 => fail(format!("must not be negative, got {number}")),
        (_, value) if value.fract() != 0.0 => fail(format!("must be a whole number, got {number}")),
        _ => fail(format!(
            "is {number}, above the largest exact count {MAX_COUNT} (2^53 - 1)"
        )),
    }
}

/// A JSON number as f64, only to classify an invalid count (never for money).
fn number_f64(number: &Number) -> f64 {
    number.as_f64().unwrap_or(f64::NAN)
}

/// How a wrong value looks in an error message.
fn describe(value: &Value) -> String {
    match value {
        // JSON.stringify turns NaN and ±Infinity into null.
        Value::Null => "null, NaN or Infinity".to_owned(),
        Value::Bool(flag) => format!("the boolean {flag}"),
        Value::Number(number) => format!("the number {number}"),
        Value::String(text) => format!("the string {text:?}"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rork_cloud_credits_core::ErrorCode;
    use serde_json::json;

    fn message(value: Value) -> String {
        let err = usage_request(&value, "").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        err.message
    }

    #[test]
    fn reads_every_field() {
        let request = usage_request(
            &json!({"model": "gpt-4o", "inputTokens": 10, "cachedInputTokens": 4, "cacheWriteTokens": 2,
                    "outputTokens": 7, "units": 0}),
            "",
        )
        .unwrap();
        assert_eq!(
            (
                request.model.as_str(),
                request.input_tokens,
                request.cached_input_tokens,
                request.cache_write_tokens,
                request.output_tokens
            ),
            ("gpt-4o", 10, 4, 2, 7)
        );
        assert_eq!(
            usage_request(
                &json!({"model": "x", "inputTokens": 9007199254740991_u64}),
                ""
            )
            .unwrap()
            .input_tokens,
            MAX_COUNT
        );
    }

    #[test]
    fn rejects_bad_counts_naming_the_field() {
        assert!(message(json!({"model": "m", "inputTokens": -1}))
            .starts_with("inputTokens must not be negative"));
        assert!(message(json!({"model": "m", "outputTokens": 1.5}))
            .starts_with("outputTokens must be a whole number"));
        assert!(message(json!({"model": "m", "units": null})).contains("NaN or Infinity"));
        assert!(message(json!({"model": "m", "units": "5"})).contains("the string \"5\""));
        assert!(
            message(json!({"model": "m", "inputTokens": 9007199254740992_u64}))
                .contains("above the largest")
        );
        assert!(message(json!({"model": "m", "inputTokens": 1e300})).contains("above the largest"));
        assert!(
            message(json!({"model": "m", "inputToken": 1})).contains("unknown field inputToken")
        );
        assert!(message(json!({"inputTokens": 1})).starts_with("model is required"));
        assert!(message(json!({"model": 4})).starts_with("model must be a string"));
        assert!(message(json!([1])).contains("must be an object"));
    }

    #[test]
    fn batch_paths_prefix_field_names() {
        let err = usage_request(&json!({"model": "m", "units": -2}), "requests[3]").unwrap_err();
        assert!(
            err.message.starts_with("requests[3].units"),
            "{}",
            err.message
        );
    }
}
