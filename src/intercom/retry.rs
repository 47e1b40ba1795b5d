//! How often and how long to wait before trying a failed request again.

use std::time::Duration;

use rand::Rng;

/// Exponential backoff with jitter: the n-th retry waits a random time in `[c/2, c]` where
/// `c = min(max_delay, base_delay * 2^(n-1))`, so clients failing together spread out while
/// each still backs off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total tries per request, the first included.
    pub max_attempts: u32,
    /// The backoff unit.
    pub base_delay: Duration,
    /// The longest single wait between tries, and the longest server-requested wait honoured.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1 for the first retry).
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)))
            .min(self.max_delay);
        let millis = ceiling.as_millis() as u64;
        if millis == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(rand::rng().random_range(millis / 2..=millis))
    }

    /// Clamps a wait the server asked for (Retry-After, X-RateLimit-Reset) to `max_delay`.
    pub fn server_wait(&self, requested: Duration) -> Duration {
        requested.min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
        };
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!((50..=100).contains(&first.as_millis()), "{first:?}");
            let third = policy.backoff(3);
            assert!((200..=400).contains(&third.as_millis()), "{third:?}");
            let tenth = policy.backoff(10);
            assert!((500..=1000).contains(&tenth.as_millis()), "{tenth:?}");
        }
    }

    #[test]
    fn zero_base_means_no_wait() {
        let policy = RetryPolicy {
            base_delay: Duration::ZERO,
            ..RetryPolicy::default()
        };
        assert_eq!(policy.backoff(3), Duration::ZERO);
    }
}
