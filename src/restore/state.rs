//! The progress of a restore: old id to new id (and new URLs) for everything created, which
//! articles had their links rewritten, and the one write in flight. Saved atomically (temp
//! file, fsync, rename) after every write, so a restore stopped anywhere continues where it
//! stopped.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Format tag of the state file.
pub const FORMAT: &str = "helpcenter-restore/1";

/// What kind of object a state entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A collection (`collections/` of the backup).
    Collection,
    /// A 2.9 section, restored as a nested collection.
    Section,
    /// An article.
    Article,
}

/// Where a restore writes to; a state file is only continued against the same target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The API base URL.
    pub base_url: String,
    /// The target help center's id.
    pub help_center: String,
}

/// One object created in the target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    /// Its new id.
    pub id: String,
    /// Its public URL per locale, as Intercom answered.
    #[serde(default)]
    pub urls: BTreeMap<String, String>,
}

/// A create that was sent but whose answer is not recorded yet: the next run looks for the
/// object in Intercom before creating it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// What was being created.
    pub kind: Kind,
    /// Its id in the backup.
    pub old_id: String,
}

/// The whole state file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoreState {
    /// Always [`FORMAT`].
    pub format: String,
    /// The backup's `pulled_at` and manifest checksum: a state belongs to one backup.
    pub backup: String,
    /// Where it restores to.
    pub target: Target,
    /// Collections created, by old id.
    #[serde(default)]
    pub collections: BTreeMap<String, Created>,
    /// Sections created (as collections), by old id.
    #[serde(default)]
    pub sections: BTreeMap<String, Created>,
    /// Articles created, by old id.
    #[serde(default)]
    pub articles: BTreeMap<String, Created>,
    /// Old ids of articles whose links were rewritten (or needed none).
    #[serde(default)]
    pub links_done: BTreeSet<String>,
    /// The create in flight, if the last run stopped during one.
    #[serde(default)]
    pub pending: Option<Pending>,
}

impl RestoreState {
    /// A fresh state for `backup` restored into `target`.
    pub fn new(backup: String, target: Target) -> RestoreState {
        RestoreState {
            format: FORMAT.to_string(),
            backup,
            target,
            collections: BTreeMap::new(),
            sections: BTreeMap::new(),
            articles: BTreeMap::new(),
            links_done: BTreeSet::new(),
            pending: None,
        }
    }

    /// Whether anything was created yet (a continued restore).
    pub fn has_created(&self) -> bool {
        !(self.collections.is_empty() && self.sections.is_empty() && self.articles.is_empty())
    }

    /// The map of one kind.
    pub fn created(&self, kind: Kind) -> &BTreeMap<String, Created> {
        match kind {
            Kind::Collection => &self.collections,
            Kind::Section => &self.sections,
            Kind::Article => &self.articles,
        }
    }

    /// Records a created object and clears the pending mark.
    pub fn record(&mut self, kind: Kind, old_id: &str, created: Created) {
        let map = match kind {
            Kind::Collection => &mut self.collections,
            Kind::Section => &mut self.sections,
            Kind::Article => &mut self.articles,
        };
        map.insert(old_id.to_string(), created);
        self.pending = None;
    }

    /// Every new id already used, so a search for a pending object never adopts one twice.
    pub fn new_ids(&self, kind: Kind) -> BTreeSet<String> {
        let maps: Vec<&BTreeMap<String, Created>> = match kind {
            Kind::Article => vec![&self.articles],
            Kind::Collection | Kind::Section => vec![&self.collections, &self.sections],
        };
        maps.into_iter()
            .flat_map(|m| m.values().map(|c| c.id.clone()))
            .collect()
    }
}

/// Reads the state at `path`, `None` when there is none.
pub fn load(path: &Path) -> Result<Option<RestoreState>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, "read", e)),
    };
    let state: RestoreState = serde_json::from_slice(&bytes)
        .map_err(|e| Error::data(format!("{}: invalid restore state: {e}", path.display())))?;
    if state.format != FORMAT {
        return Err(Error::data(format!(
            "{}: unsupported restore state format {:?}",
            path.display(),
            state.format
        )));
    }
    Ok(Some(state))
}

/// Writes the state atomically: a reader (or a crash) sees the old file or the new one.
pub fn save(path: &Path, state: &RestoreState) -> Result<()> {
    let mut json = serde_json::to_vec_pretty(state).expect("the state serialises");
    json.push(b'\n');
    let parent = parent_dir(path);
    let mut temp = tempfile::Builder::new()
        .prefix(".helpcenter-restore-")
        .tempfile_in(&parent)
        .map_err(|e| Error::io(&parent, "create a temporary file in", e))?;
    temp.write_all(&json)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Error::io(temp.path(), "write", e))?;
    temp.persist(path)
        .map_err(|e| Error::io(path, "replace", e.error))?;
    Ok(())
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The default state file: beside the backup, named after it (`snapshot.restore.json`,
/// `backup.tar.zst.restore.json`).
pub fn default_path(backup: &Path) -> PathBuf {
    let name = backup
        .file_name()
        .map_or_else(|| "backup".into(), |n| n.to_string_lossy().into_owned());
    backup.with_file_name(format!("{name}.restore.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_lives_beside_the_backup() {
        assert_eq!(
            default_path(Path::new("snapshot/")),
            PathBuf::from("snapshot.restore.json")
        );
        assert_eq!(
            default_path(Path::new("b/hc.tar.zst")),
            PathBuf::from("b/hc.tar.zst.restore.json")
        );
    }

    #[test]
    fn saved_state_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        assert_eq!(load(&path).unwrap(), None);
        let mut state = RestoreState::new(
            "x".into(),
            Target {
                base_url: "http://h".into(),
                help_center: "7".into(),
            },
        );
        state.pending = Some(Pending {
            kind: Kind::Article,
            old_id: "1".into(),
        });
        state.record(
            Kind::Article,
            "1",
            Created {
                id: "9".into(),
                urls: BTreeMap::new(),
            },
        );
        save(&path, &state).unwrap();
        assert_eq!(load(&path).unwrap(), Some(state));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
