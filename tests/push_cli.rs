//! `helpcenter push` as CI runs it: pull, export, edit, dry-run, push, and a conflict's exit code.

mod support;

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use support::fake_intercom::FakeIntercom;
use support::workspace::Workspace;

fn helpcenter(server: &FakeIntercom, dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("helpcenter")
        .unwrap()
        .current_dir(dir)
        .env("INTERCOM_TOKEN", FakeIntercom::TOKEN)
        .env("HELPCENTER_API_BASE", server.base_url())
        .env_remove("HELPCENTER_LOG")
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[track_caller]
fn assert_code(output: &Output, code: i32) -> String {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

fn writes(server: &FakeIntercom) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

const ARTICLE: &str = "content/en/account-and-billing/111-update-your-payment-method.md";

#[test]
fn edit_dry_run_push_and_conflict() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    assert_code(&helpcenter(&server, cwd, &["pull", "--quiet"]), 0);
    assert_code(
        &helpcenter(&server, cwd, &["build", "--format", "markdown", "--quiet"]),
        0,
    );

    let unchanged = assert_code(&helpcenter(&server, cwd, &["push"]), 0);
    assert!(
        unchanged.starts_with("pushed 0 files (0 created), "),
        "{unchanged}"
    );
    assert_eq!(writes(&server), Vec::<String>::new());

    let path = cwd.join(ARTICLE);
    let original = std::fs::read_to_string(&path).unwrap();
    let edited = original.replacen("Enter the new card", "Type the new card", 1);
    assert_ne!(original, edited, "the fixture text changed");
    std::fs::write(&path, &edited).unwrap();

    let dry = assert_code(&helpcenter(&server, cwd, &["push", "--dry-run"]), 0);
    assert!(
        dry.contains(
            "en/account-and-billing/111-update-your-payment-method.md: would update [body]"
        ),
        "{dry}"
    );
    assert!(dry.contains("+3. Type the new card"), "{dry}");
    assert_eq!(writes(&server), Vec::<String>::new());

    let pushed = assert_code(&helpcenter(&server, cwd, &["push"]), 0);
    assert!(
        pushed.starts_with(
            "en/account-and-billing/111-update-your-payment-method.md: updated [body]"
        ),
        "{pushed}"
    );
    assert_eq!(writes(&server), vec!["PUT /articles/111"]);
    let workspace = server.workspace();
    let remote = &workspace.article("111").unwrap()["translated_content"]["en"]["body"];
    assert!(remote.as_str().unwrap().contains("Type the new card"));

    // A colleague edits the French version in Intercom; the writer edits it here too.
    server.update_workspace(|ws| {
        let fr = &mut ws.article_mut("111").unwrap()["translated_content"]["fr"];
        fr["title"] = "Modifier votre moyen de paiement".into();
        fr["updated_at"] = 1_900_000_000.into();
    });
    let fr_path = cwd.join("content/fr");
    let fr_file = walkdir::WalkDir::new(&fr_path)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("111-"))
        .unwrap();
    let fr_text = std::fs::read_to_string(&fr_file).unwrap();
    std::fs::write(
        &fr_file,
        fr_text.replacen("description: \"", "description: \"Nouveau. ", 1),
    )
    .unwrap();
    let before = writes(&server).len();
    let conflict = helpcenter(&server, cwd, &["push"]);
    let out = assert_code(&conflict, 3);
    assert!(out.contains(": conflict"), "{out}");
    assert_eq!(writes(&server).len(), before, "a conflict must not write");
    let workspace = server.workspace();
    let title = &workspace.article("111").unwrap()["translated_content"]["fr"]["title"];
    assert_eq!(title, "Modifier votre moyen de paiement");
}
