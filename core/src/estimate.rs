//! Cost estimation: a usage request priced against the catalog, line by line.
//!
//! Semantics: `input_tokens` is the whole prompt INCLUDING cached-read and
//! cache-write tokens (the OpenAI usage convention); `cached_input_tokens` and
//! `cache_write_tokens` are the parts of it billed at their own rates;
//! `output_tokens` includes reasoning tokens. `units` counts images, seconds,
//! 1K characters, queries or invocations for unit-billed entries.
//!
//! Pricing ([`Catalog::estimate`]): a token-billed request is priced at the
//! rates of the highest tier its `input_tokens` exceeds (else the base rates),
//! for the whole request. Lines: `input` = `input_tokens - cached_input_tokens
//! - cache_write_tokens` at the input rate, `cachedInput` and `cacheWrite` at
//! their own rates (or folded into `input` when the entry has no such rate),
//! `output` at the output rate. A unit-billed request has one `units` line.
//! Every cost is `quantity × per-token (or per-unit) price`, exact; the total
//! is their exact sum. Amounts are written without trailing zeros
//! (`"0.003085"`, not `"0.00308500"`): same value, same digits. Nothing is rounded; [`crate::money::format_usd`] is for display.
//!
//! Validation, all `invalid_input` naming the field: counts above
//! [`MAX_COUNT`]; `cachedInputTokens + cacheWriteTokens > inputTokens`; token
//! counts on a unit-billed entry; `units` on a token-billed entry.

use crate::catalog::{token_parts, Billing, Catalog, Entry};
use crate::error::{Error, Quoted, Result};
use crate::money::{self, decimal_string};
use crate::value::{self, Fields, JsonObject, Value};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The kind of a priced line (the catalog's: the rates an entry has).
pub use crate::catalog::LineKind;
/// The largest count accepted (the value reader's: [`crate::value::MAX_COUNT`]).
pub use crate::value::MAX_COUNT;

/// What was (or will be) used: the input of an estimate and of a usage report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsageRequest {
    /// Model or feature id, alias, or provider-qualified name.
    pub model: String,
    /// Total prompt tokens, including cached-read and cache-write tokens.
    #[serde(default)]
    pub input_tokens: u64,
    /// Part of `input_tokens` read from the provider's prompt cache.
    #[serde(default)]
    pub cached_input_tokens: u64,
    /// Part of `input_tokens` written to the provider's prompt cache.
    #[serde(default)]
    pub cache_write_tokens: u64,
    /// Output tokens, including reasoning tokens.
    #[serde(default)]
    pub output_tokens: u64,
    /// Units for unit-billed entries (images, seconds, 1K characters, queries, invocations).
    #[serde(default)]
    pub units: u64,
}

impl UsageRequest {
    /// Adds the request's fields to `object`, as serde writes them.
    pub fn write_fields(&self, object: &mut JsonObject) {
        object
            .string("model", &self.model)
            .count("inputTokens", self.input_tokens)
            .count("cachedInputTokens", self.cached_input_tokens)
            .count("cacheWriteTokens", self.cache_write_tokens)
            .count("outputTokens", self.output_tokens)
            .count("units", self.units);
    }

    /// The request's JSON text, as serde_json writes it.
    pub fn to_json(&self) -> String {
        let mut object = JsonObject::default();
        self.write_fields(&mut object);
        object.finish()
    }
}

/// One priced line of an estimate: `cost = quantity * unit_price`, exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    /// What this line prices.
    pub kind: LineKind,
    /// Tokens or units.
    pub quantity: u64,
    /// Price of one token or unit, in USD.
    #[serde(with = "decimal_string")]
    pub unit_price: Decimal,
    /// `quantity * unit_price`, exact.
    #[serde(with = "decimal_string")]
    pub cost: Decimal,
}

/// The exact cost of a usage request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    /// Canonical catalog id the request resolved to.
    pub model: String,
    /// Always `"USD"`.
    pub currency: String,
    /// Exact sum of the line costs.
    #[serde(with = "decimal_string")]
    pub total: Decimal,
    /// Version of the price list used.
    pub catalog_version: String,
    /// The priced lines; lines with zero quantity are omitted.
    pub lines: Vec<Line>,
}

/// The estimates of several requests and their exact total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchEstimate {
    /// One estimate per request, in request order.
    pub items: Vec<Estimate>,
    /// Exact sum of the items' totals.
    #[serde(with = "decimal_string")]
    pub total: Decimal,
}

impl From<&Line> for Value {
    /// The line's JSON form, as serialized.
    fn from(line: &Line) -> Value {
        Value::Object(vec![
            ("kind".into(), line.kind.as_str().into()),
            ("quantity".into(), line.quantity.into()),
            ("unitPrice".into(), line.unit_price.into()),
            ("cost".into(), line.cost.into()),
        ])
    }
}

impl From<&Estimate> for Value {
    /// The estimate's JSON form, as serialized.
    fn from(estimate: &Estimate) -> Value {
        Value::Object(vec![
            ("model".into(), estimate.model.as_str().into()),
            ("currency".into(), estimate.currency.as_str().into()),
            ("total".into(), estimate.total.into()),
            (
                "catalogVersion".into(),
                estimate.catalog_version.as_str().into(),
            ),
            (
                "lines".into(),
                Value::Array(estimate.lines.iter().map(Value::from).collect()),
            ),
        ])
    }
}

impl From<&BatchEstimate> for Value {
    /// The batch's JSON form, as serialized.
    fn from(batch: &BatchEstimate) -> Value {
        Value::Object(vec![
            (
                "items".into(),
                Value::Array(batch.items.iter().map(Value::from).collect()),
            ),
            ("total".into(), batch.total.into()),
        ])
    }
}

impl UsageRequest {
    /// The fields a usage request may have, in its JSON form.
    pub const FIELDS: [&'static str; 6] = [
        "model",
        "inputTokens",
        "cachedInputTokens",
        "cacheWriteTokens",
        "outputTokens",
        "units",
    ];

    /// Reads a request from its JSON form, checking every field: `model` a
    /// string, each count a non-negative integer ≤ [`MAX_COUNT`] (absent = 0),
    /// no other field (a typo such as `inputToken` is an error, not a free
    /// request). `path` prefixes field names in errors (`"requests[3]"`).
    pub fn from_value(value: &Value, path: &str) -> Result<UsageRequest> {
        Self::read(&Self::fields(value, path, &[])?)
    }

    /// The fields of a request object at `path`, which may have
    /// [`UsageRequest::FIELDS`] and the `extra` fields of a larger object (a usage report's).
    pub fn fields<'a>(value: &'a Value, path: &'a str, extra: &[&str]) -> Result<Fields<'a>> {
        if !matches!(value, Value::Object(_)) {
            return Err(Error::invalid_input(format!(
                "{} must be an object like {{ model: \"gpt-4o\", inputTokens: 1200, outputTokens: 300 }}, got {}",
                if path.is_empty() { "the request" } else { path },
                value.describe()
            )));
        }
        let known: Vec<&str> = Self::FIELDS.iter().chain(extra).copied().collect();
        Fields::of(value, path, "a request", &known)
    }

    /// Reads the request's fields from `fields` (see [`UsageRequest::fields`]).
    pub fn read(fields: &Fields) -> Result<UsageRequest> {
        let model = fields.present("model", |model, path| match model {
            Value::String(model) => Ok(model.clone()),
            other => Err(Error::invalid_input(format!(
                "{path} must be a string such as \"gpt-4o\", got {}",
                other.describe()
            ))),
        })?;
        let model = model.ok_or_else(|| {
            Error::invalid_input(format!(
                "{} is required: a catalog id such as \"gpt-4o\" (listModels() lists them)",
                fields.path("model")
            ))
        })?;
        // Absent is 0; `null` is refused like any other non-count.
        let count = |name| {
            fields
                .present(name, value::count)
                .map(Option::unwrap_or_default)
        };
        Ok(UsageRequest {
            model,
            input_tokens: count("inputTokens")?,
            cached_input_tokens: count("cachedInputTokens")?,
            cache_write_tokens: count("cacheWriteTokens")?,
            output_tokens: count("outputTokens")?,
            units: count("units")?,
        })
    }

    /// The counts with their JS/wire field names, for validation messages.
    fn counts(&self) -> [(&'static str, u64); 5] {
        [
            ("inputTokens", self.input_tokens),
            ("cachedInputTokens", self.cached_input_tokens),
            ("cacheWriteTokens", self.cache_write_tokens),
            ("outputTokens", self.output_tokens),
            ("units", self.units),
        ]
    }

    /// Checks the counts that do not depend on the entry: range and parts ≤ whole.
    fn validate_counts(&self) -> Result<()> {
        if let Some((field, value)) = self.counts().into_iter().find(|&(_, v)| v > MAX_COUNT) {
            return Err(Error::invalid_input(format!(
                "{field} is {value}, above the largest exact count {MAX_COUNT}"
            )));
        }
        let parts = self.cached_input_tokens + self.cache_write_tokens;
        if parts > self.input_tokens {
            return Err(Error::invalid_input(format!(
                "cachedInputTokens ({}) + cacheWriteTokens ({}) exceed inputTokens ({}): \
                 inputTokens is the whole prompt, including cached and cache-write tokens",
                self.cached_input_tokens, self.cache_write_tokens, self.input_tokens
            )));
        }
        Ok(())
    }
}

/// Appends the priced line `quantity × unit_price`, unless the quantity is zero.
fn push_line(
    lines: &mut Vec<Line>,
    kind: LineKind,
    quantity: u64,
    unit_price: Decimal,
) -> Result<()> {
    if quantity > 0 {
        lines.push(Line {
            kind,
            quantity,
            unit_price: money::trim_zeros(unit_price),
            cost: money::trim_zeros(money::cost_of(quantity, unit_price)?),
        });
    }
    Ok(())
}

/// The lines of a token-billed request against `entry`.
fn token_lines(entry: &Entry, request: &UsageRequest) -> Result<Vec<Line>> {
    if request.units > 0 {
        return Err(Error::invalid_input(format!(
            "units must be 0 for {}: it is billed per token (use inputTokens and outputTokens)",
            Quoted(&entry.id)
        )));
    }
    let mut lines = Vec::with_capacity(4);
    let Some(rates) = entry.token_rates(request.input_tokens) else {
        return Ok(lines);
    };
    let counts = [
        request.input_tokens,
        request.cached_input_tokens,
        request.cache_write_tokens,
        request.output_tokens,
    ];
    for (kind, tokens, rate) in token_parts(counts, &rates) {
        if let Some(rate) = rate {
            push_line(&mut lines, kind, tokens, money::per_token(rate)?)?;
        }
    }
    Ok(lines)
}

/// The line of a unit-billed request against `entry`.
fn unit_line(entry: &Entry, request: &UsageRequest, price: Decimal) -> Result<Vec<Line>> {
    let counts = request.counts();
    if let Some((field, _)) = counts[..4].iter().find(|&&(_, value)| value > 0) {
        return Err(Error::invalid_input(format!(
            "{field} must be 0 for {}: it is billed per unit (use units)",
            Quoted(&entry.id)
        )));
    }
    let mut lines = Vec::with_capacity(1);
    push_line(&mut lines, LineKind::Units, request.units, price)?;
    Ok(lines)
}

impl Catalog {
    /// The exact cost of `request` at this catalog's prices (see the module docs).
    pub fn estimate(&self, request: &UsageRequest) -> Result<Estimate> {
        request.validate_counts()?;
        let entry = self.resolve(&request.model)?;
        let lines = match entry.billing() {
            Billing::Tokens(_) => token_lines(entry, request)?,
            Billing::Units { price, .. } => unit_line(entry, request, price)?,
        };
        let total = money::trim_zeros(money::sum(lines.iter().map(|line| line.cost))?);
        Ok(Estimate {
            model: entry.id.clone(),
            currency: "USD".to_owned(),
            total,
            catalog_version: self.version().to_owned(),
            lines,
        })
    }

    /// Estimates every request; the total is their exact sum. The first
    /// invalid request fails the batch, its message prefixed with `requests[i]`.
    pub fn estimate_batch(&self, requests: &[UsageRequest]) -> Result<BatchEstimate> {
        let items = requests
            .iter()
            .enumerate()
            .map(|(i, request)| {
                self.estimate(request).map_err(|error| {
                    Error::new(error.code, format!("requests[{i}]: {}", error.message))
                })
            })
            .collect::<Result<Vec<Estimate>>>()?;
        let total = money::trim_zeros(money::sum(items.iter().map(|item| item.total))?);
        Ok(BatchEstimate { items, total })
    }

    /// How many output tokens (token-billed `model`) or units (unit-billed)
    /// `available` USD still pays for after a prompt of `input_tokens` uncached
    /// tokens, capped at [`MAX_COUNT`]. Zero when the prompt alone costs more
    /// than `available` or `available` is not positive. For a unit-billed
    /// model `input_tokens` must be 0. Exact: `count × price ≤ remaining <
    /// (count + 1) × price`.
    pub fn max_affordable(
        &self,
        model: &str,
        input_tokens: u64,
        available: Decimal,
    ) -> Result<u64> {
        let request = UsageRequest {
            model: model.to_owned(),
            input_tokens,
            ..UsageRequest::default()
        };
        let prompt = self.estimate(&request)?;
        let entry = self.resolve(model)?;
        let price = match entry.billing() {
            Billing::Units { price, .. } => price,
            Billing::Tokens(_) => match entry.token_rates(input_tokens) {
                Some(rates) => money::per_token(rates.output)?,
                None => return Ok(0),
            },
        };
        let remaining = available - prompt.total;
        if remaining <= Decimal::ZERO {
            return Ok(0);
        }
        if price.is_zero() {
            return Ok(MAX_COUNT);
        }
        Ok(floor_count(remaining, price))
    }
}

/// The largest `n ≤ MAX_COUNT` with `n × price ≤ remaining` (both positive),
/// by bisection on exact products: no decimal division, whose code the SDK's
/// wasm would carry for this alone (about 4 KB gzip), and whose 28-digit
/// rounding a quotient would need correcting for. At most 54 products.
fn floor_count(remaining: Decimal, price: Decimal) -> u64 {
    let affordable = |n: u64| money::cost_of(n, price).is_ok_and(|cost| cost <= remaining);
    // Invariant: `affordable(low)` (0 costs nothing) and not `affordable(high)`.
    let (mut low, mut high) = (0, MAX_COUNT + 1);
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if affordable(middle) {
            low = middle;
        } else {
            high = middle;
        }
    }
    low
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn d(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn request(model: &str) -> UsageRequest {
        UsageRequest {
            model: model.to_owned(),
            ..UsageRequest::default()
        }
    }

    fn estimate(request: &UsageRequest) -> Result<Estimate> {
        Catalog::builtin().estimate(request)
    }

    #[test]
    fn lines_split_input_into_uncached_cached_and_cache_write() {
        let result = estimate(&UsageRequest {
            input_tokens: 10_000,
            cached_input_tokens: 6_000,
            cache_write_tokens: 1_000,
            output_tokens: 500,
            ..request("claude-sonnet-4-6")
        })
        .unwrap();
        let kinds: Vec<(LineKind, u64)> =
            result.lines.iter().map(|l| (l.kind, l.quantity)).collect();
        assert_eq!(
            kinds,
            [
                (LineKind::Input, 3_000),
                (LineKind::CachedInput, 6_000),
                (LineKind::CacheWrite, 1_000),
                (LineKind::Output, 500)
            ]
        );
        // 3000×3 + 6000×0.30 + 1000×3.75 + 500×15, per 1M.
        assert_eq!(result.total, d("0.02205"));
        assert_eq!(result.model, "claude-sonnet-4-6");
        assert_eq!(result.catalog_version, Catalog::builtin().version());
    }

    #[test]
    fn parts_without_their_own_rate_are_billed_as_input() {
        // OpenAI has no cache-write rate: those tokens are ordinary input.
        let result = estimate(&UsageRequest {
            input_tokens: 1_000,
            cache_write_tokens: 400,
            ..request("gpt-4o")
        })
        .unwrap();
        assert_eq!(result.lines.len(), 1);
        assert_eq!(result.lines[0].quantity, 1_000);
        assert_eq!(result.total, d("0.0025"));
    }

    #[test]
    fn zero_quantity_lines_are_omitted_and_zero_usage_costs_zero() {
        let result = estimate(&request("gpt-4o")).unwrap();
        assert!(result.lines.is_empty());
        assert_eq!(result.total, Decimal::ZERO);
    }

    #[test]
    fn invalid_counts_name_the_field() {
        let cases = [
            (
                UsageRequest {
                    input_tokens: MAX_COUNT + 1,
                    ..request("gpt-4o")
                },
                "inputTokens",
            ),
            (
                UsageRequest {
                    output_tokens: u64::MAX,
                    ..request("gpt-4o")
                },
                "outputTokens",
            ),
            (
                UsageRequest {
                    input_tokens: 5,
                    cached_input_tokens: 6,
                    ..request("gpt-4o")
                },
                "cachedInputTokens",
            ),
            (
                UsageRequest {
                    input_tokens: 5,
                    cached_input_tokens: 3,
                    cache_write_tokens: 3,
                    ..request("claude-opus-4-7")
                },
                "cacheWriteTokens",
            ),
            (
                UsageRequest {
                    units: 1,
                    ..request("gpt-4o")
                },
                "units",
            ),
            (
                UsageRequest {
                    input_tokens: 1,
                    units: 1,
                    ..request("gpt-image-1.5")
                },
                "inputTokens",
            ),
            (
                UsageRequest {
                    output_tokens: 1,
                    ..request("sora-2")
                },
                "outputTokens",
            ),
        ];
        for (request, field) in cases {
            let err = estimate(&request).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidInput, "{request:?}");
            assert!(err.message.contains(field), "{field}: {}", err.message);
        }
    }

    #[test]
    fn unknown_model_is_typed() {
        assert_eq!(
            estimate(&request("gpt-5o-ultra")).unwrap_err().code,
            ErrorCode::UnknownModel
        );
    }

    #[test]
    fn batch_total_is_the_exact_sum_and_errors_name_the_item() {
        let requests = [
            UsageRequest {
                input_tokens: 1_000,
                output_tokens: 1_000,
                ..request("gpt-4o")
            },
            UsageRequest {
                units: 3,
                ..request("gpt-image-1.5")
            },
        ];
        let batch = Catalog::builtin().estimate_batch(&requests).unwrap();
        assert_eq!(batch.items.len(), 2);
        assert_eq!(batch.total, batch.items[0].total + batch.items[1].total);
        let bad = [requests[0].clone(), request("nope-model")];
        let err = Catalog::builtin().estimate_batch(&bad).unwrap_err();
        assert!(err.message.starts_with("requests[1]: "), "{}", err.message);
        assert_eq!(err.code, ErrorCode::UnknownModel);
    }

    #[test]
    fn estimates_serialize_money_as_strings() {
        let result = estimate(&UsageRequest {
            input_tokens: 1_234,
            ..request("gpt-4o")
        })
        .unwrap();
        let json = serde_json::to_value(&result).unwrap();
        assert_eq!(json["total"], "0.003085");
        assert_eq!(json["currency"], "USD");
        assert_eq!(json["lines"][0]["kind"], "input");
        assert_eq!(json["lines"][0]["unitPrice"], "0.0000025");
        let back: Estimate = serde_json::from_value(json).unwrap();
        assert_eq!(back, result);
    }

    #[test]
    fn max_affordable_is_exact() {
        let catalog = Catalog::builtin();
        // gpt-4o: $10 per 1M output → $0.00001 per token; 1000 input tokens cost $0.0025.
        assert_eq!(
            catalog
                .max_affordable("gpt-4o", 1_000, d("1.0025"))
                .unwrap(),
            100_000
        );
        assert_eq!(
            catalog
                .max_affordable("gpt-4o", 1_000, d("1.00249"))
                .unwrap(),
            99_999
        );
        assert_eq!(
            catalog
                .max_affordable("gpt-4o", 1_000, d("0.0025"))
                .unwrap(),
            0
        );
        assert_eq!(catalog.max_affordable("gpt-4o", 0, d("-5")).unwrap(), 0);
        // sora-2: $0.10 per second.
        assert_eq!(catalog.max_affordable("sora-2", 0, d("1")).unwrap(), 10);
        assert_eq!(
            catalog
                .max_affordable("sora-2", 5, d("1"))
                .unwrap_err()
                .code,
            ErrorCode::InvalidInput
        );
        assert_eq!(
            catalog
                .max_affordable("gpt-4o", 0, d("1000000000000"))
                .unwrap(),
            MAX_COUNT
        );
    }

    #[test]
    fn floor_count_is_exact_where_division_rounds() {
        let price = d("0.0000000000000000000000000003");
        assert_eq!(floor_count(d("0.0000000000000000000000000010"), price), 3);
        assert_eq!(floor_count(d("7"), d("3")), 2);
        assert_eq!(floor_count(d("6"), d("3")), 2);
    }

    proptest::proptest! {
        #[test]
        fn floor_count_is_the_largest_affordable_count(
            remaining in (1i64..i64::MAX, 0u32..=20),
            price in (1i64..1_000_000_000, 0u32..=28),
        ) {
            let remaining = Decimal::new(remaining.0, remaining.1);
            let price = Decimal::new(price.0, price.1);
            let n = floor_count(remaining, price);
            let cost = |n: u64| money::cost_of(n, price).ok();
            proptest::prop_assert!(cost(n).is_some_and(|c| c <= remaining));
            proptest::prop_assert!(n == MAX_COUNT || !cost(n + 1).is_some_and(|c| c <= remaining));
        }
    }

    /// A usage request read from JSON, or the reader's message.
    fn read(json: serde_json::Value) -> std::result::Result<UsageRequest, String> {
        UsageRequest::from_value(&Value::from(json), "").map_err(|err| {
            assert_eq!(err.code, ErrorCode::InvalidInput);
            err.message
        })
    }

    #[test]
    fn requests_are_read_field_by_field() {
        use serde_json::json;
        let got = read(
            json!({"model": "gpt-4o", "inputTokens": 10, "cachedInputTokens": 4,
                                   "cacheWriteTokens": 2, "outputTokens": 7, "units": 0}),
        )
        .unwrap();
        let expected = UsageRequest {
            input_tokens: 10,
            cached_input_tokens: 4,
            cache_write_tokens: 2,
            output_tokens: 7,
            ..request("gpt-4o")
        };
        assert_eq!(got, expected);
        assert_eq!(
            read(json!({"model": "x", "inputTokens": MAX_COUNT}))
                .unwrap()
                .input_tokens,
            MAX_COUNT
        );
        assert_eq!(read(json!({"model": "x"})).unwrap(), request("x"));
    }

    #[test]
    fn bad_requests_are_refused_naming_the_field() {
        use serde_json::json;
        let error = |json| read(json).unwrap_err();
        assert!(error(json!({"model": "m", "inputTokens": -1}))
            .starts_with("inputTokens must not be negative"));
        assert!(error(json!({"model": "m", "outputTokens": 1.5}))
            .starts_with("outputTokens must be a whole number"));
        assert!(error(json!({"model": "m", "units": null}))
            .contains("units must be a non-negative integer, got null"));
        assert!(error(json!({"model": "m", "units": "5"})).contains("the string \"5\""));
        assert!(error(json!({"model": "m", "inputTokens": MAX_COUNT + 1}))
            .contains("above the largest"));
        assert!(error(json!({"model": "m", "inputTokens": 1e300})).contains("above the largest"));
        assert!(error(json!({"model": "m", "inputToken": 1}))
            .contains("unknown field inputToken; a request has model, inputTokens"));
        assert!(error(json!({"inputTokens": 1})).starts_with("model is required"));
        assert!(error(json!({"model": 4})).starts_with("model must be a string"));
        assert!(error(json!([1])).contains("the request must be an object like"));
        let err = UsageRequest::from_value(
            &Value::from(json!({"model": "m", "units": -2})),
            "requests[3]",
        )
        .unwrap_err();
        assert!(
            err.message.starts_with("requests[3].units"),
            "{}",
            err.message
        );
    }

    #[test]
    fn estimate_values_have_the_serde_form() {
        let catalog = Catalog::builtin();
        let requests: Vec<UsageRequest> = catalog
            .entries()
            .iter()
            .map(|entry| match entry.billing() {
                Billing::Units { .. } => UsageRequest {
                    units: 3,
                    ..request(&entry.id)
                },
                Billing::Tokens(_) => UsageRequest {
                    input_tokens: 300_000,
                    cached_input_tokens: 1_000,
                    cache_write_tokens: 2_000,
                    output_tokens: 4_000,
                    ..request(&entry.id)
                },
            })
            .collect();
        let batch = catalog.estimate_batch(&requests).unwrap();
        let serde_form = Value::from(serde_json::to_value(&batch).unwrap());
        assert!(value::sorted(Value::from(&batch)) == serde_form);
    }
}
