//! Intercom-style rate limiting: a fixed number of requests per fixed window, reported in
//! `X-RateLimit-*` headers on every answer.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue};

use super::RateLimit;

/// The counter for the current window.
pub struct RateLimiter {
    config: RateLimit,
    /// When the first window started, on both clocks (monotonic to count, wall to report).
    started: Instant,
    started_wall: SystemTime,
    window_index: u128,
    count: u32,
}

/// What the limiter says about one request.
#[derive(Clone, Copy, Debug)]
pub struct Verdict {
    /// False when the request is over the limit and must get a 429.
    pub allowed: bool,
    /// The configured limit per window.
    pub limit: u32,
    /// Requests left in this window after this one.
    pub remaining: u32,
    /// When the window ends, in Unix seconds (rounded up, as a client must not retry early).
    pub reset: u64,
}

impl RateLimiter {
    /// A limiter whose first window starts now.
    pub fn new(config: RateLimit) -> RateLimiter {
        assert!(!config.window.is_zero(), "a rate limit window is not empty");
        RateLimiter {
            config,
            started: Instant::now(),
            started_wall: SystemTime::now(),
            window_index: 0,
            count: 0,
        }
    }

    /// Counts one request. Windows follow each other back to back from the limiter's start.
    pub fn hit(&mut self) -> Verdict {
        let index = self.started.elapsed().as_nanos() / self.config.window.as_nanos();
        if index != self.window_index {
            self.window_index = index;
            self.count = 0;
        }
        self.count = self.count.saturating_add(1);
        Verdict {
            allowed: self.count <= self.config.limit,
            limit: self.config.limit,
            remaining: self.config.limit.saturating_sub(self.count),
            reset: self.window_end_unix(index),
        }
    }

    fn window_end_unix(&self, index: u128) -> u64 {
        let offset = self.config.window.as_nanos() * (index + 1);
        let offset = Duration::from_nanos(u64::try_from(offset).unwrap_or(u64::MAX));
        let end = (self.started_wall + offset)
            .duration_since(UNIX_EPOCH)
            .expect("the clock is after 1970");
        end.as_secs() + u64::from(end.subsec_nanos() > 0)
    }
}

impl Verdict {
    /// Adds the `X-RateLimit-*` headers, keeping any a fault already set (a scripted 429 says
    /// when its own window resets).
    pub fn add_headers(&self, headers: &mut HeaderMap) {
        let values = [
            ("x-ratelimit-limit", u64::from(self.limit)),
            ("x-ratelimit-remaining", u64::from(self.remaining)),
            ("x-ratelimit-reset", self.reset),
        ];
        for (name, value) in values {
            headers
                .entry(name)
                .or_insert_with(|| HeaderValue::from(value));
        }
    }
}
