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
use rork_cloud_credits_core::catalog::Catalog;
use rork_cloud_credits_core::quick::{ENCODED_LEN, ITEM_LEN};
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
    /// Where the wrapper writes a batch's requests ([`quick_input`]).
    static INPUT: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
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
    let counts = [
        input_tokens,
        cached_input_tokens,
        cache_write_tokens,
        output_tokens,
        units,
    ];
    encode_into(generation, |catalog, buffer| {
        buffer.resize(buffer.len().max(ENCODED_LEN), 0.0);
        let out = (&mut buffer[..ENCODED_LEN]).try_into();
        out.is_ok_and(|out| catalog.quick_encode(position as usize, &counts, out))
    })
}

/// The address of `buffer` in wasm memory, the answer when it holds one.
fn address(buffer: &[f64]) -> u32 {
    buffer.as_ptr() as usize as u32
}

/// Room for `count` requests of a batch in the input buffer: answers its
/// address, where the wrapper writes [`ITEM_LEN`] numbers per request (the
/// entry's position from [`quick_resolve`], then the five counts) before
/// calling [`quick_batch`] or [`quick_totals`]: nothing is allocated or copied
/// per call once the buffer is large enough.
#[wasm_bindgen(js_name = quickInput, skip_typescript)]
pub fn quick_input(count: u32) -> u32 {
    INPUT.with_borrow_mut(|input| {
        input.resize(count as usize * ITEM_LEN, 0.0);
        address(input)
    })
}

/// Prices the `count` requests in the input buffer (see [`quick_input`]).
/// The answer buffer gets the batch total and every estimate (see the module
/// docs). Answers like [`quick_estimate`]; one declined item declines the batch.
#[wasm_bindgen(js_name = quickBatch, skip_typescript)]
pub fn quick_batch(generation: u32, count: u32) -> u32 {
    encode_into(generation, |catalog, buffer| {
        with_items(count, |items| catalog.quick_encode_batch(items, buffer))
    })
}

/// Prices a batch like [`quick_batch`] into the totals form (the batch
/// total, then each request's total; see the core's "Flat encoding"), the fast
/// path of `estimateTotals`.
#[wasm_bindgen(js_name = quickTotals, skip_typescript)]
pub fn quick_totals(generation: u32, count: u32) -> u32 {
    encode_into(generation, |catalog, buffer| {
        with_items(count, |items| catalog.quick_encode_totals(items, buffer))
    })
}

/// Runs `f` on the first `count` requests of the input buffer; `false` when
/// it holds fewer.
fn with_items(count: u32, f: impl FnOnce(&[f64]) -> bool) -> bool {
    INPUT.with_borrow(|input| {
        let items = input.get(..count as usize * ITEM_LEN);
        items.is_some_and(f)
    })
}

/// Runs `encode` on the active catalog and the answer buffer when
/// `generation` is current: the buffer's address when it encoded, else [`DECLINED`] or [`STALE`].
fn encode_into(generation: u32, encode: impl FnOnce(&Catalog, &mut Vec<f64>) -> bool) -> u32 {
    if generation != active_catalog::generation() {
        return STALE;
    }
    active_catalog::with(|catalog| {
        BUFFER.with_borrow_mut(|buffer| match encode(catalog, buffer) {
            true => address(buffer),
            false => DECLINED,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
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

    /// Writes `items` into the input buffer, as the wrapper does.
    fn input(items: &[f64]) -> u32 {
        let count = (items.len() / ITEM_LEN) as u32;
        assert_eq!(
            quick_input(count),
            INPUT.with_borrow(|input| address(input))
        );
        INPUT.with_borrow_mut(|input| input.copy_from_slice(items));
        count
    }

    #[test]
    fn a_batch_is_written_with_its_total() {
        let generation = generation();
        let mini = f64::from(quick_resolve("gpt-4o-mini"));
        let image = f64::from(quick_resolve("gpt-image-1.5"));
        let items = [
            mini, 5000.0, 0.0, 0.0, 800.0, 0.0, image, 0.0, 0.0, 0.0, 0.0, 2.0,
        ];
        let answer = quick_batch(generation, input(&items));
        assert_eq!(answer, buffer_address());
        let out = buffer();
        let catalog = Catalog::builtin();
        let expected = catalog
            .estimate_batch(&[
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
            ])
            .unwrap();
        let total = Amount {
            mantissa: out[0],
            scale: out[1] as u32,
        };
        assert_eq!(total.to_decimal(), expected.total);
        assert_eq!(out[2], 2.0);
        assert_eq!(out[2 + ENCODED_LEN], 1.0);
        // The totals form: the same total, then each item's.
        assert_eq!(quick_totals(generation, 2), buffer_address());
        let totals = buffer();
        let amount = |at: usize| {
            let (mantissa, scale) = (totals[at], totals[at + 1] as u32);
            Amount { mantissa, scale }.to_decimal()
        };
        // The same amounts (the totals form's scales are its own).
        assert_eq!(amount(0), expected.total);
        assert_eq!(amount(2), expected.items[0].total);
        assert_eq!(amount(4), expected.items[1].total);
        // More requests than the input holds, or a stale generation.
        assert_eq!(quick_batch(generation, 3), DECLINED);
        assert_eq!(quick_totals(generation + 1, 2), STALE);
        assert!(quick_batch(generation, input(&[])) > STALE);
        assert_eq!(&buffer()[..2], &[0.0, 0.0]);
    }
}
