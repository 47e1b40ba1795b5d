//! The JSON a push sends, and how it compares with the remote copy.

use serde_json::{json, Map, Value};

use super::plan::LocaleEdit;
use crate::assets::LocalAssets;
use crate::markdown::{html_to_markdown, normalize_html};
use crate::model::{ArticleContent, State};

/// The fields of an `article_content` that a push sends, in the order they are compared.
pub const FIELDS: [&str; 5] = ["title", "description", "body", "author_id", "state"];

/// The remote copy of one locale: `translated_content.<locale>` when the article has
/// translations, else the article itself (a help center with one language).
pub fn remote_locale<'a>(article: &'a Value, locale: &str) -> Option<&'a Value> {
    match article.get("translated_content") {
        Some(Value::Object(translations)) => translations.get(locale).filter(|v| v.is_object()),
        _ => Some(article),
    }
}

/// Whether the article answers with `translated_content` (a multilingual help center).
pub fn is_multilingual(article: &Value) -> bool {
    matches!(article.get("translated_content"), Some(Value::Object(_)))
}

/// A remote `updated_at` (Unix seconds).
pub fn updated_at(object: &Value) -> Option<i64> {
    object.get("updated_at").and_then(Value::as_i64)
}

/// The whole `article_content` for one edited locale; the author falls back to the remote one.
///
/// The schema wants the body sent even when only the title changed. `unchanged_body` is this
/// locale's remote body when the file's Markdown says the same thing; it is then sent back
/// sanitised (which keeps Intercom's spelling of clean HTML) rather than re-rendered from
/// Markdown, so an edit of other fields does not respell the body.
pub fn article_content(
    edit: &LocaleEdit,
    remote: Option<&Value>,
    unchanged_body: Option<&str>,
) -> Value {
    let c = &edit.content;
    let body = unchanged_body.map_or_else(|| c.body.clone(), crate::html::sanitize);
    let author = c
        .author_id
        .as_deref()
        .map(api_id)
        .or_else(|| remote.and_then(|r| r.get("author_id")).cloned())
        .unwrap_or(Value::Null);
    content_json(c, &body, author)
}

/// An `article_content` object of `content` with this `body` and `author_id`: what an edit
/// (`PUT`) and a new article (`POST`) send for one locale, fields in [`FIELDS`] order.
pub fn content_json(content: &ArticleContent, body: &str, author: Value) -> Value {
    let state = match content.state {
        State::Published => "published",
        State::Draft => "draft",
    };
    json!({
        "type": "article_content",
        "title": content.title,
        "description": content.description,
        "body": body,
        "author_id": author,
        "state": state,
    })
}

/// `content` as top-level article fields: without its `"type"`, the rest in order.
pub fn top_level(mut content: Value) -> Value {
    content
        .as_object_mut()
        .expect("an object")
        .shift_remove("type");
    content
}

/// An id as the API takes it in a body (`author_id`, `parent_id`): integers as numbers,
/// anything else as written.
pub(crate) fn api_id(id: &str) -> Value {
    id.parse::<i64>().map_or_else(|_| json!(id), |n| json!(n))
}

/// The `PUT /articles/{id}` body: the locales in `translated_content`, or the one locale's
/// fields at the top level when the article has no translations.
pub fn update_body(multilingual: bool, locales: Vec<(String, Value)>) -> Value {
    if !multilingual {
        let (_, content) = locales.into_iter().next().expect("one locale at least");
        return top_level(content);
    }
    let map: Map<String, Value> = locales.into_iter().collect();
    json!({ "translated_content": map })
}

/// The fields of `sent` that differ from `remote` (all of them when there is no remote copy).
pub fn changed_fields(sent: &Value, remote: Option<&Value>) -> Vec<String> {
    let Some(remote) = remote else {
        return FIELDS.iter().map(|f| f.to_string()).collect();
    };
    FIELDS
        .iter()
        .filter(|field| !same(field, sent.get(**field), remote.get(**field)))
        .map(|f| f.to_string())
        .collect()
}

fn same(field: &str, a: Option<&Value>, b: Option<&Value>) -> bool {
    let text = |v: Option<&Value>| match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if field == "body" {
        return normalize_html(&text(a)) == normalize_html(&text(b));
    }
    text(a) == text(b)
}

/// The remote body as Markdown, the way an export writes it into the file at `file_key`
/// (assets with a copy in the tree point at it).
pub fn remote_markdown(remote: Option<&Value>, assets: &LocalAssets, file_key: &str) -> String {
    let body = remote.and_then(|r| r.get("body")).and_then(Value::as_str);
    html_to_markdown(&crate::tree::localize(body.unwrap_or(""), assets, file_key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_language_article_takes_top_level_fields() {
        let content = json!({"type": "article_content", "title": "T"});
        assert_eq!(
            update_body(false, vec![("en".into(), content.clone())]),
            json!({"title": "T"})
        );
        assert_eq!(
            update_body(true, vec![("fr".into(), content.clone())]),
            json!({"translated_content": {"fr": content}})
        );
    }

    #[test]
    fn fields_compare_as_text_and_bodies_as_normalised_html() {
        let sent = json!({"title": "A", "description": "", "body": "<p>x</p>", "author_id": 5, "state": "draft"});
        let remote = json!({"title": "A", "description": null, "body": "<p>x</p>\n", "author_id": "5", "state": "published"});
        assert_eq!(changed_fields(&sent, Some(&remote)), vec!["state"]);
        assert_eq!(changed_fields(&sent, None).len(), 5);
    }

    #[test]
    fn remote_locales() {
        let multi =
            json!({"updated_at": 1, "translated_content": {"type": "x", "fr": {"updated_at": 2}}});
        assert_eq!(remote_locale(&multi, "fr").and_then(updated_at), Some(2));
        assert!(remote_locale(&multi, "de").is_none());
        assert!(remote_locale(&multi, "type").is_none());
        let single = json!({"updated_at": 1, "translated_content": null});
        assert_eq!(remote_locale(&single, "en").and_then(updated_at), Some(1));
        assert!(!is_multilingual(&single) && is_multilingual(&multi));
    }
}
