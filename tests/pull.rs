//! `helpcenter pull` end to end: the real binary against the in-process fake Intercom.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use support::cli;
use support::fake_intercom::{FakeIntercom, FaultKind, FaultPlan, Matcher};
use support::workspace::{GeneratedSpec, Workspace};

/// Runs `helpcenter pull` against `server` into `snapshot` with extra flags.
fn pull(server: &FakeIntercom, snapshot: &Path, extra: &[&str]) -> Output {
    pull_with_token(server, snapshot, FakeIntercom::TOKEN, extra)
}

fn pull_with_token(server: &FakeIntercom, snapshot: &Path, token: &str, extra: &[&str]) -> Output {
    // Run beside the snapshot, so no helpcenter.toml of the checkout is read.
    cli::helpcenter(snapshot.parent().unwrap())
        .env("INTERCOM_TOKEN", token)
        .args(["pull", "--api-base", &server.base_url(), "--snapshot"])
        .arg(snapshot)
        .args(["--retry-delay", "5"])
        .args(extra)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "pull failed ({:?})\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        stdout(output),
        stderr(output)
    );
}

/// Every data file of a snapshot (manifest aside), parsed, keyed by its relative path.
fn snapshot_objects(snapshot: &Path) -> BTreeMap<String, Value> {
    let mut objects = BTreeMap::new();
    for dir in ["help_centers", "collections", "sections", "articles"] {
        let Ok(entries) = std::fs::read_dir(snapshot.join(dir)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            objects.insert(format!("{dir}/{name}"), value);
        }
    }
    objects
}

/// The objects a workspace holds, keyed as a snapshot stores them, as the list endpoints show
/// them: article `statistics` come only from `GET /articles/{id}` and are not content.
fn workspace_objects(workspace: &Workspace) -> BTreeMap<String, Value> {
    let kinds: [(&str, &Vec<Value>); 4] = [
        ("help_centers", &workspace.help_centers),
        ("collections", &workspace.collections),
        ("sections", &workspace.sections),
        ("articles", &workspace.articles),
    ];
    let mut objects = BTreeMap::new();
    for (dir, values) in kinds {
        for value in values {
            let id = support::workspace::id_of(value).unwrap();
            let mut listed = value.clone();
            if dir == "articles" {
                listed.as_object_mut().unwrap().shift_remove("statistics");
            }
            objects.insert(format!("{dir}/{id}.json"), listed);
        }
    }
    objects
}

/// Asserts two object maps are equal, naming only the objects that differ.
#[track_caller]
fn assert_same_objects(actual: &BTreeMap<String, Value>, expected: &BTreeMap<String, Value>) {
    let missing: Vec<&String> = expected
        .keys()
        .filter(|k| !actual.contains_key(*k))
        .collect();
    let extra: Vec<&String> = actual
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .collect();
    let differing: Vec<&String> = actual
        .iter()
        .filter(|(k, v)| expected.get(*k).is_some_and(|e| e != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differing.is_empty(),
        "missing {missing:?}, unexpected {extra:?}, differing {differing:?}"
    );
}

fn manifest(snapshot: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(snapshot.join("manifest.json")).unwrap()).unwrap()
}

/// sha256 of every file under `dir` (hidden siblings are outside it), for byte-for-byte checks.
fn tree_hashes(dir: &Path) -> BTreeMap<PathBuf, String> {
    walk_files(dir)
        .into_iter()
        .map(|path| {
            let hash = hex::encode(Sha256::digest(std::fs::read(&path).unwrap()));
            (path.strip_prefix(dir).unwrap().to_path_buf(), hash)
        })
        .collect()
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk_files(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn generated(articles: usize) -> Workspace {
    Workspace::generated(&GeneratedSpec {
        articles,
        locales: vec!["en".into(), "de".into(), "ja".into()],
        collections: 6,
        seed: 7,
        ..GeneratedSpec::default()
    })
}

#[test]
fn full_pull_equals_the_fixture_exactly() {
    let workspace = Workspace::load("multilingual");
    let server = FakeIntercom::start(workspace.clone());
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot");

    let output = pull(&server, &snapshot, &[]);
    assert_success(&output);

    assert_same_objects(&snapshot_objects(&snapshot), &workspace_objects(&workspace));
    let manifest = manifest(&snapshot);
    assert_eq!(manifest["format"], "helpcenter-snapshot/1");
    assert_eq!(manifest["api"]["version"], "2.15");
    assert_eq!(manifest["api"]["region"], "custom");
    assert_eq!(manifest["api"]["base_url"], server.base_url());
    assert_eq!(manifest["counts"]["articles"], workspace.articles.len());
    assert_eq!(
        manifest["counts"]["collections"],
        workspace.collections.len()
    );
    assert_eq!(
        manifest["counts"]["help_centers"],
        workspace.help_centers.len()
    );
    assert_eq!(manifest["counts"]["sections"], 0);
    let locales: Vec<&String> = manifest["locales"].as_object().unwrap().keys().collect();
    assert_eq!(locales, expected_locales(&workspace));
    for (locale, counts) in manifest["locales"].as_object().unwrap() {
        assert_eq!(
            counts["articles"],
            articles_in_locale(&workspace, locale),
            "{locale}"
        );
    }
    let summary = stdout(&output);
    assert!(
        summary.starts_with(&format!(
            "pulled 1 help center, {} collections, {} articles in {} locales to {}",
            workspace.collections.len(),
            workspace.articles.len(),
            locales.len(),
            snapshot.display()
        )),
        "{summary}"
    );
}

fn expected_locales(workspace: &Workspace) -> Vec<&String> {
    let mut locales: Vec<&String> = workspace
        .articles
        .iter()
        .chain(&workspace.collections)
        .filter_map(|o| o["translated_content"].as_object())
        .flat_map(|t| t.iter().filter(|(_, v)| v.is_object()).map(|(k, _)| k))
        .collect();
    locales.sort();
    locales.dedup();
    locales
}

fn articles_in_locale(workspace: &Workspace, locale: &str) -> usize {
    workspace
        .articles
        .iter()
        .filter(|a| a["translated_content"][locale].is_object())
        .count()
}

#[test]
fn raw_objects_are_stored_byte_for_byte_with_checksums() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot");
    assert_success(&pull(&server, &snapshot, &[]));

    let manifest = manifest(&snapshot);
    let files = manifest["files"].as_object().unwrap();
    assert_eq!(files.len(), snapshot_objects(&snapshot).len());
    for (name, entry) in files {
        let bytes = std::fs::read(snapshot.join(name)).unwrap();
        assert_eq!(
            entry["sha256"],
            hex::encode(Sha256::digest(&bytes)),
            "{name}"
        );
        assert_eq!(entry["bytes"], bytes.len(), "{name}");
    }
    // The stored text is the server's serialisation, unknown fields and key order included.
    let workspace = Workspace::load("multilingual");
    let id = support::workspace::id_of(&workspace.articles[0]).unwrap();
    let article = &workspace_objects(&workspace)[&format!("articles/{id}.json")];
    let stored = std::fs::read_to_string(snapshot.join(format!("articles/{id}.json"))).unwrap();
    assert!(
        stored == serde_json::to_string(article).unwrap(),
        "{id} differs"
    );
}

#[test]
fn pagination_edges_fetch_every_item_once() {
    let per_page = 5;
    for count in [0, per_page, per_page + 1, 3 * per_page + 2] {
        let workspace = generated(count);
        let server = FakeIntercom::start(workspace.clone());
        let dir = tempfile::tempdir().unwrap();
        let snapshot = dir.path().join("snapshot");
        assert_success(&pull(&server, &snapshot, &["--per-page", "5"]));
        assert_same_objects(&snapshot_objects(&snapshot), &workspace_objects(&workspace));
        let article_pages: Vec<String> = server
            .requests()
            .iter()
            .filter(|r| r.path == "/articles")
            .map(|r| r.query_param("page").unwrap_or("?").to_string())
            .collect();
        let expected_pages = count.div_ceil(per_page).max(1);
        let mut sorted = article_pages.clone();
        sorted.sort_by_key(|p| p.parse::<usize>().unwrap());
        let expected: Vec<String> = (1..=expected_pages).map(|p| p.to_string()).collect();
        assert_eq!(sorted, expected, "{count} articles");
    }
}

#[test]
fn api_2_9_pulls_sections() {
    let workspace = Workspace::load("sections-2.9");
    assert!(!workspace.sections.is_empty());
    let server = FakeIntercom::start(workspace.clone());
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot");
    assert_success(&pull(&server, &snapshot, &["--api-version", "2.9"]));
    assert_same_objects(&snapshot_objects(&snapshot), &workspace_objects(&workspace));
    assert_eq!(manifest(&snapshot)["api"]["version"], "2.9");
    let requests = server.requests();
    assert!(requests
        .iter()
        .all(|r| r.header("intercom-version") == Some("2.9")));
    assert!(requests.iter().any(|r| r.path == "/help_center/sections"));
}

#[test]
fn api_2_10_and_later_never_ask_for_sections() {
    let workspace = Workspace::load("sections-2.9");
    let server = FakeIntercom::start(workspace.clone());
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot");
    assert_success(&pull(&server, &snapshot, &["--api-version", "2.10"]));
    let objects = snapshot_objects(&snapshot);
    assert!(!objects.keys().any(|k| k.starts_with("sections/")));
    // The former sections arrive as nested collections.
    let collections = objects
        .keys()
        .filter(|k| k.starts_with("collections/"))
        .count();
    assert_eq!(
        collections,
        workspace.collections.len() + workspace.sections.len()
    );
    assert!(!server
        .requests()
        .iter()
        .any(|r| r.path == "/help_center/sections"));
}

#[test]
fn a_pull_through_twenty_percent_faults_equals_a_clean_pull() {
    let workspace = generated(400);
    let server = FakeIntercom::start(workspace.clone());
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean");
    assert_success(&pull(&server, &clean, &["--per-page", "20"]));

    server.set_faults(FaultPlan::random(
        42,
        0.2,
        vec![
            FaultKind::Status(500),
            FaultKind::Status(503),
            FaultKind::HtmlStatus(502),
            FaultKind::TooManyRequests {
                retry_after: Some(0),
                reset_in: None,
            },
            FaultKind::TooManyRequests {
                retry_after: None,
                reset_in: Some(0),
            },
            FaultKind::DropConnection,
            FaultKind::Slow(Duration::from_millis(1500)),
            FaultKind::TruncatedJson,
        ],
    ));
    let faulty = dir.path().join("faulty");
    let output = pull(
        &server,
        &faulty,
        &["--per-page", "20", "--max-tries", "12", "--timeout", "1"],
    );
    assert_success(&output);
    assert_same_objects(&snapshot_objects(&faulty), &snapshot_objects(&clean));
    let faulted = server.requests().iter().filter(|r| r.status != 200).count();
    assert!(faulted > 0, "the fault plan injected nothing");
}

#[test]
fn a_persistently_malformed_page_names_the_endpoint_and_page() {
    let server = FakeIntercom::start(generated(30));
    server.set_faults(FaultPlan::scripted(vec![(
        Matcher::every("/articles?page=2*"),
        FaultKind::TruncatedJson,
    )]));
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot");
    let output = pull(
        &server,
        &snapshot,
        &["--per-page", "10", "--max-tries", "3"],
    );
    cli::assert_code(&output, 1);
    let err = stderr(&output);
    assert!(
        err.contains("error: failed to fetch /articles?page=2&per_page=10: malformed response:"),
        "{err}"
    );
    assert!(err.contains("(after 3 tries)"), "{err}");
    assert!(!snapshot.exists());
}

#[test]
fn a_wrong_token_stops_at_once_with_advice_and_no_secret() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot");
    let wrong = "wrong-token-0123456789abcdef";
    let output = pull_with_token(&server, &snapshot, wrong, &[]);
    cli::assert_code(&output, 2);
    let err = stderr(&output);
    assert!(
        err.contains("Intercom refused the access token for GET "),
        "{err}"
    );
    assert!(
        err.contains("401 Unauthorized (unauthorized: Access Token Invalid)"),
        "{err}"
    );
    assert!(err.contains("INTERCOM_TOKEN"), "{err}");
    assert!(!err.contains(wrong) && !stdout(&output).contains(wrong));
    assert!(!snapshot.exists());
    // Stopped at once: no retries of a 401.
    let unauthorized = server.requests().iter().filter(|r| r.status == 401).count();
    assert!(unauthorized <= 4, "{unauthorized} requests after a 401");
}

#[test]
fn a_missing_token_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = cli::helpcenter(dir.path())
        .args(["pull", "--api-base", "http://127.0.0.1:9", "--snapshot"])
        .arg(dir.path().join("s"))
        .output()
        .unwrap();
    cli::assert_code(&output, 2);
    assert!(stderr(&output).starts_with("error: no access token: set INTERCOM_TOKEN"));
}

#[test]
fn the_token_appears_nowhere() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    server.set_faults(FaultPlan::scripted(vec![(
        Matcher::nth_to("/articles", 1),
        FaultKind::Status(503),
    )]));
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot");
    let output = pull(&server, &snapshot, &["-vv", "--json"]);
    assert_success(&output);
    let token = FakeIntercom::TOKEN;
    assert!(!stdout(&output).contains(token));
    assert!(!stderr(&output).contains(token));
    for path in walk_files(&snapshot) {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        assert!(!text.contains(token), "{}", path.display());
    }
    // It was sent, though, as a Bearer token.
    let auth = format!("Bearer {token}");
    assert!(server
        .requests()
        .iter()
        .all(|r| r.header("authorization") == Some(auth.as_str())));
}

#[test]
fn json_summary_holds_the_counts() {
    let workspace = Workspace::load("multilingual");
    let server = FakeIntercom::start(workspace.clone());
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot");
    let output = pull(&server, &snapshot, &["--json"]);
    assert_success(&output);
    let report: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(report["articles"], workspace.articles.len());
    assert_eq!(report["collections"], workspace.collections.len());
    assert_eq!(report["help_centers"], 1);
    assert_eq!(report["sections"], 0);
    assert_eq!(report["snapshot"], snapshot.display().to_string());
    assert_eq!(report["command"], "pull");
    assert_eq!(report["ok"], true);
    assert_eq!(report["exit_code"], 0);
    assert_eq!(report["warnings"], json!([]));
    assert_eq!(report["errors"], json!([]));
    assert!(report["duration_ms"].is_u64());
}

#[test]
fn a_failure_with_json_is_one_json_object_on_stdout() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let dir = tempfile::tempdir().unwrap();
    let wrong = "wrong-token-0123456789abcdef";
    let output = pull_with_token(&server, &dir.path().join("s"), wrong, &["--json"]);
    cli::assert_code(&output, 2);
    let mut report: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    let duration = report.as_object_mut().unwrap().remove("duration_ms");
    assert!(duration.unwrap().is_u64());
    let message = stderr(&output)
        .trim()
        .strip_prefix("error: ")
        .unwrap()
        .to_string();
    assert_eq!(
        report,
        json!({"command": "pull", "ok": false, "exit_code": 2, "errors": [message],
               "warnings": []})
    );
    assert!(!stdout(&output).contains(wrong));
}

#[test]
fn quiet_prints_nothing_on_success() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let dir = tempfile::tempdir().unwrap();
    let output = pull(&server, &dir.path().join("snapshot"), &["--quiet"]);
    assert_success(&output);
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "");
}

#[test]
fn a_failed_pull_leaves_the_previous_snapshot_intact() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot");
    assert_success(&pull(&server, &snapshot, &[]));
    let before = tree_hashes(&snapshot);

    server.set_faults(FaultPlan::scripted(vec![(
        Matcher::every("/articles*"),
        FaultKind::Status(500),
    )]));
    let output = pull(&server, &snapshot, &["--max-tries", "2"]);
    cli::assert_code(&output, 1);
    assert_eq!(tree_hashes(&snapshot), before);
    assert_eq!(leftovers(dir.path()), vec![".snapshot.lock".to_string()]);
}

/// Hidden files beside the snapshot.
fn leftovers(parent: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn a_killed_pull_leaves_the_previous_snapshot_intact() {
    let workspace = generated(300);
    let server = FakeIntercom::start(workspace);
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot");
    assert_success(&pull(&server, &snapshot, &["--per-page", "10"]));
    let before = tree_hashes(&snapshot);

    server.set_faults(FaultPlan::scripted(vec![(
        Matcher::every("*"),
        FaultKind::Slow(Duration::from_millis(200)),
    )]));
    let seen_before = server.requests().len();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("helpcenter"))
        .env("INTERCOM_TOKEN", FakeIntercom::TOKEN)
        .args(["pull", "--api-base", &server.base_url(), "--snapshot"])
        .arg(&snapshot)
        .args(["--per-page", "10", "--concurrency", "2"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.requests().len() < seen_before + 6 {
        assert!(Instant::now() < deadline, "the pull never got going");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(tree_hashes(&snapshot), before);

    // The next pull cleans up after the killed one and succeeds.
    server.set_faults(FaultPlan::none());
    assert_success(&pull(&server, &snapshot, &["--per-page", "10"]));
    assert_eq!(leftovers(dir.path()), vec![".snapshot.lock".to_string()]);
}

#[test]
fn help_center_option_limits_the_pull() {
    let workspace = Workspace::load("multilingual");
    let hc = support::workspace::id_of(&workspace.help_centers[0]).unwrap();
    let server = FakeIntercom::start(workspace.clone());
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot");
    assert_success(&pull(&server, &snapshot, &["--help-center", &hc]));
    let objects = snapshot_objects(&snapshot);
    let standalone: Vec<String> = workspace
        .articles
        .iter()
        .filter(|a| a["parent_id"].is_null())
        .map(|a| format!("articles/{}.json", support::workspace::id_of(a).unwrap()))
        .collect();
    assert!(
        !standalone.is_empty(),
        "the fixture needs a standalone article"
    );
    let mut expected = workspace_objects(&workspace);
    for name in &standalone {
        expected.remove(name);
    }
    assert_same_objects(&objects, &expected);
    assert_eq!(manifest(&snapshot)["help_center"], Value::String(hc));

    let output = pull(
        &server,
        &dir.path().join("other"),
        &["--help-center", "999999"],
    );
    cli::assert_code(&output, 2);
    assert!(stderr(&output).contains("help center 999999 does not exist in this workspace"));
}

#[test]
fn rate_limit_headers_slow_the_pull_instead_of_hitting_429s() {
    use support::fake_intercom::{RateLimit, ServerConfig};
    let workspace = generated(200);
    let config = ServerConfig {
        rate_limit: Some(RateLimit {
            limit: 30,
            window: Duration::from_secs(2),
        }),
        ..ServerConfig::default()
    };
    let server = FakeIntercom::with_config(workspace.clone(), config);
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot");
    // 200 articles at 5 per page: 40 article pages and a few more lists, over 30 per window.
    let output = pull(&server, &snapshot, &["--per-page", "5", "--max-tries", "8"]);
    assert_success(&output);
    assert_same_objects(&snapshot_objects(&snapshot), &workspace_objects(&workspace));
    let limited = server.requests().iter().filter(|r| r.status == 429).count();
    let total = server.requests().len();
    assert!(
        limited <= 3,
        "{limited} of {total} requests were answered 429"
    );
}
