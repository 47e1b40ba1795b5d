//! What a merge does to each file: the tree's files, its base record and an export of the
//! snapshot, joined by what each file is (a help center, group or article, in one locale), so
//! a file moved on either side is still the same file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::Path;

use rayon::prelude::*;

use super::report::Outcome;
use super::text::{merge_text, Unmergeable};
use crate::error::{Error, Result};
use crate::model::Locale;
use crate::snapshot::{file_entry, ASSETS_DIR};
use crate::tree::bodies::{self, Encoded};
use crate::tree::conflicts::{self, utc_minutes};
use crate::tree::export::{Render, RenderedFile};
use crate::tree::layout::Layout;
use crate::tree::{base_text, frontmatter, BaseEntry, BaseRecord, FileKind, MergeState};
use crate::tree::{PendingMerge, INDEX_FILE};

/// What one file of the tree describes: the base record's `kind`, `id` and `locale`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Identity {
    pub(crate) kind: FileKind,
    pub(crate) id: Option<String>,
    pub(crate) locale: Locale,
}

impl Identity {
    fn of(entry: &BaseEntry) -> Identity {
        Identity {
            kind: entry.kind,
            id: entry.id.clone(),
            locale: entry.locale.clone(),
        }
    }
}

/// What the base record gets for a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BaseChange {
    /// Nothing.
    None,
    /// This entry, at the file's new path (the base moves on to the remote version).
    Set(BaseEntry),
    /// The same entry, at the file's new path.
    Move,
    /// The entry goes.
    Remove,
}

/// The remote version of a file, kept in the tree as a base (or a pending merge's base).
#[derive(Debug)]
pub(crate) struct RemoteVersion {
    /// Its text, the file's base text.
    pub(crate) text: String,
    /// Its body record.
    pub(crate) body: Option<Encoded>,
}

/// What the merge does to one file.
#[derive(Debug)]
pub(crate) struct Change {
    /// What the file describes.
    pub(crate) identity: Identity,
    /// What happens.
    pub(crate) outcome: Outcome,
    /// Where the file is now, if it is in the tree.
    pub(crate) from: Option<String>,
    /// Where it is after the merge; `None` when it is removed.
    pub(crate) to: Option<String>,
    /// Where its base entry is now.
    pub(crate) base_path: Option<String>,
    /// Its text now, when it was read.
    pub(crate) before: Option<String>,
    /// The text to write at `to`; `None` keeps the file's bytes (moved if `from` differs).
    pub(crate) text: Option<String>,
    /// What its base entry becomes.
    pub(crate) base: BaseChange,
    /// The remote version's base text and body record, to keep.
    pub(crate) remote: Option<RemoteVersion>,
    /// The merge left pending (conflicts to resolve), or `None`.
    pub(crate) pending: Option<PendingMerge>,
    /// The assets the remote version's body points at (tree file, Intercom URL).
    pub(crate) assets: Vec<(String, String)>,
    /// The lines of the conflicts written.
    pub(crate) conflict_lines: Vec<usize>,
    /// The front matter keys in conflict.
    pub(crate) conflicting_keys: Vec<String>,
    /// Why, for outcomes that need a word.
    pub(crate) detail: Option<String>,
}

impl Change {
    fn new(identity: Identity, outcome: Outcome) -> Change {
        Change {
            identity,
            outcome,
            from: None,
            to: None,
            base_path: None,
            before: None,
            text: None,
            base: BaseChange::None,
            remote: None,
            pending: None,
            assets: Vec::new(),
            conflict_lines: Vec::new(),
            conflicting_keys: Vec::new(),
            detail: None,
        }
    }

    /// The path it is reported under: where it ends up, else where it was.
    pub(crate) fn path(&self) -> &str {
        (self.to.as_deref())
            .or(self.from.as_deref())
            .or(self.base_path.as_deref())
            .unwrap_or("")
    }

    /// Whether anything is written, moved or removed.
    pub(crate) fn writes(&self) -> bool {
        self.text.is_some() || self.from != self.to || self.base != BaseChange::None
    }
}

/// A file of the tree as found before the merge.
#[derive(Debug, Clone)]
struct Local {
    path: String,
    sha256: String,
}

/// The tree before the merge, by identity.
pub(crate) struct Before {
    /// Base entries (with their paths), pending resolutions applied.
    base: HashMap<Identity, (String, BaseEntry)>,
    /// The files that describe something with an id.
    local: HashMap<Identity, Local>,
    /// Every Markdown file of the tree.
    files: BTreeSet<String>,
    /// The pending merges that stay pending, by path.
    pub(crate) pending: MergeState,
    /// What became of the pending merges: resolved or still unresolved, by identity.
    resolutions: HashMap<Identity, Outcome>,
}

impl Before {
    /// What the files edited here (bytes other than their base's) describe.
    pub(crate) fn edited(&self) -> impl Iterator<Item = &Identity> {
        let edited = |(identity, local): &(&Identity, &Local)| {
            (self.base.get(*identity)).is_some_and(|(_, entry)| entry.sha256 != local.sha256)
        };
        self.local
            .iter()
            .filter(edited)
            .map(|(identity, _)| identity)
    }
}

/// Reads the tree at `content` with its base record: which file holds what, and which pending
/// merges were resolved (their remote versions become the files' bases).
pub(crate) fn read_tree(content: &Path, base: &BaseRecord) -> Result<Before> {
    let files = markdown_files(content)?;
    let mut pending = MergeState::read(content)?;
    let mut entries: BTreeMap<String, BaseEntry> = base.files.clone();
    let mut resolutions = HashMap::new();
    for (path, merge) in std::mem::take(&mut pending.files) {
        let entry = entries.get(&path);
        let base_sha = entry.map_or("", |e| e.sha256.as_str());
        if base_sha != merge.base_sha256 {
            continue; // The base moved on otherwise (a forced push): nothing is pending.
        }
        let text = match fs::read(content.join(&path)) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(&content.join(&path), "read", e)),
        };
        let identity = Identity::of(&merge.remote);
        match text {
            Some(bytes) if file_entry(&bytes).sha256 == merge.local_sha256 => {}
            Some(bytes) if conflicts::has_markers(&String::from_utf8_lossy(&bytes)) => {
                resolutions.insert(identity, Outcome::Unresolved);
                pending.files.insert(path, merge);
            }
            _ => {
                resolutions.insert(identity, Outcome::Resolved);
                entries.insert(path, merge.remote);
            }
        }
    }
    let base: HashMap<Identity, (String, BaseEntry)> = (entries.into_iter())
        .map(|(path, entry)| (Identity::of(&entry), (path, entry)))
        .collect();
    let local = local_files(content, &files, &base)?;
    Ok(Before {
        base,
        local,
        files,
        pending,
        resolutions,
    })
}

/// Every `.md` file below a locale folder, `/`-separated, hidden names and `assets/` left out.
fn markdown_files(content: &Path) -> Result<BTreeSet<String>> {
    let mut files = BTreeSet::new();
    let walker = walkdir::WalkDir::new(content)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| {
            let hidden = e.file_name().to_string_lossy().starts_with('.');
            let assets = e.depth() == 1 && e.file_name() == ASSETS_DIR;
            !hidden && !assets
        });
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(content).to_path_buf();
            Error::io(&path, "list", e.into())
        })?;
        let is_markdown = entry.path().extension().is_some_and(|x| x == "md");
        if entry.file_type().is_file() && is_markdown && entry.depth() > 1 {
            files.insert(slash_path(
                entry.path().strip_prefix(content).expect("inside"),
            ));
        }
    }
    Ok(files)
}

fn slash_path(rel: &Path) -> String {
    let parts: Vec<String> = (rel.components())
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Which file holds each identity: a base entry's own file while it describes the same thing
/// (unchanged, or edited with the same `id`), else a file found elsewhere with that `id`
/// (moved by hand, or a new translation of an exported article).
fn local_files(
    content: &Path,
    files: &BTreeSet<String>,
    base: &HashMap<Identity, (String, BaseEntry)>,
) -> Result<HashMap<Identity, Local>> {
    let tracked: Vec<(&Identity, &String, &BaseEntry)> = (base.iter())
        .filter(|(_, (path, _))| files.contains(path))
        .map(|(identity, (path, entry))| (identity, path, entry))
        .collect();
    let at_base: Vec<Option<(Identity, Local)>> = tracked
        .par_iter()
        .map(|&(identity, path, entry)| {
            let bytes = read(content, path)?;
            let sha256 = file_entry(&bytes).sha256;
            // A file whose front matter is broken still is what its base entry says.
            let same = sha256 == entry.sha256
                || match describes(path, &bytes) {
                    Ok(found) => found.as_ref() == Some(identity),
                    Err(()) => true,
                };
            let local = Local {
                path: path.clone(),
                sha256,
            };
            Ok(same.then(|| (identity.clone(), local)))
        })
        .collect::<Result<_>>()?;
    let mut local: HashMap<Identity, Local> = at_base.into_iter().flatten().collect();
    let claimed: BTreeSet<&str> = local.values().map(|l| l.path.as_str()).collect();
    let others: Vec<&String> = files
        .iter()
        .filter(|f| !claimed.contains(f.as_str()))
        .collect();
    let found: Vec<Option<(Identity, Local)>> = others
        .par_iter()
        .map(|path| {
            let bytes = read(content, path)?;
            let local = Local {
                path: (*path).clone(),
                sha256: file_entry(&bytes).sha256,
            };
            let identity = describes(path, &bytes).ok().flatten();
            Ok(identity.map(|identity| (identity, local)))
        })
        .collect::<Result<_>>()?;
    for (identity, file) in found.into_iter().flatten() {
        local.entry(identity).or_insert(file);
    }
    Ok(local)
}

fn read(content: &Path, rel: &str) -> Result<Vec<u8>> {
    let path = content.join(rel);
    fs::read(&path).map_err(|e| Error::io(&path, "read", e))
}

/// What the file at `rel` describes, from its place and its front matter (the local side of a
/// conflict): `Ok(None)` for a file without `id` (new content), `Err(())` for one that cannot
/// be read as a Markdown file.
fn describes(rel: &str, bytes: &[u8]) -> std::result::Result<Option<Identity>, ()> {
    let text = conflicts::local_side(std::str::from_utf8(bytes).map_err(|_| ())?);
    let doc = frontmatter::parse(&text).map_err(|_| ())?;
    let field = |key: &str| {
        (doc.fields.iter())
            .find(|f| f.key == key)
            .and_then(|f| f.value.text().map(str::to_string))
    };
    let parts: Vec<&str> = rel.split('/').collect();
    let locale = Locale::parse(parts[0]).map_err(|_| ())?;
    let kind = match (parts.len(), parts.last() == Some(&INDEX_FILE)) {
        (2, true) => FileKind::HelpCenter,
        (_, true) if field("kind").as_deref() == Some("section") => FileKind::Section,
        (_, true) => FileKind::Collection,
        _ => FileKind::Article,
    };
    let id = field("id");
    if id.is_none() && kind != FileKind::HelpCenter {
        return Ok(None);
    }
    Ok(Some(Identity { kind, id, locale }))
}

/// Everything the decisions need.
pub(crate) struct Planner<'a> {
    pub(crate) content: &'a Path,
    pub(crate) before: &'a Before,
    pub(crate) render: &'a Render<'a>,
    /// When the snapshot was pulled (Unix seconds), to tell a deletion from a stale snapshot.
    pub(crate) pulled_at: Option<i64>,
}

impl Planner<'_> {
    /// Every change: for each file of the snapshot's export, then for each base entry the
    /// snapshot no longer has; unchanged files give none.
    pub(crate) fn changes(&self, layout: &Layout) -> Result<Vec<Change>> {
        let remote: Vec<(Identity, Option<Change>)> = (layout.files.par_iter())
            .map(|planned| {
                let rendered = self.render.file(planned);
                let identity = Identity::of(&rendered.entry);
                Ok((identity, self.with_remote(planned.path.key(), rendered)?))
            })
            .collect::<Result<_>>()?;
        let in_remote: BTreeSet<&Identity> = remote.iter().map(|(i, _)| i).collect();
        let gone: Vec<Identity> = (self.before.base.keys())
            .filter(|i| !in_remote.contains(i))
            .cloned()
            .collect();
        let mut changes: Vec<Change> = remote.into_iter().filter_map(|(_, c)| c).collect();
        for identity in &gone {
            changes.extend(self.deleted_remotely(identity)?);
        }
        for (identity, outcome) in &self.before.resolutions {
            if *outcome == Outcome::Unresolved {
                continue;
            }
            if !changes.iter().any(|c| &c.identity == identity) {
                changes.push(self.resolved_only(identity));
            }
        }
        changes.sort_by(|a, b| a.path().cmp(b.path()));
        Ok(changes)
    }

    /// A resolved pending merge that needs nothing more: its base moves on.
    fn resolved_only(&self, identity: &Identity) -> Change {
        let mut change = Change::new(identity.clone(), Outcome::Resolved);
        if let Some((path, entry)) = self.before.base.get(identity) {
            change.from = self.before.local.get(identity).map(|l| l.path.clone());
            change.to = change.from.clone().or(Some(path.clone()));
            change.base_path = Some(path.clone());
            change.base = BaseChange::Set(entry.clone());
        }
        change
    }

    /// The decision for a file the snapshot's export has.
    fn with_remote(&self, remote_path: String, remote: RenderedFile) -> Result<Option<Change>> {
        let identity = Identity::of(&remote.entry);
        let resolution = self.before.resolutions.get(&identity).copied();
        if resolution == Some(Outcome::Unresolved) {
            let mut change = Change::new(identity.clone(), Outcome::Unresolved);
            change.from = self.before.local.get(&identity).map(|l| l.path.clone());
            change.to = change.from.clone();
            return Ok(Some(change));
        }
        let base = self.before.base.get(&identity);
        let local = self.before.local.get(&identity);
        let change = match (base, local) {
            (None, local) => self.added_remotely(identity, remote_path, remote, local)?,
            (Some(base), None) => self.deleted_locally(identity, remote_path, remote, base),
            (Some(base), Some(local)) => {
                self.on_both_sides(identity, remote_path, remote, base, local)?
            }
        };
        Ok(match (change, resolution) {
            (Some(mut change), Some(Outcome::Resolved)) => {
                // The resolution is recorded whatever else happens: the remote version it was
                // merged with is the file's base from now on.
                if let (BaseChange::Move | BaseChange::None, Some((_, entry))) =
                    (&change.base, self.before.base.get(&change.identity))
                {
                    change.base = BaseChange::Set(entry.clone());
                    change.to = change.to.clone().or(change.from.clone());
                }
                if !change.outcome.is_conflict() {
                    change.outcome = Outcome::Resolved;
                }
                Some(change)
            }
            (change, _) => change,
        })
    }

    /// A file that exists in the base, the tree and the snapshot.
    fn on_both_sides(
        &self,
        identity: Identity,
        remote_path: String,
        remote: RenderedFile,
        (base_path, base): &(String, BaseEntry),
        local: &Local,
    ) -> Result<Option<Change>> {
        if let (Some(now), Some(then)) = (remote.entry.updated_at, base.updated_at) {
            if now < then {
                let mut change = Change::new(identity, Outcome::Stale);
                change.from = Some(local.path.clone());
                change.to = change.from.clone();
                change.detail = Some(format!(
                    "the snapshot's version ({}) is older than this file's base ({}); run \
                     `helpcenter pull` first",
                    time_text(now),
                    time_text(then)
                ));
                return Ok(Some(change));
            }
        }
        let local_changed = local.sha256 != base.sha256;
        let remote_changed = remote.entry.sha256 != base.sha256;
        // A file moved by hand stays where it was put; otherwise it follows Intercom.
        let to = if local.path != *base_path {
            local.path.clone()
        } else {
            remote_path
        };
        let mut change = Change::new(identity, Outcome::Moved);
        change.from = Some(local.path.clone());
        change.to = Some(to);
        change.base_path = Some(base_path.clone());
        match (local_changed, remote_changed) {
            (false, false) | (true, false) => {
                if change.from == change.to && base_path == change.to.as_ref().unwrap() {
                    return Ok(None);
                }
                change.base = BaseChange::Move;
            }
            (false, true) => {
                change.outcome = Outcome::Updated;
                self.take_remote(&mut change, remote);
            }
            (true, true) => self.merge(&mut change, base, remote)?,
        }
        Ok(Some(change))
    }

    /// The file becomes the remote version, and so does its base.
    fn take_remote(&self, change: &mut Change, remote: RenderedFile) {
        change.text = Some(remote.text.clone());
        change.base = BaseChange::Set(remote.entry);
        change.assets = remote.assets;
        change.remote = Some(RemoteVersion {
            text: remote.text,
            body: remote.body,
        });
    }

    /// A file edited on both sides: merged three ways; clean, its base moves on to the remote
    /// version; with conflicts, the base stays and the merge is pending.
    fn merge(&self, change: &mut Change, base: &BaseEntry, remote: RenderedFile) -> Result<()> {
        let from = change.from.as_deref().expect("a local file");
        let local_bytes = read(self.content, from)?;
        let local_text = String::from_utf8(local_bytes).map_err(|e| {
            Error::data(format!(
                "{}: not UTF-8 text: {e}",
                self.content.join(from).display()
            ))
        })?;
        let base_text = base_text::read(self.content, &base.sha256)?;
        let base_body = match (&base_text, &base.body) {
            (None, Some(name)) => Some(bodies::read(self.content, name)?.markdown()),
            _ => None,
        };
        let merged = merge_text(
            base_text.as_deref(),
            base_body.as_deref(),
            &local_text,
            &remote.text,
            remote.entry.updated_at,
        );
        change.before = Some(local_text);
        let merged = match merged {
            Ok(merged) => merged,
            Err(Unmergeable(why)) => {
                change.outcome = Outcome::Unmergeable;
                change.to = change.from.clone();
                change.detail = Some(format!(
                    "not merged: {why}, then run `helpcenter merge` again"
                ));
                return Ok(());
            }
        };
        change.assets = remote.assets;
        change.conflict_lines = merged.conflict_lines;
        change.conflicting_keys = merged.conflicting_keys;
        let local_sha256 = file_entry(change.before.as_deref().unwrap_or("").as_bytes()).sha256;
        if change.conflict_lines.is_empty() {
            change.outcome = Outcome::Merged;
            change.base = BaseChange::Set(remote.entry);
        } else {
            change.outcome = Outcome::Conflicted;
            change.base = BaseChange::Move;
            change.pending = Some(PendingMerge {
                remote: remote.entry,
                base_sha256: base.sha256.clone(),
                local_sha256,
            });
        }
        change.text = Some(merged.text);
        change.remote = Some(RemoteVersion {
            text: remote.text,
            body: remote.body,
        });
        Ok(())
    }

    /// A file of the base that is gone from the tree: deleted here. An Intercom edit since
    /// brings it back (nothing of a colleague's edit is dropped silently); otherwise the
    /// deletion stands for `push --delete` to send.
    fn deleted_locally(
        &self,
        identity: Identity,
        remote_path: String,
        remote: RenderedFile,
        (base_path, base): &(String, BaseEntry),
    ) -> Option<Change> {
        let newer = match (remote.entry.updated_at, base.updated_at) {
            (Some(now), Some(then)) => now > then,
            _ => false,
        };
        if remote.entry.sha256 == base.sha256 || !newer {
            return None;
        }
        let mut change = Change::new(identity, Outcome::Restored);
        change.to = Some(remote_path);
        change.base_path = Some(base_path.clone());
        change.detail = Some(format!(
            "deleted here, but edited in Intercom on {}: restored with that edit; delete it \
             again to delete it",
            time_text(remote.entry.updated_at.unwrap_or_default())
        ));
        self.take_remote(&mut change, remote);
        if self.before.files.contains(change.to.as_ref().unwrap()) {
            change.outcome = Outcome::Unmergeable;
            change.text = None;
            change.base = BaseChange::None;
            change.detail = Some("edited in Intercom, and another file is where it goes".into());
        }
        Some(change)
    }

    /// A file the base does not have: new in Intercom (or a translation added on both sides).
    fn added_remotely(
        &self,
        identity: Identity,
        remote_path: String,
        remote: RenderedFile,
        local: Option<&Local>,
    ) -> Result<Option<Change>> {
        let mut change = Change::new(identity, Outcome::Added);
        let Some(local) = local else {
            change.to = Some(remote_path);
            if self.before.files.contains(change.to.as_ref().unwrap()) {
                change.outcome = Outcome::Unmergeable;
                change.from = change.to.clone();
                change.detail = Some(
                    "new in Intercom, and a file without its `id` is where it goes: rename that \
                     file, then run `helpcenter merge` again"
                        .into(),
                );
                return Ok(Some(change));
            }
            self.take_remote(&mut change, remote);
            return Ok(Some(change));
        };
        change.from = Some(local.path.clone());
        change.to = Some(local.path.clone());
        if local.sha256 == remote.entry.sha256 {
            change.detail = Some("already in the tree".into());
            change.base = BaseChange::Set(remote.entry);
            change.remote = Some(RemoteVersion {
                text: remote.text,
                body: remote.body,
            });
            return Ok(Some(change));
        }
        // Written on both sides: merged with nothing in common.
        let no_base = BaseEntry {
            sha256: String::new(),
            body: None,
            ..remote.entry.clone()
        };
        self.merge(&mut change, &no_base, remote)?;
        if let Some(pending) = &mut change.pending {
            pending.base_sha256 = String::new();
            change.base = BaseChange::None;
        }
        Ok(Some(change))
    }

    /// A base entry the snapshot's export does not have: deleted in Intercom.
    fn deleted_remotely(&self, identity: &Identity) -> Result<Option<Change>> {
        let (base_path, base) = &self.before.base[identity];
        if let (Some(then), Some(pulled)) = (base.updated_at, self.pulled_at) {
            if then > pulled {
                let mut change = Change::new(identity.clone(), Outcome::Stale);
                change.from = self.before.local.get(identity).map(|l| l.path.clone());
                change.to = change.from.clone();
                change.detail = Some(format!(
                    "not in the snapshot, which is older than this file's base ({}); run \
                     `helpcenter pull` first",
                    time_text(then)
                ));
                return Ok(Some(change));
            }
        }
        let mut change = Change::new(identity.clone(), Outcome::Removed);
        change.base_path = Some(base_path.clone());
        change.base = BaseChange::Remove;
        let Some(local) = self.before.local.get(identity) else {
            change.detail = Some("deleted here and in Intercom".into());
            return Ok(Some(change));
        };
        change.from = Some(local.path.clone());
        if local.sha256 == base.sha256 {
            change.before =
                Some(String::from_utf8_lossy(&read(self.content, &local.path)?).into_owned());
            return Ok(Some(change));
        }
        change.outcome = Outcome::KeptDeleted;
        change.to = change.from.clone();
        change.base = BaseChange::None;
        change.detail = Some(
            "deleted in Intercom, but edited here: kept; delete the file to accept the \
             deletion, or remove its `id` to create it again with `helpcenter push`"
                .into(),
        );
        Ok(Some(change))
    }
}

/// A time for messages.
fn time_text(secs: i64) -> String {
    utc_minutes(secs).unwrap_or_else(|| secs.to_string())
}
