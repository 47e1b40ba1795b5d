//! Client-side search: one [Pagefind](https://pagefind.app) index per locale, written into the
//! site at `/pagefind/<locale>/`, so a page searches only its own language, the browser loads
//! only the small fragments a query needs, and nothing is fetched from another host.
//!
//! The index is fed what the build already has instead of parsing pages again: while article
//! pages render, each one's sanitised body becomes plain text ([`crate::html::text_of`]) in a
//! [`Record`]; after rendering, the records of one locale at a time go to Pagefind as custom
//! records (title weighted above the body, the collection as metadata and a filter), so
//! memory holds one locale's index at once. A locale whose records did not change since the
//! last build keeps its index files as they are (see [`SearchState`]).
//!
//! Only Pagefind's search API is written (`pagefind.js`, its worker, WebAssembly and index
//! files); the search box itself is the theme's (`_search.html`, `static/search.js`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::output::{OutDir, Written};
use crate::error::{Error, Result};
use crate::model::Locale;

/// The folder of the site that holds the search bundles, one per locale.
pub const BUNDLE_DIR: &str = "pagefind";

/// Version of the `pagefind` crate the bundles are made with (also the JS API version).
const PAGEFIND_VERSION: &str = "1.6.0";

/// Pagefind's weight for title words: its own weight for an `h1` (body text is 1).
const TITLE_WEIGHT: u8 = 7;

/// Files of Pagefind's bundle that this site does not use: its ready-made search UIs (the theme
/// has its own) and the playground. Everything else (`pagefind.js`, the worker, WebAssembly,
/// entry, metadata, index, filter and fragment files) is written.
const UNUSED_FILES: [&str; 7] = [
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
];

/// The site path of a locale's bundle folder (`/pagefind/de/`).
pub fn bundle_path(locale: &Locale) -> String {
    format!("/{BUNDLE_DIR}/{locale}/")
}

/// One article page as the index sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The page's site path (`/de/articles/12-hallo/`).
    pub url: String,
    /// The article's title in the page's locale.
    pub title: String,
    /// The name of the collection (or section) it is in, if any.
    pub collection: Option<String>,
    /// The plain text a reader sees: description, then body.
    pub text: String,
}

/// Records gathered while pages render, per locale (in the plan's locale order).
pub struct Collector {
    locales: Vec<Mutex<Vec<Record>>>,
}

impl Collector {
    /// A collector for `locales` locales.
    pub fn new(locales: usize) -> Collector {
        Collector {
            locales: (0..locales).map(|_| Mutex::new(Vec::new())).collect(),
        }
    }

    /// Adds the record of a page of locale number `li`; called from rendering threads.
    pub fn add(&self, li: usize, record: Record) {
        self.locales[li]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record);
    }

    /// Takes the records of locale number `li`, sorted by URL so the index does not depend on
    /// the order pages happened to render in.
    fn take_sorted(&self, li: usize) -> Vec<Record> {
        let mut records = std::mem::take(
            &mut *self.locales[li]
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        records.sort_by(|a, b| a.url.cmp(&b.url));
        records
    }
}

/// What indexing did (part of the build's `--json` report).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchReport {
    /// Pages in the indexes.
    pub pages: usize,
    /// Locales whose index was built in this build.
    pub locales_indexed: Vec<String>,
    /// Locales whose pages did not change, so their index files were kept.
    pub locales_unchanged: Vec<String>,
    /// Files of the search bundles.
    pub files: usize,
    /// Time spent indexing, in milliseconds.
    pub duration_ms: u64,
    /// Most memory the process held while indexing (Linux), in bytes.
    pub peak_rss_bytes: Option<u64>,
}

/// The search bundles of a build, for it to keep and count.
pub struct SearchOutput {
    /// Every file of every bundle, relative to the site root.
    pub files: BTreeSet<String>,
    /// What happened to each file written in this build.
    pub outcomes: Vec<Written>,
    /// The summary.
    pub report: SearchReport,
}

/// What the last build indexed, kept beside the body cache: per locale, a digest of its
/// records and the bundle files they gave.
#[derive(Debug, Default, Serialize, Deserialize)]
struct SearchState {
    locales: BTreeMap<String, LocaleState>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct LocaleState {
    digest: String,
    files: Vec<String>,
}

impl SearchState {
    fn load(path: &Path) -> SearchState {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    fn save(&self, path: &Path) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(self).expect("search state serialises");
        json.push(b'\n');
        crate::durable::write_atomically(path, &json)
    }
}

/// Where the search state of a build whose body cache is `cache` is kept.
pub fn state_path(cache: &Path) -> PathBuf {
    let mut name = cache.as_os_str().to_owned();
    name.push(".search");
    PathBuf::from(name)
}

/// Builds (or keeps) the search bundle of every locale and writes it into `out`.
pub fn write_indexes(
    collector: &Collector,
    locales: &[Locale],
    out: &OutDir,
    state_path: &Path,
) -> Result<SearchOutput> {
    let started = Instant::now();
    crate::memory::reset_peak_rss();
    let previous = SearchState::load(state_path);
    let mut state = SearchState::default();
    let mut written = SearchOutput {
        files: BTreeSet::new(),
        outcomes: Vec::new(),
        report: SearchReport::default(),
    };
    for (li, locale) in locales.iter().enumerate() {
        // One locale at a time: its records and index are freed before the next is built.
        let records = collector.take_sorted(li);
        written.report.pages += records.len();
        let digest = digest(locale, &records);
        let kept = previous
            .locales
            .get(locale.as_str())
            .filter(|old| old.digest == digest && old.files.iter().all(|f| out.had(f)));
        let files = match kept {
            Some(old) => {
                written.report.locales_unchanged.push(locale.to_string());
                let kept = old.files.iter().map(|_| Written::Unchanged);
                written.outcomes.extend(kept);
                old.files.clone()
            }
            None => {
                written.report.locales_indexed.push(locale.to_string());
                let bundle = index_locale(locale, records)?;
                let files: BTreeSet<String> = bundle.keys().cloned().collect();
                out.claim(&files)?;
                for (file, bytes) in &bundle {
                    written.outcomes.push(out.write(file, bytes)?);
                }
                files.into_iter().collect()
            }
        };
        written.files.extend(files.iter().cloned());
        state
            .locales
            .insert(locale.to_string(), LocaleState { digest, files });
    }
    if let Err(error) = state.save(state_path) {
        // Only a cache: the next build indexes again.
        tracing::warn!("could not save {}: {error}", state_path.display());
    }
    written.report.files = written.files.len();
    written.report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    written.report.peak_rss_bytes = crate::memory::peak_rss();
    Ok(written)
}

/// A digest of everything a locale's bundle is made from.
fn digest(locale: &Locale, records: &[Record]) -> String {
    let mut hash = Sha256::new();
    for part in [env!("CARGO_PKG_VERSION"), PAGEFIND_VERSION, locale.as_str()] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    for record in records {
        let collection = record.collection.as_deref().unwrap_or("");
        for part in [&record.url, &record.title, collection, &record.text] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part.as_bytes());
        }
    }
    hex::encode(hash.finalize())
}

/// Indexes one locale's records with Pagefind; returns its bundle files by site path.
fn index_locale(locale: &Locale, records: Vec<Record>) -> Result<BTreeMap<String, Vec<u8>>> {
    let failed = |e: anyhow::Error| Error::data(format!("search index for {locale}: {e:#}"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| Error::data(format!("search index for {locale}: {e}")))?;
    let files = runtime.block_on(async {
        let config = PagefindServiceConfig::builder()
            .force_language(locale.to_string())
            .keep_index_url(false)
            .write_playground(false)
            .build();
        let mut index = PagefindIndex::new(Some(config)).map_err(failed)?;
        for record in records {
            let (content, meta, filters) = pagefind_record(&record);
            index
                .add_custom_record(
                    record.url,
                    content,
                    locale.to_string(),
                    Some(meta),
                    Some(filters),
                    None,
                )
                .await
                .map_err(failed)?;
        }
        index.get_files().await.map_err(failed)
    })?;
    let prefix = bundle_path(locale);
    let mut bundle = BTreeMap::new();
    for file in files {
        // Names are relative to the bundle folder (`fragment/en_1a2b.pf_fragment`); the
        // output directory refuses any that would leave it.
        let relative = file.filename.to_string_lossy().replace('\\', "/");
        if UNUSED_FILES.contains(&relative.as_str()) {
            continue;
        }
        bundle.insert(format!("{}{relative}", &prefix[1..]), file.contents);
    }
    Ok(bundle)
}

/// A record as Pagefind takes it: the content (HTML-escaped text, as Pagefind keeps the text of
/// the pages it parses itself, so its excerpts are safe HTML with `<mark>` around matches), the
/// metadata a result shows, and the filters.
fn pagefind_record(
    record: &Record,
) -> (
    String,
    BTreeMap<String, String>,
    BTreeMap<String, Vec<String>>,
) {
    let title = escape(&record.title);
    let content = format!(
        "___PAGEFIND_WEIGHT___{TITLE_WEIGHT} {title}. ___END_PAGEFIND_WEIGHT___ {}",
        escape(&record.text)
    );
    let mut meta = BTreeMap::from([("title".to_string(), title)]);
    let mut filters = BTreeMap::new();
    if let Some(collection) = &record.collection {
        meta.insert("collection".to_string(), escape(collection));
        filters.insert("collection".to_string(), vec![escape(collection)]);
    }
    (content, meta, filters)
}

/// Text as HTML text: `&`, `<` and `>` escaped; Pagefind's markers (`___PAGEFIND_...`) cannot
/// be smuggled in because underscores runs are broken up.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '_' if out.ends_with("__") => out.push_str("&#95;"),
            _ => out.push(c),
        }
    }
    out
}
