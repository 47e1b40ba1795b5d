//! Loader tests: raw API JSON in, resolved tree out.

use serde_json::{json, Value};

use super::*;
use crate::error::Error;
use crate::snapshot::{ApiInfo, ObjectKind, Snapshot, SnapshotWriter};

use ObjectKind::{Article as A, Collection as C, HelpCenter as H, Section as S};

fn snapshot(objects: &[(ObjectKind, Value)]) -> (tempfile::TempDir, Snapshot) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap");
    let mut writer = SnapshotWriter::create(&path).unwrap();
    for (kind, value) in objects {
        let id = crate::snapshot::object_id(value).unwrap();
        writer
            .write_object(*kind, &id, &serde_json::to_vec(value).unwrap())
            .unwrap();
    }
    let api = ApiInfo {
        version: "2.15".into(),
        region: "us".into(),
        base_url: "https://api.intercom.io".into(),
    };
    writer.commit(api, None).unwrap();
    let snapshot = Snapshot::open(&path).unwrap();
    (dir, snapshot)
}

fn load(objects: &[(ObjectKind, Value)]) -> Result<Workspace, Error> {
    let (_dir, snapshot) = snapshot(objects);
    load_snapshot(&snapshot, &LoadOptions::default())
}

fn content(title: &str, state: &str) -> Value {
    json!({"type": "article_content", "title": title, "description": "", "body": "<p>x</p>",
           "author_id": 5, "state": state, "created_at": 1, "updated_at": 1700000000,
           "url": null})
}

fn article(id: u64, parent: Value, translations: Value) -> Value {
    json!({"id": id.to_string(), "type": "article", "parent_id": parent,
           "parent_type": "collection", "default_locale": "en",
           "translated_content": translations})
}

fn collection(id: &str, parent: Value, hc: Value, order: i64) -> Value {
    json!({"id": id, "name": format!("C{id}"), "order": order, "parent_id": parent,
           "help_center_id": hc, "default_locale": "en",
           "translated_content": {"type": "group_translated_content",
               "en": {"type": "group_content", "name": format!("C{id}"), "description": "d"},
               "fr": null}})
}

fn help_center(id: u64) -> Value {
    json!({"id": id.to_string(), "identifier": format!("hc{id}"), "display_name": format!("HC {id}"),
           "url": "https://help.example.com", "custom_domain": null})
}

fn en(ws: &Workspace) -> Locale {
    ws.default_locale.clone()
}

#[test]
fn loads_a_nested_multilingual_tree() {
    let ws = load(&[
        (H, help_center(1)),
        (C, collection("10", Value::Null, json!(1), 2)),
        (C, collection("11", json!(10), Value::Null, 1)),
        (C, collection("12", json!("10"), Value::Null, 0)),
        (
            A,
            article(100, json!(11), json!({"type": "article_translated_content",
                "en": content("Hello", "published"), "fr": content("Bonjour", "draft"), "de": null})),
        ),
        (A, article(101, Value::Null, json!({"en": content("Alone", "published")}))),
    ])
    .unwrap();
    assert_eq!(ws.default_locale.as_str(), "en");
    let ids: Vec<&str> = ws.groups.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["10", "11", "12"]);
    assert_eq!(ws.help_centers[0].groups, [GroupIx(0)]);
    // Children by order: 12 (order 0) before 11 (order 1).
    assert_eq!(ws.groups[0].children, [GroupIx(2), GroupIx(1)]);
    assert_eq!(ws.groups[2].help_center, Some(HelpCenterIx(0)));
    let hello = &ws.articles[0];
    assert_eq!(hello.parent, Some(GroupIx(1)));
    let locales: Vec<&str> = hello.content.keys().map(Locale::as_str).collect();
    assert_eq!(locales, ["en", "fr"]);
    assert_eq!(hello.content["fr"].state, State::Draft);
    assert_eq!(hello.content["en"].author_id.as_deref(), Some("5"));
    assert_eq!(hello.content["en"].slug, "hello");
    assert_eq!(ws.articles[1].parent, None);
    assert_eq!(ws.ancestors(GroupIx(1)), [GroupIx(0)]);
    let ws_locales: Vec<&str> = ws.locales.iter().map(Locale::as_str).collect();
    assert_eq!(ws_locales, ["en", "fr"]);
    assert!(ws.warnings.is_empty(), "{:?}", ws.warnings);
}

#[test]
fn content_without_translations_is_the_default_locale() {
    let plain = json!({"id": 7, "title": "Plain", "body": "<p>b</p>", "state": "published",
                       "parent_id": null});
    let ws = load(&[(A, plain.clone())]).unwrap();
    assert_eq!(ws.default_locale.as_str(), "en");
    assert_eq!(ws.articles[0].content["en"].title, "Plain");

    let mut german = plain;
    german["default_locale"] = json!("de");
    let ws = load(&[(A, german.clone())]).unwrap();
    assert_eq!(ws.default_locale.as_str(), "de");
    assert!(ws.articles[0].content.contains_key("de"));

    let (_dir, snap) = snapshot(&[(A, german)]);
    let options = LoadOptions {
        default_locale: Some(Locale::parse("sv").unwrap()),
        ..LoadOptions::default()
    };
    let ws = load_snapshot(&snap, &options).unwrap();
    assert!(ws.articles[0].content.contains_key("sv"));
}

#[test]
fn sections_of_api_2_9_are_groups() {
    let section = json!({"id": "20", "type": "section", "name": "S", "parent_id": 10, "order": 3});
    let mut art = article(
        100,
        json!(20),
        json!({"en": content("In a section", "published")}),
    );
    art["parent_type"] = json!("section");
    let ws = load(&[
        (C, collection("10", Value::Null, Value::Null, 0)),
        (C, collection("20", Value::Null, Value::Null, 0)),
        (S, section),
        (A, art),
    ])
    .unwrap();
    let section = ws
        .groups
        .iter()
        .position(|g| g.kind == GroupKind::Section)
        .unwrap();
    assert_eq!(ws.groups[section].parent, Some(GroupIx(0)));
    assert_eq!(ws.groups[section].content[&en(&ws)].name, "S");
    assert_eq!(ws.articles[0].parent, Some(GroupIx(section)));
    assert_eq!(ws.groups[0].children, [GroupIx(section)]);
}

#[test]
fn an_unsafe_locale_is_refused_naming_the_file() {
    let art = article(
        100,
        Value::Null,
        json!({"../x": content("Evil", "published")}),
    );
    let err = load(&[(A, art)]).unwrap_err().to_string();
    assert!(err.contains("articles/100.json"), "{err}");
    assert!(err.contains("\"../x\""), "{err}");
}

#[test]
fn a_missing_parent_makes_a_standalone_article_with_a_warning() {
    let objects = [(
        A,
        article(100, json!(999), json!({"en": content("Lost", "published")})),
    )];
    let ws = load(&objects).unwrap();
    assert_eq!(ws.articles[0].parent, None);
    assert_eq!(ws.warnings.len(), 1);
    assert!(ws.warnings[0].contains("articles/100.json: parent 999 is not in the snapshot"));

    let (_dir, snap) = snapshot(&objects);
    let strict = LoadOptions {
        strict: true,
        ..LoadOptions::default()
    };
    let err = load_snapshot(&snap, &strict).unwrap_err();
    assert!(matches!(err, Error::Data(_)));
}

#[test]
fn a_collection_cycle_is_an_error_naming_its_files() {
    let err = load(&[
        (C, collection("1", json!(2), Value::Null, 0)),
        (C, collection("2", json!(1), Value::Null, 0)),
        (C, collection("3", json!(1), Value::Null, 0)),
    ])
    .unwrap_err()
    .to_string();
    assert!(err.contains("cycle"), "{err}");
    assert!(
        err.contains("collections/1.json") && err.contains("collections/2.json"),
        "{err}"
    );
    assert!(!err.contains("collections/3.json"), "{err}");
}

#[test]
fn a_translation_without_title_is_left_out() {
    let art = article(
        100,
        Value::Null,
        json!({"en": content("Kept", "published"), "fr": {"title": null, "body": "x"}}),
    );
    let ws = load(&[(A, art)]).unwrap();
    assert_eq!(ws.articles[0].content.len(), 1);
    assert_eq!(
        ws.warnings,
        [format!(
            "{}: article 100 has no title in fr; left out",
            ws.articles[0].source.display()
        )]
    );
}

#[test]
fn wrong_types_and_ids_are_errors() {
    let mut art = article(100, Value::Null, json!({"en": content("T", "published")}));
    art["translated_content"]["en"]["body"] = json!(5);
    let err = load(&[(A, art)]).unwrap_err().to_string();
    assert!(
        err.ends_with("translated_content.en.body: expected a string, found a number"),
        "{err}"
    );

    let (dir, snap) = snapshot(&[(A, article(100, Value::Null, json!({})))]);
    std::fs::write(snap.dir.join("articles/100.json"), br#"{"id": "101"}"#).unwrap();
    let err = load_snapshot(&snap, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("id \"101\" does not match the file name"),
        "{err}"
    );
    drop(dir);
}

#[test]
fn selecting_a_help_center_keeps_its_tree_and_standalone_articles() {
    let objects = [
        (H, help_center(1)),
        (H, help_center(2)),
        (C, collection("10", Value::Null, json!(1), 0)),
        (C, collection("20", Value::Null, json!(2), 0)),
        (C, collection("21", json!(20), Value::Null, 0)),
        (
            A,
            article(100, json!(10), json!({"en": content("One", "published")})),
        ),
        (
            A,
            article(200, json!(21), json!({"en": content("Two", "published")})),
        ),
        (
            A,
            article(
                300,
                Value::Null,
                json!({"en": content("Free", "published")}),
            ),
        ),
    ];
    let (_dir, snap) = snapshot(&objects);
    let options = LoadOptions {
        help_center: Some("2".into()),
        ..LoadOptions::default()
    };
    let ws = load_snapshot(&snap, &options).unwrap();
    let ids = |list: Vec<&str>| list.join(",");
    assert_eq!(
        ids(ws.help_centers.iter().map(|h| h.id.as_str()).collect()),
        "2"
    );
    assert_eq!(
        ids(ws.groups.iter().map(|g| g.id.as_str()).collect()),
        "20,21"
    );
    assert_eq!(
        ids(ws.articles.iter().map(|a| a.id.as_str()).collect()),
        "200,300"
    );
    assert_eq!(ws.articles[0].parent, Some(GroupIx(1)));
    assert_eq!(ws.groups[1].help_center, Some(HelpCenterIx(0)));

    let options = LoadOptions {
        help_center: Some("9".into()),
        ..LoadOptions::default()
    };
    let err = load_snapshot(&snap, &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "help center 9 is not in the snapshot; it has: 1 (HC 1), 2 (HC 2)"
    );
    assert!(matches!(err, Error::Usage(_)));
}

#[test]
fn articles_are_ordered_by_order_then_title() {
    let mut ordered = article(103, json!(10), json!({"en": content("zebra", "published")}));
    ordered["order"] = json!(1);
    let ws = load(&[
        (C, collection("10", Value::Null, Value::Null, 0)),
        (
            A,
            article(100, json!(10), json!({"en": content("beta", "published")})),
        ),
        (
            A,
            article(101, json!(10), json!({"en": content("Alpha", "published")})),
        ),
        (
            A,
            article(102, json!(10), json!({"fr": content("Gamma", "published")})),
        ),
        (A, ordered),
    ])
    .unwrap();
    let en = en(&ws);
    let order: Vec<&str> = ws
        .ordered_articles(GroupIx(0), &en)
        .into_iter()
        .map(|a| ws.article(a).id.as_str())
        .collect();
    assert_eq!(order, ["103", "101", "100"]);
}

#[test]
fn numeric_ids_sort_numerically() {
    let mut ids = vec!["10", "9", "100", "a", "010"];
    ids.sort_by(|a, b| id_cmp(a, b));
    assert_eq!(ids, ["9", "010", "10", "100", "a"]);
}
