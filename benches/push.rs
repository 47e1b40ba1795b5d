//! Push under load: 5,000 changed articles pushed against the fake Intercom with Intercom's
//! rate limit, answering 429 with `Retry-After` to one request in five and dropping one
//! connection in twenty. Checks that every edit was applied exactly once and prints the wall
//! time beside the time the rate limit alone makes necessary.
//!
//! `cargo bench --bench push` (settings through the environment): `BENCH_ARTICLES` (5000),
//! `BENCH_CONCURRENCY` (8), `BENCH_RATE_LIMIT` calls per `BENCH_RATE_WINDOW_S` seconds (1666
//! per 10, Intercom's default), `BENCH_RETRY_AFTER_S` (0: what the injected 429s ask for; the
//! client pauses every request that long, as for a workspace's limit), `BENCH_LATENCY_MS` (0),
//! `BENCH_SEED` (16: which requests fail), `BENCH_RETRY_DELAY_MS` (500, `--retry-delay`),
//! `BENCH_FAULTS` (1; 0 for the same push without faults, a baseline).

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use helpcenter::push::push;
use support::fake_intercom::{FaultKind, RateLimit, ServerConfig};
use support::push_load::{faults, PushLoad};
use support::setting;

fn main() {
    let articles = setting("BENCH_ARTICLES", 5000) as usize;
    let concurrency = setting("BENCH_CONCURRENCY", 8) as usize;
    let limit = setting("BENCH_RATE_LIMIT", 1666) as u32;
    let window = Duration::from_secs(setting("BENCH_RATE_WINDOW_S", 10));
    let retry_after = setting("BENCH_RETRY_AFTER_S", 0);
    let latency = Duration::from_millis(setting("BENCH_LATENCY_MS", 0));
    let seed = setting("BENCH_SEED", 16);
    let retry_delay = Duration::from_millis(setting("BENCH_RETRY_DELAY_MS", 500));
    let with_faults = setting("BENCH_FAULTS", 1) != 0;

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let config = ServerConfig {
        latency,
        rate_limit: Some(RateLimit { limit, window }),
        ..ServerConfig::default()
    };
    let load = runtime.block_on(PushLoad::new(articles, config));
    if with_faults {
        load.server.set_faults(faults(seed, retry_after));
    }
    // The CLI's retry settings, with more tries: a request fails one time in four here.
    let client = load.client(concurrency, 10, retry_delay);

    let started = Instant::now();
    let report = runtime
        .block_on(push(&client, &load.options()))
        .expect("the push succeeds");
    let wall = started.elapsed();

    let requests = load.server.requests();
    let injected = (requests.iter())
        .filter(|r| matches!(r.fault, Some(FaultKind::TooManyRequests { .. })))
        .count();
    let throttled = requests.iter().filter(|r| r.status == 429).count() - injected;
    let dropped = (requests.iter())
        .filter(|r| r.fault == Some(FaultKind::DropConnection))
        .count();
    let calls_over = requests.len().saturating_sub(limit as usize);
    let rate_bound = window.mul_f64(calls_over as f64 / f64::from(limit));
    let problems = load.check();

    println!(
        "push benchmark: {articles} changed articles, rate limit {limit}/{window:?}, \
         concurrency {concurrency}, latency {latency:?}, retry delay {retry_delay:?}"
    );
    match with_faults {
        true => println!(
            "  faults: 429 (Retry-After: {retry_after} s) to 1 request in 5, a dropped \
             connection in 20 (seed {seed})"
        ),
        false => println!("  no faults"),
    }
    println!("  {}", report.summary_line());
    println!(
        "  requests made:          {} ({injected} injected 429s, {throttled} 429s from the \
         rate limit, {dropped} dropped connections)",
        requests.len()
    );
    println!(
        "  every edit applied once: {}",
        if problems.is_empty() {
            "yes".to_string()
        } else {
            format!("NO: {} problems, first {}", problems.len(), problems[0])
        }
    );
    println!("  wall time:              {:.3} s", wall.as_secs_f64());
    println!(
        "  lower bound, rate:      {:.3} s ({calls_over} requests beyond the first window's \
         {limit})",
        rate_bound.as_secs_f64()
    );
    println!(
        "  wall / rate bound:      {:.2}x",
        wall.as_secs_f64() / rate_bound.as_secs_f64().max(1e-9)
    );
    assert!(problems.is_empty(), "edits were lost or applied twice");
    assert_eq!(report.updated, articles, "every article is pushed");
}
