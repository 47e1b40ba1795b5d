//! The base record (`content/.helpcenter/base.json`): every file an export wrote, with what it
//! was exported from, so `push` can tell local edits (hash differs) from remote ones (the
//! remote `updated_at` moved on), and a re-export can tell whether it would overwrite edits.
//! An article file's entry also names its body record (see `bodies.rs`): the remote body it
//! was exported from, block by block.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::base_text;
use super::pending::MergeState;
use super::record::{read_record, record_bytes, Record};
use super::{BASE_FILE, FORMAT, META_DIR};
use crate::error::{Error, Result};
use crate::model::Locale;
use crate::snapshot::{file_entry, ToolInfo, ASSETS_DIR};

/// What a file of the tree describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// `<locale>/_index.md`
    HelpCenter,
    /// A collection's `_index.md`.
    Collection,
    /// An API 2.9 section's `_index.md`.
    Section,
    /// `<id>-<slug>.md`
    Article,
}

/// One exported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseEntry {
    /// What it describes.
    pub kind: FileKind,
    /// The API id of what it describes (`None` for a tree without a help center).
    pub id: Option<String>,
    /// Its locale.
    pub locale: Locale,
    /// The remote `updated_at` (Unix seconds) at export: the translation's for an article, the
    /// group's for a collection or section; `None` when the API gave none.
    pub updated_at: Option<i64>,
    /// A group folder in a locale where the group has no name (see the module docs).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub untranslated: bool,
    /// Lowercase hex sha256 of the file's bytes as exported.
    pub sha256: String,
    /// Size in bytes as exported.
    pub bytes: u64,
    /// An article's body record (`.helpcenter/bodies/<body>.json`): what its body was
    /// exported from, block by block; `None` in trees exported before body records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// `content/.helpcenter/base.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseRecord {
    /// Always [`FORMAT`].
    pub format: String,
    /// The tool that exported the tree.
    pub tool: ToolInfo,
    /// Every exported file, by path relative to the tree's root (`/`-separated).
    pub files: BTreeMap<String, BaseEntry>,
}

/// How the files of a tree differ from its base record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LocalChanges {
    /// Exported files whose bytes changed.
    pub modified: Vec<String>,
    /// Exported files that are gone.
    pub deleted: Vec<String>,
    /// Files that were not exported (new articles, images, editor files, ...).
    pub added: Vec<String>,
}

impl BaseRecord {
    /// A record of the current tool for these files.
    pub fn new(files: BTreeMap<String, BaseEntry>) -> BaseRecord {
        BaseRecord {
            format: FORMAT.to_string(),
            tool: ToolInfo {
                name: env!("CARGO_PKG_NAME").to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            files,
        }
    }

    /// Reads the record of the tree at `content`; `None` when it has none.
    pub fn read(content: &Path) -> Result<Option<BaseRecord>> {
        read_record(content)
    }

    /// The record as written: pretty JSON with a final newline (stable: maps are sorted).
    pub fn to_bytes(&self) -> Vec<u8> {
        record_bytes(self)
    }

    /// Writes the record into the tree at `content` (temp file, fsync, rename) in place of
    /// `before`, keeping what it names in step: the base text of every file whose entry changed
    /// is kept (taken from the file, when it still has those bytes), and the body records and
    /// base texts that neither the record nor a pending merge names are removed.
    pub fn write(&self, content: &Path, before: &BaseRecord) -> Result<()> {
        for (rel, entry) in &self.files {
            let changed = (before.files.get(rel)).is_none_or(|old| old.sha256 != entry.sha256);
            if changed {
                base_text::keep_from_file(content, rel, &entry.sha256)?;
            }
        }
        crate::durable::write_atomically(&content.join(BASE_FILE), &self.to_bytes())?;
        self.remove_unnamed(content)
    }

    /// Removes the body records and base texts of the tree at `content` that neither this
    /// record nor a pending merge names.
    pub(crate) fn remove_unnamed(&self, content: &Path) -> Result<()> {
        let pending = MergeState::read(content)?;
        let entries = (self.files.values()).chain(pending.files.values().map(|p| &p.remote));
        let (mut bodies, mut texts) = (BTreeSet::new(), BTreeSet::new());
        for entry in entries {
            bodies.extend(entry.body.as_deref());
            texts.insert(entry.sha256.as_str());
        }
        super::bodies::remove_unnamed(content, &bodies)?;
        base_text::remove_unnamed(content, &texts)
    }

    /// Compares the files under `content` (except [`META_DIR`]) with the record.
    pub fn local_changes(&self, content: &Path) -> Result<LocalChanges> {
        let on_disk = tree_files(content)?;
        let mut changes = LocalChanges::default();
        for (name, entry) in &self.files {
            if !on_disk.contains(name) {
                changes.deleted.push(name.clone());
                continue;
            }
            let path = content.join(name);
            let unchanged = match fs::symlink_metadata(&path) {
                Ok(meta) if meta.is_file() => {
                    let bytes = fs::read(&path).map_err(|e| Error::io(&path, "read", e))?;
                    file_entry(&bytes).sha256 == entry.sha256
                }
                _ => false,
            };
            if !unchanged {
                changes.modified.push(name.clone());
            }
        }
        changes.added = on_disk
            .into_iter()
            .filter(|name| !self.files.contains_key(name))
            .collect();
        Ok(changes)
    }
}

impl Record for BaseRecord {
    const FILE: &'static str = BASE_FILE;
    const FORMAT: &'static str = FORMAT;
    const WHAT: &'static str = "base record";
    const FORMAT_WHAT: &'static str = "tree format";

    fn format(&self) -> &str {
        &self.format
    }
}

impl LocalChanges {
    /// Whether the tree is exactly as exported.
    pub fn is_empty(&self) -> bool {
        self.modified.is_empty() && self.deleted.is_empty() && self.added.is_empty()
    }

    /// Every changed path with what happened to it (`en/x.md (modified)`), sorted by path.
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<(String, &str)> =
            (self.modified.iter().map(|p| (p.clone(), "modified")))
                .chain(self.deleted.iter().map(|p| (p.clone(), "deleted")))
                .chain(self.added.iter().map(|p| (p.clone(), "added")))
                .collect();
        lines.sort();
        lines
            .into_iter()
            .map(|(path, what)| format!("{path} ({what})"))
            .collect()
    }
}

/// Every file and symlink under `content` but outside [`META_DIR`] and the assets folder (whose
/// files the asset record tracks), as `/`-separated paths.
fn tree_files(content: &Path) -> Result<BTreeSet<String>> {
    let mut files = BTreeSet::new();
    let walker = walkdir::WalkDir::new(content)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| {
            let top = e.depth() == 1 && e.file_type().is_dir();
            !(e.depth() == 1 && e.file_name() == META_DIR || top && e.file_name() == ASSETS_DIR)
        });
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(content).to_path_buf();
            Error::io(&path, "list", e.into())
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        let relative = entry.path().strip_prefix(content).expect("below the root");
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        files.insert(parts.join("/"));
    }
    Ok(files)
}
