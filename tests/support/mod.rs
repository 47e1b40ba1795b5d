//! Test support shared by the integration tests and the benchmarks: a fake Intercom API server
//! ([`fake_intercom`]) and the help center content it serves ([`workspace`]).
//!
//! Tests include it with `mod support;`, benchmarks with
//! `#[path = "../tests/support/mod.rs"] mod support;`, so it may depend on dev-dependencies only.
//! Every binary uses a different part of it, hence the blanket `dead_code` allowance.
#![allow(dead_code)]

pub mod cli;
pub mod dialects;
pub mod fake_intercom;
pub mod push_load;
pub mod search_index;
pub mod snapshots;
pub mod trees;
pub mod workspace;

/// A benchmark setting from the environment: `name` as a number, else `default`.
pub fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Every file under `root` (sorted), by `/`-separated relative path, with its bytes.
pub fn files_under(root: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap();
            let key = rel.to_string_lossy().replace('\\', "/");
            (key, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Asserts that two trees (as [`files_under`] reads them) hold the same files with the same
/// text, naming the case and the first file that differs.
pub fn assert_same_files(
    name: &str,
    actual: &std::collections::BTreeMap<String, Vec<u8>>,
    expected: &std::collections::BTreeMap<String, Vec<u8>>,
) {
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{name}: files"
    );
    for (file, bytes) in actual {
        assert_eq!(
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&expected[file]),
            "{name}: {file} (UPDATE_EXPECTED=1 rewrites it)"
        );
    }
}

/// Copies every file under `from` to the same place under `to`.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for (file, bytes) in files_under(from) {
        let path = to.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}
