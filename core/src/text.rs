//! Byte-level string helpers for ASCII separators: what `str`'s pattern
//! searches do for a `char`, without their generic code in the wasm. Cutting
//! at an ASCII byte always falls on a character boundary (UTF-8 never uses
//! bytes below 0x80 inside a multi-byte character).

/// `text` around the first `separator`, or `None` without one.
pub fn split_once(text: &str, separator: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|b| b == separator)?;
    Some((&text[..at], &text[at + 1..]))
}

/// `text` around the last `separator`, or `None` without one.
pub fn rsplit_once(text: &str, separator: u8) -> Option<(&str, &str)> {
    let at = text.bytes().rposition(|b| b == separator)?;
    Some((&text[..at], &text[at + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_as_str_does() {
        for text in ["", "a", "-", "a-b", "a-b-c", "-a-", "é-ü-€", "--"] {
            assert_eq!(split_once(text, b'-'), text.split_once('-'), "{text}");
            assert_eq!(rsplit_once(text, b'-'), text.rsplit_once('-'), "{text}");
        }
    }
}
