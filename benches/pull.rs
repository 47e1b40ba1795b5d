//! Pull benchmark: a generated workspace from the fake Intercom with a set latency per request
//! and a rate limit; prints requests made, wall time and the two lower bounds a pull cannot beat.
//!
//! `cargo bench --bench pull` (settings through the environment):
//! `BENCH_ARTICLES` (3000), `BENCH_LATENCY_MS` (50), `BENCH_RATE_LIMIT` calls per
//! `BENCH_RATE_WINDOW_S` seconds (1666 per 10, Intercom's default), `BENCH_CONCURRENCY` (8),
//! `BENCH_PER_PAGE` (150; the fake caps pages at 150 like the real API).

#[path = "../tests/support/mod.rs"]
mod support;

use support::setting;

use std::time::{Duration, Instant};

use helpcenter::intercom::{Client, ClientOptions};
use helpcenter::output::{Ui, Verbosity};
use helpcenter::pull::{pull, PullOptions};
use support::fake_intercom::{FakeIntercom, RateLimit, ServerConfig};
use support::workspace::{GeneratedSpec, Workspace};

fn main() {
    let articles = setting("BENCH_ARTICLES", 3000) as usize;
    let latency = Duration::from_millis(setting("BENCH_LATENCY_MS", 50));
    let limit = setting("BENCH_RATE_LIMIT", 1666) as u32;
    let window = Duration::from_secs(setting("BENCH_RATE_WINDOW_S", 10));
    let concurrency = setting("BENCH_CONCURRENCY", 8) as usize;
    let per_page = setting("BENCH_PER_PAGE", 150) as usize;

    let workspace = Workspace::generated(&GeneratedSpec {
        articles,
        locales: ["en", "fr", "de", "ja", "ar"].map(String::from).to_vec(),
        collections: 40,
        seed: 1,
        ..GeneratedSpec::default()
    });
    let config = ServerConfig {
        latency,
        rate_limit: Some(RateLimit { limit, window }),
        ..ServerConfig::default()
    };
    let server = FakeIntercom::with_config(workspace, config);
    let dir = tempfile::tempdir().expect("temp dir");
    let client = Client::new(ClientOptions {
        concurrency,
        per_page,
        ..server.client_options()
    })
    .expect("client");
    let ui = Ui::new(Verbosity {
        quiet: true,
        verbose: 1,
        json: false,
    });
    ui.init_logging();
    let options = PullOptions {
        snapshot: dir.path().join("snapshot"),
        help_center: None,
        assets: None,
    };

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let started = Instant::now();
    let report = runtime
        .block_on(pull(&client, &options, &ui))
        .expect("pull succeeds");
    let wall = started.elapsed();

    let requests = server.requests();
    let throttled = requests.iter().filter(|r| r.status == 429).count();
    let article_pages = articles.div_ceil(per_page.min(150)).max(1);
    // Page 1 alone, then the other pages `concurrency` at a time; the other lists run beside it.
    let round_trips = 1 + (article_pages - 1).div_ceil(concurrency);
    let latency_bound = latency * round_trips as u32;
    let calls_over = requests.len().saturating_sub(limit as usize);
    let rate_bound = window.mul_f64(calls_over as f64 / f64::from(limit));

    println!("pull benchmark: {articles} articles in 5 locales, latency {latency:?}, rate limit {limit}/{window:?}, concurrency {concurrency}, per_page {per_page}");
    println!("  {}", report.summary_line());
    println!(
        "  requests made:          {} ({throttled} answered 429)",
        requests.len()
    );
    println!("  wall time:              {:.3} s", wall.as_secs_f64());
    println!(
        "  lower bound, latency:   {:.3} s ({round_trips} round trips x {latency:?})",
        latency_bound.as_secs_f64()
    );
    println!(
        "  lower bound, rate:      {:.3} s ({} requests beyond the first window's {limit})",
        rate_bound.as_secs_f64(),
        calls_over
    );
    let bound = latency_bound.max(rate_bound);
    println!(
        "  wall / best bound:      {:.2}x",
        wall.as_secs_f64() / bound.as_secs_f64().max(1e-9)
    );
}
