//! Model-name resolution: from what an app or a provider's response calls a
//! model to exactly one catalog entry, or a typed `unknown_model` error.
//!
//! Accepted, case-insensitively and ignoring surrounding spaces:
//! - the canonical id (`"gpt-4o"`) or an alias (`"chatgpt-4o-latest"`);
//! - a provider-qualified name, `"openai/gpt-4o"` or `"openai:gpt-4o"`. The
//!   provider is respected: `"anthropic/gpt-4o"` is `unknown_model`, never
//!   silently priced as OpenAI's model. Provider slugs have a few spellings
//!   ([`canonical_provider`]: `"google"`/`"gemini"`, `"meta"`/`"meta-llama"`, ...);
//! - a dated or versioned snapshot of a known name (`"gpt-4o-2024-08-06"`,
//!   `"claude-sonnet-4-5-20250929"`, `"claude-sonnet-4-5@20250929"`,
//!   `"mistral-large-2512"`, `"gemini-2.5-pro-001"`, `"grok-4.3-latest"`), see
//!   [`strip_snapshot`]. Exact names win over snapshot stripping.
//!
//! An unknown name is never a silent zero: the error message suggests up to
//! three close catalog ids (edit distance via `strsim`, or a shared prefix).

use crate::catalog::Entry;
use crate::error::{Error, ErrorCode, Quoted, Result};
use crate::text;
use std::borrow::Cow;

/// How many suggestions an `unknown_model` message offers at most.
const MAX_SUGGESTIONS: usize = 3;

/// Every normalized id and alias with its entry's position, sorted by name
/// (a binary search finds one; smaller in the wasm than a map).
#[derive(Debug, Clone)]
pub struct NameIndex {
    names: Vec<(String, usize)>,
}

impl NameIndex {
    /// Indexes `entries`; a name (id or alias) used twice is `invalid_input`.
    pub fn new(entries: &[Entry]) -> Result<NameIndex> {
        let mut names: Vec<(String, usize)> = entries
            .iter()
            .enumerate()
            .flat_map(|(position, entry)| {
                std::iter::once(&entry.id)
                    .chain(&entry.aliases)
                    .map(move |name| (normalize(name).into_owned(), position))
            })
            .collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            let (first, second) = (&entries[pair[0].1], &entries[pair[1].1]);
            let name = std::iter::once(&second.id)
                .chain(&second.aliases)
                .find(|name| normalize(name) == pair[0].0.as_str())
                .unwrap_or(&second.id);
            return Err(Error::invalid_input(format!(
                "catalog name {} is used by both {} and {}",
                Quoted(name),
                Quoted(&first.id),
                Quoted(&second.id)
            )));
        }
        Ok(NameIndex { names })
    }

    /// The position of the entry named `name` (normalized).
    fn get(&self, name: &str) -> Option<usize> {
        self.names
            .binary_search_by(|(known, _)| known.as_str().cmp(name))
            .ok()
            .map(|found| self.names[found].1)
    }

    /// The position in `entries` of the entry `name` refers to.
    pub fn resolve(&self, entries: &[Entry], name: &str) -> Result<usize> {
        // Names usually arrive normalized already: looked up without a copy.
        let normalized = normalize(name);
        if normalized.is_empty() {
            return Err(Error::invalid_input(
                "model is required: pass a catalog id such as \"gpt-4o\" (listModels() lists them)",
            ));
        }
        let (provider, model) = split_provider(&normalized);
        let provider = match provider {
            None => None,
            Some(slug) => Some(canonical_provider(slug).ok_or_else(|| {
                unknown(
                    name,
                    &format!("{} is not a known provider", Quoted(slug)),
                    self.suggest(entries, model, None),
                )
            })?),
        };
        let found = self
            .get(model)
            .or_else(|| strip_snapshot(model).and_then(|base| self.get(base)));
        match (found, provider) {
            (Some(position), None) => Ok(position),
            (Some(position), Some(provider)) if entries[position].provider == provider => {
                Ok(position)
            }
            (Some(position), Some(provider)) => {
                let entry = &entries[position];
                let suggestion = format!("{}/{}", entry.provider, entry.id);
                Err(unknown(
                    name,
                    &format!(
                        "provider {} has no model {}",
                        Quoted(provider),
                        Quoted(model)
                    ),
                    vec![suggestion],
                ))
            }
            (None, _) => Err(unknown(
                name,
                "no catalog entry has this name",
                self.suggest(entries, model, provider),
            )),
        }
    }

    /// Up to [`MAX_SUGGESTIONS`] canonical ids close to `model`, best first.
    fn suggest(&self, entries: &[Entry], model: &str, provider: Option<&str>) -> Vec<String> {
        let base = strip_snapshot(model).unwrap_or(model);
        let scored: Vec<(usize, &str)> = self
            .names
            .iter()
            .filter(|(_, position)| provider.map_or(true, |p| entries[*position].provider == p))
            .filter_map(|(name, position)| {
                let distance = strsim::levenshtein(base, name);
                let close = distance <= (base.len() / 3).max(2)
                    || (base.len() >= 3
                        && (name.starts_with(base) || base.starts_with(name.as_str())));
                close.then_some((distance, entries[*position].id.as_str()))
            })
            .collect();
        // The closest few, by (distance, id): picked one by one rather than
        // sorted, which would link a second sort into the wasm for three items.
        let mut ids: Vec<&str> = Vec::new();
        while ids.len() < MAX_SUGGESTIONS {
            match scored.iter().filter(|(_, id)| !ids.contains(id)).min() {
                Some(&(_, id)) => ids.push(id),
                None => break,
            }
        }
        ids.into_iter().map(str::to_owned).collect()
    }
}

/// An `unknown_model` error for `name` with a reason and suggestions.
fn unknown(name: &str, reason: &str, suggestions: Vec<String>) -> Error {
    let hint = if suggestions.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", quoted_list(&suggestions))
    };
    Error::new(
        ErrorCode::UnknownModel,
        format!(
            "unknown model {}: {reason}{hint} (listModels() lists every model)",
            Quoted(name)
        ),
    )
}

/// `"a", "b" or "c"`.
fn quoted_list(items: &[String]) -> String {
    let mut list = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            list.push_str(if i + 1 == items.len() { " or " } else { ", " });
        }
        list.push_str(&Quoted(item).to_string());
    }
    list
}

/// Lowercases and trims a model name for lookup; borrowed from `name` when
/// there is no uppercase ASCII to lower.
pub fn normalize(name: &str) -> Cow<'_, str> {
    let trimmed = name.trim();
    if trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(trimmed.to_ascii_lowercase())
    } else {
        Cow::Borrowed(trimmed)
    }
}

/// Splits `"provider/model"` or `"provider:model"` at the first separator.
pub fn split_provider(name: &str) -> (Option<&str>, &str) {
    match name.bytes().position(|b| b == b'/' || b == b':') {
        Some(at) => (Some(&name[..at]), &name[at + 1..]),
        None => (None, name),
    }
}

/// The catalog's provider slug for a provider spelling, or `None` if unknown.
pub fn canonical_provider(slug: &str) -> Option<&'static str> {
    Some(match slug {
        "openai" => "openai",
        "anthropic" => "anthropic",
        "google" | "gemini" => "google",
        "xai" | "x-ai" => "xai",
        "deepseek" => "deepseek",
        "meta" | "meta-llama" | "meta_llama" => "meta",
        "mistral" | "mistralai" => "mistral",
        "elevenlabs" => "elevenlabs",
        "rork" => "rork",
        _ => return None,
    })
}

/// The name without a trailing snapshot or version marker, if it has one:
/// `-YYYY-MM-DD`, `-YYYYMMDD`, `@YYYYMMDD`, `-MM-DD`, `-MMYY`/`-YYMM` (4 digits),
/// `-NNN` (3 digits) or `-latest`.
pub fn strip_snapshot(name: &str) -> Option<&str> {
    let all_digits = |text: &str| text.bytes().all(|b| b.is_ascii_digit());
    if let Some(base) = name.strip_suffix("-latest") {
        return Some(base);
    }
    if let Some((base, date)) = text::rsplit_once(name, b'@') {
        return (date.len() == 8 && all_digits(date)).then_some(base);
    }
    // -YYYY-MM-DD and -MM-DD: peel numeric groups of the right lengths.
    // What `name.rsplitn(4, '-')` gives: up to three groups from the end, then the rest.
    let mut groups: Vec<&str> = Vec::with_capacity(4);
    let mut rest = name;
    while groups.len() < 3 {
        let Some((head, group)) = text::rsplit_once(rest, b'-') else {
            break;
        };
        groups.push(group);
        rest = head;
    }
    groups.push(rest);
    let numeric = |count: usize, lengths: &[usize]| {
        groups.len() > count
            && groups[..count]
                .iter()
                .rev()
                .zip(lengths)
                .all(|(group, &len)| group.len() == len && all_digits(group))
    };
    let cut = |count: usize| {
        let tail: usize = groups[..count].iter().map(|group| group.len() + 1).sum();
        &name[..name.len() - tail]
    };
    if numeric(3, &[4, 2, 2]) {
        return Some(cut(3));
    }
    if numeric(2, &[2, 2]) {
        return Some(cut(2));
    }
    if numeric(1, &[8]) || numeric(1, &[4]) || numeric(1, &[3]) {
        return Some(cut(1));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn id(name: &str) -> Result<&'static str> {
        Catalog::builtin()
            .resolve(name)
            .map(|entry| entry.id.as_str())
    }

    #[test]
    fn canonical_ids_aliases_and_case() {
        assert_eq!(id("gpt-4o").unwrap(), "gpt-4o");
        assert_eq!(id("  GPT-4o ").unwrap(), "gpt-4o");
        assert_eq!(id("claude-sonnet-4-6").unwrap(), "claude-sonnet-4-6");
    }

    #[test]
    fn provider_prefixes_are_accepted_and_respected() {
        assert_eq!(id("openai/gpt-4o").unwrap(), "gpt-4o");
        assert_eq!(id("openai:gpt-4o").unwrap(), "gpt-4o");
        assert_eq!(id("gemini/gemini-2.5-pro").unwrap(), "gemini-2.5-pro");
        assert_eq!(id("google/gemini-2.5-pro").unwrap(), "gemini-2.5-pro");
        let err = id("anthropic/gpt-4o").unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownModel);
        assert!(err.message.contains("\"openai/gpt-4o\""), "{}", err.message);
        let err = id("acme/gpt-4o").unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownModel);
        assert!(
            err.message.contains("not a known provider"),
            "{}",
            err.message
        );
    }

    #[test]
    fn dated_snapshots_resolve_to_their_entry() {
        assert_eq!(id("gpt-4o-2024-08-06").unwrap(), "gpt-4o");
        assert_eq!(id("openai/gpt-4o-2024-11-20").unwrap(), "gpt-4o");
        assert_eq!(id("claude-haiku-4-5-20251001").unwrap(), "claude-haiku-4-5");
        assert_eq!(id("claude-haiku-4-5@20251001").unwrap(), "claude-haiku-4-5");
        assert_eq!(id("gpt-4o-mini-2024-07-18").unwrap(), "gpt-4o-mini");
        assert_eq!(id("mistral-large-latest").unwrap(), "mistral-large");
    }

    #[test]
    fn snapshots_never_widen_to_a_different_model() {
        // A search-preview snapshot is not gpt-4o-mini.
        assert_eq!(
            id("gpt-4o-mini-search-preview-2025-03-11")
                .unwrap_err()
                .code,
            ErrorCode::UnknownModel
        );
    }

    #[test]
    fn unknown_models_suggest_close_matches() {
        let err = id("gpt-4-o").unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownModel);
        assert!(
            err.message.contains("did you mean \"gpt-4o\""),
            "{}",
            err.message
        );
        let err = id("claude-sonnet").unwrap_err();
        assert!(err.message.contains("claude-sonnet-4-"), "{}", err.message);
        let err = id("zzzzzzzzzzzz").unwrap_err();
        assert!(!err.message.contains("did you mean"), "{}", err.message);
    }

    #[test]
    fn normalize_borrows_normalized_names() {
        for name in [
            "gpt-4o",
            "GPT-4o",
            " gpt-4o",
            "gpt-4o\t",
            "",
            "openai/gpt-4o",
            "Ünï",
        ] {
            let normalized = normalize(name);
            assert_eq!(normalized, name.trim().to_ascii_lowercase(), "{name:?}");
            if normalized == name {
                assert!(matches!(normalized, Cow::Borrowed(_)), "{name:?}");
            }
        }
    }

    #[test]
    fn empty_name_is_invalid_input() {
        assert_eq!(id("  ").unwrap_err().code, ErrorCode::InvalidInput);
    }

    #[test]
    fn strip_snapshot_patterns() {
        assert_eq!(strip_snapshot("gpt-4o-2024-08-06"), Some("gpt-4o"));
        assert_eq!(
            strip_snapshot("claude-opus-4-5-20251101"),
            Some("claude-opus-4-5")
        );
        assert_eq!(strip_snapshot("x@20250101"), Some("x"));
        assert_eq!(
            strip_snapshot("gemini-2.5-flash-preview-05-20"),
            Some("gemini-2.5-flash-preview")
        );
        assert_eq!(strip_snapshot("mistral-embed-2312"), Some("mistral-embed"));
        assert_eq!(strip_snapshot("gemini-2.5-pro-001"), Some("gemini-2.5-pro"));
        assert_eq!(strip_snapshot("grok-4.3-latest"), Some("grok-4.3"));
        assert_eq!(strip_snapshot("gpt-4o"), None);
        assert_eq!(strip_snapshot("claude-sonnet-4-6"), None);
        assert_eq!(strip_snapshot("x@2025"), None);
    }

    #[test]
    fn duplicate_names_are_rejected() {
        let mut entry = Catalog::builtin().entries()[0].clone();
        entry.aliases = vec![entry.id.clone()];
        let err = NameIndex::new(&[entry.clone()]).unwrap_err();
        assert!(err.message.contains("used by both"), "{}", err.message);
        // The name as the later entry spells it, then the earlier entry's id.
        let mut other = entry.clone();
        other.id = "other".into();
        other.aliases = vec!["x".into(), entry.id.to_uppercase()];
        entry.aliases = vec![];
        let err = NameIndex::new(&[entry.clone(), other]).unwrap_err();
        assert_eq!(
            err.message,
            format!(
                "catalog name \"{}\" is used by both \"{}\" and \"other\"",
                entry.id.to_uppercase(),
                entry.id
            )
        );
    }
}
