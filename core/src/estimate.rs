//! Cost estimation: a usage request priced against the catalog, line by line.
//!
//! Semantics: `input_tokens` is the whole prompt INCLUDING cached-read and
//! cache-write tokens (the OpenAI usage convention); `cached_input_tokens` and
//! `cache_write_tokens` are the parts of it billed at their own rates;
//! `output_tokens` includes reasoning tokens. `units` counts images, seconds,
//! 1K characters, queries or invocations for unit-billed entries.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The largest count accepted: 2^53 - 1, the largest integer a JS number holds exactly.
pub const MAX_COUNT: u64 = (1 << 53) - 1;

/// What was (or will be) used: the input of an estimate and of a usage report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
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

/// One priced line of an estimate: `cost = quantity * unit_price`, exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    /// What this line prices.
    pub kind: LineKind,
    /// Tokens or units.
    pub quantity: u64,
    /// Price of one token or unit, in USD.
    pub unit_price: Decimal,
    /// `quantity * unit_price`, exact.
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
    pub total: Decimal,
    /// Version of the price list used.
    pub catalog_version: String,
    /// The priced lines; lines with zero quantity are omitted.
    pub lines: Vec<Line>,
}
