//! Writing to disk so that a crash or a kill never leaves a half-written result: a file through
//! a synced temp sibling, a directory tree through a staging sibling swapped into place.
//!
//! The snapshot writer and the Markdown tree export both stage a whole directory as
//! `.<name>.partial-<pid>` beside the target and move it in with two renames, keeping the old
//! one as `.<name>.previous` in between; the base record and front-matter write-backs of `push`
//! replace single files.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::error::{Error, Result};

/// Replaces `path` with `bytes`: written to a hidden temp sibling (which loaders skip), synced,
/// then renamed over it, so readers see the old content or the new, never a part.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically_with(path, |file, temp| {
        file.write_all(bytes)
            .map_err(|e| Error::io(temp, "write", e))
    })
}

/// Replaces `path` with what `write` streams into the file it is given (the hidden temp
/// sibling, whose path it gets for error messages), like [`write_atomically`]: synced, renamed
/// over `path`, the rename synced. When `write` fails (or anything after it), the temp file is
/// removed and `path` is left as it was.
pub fn write_atomically_with<T>(
    path: &Path,
    write: impl FnOnce(&mut File, &Path) -> Result<T>,
) -> Result<T> {
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |name| name.to_string_lossy().into_owned());
    remove_abandoned_temps(path, &name);
    let mut temp = TempFile {
        path: path.with_file_name(format!(".{name}.tmp-{}", std::process::id())),
        renamed: false,
    };
    let mut file = File::create(&temp.path).map_err(|e| Error::io(&temp.path, "create", e))?;
    let value = write(&mut file, &temp.path)?;
    file.sync_all()
        .map_err(|e| Error::io(&temp.path, "sync", e))?;
    drop(file);
    fs::rename(&temp.path, path).map_err(|e| Error::io(path, "replace", e))?;
    temp.renamed = true;
    match path.parent() {
        Some(parent) if parent.as_os_str().is_empty() => sync_dir(Path::new(".")),
        Some(parent) => sync_dir(parent),
        None => {}
    }
    Ok(value)
}

/// Removes the temp files that killed writers of `path` left beside it (`.<name>.tmp-<pid>` of
/// a process that is gone), so a `kill -9` leaves no litter in a site or a backups folder for
/// good. Where the OS cannot tell whether a process runs, nothing is removed.
///
/// Each folder is listed once per process (see [`ABANDONED`]): listing it on every write made
/// writing N files into one folder (a push's body records) cost N listings of N files.
fn remove_abandoned_temps(path: &Path, name: &str) {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut listed = ABANDONED.lock().unwrap_or_else(PoisonError::into_inner);
    let temps = (listed.entry(dir.to_path_buf())).or_insert_with(|| abandoned_temps(dir));
    temps.retain(|(target, temp)| {
        if target != name {
            return true;
        }
        let _ = fs::remove_file(temp);
        false
    });
}

/// The temp files of killed writers found in each folder the first time this process wrote
/// there, by the name of the file each was to replace; removed as those files are written.
/// A writer killed while this process runs leaves its temp file for the next run to remove.
static ABANDONED: Mutex<BTreeMap<PathBuf, Vec<(String, PathBuf)>>> = Mutex::new(BTreeMap::new());

/// The temp files in `dir` whose writer is gone: `.<name>.tmp-<pid>`, with `name`.
fn abandoned_temps(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some((target, pid)) = (file_name.to_str())
            .and_then(|n| n.strip_prefix('.'))
            .and_then(|n| n.rsplit_once(".tmp-"))
        else {
            continue;
        };
        let pid = pid.parse::<u32>().ok();
        if pid.is_some_and(|pid| pid != std::process::id() && !process_runs(pid)) {
            found.push((target.to_string(), entry.path()));
        }
    }
    found
}

/// Whether process `pid` is running (assumed so where the OS cannot say).
fn process_runs(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// A temp file, removed when dropped unless it was renamed into place.
struct TempFile {
    path: PathBuf,
    renamed: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Creates (or truncates) `path` with `bytes` and syncs it.
pub fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = File::create(path).map_err(|e| Error::io(path, "create", e))?;
    file.write_all(bytes)
        .map_err(|e| Error::io(path, "write", e))?;
    file.sync_all().map_err(|e| Error::io(path, "sync", e))
}

/// Flushes every file under `root`, so a rename never exposes unwritten data.
///
/// On Linux one `syncfs` flushes the whole file system at once, which is many times faster
/// than an `fsync` per file for thousands of small files; elsewhere each file is synced.
pub fn sync_tree(root: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        let dir = File::open(root).map_err(|e| Error::io(root, "open", e))?;
        rustix::fs::syncfs(&dir).map_err(|e| Error::io(root, "sync", e.into()))
    }
    #[cfg(not(target_os = "linux"))]
    {
        for entry in walkdir::WalkDir::new(root) {
            let entry = entry.map_err(|e| Error::io(root, "walk", e.into()))?;
            if entry.file_type().is_file() {
                let file =
                    File::open(entry.path()).map_err(|e| Error::io(entry.path(), "open", e))?;
                file.sync_all()
                    .map_err(|e| Error::io(entry.path(), "sync", e))?;
            }
        }
        Ok(())
    }
}

/// Makes a rename in `dir` durable, where the OS allows syncing a directory (best effort).
pub fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// The staging directory for `parent/name` in this process: `.<name>.partial-<pid>`.
pub fn staging_path(parent: &Path, name: &str) -> PathBuf {
    parent.join(format!(".{name}.partial-{}", std::process::id()))
}

/// Where a swap keeps the previous tree while it moves the new one in.
fn previous_path(parent: &Path, name: &str) -> PathBuf {
    parent.join(format!(".{name}.previous"))
}

/// Readies `parent/name` for a new staging directory, under the caller's lock: a swap that was
/// interrupted between its two renames is completed backwards (the previous tree put back),
/// and staging directories of killed writers are removed.
pub fn prepare_staging(parent: &Path, name: &str) -> Result<()> {
    let target = parent.join(name);
    let previous = previous_path(parent, name);
    if previous.exists() {
        if target.exists() {
            fs::remove_dir_all(&previous).map_err(|e| Error::io(&previous, "remove", e))?;
        } else {
            fs::rename(&previous, &target).map_err(|e| Error::io(&target, "restore", e))?;
        }
    }
    let prefix = format!(".{name}.partial-");
    let entries = fs::read_dir(parent).map_err(|e| Error::io(parent, "list", e))?;
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let path = entry.path();
            tracing::debug!("removing the leftover {}", path.display());
            fs::remove_dir_all(&path).map_err(|e| Error::io(&path, "remove", e))?;
        }
    }
    Ok(())
}

/// Syncs `staging` and moves it to `parent/name`, replacing what is there.
pub fn swap_into_place(staging: &Path, parent: &Path, name: &str) -> Result<()> {
    sync_tree(staging)?;
    let target = parent.join(name);
    if target.exists() {
        let previous = previous_path(parent, name);
        fs::rename(&target, &previous).map_err(|e| Error::io(&target, "move aside", e))?;
        fs::rename(staging, &target).map_err(|e| Error::io(&target, "move into place", e))?;
        sync_dir(parent);
        fs::remove_dir_all(&previous).map_err(|e| Error::io(&previous, "remove", e))
    } else {
        fs::rename(staging, &target).map_err(|e| Error::io(&target, "move into place", e))?;
        sync_dir(parent);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_removes_what_killed_writers_left_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("f.json");
        // No process can have this id (Linux ids stop at 2^22); process 1 always runs.
        let abandoned = dir.path().join(".f.json.tmp-999999999");
        let running = dir.path().join(".f.json.tmp-1");
        let other = dir.path().join(".g.json.tmp-999999999");
        for file in [&abandoned, &running, &other] {
            fs::write(file, b"partial").unwrap();
        }
        write_atomically(&target, b"whole").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"whole");
        assert_eq!(abandoned.exists(), !cfg!(target_os = "linux"));
        assert!(running.exists() && other.exists());

        // The folder was listed once; the next file written there loses its own litter.
        write_atomically(&dir.path().join("g.json"), b"whole").unwrap();
        assert_eq!(other.exists(), !cfg!(target_os = "linux"));
        assert!(running.exists());
    }
}
