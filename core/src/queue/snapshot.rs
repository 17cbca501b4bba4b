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

use crate::error::Error;
use crate::wire::UsageEvent;
use serde::Deserialize;
use serde_json::value::RawValue;

/// The `kind` that marks a document as a usage queue of this SDK.
const KIND: &str = "rork-cloud-credits/usage-queue";
/// The format version written and understood.
const VERSION: u32 = 1;

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

#[derive(Deserialize)]
struct Document<'a> {
    kind: String,
    version: u32,
    /// Each event's text, read on its own so that an unreadable one is
    /// skipped (an untagged enum would buffer every field to do the same).
    #[serde(borrow)]
    events: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    queued_at: u64,
    event: UsageEvent,
}

/// Reads a persisted document.
pub(super) fn read(text: &str) -> Restored {
    let document: Document = match serde_json::from_str(text) {
        Ok(document) => document,
        Err(e) => return discarded_whole(format!("it is not a usage queue ({e})")),
    };
    if document.kind != KIND || document.version != VERSION {
        return discarded_whole(format!(
            "it is a {} version {} document, not a {KIND} version {VERSION}",
            document.kind, document.version
        ));
    }
    let total = document.events.len();
    let events: Vec<(UsageEvent, u64)> = document
        .events
        .into_iter()
        .filter_map(|slot| match serde_json::from_str::<Stored>(slot.get()) {
            Ok(stored) if !stored.event.id.is_empty() => Some((stored.event, stored.queued_at)),
            _ => None,
        })
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

fn discarded_whole(why: String) -> Restored {
    Restored {
        events: Vec::new(),
        discarded: 0,
        error: Some(Error::invalid_input(format!(
            "discarded the stored usage queue: {why}"
        ))),
    }
}
