//! `pull --assets` end to end: the real binary downloads the images the fake Intercom's bodies
//! refer to (served by the fake's CDN), reuses them on the next pull, and the site and the
//! Markdown tree built from the snapshot use the local copies; push sends the original URLs.

mod support;

use support::files_under;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use helpcenter::markdown::normalize_html;
use serde_json::Value;
use sha2::{Digest, Sha256};

use support::cli::{self, assert_code, text};
use support::fake_intercom::{FakeAsset, FakeIntercom};
use support::workspace::Workspace;

/// The fake serving the `assets` fixture, with its files on the fake CDN.
fn server() -> FakeIntercom {
    let server = FakeIntercom::start(Workspace::load("assets"));
    server.add_asset_dir(&files_dir());
    server
}

fn files_dir() -> PathBuf {
    Workspace::fixture_dir("assets").join("files")
}

fn helpcenter(server: &FakeIntercom, dir: &Path, args: &[&str]) -> Output {
    let retry_fast = ["--retry-delay", "5"];
    let talks_to_intercom = matches!(args[0], "pull" | "push" | "restore");
    let retry_fast = retry_fast.iter().filter(|_| talks_to_intercom);
    cli::against(server, dir)
        .args(args)
        .args(retry_fast)
        .output()
        .unwrap()
}

/// Runs a command with `--json` that must succeed, and parses its summary.
fn json(server: &FakeIntercom, dir: &Path, args: &[&str]) -> Value {
    json_with_code(server, dir, args, 0)
}

/// Runs a command with `--json` that must exit with `code`, and parses its summary.
fn json_with_code(server: &FakeIntercom, dir: &Path, args: &[&str], code: i32) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    let stdout = assert_code(&helpcenter(server, dir, &args), code);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The files under `root` whose bytes mention `needle`.
fn files_mentioning(root: &Path, needle: &str) -> Vec<String> {
    files_under(root)
        .into_iter()
        .filter(|(_, bytes)| text(bytes).contains(needle))
        .map(|(name, _)| name)
        .collect()
}

fn host(server: &FakeIntercom) -> String {
    server.base_url().trim_start_matches("http://").to_string()
}

#[test]
fn a_pull_with_assets_stores_every_file_and_the_next_pull_fetches_none() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let report = json(&server, dir.path(), &["pull", "--assets"]);
    assert_eq!(
        report["assets"],
        serde_json::json!({"referenced": 5, "downloaded": 5, "reused": 0,
            "bytes_downloaded": 69 * 3 + 43 + 88, "failed": []})
    );
    let cdn = server.asset_requests();
    assert_eq!(cdn.len(), 5);
    // The token goes to the API only, never to a CDN.
    assert!(cdn.iter().all(|r| r.header("authorization").is_none()));
    assert!(server
        .requests()
        .iter()
        .filter(|r| !r.path.starts_with("/cdn/"))
        .all(|r| r.header("authorization").is_some()));

    let snapshot = dir.path().join("snapshot");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(snapshot.join("manifest.json")).unwrap()).unwrap();
    let screenshot = std::fs::read(files_dir().join("screenshot.png")).unwrap();
    let shot_file = format!("assets/{}.png", sha256(&screenshot));
    let url = |path: &str| server.asset_url(path);
    let assets = &manifest["assets"];
    assert_eq!(
        assets[url("i/o/1/screenshot.png")],
        serde_json::json!({"file": shot_file, "content_type": "image/png"})
    );
    // Another URL with the same bytes shares the file.
    assert_eq!(assets[url("i/o/1/screenshot.png?w=320")]["file"], shot_file);
    assert_eq!(assets.as_object().unwrap().len(), 5);
    assert_eq!(
        std::fs::read(snapshot.join(&shot_file)).unwrap(),
        screenshot
    );
    let stored: Vec<String> = files_under(&snapshot.join("assets")).into_keys().collect();
    assert_eq!(stored.len(), 4, "{stored:?}");
    assert_eq!(manifest["files"][&shot_file]["sha256"], sha256(&screenshot));

    server.clear_requests();
    let again = json(&server, dir.path(), &["pull", "--assets"]);
    assert_eq!(
        again["assets"],
        serde_json::json!({"referenced": 5, "downloaded": 0, "reused": 5,
            "bytes_downloaded": 0, "failed": []})
    );
    assert_eq!(server.asset_requests(), Vec::new());
    let after: Value =
        serde_json::from_slice(&std::fs::read(snapshot.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(after["assets"], manifest["assets"]);
    assert_eq!(after["files"], manifest["files"]);
    assert_eq!(files_under(&snapshot.join("assets")).len(), 4);
    assert_eq!(
        std::fs::read(snapshot.join(&shot_file)).unwrap(),
        screenshot
    );

    // A damaged copy is not reused: it is fetched again.
    std::fs::write(snapshot.join(&shot_file), b"damaged").unwrap();
    server.clear_requests();
    let repaired = json(&server, dir.path(), &["pull", "--assets"]);
    assert_eq!(repaired["assets"]["downloaded"], 2);
    assert_eq!(repaired["assets"]["reused"], 3);
    assert_eq!(
        std::fs::read(snapshot.join(&shot_file)).unwrap(),
        screenshot
    );
}

#[test]
fn a_missing_or_oversized_asset_leaves_an_incomplete_pull_that_verify_reports() {
    let server = server();
    let big = vec![7u8; 3 * 1024 * 1024];
    server.add_asset("declared.png", FakeAsset::new("declared.png", big.clone()));
    let streamed = FakeAsset {
        declare_length: false,
        ..FakeAsset::new("streamed.bin", big)
    };
    server.add_asset("streamed.bin", streamed);
    let extra = format!(
        r#"<img src="{}"><img src="{}"><img src="{}">"#,
        server.asset_url("x/missing.png"),
        server.asset_url("x/declared.png"),
        server.asset_url("x/streamed.bin")
    );
    server.update_workspace(|ws| {
        let article = ws.articles.iter_mut().find(|a| a["id"] == "3002").unwrap();
        let body = article["translated_content"]["en"]["body"]
            .as_str()
            .unwrap();
        let body = format!("{body}{extra}");
        article["translated_content"]["en"]["body"] = Value::String(body.clone());
        article["body"] = Value::String(body);
    });
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "pull",
        "--assets",
        "--max-asset-size",
        "1MB",
        "--max-tries",
        "2",
    ];
    let report = json_with_code(&server, dir.path(), &args, 5);
    assert_eq!(
        (&report["ok"], &report["exit_code"]),
        (&false.into(), &5.into())
    );
    let too_big = "larger than the limit of 1 MiB (--max-asset-size) (after 1 try)";
    assert_eq!(report["assets"]["referenced"], 8);
    assert_eq!(report["assets"]["downloaded"], 5);
    assert_eq!(
        report["assets"]["failed"],
        serde_json::json!([{"host": host(&server), "down": null, "assets": [
            {"url": server.asset_url("x/declared.png"), "error": too_big},
            {"url": server.asset_url("x/missing.png"), "error": "404 Not Found (after 1 try)"},
            {"url": server.asset_url("x/streamed.bin"), "error": too_big},
        ]}])
    );
    assert_eq!(
        report["warnings"],
        serde_json::json!([
            format!("asset {}: {too_big}", server.asset_url("x/declared.png")),
            format!(
                "asset {}: 404 Not Found (after 1 try)",
                server.asset_url("x/missing.png")
            ),
            format!("asset {}: {too_big}", server.asset_url("x/streamed.bin")),
        ])
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("snapshot/manifest.json")).unwrap())
            .unwrap();
    assert!(manifest["assets"][server.asset_url("x/missing.png")].is_null());
    assert_eq!(manifest["with_assets"], true);
    assert_eq!(
        manifest["missing_assets"],
        serde_json::json!({
            server.asset_url("x/declared.png"): too_big,
            server.asset_url("x/missing.png"): "404 Not Found (after 1 try)",
            server.asset_url("x/streamed.bin"): too_big,
        })
    );

    let output = helpcenter(&server, dir.path(), &args[..4]);
    let line = assert_code(&output, 5);
    assert!(
        line.starts_with("pulled 1 help center, 1 collection, 2 articles and 8 assets (0 downloaded, 5 reused, 3 failed) in 2 locales"),
        "{line}"
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "asset {}: 404 Not Found (after 1 try)",
            server.asset_url("x/missing.png")
        )),
        "{stderr}"
    );

    // verify names every use of every missing asset, and says the backup is incomplete.
    let output = helpcenter(&server, dir.path(), &["verify", "snapshot"]);
    let stdout = assert_code(&output, 5);
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            format!(
                "articles/3002.json: asset {} is missing ({too_big})",
                server.asset_url("x/declared.png")
            ),
            format!(
                "articles/3002.json: asset {} is missing (404 Not Found (after 1 try))",
                server.asset_url("x/missing.png")
            ),
            format!(
                "articles/3002.json: asset {} is missing ({too_big})",
                server.asset_url("x/streamed.bin")
            ),
            "snapshot: INCOMPLETE, 3 assets missing, 8 files and 4 objects checked".to_string(),
        ]
    );

    // The build keeps the URLs it has no copy of, and says so.
    let build = json(&server, dir.path(), &["build"]);
    let warnings: Vec<&str> = (build["warnings"].as_array().unwrap().iter())
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(
        warnings,
        [
            format!("{} has no local copy (pull again with --assets to fetch it); /en/articles/3002-take-the-tour/ still load it from there", server.asset_url("x/declared.png")),
            format!("{} has no local copy (pull again with --assets to fetch it); /en/articles/3002-take-the-tour/ still load it from there", server.asset_url("x/missing.png")),
            format!("{} has no local copy (pull again with --assets to fetch it); /en/articles/3002-take-the-tour/ still load it from there", server.asset_url("x/streamed.bin")),
        ]
    );
}

/// A server whose only article shows the images at `urls`.
fn server_with_images(urls: &[String]) -> FakeIntercom {
    let server = server();
    show_only(&server, urls);
    server
}

/// Leaves `server` one article, showing the images at `urls` in each of its locales.
fn show_only(server: &FakeIntercom, urls: &[String]) {
    let images: String = urls.iter().map(|u| format!(r#"<img src="{u}">"#)).collect();
    let body = format!(r#"<p class="no-margin">{images}</p>"#);
    server.update_workspace(|ws| {
        ws.articles.retain(|a| a["id"] == "3001");
        let article = &mut ws.articles[0];
        article["translated_content"]["en"]["body"] = Value::String(body.clone());
        article["translated_content"]["fr"]["body"] = Value::String(body.clone());
        article["body"] = Value::String(body);
    });
}

/// A local port with nothing listening on it.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Pulls with assets, retrying slowly enough (at least 30 s of backoff per asset over five
/// tries) that only giving a dead host up at once finishes within the 20 s the run is allowed.
fn pull_with_dead_hosts(server: &FakeIntercom, dir: &Path) -> Value {
    let output = cli::against(server, dir)
        .args(["pull", "--assets", "--json", "--max-tries", "5"])
        .args(["--retry-delay", "4000"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    let report: Value = serde_json::from_str(&assert_code(&output, 5)).unwrap();
    assert!(report["duration_ms"].as_u64().unwrap() < 10_000, "{report}");
    report
}

/// Checks that every asset of a given-up host failed either at its one try or without one.
#[track_caller]
fn assert_given_up(group: &Value, urls: &[String], cause: &str) {
    let down = group["down"].as_str().unwrap();
    assert!(down.starts_with("could not connect: "), "{down}");
    assert!(down.contains(cause), "{down}");
    let failed: Vec<&str> = (group["assets"].as_array().unwrap().iter())
        .map(|a| a["url"].as_str().unwrap())
        .collect();
    assert_eq!(failed, urls);
    let host = group["host"].as_str().unwrap();
    for asset in group["assets"].as_array().unwrap() {
        let error = asset["error"].as_str().unwrap();
        let first_try =
            error.starts_with("could not connect: ") && error.ends_with("(after 1 try)");
        let skipped = error == format!("not tried: its host {host} was given up");
        assert!(first_try || skipped, "{error}");
    }
}

#[test]
fn unreachable_asset_hosts_are_given_up_at_their_first_failure() {
    let port = closed_port();
    let refused: Vec<String> = (0..12)
        .map(|i| format!("http://127.0.0.1:{port}/i/{i:02}.png"))
        .collect();
    let unresolved: Vec<String> = (0..12)
        .map(|i| format!("https://images.helpcenter-test.invalid/i/{i:02}.png"))
        .collect();
    let mut urls = [refused.clone(), unresolved.clone()].concat();
    let server = server_with_images(&urls);
    let working = server.asset_url("i/o/1/screenshot.png");
    urls.push(working.clone());
    server.update_workspace(|ws| {
        let body = ws.articles[0]["body"].as_str().unwrap().to_string();
        let body = body.replace("</p>", &format!(r#"<img src="{working}"></p>"#));
        ws.articles[0]["body"] = Value::String(body);
    });
    let dir = tempfile::tempdir().unwrap();
    let report = pull_with_dead_hosts(&server, dir.path());

    // The articles are all there; the reachable host's image too.
    assert_eq!(report["articles"], 1);
    assert_eq!(report["assets"]["referenced"], 25);
    assert_eq!(report["assets"]["downloaded"], 1);
    let failed = report["assets"]["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert_eq!(failed[0]["host"], format!("127.0.0.1:{port}"));
    assert_given_up(&failed[0], &refused, "Connection refused");
    assert_eq!(failed[1]["host"], "images.helpcenter-test.invalid");
    assert_given_up(&failed[1], &unresolved, "dns error");
    // One warning per host, not one per asset.
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    let first = warnings[0].as_str().unwrap();
    let expected = format!("asset host 127.0.0.1:{port} was given up: could not connect: ");
    assert!(first.starts_with(&expected), "{first}");
    assert!(
        first.ends_with(&format!("; 12 assets not stored (first: {})", refused[0])),
        "{first}"
    );

    let snapshot = dir.path().join("snapshot");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(snapshot.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["counts"]["articles"], 1);
    assert!(snapshot.join("articles/3001.json").is_file());
    let missing = manifest["missing_assets"].as_object().unwrap();
    assert_eq!(missing.len(), 24);
    assert_eq!(manifest["assets"].as_object().unwrap().len(), 1);

    let output = helpcenter(&server, dir.path(), &["verify", "snapshot", "--json"]);
    let verified: Value = serde_json::from_str(&assert_code(&output, 5)).unwrap();
    assert_eq!(verified["problems"], serde_json::json!([]));
    let listed: Vec<&str> = (verified["missing_assets"].as_array().unwrap().iter())
        .map(|m| m["url"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [refused.clone(), unresolved.clone()].concat());
}

/// A host that answers every request with `503 Service Unavailable`, counting them; it stops
/// after `limit` requests.
fn always_busy_host(limit: usize) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(limit) {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = stream.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    (port, count)
}

#[test]
fn a_host_that_keeps_failing_is_given_up_after_its_budget() {
    let (port, requests) = always_busy_host(100);
    let urls: Vec<String> = (0..4)
        .map(|i| format!("http://127.0.0.1:{port}/busy/{i}.png"))
        .collect();
    let server = server_with_images(&urls);
    let dir = tempfile::tempdir().unwrap();
    let output = cli::against(&server, dir.path())
        .args(["pull", "--assets", "--json", "--concurrency", "1"])
        .args(["--max-tries", "20", "--retry-delay", "200"])
        .args(["--asset-host-budget", "1"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let report: Value = serde_json::from_str(&assert_code(&output, 5)).unwrap();
    let group = &report["assets"]["failed"][0];
    assert_eq!(
        group["down"],
        "failing for more than 1 s with no download succeeding (last: 503 Service Unavailable)"
    );
    let errors: Vec<&str> = (group["assets"].as_array().unwrap().iter())
        .map(|a| a["error"].as_str().unwrap())
        .collect();
    // The first asset was retried until the budget ran out; the rest were not tried.
    let tries = requests.load(std::sync::atomic::Ordering::SeqCst);
    assert!((2..20).contains(&tries), "{tries} requests");
    let not_tried = format!("not tried: its host 127.0.0.1:{port} was given up");
    assert_eq!(
        errors,
        [
            format!("503 Service Unavailable (after {tries} tries)").as_str(),
            &not_tried,
            &not_tried,
            &not_tried
        ]
    );
}

/// A server whose only article shows one image, at `path` on the fake CDN.
fn server_with_one_image(path: &str) -> FakeIntercom {
    let server = server();
    show_only(&server, &[server.asset_url(path)]);
    server
}

#[test]
fn unavailable_assets_are_retried_and_redirects_followed_a_few_times() {
    let server = server_with_one_image("r/busy.png");
    let png = std::fs::read(files_dir().join("poster.png")).unwrap();
    let busy = FakeAsset {
        unavailable_first: 2,
        ..FakeAsset::new("busy.png", png)
    };
    server.add_asset("busy.png", busy);
    let dir = tempfile::tempdir().unwrap();
    let report = json(
        &server,
        dir.path(),
        &["pull", "--assets", "--max-tries", "3"],
    );
    assert_eq!(report["assets"]["downloaded"], 1);
    assert_eq!(report["assets"]["failed"], serde_json::json!([]));
    let statuses: Vec<u16> = server.asset_requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200]);

    // Five redirects are followed; the sixth is refused, and is not retried.
    let server = server_with_one_image("hop/h0");
    for hop in 0..6 {
        let next = server.asset_url(&format!("hop/h{}", hop + 1));
        server.add_asset(&format!("h{hop}"), FakeAsset::redirect(&next));
    }
    server.add_asset("h6", FakeAsset::new("h6.png", b"png".to_vec()));
    let dir = tempfile::tempdir().unwrap();
    let report = json_with_code(&server, dir.path(), &["pull", "--assets"], 5);
    let failed = &report["assets"]["failed"][0]["assets"][0];
    assert_eq!(failed["url"], server.asset_url("hop/h0"));
    let error = failed["error"].as_str().unwrap();
    assert!(error.starts_with("bad redirect: "), "{error}");
    assert!(error.contains("more than 5 redirects"), "{error}");
    assert!(error.ends_with("(after 1 try)"), "{error}");
    assert_eq!(server.asset_requests().len(), 6);
    server.add_asset("h1", FakeAsset::redirect(&server.asset_url("hop/h6")));
    let dir = tempfile::tempdir().unwrap();
    let report = json(&server, dir.path(), &["pull", "--assets"]);
    assert_eq!(report["assets"]["downloaded"], 1);

    // Never to anything but http(s).
    let server = server_with_one_image("x/away");
    server.add_asset("away", FakeAsset::redirect("file:///etc/passwd"));
    let report = json_with_code(&server, dir.path(), &["pull", "--assets"], 5);
    let error = report["assets"]["failed"][0]["assets"][0]["error"]
        .as_str()
        .unwrap();
    assert!(
        error
            == "302 Found: the redirect to file:///etc/passwd was not followed (only http and \
                https are) (after 1 try)",
        "{error}"
    );
}

#[test]
fn the_site_and_the_markdown_tree_use_the_local_copies() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    json(&server, dir.path(), &["pull", "--assets"]);
    json(&server, dir.path(), &["build", "--out", "site"]);
    let site = dir.path().join("site");
    assert_eq!(
        files_mentioning(&site, &host(&server)),
        Vec::<String>::new()
    );
    let screenshot = std::fs::read(files_dir().join("screenshot.png")).unwrap();
    let shot_file = format!("assets/{}.png", sha256(&screenshot));
    assert_eq!(std::fs::read(site.join(&shot_file)).unwrap(), screenshot);
    let pages = files_under(&site);
    let (name, page) = pages
        .iter()
        .find(|(name, _)| name.starts_with("fr/articles/3001-"))
        .unwrap();
    assert_eq!(name, "fr/articles/3001-l-écran-d-accueil/index.html");
    let page = text(page);
    assert!(
        page.contains(&format!(
            r#"<a href="../../../{shot_file}" target="_blank">"#
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!(r#"src="../../../{shot_file}""#)),
        "{page}"
    );
    // Only what the pages show: the sanitiser drops `<video>`, so its files are not copied.
    let site_assets: Vec<String> = files_under(&site.join("assets")).into_keys().collect();
    let gif = sha256(&std::fs::read(files_dir().join("diagram.gif")).unwrap());
    assert_eq!(
        site_assets,
        [format!("{gif}.gif"), format!("{}.png", sha256(&screenshot))]
    );

    json(&server, dir.path(), &["build", "--format", "markdown"]);
    let content = dir.path().join("content");
    // Only the tool's records hold Intercom's URLs (the asset record, and the body records with
    // the HTML each block came from); the Markdown points at the local copies.
    let mentioning = files_mentioning(&content, &host(&server));
    assert!(
        mentioning.iter().all(|f| f.starts_with(".helpcenter/")),
        "{mentioning:?}"
    );
    assert!(mentioning.contains(&".helpcenter/assets.json".to_string()));
    assert_eq!(std::fs::read(content.join(&shot_file)).unwrap(), screenshot);
    let markdown =
        text(&std::fs::read(content.join("en/screens/3001-the-home-screen.md")).unwrap());
    assert!(
        markdown.contains(&format!("../../{shot_file}")),
        "{markdown}"
    );
    let record: Value =
        serde_json::from_slice(&std::fs::read(content.join(".helpcenter/assets.json")).unwrap())
            .unwrap();
    assert_eq!(
        record["files"][&shot_file]["urls"],
        serde_json::json!([
            server.asset_url("i/o/1/screenshot.png"),
            server.asset_url("i/o/1/screenshot.png?w=320")
        ])
    );

    // The tree builds the same site, images included, still without the CDN.
    let args = ["build", "--from", "markdown", "--out", "site-from-tree"];
    json(&server, dir.path(), &args);
    let from_tree = dir.path().join("site-from-tree");
    assert_eq!(
        files_mentioning(&from_tree, &host(&server)),
        Vec::<String>::new()
    );
    let (a, b) = (files_under(&site), files_under(&from_tree));
    let names = |m: &BTreeMap<String, Vec<u8>>| {
        (m.keys().filter(|k| !k.starts_with('.')).cloned()).collect::<Vec<_>>()
    };
    assert_eq!(names(&a), names(&b));
    for (name, bytes) in a.iter().filter(|(k, _)| !k.starts_with('.')) {
        if name.contains("/articles/") {
            // Bodies that went through Markdown are spelled canonically (see the README).
            let (x, y) = (text(bytes), text(&b[name]));
            assert_eq!(normalize_html(&x), normalize_html(&y), "{name}");
        } else {
            assert_eq!(&b[name], bytes, "{name}");
        }
    }

    // An unedited tree pushes nothing.
    server.clear_requests();
    assert_code(&helpcenter(&server, dir.path(), &["push"]), 0);
    assert_eq!(server.writes(), Vec::<String>::new());
}

#[test]
fn push_sends_the_original_urls_and_refuses_a_new_local_image() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    json(&server, dir.path(), &["pull", "--assets"]);
    json(&server, dir.path(), &["build", "--format", "markdown"]);
    let file = dir
        .path()
        .join("content/en/screens/3001-the-home-screen.md");
    let original = text(&std::fs::read(&file).unwrap());
    let edited = original.replace("shows your recent work", "shows your latest work");
    assert_ne!(edited, original);
    std::fs::write(&file, &edited).unwrap();

    server.clear_requests();
    assert_code(&helpcenter(&server, dir.path(), &["push"]), 0);
    assert_eq!(server.writes(), ["PUT /articles/3001"]);
    let put = server
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    let sent: Value = serde_json::from_slice(&put.body).unwrap();
    let body = sent["translated_content"]["en"]["body"].as_str().unwrap();
    assert!(body.contains("shows your latest work"), "{body}");
    assert!(
        body.contains(&format!(
            r#"src="{}""#,
            server.asset_url("i/o/1/screenshot.png")
        )),
        "{body}"
    );
    assert!(!body.contains("assets/"), "{body}");
    assert_eq!(
        server.workspace().articles[0]["translated_content"]["en"]["body"].as_str(),
        Some(body)
    );

    // A writer adds an image file beside the article and uses it.
    std::fs::write(file.with_file_name("new-screen.png"), b"\x89PNG").unwrap();
    std::fs::write(
        &file,
        format!("{edited}\n![A new screen](new-screen.png)\n"),
    )
    .unwrap();
    server.clear_requests();
    let output = helpcenter(&server, dir.path(), &["push"]);
    assert_code(&output, 1);
    let stderr = text(&output.stderr);
    // Named by file and line: the image is on the last line of the file.
    let line = edited.lines().count() + 2;
    assert!(
        stderr.contains(&format!(
            "en/screens/3001-the-home-screen.md:{line}: new-screen.png is a local file that \
             Intercom does not have (it is not in .helpcenter/assets.json); the API cannot \
             upload files: upload it in Intercom's editor and use its URL"
        )),
        "{stderr}"
    );
    assert_eq!(server.writes(), Vec::<String>::new());
}

#[test]
fn a_re_export_does_not_silently_replace_edited_asset_files() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    json(&server, dir.path(), &["pull", "--assets"]);
    json(&server, dir.path(), &["build", "--format", "markdown"]);
    let content = dir.path().join("content");
    let record: Value =
        serde_json::from_slice(&std::fs::read(content.join(".helpcenter/assets.json")).unwrap())
            .unwrap();
    let files: Vec<&String> = record["files"].as_object().unwrap().keys().collect();
    assert_eq!(files.len(), 2, "{files:?}");
    // An unedited tree is replaced without complaint.
    json(&server, dir.path(), &["build", "--format", "markdown"]);

    std::fs::write(content.join(files[0]), b"retouched").unwrap();
    std::fs::write(content.join("assets/extra.png"), b"new").unwrap();
    let output = helpcenter(&server, dir.path(), &["build", "--format", "markdown"]);
    assert_code(&output, 2);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("{} (modified)", files[0])),
        "{stderr}"
    );
    assert!(stderr.contains("assets/extra.png (added)"), "{stderr}");

    let args = ["build", "--format", "markdown", "--force"];
    json(&server, dir.path(), &args);
    assert!(!content.join("assets/extra.png").exists());
    let screenshot = std::fs::read(files_dir().join("screenshot.png")).unwrap();
    let gif = std::fs::read(files_dir().join("diagram.gif")).unwrap();
    let mut restored: Vec<Vec<u8>> = files_under(&content.join("assets")).into_values().collect();
    restored.sort();
    let mut expected = vec![screenshot, gif];
    expected.sort();
    assert_eq!(restored, expected);
}
