//! Property tests: estimates are exact, additive where pricing is linear, and
//! monotonic; money parsing and display rounding behave as documented.

use proptest::prelude::*;
use rork_cloud_credits_core::catalog::{Billing, Catalog, Entry};
use rork_cloud_credits_core::estimate::{UsageRequest, MAX_COUNT};
use rork_cloud_credits_core::money::{format_usd, parse_usd};
use rust_decimal::{Decimal, RoundingStrategy};

fn entries() -> &'static [Entry] {
    Catalog::builtin().entries()
}

fn token_entry() -> impl Strategy<Value = &'static Entry> {
    let tokens: Vec<&Entry> = entries()
        .iter()
        .filter(|e| matches!(e.billing(), Billing::Tokens(_)))
        .collect();
    proptest::sample::select(tokens)
}

fn unit_entry() -> impl Strategy<Value = &'static Entry> {
    let units: Vec<&Entry> = entries()
        .iter()
        .filter(|e| matches!(e.billing(), Billing::Units { .. }))
        .collect();
    proptest::sample::select(units)
}

/// A valid token request: parts never exceed the whole.
fn token_request(max: u64) -> impl Strategy<Value = UsageRequest> {
    (
        token_entry(),
        0..=max,
        0..=max,
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(entry, input, output, cached, write)| {
            let cached = cached.index(input as usize + 1) as u64;
            let write = write.index((input - cached) as usize + 1) as u64;
            UsageRequest {
                model: entry.id.clone(),
                input_tokens: input,
                cached_input_tokens: cached,
                cache_write_tokens: write,
                output_tokens: output,
                units: 0,
            }
        })
}

/// The exact total in units of 10^-18 USD, computed on integers (an oracle
/// independent of rust_decimal): per-1M prices have at most 12 decimals.
fn oracle_atto(entry: &Entry, request: &UsageRequest) -> u128 {
    let atto = |price: Decimal, per_million: bool, count: u64| -> u128 {
        let scale = price.scale() + if per_million { 6 } else { 0 };
        u128::try_from(price.mantissa()).unwrap() * 10u128.pow(18 - scale) * u128::from(count)
    };
    match entry.billing() {
        Billing::Units { price, .. } => atto(price, false, request.units),
        Billing::Tokens(_) => {
            let rates = entry.token_rates(request.input_tokens).unwrap();
            let mut input =
                request.input_tokens - request.cached_input_tokens - request.cache_write_tokens;
            let mut total = 0;
            for (count, rate) in [
                (request.cached_input_tokens, rates.cached_input),
                (request.cache_write_tokens, rates.cache_write),
            ] {
                match rate {
                    Some(rate) => total += atto(rate, true, count),
                    None => input += count,
                }
            }
            total + atto(rates.input, true, input) + atto(rates.output, true, request.output_tokens)
        }
    }
}

/// An amount in units of 10^-18 USD (amounts here have at most 18 decimals).
fn atto(amount: Decimal) -> u128 {
    u128::try_from(amount.mantissa()).unwrap() * 10u128.pow(18 - amount.scale())
}

fn total(request: &UsageRequest) -> Decimal {
    Catalog::builtin().estimate(request).unwrap().total
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn token_estimates_are_exact(request in token_request(MAX_COUNT / 4)) {
        let entry = Catalog::builtin().resolve(&request.model).unwrap();
        let estimate = Catalog::builtin().estimate(&request).unwrap();
        prop_assert_eq!(atto(estimate.total), oracle_atto(entry, &request));
        let line_sum: Decimal = estimate.lines.iter().map(|line| line.cost).sum();
        prop_assert_eq!(line_sum, estimate.total);
        for line in &estimate.lines {
            prop_assert_eq!(line.unit_price * Decimal::from(line.quantity), line.cost);
        }
    }

    #[test]
    fn unit_estimates_are_exact(entry in unit_entry(), units in 0..=MAX_COUNT) {
        let request = UsageRequest { model: entry.id.clone(), units, ..UsageRequest::default() };
        prop_assert_eq!(atto(total(&request)), oracle_atto(entry, &request));
    }

    /// Below the first tier, pricing is linear: estimate(a + b) = estimate(a) + estimate(b).
    #[test]
    fn estimates_are_additive_where_linear(a in token_request(99_999), b in token_request(99_999)) {
        let b = UsageRequest { model: a.model.clone(), ..b };
        let both = UsageRequest {
            model: a.model.clone(),
            input_tokens: a.input_tokens + b.input_tokens,
            cached_input_tokens: a.cached_input_tokens + b.cached_input_tokens,
            cache_write_tokens: a.cache_write_tokens + b.cache_write_tokens,
            output_tokens: a.output_tokens + b.output_tokens,
            units: 0,
        };
        prop_assert_eq!(total(&both), total(&a) + total(&b));
    }

    #[test]
    fn unit_estimates_are_additive(entry in unit_entry(), a in 0..=MAX_COUNT / 2, b in 0..=MAX_COUNT / 2) {
        let request = |units| UsageRequest { model: entry.id.clone(), units, ..UsageRequest::default() };
        prop_assert_eq!(total(&request(a + b)), total(&request(a)) + total(&request(b)));
    }

    /// More usage never costs less, also across tier thresholds; and moving
    /// prompt tokens into the cache never costs more.
    #[test]
    fn estimates_are_monotonic(request in token_request(2_000_000), extra in 1..1_000_000u64) {
        let base = total(&request);
        let more_output = UsageRequest { output_tokens: request.output_tokens + extra, ..request.clone() };
        prop_assert!(total(&more_output) >= base);
        let more_input = UsageRequest { input_tokens: request.input_tokens + extra, ..request.clone() };
        prop_assert!(total(&more_input) >= base);
        let uncached = request.input_tokens - request.cached_input_tokens - request.cache_write_tokens;
        let cached_more = UsageRequest {
            cached_input_tokens: request.cached_input_tokens + uncached.min(extra),
            ..request.clone()
        };
        prop_assert!(total(&cached_more) <= base);
    }

    #[test]
    fn batch_total_is_the_sum_of_items(requests in prop::collection::vec(token_request(MAX_COUNT / 64), 0..20)) {
        let batch = Catalog::builtin().estimate_batch(&requests).unwrap();
        let sum: Decimal = batch.items.iter().map(|item| item.total).sum();
        prop_assert_eq!(batch.total, sum);
    }

    /// A decimal's own text parses back to the same value and scale.
    #[test]
    fn parse_usd_round_trips(mantissa in any::<i64>(), scale in 0u32..=18) {
        let value = Decimal::new(mantissa, scale);
        let parsed = parse_usd(&value.to_string()).unwrap();
        prop_assert_eq!(parsed, value);
        prop_assert_eq!(parsed.scale(), value.scale());
    }

    /// Display rounding is to the nearest cent, halves away from zero.
    #[test]
    fn format_usd_is_nearest_cent(mantissa in any::<i64>(), scale in 0u32..=10) {
        let value = Decimal::new(mantissa, scale);
        let shown = format_usd(value);
        let digits: String = shown.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect();
        let mut back = parse_usd(&digits).unwrap();
        if shown.starts_with('-') {
            back = -back;
        }
        prop_assert_eq!(back, value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero));
        prop_assert!((back - value).abs() <= Decimal::new(5, 3));
    }
}
