//! Exponential backoff with full jitter.
//!
//! After the `n`th consecutive failure the wait is a uniformly random number
//! of milliseconds in `0..=min(max_ms, base_ms * 2^(n-1))` ("full jitter",
//! which spreads retries of many clients so they do not hit a recovering
//! server in lock-step). The random number is supplied by the caller, so the
//! schedule is deterministic under test.

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
}
