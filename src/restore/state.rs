//! The progress of a restore: old id to new id (and new URLs) for everything created, which
//! articles had their links rewritten, and the one create in flight.
//!
//! The file is JSON Lines: a header (format, backup, target), then one line per change. Each
//! change is appended and flushed to disk (`fdatasync`) before the next request is sent, so a
//! restore stopped anywhere continues where it stopped, and a write costs the same however much
//! was restored (rewriting a whole file after every write made a large restore quadratic). A
//! line cut short by a crash is ignored. Each run starts by rewriting the file compacted,
//! atomically (temp file, fsync, rename).

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

/// One line of the state file after the first: a change to the state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A create is about to be sent.
    Pending(Pending),
    /// An object was created (or adopted).
    Created {
        /// Its kind.
        kind: Kind,
        /// Its id in the backup.
        old_id: String,
        /// Its new id and URLs.
        #[serde(flatten)]
        created: Created,
    },
    /// The pending create turned out not to exist; it will be sent again.
    Cleared,
    /// An article's links were rewritten (or needed nothing).
    LinksDone(String),
}

/// The first line of the state file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    format: String,
    backup: String,
    target: Target,
}

impl RestoreState {
    /// Applies one change.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Pending(pending) => self.pending = Some(pending),
            Event::Created {
                kind,
                old_id,
                created,
            } => self.record(kind, &old_id, created),
            Event::Cleared => self.pending = None,
            Event::LinksDone(old_id) => {
                self.links_done.insert(old_id);
            }
        }
    }

    /// The events that rebuild this state from its header.
    fn events(&self) -> Vec<Event> {
        let mut events = Vec::new();
        for kind in [Kind::Collection, Kind::Section, Kind::Article] {
            for (old_id, created) in self.created(kind) {
                events.push(Event::Created {
                    kind,
                    old_id: old_id.clone(),
                    created: created.clone(),
                });
            }
        }
        events.extend(self.links_done.iter().cloned().map(Event::LinksDone));
        events.extend(self.pending.clone().map(Event::Pending));
        events
    }
}

/// Reads the state at `path`, `None` when there is none. A last line cut short by a crash
/// (no newline) is ignored: its write never completed, so it never counted.
pub fn load(path: &Path) -> Result<Option<RestoreState>> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, "read", e)),
    };
    let invalid = |line: usize, e: serde_json::Error| {
        Error::data(format!(
            "{}:{line}: invalid restore state: {e}",
            path.display()
        ))
    };
    let complete = match text.rfind('\n') {
        Some(end) => &text[..end],
        None => "",
    };
    let mut lines = complete.lines().enumerate();
    let Some((_, first)) = lines.next() else {
        return Err(Error::data(format!(
            "{}: empty restore state",
            path.display()
        )));
    };
    let header: Header = serde_json::from_str(first).map_err(|e| invalid(1, e))?;
    if header.format != FORMAT {
        return Err(Error::data(format!(
            "{}: unsupported restore state format {:?}",
            path.display(),
            header.format
        )));
    }
    let mut state = RestoreState::new(header.backup, header.target);
    for (index, line) in lines {
        let event: Event = serde_json::from_str(line).map_err(|e| invalid(index + 1, e))?;
        state.apply(event);
    }
    Ok(Some(state))
}

/// The state file, open for appending: one line per change, each flushed to disk before the
/// next request, so a write costs the same whether ten objects were restored or ten thousand.
pub struct Journal {
    path: PathBuf,
    file: fs::File,
}

impl Journal {
    /// Writes `state` compacted (header, then one line per fact) atomically: temp file, fsync,
    /// rename; then opens it to append the changes of this run.
    pub fn start(path: &Path, state: &RestoreState) -> Result<Journal> {
        let header = Header {
            format: state.format.clone(),
            backup: state.backup.clone(),
            target: state.target.clone(),
        };
        let mut text = line(&header);
        for event in state.events() {
            text.push_str(&line(&event));
        }
        crate::durable::write_atomically(path, text.as_bytes())?;
        let file = fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| Error::io(path, "open", e))?;
        Ok(Journal {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Appends one change and waits until it is on disk.
    pub fn append(&mut self, event: &Event) -> Result<()> {
        self.file
            .write_all(line(event).as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| Error::io(&self.path, "write", e))
    }
}

/// One JSON value on one line.
fn line<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string(value).expect("the state serialises");
    text.push('\n');
    text
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
    fn the_journal_reads_back_and_ignores_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        assert_eq!(load(&path).unwrap(), None);
        let target = Target {
            base_url: "http://h".into(),
            help_center: "7".into(),
        };
        let mut state = RestoreState::new("x".into(), target);
        state.record(
            Kind::Collection,
            "3",
            Created {
                id: "30".into(),
                urls: BTreeMap::new(),
            },
        );
        let mut journal = Journal::start(&path, &state).unwrap();
        let pending = Pending {
            kind: Kind::Article,
            old_id: "1".into(),
        };
        let created = Created {
            id: "9".into(),
            urls: [("en".to_string(), "https://n/en/articles/9".to_string())].into(),
        };
        for event in [
            Event::Pending(pending.clone()),
            Event::Created {
                kind: Kind::Article,
                old_id: "1".into(),
                created: created.clone(),
            },
            Event::LinksDone("1".into()),
            Event::Pending(Pending {
                kind: Kind::Article,
                old_id: "2".into(),
            }),
        ] {
            state.apply(event.clone());
            journal.append(&event).unwrap();
        }
        assert_eq!(load(&path).unwrap().as_ref(), Some(&state));
        assert_eq!(state.articles["1"], created);
        assert_eq!(state.pending.as_ref().unwrap().old_id, "2");

        let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"created\":{\"kind\":\"art").unwrap();
        assert_eq!(load(&path).unwrap().as_ref(), Some(&state));

        Journal::start(&path, &state).unwrap();
        assert_eq!(load(&path).unwrap().as_ref(), Some(&state));
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 1 + 4);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
