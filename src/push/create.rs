//! Creating new articles: an article file without `id` is sent as `POST /articles` under the
//! collection of its folder, and the id Intercom answers is written back at once, first into
//! the file's front matter, then into the base record (each atomically: temp file, fsync,
//! rename), so a second push finds an exported, unchanged file and sends nothing.
//!
//! The one window for a duplicate is between Intercom's answer and the file's write-back: a
//! push killed there (or whose answer was lost: a dropped connection after the server acted,
//! which the client does not retry and reports as "may or may not have been applied") leaves
//! the file without an id, and the next push creates the article again. Check Intercom before
//! pushing again after such a failure. A push killed between the two write-backs leaves a file
//! with its id but no base entry; it is reported and never sent again.
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
use super::payload::{api_id, content_json, top_level};
use super::report::{FileReport, Outcome, PushReport};
use super::PushOptions;
use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::model::Locale;
use crate::snapshot::{checked_id, file_entry, object_id};
use crate::tree::{BaseEntry, FileKind, NewArticle, NewGroup};

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
    let answer = match send(client, "/help_center/collections", &body).await? {
        Ok(answer) => answer,
        Err(message) => {
            report.add(failed(entry, message));
            return Ok(None);
        }
    };
    let id = new_id(&answer, &group.rel)?;
    let bytes = write_id(&group.path, &id, &format!("collection-{id}"))?;
    let updated_at = super::payload::updated_at(&answer);
    let base_entry = base_entry(FileKind::Collection, &id, &group.locale, updated_at, &bytes);
    add_to_base(&options.content, &group.rel, base_entry)?;
    entry.outcome = Outcome::Created;
    entry.collection_id = Some(id.clone());
    report.add(entry);
    Ok(Some(id))
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
    let answer = match send(client, "/articles", &body).await? {
        Ok(answer) => answer,
        Err(message) => {
            report.add(failed(entry, message));
            return Ok(());
        }
    };
    let id = new_id(&answer, &article.rel)?;
    let bytes = write_id(&article.path, &id, &id)?;
    let updated_at = super::payload::remote_locale(&answer, article.locale.as_str())
        .and_then(super::payload::updated_at);
    let mut base_entry = base_entry(FileKind::Article, &id, &article.locale, updated_at, &bytes);
    // The body Intercom holds now is the base of the file's next edit.
    let stored = super::payload::remote_locale(&answer, article.locale.as_str())
        .and_then(|r| r.get("body"))
        .and_then(Value::as_str)
        .unwrap_or(&article.content.body);
    let record = base::body_record(&options.content, stored, place.assets, &article.rel)?;
    base_entry.body = Some(record);
    add_to_base(&options.content, &article.rel, base_entry)?;
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

/// Adds a created file to the base record (atomically).
fn add_to_base(content: &Path, rel: &str, entry: BaseEntry) -> Result<()> {
    base::update(content, |base, _| {
        base.files.insert(rel.to_string(), entry);
        Ok(())
    })
}

/// Writes `id` and `translationKey` into the file's front matter atomically; returns the new
/// bytes.
fn write_id(path: &Path, id: &str, key: &str) -> Result<Vec<u8>> {
    let text = fs::read_to_string(path).map_err(|e| Error::io(path, "read", e))?;
    let bytes = crate::tree::with_id(&text, id, key).into_bytes();
    // The temp file has a hidden name: the loader skips it should a crash leave it behind.
    crate::durable::write_atomically(path, &bytes)?;
    Ok(bytes)
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
}
