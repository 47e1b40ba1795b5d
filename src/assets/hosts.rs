//! What a pull learns about each asset host while it downloads, so one dead host costs one
//! failure instead of every asset's retries.
//!
//! A host whose name does not resolve, that refuses the connection or fails the TLS handshake
//! is down for the rest of the run at its first such failure: retrying cannot help within a
//! pull. Timeouts, 5xx and 429 are retried as usual, but a host that keeps failing for longer
//! than its budget, with no download succeeding meanwhile, is given up too, so a host that
//! swallows every connection cannot hold a pull for hours.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The host part of a URL as failures are grouped by it: `cdn.example.com`, with `:port` when
/// the URL names one (`127.0.0.1:8080`).
pub fn host_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => {
            let host = parsed.host_str().unwrap_or_default();
            match parsed.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_string(),
            }
        }
        Err(_) => String::new(),
    }
}

/// Every host seen in this run and how it is doing.
#[derive(Debug)]
pub(super) struct Hosts {
    budget: Duration,
    state: Mutex<HashMap<String, Health>>,
}

#[derive(Debug, Default)]
struct Health {
    /// Why the host was given up, once it was.
    down: Option<String>,
    /// When the current run of failures began; `None` after a success.
    failing_since: Option<Instant>,
}

impl Hosts {
    /// Hosts that may each keep failing for `budget` before they are given up.
    pub(super) fn new(budget: Duration) -> Hosts {
        Hosts {
            budget,
            state: Mutex::new(HashMap::new()),
        }
    }

    fn with<T>(&self, host: &str, f: impl FnOnce(&mut Health) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(state.entry(host.to_string()).or_default())
    }

    /// Why `host` was given up, if it was.
    pub(super) fn down(&self, host: &str) -> Option<String> {
        self.with(host, |health| health.down.clone())
    }

    /// Gives `host` up for the rest of the run; the first reason is the one kept.
    pub(super) fn mark_down(&self, host: &str, reason: &str) {
        self.with(host, |health| {
            health.down.get_or_insert_with(|| reason.to_string());
        });
    }

    /// A download from `host` worked: its failures so far were passing trouble.
    pub(super) fn succeeded(&self, host: &str) {
        self.with(host, |health| health.failing_since = None);
    }

    /// A try on `host` failed in a way worth retrying. Returns why the host is given up when
    /// it has now been failing for longer than the budget.
    pub(super) fn failed(&self, host: &str, reason: &str) -> Option<String> {
        let budget = self.budget;
        self.with(host, |health| {
            if let Some(down) = &health.down {
                return Some(down.clone());
            }
            let since = *health.failing_since.get_or_insert_with(Instant::now);
            if since.elapsed() < budget {
                return None;
            }
            let down = format!(
                "failing for more than {} with no download succeeding (last: {reason})",
                format_duration(budget)
            );
            health.down = Some(down.clone());
            Some(down)
        })
    }
}

/// `90 s`, `2 min`, `1.5 s`.
fn format_duration(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs >= 60.0 && duration.as_secs().is_multiple_of(60) {
        format!("{} min", duration.as_secs() / 60)
    } else if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{secs:.1} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_named_with_their_port_when_the_url_has_one() {
        assert_eq!(host_of("https://cdn.test/i/a.png"), "cdn.test");
        assert_eq!(host_of("http://127.0.0.1:8080/a.png"), "127.0.0.1:8080");
        assert_eq!(host_of("https://cdn.test:443/a.png"), "cdn.test");
        assert_eq!(host_of("not a url"), "");
    }

    #[test]
    fn a_host_is_given_up_after_failing_for_its_budget_and_a_success_resets_it() {
        let hosts = Hosts::new(Duration::ZERO);
        assert_eq!(hosts.down("a"), None);
        let down = hosts.failed("a", "503 Service Unavailable").unwrap();
        assert_eq!(
            down,
            "failing for more than 0 s with no download succeeding (last: 503 Service Unavailable)"
        );
        assert_eq!(hosts.down("a"), Some(down));
        assert_eq!(hosts.down("b"), None);

        let patient = Hosts::new(Duration::from_secs(3600));
        assert_eq!(patient.failed("a", "timed out"), None);
        patient.succeeded("a");
        assert_eq!(patient.failed("a", "timed out"), None);
        patient.mark_down("a", "dns error");
        patient.mark_down("a", "later reason");
        assert_eq!(patient.down("a").as_deref(), Some("dns error"));
        assert_eq!(patient.failed("a", "x").as_deref(), Some("dns error"));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(Duration::from_secs(120)), "2 min");
        assert_eq!(format_duration(Duration::from_secs(90)), "90 s");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5 s");
    }
}
