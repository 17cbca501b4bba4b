//! Checks on user input, each answering `invalid_input` with a message that
//! names the field and the limit.

use crate::error::{AppError, AppResult};
use rork_cloud_credits_core::id;
use rust_decimal::Decimal;

/// A dollar amount with at most cent precision, `min <= value <= max`.
pub fn cents(field: &str, value: Decimal, min: Decimal, max: Decimal) -> AppResult<()> {
    if value < min || value > max {
        return Err(AppError::invalid(format!(
            "{field} must be from {min} to {max} USD, got {value}"
        )));
    }
    if value.normalize().scale() > 2 {
        return Err(AppError::invalid(format!(
            "{field} must be whole cents (at most 2 decimal places), got {value}"
        )));
    }
    Ok(())
}

/// The longest label an app attaches to usage (`feature`, `endUser`): the core's, as the SDK checks it.
pub use rork_cloud_credits_core::wire::MAX_LABEL_CHARS;

/// The longest `Idempotency-Key` header a request may send.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 200;
/// The longest name of a project, and of a payment method.
pub const MAX_NAME_CHARS: usize = 100;

/// An `Idempotency-Key` header: 1 to [`MAX_IDEMPOTENCY_KEY_CHARS`] characters.
pub fn idempotency_key(key: &str) -> AppResult<()> {
    text("Idempotency-Key", key, MAX_IDEMPOTENCY_KEY_CHARS)
}

/// Free text of 1 to `max` characters without control characters.
pub fn text(field: &str, value: &str, max: usize) -> AppResult<()> {
    let length = value.chars().count();
    if length == 0 || length > max {
        return Err(AppError::invalid(format!(
            "{field} must be 1 to {max} characters, got {length}"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(AppError::invalid(format!(
            "{field} must not contain control characters"
        )));
    }
    Ok(())
}

/// A UUID in any case (the core's rule, as the SDK checks it); returns its
/// canonical lowercase hyphenated form.
pub fn uuid(field: &str, value: &str) -> AppResult<String> {
    id::canonical_uuid(value).ok_or_else(|| id::not_a_uuid(field, value).into())
}

/// An email address: one `@` with text on both sides, no spaces, at most 254 characters.
pub fn email(field: &str, value: &str) -> AppResult<()> {
    let well_formed = value.len() <= 254
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(value.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.contains('@'));
    if well_formed {
        Ok(())
    } else {
        Err(AppError::invalid(format!(
            "{field} must be an email address like name@example.com, got {value:?}"
        )))
    }
}

/// A browser origin `http(s)://host[:port]`; returns it lowercased.
pub fn origin(value: &str) -> AppResult<String> {
    let lower = value.to_ascii_lowercase();
    let host = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match host {
        Some(host)
            if !host.is_empty()
                && host.len() <= 253
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')) =>
        {
            Ok(lower)
        }
        _ => Err(AppError::invalid(format!(
            "allowedOrigins entries must look like https://example.com or http://localhost:8787 (no path), got {value:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn cents_bounds_are_inclusive_and_sub_cent_amounts_are_refused() {
        assert!(cents("amountUsd", d("5"), d("5"), d("200")).is_ok());
        assert!(cents("amountUsd", d("200.00"), d("5"), d("200")).is_ok());
        assert!(cents("amountUsd", d("5.10000"), d("5"), d("200")).is_ok());
        let low = cents("amountUsd", d("4.99"), d("5"), d("200")).unwrap_err();
        assert!(low.error.message.contains("from 5 to 200"), "{low}");
        assert!(cents("amountUsd", d("200.01"), d("5"), d("200")).is_err());
        assert!(cents("amountUsd", d("10.001"), d("5"), d("200")).is_err());
    }

    #[test]
    fn texts_uuids_emails_and_origins() {
        assert!(text("name", "", 10).is_err());
        assert!(text("name", "a\nb", 10).is_err());
        assert!(text("name", "héllo", 5).is_ok());
        assert_eq!(
            uuid("id", "6F9619FF-8B86-D011-B42D-00C04FC964FF").unwrap(),
            "6f9619ff-8b86-d011-b42d-00c04fc964ff"
        );
        assert!(uuid("id", "not-a-uuid").is_err());
        assert!(email("alertEmail", "owner@example.com").is_ok());
        assert!(email("alertEmail", "owner@example.com\nBcc: x@y.z").is_err());
        assert!(email("alertEmail", "@example.com").is_err());
        assert_eq!(
            origin("HTTP://LocalHost:8787").unwrap(),
            "http://localhost:8787"
        );
        assert!(origin("https://example.com/path").is_err());
        assert!(origin("ftp://example.com").is_err());
    }
}
