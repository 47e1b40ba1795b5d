//! Rebuilding after an edit of article files: when the only change is the body of article files
//! (their front matter as the model holds it, and their `weight`, unchanged), only those
//! translations' pages and their `index.md` are rendered and written. Nothing else shows a body
//! (collection pages, related articles, feeds and `llms.txt` show titles and descriptions)
//! except the search index: each page's new record replaces the old one in its shard, and that
//! shard is indexed again. An edit of the front matter that leaves the article in its place
//! renders the pages that show it ([`listing`]). Any other change is a full build.
//!
//! Two callers: `serve` keeps what the last full build loaded in memory ([`Session`]), so an
//! edit costs reading one file and rendering one page (a few milliseconds on a 5,000-article
//! tree); `build` reads it back from what the last full build saved beside its body cache (the
//! model without bodies, and each search shard's records; see [`resume`]).

mod listing;
mod resume;
mod session;

pub(super) use resume::{edits, rebuild_edited, save_content, Resumed};
pub use session::{Rebuilt, Session};

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::backlinks::{Backlinks, Noted};
use super::output::{OutDir, Written};
use super::plan::{Page, Plan};
use super::search::{KeptShards, Reindexed, ShardId};
use super::{
    assets, search_indexing, ArticleFiles, BuildOptions, Input, Loaded, Setup, PAGE_BUFFER,
};
use crate::error::Result;
use crate::html::{BodyCache, LinkMap};
use crate::model::{ArticleIx, Locale, Workspace};
use crate::tree::ArticleReader;

/// The content of the last full build: the model (without bodies) with its plan and links,
/// which file holds which article translation, the reader of those files, and which pages link
/// to which articles.
struct Content {
    planned: Planned,
    /// Article files by absolute path.
    files: HashMap<PathBuf, (ArticleIx, Locale)>,
    /// Reads an edited article file (a Markdown tree's only).
    reader: Option<ArticleReader>,
    backlinks: Backlinks,
    /// Whether edits changed the model or the backlinks since they were loaded or saved.
    changed: bool,
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

/// An edit of an article file that changed only its body.
struct BodyEdit {
    article: ArticleIx,
    locale: Locale,
    body: String,
}

/// An edit of an article file that changed its front matter, but not its place: see
/// [`listing`].
struct ListingEdit {
    article: ArticleIx,
    locale: Locale,
    /// Its new front matter (without its body).
    content: Box<crate::model::ArticleContent>,
    body: String,
}

/// An edit of an article file that a rebuild of some pages can follow.
enum Edit {
    Body(BodyEdit),
    Listing(ListingEdit),
}

impl Content {
    /// The content of a build of `options` that loaded `ws` from the article files `files`.
    fn new(
        options: &BuildOptions,
        ws: Workspace,
        files: &ArticleFiles,
        backlinks: Backlinks,
    ) -> Result<Content> {
        let root = absolute(options.input.dir());
        let ids: HashMap<&str, ArticleIx> = (ws.articles.iter().enumerate())
            .map(|(i, a)| (a.id.as_str(), ArticleIx(i)))
            .collect();
        let files = (files.iter())
            .filter_map(|(rel, (id, locale))| {
                let article = *ids.get(id.as_str())?;
                Some((root.join(rel), (article, locale.clone())))
            })
            .collect();
        // Two independent steps of about 0.1 s each on a 5,000-article tree, one per core.
        let (planned, reader) = rayon::join(
            || plan_links(options, ws),
            || match &options.input {
                Input::Markdown(_) => ArticleReader::open(&root).map(Some),
                Input::Snapshot(_) => Ok(None),
            },
        );
        let (planned, reader) = (planned?, reader?);
        Ok(Content {
            planned,
            files,
            reader,
            backlinks,
            changed: false,
        })
    }

    /// The edit of the file at `path` (absolute), if it is an article file that is still the
    /// same translation in the same place (id, locale, `weight`, published or not), and reads
    /// without a warning: a body edit when its front matter is as the model holds it, a
    /// listing edit otherwise.
    fn edit(&self, path: &Path) -> Result<Option<Edit>> {
        let (Some(reader), Some((article, locale))) = (&self.reader, self.files.get(path).cloned())
        else {
            return Ok(None);
        };
        let file = reader.read(path)?;
        let mut front = file.content;
        let body = std::mem::take(&mut front.body);
        let known = &self.planned.borrow_owner().articles[article.0];
        let Some(known_front) = known.content.get(&locale) else {
            return Ok(None);
        };
        let same_place = file.id.as_deref() == Some(known.id.as_str())
            && file.locale == locale
            && file.order == known.order
            && front.state == known_front.state
            && file.warnings.is_empty();
        Ok(match (same_place, *known_front == front) {
            (false, _) => None,
            (true, true) => Some(Edit::Body(BodyEdit {
                article,
                locale,
                body,
            })),
            (true, false) => Some(Edit::Listing(ListingEdit {
                article,
                locale,
                content: Box::new(front),
                body,
            })),
        })
    }
}

/// The plan of the site of `ws`, with its link map.
fn plan_links(options: &BuildOptions, ws: Workspace) -> Result<Planned> {
    Planned::try_new(ws, |ws| -> Result<PlanLinks> {
        let plan = Plan::new(ws, options.drafts, options.locales.as_deref())?;
        let links = plan.link_map();
        Ok(PlanLinks { plan, links })
    })
}

/// Everything an edit does not change, from the last full build: its content, compiled
/// templates and theme, body cache, output folder, local asset copies, and search records
/// (which edits update), with the shards edits changed since they were last indexed.
struct Kept {
    content: Content,
    setup: Setup,
    cache: BodyCache,
    out: OutDir,
    assets: assets::SiteAssets,
    search: Option<KeptShards>,
    stale_shards: BTreeSet<ShardId>,
}

/// What rendering one edited page did.
struct Rendered {
    /// Its site path (`/en/articles/12-hello/`); `None` when the translation has no page
    /// (a draft, or a locale not built).
    path: Option<String>,
    /// Files written because their bytes changed (the page, its `index.md`, asset copies).
    files_written: usize,
}

impl Kept {
    /// Keeps what the full build that gave `loaded` loaded and set up; adds the plan, the
    /// output folder (whose manifest that build wrote) and the reader of article files.
    fn new(options: &BuildOptions, loaded: Loaded) -> Result<Kept> {
        let Loaded {
            ws,
            files,
            search,
            backlinks,
            setup,
            cache,
            assets,
        } = loaded;
        let content = Content::new(options, ws, &files, backlinks)?;
        Kept::assemble(content, setup, cache, assets, search)
    }

    /// Keeps `content` and the rest, and opens the output folder (whose manifest the last full
    /// build wrote).
    fn assemble(
        content: Content,
        setup: Setup,
        cache: BodyCache,
        assets: assets::SiteAssets,
        search: Option<KeptShards>,
    ) -> Result<Kept> {
        let out = OutDir::open(&setup.out)?;
        Ok(Kept {
            content,
            setup,
            cache,
            out,
            assets,
            search,
            stale_shards: BTreeSet::new(),
        })
    }

    /// Renders the page of an edited translation from its new body, as the full build would,
    /// and writes it through the build's output folder; its new search record marks its shard
    /// to index again ([`Kept::reindex_stale`]).
    fn render(&mut self, options: &BuildOptions, edit: BodyEdit) -> Result<Rendered> {
        let PlanLinks { plan, links } = self.content.planned.borrow_dependent();
        let page = (plan.locales.iter().position(|l| *l == edit.locale))
            .filter(|&li| plan.article_path(li, edit.article).is_some())
            .map(|li| Page::Article(li, edit.article));
        let Some(page) = page else {
            return Ok(Rendered {
                path: None,
                files_written: 0,
            });
        };
        let indexing = search_indexing(options, plan.locales.len(), &self.setup.cache_path, false);
        let noted = Noted::default();
        let renderer =
            (self.setup).renderer(plan, links, &self.cache, indexing.as_ref(), Some(&noted));
        let mut html = Vec::with_capacity(PAGE_BUFFER);
        let (page_file, markdown) = super::write_page(
            &self.out,
            &renderer,
            &self.assets,
            page,
            edit.body,
            &mut html,
        )?;
        if let (Some(indexing), Some(search), Page::Article(li, _)) =
            (&indexing, &mut self.search, page)
        {
            for record in indexing.collector.take_sorted(li) {
                self.stale_shards.extend(search.update(li, record)?);
            }
        }
        let outcomes = (self.write_asset_copies()?.into_iter())
            .chain([page_file])
            .chain(markdown);
        let files_written = outcomes.filter(|o| *o == Written::Written).count();
        let path = renderer.site_path(page);
        let rendered = [(page, path.clone())];
        self.content.changed |= (self.content.backlinks).add(plan, &noted, &rendered);
        Ok(Rendered {
            path: Some(path),
            files_written,
        })
    }

    /// Writes the local asset copies the pages rendered so far use (claiming the new ones).
    fn write_asset_copies(&self) -> Result<Vec<Written>> {
        self.out.claim(&self.assets.files())?;
        self.assets.write(&self.out)
    }

    /// Indexes again the search shards that edits changed.
    fn reindex_stale(&mut self) -> Result<Vec<Reindexed>> {
        let stale = std::mem::take(&mut self.stale_shards);
        let Some(search) = &self.search else {
            return Ok(Vec::new());
        };
        stale
            .into_iter()
            .map(|id| search.reindex(id, &self.out))
            .collect()
    }
}

/// `path` made absolute as the watcher reports changed files.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
