//! Rebuilding after an edit, for `serve`: when the only change is the body of one article
//! file (its front matter as the model holds it, and its `weight`, unchanged), only that
//! translation's page and its `index.md` are rendered and written. Nothing else shows a body
//! (collection pages, related articles, feeds and `llms.txt` show titles and descriptions)
//! except the search index: the page's new record replaces the old one in its shard, and
//! [`Session::update_search`] indexes that shard again (`serve` calls it once edits pause).
//! Any other change is a full [`super::build_keeping`].
//!
//! Everything an edit does not change is kept from the last full build ([`Kept`]): the
//! model, its plan of pages and links, the compiled templates, the body cache, the output
//! folder's manifest and the search records, so an edit costs reading one file and rendering
//! one page (a few milliseconds on a 5,000-article tree, where planning alone took 50 ms).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::output::{OutDir, Written};
use super::plan::{Page, Plan};
use super::search::{KeptShards, ShardId};
use super::{
    assets, search_indexing, BuildOptions, BuildReport, Input, Loaded, Setup, PAGE_BUFFER,
};
use crate::error::Result;
use crate::html::{BodyCache, LinkMap};
use crate::model::{ArticleIx, Locale, Workspace};
use crate::tree::ArticleReader;

/// Rebuilds a site again and again, keeping what the last full build loaded.
#[derive(Default)]
pub struct Session {
    kept: Option<Kept>,
}

/// What the last full build loaded and set up, kept for the next edits: its content (with the
/// article files by absolute path), its compiled templates and theme, its body cache, its
/// output folder, the local asset copies, and the search records, which edits update.
struct Kept {
    planned: Planned,
    files: HashMap<PathBuf, (ArticleIx, Locale)>,
    setup: Setup,
    cache: BodyCache,
    out: OutDir,
    assets: assets::SiteAssets,
    /// Reads an edited article file (a Markdown tree's only).
    reader: Option<ArticleReader>,
    /// The search shards with their records, and those that edits have changed since they
    /// were last indexed.
    search: Option<KeptShards>,
    stale_shards: BTreeSet<ShardId>,
}

self_cell::self_cell!(
    /// The model with its plan of pages and its link map, which borrow it.
    struct Planned {
        owner: Workspace,
        #[covariant]
        dependent: PlanLinks,
    }
);

/// The pages of a site and where each links.
struct PlanLinks<'w> {
    plan: Plan<'w>,
    links: LinkMap,
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
        let (report, loaded) = super::build_keeping(options)?;
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
        let (Some(search), stale) = (&kept.search, std::mem::take(&mut kept.stale_shards)) else {
            return Ok(Vec::new());
        };
        let indexed = stale.into_iter().map(|id| search.reindex(id, &kept.out));
        match indexed.collect() {
            Ok(names) => Ok(names),
            Err(error) => {
                // The next full build indexes what is missing.
                self.kept = None;
                Err(error)
            }
        }
    }

    /// Forgets the kept content: the next rebuild is a full one (the settings changed).
    pub fn forget(&mut self) {
        self.kept = None;
    }

    /// Renders just the page of the one changed article file, if that is all that changed.
    fn rebuild_page(
        &mut self,
        options: &BuildOptions,
        changed: &[PathBuf],
    ) -> Result<Option<Rebuilt>> {
        let (Some(kept), [path]) = (self.kept.as_mut(), changed) else {
            return Ok(None);
        };
        let (Some(reader), Some((article, locale))) = (&kept.reader, kept.files.get(path).cloned())
        else {
            return Ok(None);
        };
        let file = reader.read(path)?;
        let mut front = file.content;
        let body = std::mem::take(&mut front.body);
        let known = &kept.planned.borrow_owner().articles[article.0];
        let same = file.id.as_deref() == Some(known.id.as_str())
            && file.locale == locale
            && file.order == known.order
            && known.content.get(&locale) == Some(&front);
        if !same {
            return Ok(None);
        }
        kept.render_article(options, article, &locale, body)
            .map(Some)
    }
}

impl Kept {
    /// Keeps what the full build that gave `loaded` loaded and set up; adds the plan, the
    /// output folder (whose manifest that build wrote) and the reader of article files.
    fn new(options: &BuildOptions, loaded: Loaded) -> Result<Kept> {
        let Loaded {
            ws,
            files,
            search,
            setup,
            cache,
            assets,
        } = loaded;
        let root = absolute(options.input.dir());
        let files = {
            let ids: HashMap<&str, ArticleIx> = (ws.articles.iter().enumerate())
                .map(|(i, a)| (a.id.as_str(), ArticleIx(i)))
                .collect();
            (files.iter())
                .filter_map(|(rel, (id, locale))| {
                    let article = *ids.get(id.as_str())?;
                    Some((root.join(rel), (article, locale.clone())))
                })
                .collect()
        };
        let planned = Planned::try_new(ws, |ws| -> Result<PlanLinks> {
            let plan = Plan::new(ws, options.drafts, options.locales.as_deref())?;
            let links = plan.link_map();
            Ok(PlanLinks { plan, links })
        })?;
        let out = OutDir::open(&setup.out)?;
        let reader = match &options.input {
            Input::Markdown(_) => Some(ArticleReader::open(&root)?),
            Input::Snapshot(_) => None,
        };
        Ok(Kept {
            search,
            stale_shards: BTreeSet::new(),
            reader,
            planned,
            files,
            setup,
            cache,
            out,
            assets,
        })
    }

    /// Renders the page of `article` in `locale` from `body`, as the full build would, and
    /// writes it through the build's output folder.
    fn render_article(
        &mut self,
        options: &BuildOptions,
        article: ArticleIx,
        locale: &Locale,
        body: String,
    ) -> Result<Rebuilt> {
        let PlanLinks { plan, links } = self.planned.borrow_dependent();
        let page = (plan.locales.iter().position(|l| l == locale))
            .filter(|&li| plan.article_path(li, article).is_some())
            .map(|li| Page::Article(li, article));
        let Some(page) = page else {
            return Ok(Rebuilt::Page {
                path: None,
                files_written: 0,
            });
        };
        let indexing = search_indexing(options, plan.locales.len(), &self.setup.cache_path, false);
        let renderer = self
            .setup
            .renderer(plan, links, &self.cache, indexing.as_ref());
        let mut html = Vec::with_capacity(PAGE_BUFFER);
        let (page_file, markdown) =
            super::write_page(&self.out, &renderer, &self.assets, page, body, &mut html)?;
        // The page's new search record: its shard is indexed again once edits pause.
        if let (Some(indexing), Some(search), Page::Article(li, _)) =
            (&indexing, &mut self.search, page)
        {
            for record in indexing.collector.take_sorted(li) {
                self.stale_shards.extend(search.update(li, record));
            }
        }
        let asset_files = self.assets.files();
        self.out.claim(&asset_files)?;
        let outcomes = (self.assets.write(&self.out)?.into_iter())
            .chain([page_file])
            .chain(markdown);
        let files_written = outcomes.filter(|o| *o == Written::Written).count();
        Ok(Rebuilt::Page {
            path: Some(renderer.site_path(page)),
            files_written,
        })
    }
}

/// `path` made absolute as the watcher reports changed files.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
