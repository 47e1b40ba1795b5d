//! Client-side search: one [Pagefind](https://pagefind.app) index per locale, written into the
//! site at `/pagefind/<locale>/`, so a page searches only its own language, the browser loads
//! only the small fragments a query needs, and nothing is fetched from another host.
//!
//! The index is fed what the build already has instead of parsing pages again: while article
//! pages render, each one's sanitised body becomes plain text ([`crate::html::text_of`]) in a
//! [`Record`]; after rendering, the records go to Pagefind as custom records (title weighted
//! above the body, the collection as metadata and a filter).
//!
//! A locale's index is made of shards of bounded size (see [`SHARD_TEXT_BUDGET`]), each a
//! Pagefind bundle in `/pagefind/<locale>/<n>/`, listed in `/pagefind/<locale>/shards.json`;
//! the search script merges them in the browser. Shards are built in parallel, a few at a
//! time, so memory holds a few shards' indexes, not a whole site's. A shard whose records did
//! not change since the last build keeps its files as they are (see `SearchState`), and an
//! article stays in its shard from build to build, so editing one re-indexes one shard.
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// What keeps the page in the same shard from build to build: its article's id.
    pub key: String,
    /// The page's site path (`/de/articles/12-hallo/`).
    pub url: String,
    /// The article's title in the page's locale.
    pub title: String,
    /// The name of the collection (or section) it is in, if any.
    pub collection: Option<String>,
    /// The plain text a reader sees: description, then body.
    pub text: String,
}

/// Everything indexing needs: the records gathered while pages render, where the last
/// build's state is kept, and the shard budget.
pub struct Indexing {
    /// The records.
    pub collector: Collector,
    /// The state file (see [`state_path`]).
    pub state: PathBuf,
    /// Text per shard (see [`SHARD_TEXT_BUDGET`]).
    pub budget: usize,
    /// Keep every shard's records after indexing ([`SearchOutput::kept`]), for `serve` to
    /// re-index one shard after an edit.
    pub keep: bool,
    /// Save each shard's records in this folder (see [`records_dir`]), for a later build to
    /// re-index one shard after an edit without rendering every page.
    pub records: Option<PathBuf>,
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
    pub(super) fn take_sorted(&self, li: usize) -> Vec<Record> {
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
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SearchReport {
    /// Pages in the indexes.
    pub pages: usize,
    /// Index shards, all locales together (see [`SHARD_TEXT_BUDGET`]).
    pub shards: usize,
    /// Shards built in this build, as `<locale>/<shard>`.
    pub shards_indexed: Vec<String>,
    /// Shards whose pages did not change, so their files were kept.
    pub shards_unchanged: usize,
    /// Files of the search bundles.
    pub files: usize,
    /// Time spent indexing, in milliseconds.
    pub duration_ms: u64,
    /// Most memory the process held while indexing (Linux), in bytes.
    pub peak_rss_bytes: Option<u64>,
    /// Most memory the process held before indexing: measuring the indexing's own peak resets
    /// the process's high-water mark, so the build's peak is the larger of the two.
    #[serde(skip)]
    pub peak_rss_before_bytes: Option<u64>,
}

/// The search bundles of a build, for it to keep and count.
pub struct SearchOutput {
    /// Every file of every bundle, relative to the site root.
    pub files: BTreeSet<String>,
    /// What happened to each file written in this build.
    pub outcomes: Vec<Written>,
    /// The summary.
    pub report: SearchReport,
    /// The records of every shard, when [`Indexing::keep`] asked for them.
    pub kept: Option<KeptShards>,
}

/// The shards of the last build with their records, kept so that an edit re-indexes just the
/// shard of the page it changed (see [`KeptShards::update`]).
pub struct KeptShards {
    /// Per locale (the plan's order).
    locales: Vec<KeptLocale>,
    state: PathBuf,
    /// Where each shard's records are saved, if they are: shards missing from `locales` are
    /// read from there when an edit needs them.
    records: Option<PathBuf>,
}

/// A locale's shards as [`KeptShards`] holds them.
struct KeptLocale {
    locale: Locale,
    /// How many shards the locale was split into.
    count: usize,
    /// Those of its shards that are held (all, unless they are read when needed).
    shards: Vec<Shard>,
}

impl KeptShards {
    /// The shards the last build of `locales` (the plan's order) whose body cache is `cache`
    /// indexed: each shard's records are read from [`records_dir`] when an edit first needs
    /// them. `None` when that build saved no records for these locales.
    pub fn saved(cache: &Path, locales: &[Locale]) -> Option<KeptShards> {
        let state_file = state_path(cache);
        let state = SearchState::load(&state_file);
        let locales = (locales.iter())
            .map(|locale| {
                let count = *state.counts.get(locale.as_str())?;
                Some(KeptLocale {
                    locale: locale.clone(),
                    count,
                    shards: Vec::new(),
                })
            })
            .collect::<Option<_>>()?;
        Some(KeptShards {
            locales,
            state: state_file,
            records: Some(records_dir(cache)),
        })
    }

    /// Puts `record` (of locale number `li`) in place of the record of the same article; returns
    /// the shard to index again, unless the record is unchanged (or its page is not indexed).
    /// Fails when the shard's saved records cannot be read.
    pub fn update(&mut self, li: usize, record: Record) -> Result<Option<ShardId>> {
        let Some(kept) = self.locales.get_mut(li) else {
            return Ok(None);
        };
        let number = shard_of(&record, kept.count);
        if !kept.shards.iter().any(|s| s.number == number) {
            let Some(dir) = &self.records else {
                return Ok(None);
            };
            let state = SearchState::load(&self.state);
            kept.shards
                .push(read_records(dir, &state, &kept.locale, number)?);
        }
        let shard = (kept.shards.iter_mut().find(|s| s.number == number))
            .expect("the shard was just found or read");
        // By article: a page whose title changed moves, and the shard stays in path order.
        let Some(old) = shard.records.iter_mut().find(|r| r.key == record.key) else {
            return Ok(None);
        };
        if *old == record {
            return Ok(None);
        }
        let moved = old.url != record.url;
        *old = record;
        if moved {
            shard.records.sort_by(|a, b| a.url.cmp(&b.url));
        }
        Ok(Some(ShardId { li, number }))
    }

    /// Indexes one shard again, writes its bundle into `out` (removing the files of its last
    /// bundle it no longer has) and records it in the search state, so the next build keeps it.
    pub fn reindex(&self, id: ShardId, out: &OutDir) -> Result<Reindexed> {
        let shards = &self.locales[id.li].shards;
        let shard =
            (shards.iter().find(|s| s.number == id.number)).expect("a shard that update returned");
        let name = shard.name();
        let mut state = SearchState::load(&self.state);
        // While the shard's files change, no state may vouch for them (as in a build).
        let old = state
            .shards
            .remove(&name)
            .map(|o| o.files)
            .unwrap_or_default();
        state.save(&self.state)?;
        let bundle = index_shard(shard)?;
        let files: BTreeSet<String> = bundle.keys().cloned().collect();
        out.claim(&files)?;
        let mut written = 0;
        for (file, bytes) in &bundle {
            written += usize::from(out.write(file, bytes)? == Written::Written);
        }
        let stale: Vec<&String> = old.iter().filter(|f| !files.contains(*f)).collect();
        out.remove(stale.iter().copied())?;
        let digest = digest(&shard.locale, &shard.records);
        if let Some(dir) = &self.records {
            save_records(dir, shard, &digest)?;
        }
        let reindexed = Reindexed {
            name: name.clone(),
            files: files.len(),
            files_before: old.len(),
            written,
            removed: stale.len(),
        };
        let files = files.into_iter().collect();
        state.shards.insert(name, ShardState { digest, files });
        state.save(&self.state)?;
        Ok(reindexed)
    }
}

/// What indexing one shard again did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reindexed {
    /// The shard (`en/3`).
    pub name: String,
    /// Files of its bundle now.
    pub files: usize,
    /// Files of its bundle before.
    pub files_before: usize,
    /// Files written because they were new or changed.
    pub written: usize,
    /// Files of its old bundle removed.
    pub removed: usize,
}

/// One shard of one locale's index, as [`KeptShards::update`] names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ShardId {
    li: usize,
    number: usize,
}

/// What the last build indexed, kept beside the body cache: per shard (`de/3`), a digest of
/// its records and the bundle files they gave.
#[derive(Debug, Default, Serialize, Deserialize)]
struct SearchState {
    shards: BTreeMap<String, ShardState>,
    /// How many shards each locale was split into (the same count gives the same split).
    #[serde(default)]
    counts: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ShardState {
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

    /// Removes the state at `path`: the next build indexes every shard again.
    fn forget(path: &Path) {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                tracing::warn!("could not remove {}: {e}", path.display());
            }
            _ => {}
        }
    }

    fn save(&self, path: &Path) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(self).expect("search state serialises");
        json.push(b'\n');
        crate::durable::write_atomically(path, &json)
    }
}

/// Where the search state of a build whose body cache is `cache` is kept.
pub fn state_path(cache: &Path) -> PathBuf {
    super::beside_cache(cache, "search")
}

/// Where a build whose body cache is `cache` saves each shard's records (see
/// [`Indexing::records`]).
pub fn records_dir(cache: &Path) -> PathBuf {
    super::beside_cache(cache, "search-records")
}

/// A shard's records as saved, with the digest of the bundle they gave.
#[derive(Serialize, Deserialize)]
struct SavedRecords {
    digest: String,
    records: Vec<Record>,
}

/// The file of shard `number` of `locale` in the records folder `dir`.
fn records_file(dir: &Path, locale: &Locale, number: usize) -> PathBuf {
    dir.join(format!("{locale}.{number}.json"))
}

/// Saves the records of `shard`, whose bundle has digest `digest`, into `dir`.
fn save_records(dir: &Path, shard: &Shard, digest: &str) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create directory", e))?;
    let saved = SavedRecords {
        digest: digest.to_string(),
        records: shard.records.clone(),
    };
    let json = serde_json::to_vec(&saved).expect("records serialise");
    crate::durable::write_atomically(&records_file(dir, &shard.locale, shard.number), &json)
}

/// Removes the files of `dir` that are not the records of a shard `state` lists (shards of
/// locales no longer built, or beyond a locale's shard count now).
fn remove_other_records(dir: &Path, state: &SearchState) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let wanted: BTreeSet<String> = (state.shards.keys())
        .map(|name| format!("{}.json", name.replace('/', ".")))
        .collect();
    for entry in entries.flatten() {
        if !wanted.contains(&*entry.file_name().to_string_lossy()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Reads the saved records of shard `number` of `locale`: they must be those whose bundle
/// `state` lists, or the bundle in the site is not made of them.
fn read_records(dir: &Path, state: &SearchState, locale: &Locale, number: usize) -> Result<Shard> {
    let file = records_file(dir, locale, number);
    let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, "read", e))?;
    let saved: SavedRecords = serde_json::from_slice(&bytes)
        .map_err(|e| Error::data(format!("{}: {e}", file.display())))?;
    let shard = Shard {
        locale: locale.clone(),
        number,
        records: saved.records,
    };
    let listed = state.shards.get(&shard.name()).map(|s| s.digest.as_str());
    if listed != Some(saved.digest.as_str()) || digest(locale, &shard.records) != saved.digest {
        // Removed, so that the next full build, which keeps the shard's bundle, saves its
        // records again.
        let _ = std::fs::remove_file(&file);
        return Err(Error::data(format!(
            "{}: not the records of the search index in the site",
            file.display()
        )));
    }
    Ok(shard)
}

/// While Pagefind builds an index it holds every word occurrence in memory, several times
/// over: about 20 KB per page of Western text and ten times that for Japanese, whose text is
/// also indexed as pairs of characters. So a locale is split into shards, each a bundle of its
/// own that the search script merges in the browser (Pagefind's `mergeIndex`), and at most
/// [`SHARD_TEXT_BUDGET`] of text (weighted, see [`indexing_cost`]) goes into one shard.
/// Measured on `cargo bench --bench build`: see the README.
pub const SHARD_TEXT_BUDGET: usize = 12 * 1024 * 1024;

/// How much indexing a record costs, in bytes of ordinary text: languages Pagefind segments
/// into words (Chinese, Japanese, Thai) cost [`SEGMENTED_COST`] times their bytes.
fn indexing_cost(locale: &Locale, record: &Record) -> usize {
    let bytes = record.title.len() + record.text.len();
    if is_segmented(locale) {
        bytes * SEGMENTED_COST
    } else {
        bytes
    }
}

/// Cost factor of segmented text, from the peak memory of indexing the same number of
/// Japanese and English pages of the benchmark.
const SEGMENTED_COST: usize = 8;

fn is_segmented(locale: &Locale) -> bool {
    matches!(locale.language(), "zh" | "ja" | "th")
}

/// How many shards a locale's records need to stay within `budget` (at least one).
pub fn shard_count(cost: usize, budget: usize) -> usize {
    cost.div_ceil(budget.max(1)).max(1)
}

/// The shard of a record: by a hash of its page's article id, so an edited article changes
/// one shard and the others keep their files.
fn shard_of(record: &Record, shards: usize) -> usize {
    let hash = Sha256::digest(record.key.as_bytes());
    let number = u64::from_le_bytes(hash[..8].try_into().expect("8 bytes"));
    (number % shards as u64) as usize
}

/// The site path of a shard's folder (`/pagefind/de/2/`).
fn shard_path(locale: &Locale, shard: usize) -> String {
    format!("{}{shard}/", bundle_path(locale))
}

/// The file listing a locale's shards, which the search script reads first.
pub const SHARDS_FILE: &str = "shards.json";

/// One shard to index or keep.
struct Shard {
    locale: Locale,
    number: usize,
    records: Vec<Record>,
}

impl Shard {
    fn name(&self) -> String {
        format!("{}/{}", self.locale, self.number)
    }
}

/// Builds (or keeps) the search bundles of every locale and writes them into `out`.
pub fn write_indexes(
    indexing: &Indexing,
    locales: &[Locale],
    out: &OutDir,
) -> Result<SearchOutput> {
    let Indexing {
        collector,
        state: state_path,
        budget,
        keep,
        records,
    } = indexing;
    let started = Instant::now();
    let peak_before = crate::memory::peak_rss();
    crate::memory::reset_peak_rss();
    let previous = SearchState::load(state_path);
    // Until this build has written every bundle, no state may vouch for files it is rewriting
    // in place: a build killed (or failing) halfway would leave a mix the next one keeps.
    SearchState::forget(state_path);
    let mut written = SearchOutput {
        files: BTreeSet::new(),
        outcomes: Vec::new(),
        report: SearchReport::default(),
        kept: None,
    };
    let mut counts = Vec::new();
    let mut shards = Vec::new();
    for (li, locale) in locales.iter().enumerate() {
        let locale_records = collector.take_sorted(li);
        written.report.pages += locale_records.len();
        let (count, locale_shards) = split(locale, locale_records, *budget);
        counts.push(count);
        let listing = shards_listing(&locale_shards);
        let file = format!("{}{SHARDS_FILE}", &bundle_path(locale)[1..]);
        out.claim(&BTreeSet::from([file.clone()]))?;
        written.outcomes.push(out.write(&file, listing.as_bytes())?);
        written.files.insert(file);
        shards.extend(locale_shards);
    }
    written.report.shards = shards.len();
    // Shards are independent: they are indexed on every core, a few at a time, and each one's
    // records and index are freed as soon as its files are written.
    let keep = *keep;
    let results: Vec<IndexedShard> = on_every_core(shards, |shard| {
        let name = shard.name();
        let digest = digest(&shard.locale, &shard.records);
        let old = previous.shards.get(&name);
        if let Some(old) = old.filter(|o| o.digest == digest && o.files.iter().all(|f| out.had(f)))
        {
            // Records saved by a build that did not save them yet are saved now.
            if let Some(dir) = records {
                if !records_file(dir, &shard.locale, shard.number).exists() {
                    save_records(dir, &shard, &digest)?;
                }
            }
            let unchanged = vec![Written::Unchanged; old.files.len()];
            return Ok(IndexedShard {
                name,
                state: old.clone(),
                indexed: false,
                outcomes: unchanged,
                kept: keep.then_some(shard),
            });
        }
        let bundle = index_shard(&shard)?;
        let files: BTreeSet<String> = bundle.keys().cloned().collect();
        out.claim(&files)?;
        let outcomes = bundle
            .iter()
            .map(|(file, bytes)| out.write(file, bytes))
            .collect::<Result<Vec<_>>>()?;
        if let Some(dir) = records {
            save_records(dir, &shard, &digest)?;
        }
        let state = ShardState {
            digest,
            files: files.into_iter().collect(),
        };
        // Unless kept, the shard's records are freed here, as soon as it is indexed.
        Ok(IndexedShard {
            name,
            state,
            indexed: true,
            outcomes,
            kept: keep.then_some(shard),
        })
    })
    .into_iter()
    .collect::<Result<_>>()?;
    let mut state = SearchState::default();
    let mut kept: Vec<KeptLocale> = (locales.iter().zip(&counts))
        .map(|(locale, &count)| KeptLocale {
            locale: locale.clone(),
            count,
            shards: Vec::new(),
        })
        .collect();
    for (locale, count) in locales.iter().zip(counts) {
        state.counts.insert(locale.to_string(), count);
    }
    for shard in results {
        if let Some(records) = shard.kept {
            let li = locales.iter().position(|l| *l == records.locale);
            kept[li.expect("a built locale")].shards.push(records);
        }
        if shard.indexed {
            written.report.shards_indexed.push(shard.name.clone());
        } else {
            written.report.shards_unchanged += 1;
        }
        written.outcomes.extend(shard.outcomes);
        written.files.extend(shard.state.files.iter().cloned());
        state.shards.insert(shard.name, shard.state);
    }
    if let Err(error) = state.save(state_path) {
        // Only a cache: the next build indexes again.
        tracing::warn!("could not save {}: {error}", state_path.display());
    }
    if let Some(dir) = records {
        remove_other_records(dir, &state);
    }
    written.kept = keep.then(|| KeptShards {
        locales: kept,
        state: state_path.clone(),
        records: records.clone(),
    });
    written.report.files = written.files.len();
    written.report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    written.report.peak_rss_bytes = crate::memory::peak_rss();
    written.report.peak_rss_before_bytes = peak_before;
    Ok(written)
}

/// What indexing one shard gave.
struct IndexedShard {
    /// `de/3`.
    name: String,
    /// Its digest and files, for the search state.
    state: ShardState,
    /// Indexed in this build, or its files kept as they were.
    indexed: bool,
    /// What happened to each of its files.
    outcomes: Vec<Written>,
    /// The shard with its records, when [`Indexing::keep`] asked for them.
    kept: Option<Shard>,
}

/// A locale's records in shards (sorted by URL within each), and how many shards the locale
/// was split into (shards that drew no record are left out).
fn split(locale: &Locale, records: Vec<Record>, budget: usize) -> (usize, Vec<Shard>) {
    let cost = records.iter().map(|r| indexing_cost(locale, r)).sum();
    let count = shard_count(cost, budget);
    let mut shards: Vec<Shard> = (0..count)
        .map(|number| Shard {
            locale: locale.clone(),
            number,
            records: Vec::new(),
        })
        .collect();
    for record in records {
        shards[shard_of(&record, count)].records.push(record);
    }
    // A shard that drew no page is left out: Pagefind cannot make an empty index.
    shards.retain(|s| !s.records.is_empty());
    (count, shards)
}

/// `shards.json`: the shard folders relative to the locale's bundle folder, first the one whose
/// `pagefind.js` the script imports.
fn shards_listing(shards: &[Shard]) -> String {
    let folders: Vec<String> = shards.iter().map(|s| format!("{}/", s.number)).collect();
    let mut json = serde_json::to_string(&serde_json::json!({ "shards": folders }))
        .expect("a list serialises");
    json.push('\n');
    json
}

/// `work` applied to every item, on one thread per core, in the items' order.
///
/// Not rayon: Pagefind runs rayon jobs inside the async runtime each shard is indexed on, and
/// a rayon worker waiting for those jobs may pick up another shard's job, whose runtime would
/// then start inside the first one's ("Cannot start a runtime from within a runtime").
fn on_every_core<T: Send, R: Send>(items: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    let count = items.len();
    let queue = std::sync::Mutex::new(items.into_iter().enumerate());
    let done = std::sync::Mutex::new(Vec::with_capacity(count));
    let threads = rayon::current_num_threads().clamp(1, count.max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                let Some((i, item)) = next else { break };
                let result = work(item);
                done.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((i, result));
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, result)| result).collect()
}

/// A digest of everything a shard's bundle is made from.
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

/// Indexes one shard's records with Pagefind; returns its bundle files by site path.
fn index_shard(shard: &Shard) -> Result<BTreeMap<String, Vec<u8>>> {
    let name = shard.name();
    let locale = &shard.locale;
    let failed = |e: anyhow::Error| Error::data(format!("search index {name}: {e:#}"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| Error::data(format!("search index {name}: {e}")))?;
    let files = runtime.block_on(async {
        let config = PagefindServiceConfig::builder()
            .force_language(locale.to_string())
            .keep_index_url(false)
            .write_playground(false)
            .build();
        let mut index = PagefindIndex::new(Some(config)).map_err(failed)?;
        for record in &shard.records {
            let (content, meta, filters) = pagefind_record(record);
            index
                .add_custom_record(
                    record.url.clone(),
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
    let prefix = shard_path(locale, shard.number);
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
