//! Local copies of images and attachments in the site: the pages of a snapshot pulled with
//! `--assets` (or of a Markdown tree exported from one) load them from `<out>/assets/`, not
//! from Intercom's CDN.
//!
//! Every asset URL of an article body that has a local copy is pointed at
//! `<root>/assets/<sha256>.<ext>` (relative to the page) before the body is sanitised, and the
//! copies the built pages use are written into the output like every other file (unchanged
//! files are not rewritten, copies no page uses any more are removed). A media URL without a
//! local copy stays as it is, with a warning.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use super::output::{OutDir, Written};
use super::{urls, OpenInput};
use crate::assets::LocalAssets;
use crate::error::{Error, Result};
use crate::html::{is_http_url, rewrite_asset_urls, AssetAttribute};
use crate::tree::AssetRecord;

/// The local copies of the assets of `input`: the snapshot's manifest map (from the manifest
/// read when the input was opened), or the tree's asset record. Empty when it has none.
pub fn local_assets(input: &OpenInput<'_>) -> Result<LocalAssets> {
    match input {
        OpenInput::Snapshot(snapshot) => LocalAssets::from_snapshot(snapshot),
        OpenInput::Markdown(dir) => Ok(AssetRecord::read(dir)?.local_assets(dir)),
    }
}

/// The assets of one build: what exists locally, and (filled while pages render in parallel)
/// which copies the pages use and which media URLs had none.
pub(super) struct SiteAssets {
    local: LocalAssets,
    used: Mutex<BTreeSet<String>>,
    /// Media URL without a local copy -> the pages that use it.
    missing: Mutex<BTreeMap<String, BTreeSet<String>>>,
}

impl SiteAssets {
    /// A build with the copies in `local`.
    pub(super) fn new(local: LocalAssets) -> SiteAssets {
        SiteAssets {
            local,
            used: Mutex::new(BTreeSet::new()),
            missing: Mutex::new(BTreeMap::new()),
        }
    }

    /// Whether there are local copies at all (else bodies are left alone).
    pub(super) fn active(&self) -> bool {
        !self.local.is_empty()
    }

    /// `body` of the page at `page_site_path` with its asset URLs pointing at the local copies,
    /// and what it refers to. Without any local copies the body is returned untouched (and
    /// unparsed).
    pub(super) fn localize(&self, body: String, page_site_path: &str) -> (String, Refs) {
        let mut refs = Refs::default();
        if self.local.is_empty() {
            return (body, refs);
        }
        let prefix = urls::root_prefix(page_site_path);
        let rewritten = rewrite_asset_urls(&body, |url, kind| match self.local.get(url) {
            Some(asset) => {
                refs.copies.push(asset.file.clone());
                Some(format!("{prefix}{}", asset.file))
            }
            None => {
                if kind == AssetAttribute::Media && is_http_url(url) {
                    refs.missing.push(url.to_string());
                }
                None
            }
        });
        (rewritten.unwrap_or(body), refs)
    }

    /// Records what the rendered `html` of the page at `page_site_path` still refers to of
    /// `refs`: the sanitiser removes some elements (`video`, `audio`), and their files need
    /// no copy. Copies are named by a 64-digit hash, so finding the name is finding the use.
    pub(super) fn record(&self, refs: Refs, html: &[u8], page_site_path: &str) {
        if refs.copies.is_empty() && refs.missing.is_empty() {
            return;
        }
        let html = String::from_utf8_lossy(html);
        lock(&self.used).extend(
            refs.copies
                .into_iter()
                .filter(|f| html.contains(f.as_str())),
        );
        let mut all_missing = lock(&self.missing);
        for url in refs.missing {
            if html.contains(&url) || html.contains(&url.replace('&', "&amp;")) {
                let pages = all_missing.entry(url).or_default();
                pages.insert(page_site_path.to_string());
            }
        }
    }

    /// The output files of the copies the pages used (`assets/<sha256>.<ext>`).
    pub(super) fn files(&self) -> BTreeSet<String> {
        lock(&self.used).clone()
    }

    /// Writes the copies the pages used into `out`.
    pub(super) fn write(&self, out: &OutDir) -> Result<Vec<Written>> {
        let by_file: BTreeMap<&str, &crate::assets::LocalAsset> = (self.local.assets())
            .map(|asset| (asset.file.as_str(), asset))
            .collect();
        let mut written = Vec::new();
        for file in self.files() {
            let asset = by_file[file.as_str()];
            let path = self.local.path(asset);
            let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Error::data(format!(
                    "{} is listed as a local copy of an asset but does not exist",
                    path.display()
                )),
                _ => Error::io(&path, "read", e),
            })?;
            written.push(out.write(&file, &bytes)?);
        }
        Ok(written)
    }

    /// One warning per media URL that pages use without a local copy.
    pub(super) fn warnings(&self) -> Vec<String> {
        if self.local.is_empty() {
            return Vec::new();
        }
        lock(&self.missing)
            .iter()
            .map(|(url, pages)| {
                let first = pages.iter().next().expect("a missing URL has a page");
                let more = match pages.len() {
                    1 => String::new(),
                    n => format!(" and {} more", n - 1),
                };
                format!(
                    "{url} has no local copy (pull again with --assets to fetch it); {first}{more} \
                     still load it from there"
                )
            })
            .collect()
    }
}

/// What one body refers to: local copies, and media URLs without one.
#[derive(Debug, Default)]
pub(super) struct Refs {
    copies: Vec<String>,
    missing: Vec<String>,
}

/// A poisoned lock only means another rendering thread panicked; the build fails on that.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
