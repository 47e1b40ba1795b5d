//! Writing a merge into the tree, in an order that an interruption cannot turn into a lost
//! edit: first what the new files point at (asset copies, the remote versions' body records
//! and base texts) and the pending merges, then each file atomically (temp file, fsync,
//! rename; never half a file), and the base record last. Stopped before the base record, a
//! merge run again merges the same files to the same result: their new content is on both
//! sides by then.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::path::Path;

use super::plan::{BaseChange, Change};
use crate::assets::LocalAssets;
use crate::durable;
use crate::error::{Error, Result};
use crate::tree::{base_text, bodies, AssetRecord, BaseRecord, MergeState, ASSETS_FILE};

/// Writes `changes` into the tree at `content`, whose base record is `base` and whose
/// pending merges (those still pending) are `pending`; new asset copies come from `assets`.
pub(crate) fn apply(
    content: &Path,
    changes: &[Change],
    base: &BaseRecord,
    mut pending: MergeState,
    assets: &LocalAssets,
) -> Result<()> {
    copy_assets(content, changes, assets)?;
    for remote in changes.iter().filter_map(|c| c.remote.as_ref()) {
        base_text::write(content, remote.text.as_bytes())?;
        if let Some(body) = &remote.body {
            bodies::write_encoded(content, body)?;
        }
    }
    for change in changes {
        if let (Some(merge), Some(to)) = (&change.pending, &change.to) {
            pending.files.insert(to.clone(), merge.clone());
        }
    }
    pending.write(content)?;
    for change in changes {
        write_file(content, change)?;
    }
    let mut next = base.clone();
    for change in changes {
        record(&mut next, change);
    }
    next.write(content, base)?;
    let left: BTreeSet<&str> = (changes.iter())
        .filter(|c| c.from.is_some() && c.from != c.to)
        .filter_map(|c| c.from.as_deref())
        .collect();
    for from in left {
        remove_empty_folders(content, from);
    }
    Ok(())
}

/// Copies the assets the written files use and the tree lacks, and records them.
fn copy_assets(content: &Path, changes: &[Change], assets: &LocalAssets) -> Result<()> {
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for change in changes {
        let Some(text) = &change.text else { continue };
        for (file, url) in &change.assets {
            if text.contains(file.as_str()) {
                used.entry(file.clone()).or_default().insert(url.clone());
            }
        }
    }
    if used.is_empty() {
        return Ok(());
    }
    let mut record = AssetRecord::read(content)?;
    let before = record.clone();
    for (file, source) in record.add_used(used, assets)? {
        let target = content.join(&file);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create directory", e))?;
        }
        durable::write_atomically_with(&target, |out, temp| {
            let mut from = File::open(&source).map_err(|e| Error::io(&source, "read", e))?;
            std::io::copy(&mut from, out).map_err(|e| Error::io(temp, "write", e))?;
            Ok(())
        })?;
    }
    if record != before {
        durable::write_atomically(&content.join(ASSETS_FILE), &record.to_bytes())?;
    }
    Ok(())
}

/// Writes, moves or removes one file.
fn write_file(content: &Path, change: &Change) -> Result<()> {
    if let Some(to) = &change.to {
        let target = content.join(to);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create directory", e))?;
        }
        match (&change.text, &change.from) {
            (Some(text), _) => durable::write_atomically(&target, text.as_bytes())?,
            (None, Some(from)) if from != to => {
                let source = content.join(from);
                fs::rename(&source, &target).map_err(|e| Error::io(&source, "move", e))?;
            }
            (None, _) => {}
        }
    }
    if let Some(from) = &change.from {
        let moved_or_removed = change.to.as_ref() != Some(from);
        if moved_or_removed {
            let path = content.join(from);
            match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::io(&path, "remove", e))
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Applies a change's base update to the base record being written.
fn record(base: &mut BaseRecord, change: &Change) {
    let old = change.base_path.as_ref().and_then(|p| base.files.remove(p));
    let entry = match &change.base {
        BaseChange::None => old.map(|e| (change.base_path.clone(), e)),
        BaseChange::Set(entry) => Some((change.to.clone(), entry.clone())),
        BaseChange::Move => old.map(|e| (change.to.clone(), e)),
        BaseChange::Remove => None,
    };
    if let Some((Some(path), entry)) = entry {
        base.files.insert(path, entry);
    }
}

/// Removes the folders a moved or removed file leaves empty, up to its locale folder.
fn remove_empty_folders(content: &Path, from: &str) {
    let mut dir = Path::new(from).parent();
    while let Some(rel) = dir {
        if rel.components().count() < 2 {
            break;
        }
        if fs::remove_dir(content.join(rel)).is_err() {
            break;
        }
        dir = rel.parent();
    }
}
