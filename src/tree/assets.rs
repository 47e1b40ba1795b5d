//! Images and attachments in the Markdown tree.
//!
//! An export copies the snapshot's local copy of every asset its bodies use into
//! `content/assets/<sha256>.<ext>` and points the Markdown at it with a path relative to the
//! file (`../../assets/...`), so a preview of the tree shows the images without Intercom. The
//! record `content/.helpcenter/assets.json` keeps, per file, the original Intercom URLs it
//! stands for: loading the tree (for a build or a push) turns the local paths back into those
//! URLs, so Intercom is only ever sent its own URLs. A body that refers to a local file the
//! record does not know (a writer's new image) is a problem: the API cannot upload files.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::base::LocalChanges;
use super::record::{read_record, record_bytes, Record};
use super::META_DIR;
use crate::assets::{LocalAsset, LocalAssets};
use crate::error::{Error, Result};
use crate::html::{is_http_url, rewrite_asset_urls, AssetAttribute};
use crate::snapshot::{file_entry, is_asset_file, FileEntry, ASSETS_DIR};

/// The asset record, relative to the tree's root.
pub const ASSETS_FILE: &str = ".helpcenter/assets.json";
/// Format tag of the asset record.
pub const ASSETS_FORMAT: &str = "helpcenter-tree-assets/1";

/// `content/.helpcenter/assets.json`: every asset file of the tree and what it stands for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetRecord {
    /// Always [`ASSETS_FORMAT`].
    pub format: String,
    /// By path relative to the tree's root (`assets/<sha256>.<ext>`).
    pub files: BTreeMap<String, TreeAsset>,
}

/// One asset file of the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeAsset {
    /// The Intercom URLs the bodies used for it, sorted; the first is sent back for the file.
    pub urls: Vec<String>,
    /// The `Content-Type` it was served with, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Lowercase hex sha256 of its bytes.
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: u64,
}

impl AssetRecord {
    /// Reads the record of the tree at `content`; an empty one when it has none.
    pub fn read(content: &Path) -> Result<AssetRecord> {
        let Some(record) = read_record::<AssetRecord>(content)? else {
            return Ok(AssetRecord::new(BTreeMap::new()));
        };
        if let Some(bad) = record.files.keys().find(|f| !is_asset_file(f)) {
            return Err(Error::data(format!(
                "{}: {bad:?} is not a file of {ASSETS_DIR}/",
                content.join(ASSETS_FILE).display()
            )));
        }
        Ok(record)
    }

    pub(crate) fn new(files: BTreeMap<String, TreeAsset>) -> AssetRecord {
        AssetRecord {
            format: ASSETS_FORMAT.to_string(),
            files,
        }
    }

    /// The record as written: pretty JSON with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        record_bytes(self)
    }

    /// The tree's assets by original URL, for a site build from the tree.
    pub fn local_assets(&self, content: &Path) -> LocalAssets {
        let by_url = self
            .files
            .iter()
            .flat_map(|(file, asset)| {
                asset.urls.iter().map(move |url| {
                    let local = LocalAsset {
                        file: file.clone(),
                        content_type: asset.content_type.clone(),
                    };
                    (url.clone(), local)
                })
            })
            .collect();
        LocalAssets::new(content.to_path_buf(), by_url)
    }

    /// Asset files that were edited, deleted or added since the export, as paths from the
    /// tree's root, so a re-export does not silently replace a writer's images.
    pub fn local_changes(&self, content: &Path) -> Result<LocalChanges> {
        let mut changes = LocalChanges::default();
        for (file, asset) in &self.files {
            let path = content.join(file);
            match fs::read(&path) {
                Ok(bytes) if file_entry(&bytes).sha256 == asset.sha256 => {}
                Ok(_) => changes.modified.push(file.clone()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    changes.deleted.push(file.clone())
                }
                Err(e) => return Err(Error::io(&path, "read", e)),
            }
        }
        let dir = content.join(ASSETS_DIR);
        if let Ok(entries) = fs::read_dir(&dir) {
            for entry in entries {
                let entry = entry.map_err(|e| Error::io(&dir, "list", e))?;
                let name = format!("{ASSETS_DIR}/{}", entry.file_name().to_string_lossy());
                if !self.files.contains_key(&name) {
                    changes.added.push(name);
                }
            }
        }
        changes.added.sort();
        Ok(changes)
    }
}

impl Record for AssetRecord {
    const FILE: &'static str = ASSETS_FILE;
    const FORMAT: &'static str = ASSETS_FORMAT;
    const WHAT: &'static str = "asset record";
    const FORMAT_WHAT: &'static str = "asset record format";

    fn format(&self) -> &str {
        &self.format
    }
}

/// `../../` for `en/guides/1-x.md`: from a file of the tree up to the tree's root.
fn root_prefix(file_key: &str) -> String {
    "../".repeat(file_key.matches('/').count())
}

/// `body` as an export writes it into the file at `file_key`: every URL with a copy in
/// `local` points at it, relative to the file.
pub fn localize(body: &str, local: &LocalAssets, file_key: &str) -> String {
    localize_with(body, local, file_key, |_, _| {})
}

/// [`localize`], telling `used` each (file, URL) it rewrote.
fn localize_with(
    body: &str,
    local: &LocalAssets,
    file_key: &str,
    mut used: impl FnMut(&str, &str),
) -> String {
    if local.is_empty() {
        return body.to_string();
    }
    let prefix = root_prefix(file_key);
    let rewritten = rewrite_asset_urls(body, |url, _| {
        let asset = local.get(url)?;
        used(&asset.file, url);
        Some(format!("{prefix}{}", asset.file))
    });
    rewritten.unwrap_or_else(|| body.to_string())
}

/// Collects, while an export renders its files in parallel, which assets they use.
pub(crate) struct ExportAssets<'a> {
    local: &'a LocalAssets,
    used: Mutex<BTreeMap<String, BTreeSet<String>>>,
}

impl<'a> ExportAssets<'a> {
    /// Assets from `local` (the snapshot's), none used yet.
    pub(crate) fn new(local: &'a LocalAssets) -> ExportAssets<'a> {
        ExportAssets {
            local,
            used: Mutex::new(BTreeMap::new()),
        }
    }

    /// `body` with every URL that has a local copy pointing at it, relative to `file_key`,
    /// and the (file, URL) pairs it rewrote, for [`ExportAssets::record`].
    pub(crate) fn localize(&self, body: &str, file_key: &str) -> (String, Vec<(String, String)>) {
        let mut used = Vec::new();
        let body = localize_with(body, self.local, file_key, |file, url| {
            used.push((file.to_string(), url.to_string()))
        });
        (body, used)
    }

    /// Records the files of `used` that the written `markdown` still shows: the sanitiser
    /// drops some elements (`video`, `audio`), whose files need no copy. Files are named by a
    /// 64-digit hash, so finding the name is finding the use.
    pub(crate) fn record(&self, used: Vec<(String, String)>, markdown: &str) {
        let shown: Vec<_> = (used.into_iter())
            .filter(|(file, _)| markdown.contains(file.as_str()))
            .collect();
        if shown.is_empty() {
            return;
        }
        let mut all = self.used.lock().unwrap_or_else(|e| e.into_inner());
        for (file, url) in shown {
            all.entry(file).or_default().insert(url);
        }
    }

    /// The used files (path from the tree's root and where the copy to make is) and their
    /// record (see [`AssetRecord::add_used`]).
    pub(crate) fn finish(self) -> Result<UsedAssets> {
        let used = self.used.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut record = AssetRecord::new(BTreeMap::new());
        let files = record.add_used(used, self.local)?;
        Ok(UsedAssets { files, record })
    }
}

impl AssetRecord {
    /// Adds the assets that `used` names (tree file -> the Intercom URLs it stands for), whose
    /// copies are in `local`, to the record: the URLs of a file it has are joined to its own;
    /// a file it lacks is added. Returns the files added and where to copy each from. Nothing
    /// is read: a snapshot's asset file is named by its sha256 (see [`hash_of_name`]), and
    /// its size is the file's.
    pub(crate) fn add_used(
        &mut self,
        used: BTreeMap<String, BTreeSet<String>>,
        local: &LocalAssets,
    ) -> Result<Vec<(String, PathBuf)>> {
        let mut added = Vec::new();
        for (file, urls) in used {
            if let Some(known) = self.files.get_mut(&file) {
                let all: BTreeSet<String> = known.urls.drain(..).chain(urls).collect();
                known.urls = all.into_iter().collect();
                continue;
            }
            let first = urls.iter().next().expect("a used file has a URL");
            let asset = local.get(first).expect("used assets are known");
            let path = local.path(asset);
            let entry = match hash_of_name(&asset.file) {
                Some(sha256) => {
                    let meta = fs::metadata(&path).map_err(|e| Error::io(&path, "read", e))?;
                    FileEntry {
                        sha256: sha256.to_string(),
                        bytes: meta.len(),
                    }
                }
                None => file_entry(&fs::read(&path).map_err(|e| Error::io(&path, "read", e))?),
            };
            self.files.insert(
                file.clone(),
                TreeAsset {
                    urls: urls.into_iter().collect(),
                    content_type: asset.content_type.clone(),
                    sha256: entry.sha256,
                    bytes: entry.bytes,
                },
            );
            added.push((file, path));
        }
        Ok(added)
    }
}

/// The sha256 an asset file's name carries (`assets/<64 lowercase hex>.<ext>`, as a snapshot
/// names its copies after their manifest entry), or `None` for another name.
fn hash_of_name(file: &str) -> Option<&str> {
    let name = file.strip_prefix(ASSETS_DIR)?.strip_prefix('/')?;
    let stem = name.split('.').next()?;
    let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    (stem.len() == 64 && stem.bytes().all(hex)).then_some(stem)
}

/// The assets an export's bodies use: the files to copy and the record to write.
pub(crate) struct UsedAssets {
    /// Path from the tree's root (`assets/<sha256>.<ext>`) and the local copy to copy there.
    pub(crate) files: Vec<(String, PathBuf)>,
    /// What each file stands for.
    pub(crate) record: AssetRecord,
}

/// Turns the local asset paths of a body loaded from the file at `file_key` of the tree at
/// `content` back into the Intercom URLs they stand for. Returns the body and, per local file
/// that the record does not know (a relative URL that names a file of the tree, or anything in
/// `assets/`), the URL and the problem. Other relative URLs are left as they are (Intercom
/// bodies can hold them, and they never named a file here).
pub fn globalize(
    body: &str,
    record: &AssetRecord,
    content: &Path,
    file_key: &str,
) -> (String, Vec<(String, String)>) {
    let mut problems = Vec::new();
    let rewritten = rewrite_asset_urls(body, |url, kind| {
        if url.is_empty() || is_http_url(url) || has_scheme(url) || url.starts_with('#') {
            return None;
        }
        let resolved = resolve(file_key, url);
        let known = resolved
            .as_deref()
            .and_then(|file| record.files.get(file))
            .and_then(|asset| asset.urls.first());
        if let Some(original) = known {
            return Some(original.clone());
        }
        let into_assets = resolved
            .as_deref()
            .is_some_and(|f| f.starts_with(&format!("{ASSETS_DIR}/")));

        let a_file = resolved
            .as_deref()
            .is_some_and(|f| !f.is_empty() && content.join(f).is_file());
        if into_assets || (kind == AssetAttribute::Media && a_file) {
            let problem = format!(
                "{url} is a local file that Intercom does not have (it is not in {ASSETS_FILE}); \
                 the API cannot upload files: upload it in Intercom's editor and use its URL"
            );
            problems.push((url.to_string(), problem));
        }
        None
    });
    (rewritten.unwrap_or_else(|| body.to_string()), problems)
}

/// Whether `url` starts with a scheme (`mailto:`, `data:`, ...), so it is not a path.
fn has_scheme(url: &str) -> bool {
    url::Url::parse(url).is_ok()
}

/// The path from the tree's root that a relative `url` in the file at `file_key` names, or
/// `None` when it climbs out of the tree. Query and fragment are dropped.
fn resolve(file_key: &str, url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        let mut dir: Vec<&str> = file_key.split('/').collect();
        dir.pop();
        dir
    };
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// Adds the asset changes of the tree at `content` to `changes` (see
/// [`AssetRecord::local_changes`]).
pub(crate) fn add_local_changes(content: &Path, changes: &mut LocalChanges) -> Result<()> {
    if fs::symlink_metadata(content.join(META_DIR)).is_err() {
        return Ok(());
    }
    let assets = AssetRecord::read(content)?.local_changes(content)?;
    changes.modified.extend(assets.modified);
    changes.deleted.extend(assets.deleted);
    changes.added.extend(assets.added);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> AssetRecord {
        let asset = TreeAsset {
            urls: vec![
                "https://cdn.test/a.png".into(),
                "https://cdn.test/b.png".into(),
            ],
            content_type: Some("image/png".into()),
            sha256: "00".into(),
            bytes: 1,
        };
        AssetRecord::new([("assets/f.png".to_string(), asset)].into())
    }

    #[test]
    fn relative_paths_resolve_inside_the_tree_only() {
        assert_eq!(
            resolve("en/guides/1-x.md", "../../assets/f.png?x#y").as_deref(),
            Some("assets/f.png")
        );
        assert_eq!(
            resolve("en/1-x.md", "img/new.png").as_deref(),
            Some("en/img/new.png")
        );
        assert_eq!(resolve("en/1-x.md", "../../etc/passwd"), None);
        assert_eq!(root_prefix("en/guides/1-x.md"), "../../");
    }

    #[test]
    fn local_paths_become_the_first_original_url() {
        let body = r#"<p><img src="../../assets/f.png"><a href="../../assets/f.png">x</a><a href="https://x.test/">y</a><a href="mailto:a@b.test">m</a></p>"#;
        let tree = tempfile::tempdir().unwrap();
        let (html, problems) = globalize(body, &record(), tree.path(), "en/guides/1-x.md");
        assert_eq!(
            html,
            r#"<p><img src="https://cdn.test/a.png"><a href="https://cdn.test/a.png">x</a><a href="https://x.test/">y</a><a href="mailto:a@b.test">m</a></p>"#
        );
        assert_eq!(problems, Vec::<(String, String)>::new());
    }

    #[test]
    fn unknown_local_files_are_problems() {
        let tree = tempfile::tempdir().unwrap();
        fs::create_dir(tree.path().join("en")).unwrap();
        fs::write(tree.path().join("en/new.png"), b"png").unwrap();
        let body = r#"<p><img src="new.png"><a href="../assets/other.pdf">x</a><a href="../guide/">ok</a><img src="x"></p>"#;
        let (_, problems) = globalize(body, &record(), tree.path(), "en/1-x.md");
        let urls: Vec<&str> = problems.iter().map(|(url, _)| url.as_str()).collect();
        assert_eq!(urls, ["new.png", "../assets/other.pdf"]);
        let problems: Vec<&str> = problems.iter().map(|(_, p)| p.as_str()).collect();
        assert_eq!(
            problems,
            [
                "new.png is a local file that Intercom does not have (it is not in \
                 .helpcenter/assets.json); the API cannot upload files: upload it in Intercom's \
                 editor and use its URL",
                "../assets/other.pdf is a local file that Intercom does not have (it is not in \
                 .helpcenter/assets.json); the API cannot upload files: upload it in Intercom's \
                 editor and use its URL"
            ]
        );
    }

    #[test]
    fn used_assets_are_recorded_from_their_names_without_reading_them() {
        let snapshot = tempfile::tempdir().unwrap();
        fs::create_dir(snapshot.path().join(ASSETS_DIR)).unwrap();
        let bytes = b"\x89PNG not really";
        let entry = file_entry(bytes);
        let named = format!("{ASSETS_DIR}/{}.png", entry.sha256);
        let other = format!("{ASSETS_DIR}/plain.gif");
        fs::write(snapshot.path().join(&named), bytes).unwrap();
        fs::write(snapshot.path().join(&other), b"gif").unwrap();
        let local = |file: &str| LocalAsset {
            file: file.to_string(),
            content_type: None,
        };
        let by_url = [
            ("https://cdn.test/a.png".to_string(), local(&named)),
            ("https://cdn.test/b.gif".to_string(), local(&other)),
        ];
        let local = LocalAssets::new(snapshot.path().to_path_buf(), by_url.into());
        let assets = ExportAssets::new(&local);
        let (body, used) = assets.localize(
            r#"<img src="https://cdn.test/a.png"><img src="https://cdn.test/b.gif">"#,
            "en/1-x.md",
        );
        assets.record(used, &body);
        let used = assets.finish().unwrap();
        let sources: Vec<_> = used.files.iter().map(|(f, p)| (f.as_str(), p)).collect();
        let (named_path, other_path) = (snapshot.path().join(&named), snapshot.path().join(&other));
        assert_eq!(
            sources,
            [(named.as_str(), &named_path), (other.as_str(), &other_path)]
        );
        let recorded = &used.record.files[&named];
        assert_eq!(
            (&recorded.sha256, recorded.bytes),
            (&entry.sha256, entry.bytes)
        );
        let gif = file_entry(b"gif");
        let recorded = &used.record.files[&other];
        assert_eq!((&recorded.sha256, recorded.bytes), (&gif.sha256, gif.bytes));
    }

    #[test]
    fn asset_file_names_carry_their_hash() {
        let hash = "0123456789abcdef".repeat(4);
        assert_eq!(
            hash_of_name(&format!("assets/{hash}.png")),
            Some(hash.as_str())
        );
        assert_eq!(hash_of_name(&format!("assets/{hash}")), Some(hash.as_str()));
        let upper = hash.to_ascii_uppercase();
        for other in [
            "assets/f.png".to_string(),
            format!("assets/{upper}.png"),
            format!("assets/{hash}0.png"),
            format!("x/{hash}.png"),
        ] {
            assert_eq!(hash_of_name(&other), None, "{other}");
        }
    }
}
