//! The push journal, `content/.helpcenter/journal`: every write a push sends, what Intercom
//! answered and the ids it created, so that a push killed at any moment (`kill -9`, a power
//! cut) is finished by the next one with no duplicate, no edit lost, and no edit sent again
//! over a newer remote one.
//!
//! It is a [`crate::journal`]: JSON Lines, a header, then one event per line, each on disk
//! before the push goes on. The header is
//! `{"format":"helpcenter-push/1","base_sha256":"<sha256 of base.json>"}`: the events apply on
//! top of that `base.json`. The events:
//!
//! - `{"sending":{"request":"PUT /articles/101","files":[...]}}` before an update; per file its
//!   base update should the write land (`path`, `sha256` and `bytes` of the file as sent, `new`
//!   for a file new to the base), its `locale`, the `fields` sent and their `digest` (a sha256
//!   of the fields as Intercom echoes them, bodies as normalised HTML), which recognises the
//!   write in Intercom if its answer never arrives;
//! - `{"creating":{"request":"POST /articles","kind","path","locale","sha256","title","parent"}}`
//!   before a create (`title` is a collection's name; `parent` the collection's id);
//! - `{"base":{"request","set":{"<path>":<base entry>},"remove":["<path>"]}}` when a write
//!   succeeded, Intercom already held a file, or an article was deleted: the base record
//!   entries that change (`request` is absent when nothing was sent);
//! - `{"created":{"request","path","id","key","entry":<base entry>}}` when Intercom created what
//!   `path` describes: `id` (and `translationKey` `key`) go into its front matter, `entry` into
//!   the base record;
//! - `{"failed":{"request","error"}}` when an update failed: Intercom changed nothing;
//! - `{"checkpoint":{"base_sha256"}}` just before `base.json` is replaced by one holding every
//!   event above it (the creates re-announced after it are still without an answer).
//!
//! A push starts by finishing what a journal it finds says, under the tree's lock (the one an
//! export takes): it applies the `base` and `created` events, writing ids back into files that
//! lack them; looks in Intercom for each create without an answer (same title or name under
//! the same parent, claimed by no file of the base) and adopts it, so nothing is created twice;
//! and reads back each update without an answer: when Intercom holds what was sent, the write
//! landed and the base records it, so a file edited again since is sent as an edit rather than
//! reported as a conflict with itself. It then writes `base.json` and starts the journal
//! afresh. `base.json` is written once more when the push ends (a journal line costs the same
//! for the 5,000th file as for the first; rewriting `base.json` after every write did not), and
//! the journal is removed, or kept holding the creates whose answers were lost (they "may or may
//! not have been applied"), for the next push to look for.
//!
//! Anything else that changes a tree's base record (a future `helpcenter merge`) must take the
//! same lock and first finish, or refuse, a journal it finds.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::base::{self, Pushed};
use super::create::{front_matter_id, remote_time, translation_key};
use super::payload;
use super::report::{FileReport, Outcome};
use crate::assets::LocalAssets;
use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::journal::{self, Expected, Journal};
use crate::markdown::normalize_html;
use crate::model::Locale;
use crate::snapshot::{checked_id, file_entry, id_field};
use crate::tree::{self, with_id, AssetRecord, BaseEntry, BaseRecord, FileKind, BASE_FILE};

/// Where the journal lives in a tree.
pub const JOURNAL_FILE: &str = ".helpcenter/journal";

/// Format tag of the journal.
pub const FORMAT: &str = "helpcenter-push/1";

/// The journal's first line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    format: String,
    /// The `base.json` the events apply to.
    base_sha256: String,
}

/// One file of an update, as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// The base record's update should the write land (its time is Intercom's answer).
    #[serde(flatten)]
    pub file: Pushed,
    /// The file's locale.
    pub locale: String,
    /// The fields sent.
    pub fields: Vec<String>,
    /// Their [`digest`].
    pub digest: String,
}

/// A create, as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Creating {
    /// `POST /articles` or `POST /help_center/collections`.
    pub request: String,
    /// What the file describes.
    pub kind: FileKind,
    /// The file, relative to the tree's root.
    pub path: String,
    /// Its locale.
    pub locale: Locale,
    /// sha256 of the file as sent.
    pub sha256: String,
    /// The article's title, or the collection's name.
    pub title: String,
    /// The id of the collection it goes into (`None`: top level).
    pub parent: Option<String>,
}

/// One line of the journal after the header; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// An update is about to be sent.
    Sending {
        /// `PUT /articles/101`
        request: String,
        /// What it carries, per file.
        files: Vec<Sent>,
    },
    /// A create is about to be sent.
    Creating(Creating),
    /// Changes to the base record.
    Base {
        /// The request whose answer they record; `None` when nothing was sent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<String>,
        /// Entries set.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        set: BTreeMap<String, BaseEntry>,
        /// Entries removed.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        remove: Vec<String>,
    },
    /// Intercom created what `path` describes.
    Created {
        /// The create's request.
        request: String,
        /// The file, relative to the tree's root.
        path: String,
        /// The new id, for the front matter.
        id: String,
        /// The `translationKey` for the front matter.
        key: String,
        /// The file's base entry.
        entry: BaseEntry,
    },
    /// An update failed; Intercom changed nothing.
    Failed {
        /// The request.
        request: String,
        /// Why.
        error: String,
    },
    /// The `base.json` with this sha256 holds every event above.
    Checkpoint {
        /// sha256 of that `base.json`.
        base_sha256: String,
    },
}

/// Changes to the base record, as a `base` event holds them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaseEdit {
    /// Entries to set.
    pub set: BTreeMap<String, BaseEntry>,
    /// Entries to remove.
    pub remove: Vec<String>,
}

/// What the events so far add up to.
struct State {
    base: BaseRecord,
    /// Updates without an answer, by request.
    sends: BTreeMap<String, Vec<Sent>>,
    /// Creates without an answer, by file.
    creates: BTreeMap<String, Creating>,
}

impl State {
    fn apply(&mut self, event: &Event) {
        match event {
            Event::Sending { request, files } => {
                self.sends.insert(request.clone(), files.clone());
            }
            Event::Creating(creating) => {
                self.creates.insert(creating.path.clone(), creating.clone());
            }
            Event::Base {
                request,
                set,
                remove,
            } => {
                if let Some(request) = request {
                    self.sends.remove(request);
                }
                for path in remove {
                    self.base.files.remove(path);
                }
                self.base.files.extend(set.clone());
            }
            Event::Created { path, entry, .. } => {
                self.creates.remove(path);
                self.base.files.insert(path.clone(), entry.clone());
            }
            Event::Failed { request, .. } => {
                self.sends.remove(request);
            }
            Event::Checkpoint { .. } => {}
        }
    }

    /// The requests still without an answer, as events that announce them again.
    fn unanswered(&self) -> Vec<Event> {
        let sends = self.sends.iter().map(|(request, files)| Event::Sending {
            request: request.clone(),
            files: files.clone(),
        });
        let creates = self.creates.values().cloned().map(Event::Creating);
        sends.chain(creates).collect()
    }
}

/// The journal of one push, and the base record as its events leave it.
pub struct PushJournal {
    content: PathBuf,
    /// `None` in a dry run, which writes nothing.
    journal: Option<Journal>,
    state: Mutex<State>,
    /// sha256 of `base.json` as on disk, so a push that changed nothing does not rewrite it.
    written: String,
    /// The tree's lock, held for the whole push (none in a dry run).
    _lock: Option<File>,
}

impl PushJournal {
    /// Opens the journal of the tree at `content` and first finishes what an interrupted push
    /// left in it; the entries report what that recovery found in Intercom. A dry run only
    /// reads (and warns when a journal waits for the next push).
    pub async fn open(
        client: &Client,
        content: &Path,
        dry_run: bool,
    ) -> Result<(PushJournal, Vec<FileReport>)> {
        if !content.join(BASE_FILE).exists() {
            return Err(no_base(content));
        }
        let lock = (!dry_run).then(|| tree::lock_tree(content)).transpose()?;
        let (base, base_sha256) = read_base(content)?;
        let path = content.join(JOURNAL_FILE);
        let found = journal::read::<Header, Event>(&path, "push journal", &[FORMAT])?;
        let mut push = PushJournal {
            content: content.to_path_buf(),
            journal: None,
            state: Mutex::new(State {
                base,
                sends: BTreeMap::new(),
                creates: BTreeMap::new(),
            }),
            written: base_sha256.clone(),
            _lock: lock,
        };
        if dry_run {
            if found.is_some() {
                tracing::warn!(
                    "{}: a push was interrupted; the next push (without --dry-run) finishes \
                     its work first, which this dry run does not show",
                    path.display()
                );
            }
            return Ok((push, Vec::new()));
        }
        let Some((header, events)) = found else {
            push.journal = Some(start(&path, &base_sha256, &[])?);
            return Ok((push, Vec::new()));
        };
        let events = to_replay(&path, &header, events, &base_sha256)?;
        tracing::warn!(
            "{}: finishing the work of an interrupted push first",
            path.display()
        );
        for event in &events {
            push.state().apply(event);
        }
        push.journal = Some(start(&path, &base_sha256, &events)?);
        push.write_back_ids(&events)?;
        // Body records are written as an export writes them: local copies of assets as paths.
        let assets = AssetRecord::read(content)?.local_assets(content);
        let adopted = push.adopt_unanswered_creates(client, &assets).await?;
        push.settle_unanswered_updates(client, &assets).await?;
        // Creates not found in Intercom never happened: their files are created this run.
        // Updates Intercom does not hold as sent did not land, or were edited over since:
        // this run sends them again, or reports the conflict.
        {
            let mut state = push.state();
            state.creates.clear();
            state.sends.clear();
        }
        let push = push.checkpoint().await?;
        Ok((push, adopted))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the base record as the events so far leave it.
    pub fn base(&self) -> BaseRecord {
        self.state().base.clone()
    }

    /// Writes `event` to disk (nothing in a dry run), then applies it.
    async fn log(&self, event: Event) -> Result<()> {
        if let Some(journal) = &self.journal {
            journal.append(&event).await?;
        }
        self.state().apply(&event);
        Ok(())
    }

    /// Announces an update before it is sent.
    pub async fn sending(&self, request: &str, files: Vec<Sent>) -> Result<()> {
        let request = request.to_string();
        self.log(Event::Sending { request, files }).await
    }

    /// Announces a create before it is sent.
    pub async fn creating(&self, creating: Creating) -> Result<()> {
        self.log(Event::Creating(creating)).await
    }

    /// Records that an update failed (Intercom changed nothing).
    pub async fn failed(&self, request: &str, error: &str) -> Result<()> {
        let (request, error) = (request.to_string(), error.to_string());
        self.log(Event::Failed { request, error }).await
    }

    /// Records the base record changes `change` makes (it sees the current record): after
    /// `request`'s answer, or without a request. Concurrent updates change different files.
    pub async fn update(
        &self,
        request: Option<&str>,
        change: impl FnOnce(&BaseRecord, &mut BaseEdit) -> Result<()>,
    ) -> Result<()> {
        let mut edit = BaseEdit::default();
        change(&self.state().base, &mut edit)?;
        let request = request.map(str::to_string);
        let (set, remove) = (edit.set, edit.remove);
        self.log(Event::Base {
            request,
            set,
            remove,
        })
        .await
    }

    /// Records the base updates of `pushed` files, after `request`'s answer (or none).
    pub async fn record(&self, request: Option<&str>, pushed: &[Pushed]) -> Result<()> {
        self.update(request, |base, edit| {
            edit.set = base::entries(base, pushed)?;
            Ok(())
        })
        .await
    }

    /// Records a create's answer, then writes the file's new `bytes` (its id in the front
    /// matter; `None`: it has it already) and gives it its base entry.
    pub async fn created(
        &self,
        request: &str,
        path: &str,
        (id, key): (&str, &str),
        entry: BaseEntry,
        bytes: Option<&[u8]>,
    ) -> Result<()> {
        let event = Event::Created {
            request: request.to_string(),
            path: path.to_string(),
            id: id.to_string(),
            key: key.to_string(),
            entry,
        };
        if let Some(journal) = &self.journal {
            journal.append(&event).await?;
        }
        if let Some(bytes) = bytes {
            crate::durable::write_atomically(&self.content.join(path), bytes)?;
        }
        self.state().apply(&event);
        Ok(())
    }

    /// Ends the push: writes `base.json` with every change, then removes the journal, or keeps
    /// in it the requests whose answers were lost, for the next push to settle.
    pub async fn finish(self) -> Result<()> {
        let content = self.content.clone();
        let kept = self.checkpoint().await?;
        let waiting = kept.state().unanswered();
        if kept.journal.is_none() || !waiting.is_empty() {
            return Ok(());
        }
        drop(kept);
        let path = content.join(JOURNAL_FILE);
        fs::remove_file(&path).map_err(|e| Error::io(&path, "remove", e))?;
        crate::durable::sync_dir(&content.join(tree::META_DIR));
        Ok(())
    }

    /// Writes `base.json` with every change so far and starts the journal afresh on it,
    /// holding only the requests still without an answer. A crash in between is safe: the
    /// `checkpoint` line says which `base.json` already holds the events above it.
    async fn checkpoint(self) -> Result<PushJournal> {
        let Some(journal) = self.journal else {
            return Ok(self);
        };
        let state = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        let bytes = state.base.to_bytes();
        let base_sha256 = file_entry(&bytes).sha256;
        let waiting = state.unanswered();
        let checkpoint = Event::Checkpoint {
            base_sha256: base_sha256.clone(),
        };
        for event in std::iter::once(&checkpoint).chain(&waiting) {
            journal.append(event).await?;
        }
        let path = journal.path().to_path_buf();
        drop(journal);
        if base_sha256 != self.written {
            // The base text of every file whose entry moved on is kept (merge reads it).
            let before = BaseRecord::read(&self.content)?.unwrap_or_else(|| state.base.clone());
            state.base.write(&self.content, &before)?;
        } else {
            // Records of bodies and texts no file is based on any more (replaced, or written
            // by a push that was killed before it named them).
            state.base.remove_unnamed(&self.content)?;
        }
        Ok(PushJournal {
            journal: Some(start(&path, &base_sha256, &waiting)?),
            content: self.content,
            state: Mutex::new(state),
            written: base_sha256,
            _lock: self._lock,
        })
    }

    /// Files whose create was answered get their id, if the crash came before they did.
    fn write_back_ids(&self, events: &[Event]) -> Result<()> {
        for event in events {
            if let Event::Created { path, id, key, .. } = event {
                let file = self.content.join(path);
                let text = match fs::read_to_string(&file) {
                    Ok(text) => text,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(Error::io(&file, "read", e)),
                };
                match front_matter_id(&text) {
                    None => {
                        crate::durable::write_atomically(&file, with_id(&text, id, key).as_bytes())?
                    }
                    Some(found) if &found != id => tracing::warn!(
                        "{path}: the interrupted push created it as {id}, but the file now says \
                         id {found}; left as it is"
                    ),
                    Some(_) => {}
                }
            }
        }
        Ok(())
    }

    /// Creates sent without a recorded answer: adopted when Intercom has them (each list is
    /// read once), so they are not created twice.
    async fn adopt_unanswered_creates(
        &self,
        client: &Client,
        assets: &LocalAssets,
    ) -> Result<Vec<FileReport>> {
        let creates: Vec<Creating> = self.state().creates.values().cloned().collect();
        let mut lists: HashMap<&'static str, Vec<Value>> = HashMap::new();
        let mut adopted = Vec::new();
        for creating in creates {
            let parent = creating.parent.clone();
            let expected = match creating.kind {
                FileKind::Article => Expected::article(Some(creating.title.clone()), parent),
                _ => Expected::collection(Some(creating.title.clone()), parent),
            };
            if !lists.contains_key(expected.list) {
                let objects = journal::list_objects(client, expected.list).await?;
                lists.insert(expected.list, objects);
            }
            let taken = self.claimed(creating.kind);
            let found = journal::find_unclaimed(&lists[expected.list], &expected, &taken);
            if let Some(found) = found {
                adopted.push(self.adopt(&creating, found, assets).await?);
            }
        }
        Ok(adopted)
    }

    /// The ids the base record gives files of this kind of object.
    fn claimed(&self, kind: FileKind) -> BTreeSet<String> {
        let article = kind == FileKind::Article;
        let state = self.state();
        let entries = state.base.files.values();
        let same = entries.filter(|e| (e.kind == FileKind::Article) == article);
        same.filter_map(|e| e.id.clone()).collect()
    }

    /// Takes `found` as the object `creating` made: its id goes into the file and the base.
    async fn adopt(
        &self,
        creating: &Creating,
        found: &Value,
        assets: &LocalAssets,
    ) -> Result<FileReport> {
        let path = &creating.path;
        let id = id_field(found, "id").unwrap_or_default();
        checked_id(&id)
            .map_err(|why| Error::data(format!("{path}: Intercom has it with id {id:?}: {why}")))?;
        let key = translation_key(creating.kind, &id);
        let file = self.content.join(path);
        let text = fs::read_to_string(&file).map_err(|e| Error::io(&file, "read", e))?;
        let unchanged = file_entry(text.as_bytes()).sha256 == creating.sha256;
        let bytes = front_matter_id(&text)
            .is_none()
            .then(|| with_id(&text, &id, &key).into_bytes());
        // A file edited since it was sent keeps a base that differs: the edit is pushed next.
        let hash = match (&bytes, unchanged) {
            (Some(bytes), true) => file_entry(bytes),
            _ => file_entry(text.as_bytes()),
        };
        let sha256 = if unchanged {
            hash.sha256
        } else {
            creating.sha256.clone()
        };
        let updated_at = remote_time(found, &creating.locale);
        let new = base::NewFile {
            kind: creating.kind,
            id: Some(id.clone()),
            locale: creating.locale.clone(),
        };
        let mut entry = new.entry(updated_at, sha256, hash.bytes);
        // Like a create: the body Intercom holds is the base of the file's next edit.
        let body = payload::remote_locale(found, creating.locale.as_str())
            .and_then(|r| r.get("body"))
            .and_then(Value::as_str);
        if let (FileKind::Article, Some(body)) = (creating.kind, body) {
            entry.body = Some(base::body_record(&self.content, body, assets, path)?);
        }
        tracing::warn!("{path}: the interrupted push created it in Intercom as {id}; adopting it");
        self.created(
            &creating.request,
            path,
            (&id, &key),
            entry,
            bytes.as_deref(),
        )
        .await?;
        let mut report = FileReport::new(path, Outcome::Created).with_detail(
            "created by the interrupted push; found in Intercom and adopted, not created again",
        );
        report.locale = Some(creating.locale.to_string());
        match creating.kind {
            FileKind::Article => report.article_id = Some(id),
            _ => report.collection_id = Some(id),
        }
        Ok(report)
    }

    /// Updates sent without a recorded answer: those Intercom holds as sent are recorded in
    /// the base with Intercom's time; the others are left to this push (sent again, or a
    /// conflict when someone else edited since).
    async fn settle_unanswered_updates(&self, client: &Client, assets: &LocalAssets) -> Result<()> {
        let sends: Vec<(String, Vec<Sent>)> = self.state().sends.clone().into_iter().collect();
        for (request, files) in sends {
            let Some(path) = request.strip_prefix("PUT ") else {
                continue;
            };
            let remote: Value = match client.get_json(path, &[]).await {
                Ok(remote) => remote,
                Err(Error::Auth(message)) => return Err(Error::Auth(message)),
                Err(e) => {
                    tracing::warn!("{request}: cannot read it back ({e}); pushing it again");
                    continue;
                }
            };
            let mut landed: Vec<Pushed> = Vec::new();
            for sent in &files {
                let Some(now) = payload::remote_locale(&remote, &sent.locale) else {
                    continue;
                };
                if digest(now, &sent.fields) != sent.digest {
                    continue;
                }
                // An article's body record becomes the body Intercom holds, as after a write.
                let body = match (path.starts_with("/articles/"), now.get("body")) {
                    (true, Some(Value::String(html))) => Some(base::body_record(
                        &self.content,
                        html,
                        assets,
                        &sent.file.path,
                    )?),
                    _ => None,
                };
                landed.push(Pushed {
                    updated_at: payload::updated_at(now).or_else(|| payload::updated_at(&remote)),
                    body,
                    ..sent.file.clone()
                });
            }
            if !landed.is_empty() {
                self.record(Some(&request), &landed).await?;
            }
        }
        Ok(())
    }
}

/// The fields of one locale's content a write sends (all but its `type`).
pub fn fields_of(content: &Value) -> Vec<String> {
    let keys = content.as_object().into_iter().flat_map(|o| o.keys());
    keys.filter(|k| *k != "type").cloned().collect()
}

/// A sha256 of `fields` of one locale's content as Intercom echoes them back: text, numbers as
/// text, a missing field as empty, bodies as normalised HTML (Intercom respells HTML).
pub fn digest(content: &Value, fields: &[String]) -> String {
    let mut hasher = Sha256::new();
    for field in fields {
        let text = match content.get(field) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
        };
        let text = match field.as_str() {
            "body" => normalize_html(&text),
            _ => text,
        };
        for part in [field.as_str(), text.as_str()] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    hex::encode(hasher.finalize())
}

/// The base record of the tree and the sha256 of its file.
fn read_base(content: &Path) -> Result<(BaseRecord, String)> {
    let base = BaseRecord::read(content)?.ok_or_else(|| no_base(content))?;
    let path = content.join(BASE_FILE);
    let bytes = fs::read(&path).map_err(|e| Error::io(&path, "read", e))?;
    Ok((base, file_entry(&bytes).sha256))
}

fn no_base(content: &Path) -> Error {
    Error::usage(format!(
        "{} has no {BASE_FILE}: push works on a tree written by `helpcenter build --format \
         markdown`",
        content.display()
    ))
}

/// Writes a journal holding `events` on the base record with this sha256.
fn start(path: &Path, base_sha256: &str, events: &[Event]) -> Result<Journal> {
    let header = Header {
        format: FORMAT.to_string(),
        base_sha256: base_sha256.to_string(),
    };
    Journal::start(path, &header, events)
}

/// The events still to apply to the current `base.json`: those after the checkpoint that
/// wrote it, or all of them when the journal started on it. A journal of another `base.json`
/// (the tree was exported again since) is refused: it may hold creates to look for.
fn to_replay(
    path: &Path,
    header: &Header,
    mut events: Vec<Event>,
    base_sha256: &str,
) -> Result<Vec<Event>> {
    let checkpoint = events.iter().rposition(
        |e| matches!(e, Event::Checkpoint { base_sha256: written } if written == base_sha256),
    );
    if let Some(at) = checkpoint {
        return Ok(events.split_off(at + 1));
    }
    if header.base_sha256 == base_sha256 {
        return Ok(events);
    }
    let mut creates: Vec<String> = Vec::new();
    for event in &events {
        match event {
            Event::Creating(c) => creates.push(format!("{} ({:?})", c.path, c.title)),
            Event::Created { path, .. } => creates.retain(|c| !c.starts_with(path.as_str())),
            _ => {}
        }
    }
    let created = match creates.is_empty() {
        true => String::new(),
        false => format!(
            "; it may have created in Intercom, without recording it: {}",
            creates.join(", ")
        ),
    };
    Err(Error::data(format!(
        "{} records an interrupted push on another {BASE_FILE} (the tree was written again \
         since){created}. Check Intercom, then delete {} and push again",
        path.display(),
        path.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_digest_ignores_html_spelling_and_id_types() {
        let fields: Vec<String> = payload::FIELDS.iter().map(|f| f.to_string()).collect();
        let sent = json!({"type": "article_content", "title": "T", "description": "",
                          "body": "<p>x</p>", "author_id": 5, "state": "draft"});
        let echoed = json!({"title": "T", "description": null, "body": "<p>x</p>\n",
                            "author_id": "5", "state": "draft", "updated_at": 9});
        assert_eq!(digest(&sent, &fields), digest(&echoed, &fields));
        let edited = json!({"title": "T2", "description": null, "body": "<p>x</p>",
                            "author_id": "5", "state": "draft"});
        assert_ne!(digest(&sent, &fields), digest(&edited, &fields));
    }

    #[test]
    fn events_are_one_object_per_line_as_documented() {
        let event = Event::Failed {
            request: "PUT /articles/1".into(),
            error: "400".into(),
        };
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            r#"{"failed":{"request":"PUT /articles/1","error":"400"}}"#
        );
        let base = Event::Base {
            request: None,
            set: BTreeMap::new(),
            remove: vec!["en/a.md".into()],
        };
        assert_eq!(
            serde_json::to_string(&base).unwrap(),
            r#"{"base":{"remove":["en/a.md"]}}"#
        );
    }

    fn header(base_sha256: &str) -> Header {
        Header {
            format: FORMAT.into(),
            base_sha256: base_sha256.into(),
        }
    }

    #[test]
    fn replay_starts_after_the_checkpoint_of_the_current_base() {
        let path = Path::new("c/.helpcenter/journal");
        let failed = Event::Failed {
            request: "PUT /articles/1".into(),
            error: "x".into(),
        };
        let events = vec![
            failed.clone(),
            Event::Checkpoint {
                base_sha256: "b2".into(),
            },
            failed.clone(),
        ];
        let all = to_replay(path, &header("b1"), events.clone(), "b1").unwrap();
        assert_eq!(all, events);
        let after = to_replay(path, &header("b1"), events.clone(), "b2").unwrap();
        assert_eq!(after, [failed]);
        let creating = Event::Creating(Creating {
            request: "POST /articles".into(),
            kind: FileKind::Article,
            path: "en/c/new.md".into(),
            locale: Locale::parse("en").unwrap(),
            sha256: "s".into(),
            title: "New".into(),
            parent: Some("7".into()),
        });
        let error = to_replay(path, &header("b1"), vec![creating], "b3").unwrap_err();
        assert_eq!(
            error.to_string(),
            "c/.helpcenter/journal records an interrupted push on another \
             .helpcenter/base.json (the tree was written again since); it may have created in \
             Intercom, without recording it: en/c/new.md (\"New\"). Check Intercom, then \
             delete c/.helpcenter/journal and push again"
        );
    }
}
