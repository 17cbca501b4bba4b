//! Cloud Credits SDK for JavaScript: exact, offline cost estimation.
//!
//! A thin wasm-bindgen layer over `rork-cloud-credits-core`: it only
//! translates between JS values and the core. Money crosses as decimal
//! strings. Plain estimates cross once each way as numbers ([`quick`], behind
//! the JS wrapper `src/wrapper.js`); everything else is read from JS values
//! into the core's JSON-shaped values and written back the same way
//! ([`js_value`]), where the core's readers check every field; failures throw
//! JS `Error`s with a stable `code` ([`error`]).

mod active_catalog;
#[cfg(feature = "client")]
mod client;
mod error;
mod js_value;
mod quick;
mod typescript;

pub use quick::{
    generation, quick_batch, quick_estimate, quick_model, quick_resolve, quick_totals,
};
use rork_cloud_credits_core::catalog::Catalog;
use rork_cloud_credits_core::estimate::UsageRequest;
use rork_cloud_credits_core::value::{self, Value};
use rork_cloud_credits_core::{money, Error};
use wasm_bindgen::prelude::*;

/// The allocator: `talc`, a few KB smaller in the module than Rust's default
/// (dlmalloc) and as fast here (bench/RESULTS.md, "Size, third round").
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The full path of `estimateCost` (its contract and example are its
/// declaration's, in `src/typescript.rs`): JS calls `estimateCost`
/// (`src/wrapper.js`), which takes the fast path ([`quick`]) for plain
/// requests and this one for everything else, so every invalid request gets
/// its precise error here.
#[wasm_bindgen(js_name = estimateCostFull, skip_typescript)]
pub fn estimate_cost(request: JsValue) -> Result<JsValue, JsValue> {
    let estimate = js_value::from_js(&request, "the request")
        .and_then(|value| UsageRequest::from_value(&value, ""))
        .and_then(|request| active_catalog::with(|catalog| catalog.estimate(&request)))
        .map_err(error::to_js)?;
    Ok(js_value::to_js(&Value::from(&estimate)))
}

/// Estimates several requests at once: per-item estimates and their exact total.
///
/// Fails as a whole on the first invalid request; the message starts with
/// `requests[i]`. The full path behind the JS `estimateBatch` and
/// `estimateTotals` (`caller`, named when `requests` is not an array), like
/// [`estimate_cost`].
///
/// ```ts
/// const { items, total } = estimateBatch([
///   { model: "gpt-4o-mini", inputTokens: 5000, outputTokens: 800 },
///   { model: "gpt-image-1.5", units: 2 },
/// ]);
/// ```
#[wasm_bindgen(js_name = estimateBatchFull, skip_typescript)]
pub fn estimate_batch(requests: JsValue, caller: &str) -> Result<JsValue, JsValue> {
    let batch = js_value::from_js(&requests, "requests")
        .and_then(|requests| match requests {
            Value::Array(_) => value::list(&requests, "requests", UsageRequest::from_value),
            _ => Err(Error::invalid_input(format!(
                "{caller} expects an array of requests"
            ))),
        })
        .and_then(|requests| active_catalog::with(|catalog| catalog.estimate_batch(&requests)))
        .map_err(error::to_js)?;
    Ok(js_value::to_js(&Value::from(&batch)))
}

/// Every model and cloud feature in the active catalog, with its prices as
/// decimal strings (token prices per 1M tokens; `null` for unit-billed entries,
/// shown as a dash).
///
/// ```ts
/// for (const m of listModels()) console.log(m.id, m.inputPer1M ?? "–", m.outputPer1M ?? "–");
/// ```
#[wasm_bindgen(js_name = listModels, unchecked_return_type = "ModelEntry[]")]
pub fn list_models() -> JsValue {
    active_catalog::with(|catalog| {
        js_value::to_js(&Value::Array(
            catalog.entries().iter().map(Value::from).collect(),
        ))
    })
}

/// The version of the active price list (echoed as `catalogVersion` in every estimate).
#[wasm_bindgen(js_name = catalogVersion)]
pub fn catalog_version() -> String {
    active_catalog::with(|catalog| catalog.version().to_owned())
}

/// Formats an exact USD amount for display: rounded to cents, halves away
/// from zero, thousands grouped (`"1234.565"` → `"$1,234.57"`, `"-0.5"` →
/// `"-$0.50"`). Takes a decimal string, never a number; throws `invalid_input`
/// otherwise. Use it only for display; keep the string for sums.
///
/// ```ts
/// formatUsd("0.005"); // "$0.01"
/// ```
#[wasm_bindgen(js_name = formatUsd)]
pub fn format_usd(
    #[wasm_bindgen(unchecked_param_type = "string")] amount: JsValue,
) -> Result<String, JsValue> {
    let text = amount.as_string().ok_or_else(|| {
        error::to_js(Error::invalid_input(
            "formatUsd expects a decimal string such as \"12.50\"; pass amounts as strings to keep them exact",
        ))
    })?;
    money::parse_usd(&text)
        .map(money::format_usd)
        .map_err(error::to_js)
}

/// Replaces the active catalog with a catalog document, such as the body of
/// the server's `GET /v1/models`. It is validated first; on error the
/// previous catalog stays active and `invalid_input` is thrown.
///
/// ```ts
/// loadCatalog(await (await fetch(`${server}/v1/models`)).text());
/// ```
#[wasm_bindgen(js_name = loadCatalog)]
pub fn load_catalog(
    #[wasm_bindgen(unchecked_param_type = "string")] json: JsValue,
) -> Result<(), JsValue> {
    if !json.is_string() {
        return Err(error::to_js(Error::invalid_input(
            "loadCatalog expects the catalog document as a JSON string (await response.text())",
        )));
    }
    // The engine's JSON.parse reads the text where it is, without a copy into Rust.
    let catalog = js_value::from_json_text(&json, "the catalog", |why| {
        Error::invalid_input(format!("catalog JSON is invalid: {why}"))
    })
    .and_then(|document| Catalog::from_value(&document))
    .map_err(error::to_js)?;
    active_catalog::replace(catalog);
    Ok(())
}
