//! Reading the client's call arguments from JS: usage reports and hold
//! requests. Usage goes through the same reader and the same catalog
//! validation as `estimateCost`, so the two accept and refuse exactly the
//! same requests with the same codes.

use crate::{active_catalog, json, request};
use rork_cloud_credits_core::estimate::UsageRequest;
use rork_cloud_credits_core::money;
use rork_cloud_credits_core::wire::HoldRequest;
use rork_cloud_credits_core::Error;
use serde_json::{Map, Value};
use wasm_bindgen::JsValue;

/// The longest `feature` the server records.
const MAX_FEATURE_CHARS: usize = 100;

/// A validated usage report.
pub(crate) struct UsageReport {
    /// What was used.
    pub usage: UsageRequest,
    /// The app feature that used it.
    pub feature: Option<String>,
    /// The hold it belongs to.
    pub hold_id: Option<String>,
}

/// Reads `{ model, inputTokens, ..., feature?, holdId? }`; `what` names the
/// argument in errors.
pub(crate) fn usage_report(value: &JsValue, what: &str) -> Result<UsageReport, Error> {
    usage_report_from_json(json::from_js(value, what)?)
}

/// [`usage_report`] from the argument's JSON form, already read from JS.
fn usage_report_from_json(mut json: Value) -> Result<UsageReport, Error> {
    let (feature, hold_id) = match &mut json {
        Value::Object(fields) => (
            optional_string(fields, "feature", MAX_FEATURE_CHARS)?,
            optional_string(fields, "holdId", 100)?,
        ),
        _ => (None, None),
    };
    let usage = request::usage_request(&json, "")?;
    // The estimate itself is not needed: pricing it is the validation.
    active_catalog::with(|catalog| catalog.estimate(&usage))?;
    Ok(UsageReport {
        usage,
        feature,
        hold_id,
    })
}

/// Reads what `reserve` takes: an estimate (from `estimateCost`: its `total`
/// is reserved), `{ amountUsd }`, or a usage request (validated here, then
/// estimated by the server).
pub(crate) fn hold_request(value: &JsValue) -> Result<HoldRequest, Error> {
    let json = json::from_js(value, "the hold request")?;
    let amount = |field: &str| match json.get(field) {
        Some(Value::String(text)) => money::parse_usd(text).map(Some),
        Some(other) => Err(Error::invalid_input(format!(
            "{field} must be a decimal string such as \"0.05\", got {other}"
        ))),
        None => Ok(None),
    };
    // `total` first; `amountUsd` is only read without one.
    let amount_usd = match amount("total")? {
        Some(total) => Some(total),
        None => amount("amountUsd")?,
    };
    if amount_usd.is_some() {
        return Ok(HoldRequest {
            amount_usd,
            ..HoldRequest::default()
        });
    }
    Ok(HoldRequest {
        usage: Some(usage_report_from_json(json)?.usage),
        ..HoldRequest::default()
    })
}

/// Removes `name` from `fields` and returns it: absent or null is `None`,
/// otherwise a string of 1 to `max_chars` characters.
fn optional_string(
    fields: &mut Map<String, Value>,
    name: &str,
    max_chars: usize,
) -> Result<Option<String>, Error> {
    match fields.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if (1..=max_chars).contains(&text.chars().count()) => {
            Ok(Some(text))
        }
        Some(other) => Err(Error::invalid_input(format!(
            "{name} must be a string of 1 to {max_chars} characters, got {}",
            match other {
                Value::String(s) => format!("{} characters", s.chars().count()),
                other => other.to_string(),
            }
        ))),
    }
}
