//! Creating new articles: an article file without `id` is sent as `POST /articles` under the
//! collection of its folder, and the id Intercom answers is written back at once: the push
//! journal records it, then it goes into the file's front matter (atomically: temp file,
//! fsync, rename) and the base record, so a second push finds an exported, unchanged file and
//! sends nothing.
//!
//! Every create is announced in the journal before it is sent. A push killed before the answer
//! was recorded, or whose answer was lost (a dropped connection after the server acted, which
//! the client does not retry and reports as "may or may not have been applied"), leaves it
//! announced: the next push looks for it in Intercom (same title under the same collection, no
//! file claiming it) and adopts it rather than create it twice (see `journal.rs`).
//!
//! Checks made before any request ([`check`]): every new file has an author (its `author_id`,
//! else `default_author_id`), and is in
//! the default locale's folder (Intercom takes a new article's title from the default locale;
//! translations are added as files with the new id once it exists, and sent with `PUT`).

use std::fs;
use std::path::Path;

use reqwest::Method;
use serde_json::{json, Value};

use super::base;
use super::journal::{Creating, PushJournal};
use super::payload::{api_id, content_json, top_level};
use super::report::{FileReport, Outcome, PushReport};
use super::PushOptions;
use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::model::Locale;
use crate::snapshot::{checked_id, file_entry, object_id};
use crate::tree::{with_id, BaseEntry, FileKind, NewArticle, NewGroup};

/// Gives new articles without `author_id` the configured default author, if there is one.
pub fn default_authors(new: &mut [NewArticle], default_author_id: Option<&str>) {
    let Some(default) = default_author_id else {
        return;
    };
    for article in new.iter_mut().filter(|a| a.content.author_id.is_none()) {
        article.content.author_id = Some(default.to_string());
    }
}

/// Refuses new articles and collections `push` cannot create, naming every file; nothing is
/// sent then.
pub fn check(new: &[&NewArticle], groups: &[&NewGroup], default_locale: &Locale) -> Result<()> {
    let mut problems = Vec::new();
    for group in groups.iter().filter(|g| &g.locale != default_locale) {
        problems.push(format!(
            "{}: a new collection is created from its {default_locale} `_index.md`; write that \
             first, push, then add this translation with the new `id`",
            group.path.display()
        ));
    }
    for article in new {
        let path = article.path.display();
        if article.content.author_id.is_none() {
            problems.push(format!(
                "{path}: a new article needs an author: `author_id` in its front matter, or \
                 `default_author_id` in helpcenter.toml (or --default-author-id), the Intercom \
                 admin id of its author"
            ));
        }
        if &article.locale != default_locale {
            problems.push(format!(
                "{path}: a new article is created from its {default_locale} file; write that \
                 first, push, then add this translation with the new `id`"
            ));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    problems.sort();
    Err(Error::usage(problems.join("\n")))
}

/// The `POST /articles` body: the fields at the top level and, for a help center with several
/// locales, also as the locale's whole `article_content`.
pub fn create_body(article: &NewArticle, collection: &str, multilingual: bool) -> Value {
    let c = &article.content;
    let author = c.author_id.as_deref().map_or(Value::Null, api_id);
    let content = content_json(c, &c.body, author);
    let mut body = top_level(content.clone());
    body["parent_id"] = api_id(collection);
    body["parent_type"] = json!("collection");
    if multilingual {
        body["translated_content"] = json!({ article.locale.as_str(): content });
    }
    body
}

/// The `POST /help_center/collections` body.
pub fn collection_body(group: &NewGroup, help_center: Option<&str>) -> Value {
    json!({
        "name": group.name,
        "description": group.description,
        "parent_id": group.parent.as_deref().map_or(Value::Null, api_id),
        "help_center_id": help_center.map_or(Value::Null, api_id),
    })
}

/// Creates one new collection and writes its id back; its id, or `None` when it was not
/// created (dry run, or a failure, which is reported).
pub async fn create_group(
    client: &Client,
    options: &PushOptions,
    group: &NewGroup,
    help_center: Option<&str>,
    journal: &PushJournal,
    report: &mut PushReport,
) -> Result<Option<String>> {
    let mut entry = FileReport::new(&group.rel, Outcome::WouldCreate);
    entry.locale = Some(group.locale.to_string());
    entry.fields = vec!["name".to_string(), "description".to_string()];
    if options.dry_run {
        report.add(entry);
        return Ok(None);
    }
    let body = collection_body(group, help_center);
    let creating = Creating {
        request: "POST /help_center/collections".to_string(),
        kind: FileKind::Collection,
        path: group.rel.clone(),
        locale: group.locale.clone(),
        sha256: file_sha256(&group.path)?,
        title: group.name.clone(),
        parent: group.parent.clone(),
    };
    let no_body = |_: &Value| Ok(None);
    let (id, _) = match create_file(client, journal, creating, &group.path, &body, no_body).await? {
        Ok(created) => created,
        Err(message) => {
            report.add(failed(entry, message));
            return Ok(None);
        }
    };
    entry.outcome = Outcome::Created;
    entry.collection_id = Some(id.clone());
    report.add(entry);
    Ok(Some(id))
}

/// Announces `creating` in the journal, sends its `POST` with `body`, and records the answer:
/// the new id goes into `file`, and into the base with the body record `record` makes of the
/// answer. The id and Intercom's time for the file's locale, or the failure's message. A failed
/// create stays announced: it may have been applied, and the next push looks for it in
/// Intercom before creating it again.
async fn create_file(
    client: &Client,
    journal: &PushJournal,
    creating: Creating,
    file: &Path,
    body: &Value,
    record: impl FnOnce(&Value) -> Result<Option<String>>,
) -> Result<std::result::Result<(String, Option<i64>), String>> {
    journal.creating(creating.clone()).await?;
    let endpoint = creating.request.trim_start_matches("POST ");
    let answer = match send(client, endpoint, body).await? {
        Ok(answer) => answer,
        Err(message) => return Ok(Err(message)),
    };
    let id = new_id(&answer, &creating.path)?;
    let key = translation_key(creating.kind, &id);
    let bytes = with_id_bytes(file, &id, &key)?;
    let updated_at = remote_time(&answer, &creating.locale);
    let mut entry = base_entry(creating.kind, &id, &creating.locale, updated_at, &bytes);
    entry.body = record(&answer)?;
    let (request, path) = (&creating.request, &creating.path);
    journal
        .created(request, path, (&id, &key), entry, Some(&bytes))
        .await?;
    Ok(Ok((id, updated_at)))
}

/// The `translationKey` a created file gets: the article's id, `collection-<id>` for a
/// collection.
pub fn translation_key(kind: FileKind, id: &str) -> String {
    match kind {
        FileKind::Article => id.to_string(),
        _ => format!("collection-{id}"),
    }
}

/// Intercom's time for a file's locale of `object`: the translation's, else the object's.
pub fn remote_time(object: &Value, locale: &Locale) -> Option<i64> {
    super::payload::remote_locale(object, locale.as_str())
        .and_then(super::payload::updated_at)
        .or_else(|| super::payload::updated_at(object))
}

/// Sends a `POST`: the answer, or the failure's message (a refused token is returned as an
/// error: nothing else can succeed then).
async fn send(
    client: &Client,
    path: &str,
    body: &Value,
) -> Result<std::result::Result<Value, String>> {
    match client.send_json(Method::POST, path, body).await {
        Ok(answer) => Ok(Ok(answer)),
        Err(Error::Auth(message)) => Err(Error::Auth(message)),
        Err(e) => Ok(Err(e.to_string())),
    }
}

fn failed(mut entry: FileReport, message: String) -> FileReport {
    entry.outcome = Outcome::Failed;
    entry.detail = Some(message);
    entry
}

/// Creates one new article in `collection` (`None`: its new collection was not created) and
/// writes its id back; failures are reported, not returned.
pub async fn create_article(
    client: &Client,
    options: &PushOptions,
    article: &NewArticle,
    place: &Place<'_>,
    journal: &PushJournal,
    report: &mut PushReport,
) -> Result<()> {
    let (collection, multilingual) = (place.collection, place.multilingual);
    let mut entry = FileReport::new(&article.rel, Outcome::WouldCreate);
    entry.locale = Some(article.locale.to_string());
    entry.fields = super::payload::FIELDS
        .iter()
        .map(|f| f.to_string())
        .collect();
    if options.dry_run {
        report.add(entry);
        return Ok(());
    }
    let Some(collection) = collection else {
        let why = "not created: its new collection was not created".to_string();
        report.add(failed(entry, why));
        return Ok(());
    };
    let body = create_body(article, collection, multilingual);
    let creating = Creating {
        request: "POST /articles".to_string(),
        kind: FileKind::Article,
        path: article.rel.clone(),
        locale: article.locale.clone(),
        sha256: file_sha256(&article.path)?,
        title: article.content.title.clone(),
        parent: Some(collection.to_string()),
    };
    // The body Intercom holds now is the base of the file's next edit.
    let record = |answer: &Value| {
        let stored = super::payload::remote_locale(answer, article.locale.as_str())
            .and_then(|r| r.get("body"))
            .and_then(Value::as_str)
            .unwrap_or(&article.content.body);
        base::body_record(&options.content, stored, place.assets, &article.rel).map(Some)
    };
    let (id, updated_at) =
        match create_file(client, journal, creating, &article.path, &body, record).await? {
            Ok(created) => created,
            Err(message) => {
                report.add(failed(entry, message));
                return Ok(());
            }
        };
    entry.outcome = Outcome::Created;
    entry.article_id = Some(id);
    entry.remote_updated_at = updated_at;
    report.add(entry);
    Ok(())
}

/// Where a new article goes, and what its body record needs.
pub struct Place<'a> {
    /// The id of its collection; `None` when that collection could not be created.
    pub collection: Option<&'a str>,
    /// Whether the help center has several locales (the body gets `translated_content`).
    pub multilingual: bool,
    /// The tree's assets, to write the body record as an export would.
    pub assets: &'a crate::assets::LocalAssets,
}

/// The id of the created article, checked to be safe in a file (it is written into one).
fn new_id(answer: &Value, rel: &str) -> Result<String> {
    let id = object_id(answer).ok_or_else(|| {
        Error::data(format!(
            "{rel}: Intercom created the article but answered no id; find it in Intercom and \
             add its `id` to the file before pushing again"
        ))
    })?;
    checked_id(&id)
        .map_err(|why| Error::data(format!("{rel}: Intercom answered id {id:?}: {why}")))?;
    Ok(id)
}

/// The base entry of a created file, as if it had been exported with these bytes.
fn base_entry(
    kind: FileKind,
    id: &str,
    locale: &Locale,
    updated_at: Option<i64>,
    bytes: &[u8],
) -> BaseEntry {
    let hash = file_entry(bytes);
    let file = base::NewFile {
        kind,
        id: Some(id.to_string()),
        locale: locale.clone(),
    };
    file.entry(updated_at, hash.sha256, hash.bytes)
}

/// The file's bytes with `id` and `translationKey` in its front matter (the journal records the
/// create, then writes them).
fn with_id_bytes(path: &Path, id: &str, key: &str) -> Result<Vec<u8>> {
    let text = fs::read_to_string(path).map_err(|e| Error::io(path, "read", e))?;
    Ok(with_id(&text, id, key).into_bytes())
}

/// sha256 of a file as it is now.
fn file_sha256(path: &Path) -> Result<String> {
    let bytes = fs::read(path).map_err(|e| Error::io(path, "read", e))?;
    Ok(file_entry(&bytes).sha256)
}

/// The `id` in a file's front matter, when it has a non-empty one (`None` too for front matter
/// that does not parse: the loader reports it).
pub fn front_matter_id(text: &str) -> Option<String> {
    let document = crate::tree::parse_front_matter(text).ok()?;
    let id = document.fields.iter().find(|f| f.key == "id")?;
    id.value
        .text()
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_language_create_body_has_top_level_fields_only() {
        let article = NewArticle {
            path: "c/en/new.md".into(),
            rel: "en/new.md".into(),
            locale: Locale::parse("en").unwrap(),
            parent: crate::tree::NewParent::Collection("7".into()),
            order: None,
            content: crate::model::ArticleContent {
                title: "T".into(),
                description: "D".into(),
                body: "<p>b</p>".into(),
                author_id: None,
                state: crate::model::State::Published,
                created_at: None,
                updated_at: None,
                url: None,
                slug: "t".into(),
                recorded_path: None,
            },
        };
        assert_eq!(
            serde_json::to_string(&create_body(&article, "7", false)).unwrap(),
            r#"{"title":"T","description":"D","body":"<p>b</p>","author_id":null,"state":"published","parent_id":7,"parent_type":"collection"}"#
        );
    }

    #[test]
    fn the_id_is_read_from_the_front_matter_only() {
        let text = "---\ntitle: New\nid:\n---\n\nid: stays\n";
        assert_eq!(front_matter_id(text), None);
        let written = crate::tree::with_id(text, "42", "42");
        assert_eq!(front_matter_id(&written).as_deref(), Some("42"));
        assert_eq!(
            front_matter_id("---\nid: 'x7' # quoted\n---\n").as_deref(),
            Some("x7")
        );
        assert_eq!(front_matter_id("---\ntitle: x\n---\nid: 7\n"), None);
    }
}
