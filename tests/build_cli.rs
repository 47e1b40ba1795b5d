//! `helpcenter build` as users run it: the demo snapshot into a site and into a Markdown tree,
//! and the tree back into the same site.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

mod support;

use support::cli::{self, assert_code};

fn helpcenter(args: &[&str], dir: &Path) -> Output {
    cli::helpcenter(dir).args(args).output().unwrap()
}

#[track_caller]
fn assert_ok(output: &Output) -> String {
    assert_code(output, 0)
}

fn demo() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/demo")
        .display()
        .to_string()
}

fn files(root: &Path) -> BTreeSet<PathBuf> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(root).unwrap().to_path_buf())
        .collect()
}

#[test]
fn demo_builds_into_a_site_and_a_tree_that_builds_the_same_pages() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo();
    let line = assert_ok(&helpcenter(
        &["build", "--snapshot", &demo, "--quiet"],
        dir.path(),
    ));
    assert_eq!(line, "");
    let from_snapshot = files(&dir.path().join("site"));
    assert!(from_snapshot.contains(Path::new("index.html")));
    assert!(from_snapshot.contains(Path::new(
        "en/articles/101-getting-started-with-acme-notes/index.html"
    )));

    let export = assert_ok(&helpcenter(
        &["build", "--snapshot", &demo, "--format", "markdown"],
        dir.path(),
    ));
    assert!(export.starts_with("wrote 47 articles, "), "{export}");
    assert!(dir.path().join("content/en/_index.md").is_file());

    let preview = assert_ok(&helpcenter(
        &["build", "--from", "markdown", "--out", "preview", "--json"],
        dir.path(),
    ));
    let report: serde_json::Value = serde_json::from_str(preview.trim()).unwrap();
    assert_eq!(report["article_pages"], 45);
    assert_eq!(files(&dir.path().join("preview")), from_snapshot);
    // Pages without article bodies come out byte for byte the same.
    for page in [
        "index.html",
        "en/index.html",
        "fr/collections/202-écrire-et-organiser/index.html",
    ] {
        let a = std::fs::read(dir.path().join("site").join(page));
        let b = std::fs::read(dir.path().join("preview").join(page));
        if let (Ok(a), Ok(b)) = (a, b) {
            assert!(a == b, "{page} differs");
        }
    }
}

#[test]
fn exporting_a_tree_onto_itself_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = helpcenter(
        &["build", "--from", "markdown", "--format", "markdown"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: --from markdown --format markdown would export content onto itself; \
         use --from snapshot to export a snapshot\n"
    );
}

#[test]
fn a_missing_snapshot_says_what_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let output = helpcenter(&["build"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains(
            "snapshot is not a snapshot: it has no manifest.json (run `helpcenter pull` first)"
        ),
        "{err}"
    );
}

#[test]
fn relative_paths_with_dot_dot_are_resolved_before_the_overlap_check() {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(Path::new(&demo()), &dir.path().join("demo"));
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    let line = assert_ok(&helpcenter(
        &["build", "--snapshot", "../demo", "--out", "."],
        &site,
    ));
    assert!(line.starts_with("built "), "{line}");
    assert!(site.join("index.html").is_file());

    // Paths that really overlap are still refused, however they are spelled.
    let output = helpcenter(
        &[
            "build",
            "--snapshot",
            "../demo",
            "--out",
            "../site/../demo/out",
        ],
        &site,
    );
    assert_code(&output, 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("must not contain each other"), "{stderr}");
}

#[test]
fn retitling_an_article_in_the_tree_keeps_its_old_url_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo();
    assert_ok(&helpcenter(
        &[
            "build",
            "--snapshot",
            &demo,
            "--format",
            "markdown",
            "--quiet",
        ],
        dir.path(),
    ));
    let file = dir
        .path()
        .join("content/en/getting-started/install-and-sync/103-sync-your-notes-across-devices.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let retitled = text.replace(
        "title: \"Sync your notes across devices\"",
        "title: \"Keep your notes in sync\"",
    );
    assert_ne!(text, retitled);
    std::fs::write(&file, retitled).unwrap();
    let output = helpcenter(&["build", "--from", "markdown", "--json"], dir.path());
    let stdout = assert_ok(&output);
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    let moved =
        "content/en/getting-started/install-and-sync/103-sync-your-notes-across-devices.md (en): \
         `url:` says /en/articles/103-sync-your-notes-across-devices/, but the title now \
         puts the page at /en/articles/103-keep-your-notes-in-sync/; the old URL redirects to the \
         new one (the next export updates `url:`)";
    assert!(warnings.contains(&moved), "{warnings:#?}");
    let site = dir.path().join("site");
    let old = std::fs::read_to_string(
        site.join("en/articles/103-sync-your-notes-across-devices/index.html"),
    )
    .unwrap();
    assert!(
        old.contains("url=../../../en/articles/103-keep-your-notes-in-sync/"),
        "{old}"
    );
    assert!(site
        .join("en/articles/103-keep-your-notes-in-sync/index.html")
        .is_file());
    let rules = std::fs::read_to_string(site.join("_redirects")).unwrap();
    assert!(rules.contains(
        "\n/en/articles/103-sync-your-notes-across-devices /en/articles/103-keep-your-notes-in-sync/ 301\n"
    ), "{rules}");
}

#[test]
fn branding_comes_from_helpcenter_toml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("helpcenter.toml"),
        format!(
            "snapshot = \"{}\"\nsite_name = \"Acme Help\"\nlogo = \"logo.svg\"\n\
             accent_color = \"#0b6e4f\"\nfooter_text = \"© 2026 Acme Inc.\"\n\
             header_link = [\"Back to Acme, Inc.=https://acme.example\", \"Status=https://status.acme.example\"]\n",
            demo()
        ),
    )
    .unwrap();
    assert_ok(&helpcenter(&["build", "--quiet"], dir.path()));
    let site = dir.path().join("site");
    let page = std::fs::read_to_string(
        site.join("en/articles/103-sync-your-notes-across-devices/index.html"),
    )
    .unwrap();
    assert!(
        page.contains("<title>Sync your notes across devices · Acme Help</title>"),
        "{page}"
    );
    assert!(
        page.contains("<img class=\"site-logo\" src=\"../../../static/logo.svg?v="),
        "{page}"
    );
    assert!(page.contains("<li><a href=\"https://acme.example\">Back to Acme, Inc.</a></li>\n<li><a href=\"https://status.acme.example\">Status</a></li>"), "{page}");
    assert!(page.contains("<p>© 2026 Acme Inc.</p>"), "{page}");
    let css = std::fs::read_to_string(site.join("static/style.css")).unwrap();
    assert!(css.contains("--accent: #0b6e4f;"), "{css}");
    assert!(site.join("static/logo.svg").is_file());

    // A bad value is refused naming the file and key, before anything is built.
    std::fs::write(
        dir.path().join("bad.toml"),
        "header_link = [\"no url here\"]\n",
    )
    .unwrap();
    let output = helpcenter(
        &["build", "--config", "bad.toml", "--out", "other"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: bad.toml: `header_link`: "),
        "{stderr}"
    );
    assert!(!dir.path().join("other").exists());
}
