//! Client-side pacing from Intercom's rate-limit headers.
//!
//! Intercom counts calls in fixed windows and says, on every answer, how many are left
//! (`X-RateLimit-Remaining`) and when the window resets (`X-RateLimit-Reset`, Unix seconds).
//! Rather than run into 429s, the governor spreads the calls that are left over the time that
//! is left once fewer than [`SLOW_DOWN_SHARE`] of the window's calls remain, and stops
//! everyone until the reset when none remain or the server answered 429.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use tokio::sync::Mutex;

/// Below this share of the window's limit, requests are spaced out instead of sent at once.
pub const SLOW_DOWN_SHARE: f64 = 0.1;

/// Shared by every request of a client: decides when the next request may start.
#[derive(Debug, Default)]
pub struct RateGovernor {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// No request starts before this instant (set by 429s and exhausted windows).
    paused_until: Option<Instant>,
    /// When the last request was allowed to start, for spacing.
    last_start: Option<Instant>,
    limit: Option<u64>,
    /// Calls left in the window, counting down locally as requests start.
    remaining: Option<u64>,
    reset_at: Option<SystemTime>,
}

/// What one answer said about the rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateHeaders {
    /// `X-RateLimit-Limit`
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset` as Unix seconds.
    pub reset: Option<u64>,
}

impl RateHeaders {
    /// Reads the three headers; absent or unparsable ones are `None`.
    pub fn from_headers(headers: &HeaderMap) -> RateHeaders {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        RateHeaders {
            limit: number("x-ratelimit-limit"),
            remaining: number("x-ratelimit-remaining"),
            reset: number("x-ratelimit-reset"),
        }
    }

    /// The time until the window resets, if the server said.
    pub fn until_reset(&self) -> Option<Duration> {
        let reset = UNIX_EPOCH + Duration::from_secs(self.reset?);
        Some(
            reset
                .duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO),
        )
    }
}

impl RateGovernor {
    /// Waits until a request may start under what the server last said, then counts it.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut state = self.state.lock().await;
                match state.wait_needed(Instant::now(), SystemTime::now()) {
                    None => {
                        state.start_request(Instant::now());
                        return;
                    }
                    Some(wait) => wait,
                }
            };
            tracing::debug!("rate limit: waiting {wait:?} before the next request");
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes in the rate-limit headers of an answer.
    pub async fn observe(&self, headers: RateHeaders) {
        self.state.lock().await.observe(headers, SystemTime::now());
    }

    /// Stops every request for `wait` (after a 429).
    pub async fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut state = self.state.lock().await;
        state.paused_until = Some(state.paused_until.map_or(until, |p| p.max(until)));
    }
}

impl State {
    fn wait_needed(&mut self, now: Instant, wall: SystemTime) -> Option<Duration> {
        if let Some(until) = self.paused_until {
            if until > now {
                return Some(until - now);
            }
            self.paused_until = None;
        }
        let (limit, remaining, reset_at) = (self.limit?, self.remaining?, self.reset_at?);
        let left = reset_at.duration_since(wall).unwrap_or(Duration::ZERO);
        if left.is_zero() {
            // A new window has begun; the next answer will tell its numbers.
            self.remaining = None;
            return None;
        }
        if remaining == 0 {
            return Some(left);
        }
        if (remaining as f64) >= (limit as f64) * SLOW_DOWN_SHARE {
            return None;
        }
        let spacing = left / remaining as u32;
        let next = self.last_start.map_or(now, |last| last + spacing);
        (next > now).then(|| next - now)
    }

    fn start_request(&mut self, now: Instant) {
        self.last_start = Some(now);
        if let Some(remaining) = self.remaining.as_mut() {
            *remaining = remaining.saturating_sub(1);
        }
    }

    fn observe(&mut self, headers: RateHeaders, wall: SystemTime) {
        let Some(remaining) = headers.remaining else {
            return;
        };
        let reset_at = headers.reset.map(|s| UNIX_EPOCH + Duration::from_secs(s));
        let same_window = reset_at.is_some() && reset_at == self.reset_at;
        // Answers arrive out of order under concurrency: within one window the smallest
        // count is the freshest; a new window replaces the old numbers.
        self.remaining = Some(match (same_window, self.remaining) {
            (true, Some(local)) => local.min(remaining),
            _ => remaining,
        });
        self.limit = headers.limit.or(self.limit);
        self.reset_at = reset_at.filter(|r| *r > wall).or(self.reset_at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_with(limit: u64, remaining: u64, reset_in: Duration, wall: SystemTime) -> State {
        let mut state = State::default();
        let reset = (wall + reset_in)
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        state.observe(
            RateHeaders {
                limit: Some(limit),
                remaining: Some(remaining),
                reset: Some(reset),
            },
            wall,
        );
        state
    }

    #[test]
    fn plenty_left_means_no_wait() {
        let wall = SystemTime::now();
        let mut state = state_with(1000, 500, Duration::from_secs(10), wall);
        assert_eq!(state.wait_needed(Instant::now(), wall), None);
    }

    #[test]
    fn exhausted_window_waits_for_reset() {
        let wall = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut state = state_with(1000, 0, Duration::from_secs(7), wall);
        assert_eq!(
            state.wait_needed(Instant::now(), wall),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn few_left_are_spread_over_the_window() {
        let wall = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut state = state_with(1000, 10, Duration::from_secs(5), wall);
        let now = Instant::now();
        assert_eq!(state.wait_needed(now, wall), None);
        state.start_request(now);
        // 9 calls left for 5 s: one every 555 ms.
        let wait = state.wait_needed(now, wall).unwrap();
        assert_eq!(wait, Duration::from_secs(5) / 9);
    }

    #[test]
    fn smallest_remaining_in_a_window_wins() {
        let wall = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut state = state_with(1000, 40, Duration::from_secs(5), wall);
        let reset = 1_000_005;
        state.observe(
            RateHeaders {
                limit: Some(1000),
                remaining: Some(90),
                reset: Some(reset),
            },
            wall,
        );
        assert_eq!(state.remaining, Some(40));
        state.observe(
            RateHeaders {
                limit: Some(1000),
                remaining: Some(999),
                reset: Some(reset + 10),
            },
            wall,
        );
        assert_eq!(state.remaining, Some(999));
    }

    #[test]
    fn pause_blocks_until_it_ends() {
        let mut state = State {
            paused_until: Some(Instant::now() + Duration::from_secs(3)),
            ..State::default()
        };
        let wait = state
            .wait_needed(Instant::now(), SystemTime::now())
            .unwrap();
        assert!(wait > Duration::from_secs(2) && wait <= Duration::from_secs(3));
    }
}
