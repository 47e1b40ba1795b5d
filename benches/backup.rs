//! Backup benchmark: a generated snapshot archived (zstd and gzip), verified, and restored into
//! an empty fake workspace; prints sizes, times and requests.
//!
//! `cargo bench --bench backup` (settings through the environment): `BENCH_ARTICLES` (3000,
//! in 5 locales), `BENCH_LATENCY_MS` (0: the fake's latency per request during the restore),
//! `BENCH_CONCURRENCY` (8: the restore's `--concurrency`).

#[path = "../tests/support/mod.rs"]
mod support;

use support::setting;

use std::path::Path;
use std::time::{Duration, Instant};

use helpcenter::archive::{archive, ArchiveOptions, Compression};
use helpcenter::intercom::{Client, ClientOptions};
use helpcenter::output::{Ui, Verbosity};
use helpcenter::restore::{restore, RestoreOptions};
use helpcenter::snapshot::{ObjectKind, SnapshotWriter};
use helpcenter::verify::verify;
use serde_json::{json, Value};
use support::fake_intercom::{FakeIntercom, ServerConfig};
use support::snapshots::us_api;
use support::workspace::{id_of, GeneratedSpec, Workspace};

/// Writes the workspace's objects as a snapshot at `target`.
fn write_snapshot(workspace: &Workspace, target: &Path) {
    let mut writer = SnapshotWriter::create(target).expect("snapshot writer");
    let kinds: [(ObjectKind, &Vec<Value>); 3] = [
        (ObjectKind::HelpCenter, &workspace.help_centers),
        (ObjectKind::Collection, &workspace.collections),
        (ObjectKind::Article, &workspace.articles),
    ];
    for (kind, objects) in kinds {
        for object in objects {
            let raw = serde_json::to_vec(object).expect("JSON");
            writer
                .write_object(kind, &id_of(object).expect("id"), &raw)
                .expect("write object");
        }
    }
    writer.commit(us_api(), None).expect("commit");
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = f();
    (value, started.elapsed())
}

fn main() {
    let articles = setting("BENCH_ARTICLES", 3000) as usize;
    let latency = Duration::from_millis(setting("BENCH_LATENCY_MS", 0));
    let concurrency = setting("BENCH_CONCURRENCY", 8) as usize;
    let workspace = Workspace::generated(&GeneratedSpec {
        articles,
        locales: ["en", "fr", "de", "ja", "ar"].map(String::from).to_vec(),
        collections: 40,
        max_depth: 3,
        translation_rate: 0.6,
        blocks_per_body: 6,
        seed: 7,
        ..GeneratedSpec::default()
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = dir.path().join("snapshot");
    write_snapshot(&workspace, &snapshot);
    println!(
        "backup benchmark: {articles} articles in 5 locales, {} collections",
        workspace.collections.len()
    );

    for (compression, name) in [
        (Compression::Zstd, "b.tar.zst"),
        (Compression::Gzip, "b.tar.gz"),
    ] {
        let options = ArchiveOptions {
            snapshot: snapshot.clone(),
            out: dir.path().join(name).display().to_string(),
            compression: Some(compression),
        };
        let (report, took) = timed(|| archive(&options).expect("archive"));
        println!(
            "  archive {compression:?}: {:.3} s, {} -> {} bytes ({:.1}%)",
            took.as_secs_f64(),
            report.snapshot_bytes,
            report.bytes,
            100.0 * report.bytes as f64 / report.snapshot_bytes as f64
        );
        let (verified, took) = timed(|| verify(&dir.path().join(name)).expect("verify"));
        assert!(verified.ok, "{:?}", verified.problems);
        println!(
            "  verify {compression:?}:  {:.3} s ({} files)",
            took.as_secs_f64(),
            verified.checked_files
        );
    }

    let target = Workspace {
        help_centers: vec![json!({"id": "77", "url": "https://help.new.test"})],
        ..Workspace::empty()
    };
    let server = FakeIntercom::with_config(
        target,
        ServerConfig {
            latency,
            ..ServerConfig::default()
        },
    );
    let client = Client::new(ClientOptions {
        concurrency,
        ..server.client_options()
    })
    .expect("client");
    let ui = Ui::new(Verbosity {
        quiet: true,
        verbose: 0,
        json: false,
    });
    let options = RestoreOptions {
        backup: dir.path().join("b.tar.zst"),
        help_center: None,
        author_id: Some("1".into()),
        state: None,
        dry_run: false,
        into_nonempty: false,
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (report, took) = timed(|| {
        runtime
            .block_on(restore(&client, &options, &ui))
            .expect("restore")
    });
    println!(
        "  restore (latency {latency:?}, concurrency {concurrency}): {:.3} s, {} requests",
        took.as_secs_f64(),
        server.requests().len()
    );
    println!("    {}", report.summary_line());
}
