//! What changed since the last build, from stat data alone.
//!
//! A build records, beside its body cache (`<cache>.fresh`), what it read, taken *before* it
//! read anything: a digest of the settings (the options, the tool itself, the theme folder and
//! the branding files) and the path, size and modification time of every file of the input (a
//! hidden folder, such as a Markdown tree's own records, counts as one entry); and a digest of
//! the same facts of every file it left in the output folder. The next build compares:
//! - nothing differs: the site is already what this build would write, so it returns the
//!   recorded report without opening a single article;
//! - only some input files' contents differ, and the output folder is untouched: the build may
//!   render just those files' pages (see [`super::incremental`]);
//! - anything else (a file added or removed, a file deleted from the output, another version of
//!   helpcenter): a full build, which itself renders from the caches.
//!
//! Stat data, not contents: like git's index and make, this trusts that a change to a file
//! changes its size or its modification time (nanoseconds on current file systems). A folder
//! of a tree's records whose files are named by their contents (two files per article) counts
//! by its own stat: its modification time changes whenever a file is added to it or removed.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{BuildOptions, BuildReport};

const FORMAT: &str = "helpcenter-fresh/3";

/// What a build leaves for the next one to compare.
#[derive(Serialize, Deserialize)]
struct Record {
    format: String,
    settings: String,
    content: Vec<FileStat>,
    outputs: String,
    report: BuildReport,
    /// The id of the content the build saved or used (see `incremental::save_content`).
    content_id: Option<String>,
}

/// Where the record of a build whose body cache is `cache` is kept.
pub fn record_path(cache: &Path) -> PathBuf {
    super::beside_cache(cache, "fresh")
}

/// A file of the content input as `stat` sees it: its path (relative, `/`-separated), size and
/// modification time (nanoseconds since the epoch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FileStat(String, u64, u64);

/// What a build reads, as it was before it read anything.
pub struct Inputs {
    /// A digest of the options, the tool itself, the theme folder and the branding files.
    settings: String,
    /// Every file of the content input (snapshot or Markdown tree), in path order.
    content: Vec<FileStat>,
}

impl Inputs {
    /// Looks at everything a build of `options` reads; `None` when some of it cannot be listed
    /// (then the build runs in full).
    pub fn scan(options: &BuildOptions) -> Option<Inputs> {
        let mut h = Sha256::new();
        h.update(FORMAT);
        h.update(format!("{options:?}"));
        let exe = std::env::current_exe().ok()?;
        stat_into(&mut h, &exe)?;
        if let Some(theme) = options.theme.as_deref().map(Path::new) {
            if theme.is_dir() {
                tree_into(&mut h, theme)?;
            }
        }
        for file in options
            .branding
            .logo
            .iter()
            .chain(&options.branding.favicon)
        {
            stat_into(&mut h, file)?;
        }
        let mut content = Vec::new();
        list_files(options.input.dir(), "", &mut content)?;
        Some(Inputs {
            settings: hex::encode(h.finalize()),
            content,
        })
    }

    /// A digest of all of it: equal digests mean the build would read the same.
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        h.update(&self.settings);
        for FileStat(path, len, modified) in &self.content {
            h.update((path.len() as u64).to_le_bytes());
            h.update(path.as_bytes());
            h.update(len.to_le_bytes());
            h.update(modified.to_le_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// The digest of every file in the output folder.
pub fn outputs(out: &Path) -> Option<String> {
    let mut h = Sha256::new();
    tree_into(&mut h, out)?;
    Some(hex::encode(h.finalize()))
}

/// What the last build recorded, when it read the same settings and the same list of files.
pub struct Last {
    /// The files whose contents changed since (relative to the input, `/`-separated).
    pub edited: Vec<String>,
    /// The last build's report.
    pub report: BuildReport,
    /// The id of the content the last build saved, if it did.
    pub content: Option<String>,
    outputs: String,
}

impl Last {
    /// Whether the output folder `out` is as the last build left it.
    pub fn outputs_unchanged(&self, out: &Path) -> bool {
        outputs(out).as_deref() == Some(self.outputs.as_str())
    }
}

/// The record the last build left at `record`, if it read what `inputs` lists (the same
/// settings and files; the files' contents may differ).
pub fn last(record: &Path, inputs: &Inputs) -> Option<Last> {
    let record = std::fs::read(record)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Record>(&bytes).ok())
        .filter(|r| r.format == FORMAT && r.settings == inputs.settings)?;
    let same_paths = record.content.len() == inputs.content.len()
        && (record.content.iter())
            .zip(&inputs.content)
            .all(|(a, b)| a.0 == b.0);
    if !same_paths {
        return None;
    }
    let edited = (record.content.iter())
        .zip(&inputs.content)
        .filter(|(a, b)| a != b)
        .map(|(_, b)| b.0.clone())
        .collect();
    Some(Last {
        edited,
        report: record.report,
        content: record.content_id,
        outputs: record.outputs,
    })
}

/// Records a finished build whose inputs were `inputs` when it started, and which saved or
/// used the content `content`. A record that cannot be written only costs the next build its
/// shortcut.
pub fn save(
    record: &Path,
    inputs: &Inputs,
    out: &Path,
    report: &BuildReport,
    content: Option<&str>,
) {
    let Some(outputs) = outputs(out) else {
        let _ = std::fs::remove_file(record);
        return;
    };
    let record_data = Record {
        format: FORMAT.to_string(),
        settings: inputs.settings.clone(),
        content: inputs.content.clone(),
        outputs,
        report: report.clone(),
        content_id: content.map(str::to_string),
    };
    let json = serde_json::to_vec(&record_data).expect("the record serialises");
    if let Err(e) = crate::durable::write_atomically(record, &json) {
        tracing::debug!(error = %e, "could not record the build for the next one");
    }
}

/// Appends every file under `dir` (named `prefix` + its path below `dir`) to `files`, in path
/// order. Folders are listed in parallel: a tree of 10,000 articles in five languages holds
/// over 50,000 files.
fn list_files(dir: &Path, prefix: &str, files: &mut Vec<FileStat>) -> Option<()> {
    let entries = sorted_entries(dir)?;
    let parts: Vec<Option<Vec<FileStat>>> = entries
        .par_iter()
        .map(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let path = format!("{prefix}{name}");
            let mut found = Vec::new();
            let is_dir = entry.file_type().ok()?.is_dir();
            if is_dir && name.starts_with('.') {
                // A hidden folder (a tree's own records, which only the tool writes) counts as
                // one entry: a change in it is a change to the whole tree, and its files (two
                // per article) are not listed one by one.
                let digest = folder_digest(&entry.path(), &path, is_content_addressed)?;
                let digest = u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"));
                found.push(FileStat(format!("{path}/"), 0, digest));
            } else if is_dir {
                list_files(&entry.path(), &format!("{path}/"), &mut found)?;
            } else {
                let meta = entry.metadata().ok()?;
                found.push(FileStat(path, meta.len(), modified_nanos(&meta)?));
            }
            Some(found)
        })
        .collect();
    for part in parts {
        files.extend(part?);
    }
    Some(())
}

fn modified_nanos(meta: &std::fs::Metadata) -> Option<u64> {
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    u64::try_from(modified.as_nanos()).ok()
}

/// Every file under `root`: see [`folder_digest`].
fn tree_into(h: &mut Sha256, root: &Path) -> Option<()> {
    h.update(folder_digest(root, "", |_| false)?);
    Some(())
}

/// Whether the folder at `path` (relative to a tree's root) holds only files named by their
/// contents.
fn is_content_addressed(path: &str) -> bool {
    crate::tree::CONTENT_ADDRESSED_DIRS.contains(&path)
}

/// A digest of a folder (at `path`, relative to the root of the walk): its entries in name
/// order, each file by its name, size and time, each folder by its name and its own digest,
/// or by its own stat when `by_stat` says so (see the module's documentation). Entries are
/// looked at in parallel: a site of 50,000 pages has over 200,000 files, and this is all an
/// unchanged rebuild does.
fn folder_digest(dir: &Path, path: &str, by_stat: fn(&str) -> bool) -> Option<[u8; 32]> {
    let entries = sorted_entries(dir)?;
    let parts: Vec<Option<Vec<u8>>> = entries
        .par_iter()
        .map(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let mut part = Sha256::new();
            let is_dir = entry.file_type().ok()?.is_dir();
            let below = format!("{path}/{name}");
            let below = below.trim_start_matches('/');
            if is_dir && !by_stat(below) {
                part.update((name.len() as u64).to_le_bytes());
                part.update(name.as_bytes());
                part.update(folder_digest(&entry.path(), below, by_stat)?);
            } else {
                stat_meta_into(&mut part, &name, &entry.metadata().ok()?)?;
            }
            Some(part.finalize().to_vec())
        })
        .collect();
    let mut h = Sha256::new();
    for part in parts {
        h.update(part?);
    }
    Some(h.finalize().into())
}

/// The entries of `dir`, by name.
fn sorted_entries(dir: &Path) -> Option<Vec<std::fs::DirEntry>> {
    let mut entries = (std::fs::read_dir(dir).ok()?)
        .collect::<std::io::Result<Vec<_>>>()
        .ok()?;
    entries.sort_by_key(|e| e.file_name());
    Some(entries)
}

fn stat_into(h: &mut Sha256, path: &Path) -> Option<()> {
    let meta = std::fs::metadata(path).ok()?;
    stat_meta_into(h, &path.to_string_lossy(), &meta)
}

fn stat_meta_into(h: &mut Sha256, name: &str, meta: &std::fs::Metadata) -> Option<()> {
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    h.update((name.len() as u64).to_le_bytes());
    h.update(name.as_bytes());
    h.update(meta.len().to_le_bytes());
    h.update(modified.as_nanos().to_le_bytes());
    Some(())
}

/// The report of a build that found nothing to do, from the one that did it.
pub fn as_unchanged(mut report: BuildReport, started: std::time::Instant) -> BuildReport {
    report.files_unchanged += report.files_written;
    report.files_written = 0;
    report.files_removed = 0;
    report.cache_hits = 0;
    report.cache_misses = 0;
    if let Some(search) = &mut report.search {
        search.shards_unchanged = search.shards;
        search.shards_indexed.clear();
        search.duration_ms = 0;
        search.peak_rss_bytes = None;
    }
    report.peak_rss_bytes = crate::memory::peak_rss();
    report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::Input;

    fn options(dir: &Path) -> BuildOptions {
        BuildOptions {
            input: Input::Markdown(dir.join("content")),
            out: dir.join("site"),
            ..BuildOptions::default()
        }
    }

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn files_are_listed_one_by_one_and_a_hidden_folder_as_one_entry() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        write(&content.join("en/b.md"), "b");
        write(&content.join("en/a.md"), "a");
        write(&content.join(".helpcenter/bodies/1.json"), "{}");
        write(&content.join(".helpcenter/bodies/2.json"), "{}");
        let inputs = Inputs::scan(&options(dir.path())).unwrap();
        let names: Vec<&str> = inputs.content.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(names, [".helpcenter/", "en/a.md", "en/b.md"]);
    }

    #[test]
    fn a_folder_of_records_named_by_their_contents_counts_by_its_own_stat() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        let bodies = content.join(crate::tree::bodies::BODIES_DIR);
        write(&bodies.join("1.json"), "{}");
        let long_ago = UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        let set_modified = |time| {
            let folder = std::fs::File::open(&bodies).unwrap();
            folder.set_modified(time).unwrap();
        };
        set_modified(long_ago);
        let records = || Inputs::scan(&options(dir.path())).unwrap().content;
        let before = records();

        // A file there never changes in place; if one did, only `verify` would notice.
        write(&bodies.join("1.json"), "{\"changed\": true}");
        set_modified(long_ago);
        assert_eq!(records(), before);

        write(&bodies.join("2.json"), "{}");
        assert_ne!(
            records(),
            before,
            "a record added changes the folder's time"
        );
    }

    #[test]
    fn the_last_record_names_the_edited_files_and_no_record_survives_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        write(&content.join("en/a.md"), "a");
        write(&content.join("en/b.md"), "b");
        write(&content.join(".helpcenter/base.json"), "{}");
        std::fs::create_dir_all(dir.path().join("site")).unwrap();
        let options = options(dir.path());
        let record = dir.path().join("cache.fresh");
        let report: BuildReport = serde_json::from_value(serde_json::json!({
            "out": "site", "help_center": null, "locales": ["en"], "default_locale": "en",
            "pages": 2, "article_pages": 2, "collection_pages": 0, "files_written": 2,
            "files_unchanged": 0, "files_removed": 0, "sitemap": false, "redirects": 0,
            "search": null, "peak_rss_bytes": null, "cache": "cache", "cache_hits": 0,
            "cache_misses": 2, "warnings": [], "duration_ms": 1
        }))
        .unwrap();
        let inputs = Inputs::scan(&options).unwrap();
        save(
            &record,
            &inputs,
            &dir.path().join("site"),
            &report,
            Some("id-1"),
        );

        let same = last(&record, &Inputs::scan(&options).unwrap()).unwrap();
        assert!(same.edited.is_empty());
        assert!(same.outputs_unchanged(&dir.path().join("site")));

        write(&content.join("en/b.md"), "b, edited");
        let edited = last(&record, &Inputs::scan(&options).unwrap()).unwrap();
        assert_eq!(edited.edited, ["en/b.md"]);
        assert_eq!(edited.content.as_deref(), Some("id-1"));

        write(
            &content.join(".helpcenter/base.json"),
            "{\"changed\": true}",
        );
        let records = last(&record, &Inputs::scan(&options).unwrap()).unwrap();
        assert_eq!(records.edited, [".helpcenter/", "en/b.md"]);

        write(&content.join("en/c.md"), "c");
        assert!(last(&record, &Inputs::scan(&options).unwrap()).is_none());

        write(&dir.path().join("site/stray.html"), "x");
        assert!(!same.outputs_unchanged(&dir.path().join("site")));
    }
}
