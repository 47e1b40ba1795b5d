//! Updating the base record after each write, atomically, so an interrupted push resumes
//! where it stopped. A written article file's body record is replaced by one of the body
//! Intercom answered (written first, then named by the base record; records no entry names any
//! more are removed after).

use std::path::Path;

use crate::assets::LocalAssets;
use crate::error::{Error, Result};
use crate::model::Locale;
use crate::tree::{bodies, BaseEntry, BaseRecord, FileKind, BASE_FILE};

/// What a file looked like when it was pushed, and the remote time after the write.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub body: Option<String>,
    /// What the file describes, for the entry to add when the base has none for `path` (a new
    /// translation file); its hash and time are the ones above.
    pub new: Option<NewFile>,
}

/// What a file new to the base record describes.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Records `pushed` in the base record of the tree at `content` (temp file, fsync, rename).
pub fn record(content: &Path, pushed: &[Pushed]) -> Result<()> {
    update(content, |base, path| apply(base, path, pushed))
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

/// Reads the base record, changes it with `change` and writes it back atomically (keeping the
/// base texts of the files it moves on; see [`BaseRecord::write`]).
pub fn update(
    content: &Path,
    change: impl FnOnce(&mut BaseRecord, &Path) -> Result<()>,
) -> Result<()> {
    let path = content.join(BASE_FILE);
    let before = BaseRecord::read(content)?
        .ok_or_else(|| Error::data(format!("{}: the base record is gone", path.display())))?;
    let mut base = before.clone();
    change(&mut base, &path)?;
    base.write(content, &before)
}

fn apply(base: &mut BaseRecord, path: &Path, pushed: &[Pushed]) -> Result<()> {
    for file in pushed {
        if let (false, Some(new)) = (base.files.contains_key(&file.path), &file.new) {
            let entry = new.entry(file.updated_at, file.sha256.clone(), file.bytes);
            base.files.insert(file.path.clone(), entry);
        }
        let entry = base.files.get_mut(&file.path).ok_or_else(|| {
            Error::data(format!("{}: no entry for {}", path.display(), file.path))
        })?;
        entry.updated_at = file.updated_at;
        entry.sha256 = file.sha256.clone();
        entry.bytes = file.bytes;
        if file.body.is_some() {
            entry.body = file.body.clone();
        }
    }
    Ok(())
}
