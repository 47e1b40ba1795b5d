//! Rebuilding after an edit, for `serve`: when the only change is the body of one article
//! file (its front matter as the model holds it, and its `weight`, unchanged), only that
//! translation's page and its `index.md` are rendered and written, from the content the last
//! full build loaded and kept. Nothing else can depend on a body (collection pages, related
//! articles and feeds show titles and descriptions), except the search index, which the next
//! full build brings up to date. Any other change is a full [`super::build_keeping`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::output::{OutDir, Written};
use super::plan::{Page, Plan};
use super::{
    assets, search_indexing, BuildOptions, BuildReport, Input, Loaded, Setup, PAGE_BUFFER,
};
use crate::error::Result;
use crate::html::BodyCache;
use crate::model::{ArticleIx, Locale};

/// Rebuilds a site again and again, keeping what the last full build loaded.
#[derive(Default)]
pub struct Session {
    kept: Option<Kept>,
}

/// The last full build's content, with its article files by absolute path.
struct Kept {
    loaded: Loaded,
    files: HashMap<PathBuf, (ArticleIx, Locale)>,
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
        self.kept = loaded.map(|loaded| Kept::new(options.input.dir(), loaded));
        Ok(Rebuilt::Site(Box::new(report)))
    }

    /// Forgets the kept content: the next rebuild is a full one (the settings changed).
    pub fn forget(&mut self) {
        self.kept = None;
    }

    /// Renders just the page of the one changed article file, if that is all that changed.
    fn rebuild_page(&self, options: &BuildOptions, changed: &[PathBuf]) -> Result<Option<Rebuilt>> {
        let (Some(kept), [path], Input::Markdown(content)) =
            (self.kept.as_ref(), changed, &options.input)
        else {
            return Ok(None);
        };
        let Some((article, locale)) = kept.files.get(path).cloned() else {
            return Ok(None);
        };
        let file = crate::tree::read_article_file(&absolute(content), path)?;
        let mut front = file.content;
        let body = std::mem::take(&mut front.body);
        let known = &kept.loaded.ws.articles[article.0];
        let same = file.id.as_deref() == Some(known.id.as_str())
            && file.locale == locale
            && file.order == known.order
            && known.content.get(&locale) == Some(&front);
        if !same {
            return Ok(None);
        }
        render_article(options, &kept.loaded, article, &locale, body).map(Some)
    }
}

impl Kept {
    fn new(content: &Path, loaded: Loaded) -> Kept {
        let root = absolute(content);
        let files = {
            let ids: HashMap<&str, ArticleIx> = (loaded.ws.articles.iter().enumerate())
                .map(|(i, a)| (a.id.as_str(), ArticleIx(i)))
                .collect();
            (loaded.files.iter())
                .filter_map(|(rel, (id, locale))| {
                    let article = *ids.get(id.as_str())?;
                    Some((root.join(rel), (article, locale.clone())))
                })
                .collect()
        };
        Kept { loaded, files }
    }
}

/// Renders the page of `article` in `locale` from `body`, as the full build would, and writes
/// it through the build's output folder.
fn render_article(
    options: &BuildOptions,
    loaded: &Loaded,
    article: ArticleIx,
    locale: &Locale,
    body: String,
) -> Result<Rebuilt> {
    let setup = Setup::new(options)?;
    let plan = Plan::new(&loaded.ws, options.drafts, options.locales.as_deref())?;
    let page = (plan.locales.iter().position(|l| l == locale))
        .filter(|&li| plan.article_path(li, article).is_some())
        .map(|li| Page::Article(li, article));
    let Some(page) = page else {
        return Ok(Rebuilt::Page {
            path: None,
            files_written: 0,
        });
    };
    let links = plan.link_map();
    let cache = BodyCache::load(&setup.cache_path);
    // The page shows the search box as in a full build; its record waits for the next one.
    let indexing = search_indexing(options, plan.locales.len(), &setup.cache_path);
    let renderer = setup.renderer(&plan, &links, &cache, indexing.as_ref());
    let out = OutDir::open(&setup.out)?;
    let site_assets = assets::SiteAssets::new(assets::local_assets(&options.input.open()?)?);
    let mut html = Vec::with_capacity(PAGE_BUFFER);
    let (page_file, markdown) =
        super::write_page(&out, &renderer, &site_assets, page, body, &mut html)?;
    let asset_files = site_assets.files();
    out.claim(&asset_files)?;
    let outcomes = (site_assets.write(&out)?.into_iter())
        .chain([page_file])
        .chain(markdown);
    let files_written = outcomes.filter(|o| *o == Written::Written).count();
    Ok(Rebuilt::Page {
        path: Some(renderer.site_path(page)),
        files_written,
    })
}

/// `path` made absolute as the watcher reports changed files.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
