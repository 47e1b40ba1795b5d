//! How often and how long to wait before trying a failed request again, and the one retry
//! loop that API requests and asset downloads both go through.

use std::future::Future;
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

    /// Runs `attempt` until it is done, fails for good, or `max_attempts` tries have failed.
    /// Between tries it waits what the server asked for (clamped), else the backoff, after
    /// handing the caller the [`Retrying`] to log (and pace other requests by).
    pub(crate) async fn run<T, E, A, W>(
        &self,
        mut attempt: impl FnMut() -> A,
        mut before_wait: impl FnMut(Retrying) -> W,
    ) -> Result<T, Failure<E>>
    where
        A: Future<Output = Attempt<T, E>>,
        W: Future<Output = ()>,
    {
        let mut tries = 1;
        loop {
            let (reason, requested) = match attempt().await {
                Attempt::Done(value) => return Ok(value),
                Attempt::Fatal(error) => return Err(Failure::Fatal { error, tries }),
                Attempt::Retry { reason, wait } => (reason, wait),
            };
            if tries >= self.max_attempts {
                return Err(Failure::GaveUp { reason, tries });
            }
            let wait = requested.map_or_else(|| self.backoff(tries), |w| self.server_wait(w));
            before_wait(Retrying {
                reason,
                wait,
                requested: requested.is_some(),
            })
            .await;
            tokio::time::sleep(wait).await;
            tries += 1;
        }
    }
}

/// The outcome of one try.
pub(crate) enum Attempt<T, E> {
    Done(T),
    /// Worth another try; `wait` is what the server asked for, if anything.
    Retry {
        reason: String,
        wait: Option<Duration>,
    },
    /// Not worth another try.
    Fatal(E),
}

/// Why [`RetryPolicy::run`] ended without a result.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Failure<E> {
    /// Try number `tries` failed for good.
    Fatal { error: E, tries: u32 },
    /// All `tries` failed; `reason` is why the last did.
    GaveUp { reason: String, tries: u32 },
}

/// A retry about to be waited for.
#[derive(Debug)]
pub(crate) struct Retrying {
    /// Why the last try failed.
    pub reason: String,
    /// How long until the next try.
    pub wait: Duration,
    /// Whether the server asked for the wait (it is then clamped to `max_delay`).
    pub requested: bool,
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

    fn quick(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        }
    }

    fn retry(reason: &str, wait: Option<Duration>) -> Attempt<u32, String> {
        Attempt::Retry {
            reason: reason.to_string(),
            wait,
        }
    }

    #[tokio::test]
    async fn run_retries_until_a_try_is_done() {
        let mut tries = 0;
        let mut waits = Vec::new();
        let result = quick(5)
            .run(
                || {
                    tries += 1;
                    let outcome = if tries < 3 {
                        retry(&format!("no {tries}"), None)
                    } else {
                        Attempt::Done(tries)
                    };
                    async move { outcome }
                },
                |r| {
                    waits.push((r.reason, r.requested));
                    async {}
                },
            )
            .await;
        assert_eq!(result, Ok(3));
        assert_eq!(waits, [("no 1".into(), false), ("no 2".into(), false)]);
    }

    #[tokio::test]
    async fn run_gives_up_after_max_attempts_with_the_last_reason() {
        let mut tries = 0;
        let result = quick(3)
            .run(
                || {
                    tries += 1;
                    let outcome = retry(&format!("no {tries}"), None);
                    async move { outcome }
                },
                |_| async {},
            )
            .await;
        let reason = "no 3".to_string();
        assert_eq!(result, Err(Failure::GaveUp { reason, tries: 3 }));
    }

    #[tokio::test]
    async fn run_stops_at_a_fatal_try_and_counts_it() {
        let mut tries = 0;
        let result = quick(5)
            .run(
                || {
                    tries += 1;
                    let outcome = if tries < 2 {
                        retry("busy", None)
                    } else {
                        Attempt::Fatal("gone".to_string())
                    };
                    async move { outcome }
                },
                |_| async {},
            )
            .await;
        let error = "gone".to_string();
        assert_eq!(result, Err(Failure::Fatal { error, tries: 2 }));
    }

    #[tokio::test]
    async fn run_clamps_a_requested_wait_and_says_it_was_requested() {
        let policy = RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::ZERO,
            max_delay: Duration::from_millis(1),
        };
        let mut seen = Vec::new();
        let result = policy
            .run(
                || async { retry("rate limited", Some(Duration::from_secs(3600))) },
                |r| {
                    seen.push((r.wait, r.requested));
                    async {}
                },
            )
            .await;
        assert!(matches!(result, Err(Failure::GaveUp { tries: 2, .. })));
        assert_eq!(seen, [(Duration::from_millis(1), true)]);
    }
}
