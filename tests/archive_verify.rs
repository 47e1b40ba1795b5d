//! `helpcenter archive` and `helpcenter verify` through the binary: deterministic archives,
//! damage found with exit code 4, unsafe archives refused, JSON summaries.

mod support;

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::json;
use support::cli::{self, assert_code, json_of, text};
use support::snapshots::{fixture_snapshot_dir, snapshot_from_fixture, us_api};
use support::workspace::Workspace;

/// A temp folder holding `snapshot/`, made from the multilingual fixture.
fn with_snapshot() -> tempfile::TempDir {
    fixture_snapshot_dir("multilingual")
}

/// 1 help center + 8 collections + 14 articles.
const FIXTURE_FILES: u64 = 23;

fn helpcenter(dir: &Path, args: &[&str]) -> Output {
    cli::helpcenter(dir).args(args).output().unwrap()
}

/// Names and contents of an archive's entries, read with the tar crate (not our reader).
fn entries(archive: &Path) -> Vec<(String, Vec<u8>, u32, u64)> {
    let tar = untar_bytes(archive);
    let mut reader = tar::Archive::new(&tar[..]);
    reader
        .entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let name = e.path().unwrap().display().to_string();
            let (mode, uid) = (e.header().mode().unwrap(), e.header().uid().unwrap());
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (name, data, mode, uid)
        })
        .collect()
}

fn untar_bytes(archive: &Path) -> Vec<u8> {
    let bytes = fs::read(archive).unwrap();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        zstd::decode_all(&bytes[..]).unwrap()
    }
}

#[test]
fn archives_of_one_snapshot_are_byte_identical_and_verify_clean() {
    let dir = with_snapshot();
    let cwd = dir.path();
    let first = assert_code(
        &helpcenter(cwd, &["archive", "-o", "a.tar.zst", "--json"]),
        0,
    );
    let summary = json_of(&first);
    assert_eq!(summary["compression"], "zstd");
    assert_eq!(summary["files"], FIXTURE_FILES + 1);
    assert_eq!(summary["file"], "a.tar.zst");
    assert_code(&helpcenter(cwd, &["archive", "-o", "b.tar.zst"]), 0);
    let a = fs::read(cwd.join("a.tar.zst")).unwrap();
    assert_eq!(a, fs::read(cwd.join("b.tar.zst")).unwrap());
    assert_eq!(summary["bytes"], a.len() as u64);
    let digest = <sha2::Sha256 as sha2::Digest>::digest(&a);
    assert_eq!(summary["sha256"], hex::encode(digest));

    let listed = entries(&cwd.join("a.tar.zst"));
    let names: Vec<&str> = listed.iter().map(|(n, ..)| n.as_str()).collect();
    assert_eq!(names[0], "snapshot/manifest.json");
    assert_eq!(names[1], "snapshot/articles/101.json");
    assert_eq!(names.len() as u64, FIXTURE_FILES + 1);
    assert!(listed
        .iter()
        .all(|(_, _, mode, uid)| *mode == 0o644 && *uid == 0));
    let original = fs::read(cwd.join("snapshot/articles/101.json")).unwrap();
    assert_eq!(listed[1].1, original);

    let verified = assert_code(&helpcenter(cwd, &["verify", "a.tar.zst", "--json"]), 0);
    let mut verified = json_of(&verified);
    let duration = verified.as_object_mut().unwrap().remove("duration_ms");
    assert!(duration.unwrap().is_u64());
    assert_eq!(
        verified,
        json!({"command": "verify", "ok": true, "exit_code": 0, "backup": "a.tar.zst",
               "checked_files": FIXTURE_FILES, "checked_objects": FIXTURE_FILES,
               "problems": [], "missing_assets": [], "warnings": [], "errors": []})
    );
    let line = assert_code(&helpcenter(cwd, &["verify", "snapshot"]), 0);
    assert_eq!(line, "snapshot: OK, 23 files and 23 objects checked\n");
}

#[test]
fn gzip_is_chosen_by_name_and_date_names_nightly_archives() {
    let dir = with_snapshot();
    let cwd = dir.path();
    // The folder is created on the first run, as the README's nightly job needs.
    assert!(!cwd.join("nightly").exists());
    let out = assert_code(
        &helpcenter(
            cwd,
            &["archive", "-o", "nightly/hc-{date}.tar.gz", "--json"],
        ),
        0,
    );
    let today = time::OffsetDateTime::now_utc().date();
    let name = format!(
        "nightly/hc-{:04}-{:02}-{:02}.tar.gz",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    let summary = json_of(&out);
    assert_eq!(summary["file"], name.as_str());
    assert_eq!(summary["compression"], "gzip");
    let bytes = fs::read(cwd.join(&name)).unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b]);
    assert_eq!(fs::read_dir(cwd.join("nightly")).unwrap().count(), 1);
    // --compression wins over the name.
    assert_code(
        &helpcenter(
            cwd,
            &["archive", "-o", "x.tar.gz", "--compression", "zstd", "-q"],
        ),
        0,
    );
    assert_eq!(
        &fs::read(cwd.join("x.tar.gz")).unwrap()[..4],
        &[0x28, 0xb5, 0x2f, 0xfd]
    );
    assert_code(&helpcenter(cwd, &["verify", &name]), 0);
    assert_code(&helpcenter(cwd, &["verify", "x.tar.gz"]), 0);
}

/// Rewrites the zstd archive at `path` with one byte of `entry`'s content changed.
fn corrupt_entry(path: &Path, entry: &str) {
    let mut tar = untar_bytes(path);
    let offset = {
        let mut reader = tar::Archive::new(&tar[..]);
        let found = reader
            .entries()
            .unwrap()
            .map(|e| e.unwrap())
            .find(|e| e.path().unwrap() == Path::new(entry))
            .expect("the entry is in the archive");
        found.raw_file_position() as usize + 40
    };
    tar[offset] ^= 0x01;
    fs::write(path, zstd::encode_all(&tar[..], 3).unwrap()).unwrap();
}

#[test]
fn a_corrupted_byte_in_an_archive_is_found_with_exit_code_4() {
    let dir = with_snapshot();
    let cwd = dir.path();
    assert_code(&helpcenter(cwd, &["archive", "-o", "b.tar.zst", "-q"]), 0);
    corrupt_entry(&cwd.join("b.tar.zst"), "snapshot/articles/105.json");

    let out = assert_code(&helpcenter(cwd, &["verify", "b.tar.zst"]), 4);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("articles/105.json: checksum mismatch: sha256 is "),
        "{out}"
    );
    assert_eq!(
        lines[1],
        "b.tar.zst: DAMAGED, 1 problem, 23 files and 22 objects checked"
    );
    let report = json_of(&assert_code(
        &helpcenter(cwd, &["verify", "b.tar.zst", "--json"]),
        4,
    ));
    assert_eq!(report["ok"], false);
    assert_eq!(report["checked_files"], FIXTURE_FILES);
    assert_eq!(report["problems"].as_array().unwrap().len(), 1);
    assert_eq!(report["problems"][0]["file"], "articles/105.json");
}

#[test]
fn a_damaged_or_truncated_compressed_stream_is_a_damaged_archive_exit_4() {
    let dir = with_snapshot();
    let cwd = dir.path();
    assert_code(&helpcenter(cwd, &["archive", "-o", "b.tar.gz", "-q"]), 0);
    let path = cwd.join("b.tar.gz");
    let good = fs::read(&path).unwrap();
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0xff;
    let truncated = good[..good.len() * 2 / 3].to_vec();
    for (what, bytes) in [("flipped", flipped), ("truncated", truncated)] {
        fs::write(&path, bytes).unwrap();
        let out = helpcenter(cwd, &["verify", "b.tar.gz"]);
        assert_code(&out, 4);
        assert!(
            text(&out.stderr)
                .starts_with("error: b.tar.gz: damaged archive (cut short or corrupt): "),
            "{what}: {}",
            text(&out.stderr)
        );
        let json = json_of(&assert_code(
            &helpcenter(cwd, &["verify", "b.tar.gz", "--json"]),
            4,
        ));
        assert_eq!(
            (&json["ok"], &json["exit_code"]),
            (&json!(false), &json!(4))
        );
    }
    // Something that is not an archive at all cannot be read: exit 1.
    fs::write(&path, b"hello").unwrap();
    assert_code(&helpcenter(cwd, &["verify", "b.tar.gz"]), 1);
}

#[test]
fn missing_files_orphans_and_strays_are_each_reported() {
    let dir = with_snapshot();
    let cwd = dir.path();
    let snapshot = cwd.join("snapshot");
    fs::remove_file(snapshot.join("collections/205.json")).unwrap();
    fs::write(snapshot.join("articles/999.json"), "{}").unwrap();
    let out = assert_code(&helpcenter(cwd, &["verify", "snapshot", "--json"]), 4);
    assert_eq!(
        json_of(&out)["problems"],
        json!([
            {"file": "articles/104.json", "problem": "parent collection 205 is missing"},
            {"file": "articles/105.json", "problem": "parent collection 205 is missing"},
            {"file": "articles/999.json", "problem": "not listed in the manifest"},
            {"file": "collections/205.json", "problem": "missing (listed in the manifest)"},
            {"file": "collections/207.json", "problem": "parent collection 205 is missing"},
        ])
    );
}

#[test]
fn an_article_whose_help_center_and_parent_are_gone_is_an_orphan() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("fixture");
    let mut workspace = Workspace::load("multilingual");
    workspace.collections.retain(|c| c["id"] != "203");
    workspace.help_centers.clear();
    workspace.write_dir(&fixture);
    snapshot_from_fixture(&fixture, &dir.path().join("snapshot"));
    let out = assert_code(&helpcenter(dir.path(), &["verify", "snapshot"]), 4);
    let problems: Vec<&str> = out.lines().filter(|l| l.contains(".json:")).collect();
    assert_eq!(problems.len(), 7 + 2, "{out}");
    assert!(problems.contains(&"articles/110.json: parent collection 203 is missing"));
    assert!(problems.contains(&"articles/111.json: parent collection 203 is missing"));
    assert!(problems.contains(&"collections/201.json: help center 12 is missing"));
}

#[test]
fn a_missing_asset_file_is_damage_and_an_undownloaded_asset_is_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("snapshot");
    let mut writer = helpcenter::snapshot::SnapshotWriter::create(&target).unwrap();
    let body = r#"<p><img src="https://cdn.test/a.png"><img src="https://cdn.test/b.png"></p>"#;
    let article = json!({"id": "1", "body": body, "parent_id": null});
    writer
        .write_object(
            helpcenter::snapshot::ObjectKind::Article,
            "1",
            article.to_string().as_bytes(),
        )
        .unwrap();
    let asset = writer
        .write_asset("https://cdn.test/a.png", b"png", "png", None)
        .unwrap();
    writer.commit(us_api(), None).unwrap();

    let incomplete = json_of(&assert_code(
        &helpcenter(dir.path(), &["verify", "snapshot", "--json"]),
        5,
    ));
    assert_eq!(incomplete["problems"], json!([]));
    assert_eq!(
        incomplete["missing_assets"],
        json!([{"file": "articles/1.json", "url": "https://cdn.test/b.png",
                "reason": "not downloaded"}])
    );
    fs::remove_file(target.join(&asset.file)).unwrap();
    let damaged = json_of(&assert_code(
        &helpcenter(dir.path(), &["verify", "snapshot", "--json"]),
        4,
    ));
    assert_eq!(
        damaged["problems"],
        json!([
            {"file": "articles/1.json", "problem": format!(
                "asset https://cdn.test/a.png is missing its file {}", asset.file)},
            {"file": asset.file, "problem": "missing (listed in the manifest)"},
        ])
    );
}

/// A gzip tar whose one entry has `name` (written raw, so `..` survives) and `kind`.
fn hostile_archive(path: &Path, name: &str, kind: tar::EntryType) {
    let mut header = tar::Header::new_ustar();
    header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    header.set_entry_type(kind);
    header.set_size(if kind.is_file() { 3 } else { 0 });
    if !kind.is_file() {
        header.set_link_name("/etc/passwd").unwrap();
    }
    header.set_mode(0o644);
    header.set_cksum();
    let mut builder = tar::Builder::new(Vec::new());
    let data: &[u8] = if kind.is_file() { b"bad" } else { b"" };
    builder.append(&header, data).unwrap();
    let tar = builder.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    fs::write(path, gz.finish().unwrap()).unwrap();
}

#[test]
fn archives_with_links_or_escaping_names_are_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let cases: [(&str, tar::EntryType, &str); 3] = [
        (
            "snapshot/../../evil",
            tar::EntryType::Regular,
            "not a plain relative file name (absolute, `..` or empty)",
        ),
        (
            "snapshot/link",
            tar::EntryType::Symlink,
            "only regular files are accepted (no links or devices)",
        ),
        (
            "/etc/evil",
            tar::EntryType::Regular,
            "outside the snapshot/ folder",
        ),
    ];
    for (name, kind, why) in cases {
        let archive = cwd.join("hostile.tar.gz");
        hostile_archive(&archive, name, kind);
        let out = helpcenter(cwd, &["verify", "hostile.tar.gz"]);
        assert_code(&out, 1);
        assert_eq!(
            text(&out.stderr),
            format!("error: hostile.tar.gz: entry {name:?}: {why}\n")
        );
    }
    // `snapshot/../../evil` unpacked under a temp folder would land next to it. The binary
    // unpacks into a temp folder of its own, which like `cwd` sits in $TMPDIR, so checking
    // beside `cwd` covers where the escape would have landed.
    assert!(!cwd.join("evil").exists() && !cwd.parent().unwrap().join("evil").exists());
}

#[test]
fn an_entry_larger_than_the_manifest_allows_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    // A header that declares a terabyte: a decompression bomb needs no more than that.
    let name = "snapshot/articles/101.json";
    let mut header = tar::Header::new_ustar();
    header.set_path(name).unwrap();
    header.set_size(1 << 40);
    header.set_mode(0o644);
    header.set_cksum();
    let mut builder = tar::Builder::new(Vec::new());
    builder.append(&header, &b"{}"[..]).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&builder.into_inner().unwrap()).unwrap();
    fs::write(cwd.join("bomb.tar.gz"), gz.finish().unwrap()).unwrap();

    let out = helpcenter(cwd, &["verify", "bomb.tar.gz"]);
    assert_code(&out, 1);
    assert_eq!(
        text(&out.stderr),
        format!(
            "error: bomb.tar.gz: entry {name:?}: 1099511627776 bytes, more than its manifest \
             allows (67108864); not unpacked\n"
        )
    );
}

#[test]
fn a_damaged_snapshot_is_not_archived_and_nothing_is_left() {
    let dir = with_snapshot();
    let cwd = dir.path();
    fs::write(cwd.join("snapshot/articles/101.json"), "{}").unwrap();
    let out = helpcenter(cwd, &["archive", "-o", "b.tar.zst"]);
    assert_code(&out, 1);
    assert!(
        text(&out.stderr)
            .contains("articles/101.json: does not match its checksum in the manifest"),
        "{}",
        text(&out.stderr)
    );
    let mut names: Vec<PathBuf> = fs::read_dir(cwd)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![cwd.join(".snapshot.lock"), cwd.join("snapshot")]
    );
}

#[test]
fn not_an_archive_and_not_a_snapshot_are_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    fs::write(cwd.join("notes.txt"), "hello").unwrap();
    let out = helpcenter(cwd, &["verify", "notes.txt"]);
    assert_code(&out, 1);
    assert_eq!(
        text(&out.stderr),
        "error: notes.txt: not a helpcenter archive (neither zstd nor gzip compressed)\n"
    );
    fs::create_dir(cwd.join("empty")).unwrap();
    let out = helpcenter(cwd, &["verify", "empty"]);
    assert_code(&out, 1);
    assert!(text(&out.stderr).contains("empty is not a snapshot: it has no manifest.json"));
}
