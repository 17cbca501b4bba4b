//! The persisted form of the usage queue, and reading it back defensively.
//!
//! ```json
//! {"kind":"rork-cloud-credits/usage-queue","version":1,
//!  "events":[{"queuedAt":1764072000000,"event":{"id":"…","model":"gpt-4o",…}}]}
//! ```
//!
//! Storage is shared with the rest of the app and with other versions of the
//! SDK, so what is read back may be anything: unreadable JSON or a document of
//! another kind or version is discarded as a whole, a document with some
//! unreadable events keeps the readable ones. Either way the caller learns
//! what was discarded; nothing here panics.

use crate::error::{Error, Result};
use crate::estimate::UsageRequest;
use crate::value::{self, Fields, Value};
use crate::wire::UsageEvent;

/// The `kind` that marks a document as a usage queue of this SDK.
const KIND: &str = "rork-cloud-credits/usage-queue";
/// The format version written and understood.
const VERSION: u64 = 1;

/// A stored event's own fields, next to its request's ([`UsageRequest::FIELDS`]):
/// a [`UsageEvent`] as it crosses the wire.
const EVENT_FIELDS: [&str; 6] = [
    "id",
    "projectId",
    "feature",
    "holdId",
    "occurredAt",
    "endUser",
];

/// Writes the persisted form of `(event JSON, queuedAt)` pairs.
pub(super) fn write<'a>(entries: impl Iterator<Item = (&'a str, u64)>) -> String {
    let mut out = format!(r#"{{"kind":"{KIND}","version":{VERSION},"events":["#);
    for (i, (json, queued_at)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(r#"{{"queuedAt":{queued_at},"event":{json}}}"#));
    }
    out.push_str("]}");
    out
}

/// What a persisted document held.
pub(super) struct Restored {
    /// The readable events with their `queuedAt`, in stored order.
    pub events: Vec<(UsageEvent, u64)>,
    /// How many stored events were unreadable (0 when the whole document was:
    /// then their number is unknown and `error` says so).
    pub discarded: usize,
    /// Why something was discarded.
    pub error: Option<Error>,
}

/// Reads a persisted document, as the engine's `JSON.parse` (or serde_json)
/// read its text: the SDK carries no JSON parser of its own.
pub(super) fn read(document: &Value) -> Restored {
    let header = Fields::lenient(document, "", "a usage queue").and_then(|fields| {
        let kind = fields.required("kind", value::string)?;
        let version = fields.required("version", value::count)?;
        let events = fields.required("events", |events, path| match events {
            Value::Array(items) => Ok(items),
            other => Err(Error::invalid_input(format!(
                "{path} must be an array, got {}",
                other.describe()
            ))),
        })?;
        Ok((kind, version, events))
    });
    let (kind, version, stored) = match header {
        Ok(header) => header,
        Err(e) => return discarded_whole(format!("it is not a usage queue ({})", e.message)),
    };
    if kind != KIND || version != VERSION {
        return discarded_whole(format!(
            "it is a {kind} version {version} document, not a {KIND} version {VERSION}"
        ));
    }
    let total = stored.len();
    // Each event is read on its own, so that an unreadable one is skipped.
    let events: Vec<(UsageEvent, u64)> = stored
        .iter()
        .filter_map(|slot| stored_event(slot).ok())
        .filter(|(event, _)| !event.id.is_empty())
        .collect();
    let discarded = total - events.len();
    let error = (discarded > 0).then(|| {
        Error::invalid_input(format!(
            "discarded {discarded} of {total} stored usage events: they were unreadable"
        ))
    });
    Restored {
        events,
        discarded,
        error,
    }
}

/// One stored `{ "queuedAt": ms, "event": {...} }`, read as serde reads a
/// [`UsageEvent`]: unknown event fields refused, absent or `null` options `None`.
fn stored_event(slot: &Value) -> Result<(UsageEvent, u64)> {
    let stored = Fields::lenient(slot, "", "a stored event")?;
    let queued_at = stored.required("queuedAt", value::count)?;
    let event = stored.required("event", |event, path| {
        let fields = UsageRequest::fields(event, path, &EVENT_FIELDS)?;
        let text = |name| fields.optional(name, value::string);
        Ok(UsageEvent {
            id: fields.required("id", value::string)?,
            project_id: text("projectId")?,
            usage: UsageRequest::read(&fields)?,
            feature: text("feature")?,
            hold_id: text("holdId")?,
            occurred_at: text("occurredAt")?,
            end_user: text("endUser")?,
        })
    })?;
    Ok((event, queued_at))
}

/// A document that is no usage queue of this SDK: nothing restored, and why.
pub(super) fn discarded_whole(why: String) -> Restored {
    Restored {
        events: Vec::new(),
        discarded: 0,
        error: Some(Error::invalid_input(format!(
            "discarded the stored usage queue: {why}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored slot around `event` (JSON text), as a `Value`.
    fn slot(event: &str) -> Value {
        let text = format!(r#"{{"queuedAt":5,"event":{event}}}"#);
        serde_json::from_str::<serde_json::Value>(&text)
            .unwrap()
            .into()
    }

    #[test]
    fn stored_events_are_read_as_serde_reads_a_usage_event() {
        for event in [
            r#"{"id":"a","model":"gpt-4o","inputTokens":10,"outputTokens":2}"#,
            r#"{"id":"a","model":"gpt-4o","projectId":"p","feature":"chat","holdId":"h","occurredAt":"2026-12-04T00:00:00Z","endUser":"u"}"#,
            r#"{"id":"a","model":"gpt-4o","feature":null,"holdId":null,"endUser":null}"#,
            r#"{"id":"a","model":"sora-2","units":8}"#,
            r#"{"id":"","model":"gpt-4o"}"#,
            r#"{"id":"a","model":"gpt-4o","outputToken":2}"#,
            r#"{"id":"a","model":"gpt-4o","inputTokens":null}"#,
            r#"{"id":"a","model":"gpt-4o","inputTokens":-1}"#,
            r#"{"id":"a","model":"gpt-4o","inputTokens":1.5}"#,
            r#"{"id":"a","model":"gpt-4o","feature":3}"#,
            r#"{"id":null,"model":"gpt-4o"}"#,
            r#"{"model":"gpt-4o"}"#,
            r#"{"id":"a"}"#,
            r#"[]"#,
            r#""a""#,
        ] {
            let ours = stored_event(&slot(event));
            let serde = serde_json::from_str::<UsageEvent>(event).map(|event| (event, 5));
            assert_eq!(ours.ok(), serde.ok(), "{event}");
        }
    }

    #[test]
    fn the_written_form_reads_back() {
        let json = r#"{"id":"a","model":"gpt-4o","outputTokens":3}"#;
        let text = write([(json, 7), (json, 9)].into_iter());
        let document = serde_json::from_str::<serde_json::Value>(&text)
            .unwrap()
            .into();
        let restored = read(&document);
        let event = serde_json::from_str::<UsageEvent>(json).unwrap();
        assert_eq!(restored.events, [(event.clone(), 7), (event, 9)]);
        assert_eq!((restored.discarded, restored.error), (0, None));
    }
}
