//! `serve`'s rebuilds: the last full build's content and setup stay in memory between edits.

use std::path::PathBuf;

use super::{Edit, Kept};
use crate::error::Result;
use crate::site::{build_keeping, BuildOptions, BuildReport};

/// Rebuilds a site again and again, keeping what the last full build loaded.
#[derive(Default)]
pub struct Session {
    kept: Option<Kept>,
}

/// What a rebuild did.
pub enum Rebuilt {
    /// One article translation's page was rendered again.
    Page {
        /// Its site path (`/en/articles/12-hello/`); `None` when the translation has no page
        /// (a draft, or a locale not built).
        path: Option<String>,
        /// Files written because their bytes changed (the page, its `index.md`, asset copies).
        files_written: usize,
    },
    /// An article's front matter changed: the pages that show it were rendered again.
    Pages {
        /// The edited translation's page (`None` when it has none).
        path: Option<String>,
        /// How many pages were rendered.
        pages: usize,
        /// Files written because their bytes changed.
        files_written: usize,
    },
    /// The whole site was built.
    Site(Box<BuildReport>),
}

impl Session {
    /// Rebuilds after `changed` (absolute paths; empty for a first build) with `options`, which
    /// must be those of the previous rebuild unless [`Session::forget`] was called.
    pub fn rebuild(&mut self, options: &BuildOptions, changed: &[PathBuf]) -> Result<Rebuilt> {
        match self.rebuild_page(options, changed) {
            Ok(Some(rebuilt)) => return Ok(rebuilt),
            Ok(None) => {}
            // The full build reports the problem properly, or finds there is none.
            Err(error) => tracing::debug!("rebuilding one page failed: {error}"),
        }
        self.kept = None;
        let (report, loaded) = build_keeping(options)?;
        self.kept = match loaded.map(|loaded| Kept::new(options, loaded)).transpose() {
            Ok(kept) => kept,
            // Only the next edit's speed depends on it: that one builds in full.
            Err(error) => {
                tracing::debug!("cannot keep the build for the next edit: {error}");
                None
            }
        };
        Ok(Rebuilt::Site(Box::new(report)))
    }

    /// Whether edits have changed search shards that are not indexed again yet.
    pub fn search_pending(&self) -> bool {
        self.kept
            .as_ref()
            .is_some_and(|k| !k.stale_shards.is_empty())
    }

    /// Indexes again the search shards that edits changed (see [`Session::search_pending`]);
    /// returns their names (`en/3`). Slower than rendering a page (a shard holds thousands of
    /// pages), so `serve` does it once edits pause.
    pub fn update_search(&mut self) -> Result<Vec<String>> {
        let Some(kept) = self.kept.as_mut() else {
            return Ok(Vec::new());
        };
        let reindexed = kept.reindex_stale();
        if reindexed.is_err() {
            // The next full build indexes what is missing.
            self.kept = None;
        }
        Ok(reindexed?.into_iter().map(|shard| shard.name).collect())
    }

    /// Forgets the kept content: the next rebuild is a full one (the settings changed).
    pub fn forget(&mut self) {
        self.kept = None;
    }

    /// Renders just the pages that show the one changed article file, if that is all that
    /// changed.
    fn rebuild_page(
        &mut self,
        options: &BuildOptions,
        changed: &[PathBuf],
    ) -> Result<Option<Rebuilt>> {
        let (Some(kept), [path]) = (self.kept.as_mut(), changed) else {
            return Ok(None);
        };
        let Some(edit) = kept.content.edit(path)? else {
            return Ok(None);
        };
        match edit {
            Edit::Body(edit) => {
                let rendered = kept.render(options, edit)?;
                Ok(Some(Rebuilt::Page {
                    path: rendered.path,
                    files_written: rendered.files_written,
                }))
            }
            Edit::Listing(edit) => {
                let Some(relisted) = kept.relist(options, edit)? else {
                    return Ok(None);
                };
                for warning in &relisted.warnings {
                    tracing::warn!("{warning}");
                }
                Ok(Some(Rebuilt::Pages {
                    path: relisted.path,
                    pages: relisted.pages,
                    files_written: relisted.files_written,
                }))
            }
        }
    }
}
