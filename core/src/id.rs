//! Ids on the wire: the UUIDs the server gives events, holds and projects,
//! read by one rule on both sides (the SDK checks a `holdId` before it
//! queues a report; the server checks every id it is sent).

use crate::value::Value;
use crate::Error;

/// Whether `text` is a UUID written in any case as
/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, as 32 hex digits, in braces or as
/// `urn:uuid:…`.
pub fn is_uuid(text: &str) -> bool {
    hex_digits(text).is_some()
}

/// The canonical form (lowercase, hyphenated) of a UUID ([`is_uuid`]);
/// `None` for anything else.
pub fn canonical_uuid(text: &str) -> Option<String> {
    let digits = hex_digits(text)?;
    let mut canonical = String::with_capacity(36);
    for (i, digit) in digits.iter().enumerate() {
        if matches!(i, 8 | 12 | 16 | 20) {
            canonical.push('-');
        }
        canonical.push(char::from(*digit));
    }
    Some(canonical)
}

/// The 32 hex digits of a UUID in lower case, read without allocating.
fn hex_digits(text: &str) -> Option<[u8; 32]> {
    // Byte slices, not `str` patterns: a few hundred bytes less in the wasm.
    let bytes = text.as_bytes();
    let bare = match bytes {
        [b'{', inner @ .., b'}'] => inner,
        _ => bytes.strip_prefix(b"urn:uuid:").unwrap_or(bytes),
    };
    let hyphenated = match bare.len() {
        36 => true,
        32 => false,
        _ => return None,
    };
    let mut digits = [0; 32];
    let mut n = 0;
    for (i, &byte) in bare.iter().enumerate() {
        if hyphenated && matches!(i, 8 | 13 | 18 | 23) {
            if byte != b'-' {
                return None;
            }
        } else if byte.is_ascii_hexdigit() {
            digits[n] = byte.to_ascii_lowercase();
            n += 1;
        } else {
            return None;
        }
    }
    Some(digits)
}

/// `invalid_input`: the text of `field` is not a UUID.
pub fn not_a_uuid(field: &str, text: &str) -> Error {
    must_be_a_uuid(field, &Value::String(text.to_owned()))
}

/// A UUID field of a request read from JS: its text as given, when
/// [`is_uuid`] accepts it.
pub fn read_uuid(value: &Value, path: &str) -> Result<String, Error> {
    match value {
        Value::String(text) if is_uuid(text) => Ok(text.clone()),
        other => Err(must_be_a_uuid(path, other)),
    }
}

/// One message for both sides: `holdId must be a UUID, got the string "h-1"`.
fn must_be_a_uuid(field: &str, got: &Value) -> Error {
    Error::invalid_input(format!("{field} must be a UUID, got {}", got.describe()))
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
            assert!(!is_uuid(bad), "{bad}");
        }
    }
}
