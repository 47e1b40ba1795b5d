//! The JSON records a tree keeps in [`META_DIR`](super::META_DIR) (`base.json`,
//! `assets.json`): read and written the same way, each with its own format tag; and the folders
//! of files named by their sha256 (body records, base texts), swept the same way.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};

/// A record file of the tree.
pub(super) trait Record: Serialize + DeserializeOwned {
    /// Its path relative to the tree's root.
    const FILE: &'static str;
    /// The format tag this tool reads and writes.
    const FORMAT: &'static str;
    /// What it is called in errors (`base record`).
    const WHAT: &'static str;
    /// What its format tag is called in errors (`tree format`).
    const FORMAT_WHAT: &'static str;

    /// Its format tag as read.
    fn format(&self) -> &str;
}

/// Reads the record of the tree at `content`: `None` when the file does not exist; an error
/// naming the file when it cannot be read or parsed or has another format tag.
pub(super) fn read_record<T: Record>(content: &Path) -> Result<Option<T>> {
    let path = content.join(T::FILE);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path, "read", e)),
    };
    let record: T = serde_json::from_slice(&bytes)
        .map_err(|e| Error::data(format!("{}: invalid {}: {e}", path.display(), T::WHAT)))?;
    if record.format() != T::FORMAT {
        return Err(Error::data(format!(
            "{}: unsupported {} {:?} (this helpcenter reads {:?})",
            path.display(),
            T::FORMAT_WHAT,
            record.format(),
            T::FORMAT
        )));
    }
    Ok(Some(record))
}

/// The record as written: pretty JSON with a final newline (stable: its maps are sorted).
pub(super) fn record_bytes<T: Record>(record: &T) -> Vec<u8> {
    let mut json = serde_json::to_vec_pretty(record)
        .unwrap_or_else(|e| panic!("the {} serialises: {e}", T::WHAT));
    json.push(b'\n');
    json
}

/// Whether `name` is a sha256 in lowercase hex: how body records and base texts are named.
pub(super) fn is_sha256_name(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Removes the files `<sha256>.<extension>` of `dir` whose names are not in `named` (a
/// missing folder has none); other files are left alone.
pub(super) fn remove_unnamed_files(
    dir: &Path,
    extension: &str,
    named: &BTreeSet<&str>,
) -> Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, "list", e)),
    };
    let suffix = format!(".{extension}");
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, "list", e))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let unnamed = (file_name.strip_suffix(suffix.as_str()))
            .is_some_and(|name| is_sha256_name(name) && !named.contains(name));
        if unnamed {
            let path = entry.path();
            fs::remove_file(&path).map_err(|e| Error::io(&path, "remove", e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{AssetRecord, BaseRecord, META_DIR};
    use super::*;

    #[test]
    fn records_are_read_alike_with_their_own_names() {
        let tree = tempfile::tempdir().unwrap();
        assert_eq!(BaseRecord::read(tree.path()).unwrap(), None);
        assert!(AssetRecord::read(tree.path()).unwrap().files.is_empty());
        fs::create_dir(tree.path().join(META_DIR)).unwrap();
        fs::write(
            tree.path().join(BaseRecord::FILE),
            br#"{"format":"x","tool":{"name":"h","version":"0"},"files":{}}"#,
        )
        .unwrap();
        fs::write(tree.path().join(AssetRecord::FILE), b"{").unwrap();
        let base = BaseRecord::read(tree.path()).unwrap_err().to_string();
        assert!(base.contains("base.json: unsupported tree format \"x\" (this helpcenter reads \"helpcenter-tree/1\")"), "{base}");
        let assets = AssetRecord::read(tree.path()).unwrap_err().to_string();
        assert!(
            assets.contains("assets.json: invalid asset record: "),
            "{assets}"
        );
        let record = BaseRecord::new(Default::default());
        fs::write(tree.path().join(BaseRecord::FILE), record.to_bytes()).unwrap();
        assert_eq!(BaseRecord::read(tree.path()).unwrap(), Some(record));
    }
}
