//! A merge in progress: `content/.helpcenter/merge.json` lists the files `helpcenter merge` left
//! with conflict markers, like git's `MERGE_HEAD`. Their base entries are not moved on (only what
//! merged cleanly is); each pending file keeps the remote version it was merged with instead.
//! Once a writer has resolved a file's conflicts (no marker left), the next `helpcenter merge`
//! records that remote version as the file's base, so `push` sends the resolution on top of
//! Intercom's version. Pretty JSON:
//!
//! ```json
//! {
//!   "format": "helpcenter-merge/1",
//!   "files": {
//!     "en/getting-started/101-welcome.md": {
//!       "remote": { "kind": "article", "id": "101", "locale": "en", "updated_at": 1796647610, "sha256": "...", "bytes": 812, "body": "..." },
//!       "base_sha256": "...",
//!       "local_sha256": "..."
//!     }
//!   }
//! }
//! ```
//!
//! - `remote`: the base entry of the remote version (its base text and body record are kept in
//!   the tree while the merge is pending).
//! - `base_sha256`: the file's base entry when the merge ran; if the base moves on otherwise
//!   (`push --force` after resolving by hand), the pending merge is void.
//! - `local_sha256`: the file before the merge wrote the markers; a file that still has these
//!   bytes was never written (the merge was interrupted), so nothing is pending for it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::base::BaseEntry;
use super::record::{read_record, record_bytes, Record};
use crate::error::{Error, Result};

/// The merge state, relative to the tree's root.
pub const MERGE_FILE: &str = ".helpcenter/merge.json";
/// Format tag of the merge state.
pub const MERGE_FORMAT: &str = "helpcenter-merge/1";

/// `content/.helpcenter/merge.json`: the files with unresolved conflicts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeState {
    /// Always [`MERGE_FORMAT`].
    pub format: String,
    /// By path relative to the tree's root (`/`-separated).
    pub files: BTreeMap<String, PendingMerge>,
}

/// A file merged with conflicts, waiting for a writer to resolve them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingMerge {
    /// The remote version it was merged with, as a base entry: its base once resolved.
    pub remote: BaseEntry,
    /// The sha256 of the file's base entry when the merge ran.
    pub base_sha256: String,
    /// The sha256 of the file before the merge wrote its conflict markers.
    pub local_sha256: String,
}

impl Default for MergeState {
    fn default() -> MergeState {
        MergeState {
            format: MERGE_FORMAT.to_string(),
            files: BTreeMap::new(),
        }
    }
}

impl MergeState {
    /// Reads the merge state of the tree at `content`; an empty one when no merge is pending.
    pub fn read(content: &Path) -> Result<MergeState> {
        Ok(read_record::<MergeState>(content)?.unwrap_or_default())
    }

    /// Writes it into the tree at `content` atomically, or removes the file when nothing is
    /// pending.
    pub fn write(&self, content: &Path) -> Result<()> {
        let path = content.join(MERGE_FILE);
        if self.files.is_empty() {
            return match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(Error::io(&path, "remove", e))
                }
                _ => Ok(()),
            };
        }
        crate::durable::write_atomically(&path, &record_bytes(self))
    }
}

impl Record for MergeState {
    const FILE: &'static str = MERGE_FILE;
    const FORMAT: &'static str = MERGE_FORMAT;
    const WHAT: &'static str = "merge state";
    const FORMAT_WHAT: &'static str = "merge state format";

    fn format(&self) -> &str {
        &self.format
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_state_is_no_file() {
        let tree = tempfile::tempdir().unwrap();
        std::fs::create_dir(tree.path().join(super::super::META_DIR)).unwrap();
        assert_eq!(
            MergeState::read(tree.path()).unwrap(),
            MergeState::default()
        );
        let mut state = MergeState::default();
        let remote = BaseEntry {
            kind: super::super::FileKind::Article,
            id: Some("1".into()),
            locale: crate::model::Locale::parse("en").unwrap(),
            updated_at: Some(5),
            untranslated: false,
            sha256: "a".repeat(64),
            bytes: 3,
            body: None,
        };
        state.files.insert(
            "en/1-a.md".into(),
            PendingMerge {
                remote,
                base_sha256: "b".repeat(64),
                local_sha256: "c".repeat(64),
            },
        );
        state.write(tree.path()).unwrap();
        assert_eq!(MergeState::read(tree.path()).unwrap(), state);
        MergeState::default().write(tree.path()).unwrap();
        assert!(!tree.path().join(MERGE_FILE).exists());
        MergeState::default().write(tree.path()).unwrap();
    }
}
