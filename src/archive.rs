//! `helpcenter archive`: a snapshot as one compressed tar file, and reading such a file back.
//!
//! Archives are deterministic: the manifest first, then every file the manifest lists in its
//! (sorted) order, all under one `snapshot/` folder, with mode 0644, owner 0 and the pull's time
//! as mtime. Two archives of one snapshot are therefore byte-identical, and a nightly job that
//! finds nothing changed can compare them.
//!
//! Reading treats the file as untrusted input: only regular files under `snapshot/` are
//! accepted; links, devices, absolute paths and `..` are refused before anything is written.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::durable;
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};

use crate::snapshot::{FileEntry, FileProblem, Snapshot, MANIFEST_FILE};

/// The folder every entry of an archive lives in.
pub const ARCHIVE_ROOT: &str = "snapshot";
/// zstd level: close to the best ratio for JSON while still fast on a small machine.
const ZSTD_LEVEL: i32 = 12;
/// The magic numbers that tell the two compressions apart when reading.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// How an archive is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Zstandard (`.tar.zst`): smaller and faster; the default.
    Zstd,
    /// gzip (`.tar.gz`): readable by every `tar`.
    Gzip,
}

impl Compression {
    /// The compression a file name asks for (`.tar.zst`, `.tzst`, `.tar.gz`, `.tgz`), if any.
    pub fn from_file_name(path: &Path) -> Option<Compression> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".tar.zst") || name.ends_with(".tzst") {
            Some(Compression::Zstd)
        } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            Some(Compression::Gzip)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Compression::Zstd => "zstd",
            Compression::Gzip => "gzip",
        }
    }
}

/// What `archive` is asked to do.
#[derive(Debug, Clone)]
pub struct ArchiveOptions {
    /// The snapshot directory to archive.
    pub snapshot: PathBuf,
    /// The archive to write; `{date}` is replaced by today's UTC date (`YYYY-MM-DD`).
    pub out: String,
    /// The compression; `None` infers it from the name of `out` (zstd when it says nothing).
    pub compression: Option<Compression>,
}

/// What `archive` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ArchiveReport {
    /// The archive written.
    pub file: PathBuf,
    /// Its compression.
    pub compression: Compression,
    /// Files stored, the manifest included.
    pub files: usize,
    /// Bytes of the snapshot stored (before compression).
    pub snapshot_bytes: u64,
    /// Size of the archive.
    pub bytes: u64,
    /// sha256 of the archive, to compare nightly archives or check a copy.
    pub sha256: String,
}

impl ArchiveReport {
    /// `archived 23 files (412 KiB) from snapshot into hc-2026-11-25.tar.zst (61 KiB, zstd)`
    pub fn summary_line(&self) -> String {
        format!(
            "archived {} files ({}) into {} ({}, {})",
            self.files,
            human_bytes(self.snapshot_bytes),
            self.file.display(),
            human_bytes(self.bytes),
            self.compression.name()
        )
    }
}

fn human_bytes(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// `out` with `{date}` replaced by `today` (`YYYY-MM-DD`).
pub fn expand_date(out: &str, today: time::Date) -> PathBuf {
    let date = format!(
        "{:04}-{:02}-{:02}",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    PathBuf::from(out.replace("{date}", &date))
}

/// Writes the snapshot into one compressed archive, atomically (temp sibling, then rename).
///
/// Every file is checked against the manifest as it is read: a damaged snapshot is refused
/// rather than preserved as if it were good.
pub fn archive(options: &ArchiveOptions) -> Result<ArchiveReport> {
    let snapshot = Snapshot::open(&options.snapshot)?;
    let file = expand_date(&options.out, time::OffsetDateTime::now_utc().date());
    let compression = options
        .compression
        .or_else(|| Compression::from_file_name(&file))
        .unwrap_or(Compression::Zstd);
    create_parent(&file)?;
    let (files, snapshot_bytes, entry) = durable::write_atomically_with(&file, |out, temp| {
        write_archive(&snapshot, out, temp, compression)
    })?;
    Ok(ArchiveReport {
        file,
        compression,
        files,
        snapshot_bytes,
        bytes: entry.bytes,
        sha256: entry.sha256,
    })
}

/// Creates the folder `file` is to be written in, as `mkdir -p` would: `-o
/// 'backups/hc-{date}.tar.zst'` works on the first run too.
fn create_parent(file: &Path) -> Result<()> {
    match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create the folder", e))
        }
        _ => Ok(()),
    }
}

/// The tar stream into `file` (at `path`, for error messages), flushed; returns the files and
/// bytes stored, and the archive's own size and checksum (taken as it is written, so it is
/// never read back). [`durable::write_atomically_with`] syncs it and moves it into place.
fn write_archive(
    snapshot: &Snapshot,
    file: &mut File,
    path: &Path,
    compression: Compression,
) -> Result<(usize, u64, FileEntry)> {
    // Only the owner may read a backup (drafts are in it), as when it was a `tempfile`.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io(path, "restrict", e))?;
    }
    let out = Hashing::new(BufWriter::new(file));
    let io_error = |e: io::Error| Error::io(path, "write", e);
    let (out, (files, bytes)) = match compression {
        Compression::Zstd => {
            let mut encoder = zstd::Encoder::new(out, ZSTD_LEVEL).map_err(io_error)?;
            encoder.include_checksum(true).map_err(io_error)?;
            let (encoder, counts) = write_entries(snapshot, encoder, path)?;
            (encoder.finish().map_err(io_error)?, counts)
        }
        Compression::Gzip => {
            // No name and mtime 0 in the gzip header: the output depends on the content only.
            let encoder = flate2::GzBuilder::new()
                .mtime(0)
                .write(out, flate2::Compression::best());
            let (encoder, counts) = write_entries(snapshot, encoder, path)?;
            (encoder.finish().map_err(io_error)?, counts)
        }
    };
    let entry = out.finish().map_err(io_error)?;
    Ok((files, bytes, entry))
}

/// A file writer that counts and hashes what passes through it.
struct Hashing<'a> {
    inner: BufWriter<&'a mut File>,
    hasher: Sha256,
    bytes: u64,
}

impl<'a> Hashing<'a> {
    fn new(inner: BufWriter<&'a mut File>) -> Hashing<'a> {
        Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// Flushes the file; its size and sha256.
    fn finish(mut self) -> io::Result<FileEntry> {
        self.inner.flush()?;
        Ok(FileEntry {
            sha256: hex::encode(self.hasher.finalize()),
            bytes: self.bytes,
        })
    }
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The manifest, then every listed file, each checked against its checksum.
fn write_entries<W: Write>(snapshot: &Snapshot, out: W, path: &Path) -> Result<(W, (usize, u64))> {
    let mtime = pulled_at_seconds(&snapshot.manifest.pulled_at);
    let mut builder = tar::Builder::new(out);
    let manifest_path = snapshot.dir.join(MANIFEST_FILE);
    let manifest = fs::read(&manifest_path).map_err(|e| Error::io(&manifest_path, "read", e))?;
    append(&mut builder, MANIFEST_FILE, &manifest, mtime, path)?;
    let mut bytes = manifest.len() as u64;
    for (name, expected) in &snapshot.manifest.files {
        let data = snapshot.read_checked(name, expected).map_err(|problem| {
            let source = snapshot.dir.join(name);
            match problem {
                FileProblem::Read(e) => Error::io(&source, "read", e),
                FileProblem::Size { .. } | FileProblem::Checksum { .. } => Error::data(format!(
                    "{}: does not match its checksum in the manifest; the snapshot is damaged \
                     (see `helpcenter verify {}`), so it is not archived",
                    source.display(),
                    snapshot.dir.display()
                )),
            }
        })?;
        append(&mut builder, name, &data, mtime, path)?;
        bytes += data.len() as u64;
    }
    let out = builder
        .into_inner()
        .map_err(|e| Error::io(path, "write", e))?;
    Ok((out, (snapshot.manifest.files.len() + 1, bytes)))
}

fn append<W: Write>(
    builder: &mut tar::Builder<W>,
    name: &str,
    data: &[u8],
    mtime: u64,
    path: &Path,
) -> Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(mtime);
    builder
        .append_data(&mut header, format!("{ARCHIVE_ROOT}/{name}"), data)
        .map_err(|e| Error::io(path, "write", e))
}

/// The pull's time as Unix seconds (0 when unreadable): a fixed, meaningful mtime.
fn pulled_at_seconds(pulled_at: &str) -> u64 {
    time::OffsetDateTime::parse(pulled_at, &time::format_description::well_known::Rfc3339)
        .map_or(0, |t| t.unix_timestamp().max(0) as u64)
}

/// A backup opened for reading: a snapshot directory, or an archive extracted into a
/// temporary directory that is removed when this is dropped.
#[derive(Debug)]
pub struct Backup {
    /// The snapshot directory to read.
    pub dir: PathBuf,
    /// The archive it came from, if any.
    pub archive: Option<PathBuf>,
    _temp: Option<tempfile::TempDir>,
}

impl Backup {
    /// Opens `path`: a directory is used as it is; a file is extracted (see [`extract`]).
    pub fn open(path: &Path) -> Result<Backup> {
        let meta = fs::metadata(path).map_err(|e| Error::io(path, "open", e))?;
        if meta.is_dir() {
            return Ok(Backup {
                dir: path.to_path_buf(),
                archive: None,
                _temp: None,
            });
        }
        let temp = tempfile::Builder::new()
            .prefix("helpcenter-backup-")
            .tempdir()
            .map_err(|e| Error::io(&std::env::temp_dir(), "create a temporary folder in", e))?;
        extract(path, temp.path())?;
        Ok(Backup {
            dir: temp.path().join(ARCHIVE_ROOT),
            archive: Some(path.to_path_buf()),
            _temp: Some(temp),
        })
    }
}

/// Unpacks the archive `file` into `into` (which gets a `snapshot/` folder), refusing anything
/// but regular files under `snapshot/` with plain relative names, and any entry larger than the
/// manifest (the first entry) lets it be (see [`Budget`]).
pub fn extract(file: &Path, into: &Path) -> Result<()> {
    let reader = decompressor(file)?;
    let mut archive = tar::Archive::new(reader);
    // The file is an archive (its magic said so): failing to read on is damage, e.g. a
    // truncated download or a flipped byte.
    let unreadable = |e: io::Error| {
        Error::Damaged(format!(
            "{}: damaged archive (cut short or corrupt): {e}",
            file.display()
        ))
    };
    fs::create_dir_all(into.join(ARCHIVE_ROOT)).map_err(|e| Error::io(into, "create", e))?;
    let mut budget = Budget::new();
    for entry in archive.entries().map_err(unreadable)? {
        let mut entry = entry.map_err(unreadable)?;
        let name = entry.path().map_err(unreadable)?.into_owned();
        let refuse =
            |why: String| Error::data(format!("{}: entry {:?}: {why}", file.display(), name));
        let relative = checked_entry(&name, entry.header().entry_type()).map_err(refuse)?;
        let key = snapshot_key(&relative);
        let allowed = budget.allowance(&key, entry.size()).map_err(refuse)?;
        let target = into.join(&relative);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create", e))?;
        }
        let mut out = File::options()
            .write(true)
            .create_new(true)
            .open(&target)
            .map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => Error::data(format!(
                    "{}: entry {:?} appears twice",
                    file.display(),
                    name
                )),
                _ => Error::io(&target, "create", e),
            })?;
        let mut limited = (&mut entry).take(allowed);
        if budget.awaits_manifest(&key) {
            let mut bytes = Vec::new();
            limited.read_to_end(&mut bytes).map_err(unreadable)?;
            out.write_all(&bytes)
                .map_err(|e| Error::io(&target, "write", e))?;
            budget.read_manifest(&bytes);
        } else {
            let written = io::copy(&mut limited, &mut out).map_err(unreadable)?;
            budget.spent(&key, written);
        }
    }
    // tar stops at its end marker; reading the compressed stream to its end is what makes the
    // decoder check its checksum (gzip's CRC-32, zstd's content checksum), so a damaged
    // stream that still decodes is refused rather than reported as changed files.
    io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(unreadable)?;
    Ok(())
}

/// Most bytes a manifest may have.
const MANIFEST_LIMIT: u64 = 256 << 20;
/// Bytes an archive may hold beyond what its manifest lists (strays, or everything when the
/// manifest does not come first), and how far a listed file may exceed its listed size before
/// unpacking stops; within these, the excess is unpacked for `verify` to report.
const UNLISTED_LIMIT: u64 = 64 << 20;

/// What an archive may unpack, from its manifest (which `archive` writes first): an archive is
/// untrusted input, and a small file can decompress into terabytes.
struct Budget {
    listed: Option<std::collections::BTreeMap<String, u64>>,
    unlisted_left: u64,
}

impl Budget {
    fn new() -> Budget {
        Budget {
            listed: None,
            unlisted_left: UNLISTED_LIMIT,
        }
    }

    /// How many bytes of the entry `key` (declaring `size`) to unpack, or why not to go on.
    fn allowance(&self, key: &str, size: u64) -> std::result::Result<u64, String> {
        let listed = self
            .listed
            .as_ref()
            .and_then(|files| files.get(key).copied());
        let limit = match (&self.listed, listed) {
            (None, _) if key == MANIFEST_FILE => MANIFEST_LIMIT,
            (_, Some(bytes)) => bytes.saturating_add(UNLISTED_LIMIT.min(self.unlisted_left)),
            _ => self.unlisted_left,
        };
        if size > limit {
            return Err(format!(
                "{size} bytes, more than its manifest allows ({limit}); not unpacked"
            ));
        }
        Ok(size)
    }

    /// Whether `key` is the manifest, read before any other entry.
    fn awaits_manifest(&self, key: &str) -> bool {
        self.listed.is_none() && key == MANIFEST_FILE
    }

    /// Takes the listed sizes from the manifest (none when it does not parse: `verify` says so).
    fn read_manifest(&mut self, bytes: &[u8]) {
        let manifest = serde_json::from_slice::<crate::snapshot::Manifest>(bytes).ok();
        let files = manifest.map(|m| m.files.into_iter().map(|(k, v)| (k, v.bytes)).collect());
        self.listed = Some(files.unwrap_or_default());
    }

    /// Books `written` bytes of `key` against the unlisted allowance, as far as they exceed
    /// its listed size.
    fn spent(&mut self, key: &str, written: u64) {
        let listed = self
            .listed
            .as_ref()
            .and_then(|files| files.get(key).copied());
        let excess = written.saturating_sub(listed.unwrap_or(0));
        self.unlisted_left = self.unlisted_left.saturating_sub(excess);
    }
}

/// `articles/101.json` for the entry `snapshot/articles/101.json`.
fn snapshot_key(relative: &Path) -> String {
    let parts: Vec<String> = relative
        .components()
        .skip(1)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The entry's path when it is a regular file under `snapshot/` with only plain components.
fn checked_entry(name: &Path, kind: tar::EntryType) -> std::result::Result<PathBuf, String> {
    if kind.is_dir() {
        return Err("folders are not expected in a snapshot archive".into());
    }
    if !kind.is_file() {
        return Err("only regular files are accepted (no links or devices)".into());
    }
    let mut components = name.components();
    if components.next() != Some(Component::Normal(ARCHIVE_ROOT.as_ref())) {
        return Err(format!("outside the {ARCHIVE_ROOT}/ folder"));
    }
    let rest: Vec<Component> = components.collect();
    if rest.is_empty() || !rest.iter().all(|c| matches!(c, Component::Normal(_))) {
        return Err("not a plain relative file name (absolute, `..` or empty)".into());
    }
    Ok(name.to_path_buf())
}

/// A reader of the tar stream, chosen by the file's first bytes.
fn decompressor(file: &Path) -> Result<Box<dyn Read>> {
    let mut reader = BufReader::new(File::open(file).map_err(|e| Error::io(file, "open", e))?);
    let mut magic = [0u8; 4];
    let mut read = 0;
    while read < magic.len() {
        match reader.get_mut().read(&mut magic[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) => return Err(Error::io(file, "read", e)),
        }
    }
    let reader = BufReader::new(io::Cursor::new(magic[..read].to_vec()).chain(reader));
    if read == 4 && magic == ZSTD_MAGIC {
        let decoder = zstd::Decoder::with_buffer(reader)
            .map_err(|e| Error::data(format!("{}: not a readable archive: {e}", file.display())))?;
        Ok(Box::new(decoder))
    } else if read >= 2 && magic[..2] == GZIP_MAGIC {
        Ok(Box::new(flate2::bufread::GzDecoder::new(reader)))
    } else {
        Err(Error::data(format!(
            "{}: not a helpcenter archive (neither zstd nor gzip compressed)",
            file.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::file_entry;

    #[test]
    fn an_archive_unpacks_no_more_than_its_manifest_lists() {
        let mut budget = Budget::new();
        assert!(budget.awaits_manifest(MANIFEST_FILE));
        assert_eq!(budget.allowance(MANIFEST_FILE, 300), Ok(300));
        let manifest =
            br#"{"format":"helpcenter-snapshot/1","tool":{"name":"helpcenter","version":"0"},
            "api":{"region":"us","base_url":"https://api.intercom.io","version":"2.15"},
            "pulled_at":"2026-11-25T00:00:00Z","help_center":null,"counts":{},"locales":{},
            "files":{"articles/1.json":{"sha256":"00","bytes":100}}}"#;
        budget.read_manifest(manifest);
        assert!(!budget.awaits_manifest(MANIFEST_FILE));
        assert_eq!(budget.allowance("articles/1.json", 100), Ok(100));
        let too_big = 100 + UNLISTED_LIMIT + 1;
        assert_eq!(
            budget.allowance("articles/1.json", too_big),
            Err(format!(
                "{too_big} bytes, more than its manifest allows ({}); not unpacked",
                100 + UNLISTED_LIMIT
            ))
        );
        // Strays share one allowance: once spent, even a byte more is refused.
        assert_eq!(
            budget.allowance("stray", UNLISTED_LIMIT),
            Ok(UNLISTED_LIMIT)
        );
        budget.spent("stray", UNLISTED_LIMIT);
        assert!(budget.allowance("stray-2", 1).is_err());
        assert_eq!(budget.allowance("articles/1.json", 100), Ok(100));
    }

    #[test]
    fn an_archive_is_moved_into_place_whole_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let snapshot = dir.path().join("snap");
        let mut writer = crate::snapshot::SnapshotWriter::create(&snapshot).unwrap();
        writer
            .write_object(crate::snapshot::ObjectKind::Article, "1", br#"{"id":"1"}"#)
            .unwrap();
        let api = crate::snapshot::ApiInfo {
            version: "2.15".into(),
            region: "us".into(),
            base_url: "https://api.intercom.io".into(),
        };
        writer.commit(api, None).unwrap();
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        let report = archive(&ArchiveOptions {
            snapshot,
            out: out.join("hc.tar.zst").display().to_string(),
            compression: None,
        })
        .unwrap();
        let bytes = fs::read(&report.file).unwrap();
        assert_eq!(file_entry(&bytes).sha256, report.sha256);
        assert_eq!(bytes.len() as u64, report.bytes);
        let names: Vec<_> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("hc.tar.zst")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&report.file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn compression_follows_the_file_name() {
        let of = |name: &str| Compression::from_file_name(Path::new(name));
        assert_eq!(of("b/hc.tar.zst"), Some(Compression::Zstd));
        assert_eq!(of("hc.TZST"), Some(Compression::Zstd));
        assert_eq!(of("hc.tar.gz"), Some(Compression::Gzip));
        assert_eq!(of("hc.tgz"), Some(Compression::Gzip));
        assert_eq!(of("hc.tar"), None);
        assert_eq!(of("hc.zst.bak"), None);
    }

    #[test]
    fn date_placeholder_is_the_utc_day() {
        let day = time::macros::date!(2026 - 03 - 07);
        assert_eq!(
            expand_date("backups/hc-{date}.tar.zst", day),
            PathBuf::from("backups/hc-2026-03-07.tar.zst")
        );
        assert_eq!(
            expand_date("plain.tar.gz", day),
            PathBuf::from("plain.tar.gz")
        );
    }

    #[test]
    fn entries_that_could_escape_are_refused() {
        let file = tar::EntryType::Regular;
        assert!(checked_entry(Path::new("snapshot/articles/1.json"), file).is_ok());
        for bad in [
            "snapshot/../etc/passwd",
            "/snapshot/x",
            "other/x",
            "snapshot",
        ] {
            assert!(checked_entry(Path::new(bad), file).is_err(), "{bad}");
        }
        for kind in [
            tar::EntryType::Symlink,
            tar::EntryType::Link,
            tar::EntryType::Char,
        ] {
            let err = checked_entry(Path::new("snapshot/x"), kind).unwrap_err();
            assert_eq!(err, "only regular files are accepted (no links or devices)");
        }
    }
}
