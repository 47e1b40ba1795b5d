//! Base texts: every file of the tree as its base entry records it, byte for byte, in
//! `content/.helpcenter/base/<sha256>.md`, named by the entry's `sha256`. They are the common
//! ancestor `helpcenter merge` merges a file's front matter and body from (the body record
//! holds the body block by block, but not the front matter).
//!
//! An export writes one per file; `push` keeps the text of every file whose base entry it
//! moves on (the file as pushed), and `merge` the text of the remote version it records. A
//! text no base entry and no pending merge names is removed. In git they cost nothing while a
//! file is unedited: a base text and its file are the same blob. A tree exported before base
//! texts has none; merge then takes a file's body from its body record and treats front
//! matter keys that differ on the two sides as conflicts.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::META_DIR;
use crate::error::{Error, Result};
use crate::snapshot::file_entry;

/// The folder of the base texts, relative to the tree's root.
pub const BASE_TEXT_DIR: &str = ".helpcenter/base";

/// The path of the base text with this sha256 in the tree at `content`.
pub fn path(content: &Path, sha256: &str) -> PathBuf {
    content.join(BASE_TEXT_DIR).join(format!("{sha256}.md"))
}

/// The file name of a base text below the tree's root, for staging an export.
pub(crate) fn staged_path(sha256: &str) -> String {
    format!("{META_DIR}/base/{sha256}.md")
}

/// Reads the base text named `sha256`: `None` when the tree has none (exported before base
/// texts); an error naming the file when it cannot be read, is not UTF-8 or is not the bytes
/// its name says.
pub fn read(content: &Path, sha256: &str) -> Result<Option<String>> {
    if !super::record::is_sha256_name(sha256) {
        return Ok(None);
    }
    let path = path(content, sha256);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path, "read", e)),
    };
    if file_entry(&bytes).sha256 != sha256 {
        return Err(Error::data(format!(
            "{}: the base text was changed (its bytes do not match its name); delete it to \
             merge that file as one exported before base texts",
            path.display()
        )));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|e| Error::data(format!("{}: not UTF-8 text: {e}", path.display())))
}

/// Writes `bytes` as a base text of the tree at `content` (atomically; one with the same name
/// is already the same bytes) and returns its name.
pub(crate) fn write(content: &Path, bytes: &[u8]) -> Result<String> {
    let name = file_entry(bytes).sha256;
    let path = path(content, &name);
    if !path.exists() {
        let dir = content.join(BASE_TEXT_DIR);
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, "create directory", e))?;
        crate::durable::write_atomically(&path, bytes)?;
    }
    Ok(name)
}

/// Keeps the base text of the file at `rel` if the file has exactly the bytes `sha256` names
/// (a file edited again since is left without one; merge then falls back as for old trees).
pub(crate) fn keep_from_file(content: &Path, rel: &str, sha256: &str) -> Result<()> {
    if path(content, sha256).exists() {
        return Ok(());
    }
    let file = content.join(rel);
    match fs::read(&file) {
        Ok(bytes) if file_entry(&bytes).sha256 == sha256 => write(content, &bytes).map(|_| ()),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(&file, "read", e)),
    }
}

/// Removes the base texts of the tree at `content` whose names are not in `named`.
pub(crate) fn remove_unnamed(content: &Path, named: &BTreeSet<&str>) -> Result<()> {
    super::record::remove_unnamed_files(&content.join(BASE_TEXT_DIR), "md", named)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_named_by_their_bytes_kept_from_files_and_removed_when_unnamed() {
        let tree = tempfile::tempdir().unwrap();
        let name = write(tree.path(), b"---\ntitle: x\n---\n").unwrap();
        assert_eq!(name, file_entry(b"---\ntitle: x\n---\n").sha256);
        assert_eq!(
            read(tree.path(), &name).unwrap().as_deref(),
            Some("---\ntitle: x\n---\n")
        );
        assert_eq!(read(tree.path(), &"0".repeat(64)).unwrap(), None);

        fs::create_dir_all(tree.path().join("en")).unwrap();
        fs::write(tree.path().join("en/a.md"), "pushed\n").unwrap();
        let pushed = file_entry(b"pushed\n").sha256;
        keep_from_file(tree.path(), "en/a.md", &pushed).unwrap();
        keep_from_file(tree.path(), "en/a.md", &"1".repeat(64)).unwrap();
        keep_from_file(tree.path(), "en/gone.md", &"2".repeat(64)).unwrap();
        assert_eq!(
            read(tree.path(), &pushed).unwrap().as_deref(),
            Some("pushed\n")
        );
        assert!(!path(tree.path(), &"1".repeat(64)).exists());

        remove_unnamed(tree.path(), &BTreeSet::from([pushed.as_str()])).unwrap();
        assert!(!path(tree.path(), &name).exists());
        assert!(path(tree.path(), &pushed).exists());

        fs::write(path(tree.path(), &pushed), "edited\n").unwrap();
        let changed = read(tree.path(), &pushed).unwrap_err().to_string();
        assert!(changed.contains("the base text was changed"), "{changed}");
    }
}
