//! The model catalog: every AI model and cloud feature an app can pay for, with its price.
//!
//! The built-in catalog is `core/catalog/models.json`, compiled in as the
//! default ([`Catalog::builtin`]; `core/build.rs` turns it into Rust data, so no
//! JSON is parsed at start-up). The reference server serves the same format
//! at `GET /v1/models`, and the SDK can load it at runtime ([`Catalog::from_json`]):
//! the server is the authority on prices.
//!
//! # File format
//!
//! ```json
//! { "version": "2026-11-25.1", "asOf": "2026-11-25", "source": "...",
//!   "entries": [ { "id": "gpt-4o", "name": "GPT-4o", "provider": "openai", "kind": "text",
//!                  "aliases": ["chatgpt-4o"], "contextWindow": 128000,
//!                  "maxOutputTokens": 16384, "inputPer1M": "2.50",
//!                  "cachedInputPer1M": "1.25", "cacheWritePer1M": null,
//!                  "outputPer1M": "10.00", "unit": null, "pricePerUnit": null,
//!                  "tiers": [], "note": null } ] }
//! ```
//!
//! A field that may be `null` may also be left out; an unknown field is an
//! error; counts (`contextWindow`, `maxOutputTokens`, `aboveInputTokens`) are
//! whole numbers up to 2^53 - 1. Prices are decimal STRINGS in USD, never JSON
//! numbers. An entry is either **token-billed** (`inputPer1M` and
//! `outputPer1M` set, per 1M tokens; `unit` and `pricePerUnit` null) or
//! **unit-billed** (`unit` and `pricePerUnit` set, per one unit; every token
//! price null and no tiers). A token-billed entry's `contextWindow` (the
//! largest prompt) and `maxOutputTokens` (the most output one request may
//! generate) are the model's limits, null when unknown ([`crate::plausible`]
//! holds usage reports to them); a unit-billed entry has neither. A null
//! `cachedInputPer1M` / `cacheWritePer1M` means the provider gives cached
//! tokens no separate rate: they are billed as ordinary input. A tier
//! (`{"aboveInputTokens": 200000, "inputPer1M": .., "cachedInputPer1M": ..,
//! "cacheWritePer1M": .., "outputPer1M": ..}`) prices the WHOLE request at its
//! rates when the prompt (`inputTokens`) is larger than `aboveInputTokens`;
//! with several tiers the highest one exceeded applies.
//!
//! Validation ([`Catalog::new`]) keeps every price exact: per-1M prices have at
//! most 12 decimal places and unit prices at most 18, every price is below
//! 1,000,000 USD, ids and aliases are unique across the catalog.

use crate::error::{Error, Quoted, Result};
use crate::money::{MAX_DIGITS, PER_MILLION_SCALE};
use crate::text;
use crate::value::Value;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::ops::{Add, Sub};
use std::sync::OnceLock;

mod builtin;
pub mod quick;
pub mod resolve;

use quick::QuickPlan;
use resolve::NameIndex;

/// Most decimal places a per-1M-tokens price may have (its per-token form has 6 more).
pub const MAX_PER_MILLION_DECIMALS: u32 = 12;
/// Most decimal places a per-unit price may have.
pub const MAX_UNIT_PRICE_DECIMALS: u32 = 18;
/// Every price must be below this many USD (per 1M tokens or per unit).
pub const MAX_PRICE_USD: u64 = 1_000_000;

/// What an entry is, for grouping and display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Chat / text generation, billed per token.
    Text,
    /// Image generation, billed per image.
    Image,
    /// Video generation, billed per second of video.
    Video,
    /// Text to speech, billed per character of input text.
    Speech,
    /// Speech to text, billed per second of audio.
    Transcription,
    /// Embeddings, billed per input token (as units).
    Embedding,
    /// Web search, billed per query.
    Search,
    /// Backend functions, billed per invocation.
    Function,
}

/// What one unit of a unit-billed entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// One generated image.
    Image,
    /// One second of generated video or of transcribed audio.
    Second,
    /// One character of text turned into speech.
    Character,
    /// One input token of an embedding request.
    Token,
    /// One web search query.
    Query,
    /// One backend function invocation.
    Invocation,
}

/// A higher (or lower) rate for the whole request above a prompt-size threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tier {
    /// The tier applies when `inputTokens` is strictly greater than this.
    pub above_input_tokens: u64,
    /// Input price per 1M tokens in this tier.
    #[serde(rename = "inputPer1M")]
    pub input_per_1m: Decimal,
    /// Cached-read input price per 1M tokens in this tier; null = billed as input.
    #[serde(rename = "cachedInputPer1M")]
    pub cached_input_per_1m: Option<Decimal>,
    /// Cache-write input price per 1M tokens in this tier; null = billed as input.
    #[serde(rename = "cacheWritePer1M")]
    pub cache_write_per_1m: Option<Decimal>,
    /// Output price per 1M tokens in this tier.
    #[serde(rename = "outputPer1M")]
    pub output_per_1m: Decimal,
}

/// One model or cloud feature and its list price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Canonical id (`"gpt-4o"`): lowercase letters, digits, `.`, `-`.
    pub id: String,
    /// Display name (`"GPT-4o"`).
    pub name: String,
    /// Provider slug (`"openai"`), used in qualified names like `"openai/gpt-4o"`.
    pub provider: String,
    /// What the entry is.
    pub kind: Kind,
    /// Other names that resolve to this entry (without provider prefix).
    pub aliases: Vec<String>,
    /// Largest prompt in tokens, for text models (LiteLLM's `max_input_tokens`).
    pub context_window: Option<u64>,
    /// Most output tokens one request may generate, for text models
    /// (LiteLLM's `max_output_tokens`); `None` when unknown. Optional in the
    /// document: catalogs written before it existed still read.
    pub max_output_tokens: Option<u64>,
    /// Input price per 1M tokens (token-billed entries).
    #[serde(rename = "inputPer1M")]
    pub input_per_1m: Option<Decimal>,
    /// Cached-read input price per 1M tokens; null = billed as input.
    #[serde(rename = "cachedInputPer1M")]
    pub cached_input_per_1m: Option<Decimal>,
    /// Cache-write input price per 1M tokens; null = billed as input.
    #[serde(rename = "cacheWritePer1M")]
    pub cache_write_per_1m: Option<Decimal>,
    /// Output price per 1M tokens (token-billed entries).
    #[serde(rename = "outputPer1M")]
    pub output_per_1m: Option<Decimal>,
    /// The billing unit (unit-billed entries).
    pub unit: Option<Unit>,
    /// Price of one unit (unit-billed entries).
    pub price_per_unit: Option<Decimal>,
    /// Prompt-size tiers, ascending by threshold (token-billed entries).
    pub tiers: Vec<Tier>,
    /// Where this entry's price comes from, when it differs from the catalog's `source`.
    pub note: Option<String>,
}

/// The rates that apply to one request, tiers and fallbacks resolved: per 1M
/// tokens as [`Decimal`]s, or in another form of price `P` (the fast path's
/// per-token amounts, [`quick`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenRates<P = Decimal> {
    /// Uncached input.
    pub input: P,
    /// Cached-read input, or `None` when billed as input.
    pub cached_input: Option<P>,
    /// Cache-write input, or `None` when billed as input.
    pub cache_write: Option<P>,
    /// Output.
    pub output: P,
}

impl<P: Copy> TokenRates<P> {
    /// The same rates with every price turned by `convert`, or `None` when
    /// one does not convert.
    pub fn try_map<Q>(&self, convert: impl Fn(P) -> Option<Q>) -> Option<TokenRates<Q>> {
        let optional = |price: Option<P>| match price {
            Some(price) => convert(price).map(Some),
            None => Some(None),
        };
        Some(TokenRates {
            input: convert(self.input)?,
            cached_input: optional(self.cached_input)?,
            cache_write: optional(self.cache_write)?,
            output: convert(self.output)?,
        })
    }
}

impl Tier {
    /// This tier's rates.
    pub fn rates(&self) -> TokenRates {
        TokenRates {
            input: self.input_per_1m,
            cached_input: self.cached_input_per_1m,
            cache_write: self.cache_write_per_1m,
            output: self.output_per_1m,
        }
    }
}

/// How an entry is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    /// Per token, with the base rates (before tiers).
    Tokens(TokenRates),
    /// Per unit.
    Units {
        /// What one unit is.
        unit: Unit,
        /// Price of one unit in USD.
        price: Decimal,
    },
}

impl Entry {
    /// How this entry is billed. Catalog validation guarantees exactly one mode.
    pub fn billing(&self) -> Billing {
        match (self.unit, self.price_per_unit) {
            (Some(unit), Some(price)) => Billing::Units { unit, price },
            _ => Billing::Tokens(TokenRates {
                input: self.input_per_1m.unwrap_or_default(),
                cached_input: self.cached_input_per_1m,
                cache_write: self.cache_write_per_1m,
                output: self.output_per_1m.unwrap_or_default(),
            }),
        }
    }

    /// The token rates for a prompt of `input_tokens`: the highest tier whose
    /// threshold it exceeds, else the base rates. `None` for unit-billed entries.
    pub fn token_rates(&self, input_tokens: u64) -> Option<TokenRates> {
        let Billing::Tokens(base) = self.billing() else {
            return None;
        };
        let tier = self
            .tiers
            .iter()
            .rev()
            .find(|tier| input_tokens > tier.above_input_tokens);
        Some(tier.map_or(base, Tier::rates))
    }

    /// Checks the entry's shape and prices; errors name the entry and field.
    fn validate(&self) -> Result<()> {
        let fail = |what: String| {
            Err(Error::invalid_input(format!(
                "entry {}: {what}",
                Quoted(&self.id)
            )))
        };
        let slug_ok = |text: &str, extra: &[u8]| {
            !text.is_empty()
                && text
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || extra.contains(&b))
        };
        if !slug_ok(&self.id, b".-") {
            return fail("id must be lowercase letters, digits, '.' and '-'".into());
        }
        if !slug_ok(&self.provider, b"-") {
            return fail("provider must be lowercase letters, digits and '-'".into());
        }
        if self.name.trim().is_empty() {
            return fail("name must not be empty".into());
        }
        if let Some(alias) = self.aliases.iter().find(|a| !slug_ok(a, b".-_")) {
            return fail(format!(
                "alias {} must be lowercase letters, digits, '.', '_' and '-'",
                Quoted(alias)
            ));
        }
        let token_prices = [
            ("inputPer1M", self.input_per_1m),
            ("cachedInputPer1M", self.cached_input_per_1m),
            ("cacheWritePer1M", self.cache_write_per_1m),
            ("outputPer1M", self.output_per_1m),
        ];
        let tier_prices = self.tiers.iter().flat_map(|tier| {
            [
                ("tiers[].inputPer1M", Some(tier.input_per_1m)),
                ("tiers[].cachedInputPer1M", tier.cached_input_per_1m),
                ("tiers[].cacheWritePer1M", tier.cache_write_per_1m),
                ("tiers[].outputPer1M", Some(tier.output_per_1m)),
            ]
        });
        for (field, price) in token_prices.into_iter().chain(tier_prices) {
            if let Some(price) = price {
                check_price(&self.id, field, price, MAX_PER_MILLION_DECIMALS)?;
            }
        }
        if let Some(price) = self.price_per_unit {
            check_price(&self.id, "pricePerUnit", price, MAX_UNIT_PRICE_DECIMALS)?;
        }
        let unit_billed = self.unit.is_some() || self.price_per_unit.is_some();
        if unit_billed {
            if self.unit.is_none() || self.price_per_unit.is_none() {
                return fail("a unit-billed entry needs both unit and pricePerUnit".into());
            }
            if let Some((field, _)) = token_prices.iter().find(|(_, price)| price.is_some()) {
                return fail(format!("a unit-billed entry must have {field}: null"));
            }
            if !self.tiers.is_empty() {
                return fail("a unit-billed entry cannot have tiers".into());
            }
            if self.context_window.or(self.max_output_tokens).is_some() {
                return fail("a unit-billed entry has no contextWindow or maxOutputTokens".into());
            }
        } else if self.input_per_1m.is_none() || self.output_per_1m.is_none() {
            return fail(
                "needs inputPer1M and outputPer1M (token-billed) or unit and pricePerUnit (unit-billed)"
                    .into(),
            );
        }
        if self
            .tiers
            .windows(2)
            .any(|pair| pair[0].above_input_tokens >= pair[1].above_input_tokens)
        {
            return fail("tiers must be in strictly ascending aboveInputTokens order".into());
        }
        Ok(())
    }
}

/// Rejects a price with too many decimals or too large to price exactly.
fn check_price(id: &str, field: &str, price: Decimal, max_decimals: u32) -> Result<()> {
    let price = price.normalize();
    if price.is_sign_negative() || price >= Decimal::from(MAX_PRICE_USD) {
        return Err(Error::invalid_input(format!(
            "entry {}: {field} {price} must be at least 0 and below {MAX_PRICE_USD} USD",
            Quoted(id)
        )));
    }
    if price.scale() > max_decimals {
        return Err(Error::invalid_input(format!(
            "entry {}: {field} {price} has more than {max_decimals} decimal places",
            Quoted(id)
        )));
    }
    Ok(())
}

/// A validated price list with its version, date and source, and a name index.
#[derive(Debug, Clone)]
pub struct Catalog {
    version: String,
    as_of: String,
    source: String,
    entries: Vec<Entry>,
    index: NameIndex,
    /// Each entry's prices for the 53-bit fast path, where they fit.
    quick: Vec<Option<QuickPlan>>,
}

/// The catalog document as [`Catalog::to_json`] writes it (the file format
/// and `GET /v1/models`); it is read by [`Catalog::from_value`].
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CatalogDocument<'a> {
    version: &'a str,
    as_of: &'a str,
    source: &'a str,
    entries: &'a [Entry],
}

impl Catalog {
    /// The compiled-in catalog (`core/catalog/models.json`, compiled to Rust
    /// data by `core/build.rs`), built once and shared.
    ///
    /// # Panics
    ///
    /// Never in practice: the built-in file is validated by this crate's tests
    /// (`builtin_catalog_is_valid`); a broken file fails the build's test step.
    #[cfg_attr(rork_speed, optimize(speed))]
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // Display, not `expect`'s Debug: Debug of text links Unicode tables into the wasm.
            builtin::catalog().unwrap_or_else(|error| panic!("core/catalog/models.json: {error}"))
        })
    }

    /// Builds a catalog from parts, validating every entry (see the module docs).
    pub fn new(
        version: impl Into<String>,
        as_of: impl Into<String>,
        source: impl Into<String>,
        entries: Vec<Entry>,
    ) -> Result<Catalog> {
        let (version, as_of, source) = (version.into(), as_of.into(), source.into());
        if version.trim().is_empty() {
            return Err(Error::invalid_input("catalog version must not be empty"));
        }
        if !is_iso_date(&as_of) {
            return Err(Error::invalid_input(format!(
                "catalog asOf {} must be a date like \"2026-11-25\"",
                Quoted(&as_of)
            )));
        }
        if entries.is_empty() {
            return Err(Error::invalid_input("catalog has no entries"));
        }
        entries.iter().try_for_each(Entry::validate)?;
        let index = NameIndex::new(&entries)?;
        let quick = entries.iter().map(QuickPlan::of).collect();
        Ok(Catalog {
            version,
            as_of,
            source,
            entries,
            index,
            quick,
        })
    }

    /// Parses and validates a catalog document (the file format, or the body of
    /// the server's `GET /v1/models`) with the reader the SDK uses
    /// ([`Catalog::from_value`]). Errors are `invalid_input` naming the problem.
    pub fn from_json(json: &str) -> Result<Catalog> {
        let document: serde_json::Value = serde_json::from_str(json)
            .map_err(|error| Error::invalid_input(format!("catalog JSON is invalid: {error}")))?;
        Catalog::from_value(&Value::from(document))
    }

    /// The catalog as a pretty-printed JSON document, in the file format.
    pub fn to_json(&self) -> String {
        let document = CatalogDocument {
            version: &self.version,
            as_of: &self.as_of,
            source: &self.source,
            entries: &self.entries,
        };
        // Serializing plain strings, numbers and decimals into a String cannot fail.
        serde_json::to_string_pretty(&document).unwrap_or_default()
    }

    /// The price list's version, echoed in every estimate as `catalogVersion`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The date the prices were read from their sources (`YYYY-MM-DD`).
    pub fn as_of(&self) -> &str {
        &self.as_of
    }

    /// Where the prices come from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every entry, in catalog order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Resolves a model name (id, alias, `provider/name`, `provider:name`, dated
    /// snapshot) to its entry; see [`resolve`]. Unknown names are an
    /// `unknown_model` error with close-match suggestions.
    pub fn resolve(&self, name: &str) -> Result<&Entry> {
        let position = self.index.resolve(&self.entries, name)?;
        Ok(&self.entries[position])
    }

    /// The position in [`Catalog::entries`] of the entry `name` resolves to,
    /// or `None` when it resolves to none (then [`Catalog::resolve`] says why).
    pub fn position(&self, name: &str) -> Option<usize> {
        self.index.resolve(&self.entries, name).ok()
    }

    /// The [`QuickPlan`] of the entry at `position`, when its prices fit the
    /// 53-bit fast path.
    #[cfg_attr(rork_speed, optimize(speed))]
    pub fn quick_plan(&self, position: usize) -> Option<&QuickPlan> {
        self.quick.get(position)?.as_ref()
    }
}

/// `YYYY-MM-DD` with plausible month and day.
fn is_iso_date(date: &str) -> bool {
    let number = |part: &str, len: usize| {
        (part.len() == len && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    let Some((year, rest)) = text::split_once(date, b'-') else {
        return false;
    };
    let Some((month, day)) = text::split_once(rest, b'-') else {
        return false;
    };
    // A third `-` leaves a `day` that is not two digits.
    number(year, 4).is_some()
        && number(month, 2).is_some_and(|m| (1..=12).contains(&m))
        && number(day, 2).is_some_and(|d| (1..=31).contains(&d))
}

// The per-token form of a per-1M price must stay within Decimal's 28 places.
const _: () = assert!(MAX_PER_MILLION_DECIMALS + PER_MILLION_SCALE <= MAX_DIGITS as u32);

/// The kind of a priced line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LineKind {
    /// Uncached input tokens.
    Input,
    /// Cached-read input tokens.
    CachedInput,
    /// Cache-write input tokens.
    CacheWrite,
    /// Output tokens.
    Output,
    /// Units of a unit-billed entry.
    Units,
}

impl LineKind {
    /// The kind's JS/wire name (`"input"`, `"cachedInput"`, ...), as serialized.
    pub const fn as_str(self) -> &'static str {
        match self {
            LineKind::Input => "input",
            LineKind::CachedInput => "cachedInput",
            LineKind::CacheWrite => "cacheWrite",
            LineKind::Output => "output",
            LineKind::Units => "units",
        }
    }
}

/// The parts a token-billed request is priced in, in line order: uncached
/// input, cached input, cache write, output, each `(kind, tokens, rate)`. A
/// part without its own rate is billed as ordinary input (its rate is `None`
/// here and its tokens are in the input part). Shared by the estimate
/// ([`crate::estimate`]) and its 53-bit fast path ([`quick`]), whose counts are `f64`.
#[cfg_attr(rork_speed, optimize(speed))]
pub(crate) fn token_parts<Q, P>(
    [input, cached, write, output]: [Q; 4],
    rates: &TokenRates<P>,
) -> [(LineKind, Q, Option<P>); 4]
where
    Q: Copy + Add<Output = Q> + Sub<Output = Q>,
    P: Copy,
{
    let mut uncached = input - cached - write;
    for (tokens, rate) in [(cached, rates.cached_input), (write, rates.cache_write)] {
        if rate.is_none() {
            uncached = uncached + tokens;
        }
    }
    [
        (LineKind::Input, uncached, Some(rates.input)),
        (LineKind::CachedInput, cached, rates.cached_input),
        (LineKind::CacheWrite, write, rates.cache_write),
        (LineKind::Output, output, Some(rates.output)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn text_entry() -> serde_json::Value {
        serde_json::json!({
            "id": "m", "name": "M", "provider": "p", "kind": "text", "aliases": [],
            "contextWindow": 1000, "inputPer1M": "1.00", "cachedInputPer1M": null,
            "cacheWritePer1M": null, "outputPer1M": "2.00", "unit": null,
            "pricePerUnit": null, "tiers": [], "note": null
        })
    }

    fn document(entries: serde_json::Value) -> String {
        serde_json::json!({"version": "v1", "asOf": "2026-01-02", "source": "test", "entries": entries})
            .to_string()
    }

    fn rejection(entry: serde_json::Value) -> String {
        let err = Catalog::from_json(&document(serde_json::json!([entry]))).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        err.message
    }

    #[test]
    fn builtin_catalog_is_valid() {
        let catalog = Catalog::builtin();
        assert!(catalog.entries().len() >= 30, "{}", catalog.entries().len());
        assert!(!catalog.version().is_empty());
        assert!(is_iso_date(catalog.as_of()));
        assert!(!catalog.source().is_empty());
    }

    #[test]
    fn to_json_round_trips_and_matches_the_file() {
        let catalog = Catalog::builtin();
        let again = Catalog::from_json(&catalog.to_json()).unwrap();
        assert_eq!(again.entries(), catalog.entries());
        assert_eq!(again.version(), catalog.version());
        let file = include_str!("../../catalog/models.json");
        assert_eq!(catalog.to_json().trim_end(), file.trim_end());
        let parsed = Catalog::from_json(file).unwrap();
        assert_eq!(parsed.entries(), catalog.entries());
        assert_eq!(
            (parsed.version(), parsed.as_of(), parsed.source()),
            (catalog.version(), catalog.as_of(), catalog.source())
        );
    }

    #[test]
    fn prices_must_be_strings() {
        let mut entry = text_entry();
        entry["inputPer1M"] = serde_json::json!(1.25);
        assert!(rejection(entry).contains("catalog JSON is invalid"));
        let mut entry = text_entry();
        entry["outputPer1M"] = serde_json::json!("1e-6");
        assert!(rejection(entry).contains("not a price"));
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let mut entry = text_entry();
        entry["outputPer1m"] = serde_json::json!("1");
        assert!(rejection(entry).contains("outputPer1m"));
    }

    #[test]
    fn billing_mode_must_be_exactly_one() {
        let mut entry = text_entry();
        entry["unit"] = serde_json::json!("image");
        entry["pricePerUnit"] = serde_json::json!("0.04");
        assert!(rejection(entry).contains("inputPer1M: null"));
        let mut entry = text_entry();
        entry["outputPer1M"] = serde_json::Value::Null;
        assert!(rejection(entry).contains("needs inputPer1M and outputPer1M"));
    }

    #[test]
    fn unit_billed_entries_have_no_token_limits() {
        let mut entry = text_entry();
        entry["contextWindow"] = serde_json::Value::Null;
        entry["inputPer1M"] = serde_json::Value::Null;
        entry["outputPer1M"] = serde_json::Value::Null;
        entry["kind"] = serde_json::json!("video");
        entry["unit"] = serde_json::json!("second");
        entry["pricePerUnit"] = serde_json::json!("0.10");
        assert!(Catalog::from_json(&document(serde_json::json!([entry.clone()]))).is_ok());
        entry["maxOutputTokens"] = serde_json::json!(100);
        assert!(rejection(entry).contains("has no contextWindow or maxOutputTokens"));
    }

    #[test]
    fn prices_too_precise_or_too_large_are_rejected() {
        let mut entry = text_entry();
        entry["inputPer1M"] = serde_json::json!("0.0000000000001");
        assert!(rejection(entry).contains("decimal places"));
        let mut entry = text_entry();
        entry["inputPer1M"] = serde_json::json!("1000000");
        assert!(rejection(entry).contains("below"));
    }

    #[test]
    fn tiers_must_ascend() {
        let tier = |above: u64| {
            serde_json::json!({"aboveInputTokens": above, "inputPer1M": "2", "cachedInputPer1M": null,
                               "cacheWritePer1M": null, "outputPer1M": "4"})
        };
        let mut entry = text_entry();
        entry["tiers"] = serde_json::json!([tier(200), tier(100)]);
        assert!(rejection(entry).contains("ascending"));
    }

    #[test]
    fn header_is_validated() {
        let bad_date = document(serde_json::json!([text_entry()])).replace("2026-01-02", "Jan 2");
        assert!(Catalog::from_json(&bad_date)
            .unwrap_err()
            .message
            .contains("asOf"));
        assert!(Catalog::from_json(&document(serde_json::json!([]))).is_err());
        assert!(Catalog::from_json("{").is_err());
    }

    #[test]
    fn tier_selection_uses_the_highest_exceeded_threshold() {
        let mut entry = text_entry();
        entry["tiers"] = serde_json::json!([
            {"aboveInputTokens": 100, "inputPer1M": "2", "cachedInputPer1M": null, "cacheWritePer1M": null, "outputPer1M": "4"},
            {"aboveInputTokens": 200, "inputPer1M": "3", "cachedInputPer1M": "0.3", "cacheWritePer1M": null, "outputPer1M": "6"}
        ]);
        let catalog = Catalog::from_json(&document(serde_json::json!([entry]))).unwrap();
        let entry = catalog.resolve("m").unwrap();
        let rate = |tokens| entry.token_rates(tokens).unwrap().input;
        assert_eq!(rate(100), Decimal::from(1));
        assert_eq!(rate(101), Decimal::from(2));
        assert_eq!(rate(200), Decimal::from(2));
        assert_eq!(rate(201), Decimal::from(3));
    }
}
