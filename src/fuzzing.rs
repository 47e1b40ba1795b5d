//! Entry points for fuzzing: each feeds arbitrary bytes to one parser of outside input and
//! checks what must hold for any input, panicking when it does not.
//!
//! Two harnesses drive them: the `cargo fuzz` targets in `tests/fuzz/` (coverage-guided, run
//! by hand for millions of inputs) and `tests/fuzz_corpus.rs` (stable Rust, in `cargo test`:
//! replays every committed corpus and crash file, then a few seconds of random inputs), so a
//! crash found once stays a regression test.

use std::path::Path;

use crate::html::{self, LinkMap};
use crate::markdown::{
    assemble, convert, html_to_markdown, html_to_markdown_copy, markdown_to_html, normalize_html,
    render, site_html_to_markdown_copy,
};

/// Text of the input: fuzzers produce bytes; every parser here reads UTF-8 text.
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Front matter: parsing never panics; writing an id into a file that parses keeps it
/// parsing, with that id and every other key as it was.
pub fn front_matter(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(doc) = crate::tree::parse_front_matter(text) else {
        return;
    };
    let rewritten = crate::tree::with_id(text, "42", "42");
    let again = crate::tree::parse_front_matter(&rewritten)
        .unwrap_or_else(|e| panic!("the file with its id no longer parses: {e:?}\n{rewritten}"));
    let id = again.fields.iter().find(|f| f.key == "id");
    assert_eq!(id.and_then(|f| f.value.text()), Some("42"), "{rewritten}");
    let others = |fields: &[crate::tree::FrontMatterField]| -> Vec<_> {
        (fields.iter())
            .filter(|f| f.key != "id" && f.key != "translationKey")
            .map(|f| (f.key.clone(), meaning(&f.value)))
            .collect()
    };
    assert_eq!(others(&doc.fields), others(&again.fields), "{rewritten}");
    assert_eq!(doc.body, again.body);
}

/// What a front matter value means, whatever its quoting: a rewrite may quote text that was
/// plain (numbers and booleans stay plain, so they keep their type).
fn meaning(value: &crate::tree::FrontMatterValue) -> String {
    use crate::tree::FrontMatterValue as V;
    match value {
        V::Null => "~".to_string(),
        V::Plain(t) | V::Quoted(t) => format!("{t:?}"),
        V::List(items) => format!(
            "[{}]",
            items.iter().map(meaning).collect::<Vec<_>>().join(",")
        ),
        V::Map(entries) => {
            let entries: Vec<String> = (entries.iter())
                .map(|(k, v)| format!("{k:?}:{}", meaning(v)))
                .collect();
            format!("{{{}}}", entries.join(","))
        }
    }
}

/// Markdown to Intercom HTML never panics, and Markdown the tool wrote converts to HTML and
/// back byte for byte.
pub fn markdown(data: &[u8]) {
    let Some(md) = text(data) else { return };
    let html = markdown_to_html(md);
    let written = html_to_markdown(&html);
    let back = html_to_markdown(&markdown_to_html(&written));
    assert_eq!(back, written, "Markdown -> HTML -> Markdown differs");
}

/// Intercom HTML to Markdown never panics; the Markdown rendered in the body's own dialect has
/// the same DOM as the body sanitised for Intercom and converts back to the same Markdown; and
/// the unedited Markdown assembles back into the body byte for byte.
pub fn html(data: &[u8]) {
    let Some(body) = text(data) else { return };
    let converted = convert(body);
    let md = converted.markdown();
    let rendered = render(&md, &converted.dialect);
    assert_eq!(
        normalize_html(&rendered),
        normalize_html(&html::sanitize_for_intercom(body)),
        "HTML -> Markdown -> HTML differs\n--- markdown\n{md}"
    );
    assert_eq!(
        html_to_markdown(&rendered),
        md,
        "Markdown -> HTML -> Markdown differs"
    );
    let site_html = html::sanitize(body);
    assert_eq!(
        site_html_to_markdown_copy(&site_html),
        html_to_markdown_copy(&site_html),
        "the site's HTML gives other Markdown unless sanitised again for Intercom"
    );
    let assembled = assemble(&md, Some(&converted), &mut |html, _| html);
    assert_eq!(
        assembled, body,
        "the unedited Markdown does not assemble to the body"
    );
}

/// The sanitiser and the link and asset rewriters never panic, sanitising is idempotent, and
/// no script or event handler survives.
pub fn sanitize(data: &[u8]) {
    let Some(body) = text(data) else { return };
    let clean = html::sanitize(body);
    assert_eq!(
        normalize_html(&html::sanitize(&clean)),
        normalize_html(&clean),
        "sanitising twice differs"
    );
    let mut links = LinkMap::new(["https://help.acme.test".to_string()]);
    links.add_article("12", "fr", "/fr/articles/12-bonjour/");
    links.add_collection("7", "en", "/en/collections/7-guides/");
    let linked = html::sanitize_with_links(body, &links, "en", "/en/articles/1-a/");
    for output in [&clean, &linked] {
        assert_harmless(output);
    }
    let _ = html::rewrite_asset_urls(&clean, |url, _| Some(format!("/assets/{}", url.len())));
    let _ = html::asset_urls(body);
}

/// No script element, event handler or `javascript:` URL in sanitised HTML.
fn assert_harmless(sanitised: &str) {
    let doc = scraper::Html::parse_fragment(sanitised);
    for element in doc
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        let element = element.value();
        assert_ne!(element.name(), "script", "a script survived: {sanitised}");
        for (name, value) in element.attrs() {
            assert!(
                !name.starts_with("on"),
                "an event handler survived: {sanitised}"
            );
            let url: String = (value.chars())
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect();
            let scheme = url.to_ascii_lowercase();
            assert!(
                !scheme.starts_with("javascript:"),
                "a javascript: URL survived: {sanitised}"
            );
        }
    }
}

/// API JSON: a list page decodes or is refused, and the objects of a snapshot (help centers,
/// collections, articles, as `{"help_centers": [...], ...}`) load into the model or are
/// refused with an error, never a panic.
pub fn api_json(data: &[u8], scratch: &Path) {
    let _ = serde_json::from_slice::<crate::intercom::ListPage>(data);
    let Ok(serde_json::Value::Object(kinds)) = serde_json::from_slice(data) else {
        return;
    };
    let target = scratch.join("snapshot");
    let Ok(mut writer) = crate::snapshot::SnapshotWriter::create(&target) else {
        return;
    };
    for kind in crate::snapshot::ObjectKind::ALL {
        let Some(serde_json::Value::Array(objects)) = kinds.get(kind.dir_name()) else {
            continue;
        };
        for object in objects {
            let Some(id) = crate::snapshot::object_id(object) else {
                continue;
            };
            if writer
                .write_object(kind, &id, object.to_string().as_bytes())
                .is_err()
            {
                return;
            }
        }
    }
    let api = crate::snapshot::ApiInfo {
        version: "2.15".into(),
        region: "us".into(),
        base_url: "https://api.intercom.io".into(),
    };
    if writer.commit(api, None).is_err() {
        return;
    }
    let Ok(snapshot) = crate::snapshot::Snapshot::open(&target) else {
        return;
    };
    let _ = crate::verify::verify_snapshot(&snapshot, "fuzz");
    for strict in [false, true] {
        let options = crate::model::LoadOptions {
            strict,
            ..Default::default()
        };
        if let Ok(workspace) = crate::model::load_snapshot(&snapshot, &options) {
            let _ = crate::tree::export(
                &workspace,
                &crate::tree::ExportOptions {
                    content: scratch.join("content"),
                    force: true,
                },
            );
        }
    }
}

/// `helpcenter.toml`: parsed or refused, and what parses applies to the command line or is
/// refused, never a panic.
pub fn config(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Ok(file) = crate::config::ConfigFile::parse(Path::new("helpcenter.toml"), text) {
        let _ = file.apply(<crate::cli::Cli as clap::CommandFactory>::command());
    }
}

/// Archive reading: whatever the bytes, unpacking into `scratch` writes only regular files
/// inside it, never more than a budget, and verification of what was unpacked never panics.
pub fn archive(data: &[u8], scratch: &Path) {
    let file = scratch.join("backup.tar");
    std::fs::write(&file, data).expect("the scratch folder is writable");
    let into = scratch.join("out");
    let result = crate::archive::extract(&file, &into);
    let mut total = 0u64;
    for entry in walkdir::WalkDir::new(scratch).follow_links(false) {
        let entry = entry.expect("the scratch folder is readable");
        let kind = entry.file_type();
        assert!(
            kind.is_file() || kind.is_dir(),
            "unpacking made something that is neither a file nor a folder: {}",
            entry.path().display()
        );
        if kind.is_file() && entry.path() != file {
            assert!(
                entry.path().starts_with(&into),
                "{}",
                entry.path().display()
            );
            total += entry.metadata().map_or(0, |m| m.len());
        }
    }
    // The manifest's own limit, plus what it may list, is far above any fuzz input's worth.
    assert!(total <= 512 << 20, "unpacked {total} bytes");
    if result.is_ok() {
        if let Ok(snapshot) = crate::snapshot::Snapshot::open(&into.join("snapshot")) {
            let _ = crate::verify::verify_snapshot(&snapshot, "fuzz");
        }
    }
}
