//! Writing a tree atomically: into a hidden staging sibling, swapped into place when complete,
//! so an export that fails or is killed leaves the previous tree as it was. Same scheme as the
//! snapshot writer; the lock is taken on the parent directory itself (Unix), so no lock file
//! is left in the writers' repository.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use super::layout::RelPath;
use super::{BaseRecord, LocalChanges, BASE_FILE};
use crate::durable;
use crate::error::{Error, Result};

/// A tree being written beside its target.
pub(crate) struct Staging {
    target: PathBuf,
    dir: PathBuf,
    _lock: File,
    committed: bool,
}

/// What was at the target before the export.
#[derive(Debug, Default)]
pub(crate) struct Existing {
    /// A tree was there and is replaced.
    pub(crate) replaced: bool,
    /// Local changes that `force` lets the export overwrite.
    pub(crate) overwritten: LocalChanges,
}

impl Staging {
    /// Takes the lock, repairs an interrupted swap, clears leftovers of killed exports and
    /// creates the staging directory for `target` (an absolute path).
    pub(crate) fn create(target: &Path) -> Result<Staging> {
        let (parent, name) = parent_and_name(target)?;
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, "create directory", e))?;
        let lock = lock(&parent, &name)?;
        durable::prepare_staging(&parent, &name)?;
        let dir = durable::staging_path(&parent, &name);
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, "create directory", e))?;
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            _lock: lock,
            committed: false,
        })
    }

    /// Writes one file of the tree.
    pub(crate) fn write(&self, path: &RelPath, bytes: &[u8]) -> Result<()> {
        self.write_at(&path.under(&self.dir), bytes)
    }

    /// Copies the file at `source` into the tree, streamed (the kernel copies where it can).
    /// A copy, not a hard link: a writer may edit the tree's file in place, which must not
    /// change the snapshot's. Only the bytes are copied, not the source's permissions, so the
    /// file is created like every other file of the tree.
    pub(crate) fn copy(&self, path: &RelPath, source: &Path) -> Result<()> {
        let path = path.under(&self.dir);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create directory", e))?;
        }
        let mut from = File::open(source).map_err(|e| Error::io(source, "read", e))?;
        let mut to = File::create(&path).map_err(|e| Error::io(&path, "write", e))?;
        std::io::copy(&mut from, &mut to).map_err(|e| Error::io(&path, "write", e))?;
        Ok(())
    }

    /// Writes the base record.
    pub(crate) fn write_base(&self, record: &BaseRecord) -> Result<()> {
        self.write_at(&self.dir.join(BASE_FILE), &record.to_bytes())
    }

    /// Writes a body record.
    pub(crate) fn write_body(&self, body: &super::bodies::Encoded) -> Result<()> {
        let path = self.dir.join(super::bodies::staged_path(&body.name));
        self.write_at(&path, &body.bytes)
    }

    /// Writes the base text of a file (see `base_text.rs`).
    pub(crate) fn write_base_text(&self, sha256: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(super::base_text::staged_path(sha256));
        self.write_at(&path, bytes)
    }

    /// Writes the asset record.
    pub(crate) fn write_asset_record(&self, record: &super::AssetRecord) -> Result<()> {
        self.write_at(&self.dir.join(super::ASSETS_FILE), &record.to_bytes())
    }

    fn write_at(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create directory", e))?;
        }
        fs::write(path, bytes).map_err(|e| Error::io(path, "write", e))
    }

    /// Flushes everything to disk and swaps the tree into place.
    pub(crate) fn commit(mut self) -> Result<()> {
        let (parent, name) = parent_and_name(&self.target)?;
        durable::swap_into_place(&self.dir, &parent, &name)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Decides whether the export may replace what is at `target`: nothing, an empty directory, or
/// a tree this tool wrote whose files are as exported (or, with `force`, edited) and which is
/// not a git repository itself. Anything else is refused, naming what would be lost.
pub(crate) fn check_existing(target: &Path, force: bool) -> Result<Existing> {
    let meta = match fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::default()),
        Err(e) => return Err(Error::io(target, "inspect", e)),
    };
    if !meta.is_dir() {
        return Err(Error::usage(format!(
            "{} exists and is not a directory; refusing to replace it",
            target.display()
        )));
    }
    let empty = fs::read_dir(target)
        .map_err(|e| Error::io(target, "list", e))?
        .next()
        .is_none();
    if empty {
        return Ok(Existing::default());
    }
    // The swap replaces the folder as a whole: not even `force` may take a repository with it.
    if fs::symlink_metadata(target.join(".git")).is_ok() {
        return Err(Error::usage(format!(
            "{} is a git repository itself (it has a .git); a Markdown tree is replaced as a \
             whole, so export into a folder inside the repository instead",
            target.display()
        )));
    }
    let Some(base) = BaseRecord::read(target)? else {
        return Err(Error::usage(format!(
            "{} exists and is not a Markdown tree written by helpcenter (it has no {BASE_FILE}); \
             refusing to replace it",
            target.display()
        )));
    };
    let mut changes = base.local_changes(target)?;
    super::assets::add_local_changes(target, &mut changes)?;
    if !changes.is_empty() && !force {
        return Err(Error::usage(edited_message(target, &changes)));
    }
    Ok(Existing {
        replaced: true,
        overwritten: changes,
    })
}

fn edited_message(target: &Path, changes: &LocalChanges) -> String {
    const SHOWN: usize = 10;
    let lines = changes.lines();
    let mut message = format!(
        "{} has local changes since it was exported; refusing to overwrite them. To bring \
         Intercom's newer edits in and keep these, run `helpcenter pull && helpcenter merge` \
         instead of exporting again (or pass --force to discard them):",
        target.display()
    );
    for line in lines.iter().take(SHOWN) {
        message.push_str("\n  ");
        message.push_str(line);
    }
    if lines.len() > SHOWN {
        message.push_str(&format!("\n  ... and {} more", lines.len() - SHOWN));
    }
    message
}

fn parent_and_name(target: &Path) -> Result<(PathBuf, String)> {
    let parent = target.parent().map(Path::to_path_buf);
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string);
    match (parent, name) {
        (Some(parent), Some(name)) => Ok((parent, name)),
        _ => Err(Error::usage(format!(
            "{} is not a usable directory for a Markdown tree",
            target.display()
        ))),
    }
}

/// The lock an export of `target` takes: held by a push for its whole run, so a push and an
/// export (or two pushes) never write one tree at once.
pub(crate) fn lock_tree(target: &Path) -> Result<File> {
    let target = std::path::absolute(target).map_err(|e| Error::io(target, "resolve", e))?;
    let (parent, name) = parent_and_name(&target)?;
    lock(&parent, &name)
}

/// An exclusive lock for writing `parent/name`, released by the OS if the process dies.
fn lock(parent: &Path, name: &str) -> Result<File> {
    // Unix can lock a directory handle; elsewhere a lock file beside the tree is needed.
    let path = if cfg!(unix) {
        parent.to_path_buf()
    } else {
        parent.join(format!(".{name}.lock"))
    };
    let file = if cfg!(unix) {
        File::open(&path)
    } else {
        File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
    }
    .map_err(|e| Error::io(&path, "open for locking", e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(Error::usage(format!(
            "another helpcenter process is writing into {} (it holds the lock)",
            parent.display()
        ))),
        Err(fs::TryLockError::Error(e)) => Err(Error::io(&path, "lock", e)),
    }
}
