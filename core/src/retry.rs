//! When to try a request again: exponential backoff with full jitter, and
//! the client's retry policy for its calls ([`Retry`]).
//!
//! After the `n`th consecutive failure the wait is a uniformly random number
//! of milliseconds in `0..=min(max_ms, base_ms * 2^(n-1))` ("full jitter",
//! which spreads retries of many clients so they do not hit a recovering
//! server in lock-step). The random number and the time left are supplied by
//! the caller, so every decision is deterministic under test. The usage queue
//! ([`crate::queue`]) backs off with the same [`Backoff`].

/// Backoff parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Upper bound of the wait after the first failure, in milliseconds.
    pub base_ms: u64,
    /// Largest upper bound, however many failures happened, in milliseconds.
    pub max_ms: u64,
}

impl Default for Backoff {
    /// One second after the first failure, doubling up to one minute.
    fn default() -> Self {
        Backoff {
            base_ms: 1_000,
            max_ms: 60_000,
        }
    }
}

impl Backoff {
    /// The upper bound of the wait after `failures` consecutive failures (at least one).
    pub fn ceiling(&self, failures: u32) -> u64 {
        let doublings = failures.saturating_sub(1).min(63);
        self.base_ms
            .saturating_mul(1u64 << doublings)
            .min(self.max_ms)
    }

    /// The wait after `failures` consecutive failures, drawn from `random`
    /// (any `u64`, uniformly distributed) over `0..=ceiling(failures)`.
    pub fn delay(&self, failures: u32, random: u64) -> u64 {
        let ceiling = self.ceiling(failures);
        match ceiling.checked_add(1) {
            Some(span) => random % span,
            None => random,
        }
    }
}

/// How the client retries a call that failed for a reason that may pass: no
/// answer (a network failure), or HTTP 408, 429 or 5xx. Any other answer is
/// final; so is the caller's abort and the call's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts after the first (0: none).
    pub retries: u32,
    /// The backoff between attempts.
    pub backoff: Backoff,
}

/// The most `retries` a client may ask for.
pub const MAX_RETRIES: u32 = 10;

impl Default for Retry {
    /// Two retries, waiting up to 0.5 s after the first failure and up to
    /// 1 s after the second (at most 5 s, whatever the count).
    fn default() -> Self {
        Retry {
            retries: 2,
            backoff: Backoff {
                base_ms: 500,
                max_ms: 5_000,
            },
        }
    }
}

impl Retry {
    /// Whether an answer with HTTP `status` may be worth trying again: 408
    /// (request timeout), 429 (rate limited) and 5xx.
    pub fn retryable(status: u16) -> bool {
        matches!(status, 408 | 429 | 500..=599)
    }

    /// How long to wait before trying again after `failures` failed
    /// attempts (at least one), the last with HTTP `status` (`None`: no
    /// answer) and its `Retry-After` in milliseconds; `None` to give up.
    ///
    /// Gives up when the retries are spent, when the status is final, when
    /// the server asks to wait longer than `backoff.max_ms`, and when the
    /// wait would end after the call's deadline, `remaining_ms` away (the
    /// failure is then a truer answer than a timeout). Otherwise the wait is
    /// the jittered backoff, or `Retry-After` when that is longer.
    pub fn wait(
        &self,
        failures: u32,
        status: Option<u16>,
        retry_after_ms: Option<u64>,
        remaining_ms: u64,
        random: u64,
    ) -> Option<u64> {
        if failures > self.retries || status.is_some_and(|s| !Retry::retryable(s)) {
            return None;
        }
        let asked = retry_after_ms.unwrap_or(0);
        if asked > self.backoff.max_ms {
            return None;
        }
        let wait = self.backoff.delay(failures, random).max(asked);
        (wait < remaining_ms).then_some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ceiling_doubles_from_base_up_to_max() {
        let b = Backoff {
            base_ms: 100,
            max_ms: 1_000,
        };
        let ceilings: Vec<u64> = (1..=6).map(|n| b.ceiling(n)).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1_000, 1_000]);
        assert_eq!(b.ceiling(u32::MAX), 1_000);
    }

    proptest! {
        #[test]
        fn delay_stays_within_zero_and_the_ceiling(failures in 1u32..200, random: u64) {
            let b = Backoff::default();
            prop_assert!(b.delay(failures, random) <= b.ceiling(failures));
        }
    }

    #[test]
    fn delay_covers_the_whole_range() {
        let b = Backoff {
            base_ms: 10,
            max_ms: 10,
        };
        assert_eq!(b.delay(1, 0), 0);
        assert_eq!(b.delay(1, 10), 10);
        assert_eq!(b.delay(1, 11), 0);
    }

    #[test]
    fn retries_network_failures_408_429_and_5xx_only() {
        let r = Retry::default();
        for status in [None, Some(408), Some(429), Some(500), Some(503), Some(599)] {
            assert!(r.wait(1, status, None, u64::MAX, 7).is_some(), "{status:?}");
        }
        for status in [400, 401, 402, 403, 404, 409, 413, 422, 301, 200] {
            assert_eq!(r.wait(1, Some(status), None, u64::MAX, 7), None, "{status}");
        }
    }

    #[test]
    fn stops_when_the_retries_are_spent() {
        let r = Retry {
            retries: 2,
            ..Retry::default()
        };
        assert!(r.wait(2, None, None, u64::MAX, 0).is_some());
        assert_eq!(r.wait(3, None, None, u64::MAX, 0), None);
        let none = Retry {
            retries: 0,
            ..Retry::default()
        };
        assert_eq!(none.wait(1, Some(503), None, u64::MAX, 0), None);
    }

    #[test]
    fn waits_the_jittered_backoff_or_retry_after_when_longer() {
        let r = Retry::default();
        // Backoff ceilings 500, then 1 000 ms; `random` picks within them.
        assert_eq!(r.wait(1, None, None, u64::MAX, 499), Some(499));
        assert_eq!(r.wait(2, None, None, u64::MAX, 999), Some(999));
        assert_eq!(
            r.wait(1, Some(429), Some(2_000), u64::MAX, 499),
            Some(2_000)
        );
        assert_eq!(r.wait(1, Some(503), Some(100), u64::MAX, 499), Some(499));
        // Asked to wait past the largest backoff: give up at once.
        assert_eq!(r.wait(1, Some(429), Some(5_001), u64::MAX, 0), None);
    }

    #[test]
    fn never_waits_past_the_deadline() {
        let r = Retry::default();
        assert_eq!(r.wait(1, None, None, 300, 299), Some(299));
        assert_eq!(r.wait(1, None, None, 300, 300), None);
        assert_eq!(r.wait(1, Some(429), Some(2_000), 1_500, 0), None);
    }
}
