//! What one usage event can honestly report, bounded by the catalog: the
//! reference server checks every event it prices and every hold it reserves
//! with [`Catalog::check_plausible`], so a count no real request to the model
//! could produce is refused (`invalid_input`) instead of charged.
//!
//! **Token-billed entries**: `inputTokens` at most the entry's `contextWindow`
//! and `outputTokens` at most its `maxOutputTokens`, each when the catalog
//! knows it (both from LiteLLM, like the prices). The two are bounded apart,
//! not their sum: LiteLLM's `max_input_tokens` is the whole window for some
//! models (`gpt-4o`: 128,000, shared with its 16,384 output tokens) and the
//! prompt's part alone for others (`gpt-5.4-mini`: 272,000 of prompt beside
//! 128,000 of output in OpenAI's 400,000 window), so a bound on the sum would
//! refuse honest requests to the second kind. Bounded apart, an event still
//! costs at most a full window of input and the longest output. Cached and
//! cache-write tokens are parts of `inputTokens` ([`Catalog::estimate`]
//! checks that, and that token and unit counts are not mixed).
//!
//! **Unit-billed entries**: `units` at most the maximum of the entry's kind
//! ([`UNIT_LIMITS`]), set well above the largest single request the
//! providers take, so that no honest event meets it:
//!
//! | kind | unit | most per event | why |
//! |---|---|---|---|
//! | image | image | 100 | OpenAI's image API makes at most 10 images per request (`n`), Google's fewer |
//! | video | second | 600 | one generation is seconds long (Sora 2, Veo 3.1, Grok Imagine); Veo's extensions reach 148 s |
//! | speech | character | 100,000 | OpenAI's speech API takes 4,096 characters per request, ElevenLabs' v2 models 10,000 |
//! | transcription | second | 28,800 | OpenAI takes audio files up to 25 MB: about 3.5 hours at 16 kbit/s, 7 at 8 kbit/s (8 hours here) |
//! | embedding | token | 1,000,000 | OpenAI takes at most 300,000 tokens per embeddings request (all inputs together) |
//! | search | query | 100 | one search call is one query (a few for multi-query APIs) |
//! | function | invocation | 10,000 | one event reports the backend calls of one user action |
//!
//! At list prices the largest events cost USD 13.40 (100 `gemini-3-pro-image-preview`
//! images), 240 (600 s of `veo-3.1`), 8 (100,000 characters of ElevenLabs), 2.88
//! (8 hours of `whisper-1`), 0.15, 0.50 and 0.003.
//!
//! Estimation itself does not check this: `estimateCost` prices any counts
//! (pricing stays pure, and a what-if estimate is not a report), and the SDK's
//! `guard` is checked when the server reserves its hold.

use crate::catalog::{Billing, Catalog, Kind, Unit};
use crate::error::{Error, Quoted, Result};
use crate::estimate::UsageRequest;

/// Each kind billed per unit, that unit, and the most units one usage event
/// may report (the table of the module docs). An event for an entry whose kind
/// and unit are not in it is refused (every built-in entry's are: tested).
pub const UNIT_LIMITS: [(Kind, Unit, u64); 7] = [
    (Kind::Image, Unit::Image, 100),
    (Kind::Video, Unit::Second, 600),
    (Kind::Speech, Unit::Character, 100_000),
    (Kind::Transcription, Unit::Second, 28_800),
    (Kind::Embedding, Unit::Token, 1_000_000),
    (Kind::Search, Unit::Query, 100),
    (Kind::Function, Unit::Invocation, 10_000),
];

/// The most units one usage event of `kind` billed per `unit` may report;
/// `None` when `kind` is not billed per `unit`.
pub fn max_units(kind: Kind, unit: Unit) -> Option<u64> {
    UNIT_LIMITS
        .iter()
        .find(|&&(known_kind, known_unit, _)| (known_kind, known_unit) == (kind, unit))
        .map(|&(_, _, max)| max)
}

impl Catalog {
    /// Checks that `request` stays within what one request to its model can
    /// use (see the module docs): `invalid_input` naming the field and the
    /// limit, `unknown_model` when the model is not in the catalog. Only the
    /// limits: [`Catalog::estimate`] checks the rest of the request.
    pub fn check_plausible(&self, request: &UsageRequest) -> Result<()> {
        let entry = self.resolve(&request.model)?;
        let limits = match entry.billing() {
            Billing::Tokens(_) => vec![
                (
                    "inputTokens",
                    request.input_tokens,
                    entry.context_window,
                    "tokens, the context window (contextWindow) of".to_owned(),
                ),
                (
                    "outputTokens",
                    request.output_tokens,
                    entry.max_output_tokens,
                    "tokens, the output limit (maxOutputTokens) of".to_owned(),
                ),
            ],
            Billing::Units { unit, .. } => {
                let Some(max) = max_units(entry.kind, unit) else {
                    return Err(Error::invalid_input(format!(
                        "units of {} cannot be checked: no per-event maximum is set for a {} entry billed per {}",
                        Quoted(&entry.id),
                        entry.kind.name(),
                        unit.name()
                    )));
                };
                vec![(
                    "units",
                    request.units,
                    Some(max),
                    format!(
                        "{}, the most one {} usage event may report, for",
                        plural(unit),
                        entry.kind.name()
                    ),
                )]
            }
        };
        for (field, count, limit, what) in limits {
            if let Some(limit) = limit.filter(|&limit| count > limit) {
                return Err(Error::invalid_input(format!(
                    "{field} is {count}, above {limit} {what} {}",
                    Quoted(&entry.id)
                )));
            }
        }
        Ok(())
    }
}

/// What several `unit`s are called in messages.
fn plural(unit: Unit) -> &'static str {
    match unit {
        Unit::Image => "images",
        Unit::Second => "seconds",
        Unit::Character => "characters",
        Unit::Token => "tokens",
        Unit::Query => "queries",
        Unit::Invocation => "invocations",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::estimate::MAX_COUNT;

    fn usage(model: &str) -> UsageRequest {
        UsageRequest {
            model: model.to_owned(),
            ..UsageRequest::default()
        }
    }

    fn message(request: &UsageRequest) -> String {
        let err = Catalog::builtin().check_plausible(request).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput, "{}", err.message);
        err.message
    }

    #[test]
    fn prompts_beyond_the_context_window_are_refused() {
        let at_limit = UsageRequest {
            input_tokens: 128_000,
            cached_input_tokens: 100_000,
            output_tokens: 16_384,
            ..usage("gpt-4o")
        };
        assert_eq!(Catalog::builtin().check_plausible(&at_limit), Ok(()));
        let huge = UsageRequest {
            input_tokens: 50_000_000,
            ..usage("gpt-4o")
        };
        assert_eq!(
            message(&huge),
            "inputTokens is 50000000, above 128000 tokens, the context window (contextWindow) of \"gpt-4o\""
        );
        let one_over = UsageRequest {
            input_tokens: 128_001,
            ..usage("openai/gpt-4o-2024-08-06")
        };
        assert!(message(&one_over).contains("above 128000"));
    }

    #[test]
    fn output_beyond_the_output_limit_is_refused() {
        let over = UsageRequest {
            input_tokens: 10,
            output_tokens: 16_385,
            ..usage("gpt-4o")
        };
        assert_eq!(
            message(&over),
            "outputTokens is 16385, above 16384 tokens, the output limit (maxOutputTokens) of \"gpt-4o\""
        );
        // The prompt and the output are bounded apart, not their sum.
        let both_full = UsageRequest {
            input_tokens: 272_000,
            output_tokens: 128_000,
            ..usage("gpt-5.4-mini")
        };
        assert_eq!(Catalog::builtin().check_plausible(&both_full), Ok(()));
    }

    #[test]
    fn units_beyond_the_kinds_maximum_are_refused() {
        let most = UsageRequest {
            units: 600,
            ..usage("veo-3.1")
        };
        assert_eq!(Catalog::builtin().check_plausible(&most), Ok(()));
        let absurd = UsageRequest {
            units: MAX_COUNT,
            ..usage("veo-3.1")
        };
        assert_eq!(
            message(&absurd),
            "units is 9007199254740991, above 600 seconds, the most one video usage event may report, for \"veo-3.1\""
        );
        let images = UsageRequest {
            units: 101,
            ..usage("nano-banana")
        };
        assert!(message(&images).contains("above 100 images"));
    }

    #[test]
    fn every_unit_billed_entry_has_a_limit_and_every_text_model_both_limits() {
        for entry in Catalog::builtin().entries() {
            match entry.billing() {
                Billing::Units { unit, .. } => {
                    assert!(max_units(entry.kind, unit).is_some(), "{}", entry.id)
                }
                Billing::Tokens(_) => assert!(
                    entry.context_window.is_some() && entry.max_output_tokens.is_some(),
                    "{}",
                    entry.id
                ),
            }
        }
    }

    #[test]
    fn unknown_limits_unknown_models_and_units_without_a_maximum() {
        let document = serde_json::json!({"version": "v", "asOf": "2026-01-02", "source": "s",
            "entries": [{"id": "m", "name": "M", "provider": "p", "kind": "text", "aliases": [],
                         "inputPer1M": "1", "outputPer1M": "2", "tiers": []}]});
        let catalog = Catalog::from_json(&document.to_string()).unwrap();
        let unbounded = UsageRequest {
            input_tokens: MAX_COUNT,
            output_tokens: MAX_COUNT,
            ..usage("m")
        };
        assert_eq!(catalog.check_plausible(&unbounded), Ok(()));
        assert_eq!(
            catalog.check_plausible(&usage("gpt-4o")).unwrap_err().code,
            ErrorCode::UnknownModel
        );
        let document = serde_json::json!({"version": "v", "asOf": "2026-01-02", "source": "s",
            "entries": [{"id": "v", "name": "V", "provider": "p", "kind": "video", "aliases": [],
                         "unit": "character", "pricePerUnit": "0.01", "tiers": []}]});
        let catalog = Catalog::from_json(&document.to_string()).unwrap();
        let err = catalog.check_plausible(&usage("v")).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert_eq!(
            err.message,
            "units of \"v\" cannot be checked: no per-event maximum is set for a video entry billed per character"
        );
    }
}
