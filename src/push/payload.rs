//! The JSON a push sends, and how it compares with the remote copy.
//!
//! Nothing the writer did not edit is sent as anything but what Intercom has: a body that says
//! what the remote body says (equal after `normalize_html`) is sent as the remote body, byte for
//! byte. An article with translations gets each changed locale as a whole `article_content`
//! (the published schema requires every field of it); an article without gets only its
//! changed fields, at the top level.

use serde_json::{json, Map, Value};

use super::plan::LocaleEdit;
use super::report::FieldDiff;
use crate::assets::LocalAssets;
use crate::markdown::normalize_html;
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

/// The whole `article_content` for one edited locale. The body is the remote body (`remote`
/// is this locale's remote copy) when the file's body says the same thing; the author falls
/// back to `author_from`'s (the remote locale, or the article for a new translation).
pub fn article_content(
    edit: &LocaleEdit,
    remote: Option<&Value>,
    author_from: Option<&Value>,
) -> Value {
    let c = &edit.content;
    let remote_body = remote.and_then(|r| r.get("body")).and_then(Value::as_str);
    let body = match remote_body {
        Some(remote_body) if same_body(remote_body, &c.body) => remote_body,
        _ => c.body.as_str(),
    };
    let author = c
        .author_id
        .as_deref()
        .map(api_id)
        .or_else(|| author_from.and_then(|r| r.get("author_id")).cloned())
        .unwrap_or(Value::Null);
    content_json(c, body, author)
}

/// The top-level fields of `content` named in `fields`, in [`FIELDS`] order: what an article
/// without translations is sent.
pub fn only(content: &Value, fields: &[String]) -> Value {
    let kept: Map<String, Value> = FIELDS
        .iter()
        .filter(|f| fields.iter().any(|g| g == *f))
        .filter_map(|f| content.get(*f).map(|v| (f.to_string(), v.clone())))
        .collect();
    Value::Object(kept)
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

/// The `PUT /articles/{id}` body: the locales in `translated_content`, or (`multilingual`
/// false) the one locale's fields, already at the top level (see [`only`]).
pub fn update_body(multilingual: bool, locales: Vec<(String, Value)>) -> Value {
    if !multilingual {
        let (_, fields) = locales.into_iter().next().expect("one locale at least");
        return fields;
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
    if field == "body" {
        return same_body(&text(a), &text(b));
    }
    text(a) == text(b)
}

/// A field's value as text (`""` for none or null).
fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Whether two bodies say the same thing: equal after `normalize_html` (attribute order,
/// entity spelling, comments and whitespace between blocks do not count).
fn same_body(a: &str, b: &str) -> bool {
    a == b || normalize_html(a) == normalize_html(b)
}

/// The exact change of every field in `fields` from `remote` to `sent`: text fields as their
/// two values, the body as a line diff of its HTML, one line per top-level block.
pub fn field_diffs(sent: &Value, remote: Option<&Value>, fields: &[String]) -> Vec<FieldDiff> {
    fields
        .iter()
        .filter_map(|field| {
            let (old, new) = (
                text(remote.and_then(|r| r.get(field))),
                text(sent.get(field)),
            );
            let diff = if field == "body" {
                super::diff::html_blocks(&old, &new)?
            } else {
                super::diff::values(&old, &new)?
            };
            Some(FieldDiff {
                field: field.clone(),
                diff,
            })
        })
        .collect()
}

/// The remote body as Markdown, the way an export writes it into the file at `file_key`
/// (assets with a copy in the tree point at it).
pub fn remote_markdown(remote: Option<&Value>, assets: &LocalAssets, file_key: &str) -> String {
    let body = remote.and_then(|r| r.get("body")).and_then(Value::as_str);
    crate::tree::bodies::convert_remote(body.unwrap_or(""), assets, file_key).markdown()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_language_article_takes_its_changed_fields_at_the_top_level() {
        let content = json!({"type": "article_content", "title": "T", "description": "D", "body": "<p>b</p>"});
        let fields = only(&content, &["description".to_string(), "title".to_string()]);
        assert_eq!(
            serde_json::to_string(&update_body(false, vec![("en".into(), fields)])).unwrap(),
            r#"{"title":"T","description":"D"}"#
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
        let diffs = field_diffs(&sent, Some(&remote), &["state".to_string()]);
        assert_eq!(
            diffs,
            [FieldDiff {
                field: "state".into(),
                diff: "-published\n+draft\n".into()
            }]
        );
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
