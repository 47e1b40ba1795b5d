//! The unchanged rebuild: nothing to load, render or write.
//!
//! A build records, beside its body cache (`<cache>.fresh`), a digest of what it read (the
//! options, the tool itself, and the path, size and modification time of every file of the
//! input, the theme folder and the branding files) taken *before* it read anything, and a
//! digest of the same facts of every file it left in the output folder. The next build
//! compares both with the files as they are now: when nothing differs, the site is already
//! what this build would write, so it returns the recorded report without opening a single
//! article. Any difference (an edited article, a file deleted from the output, another
//! version of helpcenter) means a full build, which itself renders from the caches.
//!
//! Stat data, not contents: like git's index and make, this trusts that a change to a file
//! changes its size or its modification time (nanoseconds on current file systems).

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{BuildOptions, BuildReport};

const FORMAT: &str = "helpcenter-fresh/2";

/// What a build leaves for the next one to compare.
#[derive(Serialize, Deserialize)]
struct Record {
    format: String,
    inputs: String,
    outputs: String,
    report: BuildReport,
}

/// Where the record of a build whose body cache is `cache` is kept.
pub fn record_path(cache: &Path) -> PathBuf {
    let mut name = cache.as_os_str().to_owned();
    name.push(".fresh");
    PathBuf::from(name)
}

/// The digest of everything a build of `options` reads; `None` when some of it cannot be
/// listed (then the build runs, and says why).
pub fn inputs(options: &BuildOptions) -> Option<String> {
    let mut h = Sha256::new();
    h.update(FORMAT);
    h.update(format!("{options:?}"));
    let exe = std::env::current_exe().ok()?;
    stat_into(&mut h, &exe)?;
    tree_into(&mut h, options.input.dir())?;
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
    Some(hex::encode(h.finalize()))
}

/// The digest of every file in the output folder.
pub fn outputs(out: &Path) -> Option<String> {
    let mut h = Sha256::new();
    tree_into(&mut h, out)?;
    Some(hex::encode(h.finalize()))
}

/// The recorded report, when the inputs and outputs are as the last build left them.
pub fn unchanged(record: &Path, inputs: &str, out: &Path) -> Option<BuildReport> {
    let bytes = std::fs::read(record).ok()?;
    let record: Record = serde_json::from_slice(&bytes).ok()?;
    if record.format != FORMAT || record.inputs != inputs {
        return None;
    }
    (outputs(out)? == record.outputs).then_some(record.report)
}

/// Records a finished build whose inputs were `inputs` when it started. A record that cannot
/// be written only costs the next build its shortcut.
pub fn save(record: &Path, inputs: &str, out: &Path, report: &BuildReport) {
    let Some(outputs) = outputs(out) else {
        let _ = std::fs::remove_file(record);
        return;
    };
    let record_data = Record {
        format: FORMAT.to_string(),
        inputs: inputs.to_string(),
        outputs,
        report: report.clone(),
    };
    let json = serde_json::to_vec(&record_data).expect("the record serialises");
    if let Err(e) = crate::durable::write_atomically(record, &json) {
        tracing::debug!(error = %e, "could not record the build for the next one");
    }
}

/// Every file under `root`: see [`folder_digest`].
fn tree_into(h: &mut Sha256, root: &Path) -> Option<()> {
    h.update(folder_digest(root)?);
    Some(())
}

/// A digest of a folder: its entries in name order, each file by its name, size and time,
/// each folder by its name and its own digest. Entries are looked at in parallel: a site of
/// 50,000 pages has over 200,000 files, and this is all an unchanged rebuild does.
fn folder_digest(dir: &Path) -> Option<[u8; 32]> {
    let mut entries = (std::fs::read_dir(dir).ok()?)
        .collect::<std::io::Result<Vec<_>>>()
        .ok()?;
    entries.sort_by_key(|e| e.file_name());
    let parts: Vec<Option<Vec<u8>>> = entries
        .par_iter()
        .map(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let mut part = Sha256::new();
            if entry.file_type().ok()?.is_dir() {
                part.update((name.len() as u64).to_le_bytes());
                part.update(name.as_bytes());
                part.update(folder_digest(&entry.path())?);
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
