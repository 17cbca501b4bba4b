//! The fast path behind `estimateCost` and `estimateBatch`: flat arguments in,
//! one packed string out.
//!
//! The public functions are a thin JS wrapper (`src/wrapper.js`, appended to
//! the wasm-bindgen module by `cargo xtask build`). For a plain request it
//! calls [`estimate_cost_flat`] with the model and the five counts as numbers
//! (one crossing, no JSON), and builds the `Estimate` object from the packed
//! answer. Anything this path does not take as is goes through the full path
//! in `lib.rs`, which validates it and throws the precise error:
//! - the wrapper sends a request there when it is not a plain object with a
//!   string `model` and number-or-absent counts, or has an unknown field;
//! - these functions answer `""` when a count is not a whole number from 0 to
//!   2^53 - 1 (NaN, ±Infinity, -1, 1.5, 2^53) or a model name is blank.
//!
//! Errors the core finds (`unknown_model`, cached tokens above the prompt,
//! units on a token-billed model) are thrown from here directly: the same core
//! errors the full path throws.
//!
//! # Packed format
//!
//! Fields are separated by `|`. An estimate is `model|total|n` followed by `n`
//! lines of `kind|quantity|unitPrice|cost`. `estimateCost` answers one
//! estimate, `estimateBatch` answers `total|count` and `count` estimates; both
//! end with the catalog version, the last field (it is free text, so the
//! wrapper joins whatever follows). Model ids, kinds, counts and amounts never
//! contain `|`.

use crate::{active_catalog, error};
use rork_cloud_credits_core::estimate::{Estimate, UsageRequest, MAX_COUNT};
use rork_cloud_credits_core::money;
use wasm_bindgen::prelude::*;

/// The field separator of the packed format.
const SEP: char = '|';

/// The count a JS number stands for, if it is a whole number in `0..=MAX_COUNT`.
fn count(value: f64) -> Option<u64> {
    // NaN fails both comparisons; `as` is exact for whole numbers below 2^53.
    (value >= 0.0 && value <= MAX_COUNT as f64 && value.fract() == 0.0).then_some(value as u64)
}

/// The request for `model` and the counts `[input, cached, cacheWrite, output, units]`,
/// or `None` when a count is not exact or the model is blank (the full path then
/// names the field).
fn request(model: &str, counts: &[f64]) -> Option<UsageRequest> {
    let [input, cached, write, output, units] = counts else {
        return None;
    };
    if model.trim().is_empty() {
        return None;
    }
    Some(UsageRequest {
        model: model.to_owned(),
        input_tokens: count(*input)?,
        cached_input_tokens: count(*cached)?,
        cache_write_tokens: count(*write)?,
        output_tokens: count(*output)?,
        units: count(*units)?,
    })
}

/// Appends one estimate in the packed format (without the catalog version),
/// with the core's writers rather than `core::fmt` (the hot path).
fn pack(out: &mut String, estimate: &Estimate) {
    out.push_str(&estimate.model);
    out.push(SEP);
    money::write_decimal(out, estimate.total);
    out.push(SEP);
    money::write_count(out, estimate.lines.len() as u64);
    for line in &estimate.lines {
        out.push(SEP);
        out.push_str(line.kind.as_str());
        out.push(SEP);
        money::write_count(out, line.quantity);
        out.push(SEP);
        money::write_decimal(out, line.unit_price);
        out.push(SEP);
        money::write_decimal(out, line.cost);
    }
}

/// Fast path of `estimateCost`: the packed estimate, or `""` when a count is
/// not exact. Throws the core's `unknown_model` / `invalid_input` errors.
#[wasm_bindgen(js_name = estimateCostFlat, skip_typescript)]
pub fn estimate_cost_flat(
    model: &str,
    input_tokens: f64,
    cached_input_tokens: f64,
    cache_write_tokens: f64,
    output_tokens: f64,
    units: f64,
) -> Result<String, JsValue> {
    let counts = [
        input_tokens,
        cached_input_tokens,
        cache_write_tokens,
        output_tokens,
        units,
    ];
    let Some(request) = request(model, &counts) else {
        return Ok(String::new());
    };
    active_catalog::with(|catalog| {
        let estimate = catalog.estimate(&request).map_err(error::to_js)?;
        let mut out = String::with_capacity(160);
        pack(&mut out, &estimate);
        out.push(SEP);
        out.push_str(catalog.version());
        Ok(out)
    })
}

/// Fast path of `estimateBatch`: `models` separated by `\n`, five counts per
/// request in `counts`. The packed batch, or `""` when a count is not exact
/// or the shapes disagree. Throws the core's errors, prefixed `requests[i]`.
#[wasm_bindgen(js_name = estimateBatchFlat, skip_typescript)]
pub fn estimate_batch_flat(models: &str, counts: &[f64]) -> Result<String, JsValue> {
    let requests: Option<Vec<UsageRequest>> = if models.is_empty() {
        counts.is_empty().then(Vec::new)
    } else {
        let names: Vec<&str> = models.split('\n').collect();
        (names.len() * 5 == counts.len())
            .then(|| {
                names
                    .iter()
                    .zip(counts.chunks_exact(5))
                    .map(|(model, counts)| request(model, counts))
                    .collect()
            })
            .flatten()
    };
    let Some(requests) = requests else {
        return Ok(String::new());
    };
    active_catalog::with(|catalog| {
        let batch = catalog.estimate_batch(&requests).map_err(error::to_js)?;
        let mut out = String::with_capacity(32 + 160 * batch.items.len());
        money::write_decimal(&mut out, batch.total);
        out.push(SEP);
        money::write_count(&mut out, batch.items.len() as u64);
        for item in &batch.items {
            out.push(SEP);
            pack(&mut out, item);
        }
        out.push(SEP);
        out.push_str(catalog.version());
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rork_cloud_credits_core::catalog::Catalog;

    /// Decodes a packed estimate the way `src/wrapper.js` does, as JSON.
    fn unpack(fields: &mut std::slice::Iter<&str>, version: &str) -> serde_json::Value {
        let mut next = || fields.next().copied().unwrap_or_default();
        let (model, total, n) = (next(), next(), next());
        let lines: Vec<serde_json::Value> = (0..n.parse::<usize>().unwrap())
            .map(|_| {
                let (kind, quantity, unit_price, cost) = (next(), next(), next(), next());
                serde_json::json!({"kind": kind, "quantity": quantity.parse::<u64>().unwrap(),
                                   "unitPrice": unit_price, "cost": cost})
            })
            .collect();
        serde_json::json!({"model": model, "currency": "USD", "total": total,
                           "catalogVersion": version, "lines": lines})
    }

    #[test]
    fn counts_are_whole_numbers_in_range() {
        assert_eq!(count(0.0), Some(0));
        assert_eq!(count(-0.0), Some(0));
        assert_eq!(count(MAX_COUNT as f64), Some(MAX_COUNT));
        for bad in [
            -1.0,
            1.5,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
            2f64.powi(53),
            1e21,
        ] {
            assert_eq!(count(bad), None, "{bad}");
        }
    }

    #[test]
    fn packed_estimates_decode_to_the_full_paths_json() {
        let catalog = Catalog::builtin();
        for entry in catalog.entries() {
            let counts: [f64; 5] = if entry.unit.is_some() {
                [0.0, 0.0, 0.0, 0.0, 987_654_321.0]
            } else {
                [123_457.0, 100_003.0, 7.0, 9_999.0, 0.0]
            };
            let request = request(&format!("{}/{}", entry.provider, entry.id), &counts).unwrap();
            let estimate = catalog.estimate(&request).unwrap();
            let mut packed = String::new();
            pack(&mut packed, &estimate);
            let fields: Vec<&str> = packed.split(SEP).collect();
            let decoded = unpack(&mut fields.iter(), catalog.version());
            assert_eq!(
                decoded,
                serde_json::to_value(&estimate).unwrap(),
                "{}",
                entry.id
            );
        }
    }

    #[test]
    fn inexact_counts_leave_the_request_to_the_full_path() {
        assert!(request("gpt-4o", &[1.0, 0.0, 0.0, f64::NAN, 0.0]).is_none());
        assert!(request("gpt-4o", &[1.0, 0.0, 0.0]).is_none());
        assert!(request("  ", &[1.0, 0.0, 0.0, 0.0, 0.0]).is_none());
        assert_eq!(
            request("gpt-4o", &[9.0, 1.0, 2.0, 3.0, 0.0])
                .unwrap()
                .cache_write_tokens,
            2
        );
    }
}
