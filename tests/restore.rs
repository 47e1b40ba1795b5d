//! `helpcenter restore` against the fake Intercom: into an empty workspace and pulled back,
//! interrupted and resumed, a create whose answer was lost, `--dry-run`, and the refusals.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Output;

use serde_json::{json, Value};
use support::cli::{self, assert_code, json_of, text};
use support::fake_intercom::{FakeIntercom, FaultKind, FaultPlan, Hold, Matcher};
use support::snapshots::{fixture_snapshot_dir, snapshot_from_fixture};
use support::workspace::{id_of, Workspace};

fn helpcenter(server: &FakeIntercom, dir: &Path, args: &[&str]) -> Output {
    let retry_fast: &[&str] = if matches!(args[0], "restore" | "pull") {
        &["--retry-delay=1"]
    } else {
        &[]
    };
    cli::against(server, dir)
        .args(args)
        .args(retry_fast)
        .output()
        .unwrap()
}

/// A folder with `snapshot/` made from the multilingual fixture (help center 12, 8
/// collections, 14 articles in 5 locales).
fn with_backup() -> tempfile::TempDir {
    fixture_snapshot_dir("multilingual")
}

/// The state file folded into one object: `{collections, articles: {old: {id, urls}},
/// links_done, pending: [{kind, old_id}]}` (it is a header line and one line per change).
fn state(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["format"], "helpcenter-restore/2");
    let mut state = json!({"collections": {}, "sections": {}, "articles": {},
                           "links_done": []});
    let mut pending: Vec<Value> = Vec::new();
    for line in lines {
        let event: Value = serde_json::from_str(line).unwrap();
        if let Some(one) = event.get("pending") {
            pending.push(one.clone());
        } else if let Some(created) = event.get("created") {
            let kind = format!("{}s", created["kind"].as_str().unwrap());
            let old = created["old_id"].as_str().unwrap().to_string();
            state[kind.as_str()][&old] = json!({"id": created["id"], "urls": created["urls"]});
            pending.retain(|p| p != &json!({"kind": created["kind"], "old_id": old}));
        } else if let Some(id) = event.get("links_done") {
            state["links_done"].as_array_mut().unwrap().push(id.clone());
        } else if event == "cleared" {
            pending.clear();
        } else {
            panic!("unknown state line {line}");
        }
    }
    state["pending"] = Value::Array(pending);
    state
}

/// Old id -> new id of one kind in a state file.
fn mapping(state: &Value, kind: &str) -> BTreeMap<String, String> {
    state[kind]
        .as_object()
        .unwrap()
        .iter()
        .map(|(old, c)| (old.clone(), c["id"].as_str().unwrap().to_string()))
        .collect()
}

/// The objects of one kind in a snapshot, by id.
fn objects(snapshot: &Path, kind: &str) -> BTreeMap<String, Value> {
    fs::read_dir(snapshot.join(kind))
        .unwrap()
        .map(|e| {
            let value: Value =
                serde_json::from_slice(&fs::read(e.unwrap().path()).unwrap()).unwrap();
            (id_of(&value).unwrap(), value)
        })
        .collect()
}

/// A body with every link to either help center replaced by `LINK`.
fn without_help_center_links(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(at) = rest.find("href=\"https://help.") {
        out.push_str(&rest[..at]);
        out.push_str("href=\"LINK\"");
        let after = &rest[at + 6..];
        rest = &after[after.find('"').unwrap() + 1..];
    }
    out.push_str(rest);
    out
}

fn parent_text(value: &Value) -> Option<String> {
    support::workspace::id_text(value)
}

/// The translations that exist, by locale.
fn translations(object: &Value) -> BTreeMap<String, Value> {
    object["translated_content"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, c)| c.is_object())
                .map(|(l, c)| (l.clone(), c.clone()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn restore_into_an_empty_workspace_then_pull_gives_the_same_content() {
    let server = FakeIntercom::start(Workspace::with_empty_help_center());
    let dir = with_backup();
    let cwd = dir.path();
    let out = assert_code(
        &helpcenter(&server, cwd, &["restore", "snapshot", "--json"]),
        0,
    );
    let report = json_of(&out);
    assert_eq!(report["collections_created"], 8);
    assert_eq!(report["articles_created"], 14);
    assert_eq!(report["already_restored"], 0);
    assert_eq!(report["adopted"], 0);
    assert_eq!(report["backup_articles"], 14);
    assert_eq!(report["help_center"], "77");
    let relinked = report["articles_relinked"].as_u64().unwrap();
    assert_eq!(relinked, 10);
    assert_eq!(report["links_rewritten"], 36);

    // Parents first, then every article once, then one PUT per article with links.
    let writes = server.writes();
    assert!(writes[..8]
        .iter()
        .all(|w| w == "POST /help_center/collections"));
    assert!(writes[8..22].iter().all(|w| w == "POST /articles"));
    assert!(writes[22..].iter().all(|w| w.starts_with("PUT /articles/")));
    assert_eq!(writes.len() as u64, 22 + relinked);

    let state = state(&cwd.join("snapshot.restore.json"));
    assert_eq!(state["pending"], json!([]));
    let collection_ids = mapping(&state, "collections");
    let article_ids = mapping(&state, "articles");
    assert_eq!((collection_ids.len(), article_ids.len()), (8, 14));

    assert_code(
        &helpcenter(&server, cwd, &["pull", "--snapshot", "restored", "-q"]),
        0,
    );
    let old = cwd.join("snapshot");
    let new = cwd.join("restored");
    let new_collections = objects(&new, "collections");
    assert_eq!(new_collections.len(), 8);
    for (old_id, before) in objects(&old, "collections") {
        let after = &new_collections[&collection_ids[&old_id]];
        for field in ["name", "description"] {
            assert_eq!(after[field], before[field], "collection {old_id} {field}");
        }
        assert_eq!(
            parent_text(&after["parent_id"]),
            parent_text(&before["parent_id"]).map(|p| collection_ids[&p].clone()),
            "collection {old_id} parent"
        );
        assert_eq!(parent_text(&after["help_center_id"]).as_deref(), Some("77"));
        let (before, after) = (translations(&before), translations(after));
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>()
        );
        for (locale, content) in before {
            assert_eq!(after[&locale]["name"], content["name"], "{old_id} {locale}");
            assert_eq!(after[&locale]["description"], content["description"]);
        }
    }

    // Every URL the restore gave a restored article, in any locale.
    let restored_urls: BTreeSet<String> = (state["articles"].as_object().unwrap().values())
        .flat_map(|a| a["urls"].as_object().unwrap().values())
        .map(|u| u.as_str().unwrap().to_string())
        .collect();
    let mut links_to_999 = 0;
    let new_articles = objects(&new, "articles");
    assert_eq!(new_articles.len(), 14);
    for (old_id, before) in objects(&old, "articles") {
        let after = &new_articles[&article_ids[&old_id]];
        for field in ["title", "description", "state", "author_id"] {
            assert_eq!(after[field], before[field], "article {old_id} {field}");
        }
        assert_eq!(
            parent_text(&after["parent_id"]),
            parent_text(&before["parent_id"]).map(|p| collection_ids[&p].clone()),
            "article {old_id} parent"
        );
        let (before, after) = (translations(&before), translations(after));
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>(),
            "{old_id}"
        );
        for (locale, content) in before {
            let restored = &after[&locale];
            for field in ["title", "description", "state", "author_id"] {
                assert_eq!(restored[field], content[field], "{old_id} {locale} {field}");
            }
            let (old_body, new_body) = (
                content["body"].as_str().unwrap(),
                restored["body"].as_str().unwrap(),
            );
            assert_eq!(
                without_help_center_links(new_body),
                without_help_center_links(old_body),
                "{old_id} {locale} body"
            );
            // Every link to a restored page was rewritten; only the page that was never in
            // the backup (999) still points at the old help center.
            for (at, _) in new_body.match_indices("https://help.example.com/") {
                let link = new_body[at..].split('"').next().unwrap();
                assert!(link.contains("/articles/999-"), "{old_id} {locale}: {link}");
                links_to_999 += 1;
            }
            // And every link to the new help center is the URL of a restored article.
            for (at, _) in new_body.match_indices("https://help.new.test/") {
                let link = new_body[at..].split(['"', '#']).next().unwrap();
                assert!(
                    restored_urls.contains(link),
                    "{old_id} {locale}: {link} is no restored article's URL"
                );
            }
        }
    }
    assert!(
        links_to_999 > 0,
        "the fixture links to 999, which is not in the backup"
    );

    // The exact new URLs, fragments kept.
    let url = |old: &str, locale: &str| {
        state["articles"][old]["urls"][locale]
            .as_str()
            .unwrap()
            .to_string()
    };
    let body_101 = new_articles[&article_ids["101"]]["translated_content"]["en"]["body"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url("102", "en").starts_with(&format!(
        "https://help.new.test/en/articles/{}-",
        article_ids["102"]
    )));
    assert!(
        body_101.contains(&format!("href=\"{}\"", url("102", "en"))),
        "{body_101}"
    );
    assert!(body_101.contains(&format!("href=\"{}#h_5c6d7e8f90\"", url("103", "en"))));
    assert!(body_101.contains(&format!("href=\"{}\"", url("104", "en"))));
    let body_101_fr = new_articles[&article_ids["101"]]["translated_content"]["fr"]["body"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        body_101_fr.contains(&format!("href=\"{}\"", url("102", "fr"))),
        "{body_101_fr}"
    );
}

#[test]
fn an_interrupted_restore_from_an_archive_resumes_without_duplicates() {
    let server = FakeIntercom::start(Workspace::with_empty_help_center());
    let dir = with_backup();
    let cwd = dir.path();
    assert_code(
        &helpcenter(&server, cwd, &["archive", "-o", "b.tar.zst", "-q"]),
        0,
    );
    server.set_faults(FaultPlan::scripted(vec![(
        Matcher::nth_to("POST /articles", 5),
        FaultKind::Status(500),
    )]));
    // One request at a time, so the fifth create is the fifth article.
    let one_at_a_time = ["restore", "b.tar.zst", "--concurrency", "1"];
    let failed = helpcenter(&server, cwd, &one_at_a_time);
    assert_code(&failed, 1);
    let stderr = text(&failed.stderr);
    assert!(
        stderr.contains("POST /articles may or may not have been applied"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "Run the same restore again to continue: progress is in b.tar.zst.restore.json"
        ),
        "{stderr}"
    );
    let saved = state(&cwd.join("b.tar.zst.restore.json"));
    assert_eq!(mapping(&saved, "articles").len(), 4);
    assert_eq!(
        saved["pending"],
        json!([{"kind": "article", "old_id": "105"}])
    );

    server.set_faults(FaultPlan::none());
    server.clear_requests();
    let out = assert_code(
        &helpcenter(&server, cwd, &["restore", "b.tar.zst", "--json"]),
        0,
    );
    let report = json_of(&out);
    assert_eq!(report["collections_created"], 0);
    assert_eq!(report["articles_created"], 10);
    assert_eq!(report["already_restored"], 12);
    assert_eq!(report["adopted"], 0);
    assert!(server
        .writes()
        .iter()
        .all(|w| w != "POST /help_center/collections"));

    let workspace = server.workspace();
    assert_eq!(workspace.collections.len(), 8);
    assert_eq!(workspace.articles.len(), 14);
    let mut titles: Vec<&str> = workspace
        .articles
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    titles.sort();
    titles.dedup();
    assert_eq!(titles.len(), 14, "an article was created twice");
}

#[test]
fn a_create_whose_answer_was_lost_is_adopted_not_repeated() {
    let server = FakeIntercom::start(Workspace::with_empty_help_center());
    let dir = with_backup();
    let cwd = dir.path();
    server.set_faults(FaultPlan::scripted(vec![(
        Matcher::nth_to("POST /articles", 3),
        FaultKind::Status(502),
    )]));
    let one_at_a_time = ["restore", "snapshot", "--concurrency", "1"];
    assert_code(&helpcenter(&server, cwd, &one_at_a_time), 1);
    // Intercom did act on the third create; only its answer never arrived.
    let lost = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/articles")
        .nth(2)
        .unwrap();
    let sent: Value = serde_json::from_slice(&lost.body).unwrap();
    assert_eq!(sent["title"], "Sync your notes across devices");
    server.update_workspace(|w| {
        let mut article = sent.clone();
        article["id"] = json!("9001");
        article["type"] = json!("article");
        article["default_locale"] = json!("en");
        article["url"] =
            json!("https://help.new.test/en/articles/9001-sync-your-notes-across-devices");
        w.articles.push(article);
    });
    server.set_faults(FaultPlan::none());
    server.clear_requests();

    let report = json_of(&assert_code(
        &helpcenter(&server, cwd, &["restore", "snapshot", "--json"]),
        0,
    ));
    assert_eq!(report["adopted"], 1);
    assert_eq!(report["articles_created"], 11);
    assert_eq!(report["already_restored"], 8 + 2);
    let again: Vec<Value> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/articles")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert!(again
        .iter()
        .all(|b| b["title"] != "Sync your notes across devices"));
    let saved = state(&cwd.join("snapshot.restore.json"));
    assert_eq!(saved["articles"]["103"]["id"], "9001");
    assert_eq!(server.workspace().articles.len(), 14);
}

#[test]
fn dry_run_says_what_it_would_create_and_writes_nothing() {
    let server = FakeIntercom::start(Workspace::with_empty_help_center());
    let dir = with_backup();
    let cwd = dir.path();
    let out = assert_code(
        &helpcenter(&server, cwd, &["restore", "snapshot", "--dry-run"]),
        0,
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "would create collection 201 \"Getting started\"");
    assert_eq!(
        lines[3],
        "would create collection 204 \"Install and sync\" in collection 201"
    );
    assert_eq!(
        lines[8],
        "would create article 101 \"Getting started with Acme Notes\" (5 locales) in collection 201"
    );
    let creates = |what: &str| lines.iter().filter(|l| l.starts_with(what)).count();
    assert_eq!(creates("would create collection "), 8);
    assert_eq!(creates("would create article "), 14);
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("would rewrite links in article "))
            .count(),
        10
    );
    assert_eq!(
        *lines.last().unwrap(),
        "would create 8 collections and 14 articles in help center 77 and rewrite links in 10 \
         articles (0 already restored; nothing was written)"
    );
    assert!(server.requests().iter().all(|r| r.method == "GET"));
    assert!(!cwd.join("snapshot.restore.json").exists());
}

#[test]
fn a_workspace_with_articles_is_refused_unless_asked() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let dir = with_backup();
    let cwd = dir.path();
    let refused = helpcenter(&server, cwd, &["restore", "snapshot"]);
    assert_code(&refused, 2);
    assert_eq!(
        text(&refused.stderr),
        "error: the target workspace already holds 14 articles; restore refuses to mix a \
         backup into existing content. Restore into an empty workspace, or pass \
         --into-nonempty to add the backup's articles beside the existing ones\n"
    );
    assert!(server.requests().iter().all(|r| r.method == "GET"));
    assert!(!cwd.join("snapshot.restore.json").exists());
    let out = assert_code(
        &helpcenter(
            &server,
            cwd,
            &[
                "restore",
                "snapshot",
                "--into-nonempty",
                "--dry-run",
                "--json",
            ],
        ),
        0,
    );
    assert_eq!(json_of(&out)["articles_created"], 14);
}

#[test]
fn a_damaged_backup_is_not_restored() {
    let server = FakeIntercom::start(Workspace::with_empty_help_center());
    let dir = with_backup();
    let cwd = dir.path();
    fs::write(cwd.join("snapshot/articles/110.json"), "{}").unwrap();
    let out = helpcenter(&server, cwd, &["restore", "snapshot"]);
    assert_code(&out, 1);
    assert!(
        text(&out.stderr).starts_with(
            "error: snapshot is damaged (1 problem, first articles/110.json: size is 2 bytes"
        ),
        "{}",
        text(&out.stderr)
    );
    assert!(server.requests().is_empty());
}

#[test]
fn a_state_file_continues_only_its_own_restore() {
    let server = FakeIntercom::start(Workspace::with_empty_help_center());
    let dir = with_backup();
    let cwd = dir.path();
    fs::write(
        cwd.join("other.json"),
        format!(
            "{}\n{}\n",
            json!({"format": "helpcenter-restore/1", "backup": "2020-01-01T00:00:00Z sha256:00",
                   "target": {"base_url": server.base_url(), "help_center": "77"}}),
            json!({"created": {"kind": "article", "old_id": "101", "id": "5"}})
        ),
    )
    .unwrap();
    let out = helpcenter(
        &server,
        cwd,
        &["restore", "snapshot", "--state", "other.json"],
    );
    assert_code(&out, 2);
    assert!(
        text(&out.stderr).starts_with(
            "error: other.json records a restore of another backup or into another help center"
        ),
        "{}",
        text(&out.stderr)
    );
    assert!(server.requests().iter().all(|r| r.method == "GET"));
}

#[test]
fn a_2_9_backup_with_sections_restores_them_as_nested_collections() {
    let server = FakeIntercom::start(Workspace::with_empty_help_center());
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    snapshot_from_fixture(
        &Workspace::fixture_dir("sections-2.9"),
        &cwd.join("snapshot"),
    );
    let report = json_of(&assert_code(
        &helpcenter(&server, cwd, &["restore", "snapshot", "--json"]),
        0,
    ));
    assert_eq!(report["collections_created"], 3 + 4);
    assert_eq!(report["articles_created"], 9);
    let state = state(&cwd.join("snapshot.restore.json"));
    let collections = mapping(&state, "collections");
    let sections = mapping(&state, "sections");
    let articles = mapping(&state, "articles");
    let workspace = server.workspace();
    let stored = |id: &str, list: &[Value]| list.iter().find(|o| o["id"] == id).unwrap().clone();
    // Section 401 (in collection 301) is now a collection under 301's copy.
    let section = stored(&sections["401"], &workspace.collections);
    assert_eq!(section["name"], "Your account");
    assert_eq!(
        parent_text(&section["parent_id"]),
        Some(collections["301"].clone())
    );
    // Article 501 was in section 401, 506 in collection 301, 509 nowhere.
    let parent = |old: &str| parent_text(&stored(&articles[old], &workspace.articles)["parent_id"]);
    assert_eq!(parent("501"), Some(sections["401"].clone()));
    assert_eq!(parent("506"), Some(collections["301"].clone()));
    assert_eq!(parent("509"), None);
}

#[test]
fn creates_run_concurrency_at_a_time_and_progress_shows_in_logs() {
    let server = FakeIntercom::start(Workspace::with_empty_help_center());
    let dir = with_backup();
    let cwd = dir.path();
    // The first article create never gets an answer: the client gives up on it after 2 s.
    let held = server.hold(Matcher::nth_to("POST /articles", 1), Hold::Before);
    let args = [
        "restore",
        "snapshot",
        "--concurrency",
        "4",
        "--timeout",
        "2",
        "-v",
    ];
    let failed = helpcenter(&server, cwd, &args);
    assert_code(&failed, 1);
    assert!(held.wait(std::time::Duration::ZERO));
    let stderr = text(&failed.stderr);
    assert!(
        stderr.contains("POST /articles may or may not have been applied (timed out"),
        "{stderr}"
    );
    // Meanwhile the other 13 were created beside it, each once.
    let creates: Vec<u16> = (server.requests().into_iter())
        .filter(|r| r.method == "POST" && r.path == "/articles")
        .map(|r| r.status)
        .collect();
    assert_eq!(creates.len(), 14, "{creates:?}");
    assert_eq!(creates.iter().filter(|s| **s == 200).count(), 13);
    assert!(
        stderr.contains("INFO restoring collections: 8/8"),
        "{stderr}"
    );
    assert!(!stderr.contains("restoring articles: 14/14"), "{stderr}");

    server.release_holds();
    let done = helpcenter(&server, cwd, &["restore", "snapshot", "-v", "--json"]);
    let report = json_of(&assert_code(&done, 0));
    assert_eq!(report["articles_created"], 1);
    assert_eq!(report["already_restored"], 8 + 13);
    assert_eq!(server.workspace().articles.len(), 14);
    let stderr = text(&done.stderr);
    for line in [
        "INFO restoring collections: 8/8",
        "INFO restoring articles: 14/14",
        "INFO rewriting links: 14/14",
    ] {
        assert!(stderr.contains(line), "{line:?} is missing from\n{stderr}");
    }
}
