//! Exact estimates in 53-bit integer arithmetic: the hot path of the JS API.
//!
//! [`Catalog::estimate`](crate::catalog::Catalog::estimate) works on
//! [`Decimal`] (96-bit mantissas), which WebAssembly does with 64-bit
//! operations and wasm2js (the no-WebAssembly build) emulates with pairs of
//! 32-bit ones. Nearly every real request is far smaller: a price like
//! $2.50 per 1M tokens is `25 / 10^7` per token, and 10^9 tokens of it is a
//! 12-digit integer. This module prices such requests with whole numbers below
//! 2^53 held in `f64`, which represents every one of them exactly, so the same
//! code is fast both in WebAssembly and in a JS interpreter.
//!
//! Exactness: an amount is `mantissa / 10^scale` with a whole `mantissa` in
//! `0..2^53`. A product or sum of two such integers is computed exactly by IEEE
//! arithmetic when the true result is below 2^53, and rounding is monotone, so
//! a true result of 2^53 or more never rounds below 2^53: checking the computed
//! result against 2^53 decides exactness. Whenever an amount would not fit,
//! or the request is one the full path rejects, [`QuickPlan::estimate`] answers
//! `None` and the caller uses `Catalog::estimate`, the reference; property
//! tests check that both give the same lines, prices and totals.
//!
//! # Flat encoding
//!
//! [`Catalog::quick_encode`] and [`Catalog::quick_encode_batch`] write
//! estimates as numbers, for the JS wrapper to read from wasm memory without
//! a string crossing. An estimate is [`ENCODED_LEN`] numbers: the line count
//! `n`, the total's mantissa and scale, then four line slots of kind (the
//! index in `input`, `cachedInput`, `cacheWrite`, `output`, `units`),
//! quantity, unit price mantissa and scale, cost mantissa and scale; the first
//! `n` slots are used. Mantissas may have trailing zeros: the reader drops
//! them. A batch (read as [`ITEM_LEN`] numbers per request: the entry's
//! position, then the counts) is its total's mantissa and scale, then one
//! estimate per request; the totals form of a batch ([`Catalog::quick_encode_totals`]) is
//! its total's mantissa and scale, then each request's.

use crate::catalog::{token_parts, LineKind};
use crate::catalog::{Billing, Catalog, Entry, TokenRates};
use crate::money;
use crate::value::MAX_COUNT;
use rust_decimal::Decimal;

/// 2^53: every whole `f64` below it is exact.
const LIMIT: f64 = 9_007_199_254_740_992.0;

/// The largest decimal scale an amount here may have (10^22 is the largest
/// power of ten an `f64` holds exactly).
const MAX_SCALE: u32 = 22;

/// `10^k` for `k` in `0..=MAX_SCALE`, exact (a table: `powi` is a loop in
/// WebAssembly; and no division anywhere in the hot path).
const POWERS_OF_TEN: [f64; MAX_SCALE as usize + 1] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// An exact non-negative amount: `mantissa / 10^scale`, `mantissa` a whole
/// number below 2^53. It may have trailing zeros (`28350 / 10^7`): the text
/// of an amount drops them, as the full path writes amounts (`"0.002835"`);
/// trimming here would cost a division per digit in the hot path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amount {
    /// The digits, a whole number in `0..2^53`.
    pub mantissa: f64,
    /// Decimal places, at most 22.
    pub scale: u32,
}

impl Amount {
    /// Zero, written `"0"`: the start of a sum.
    pub const ZERO: Amount = Amount {
        mantissa: 0.0,
        scale: 0,
    };

    /// The amount `mantissa / 10^scale`, if the mantissa is exact (a whole
    /// number below 2^53) and the scale at most [`MAX_SCALE`].
    #[cfg_attr(rork_speed, optimize(speed))]
    fn new(mantissa: f64, scale: u32) -> Option<Amount> {
        ((0.0..LIMIT).contains(&mantissa) && scale <= MAX_SCALE)
            .then_some(Amount { mantissa, scale })
    }

    /// A [`Decimal`] price (per token or per unit) without trailing zeros,
    /// when it fits.
    fn of_price(price: Decimal) -> Option<Amount> {
        let price = price.normalize();
        let mantissa = u64::try_from(price.mantissa()).ok()?;
        // Below 2^53 the conversion to f64 is exact.
        (mantissa < 1 << 53).then_some(())?;
        Amount::new(mantissa as f64, price.scale())
    }

    /// `quantity × self`, exact, if it fits.
    #[cfg_attr(rork_speed, optimize(speed))]
    fn times(self, quantity: f64) -> Option<Amount> {
        Amount::new(quantity * self.mantissa, self.scale)
    }

    /// `self + other`, exact, if it fits (the total of a batch sums item totals).
    #[cfg_attr(rork_speed, optimize(speed))]
    pub fn plus(self, other: Amount) -> Option<Amount> {
        let scale = self.scale.max(other.scale);
        let aligned = |amount: Amount| {
            let mantissa = amount.mantissa * POWERS_OF_TEN[(scale - amount.scale) as usize];
            (mantissa < LIMIT).then_some(mantissa)
        };
        Amount::new(aligned(self)? + aligned(other)?, scale)
    }

    /// Mantissa and scale, as the flat encoding writes them.
    #[cfg_attr(rork_speed, optimize(speed))]
    fn parts(self) -> [f64; 2] {
        [self.mantissa, f64::from(self.scale)]
    }

    /// The amount as a [`Decimal`] without trailing zeros, as the full path
    /// writes it (for tests and callers that need one).
    pub fn to_decimal(self) -> Decimal {
        // A whole f64 below 2^53 converts to u64 exactly.
        Decimal::from_i128_with_scale(self.mantissa as i128, self.scale).normalize()
    }
}

/// The per-token rates of one tier (or the base rates).
#[derive(Debug, Clone, PartialEq)]
struct Rates {
    /// Each price as it is, for the lines.
    each: TokenRates<Amount>,
    /// The four prices at one scale, for totals without lines; `None` when
    /// one would not fit in 53 bits at that scale.
    aligned: Option<Aligned>,
}

impl Rates {
    /// The per-token rates of one tier (or the base rates), if every price fits.
    fn of(rates: &TokenRates) -> Option<Rates> {
        let each = rates.try_map(|price| Amount::of_price(money::per_token(price).ok()?))?;
        let aligned = Aligned::of(&each);
        Some(Rates { each, aligned })
    }
}

/// A rate set's four per-token prices (uncached input, cached input, cache
/// write, output; a part without a rate of its own at the input price, as it
/// is billed) as mantissas at one scale, so that a total is four products
/// and three sums with one check: every term is non-negative and rounding is
/// monotone, so a sum computed below 2^53 had every product and partial sum
/// below 2^53, computed exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Aligned {
    mantissas: [f64; 4],
    scale: u32,
}

impl Aligned {
    /// `rates` at the largest of their scales, if every mantissa then fits.
    fn of(rates: &TokenRates<Amount>) -> Option<Aligned> {
        let prices = [
            rates.input,
            rates.cached_input.unwrap_or(rates.input),
            rates.cache_write.unwrap_or(rates.input),
            rates.output,
        ];
        let scale = prices.iter().map(|price| price.scale).max()?;
        let mut mantissas = [0.0; 4];
        for (mantissa, price) in mantissas.iter_mut().zip(prices) {
            let shift = POWERS_OF_TEN[(scale - price.scale) as usize];
            *mantissa = Amount::new(price.mantissa * shift, scale)?.mantissa;
        }
        Some(Aligned { mantissas, scale })
    }

    /// The total of valid token counts (`cached + write <= input`), if it fits.
    #[cfg_attr(rork_speed, optimize(speed))]
    fn total(&self, [input, cached, write, output]: [f64; 4]) -> Option<Amount> {
        let [i, c, w, o] = self.mantissas;
        Amount::new(
            (input - cached - write) * i + cached * c + write * w + output * o,
            self.scale,
        )
    }
}

/// How a plan prices a request.
#[derive(Debug, Clone, PartialEq)]
enum Pricing {
    /// Token-billed: base rates and `(aboveInputTokens, rates)` tiers, ascending.
    Tokens {
        base: Rates,
        tiers: Vec<(f64, Rates)>,
    },
    /// Unit-billed at this price per unit.
    Units(Amount),
}

/// Numbers one estimate takes in the flat encoding (see the module docs).
pub const ENCODED_LEN: usize = 3 + 4 * 6;

/// Numbers one request of a batch takes: its entry's position, then its
/// [`Counts`].
pub const ITEM_LEN: usize = 6;

/// An entry's prices, ready for [`QuickPlan::estimate`].
#[derive(Debug, Clone, PartialEq)]
pub struct QuickPlan {
    pricing: Pricing,
}

/// One priced line: `cost = quantity × unit_price`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuickLine {
    /// What the line prices.
    pub kind: LineKind,
    /// Tokens or units, a whole number below 2^53.
    pub quantity: f64,
    /// Price of one token or unit.
    pub unit_price: Amount,
    /// `quantity × unit_price`.
    pub cost: Amount,
}

/// An estimate from [`QuickPlan::estimate`]: at most four lines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuickEstimate {
    /// The first `len` are the lines.
    lines: [QuickLine; 4],
    len: usize,
    /// Exact sum of the line costs.
    pub total: Amount,
}

impl QuickEstimate {
    /// No lines yet.
    const EMPTY: QuickEstimate = QuickEstimate {
        lines: [QuickLine {
            kind: LineKind::Input,
            quantity: 0.0,
            unit_price: Amount::ZERO,
            cost: Amount::ZERO,
        }; 4],
        len: 0,
        total: Amount::ZERO,
    };

    /// The priced lines, in the full path's order (zero quantities omitted).
    pub fn lines(&self) -> &[QuickLine] {
        &self.lines[..self.len]
    }

    /// Writes the estimate in the flat encoding (see the module docs).
    #[cfg_attr(rork_speed, optimize(speed))]
    fn encode(&self, out: &mut [f64; ENCODED_LEN]) {
        for (slot, line) in out[3..].chunks_exact_mut(6).zip(self.lines()) {
            slot[0] = f64::from(kind_index(line.kind));
            slot[1] = line.quantity;
            [slot[2], slot[3]] = line.unit_price.parts();
            [slot[4], slot[5]] = line.cost.parts();
        }
        // At most four lines.
        out[0] = self.len as f64;
        [out[1], out[2]] = self.total.parts();
    }

    /// Appends `kind`'s line unless `quantity` is zero; `None` if it does not fit.
    #[cfg_attr(rork_speed, optimize(speed))]
    fn push(&mut self, kind: LineKind, quantity: f64, unit_price: Amount) -> Option<()> {
        if quantity > 0.0 {
            let cost = unit_price.times(quantity)?;
            *self.lines.get_mut(self.len)? = QuickLine {
                kind,
                quantity,
                unit_price,
                cost,
            };
            self.len += 1;
            self.total = self.total.plus(cost)?;
        }
        Some(())
    }
}

/// The counts of a request: `[input, cachedInput, cacheWrite, output, units]`.
pub type Counts = [f64; 5];

/// Whether every count is a whole number from 0 to 2^53 - 1 (NaN is not).
#[cfg_attr(rork_speed, optimize(speed))]
fn whole_counts(counts: &[f64]) -> bool {
    counts
        .iter()
        .all(|&count| count >= 0.0 && count <= MAX_COUNT as f64 && count == count.trunc())
}

/// The index of `kind` in the flat encoding.
#[cfg_attr(rork_speed, optimize(speed))]
fn kind_index(kind: LineKind) -> u8 {
    match kind {
        LineKind::Input => 0,
        LineKind::CachedInput => 1,
        LineKind::CacheWrite => 2,
        LineKind::Output => 3,
        LineKind::Units => 4,
    }
}

impl Catalog {
    /// The plan that prices `counts` (any numbers) for the entry at
    /// `position`, or `None` when the fast path declines them: counts that
    /// are not whole numbers in range, or an entry without a plan.
    #[cfg_attr(rork_speed, optimize(speed))]
    fn quick_plan_for(&self, position: usize, counts: &Counts) -> Option<&QuickPlan> {
        whole_counts(counts).then_some(())?;
        self.quick_plan(position)
    }

    /// The fast-path estimate of `counts` (any numbers) for the entry at
    /// `position`, or `None` when the fast path declines it.
    #[cfg_attr(rork_speed, optimize(speed))]
    fn quick_estimate(&self, position: usize, counts: &Counts) -> Option<QuickEstimate> {
        self.quick_plan_for(position, counts)?.estimate(counts)
    }

    /// Prices `counts` for the entry at `position` on the fast path and writes
    /// the estimate into `out` (flat encoding). `false`, with `out` untouched,
    /// when the fast path declines: `Catalog::estimate` must answer.
    #[cfg_attr(rork_speed, optimize(speed))]
    pub fn quick_encode(
        &self,
        position: usize,
        counts: &Counts,
        out: &mut [f64; ENCODED_LEN],
    ) -> bool {
        match self.quick_estimate(position, counts) {
            Some(estimate) => {
                estimate.encode(out);
                true
            }
            None => false,
        }
    }

    /// Prices a batch on the fast path: `items` holds [`ITEM_LEN`] numbers per
    /// request (its entry's position, then its counts), and the batch is
    /// written into `out` (resized; flat encoding). `false` when the fast path
    /// declines any request, or the batch total does not fit:
    /// `Catalog::estimate_batch` must answer (and `out` holds nothing useful).
    #[cfg_attr(rork_speed, optimize(speed))]
    pub fn quick_encode_batch(&self, items: &[f64], out: &mut Vec<f64>) -> bool {
        out.resize(2 + ENCODED_LEN * (items.len() / ITEM_LEN), 0.0);
        let Some((head, estimates)) = out.split_first_chunk_mut() else {
            return false;
        };
        let mut slots = estimates.chunks_exact_mut(ENCODED_LEN);
        self.quick_batch_each(items, head, |plan, counts| {
            let estimate = plan.estimate(counts)?;
            estimate.encode(slots.next()?.try_into().ok()?);
            Some(estimate.total)
        })
    }

    /// Prices a batch like [`Catalog::quick_encode_batch`] but writes only
    /// the totals (`estimateTotals`, [`QuickPlan::total`]): the batch total's
    /// mantissa and scale, then each request's total's mantissa and scale.
    #[cfg_attr(rork_speed, optimize(speed))]
    pub fn quick_encode_totals(&self, items: &[f64], out: &mut Vec<f64>) -> bool {
        out.resize(2 + 2 * (items.len() / ITEM_LEN), 0.0);
        let Some((head, totals)) = out.split_first_chunk_mut() else {
            return false;
        };
        let mut slots = totals.chunks_exact_mut(2);
        self.quick_batch_each(items, head, |plan, counts| {
            let total = plan.total(counts)?;
            let slot = slots.next()?;
            [slot[0], slot[1]] = total.parts();
            Some(total)
        })
    }

    /// Prices and writes each request of `items` (see
    /// [`Catalog::quick_encode_batch`]) with `price`, which answers the
    /// request's total, then writes the batch total into `total`. `false` as
    /// soon as a request is declined (a position that is not an entry's with a
    /// plan, counts that are not whole numbers in range, or `price`'s `None`),
    /// or the total does not fit.
    #[cfg_attr(rork_speed, optimize(speed))]
    fn quick_batch_each(
        &self,
        items: &[f64],
        total: &mut [f64; 2],
        mut price: impl FnMut(&QuickPlan, &Counts) -> Option<Amount>,
    ) -> bool {
        if items.len() % ITEM_LEN != 0 {
            return false;
        }
        let mut sum = Amount::ZERO;
        for item in items.chunks_exact(ITEM_LEN) {
            let [position, counts @ ..] = item else {
                return false;
            };
            let priced = <&Counts>::try_from(counts)
                .ok()
                .filter(|_| *position >= 0.0 && *position == position.trunc())
                .and_then(|counts| price(self.quick_plan_for(*position as usize, counts)?, counts))
                .and_then(|item_total| sum.plus(item_total));
            match priced {
                Some(next) => sum = next,
                None => return false,
            }
        }
        *total = sum.parts();
        true
    }
}

impl QuickPlan {
    /// The plan for `entry`, or `None` when one of its prices does not fit in
    /// 53 bits (the full path then prices every request of it).
    pub fn of(entry: &Entry) -> Option<QuickPlan> {
        let pricing = match entry.billing() {
            Billing::Units { price, .. } => Pricing::Units(Amount::of_price(price)?),
            Billing::Tokens(base) => Pricing::Tokens {
                base: Rates::of(&base)?,
                tiers: entry
                    .tiers
                    .iter()
                    .map(|tier| {
                        // Thresholds are below 2^53 in any catalog that prices a
                        // JS count; a larger one never applies to such a count.
                        Some((tier.above_input_tokens as f64, Rates::of(&tier.rates())?))
                    })
                    .collect::<Option<Vec<_>>>()?,
            },
        };
        Some(QuickPlan { pricing })
    }

    /// The estimate of `counts`, exactly as `Catalog::estimate` prices them, or
    /// `None` when the request is invalid for this entry or an amount would not
    /// fit in 53 bits: the full path then answers (or throws the precise error).
    /// `counts` must be whole numbers from 0 to 2^53 - 1.
    #[cfg_attr(rork_speed, optimize(speed))]
    pub fn estimate(&self, counts: &Counts) -> Option<QuickEstimate> {
        let mut estimate = QuickEstimate::EMPTY;
        match self.priced(counts)? {
            Priced::Units(units, price) => estimate.push(LineKind::Units, units, price)?,
            Priced::Tokens(tokens, rates) => {
                for (kind, tokens, rate) in token_parts(tokens, &rates.each) {
                    if let Some(rate) = rate {
                        estimate.push(kind, tokens, rate)?;
                    }
                }
            }
        }
        Some(estimate)
    }

    /// The total of [`QuickPlan::estimate`], without its lines (the totals
    /// form of a batch): for token counts, four products at the rates' one
    /// scale where they fit ([`Aligned`]), else the estimate's.
    #[cfg_attr(rork_speed, optimize(speed))]
    pub fn total(&self, counts: &Counts) -> Option<Amount> {
        match self.priced(counts)? {
            Priced::Units(units, price) => price.times(units),
            Priced::Tokens(tokens, rates) => rates
                .aligned
                .and_then(|aligned| aligned.total(tokens))
                .or_else(|| Some(self.estimate(counts)?.total)),
        }
    }

    /// What `counts` are priced by, or `None` when the request is invalid
    /// for this entry: the full path then throws the precise error. `counts`
    /// must be whole numbers from 0 to 2^53 - 1.
    #[cfg_attr(rork_speed, optimize(speed))]
    fn priced(&self, counts: &Counts) -> Option<Priced<'_>> {
        let [input, cached, write, output, units] = *counts;
        match &self.pricing {
            Pricing::Units(price) => {
                (input + cached + write + output == 0.0).then_some(Priced::Units(units, *price))
            }
            Pricing::Tokens { base, tiers } => {
                // Both sums are of counts below 2^53, so exact below 2^54.
                if units > 0.0 || cached + write > input {
                    return None;
                }
                let rates = tiers
                    .iter()
                    .rev()
                    .find(|(above, _)| input > *above)
                    .map_or(base, |(_, rates)| rates);
                Some(Priced::Tokens([input, cached, write, output], rates))
            }
        }
    }
}

/// A valid request and the prices that apply to it ([`QuickPlan::priced`]).
enum Priced<'a> {
    /// Units at a price per unit.
    Units(f64, Amount),
    /// Token counts (input, cached input, cache write, output) at the rates
    /// of their tier.
    Tokens([f64; 4], &'a Rates),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::estimate::{Estimate, UsageRequest};
    use proptest::prelude::*;

    /// The full path's estimate of `counts` for the entry at `position`.
    fn full(catalog: &Catalog, position: usize, counts: &Counts) -> crate::error::Result<Estimate> {
        let entry = &catalog.entries()[position];
        let [input, cached, write, output, units] = counts.map(|count| count as u64);
        catalog.estimate(&UsageRequest {
            model: format!("{}/{}", entry.provider, entry.id),
            input_tokens: input,
            cached_input_tokens: cached,
            cache_write_tokens: write,
            output_tokens: output,
            units,
        })
    }

    /// Asserts that the quick estimate has the full path's lines and total,
    /// digit for digit (scales included, so the text is the same).
    fn assert_same(quick: &QuickEstimate, full: &Estimate) {
        let lines: Vec<_> = quick
            .lines()
            .iter()
            .map(|line| {
                (
                    line.kind,
                    line.quantity as u64,
                    line.unit_price.to_decimal().to_string(),
                    line.cost.to_decimal().to_string(),
                )
            })
            .collect();
        let expected: Vec<_> = full
            .lines
            .iter()
            .map(|line| {
                (
                    line.kind,
                    line.quantity,
                    line.unit_price.to_string(),
                    line.cost.to_string(),
                )
            })
            .collect();
        assert_eq!(lines, expected);
        assert_eq!(quick.total.to_decimal().to_string(), full.total.to_string());
    }

    /// Counts of every size, mostly realistic, sometimes near 2^53.
    fn count() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => 0u64..2_000_000,
            1 => 0u64..(1 << 53),
            1 => Just(0u64),
        ]
        .prop_map(|count| count as f64)
    }

    #[test]
    fn every_builtin_entry_has_a_plan_and_prices_realistic_requests() {
        let catalog = Catalog::builtin();
        for (position, entry) in catalog.entries().iter().enumerate() {
            let plan = catalog.quick_plan(position).expect(&entry.id);
            let counts = if entry.unit.is_some() {
                [0.0, 0.0, 0.0, 0.0, 987_654.0]
            } else {
                [1_234_567.0, 100_003.0, 7.0, 9_999.0, 0.0]
            };
            let quick = plan.estimate(&counts).expect(&entry.id);
            assert_same(&quick, &full(catalog, position, &counts).unwrap());
        }
    }

    #[test]
    fn amounts_beyond_53_bits_are_left_to_the_full_path() {
        let catalog = Catalog::builtin();
        // $0.60 per 1M: 6 × (2^53 - 1) needs 56 bits.
        let position = catalog.position("gpt-4o-mini").unwrap();
        let plan = catalog.quick_plan(position).unwrap();
        let huge = [0.0, 0.0, 0.0, (1u64 << 53) as f64 - 1.0, 0.0];
        assert_eq!(plan.estimate(&huge), None);
        assert!(full(catalog, position, &huge).is_ok());
    }

    #[test]
    fn invalid_requests_are_left_to_the_full_path() {
        let catalog = Catalog::builtin();
        let text = catalog.position("gpt-4o").unwrap();
        let plan = catalog.quick_plan(text).unwrap();
        assert_eq!(plan.estimate(&[10.0, 8.0, 3.0, 0.0, 0.0]), None);
        assert_eq!(plan.estimate(&[10.0, 0.0, 0.0, 0.0, 1.0]), None);
        let image = catalog.position("gpt-image-1.5").unwrap();
        let plan = catalog.quick_plan(image).unwrap();
        assert_eq!(plan.estimate(&[1.0, 0.0, 0.0, 0.0, 1.0]), None);
    }

    #[test]
    fn counts_are_whole_numbers_in_range() {
        assert!(whole_counts(&[0.0, -0.0, MAX_COUNT as f64]));
        for bad in [
            -1.0,
            1.5,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
            LIMIT,
            1e21,
        ] {
            assert!(!whole_counts(&[bad]), "{bad}");
        }
    }

    #[test]
    fn sums_stay_exact_or_decline() {
        let a = Amount::new(75.0, 9).unwrap();
        let mut total = Amount::ZERO;
        for _ in 0..1000 {
            total = total.plus(a).unwrap();
        }
        assert_eq!(total.to_decimal().to_string(), "0.000075");
        let big = Amount::new(LIMIT - 1.0, 0).unwrap();
        assert_eq!(big.plus(Amount::new(1.0, 0).unwrap()), None);
        assert_eq!(big.plus(Amount::new(1.0, 1).unwrap()), None);
    }

    #[test]
    fn the_totals_form_holds_the_batch_totals() {
        let catalog = Catalog::builtin();
        let mini = catalog.position("gpt-4o-mini").unwrap() as f64;
        let image = catalog.position("gpt-image-1.5").unwrap() as f64;
        let items = [
            mini, 5000.0, 100.0, 0.0, 800.0, 0.0, //
            image, 0.0, 0.0, 0.0, 0.0, 2.0, //
            mini, 7.0, 0.0, 0.0, 3.0, 0.0,
        ];
        let (mut batch, mut totals) = (Vec::new(), Vec::new());
        assert!(catalog.quick_encode_batch(&items, &mut batch));
        assert!(catalog.quick_encode_totals(&items, &mut totals));
        assert_eq!(totals.len(), 2 + 2 * 3);
        // The same amounts (at scales of their own: the text drops trailing zeros).
        let amount = |parts: &[f64]| {
            let amount = Amount::new(parts[0], parts[1] as u32).unwrap();
            amount.to_decimal().to_string()
        };
        assert_eq!(amount(&totals[..2]), amount(&batch[..2]));
        // By hand: 4900 × $0.15/1M + 100 × $0.075/1M + 800 × $0.60/1M.
        assert_eq!(amount(&totals[2..]), "0.0012225");
        for i in 0..3 {
            let estimate = 2 + i * ENCODED_LEN;
            assert_eq!(amount(&totals[2 + 2 * i..]), amount(&batch[estimate + 1..]));
        }
        // A request the fast path declines (units for a token-billed model), a
        // position that is no entry's, or a partial item declines the batch.
        let entries = catalog.entries().len() as f64;
        for declined in [
            &[mini, 1.0, 0.0, 0.0, 0.0, 1.0][..],
            &[entries, 1.0, 0.0, 0.0, 0.0, 0.0],
            &[-1.0, 1.0, 0.0, 0.0, 0.0, 0.0],
            &[0.5, 1.0, 0.0, 0.0, 0.0, 0.0],
            &[f64::NAN, 1.0, 0.0, 0.0, 0.0, 0.0],
            &items[..11],
        ] {
            assert!(
                !catalog.quick_encode_totals(declined, &mut totals),
                "{declined:?}"
            );
            assert!(
                !catalog.quick_encode_batch(declined, &mut batch),
                "{declined:?}"
            );
        }
        assert!(catalog.quick_encode_totals(&[], &mut totals));
        assert_eq!(totals, [0.0, 0.0]);
    }

    #[test]
    fn totals_without_aligned_rates_are_the_estimates() {
        // Rates whose scales are 22 apart: aligned, $1 per token needs 10^22;
        // a request of output tokens alone has one line and fits.
        let catalog = Catalog::builtin();
        let position = catalog.position("gpt-4o-mini").unwrap();
        let mut plan = catalog.quick_plan(position).unwrap().clone();
        let Pricing::Tokens { base, .. } = &mut plan.pricing else {
            unreachable!("gpt-4o-mini is token-billed")
        };
        base.each.output = Amount::new(1.0, 0).unwrap();
        base.each.input = Amount::new(1.0, 22).unwrap();
        base.aligned = Aligned::of(&base.each);
        assert_eq!(base.aligned, None);
        let counts = [0.0, 0.0, 0.0, 3.0, 0.0];
        let total = plan.total(&counts).unwrap();
        assert_eq!(total, plan.estimate(&counts).unwrap().total);
        assert_eq!(total.to_decimal().to_string(), "3");
    }

    proptest! {
        #[test]
        fn quick_estimates_equal_the_full_path(
            position in 0usize..Catalog::builtin().entries().len(),
            counts in [count(), count(), count(), count(), count()],
            token_billed in any::<bool>(),
        ) {
            let catalog = Catalog::builtin();
            let mut counts = counts;
            if token_billed {
                counts[4] = 0.0;
                counts[0] = counts[0].max(counts[1] + counts[2]).min((1u64 << 53) as f64 - 1.0);
            } else {
                counts[..4].fill(0.0);
            }
            let full = full(catalog, position, &counts);
            let plan = catalog.quick_plan(position).unwrap();
            // The totals form: the estimate's total, declined only where it is.
            match (plan.total(&counts), plan.estimate(&counts)) {
                (Some(total), Some(quick)) => prop_assert_eq!(total.to_decimal(), quick.total.to_decimal()),
                (total, quick) => prop_assert!(total.is_none() && quick.is_none()),
            }
            match plan.estimate(&counts) {
                Some(quick) => assert_same(&quick, &full.unwrap()),
                // Declined: too large for 53 bits, or invalid (the full path says why).
                None => prop_assert!(full.is_err() || counts.iter().any(|&c| c > 1e6)),
            }
        }
    }
}
