//! `helpcenter verify`: checks a backup (a snapshot folder or an archive) end to end.
//!
//! Checked: every file the manifest lists (present, size, sha256), files present but not
//! listed, every object's JSON and id, every reference (articles to their collections,
//! sections and help center; collections and sections to their parents and help center), and
//! in a snapshot pulled with `--assets`, every asset a body or description refers to: mapped
//! to a file that is there (else the backup is damaged), or listed as missing (the backup is
//! sound but incomplete, exit [`exit::INCOMPLETE`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::archive::Backup;
use crate::assets::object_asset_urls;
use crate::error::{exit, Result};
use crate::snapshot::{
    id_field, id_text, object_id, ObjectKind, Snapshot, StoredObject, MANIFEST_FILE,
};

/// One thing wrong with a backup, and the file it is in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    /// Path relative to the snapshot root (`articles/101.json`).
    pub file: String,
    /// What is wrong.
    pub problem: String,
}

impl Problem {
    fn new(file: impl Into<String>, problem: impl Into<String>) -> Problem {
        Problem {
            file: file.into(),
            problem: problem.into(),
        }
    }
}

/// An asset a body refers to that the backup does not hold.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct MissingAsset {
    /// The object file whose body or description uses it.
    pub file: String,
    /// The asset's URL.
    pub url: String,
    /// Why the pull could not store it, as its manifest recorded.
    pub reason: String,
}

/// The result of a verification: `--json` prints it as it is.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// True when no problem was found and no asset is missing (warnings do not count).
    pub ok: bool,
    /// The folder or archive verified.
    pub backup: String,
    /// Files checked against the manifest (the manifest itself not counted).
    pub checked_files: usize,
    /// Objects whose references were checked.
    pub checked_objects: usize,
    /// Everything wrong, sorted by file.
    pub problems: Vec<Problem>,
    /// In a snapshot pulled with `--assets`: each use of an asset it does not hold, sorted.
    pub missing_assets: Vec<MissingAsset>,
    /// Things worth knowing that do not make the backup damaged.
    pub warnings: Vec<Problem>,
}

impl VerifyReport {
    /// [`exit::DAMAGED`] when something is wrong, else [`exit::INCOMPLETE`] when assets are
    /// missing, else `0`.
    pub fn exit_code(&self) -> i32 {
        if !self.problems.is_empty() {
            exit::DAMAGED
        } else if !self.missing_assets.is_empty() {
            exit::INCOMPLETE
        } else {
            exit::OK
        }
    }

    /// Distinct asset URLs missing.
    fn missing_urls(&self) -> usize {
        let urls: BTreeSet<&str> = self.missing_assets.iter().map(|m| m.url.as_str()).collect();
        urls.len()
    }

    /// `backup.tar.zst: OK, 24 files and 23 objects checked` or the count of problems.
    pub fn summary_line(&self) -> String {
        let verdict = match self.exit_code() {
            exit::OK => "OK".to_string(),
            exit::INCOMPLETE => {
                let n = self.missing_urls();
                format!(
                    "INCOMPLETE, {n} asset{} missing",
                    if n == 1 { "" } else { "s" }
                )
            }
            _ => {
                let n = self.problems.len();
                format!("DAMAGED, {n} problem{}", if n == 1 { "" } else { "s" })
            }
        };
        format!(
            "{}: {verdict}, {} files and {} objects checked{}",
            self.backup,
            self.checked_files,
            self.checked_objects,
            match self.warnings.len() {
                0 => String::new(),
                1 => ", 1 warning".to_string(),
                n => format!(", {n} warnings"),
            }
        )
    }
}

/// Verifies the backup at `path` (a snapshot folder, or an archive made by `archive`).
///
/// An error means the backup could not be read at all (no manifest, not an archive, an unsafe
/// archive entry); a report with problems means it was read and is damaged.
pub fn verify(path: &Path) -> Result<VerifyReport> {
    let backup = Backup::open(path)?;
    let snapshot = open_snapshot(&backup)?;
    Ok(verify_snapshot(&snapshot, &path.display().to_string()))
}

/// Opens the snapshot of a backup; a folder without a manifest is unreadable (exit 1).
pub fn open_snapshot(backup: &Backup) -> Result<Snapshot> {
    Snapshot::open(&backup.dir).map_err(|e| match e {
        crate::error::Error::Usage(message) => crate::error::Error::Data(message),
        other => other,
    })
}

/// Verifies an opened snapshot; `label` names it in the report.
pub fn verify_snapshot(snapshot: &Snapshot, label: &str) -> VerifyReport {
    verify_and_read(snapshot, label).0
}

/// Every object file verification parsed, by kind, in file name order: when the report has
/// no problem, every object the manifest lists, so a reader need not read them again.
pub type VerifiedObjects = BTreeMap<ObjectKind, Vec<StoredObject>>;

/// Verifies an opened snapshot (like [`verify_snapshot`]) and hands back the objects it parsed
/// on the way, each file read once.
pub fn verify_and_read(snapshot: &Snapshot, label: &str) -> (VerifyReport, VerifiedObjects) {
    let mut checker = Checker::default();
    let parsed = checker.check_files(snapshot);
    checker.check_unlisted(snapshot);
    let objects = checker.read_objects(snapshot, parsed);
    checker.check_references(&objects);
    checker.check_assets(snapshot, &objects);
    checker.problems.sort();
    checker.warnings.sort();
    checker.missing_assets.sort();
    let report = VerifyReport {
        ok: checker.problems.is_empty() && checker.missing_assets.is_empty(),
        backup: label.to_string(),
        checked_files: snapshot.manifest.files.len(),
        checked_objects: objects.values().map(Vec::len).sum(),
        problems: checker.problems,
        missing_assets: checker.missing_assets,
        warnings: checker.warnings,
    };
    let objects = objects
        .into_iter()
        .map(|(kind, list)| {
            let list = list
                .into_iter()
                .map(|(file, id, value)| StoredObject {
                    id,
                    path: snapshot.dir.join(file),
                    value,
                })
                .collect();
            (kind, list)
        })
        .collect();
    (report, objects)
}

/// The parsed objects of one kind: (file, id, JSON).
type Objects = BTreeMap<ObjectKind, Vec<(String, String, Value)>>;

/// Intact object files parsed as they were checked: the JSON, or why it does not parse.
type Parsed = BTreeMap<String, std::result::Result<Value, String>>;

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
    missing_assets: Vec<MissingAsset>,
    /// Files whose bytes are wrong; their content is not checked further.
    damaged: BTreeSet<String>,
}

impl Checker {
    fn problem(&mut self, file: &str, problem: impl Into<String>) {
        self.problems.push(Problem::new(file, problem));
    }

    /// Every listed file: present, of the listed size and checksum. Object files that are
    /// intact are parsed from the bytes just read, so none is read twice.
    fn check_files(&mut self, snapshot: &Snapshot) -> Parsed {
        let object_files: BTreeSet<&str> = ObjectKind::ALL
            .into_iter()
            .flat_map(|kind| snapshot.object_files(kind))
            .map(|(name, _)| name)
            .collect();
        let mut parsed = Parsed::new();
        for (name, expected) in &snapshot.manifest.files {
            match snapshot.read_checked(name, expected) {
                Ok(bytes) if object_files.contains(name.as_str()) => {
                    let value = serde_json::from_slice::<Value>(&bytes).map_err(|e| e.to_string());
                    parsed.insert(name.clone(), value);
                }
                Ok(_) => {}
                Err(problem) => {
                    self.problem(name, problem.to_string());
                    self.damaged.insert(name.clone());
                }
            }
        }
        parsed
    }

    /// Files in the snapshot folder that the manifest does not list.
    fn check_unlisted(&mut self, snapshot: &Snapshot) {
        for entry in walkdir::WalkDir::new(&snapshot.dir).sort_by_file_name() {
            let Ok(entry) = entry else { continue };
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(relative) = entry.path().strip_prefix(&snapshot.dir) else {
                continue;
            };
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if name != MANIFEST_FILE && !snapshot.manifest.files.contains_key(&name) {
                self.problem(&name, "not listed in the manifest");
            }
        }
    }

    /// Every intact object file, parsed by [`Checker::check_files`]; bad JSON and ids that
    /// disagree with file names are problems.
    fn read_objects(&mut self, snapshot: &Snapshot, mut parsed: Parsed) -> Objects {
        let mut objects = Objects::new();
        for kind in ObjectKind::ALL {
            let mut list = Vec::new();
            for (name, id) in snapshot.object_files(kind) {
                if self.damaged.contains(name) {
                    continue;
                }
                let Some(value) = parsed.remove(name) else {
                    continue;
                };
                let value = match value {
                    Ok(value) => value,
                    Err(e) => {
                        self.problem(name, format!("invalid JSON: {e}"));
                        continue;
                    }
                };
                if object_id(&value).as_deref() != Some(id) {
                    self.problem(name, "its id does not match its file name");
                }
                list.push((name.to_string(), id.to_string(), value));
            }
            objects.insert(kind, list);
        }
        objects
    }

    /// Articles to parents and help centers, groups to parents and help centers.
    fn check_references(&mut self, objects: &Objects) {
        let ids = |kind: ObjectKind| -> BTreeSet<String> {
            objects[&kind].iter().map(|(_, id, _)| id.clone()).collect()
        };
        let help_centers = ids(ObjectKind::HelpCenter);
        let collections = ids(ObjectKind::Collection);
        let sections = ids(ObjectKind::Section);
        for (file, _, group) in &objects[&ObjectKind::Collection] {
            if let Some(parent) = id_field(group, "parent_id") {
                if !collections.contains(&parent) {
                    self.problem(file, format!("parent collection {parent} is missing"));
                }
            }
            self.check_help_center(file, group, &help_centers);
        }
        for (file, _, section) in &objects[&ObjectKind::Section] {
            match id_field(section, "parent_id") {
                Some(parent) if collections.contains(&parent) => {}
                Some(parent) => {
                    self.problem(file, format!("parent collection {parent} is missing"))
                }
                None => self.problem(file, "a section without a parent collection"),
            }
        }
        for (file, _, article) in &objects[&ObjectKind::Article] {
            let mut parents: BTreeSet<String> =
                id_field(article, "parent_id").into_iter().collect();
            if let Some(Value::Array(list)) = article.get("parent_ids") {
                parents.extend(list.iter().filter_map(id_text));
            }
            let in_sections = article.get("parent_type").and_then(Value::as_str) == Some("section");
            for parent in parents {
                let (known, what) = if in_sections {
                    (
                        sections.contains(&parent) || collections.contains(&parent),
                        "section",
                    )
                } else {
                    (collections.contains(&parent), "collection")
                };
                if !known {
                    self.problem(file, format!("parent {what} {parent} is missing"));
                }
            }
        }
    }

    fn check_help_center(&mut self, file: &str, object: &Value, help_centers: &BTreeSet<String>) {
        if let Some(help_center) = id_field(object, "help_center_id") {
            if !help_centers.contains(&help_center) {
                self.problem(file, format!("help center {help_center} is missing"));
            }
        }
    }

    /// Every asset the bodies and descriptions refer to, in a snapshot pulled with
    /// `--assets`: a mapped URL must have its file; an unmapped one is missing.
    fn check_assets(&mut self, snapshot: &Snapshot, objects: &Objects) {
        let manifest = &snapshot.manifest;
        for (url, asset) in &manifest.assets {
            if !manifest.files.contains_key(&asset.file) {
                self.problem(
                    MANIFEST_FILE,
                    format!(
                        "asset {url} maps to {}, which the manifest does not list",
                        asset.file
                    ),
                );
            }
        }
        if !manifest.has_assets() {
            // Pulled without --assets: not meant to hold them, and parsing every body would
            // only cost time.
            return;
        }
        for (file, _, object) in objects.values().flatten() {
            for url in object_asset_urls(object) {
                match manifest.assets.get(&url) {
                    Some(asset) if snapshot.dir.join(&asset.file).is_file() => {}
                    Some(asset) => self.problem(
                        file,
                        format!("asset {url} is missing its file {}", asset.file),
                    ),
                    None => {
                        let reason = (manifest.missing_assets.get(&url).cloned())
                            .unwrap_or_else(|| "not downloaded".to_string());
                        self.missing_assets.push(MissingAsset {
                            file: file.clone(),
                            url,
                            reason,
                        });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{file_entry, ApiInfo, SnapshotWriter};
    use std::fs;

    #[test]
    fn verification_hands_back_every_object_as_a_reader_would_see_it() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("snap");
        let mut writer = SnapshotWriter::create(&target).unwrap();
        writer
            .write_object(ObjectKind::Collection, "3", br#"{"id":3,"name":"C"}"#)
            .unwrap();
        for id in ["10", "9"] {
            let raw = format!(r#"{{"id":"{id}","parent_id":3,"body":"<p>x</p>"}}"#);
            writer
                .write_object(ObjectKind::Article, id, raw.as_bytes())
                .unwrap();
        }
        let api = ApiInfo {
            version: "2.15".into(),
            region: "us".into(),
            base_url: "https://api.intercom.io".into(),
        };
        writer.commit(api, None).unwrap();
        let snapshot = Snapshot::open(&target).unwrap();

        let (report, objects) = verify_and_read(&snapshot, "snap");
        assert!(report.ok, "{:?}", report.problems);
        assert_eq!(report.checked_objects, 3);
        for kind in ObjectKind::ALL {
            let read = snapshot.objects(kind).unwrap();
            let handed = &objects[&kind];
            assert_eq!(handed.len(), read.len(), "{kind:?}");
            for (a, b) in handed.iter().zip(&read) {
                assert_eq!((&a.id, &a.path, &a.value), (&b.id, &b.path, &b.value));
            }
        }
        let manifest = fs::read(target.join(MANIFEST_FILE)).unwrap();
        assert_eq!(snapshot.manifest_sha256(), file_entry(&manifest).sha256);
    }
}
