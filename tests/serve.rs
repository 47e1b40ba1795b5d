//! `helpcenter serve` as a writer uses it: the binary on port 0 against a Markdown tree
//! exported from the `multilingual` fixture, talked to over plain HTTP/1.1 (a raw client, so
//! that paths like `/../Cargo.toml` reach the server as written).

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant, SystemTime};

use support::cli::{assert_code, helpcenter};
use support::search_index;
use support::snapshots::fixture_snapshot_dir;

/// How long a rebuild of the fixture may take before a test gives up.
const REBUILD: Duration = Duration::from_secs(60);

/// A running `helpcenter serve`; killed if a test fails before stopping it.
struct Serve {
    child: Child,
    address: String,
    /// Where its temporary folder goes (`TMPDIR`).
    temp: PathBuf,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Exports the fixture to `<dir>/content` and starts `serve` on it.
fn start(dir: &Path) -> Serve {
    let output = helpcenter(dir)
        .args(["build", "--format", "markdown", "--snapshot", "snapshot"])
        .output()
        .unwrap();
    assert_code(&output, 0);
    let temp = dir.join("tmp");
    std::fs::create_dir_all(&temp).unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("helpcenter"))
        .args(["serve", "--port", "0"])
        .current_dir(dir)
        .env("TMPDIR", &temp)
        .env_remove("HELPCENTER_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let address = served_address(stdout);
    Serve {
        child,
        address,
        temp,
    }
}

/// Reads `Serving http://ADDRESS/ ...` from the server's output.
fn served_address(stdout: ChildStdout) -> String {
    let mut lines = BufReader::new(stdout).lines();
    let line = lines.next().expect("serve printed its URL").unwrap();
    let address = line
        .strip_prefix("Serving http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
    assert!(address.starts_with("127.0.0.1:"), "{line}");
    // Keep reading (and dropping) so that the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    address.to_string()
}

/// A response: status, headers (lower-case names) and body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        let found = self.headers.iter().find(|(n, _)| n == name);
        found.map(|(_, v)| v.as_str())
    }
}

fn request(address: &str, method: &str, path: &str) -> Response {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(REBUILD)).unwrap();
    let head = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
    }
}

fn get(address: &str, path: &str) -> Response {
    request(address, "GET", path)
}

/// Listens to the live-reload events; each `event:` name arrives on the channel.
fn events(address: &str) -> Receiver<String> {
    let mut stream = TcpStream::connect(address).unwrap();
    let head = format!(
        "GET /__helpcenter/events HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let Some(name) = line.strip_prefix("event: ") {
                if tx.send(name.to_string()).is_err() {
                    break;
                }
            }
        }
    });
    // The subscription is made when the request is handled: wait for the stream to open.
    std::thread::sleep(Duration::from_millis(300));
    rx
}

/// The first article file of the English tree (not a collection's `_index.md`), with its
/// page's path (its `url:` in the front matter).
fn an_article(content: &Path) -> (PathBuf, String) {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(content.join("en"))
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
        .collect();
    files.sort();
    let file = files.remove(0);
    let text = std::fs::read_to_string(&file).unwrap();
    let url = text
        .lines()
        .find_map(|l| l.strip_prefix("url: "))
        .expect("an url in the front matter")
        .trim_matches(['"', '\''])
        .to_string();
    (file, url)
}

/// Polls `path` until `until` holds for its response.
fn wait_for(address: &str, path: &str, until: impl Fn(&Response) -> bool) -> Response {
    let started = Instant::now();
    loop {
        let response = get(address, path);
        if until(&response) {
            return response;
        }
        assert!(
            started.elapsed() < REBUILD,
            "timed out on {path}: {}",
            response.body
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_edited_article_is_served_rebuilt_and_open_pages_are_told_to_reload() {
    let dir = fixture_snapshot_dir("multilingual");
    let serve = start(dir.path());
    let (file, url) = an_article(&dir.path().join("content"));

    let page = get(&serve.address, &url);
    assert_eq!(page.status, 200, "{url}");
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page
        .body
        .contains(r#"<script src="/__helpcenter/live.js" defer></script></body>"#));
    let head = request(&serve.address, "HEAD", &url);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), page.header("content-length"));
    assert_eq!(head.body, "");
    let css = get(&serve.address, "/static/style.css");
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    let folder = get(&serve.address, url.trim_end_matches('/'));
    assert_eq!(
        (folder.status, folder.header("location")),
        (301, Some(url.as_str()))
    );
    let missing = get(&serve.address, "/en/articles/does-not-exist/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<html"), "the site's 404 page");

    let reloads = events(&serve.address);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        format!("{text}\n\nA sentence written while serving.\n"),
    )
    .unwrap();
    assert_eq!(reloads.recv_timeout(REBUILD).unwrap(), "reload");
    let page = get(&serve.address, &url);
    assert!(page.body.contains("A sentence written while serving."));
}

/// The site folder of a running `serve` (`<TMPDIR>/helpcenter-serve-*/site`).
fn site_folder(serve: &Serve) -> PathBuf {
    let mut folders = std::fs::read_dir(&serve.temp).unwrap();
    let folder = folders.next().expect("serve's temporary folder").unwrap();
    folder.path().join("site")
}

/// Every file of the built site with its modification time.
fn modified_times(site: &Path) -> BTreeMap<PathBuf, SystemTime> {
    walkdir::WalkDir::new(site)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().to_path_buf(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect()
}

/// Each search shard's digest in `serve`'s search state (`<temp>/cache.search`), which it
/// saves atomically once a shard's files are all written.
fn shard_digests(site: &Path) -> BTreeMap<String, String> {
    let state = site.parent().unwrap().join("cache.search");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(state).unwrap()).unwrap();
    let shards = json["shards"].as_object().unwrap();
    (shards.iter())
        .map(|(name, shard)| (name.clone(), shard["digest"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn an_edited_body_rewrites_its_page_then_its_search_shard_once_edits_pause() {
    let dir = fixture_snapshot_dir("multilingual");
    let serve = start(dir.path());
    let (file, url) = an_article(&dir.path().join("content"));
    let site = site_folder(&serve);
    let before = modified_times(&site);
    let digests_before = shard_digests(&site);
    let records_before = search_index::records(&site, "en");
    let reloads = events(&serve.address);

    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        format!("{text}\n\nOnly zephyrlike pages say this.\n"),
    )
    .unwrap();
    assert_eq!(reloads.recv_timeout(REBUILD).unwrap(), "reload");
    assert!(get(&serve.address, &url)
        .body
        .contains("Only zephyrlike pages say this."));
    let started = Instant::now();
    let digests = loop {
        let digests = shard_digests(&site);
        if digests.len() == digests_before.len() && digests != digests_before {
            break digests;
        }
        assert!(
            started.elapsed() < REBUILD,
            "the search index was not updated"
        );
        std::thread::sleep(Duration::from_millis(50));
    };

    let changed: Vec<&String> = (digests.iter())
        .filter(|(name, digest)| digests_before.get(*name) != Some(*digest))
        .map(|(name, _)| name)
        .collect();
    assert_eq!(changed, ["en/0"], "only the English shard is indexed again");
    let after = modified_times(&site);
    let shard = site.join("pagefind/en/0");
    let written = (after.iter()).filter(|(path, time)| before.get(*path) != Some(*time));
    let removed = (before.keys()).filter(|path| !after.contains_key(*path));
    let page = site.join(url.trim_start_matches('/'));
    let outside_shard: Vec<&PathBuf> = (written.map(|(path, _)| path).chain(removed))
        .filter(|path| !path.starts_with(&shard))
        .collect();
    assert_eq!(
        outside_shard,
        [
            &site.join(".helpcenter-build.json"),
            &page.join("index.html"),
            &page.join("index.md")
        ],
        "only the edited page, its Markdown, its search shard and the list of the site's \
         files are written"
    );

    let records = search_index::records(&site, "en");
    assert_eq!(records.len(), records_before.len(), "no page added or lost");
    let record = records.iter().find(|r| r["url"] == url.as_str()).unwrap();
    let content = record["content"].as_str().unwrap();
    assert!(
        content.contains("Only zephyrlike pages say this."),
        "{content}"
    );
    let others = |records: &[serde_json::Value]| -> Vec<serde_json::Value> {
        (records.iter().filter(|r| r["url"] != url.as_str()).cloned()).collect()
    };
    assert_eq!(others(&records), others(&records_before));
}

#[test]
fn a_changed_title_rebuilds_only_the_pages_that_show_the_article() {
    let dir = fixture_snapshot_dir("multilingual");
    let serve = start(dir.path());
    // An article that others link to: a full build would sanitise their bodies again.
    let file = (walkdir::WalkDir::new(dir.path().join("content/en")).into_iter())
        .map(|e| e.unwrap().into_path())
        .find(|p| p.ends_with("103-sync-your-notes-across-devices.md"))
        .expect("article 103's file");
    let folder = std::fs::read_to_string(file.with_file_name("_index.md")).unwrap();
    let collection = folder
        .lines()
        .find_map(|l| l.strip_prefix("url: "))
        .expect("the collection's url")
        .trim_matches(['"', '\''])
        .to_string();
    assert!(!get(&serve.address, &collection)
        .body
        .contains("A retitled article"));
    let reloads = events(&serve.address);

    let cache = site_folder(&serve).with_file_name("cache");
    let cache_saved = std::fs::metadata(&cache).unwrap().modified().unwrap();

    let text = std::fs::read_to_string(&file).unwrap();
    let title = text.lines().find(|l| l.starts_with("title:")).unwrap();
    std::fs::write(&file, text.replacen(title, "title: A retitled article", 1)).unwrap();
    assert_eq!(reloads.recv_timeout(REBUILD).unwrap(), "reload");
    assert!(get(&serve.address, &collection)
        .body
        .contains("A retitled article"));
    let modified = std::fs::metadata(&cache).unwrap().modified().unwrap();
    assert_eq!(
        modified, cache_saved,
        "only the pages showing the article were rendered"
    );
}

#[test]
fn a_broken_front_matter_is_shown_with_its_file_and_line_until_it_is_fixed() {
    let dir = fixture_snapshot_dir("multilingual");
    let serve = start(dir.path());
    let content = dir.path().join("content");
    let (file, url) = an_article(&content);
    let good = std::fs::read_to_string(&file).unwrap();
    let home = get(&serve.address, "/en/");
    assert_eq!(home.status, 200);

    let reloads = events(&serve.address);
    let broken = good.replacen("\ntitle:", "\ntitle: [unclosed\nnot yaml:", 1);
    std::fs::write(&file, &broken).unwrap();
    assert_eq!(reloads.recv_timeout(REBUILD).unwrap(), "reload");
    let relative = file.strip_prefix(dir.path()).unwrap().display().to_string();
    for path in [url.as_str(), "/en/"] {
        let page = get(&serve.address, path);
        assert_eq!(page.status, 200, "the last good page stays served: {path}");
        let error = page
            .body
            .split("<div id=\"helpcenter-build-error\"")
            .nth(1)
            .unwrap_or_else(|| panic!("no error on {path}"));
        assert!(
            error.contains(&format!("{relative}:")),
            "file and line: {error}"
        );
    }
    assert!(get(&serve.address, "/en/").body.contains(&home.body[..200]));

    std::fs::write(&file, &good).unwrap();
    assert_eq!(reloads.recv_timeout(REBUILD).unwrap(), "reload");
    let page = wait_for(&serve.address, &url, |r| {
        !r.body.contains("helpcenter-build-error")
    });
    assert_eq!(page.status, 200);
}

#[test]
fn nothing_outside_the_site_is_served_and_ctrl_c_exits_cleanly() {
    let dir = fixture_snapshot_dir("multilingual");
    let mut serve = start(dir.path());
    std::fs::write(dir.path().join("Cargo.toml"), "[package]").unwrap();
    let (file, _) = an_article(&dir.path().join("content"));
    let relative = file.strip_prefix(dir.path()).unwrap().display().to_string();
    for path in [
        "/../Cargo.toml".to_string(),
        "/%2e%2e/Cargo.toml".to_string(),
        "/en/..%2f..%2fCargo.toml".to_string(),
        format!("/{relative}"),
        format!("/../{relative}"),
        "/content/".to_string(),
    ] {
        let response = get(&serve.address, &path);
        assert_eq!(response.status, 404, "{path}");
        assert!(!response.body.contains("[package]"), "{path}");
    }
    let listing = get(&serve.address, "/static/");
    assert_eq!(listing.status, 404, "folders are not listed");
    let post = request(&serve.address, "POST", "/en/");
    assert_eq!(
        (post.status, post.header("allow")),
        (405, Some("GET, HEAD"))
    );

    let killed = Command::new("kill")
        .args(["-INT", &serve.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = serve.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < REBUILD, "serve did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    let left: Vec<_> = std::fs::read_dir(&serve.temp).unwrap().collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}
