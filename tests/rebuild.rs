//! `helpcenter build` of a Markdown tree after a writer's edits: a body edit renders and writes
//! just the pages of the edited files and indexes their search shard again, leaving the site
//! exactly as a full build of the edited tree; any other change is a full build.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use helpcenter::site::{build, BuildOptions, BuildReport, Input};
use support::cli::{assert_code, helpcenter};
use support::snapshots::fixture_snapshot_dir;
use support::{assert_same_files, files_under, search_index};

/// The multilingual fixture exported as a Markdown tree (`<dir>/content`).
struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn exported() -> Tree {
        let dir = fixture_snapshot_dir("multilingual");
        let output = helpcenter(dir.path())
            .args(["build", "--format", "markdown", "--snapshot", "snapshot"])
            .output()
            .unwrap();
        assert_code(&output, 0);
        Tree { dir }
    }

    fn content(&self) -> PathBuf {
        self.dir.path().join("content")
    }

    /// A build of the tree into `<dir>/<out>`, with small search shards so each locale has
    /// several.
    fn options(&self, out: &str) -> BuildOptions {
        BuildOptions {
            input: Input::Markdown(self.content()),
            out: self.dir.path().join(out),
            search_shard_budget: Some(2_000),
            ..BuildOptions::default()
        }
    }

    fn build(&self, out: &str) -> BuildReport {
        build(&self.options(out)).unwrap()
    }

    fn site(&self, out: &str) -> PathBuf {
        self.dir.path().join(out)
    }

    /// Asserts that `<dir>/site` is byte for byte what a full build of the tree writes into
    /// `<dir>/full` (which holds what `site` held before the edit, or nothing).
    fn assert_site_is_a_full_build(&self, what: &str) {
        let full = self.build("full");
        assert!(full.cache_misses > 2, "a full build");
        assert_same_files(
            what,
            &files_under(&self.site("site")),
            &files_under(&self.site("full")),
        );
    }

    /// The English article file that holds `text` in its front matter or body.
    fn article_with(&self, text: &str) -> PathBuf {
        let files = walkdir::WalkDir::new(self.content().join("en")).sort_by_file_name();
        (files.into_iter())
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
            .find(|p| fs::read_to_string(p).unwrap().contains(text))
            .unwrap_or_else(|| panic!("no English article holds {text:?}"))
    }
}

/// Appends `text` to a file (a body edit: the front matter comes first).
fn append(file: &Path, text: &str) {
    let mut bytes = fs::read(file).unwrap();
    bytes.extend_from_slice(text.as_bytes());
    fs::write(file, bytes).unwrap();
}

/// The files of `site` that differ between `before` and now, or are only in one of them.
fn changed(before: &BTreeMap<String, Vec<u8>>, site: &Path) -> Vec<String> {
    let after = files_under(site);
    let mut names: Vec<String> = (before.keys().chain(after.keys()))
        .filter(|name| before.get(*name) != after.get(*name))
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn a_body_edit_rebuilds_its_page_and_search_shard_as_a_full_build_would() {
    let tree = Tree::exported();
    let first = tree.build("site");
    assert!(first.cache_misses > 0);
    let site = tree.site("site");
    let before = files_under(&site);
    let shards_before = search_index::shards(&site, "en");
    assert!(shards_before.len() > 1, "{shards_before:?}");
    // Each shard's records are saved, and nothing else.
    let expected: Vec<String> = (["ar", "de", "en", "fr", "ja"].iter())
        .flat_map(|locale| {
            let shards = search_index::shards(&site, locale);
            (shards.into_iter()).map(move |s| format!("{locale}.{}.json", s.trim_end_matches('/')))
        })
        .collect();
    let records = tree
        .dir
        .path()
        .join(".site.helpcenter-cache.search-records");
    fs::write(records.join("xx.9.json"), "left by an older build").unwrap();
    // A collection file touched: a full build, which finds nothing to write.
    let collection = tree.content().join("en/_index.md");
    fs::write(&collection, fs::read(&collection).unwrap()).unwrap();
    let full = tree.build("site");
    assert!(full.cache_hits > 0 && full.files_written == 0, "{full:?}");
    let mut saved: Vec<String> = (fs::read_dir(&records).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    saved.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(saved, expected);

    let file = tree.article_with("Sync your notes across devices");
    append(&file, "\n\nA brand new paragraph about zeppelins.\n");
    let report = tree.build("site");

    // Nothing came from the body cache (no page but the edited one was rendered), one English
    // shard was indexed again, and every other file is as it was.
    assert_eq!((report.cache_hits, report.cache_misses), (0, 1));
    let search = report.search.as_ref().unwrap();
    assert_eq!(
        search.shards_indexed.len(),
        1,
        "{:?}",
        search.shards_indexed
    );
    let shard = search.shards_indexed[0].clone();
    assert!(shard.starts_with("en/"), "{shard}");
    assert_eq!(search.shards_unchanged, search.shards - 1);
    let page = "en/articles/103-sync-your-notes-across-devices/";
    let shard_folder = format!("pagefind/{shard}/");
    let changed = changed(&before, &site);
    let outside_shard: Vec<&String> = (changed.iter())
        .filter(|f| !f.starts_with(&shard_folder))
        .collect();
    // The build manifest lists the shard's new files.
    assert_eq!(
        outside_shard,
        [
            ".helpcenter-build.json",
            &format!("{page}index.html"),
            &format!("{page}index.md")
        ]
    );
    assert_eq!(report.files_written, report_written(&before, &site));
    assert_eq!(report.pages, first.pages);
    assert_eq!(
        report.files_written + report.files_unchanged,
        files_under(&site).len() - 1,
        "every file but the build manifest is counted"
    );

    // The page and the search index have the new text.
    let html = fs::read_to_string(site.join(page).join("index.html")).unwrap();
    assert!(html.contains(">A brand new paragraph about zeppelins.</p>"));
    let record = (search_index::records(&site, "en").into_iter())
        .find(|r| r["url"] == format!("/{page}"))
        .expect("the page's search record");
    assert!(
        record["content"].as_str().unwrap().contains("zeppelins"),
        "{record}"
    );

    // The site is byte for byte what a full build of the edited tree writes.
    tree.assert_site_is_a_full_build("rebuilt after the edit");

    // And then nothing changed.
    let again = tree.build("site");
    assert_eq!((again.files_written, again.cache_hits), (0, 0));
    assert_eq!(
        again.files_unchanged,
        report.files_written + report.files_unchanged
    );
}

/// The files of `changed` that are not the search index's.
fn outside_search(changed: &[String]) -> Vec<&str> {
    (changed.iter())
        .filter(|f| !f.starts_with("pagefind/"))
        .map(String::as_str)
        .collect()
}

/// How many files of `site` are new or changed since `before`.
fn report_written(before: &BTreeMap<String, Vec<u8>>, site: &Path) -> usize {
    let after = files_under(site);
    (after.iter())
        .filter(|(name, bytes)| {
            *name != ".helpcenter-build.json" && before.get(*name) != Some(*bytes)
        })
        .count()
}

/// Retitles the English "Sync your notes across devices" (article 103, which others link
/// to) "Sync your notes everywhere"; returns its file.
fn retitle_sync(tree: &Tree) -> PathBuf {
    let file = tree.article_with("Sync your notes across devices");
    let text = fs::read_to_string(&file).unwrap();
    let retitled = text.replacen(
        "title: \"Sync your notes across devices\"",
        "title: \"Sync your notes everywhere\"",
        1,
    );
    assert_ne!(retitled, text, "the front matter holds the title");
    fs::write(&file, retitled).unwrap();
    file
}

/// Copies the folder `from` to `to`.
fn copy_folder(from: &Path, to: &Path) {
    for (name, bytes) in files_under(from) {
        let path = to.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
}

#[test]
fn a_new_title_rebuilds_the_pages_that_show_or_link_to_the_article_as_a_full_build_would() {
    let tree = Tree::exported();
    tree.build("site");
    let site = tree.site("site");
    // The same site, to be built in full from the edited tree: same page history.
    copy_folder(&site, &tree.site("full"));
    let before = files_under(&site);
    let file = retitle_sync(&tree);
    let report = tree.build("site");

    // The body cache was not read: only the pages below were rendered.
    assert_eq!(report.cache_hits, 0, "{report:?}");
    let changed = changed(&before, &site);
    let outside_search = outside_search(&changed);
    let pages = |folder: &str, files: &[&str]| -> Vec<String> {
        files.iter().map(|f| format!("{folder}/{f}")).collect()
    };
    let both = ["index.html", "index.md"];
    let expected: Vec<String> = [
        vec![
            ".helpcenter-build.json".to_string(),
            "_redirects".to_string(),
        ],
        // Its translations' pages: their language links.
        pages("ar/articles/103-مزامنة-ملاحظاتك-بين-الأجهزة", &["index.html"]),
        pages(
            "de/articles/103-notizen-geräteübergreifend-synchronisieren",
            &["index.html"],
        ),
        // Its neighbours in the collection, which also link to it in their bodies.
        pages("en/articles/101-getting-started-with-acme-notes", &both),
        pages(
            "en/articles/102-install-acme-notes-on-macos-windows-and-linux",
            &both,
        ),
        // The old page is a redirect now, its Markdown gone; the new page.
        pages("en/articles/103-sync-your-notes-across-devices", &both),
        pages("en/articles/103-sync-your-notes-everywhere", &both),
        pages("en/articles/103", &["index.html"]),
        pages("en/collections/204-install-and-sync", &["index.html"]),
        vec!["en/feed.xml".to_string()],
        pages(
            "fr/articles/103-synchroniser-vos-notes-sur-tous-vos-appareils",
            &["index.html"],
        ),
        pages(
            "ja/articles/103-デバイス間でノートを同期する",
            &["index.html"],
        ),
        vec!["llms.txt".to_string()],
    ]
    .concat();
    assert_eq!(outside_search, expected, "{changed:#?}");
    assert!(!site
        .join("en/articles/103-sync-your-notes-across-devices/index.md")
        .exists());
    let search = report.search.as_ref().unwrap();
    assert_eq!(search.shards_indexed.len(), 1, "{search:?}");
    assert!(changed
        .iter()
        .any(|f| f.starts_with(&format!("pagefind/{}/", search.shards_indexed[0]))));
    assert_eq!(report.files_written, report_written(&before, &site));
    assert_eq!(
        report.files_written + report.files_unchanged,
        files_under(&site).len() - 1,
        "every file but the build manifest is counted"
    );
    assert_eq!(
        report.warnings,
        [format!(
            "{} (en): its title changed, so its page moved from \
             /en/articles/103-sync-your-notes-across-devices/ to \
             /en/articles/103-sync-your-notes-everywhere/; the old URL redirects to the new one",
            file.display()
        )]
    );

    // The site is byte for byte what a full build of the edited tree writes, manifest and
    // page history included.
    tree.assert_site_is_a_full_build("rebuilt after the new title");

    // And then nothing changed.
    let again = tree.build("site");
    assert_eq!((again.files_written, again.cache_hits), (0, 0));
}

#[test]
fn a_new_description_rebuilds_the_pages_that_show_it_and_moves_nothing() {
    let tree = Tree::exported();
    tree.build("site");
    let site = tree.site("site");
    copy_folder(&site, &tree.site("full"));
    let before = files_under(&site);
    let file = tree.article_with("Sync your notes across devices");
    let text = fs::read_to_string(&file).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("description:"))
        .unwrap();
    let described = text.replacen(line, "description: \"Keep every device up to date.\"", 1);
    fs::write(&file, described).unwrap();
    let report = tree.build("site");

    assert_eq!(report.cache_hits, 0, "{report:?}");
    let changed = changed(&before, &site);
    let outside_search = outside_search(&changed);
    // Its page and the lists that show descriptions; navigation shows titles only.
    assert_eq!(
        outside_search,
        [
            ".helpcenter-build.json",
            "en/articles/103-sync-your-notes-across-devices/index.html",
            "en/articles/103-sync-your-notes-across-devices/index.md",
            "en/collections/204-install-and-sync/index.html",
            "en/feed.xml",
            "llms.txt"
        ],
        "{changed:#?}"
    );
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    tree.assert_site_is_a_full_build("rebuilt after the new description");
}

#[test]
fn an_old_url_written_into_the_front_matter_gets_its_redirect_as_in_a_full_build() {
    let tree = Tree::exported();
    tree.build("site");
    copy_folder(&tree.site("site"), &tree.site("full"));
    let file = tree.article_with("Sync your notes across devices");
    let text = fs::read_to_string(&file).unwrap();
    let line = text.lines().find(|l| l.starts_with("url:")).unwrap();
    let old_url = "/en/articles/103-sync-between-devices/";
    fs::write(
        &file,
        text.replacen(line, &format!("url: \"{old_url}\""), 1),
    )
    .unwrap();
    let report = tree.build("site");

    assert_eq!(report.cache_hits, 0, "{report:?}");
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(report.warnings[0].contains(&format!("`url:` says {old_url}")));
    let stub = tree
        .site("site")
        .join("en/articles/103-sync-between-devices/index.html");
    assert!(fs::read_to_string(stub)
        .unwrap()
        .contains("103-sync-your-notes-across-devices"));
    tree.assert_site_is_a_full_build("rebuilt after the new url:");
}

#[test]
fn a_missing_record_is_a_full_build() {
    let tree = Tree::exported();
    tree.build("site");
    let file = retitle_sync(&tree);
    let report = tree.build("site");
    assert_eq!(report.cache_hits, 0, "pages rendered without the cache");

    // Without the content the last build saved, a body edit is a full build.
    let saved: Vec<PathBuf> = fs::read_dir(tree.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".helpcenter-cache.content"))
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    fs::remove_file(&saved[0]).unwrap();
    append(&file, "\n\nMore about zeppelins.\n");
    let report = tree.build("site");
    assert!(report.cache_hits > 0, "a full build renders from the cache");
    let html = fs::read_to_string(
        (tree.site("site")).join("en/articles/103-sync-your-notes-everywhere/index.html"),
    )
    .unwrap();
    assert!(html.contains(">More about zeppelins.</p>"), "{html}");
}

#[test]
fn a_broken_front_matter_fails_the_build_with_its_file_and_line() {
    let tree = Tree::exported();
    tree.build("site");
    let file = tree.article_with("Sync your notes across devices");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, text.replacen("title: ", "title: [broken\n", 1)).unwrap();
    let error = build(&tree.options("site")).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!(
            "{}:4:12: invalid YAML: illegal placement of ':' indicator",
            file.display()
        )),
        "{error}"
    );
}
