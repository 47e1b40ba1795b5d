//! `helpcenter push`, in process (the CLI is not wired yet): export a tree from the fake
//! Intercom, edit it, push, and check the exact requests and the fake's state.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use helpcenter::intercom::{ApiVersion, Client, ClientOptions, RetryPolicy, Token};
use helpcenter::markdown::markdown_to_html;
use helpcenter::push::{push, FieldDiff, Outcome, PushOptions, PushReport, JOURNAL_FILE};
use helpcenter::tree::{self, BaseRecord, FileKind};
use serde_json::{json, Value};

use support::fake_intercom::{
    FakeIntercom, FaultKind, FaultPlan, Matcher, RecordedRequest, ServerConfig,
};
use support::push_load::{self, PushLoad};
use support::trees::{pulled_and_exported, push_options};
use support::workspace::Workspace;

/// A fake server, a client for it, and a tree exported from it.
struct Setup {
    server: FakeIntercom,
    client: Client,
    _dir: tempfile::TempDir,
    content: PathBuf,
}

fn client_for(server: &FakeIntercom, version: ApiVersion) -> Client {
    Client::new(ClientOptions {
        version,
        concurrency: 4,
        per_page: 50,
        retry: RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        },
        timeout: Duration::from_secs(10),
        ..server.client_options()
    })
    .unwrap()
}

/// Pulls the `multilingual` fixture from a fake server and exports it; forgets the requests.
async fn setup() -> Setup {
    setup_with(|_| {}).await
}

async fn setup_with(change: impl FnOnce(&mut Workspace)) -> Setup {
    setup_from("multilingual", ApiVersion::default(), change).await
}

/// Pulls fixture `name` through API `version`, changed by `change`, and exports it.
async fn setup_from(name: &str, version: ApiVersion, change: impl FnOnce(&mut Workspace)) -> Setup {
    let mut workspace = Workspace::load(name);
    change(&mut workspace);
    let server = FakeIntercom::start(workspace);
    let client = client_for(&server, version);
    let (dir, content) = pulled_and_exported(&client).await;
    server.clear_requests();
    Setup {
        server,
        client,
        _dir: dir,
        content,
    }
}

impl Setup {
    fn options(&self) -> PushOptions {
        push_options(&self.content)
    }

    async fn push(&self, options: &PushOptions) -> PushReport {
        push(&self.client, options).await.unwrap()
    }

    /// The tree path of article `id` in `locale`.
    fn article_file(&self, id: &str, locale: &str) -> String {
        self.file_of(FileKind::Article, id, locale)
    }

    /// The tree path the base record gives object `id` of `kind` in `locale`.
    fn file_of(&self, kind: FileKind, id: &str, locale: &str) -> String {
        let base = BaseRecord::read(&self.content).unwrap().unwrap();
        base.files
            .iter()
            .find(|(_, e)| {
                e.kind == kind && e.id.as_deref() == Some(id) && e.locale.as_str() == locale
            })
            .map(|(path, _)| path.clone())
            .unwrap_or_else(|| panic!("no file for {kind:?} {id} in {locale}"))
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.content.join(rel)
    }

    /// Replaces `from` by `to` in the tree file `rel` (which must contain it).
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let path = self.path(rel);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    fn writes(&self) -> Vec<RecordedRequest> {
        self.server
            .requests()
            .into_iter()
            .filter(|r| r.method != "GET")
            .collect()
    }

    /// The remote body of article `id` in `locale`.
    fn remote_body(&self, id: &str, locale: &str) -> String {
        let body = &self.remote_locale(id, locale)["body"];
        body.as_str().expect("a body").to_string()
    }

    fn remote_locale(&self, id: &str, locale: &str) -> Value {
        self.server.workspace().article(id).unwrap()["translated_content"][locale].clone()
    }
}

/// The Markdown body of a tree file (after the front matter).
fn body_of(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let rest = text.strip_prefix("---\n").unwrap();
    let end = rest.find("\n---\n").unwrap();
    rest[end + 5..].trim_start_matches('\n').to_string()
}

const EN_OLD: &str = "It takes about five minutes.";
const EN_NEW: &str = "It takes about ten minutes.";
const FR_OLD: &str = "Comptez environ cinq minutes.";
const FR_NEW: &str = "Comptez environ dix minutes.";

#[tokio::test]
async fn an_unedited_tree_makes_no_request() {
    let s = setup().await;
    let report = s.push(&s.options()).await;
    assert_eq!(report.updated + report.conflicts + report.failed, 0);
    assert!(report.skipped > 10, "{}", report.summary_line());
    assert!(report.files.is_empty());
    assert!(s.server.requests().is_empty());
}

#[tokio::test]
async fn one_edited_paragraph_sends_that_locale_only() {
    let s = setup().await;
    let en = s.article_file("101", "en");
    let fr_before = s.remote_locale("101", "fr");
    let remote_body = s.remote_body("101", "en");
    let (_, name_before) = body_record(&s, &en);
    s.edit(&en, EN_OLD, EN_NEW);

    let report = s.push(&s.options()).await;
    assert_eq!(report.updated, 1, "{}", report.summary_line());
    assert_eq!(report.conflicts + report.failed + report.not_pushed, 0);
    assert_eq!(report.files[0].path, en);
    assert_eq!(report.files[0].outcome, Outcome::Updated);
    assert_eq!(report.files[0].fields, vec!["body"]);

    let writes = s.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].method, "PUT");
    assert_eq!(writes[0].path, "/articles/101");
    // Intercom's body with that paragraph changed, byte for byte everywhere else (the links'
    // rel, the image's size, attribute order).
    let new_body = remote_body.replacen(EN_OLD, EN_NEW, 1);
    assert_ne!(new_body, remote_body);
    let expected = json!({"translated_content": {"en": {
        "type": "article_content",
        "title": "Getting started with Acme Notes",
        "description": "Create your account, write your first note and find your way around.",
        "body": new_body,
        "author_id": 5017691,
        "state": "published",
    }}});
    assert_eq!(
        String::from_utf8(writes[0].body.clone()).unwrap(),
        serde_json::to_string(&expected).unwrap()
    );

    // Other locales are untouched; the base now matches the tree, the remote time and body.
    assert_eq!(s.remote_locale("101", "fr"), fr_before);
    let en_remote = s.remote_locale("101", "en");
    assert_eq!(en_remote["body"], json!(new_body));
    let base = BaseRecord::read(&s.content).unwrap().unwrap();
    assert_eq!(base.files[&en].updated_at, en_remote["updated_at"].as_i64());
    assert!(base.local_changes(&s.content).unwrap().is_empty());
    // The base of the next edit is what Intercom now holds; the old record is gone.
    let (record, name) = body_record(&s, &en);
    assert_ne!(name, name_before);
    assert_eq!(record.html(), new_body);
    assert_eq!(record.markdown(), body_of(&s.path(&en)));
    assert!(!tree::bodies::path(&s.content, &name_before).exists());

    // A second push has nothing to do.
    s.server.clear_requests();
    let again = s.push(&s.options()).await;
    assert_eq!(again.updated, 0);
    assert!(s.server.requests().is_empty());
}

/// The body record of tree file `rel`, as read through the base record: (record, name).
fn body_record(s: &Setup, rel: &str) -> (helpcenter::markdown::Converted, String) {
    let base = BaseRecord::read(&s.content).unwrap().unwrap();
    let name = base.files[rel]
        .body
        .clone()
        .expect("an article file names its body");
    (tree::bodies::read(&s.content, &name).unwrap(), name)
}

#[tokio::test]
async fn editing_only_the_description_sends_the_remote_body_byte_for_byte() {
    let s = setup().await;
    let en = s.article_file("101", "en");
    let remote_body = s.remote_body("101", "en");
    s.edit(
        &en,
        "description: \"Create your account, write your first note and find your way around.\"",
        "description: \"Your first five minutes with Acme Notes.\"",
    );
    let dry = s
        .push(&PushOptions {
            dry_run: true,
            ..s.options()
        })
        .await;
    let entry = &dry.files[0];
    assert_eq!(entry.fields, vec!["description"]);
    assert_eq!(entry.diff, None, "the body did not change");
    assert_eq!(
        entry.field_diffs,
        [FieldDiff {
            field: "description".into(),
            diff: "-Create your account, write your first note and find your way around.\n+Your first five minutes with Acme Notes.\n".into(),
        }]
    );
    assert!(s.writes().is_empty());

    let report = s.push(&s.options()).await;
    assert_eq!(report.files[0].fields, vec!["description"]);
    let writes = s.writes();
    assert_eq!(writes.len(), 1);
    let sent: Value = serde_json::from_slice(&writes[0].body).unwrap();
    let en_sent = &sent["translated_content"]["en"];
    // The schema wants the whole locale: the body is Intercom's own, untouched (no rel the
    // site would add, no respelled tags).
    assert_eq!(en_sent["body"].as_str().unwrap(), remote_body);
    assert!(remote_body.contains(r#"rel="nofollow noopener noreferrer""#));
    assert_eq!(
        en_sent["description"],
        "Your first five minutes with Acme Notes."
    );
    assert_eq!(
        s.remote_locale("101", "en")["body"].as_str().unwrap(),
        remote_body
    );
}

/// Bodies of article 102 in each HTML dialect Intercom articles come in: one paragraph of each
/// is edited below.
const DIALECT_BODIES: [(&str, &str); 5] = [
    (
        "intercom-editor",
        r#"<p class="no-margin">Before you start, sign in.</p><h2 id="h_0a1b2c3d4e">Install</h2><ul><li><p class="no-margin">Download the <b>installer</b>.</p></li></ul><div class="intercom-container"><img src="https://downloads.intercomcdn.com/i/o/9/setup.png" width="900" height="500"></div><p class="no-margin">It takes a minute.</p>"#,
    ),
    (
        "plain-api-html",
        "<p>Before you start, sign in.</p>\n<h2>Install</h2>\n<ul><li>Download the <b>installer</b>.</li><li>Run it</li></ul>\n<p><img src=\"https://cdn.example.com/setup.png\" alt=\"Setup\" width=\"900\"></p>\n<p>It takes a minute.<br>Or two.</p>\n",
    ),
    (
        "zendesk",
        "<h2 id=\"h_01HQ3ZQK7Z9W8YJ2Q4B6T0M5XA\">Install</h2>\n<p>Before you start, <strong>sign in</strong>.</p>\n<div class=\"callout callout--note\"><p>Admins only.</p></div>\n<p>It takes a minute.</p>",
    ),
    (
        "help-scout",
        "<h2>Install</h2>\n<p>Before you start, <strong>sign in</strong> <a href=\"https://example.com/login\" target=\"_blank\">here</a>.</p>\n<section class=\"callout-yellow\"><p>Admins only.</p></section>\n<pre>setup --all</pre>\n<p>It takes a minute.</p>",
    ),
    (
        "markdown-renderer",
        "<h1>Install</h1>\n<p>Before you start, <em>sign in</em> <strong>first</strong>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<pre><code class=\"language-sh\">setup --all\n</code></pre>\n<p>It takes a minute.</p>\n",
    ),
];

#[tokio::test]
async fn one_edited_paragraph_in_each_dialect_changes_only_that_paragraph() {
    for (dialect, body) in DIALECT_BODIES {
        let s = setup_with(|ws| {
            ws.article_mut("102").unwrap()["translated_content"]["en"]["body"] = json!(body);
        })
        .await;
        let en = s.article_file("102", "en");
        s.edit(&en, "It takes a minute.", "It takes **two** minutes.");
        let report = s.push(&s.options()).await;
        assert_eq!(report.updated, 1, "{dialect}: {:#?}", report.files);
        assert_eq!(report.files[0].fields, vec!["body"], "{dialect}");
        let writes = s.writes();
        let sent: Value = serde_json::from_slice(&writes[0].body).unwrap();
        let strong = if dialect.starts_with("intercom") || dialect.starts_with("plain") {
            "<b>two</b>"
        } else {
            "<strong>two</strong>"
        };
        let expected = body.replacen(
            "It takes a minute.",
            &format!("It takes {strong} minutes."),
            1,
        );
        assert_eq!(
            sent["translated_content"]["en"]["body"].as_str().unwrap(),
            expected,
            "{dialect}"
        );
    }
}

#[tokio::test]
async fn an_added_heading_and_image_arrive_in_intercom_markup() {
    let s = setup().await;
    let en = s.article_file("101", "en");
    let remote_body = s.remote_body("101", "en");
    s.edit(
        &en,
        "## Next steps",
        "## Troubleshooting\n\nIf sync stops, open **Settings**:\n\n![Sync settings](https://downloads.intercomcdn.com/i/o/734512099/sync.png)\n\n## Next steps",
    );
    let report = s.push(&s.options()).await;
    assert_eq!(report.updated, 1, "{:#?}", report.files);
    let sent: Value = serde_json::from_slice(&s.writes()[0].body).unwrap();
    let sent = sent["translated_content"]["en"]["body"].as_str().unwrap();
    let anchor = format!("h_{}", &sha256_hex(b"Troubleshooting")[..10]);
    let added = format!(
        concat!(
            r#"<h2 id="{}">Troubleshooting</h2>"#,
            r#"<p class="no-margin">If sync stops, open <b>Settings</b>:</p>"#,
            r#"<div class="intercom-container"><img src="https://downloads.intercomcdn.com/i/o/734512099/sync.png" alt="Sync settings"></div>"#,
        ),
        anchor
    );
    let at = remote_body
        .find(r#"<h2 id="h_a01b2c3d4e">Next steps</h2>"#)
        .unwrap();
    let expected = format!("{}{added}{}", &remote_body[..at], &remote_body[at..]);
    assert_eq!(sent, expected);
    // The next export writes the anchor into the file; until then it comes from the text.
    let (record, _) = body_record(&s, &en);
    assert!(record
        .markdown()
        .contains(&format!("## Troubleshooting {{#{anchor}}}")));
}

fn sha256_hex(bytes: &[u8]) -> String {
    helpcenter::snapshot::file_entry(bytes).sha256
}

#[tokio::test]
async fn several_locales_of_one_article_go_in_one_request() {
    let s = setup().await;
    let en = s.article_file("101", "en");
    let fr = s.article_file("101", "fr");
    s.edit(&en, EN_OLD, EN_NEW);
    s.edit(&fr, FR_OLD, FR_NEW);
    let report = s.push(&s.options()).await;
    assert_eq!(report.updated, 2, "{}", report.summary_line());
    let writes = s.writes();
    assert_eq!(writes.len(), 1);
    let body: Value = serde_json::from_slice(&writes[0].body).unwrap();
    let locales: Vec<&String> = body["translated_content"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(locales, ["en", "fr"]);
    assert!(s.remote_locale("101", "fr")["body"]
        .as_str()
        .unwrap()
        .contains(FR_NEW));
}

#[tokio::test]
async fn a_remote_edit_after_export_is_a_conflict_unless_forced() {
    let s = setup().await;
    let en = s.article_file("101", "en");
    let fr = s.article_file("101", "fr");
    s.edit(&en, EN_OLD, EN_NEW);
    s.edit(&fr, FR_OLD, FR_NEW);
    s.server.update_workspace(|ws| {
        let fr = &mut ws.article_mut("101").unwrap()["translated_content"]["fr"];
        fr["body"] = json!("<p>Modifié par une collègue.</p>");
        fr["updated_at"] = json!(1800000000);
    });

    let report = s.push(&s.options()).await;
    assert_eq!(report.conflicts, 1, "{}", report.summary_line());
    assert_eq!(report.updated, 1);
    let conflict = report
        .files
        .iter()
        .find(|f| f.outcome == Outcome::Conflict)
        .unwrap();
    assert_eq!(conflict.path, fr);
    assert_eq!(conflict.base_updated_at, Some(1716792800));
    assert_eq!(conflict.remote_updated_at, Some(1800000000));
    let diff = conflict.diff.as_deref().unwrap();
    assert!(diff.contains("Modifié par une collègue."), "{diff}");
    assert!(diff.contains(FR_NEW), "{diff}");
    assert_eq!(report.exit_code(), 3);
    // Only en was written; the colleague's fr stands.
    let writes = s.writes();
    assert_eq!(writes.len(), 1);
    let body: Value = serde_json::from_slice(&writes[0].body).unwrap();
    assert!(body["translated_content"].get("fr").is_none());
    assert_eq!(
        s.remote_locale("101", "fr")["body"],
        json!("<p>Modifié par une collègue.</p>")
    );

    // --force overwrites it, and only it (en is already pushed).
    s.server.clear_requests();
    let forced = s
        .push(&PushOptions {
            force: true,
            ..s.options()
        })
        .await;
    assert_eq!((forced.updated, forced.conflicts), (1, 0));
    let writes = s.writes();
    assert_eq!(writes.len(), 1);
    let body: Value = serde_json::from_slice(&writes[0].body).unwrap();
    let locales: Vec<&String> = body["translated_content"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(locales, ["fr"]);
    assert!(s.remote_locale("101", "fr")["body"]
        .as_str()
        .unwrap()
        .contains(FR_NEW));
}

#[tokio::test]
async fn a_dry_run_writes_nothing_and_says_what_would_change() {
    let s = setup().await;
    let en = s.article_file("101", "en");
    s.edit(&en, EN_OLD, EN_NEW);
    s.edit(
        &en,
        "title: \"Getting started with Acme Notes\"",
        "title: \"Start here\"",
    );
    let base_before = fs::read(s.content.join(tree::BASE_FILE)).unwrap();
    let report = s
        .push(&PushOptions {
            dry_run: true,
            ..s.options()
        })
        .await;
    assert!(report.dry_run);
    assert_eq!(report.updated, 1);
    let entry = &report.files[0];
    assert_eq!(entry.outcome, Outcome::WouldUpdate);
    assert_eq!(entry.fields, vec!["title", "body"]);
    let diff = entry.diff.as_deref().unwrap();
    assert!(diff.contains("\n-Welcome to Acme Notes!"), "{diff}");
    assert!(diff.contains(EN_NEW), "{diff}");
    assert!(s.writes().is_empty());
    assert_eq!(
        fs::read(s.content.join(tree::BASE_FILE)).unwrap(),
        base_before
    );
    assert!(report.summary_line().starts_with("would push 1 file"));
}

#[tokio::test]
async fn a_broken_file_stops_the_push_before_any_request() {
    let s = setup().await;
    let en = s.article_file("101", "en");
    let other = s.article_file("102", "en");
    s.edit(&en, EN_OLD, EN_NEW);
    s.edit(&other, "locale: \"en\"", "locale: [broken");
    let error = push(&s.client, &s.options()).await.unwrap_err();
    assert!(error.to_string().contains(&other), "{error}");
    assert!(s.server.requests().is_empty());
}

#[tokio::test]
async fn server_errors_and_rate_limits_still_apply_every_change_once() {
    let s = setup().await;
    let en = s.article_file("101", "en");
    let fr = s.article_file("102", "fr");
    s.edit(&en, EN_OLD, EN_NEW);
    let fr_body = body_of(&s.path(&fr));
    let first_line = fr_body.lines().next().unwrap().to_string();
    s.edit(&fr, &first_line, &format!("{first_line} Modifié."));
    s.server.set_faults(FaultPlan::scripted(vec![
        (
            Matcher::first_to("PUT /articles/*", 2),
            FaultKind::Status(503),
        ),
        (
            Matcher::nth_to("PUT /articles/*", 3),
            FaultKind::TooManyRequests {
                retry_after: Some(0),
                reset_in: None,
            },
        ),
        (
            Matcher::nth_to("GET /articles/*", 1),
            FaultKind::Status(500),
        ),
    ]));
    let report = s.push(&s.options()).await;
    assert_eq!(report.updated, 2, "{:#?}", report.files);
    assert_eq!(report.failed, 0);
    let mut applied: Vec<String> = s
        .writes()
        .into_iter()
        .filter(|r| r.status == 200)
        .map(|r| r.path)
        .collect();
    // Articles go several at a time: in either order, each once.
    applied.sort();
    assert_eq!(applied, ["/articles/101", "/articles/102"]);
    assert!(s.writes().len() > 2);
    assert!(s.remote_locale("101", "en")["body"]
        .as_str()
        .unwrap()
        .contains(EN_NEW));
    assert!(s.remote_locale("102", "fr")["body"]
        .as_str()
        .unwrap()
        .contains("Modifié."));
    assert!(BaseRecord::read(&s.content)
        .unwrap()
        .unwrap()
        .local_changes(&s.content)
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_failed_write_is_reported_and_retried_on_the_next_push() {
    let s = setup().await;
    let en = s.article_file("101", "en");
    s.edit(&en, EN_OLD, EN_NEW);
    s.server.set_faults(FaultPlan::scripted(vec![(
        Matcher::every("PUT /articles/*"),
        FaultKind::Status(400),
    )]));
    let report = s.push(&s.options()).await;
    assert_eq!(report.failed, 1, "{}", report.summary_line());
    let detail = report.files[0].detail.as_deref().unwrap();
    assert!(
        detail.starts_with("PUT /articles/101 failed: 400"),
        "{detail}"
    );
    s.server.set_faults(FaultPlan::none());
    s.server.clear_requests();
    let again = s.push(&s.options()).await;
    assert_eq!(again.updated, 1);
    assert_eq!(s.writes().len(), 1);
}

#[tokio::test]
async fn paths_limit_the_push() {
    let s = setup().await;
    let en = s.article_file("101", "en");
    let fr = s.article_file("101", "fr");
    s.edit(&en, EN_OLD, EN_NEW);
    s.edit(&fr, FR_OLD, FR_NEW);
    let report = s
        .push(&PushOptions {
            paths: vec![PathBuf::from(&fr)],
            ..s.options()
        })
        .await;
    assert_eq!(report.updated, 1);
    assert_eq!(report.files[0].path, fr);
    let body: Value = serde_json::from_slice(&s.writes()[0].body).unwrap();
    let locales: Vec<&String> = body["translated_content"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(locales, ["fr"]);
}

#[tokio::test]
async fn deleted_files_are_reported_not_pushed() {
    let s = setup().await;
    let en = s.article_file("101", "en");
    fs::remove_file(s.path(&en)).unwrap();
    let report = s.push(&s.options()).await;
    assert_eq!(report.not_pushed, 1, "{}", report.summary_line());
    assert_eq!(report.files[0].outcome, Outcome::NotPushed);
    assert!(s.writes().is_empty());
}

#[tokio::test]
async fn an_article_without_translations_gets_only_its_changed_fields() {
    let s = setup_with(|ws| {
        let article = ws.article_mut("102").unwrap().as_object_mut().unwrap();
        article.remove("translated_content");
    })
    .await;
    let en = s.article_file("102", "en");
    let first_line = body_of(&s.path(&en)).lines().next().unwrap().to_string();
    s.edit(&en, &first_line, &format!("{first_line} Edited."));
    let report = s.push(&s.options()).await;
    assert_eq!(report.updated, 1, "{:#?}", report.files);
    let writes = s.writes();
    assert_eq!(writes.len(), 1);
    let body: Value = serde_json::from_slice(&writes[0].body).unwrap();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["body"], "only the changed field, at the top level");
    let stored = s.server.workspace().article("102").unwrap().clone();
    assert!(stored.get("translated_content").is_none());
    assert!(stored["body"].as_str().unwrap().contains("Edited."));
    let base = BaseRecord::read(&s.content).unwrap().unwrap();
    assert_eq!(base.files[&en].updated_at, stored["updated_at"].as_i64());

    s.server.clear_requests();
    s.edit(&en, "state: \"published\"", "state: \"draft\"");
    s.push(&s.options()).await;
    assert_eq!(
        String::from_utf8(s.writes()[0].body.clone()).unwrap(),
        r#"{"state":"draft"}"#
    );
}

/// Sends one raw request to the fake and returns its status and JSON answer.
async fn raw(server: &FakeIntercom, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .request(
            method.parse().unwrap(),
            format!("{}{path}", server.base_url()),
        )
        .bearer_auth(FakeIntercom::TOKEN)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn the_fake_checks_article_content_and_stamps_fresh_times() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let partial = json!({"translated_content": {"fr": {"type": "article_content", "title": "T"}}});
    let (status, answer) = raw(&server, "PUT", "/articles/101", &partial).await;
    assert_eq!(status, 400);
    assert_eq!(answer["errors"][0]["code"], "parameter_not_found");
    assert_eq!(answer["errors"][0]["field"], "description");

    let whole = json!({"translated_content": {"fr": {
        "type": "article_content", "title": "T", "description": "D", "body": "<p>B</p>",
        "author_id": 1, "state": "draft"}}});
    let (status, answer) = raw(&server, "PUT", "/articles/101", &whole).await;
    assert_eq!(status, 200);
    let fr = &answer["translated_content"]["fr"];
    assert_eq!(
        (fr["title"].clone(), fr["state"].clone()),
        (json!("T"), json!("draft"))
    );
    let first = fr["updated_at"].as_i64().unwrap();
    assert!(first > 1716800000);
    assert_eq!(answer["translated_content"]["en"]["updated_at"], 1716800000);
    assert_eq!(answer["title"], "Getting started with Acme Notes");
    let (_, again) = raw(&server, "PUT", "/articles/101", &whole).await;
    assert!(
        again["translated_content"]["fr"]["updated_at"]
            .as_i64()
            .unwrap()
            > first
    );

    let bad_state = json!({"state": "gone"});
    let (status, answer) = raw(&server, "PUT", "/articles/101", &bad_state).await;
    assert_eq!(
        (status, answer["errors"][0]["code"].clone()),
        (400, json!("parameter_invalid"))
    );
    let (status, answer) = raw(&server, "PUT", "/articles/999", &whole).await;
    assert_eq!(
        (status, answer["errors"][0]["code"].clone()),
        (404, json!("not_found"))
    );
    let put = &server.requests()[1];
    assert_eq!(serde_json::from_slice::<Value>(&put.body).unwrap(), whole);
}

#[tokio::test]
async fn a_push_that_stopped_before_its_base_update_resumes_without_a_conflict() {
    let s = setup().await;
    let en = s.article_file("101", "en");
    s.edit(&en, EN_OLD, EN_NEW);
    let meta = s.content.join(tree::META_DIR);
    let saved = s.content.with_extension("meta-before");
    support::copy_dir(&meta, &saved);
    s.push(&s.options()).await;
    // As if the process had died after the PUT, before the base was written.
    fs::remove_dir_all(&meta).unwrap();
    support::copy_dir(&saved, &meta);
    s.server.clear_requests();
    let report = s.push(&s.options()).await;
    assert_eq!(
        report.files[0].outcome,
        Outcome::InSync,
        "{:#?}",
        report.files
    );
    assert_eq!((report.updated, report.conflicts), (0, 0));
    assert!(s.writes().is_empty());
    s.server.clear_requests();
    s.push(&s.options()).await;
    assert!(s.server.requests().is_empty());
}

/// The tree path of collection `id`'s `_index.md` in `locale`.
fn collection_file(s: &Setup, id: &str, locale: &str) -> String {
    s.file_of(FileKind::Collection, id, locale)
}

#[tokio::test]
async fn a_renamed_collection_is_sent_for_its_locale_only() {
    let s = setup().await;
    let fr = collection_file(&s, "201", "fr");
    s.edit(&fr, "\"Premiers pas\"", "\"Pour commencer\"");
    let report = s.push(&s.options()).await;
    assert_eq!(report.updated, 1, "{:#?}", report.files);
    assert_eq!(report.files[0].fields, vec!["name"]);
    let writes = s.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].path, "/help_center/collections/201");
    let expected = json!({"translated_content": {"fr": {
        "type": "group_content",
        "name": "Pour commencer",
        "description": "Installez Acme Notes et écrivez votre première note en quelques minutes.",
    }}});
    assert_eq!(
        String::from_utf8(writes[0].body.clone()).unwrap(),
        serde_json::to_string(&expected).unwrap()
    );
    let stored = s.server.workspace().collection("201").unwrap().clone();
    assert_eq!(stored["translated_content"]["fr"]["name"], "Pour commencer");
    assert_eq!(stored["name"], "Getting started");

    // Every locale of the collection moved to the new remote time: no false conflict next.
    let base = BaseRecord::read(&s.content).unwrap().unwrap();
    let times: Vec<Option<i64>> = base
        .files
        .values()
        .filter(|e| e.kind == FileKind::Collection && e.id.as_deref() == Some("201"))
        .map(|e| e.updated_at)
        .collect();
    assert!(
        times.iter().all(|t| *t == stored["updated_at"].as_i64()),
        "{times:?}"
    );
    let en = collection_file(&s, "201", "en");
    s.edit(&en, "\"Getting started\"", "\"First steps\"");
    let report = s.push(&s.options()).await;
    assert_eq!(
        (report.updated, report.conflicts),
        (1, 0),
        "{:#?}",
        report.files
    );
    assert_eq!(
        s.server.workspace().collection("201").unwrap()["name"],
        "First steps"
    );
}

#[tokio::test]
async fn a_renamed_2_9_section_is_sent_to_its_own_endpoint() {
    let version: ApiVersion = "2.9".parse().unwrap();
    let s = setup_from("sections-2.9", version, |_| {}).await;
    let es = s.file_of(FileKind::Section, "401", "es");
    s.edit(&es, "\"Tu cuenta\"", "\"Tu perfil\"");
    let report = s.push(&s.options()).await;
    assert_eq!(report.updated, 1, "{:#?}", report.files);
    assert_eq!(report.files[0].fields, vec!["name"]);
    let writes = s.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(
        (writes[0].method.as_str(), writes[0].path.as_str()),
        ("PUT", "/help_center/sections/401")
    );
    let expected = json!({"translated_content": {"es": {
        "type": "group_content", "name": "Tu perfil", "description": "",
    }}});
    assert_eq!(
        String::from_utf8(writes[0].body.clone()).unwrap(),
        serde_json::to_string(&expected).unwrap()
    );
    let stored = s
        .server
        .workspace()
        .sections
        .iter()
        .find(|g| g["id"] == "401")
        .cloned();
    let stored = stored.unwrap();
    assert_eq!(stored["translated_content"]["es"]["name"], "Tu perfil");
    assert_eq!(stored["name"], "Your account");

    // The base moved to the new remote time: nothing left to push, and no false conflict.
    s.server.clear_requests();
    let again = s.push(&s.options()).await;
    assert_eq!(
        (again.updated, again.conflicts, again.not_pushed),
        (0, 0, 0)
    );
    assert!(s.writes().is_empty());
}

#[tokio::test]
async fn a_collection_changed_remotely_is_a_conflict() {
    let s = setup().await;
    let fr = collection_file(&s, "201", "fr");
    s.edit(&fr, "\"Premiers pas\"", "\"Pour commencer\"");
    s.server.update_workspace(|ws| {
        let collection = ws
            .collections
            .iter_mut()
            .find(|c| c["id"] == "201")
            .unwrap();
        collection["updated_at"] = json!(1800000000);
    });
    let report = s.push(&s.options()).await;
    assert_eq!(report.conflicts, 1, "{:#?}", report.files);
    assert!(s.writes().is_empty());
}

#[tokio::test]
async fn an_article_is_deleted_only_when_all_its_files_are_and_delete_is_set() {
    let s = setup().await;
    let base = BaseRecord::read(&s.content).unwrap().unwrap();
    let files: Vec<String> = base
        .files
        .iter()
        .filter(|(_, e)| e.kind == FileKind::Article && e.id.as_deref() == Some("103"))
        .map(|(p, _)| p.clone())
        .collect();
    assert!(files.len() > 1);
    for file in &files {
        fs::remove_file(s.path(file)).unwrap();
    }
    let report = s.push(&s.options()).await;
    assert_eq!(report.not_pushed, files.len());
    assert!(s.writes().is_empty());

    let delete = PushOptions {
        delete: true,
        ..s.options()
    };
    let dry = s
        .push(&PushOptions {
            dry_run: true,
            ..delete.clone()
        })
        .await;
    assert_eq!(dry.deleted, files.len());
    assert!(s.writes().is_empty());

    let report = s.push(&delete).await;
    assert_eq!(report.deleted, files.len(), "{:#?}", report.files);
    assert!(report.files.iter().all(|f| f.outcome == Outcome::Deleted));
    let writes = s.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(
        (writes[0].method.as_str(), writes[0].path.as_str()),
        ("DELETE", "/articles/103")
    );
    assert!(writes[0].body.is_empty());
    assert!(s.server.workspace().article("103").is_none());
    let base = BaseRecord::read(&s.content).unwrap().unwrap();
    assert!(files.iter().all(|f| !base.files.contains_key(f)));
    assert!(base.local_changes(&s.content).unwrap().is_empty());
}

#[tokio::test]
async fn the_fake_creates_articles_and_a_post_is_retried_only_when_not_processed() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let (status, answer) = raw(&server, "POST", "/articles", &json!({"title": "New"})).await;
    assert_eq!(
        (status, answer["errors"][0]["field"].clone()),
        (400, json!("author_id"))
    );

    let client = client_for(&server, ApiVersion::default());
    let new = json!({"title": "New", "author_id": 5017691, "body": "<p>Hi</p>"});
    // 503: the server did not act, so the client tries again.
    server.set_faults(FaultPlan::scripted(vec![(
        Matcher::nth_to("POST /articles", 1),
        FaultKind::Status(503),
    )]));
    let created: Value = client
        .send_json(reqwest::Method::POST, "/articles", &new)
        .await
        .unwrap();
    assert_eq!(created["state"], "draft");
    let id = created["id"].as_str().unwrap().to_string();
    assert!(server.workspace().article(&id).is_some());
    assert_eq!(
        server
            .requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count(),
        3
    );

    // 502: it may have been processed, so the client must not send it again.
    server.clear_requests();
    server.set_faults(FaultPlan::scripted(vec![(
        Matcher::every("POST /articles"),
        FaultKind::Status(502),
    )]));
    let error = client
        .send_json::<Value>(reqwest::Method::POST, "/articles", &new)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not retried"), "{error}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn an_article_deleted_remotely_fails_alone_and_the_report_never_shows_the_token() {
    let s = setup().await;
    let en101 = s.article_file("101", "en");
    let en102 = s.article_file("102", "en");
    s.edit(&en101, EN_OLD, EN_NEW);
    let first = body_of(&s.path(&en102)).lines().next().unwrap().to_string();
    s.edit(&en102, &first, &format!("{first} Edited."));
    s.server
        .update_workspace(|ws| ws.articles.retain(|a| a["id"] != "101"));
    let report = s.push(&s.options()).await;
    assert_eq!(
        (report.failed, report.updated),
        (1, 1),
        "{:#?}",
        report.files
    );
    let failed = report.files.iter().find(|f| f.path == en101).unwrap();
    let detail = failed.detail.as_deref().unwrap();
    assert!(
        detail.contains("/articles/101") && detail.contains("404"),
        "{detail}"
    );
    assert_eq!(report.exit_code(), 1);
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains("\"outcome\":\"failed\""));
    assert!(!json.contains(FakeIntercom::TOKEN));
}

#[tokio::test]
async fn a_refused_token_stops_the_push_with_an_auth_error() {
    let s = setup().await;
    let en = s.article_file("101", "en");
    s.edit(&en, EN_OLD, EN_NEW);
    let options = ClientOptions {
        token: Token::new("wrong-token"),
        ..s.client.options().clone()
    };
    let client = Client::new(options).unwrap();
    let error = push(&client, &s.options()).await.unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert!(error.to_string().contains("GET /articles/101"), "{error}");
    assert!(!error.to_string().contains("wrong-token"));
    assert!(s.writes().is_empty());
}

/// The folder of the first exported collection in `locale`, and that collection's id.
fn a_collection_folder(s: &Setup, locale: &str) -> (String, String) {
    let base = BaseRecord::read(&s.content).unwrap().unwrap();
    let (path, entry) = base
        .files
        .iter()
        .find(|(_, e)| e.kind == FileKind::Collection && e.locale.as_str() == locale)
        .unwrap();
    let folder = path.strip_suffix("/_index.md").unwrap().to_string();
    (folder, entry.id.clone().unwrap())
}

const NEW_ARTICLE: &str = "---\ntitle: \"Sharing notes\"\ndescription: \"Send a note to a colleague.\"\nauthor_id: \"5017691\"\n---\n\nOpen the note and press **Share**.\n";

#[tokio::test]
async fn a_new_article_is_created_once_and_its_id_written_back() {
    let s = setup().await;
    let (folder, collection) = a_collection_folder(&s, "en");
    let rel = format!("{folder}/sharing-notes.md");
    fs::write(s.path(&rel), NEW_ARTICLE).unwrap();
    let dry = s
        .push(&PushOptions {
            dry_run: true,
            ..s.options()
        })
        .await;
    assert_eq!(dry.created, 1, "{:#?}", dry.files);
    assert_eq!(dry.files[0].outcome, Outcome::WouldCreate);
    assert!(s.writes().is_empty());
    assert_eq!(fs::read_to_string(s.path(&rel)).unwrap(), NEW_ARTICLE);

    let report = s.push(&s.options()).await;
    assert_eq!(report.created, 1, "{:#?}", report.files);
    assert_eq!(report.files[0].outcome, Outcome::Created);
    let writes = s.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(
        (writes[0].method.as_str(), writes[0].path.as_str()),
        ("POST", "/articles")
    );
    let html = markdown_to_html("Open the note and press **Share**.\n");
    let content = json!({
        "title": "Sharing notes",
        "description": "Send a note to a colleague.",
        "body": html,
        "author_id": 5017691,
        "state": "draft",
    });
    let mut expected = content.clone();
    expected["parent_id"] = json!(collection.parse::<i64>().unwrap());
    expected["parent_type"] = json!("collection");
    let mut translated = json!({"type": "article_content"});
    translated
        .as_object_mut()
        .unwrap()
        .extend(content.as_object().unwrap().clone());
    expected["translated_content"] = json!({ "en": translated });
    assert_eq!(
        String::from_utf8(writes[0].body.clone()).unwrap(),
        serde_json::to_string(&expected).unwrap()
    );

    // The id is in the file and in the base; the fake holds the article under the collection.
    let id = report.files[0].article_id.clone().unwrap();
    let text = fs::read_to_string(s.path(&rel)).unwrap();
    assert!(
        text.starts_with(&format!(
            "---\nid: \"{id}\"\ntranslationKey: \"{id}\"\ntitle:"
        )),
        "{text}"
    );
    let base = BaseRecord::read(&s.content).unwrap().unwrap();
    assert_eq!(base.files[&rel].id.as_deref(), Some(id.as_str()));
    assert_eq!(base.files[&rel].kind, FileKind::Article);
    assert!(base.local_changes(&s.content).unwrap().is_empty());
    let remote = s.server.workspace().article(&id).unwrap().clone();
    assert_eq!(
        remote["parent_id"].to_string().trim_matches('"'),
        collection
    );
    assert_eq!(remote["translated_content"]["en"]["title"], "Sharing notes");

    // A second push has nothing to do, and the tree still loads with the new article in it.
    s.server.clear_requests();
    let again = s.push(&s.options()).await;
    assert_eq!(
        again.updated + again.created + again.not_pushed,
        0,
        "{:#?}",
        again.files
    );
    assert!(s.writes().is_empty());
    let ws = tree::load(&s.content).unwrap();
    assert!(ws.articles.iter().any(|a| a.id == id));
}

#[tokio::test]
async fn a_new_article_without_author_takes_the_default_author() {
    let s = setup().await;
    let (folder, _) = a_collection_folder(&s, "en");
    let rel = format!("{folder}/sharing-notes.md");
    let without_author = NEW_ARTICLE.replace("author_id: \"5017691\"\n", "");
    fs::write(s.path(&rel), &without_author).unwrap();
    let report = s
        .push(&PushOptions {
            default_author_id: Some("991".to_string()),
            ..s.options()
        })
        .await;
    assert_eq!(report.created, 1, "{:#?}", report.files);
    let writes = s.writes();
    let body: Value = serde_json::from_slice(&writes[0].body).unwrap();
    assert_eq!(body["author_id"], json!(991));
    assert_eq!(body["translated_content"]["en"]["author_id"], json!(991));
    let id = report.files[0].article_id.clone().unwrap();
    assert_eq!(
        s.server.workspace().article(&id).unwrap()["author_id"].to_string(),
        "991"
    );
}

#[tokio::test]
async fn a_new_article_without_author_or_outside_a_collection_writes_nothing() {
    let s = setup().await;
    let en = s.article_file("101", "en");
    s.edit(&en, EN_OLD, EN_NEW);
    let (folder, _) = a_collection_folder(&s, "en");
    let rel = format!("{folder}/sharing-notes.md");
    fs::write(
        s.path(&rel),
        NEW_ARTICLE.replace("author_id: \"5017691\"\n", ""),
    )
    .unwrap();
    let error = push(&s.client, &s.options()).await.unwrap_err();
    assert!(error.to_string().contains(&rel), "{error}");
    assert!(error.to_string().contains("author_id"), "{error}");
    assert!(s.server.requests().is_empty());

    fs::remove_file(s.path(&rel)).unwrap();
    fs::write(s.path("en/top-level.md"), NEW_ARTICLE).unwrap();
    let error = push(&s.client, &s.options()).await.unwrap_err();
    assert!(error.to_string().contains("en/top-level.md"), "{error}");
    assert!(error.to_string().contains("collection"), "{error}");
    assert!(s.server.requests().is_empty());
    assert_eq!(
        fs::read_to_string(s.path("en/top-level.md")).unwrap(),
        NEW_ARTICLE
    );
}

#[tokio::test]
async fn a_new_article_whose_answer_is_lost_is_looked_for_before_it_is_created_again() {
    let s = setup().await;
    let (folder, _) = a_collection_folder(&s, "en");
    let rel = format!("{folder}/sharing-notes.md");
    fs::write(s.path(&rel), NEW_ARTICLE).unwrap();
    let before = s.server.workspace().articles.len();

    // A 503 means Intercom did not act: the client retries, and the article is created once.
    s.server.set_faults(FaultPlan::scripted(vec![(
        Matcher::nth_to("POST /articles", 1),
        FaultKind::Status(503),
    )]));
    let report = s.push(&s.options()).await;
    assert_eq!(report.created, 1, "{:#?}", report.files);
    assert_eq!(s.server.workspace().articles.len(), before + 1);

    // A dropped answer may hide a success: not retried, reported, the file left without id,
    // and the create kept in the journal for the next push to look for.
    let second = format!("{folder}/more-sharing.md");
    fs::write(
        s.path(&second),
        NEW_ARTICLE.replace("Sharing notes", "More sharing"),
    )
    .unwrap();
    s.server.clear_requests();
    s.server.set_faults(FaultPlan::scripted(vec![(
        Matcher::every("POST /articles"),
        FaultKind::DropConnection,
    )]));
    let report = s.push(&s.options()).await;
    assert_eq!(
        (report.created, report.failed),
        (0, 1),
        "{:#?}",
        report.files
    );
    let detail = report.files[0].detail.clone().unwrap();
    assert!(
        detail.contains("may or may not have been applied"),
        "{detail}"
    );
    assert_eq!(s.writes().len(), 1);
    let text = fs::read_to_string(s.path(&second)).unwrap();
    assert!(!text.contains("\nid:"), "{text}");
    let base = BaseRecord::read(&s.content).unwrap().unwrap();
    assert!(!base.files.contains_key(&second));
    let journal = fs::read_to_string(s.content.join(JOURNAL_FILE)).unwrap();
    let lines: Vec<Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{journal}");
    assert_eq!(lines[0]["format"], "helpcenter-push/1");
    let pending = &lines[1]["creating"];
    assert_eq!(pending["request"], "POST /articles");
    assert_eq!(pending["path"], second.as_str());
    assert_eq!(pending["title"], "More sharing");

    // This fake did not apply the dropped write: the next push finds nothing and creates it.
    assert_eq!(s.server.workspace().articles.len(), before + 1);
    s.server.set_faults(FaultPlan::none());
    s.server.clear_requests();
    let report = s.push(&s.options()).await;
    assert_eq!(report.created, 1, "{:#?}", report.files);
    assert_eq!(s.server.workspace().articles.len(), before + 2);
    let lookup = s.server.requests();
    assert!(lookup
        .iter()
        .any(|r| r.method == "GET" && r.path == "/articles"));
    assert!(!s.content.join(JOURNAL_FILE).exists());
}

#[tokio::test]
async fn a_new_article_intercom_made_though_its_answer_was_lost_is_adopted() {
    let s = setup().await;
    let (folder, collection) = a_collection_folder(&s, "en");
    let rel = format!("{folder}/sharing-notes.md");
    fs::write(s.path(&rel), NEW_ARTICLE).unwrap();
    let before = s.server.workspace().articles.len();
    s.server.set_faults(FaultPlan::scripted(vec![(
        Matcher::every("POST /articles"),
        FaultKind::DropConnection,
    )]));
    let report = s.push(&s.options()).await;
    assert_eq!((report.created, report.failed), (0, 1));
    // Intercom did act on it; only its answer was lost.
    let sent: Value = serde_json::from_slice(&s.writes()[0].body).unwrap();
    s.server.update_workspace(|w| {
        let mut article = sent.clone();
        article["id"] = json!("9001");
        article["type"] = json!("article");
        article["default_locale"] = json!("en");
        article["created_at"] = json!(1_800_000_000);
        article["updated_at"] = json!(1_800_000_000);
        article["translated_content"]["en"]["updated_at"] = json!(1_800_000_000);
        w.articles.push(article);
    });
    s.server.set_faults(FaultPlan::none());
    s.server.clear_requests();

    let report = s.push(&s.options()).await;
    assert!(s.writes().is_empty(), "{:?}", s.writes());
    assert_eq!(report.created, 1, "{:#?}", report.files);
    assert_eq!(report.files[0].path, rel);
    assert_eq!(report.files[0].article_id.as_deref(), Some("9001"));
    assert_eq!(
        report.files[0].detail.as_deref(),
        Some("created by the interrupted push; found in Intercom and adopted, not created again")
    );
    assert_eq!(s.server.workspace().articles.len(), before + 1);
    let text = fs::read_to_string(s.path(&rel)).unwrap();
    assert!(
        text.starts_with("---\nid: \"9001\"\ntranslationKey: \"9001\"\n"),
        "{text}"
    );
    let base = BaseRecord::read(&s.content).unwrap().unwrap();
    let entry = &base.files[&rel];
    assert_eq!(entry.id.as_deref(), Some("9001"));
    assert_eq!(entry.updated_at, Some(1_800_000_000));
    assert_eq!(sent["parent_id"].to_string(), collection);
    assert!(!s.content.join(JOURNAL_FILE).exists());
    s.server.clear_requests();
    let again = s.push(&s.options()).await;
    assert_eq!((again.updated, again.created), (0, 0), "{:#?}", again.files);
    assert!(s.writes().is_empty());
}

#[tokio::test]
async fn a_translation_added_for_a_new_locale_is_put_with_that_locale() {
    let s = setup().await;
    let en = s.article_file("114", "en");
    let folder = collection_file(&s, "201", "fr");
    let folder = folder.strip_suffix("/_index.md").unwrap();
    let fr = format!("{folder}/{}", en.rsplit('/').next().unwrap());
    let text = fs::read_to_string(s.path(&en)).unwrap();
    let title = text.lines().find(|l| l.starts_with("title: ")).unwrap();
    let fr_text = text
        .replace("locale: \"en\"", "locale: \"fr\"")
        .replace(title, "title: \"Nouvel article\"")
        .replace(&body_of(&s.path(&en)), "Bonjour **tout le monde**.\n");
    fs::write(s.path(&fr), &fr_text).unwrap();

    let report = s.push(&s.options()).await;
    assert_eq!(report.updated, 1, "{:#?}", report.files);
    assert_eq!(
        (report.created, report.not_pushed, report.conflicts),
        (0, 0, 0)
    );
    let writes = s.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(
        (writes[0].method.as_str(), writes[0].path.as_str()),
        ("PUT", "/articles/114")
    );
    let sent: Value = serde_json::from_slice(&writes[0].body).unwrap();
    let en_remote = s.remote_locale("114", "en");
    let expected = json!({"translated_content": {"fr": {
        "type": "article_content",
        "title": "Nouvel article",
        "description": en_remote["description"],
        "body": markdown_to_html("Bonjour **tout le monde**.\n"),
        "author_id": en_remote["author_id"],
        "state": en_remote["state"],
    }}});
    assert_eq!(sent, expected);
    assert_eq!(s.remote_locale("114", "fr")["title"], "Nouvel article");
    let base = BaseRecord::read(&s.content).unwrap().unwrap();
    assert_eq!(base.files[&fr].id.as_deref(), Some("114"));
    assert!(base.local_changes(&s.content).unwrap().is_empty());
    s.server.clear_requests();
    let again = s.push(&s.options()).await;
    assert_eq!(again.updated, 0, "{:#?}", again.files);
    assert!(s.writes().is_empty());
}

#[tokio::test]
async fn a_new_collection_is_created_before_the_new_article_inside_it() {
    let s = setup().await;
    fs::create_dir_all(s.path("en/new-things")).unwrap();
    fs::write(
        s.path("en/new-things/_index.md"),
        "---\ntitle: \"New things\"\ndescription: \"What is new.\"\n---\n",
    )
    .unwrap();
    fs::write(s.path("en/new-things/sharing-notes.md"), NEW_ARTICLE).unwrap();

    let report = s.push(&s.options()).await;
    assert_eq!(report.created, 2, "{:#?}", report.files);
    let writes = s.writes();
    assert_eq!(writes.len(), 2);
    assert_eq!(
        (writes[0].method.as_str(), writes[0].path.as_str()),
        ("POST", "/help_center/collections")
    );
    let sent: Value = serde_json::from_slice(&writes[0].body).unwrap();
    assert_eq!(
        sent,
        json!({"name": "New things", "description": "What is new.", "parent_id": null,
               "help_center_id": 12})
    );
    let group = report
        .files
        .iter()
        .find(|f| f.path == "en/new-things/_index.md")
        .unwrap();
    let collection = group.collection_id.clone().unwrap();
    assert_eq!(writes[1].path, "/articles");
    let article: Value = serde_json::from_slice(&writes[1].body).unwrap();
    assert_eq!(
        article["parent_id"],
        json!(collection.parse::<i64>().unwrap())
    );
    assert_eq!(article["parent_type"], "collection");

    let index = fs::read_to_string(s.path("en/new-things/_index.md")).unwrap();
    assert!(
        index.starts_with(&format!(
            "---\nid: \"{collection}\"\ntranslationKey: \"collection-{collection}\"\n"
        )),
        "{index}"
    );
    let base = BaseRecord::read(&s.content).unwrap().unwrap();
    assert_eq!(
        base.files["en/new-things/_index.md"].kind,
        FileKind::Collection
    );
    assert!(base.local_changes(&s.content).unwrap().is_empty());
    let ws = tree::load(&s.content).unwrap();
    let group = ws.groups.iter().find(|g| g.id == collection).unwrap();
    assert_eq!(group.articles.len(), 1);

    s.server.clear_requests();
    let again = s.push(&s.options()).await;
    assert_eq!(again.updated + again.not_pushed, 0, "{:#?}", again.files);
    assert!(s.writes().is_empty());
}

#[tokio::test]
async fn a_translation_is_not_added_to_an_article_intercom_holds_in_one_language() {
    let s = setup_with(|ws| {
        let article = ws.article_mut("114").unwrap().as_object_mut().unwrap();
        article.remove("translated_content");
    })
    .await;
    let en = s.article_file("114", "en");
    let folder = collection_file(&s, "201", "fr");
    let folder = folder.strip_suffix("/_index.md").unwrap();
    let fr = format!("{folder}/{}", en.rsplit('/').next().unwrap());
    let text = fs::read_to_string(s.path(&en)).unwrap();
    fs::write(
        s.path(&fr),
        text.replace("locale: \"en\"", "locale: \"fr\""),
    )
    .unwrap();
    let report = s.push(&s.options()).await;
    assert_eq!(report.failed, 1, "{:#?}", report.files);
    assert!(report.files[0]
        .detail
        .as_deref()
        .unwrap()
        .contains("without translations"));
    assert!(s.writes().is_empty());
}

#[tokio::test]
async fn a_push_through_429s_and_dropped_connections_applies_every_edit_exactly_once() {
    let load = PushLoad::new(150, ServerConfig::default()).await;
    load.server.set_faults(push_load::faults(16, 0));
    let client = load.client(8, 12, Duration::from_millis(1));
    let report = push(&client, &load.options()).await.unwrap();
    assert_eq!(
        (report.updated, report.failed, report.conflicts),
        (150, 0, 0),
        "{:#?}",
        report
            .files
            .iter()
            .filter(|f| f.outcome != Outcome::Updated)
            .collect::<Vec<_>>()
    );
    assert_eq!(load.check(), Vec::<String>::new());
    let requests = load.server.requests();
    let limited = requests.iter().filter(|r| r.status == 429).count();
    let dropped = (requests.iter())
        .filter(|r| r.fault == Some(FaultKind::DropConnection))
        .count();
    assert!(
        limited > 30 && dropped > 5,
        "{limited} 429s, {dropped} drops"
    );

    // Every write is in the base record: a second push sends nothing.
    load.server.set_faults(FaultPlan::none());
    load.server.clear_requests();
    let again = push(&client, &load.options()).await.unwrap();
    assert_eq!(again.updated, 0);
    assert!(load.server.writes().is_empty());
}
