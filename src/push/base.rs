//! What a write changes in the base record: the pushed file's new hash, remote time and body
//! record (the body Intercom answered, written first under its content hash). The changes go
//! through the push journal (`journal.rs`), which makes them durable at once and writes
//! `base.json` when the push ends, then removes the body records no entry names any more.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::assets::LocalAssets;
use crate::error::{Error, Result};
use crate::model::Locale;
use crate::tree::{bodies, BaseEntry, BaseRecord, FileKind, BASE_FILE};

/// What a file looked like when it was pushed, and the remote time after the write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pushed {
    /// Path relative to the tree's root.
    pub path: String,
    /// The remote `updated_at` the write answered with.
    pub updated_at: Option<i64>,
    /// sha256 of the file's bytes as pushed.
    pub sha256: String,
    /// Size of the file as pushed.
    pub bytes: u64,
    /// The record of the body Intercom now holds (articles), to name in the file's entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// What the file describes, for the entry to add when the base has none for `path` (a new
    /// translation file); its hash and time are the ones above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<NewFile>,
}

/// What a file new to the base record describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFile {
    /// What kind of file it is.
    pub kind: FileKind,
    /// The API id of what it describes.
    pub id: Option<String>,
    /// Its locale.
    pub locale: Locale,
}

impl NewFile {
    /// The base entry of this file as if it had been exported with these bytes at this time.
    pub fn entry(&self, updated_at: Option<i64>, sha256: String, bytes: u64) -> BaseEntry {
        BaseEntry {
            kind: self.kind,
            id: self.id.clone(),
            locale: self.locale.clone(),
            updated_at,
            untranslated: false,
            sha256,
            bytes,
            body: None,
        }
    }
}

/// The base record's entries after `pushed`: the files' new hashes, times and body records,
/// and an entry for each file new to the record.
pub fn entries(base: &BaseRecord, pushed: &[Pushed]) -> Result<BTreeMap<String, BaseEntry>> {
    let mut entries = BTreeMap::new();
    for file in pushed {
        let mut entry = match (base.files.get(&file.path), &file.new) {
            (Some(entry), _) => BaseEntry {
                updated_at: file.updated_at,
                sha256: file.sha256.clone(),
                bytes: file.bytes,
                ..entry.clone()
            },
            (None, Some(new)) => new.entry(file.updated_at, file.sha256.clone(), file.bytes),
            (None, None) => {
                return Err(Error::data(format!(
                    "{}: no entry for {}",
                    Path::new(BASE_FILE).display(),
                    file.path
                )))
            }
        };
        if file.body.is_some() {
            entry.body = file.body.clone();
        }
        entries.insert(file.path.clone(), entry);
    }
    Ok(entries)
}

/// Writes the body record of `html`, the body Intercom holds for the file at `file_key`,
/// converted as an export converts it; returns its name.
pub fn body_record(
    content: &Path,
    html: &str,
    assets: &LocalAssets,
    file_key: &str,
) -> Result<String> {
    bodies::write(content, &bodies::convert_remote(html, assets, file_key))
}
