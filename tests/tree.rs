//! The Markdown tree: export a workspace, load it back, and get the same model and site;
//! every validation error of the loader, with its exact message; the exported format itself
//! (`tests/cases/tree/`); atomic re-export over a tree with and without local edits.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use helpcenter::markdown::normalize_html;
use helpcenter::model::{self, GroupKind, LoadOptions, State, Workspace};
use helpcenter::site::{self, BuildOptions, Input};
use helpcenter::snapshot::{ObjectKind, Snapshot, SnapshotWriter};
use helpcenter::tree::{self, ExportOptions, ExportReport};
use serde_json::{json, Value};

mod support;

use support::files_under;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/workspaces")
        .join(name)
}

/// Writes the raw API objects of a fixture folder into a snapshot at `target`.
fn snapshot_from(fixture: &Path, target: &Path) {
    support::snapshots::snapshot_from_fixture(fixture, target);
}

/// The workspace of a fixture, through a real snapshot.
fn workspace_of(name: &str, scratch: &Path) -> Workspace {
    let snapshot = scratch.join(format!("snapshot-{name}"));
    snapshot_from(&fixture(name), &snapshot);
    load(&snapshot)
}

fn load(snapshot: &Path) -> Workspace {
    let snapshot = Snapshot::open(snapshot).unwrap();
    model::load_snapshot(&snapshot, &LoadOptions::default()).unwrap()
}

fn export(ws: &Workspace, content: &Path) -> ExportReport {
    let options = ExportOptions {
        content: content.to_path_buf(),
        force: false,
    };
    tree::export(ws, &options).unwrap()
}

fn text(content: &Path, rel: &str) -> String {
    fs::read_to_string(content.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Expected trees: `tests/cases/tree/<case>/input/` holds raw API objects (as a snapshot does),
// `expected/` the exact tree an export writes; the expected tree must also load back to the
// input's workspace. `UPDATE_EXPECTED=1 cargo test --test tree` rewrites `expected/`.

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/tree");
    let mut cases: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("input").is_dir())
        .collect();
    cases.sort();
    cases
}

#[test]
fn exports_match_the_expected_trees() {
    let cases = cases();
    assert!(!cases.is_empty());
    for case in cases {
        let scratch = tempfile::tempdir().unwrap();
        let snapshot = scratch.path().join("snapshot");
        snapshot_from(&case.join("input"), &snapshot);
        let ws = load(&snapshot);
        let content = scratch.path().join("content");
        export(&ws, &content);
        let expected_dir = case.join("expected");
        if std::env::var_os("UPDATE_EXPECTED").is_some() {
            let _ = fs::remove_dir_all(&expected_dir);
            support::copy_dir(&content, &expected_dir);
            let _ = fs::remove_dir_all(expected_dir.join(".helpcenter/base"));
        }
        // The base texts are the files' own bytes (see the_base_record_lists_every_file_...).
        let mut actual = files_under(&content);
        actual.retain(|path, _| !path.starts_with(".helpcenter/base/"));
        let expected = files_under(&expected_dir);
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        support::assert_same_files(&name, &actual, &expected);
        let back = tree::load(&expected_dir).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(differences(&ws, &back), Vec::<String>::new(), "{name}");
    }
}

/// `TREE_DUMP=dir cargo test --test tree dump` keeps an export of the demo for a look.
#[test]
fn dump() {
    let Some(target) = std::env::var_os("TREE_DUMP") else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let ws = workspace_of("multilingual", scratch.path());
    let options = ExportOptions {
        content: PathBuf::from(target),
        force: true,
    };
    let report = tree::export(&ws, &options).unwrap();
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
    match tree::load(&options.content) {
        Ok(back) => println!("loaded back; warnings: {:?}", back.warnings),
        Err(e) => println!("load failed:\n{e}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Export, load back, compare.

/// An unedited tree gives every body back byte for byte: each block is the HTML it came from.
fn same_body(snapshot_body: &str, tree_body: &str) -> bool {
    snapshot_body == tree_body
}

/// Compares two workspaces field by field, except `source` paths and `warnings` (they name
/// files), with bodies compared as [`same_body`]; returns every difference.
fn differences(a: &Workspace, b: &Workspace) -> Vec<String> {
    let mut diffs = Vec::new();
    let mut check = |what: String, same: bool| {
        if !same {
            diffs.push(what);
        }
    };
    check(
        "default_locale".into(),
        a.default_locale == b.default_locale,
    );
    check("locales".into(), a.locales == b.locales);
    check(
        "help center count".into(),
        a.help_centers.len() == b.help_centers.len(),
    );
    for (x, y) in a.help_centers.iter().zip(&b.help_centers) {
        let same = x.id == y.id
            && x.identifier == y.identifier
            && x.display_name == y.display_name
            && x.url == y.url
            && x.custom_domain == y.custom_domain
            && x.default_locale == y.default_locale
            && x.locales == y.locales
            && x.groups == y.groups;
        check(format!("help center {}: {x:?} vs {y:?}", x.id), same);
    }
    check("group count".into(), a.groups.len() == b.groups.len());
    for (x, y) in a.groups.iter().zip(&b.groups) {
        let same = x.id == y.id
            && x.kind == y.kind
            && x.parent == y.parent
            && x.help_center == y.help_center
            && x.order == y.order
            && x.icon == y.icon
            && x.created_at == y.created_at
            && x.updated_at == y.updated_at
            && x.content == y.content
            && x.children == y.children
            && x.articles == y.articles;
        check(format!("group {}: {x:?} vs {y:?}", x.id), same);
    }
    check("article count".into(), a.articles.len() == b.articles.len());
    for (x, y) in a.articles.iter().zip(&b.articles) {
        let same = x.id == y.id && x.parent == y.parent && x.order == y.order;
        check(format!("article {}: place or order differ", x.id), same);
        let locales = |m: &BTreeMap<_, _>| m.keys().cloned().collect::<Vec<model::Locale>>();
        check(
            format!("article {}: locales", x.id),
            locales(&x.content) == locales(&y.content),
        );
        for (locale, c) in &x.content {
            let Some(d) = y.content.get(locale) else {
                continue;
            };
            let same = (c.title == d.title)
                && c.description == d.description
                && c.author_id == d.author_id
                && c.state == d.state
                && c.created_at == d.created_at
                && c.updated_at == d.updated_at
                && c.url == d.url
                && c.slug == d.slug;
            check(format!("article {} {locale}: {c:?} vs {d:?}", x.id), same);
            check(
                format!("article {} {locale}: body", x.id),
                same_body(&c.body, &d.body),
            );
        }
    }
    diffs
}

fn round_trip(fixture_name: &str) {
    let scratch = tempfile::tempdir().unwrap();
    let ws = workspace_of(fixture_name, scratch.path());
    let content = scratch.path().join("content");
    let report = export(&ws, &content);
    assert_eq!(report.warnings, Vec::<String>::new());
    let back = tree::load(&content).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.warnings, Vec::<String>::new());
    assert_eq!(differences(&ws, &back), Vec::<String>::new());
}

#[test]
fn an_unedited_export_loads_back_to_the_same_workspace() {
    round_trip("multilingual");
}

#[test]
fn sections_round_trip_too() {
    round_trip("sections-2.9");
}

/// Writes a workspace as the raw API objects the snapshot loader reads, so that the real site
/// build (which reads a snapshot today) can build a tree's workspace. Bodies are the tree's
/// HTML; everything else comes from the model.
fn snapshot_of(ws: &Workspace, target: &Path) {
    let mut writer = SnapshotWriter::create(target).unwrap();
    let default = ws.default_locale.as_str();
    for hc in &ws.help_centers {
        let object = json!({
            "id": hc.id, "identifier": hc.identifier, "display_name": hc.display_name,
            "url": hc.url, "custom_domain": hc.custom_domain,
            "default_locale": hc.default_locale.as_str(),
        });
        write(&mut writer, ObjectKind::HelpCenter, &hc.id, &object);
    }
    for group in &ws.groups {
        let translated: serde_json::Map<String, Value> = (group.content.iter())
            .map(|(l, c)| {
                let content = json!({"name": c.name, "description": c.description});
                (l.to_string(), content)
            })
            .collect();
        let object = json!({
            "id": group.id,
            "parent_id": group.parent.map(|p| ws.group(p).id.clone()),
            "help_center_id": group.help_center.map(|h| ws.help_center(h).id.clone()),
            "order": group.order, "icon": group.icon,
            "created_at": group.created_at, "updated_at": group.updated_at,
            "default_locale": default,
            "url": group.content.get(default).and_then(|c| c.url.clone()),
            "translated_content": translated,
        });
        let kind = match group.kind {
            GroupKind::Collection => ObjectKind::Collection,
            GroupKind::Section => ObjectKind::Section,
        };
        write(&mut writer, kind, &group.id, &object);
    }
    for article in &ws.articles {
        let translated: serde_json::Map<String, Value> = (article.content.iter())
            .map(|(l, c)| {
                let state = if c.state == State::Published {
                    "published"
                } else {
                    "draft"
                };
                let content = json!({
                    "title": c.title, "description": c.description, "body": c.body,
                    "author_id": c.author_id, "state": state, "created_at": c.created_at,
                    "updated_at": c.updated_at, "url": c.url,
                });
                (l.to_string(), content)
            })
            .collect();
        let parent = article.parent.map(|p| ws.group(p));
        let object = json!({
            "id": article.id,
            "parent_id": parent.map(|g| g.id.clone()),
            "parent_type": parent.map(|g| if g.kind == GroupKind::Section { "section" } else { "collection" }),
            "order": article.order,
            "default_locale": default,
            "translated_content": translated,
        });
        write(&mut writer, ObjectKind::Article, &article.id, &object);
    }
    writer.commit(support::snapshots::us_api(), None).unwrap();
}

fn write(writer: &mut SnapshotWriter, kind: ObjectKind, id: &str, object: &Value) {
    let bytes = serde_json::to_vec(object).unwrap();
    writer.write_object(kind, id, &bytes).unwrap();
}

fn build_site(snapshot: &Path, out: &Path) -> BTreeMap<String, Vec<u8>> {
    let options = BuildOptions {
        input: Input::Snapshot(snapshot.to_path_buf()),
        out: out.to_path_buf(),
        base_url: Some("https://docs.example.org/help/".into()),
        drafts: true,
        ..BuildOptions::default()
    };
    site::build(&options).unwrap();
    files_under(out)
}

/// The real site build of the tree's workspace gives the site of the snapshot: the same files,
/// byte for byte.
#[test]
fn the_tree_builds_the_same_site_as_the_snapshot() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let original = dir.join("snapshot-multilingual");
    snapshot_from(&fixture("multilingual"), &original);
    let content = dir.join("content");
    export(&load(&original), &content);
    let from_tree = dir.join("snapshot-from-tree");
    snapshot_of(&tree::load(&content).unwrap(), &from_tree);
    // The shim itself must be faithful, or the comparison below would prove nothing.
    assert_eq!(
        differences(&tree::load(&content).unwrap(), &load(&from_tree))
            .into_iter()
            .filter(|d| !d.ends_with(": body"))
            .collect::<Vec<_>>(),
        Vec::<String>::new()
    );
    let a = build_site(&original, &dir.join("site-a"));
    let b = build_site(&from_tree, &dir.join("site-b"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    let mut only_normalised = Vec::new();
    for (file, bytes) in &a {
        if *bytes == b[file] {
            continue;
        }
        let (x, y) = (
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&b[file]),
        );
        assert_eq!(normalize_html(&x), normalize_html(&y), "{file}");
        only_normalised.push(file.clone());
    }
    // Every body comes back as the HTML it came from, so every page is byte-identical.
    assert_eq!(only_normalised, Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// What an export writes.

/// The front matter of an exported file, as `(key, raw value)` in file order.
fn front_matter(text: &str) -> Vec<(String, String)> {
    let inner = text
        .strip_prefix("---\n")
        .unwrap()
        .split("\n---\n")
        .next()
        .unwrap();
    inner
        .lines()
        .map(|l| {
            let (k, v) = l.split_once(": ").unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn keys(text: &str) -> Vec<String> {
    front_matter(text).into_iter().map(|(k, _)| k).collect()
}

fn value(text: &str, key: &str) -> Option<String> {
    front_matter(text)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

struct Demo {
    scratch: tempfile::TempDir,
    ws: Workspace,
    content: PathBuf,
}

fn demo() -> Demo {
    let scratch = tempfile::tempdir().unwrap();
    let ws = workspace_of("multilingual", scratch.path());
    let content = scratch.path().join("content");
    export(&ws, &content);
    Demo {
        scratch,
        ws,
        content,
    }
}

#[test]
fn two_exports_are_byte_identical() {
    let d = demo();
    let again = d.scratch.path().join("again");
    export(&d.ws, &again);
    assert_eq!(files_under(&d.content), files_under(&again));
}

#[test]
fn files_carry_hugos_keys_in_a_fixed_order() {
    let d = demo();
    let article = text(
        &d.content,
        "en/getting-started/101-getting-started-with-acme-notes.md",
    );
    assert_eq!(
        keys(&article),
        [
            "title",
            "description",
            "id",
            "locale",
            "state",
            "author_id",
            "date",
            "lastmod",
            "translationKey",
            "url",
            "intercom_url"
        ]
    );
    assert_eq!(value(&article, "date").unwrap(), "\"2023-03-28T10:40:00Z\"");
    assert_eq!(
        value(&article, "url").unwrap(),
        "\"/en/articles/101-getting-started-with-acme-notes/\""
    );
    let collection = text(&d.content, "en/getting-started/_index.md");
    assert_eq!(
        keys(&collection),
        [
            "title",
            "description",
            "id",
            "locale",
            "kind",
            "icon",
            "date",
            "lastmod",
            "translationKey",
            "weight",
            "url",
            "intercom_url"
        ]
    );
    assert_eq!(value(&collection, "weight").unwrap(), "0");
    let home = text(&d.content, "fr/_index.md");
    assert_eq!(
        keys(&home),
        [
            "title",
            "id",
            "locale",
            "default_locale",
            "identifier",
            "custom_domain",
            "translationKey",
            "url",
            "intercom_url"
        ]
    );
    assert_eq!(value(&home, "url").unwrap(), "\"/fr/\"");
}

#[test]
fn drafts_say_so_and_published_articles_do_not() {
    let d = demo();
    let draft = text(
        &d.content,
        "fr/compte-et-facturation/110-forfaits-et-tarifs.md",
    );
    assert_eq!(value(&draft, "state").unwrap(), "\"draft\"");
    assert_eq!(value(&draft, "draft").unwrap(), "true");
    let published = text(
        &d.content,
        "en/account-and-billing/110-plans-and-pricing.md",
    );
    assert_eq!(value(&published, "state").unwrap(), "\"published\"");
    assert_eq!(value(&published, "draft"), None);
    let en_only_draft = text(
        &d.content,
        "en/writing-and-organizing/113-offline-mode-beta.md",
    );
    assert_eq!(value(&en_only_draft, "draft").unwrap(), "true");
}

#[test]
fn translations_share_their_translation_key() {
    let d = demo();
    let files = files_under(&d.content);
    let key_of = |suffix: &str| -> Vec<(String, String)> {
        (files.iter())
            .filter(|(path, _)| path.ends_with(".md") && path.contains(suffix))
            .map(|(path, bytes)| {
                let text = String::from_utf8(bytes.clone()).unwrap();
                (path.clone(), value(&text, "translationKey").unwrap())
            })
            .collect()
    };
    let article = key_of("/101-");
    assert_eq!(article.len(), 5, "{article:?}");
    assert!(article.iter().all(|(_, k)| k == "\"101\""), "{article:?}");
    let index_201: Vec<String> = (files.keys())
        .filter(|p| p.ends_with("_index.md") && p.matches('/').count() == 2)
        .filter(|p| {
            let text = String::from_utf8(files[*p].clone()).unwrap();
            value(&text, "id").unwrap() == "\"201\""
        })
        .map(|p| {
            value(
                &String::from_utf8(files[p].clone()).unwrap(),
                "translationKey",
            )
            .unwrap()
        })
        .collect();
    assert_eq!(index_201, vec!["\"collection-201\""; 5]);
}

/// Collection 204 has no Arabic name but holds an Arabic article: its Arabic folder is named
/// after the default locale's slug and marked, and loading it back invents no translation.
#[test]
fn a_group_without_a_name_in_a_locale_gets_a_marked_folder() {
    let d = demo();
    let index = text(&d.content, "ar/البدء/install-and-sync/_index.md");
    assert_eq!(value(&index, "untranslated").unwrap(), "true");
    assert_eq!(value(&index, "url"), None);
    assert_eq!(value(&index, "description"), None);
    let back = tree::load(&d.content).unwrap();
    let group = back.groups.iter().find(|g| g.id == "204").unwrap();
    assert!(!group.content.contains_key("ar"));
}

/// Every article's `url` is where the real site build puts that page.
#[test]
fn article_urls_are_the_site_paths() {
    let d = demo();
    let snapshot = d.scratch.path().join("snapshot-multilingual");
    let site = build_site(&snapshot, &d.scratch.path().join("site"));
    let mut checked = 0;
    for (path, bytes) in files_under(&d.content) {
        if !path.ends_with(".md") || path.ends_with("_index.md") || path.starts_with(".helpcenter/")
        {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        let url: String = serde_json::from_str(&value(&text, "url").unwrap()).unwrap();
        let page = format!("{}index.html", url.trim_start_matches('/'));
        assert!(
            site.contains_key(&page),
            "{path}: {url} is not a page of the site"
        );
        checked += 1;
    }
    assert_eq!(checked, 47);
}

/// A snapshot made of the given raw objects, loaded.
fn workspace_from(objects: &[(ObjectKind, Value)], scratch: &Path) -> Workspace {
    let target = scratch.join("snapshot");
    let mut writer = SnapshotWriter::create(&target).unwrap();
    for (kind, object) in objects {
        let id = object["id"].as_str().unwrap().to_string();
        write(&mut writer, *kind, &id, object);
    }
    writer.commit(support::snapshots::us_api(), None).unwrap();
    load(&target)
}

fn hostile_objects() -> Vec<(ObjectKind, Value)> {
    let group = |id: &str, name: &str, parent: Option<u64>| json!({"id": id, "name": name, "parent_id": parent, "default_locale": "en"});
    let article = |id: &str, title: &str, parent: Option<u64>, kind: &str| {
        json!({"id": id, "title": title, "body": "<p>x</p>", "state": "published",
               "parent_id": parent, "parent_type": kind, "default_locale": "en"})
    };
    vec![
        (
            ObjectKind::HelpCenter,
            json!({"id": "1", "display_name": "../../Help"}),
        ),
        (ObjectKind::Collection, group("10", "../../etc", None)),
        (ObjectKind::Collection, group("11", "Etc", None)),
        (ObjectKind::Collection, group("12", "...", None)),
        (ObjectKind::Collection, group("20", "Dup", Some(10))),
        (ObjectKind::Section, group("20", "Dup", Some(10))),
        (
            ObjectKind::Article,
            article("100", "../../etc/passwd", Some(10), "collection"),
        ),
        (
            ObjectKind::Article,
            article("101", "/", Some(12), "collection"),
        ),
        (
            ObjectKind::Article,
            article("102", "C:\\Windows\\..", None, "collection"),
        ),
        (
            ObjectKind::Article,
            article("103", "In the section", Some(20), "section"),
        ),
        (
            ObjectKind::Article,
            article("104", "In the collection", Some(20), "collection"),
        ),
        (
            ObjectKind::Article,
            article("105", "Other", Some(11), "collection"),
        ),
    ]
}

#[test]
fn hostile_titles_and_colliding_names_stay_inside_and_distinct() {
    let scratch = tempfile::tempdir().unwrap();
    let ws = workspace_from(&hostile_objects(), scratch.path());
    let content = scratch.path().join("content");
    export(&ws, &content);
    let files: Vec<String> = (files_under(&content).into_keys())
        .filter(|f| !f.starts_with(".helpcenter/bodies/") && !f.starts_with(".helpcenter/base/"))
        .collect();
    assert_eq!(
        files,
        [
            ".helpcenter/base.json",
            "en/102-c-windows.md",
            "en/12/101.md",
            "en/12/_index.md",
            "en/_index.md",
            "en/etc-10/100-etc-passwd.md",
            "en/etc-10/_index.md",
            "en/etc-10/dup-collection-20/104-in-the-collection.md",
            "en/etc-10/dup-collection-20/_index.md",
            "en/etc-10/dup-section-20/103-in-the-section.md",
            "en/etc-10/dup-section-20/_index.md",
            "en/etc-11/105-other.md",
            "en/etc-11/_index.md",
        ]
    );
    assert_eq!(siblings(&content), ["content", "snapshot"]);
    let back = tree::load(&content).unwrap();
    assert_eq!(differences(&ws, &back), Vec::<String>::new());
}

/// Groups and articles without any titled translation: a group keeps a folder (in the default
/// locale, marked untranslated) so it is not lost; an article cannot, and is reported.
#[test]
fn objects_without_any_name_are_kept_or_reported() {
    let scratch = tempfile::tempdir().unwrap();
    let objects = vec![
        (
            ObjectKind::HelpCenter,
            json!({"id": "1", "display_name": "Help"}),
        ),
        (
            ObjectKind::Collection,
            json!({"id": "10", "name": "", "default_locale": "en"}),
        ),
        (
            ObjectKind::Article,
            json!({"id": "100", "title": "", "default_locale": "en"}),
        ),
    ];
    let ws = workspace_from(&objects, scratch.path());
    let content = scratch.path().join("content");
    let report = export(&ws, &content);
    assert_eq!(report.warnings.len(), 1);
    assert!(
        report.warnings[0].ends_with("article 100 has no translation with a title; not exported"),
        "{:?}",
        report.warnings
    );
    let index = text(&content, "en/10/_index.md");
    assert_eq!(value(&index, "untranslated").unwrap(), "true");
    let back = tree::load(&content).unwrap();
    assert_eq!(back.groups.len(), 1);
    assert!(back.groups[0].content.is_empty());
    assert!(back.articles.is_empty());
}

#[test]
fn several_help_centers_need_a_choice() {
    let scratch = tempfile::tempdir().unwrap();
    let objects = vec![
        (ObjectKind::HelpCenter, json!({"id": "1"})),
        (ObjectKind::HelpCenter, json!({"id": "2"})),
    ];
    let ws = workspace_from(&objects, scratch.path());
    let options = ExportOptions {
        content: scratch.path().join("content"),
        force: false,
    };
    let err = tree::export(&ws, &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a Markdown tree holds one help center, and this workspace has 2: 1, 2; choose one \
         with --help-center"
    );
    assert!(!options.content.exists());
}

// ---------------------------------------------------------------------------------------------
// Exporting over an existing tree.

fn export_with(
    ws: &Workspace,
    content: &Path,
    force: bool,
) -> helpcenter::error::Result<ExportReport> {
    let options = ExportOptions {
        content: content.to_path_buf(),
        force,
    };
    tree::export(ws, &options)
}

/// What is beside `dir`, but for the lock files the snapshot writer leaves.
fn siblings(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !(n.starts_with(".snapshot") && n.ends_with(".lock")))
        .collect();
    names.sort();
    names
}

#[test]
fn an_unedited_tree_is_replaced_in_place() {
    let d = demo();
    let before = files_under(&d.content);
    let report = export_with(&d.ws, &d.content, false).unwrap();
    assert!(report.replaced);
    assert_eq!(files_under(&d.content), before);
    assert_eq!(siblings(&d.content), ["content", "snapshot-multilingual"]);
}

#[test]
fn local_edits_are_not_overwritten_without_force() {
    let d = demo();
    let edited = "en/getting-started/_index.md";
    fs::write(
        d.content.join(edited),
        "---\ntitle: Mine\nid: \"201\"\n---\n",
    )
    .unwrap();
    fs::remove_file(d.content.join("de/_index.md")).unwrap();
    fs::write(d.content.join("en/new.md"), "new").unwrap();
    let before = files_under(&d.content);
    let err = export_with(&d.ws, &d.content, false).unwrap_err();
    let message = err.to_string();
    let prefix = format!(
        "{} has local changes since it was exported;",
        d.content.display()
    );
    assert!(message.starts_with(&prefix), "{message}");
    assert!(
        message.contains("run `helpcenter pull && helpcenter merge` instead of exporting again"),
        "{message}"
    );
    assert!(message.ends_with(
        "\n  de/_index.md (deleted)\n  en/getting-started/_index.md (modified)\n  en/new.md (added)"
    ), "{message}");
    assert_eq!(err.exit_code(), 2);
    assert_eq!(files_under(&d.content), before);
    assert_eq!(siblings(&d.content), ["content", "snapshot-multilingual"]);

    let report = export_with(&d.ws, &d.content, true).unwrap();
    assert_eq!(report.overwritten.modified, [edited]);
    assert_eq!(report.overwritten.deleted, ["de/_index.md"]);
    assert_eq!(report.overwritten.added, ["en/new.md"]);
    assert!(!d.content.join("en/new.md").exists());
    assert!(text(&d.content, edited).contains("title: \"Getting started\""));
}

#[test]
fn a_folder_this_tool_did_not_write_is_never_replaced() {
    let scratch = tempfile::tempdir().unwrap();
    let ws = workspace_of("sections-2.9", scratch.path());
    let content = scratch.path().join("content");
    fs::create_dir(&content).unwrap();
    fs::write(content.join("notes.md"), "keep me").unwrap();
    for force in [false, true] {
        let err = export_with(&ws, &content, force).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} exists and is not a Markdown tree written by helpcenter (it has no \
                 .helpcenter/base.json); refusing to replace it",
                content.display()
            )
        );
    }
    assert_eq!(
        fs::read_to_string(content.join("notes.md")).unwrap(),
        "keep me"
    );
    assert_eq!(siblings(&content), ["content", "snapshot-sections-2.9"]);

    let empty = scratch.path().join("empty");
    fs::create_dir(&empty).unwrap();
    assert!(!export_with(&ws, &empty, false).unwrap().replaced);
    assert!(empty.join(".helpcenter/base.json").exists());
}

#[test]
fn a_tree_that_is_a_git_repository_is_never_replaced() {
    let d = demo();
    fs::create_dir(d.content.join(".git")).unwrap();
    fs::write(d.content.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    let err = export_with(&d.ws, &d.content, true).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} is a git repository itself (it has a .git); a Markdown tree is replaced as a \
             whole, so export into a folder inside the repository instead",
            d.content.display()
        )
    );
    assert!(d.content.join(".git/HEAD").exists());
}

#[test]
fn the_base_record_lists_every_file_with_its_hash() {
    let d = demo();
    let base = tree::BaseRecord::read(&d.content).unwrap().unwrap();
    let files = files_under(&d.content);
    let bodies = files
        .keys()
        .filter(|f| f.starts_with(".helpcenter/bodies/"))
        .count();
    // One base text per distinct file: the common ancestor `merge` starts from.
    let texts: std::collections::BTreeSet<&str> =
        base.files.values().map(|e| e.sha256.as_str()).collect();
    assert_eq!(base.files.len() + 1 + bodies + texts.len(), files.len());
    for (path, entry) in &base.files {
        let bytes = &files[path];
        assert_eq!(
            &files[&format!(".helpcenter/base/{}.md", entry.sha256)],
            bytes,
            "{path}"
        );
        assert_eq!(
            entry.sha256,
            helpcenter::snapshot::file_entry(bytes).sha256,
            "{path}"
        );
    }
    let entry = &base.files["fr/premiers-pas/101-bien-démarrer-avec-acme-notes.md"];
    assert_eq!(entry.kind, tree::FileKind::Article);
    assert_eq!(entry.id.as_deref(), Some("101"));
    assert_eq!(entry.locale.as_str(), "fr");
    assert_eq!(entry.updated_at, Some(1_716_792_800));
    assert!(base.local_changes(&d.content).unwrap().is_empty());
}

/// Every article file names its body record: the exported Markdown block by block, each block
/// with the exact bytes of the snapshot's body it came from, and the article's dialect.
#[test]
fn body_records_hold_each_body_block_by_block() {
    let d = demo();
    let base = tree::BaseRecord::read(&d.content).unwrap().unwrap();
    let mut named = std::collections::BTreeSet::new();
    for (path, entry) in &base.files {
        if entry.kind != tree::FileKind::Article {
            assert_eq!(entry.body, None, "{path}");
            continue;
        }
        let name = entry
            .body
            .as_deref()
            .unwrap_or_else(|| panic!("{path}: no body"));
        named.insert(name.to_string());
        let record = tree::bodies::read(&d.content, name).unwrap();
        let text = text(&d.content, path);
        let markdown = text.split_once("\n---\n\n").map_or("", |(_, body)| body);
        assert_eq!(record.markdown(), markdown, "{path}");
        let article =
            d.ws.articles
                .iter()
                .find(|a| Some(&a.id) == entry.id.as_ref())
                .unwrap();
        assert_eq!(record.html(), article.content[&entry.locale].body, "{path}");
    }
    let stored: std::collections::BTreeSet<String> = files_under(&d.content)
        .into_keys()
        .filter_map(|f| {
            Some(
                f.strip_prefix(".helpcenter/bodies/")?
                    .strip_suffix(".json")?
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(stored, named);
    let en = &base.files["en/getting-started/101-getting-started-with-acme-notes.md"];
    let record = tree::bodies::read(&d.content, en.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        record.blocks[0].html,
        r#"<p class="no-margin">Welcome to Acme Notes! This guide walks you through creating your account, writing your first note and finding your way around the app. It takes about five minutes.</p>"#
    );
    assert_eq!(
        record.blocks[1].markdown,
        "## Create your account {#h_3f9a1c0b7e}"
    );
    assert_eq!(record.dialect.paragraph_class.as_deref(), Some("no-margin"));
    let size = &record.dialect.image_sizes["https://downloads.intercomcdn.com/i/o/734512098/5e1f0c2d9a8b7c6d5e4f3a2b/signup-form.png"];
    assert_eq!(
        (size.width.as_deref(), size.height.as_deref()),
        (Some("1600"), Some("900"))
    );
}

/// An edited paragraph loads as the exported body with that paragraph's bytes replaced, in the
/// article's markup; a renamed file keeps its base.
#[test]
fn an_edited_file_loads_as_its_body_with_the_edited_block_rendered() {
    let d = demo();
    let rel = "en/getting-started/101-getting-started-with-acme-notes.md";
    let path = d.content.join(rel);
    let original = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        original.replacen("about five minutes", "about *ten* minutes", 1),
    )
    .unwrap();
    let snapshot_body =
        d.ws.articles
            .iter()
            .find(|a| a.id == "101")
            .unwrap()
            .content[&locale("en")]
            .body
            .clone();
    let edited_body = |ws: &Workspace| {
        ws.articles.iter().find(|a| a.id == "101").unwrap().content[&locale("en")]
            .body
            .clone()
    };
    let expected = snapshot_body.replacen("about five minutes", "about <i>ten</i> minutes", 1);
    assert_ne!(expected, snapshot_body);
    assert_eq!(edited_body(&tree::load(&d.content).unwrap()), expected);
    let moved = d.content.join("en/getting-started/101-renamed.md");
    fs::rename(&path, &moved).unwrap();
    assert_eq!(edited_body(&tree::load(&d.content).unwrap()), expected);
}

fn locale(code: &str) -> model::Locale {
    model::Locale::parse(code).unwrap()
}

/// A local image the tree does not know is refused on load, naming the file and the line.
#[test]
fn an_unknown_local_image_is_refused_at_its_line() {
    let d = demo();
    let rel = "en/getting-started/101-getting-started-with-acme-notes.md";
    let path = d.content.join(rel);
    let original = fs::read_to_string(&path).unwrap();
    fs::write(d.content.join("en/getting-started/new.png"), b"png").unwrap();
    let edited = original.replacen(
        "## Next steps",
        "![A new screenshot](new.png)\n\n## Next steps",
        1,
    );
    fs::write(&path, &edited).unwrap();
    let line = edited.lines().position(|l| l.contains("new.png")).unwrap() + 1;
    let err = tree::load(&d.content).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "{}:{line}: new.png is a local file that Intercom does not have (it is not in \
             .helpcenter/assets.json); the API cannot upload files: upload it in Intercom's \
             editor and use its URL",
            path.display()
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Loading a tree written or edited by hand, and every problem it can have.

/// A small valid tree written by hand; tests change files and look at what `load` says.
struct HandTree {
    scratch: tempfile::TempDir,
}

const HAND_FILES: [(&str, &str); 6] = [
    (
        "en/_index.md",
        "---\ntitle: Help\nid: \"1\"\nlocale: en\ndefault_locale: en\n---\n",
    ),
    (
        "en/guides/_index.md",
        "---\ntitle: Guides\nid: \"10\"\nweight: 1\n---\n",
    ),
    (
        "en/guides/100-hello.md",
        "---\ntitle: Hello\nid: \"100\"\nstate: published\n---\n\nHello **world**\n",
    ),
    ("fr/_index.md", "---\ntitle: Aide\nid: \"1\"\n---\n"),
    (
        "fr/guides/_index.md",
        "---\ntitle: Guides FR\nid: \"10\"\n---\n",
    ),
    (
        "fr/guides/100-bonjour.md",
        "---\ntitle: Bonjour\nid: \"100\"\n---\n\nBonjour\n",
    ),
];

impl HandTree {
    fn new() -> HandTree {
        let tree = HandTree {
            scratch: tempfile::tempdir().unwrap(),
        };
        for (path, text) in HAND_FILES {
            tree.set(path, text);
        }
        tree
    }

    fn content(&self) -> PathBuf {
        self.scratch.path().join("content")
    }

    fn set(&self, path: &str, text: &str) -> &Self {
        let path = self.content().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    fn remove(&self, path: &str) -> &Self {
        fs::remove_file(self.content().join(path)).unwrap();
        self
    }

    fn load(&self) -> Workspace {
        tree::load(&self.content()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The error's lines, with paths relative to the tree's parent (`content/en/...`).
    fn errors(&self) -> Vec<String> {
        let err = tree::load(&self.content()).unwrap_err();
        assert_eq!(err.exit_code(), 1);
        let prefix = format!("{}/", self.scratch.path().display());
        err.to_string()
            .replace(&prefix, "")
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn error(&self) -> String {
        let errors = self.errors();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        errors.into_iter().next().unwrap()
    }
}

#[test]
fn a_hand_written_tree_loads() {
    let ws = HandTree::new().load();
    assert_eq!(ws.help_centers.len(), 1);
    let hc = &ws.help_centers[0];
    assert_eq!(
        (hc.id.as_str(), hc.display_name.as_deref()),
        ("1", Some("Help"))
    );
    assert_eq!(hc.locales, ws.locales);
    assert_eq!(
        ws.locales.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
        ["en", "fr"]
    );
    assert_eq!(ws.groups.len(), 1);
    let group = &ws.groups[0];
    assert_eq!(
        (group.id.as_str(), group.kind, group.order),
        ("10", GroupKind::Collection, 1)
    );
    assert_eq!(group.content["fr"].name, "Guides FR");
    assert_eq!(group.content["fr"].slug, "guides-fr");
    assert_eq!(ws.articles.len(), 1);
    let article = &ws.articles[0];
    assert_eq!(article.parent, Some(model::GroupIx(0)));
    assert_eq!(
        article.content["en"].body,
        "<p class=\"no-margin\">Hello <b>world</b></p>"
    );
    assert_eq!(article.content["fr"].state, State::Published);
    assert_eq!(ws.warnings, Vec::<String>::new());
}

#[test]
fn hand_edited_front_matter_in_plain_yaml_is_read() {
    let t = HandTree::new();
    t.set(
        "en/guides/100-hello.md",
        "---\r\n# edited by hand\r\ntitle: It's a 'test'   # comment\r\n\r\n\
         description: 'Say ''hi'''\r\nid: 100\r\ndraft: true\r\ndate: 2024-05-27\r\n\
         lastmod: 2024-05-27T11:00:00+02:00\r\nweight: 3\r\nauthor_id: 42\r\n---\r\nBody\r\n",
    );
    let ws = t.load();
    let article = &ws.articles[0];
    let c = &article.content["en"];
    assert_eq!(c.title, "It's a 'test'");
    assert_eq!(c.slug, "it-s-a-test");
    assert_eq!(c.description, "Say 'hi'");
    assert_eq!(c.state, State::Draft);
    assert_eq!(c.created_at, Some(1_716_768_000));
    assert_eq!(c.updated_at, Some(1_716_800_400));
    assert_eq!(c.author_id.as_deref(), Some("42"));
    assert_eq!(article.order, Some(3));
    assert_eq!(ws.warnings, Vec::<String>::new());
}

#[test]
fn unknown_keys_and_index_bodies_are_warnings() {
    let t = HandTree::new();
    t.set(
        "en/guides/_index.md",
        "---\ntitle: Guides\nid: \"10\"\nauthor: Jane\n---\n\nSome text\n",
    );
    let prefix = format!("{}/", t.scratch.path().display());
    let warnings: Vec<String> = t
        .load()
        .warnings
        .iter()
        .map(|w| w.replace(&prefix, ""))
        .collect();
    assert_eq!(
        warnings,
        [
            "content/en/guides/_index.md: the body of an _index.md is not used; ignored",
            "content/en/guides/_index.md:4: unknown key `author` ignored",
        ]
    );
}

#[test]
fn new_translations_need_not_repeat_object_fields() {
    // fr/guides/_index.md has no `weight`: it takes en's.
    let ws = HandTree::new().load();
    assert_eq!(ws.groups[0].order, 1);
}

#[test]
fn broken_front_matter_names_file_line_and_column() {
    let t = HandTree::new();
    t.set(
        "en/guides/100-hello.md",
        "---\ntitle: \"Hello\nid: \"100\"\n---\n",
    );
    assert_eq!(
        t.error(),
        "content/en/guides/100-hello.md:2:8: invalid YAML: invalid indentation in quoted scalar"
    );
    t.set("en/guides/100-hello.md", "# Hello\n");
    assert_eq!(
        t.error(),
        "content/en/guides/100-hello.md:1: no front matter: the file must start with a `---` line"
    );
    t.set(
        "en/guides/100-hello.md",
        "---\ntitle: [Hello]\nid: \"100\"\n---\n",
    );
    assert_eq!(
        t.error(),
        "content/en/guides/100-hello.md:2: `title`: expected a single value, found a list"
    );
    t.set(
        "en/guides/100-hello.md",
        "---\ntitle: Hello\ntags: 3\nid: \"100\"\n---\n",
    );
    assert_eq!(
        t.error(),
        "content/en/guides/100-hello.md:3: `tags`: expected a list of strings, found \"3\""
    );
}

#[test]
fn hugo_front_matter_with_lists_and_block_values_is_read() {
    let t = HandTree::new();
    t.set(
        "en/guides/100-hello.md",
        "---\n# Hugo keys are kept for Hugo\ntitle: 'Hello: a \"guide\"'\ndescription: >\n  Two\n  lines\nid: 100\ntags: [setup, 'first steps']\naliases:\n  - /old/hello/\ndraft: true\nweight: 4\nparams:\n  hero: true\n---\n\nHello\n",
    );
    let ws = t.load();
    let article = &ws.articles[0];
    let c = &article.content["en"];
    assert_eq!(c.title, "Hello: a \"guide\"");
    assert_eq!(c.description, "Two lines\n");
    assert_eq!(c.state, State::Draft);
    assert_eq!(article.order, Some(4));
    assert_eq!(ws.warnings, Vec::<String>::new());
}

#[test]
fn locale_folders_must_be_locales() {
    let t = HandTree::new();
    t.set("english/_index.md", "---\ntitle: Help\n---\n");
    assert_eq!(
        t.error(),
        "content/english: not a locale folder: unsafe or invalid locale code \"english\" \
         (expected a code like `en` or `pt-BR`)"
    );
}

#[test]
fn a_locale_folder_intercom_does_not_have_is_refused() {
    let t = HandTree::new();
    t.set(
        "xx/guides/100-hello.md",
        "---\ntitle: Hello\nid: \"100\"\nlocale: \"xx\"\n---\n",
    );
    let error = t.error();
    assert!(
        error.starts_with(
            "content/xx: not a locale folder: Intercom has no locale \"xx\" (its locales: ar, \
             bg, bs, "
        ),
        "{error}"
    );
    assert!(error.ends_with(", tr, vi, zh-CN, zh-TW)"), "{error}");

    // A locale the tree was exported with is accepted, should Intercom add one.
    let entry = helpcenter::tree::BaseEntry {
        kind: helpcenter::tree::FileKind::Article,
        id: Some("100".into()),
        locale: helpcenter::model::Locale::parse("xx").unwrap(),
        updated_at: None,
        untranslated: false,
        sha256: String::new(),
        bytes: 0,
        body: None,
    };
    let files = [("xx/guides/100-hello.md".to_string(), entry)].into();
    let base = helpcenter::tree::BaseRecord::new(files).to_bytes();
    t.set(".helpcenter/base.json", std::str::from_utf8(&base).unwrap());
    t.set("xx/_index.md", "---\ntitle: Xx\nid: \"1\"\n---\n");
    t.set("xx/guides/_index.md", "---\ntitle: Xx\nid: \"10\"\n---\n");
    assert_eq!(t.load().articles[0].content["xx"].title, "Hello");
}

#[test]
fn the_locale_key_must_match_the_folder() {
    let t = HandTree::new();
    t.set(
        "en/guides/100-hello.md",
        "---\ntitle: Hello\nid: \"100\"\nlocale: fr\n---\n",
    );
    assert_eq!(
        t.error(),
        "content/en/guides/100-hello.md:4: locale \"fr\" does not match its locale folder \"en\""
    );
    t.set(
        "en/guides/100-hello.md",
        "---\ntitle: Hello\nid: \"100\"\nlocale: EN\n---\n",
    );
    assert_eq!(
        t.error(),
        "content/en/guides/100-hello.md:4: `locale`: unsafe or invalid locale code \"EN\" \
         (expected a code like `en` or `pt-BR`)"
    );
}

#[test]
fn titles_are_required() {
    let t = HandTree::new();
    t.set("en/guides/100-hello.md", "---\nid: \"100\"\n---\n");
    assert_eq!(
        t.error(),
        "content/en/guides/100-hello.md:1: front matter has no `title`"
    );
    t.set(
        "en/guides/_index.md",
        "---\ntitle: \"  \"\nid: \"10\"\n---\n",
    );
    t.set("en/guides/100-hello.md", HAND_FILES[2].1);
    assert_eq!(t.error(), "content/en/guides/_index.md:2: `title` is empty");
}

#[test]
fn ids_are_safe_and_unique_within_a_locale() {
    let t = HandTree::new();
    t.set(
        "en/guides/100-copy.md",
        "---\ntitle: Copy\nid: \"100\"\n---\n",
    );
    assert_eq!(
        t.error(),
        "content/en/guides/100-hello.md:3: article 100 is already in \
         content/en/guides/100-copy.md (ids are unique within a locale)"
    );
    t.remove("en/guides/100-copy.md");
    t.set(
        "en/guides/100-hello.md",
        "---\ntitle: Hello\nid: ../x\n---\n",
    );
    assert_eq!(
        t.error(),
        "content/en/guides/100-hello.md:3: `id`: unsafe object id \"../x\""
    );
}

#[test]
fn an_article_without_id_is_a_new_article_left_out_of_the_workspace() {
    let t = HandTree::new();
    t.set(
        "en/guides/new.md",
        "---\ntitle: New\nauthor_id: \"7\"\n---\n\nHi\n",
    );
    let loaded = tree::load_with_new(&t.content()).unwrap();
    assert_eq!(loaded.new_articles.len(), 1);
    let new = &loaded.new_articles[0];
    assert_eq!(new.rel, "en/guides/new.md");
    assert_eq!(new.parent, tree::NewParent::Collection("10".to_string()));
    assert_eq!(new.content.title, "New");
    // Without `state`, a new article is a draft.
    assert_eq!(new.content.state, State::Draft);
    assert_eq!(
        loaded.article_files["en/guides/100-hello.md"],
        (
            "100".to_string(),
            helpcenter::model::Locale::parse("en").unwrap()
        )
    );
    // The workspace holds only the articles that have ids: the new one is not in it.
    let ids: Vec<&str> = (loaded.workspace.articles.iter())
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(ids, ["100"]);

    t.set("en/fresh/_index.md", "---\ntitle: Fresh\n---\n");
    t.set("en/fresh/new.md", "---\ntitle: Inside\n---\n");
    let loaded = tree::load_with_new(&t.content()).unwrap();
    assert_eq!(loaded.new_groups.len(), 1);
    assert_eq!(loaded.new_groups[0].dir, "en/fresh");
    assert_eq!(loaded.new_groups[0].parent, None);
    let inside = loaded
        .new_articles
        .iter()
        .find(|a| a.rel == "en/fresh/new.md");
    assert_eq!(
        inside.unwrap().parent,
        tree::NewParent::NewCollection("en/fresh".to_string())
    );
    t.set("en/fresh/deeper/_index.md", "---\ntitle: Deeper\n---\n");
    t.set("en/fresh/5-old.md", "---\ntitle: Old\nid: \"5\"\n---\n");
    assert_eq!(
        t.errors(),
        [
            "content/en/fresh/5-old.md: has an `id` but is in the new collection of en/fresh: \
             push creates new things, it does not move existing ones",
            "content/en/fresh/deeper/_index.md: a new collection (no `id`) must be at the top \
             level or in an existing collection, not in the new collection of en/fresh; push \
             the outer one first",
        ]
    );
    t.remove("en/fresh/deeper/_index.md");
    t.remove("en/fresh/5-old.md");
    t.remove("en/fresh/new.md");
    t.remove("en/fresh/_index.md");

    t.set("en/new.md", "---\ntitle: Top\n---\n");
    assert_eq!(
        t.error(),
        "content/en/new.md: a new article (no `id`) must be in a collection's folder, not in \
         the top level"
    );
}

#[test]
fn markdown_files_belong_in_folders_with_an_index() {
    let t = HandTree::new();
    t.set("README.md", "# About this tree\n");
    t.set("en/orphans/5-x.md", "---\ntitle: X\nid: \"5\"\n---\n");
    t.set(
        "en/loose/deeper/_index.md",
        "---\ntitle: Deeper\nid: \"11\"\n---\n",
    );
    t.set("en/guides/notes.txt", "not Markdown: ignored");
    assert_eq!(
        t.errors(),
        [
            "content/README.md: outside any locale folder: Markdown files belong in <locale>/ \
             folders",
            "content/en/loose/deeper/_index.md: its parent folder content/en/loose has no \
             _index.md",
            "content/en/orphans/5-x.md: its folder content/en/orphans has no _index.md",
        ]
    );
}

#[test]
fn state_draft_and_dates_are_checked() {
    let t = HandTree::new();
    let cases = [
        ("state: archived", "content/en/guides/100-hello.md:4: invalid state \"archived\" (expected published or draft)"),
        ("state: published\ndraft: true", "content/en/guides/100-hello.md:5: `draft: true` contradicts `state: published` on line 4"),
        ("draft: yes", "content/en/guides/100-hello.md:4: `draft`: expected true or false, found \"yes\""),
        ("date: 2024-13-45", "content/en/guides/100-hello.md:4: `date`: invalid date \"2024-13-45\" (expected RFC 3339, e.g. 2024-05-27T09:33:20Z, or 2024-05-27)"),
        ("lastmod: \"yesterday\"", "content/en/guides/100-hello.md:4: `lastmod`: invalid date \"yesterday\" (expected RFC 3339, e.g. 2024-05-27T09:33:20Z, or 2024-05-27)"),
        ("weight: first", "content/en/guides/100-hello.md:4: `weight`: expected an integer, found \"first\""),
    ];
    for (line, expected) in cases {
        t.set(
            "en/guides/100-hello.md",
            &format!("---\ntitle: Hello\nid: \"100\"\n{line}\n---\n"),
        );
        assert_eq!(t.error(), expected);
    }
}

#[test]
fn group_kinds_and_nesting_are_checked() {
    let t = HandTree::new();
    t.set(
        "en/guides/_index.md",
        "---\ntitle: Guides\nid: \"10\"\nkind: folder\n---\n",
    );
    assert_eq!(
        t.error(),
        "content/en/guides/_index.md:4: `kind`: expected collection or section, found \"folder\""
    );
    t.set(
        "en/guides/_index.md",
        "---\ntitle: Guides\nid: \"10\"\nkind: section\n---\n",
    );
    t.set(
        "fr/guides/_index.md",
        "---\ntitle: Guides FR\nid: \"10\"\nkind: section\n---\n",
    );
    t.set(
        "en/guides/inner/_index.md",
        "---\ntitle: Inner\nid: \"11\"\n---\n",
    );
    assert_eq!(
        t.error(),
        "content/en/guides/inner/_index.md: a section cannot contain collections or sections, \
         and this folder is in section 10"
    );
}

#[test]
fn translations_must_agree_on_the_object() {
    let t = HandTree::new();
    t.set(
        "fr/guides/_index.md",
        "---\ntitle: Guides FR\nid: \"10\"\nweight: 2\n---\n",
    );
    assert_eq!(
        t.error(),
        "content/fr/guides/_index.md:4: `weight` is 2 here but 1 in \
         content/en/guides/_index.md; translations must agree"
    );
    t.set("fr/guides/_index.md", HAND_FILES[4].1);
    t.remove("fr/guides/100-bonjour.md");
    t.set(
        "fr/100-bonjour.md",
        "---\ntitle: Bonjour\nid: \"100\"\n---\n",
    );
    assert_eq!(
        t.error(),
        "content/fr/100-bonjour.md: is in the top level here but in collection 10 in \
         content/en/guides/100-hello.md; translations must be in the same place"
    );
    t.remove("fr/100-bonjour.md");
    t.set("fr/_index.md", "---\ntitle: Aide\nid: \"2\"\n---\n");
    assert_eq!(
        t.error(),
        "content/fr/_index.md:3: `id` is \"2\" here but \"1\" in content/en/_index.md; \
         translations must agree"
    );
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_refused() {
    let t = HandTree::new();
    std::os::unix::fs::symlink("/etc/passwd", t.content().join("en/guides/7-leak.md")).unwrap();
    assert_eq!(
        t.error(),
        "content/en/guides/7-leak.md: symbolic links are not followed; put the file itself here"
    );
}

#[test]
fn every_problem_is_reported_at_once_sorted_by_file() {
    let t = HandTree::new();
    t.set(
        "fr/guides/100-bonjour.md",
        "---\nid: \"100\"\nstate: gone\n---\n",
    );
    t.set(
        "en/guides/100-hello.md",
        "---\ntitle: Hello\nid: \"100\"\ndate: soon\n---\n",
    );
    t.set("de/_index.md", "---\ntitle: \"Hilfe\n---\n");
    assert_eq!(
        t.errors(),
        [
            "content/de/_index.md:2:8: invalid YAML: while scanning a quoted scalar, found \
             unexpected end of stream",
            "content/en/guides/100-hello.md:4: `date`: invalid date \"soon\" (expected RFC \
             3339, e.g. 2024-05-27T09:33:20Z, or 2024-05-27)",
            "content/fr/guides/100-bonjour.md:1: front matter has no `title`",
            "content/fr/guides/100-bonjour.md:3: invalid state \"gone\" (expected published \
             or draft)",
        ]
    );
}

#[test]
fn a_missing_tree_is_a_usage_error() {
    let scratch = tempfile::tempdir().unwrap();
    let err = tree::load(&scratch.path().join("content")).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().ends_with(
        "content does not exist: write a Markdown tree first (helpcenter build --format markdown)"
    ));
}
