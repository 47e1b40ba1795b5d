//! The snapshot: a directory of raw API objects plus a manifest, written atomically.
//!
//! ```text
//! snapshot/
//!   manifest.json           tool and API version, region, pulled_at, counts, sha256 of every file
//!   help_centers/<id>.json  raw API objects, byte for byte as received
//!   collections/<id>.json
//!   sections/<id>.json      API 2.9 only
//!   articles/<id>.json
//!   assets/<sha256>.<ext>   images and attachments (`pull --assets`), listed in `assets`
//! ```
//! A new snapshot is written into a hidden sibling directory and swapped into place only when
//! complete, so a pull that fails or is killed leaves the previous snapshot untouched.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::durable;
use crate::error::{Error, Result};

/// Name of the manifest file at the root of a snapshot.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Directory of downloaded assets inside a snapshot.
pub const ASSETS_DIR: &str = "assets";
/// Format tag written into every manifest; bumped on incompatible layout changes.
pub const FORMAT: &str = "helpcenter-snapshot/1";

/// The kinds of API object a snapshot stores, one directory each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// `help_centers/`
    HelpCenter,
    /// `collections/`
    Collection,
    /// `sections/` (API 2.9)
    Section,
    /// `articles/`
    Article,
}

impl ObjectKind {
    /// Every kind, in the order a snapshot lists them.
    pub const ALL: [ObjectKind; 4] = [
        ObjectKind::HelpCenter,
        ObjectKind::Collection,
        ObjectKind::Section,
        ObjectKind::Article,
    ];

    /// The directory this kind lives in.
    pub fn dir_name(self) -> &'static str {
        match self {
            ObjectKind::HelpCenter => "help_centers",
            ObjectKind::Collection => "collections",
            ObjectKind::Section => "sections",
            ObjectKind::Article => "articles",
        }
    }
}

/// The manifest: what was pulled, from where, when, and the checksum of every file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The tool that wrote the snapshot.
    pub tool: ToolInfo,
    /// Where the data came from.
    pub api: ApiInfo,
    /// When the pull finished, RFC 3339 UTC.
    pub pulled_at: String,
    /// The help center the pull was limited to, if any.
    pub help_center: Option<String>,
    /// Objects per kind (`help_centers`, `collections`, `sections`, `articles`).
    pub counts: BTreeMap<String, usize>,
    /// Per locale: how many articles and collections have content in it.
    pub locales: BTreeMap<String, LocaleCounts>,
    /// Every data file (path relative to the snapshot root, `/`-separated) and its checksum.
    pub files: BTreeMap<String, FileEntry>,
    /// Downloaded assets: original URL to local copy. Empty unless pulled with `--assets`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub assets: BTreeMap<String, AssetEntry>,
    /// Whether the pull downloaded assets (`--assets`): then every asset URL the bodies use is
    /// in `assets` or in `missing_assets`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub with_assets: bool,
    /// Asset URLs a `--assets` pull could not store, each with why: the backup lacks them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub missing_assets: BTreeMap<String, String>,
}

impl Manifest {
    /// Whether the snapshot is meant to hold the assets its bodies use: pulled with
    /// `--assets` (snapshots from before `with_assets` say so by having any).
    pub fn has_assets(&self) -> bool {
        self.with_assets || !self.assets.is_empty()
    }
}

/// The local copy of one image or attachment referenced by a body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetEntry {
    /// Path relative to the snapshot root: `assets/<sha256>.<ext>` (also listed in `files`).
    pub file: String,
    /// The `Content-Type` the server sent, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// Name and version of the tool that wrote a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolInfo {
    /// `helpcenter`
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// The API a snapshot was pulled from. Never holds credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiInfo {
    /// The `Intercom-Version` used.
    pub version: String,
    /// `us`, `eu`, `au`, or `custom` for an `--api-base` override.
    pub region: String,
    /// The base URL, with any user information removed.
    pub base_url: String,
}

/// Content counts of one locale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocaleCounts {
    /// Articles with content in this locale.
    pub articles: usize,
    /// Collections and sections with content in this locale.
    pub collections: usize,
}

/// Checksum and size of one snapshot file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Lowercase hex sha256 of the file's bytes.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// An object id that is safe to use as a file name.
///
/// Intercom ids are digits; anything outside `[A-Za-z0-9_-]` (or empty, or over 128 bytes) is
/// refused so that API data can never name a path outside the snapshot.
pub fn checked_id(id: &str) -> std::result::Result<&str, String> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(id)
    } else {
        Err(format!("unsafe object id {id:?}"))
    }
}

/// A safe file extension for an asset: 1 to 8 ASCII letters or digits, lowercased, else `bin`.
pub fn asset_extension(ext: &str) -> String {
    let ok = (1..=8).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        ext.to_ascii_lowercase()
    } else {
        "bin".to_string()
    }
}

/// The `id` of a raw API object, whether the API sent it as a string or a number (an empty
/// string included: it is compared with the file name, not used).
pub fn object_id(object: &Value) -> Option<String> {
    object.get("id").and_then(id_text)
}

/// A string or number field of a raw API object as text (ids, which the API sends either way,
/// and names and titles); `None` when absent, null, empty or of another type.
pub fn id_field(object: &Value, field: &str) -> Option<String> {
    object
        .get(field)
        .and_then(id_text)
        .filter(|text| !text.is_empty())
}

/// A string or number as text (an empty string included), else `None`: how every id is read.
pub fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Writes a new snapshot beside the target and swaps it into place on [`SnapshotWriter::commit`].
///
/// Dropping the writer without committing removes the partial directory.
pub struct SnapshotWriter {
    target: PathBuf,
    staging: PathBuf,
    files: BTreeMap<String, FileEntry>,
    counts: BTreeMap<String, usize>,
    locales: BTreeMap<String, LocaleCounts>,
    assets: BTreeMap<String, AssetEntry>,
    with_assets: bool,
    missing_assets: BTreeMap<String, String>,
    _lock: File,
    committed: bool,
}

impl SnapshotWriter {
    /// Starts a snapshot that will replace `target` (which may or may not exist yet).
    pub fn create(target: &Path) -> Result<SnapshotWriter> {
        let target = absolute(target)?;
        let parent = target
            .parent()
            .ok_or_else(|| Error::usage(format!("{} has no parent directory", target.display())))?
            .to_path_buf();
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, "create directory", e))?;
        let name = file_name(&target)?;
        let lock = lock_file(&parent.join(format!(".{name}.lock")))?;
        durable::prepare_staging(&parent, &name)?;
        let staging = durable::staging_path(&parent, &name);
        fs::create_dir(&staging).map_err(|e| Error::io(&staging, "create directory", e))?;
        for kind in ObjectKind::ALL {
            let dir = staging.join(kind.dir_name());
            fs::create_dir(&dir).map_err(|e| Error::io(&dir, "create directory", e))?;
        }
        Ok(SnapshotWriter {
            target,
            staging,
            files: BTreeMap::new(),
            counts: ObjectKind::ALL
                .iter()
                .map(|kind| (kind.dir_name().to_string(), 0))
                .collect(),
            locales: BTreeMap::new(),
            assets: BTreeMap::new(),
            with_assets: false,
            missing_assets: BTreeMap::new(),
            _lock: lock,
            committed: false,
        })
    }

    /// Stores one raw object, byte for byte, as `<kind>/<id>.json`.
    pub fn write_object(&mut self, kind: ObjectKind, id: &str, raw: &[u8]) -> Result<()> {
        let id =
            checked_id(id).map_err(|why| Error::data(format!("{}: {why}", kind.dir_name())))?;
        let relative = format!("{}/{id}.json", kind.dir_name());
        if self.files.contains_key(&relative) {
            return Err(Error::data(format!(
                "the API returned {} {id} twice",
                kind.dir_name()
            )));
        }
        let locales = content_locales(raw)
            .map_err(|e| Error::data(format!("{relative}: invalid JSON: {e}")))?;
        let path = self.staging.join(&relative);
        fs::write(&path, raw).map_err(|e| Error::io(&path, "write", e))?;
        self.files.insert(relative, file_entry(raw));
        self.count(kind, locales);
        Ok(())
    }

    /// Stores a downloaded asset as `assets/<sha256>.<ext>` and maps `url` to it.
    ///
    /// `ext` is only a hint for viewers: anything but 1 to 8 ASCII letters or digits becomes
    /// `bin`. Identical content downloaded from two URLs is stored once.
    pub fn write_asset(
        &mut self,
        url: &str,
        bytes: &[u8],
        ext: &str,
        content_type: Option<String>,
    ) -> Result<AssetEntry> {
        self.store_asset(url, &file_entry(bytes), ext, content_type, |path| {
            fs::write(path, bytes).map_err(|e| Error::io(path, "write", e))
        })
    }

    /// Stores an asset of an earlier snapshot, whose bytes at `source` were checked to match
    /// `entry`, as `assets/<sha256>.<ext>` (like [`SnapshotWriter::write_asset`]), and maps
    /// `url` to it. The file is hard-linked when the file system allows it (no copy, nothing
    /// new to flush), else copied.
    pub fn reuse_asset(
        &mut self,
        url: &str,
        source: &Path,
        entry: &FileEntry,
        ext: &str,
        content_type: Option<String>,
    ) -> Result<AssetEntry> {
        self.store_asset(url, entry, ext, content_type, |path| {
            if fs::hard_link(source, path).is_err() {
                fs::copy(source, path).map_err(|e| Error::io(path, "copy", e))?;
            }
            Ok(())
        })
    }

    /// Maps `url` to `assets/<sha256>.<ext>` for content `entry`, letting `put` place the file
    /// at its staging path unless that content is already stored under that name.
    fn store_asset(
        &mut self,
        url: &str,
        entry: &FileEntry,
        ext: &str,
        content_type: Option<String>,
        put: impl FnOnce(&Path) -> Result<()>,
    ) -> Result<AssetEntry> {
        let relative = format!("{ASSETS_DIR}/{}.{}", entry.sha256, asset_extension(ext));
        if !self.files.contains_key(&relative) {
            let dir = self.staging.join(ASSETS_DIR);
            fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, "create directory", e))?;
            put(&self.staging.join(&relative))?;
            self.files.insert(relative.clone(), entry.clone());
        }
        let asset = AssetEntry {
            file: relative,
            content_type,
        };
        self.assets.insert(url.to_string(), asset.clone());
        Ok(asset)
    }

    /// Records that assets were pulled, and which of them could not be stored (URL to why).
    pub fn record_asset_pull(&mut self, missing: BTreeMap<String, String>) {
        self.with_assets = true;
        self.missing_assets = missing;
    }

    fn count(&mut self, kind: ObjectKind, locales: Vec<String>) {
        *self.counts.entry(kind.dir_name().to_string()).or_default() += 1;
        for locale in locales {
            let counts = self.locales.entry(locale).or_default();
            match kind {
                ObjectKind::Article => counts.articles += 1,
                ObjectKind::Collection | ObjectKind::Section => counts.collections += 1,
                ObjectKind::HelpCenter => {}
            }
        }
    }

    /// Writes the manifest, flushes everything to disk and swaps the snapshot into place.
    pub fn commit(mut self, api: ApiInfo, help_center: Option<String>) -> Result<Manifest> {
        let manifest = Manifest {
            format: FORMAT.to_string(),
            tool: ToolInfo {
                name: env!("CARGO_PKG_NAME").to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            api,
            pulled_at: now_rfc3339(),
            help_center,
            counts: std::mem::take(&mut self.counts),
            locales: std::mem::take(&mut self.locales),
            files: std::mem::take(&mut self.files),
            assets: std::mem::take(&mut self.assets),
            with_assets: self.with_assets,
            missing_assets: std::mem::take(&mut self.missing_assets),
        };
        let manifest_path = self.staging.join(MANIFEST_FILE);
        let mut json = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
        json.push(b'\n');
        durable::write_synced(&manifest_path, &json)?;
        check_replaceable(&self.target)?;
        let parent = self.target.parent().expect("absolute target has a parent");
        durable::swap_into_place(&self.staging, parent, &file_name(&self.target)?)?;
        self.committed = true;
        Ok(manifest)
    }
}

impl Drop for SnapshotWriter {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// A snapshot on disk, opened for reading.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The snapshot's root directory.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// sha256 of the manifest file's bytes, taken when it was read.
    manifest_sha256: String,
}

/// One raw object read back from a snapshot.
#[derive(Debug, Clone)]
pub struct StoredObject {
    /// The object's id (its file stem).
    pub id: String,
    /// The file it was read from, for error messages.
    pub path: PathBuf,
    /// The parsed JSON.
    pub value: Value,
}

impl Snapshot {
    /// Opens the snapshot at `dir`, reading and checking its manifest.
    pub fn open(dir: &Path) -> Result<Snapshot> {
        let manifest_path = dir.join(MANIFEST_FILE);
        let bytes = fs::read(&manifest_path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::usage(format!(
                    "{} is not a snapshot: it has no {MANIFEST_FILE} (run `helpcenter pull` first)",
                    dir.display()
                ))
            } else {
                Error::io(&manifest_path, "read", e)
            }
        })?;
        let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
            Error::data(format!(
                "{}: invalid manifest: {e}",
                manifest_path.display()
            ))
        })?;
        if manifest.format != FORMAT {
            return Err(Error::data(format!(
                "{}: unsupported snapshot format {:?} (this helpcenter reads {FORMAT:?})",
                manifest_path.display(),
                manifest.format
            )));
        }
        Ok(Snapshot {
            dir: dir.to_path_buf(),
            manifest,
            manifest_sha256: file_entry(&bytes).sha256,
        })
    }

    /// sha256 of the manifest file as [`Snapshot::open`] read it (lowercase hex).
    pub fn manifest_sha256(&self) -> &str {
        &self.manifest_sha256
    }

    /// Every object of one kind listed in the manifest, sorted by file name.
    pub fn objects(&self, kind: ObjectKind) -> Result<Vec<StoredObject>> {
        self.object_files(kind)
            .into_iter()
            .map(|(relative, id)| self.read_object(relative, id))
            .collect()
    }

    /// The files of one kind listed in the manifest, as (relative path, id), sorted: for
    /// readers that parse them one at a time instead of holding them all.
    pub fn object_files(&self, kind: ObjectKind) -> Vec<(&str, &str)> {
        let prefix = format!("{}/", kind.dir_name());
        self.manifest
            .files
            .keys()
            .filter_map(|name| {
                let id = name.strip_prefix(&prefix)?.strip_suffix(".json")?;
                Some((name.as_str(), id))
            })
            .collect()
    }

    /// Reads and parses one object file listed by [`Snapshot::object_files`].
    pub fn read_object(&self, relative: &str, id: &str) -> Result<StoredObject> {
        checked_id(id).map_err(|why| Error::data(format!("{}: {why}", self.manifest_path())))?;
        let path = self.dir.join(relative);
        let bytes = fs::read(&path).map_err(|e| Error::io(&path, "read", e))?;
        let value = serde_json::from_slice(&bytes)
            .map_err(|e| Error::data(format!("{}: invalid JSON: {e}", path.display())))?;
        Ok(StoredObject {
            id: id.to_string(),
            path,
            value,
        })
    }

    /// The bytes of `name` (a file the manifest lists as `listed`), once they are checked
    /// against its size and checksum; else what is wrong with them.
    pub fn read_checked(
        &self,
        name: &str,
        listed: &FileEntry,
    ) -> std::result::Result<Vec<u8>, FileProblem> {
        let bytes = fs::read(self.dir.join(name)).map_err(FileProblem::Read)?;
        let found = file_entry(&bytes);
        if found.bytes != listed.bytes {
            Err(FileProblem::Size {
                found: found.bytes,
                listed: listed.bytes,
            })
        } else if found.sha256 != listed.sha256 {
            Err(FileProblem::Checksum {
                found: found.sha256,
                listed: listed.sha256.clone(),
            })
        } else {
            Ok(bytes)
        }
    }

    fn manifest_path(&self) -> String {
        self.dir.join(MANIFEST_FILE).display().to_string()
    }
}

/// The locales in which an object has content: the keys of its `translated_content` whose
/// value is an object (not null, not the `type` tag), or none for an object without
/// translations. Skims the JSON without building the bodies.
fn content_locales(raw: &[u8]) -> serde_json::Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Translated {
        translated_content: Option<BTreeMap<String, Presence>>,
    }
    let parsed: Translated = serde_json::from_slice(raw)?;
    Ok(parsed
        .translated_content
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, presence)| matches!(presence, Presence::Object))
        .map(|(key, _)| key)
        .collect())
}

/// Whether a JSON value is an object, found without keeping any of it.
enum Presence {
    Object,
    Other,
}

impl<'de> Deserialize<'de> for Presence {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Presence;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Presence, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Presence::Object)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Presence, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Presence::Other)
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<Presence, E> {
                Ok(Presence::Other)
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Presence, E> {
                Ok(Presence::Other)
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<Presence, E> {
                Ok(Presence::Other)
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<Presence, E> {
                Ok(Presence::Other)
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<Presence, E> {
                Ok(Presence::Other)
            }
            fn visit_unit<E>(self) -> std::result::Result<Presence, E> {
                Ok(Presence::Other)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// The current time as RFC 3339 UTC, to the second.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("zero is valid");
    now.format(&time::format_description::well_known::Rfc3339)
        .expect("UTC time formats")
}

/// Checksum and size of a byte string.
pub fn file_entry(bytes: &[u8]) -> FileEntry {
    FileEntry {
        sha256: hex::encode(Sha256::digest(bytes)),
        bytes: bytes.len() as u64,
    }
}

fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|e| Error::io(path, "resolve", e))
}

fn file_name(target: &Path) -> Result<String> {
    target
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string)
        .ok_or_else(|| {
            Error::usage(format!(
                "{} is not a usable directory name",
                target.display()
            ))
        })
}

/// Holds an exclusive lock so two pulls into the same snapshot cannot interleave.
/// The OS releases it when the process dies, so a killed pull never leaves it stuck.
fn lock_file(path: &Path) -> Result<File> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, "open lock file", e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(Error::usage(format!(
            "another helpcenter process is writing this snapshot (lock {} is held)",
            path.display()
        ))),
        Err(fs::TryLockError::Error(e)) => Err(Error::io(path, "lock", e)),
    }
}

/// A snapshot may replace nothing, an empty directory or another snapshot: never a folder
/// of something else that a mistyped `--snapshot` points at.
fn check_replaceable(target: &Path) -> Result<()> {
    let other = target.is_dir()
        && !target.join(MANIFEST_FILE).exists()
        && fs::read_dir(target).is_ok_and(|mut d| d.next().is_some());
    if other {
        return Err(Error::usage(format!(
            "{} exists and is not a snapshot; refusing to replace it",
            target.display()
        )));
    }
    Ok(())
}

/// Checks every file listed in a manifest against its checksum; returns the problems found.
pub fn verify_files(snapshot: &Snapshot) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, expected) in &snapshot.manifest.files {
        match snapshot.read_checked(name, expected) {
            Ok(_) => {}
            Err(FileProblem::Read(e)) => problems.push(format!("{name}: {e}")),
            Err(_) => problems.push(format!("{name}: checksum mismatch")),
        }
    }
    problems
}

/// Why a file the manifest lists does not hold what the manifest says; its `Display` is how
/// `verify` reports it.
#[derive(Debug)]
pub enum FileProblem {
    /// It could not be read (`NotFound` when it is missing).
    Read(std::io::Error),
    /// Its size is not the listed one.
    Size {
        /// Bytes found.
        found: u64,
        /// Bytes listed.
        listed: u64,
    },
    /// Its size is right but its sha256 is not.
    Checksum {
        /// sha256 found.
        found: String,
        /// sha256 listed.
        listed: String,
    },
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            FileProblem::Read(e) if e.kind() == std::io::ErrorKind::NotFound => {
                f.write_str("missing (listed in the manifest)")
            }
            FileProblem::Read(e) => write!(f, "unreadable: {e}"),
            FileProblem::Size { found, listed } => {
                write!(f, "size is {found} bytes, the manifest says {listed}")
            }
            FileProblem::Checksum { found, listed } => write!(
                f,
                "checksum mismatch: sha256 is {found}, the manifest says {listed}"
            ),
        }
    }
}

/// `assets/<name>` with a plain file name (no folders, no dot files): safe to join to a root.
pub fn is_asset_file(file: &str) -> bool {
    file.strip_prefix(ASSETS_DIR)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|name| {
            !name.is_empty()
                && !name.starts_with('.')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api() -> ApiInfo {
        ApiInfo {
            version: "2.15".into(),
            region: "us".into(),
            base_url: "https://api.intercom.io".into(),
        }
    }

    #[test]
    fn ids_that_could_escape_are_refused() {
        assert_eq!(checked_id("12345"), Ok("12345"));
        for bad in ["", "../x", "a/b", "a\\b", ".", "..", "1.json", "a b"] {
            assert!(checked_id(bad).is_err(), "{bad:?}");
        }
        assert!(checked_id(&"9".repeat(129)).is_err());
    }

    #[test]
    fn ids_are_strings_or_numbers_and_fields_are_never_empty() {
        let object = serde_json::json!({
            "id": "", "parent_id": 3, "name": "N", "blank": "", "none": null, "list": [1]
        });
        assert_eq!(object_id(&object).as_deref(), Some(""));
        assert_eq!(
            object_id(&serde_json::json!({"id": 12})).as_deref(),
            Some("12")
        );
        assert_eq!(object_id(&serde_json::json!({"id": true})), None);
        assert_eq!(id_field(&object, "id"), None);
        assert_eq!(id_field(&object, "parent_id").as_deref(), Some("3"));
        assert_eq!(id_field(&object, "name").as_deref(), Some("N"));
        for field in ["blank", "none", "list", "missing"] {
            assert_eq!(id_field(&object, field), None, "{field}");
        }
        assert_eq!(id_text(&serde_json::json!("")).as_deref(), Some(""));
    }

    #[test]
    fn locales_are_the_object_valued_translations() {
        let raw = br#"{"id":"1","translated_content":{"type":"article_translated_content",
            "en":{"title":"Hi","body":"<p>x</p>"},"fr":null,"de":{"title":"Hallo"}}}"#;
        assert_eq!(content_locales(raw).unwrap(), vec!["de", "en"]);
        assert_eq!(
            content_locales(br#"{"id":"1"}"#).unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            content_locales(br#"{"translated_content":null}"#).unwrap(),
            Vec::<String>::new()
        );
        assert!(content_locales(br#"{"translated_content":{"en":{"#).is_err());
    }

    #[test]
    fn commit_writes_manifest_and_replaces_the_old_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("snap");
        let mut first = SnapshotWriter::create(&target).unwrap();
        first
            .write_object(ObjectKind::Article, "1", br#"{"id":"1"}"#)
            .unwrap();
        first.commit(api(), None).unwrap();

        let mut second = SnapshotWriter::create(&target).unwrap();
        let raw = br#"{"id":"2","translated_content":{"en":{"title":"x"}}}"#;
        second.write_object(ObjectKind::Article, "2", raw).unwrap();
        let manifest = second.commit(api(), Some("7".into())).unwrap();

        assert!(!target.join("articles/1.json").exists());
        assert_eq!(fs::read(target.join("articles/2.json")).unwrap(), raw);
        assert_eq!(manifest.counts["articles"], 1);
        assert_eq!(manifest.locales["en"].articles, 1);
        assert_eq!(manifest.help_center.as_deref(), Some("7"));
        let reopened = Snapshot::open(&target).unwrap();
        assert_eq!(reopened.manifest, manifest);
        assert_eq!(verify_files(&reopened), Vec::<String>::new());
        let ids: Vec<String> = reopened
            .objects(ObjectKind::Article)
            .unwrap()
            .into_iter()
            .map(|o| o.id)
            .collect();
        assert_eq!(ids, vec!["2"]);
    }

    #[test]
    fn assets_are_stored_by_content_hash_and_mapped_by_url() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("snap");
        let mut writer = SnapshotWriter::create(&target).unwrap();
        let png = b"\x89PNG fake";
        let first = writer
            .write_asset(
                "https://cdn.test/a.png",
                png,
                "PNG",
                Some("image/png".into()),
            )
            .unwrap();
        let second = writer
            .write_asset("https://cdn.test/copy", png, "../x", None)
            .unwrap();
        let manifest = writer.commit(api(), None).unwrap();

        let sha = hex::encode(Sha256::digest(png));
        assert_eq!(first.file, format!("assets/{sha}.png"));
        assert_eq!(second.file, format!("assets/{sha}.bin"));
        assert_eq!(fs::read(target.join(&first.file)).unwrap(), png);
        assert_eq!(manifest.assets["https://cdn.test/a.png"], first);
        assert_eq!(manifest.assets["https://cdn.test/copy"], second);
        assert_eq!(manifest.files[&first.file].bytes, png.len() as u64);
        let reopened = Snapshot::open(&target).unwrap();
        assert_eq!(reopened.manifest.assets, manifest.assets);
        assert_eq!(verify_files(&reopened), Vec::<String>::new());
    }

    #[test]
    fn a_listed_file_is_read_only_when_it_matches_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("snap");
        let mut writer = SnapshotWriter::create(&target).unwrap();
        for id in ["1", "2", "3"] {
            let raw = format!(r#"{{"id":"{id}"}}"#);
            writer
                .write_object(ObjectKind::Article, id, raw.as_bytes())
                .unwrap();
        }
        writer.commit(api(), None).unwrap();
        let snapshot = Snapshot::open(&target).unwrap();
        fs::write(target.join("articles/2.json"), r#"{"id":"X"}"#).unwrap();
        fs::write(target.join("articles/3.json"), r#"{"id":"33"}"#).unwrap();
        let files = &snapshot.manifest.files;
        let check = |name: &str| snapshot.read_checked(name, &files[name]);
        assert_eq!(check("articles/1.json").unwrap(), br#"{"id":"1"}"#);
        let changed = check("articles/2.json").unwrap_err().to_string();
        assert!(
            changed.starts_with("checksum mismatch: sha256 is "),
            "{changed}"
        );
        assert_eq!(
            check("articles/3.json").unwrap_err().to_string(),
            "size is 11 bytes, the manifest says 10"
        );
        fs::remove_file(target.join("articles/1.json")).unwrap();
        assert_eq!(
            check("articles/1.json").unwrap_err().to_string(),
            "missing (listed in the manifest)"
        );
        let problems = verify_files(&snapshot);
        assert_eq!(problems.len(), 3);
        assert!(problems[0].starts_with("articles/1.json: "), "{problems:?}");
        assert_eq!(problems[1], "articles/2.json: checksum mismatch");
        assert_eq!(problems[2], "articles/3.json: checksum mismatch");
    }

    #[test]
    fn a_reused_asset_is_stored_like_a_downloaded_one() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.png");
        let png = b"\x89PNG old";
        fs::write(&old, png).unwrap();
        let entry = file_entry(png);
        let target = dir.path().join("snap");
        let mut writer = SnapshotWriter::create(&target).unwrap();
        let reused = writer
            .reuse_asset("https://cdn.test/a.png", &old, &entry, "png", None)
            .unwrap();
        let again = writer
            .write_asset("https://cdn.test/b.png", png, "png", None)
            .unwrap();
        let manifest = writer.commit(api(), None).unwrap();
        assert_eq!(reused.file, format!("assets/{}.png", entry.sha256));
        assert_eq!(again.file, reused.file);
        assert_eq!(manifest.files[&reused.file], entry);
        assert_eq!(fs::read(target.join(&reused.file)).unwrap(), png);
        assert_eq!(manifest.assets.len(), 2);
    }

    #[test]
    fn an_abandoned_writer_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("snap");
        let mut writer = SnapshotWriter::create(&target).unwrap();
        writer
            .write_object(ObjectKind::Article, "1", br#"{"id":"1"}"#)
            .unwrap();
        drop(writer);
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec![".snap.lock"]);
    }

    #[test]
    fn duplicates_and_bad_json_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = SnapshotWriter::create(&dir.path().join("snap")).unwrap();
        writer
            .write_object(ObjectKind::Article, "1", br#"{"id":"1"}"#)
            .unwrap();
        let twice = writer
            .write_object(ObjectKind::Article, "1", br#"{"id":"1"}"#)
            .unwrap_err();
        assert_eq!(twice.to_string(), "the API returned articles 1 twice");
        let broken = writer
            .write_object(ObjectKind::Article, "2", br#"{"id":"#)
            .unwrap_err();
        assert!(broken
            .to_string()
            .starts_with("articles/2.json: invalid JSON:"));
        let unsafe_id = writer
            .write_object(ObjectKind::Article, "../x", b"{}")
            .unwrap_err();
        assert_eq!(unsafe_id.to_string(), "articles: unsafe object id \"../x\"");
    }

    #[test]
    fn a_directory_that_is_not_a_snapshot_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("docs");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("precious.txt"), "keep me").unwrap();
        let writer = SnapshotWriter::create(&target).unwrap();
        let err = writer.commit(api(), None).unwrap_err();
        assert!(err.to_string().contains("exists and is not a snapshot"));
        assert_eq!(
            fs::read_to_string(target.join("precious.txt")).unwrap(),
            "keep me"
        );
    }

    #[test]
    fn opening_a_non_snapshot_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let err = Snapshot::open(dir.path()).unwrap_err();
        assert!(err
            .to_string()
            .contains("is not a snapshot: it has no manifest.json (run `helpcenter pull` first)"));
    }

    #[test]
    fn asset_files_must_be_plain_names_in_assets() {
        assert!(is_asset_file("assets/ab12.png"));
        for bad in [
            "assets/../x",
            "assets/a/b.png",
            "assets/",
            "x/a.png",
            "assets/.hidden",
        ] {
            assert!(!is_asset_file(bad), "{bad}");
        }
    }
}
