//! The fast path behind `estimateCost` and `estimateBatch`: numbers in,
//! numbers out, no strings crossing per call.
//!
//! The public functions are a thin JS wrapper (`src/wrapper.js`, appended to
//! the wasm-bindgen module by `cargo xtask build`). For a plain request it
//! resolves the model name once ([`quick_resolve`], cached in JS per catalog
//! [`generation`]), then calls [`quick_estimate`] with the entry's position and
//! the five counts. The core's 53-bit path ([`rork_cloud_credits_core::quick`])
//! prices it and the answer is written as numbers into a buffer in wasm memory
//! whose address is the call's answer; the wrapper reads it there and turns the
//! numbers into decimal strings.
//! Anything this path declines goes through the full path in `lib.rs`, which
//! prices it with `Decimal` or throws the precise error: a request that is not a
//! plain object of known fields, a count that is not a whole number from 0 to
//! 2^53 - 1, an unknown model, an invalid combination of counts, or an amount
//! beyond 53 bits.
//!
//! The buffer holds the core's flat encoding of the answer
//! ([`rork_cloud_credits_core::quick`], "Flat encoding").

use crate::active_catalog;
use rork_cloud_credits_core::quick::ENCODED_LEN;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// Answer of [`quick_estimate`] and [`quick_batch`]: declined, use the full path.
/// (Any other answer is the buffer's address: never 0 or 1, it is 8-aligned.)
const DECLINED: u32 = 0;
/// Answer: the catalog changed since the caller resolved its positions.
const STALE: u32 = 1;

thread_local! {
    /// Where answers are written; the wrapper reads it through `wasm.memory`.
    /// Its address changes only when a batch needs more room.
    static BUFFER: RefCell<Vec<f64>> = RefCell::new(vec![0.0; ENCODED_LEN]);
}

/// The active catalog's generation: it changes whenever `loadCatalog`
/// installs a catalog, so cached positions can be dropped.
#[wasm_bindgen(js_name = quickGeneration, skip_typescript)]
pub fn generation() -> u32 {
    active_catalog::generation()
}

/// The position of the entry `model` resolves to, when that entry has a
/// 53-bit plan; `-1` otherwise (the full path then answers or throws).
#[wasm_bindgen(js_name = quickResolve, skip_typescript)]
pub fn quick_resolve(model: &str) -> i32 {
    active_catalog::with(|catalog| {
        catalog
            .position(model)
            .filter(|&position| catalog.quick_plan(position).is_some())
            .and_then(|position| i32::try_from(position).ok())
            .unwrap_or(-1)
    })
}

/// The canonical id of the entry at `position` (the `model` of its estimates).
#[wasm_bindgen(js_name = quickModel, skip_typescript)]
pub fn quick_model(position: u32) -> String {
    active_catalog::with(|catalog| {
        catalog
            .entries()
            .get(position as usize)
            .map(|entry| entry.id.clone())
            .unwrap_or_default()
    })
}

/// Prices one request for the entry at `position` (from [`quick_resolve`] in
/// catalog `generation`) into the buffer: answers the buffer's address,
/// [`DECLINED`] or [`STALE`].
#[wasm_bindgen(js_name = quickEstimate, skip_typescript)]
pub fn quick_estimate(
    generation: u32,
    position: u32,
    input_tokens: f64,
    cached_input_tokens: f64,
    cache_write_tokens: f64,
    output_tokens: f64,
    units: f64,
) -> u32 {
    if generation != active_catalog::generation() {
        return STALE;
    }
    let counts = [
        input_tokens,
        cached_input_tokens,
        cache_write_tokens,
        output_tokens,
        units,
    ];
    active_catalog::with(|catalog| {
        BUFFER.with_borrow_mut(|buffer| {
            buffer.resize(buffer.len().max(ENCODED_LEN), 0.0);
            let out = (&mut buffer[..ENCODED_LEN]).try_into();
            match out.is_ok_and(|out| catalog.quick_encode(position as usize, &counts, out)) {
                true => address(buffer),
                false => DECLINED,
            }
        })
    })
}

/// The address of `buffer` in wasm memory, the answer when it holds one.
fn address(buffer: &[f64]) -> u32 {
    buffer.as_ptr() as usize as u32
}

/// Prices a batch: `positions[i]` with the five counts at `counts[5 i..]`.
/// The buffer gets the batch total and every estimate (see the module docs).
/// Answers like [`quick_estimate`]; one declined item declines the batch.
#[wasm_bindgen(js_name = quickBatch, skip_typescript)]
pub fn quick_batch(generation: u32, positions: &[u32], counts: &[f64]) -> u32 {
    if generation != active_catalog::generation() {
        return STALE;
    }
    active_catalog::with(|catalog| {
        BUFFER.with_borrow_mut(|buffer| {
            match catalog.quick_encode_batch(positions, counts, buffer) {
                true => address(buffer),
                false => DECLINED,
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rork_cloud_credits_core::catalog::Catalog;
    use rork_cloud_credits_core::estimate::{UsageRequest, MAX_COUNT};
    use rork_cloud_credits_core::quick::Amount;

    fn buffer() -> Vec<f64> {
        BUFFER.with_borrow(Clone::clone)
    }

    fn buffer_address() -> u32 {
        BUFFER.with_borrow(|buffer| address(buffer))
    }

    #[test]
    fn an_estimate_is_written_as_numbers() {
        let generation = generation();
        let position = quick_resolve("openai/gpt-4o");
        assert!(position >= 0);
        assert_eq!(quick_model(position as u32), "gpt-4o");
        let answer = quick_estimate(generation, position as u32, 1234.0, 100.0, 0.0, 567.0, 0.0);
        assert_eq!(answer, buffer_address());
        // $0.00863 = 863000 / 10^8: input 1134 × 0.0000025, cached 100 × 0.00000125,
        // output 567 × 0.00001 (trailing zeros are kept; the wrapper drops them).
        let out = buffer();
        assert_eq!(&out[..3], &[3.0, 863_000.0, 8.0]);
        assert_eq!(&out[3..9], &[0.0, 1134.0, 25.0, 7.0, 28_350.0, 7.0]);
        assert_eq!(&out[9..15], &[1.0, 100.0, 125.0, 8.0, 12_500.0, 8.0]);
        assert_eq!(&out[15..21], &[3.0, 567.0, 1.0, 5.0, 567.0, 5.0]);
    }

    #[test]
    fn what_the_fast_path_cannot_take_is_declined() {
        let generation = generation();
        let position = quick_resolve("gpt-4o-mini") as u32;
        assert_eq!(quick_resolve("no-such-model"), -1);
        let declined = |counts: [f64; 5]| {
            let [i, c, w, o, u] = counts;
            quick_estimate(generation, position, i, c, w, o, u)
        };
        assert_eq!(declined([1.5, 0.0, 0.0, 0.0, 0.0]), DECLINED);
        assert_eq!(declined([f64::NAN, 0.0, 0.0, 0.0, 0.0]), DECLINED);
        assert_eq!(declined([1.0, 2.0, 0.0, 0.0, 0.0]), DECLINED);
        assert_eq!(declined([0.0, 0.0, 0.0, MAX_COUNT as f64, 0.0]), DECLINED);
        assert_eq!(
            quick_estimate(generation + 1, position, 1.0, 0.0, 0.0, 0.0, 0.0),
            STALE
        );
    }

    #[test]
    fn a_batch_is_written_with_its_total() {
        let generation = generation();
        let mini = quick_resolve("gpt-4o-mini") as u32;
        let image = quick_resolve("gpt-image-1.5") as u32;
        let counts = [5000.0, 0.0, 0.0, 800.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0];
        let answer = quick_batch(generation, &[mini, image], &counts);
        assert_eq!(answer, buffer_address());
        let out = buffer();
        let catalog = Catalog::builtin();
        let expected = catalog.estimate_batch(&[
            UsageRequest {
                model: "gpt-4o-mini".into(),
                input_tokens: 5000,
                output_tokens: 800,
                ..UsageRequest::default()
            },
            UsageRequest {
                model: "gpt-image-1.5".into(),
                units: 2,
                ..UsageRequest::default()
            },
        ]);
        let total = Amount {
            mantissa: out[0],
            scale: out[1] as u32,
        };
        assert_eq!(total.to_decimal(), expected.unwrap().total);
        assert_eq!(out[2], 2.0);
        assert_eq!(out[2 + ENCODED_LEN], 1.0);
        assert_eq!(quick_batch(generation, &[mini], &counts), DECLINED);
        assert!(quick_batch(generation, &[], &[]) > STALE);
        assert_eq!(&buffer()[..2], &[0.0, 0.0]);
    }
}
