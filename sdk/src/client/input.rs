//! Reading the client's call arguments from JS: usage reports and hold
//! requests. Usage goes through the same reader and the same catalog
//! validation as `estimateCost`, so the two accept and refuse exactly the
//! same requests with the same codes.

use crate::{active_catalog, js_value};
use rork_cloud_credits_core::estimate::UsageRequest;
use rork_cloud_credits_core::value::Value;
use rork_cloud_credits_core::wire::{HoldRequest, MAX_LABEL_CHARS};
use rork_cloud_credits_core::Error;
use rork_cloud_credits_core::{id, money};
use wasm_bindgen::JsValue;

/// The fields a usage report has besides a request's.
const REPORT_FIELDS: [&str; 2] = ["feature", "holdId"];

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
    usage_report_from_value(&js_value::from_js(value, what)?)
}

/// [`usage_report`] from the argument's data, already read from JS.
fn usage_report_from_value(value: &Value) -> Result<UsageReport, Error> {
    let fields = UsageRequest::fields(value, "", &REPORT_FIELDS)?;
    let bounded =
        |max_chars| move |value: &Value, path: &str| bounded_string(value, path, max_chars);
    let feature = fields.optional("feature", bounded(MAX_LABEL_CHARS))?;
    let hold_id = fields.optional("holdId", id::read_uuid)?;
    let usage = UsageRequest::read(&fields)?;
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
    let value = js_value::from_js(value, "the hold request")?;
    let amount = |field: &str| match value.get(field) {
        Some(Value::String(text)) => money::parse_usd(text).map(Some),
        Some(other) => Err(Error::invalid_input(format!(
            "{field} must be a decimal string such as \"0.05\", got {}",
            other.describe()
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
        usage: Some(usage_report_from_value(&value)?.usage),
        ..HoldRequest::default()
    })
}

/// A string of 1 to `max_chars` characters.
fn bounded_string(value: &Value, path: &str, max_chars: usize) -> Result<String, Error> {
    match value {
        Value::String(text) if (1..=max_chars).contains(&text.chars().count()) => Ok(text.clone()),
        other => Err(Error::invalid_input(format!(
            "{path} must be a string of 1 to {max_chars} characters, got {}",
            match other {
                Value::String(text) => format!("{} characters", text.chars().count()),
                other => other.describe(),
            }
        ))),
    }
}
