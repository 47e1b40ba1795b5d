//! The built site in a real browser: Debian's headless Chromium, driven by the Node scripts in
//! `tests/browser/` (playwright-core), against the fixture site served over http.
//!
//! Needs `chromium` and the npm packages of `tests/browser/`: `.ci/deps` installs both (the
//! README says how). Without them these tests fail, with the command to run: they never skip.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use helpcenter::site::{build, BuildOptions, Input};
use support::cli::{assert_code, helpcenter, text};
use support::snapshots::fixture_snapshot_dir;
use support::static_site::StaticSite;

/// Builds the `multilingual` fixture into `<dir>/<out>` with `extra` flags.
fn build_site(dir: &Path, out: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec!["build", "--snapshot", "snapshot", "--out", out];
    args.extend_from_slice(extra);
    let output = helpcenter(dir).args(&args).output().unwrap();
    assert_code(&output, 0);
    dir.join(out)
}

/// Builds the `multilingual` fixture into `<dir>/<out>` with every locale's search index in
/// several shards, as a big help center's is, so searching merges them.
fn build_sharded_site(dir: &Path, out: &str) -> PathBuf {
    let options = BuildOptions {
        input: Input::Snapshot(dir.join("snapshot")),
        out: dir.join(out),
        search_shard_budget: Some(3_000),
        ..BuildOptions::default()
    };
    let report = build(&options).unwrap();
    let search = report.search.unwrap();
    assert!(search.shards >= 2 * report.locales.len(), "{search:?}");
    options.out
}

/// Runs `tests/browser/<script>` with `env`; panics with everything it printed unless it passed.
fn run_script(script: &str, env: &[(&str, String)]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let browser_dir = root.join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "Chromium is not installed at {chromium}: run .ci/deps (apt-get install chromium), \
         or set CHROMIUM to its path"
    );
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "the browser tests' npm packages are missing: run .ci/deps (npm ci in tests/browser)"
    );
    let screenshots = root.join("target/browser-screenshots");
    std::fs::create_dir_all(&screenshots).unwrap();
    let output = Command::new("node")
        .arg(browser_dir.join(script))
        .current_dir(&browser_dir)
        .env("CHROMIUM", &chromium)
        .env("SCREENSHOT_DIR", &screenshots)
        .envs(env.iter().map(|(k, v)| (*k, v)))
        .output()
        .unwrap_or_else(|e| panic!("could not start node (install Node.js): {e}"));
    let printed = format!("{}{}", text(&output.stdout), text(&output.stderr));
    println!("{printed}");
    assert!(output.status.success(), "{script} failed:\n{printed}");
}

#[test]
fn search_finds_articles_in_the_visitors_language() {
    let dir = fixture_snapshot_dir("multilingual");
    let site = build_sharded_site(dir.path(), "site");
    let under_path = build_site(
        dir.path(),
        "site-help",
        &["--base-url", "https://help.example.test/help/"],
    );
    let server = StaticSite::start(&site);
    let server_under_path = StaticSite::start_at(&under_path, "/help/");
    run_script(
        "search.mjs",
        &[
            ("SITE_URL", server.url()),
            ("BASE_SITE_URL", format!("{}/help", server_under_path.url())),
        ],
    );
    let requested = server.requested();
    assert!(
        requested.iter().any(|p| p.starts_with("/pagefind/ja/")),
        "the Japanese index was never loaded: {requested:?}"
    );
}

/// Copies every file under `from` into `to`, over what is there.
fn copy_into(from: &Path, to: &Path) {
    for (name, bytes) in support::files_under(from) {
        let target = to.join(name);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

#[test]
fn pages_pass_axe_in_light_and_dark_mode_and_work_by_keyboard() {
    // The multilingual fixture, plus an article with a table of Intercom's light cells and
    // images, which the fixture lacks.
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("fixture");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_into(
        &support::workspace::Workspace::fixture_dir("multilingual"),
        &fixture,
    );
    copy_into(&root.join("tests/fixtures/site/table-and-images"), &fixture);
    support::snapshots::snapshot_from_fixture(&fixture, &dir.path().join("snapshot"));
    let site = build_site(dir.path(), "site", &[]);
    let server = StaticSite::start(&site);
    run_script("pages.mjs", &[("SITE_URL", server.url())]);
}
