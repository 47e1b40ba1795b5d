//! `pull --assets` benchmark: a generated workspace whose articles each show one image on the
//! fake CDN (with a set latency per request), pulled cold (every image downloaded) and again
//! (every image reused), then built with and without the asset map, to see what the local
//! copies cost a build.
//!
//! `cargo bench --bench assets` (settings through the environment): `BENCH_ARTICLES` (1000),
//! `BENCH_ASSET_KB` (100), `BENCH_LATENCY_MS` (50), `BENCH_CONCURRENCY` (8).

#[path = "../tests/support/mod.rs"]
mod support;

use support::setting;

use std::path::Path;
use std::time::{Duration, Instant};

use helpcenter::assets::{AssetOptions, DEFAULT_MAX_BYTES};
use helpcenter::intercom::{Client, ClientOptions, RetryPolicy};
use helpcenter::output::{Ui, Verbosity};
use helpcenter::pull::{pull, PullOptions, PullReport};
use helpcenter::site::{build, BuildOptions, Input};
use serde_json::Value;
use support::fake_intercom::{FakeAsset, FakeIntercom, ServerConfig};
use support::workspace::{GeneratedSpec, Workspace};

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("assets benchmark: run it with `cargo bench --bench assets`");
        return;
    }
    let articles = setting("BENCH_ARTICLES", 1000) as usize;
    let asset_bytes = setting("BENCH_ASSET_KB", 100) as usize * 1024;
    let latency = Duration::from_millis(setting("BENCH_LATENCY_MS", 50));
    let concurrency = setting("BENCH_CONCURRENCY", 8) as usize;

    let workspace = Workspace::generated(&GeneratedSpec {
        articles,
        locales: ["en", "fr"].map(String::from).to_vec(),
        collections: 20,
        seed: 1,
        ..GeneratedSpec::default()
    });
    let config = ServerConfig {
        latency,
        ..ServerConfig::default()
    };
    let server = FakeIntercom::with_config(workspace, config);
    add_one_image_per_article(&server, asset_bytes);
    let dir = tempfile::tempdir().expect("temp dir");
    let client = client(&server, concurrency);
    let ui = Ui::new(Verbosity {
        quiet: true,
        verbose: setting("BENCH_VERBOSE", 0) as u8,
        json: false,
    });
    ui.init_logging();
    let assets = AssetOptions {
        concurrency,
        max_bytes: DEFAULT_MAX_BYTES,
        retry: RetryPolicy::default(),
        timeout: Duration::from_secs(60),
        host_budget: helpcenter::assets::DEFAULT_HOST_BUDGET,
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let run = |name: &str, snapshot: &str, assets: Option<AssetOptions>| -> usize {
        server.clear_requests();
        let options = PullOptions {
            snapshot: dir.path().join(snapshot),
            help_center: None,
            assets,
        };
        let started = Instant::now();
        let report: PullReport = runtime
            .block_on(pull(&client, &options, &ui))
            .expect("pull");
        let wall = started.elapsed().as_secs_f64();
        let cdn = server.asset_requests().len();
        println!(
            "{name:<22} {wall:>7.3} s  {cdn:>5} CDN requests  {}",
            report.summary_line()
        );
        report.assets.map_or(0, |a| a.referenced)
    };
    println!(
        "assets benchmark: {articles} articles in 2 locales, one {} KiB image each, latency \
         {latency:?}, concurrency {concurrency}",
        asset_bytes / 1024
    );
    run("pull, no assets", "plain", None);
    let referenced = run("pull --assets, cold", "snapshot", Some(assets.clone()));
    run("pull --assets, again", "snapshot", Some(assets));
    let round_trips = referenced.div_ceil(concurrency);
    println!(
        "  lower bound for the downloads: {:.3} s ({round_trips} round trips x {latency:?})",
        (latency * round_trips as u32).as_secs_f64()
    );
    build_both(dir.path());
    if std::env::var_os("BENCH_KEEP").is_some() {
        println!("kept {}", dir.keep().display());
    }
}

/// Gives every article (all its locales) one image of its own on the fake CDN, and moves the
/// generated bodies' screenshots (all the same file) there too: a benchmark makes no request
/// to the real Intercom.
fn add_one_image_per_article(server: &FakeIntercom, bytes: usize) {
    let cdn = server.asset_url("");
    server.add_asset("screenshot.png", FakeAsset::new("x.png", vec![1; bytes]));
    let urls: Vec<String> = (0..server.workspace().articles.len())
        .map(|i| server.asset_url(&format!("i/o/{i}/image-{i}.png")))
        .collect();
    for i in 0..urls.len() {
        // Distinct bytes per image, so every article's image is its own file.
        let mut data = vec![0u8; bytes.max(8)];
        data[..8].copy_from_slice(&(i as u64).to_le_bytes());
        server.add_asset(&format!("image-{i}.png"), FakeAsset::new("x.png", data));
    }
    server.update_workspace(|ws| {
        for (article, url) in ws.articles.iter_mut().zip(&urls) {
            let image = format!(r#"<div class="intercom-container"><img src="{url}"></div>"#);
            append_to_bodies(article, &image, &cdn);
        }
    });
}

fn append_to_bodies(article: &mut Value, html: &str, cdn: &str) {
    let append = |body: &mut Value| {
        if let Some(text) = body.as_str() {
            let text = text.replace("https://downloads.intercomcdn.com/", cdn);
            *body = Value::String(format!("{text}{html}"));
        }
    };
    append(&mut article["body"]);
    if let Some(map) = article["translated_content"].as_object_mut() {
        for content in map.values_mut().filter(|c| c.is_object()) {
            append(&mut content["body"]);
        }
    }
}

/// Builds the snapshot without and with assets (cold, no cache, each into its own folder).
fn build_both(dir: &Path) {
    for (name, snapshot) in [
        ("build, no assets", "plain"),
        ("build, with assets", "snapshot"),
    ] {
        let options = BuildOptions {
            input: Input::Snapshot(dir.join(snapshot)),
            out: dir.join(format!("site-{snapshot}")),
            cache: Some(dir.join(format!("{snapshot}.cache"))),
            ..BuildOptions::default()
        };
        let started = Instant::now();
        let report = build(&options).expect("build");
        let wall = started.elapsed().as_secs_f64();
        println!(
            "{name:<22} {wall:>7.3} s  {} pages, {} files written",
            report.pages, report.files_written
        );
    }
}

fn client(server: &FakeIntercom, concurrency: usize) -> Client {
    Client::new(ClientOptions {
        concurrency,
        ..server.client_options()
    })
    .expect("client")
}
