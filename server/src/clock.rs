//! Time as the server stores and shows it: milliseconds since the Unix epoch
//! in the database, RFC 3339 UTC strings on the wire, UTC days for summaries.

use crate::error::{AppError, AppResult};
use chrono::{DateTime, Months, NaiveDate, SecondsFormat, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Milliseconds in one day.
pub const DAY_MS: i64 = 86_400_000;

/// The current time in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// The time the build-credits ledger renews plan periods by: the system's
/// clock, or a fixed one that tests set and move ([`Clock::fixed`]).
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    /// The system clock ([`now_ms`]).
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock standing at `ms` until [`Clock::set`] moves it.
    pub fn fixed(ms: i64) -> Clock {
        Clock(Some(Arc::new(AtomicI64::new(ms))))
    }

    /// The current time in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        match &self.0 {
            Some(fixed) => fixed.load(Ordering::SeqCst),
            None => now_ms(),
        }
    }

    /// Moves a fixed clock to `ms` (every clone of it); the system clock cannot be set.
    pub fn set(&self, ms: i64) {
        if let Some(fixed) = &self.0 {
            fixed.store(ms, Ordering::SeqCst);
        }
    }
}

/// `ms` plus `months` calendar months (UTC), the day of the month clamped to
/// the end of a shorter month: 2026-01-31 plus one month is 2026-02-28.
pub fn add_months(ms: i64, months: u32) -> i64 {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .and_then(|t| t.checked_add_months(Months::new(months)))
        .map_or(i64::MAX, |t| t.timestamp_millis())
}

/// `ms` as an RFC 3339 UTC string with milliseconds (`2026-11-25T12:00:00.000Z`).
pub fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses an RFC 3339 timestamp given in `field` to milliseconds.
pub fn parse_rfc3339(field: &str, text: &str) -> AppResult<i64> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .map_err(|_| {
            AppError::invalid(format!(
                "{field} must be an RFC 3339 time like 2026-11-25T12:00:00Z, got {text:?}"
            ))
        })
}

/// The UTC day of `ms` (`YYYY-MM-DD`).
pub fn utc_day(ms: i64) -> String {
    day_of(ms).format("%Y-%m-%d").to_string()
}

/// Milliseconds at the UTC midnight that starts the day of `ms`.
pub fn start_of_utc_day(ms: i64) -> i64 {
    ms - ms.rem_euclid(DAY_MS)
}

fn day_of(ms: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_rfc3339_and_cuts_utc_days() {
        let ms = parse_rfc3339("t", "2026-11-25T23:59:59.999+00:00").unwrap();
        assert_eq!(rfc3339(ms), "2026-11-25T23:59:59.999Z");
        assert_eq!(utc_day(ms), "2026-11-25");
        assert_eq!(utc_day(ms + 1), "2026-11-26");
        assert_eq!(
            start_of_utc_day(ms),
            parse_rfc3339("t", "2026-11-25T00:00:00Z").unwrap()
        );
        let offset = parse_rfc3339("t", "2026-11-26T01:00:00+02:00").unwrap();
        assert_eq!(utc_day(offset), "2026-11-25");
        let jan31 = parse_rfc3339("t", "2026-01-31T10:00:00Z").unwrap();
        assert_eq!(rfc3339(add_months(jan31, 1)), "2026-02-28T10:00:00.000Z");
        assert_eq!(rfc3339(add_months(jan31, 2)), "2026-03-31T10:00:00.000Z");
        let clock = Clock::fixed(jan31);
        clock.clone().set(ms);
        assert_eq!(clock.now_ms(), ms);
        assert_eq!(
            parse_rfc3339("approximateTime", "yesterday")
                .unwrap_err()
                .code(),
            rork_cloud_credits_core::ErrorCode::InvalidInput
        );
    }
}
