//! Journals of writes to Intercom that survive `kill -9`: `restore`'s state file and `push`'s
//! `content/.helpcenter/journal` are both one.
//!
//! The format is JSON Lines:
//!
//! - the first line is a header object whose `format` names the kind of journal and its
//!   version (`helpcenter-restore/2`, `helpcenter-push/1`); the rest of the header says what the
//!   journal belongs to;
//! - every other line is one event. A request is announced before it is sent and its answer
//!   recorded when it arrives, each line written and flushed to disk (`fdatasync`) before the
//!   caller goes on, so after a crash the file says what may have reached Intercom and what
//!   certainly did;
//! - a last line without its newline was cut short by the crash and is ignored: the write it
//!   records never completed, so it never counted;
//! - a run starts by rewriting the file compacted (the header and the events that rebuild its
//!   state) atomically: temp file, fsync, rename. Appending costs the same however long the
//!   file is, so a large run stays linear.
//!
//! Concurrent requests append through one writer thread, which writes every line that is
//! waiting and flushes them with one `fdatasync` (group commit): a line is on disk when
//! [`Journal::append`] returns, and eight requests in flight cost one flush, not eight.
//!
//! A create (`POST`) is the one request that cannot be sent twice safely. It is announced as
//! pending first; a run that finds a pending create without its answer looks for the object in
//! Intercom ([`find_unclaimed`]: same title or name, same parent, claimed by nothing else) and
//! adopts it instead of creating it again.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;

use futures::stream::{self, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::oneshot;

use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::model::id_cmp;
use crate::snapshot::id_field;

/// A journal open for appending (see the module docs). Dropping it stops its writer thread
/// after the lines already handed to it are written.
pub struct Journal {
    path: PathBuf,
    lines: Option<mpsc::Sender<Pending>>,
    writer: Option<JoinHandle<()>>,
}

/// Lines waiting for the writer, and who to tell once they are on disk.
struct Pending {
    line: String,
    done: oneshot::Sender<std::result::Result<(), (std::io::ErrorKind, String)>>,
}

impl Journal {
    /// Writes `header` and `events` as the whole journal at `path`, atomically, then opens it
    /// to append this run's events.
    pub fn start<H: Serialize, E: Serialize>(
        path: &Path,
        header: &H,
        events: &[E],
    ) -> Result<Journal> {
        let mut text = line(header);
        for event in events {
            text.push_str(&line(event));
        }
        crate::durable::write_atomically(path, text.as_bytes())?;
        let file = fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| Error::io(path, "open", e))?;
        let (lines, queue) = mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || write_lines(file, queue))
            .map_err(|e| Error::io(path, "start the writer of", e))?;
        Ok(Journal {
            path: path.to_path_buf(),
            lines: Some(lines),
            writer: Some(writer),
        })
    }

    /// Appends `event` and returns once it is on disk. After a failed write every later
    /// append fails too: the file may end in a torn line, which only a restart may ignore.
    pub async fn append<E: Serialize>(&self, event: &E) -> Result<()> {
        let (done, written) = oneshot::channel();
        let pending = Pending {
            line: line(event),
            done,
        };
        let sent = (self.lines.as_ref()).is_some_and(|lines| lines.send(pending).is_ok());
        let outcome = match sent {
            true => written.await.ok(),
            false => None,
        };
        match outcome {
            Some(Ok(())) => Ok(()),
            Some(Err((kind, message))) => Err(Error::io(
                &self.path,
                "write",
                std::io::Error::new(kind, message),
            )),
            None => Err(Error::io(
                &self.path,
                "write",
                std::io::Error::other("the journal's writer stopped"),
            )),
        }
    }

    /// Where the journal is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        drop(self.lines.take());
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// The writer thread: takes every line that is waiting, writes them, flushes once, answers.
fn write_lines(mut file: File, queue: mpsc::Receiver<Pending>) {
    let mut failed: Option<(std::io::ErrorKind, String)> = None;
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        batch.extend(queue.try_iter());
        if failed.is_none() {
            let text: String = batch.iter().map(|p| p.line.as_str()).collect();
            let written = file
                .write_all(text.as_bytes())
                .and_then(|()| file.sync_data());
            failed = written.err().map(|e| (e.kind(), e.to_string()));
        }
        for pending in batch {
            let _ = pending.done.send(failed.clone().map_or(Ok(()), Err));
        }
    }
}

/// One JSON value on one line.
fn line<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string(value).expect("journal lines serialise");
    text.push('\n');
    text
}

/// Reads the journal at `path` (a `what`, e.g. `restore state`, in messages): its header and
/// events, or `None` when there is none. The header's `format` must be one of `formats`; a
/// last line cut short by a crash is ignored; any other bad line is an error naming it.
pub fn read<H: DeserializeOwned, E: DeserializeOwned>(
    path: &Path,
    what: &str,
    formats: &[&str],
) -> Result<Option<(H, Vec<E>)>> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, "read", e)),
    };
    let invalid = |line: usize, e: serde_json::Error| {
        Error::data(format!("{}:{line}: invalid {what}: {e}", path.display()))
    };
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    let mut lines = complete.lines().enumerate();
    let Some((_, first)) = lines.next() else {
        return Err(Error::data(format!("{}: empty {what}", path.display())));
    };
    let header: Value = serde_json::from_str(first).map_err(|e| invalid(1, e))?;
    let format = header.get("format").and_then(Value::as_str).unwrap_or("");
    if !formats.contains(&format) {
        return Err(Error::data(format!(
            "{}: unsupported {what} format {format:?} (this helpcenter reads {})",
            path.display(),
            formats.join(", ")
        )));
    }
    let header: H = serde_json::from_value(header).map_err(|e| invalid(1, e))?;
    let events = lines
        .map(|(index, line)| serde_json::from_str(line).map_err(|e| invalid(index + 1, e)))
        .collect::<Result<Vec<E>>>()?;
    Ok(Some((header, events)))
}

/// Runs `write` on every item, at most `limit` at once, and gives the results in the items'
/// order. After the first error nothing new starts, but the writes in flight finish (so their
/// answers are journaled, not lost), and that first error is returned.
pub async fn run_writes<T, R, F, Fut>(limit: usize, items: Vec<T>, write: F) -> Result<Vec<R>>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = Result<R>>,
{
    let failed = AtomicBool::new(false);
    let (failed, write) = (&failed, &write);
    let started = items
        .into_iter()
        .enumerate()
        .map(|(index, item)| async move {
            if failed.load(Ordering::SeqCst) {
                return (index, None);
            }
            let result = write(item).await;
            let first = result.is_err() && !failed.swap(true, Ordering::SeqCst);
            (index, Some((result, first)))
        });
    let mut finished: Vec<_> = stream::iter(started)
        .buffer_unordered(limit.max(1))
        .collect()
        .await;
    finished.sort_by_key(|(index, _)| *index);
    let mut results = Vec::with_capacity(finished.len());
    let mut first_error = None;
    for (_, outcome) in finished {
        match outcome {
            Some((Ok(value), _)) => results.push(value),
            Some((Err(error), true)) => first_error = Some(error),
            // Writes in flight when the run stopped may fail too: said, not returned.
            Some((Err(error), false)) => tracing::warn!("{error}"),
            None => {}
        }
    }
    first_error.map_or(Ok(results), Err)
}

/// How to recognise, in Intercom, an object whose create was sent but whose answer was never
/// recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The list it appears in (`/articles`, `/help_center/collections`).
    pub list: &'static str,
    /// `title` (articles) or `name` (collections).
    pub field: &'static str,
    /// Its title or name.
    pub value: Option<String>,
    /// Its parent's id (`None`: top level).
    pub parent: Option<String>,
}

impl Expected {
    /// What a create of an article titled `title` under `parent` leaves in Intercom.
    pub fn article(title: Option<String>, parent: Option<String>) -> Expected {
        Expected {
            list: "/articles",
            field: "title",
            value: title,
            parent,
        }
    }

    /// What a create of a collection named `name` under `parent` leaves in Intercom.
    pub fn collection(name: Option<String>, parent: Option<String>) -> Expected {
        Expected {
            list: "/help_center/collections",
            field: "name",
            value: name,
            parent,
        }
    }
}

/// Every object of `list` in Intercom, parsed; read once for all the pending creates of a run.
pub async fn list_objects(client: &Client, list: &str) -> Result<Vec<Value>> {
    let items = client.list_all(list, &|_, _| {}).await?;
    items
        .iter()
        .map(|raw| {
            serde_json::from_str(raw.get())
                .map_err(|e| Error::data(format!("{list}: an item is not JSON: {e}")))
        })
        .collect()
}

/// The newest of `objects` that matches `expected` and whose id is not in `taken` (the ids
/// the journal's owner already accounts for), so no object is adopted twice.
pub fn find_unclaimed<'a>(
    objects: &'a [Value],
    expected: &Expected,
    taken: &BTreeSet<String>,
) -> Option<&'a Value> {
    let id = |v: &Value| id_field(v, "id").unwrap_or_default();
    objects
        .iter()
        .filter(|item| id_field(item, "id").is_some_and(|id| !taken.contains(&id)))
        .filter(|item| id_field(item, expected.field) == expected.value)
        .filter(|item| id_field(item, "parent_id") == expected.parent)
        .max_by(|a, b| id_cmp(&id(a), &id(b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Header {
        format: String,
        of: String,
    }

    #[tokio::test]
    async fn events_read_back_in_order_and_a_torn_last_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        assert!(read::<Header, Value>(&path, "test journal", &["t/1"])
            .unwrap()
            .is_none());
        let header = Header {
            format: "t/1".into(),
            of: "x".into(),
        };
        let journal = Journal::start(&path, &header, &[json!({"old": 1})]).unwrap();
        let events: Vec<Value> = (2..=20).map(|n| json!({ "n": n })).collect();
        let appends = events.iter().map(|event| journal.append(event));
        for result in futures::future::join_all(appends).await {
            result.unwrap();
        }
        drop(journal);
        let (read_header, events) = read::<Header, Value>(&path, "test journal", &["t/1"])
            .unwrap()
            .unwrap();
        assert_eq!(read_header, header);
        assert_eq!(events.len(), 20);
        assert_eq!(events[0], json!({"old": 1}));

        let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"n\": 2").unwrap();
        let (_, again) = read::<Header, Value>(&path, "test journal", &["t/1"])
            .unwrap()
            .unwrap();
        assert_eq!(again, events);

        let error = read::<Header, Value>(&path, "test journal", &["t/2"]).unwrap_err();
        assert!(error
            .to_string()
            .ends_with("unsupported test journal format \"t/1\" (this helpcenter reads t/2)"));
        file.write_all(b"\n").unwrap();
        let error = read::<Header, Value>(&path, "test journal", &["t/1"]).unwrap_err();
        assert!(
            error.to_string().contains(":22: invalid test journal: "),
            "{error}"
        );
    }

    #[tokio::test]
    async fn start_compacts_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let header = Header {
            format: "t/1".into(),
            of: "x".into(),
        };
        let journal = Journal::start(&path, &header, &[1, 2]).unwrap();
        journal.append(&3).await.unwrap();
        drop(journal);
        Journal::start(&path, &header, &[7]).unwrap();
        let (_, events) = read::<Header, i32>(&path, "j", &["t/1"]).unwrap().unwrap();
        assert_eq!(events, [7]);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn the_newest_unclaimed_match_is_found() {
        let objects = [
            json!({"id": "5", "title": "A", "parent_id": 1}),
            json!({"id": "12", "title": "A", "parent_id": 1}),
            json!({"id": "30", "title": "A", "parent_id": 2}),
            json!({"id": "40", "title": "B", "parent_id": 1}),
        ];
        let expected = Expected::article(Some("A".into()), Some("1".into()));
        let none = BTreeSet::new();
        assert_eq!(
            find_unclaimed(&objects, &expected, &none),
            Some(&objects[1])
        );
        let taken = BTreeSet::from(["12".to_string()]);
        assert_eq!(
            find_unclaimed(&objects, &expected, &taken),
            Some(&objects[0])
        );
        let taken = BTreeSet::from(["12".to_string(), "5".to_string()]);
        assert_eq!(find_unclaimed(&objects, &expected, &taken), None);
    }
}
