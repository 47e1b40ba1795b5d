//! Writing the site into `--out` safely.
//!
//! Three rules: no path derived from data leaves the output directory ([`join_inside`] is the
//! one place that turns a site path into a file path); a file whose bytes did not change is not
//! rewritten; and the build only ever overwrites or deletes files that it wrote itself, which it
//! lists in [`MANIFEST_FILE`] inside the output directory.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The list of files the last build wrote, kept in the output directory itself so that it
/// travels with the files it describes.
pub const MANIFEST_FILE: &str = ".helpcenter-build.json";
const MANIFEST_FORMAT: &str = "helpcenter-build/1";

/// Joins a site-relative file path (`en/articles/12-x/index.html`) onto `root`, refusing any
/// path that is empty, absolute, or has an empty, `.`, `..`, backslash, colon or control
/// character segment: such a path could name a file outside the output directory.
pub fn join_inside(root: &Path, relative: &str) -> Result<PathBuf> {
    let safe = !relative.is_empty()
        && relative.split('/').all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && !segment.contains(['\\', ':'])
                && !segment.chars().any(char::is_control)
        });
    let path = Path::new(relative);
    if !safe || !path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(Error::data(format!(
            "refusing to write {relative:?}: the path would not stay inside {}",
            root.display()
        )));
    }
    Ok(root.join(path))
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// New or changed bytes were written.
    Written,
    /// The file already had exactly these bytes.
    Unchanged,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: String,
    files: Vec<String>,
    /// Every site path each page has had, its latest last, by page (`article/12/fr`): what
    /// the redirects from old URLs are made from, kept so that they survive rebuilds.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    paths: PageHistory,
}

/// The site paths each page has had in the builds of an output directory, by page key
/// (`article/<id>/<locale>`, `collection/<id>/<locale>`), oldest first.
pub type PageHistory = BTreeMap<String, Vec<String>>;

/// The output directory of a build, and the files the previous build wrote there.
#[derive(Debug)]
pub struct OutDir {
    root: PathBuf,
    previous: BTreeSet<String>,
    /// The page history the last build recorded, then (see [`OutDir::record_history`]) this
    /// build's: saved with every manifest.
    history: Mutex<PageHistory>,
    previous_history: PageHistory,
    /// Everything [`OutDir::claim`] has accepted during this build: a build claims more than
    /// once (pages, then the asset copies they turned out to use), and the manifest it saves
    /// before [`OutDir::finish`] must list all of them.
    claimed: Mutex<BTreeSet<String>>,
    /// Files [`OutDir::remove`] removed during this build.
    removed: Mutex<BTreeSet<String>>,
}

impl OutDir {
    /// Opens (creating if needed) the output directory and reads the previous manifest.
    pub fn open(root: &Path) -> Result<OutDir> {
        fs::create_dir_all(root).map_err(|e| Error::io(root, "create directory", e))?;
        let manifest = root.join(MANIFEST_FILE);
        let (previous, history) = match fs::read(&manifest) {
            Ok(bytes) => parse_manifest(&manifest, &bytes)?,
            Err(e) if e.kind() == ErrorKind::NotFound => Default::default(),
            Err(e) => return Err(Error::io(&manifest, "read", e)),
        };
        Ok(OutDir {
            root: root.to_path_buf(),
            previous,
            history: Mutex::new(history.clone()),
            previous_history: history,
            claimed: Mutex::new(BTreeSet::new()),
            removed: Mutex::new(BTreeSet::new()),
        })
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The page history the previous build recorded.
    pub fn previous_history(&self) -> &PageHistory {
        &self.previous_history
    }

    /// The page history this build records so far (the previous build's, until
    /// [`OutDir::record_history`]).
    pub fn history(&self) -> PageHistory {
        self.history
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sets the page history this build records (saved with the next manifest write).
    pub fn record_history(&self, history: PageHistory) {
        *self.history.lock().unwrap_or_else(PoisonError::into_inner) = history;
    }

    /// Whether the previous build wrote `relative` (and so may keep it without writing it).
    pub fn had(&self, relative: &str) -> bool {
        self.previous.contains(relative)
    }

    /// Checks that none of `planned` is a file the tool did not write, then records the union of
    /// old files and everything claimed so far in this build, so a build that is interrupted
    /// still knows what it wrote. May be called more than once per build.
    pub fn claim(&self, planned: &BTreeSet<String>) -> Result<()> {
        // Held throughout, so two claims cannot both save a manifest missing the other's files.
        let mut claimed = self.claimed.lock().unwrap_or_else(PoisonError::into_inner);
        let new: Vec<&String> = planned
            .iter()
            .filter(|file| !self.previous.contains(*file) && !claimed.contains(*file))
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        // One stat per new file: on a first build that is every page, so they run in parallel.
        let mut foreign: Vec<&String> = new
            .par_iter()
            .copied()
            .filter(|file| {
                join_inside(&self.root, file).is_ok_and(|p| fs::symlink_metadata(p).is_ok())
            })
            .collect();
        foreign.truncate(5);
        if !foreign.is_empty() {
            let list: Vec<&str> = foreign.iter().map(|f| f.as_str()).collect();
            return Err(Error::usage(format!(
                "{} already holds files that helpcenter did not write ({}); refusing to overwrite \
                 them: remove them or choose another --out",
                self.root.display(),
                list.join(", ")
            )));
        }
        let mut union: BTreeSet<String> = self.previous.union(&claimed).cloned().collect();
        union.extend(new.iter().map(|file| file.to_string()));
        self.save_manifest(&union)?;
        claimed.extend(new.into_iter().cloned());
        Ok(())
    }

    /// Writes `bytes` to the site-relative path unless the file already holds exactly them.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<Written> {
        let path = join_inside(&self.root, relative)?;
        // A file the last build did not write was absent when [`OutDir::claim`] looked (or the
        // build refused to start), so there is nothing to read back: create it directly. The
        // exclusive create still falls back to comparing should the file have appeared since.
        if !self.previous.contains(relative) && create_new(&path, bytes)? {
            return Ok(Written::Written);
        }
        if same_content(&path, bytes)? {
            return Ok(Written::Unchanged);
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create directory", e))?;
        }
        fs::write(&path, bytes).map_err(|e| Error::io(&path, "write", e))?;
        Ok(Written::Written)
    }

    /// Removes `files` now, which this tool wrote (in an earlier build or this one) and which
    /// are no longer produced: an edit's rebuild replacing one search shard's bundle. Files it
    /// did not write are left alone; the manifest still lists the removed ones until
    /// [`OutDir::settle`] or the next build's [`OutDir::finish`].
    pub fn remove<'a>(&self, files: impl IntoIterator<Item = &'a String>) -> Result<()> {
        let claimed = self.claimed.lock().unwrap_or_else(PoisonError::into_inner);
        let mut removed = self.removed.lock().unwrap_or_else(PoisonError::into_inner);
        for file in files {
            if !self.previous.contains(file) && !claimed.contains(file) {
                continue;
            }
            removed.insert(file.clone());
            let path = join_inside(&self.root, file)?;
            match fs::remove_file(&path) {
                Err(e) if e.kind() != ErrorKind::NotFound => {
                    return Err(Error::io(&path, "remove", e));
                }
                _ => self.remove_empty_parents(&path),
            }
        }
        Ok(())
    }

    /// Removes the files the previous build wrote that this one did not produce (and the
    /// directories that leaves empty), then records `produced` as the new manifest.
    /// Returns how many files were removed.
    pub fn finish(&self, produced: &BTreeSet<String>) -> Result<usize> {
        let mut removed = 0;
        for stale in self.previous.difference(produced) {
            let path = join_inside(&self.root, stale)?;
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.is_file() => {
                    fs::remove_file(&path).map_err(|e| Error::io(&path, "remove", e))?;
                    removed += 1;
                    self.remove_empty_parents(&path);
                }
                _ => {}
            }
        }
        let on_disk = fs::read(self.root.join(MANIFEST_FILE))
            .ok()
            .and_then(|bytes| parse_manifest(&self.root, &bytes).ok());
        let history = self
            .history
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if on_disk.as_ref() != Some(&(produced.clone(), history)) {
            self.save_manifest(produced)?;
        }
        Ok(removed)
    }

    /// Records the manifest of a rebuild that changed some files without listing all it
    /// produces (an edit's): the previous build's files and those claimed since, without those
    /// removed.
    pub fn settle(&self) -> Result<()> {
        let claimed = self.claimed.lock().unwrap_or_else(PoisonError::into_inner);
        let removed = self.removed.lock().unwrap_or_else(PoisonError::into_inner);
        if claimed.is_empty() && removed.is_empty() {
            return Ok(());
        }
        let files: BTreeSet<String> = (self.previous.union(&claimed))
            .filter(|file| !removed.contains(*file))
            .cloned()
            .collect();
        self.save_manifest(&files)
    }

    /// Best effort: a directory that is not empty (someone else's files) simply stays.
    fn remove_empty_parents(&self, file: &Path) {
        let mut dir = file.parent();
        while let Some(d) = dir {
            if d == self.root || fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }

    fn save_manifest(&self, files: &BTreeSet<String>) -> Result<()> {
        let paths = self
            .history
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let manifest = Manifest {
            format: MANIFEST_FORMAT.to_string(),
            files: files.iter().cloned().collect(),
            paths,
        };
        let mut json = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
        json.push(b'\n');
        let path = self.root.join(MANIFEST_FILE);
        crate::durable::write_atomically(&path, &json)
    }
}

fn parse_manifest(path: &Path, bytes: &[u8]) -> Result<(BTreeSet<String>, PageHistory)> {
    let manifest: Manifest = serde_json::from_slice(bytes)
        .ok()
        .filter(|m: &Manifest| m.format == MANIFEST_FORMAT)
        .ok_or_else(|| {
            Error::data(format!(
                "{}: not a helpcenter build manifest; delete it (and the files it listed) to \
                 build here",
                path.display()
            ))
        })?;
    Ok((manifest.files.into_iter().collect(), manifest.paths))
}

/// Creates `path` (and its directory) holding `bytes`; `false` when it already exists.
fn create_new(path: &Path, bytes: &[u8]) -> Result<bool> {
    if let Some(parent) = path.parent() {
        // Most pages have a directory of their own: one mkdir, and the whole chain only when
        // a parent is missing too.
        match fs::create_dir(parent) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create directory", e))?
            }
            Err(e) => return Err(Error::io(parent, "create directory", e)),
        }
    }
    let mut file = match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(Error::io(path, "write", e)),
    };
    file.write_all(bytes)
        .map_err(|e| Error::io(path, "write", e))?;
    Ok(true)
}

/// Whether the file exists with exactly these bytes (sizes are compared before contents).
fn same_content(path: &Path, bytes: &[u8]) -> Result<bool> {
    let mut file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::io(path, "open", e)),
    };
    let len = file
        .metadata()
        .map_err(|e| Error::io(path, "stat", e))?
        .len();
    if len != bytes.len() as u64 {
        return Ok(false);
    }
    let mut existing = Vec::with_capacity(bytes.len());
    file.read_to_end(&mut existing)
        .map_err(|e| Error::io(path, "read", e))?;
    Ok(existing == bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_inside_refuses_escapes() {
        let root = Path::new("/out");
        assert_eq!(
            join_inside(root, "en/articles/1-a/index.html").unwrap(),
            Path::new("/out/en/articles/1-a/index.html")
        );
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "en/../../x",
            "en//x",
            "./x",
            "en\\..\\x",
            "c:x",
            "a/\u{0}",
            "a/.",
            "..",
        ] {
            assert!(join_inside(root, bad).is_err(), "{bad:?} accepted");
        }
    }

    fn set(files: &[&str]) -> BTreeSet<String> {
        files.iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn writes_only_changes_and_removes_only_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("CNAME"), "x").unwrap();
        let out = OutDir::open(dir.path()).unwrap();
        out.claim(&set(&["a/index.html", "b.txt"])).unwrap();
        assert_eq!(out.write("a/index.html", b"1").unwrap(), Written::Written);
        assert_eq!(out.write("b.txt", b"2").unwrap(), Written::Written);
        assert_eq!(out.finish(&set(&["a/index.html", "b.txt"])).unwrap(), 0);

        let out = OutDir::open(dir.path()).unwrap();
        out.claim(&set(&["b.txt"])).unwrap();
        assert_eq!(out.write("b.txt", b"2").unwrap(), Written::Unchanged);
        assert_eq!(out.finish(&set(&["b.txt"])).unwrap(), 1);
        assert!(!dir.path().join("a").exists());

        // A file that appeared after the claim is compared, not clobbered blindly.
        let out = OutDir::open(dir.path()).unwrap();
        out.claim(&set(&["b.txt", "c/d/e.txt"])).unwrap();
        fs::create_dir_all(dir.path().join("c/d")).unwrap();
        fs::write(dir.path().join("c/d/e.txt"), b"3").unwrap();
        assert_eq!(out.write("c/d/e.txt", b"3").unwrap(), Written::Unchanged);
        assert_eq!(out.write("c/d/e.txt", b"4").unwrap(), Written::Written);
        assert_eq!(fs::read(dir.path().join("c/d/e.txt")).unwrap(), b"4");
        out.finish(&set(&["b.txt"])).unwrap();
        assert!(dir.path().join("CNAME").exists());
    }

    proptest::proptest! {
        /// Whatever the title, an article page lands exactly four levels inside the output.
        #[test]
        fn pages_from_any_title_stay_inside_the_output(title in proptest::prelude::any::<String>()) {
            use crate::model::{slug, Locale};
            let locale = Locale::parse("pt-BR").unwrap();
            let path = slug::article_path(&locale, "42", &slug::slugify(&title));
            let file = join_inside(Path::new("/out"), &crate::site::urls::output_file(&path)).unwrap();
            let inside = file.strip_prefix("/out").unwrap();
            proptest::prop_assert_eq!(inside.components().count(), 4);
            proptest::prop_assert!(inside.components().all(|c| matches!(c, Component::Normal(_))));
        }
    }

    #[test]
    fn the_page_history_survives_rebuilds() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutDir::open(dir.path()).unwrap();
        assert!(out.previous_history().is_empty());
        let history: PageHistory = [(
            "article/1/en".to_string(),
            vec!["/en/articles/1-a/".to_string()],
        )]
        .into();
        out.record_history(history.clone());
        out.claim(&set(&["x.txt"])).unwrap();
        out.write("x.txt", b"x").unwrap();
        out.finish(&set(&["x.txt"])).unwrap();
        let again = OutDir::open(dir.path()).unwrap();
        assert_eq!(again.previous_history(), &history);
        // A build that stops before recording its own keeps the last one.
        again.claim(&set(&["y.txt"])).unwrap();
        drop(again);
        assert_eq!(
            OutDir::open(dir.path()).unwrap().previous_history(),
            &history
        );
    }

    #[test]
    fn refuses_to_overwrite_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("index.html"), "mine").unwrap();
        let out = OutDir::open(dir.path()).unwrap();
        let err = out.claim(&set(&["index.html"])).unwrap_err().to_string();
        assert!(err.contains("did not write (index.html)"), "{err}");
        assert_eq!(
            fs::read_to_string(dir.path().join("index.html")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn later_claims_keep_the_files_of_earlier_ones() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutDir::open(dir.path()).unwrap();
        out.claim(&set(&["a/index.html", "b.txt"])).unwrap();
        out.claim(&set(&["assets/x.png"])).unwrap();
        let manifest = dir.path().join(MANIFEST_FILE);
        let (saved, _) = parse_manifest(&manifest, &fs::read(&manifest).unwrap()).unwrap();
        assert_eq!(saved, set(&["a/index.html", "assets/x.png", "b.txt"]));

        // The build fails after writing the pages but before `finish`: the next build must
        // still recognise them as its own and not refuse to run.
        assert_eq!(out.write("a/index.html", b"1").unwrap(), Written::Written);
        assert_eq!(out.write("b.txt", b"2").unwrap(), Written::Written);
        drop(out);
        let out = OutDir::open(dir.path()).unwrap();
        out.claim(&set(&["a/index.html", "b.txt"])).unwrap();
        // Claiming the same file twice in one build is not a foreign file either.
        fs::write(dir.path().join("c.txt"), b"3").unwrap();
        out.claim(&set(&["d.txt"])).unwrap();
        fs::write(dir.path().join("d.txt"), b"4").unwrap();
        out.claim(&set(&["d.txt"])).unwrap();
        let err = out.claim(&set(&["c.txt"])).unwrap_err().to_string();
        assert!(err.contains("did not write (c.txt)"), "{err}");
    }
}
