//! The JSON sent to Intercom and read back from it.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::state::Created;
use crate::push::payload::api_id;
use crate::snapshot::id_field;

/// The new id and per-locale URLs from Intercom's answer to a create (or a list item).
pub(super) fn created_from(answer: &Value) -> Option<Created> {
    let id = id_field(answer, "id")?;
    Some(Created {
        id,
        urls: urls_of(answer),
    })
}

/// Public URLs by locale: each translation's `url`, and the top-level one for the default locale.
pub(super) fn urls_of(object: &Value) -> BTreeMap<String, String> {
    let mut urls: BTreeMap<String, String> = locales(object)
        .into_iter()
        .filter_map(|(l, c)| Some((l, c.get("url")?.as_str()?.to_string())))
        .collect();
    if let Some(url) = object.get("url").and_then(Value::as_str) {
        let locale = id_field(object, "default_locale").unwrap_or_else(|| "en".into());
        urls.entry(locale).or_insert_with(|| url.to_string());
    }
    urls
}

/// The translations that exist (object-valued), by locale.
pub(super) fn locales(object: &Value) -> Vec<(String, &Map<String, Value>)> {
    match object.get("translated_content") {
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(l, c)| Some((l.clone(), c.as_object()?)))
            .collect(),
        _ => Vec::new(),
    }
}

/// The `POST /help_center/collections` body: names and descriptions in every locale.
pub(super) fn group_body(group: &Value, parent: Option<&str>, help_center: &str) -> Value {
    let mut body = json!({
        "name": group.get("name").cloned().unwrap_or(Value::Null),
        "description": text_or_empty(group, "description"),
        "parent_id": parent.map_or(Value::Null, api_id),
        "help_center_id": api_id(help_center),
    });
    let translations = locales(group);
    if !translations.is_empty() {
        let mut content = Map::new();
        content.insert("type".into(), json!("group_translated_content"));
        for (locale, c) in translations {
            content.insert(
                locale,
                json!({
                    "type": "group_content",
                    "name": c.get("name").cloned().unwrap_or(Value::Null),
                    "description": text_or_empty(c, "description"),
                }),
            );
        }
        body["translated_content"] = Value::Object(content);
    }
    body
}

/// The `POST /articles` body: the default locale at the top level, every locale whole in
/// `translated_content`, each with its own state and author.
pub(super) fn article_body(article: &Value, parent: Option<&str>, author: Option<&str>) -> Value {
    let top_author = author.map_or_else(
        || article.get("author_id").cloned().unwrap_or(Value::Null),
        api_id,
    );
    let mut body = json!({
        "title": article.get("title").cloned().unwrap_or(Value::Null),
        "description": text_or_empty(article, "description"),
        "body": article.get("body").cloned().unwrap_or_else(|| json!("")),
        "author_id": top_author,
        "state": article.get("state").cloned().unwrap_or_else(|| json!("draft")),
    });
    if let Some(parent) = parent {
        body["parent_id"] = api_id(parent);
        body["parent_type"] = json!("collection");
    }
    let translations = locales(article);
    if !translations.is_empty() {
        let mut content = Map::new();
        content.insert("type".into(), json!("article_translated_content"));
        for (locale, c) in translations {
            let body = c
                .get("body")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            content.insert(
                locale,
                article_content(c, body, author, &body_author(article)),
            );
        }
        body["translated_content"] = Value::Object(content);
    }
    body
}

pub(super) fn body_author(article: &Value) -> Value {
    article.get("author_id").cloned().unwrap_or(Value::Null)
}

/// One locale as the whole `article_content` the API's schema asks for.
pub(super) fn article_content(
    c: &Map<String, Value>,
    body: String,
    author: Option<&str>,
    fallback: &Value,
) -> Value {
    let author = match author {
        Some(id) => api_id(id),
        None => c
            .get("author_id")
            .filter(|a| !a.is_null())
            .cloned()
            .unwrap_or_else(|| fallback.clone()),
    };
    json!({
        "type": "article_content",
        "title": c.get("title").cloned().unwrap_or(Value::Null),
        "description": text_or_empty(c, "description"),
        "body": body,
        "author_id": author,
        "state": c.get("state").cloned().unwrap_or_else(|| json!("draft")),
    })
}

/// The `PUT /articles/{id}` body of pass 3: only the locales whose links changed, each whole.
pub(super) fn relink_body(
    article: &Value,
    changed: Vec<(String, String)>,
    author: Option<&str>,
) -> Value {
    let translations: BTreeMap<String, &Map<String, Value>> =
        locales(article).into_iter().collect();
    if translations.is_empty() {
        let body = changed
            .into_iter()
            .next()
            .map(|(_, b)| b)
            .unwrap_or_default();
        return json!({ "body": body });
    }
    let mut content = Map::new();
    for (locale, body) in changed {
        if let Some(c) = translations.get(&locale) {
            content.insert(
                locale.clone(),
                article_content(c, body, author, &body_author(article)),
            );
        }
    }
    json!({ "translated_content": Value::Object(content) })
}

/// A string field, or `""` when absent or null: the API's schema wants a string.
fn text_or_empty(object: &impl Field, field: &str) -> Value {
    match object.field(field) {
        Some(Value::String(s)) => json!(s),
        _ => json!(""),
    }
}

/// Field access on an object or a map, for [`text_or_empty`].
trait Field {
    fn field(&self, name: &str) -> Option<&Value>;
}

impl Field for Value {
    fn field(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

impl Field for Map<String, Value> {
    fn field(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article() -> Value {
        json!({
            "id": "5", "title": "Hi", "description": "d", "body": "<p>en</p>", "author_id": 11,
            "state": "published", "parent_id": 3, "default_locale": "en",
            "url": "https://old.test/en/articles/5-hi",
            "translated_content": {
                "type": "article_translated_content",
                "en": {"type": "article_content", "title": "Hi", "description": "d",
                       "body": "<p>en</p>", "author_id": 11, "state": "published",
                       "url": "https://old.test/en/articles/5-hi", "created_at": 1},
                "fr": {"type": "article_content", "title": "Salut", "description": "",
                       "body": "<p>fr</p>", "author_id": null, "state": "draft",
                       "url": "https://old.test/fr/articles/5-salut"},
                "de": null
            }
        })
    }

    #[test]
    fn an_article_is_created_with_every_locale_whole() {
        assert_eq!(
            article_body(&article(), Some("30"), None),
            json!({
                "title": "Hi", "description": "d", "body": "<p>en</p>", "author_id": 11,
                "state": "published", "parent_id": 30, "parent_type": "collection",
                "translated_content": {
                    "type": "article_translated_content",
                    "en": {"type": "article_content", "title": "Hi", "description": "d",
                           "body": "<p>en</p>", "author_id": 11, "state": "published"},
                    "fr": {"type": "article_content", "title": "Salut", "description": "",
                           "body": "<p>fr</p>", "author_id": 11, "state": "draft"}
                }
            })
        );
        let standalone = article_body(&article(), None, Some("99"));
        assert_eq!(standalone.get("parent_id"), None);
        assert_eq!(standalone["author_id"], 99);
        assert_eq!(standalone["translated_content"]["fr"]["author_id"], 99);
    }

    #[test]
    fn a_relink_sends_only_the_changed_locales() {
        let changed = vec![("fr".to_string(), "<p>new</p>".to_string())];
        assert_eq!(
            relink_body(&article(), changed, None),
            json!({"translated_content": {
                "fr": {"type": "article_content", "title": "Salut", "description": "",
                       "body": "<p>new</p>", "author_id": 11, "state": "draft"}
            }})
        );
        let plain = json!({"id": "6", "body": "<p>x</p>"});
        let changed = vec![("en".to_string(), "<p>y</p>".to_string())];
        assert_eq!(
            relink_body(&plain, changed, None),
            json!({"body": "<p>y</p>"})
        );
    }

    #[test]
    fn a_collection_is_created_with_its_translations_under_its_new_parent() {
        let group = json!({
            "id": "3", "name": "Start", "description": null, "parent_id": "1",
            "translated_content": {"type": "group_translated_content",
                "en": {"type": "group_content", "name": "Start", "description": "s"},
                "fr": {"type": "group_content", "name": "Début", "description": null}}
        });
        assert_eq!(
            group_body(&group, Some("10"), "77"),
            json!({
                "name": "Start", "description": "", "parent_id": 10, "help_center_id": 77,
                "translated_content": {"type": "group_translated_content",
                    "en": {"type": "group_content", "name": "Start", "description": "s"},
                    "fr": {"type": "group_content", "name": "Début", "description": ""}}
            })
        );
    }

    #[test]
    fn urls_come_from_translations_and_the_top_level() {
        let created = created_from(&article()).unwrap();
        assert_eq!(created.id, "5");
        assert_eq!(
            created.urls,
            [
                (
                    "en".to_string(),
                    "https://old.test/en/articles/5-hi".to_string()
                ),
                (
                    "fr".to_string(),
                    "https://old.test/fr/articles/5-salut".to_string()
                ),
            ]
            .into()
        );
    }
}
