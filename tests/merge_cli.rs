//! `helpcenter merge` end to end against the fake Intercom: export, edit here, edit the same
//! article in Intercom, push (a conflict), pull, merge, push; and a conflict in one block,
//! shown by a preview build, refused by push, resolved and pushed.

mod support;

use std::fs;
use std::path::Path;

use serde_json::Value;
use support::cli::{self, assert_code};
use support::fake_intercom::FakeIntercom;

const ARTICLE: &str = "en/account-and-billing/111-update-your-payment-method.md";
/// 2026-12-07 12:46:50 UTC: when the colleague edits the article in Intercom.
const REMOTE_EDIT_AT: i64 = 1_796_647_610;

fn edit_file(dir: &Path, rel: &str, from: &str, to: &str) {
    let path = dir.join("content").join(rel);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} not in {rel}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// A colleague's edit in Intercom's editor: the English body changed, its time moved on.
fn edit_remotely(server: &FakeIntercom, from: &str, to: &str) {
    server.update_workspace(|ws| {
        let article = ws.article_mut("111").unwrap();
        let edit = |content: &mut Value| {
            let body = content["body"].as_str().unwrap();
            assert!(body.contains(from), "{from:?} not in the body");
            content["body"] = body.replacen(from, to, 1).into();
            content["updated_at"] = REMOTE_EDIT_AT.into();
        };
        edit(&mut article["translated_content"]["en"]);
        edit(article);
    });
}

fn article(server: &FakeIntercom) -> Value {
    server.workspace().article("111").unwrap().clone()
}

#[test]
fn edits_on_both_sides_in_different_paragraphs_reach_intercom_together() {
    let (server, dir) = cli::pulled_and_exported();
    let cwd = dir.path();
    let original = article(&server);
    edit_file(cwd, ARTICLE, "Enter the new card", "Type the new card");
    edit_remotely(&server, "You can pay by card", "You can pay by credit card");
    let colleague = article(&server);

    let conflict = cli::run(&server, cwd, &["push"]);
    let out = assert_code(&conflict, 3);
    assert!(
        out.contains(&format!(
            "{ARTICLE}: conflict [body] (en): edited in Intercom on 2026-12-07 12:46 UTC, after this \
             file's export of 2024-05-06 12:53 UTC; nothing was overwritten: run `helpcenter \
             pull && helpcenter merge` to bring Intercom's edit into the tree, then push again \
             (or --force to overwrite it)"
        )),
        "{out}"
    );
    assert_eq!(server.writes(), Vec::<String>::new());

    // A re-export would discard the local edit: it points to merge instead.
    let export = cli::run(&server, cwd, &["build", "--format", "markdown"]);
    let err = String::from_utf8_lossy(&export.stderr).into_owned();
    assert_eq!(export.status.code(), Some(2), "{err}");
    assert!(
        err.contains("run `helpcenter pull && helpcenter merge`"),
        "{err}"
    );

    assert_code(&cli::run(&server, cwd, &["pull", "--quiet"]), 0);
    let dry = assert_code(&cli::run(&server, cwd, &["merge", "--dry-run"]), 0);
    assert!(
        dry.starts_with(&format!("{ARTICLE}: would merge\n")),
        "{dry}"
    );
    assert!(dry.contains("\n    -You can pay by card"), "{dry}");
    assert!(dry.contains("\n    +You can pay by credit card"), "{dry}");
    let merged = assert_code(&cli::run(&server, cwd, &["merge"]), 0);
    assert!(
        merged.starts_with(&format!("{ARTICLE}: merged\n")),
        "{merged}"
    );
    assert!(
        merged.contains("1 merged, 0 conflicts, 0 added, 0 removed, 0 moved"),
        "{merged}"
    );
    let text = fs::read_to_string(cwd.join("content").join(ARTICLE)).unwrap();
    assert!(text.contains("You can pay by credit card"), "{text}");
    assert!(text.contains("Type the new card"), "{text}");

    let pushed = assert_code(&cli::run(&server, cwd, &["push"]), 0);
    assert!(
        pushed.starts_with(&format!("{ARTICLE}: updated [body]")),
        "{pushed}"
    );
    assert_eq!(server.writes(), vec!["PUT /articles/111"]);
    // Intercom's body is the colleague's, with the writer's edit in its list and nothing else.
    let now = article(&server);
    let en = |a: &Value, key: &str| a["translated_content"]["en"][key].clone();
    let expected_body = (en(&colleague, "body").as_str().unwrap()).replacen(
        "Enter the new card",
        "Type the new card",
        1,
    );
    assert_eq!(en(&now, "body"), expected_body.as_str());
    for key in ["title", "description", "author_id", "state"] {
        assert_eq!(en(&now, key), en(&original, key), "{key}");
    }
    for locale in ["fr", "de", "ar", "ja"] {
        let other = |a: &Value| a["translated_content"][locale].clone();
        assert_eq!(other(&now), other(&original), "{locale}");
    }
    // Nothing is left to push.
    let again = assert_code(&cli::run(&server, cwd, &["push"]), 0);
    assert!(again.starts_with("pushed 0 files"), "{again}");
}

#[test]
fn a_conflict_is_shown_refused_resolved_and_pushed() {
    let (server, dir) = cli::pulled_and_exported();
    let cwd = dir.path();
    edit_file(
        cwd,
        ARTICLE,
        "You can pay by card",
        "You can pay by debit card",
    );
    edit_remotely(&server, "You can pay by card", "You can pay by credit card");
    assert_code(&cli::run(&server, cwd, &["pull", "--quiet"]), 0);

    let json = cli::run(&server, cwd, &["merge", "--json"]);
    let report: Value = serde_json::from_str(&assert_code(&json, 3)).unwrap();
    assert_eq!(report["command"], "merge");
    assert_eq!(report["exit_code"], 3);
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{report}");
    assert_eq!(files[0]["path"], ARTICLE);
    assert_eq!(files[0]["outcome"], "conflicted");
    let line = files[0]["conflicts"][0]["line"].as_u64().unwrap() as usize;
    let path = cwd.join("content").join(ARTICLE);
    let text = fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[line - 1..line + 4],
        [
            "<<<<<<< local",
            "You can pay by debit card (Visa, Mastercard, American Express) or, on the Business plan, by invoice.",
            "=======",
            "You can pay by credit card (Visa, Mastercard, American Express) or, on the Business plan, by invoice.",
            ">>>>>>> intercom (2026-12-07 12:46 UTC)",
        ]
    );

    // A preview build shows the markers.
    let build = ["build", "--from", "markdown", "--out", "preview", "--quiet"];
    assert_code(&cli::run(&server, cwd, &build), 0);
    let page = fs::read_to_string(
        cwd.join("preview/en/articles/111-update-your-payment-method/index.html"),
    )
    .unwrap();
    assert!(
        page.contains("&lt;&lt;&lt;&lt;&lt;&lt;&lt; local</code>"),
        "{page}"
    );
    assert!(page.contains("&gt;&gt;&gt;&gt;&gt;&gt;&gt; intercom (2026-12-07 12:46 UTC)</code>"));

    // Push refuses it, naming file and line.
    let refused = cli::run(&server, cwd, &["push"]);
    let err = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert_eq!(refused.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&format!(
            "error: content/{ARTICLE}:{line}: unresolved merge conflict\nnothing was pushed"
        )),
        "{err}"
    );
    assert_eq!(server.writes(), Vec::<String>::new());

    // Resolved by combining both sides; the next merge records it, push sends it.
    let resolved = text.replace(
        &lines[line - 1..line + 4].join("\n"),
        "You can pay by credit or debit card (Visa, Mastercard, American Express) or, on the Business plan, by invoice.",
    );
    fs::write(&path, resolved).unwrap();
    let merged = assert_code(&cli::run(&server, cwd, &["merge"]), 0);
    assert!(
        merged.starts_with(&format!("{ARTICLE}: resolved\n")),
        "{merged}"
    );
    assert_code(&cli::run(&server, cwd, &["push"]), 0);
    assert_eq!(server.writes(), vec!["PUT /articles/111"]);
    let body = article(&server)["translated_content"]["en"]["body"].clone();
    assert!(
        body.as_str()
            .unwrap()
            .starts_with("<p class=\"no-margin\">You can pay by credit or debit card (Visa,"),
        "{body}"
    );
}
