//! Estimates checked against totals computed by hand from the providers'
//! published list prices (per 1M tokens, or per unit), written as literals.
//! The cases live in `common/cross_check_cases.rs`, shared with the wasm suite.

use rork_cloud_credits_core::catalog::Catalog;
use rork_cloud_credits_core::estimate::UsageRequest;

include!("common/cross_check_cases.rs");

#[test]
fn estimates_match_hand_computed_totals() {
    let catalog = Catalog::builtin();
    let mut failures = Vec::new();
    for &(model, input, cached, write, output, units, expected) in CASES {
        let request = UsageRequest {
            model: model.to_owned(),
            input_tokens: input,
            cached_input_tokens: cached,
            cache_write_tokens: write,
            output_tokens: output,
            units,
        };
        match catalog.estimate(&request) {
            Ok(estimate) if estimate.total.to_string() == expected => {}
            Ok(estimate) => failures.push(format!("{model}: {} != {expected}", estimate.total)),
            Err(error) => failures.push(format!("{model}: {error}")),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(CASES.len() >= 50);
}
