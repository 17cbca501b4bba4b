//! The catalog document (the file format, the body of `GET /v1/models`, what
//! `loadCatalog` takes) read from a [`Value`], and catalog entries written to
//! one. The server reads the same document with the same reader
//! ([`Catalog::from_json`] parses the text, then calls [`Catalog::from_value`]).

use crate::catalog::{Catalog, Entry, Kind, Tier, Unit};
use crate::error::{Error, Result};
use crate::money;
use crate::value::{self, Fields, Value};
use rust_decimal::Decimal;

/// Every [`Kind`] by its name in the document.
const KINDS: [(&str, Kind); 8] = [
    ("text", Kind::Text),
    ("image", Kind::Image),
    ("video", Kind::Video),
    ("speech", Kind::Speech),
    ("transcription", Kind::Transcription),
    ("embedding", Kind::Embedding),
    ("search", Kind::Search),
    ("function", Kind::Function),
];

/// Every [`Unit`] by its name in the document.
const UNITS: [(&str, Unit); 6] = [
    ("image", Unit::Image),
    ("second", Unit::Second),
    ("character", Unit::Character),
    ("token", Unit::Token),
    ("query", Unit::Query),
    ("invocation", Unit::Invocation),
];

/// The fields of the document, in the order they are written.
const DOCUMENT_FIELDS: [&str; 4] = ["version", "asOf", "source", "entries"];
/// The fields of an entry, in the order they are written.
const ENTRY_FIELDS: [&str; 15] = [
    "id",
    "name",
    "provider",
    "kind",
    "aliases",
    "contextWindow",
    "maxOutputTokens",
    "inputPer1M",
    "cachedInputPer1M",
    "cacheWritePer1M",
    "outputPer1M",
    "unit",
    "pricePerUnit",
    "tiers",
    "note",
];
/// The fields of a tier, in the order they are written.
const TIER_FIELDS: [&str; 5] = [
    "aboveInputTokens",
    "inputPer1M",
    "cachedInputPer1M",
    "cacheWritePer1M",
    "outputPer1M",
];

impl Catalog {
    /// Reads and validates a catalog document (see [`crate::catalog`]).
    /// Errors are `invalid_input`: `catalog JSON is invalid: ...` naming the
    /// field (`entries[3].inputPer1M`) for a document of the wrong shape, the
    /// validation message ([`Catalog::new`]) for one with wrong content.
    pub fn from_value(document: &Value) -> Result<Catalog> {
        let read = || {
            let fields = Fields::of(document, "", "a catalog document", &DOCUMENT_FIELDS)?;
            Ok((
                fields.required("version", value::string)?,
                fields.required("asOf", value::string)?,
                fields.required("source", value::string)?,
                fields.required("entries", |entries, path| value::list(entries, path, entry))?,
            ))
        };
        let (version, as_of, source, entries) = read().map_err(|error: Error| {
            Error::invalid_input(format!("catalog JSON is invalid: {}", error.message))
        })?;
        Catalog::new(version, as_of, source, entries)
    }
}

/// One entry of the document.
fn entry(value: &Value, path: &str) -> Result<Entry> {
    let fields = Fields::of(value, path, "a catalog entry", &ENTRY_FIELDS)?;
    Ok(Entry {
        id: fields.required("id", value::string)?,
        name: fields.required("name", value::string)?,
        provider: fields.required("provider", value::string)?,
        kind: fields.required("kind", |kind, path| value::one_of(kind, path, &KINDS))?,
        aliases: fields.required("aliases", |aliases, path| {
            value::list(aliases, path, value::string)
        })?,
        context_window: fields.optional("contextWindow", value::count)?,
        max_output_tokens: fields.optional("maxOutputTokens", value::count)?,
        input_per_1m: fields.optional("inputPer1M", price)?,
        cached_input_per_1m: fields.optional("cachedInputPer1M", price)?,
        cache_write_per_1m: fields.optional("cacheWritePer1M", price)?,
        output_per_1m: fields.optional("outputPer1M", price)?,
        unit: fields.optional("unit", |unit, path| value::one_of(unit, path, &UNITS))?,
        price_per_unit: fields.optional("pricePerUnit", price)?,
        tiers: fields.required("tiers", |tiers, path| value::list(tiers, path, tier))?,
        note: fields.optional("note", value::string)?,
    })
}

/// One tier of an entry.
fn tier(value: &Value, path: &str) -> Result<Tier> {
    let fields = Fields::of(value, path, "a tier", &TIER_FIELDS)?;
    Ok(Tier {
        above_input_tokens: fields.required("aboveInputTokens", value::count)?,
        input_per_1m: fields.required("inputPer1M", price)?,
        cached_input_per_1m: fields.optional("cachedInputPer1M", price)?,
        cache_write_per_1m: fields.optional("cacheWritePer1M", price)?,
        output_per_1m: fields.required("outputPer1M", price)?,
    })
}

/// A price: a decimal string (never a JSON number, which may have lost digits).
fn price(value: &Value, path: &str) -> Result<Decimal> {
    match value {
        Value::String(text) => money::parse_price(path, text),
        other => Err(Error::invalid_input(format!(
            "{path} must be a decimal string such as \"2.50\", got {}",
            other.describe()
        ))),
    }
}

/// The document name of `choice` in `choices` (every variant has one: tested).
fn name_of<T: PartialEq>(choices: &[(&'static str, T)], choice: &T) -> &'static str {
    choices
        .iter()
        .find(|(_, known)| known == choice)
        .map_or("", |(name, _)| name)
}

impl Kind {
    /// The kind's name in the document (`"video"`).
    pub fn name(self) -> &'static str {
        name_of(&KINDS, &self)
    }
}

impl Unit {
    /// The unit's name in the document (`"second"`).
    pub fn name(self) -> &'static str {
        name_of(&UNITS, &self)
    }
}

/// An object with `names` (in order) for its field values.
fn object<const N: usize>(names: &[&str; N], values: [Value; N]) -> Value {
    Value::Object(
        names
            .iter()
            .map(|name| name.to_string())
            .zip(values)
            .collect(),
    )
}

impl From<&Tier> for Value {
    /// The tier as the document writes it.
    fn from(tier: &Tier) -> Value {
        object(
            &TIER_FIELDS,
            [
                tier.above_input_tokens.into(),
                tier.input_per_1m.into(),
                tier.cached_input_per_1m.into(),
                tier.cache_write_per_1m.into(),
                tier.output_per_1m.into(),
            ],
        )
    }
}

impl From<&Entry> for Value {
    /// The entry as the document writes it (what `listModels` returns).
    fn from(entry: &Entry) -> Value {
        let strings =
            |items: &[String]| Value::Array(items.iter().map(|s| s.as_str().into()).collect());
        object(
            &ENTRY_FIELDS,
            [
                entry.id.as_str().into(),
                entry.name.as_str().into(),
                entry.provider.as_str().into(),
                entry.kind.name().into(),
                strings(&entry.aliases),
                entry.context_window.into(),
                entry.max_output_tokens.into(),
                entry.input_per_1m.into(),
                entry.cached_input_per_1m.into(),
                entry.cache_write_per_1m.into(),
                entry.output_per_1m.into(),
                entry.unit.map(Unit::name).into(),
                entry.price_per_unit.into(),
                Value::Array(entry.tiers.iter().map(Value::from).collect()),
                entry.note.as_deref().into(),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::sorted;
    use serde_json::json;

    #[test]
    fn entries_have_the_serde_form() {
        for entry in Catalog::builtin().entries() {
            let serde_form = Value::from(serde_json::to_value(entry).unwrap());
            assert!(sorted(Value::from(entry)) == serde_form, "{}", entry.id);
        }
    }

    #[test]
    fn kind_and_unit_names_are_the_serde_names() {
        for (name, kind) in KINDS {
            assert_eq!(serde_json::to_value(kind).unwrap(), json!(name));
            assert_eq!(kind.name(), name);
        }
        for (name, unit) in UNITS {
            assert_eq!(serde_json::to_value(unit).unwrap(), json!(name));
            assert_eq!(unit.name(), name);
        }
    }

    #[test]
    fn written_entries_read_back() {
        let catalog = Catalog::builtin();
        let document = Value::Object(vec![
            ("version".into(), "v".into()),
            ("asOf".into(), catalog.as_of().into()),
            ("source".into(), "s".into()),
            (
                "entries".into(),
                Value::Array(catalog.entries().iter().map(Value::from).collect()),
            ),
        ]);
        assert_eq!(
            Catalog::from_value(&document).unwrap().entries(),
            catalog.entries()
        );
    }

    #[test]
    fn a_nullable_field_may_be_left_out() {
        let entry = json!({"id": "m", "name": "M", "provider": "p", "kind": "image", "aliases": [],
                           "unit": "image", "pricePerUnit": "0.04", "tiers": []});
        let document =
            json!({"version": "v", "asOf": "2026-01-02", "source": "s", "entries": [entry]});
        let catalog = Catalog::from_value(&Value::from(document)).unwrap();
        let entry = &catalog.entries()[0];
        assert_eq!(
            (entry.input_per_1m, entry.context_window, &entry.note),
            (None, None, &None)
        );
        let without_tiers = json!({"version": "v", "asOf": "2026-01-02", "source": "s",
                                   "entries": [{"id": "m", "name": "M", "provider": "p", "kind": "image",
                                                "aliases": [], "unit": "image", "pricePerUnit": "0.04"}]});
        let err = Catalog::from_value(&Value::from(without_tiers)).unwrap_err();
        assert_eq!(
            err.message,
            "catalog JSON is invalid: entries[0].tiers is required"
        );
    }

    #[test]
    fn shape_errors_name_the_field() {
        let mut entry = serde_json::to_value(&Catalog::builtin().entries()[0]).unwrap();
        entry["tiers"] = json!([{"aboveInputTokens": 10, "inputPer1M": "1", "outputPer1M": 2}]);
        let document =
            json!({"version": "v", "asOf": "2026-01-02", "source": "s", "entries": [entry]});
        let err = Catalog::from_value(&Value::from(document)).unwrap_err();
        assert_eq!(
            err.message,
            "catalog JSON is invalid: entries[0].tiers[0].outputPer1M must be a decimal string such as \"2.50\", got the number 2"
        );
        let err = Catalog::from_value(&Value::from(json!({"version": "v"}))).unwrap_err();
        assert_eq!(err.message, "catalog JSON is invalid: asOf is required");
        let err = Catalog::from_value(&Value::from(json!([]))).unwrap_err();
        assert!(
            err.message
                .contains("must be a catalog document, an object"),
            "{}",
            err.message
        );
    }
}
