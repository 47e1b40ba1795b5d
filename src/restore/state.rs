//! The progress of a restore: old id to new id (and new URLs) for everything created, which
//! articles had their links rewritten, and the creates in flight.
//!
//! The file is a [`crate::journal`]: a header (format, backup, target), then one line per
//! change, each on disk before the next request that depends on it is sent, so a restore
//! stopped anywhere continues where it stopped, and a write costs the same however much was
//! restored. Version 2 allows several creates in flight (`--concurrency`); a version 1 file
//! (one at most) reads the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::journal::{self, Journal};

/// Format tag of the state file this version writes.
pub const FORMAT: &str = "helpcenter-restore/2";

/// Format tags this version reads: version 1 had at most one create in flight.
const READS: [&str; 2] = ["helpcenter-restore/1", FORMAT];

/// What kind of object a state entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Pending {
    /// What was being created.
    pub kind: Kind,
    /// Its id in the backup.
    pub old_id: String,
}

/// The whole state, as the file's events build it.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreState {
    /// Always [`FORMAT`].
    pub format: String,
    /// The backup's `pulled_at` and manifest checksum: a state belongs to one backup.
    pub backup: String,
    /// Where it restores to.
    pub target: Target,
    /// Collections created, by old id.
    pub collections: BTreeMap<String, Created>,
    /// Sections created (as collections), by old id.
    pub sections: BTreeMap<String, Created>,
    /// Articles created, by old id.
    pub articles: BTreeMap<String, Created>,
    /// Old ids of articles whose links were rewritten (or needed none).
    pub links_done: BTreeSet<String>,
    /// The creates in flight when the last run stopped.
    pub pending: BTreeSet<Pending>,
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
            pending: BTreeSet::new(),
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

    /// Records a created object; it is no longer pending.
    pub fn record(&mut self, kind: Kind, old_id: &str, created: Created) {
        let map = match kind {
            Kind::Collection => &mut self.collections,
            Kind::Section => &mut self.sections,
            Kind::Article => &mut self.articles,
        };
        map.insert(old_id.to_string(), created);
        self.pending.remove(&Pending {
            kind,
            old_id: old_id.to_string(),
        });
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
    /// An object was created (or adopted); it is no longer pending.
    Created {
        /// Its kind.
        kind: Kind,
        /// Its id in the backup.
        old_id: String,
        /// Its new id and URLs.
        #[serde(flatten)]
        created: Created,
    },
    /// The pending creates not found in Intercom: they will be sent again.
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
            Event::Pending(pending) => {
                self.pending.insert(pending);
            }
            Event::Created {
                kind,
                old_id,
                created,
            } => self.record(kind, &old_id, created),
            Event::Cleared => self.pending.clear(),
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
        events.extend(self.pending.iter().cloned().map(Event::Pending));
        events
    }
}

/// Reads the state at `path`, `None` when there is none (a torn last line is ignored).
pub fn load(path: &Path) -> Result<Option<RestoreState>> {
    let Some((header, events)) = journal::read::<Header, Event>(path, "restore state", &READS)?
    else {
        return Ok(None);
    };
    let mut state = RestoreState::new(header.backup, header.target);
    for event in events {
        state.apply(event);
    }
    Ok(Some(state))
}

/// Rewrites the state file compacted, in this version's format, and opens it for this run's
/// changes.
pub fn start(path: &Path, state: &RestoreState) -> Result<Journal> {
    let header = Header {
        format: FORMAT.to_string(),
        backup: state.backup.clone(),
        target: state.target.clone(),
    };
    Journal::start(path, &header, &state.events())
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
    use std::fs;
    use std::io::Write;

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

    fn pending(kind: Kind, old_id: &str) -> Pending {
        Pending {
            kind,
            old_id: old_id.into(),
        }
    }

    #[tokio::test]
    async fn the_state_reads_back_with_several_creates_in_flight() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        assert_eq!(load(&path).unwrap(), None);
        let target = Target {
            base_url: "http://h".into(),
            help_center: "7".into(),
        };
        let mut state = RestoreState::new("x".into(), target);
        state.record(Kind::Collection, "3", Created::default());
        let journal = start(&path, &state).unwrap();
        let created = Created {
            id: "9".into(),
            urls: [("en".to_string(), "https://n/en/articles/9".to_string())].into(),
        };
        for event in [
            Event::Pending(pending(Kind::Article, "1")),
            Event::Pending(pending(Kind::Article, "2")),
            Event::Pending(pending(Kind::Article, "4")),
            Event::Created {
                kind: Kind::Article,
                old_id: "1".into(),
                created: created.clone(),
            },
            Event::LinksDone("1".into()),
        ] {
            state.apply(event.clone());
            journal.append(&event).await.unwrap();
        }
        drop(journal);
        assert_eq!(load(&path).unwrap().as_ref(), Some(&state));
        assert_eq!(state.articles["1"], created);
        let in_flight = BTreeSet::from([pending(Kind::Article, "2"), pending(Kind::Article, "4")]);
        assert_eq!(state.pending, in_flight);

        start(&path, &state).unwrap();
        assert_eq!(load(&path).unwrap().as_ref(), Some(&state));
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 1 + 5);
        state.apply(Event::Cleared);
        assert!(state.pending.is_empty());
    }

    #[test]
    fn a_version_1_state_file_is_continued() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let mut file = fs::File::create(&path).unwrap();
        let v1 = concat!(
            r#"{"format":"helpcenter-restore/1","backup":"b","target":{"base_url":"http://h","help_center":"7"}}"#,
            "\n",
            r#"{"created":{"kind":"article","old_id":"1","id":"9","urls":{}}}"#,
            "\n",
            r#"{"pending":{"kind":"article","old_id":"2"}}"#,
            "\n",
            r#""cleared""#,
            "\n",
            r#"{"pending":{"kind":"article","old_id":"3"}}"#,
            "\n",
        );
        file.write_all(v1.as_bytes()).unwrap();
        let state = load(&path).unwrap().unwrap();
        assert_eq!(state.articles["1"].id, "9");
        assert_eq!(state.pending, BTreeSet::from([pending(Kind::Article, "3")]));
    }
}
