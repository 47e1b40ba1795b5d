//! Body records: what each article file's body was exported from, block by block, so that an
//! edited file goes back to Intercom as the remote body with only the edited blocks changed,
//! and so that a three-way merge has the common ancestor of both sides.
//!
//! # Format
//! `content/.helpcenter/bodies/<sha256>.json`, named by the sha256 of its own bytes and found
//! through the `body` field of the file's entry in the base record (`base.json`), so the base
//! record and the bodies it names change together, atomically, when `base.json` is replaced.
//! Pretty JSON:
//!
//! ```json
//! {
//!   "format": "helpcenter-body/1",
//!   "dialect": { "paragraph_class": "no-margin", "list_items": "paragraphs", ... },
//!   "blocks": [
//!     { "markdown": "Welcome to Acme Notes!", "html": "<p class=\"no-margin\">Welcome to Acme Notes!</p>" },
//!     { "before": "\n", "markdown": "## Create your account {#h_3f9a1c0b7e}", "html": "<h2 id=\"h_3f9a1c0b7e\">Create your account</h2>" }
//!   ],
//!   "tail": "\n"
//! }
//! ```
//!
//! - `dialect`: how the article writes its HTML ([`crate::markdown::Dialect`]); edited and new
//!   blocks are rendered in it.
//! - `blocks`: every block of the exported Markdown in order, with `html`, the exact bytes of
//!   the remote body it was written from, and `before`, the bytes between it and the previous
//!   block (whitespace, comments, elements the sanitiser drops), omitted when empty.
//! - `tail`: the bytes after the last block, omitted when empty.
//!
//! The exported Markdown (the file's body as exported: the common ancestor of a merge) is the
//! blocks' `markdown` joined by blank lines, with a final newline; the remote body as exported
//! is every block's `before` and `html`, then `tail`, byte for byte. Markdown asset paths are
//! the tree's (`../../assets/<sha256>.png`), `html` keeps Intercom's URLs.
//!
//! After each write, push replaces the file's record with one of the body Intercom answered,
//! converted as an export would; a merge names the record of the remote body it merged with.
//! Records that no base entry (and no pending merge) names are removed.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::META_DIR;
use crate::assets::LocalAssets;
use crate::error::{Error, Result};
use crate::markdown::{convert_with, Converted};

/// The folder of the body records, relative to the tree's root.
pub const BODIES_DIR: &str = ".helpcenter/bodies";
/// Format tag of a body record.
pub const BODY_FORMAT: &str = "helpcenter-body/1";

/// One body record as stored.
#[derive(Serialize, Deserialize)]
struct BodyFile {
    format: String,
    #[serde(flatten)]
    body: Converted,
}

/// A body record's bytes and its name (the sha256 of the bytes).
#[derive(Debug)]
pub(crate) struct Encoded {
    /// Lowercase hex sha256 of `bytes`: the file is `<name>.json`.
    pub(crate) name: String,
    /// Pretty JSON with a final newline.
    pub(crate) bytes: Vec<u8>,
}

/// The record of `body`.
pub(crate) fn encode(body: &Converted) -> Encoded {
    let file = BodyFile {
        format: BODY_FORMAT.to_string(),
        body: body.clone(),
    };
    let mut bytes = serde_json::to_vec_pretty(&file).expect("a body record serialises");
    bytes.push(b'\n');
    Encoded {
        name: crate::snapshot::file_entry(&bytes).sha256,
        bytes,
    }
}

/// The path of record `name` in the tree at `content`.
pub fn path(content: &Path, name: &str) -> PathBuf {
    content.join(BODIES_DIR).join(format!("{name}.json"))
}

/// Reads record `name` of the tree at `content`: an error naming the file when it is missing,
/// unreadable, not a record, or not the bytes its name says (a record is never edited).
pub fn read(content: &Path, name: &str) -> Result<Converted> {
    if !super::record::is_sha256_name(name) {
        return Err(Error::data(format!(
            "{}: {name:?} is not a body record name",
            content.join(super::BASE_FILE).display()
        )));
    }
    let path = path(content, name);
    let bytes = fs::read(&path).map_err(|e| {
        Error::data(format!(
            "{}: cannot read the body record of an exported file: {e} (an export of the tree \
             writes it again)",
            path.display()
        ))
    })?;
    if crate::snapshot::file_entry(&bytes).sha256 != name {
        return Err(Error::data(format!(
            "{}: the body record was changed (its bytes do not match its name)",
            path.display()
        )));
    }
    let file: BodyFile = serde_json::from_slice(&bytes)
        .map_err(|e| Error::data(format!("{}: invalid body record: {e}", path.display())))?;
    if file.format != BODY_FORMAT {
        return Err(Error::data(format!(
            "{}: unsupported body record format {:?} (this helpcenter reads {BODY_FORMAT:?})",
            path.display(),
            file.format
        )));
    }
    Ok(file.body)
}

/// Writes the record of `body` into the tree at `content` (atomically; an identical record is
/// already there under the same name) and returns its name.
pub(crate) fn write(content: &Path, body: &Converted) -> Result<String> {
    let encoded = encode(body);
    write_encoded(content, &encoded)?;
    Ok(encoded.name)
}

/// Writes an encoded record into the tree at `content` (atomically, unless it is there).
pub(crate) fn write_encoded(content: &Path, encoded: &Encoded) -> Result<()> {
    let path = path(content, &encoded.name);
    if !path.exists() {
        let dir = content.join(BODIES_DIR);
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, "create directory", e))?;
        crate::durable::write_atomically(&path, &encoded.bytes)?;
    }
    Ok(())
}

/// Removes the records of the tree at `content` whose names are not in `named`.
pub(crate) fn remove_unnamed(content: &Path, named: &BTreeSet<&str>) -> Result<()> {
    super::record::remove_unnamed_files(&content.join(BODIES_DIR), "json", named)
}

/// A remote body converted as an export writes it into the file at `file_key`: asset URLs with
/// a copy in the tree point at it.
pub fn convert_remote(html: &str, assets: &LocalAssets, file_key: &str) -> Converted {
    convert_with(html, &|piece| super::localize(piece, assets, file_key))
}

/// The file name of record `name` below [`META_DIR`], for staging an export.
pub(crate) fn staged_path(name: &str) -> String {
    format!("{META_DIR}/bodies/{name}.json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::convert;

    #[test]
    fn records_are_named_by_their_bytes_and_read_back() {
        let tree = tempfile::tempdir().unwrap();
        let body = convert("<p>Hello</p>\n<h2>World</h2>");
        let name = write(tree.path(), &body).unwrap();
        assert_eq!(name, encode(&body).name);
        assert_eq!(read(tree.path(), &name).unwrap(), body);
        let text = fs::read_to_string(path(tree.path(), &name)).unwrap();
        assert!(
            text.starts_with("{\n  \"format\": \"helpcenter-body/1\",\n  \"dialect\": {"),
            "{text}"
        );
        assert!(
            text.contains("\"before\": \"\\n\",\n      \"markdown\": \"## World\""),
            "{text}"
        );

        fs::write(path(tree.path(), &name), text.replace("World", "Earth")).unwrap();
        let changed = read(tree.path(), &name).unwrap_err().to_string();
        assert!(
            changed.ends_with("the body record was changed (its bytes do not match its name)"),
            "{changed}"
        );
        let missing = read(tree.path(), &"0".repeat(64)).unwrap_err().to_string();
        assert!(
            missing.contains("cannot read the body record of an exported file"),
            "{missing}"
        );
        assert!(read(tree.path(), "../x").is_err());
    }

    #[test]
    fn records_no_entry_names_are_removed() {
        let tree = tempfile::tempdir().unwrap();
        let kept = write(tree.path(), &convert("<p>a</p>")).unwrap();
        let gone = write(tree.path(), &convert("<p>b</p>")).unwrap();
        let other = tree.path().join(BODIES_DIR).join("notes.txt");
        fs::write(&other, "not a record").unwrap();
        let mut base = crate::tree::BaseRecord::new(Default::default());
        let mut entry = crate::tree::BaseEntry {
            kind: crate::tree::FileKind::Article,
            id: Some("1".into()),
            locale: crate::model::Locale::parse("en").unwrap(),
            updated_at: None,
            untranslated: false,
            sha256: String::new(),
            bytes: 0,
            body: Some(kept.clone()),
        };
        base.files.insert("en/1-a.md".into(), entry.clone());
        entry.body = None;
        base.files.insert("en/2-b.md".into(), entry);
        base.remove_unnamed(tree.path()).unwrap();
        assert!(path(tree.path(), &kept).exists());
        assert!(!path(tree.path(), &gone).exists());
        assert!(other.exists());
    }
}
