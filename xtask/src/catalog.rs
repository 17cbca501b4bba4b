//! `cargo xtask catalog import <file>`: refreshes `core/catalog/models.json`
//! from LiteLLM's `model_prices_and_context_window.json`.
//!
//! Get the file from the `litellm` package on PyPI:
//! `pip download --no-deps -d DIR litellm`, then unzip
//! `litellm/model_prices_and_context_window_backup.json` from the wheel.
//!
//! Only the curated [`PICKS`] are imported (a few dozen entries: the catalog
//! ships to every user). LiteLLM stores prices as JSON numbers such as
//! `1.25e-06` per token; they are read from the number's TEXT (serde_json
//! `RawValue`) with rust_decimal's exact and scientific parsers, never through
//! `f64`, then shifted to per-1M-token prices. The result is built as a
//! [`Catalog`], so it passes the same validation as any catalog the SDK loads,
//! and written with [`Catalog::to_json`]. `asOf` is the import date (UTC) and
//! `version` is `asOf` plus a hash of the entries, so different prices never
//! share a version.

use rork_cloud_credits_core::catalog::{Catalog, Entry, Kind, Tier, Unit};
use rust_decimal::Decimal;
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::path::Path;

/// One LiteLLM model's fields, values kept as raw JSON text.
type RawModel = HashMap<String, Box<RawValue>>;

/// How a pick is priced.
enum Pricing {
    /// Per token: LiteLLM's `input_cost_per_token`, `output_cost_per_token`,
    /// `cache_read_input_token_cost`, `cache_creation_input_token_cost` and
    /// `*_above_<N>k_tokens` tiers; the limits from `max_input_tokens`
    /// (`contextWindow`) and `max_output_tokens` (`maxOutputTokens`).
    Tokens,
    /// Per unit, from one LiteLLM per-unit field.
    Unit(Unit, &'static str),
    /// Per unit at a fixed price where no list price exists in LiteLLM.
    Fixed(Unit, &'static str),
}

/// One curated catalog entry and where its price comes from.
struct Pick {
    id: &'static str,
    name: &'static str,
    provider: &'static str,
    kind: Kind,
    litellm: &'static str,
    aliases: &'static [&'static str],
    pricing: Pricing,
    note: Option<&'static str>,
}

/// A pick priced per token from the LiteLLM entry `litellm`.
const fn text(
    id: &'static str,
    name: &'static str,
    provider: &'static str,
    litellm: &'static str,
    aliases: &'static [&'static str],
) -> Pick {
    Pick {
        id,
        name,
        provider,
        kind: Kind::Text,
        litellm,
        aliases,
        pricing: Pricing::Tokens,
        note: None,
    }
}

/// A pick priced per `unit` from the LiteLLM field `field` of entry `litellm`.
#[allow(clippy::too_many_arguments)]
const fn per_unit(
    id: &'static str,
    name: &'static str,
    provider: &'static str,
    kind: Kind,
    litellm: &'static str,
    aliases: &'static [&'static str],
    unit: Unit,
    field: &'static str,
) -> Pick {
    Pick {
        id,
        name,
        provider,
        kind,
        litellm,
        aliases,
        pricing: Pricing::Unit(unit, field),
        note: None,
    }
}

/// The same pick with a note on where its price comes from.
const fn noted(pick: Pick, note: &'static str) -> Pick {
    Pick {
        note: Some(note),
        ..pick
    }
}

const MEDIUM_1024: &str =
    "Priced per image at medium quality, 1024x1024; other qualities and sizes cost more or less.";
const HOSTED_BY_TOGETHER: &str =
    "Meta publishes no API list price; priced at Together AI's hosted list price.";

/// The curated catalog: current text models of the major providers, plus
/// image, video, speech, transcription, embedding, web search and functions.
const PICKS: &[Pick] = &[
    text("gpt-5.5", "GPT-5.5", "openai", "gpt-5.5", &[]),
    text("gpt-5.4", "GPT-5.4", "openai", "gpt-5.4", &[]),
    text("gpt-5.4-mini", "GPT-5.4 mini", "openai", "gpt-5.4-mini", &[]),
    text("gpt-5.4-nano", "GPT-5.4 nano", "openai", "gpt-5.4-nano", &[]),
    text("gpt-4.1", "GPT-4.1", "openai", "gpt-4.1", &[]),
    text("gpt-4.1-mini", "GPT-4.1 mini", "openai", "gpt-4.1-mini", &[]),
    text("gpt-4o", "GPT-4o", "openai", "gpt-4o", &[]),
    text("gpt-4o-mini", "GPT-4o mini", "openai", "gpt-4o-mini", &[]),
    text("o3", "o3", "openai", "o3", &[]),
    text("o4-mini", "o4-mini", "openai", "o4-mini", &[]),
    text("claude-opus-4-7", "Claude Opus 4.7", "anthropic", "claude-opus-4-7", &["claude-opus-4.7"]),
    text("claude-sonnet-4-6", "Claude Sonnet 4.6", "anthropic", "claude-sonnet-4-6", &["claude-sonnet-4.6"]),
    text("claude-sonnet-4-5", "Claude Sonnet 4.5", "anthropic", "claude-sonnet-4-5", &["claude-sonnet-4.5"]),
    text("claude-haiku-4-5", "Claude Haiku 4.5", "anthropic", "claude-haiku-4-5", &["claude-haiku-4.5"]),
    text("gemini-3.1-pro-preview", "Gemini 3.1 Pro (preview)", "google", "gemini/gemini-3.1-pro-preview", &["gemini-3.1-pro"]),
    text("gemini-3.5-flash", "Gemini 3.5 Flash", "google", "gemini/gemini-3.5-flash", &[]),
    text("gemini-2.5-pro", "Gemini 2.5 Pro", "google", "gemini/gemini-2.5-pro", &[]),
    text("gemini-2.5-flash", "Gemini 2.5 Flash", "google", "gemini/gemini-2.5-flash", &[]),
    text("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", "google", "gemini/gemini-2.5-flash-lite", &[]),
    text("grok-4.3", "Grok 4.3", "xai", "xai/grok-4.3", &[]),
    text("grok-code-fast-1", "Grok Code Fast 1", "xai", "xai/grok-code-fast-1", &["grok-code-fast"]),
    text("deepseek-v4-pro", "DeepSeek V4 Pro", "deepseek", "deepseek/deepseek-v4-pro", &[]),
    text("deepseek-v4-flash", "DeepSeek V4 Flash", "deepseek", "deepseek/deepseek-v4-flash", &[]),
    noted(
        text("llama-4-maverick", "Llama 4 Maverick", "meta", "deepinfra/meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", &["llama-4-maverick-17b-128e-instruct", "llama-4-maverick-17b-128e-instruct-fp8"]),
        "Meta publishes no API list price; priced at DeepInfra's hosted list price.",
    ),
    noted(
        text("llama-4-scout", "Llama 4 Scout", "meta", "together_ai/meta-llama/Llama-4-Scout-17B-16E-Instruct", &["llama-4-scout-17b-16e-instruct"]),
        HOSTED_BY_TOGETHER,
    ),
    noted(
        text("llama-3.3-70b", "Llama 3.3 70B", "meta", "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo", &["llama-3.3-70b-instruct", "llama-3.3-70b-instruct-turbo"]),
        HOSTED_BY_TOGETHER,
    ),
    text("mistral-large", "Mistral Large 3", "mistral", "mistral/mistral-large-latest", &["mistral-large-3"]),
    text("mistral-medium", "Mistral Medium", "mistral", "mistral/mistral-medium-latest", &[]),
    text("mistral-small", "Mistral Small", "mistral", "mistral/mistral-small-latest", &[]),
    noted(
        per_unit("gpt-image-1.5", "GPT Image 1.5", "openai", Kind::Image, "medium/1024-x-1024/gpt-image-1.5", &[], Unit::Image, "input_cost_per_image"),
        MEDIUM_1024,
    ),
    noted(
        per_unit("gpt-image-1-mini", "GPT Image 1 mini", "openai", Kind::Image, "medium/1024-x-1024/gpt-image-1-mini", &[], Unit::Image, "input_cost_per_image"),
        MEDIUM_1024,
    ),
    per_unit("gemini-2.5-flash-image", "Gemini 2.5 Flash Image (Nano Banana)", "google", Kind::Image, "gemini/gemini-2.5-flash-image", &["nano-banana"], Unit::Image, "output_cost_per_image"),
    per_unit("gemini-3-pro-image-preview", "Gemini 3 Pro Image (Nano Banana Pro)", "google", Kind::Image, "gemini/gemini-3-pro-image-preview", &["nano-banana-pro", "gemini-3-pro-image"], Unit::Image, "output_cost_per_image"),
    per_unit("grok-imagine-image", "Grok Imagine Image", "xai", Kind::Image, "xai/grok-imagine-image", &[], Unit::Image, "input_cost_per_image"),
    per_unit("sora-2", "Sora 2", "openai", Kind::Video, "sora-2", &[], Unit::Second, "output_cost_per_video_per_second"),
    per_unit("sora-2-pro", "Sora 2 Pro", "openai", Kind::Video, "sora-2-pro", &[], Unit::Second, "output_cost_per_video_per_second"),
    noted(
        per_unit("veo-3.1", "Veo 3.1", "google", Kind::Video, "gemini/veo-3.1-generate-preview", &["veo-3.1-generate-preview"], Unit::Second, "output_cost_per_second"),
        "Priced per second of 720p/1080p video; 4K costs more.",
    ),
    noted(
        per_unit("veo-3.1-fast", "Veo 3.1 Fast", "google", Kind::Video, "gemini/veo-3.1-fast-generate-preview", &["veo-3.1-fast-generate-preview"], Unit::Second, "output_cost_per_second"),
        "Priced per second of 720p video; 1080p and 4K cost more.",
    ),
    noted(
        per_unit("grok-imagine-video", "Grok Imagine Video", "xai", Kind::Video, "xai/grok-imagine-video", &[], Unit::Second, "output_cost_per_second"),
        "Priced per second of 480p video; 720p costs more.",
    ),
    per_unit("tts-1", "TTS-1", "openai", Kind::Speech, "tts-1", &[], Unit::Character, "input_cost_per_character"),
    per_unit("tts-1-hd", "TTS-1 HD", "openai", Kind::Speech, "tts-1-hd", &[], Unit::Character, "input_cost_per_character"),
    per_unit("eleven-multilingual-v2", "ElevenLabs Multilingual v2", "elevenlabs", Kind::Speech, "elevenlabs/eleven_multilingual_v2", &["eleven_multilingual_v2"], Unit::Character, "input_cost_per_character"),
    per_unit("whisper-1", "Whisper", "openai", Kind::Transcription, "whisper-1", &["whisper"], Unit::Second, "input_cost_per_second"),
    per_unit("gpt-4o-transcribe", "GPT-4o Transcribe", "openai", Kind::Transcription, "gpt-4o-transcribe", &[], Unit::Second, "input_cost_per_second"),
    per_unit("gpt-4o-mini-transcribe", "GPT-4o mini Transcribe", "openai", Kind::Transcription, "gpt-4o-mini-transcribe", &[], Unit::Second, "input_cost_per_second"),
    per_unit("text-embedding-3-small", "Text Embedding 3 Small", "openai", Kind::Embedding, "text-embedding-3-small", &[], Unit::Token, "input_cost_per_token"),
    per_unit("text-embedding-3-large", "Text Embedding 3 Large", "openai", Kind::Embedding, "text-embedding-3-large", &[], Unit::Token, "input_cost_per_token"),
    per_unit("gemini-embedding-001", "Gemini Embedding", "google", Kind::Embedding, "gemini/gemini-embedding-001", &[], Unit::Token, "input_cost_per_token"),
    per_unit("mistral-embed", "Mistral Embed", "mistral", Kind::Embedding, "mistral/mistral-embed", &[], Unit::Token, "input_cost_per_token"),
    noted(
        per_unit("web-search", "Web search", "rork", Kind::Search, "perplexity/search", &["search"], Unit::Query, "input_cost_per_query"),
        "Rork publishes no per-query list price for web search; priced at the Perplexity Search API list price (USD 5 per 1,000 queries) as recorded by LiteLLM. The server's /v1/models price is authoritative.",
    ),
    Pick {
        id: "backend-functions",
        name: "Backend functions",
        provider: "rork",
        kind: Kind::Function,
        litellm: "",
        aliases: &["functions", "function"],
        pricing: Pricing::Fixed(Unit::Invocation, "0.0000003"),
        note: Some("No public list price exists for Rork backend functions (LiteLLM has none either); this is a placeholder at Cloudflare Workers' published USD 0.30 per million requests. The server's /v1/models price is authoritative."),
    },
];

/// Reads the LiteLLM price file at `path` and writes the curated catalog to `out`.
pub fn import(path: &Path, out: &Path) -> Result<(), String> {
    let text = crate::files::read(path)?;
    let catalog = build(&text, &today_utc())?;
    crate::files::write(out, &(catalog.to_json() + "\n"))?;
    println!(
        "catalog: {} entries, version {}, written to {}",
        catalog.entries().len(),
        catalog.version(),
        out.display()
    );
    Ok(())
}

/// Builds the curated catalog from LiteLLM's JSON text, dated `as_of`.
fn build(litellm_json: &str, as_of: &str) -> Result<Catalog, String> {
    let models: HashMap<String, Box<RawValue>> = serde_json::from_str(litellm_json)
        .map_err(|e| format!("LiteLLM file is not a JSON object: {e}"))?;
    let entries = PICKS
        .iter()
        .map(|pick| {
            entry(pick, &models).map_err(|e| format!("{} ({}): {e}", pick.id, pick.litellm))
        })
        .collect::<Result<Vec<Entry>, String>>()?;
    let entries_json = serde_json::to_string(&entries).map_err(|e| e.to_string())?;
    let version = format!("{as_of}.{:08x}", fnv1a(entries_json.as_bytes()) as u32);
    let source = "Providers' published list prices as recorded in LiteLLM's \
                  model_prices_and_context_window.json (PyPI package litellm), imported with \
                  `cargo xtask catalog import`; an entry's note names any other source.";
    Catalog::new(version, as_of, source, entries).map_err(|e| e.to_string())
}

/// The catalog entry for `pick`.
fn entry(pick: &Pick, models: &HashMap<String, Box<RawValue>>) -> Result<Entry, String> {
    let mut entry = Entry {
        id: pick.id.to_owned(),
        name: pick.name.to_owned(),
        provider: pick.provider.to_owned(),
        kind: pick.kind,
        aliases: pick.aliases.iter().map(|alias| alias.to_string()).collect(),
        context_window: None,
        max_output_tokens: None,
        input_per_1m: None,
        cached_input_per_1m: None,
        cache_write_per_1m: None,
        output_per_1m: None,
        unit: None,
        price_per_unit: None,
        tiers: Vec::new(),
        note: pick.note.map(str::to_owned),
    };
    match pick.pricing {
        Pricing::Fixed(unit, price) => {
            entry.unit = Some(unit);
            entry.price_per_unit = Some(exact(price)?);
        }
        Pricing::Unit(unit, field) => {
            let model = lookup(models, pick.litellm)?;
            entry.unit = Some(unit);
            entry.price_per_unit =
                Some(number(&model, field)?.ok_or_else(|| format!("no {field}"))?);
        }
        Pricing::Tokens => {
            let model = lookup(models, pick.litellm)?;
            entry.context_window = count(&model, "max_input_tokens")?;
            entry.max_output_tokens = count(&model, "max_output_tokens")?;
            let rates = |suffix: &str| -> Result<[Option<Decimal>; 4], String> {
                Ok([
                    per_million(&model, &format!("input_cost_per_token{suffix}"))?,
                    per_million(&model, &format!("cache_read_input_token_cost{suffix}"))?,
                    // A zero cache-write cost means "no separate rate": billed as input.
                    per_million(&model, &format!("cache_creation_input_token_cost{suffix}"))?
                        .filter(|rate| !rate.is_zero()),
                    per_million(&model, &format!("output_cost_per_token{suffix}"))?,
                ])
            };
            [
                entry.input_per_1m,
                entry.cached_input_per_1m,
                entry.cache_write_per_1m,
                entry.output_per_1m,
            ] = rates("")?;
            for threshold in tier_thresholds(&model) {
                let [input, cached, cache_write, output] =
                    rates(&format!("_above_{threshold}k_tokens"))?;
                let missing =
                    || format!("tier above {threshold}k tokens lacks an input or output price");
                entry.tiers.push(Tier {
                    above_input_tokens: threshold * 1000,
                    input_per_1m: input.ok_or_else(missing)?,
                    cached_input_per_1m: cached.or(entry.cached_input_per_1m),
                    cache_write_per_1m: cache_write.or(entry.cache_write_per_1m),
                    output_per_1m: output.ok_or_else(missing)?,
                });
            }
        }
    }
    Ok(entry)
}

/// The fields of the LiteLLM entry `key`.
fn lookup(models: &HashMap<String, Box<RawValue>>, key: &str) -> Result<RawModel, String> {
    let raw = models.get(key).ok_or("not in the LiteLLM file")?;
    serde_json::from_str(raw.get()).map_err(|e| e.to_string())
}

/// The `N` of every `input_cost_per_token_above_<N>k_tokens` field, ascending.
fn tier_thresholds(model: &RawModel) -> Vec<u64> {
    let mut thresholds: Vec<u64> = model
        .keys()
        .filter_map(|key| {
            key.strip_prefix("input_cost_per_token_above_")?
                .strip_suffix("k_tokens")?
                .parse()
                .ok()
        })
        .collect();
    thresholds.sort_unstable();
    thresholds
}

/// A per-token LiteLLM price as a per-1M-tokens price ("2.50"), exactly.
fn per_million(model: &RawModel, field: &str) -> Result<Option<Decimal>, String> {
    number(model, field)?
        .map(|per_token| {
            per_token
                .checked_mul(Decimal::from(1_000_000))
                .map(display_scale)
                .ok_or_else(|| format!("{field} is too large"))
        })
        .transpose()
}

/// A token-count field (`max_input_tokens`) as a whole number; `None` when absent or null.
fn count(model: &RawModel, field: &str) -> Result<Option<u64>, String> {
    number(model, field)?
        .map(|tokens| u64::try_from(tokens.trunc().mantissa()).map_err(|e| format!("{field}: {e}")))
        .transpose()
}

/// A numeric field read from its JSON text, exactly; `None` when absent or null.
fn number(model: &RawModel, field: &str) -> Result<Option<Decimal>, String> {
    match model.get(field).map(|raw| raw.get()) {
        None | Some("null") => Ok(None),
        Some(text) => exact(text).map(Some).map_err(|e| format!("{field}: {e}")),
    }
}

/// Parses a JSON number's text (`"0.042"`, `"1.25e-06"`) as an exact decimal.
fn exact(text: &str) -> Result<Decimal, String> {
    let parsed = if text.contains(['e', 'E']) {
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str_exact(text)
    };
    parsed
        .map(display_scale)
        .map_err(|e| format!("{text:?} is not an exact decimal: {e}"))
}

/// Drops trailing zeros but keeps at least two decimals: `2.5` → `2.50`.
fn display_scale(value: Decimal) -> Decimal {
    let mut value = value.normalize();
    if value.scale() < 2 {
        value.rescale(2);
    }
    value
}

/// 64-bit FNV-1a: a stable content hash for the catalog version.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Today's UTC date as `YYYY-MM-DD` (civil-from-days, proleptic Gregorian).
fn today_utc() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let days = (seconds / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A LiteLLM-format file holding every pick, with prices whose f64 form is inexact.
    fn fixture() -> String {
        let models: Vec<String> = PICKS
            .iter()
            .filter(|pick| !pick.litellm.is_empty())
            .map(|pick| {
                let body = match pick.pricing {
                    Pricing::Unit(_, field) => format!(r#"{{"{field}": 0.042}}"#),
                    _ => r#"{"max_input_tokens": 128000, "max_output_tokens": 16384, "input_cost_per_token": 1.25e-06,
                             "cache_read_input_token_cost": 1.25E-7, "cache_creation_input_token_cost": 0.0,
                             "output_cost_per_token": 1e-05, "input_cost_per_token_above_200k_tokens": 2.5e-06,
                             "output_cost_per_token_above_200k_tokens": 0.000015,
                             "output_cost_per_token_batches": 5e-06}"#
                        .to_owned(),
                };
                format!("{:?}: {body}", pick.litellm)
            })
            .collect();
        format!("{{{}}}", models.join(",\n"))
    }

    #[test]
    fn imports_prices_exactly_from_the_number_text() {
        let catalog = build(&fixture(), "2026-01-02").unwrap();
        assert_eq!(catalog.entries().len(), PICKS.len());
        let gpt = catalog.resolve("gpt-4o").unwrap();
        assert_eq!(gpt.input_per_1m.unwrap().to_string(), "1.25");
        assert_eq!(gpt.cached_input_per_1m.unwrap().to_string(), "0.125");
        assert_eq!(
            gpt.cache_write_per_1m, None,
            "a zero cache-write cost is no separate rate"
        );
        assert_eq!(gpt.output_per_1m.unwrap().to_string(), "10.00");
        assert_eq!(gpt.context_window, Some(128_000));
        assert_eq!(gpt.max_output_tokens, Some(16_384));
        assert_eq!(gpt.tiers.len(), 1);
        assert_eq!(gpt.tiers[0].above_input_tokens, 200_000);
        assert_eq!(gpt.tiers[0].output_per_1m.to_string(), "15.00");
        assert_eq!(gpt.tiers[0].cached_input_per_1m, gpt.cached_input_per_1m);
        let image = catalog.resolve("gpt-image-1.5").unwrap();
        assert_eq!(image.price_per_unit.unwrap().to_string(), "0.042");
        assert_eq!(image.input_per_1m, None);
        assert_eq!(image.max_output_tokens, None);
        let functions = catalog.resolve("backend-functions").unwrap();
        assert_eq!(functions.price_per_unit.unwrap().to_string(), "0.0000003");
        assert!(catalog.version().starts_with("2026-01-02."));
    }

    #[test]
    fn version_changes_with_prices() {
        let a = build(&fixture(), "2026-01-02").unwrap();
        let b = build(&fixture().replace("1e-05", "2e-05"), "2026-01-02").unwrap();
        assert_ne!(a.version(), b.version());
    }

    #[test]
    fn a_missing_model_names_the_pick() {
        let err = build("{}", "2026-01-02").unwrap_err();
        assert!(err.contains("gpt-5.5"), "{err}");
        assert!(build("[]", "2026-01-02").is_err());
    }

    #[test]
    fn today_is_a_plausible_date() {
        let today = today_utc();
        assert_eq!(today.len(), 10);
        assert!(today.as_str() > "2025-01-01", "{today}");
    }
}
