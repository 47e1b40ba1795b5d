//! Writes: `PUT /articles/{id}` merges the locales it is given into the stored article, checking
//! each against the published `article_content` schema, and stamps them with a fresh time.

use serde_json::{Map, Value};

use super::super::super::workspace::id_of;
use super::super::respond::ApiError;
use super::super::version::ApiVersion;
use super::convert::ArticleLens;
use super::Store;
use axum::http::StatusCode;

/// The locales of a `translated_content`, in request order.
type Locales = Vec<(String, Map<String, Value>)>;

/// Every field an `article_content` sent in `translated_content` must have.
const REQUIRED: [&str; 6] = ["type", "title", "description", "body", "author_id", "state"];
/// Fields that may be set at the top level of an article.
const TOP_LEVEL: [&str; 5] = ["title", "description", "body", "author_id", "state"];

impl Store {
    /// Applies a `PUT /articles/{id}` body and answers the updated article as `version` sees it.
    pub fn update_article(
        &mut self,
        version: ApiVersion,
        id: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        let Value::Object(fields) = body else {
            return Err(invalid("body", "the request body must be a JSON object"));
        };
        let translations = translations(fields)?;
        check_top_level(fields)?;
        let now = self.tick();
        let stored = self.workspace_mut().article_mut(id).ok_or_else(|| {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", "Article Not Found")
        })?;
        let default_locale = stored
            .get("default_locale")
            .and_then(Value::as_str)
            .unwrap_or("en")
            .to_string();
        for (locale, content) in translations {
            merge_locale(stored, &locale, content, now);
            if locale == default_locale {
                let fields = translation(stored, &locale);
                copy_fields(stored, fields, now);
            }
        }
        let top: Map<String, Value> = TOP_LEVEL
            .iter()
            .filter_map(|k| fields.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        if !top.is_empty() {
            copy_fields(stored, top.clone(), now);
            if stored
                .get("translated_content")
                .is_some_and(Value::is_object)
            {
                merge_locale(stored, &default_locale, top, now);
            }
        }
        let stored = self.workspace().article(id).expect("just updated");
        Ok(ArticleLens::new(self.workspace(), version).show(stored, false))
    }

    /// A time later than every time handed out before and than every stored `updated_at`.
    fn tick(&mut self) -> i64 {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let newest = self
            .workspace()
            .articles
            .iter()
            .flat_map(times)
            .chain(self.workspace().collections.iter().flat_map(times))
            .max()
            .unwrap_or(0);
        let next = now.max(newest + 1).max(self.clock + 1);
        self.clock = next;
        next
    }
}

/// Every `updated_at` of an article, its translations' included.
fn times(article: &Value) -> Vec<i64> {
    let mut out: Vec<i64> = article
        .get("updated_at")
        .and_then(Value::as_i64)
        .into_iter()
        .collect();
    if let Some(Value::Object(translations)) = article.get("translated_content") {
        out.extend(
            translations
                .values()
                .filter_map(|t| t.get("updated_at")?.as_i64()),
        );
    }
    out
}

/// A request's `translated_content` object, if it has one; 400 when it is not an object.
fn translated_content(
    fields: &Map<String, Value>,
) -> Result<Option<&Map<String, Value>>, ApiError> {
    match fields.get("translated_content") {
        None => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(invalid(
            "translated_content",
            "translated_content must be an object",
        )),
    }
}

/// The `translated_content` locales of a request, each checked against the schema.
fn translations(fields: &Map<String, Value>) -> Result<Locales, ApiError> {
    let Some(map) = translated_content(fields)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (locale, content) in map {
        if locale == "type" {
            continue;
        }
        let Value::Object(content) = content else {
            return Err(invalid(
                "translated_content",
                "each locale must be an article_content",
            ));
        };
        check_content(content)?;
        out.push((locale.clone(), content.clone()));
    }
    Ok(out)
}

fn check_content(content: &Map<String, Value>) -> Result<(), ApiError> {
    if let Some(missing) = REQUIRED.iter().find(|k| !content.contains_key(**k)) {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "parameter_not_found",
            missing,
            format!("{missing} is required in every article_content"),
        ));
    }
    if content.get("type").and_then(Value::as_str) != Some("article_content") {
        return Err(invalid("type", "type must be article_content"));
    }
    check_state(content)
}

fn check_top_level(fields: &Map<String, Value>) -> Result<(), ApiError> {
    if fields.contains_key("state") {
        check_state(fields)?;
    }
    Ok(())
}

fn check_state(fields: &Map<String, Value>) -> Result<(), ApiError> {
    match fields.get("state").and_then(Value::as_str) {
        Some("published" | "draft") => Ok(()),
        _ => Err(invalid("state", "state must be published or draft")),
    }
}

fn invalid(field: &'static str, message: &str) -> ApiError {
    ApiError::field(StatusCode::BAD_REQUEST, "parameter_invalid", field, message)
}

/// Merges `content` into `translated_content.<locale>`, creating it when absent.
fn merge_locale(article: &mut Value, locale: &str, content: Map<String, Value>, now: i64) {
    let translations = article
        .as_object_mut()
        .expect("articles are objects")
        .entry("translated_content")
        .or_insert_with(|| serde_json::json!({"type": "article_translated_content"}));
    if !translations.is_object() {
        *translations = serde_json::json!({"type": "article_translated_content"});
    }
    let target = translations
        .as_object_mut()
        .expect("an object")
        .entry(locale.to_string())
        .or_insert_with(|| serde_json::json!({"type": "article_content", "created_at": now}));
    let target = target
        .as_object_mut()
        .expect("article_content is an object");
    for (key, value) in content {
        target.insert(key, value);
    }
    target.insert("updated_at".into(), now.into());
}

/// The stored fields of one translation that mirror to the top level.
fn translation(article: &Value, locale: &str) -> Map<String, Value> {
    let content = &article["translated_content"][locale];
    TOP_LEVEL
        .iter()
        .filter_map(|k| content.get(*k).map(|v| (k.to_string(), v.clone())))
        .collect()
}

/// Sets top-level fields and bumps the article's `updated_at`.
fn copy_fields(article: &mut Value, fields: Map<String, Value>, now: i64) {
    let object = article.as_object_mut().expect("articles are objects");
    for (key, value) in fields {
        object.insert(key, value);
    }
    object.insert("updated_at".into(), now.into());
}

impl Store {
    /// Applies a `PUT /help_center/collections/{id}` body (`name`, `description`,
    /// `translated_content` of `group_content`s) to a stored collection and answers it as
    /// `version` sees it.
    pub fn update_collection(
        &mut self,
        version: ApiVersion,
        id: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        let (fields, translations) = group_update(body)?;
        let now = self.tick();
        let stored = (self.workspace_mut().collections.iter_mut())
            .find(|c| id_of(c).as_deref() == Some(id))
            .ok_or_else(|| {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", "Collection Not Found")
            })?;
        merge_group(stored, &fields, translations, now);
        Ok(self.collection(version, id).expect("just updated"))
    }

    /// Applies a `PUT /help_center/sections/{id}` body (2.9): merges names and descriptions.
    /// A 2.9 section of a nested workspace is stored as a second-level collection.
    pub fn update_section(
        &mut self,
        version: ApiVersion,
        id: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        if self.section(version, id).is_none() {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "Section Not Found",
            ));
        }
        let (fields, translations) = group_update(body)?;
        let now = self.tick();
        let workspace = self.workspace_mut();
        let stored = (workspace.sections.iter_mut())
            .chain(workspace.collections.iter_mut())
            .find(|g| id_of(g).as_deref() == Some(id))
            .expect("a listed section is stored");
        merge_group(stored, &fields, translations, now);
        Ok(self.section(version, id).expect("just updated"))
    }
}

/// A group update's top-level fields and its `group_content`s.
fn group_update(body: &Value) -> Result<(Map<String, Value>, Locales), ApiError> {
    let Value::Object(fields) = body else {
        return Err(invalid("body", "the request body must be a JSON object"));
    };
    Ok((fields.clone(), group_translations(fields)?))
}

/// Merges a collection's or section's new names and descriptions and stamps it with `now`.
fn merge_group(stored: &mut Value, fields: &Map<String, Value>, translations: Locales, now: i64) {
    let default_locale = stored
        .get("default_locale")
        .and_then(Value::as_str)
        .unwrap_or("en")
        .to_string();
    let object = stored.as_object_mut().expect("collections are objects");
    for key in ["name", "description"] {
        if let Some(value) = fields.get(key) {
            object.insert(key.to_string(), value.clone());
        }
    }
    for (locale, content) in translations {
        if locale == default_locale {
            for key in ["name", "description"] {
                if let Some(value) = content.get(key) {
                    object.insert(key.to_string(), value.clone());
                }
            }
        }
        let translated = object
            .entry("translated_content")
            .or_insert_with(|| serde_json::json!({"type": "group_translated_content"}));
        let target = translated
            .as_object_mut()
            .expect("translated_content is an object")
            .entry(locale)
            .or_insert_with(|| serde_json::json!({"type": "group_content"}));
        for (key, value) in content {
            target[key.as_str()] = value;
        }
    }
    object.insert("updated_at".into(), now.into());
}

/// The `group_content`s of a collection update; each needs a string `name`.
fn group_translations(fields: &Map<String, Value>) -> Result<Locales, ApiError> {
    let Some(map) = translated_content(fields)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (locale, content) in map.iter().filter(|(k, _)| *k != "type") {
        match content {
            Value::Object(c) if c.get("name").is_some_and(Value::is_string) => {
                out.push((locale.clone(), c.clone()));
            }
            _ => {
                return Err(ApiError::field(
                    StatusCode::BAD_REQUEST,
                    "parameter_not_found",
                    "name",
                    "name is required in every group_content",
                ))
            }
        }
    }
    Ok(out)
}

impl Store {
    /// Applies `POST /help_center/collections`: needs a string `name`; `parent_id` (an existing
    /// collection) and `help_center_id` are kept. Answers the new collection like a `GET`.
    pub fn create_collection(
        &mut self,
        version: ApiVersion,
        body: &Value,
    ) -> Result<Value, ApiError> {
        let Value::Object(fields) = body else {
            return Err(invalid("body", "the request body must be a JSON object"));
        };
        let Some(name) = fields.get("name").filter(|v| v.is_string()).cloned() else {
            return Err(ApiError::field(
                StatusCode::BAD_REQUEST,
                "parameter_not_found",
                "name",
                "name is required",
            ));
        };
        let parent = fields.get("parent_id").cloned().unwrap_or(Value::Null);
        let parent_id = match &parent {
            Value::Null => Value::Null,
            Value::Number(n) => Value::String(n.to_string()),
            other => other.clone(),
        };
        if let Some(parent) = parent_id.as_str() {
            let known = self
                .workspace()
                .collections
                .iter()
                .any(|c| id_of(c).as_deref() == Some(parent));
            if !known {
                return Err(invalid("parent_id", "parent_id is not a collection"));
            }
        }
        let description = fields
            .get("description")
            .cloned()
            .unwrap_or_else(|| "".into());
        let now = self.tick();
        let largest = (self.workspace().collections.iter())
            .filter_map(|c| id_of(c)?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        let id = (largest + 1).to_string();
        let help_center_id = fields.get("help_center_id").cloned().unwrap_or(Value::Null);
        let url = self.page_url(
            &help_center_id,
            "en",
            "collections",
            &id,
            name.as_str().unwrap_or(""),
        );
        let collection = serde_json::json!({
            "id": id, "name": name, "url": url, "description": description, "order": 0,
            "created_at": now, "updated_at": now, "parent_id": parent_id,
            "help_center_id": help_center_id,
            "default_locale": "en",
            "translated_content": {
                "type": "group_translated_content",
                "en": {"type": "group_content", "name": name, "description": description},
            },
        });
        let mut collection = collection;
        for (locale, content) in group_translations(fields)? {
            collection["translated_content"][locale.as_str()] = Value::Object(content);
        }
        self.workspace_mut().collections.push(collection);
        Ok(self.collection(version, &id).expect("just created"))
    }

    /// Applies `DELETE /articles/{id}`: the article is gone; answers `{id, object, deleted}`.
    pub fn delete_article(&mut self, id: &str) -> Result<Value, ApiError> {
        let articles = &mut self.workspace_mut().articles;
        let index = articles
            .iter()
            .position(|a| id_of(a).as_deref() == Some(id))
            .ok_or_else(|| {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", "Article Not Found")
            })?;
        articles.remove(index);
        Ok(serde_json::json!({ "id": id, "object": "article", "deleted": true }))
    }
}

impl Store {
    /// Applies `POST /articles`: needs `title` and `author_id` at the top level or in the
    /// default locale's `translated_content`; `state` defaults to draft. Answers the new article.
    pub fn create_article(&mut self, version: ApiVersion, body: &Value) -> Result<Value, ApiError> {
        let Value::Object(fields) = body else {
            return Err(invalid("body", "the request body must be a JSON object"));
        };
        let translations = translations(fields)?;
        let default_locale = "en".to_string();
        let mut top: Map<String, Value> = TOP_LEVEL
            .iter()
            .filter_map(|k| fields.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        if let Some((_, content)) = translations.iter().find(|(l, _)| *l == default_locale) {
            for key in TOP_LEVEL {
                if let Some(value) = content.get(key) {
                    top.entry(key.to_string()).or_insert_with(|| value.clone());
                }
            }
        }
        for key in ["title", "author_id"] {
            if top.get(key).is_none_or(Value::is_null) {
                return Err(ApiError::field(
                    StatusCode::BAD_REQUEST,
                    "parameter_not_found",
                    key,
                    format!("{key} is required"),
                ));
            }
        }
        top.entry("state".to_string())
            .or_insert_with(|| "draft".into());
        check_state(&top)?;
        let now = self.tick();
        let id = self.next_article_id();
        let mut article = serde_json::json!({
            "id": id, "type": "article", "default_locale": default_locale,
            "created_at": now, "parent_id": fields.get("parent_id").cloned().unwrap_or(Value::Null),
            "parent_type": fields.get("parent_type").cloned().unwrap_or(Value::Null),
        });
        copy_fields(&mut article, top, now);
        for (locale, content) in translations {
            merge_locale(&mut article, &locale, content, now);
        }
        self.set_article_urls(&mut article, &id);
        self.workspace_mut().articles.push(article);
        let stored = self.workspace().article(&id).expect("just created");
        Ok(ArticleLens::new(self.workspace(), version).show(stored, false))
    }

    /// One more than the largest numeric article id.
    fn next_article_id(&self) -> String {
        let largest = self
            .workspace()
            .articles
            .iter()
            .filter_map(|a| id_of(a)?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        (largest + 1).to_string()
    }
}

impl Store {
    /// Gives a new article the public URLs the real API answers: one per translation, the
    /// default locale's also at the top level. The help center is its collection's (or the
    /// workspace's first).
    fn set_article_urls(&self, article: &mut Value, id: &str) {
        let parent = article
            .get("parent_id")
            .and_then(super::super::super::workspace::id_text);
        let help_center_id = parent
            .and_then(|p| self.workspace().collection(&p).cloned())
            .and_then(|c| c.get("help_center_id").cloned())
            .unwrap_or(Value::Null);
        if let Some(Value::Object(locales)) = article.get_mut("translated_content") {
            let mut urls = Vec::new();
            for (locale, content) in locales.iter() {
                if let Some(title) = content.get("title").and_then(Value::as_str) {
                    let url = self.page_url(&help_center_id, locale, "articles", id, title);
                    urls.push((locale.clone(), url));
                }
            }
            for (locale, url) in urls {
                locales[&locale]["url"] = url.into();
            }
        }
        let title = article.get("title").and_then(Value::as_str).unwrap_or("");
        let locale = article
            .get("default_locale")
            .and_then(Value::as_str)
            .unwrap_or("en");
        article["url"] = self
            .page_url(&help_center_id, locale, "articles", id, title)
            .into();
    }

    /// `<help center url>/<locale>/<kind>/<id>-<slug>`, as Intercom shapes public URLs.
    fn page_url(
        &self,
        help_center_id: &Value,
        locale: &str,
        kind: &str,
        id: &str,
        title: &str,
    ) -> String {
        let help_center = help_center_id
            .as_str()
            .map(str::to_string)
            .or_else(|| help_center_id.as_i64().map(|n| n.to_string()))
            .and_then(|hc| self.workspace().help_center(&hc).cloned())
            .or_else(|| self.workspace().help_centers.first().cloned());
        let base = help_center
            .as_ref()
            .and_then(|hc| hc.get("url")?.as_str())
            .unwrap_or("https://intercom.help/fake")
            .trim_end_matches('/')
            .to_string();
        let slug = slug(title);
        let page = if slug.is_empty() {
            id.to_string()
        } else {
            format!("{id}-{slug}")
        };
        format!("{base}/{locale}/{kind}/{page}")
    }
}

/// Lowercase ASCII letters and digits of `title`, other runs as one `-`.
fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}
