//! Ids on the wire: the UUIDs the server gives events, holds and projects,
//! read by one rule on both sides (the SDK checks a `holdId` before it
//! queues a report; the server checks every id it is sent).

use crate::error::Quoted;
use crate::value::Value;
use crate::Error;
use std::fmt::Display;

/// The canonical form (lowercase, hyphenated) of a UUID written in any case
/// as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, as 32 hex digits, in braces or
/// as `urn:uuid:…`; `None` for anything else.
pub fn canonical_uuid(text: &str) -> Option<String> {
    let bare = text
        .strip_prefix("urn:uuid:")
        .or_else(|| text.strip_prefix('{').and_then(|t| t.strip_suffix('}')))
        .unwrap_or(text);
    let digits: String = match bare.len() {
        32 => bare.to_owned(),
        36 => {
            let groups: Vec<&str> = bare.split('-').collect();
            if groups.iter().map(|g| g.len()).ne([8, 4, 4, 4, 12]) {
                return None;
            }
            groups.concat()
        }
        _ => return None,
    };
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let digits = digits.to_ascii_lowercase();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &digits[..8],
        &digits[8..12],
        &digits[12..16],
        &digits[16..20],
        &digits[20..]
    ))
}

/// `invalid_input`: the text of `field` is not a UUID.
pub fn not_a_uuid(field: &str, text: &str) -> Error {
    must_be_a_uuid(field, Quoted(text))
}

/// A UUID field of a request read from JS: its text as given, once
/// [`canonical_uuid`] reads it.
pub fn read_uuid(value: &Value, path: &str) -> Result<String, Error> {
    match value {
        Value::String(text) if canonical_uuid(text).is_some() => Ok(text.clone()),
        Value::String(text) => Err(not_a_uuid(path, text)),
        other => Err(must_be_a_uuid(path, other.describe())),
    }
}

fn must_be_a_uuid(field: &str, got: impl Display) -> Error {
    Error::invalid_input(format!("{field} must be a UUID, got {got}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d";

    #[test]
    fn reads_every_form_of_a_uuid_and_nothing_else() {
        for form in [
            ID.to_owned(),
            ID.to_uppercase(),
            ID.replace('-', ""),
            format!("{{{ID}}}"),
            format!("urn:uuid:{ID}"),
        ] {
            assert_eq!(canonical_uuid(&form).as_deref(), Some(ID), "{form}");
        }
        for bad in [
            "",
            "abc",
            &ID[1..],
            &format!("{ID}0"),
            &ID.replace('-', "_"),
            "9b1deb4d3-b7d-4bad-9bdd-2b0d7b3dcb6d",
            "gb1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
            &format!("{{{ID}"),
            "+b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
        ] {
            assert_eq!(canonical_uuid(bad), None, "{bad}");
        }
    }
}
