//! Snapshots made straight from fixture folders, for tests that need one without a pull.

use std::fs;
use std::path::{Path, PathBuf};

use helpcenter::snapshot::{ApiInfo, ObjectKind, SnapshotWriter};

use super::workspace::Workspace;

/// A temp folder holding `snapshot/`, made from the fixture workspace `name`.
pub fn fixture_snapshot_dir(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    snapshot_from_fixture(&Workspace::fixture_dir(name), &dir.path().join("snapshot"));
    dir
}

/// Writes the raw API objects of a fixture folder (`help_centers/`, `collections/`, ...) into
/// a snapshot at `target`, as a pull from the US region with API 2.15 would.
pub fn snapshot_from_fixture(fixture: &Path, target: &Path) {
    let mut writer = SnapshotWriter::create(target).unwrap();
    for kind in ObjectKind::ALL {
        let Ok(entries) = fs::read_dir(fixture.join(kind.dir_name())) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let id = file.file_stem().unwrap().to_str().unwrap().to_string();
            writer
                .write_object(kind, &id, &fs::read(&file).unwrap())
                .unwrap();
        }
    }
    writer.commit(us_api(), None).unwrap();
}

/// The API description such a snapshot records.
pub fn us_api() -> ApiInfo {
    ApiInfo {
        version: "2.15".into(),
        region: "us".into(),
        base_url: "https://api.intercom.io".into(),
    }
}
