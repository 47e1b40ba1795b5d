//! `build` after edits to article bodies, without loading the whole tree: a full build of a
//! Markdown tree saves its model (without bodies) and which file holds which translation
//! beside its body cache ([`save_content`]), and its search shards' records in a folder beside
//! it (see [`crate::site::search::records_dir`]). When the next build finds (by the files'
//! stat data, see `fresh`) that only some article files changed, it reads just those; if each
//! changed only its body ([`body_edits`]), it renders just their pages and indexes their
//! shards again ([`rebuild_edited`]). Anything else, or anything that goes wrong on the way,
//! is a full build.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{absolute, Content, Edit, Kept};
use crate::error::Result;
use crate::html::BodyCache;
use crate::model::Workspace;
use crate::site::backlinks::Backlinks;
use crate::site::search::{KeptShards, Reindexed};
use crate::site::BuildReport;
use crate::site::{assets, beside_cache, timing, ArticleFiles, BuildOptions};
use crate::site::{Input, Setup};

/// Version 2 adds the backlinks; a save of version 1 is not resumed (the next build is full).
const FORMAT: &str = "helpcenter-content/2";

/// What a full build saves of its content (read back as
/// `Saved<Workspace, ArticleFiles, Backlinks>`).
#[derive(Serialize, Deserialize)]
struct Saved<W, F, B> {
    format: String,
    /// Tells this save from others: the build's record names the one it made.
    id: String,
    /// The tree it was loaded from (absolute).
    input: PathBuf,
    ws: W,
    files: F,
    backlinks: B,
}

/// What [`save_content`] saves: the model, which file holds which translation, and which
/// pages link to which articles.
pub(in crate::site) type ContentParts<'a> = (&'a Workspace, &'a ArticleFiles, &'a Backlinks);

/// Where a build whose body cache is `cache` saves its content.
fn content_path(cache: &Path) -> PathBuf {
    beside_cache(cache, "content")
}

/// Saves the content a build of `options` loaded (the model without its bodies) as `id`;
/// returns `id` once saved. Only a Markdown tree's is: a snapshot has no files to edit. Not
/// saved, it only costs the next build its shortcut.
pub(in crate::site) fn save_content(
    options: &BuildOptions,
    cache: &Path,
    id: &str,
    (ws, files, backlinks): ContentParts,
) -> Option<String> {
    let path = content_path(cache);
    let Input::Markdown(dir) = &options.input else {
        let _ = std::fs::remove_file(&path);
        return None;
    };
    let saved = Saved {
        format: FORMAT.to_string(),
        id: id.to_string(),
        input: absolute(dir),
        ws,
        files,
        backlinks,
    };
    let json = serde_json::to_vec(&saved).expect("the model serialises");
    match crate::durable::write_atomically(&path, &json) {
        Ok(()) => Some(id.to_string()),
        Err(error) => {
            tracing::debug!("could not save the content for the next build: {error}");
            let _ = std::fs::remove_file(&path);
            None
        }
    }
}

/// Edits of article files that a rebuild of some pages can follow, with what rendering them
/// needs.
pub(in crate::site) struct Edits {
    content: Content,
    /// The saved content's files, to save it again after a listing edit.
    files: ArticleFiles,
    edits: Vec<Edit>,
    search: Option<KeptShards>,
}

/// The edits of the article files `edited` (relative to the tree), read against the content
/// saved as `id`, if each of them left its article in its place (see `Content::edit`);
/// `None` otherwise.
pub(in crate::site) fn edits(
    options: &BuildOptions,
    cache: &Path,
    id: &str,
    edited: &[String],
    started: Instant,
) -> Option<Edits> {
    let Input::Markdown(dir) = &options.input else {
        return None;
    };
    let root = absolute(dir);
    let saved: Saved<Workspace, ArticleFiles, Backlinks> = std::fs::read(content_path(cache))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .filter(|s: &Saved<_, _, _>| s.format == FORMAT && s.id == id && s.input == root)?;
    timing("saved content read", started);
    let content = Content::new(options, saved.ws, &saved.files, saved.backlinks)
        .inspect_err(|e| tracing::debug!("cannot resume the last build: {e}"))
        .ok()?;
    timing("saved content planned", started);
    let mut edits = Vec::with_capacity(edited.len());
    for file in edited {
        match content.edit(&root.join(file)) {
            Ok(Some(edit)) => edits.push(edit),
            // More than a body changed (the full build says what, if it is a mistake).
            Ok(None) | Err(_) => return None,
        }
    }
    let locales = &content.planned.borrow_dependent().plan.locales;
    let search = if options.no_search {
        None
    } else {
        Some(KeptShards::saved(cache, locales)?)
    };
    Some(Edits {
        content,
        files: saved.files,
        edits,
        search,
    })
}

/// What a build that followed edits did.
pub(in crate::site) struct Resumed {
    /// Its report.
    pub report: BuildReport,
    /// Those of its warnings that are about this build's changes (a page moved).
    pub once: Vec<String>,
    /// The id of the content it saved (after a listing edit) or resumed; `None` when saving
    /// failed.
    pub content: Option<String>,
}

/// Renders the pages of `edits` and indexes their search shards again, as the build that
/// reported `recorded` would have with the edits; returns what this build did, or `None` when
/// an edit changes more than its pages show (then a full build must follow). `ids` are those
/// of the content resumed and of the content now: a listing edit changes the content, which is
/// saved again under the second.
pub(in crate::site) fn rebuild_edited(
    options: &BuildOptions,
    setup: Setup,
    edits: Edits,
    recorded: BuildReport,
    ids: (&str, &str),
    started: Instant,
) -> Result<Option<Resumed>> {
    let Edits {
        content,
        files,
        edits,
        search,
    } = edits;
    // Not the saved cache: its index alone takes longer to read (0.2 s for 50,000 pages) than
    // sanitising the few bodies of edited pages, and saving it back would drop every entry
    // this build did not use. The next full build sanitises these bodies again.
    let cache = BodyCache::new();
    let assets = assets::SiteAssets::new(assets::local_assets(&options.input.open()?)?);
    let mut kept = Kept::assemble(content, setup, cache, assets, search)?;
    let mut done = Done {
        redirects: recorded.redirects,
        ..Done::default()
    };
    for edit in edits {
        match edit {
            Edit::Body(edit) => done.files_written += kept.render(options, edit)?.files_written,
            Edit::Listing(edit) => {
                let Some(relisted) = kept.relist(options, edit)? else {
                    return Ok(None);
                };
                done.files_written += relisted.files_written;
                done.files_added += relisted.files_added;
                done.files_removed += relisted.files_removed;
                done.redirects = relisted.redirects;
                done.once.extend(relisted.warnings);
            }
        }
    }
    timing("edited pages written", started);
    let indexing_started = Instant::now();
    let reindexed = kept.reindex_stale()?;
    kept.out.settle()?;
    timing("search shards indexed again", started);
    let content = if kept.content.changed {
        let ws = kept.content.planned.borrow_owner();
        let parts = (ws, &files, &kept.content.backlinks);
        // Unsaved, the record names no content: the next edit is a full build.
        save_content(options, &kept.setup.cache_path, ids.1, parts)
    } else {
        Some(ids.0.to_string())
    };
    let mut warnings = recorded.warnings.clone();
    warnings.extend(done.once.iter().cloned());
    for warning in &warnings {
        tracing::warn!("{warning}");
    }
    let once = std::mem::take(&mut done.once);
    let report = report(
        recorded,
        &kept.cache,
        done,
        &reindexed,
        warnings,
        (started, indexing_started),
    );
    Ok(Some(Resumed {
        report,
        once,
        content,
    }))
}

/// What rendering the pages of edits did, for the report.
#[derive(Default)]
struct Done {
    files_written: usize,
    files_added: usize,
    files_removed: usize,
    redirects: usize,
    once: Vec<String>,
}

/// The report of a build that did `done` for edited pages and indexed the shards `reindexed`
/// again, from that of the last full build.
fn report(
    recorded: BuildReport,
    cache: &BodyCache,
    done: Done,
    reindexed: &[Reindexed],
    warnings: Vec<String>,
    (started, indexing_started): (Instant, Instant),
) -> BuildReport {
    let millis = |since: Instant| u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX);
    let total_before = recorded.files_written + recorded.files_unchanged;
    let search_files_now: usize = reindexed.iter().map(|r| r.files).sum();
    let search_files_before: usize = reindexed.iter().map(|r| r.files_before).sum();
    let total = total_before + done.files_added + search_files_now
        - search_files_before
        - done.files_removed;
    let written = done.files_written + reindexed.iter().map(|r| r.written).sum::<usize>();
    let search = recorded.search.map(|mut search| {
        search.files = search.files + search_files_now - search_files_before;
        search.shards_indexed = reindexed.iter().map(|r| r.name.clone()).collect();
        search.shards_unchanged = search.shards - reindexed.len();
        search.duration_ms = millis(indexing_started);
        search.peak_rss_bytes = None;
        search
    });
    BuildReport {
        files_written: written,
        files_unchanged: total - written,
        files_removed: done.files_removed + reindexed.iter().map(|r| r.removed).sum::<usize>(),
        redirects: done.redirects,
        search,
        peak_rss_bytes: crate::memory::peak_rss(),
        cache_hits: cache.hits(),
        cache_misses: cache.misses(),
        warnings,
        duration_ms: millis(started),
        ..recorded
    }
}
