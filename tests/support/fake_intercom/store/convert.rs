//! How objects stored in one shape look to each API version.
//!
//! A workspace is stored once, in the shape it was written in ([`Shape`]); every answer is
//! converted on the way out, field by field, keeping stored key order and unknown fields:
//!
//! * 2.9-shaped workspace, client 2.10+: what Intercom did in its migration. Sections become
//!   collections (`type` dropped, `parent_id` = the former section's collection as a string,
//!   `help_center_id` copied from that collection); top-level collections lose `type` and gain
//!   `parent_id: null`; articles in a section say `parent_type: "collection"`.
//! * Nested workspace, client 2.9: top-level collections stay collections (without `parent_id`,
//!   with `type: "collection"`), second-level collections become sections (`type: "section"`,
//!   integer `parent_id` = their collection, no `help_center_id`), and articles in them say
//!   `parent_type: "section"`. Limitation: 2.9 has no third level, so deeper collections are not
//!   listed at all (and 404 when asked for by id), while articles under them keep their
//!   `parent_id`, which then points at a group the 2.9 client never sees.
//! * Articles: `parent_ids` only from 2.11 on (dropped below; synthesised from `parent_id` for a
//!   2.9-shaped workspace, which does not store it); `statistics` only when one article is
//!   fetched, never in lists, as the real API answers.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Map, Value};

use super::super::version::ApiVersion;

use super::super::super::workspace::{id_of, id_text, sort_by_id, Shape, Workspace};

/// Collections and sections as one API version sees them, each sorted by id.
pub struct Groups {
    /// What `/help_center/collections` lists.
    pub collections: Vec<Value>,
    /// What `/help_center/sections` lists (2.9 only; empty otherwise).
    pub sections: Vec<Value>,
}

/// Converts the stored groups for `version`.
pub fn groups(workspace: &Workspace, version: ApiVersion) -> Groups {
    let mut groups = match (workspace.shape, version.has_sections()) {
        (Shape::Nested, false) => Groups {
            collections: workspace.collections.clone(),
            sections: Vec::new(),
        },
        (Shape::Sections29, true) => Groups {
            collections: workspace.collections.clone(),
            sections: workspace.sections.clone(),
        },
        (Shape::Nested, true) => nested_as_sections(workspace),
        (Shape::Sections29, false) => sections_as_nested(workspace),
    };
    sort_by_id(&mut groups.collections);
    sort_by_id(&mut groups.sections);
    groups
}

/// Converts stored articles for one version; built once per request.
pub struct ArticleLens {
    version: ApiVersion,
    shape: Shape,
    /// Ids of stored collections that this version shows as sections (nested workspace, 2.9).
    shown_as_sections: HashSet<String>,
}

impl ArticleLens {
    /// Prepares the conversion of `workspace`'s articles for `version`.
    pub fn new(workspace: &Workspace, version: ApiVersion) -> ArticleLens {
        let shown_as_sections = if workspace.shape == Shape::Nested && version.has_sections() {
            collection_depths(&workspace.collections)
                .into_iter()
                .filter(|(_, depth)| *depth == 1)
                .map(|(id, _)| id)
                .collect()
        } else {
            HashSet::new()
        };
        ArticleLens {
            version,
            shape: workspace.shape,
            shown_as_sections,
        }
    }

    /// The article as this version answers it; `listed` is true inside a list answer.
    pub fn show(&self, stored: &Value, listed: bool) -> Value {
        let Value::Object(fields) = stored else {
            return stored.clone();
        };
        let parent_type = self.parent_type(fields);
        let mut out = Map::new();
        for (key, value) in fields {
            match key.as_str() {
                "statistics" if listed => {}
                "parent_ids" if !self.version.has_parent_ids() => {}
                "parent_type" => {
                    out.insert(key.clone(), parent_type.clone());
                    if self.needs_parent_ids(fields) {
                        out.insert("parent_ids".into(), synthetic_parent_ids(fields));
                    }
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        Value::Object(out)
    }

    /// The `parent_type` this version reports.
    fn parent_type(&self, fields: &Map<String, Value>) -> Value {
        let stored = fields.get("parent_type").cloned().unwrap_or(Value::Null);
        match self.shape {
            Shape::Sections29 if !self.version.has_sections() && stored == "section" => {
                json!("collection")
            }
            Shape::Nested if self.is_shown_as_section(fields.get("parent_id")) => {
                json!("section")
            }
            _ => stored,
        }
    }

    fn is_shown_as_section(&self, parent_id: Option<&Value>) -> bool {
        parent_id
            .and_then(id_text)
            .is_some_and(|id| self.shown_as_sections.contains(&id))
    }

    /// A 2.9-shaped workspace stores no `parent_ids`; 2.11+ clients still expect them.
    fn needs_parent_ids(&self, fields: &Map<String, Value>) -> bool {
        self.version.has_parent_ids() && !fields.contains_key("parent_ids")
    }
}

/// `[parent_id]` as integers, or `[]` for a standalone article.
fn synthetic_parent_ids(fields: &Map<String, Value>) -> Value {
    let parent = fields.get("parent_id").and_then(id_text);
    let ids: Vec<Value> = parent.iter().map(|id| integer_or_string(id)).collect();
    Value::Array(ids)
}

/// Nested workspace seen by 2.9: top level as collections, second level as sections.
fn nested_as_sections(workspace: &Workspace) -> Groups {
    let depths = collection_depths(&workspace.collections);
    let depth_of = |c: &Value| id_of(c).and_then(|id| depths.get(&id).copied());
    let mut groups = Groups {
        collections: Vec::new(),
        sections: Vec::new(),
    };
    for collection in &workspace.collections {
        match depth_of(collection) {
            Some(0) => groups.collections.push(top_collection_as_29(collection)),
            Some(1) => groups.sections.push(sub_collection_as_section(collection)),
            // 2.9 has no third level: see the module comment.
            _ => {}
        }
    }
    groups
}

/// A top-level nested collection in 2.9 form: no `parent_id`, `type: "collection"`.
fn top_collection_as_29(collection: &Value) -> Value {
    let mut out = map_without(collection, &["parent_id"]);
    out.entry("type").or_insert_with(|| json!("collection"));
    Value::Object(out)
}

/// A second-level nested collection as a 2.9 section: integer `parent_id`, no `help_center_id`.
fn sub_collection_as_section(collection: &Value) -> Value {
    let mut out = Map::new();
    out.insert("type".into(), json!("section"));
    for (key, value) in as_map(collection) {
        match key.as_str() {
            "help_center_id" | "type" => {}
            "parent_id" => {
                let parent = id_text(value).map(|id| integer_or_string(&id));
                out.insert(key.clone(), parent.unwrap_or(Value::Null));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

/// A 2.9-shaped workspace seen by 2.10+: sections become nested collections.
fn sections_as_nested(workspace: &Workspace) -> Groups {
    let help_center_of: HashMap<String, Value> = workspace
        .collections
        .iter()
        .filter_map(|c| Some((id_of(c)?, c.get("help_center_id")?.clone())))
        .collect();
    let mut collections: Vec<Value> = workspace
        .collections
        .iter()
        .map(top_collection_as_nested)
        .collect();
    collections.extend(
        workspace
            .sections
            .iter()
            .map(|s| section_as_collection(s, &help_center_of)),
    );
    Groups {
        collections,
        sections: Vec::new(),
    }
}

/// A 2.9 collection in 2.10+ form: no `type`, `parent_id: null` (just before `help_center_id`,
/// where the real API puts it).
fn top_collection_as_nested(collection: &Value) -> Value {
    let mut out = Map::new();
    for (key, value) in as_map(collection) {
        match key.as_str() {
            "type" => {}
            "help_center_id" => {
                out.insert("parent_id".into(), Value::Null);
                out.insert(key.clone(), value.clone());
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    out.entry("parent_id").or_insert(Value::Null);
    Value::Object(out)
}

/// A 2.9 section as a 2.10+ collection: string `parent_id`, then the collection's `help_center_id`.
fn section_as_collection(section: &Value, help_center_of: &HashMap<String, Value>) -> Value {
    let parent = section.get("parent_id").and_then(id_text);
    let help_center_id = parent
        .as_ref()
        .and_then(|id| help_center_of.get(id).cloned())
        .unwrap_or(Value::Null);
    let mut out = Map::new();
    for (key, value) in as_map(section) {
        match key.as_str() {
            "type" => {}
            "parent_id" => {
                out.insert(
                    key.clone(),
                    parent.clone().map_or(Value::Null, Value::String),
                );
                out.insert("help_center_id".into(), help_center_id.clone());
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

/// The depth of each nested collection: 0 at the top. A parent that is missing counts as the
/// top, and a cycle (broken data) stops the walk instead of looping.
fn collection_depths(collections: &[Value]) -> HashMap<String, usize> {
    let parent_of: HashMap<String, Option<String>> = collections
        .iter()
        .filter_map(|c| Some((id_of(c)?, c.get("parent_id").and_then(id_text))))
        .collect();
    parent_of
        .keys()
        .map(|id| (id.clone(), depth(id, &parent_of)))
        .collect()
}

fn depth(id: &str, parent_of: &HashMap<String, Option<String>>) -> usize {
    let mut depth = 0;
    let mut current = id;
    while let Some(Some(parent)) = parent_of.get(current) {
        if depth > parent_of.len() {
            break;
        }
        depth += 1;
        current = parent;
    }
    depth
}

/// The fields of an object (none for other values), in stored order.
fn as_map(value: &Value) -> impl Iterator<Item = (&String, &Value)> {
    value.as_object().into_iter().flatten()
}

/// A copy of the object without `keys`, other keys in their stored order.
fn map_without(value: &Value, keys: &[&str]) -> Map<String, Value> {
    as_map(value)
        .filter(|(key, _)| !keys.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// Ids that are numbers become JSON integers, as in the 2.9 answers; others stay strings.
fn integer_or_string(id: &str) -> Value {
    id.parse::<u64>().map_or_else(|_| json!(id), |n| json!(n))
}
