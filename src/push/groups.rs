//! Collection and (API 2.9) section `_index.md` files: their name and description per locale,
//! sent with `PUT /help_center/collections/{id}` or `PUT /help_center/sections/{id}`.
//!
//! A group has one remote `updated_at` for all its locales, so a write moves the base time of
//! every locale file of that group that was current before it; otherwise editing a second
//! locale later would look like a conflict.

use std::fs;
use std::path::Path;

use reqwest::Method;
use serde_json::{json, Map, Value};

use super::base::{self, Pushed};
use super::journal::{PushJournal, Sent};
use super::report::{FileReport, Outcome, PushReport};
use super::PushOptions;
use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::model::{GroupKind, Locale, Workspace};
use crate::snapshot::file_entry;
use crate::tree::{BaseEntry, FileKind};

/// One changed locale file of a collection.
#[derive(Debug, Clone)]
pub struct GroupLocaleEdit {
    /// The file, relative to the tree's root.
    pub path: String,
    /// Its locale.
    pub locale: Locale,
    /// The name in the file.
    pub name: String,
    /// The description in the file.
    pub description: String,
    /// The remote `updated_at` recorded at export.
    pub base_updated_at: Option<i64>,
    /// The file as read now.
    pub sha256: String,
    /// Its size as read now.
    pub bytes: u64,
}

/// The changed locale files of one collection or section.
#[derive(Debug, Clone)]
pub struct GroupEdit {
    /// Collection or section.
    pub kind: GroupKind,
    /// Its API id.
    pub id: String,
    /// Its changed locale files.
    pub locales: Vec<GroupLocaleEdit>,
}

/// The edit of one collection or section file, or why it cannot be pushed.
pub fn locale_edit(
    content: &Path,
    path: &str,
    kind: GroupKind,
    id: &str,
    entry: &BaseEntry,
    ws: &Workspace,
) -> Result<std::result::Result<GroupLocaleEdit, FileReport>> {
    let loaded = ws
        .groups
        .iter()
        .find(|g| g.kind == kind && g.id == id)
        .and_then(|g| g.content.get(&entry.locale));
    let Some(loaded) = loaded else {
        let noun = noun(kind);
        let why = format!(
            "{noun} {id} has no name in {} in the tree; only named {noun}s are pushed",
            entry.locale
        );
        return Ok(Err(
            FileReport::new(path, Outcome::NotPushed).with_detail(why)
        ));
    };
    let full = content.join(path);
    let bytes = fs::read(&full).map_err(|e| Error::io(&full, "read", e))?;
    let hash = file_entry(&bytes);
    Ok(Ok(GroupLocaleEdit {
        path: path.to_string(),
        locale: entry.locale.clone(),
        name: loaded.name.clone(),
        description: loaded.description.clone(),
        base_updated_at: entry.updated_at,
        sha256: hash.sha256,
        bytes: hash.bytes,
    }))
}

/// Checks one collection against its remote copy and writes the locales not in conflict.
pub async fn push_group(
    client: &Client,
    options: &PushOptions,
    group: &GroupEdit,
    journal: &PushJournal,
    report: &mut PushReport,
) -> Result<()> {
    let path = format!("/help_center/{}s/{}", noun(group.kind), group.id);
    let remote: Value = match client.get_json(&path, &[]).await {
        Ok(remote) => remote,
        Err(Error::Auth(message)) => return Err(Error::Auth(message)),
        Err(e) => {
            for edit in &group.locales {
                report.add(entry(&group.id, edit, Outcome::Failed).with_detail(e.to_string()));
            }
            return Ok(());
        }
    };
    let remote_time = remote.get("updated_at").and_then(Value::as_i64);
    let multilingual = matches!(remote.get("translated_content"), Some(Value::Object(_)));
    let mut to_send = Vec::new();
    let mut in_sync = Vec::new();
    for edit in &group.locales {
        let (outcome, fields) = check(edit, &remote, remote_time, options.force);
        let mut e = entry(&group.id, edit, outcome);
        e.fields = fields;
        e.remote_updated_at = remote_time;
        match outcome {
            Outcome::WouldUpdate if !options.dry_run => to_send.push((edit, e)),
            Outcome::InSync if !options.dry_run => in_sync.push((edit, e)),
            _ => report.add(e),
        }
    }
    let records: Vec<Pushed> = in_sync
        .iter()
        .map(|(e, _)| pushed(e, remote_time))
        .collect();
    if !records.is_empty() {
        journal.record(None, &records).await?;
    }
    for (_, e) in in_sync {
        report.add(e);
    }
    if to_send.is_empty() {
        return Ok(());
    }
    let body = update_body(multilingual, &to_send);
    let request = format!("PUT {path}");
    journal.sending(&request, sent(&to_send)).await?;
    let answer: Value = match client.send_json(Method::PUT, &path, &body).await {
        Ok(answer) => answer,
        Err(err) => {
            journal.failed(&request, &err.to_string()).await?;
            if let Error::Auth(_) = err {
                return Err(err);
            }
            for (_, mut e) in to_send {
                e.outcome = Outcome::Failed;
                e.detail = Some(err.to_string());
                report.add(e);
            }
            return Ok(());
        }
    };
    let new_time = answer.get("updated_at").and_then(Value::as_i64);
    let records: Vec<Pushed> = to_send.iter().map(|(e, _)| pushed(e, new_time)).collect();
    journal
        .update(Some(&request), |base, edit| {
            for (path, entry) in &base.files {
                let same_group = entry.kind == file_kind(group.kind)
                    && entry.id.as_deref() == Some(group.id.as_str());
                if same_group && remote_time.is_some() && entry.updated_at >= remote_time {
                    let retimed = BaseEntry {
                        updated_at: new_time,
                        ..entry.clone()
                    };
                    edit.set.insert(path.clone(), retimed);
                }
            }
            edit.set.extend(base::entries(base, &records)?);
            Ok(())
        })
        .await?;
    for (_, mut e) in to_send {
        e.outcome = Outcome::Updated;
        e.remote_updated_at = new_time;
        report.add(e);
    }
    Ok(())
}

/// `collection` or `section`, as in the API's paths.
fn noun(kind: GroupKind) -> &'static str {
    match kind {
        GroupKind::Collection => "collection",
        GroupKind::Section => "section",
    }
}

fn file_kind(kind: GroupKind) -> FileKind {
    match kind {
        GroupKind::Collection => FileKind::Collection,
        GroupKind::Section => FileKind::Section,
    }
}

fn entry(id: &str, edit: &GroupLocaleEdit, outcome: Outcome) -> FileReport {
    let mut entry = FileReport::new(&edit.path, outcome);
    entry.article_id = None;
    entry.collection_id = Some(id.to_string());
    entry.locale = Some(edit.locale.as_str().to_string());
    entry.base_updated_at = edit.base_updated_at;
    entry
}

/// What the journal keeps of a group's `PUT`: per locale file, what should land.
fn sent(to_send: &[(&GroupLocaleEdit, FileReport)]) -> Vec<Sent> {
    let fields = vec!["name".to_string(), "description".to_string()];
    let sent = to_send.iter().map(|(edit, _)| {
        let content = json!({ "name": edit.name, "description": edit.description });
        Sent {
            file: pushed(edit, None),
            locale: edit.locale.as_str().to_string(),
            digest: super::journal::digest(&content, &fields),
            fields: fields.clone(),
        }
    });
    sent.collect()
}

fn pushed(edit: &GroupLocaleEdit, updated_at: Option<i64>) -> Pushed {
    Pushed {
        path: edit.path.clone(),
        updated_at,
        sha256: edit.sha256.clone(),
        bytes: edit.bytes,
        body: None,
        new: None,
    }
}

/// The outcome before writing, and the fields that differ from the remote copy.
fn check(
    edit: &GroupLocaleEdit,
    remote: &Value,
    remote_time: Option<i64>,
    force: bool,
) -> (Outcome, Vec<String>) {
    let remote_locale = match remote.get("translated_content") {
        Some(Value::Object(t)) => t.get(edit.locale.as_str()).unwrap_or(&Value::Null),
        _ => remote,
    };
    let text = |key: &str| remote_locale.get(key).and_then(Value::as_str).unwrap_or("");
    let mut fields = Vec::new();
    if text("name") != edit.name {
        fields.push("name".to_string());
    }
    if text("description") != edit.description {
        fields.push("description".to_string());
    }
    let newer =
        matches!((remote_time, edit.base_updated_at), (Some(now), Some(then)) if now > then);
    let outcome = if fields.is_empty() {
        Outcome::InSync
    } else if newer && !force {
        Outcome::Conflict
    } else {
        Outcome::WouldUpdate
    };
    (outcome, fields)
}

/// `{"translated_content": {"fr": {"type": "group_content", ...}}}`, or the top-level fields
/// for a collection without translations.
fn update_body(multilingual: bool, edits: &[(&GroupLocaleEdit, FileReport)]) -> Value {
    if !multilingual {
        let (edit, _) = &edits[0];
        return json!({ "name": edit.name, "description": edit.description });
    }
    let locales: Map<String, Value> = edits
        .iter()
        .map(|(edit, _)| {
            let content = json!({
                "type": "group_content",
                "name": edit.name,
                "description": edit.description,
            });
            (edit.locale.as_str().to_string(), content)
        })
        .collect();
    json!({ "translated_content": locales })
}
