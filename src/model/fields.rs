//! Typed reads of raw API objects, with errors that name the snapshot file and the field.
//!
//! Values are moved out of the parsed JSON rather than cloned: article bodies are most of a
//! snapshot's bytes, and a big help center should not need them in memory twice.

use std::path::Path;

use serde_json::{Map, Value};

use super::Locale;
use crate::error::{Error, Result};

/// One JSON object being read, and where it came from.
pub(crate) struct Fields<'a> {
    map: Map<String, Value>,
    file: &'a Path,
    /// Where `map` sits in the file, e.g. `translated_content.fr.`; empty at the top level.
    at: String,
}

impl<'a> Fields<'a> {
    /// The top-level object of a snapshot file.
    pub(crate) fn top(value: Value, file: &'a Path) -> Result<Fields<'a>> {
        match value {
            Value::Object(map) => Ok(Fields {
                map,
                file,
                at: String::new(),
            }),
            other => Err(Error::data(format!(
                "{}: expected a JSON object, found {}",
                file.display(),
                kind(&other)
            ))),
        }
    }

    /// The file, for messages.
    pub(crate) fn file(&self) -> &'a Path {
        self.file
    }

    /// A data error about `key` in this object.
    pub(crate) fn error(&self, key: &str, what: impl std::fmt::Display) -> Error {
        Error::data(format!("{}: {}{key}: {what}", self.file.display(), self.at))
    }

    fn take(&mut self, key: &str) -> Option<Value> {
        match self.map.remove(key) {
            Some(Value::Null) | None => None,
            Some(value) => Some(value),
        }
    }

    /// A string field; absent and `null` are `None`.
    pub(crate) fn string(&mut self, key: &str) -> Result<Option<String>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => {
                Err(self.error(key, format!("expected a string, found {}", kind(&other))))
            }
        }
    }

    /// An id, which the API sends as a string or a number; absent, `null` and `""` are `None`.
    pub(crate) fn id(&mut self, key: &str) -> Result<Option<String>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(self.error(key, format!("expected an id, found {}", kind(&other)))),
        }
    }

    /// A list of ids (`parent_ids`); absent and `null` are empty.
    pub(crate) fn ids(&mut self, key: &str) -> Result<Vec<String>> {
        match self.take(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    Value::Number(n) => Ok(n.to_string()),
                    other => Err(self.error(key, format!("expected ids, found {}", kind(&other)))),
                })
                .collect(),
            Some(other) => Err(self.error(key, format!("expected a list, found {}", kind(&other)))),
        }
    }

    /// An integer, which the API sometimes quotes (`"order": "1"`); absent and `null` are `None`.
    pub(crate) fn int(&mut self, key: &str) -> Result<Option<i64>> {
        let parsed = match self.take(key) {
            None => return Ok(None),
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            Some(_) => None,
        };
        parsed
            .map(Some)
            .ok_or_else(|| self.error(key, "expected an integer"))
    }

    /// A locale code, validated; absent and `null` are `None`.
    pub(crate) fn locale(&mut self, key: &str) -> Result<Option<Locale>> {
        match self.string(key)? {
            None => Ok(None),
            Some(code) => Locale::parse(&code)
                .map(Some)
                .map_err(|why| self.error(key, why)),
        }
    }

    /// The non-null entries of `translated_content`, keyed by validated locale, or `None` when
    /// the object has no translations (a help center that is not multilingual).
    pub(crate) fn translations(&mut self) -> Result<Option<Vec<(Locale, Fields<'a>)>>> {
        let key = "translated_content";
        let map = match self.take(key) {
            None => return Ok(None),
            Some(Value::Object(map)) => map,
            Some(other) => {
                return Err(self.error(key, format!("expected an object, found {}", kind(&other))))
            }
        };
        let mut entries = Vec::new();
        for (code, value) in map {
            if code == "type" || value.is_null() {
                continue;
            }
            let locale = Locale::parse(&code).map_err(|why| self.error(key, why))?;
            let Value::Object(map) = value else {
                return Err(self.error(
                    &format!("{key}.{code}"),
                    format!("expected an object, found {}", kind(&value)),
                ));
            };
            let at = format!("{}{key}.{code}.", self.at);
            entries.push((
                locale,
                Fields {
                    map,
                    file: self.file,
                    at,
                },
            ));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(if entries.is_empty() {
            None
        } else {
            Some(entries)
        })
    }
}

/// The JSON type of a value, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
