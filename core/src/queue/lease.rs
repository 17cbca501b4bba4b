//! A lease kept in shared storage: the fallback lock between browser tabs
//! when the Web Locks API is missing.
//!
//! A tab writes `{ "owner": <tab id>, "expiresAt": <ms> }` under a key and
//! renews it well before it expires; another tab may take the key over only
//! once the lease has expired (its owner closed or crashed without removing
//! it). Storage offers no compare-and-swap, so two tabs racing for an expired
//! lease can both believe they won; the binding therefore prefers the Web
//! Locks API, which is exact, and the server's per-event dedup keeps such a
//! race from ever charging twice.

use crate::value::{self, Fields, JsonObject, Value};

/// Who holds a storage key, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The holder's id (a random tab id).
    pub owner: String,
    /// Milliseconds since the epoch after which the lease is void.
    pub expires_at: u64,
}

impl Lease {
    /// A lease for `owner` from `now_ms` for `ttl_ms`.
    pub fn grant(owner: &str, now_ms: u64, ttl_ms: u64) -> Lease {
        Lease {
            owner: owner.to_string(),
            expires_at: now_ms.saturating_add(ttl_ms),
        }
    }

    /// Reads a stored lease, as JSON read its text (the SDK: the engine's
    /// `JSON.parse`); anything unreadable counts as no lease (it protects
    /// nothing, so it may be taken over).
    pub fn read(stored: &Value) -> Option<Lease> {
        let fields = Fields::lenient(stored, "", "a lease").ok()?;
        Some(Lease {
            owner: fields.required("owner", value::string).ok()?,
            expires_at: fields.required("expiresAt", value::count).ok()?,
        })
    }

    /// The stored form, `{"owner":"...","expiresAt":...}`.
    pub fn to_json(&self) -> String {
        JsonObject::default()
            .string("owner", &self.owner)
            .count("expiresAt", self.expires_at)
            .finish()
    }

    /// Whether `me` may take or renew the key that `current` guards at `now_ms`:
    /// it is free, expired, or already mine.
    pub fn may_take(current: Option<&Lease>, me: &str, now_ms: u64) -> bool {
        current.is_none()
            || current.is_some_and(|lease| lease.owner == me || lease.expires_at <= now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_lease_of_another_tab_blocks_until_it_expires() {
        let lease = Lease::grant("tab-a", 1_000, 500);
        assert!(Lease::may_take(Some(&lease), "tab-a", 1_200));
        assert!(!Lease::may_take(Some(&lease), "tab-b", 1_499));
        assert!(Lease::may_take(Some(&lease), "tab-b", 1_500));
        assert!(Lease::may_take(None, "tab-b", 0));
    }

    #[test]
    fn stored_form_round_trips_and_garbage_is_no_lease() {
        let lease = Lease::grant("tab-a", 7, 3);
        assert_eq!(lease.to_json(), r#"{"owner":"tab-a","expiresAt":10}"#);
        let read = |text: &str| {
            Lease::read(
                &serde_json::from_str::<serde_json::Value>(text)
                    .unwrap()
                    .into(),
            )
        };
        assert_eq!(read(&lease.to_json()), Some(lease));
        assert_eq!(read(r#"{"owner":1}"#), None);
        assert_eq!(read(r#"{"owner":"tab-a","expiresAt":-1}"#), None);
        assert_eq!(read(r#"{"owner":"tab-a"}"#), None);
        assert_eq!(read(r#"["tab-a",10]"#), None);
        assert_eq!(read("null"), None);
    }

    #[test]
    fn grant_saturates_instead_of_overflowing() {
        assert_eq!(Lease::grant("t", u64::MAX, 10).expires_at, u64::MAX);
    }
}
