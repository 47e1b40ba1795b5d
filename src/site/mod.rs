//! `helpcenter build`: renders a snapshot into a static, multilingual HTML site.
//!
//! ```text
//! /index.html                                  language chooser (redirects to the visitor's)
//! /<locale>/index.html                         home: top-level collections
//! /<locale>/collections/<id>-<slug>/index.html collection or section
//! /<locale>/articles/<id>-<slug>/index.html    article
//! /404.html, /robots.txt, /sitemap.xml (with --base-url), /static/...
//! ```
//! Output is deterministic (two builds of one snapshot are byte-identical), unchanged files are
//! not rewritten, and files of earlier builds that are no longer produced are removed, but
//! only files this tool wrote (see [`output`]). Sanitised bodies are cached between builds in
//! a file beside the output directory (see [`default_cache_path`]).

pub mod assets;
mod backlinks;
pub mod body;
pub mod brand;
pub mod colors;
mod feeds;
mod fresh;
pub mod i18n;
pub mod incremental;
mod llms;
mod meta;
pub mod output;
mod plan;
mod redirects;
mod render;
pub mod search;
mod sitemap;
mod templates;
pub mod theme;
pub mod urls;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::html::BodyCache;
use crate::model::{self, LoadOptions};
use crate::snapshot::Snapshot;
use output::{OutDir, Written};
use plan::{Page, Plan};
use render::Renderer;
use templates::Templates;
use theme::Theme;
use urls::BaseUrl;

/// Where a site's content comes from. Either way the loader builds the same
/// [`model::Workspace`], which is all the renderer sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A snapshot directory made by `pull`.
    Snapshot(PathBuf),
    /// A Markdown tree made by `build --format markdown` (and edited by people).
    Markdown(PathBuf),
}

impl Default for Input {
    fn default() -> Self {
        Input::Snapshot(PathBuf::from("snapshot"))
    }
}

impl Input {
    /// The directory the content is read from.
    pub fn dir(&self) -> &Path {
        match self {
            Input::Snapshot(dir) | Input::Markdown(dir) => dir,
        }
    }

    /// Opens the input: a snapshot's manifest is read and checked here, once, for both the
    /// content ([`OpenInput::load`]) and the local asset copies ([`assets::local_assets`]).
    pub fn open(&self) -> Result<OpenInput<'_>> {
        Ok(match self {
            Input::Snapshot(dir) => OpenInput::Snapshot(Box::new(Snapshot::open(dir)?)),
            Input::Markdown(dir) => OpenInput::Markdown(dir),
        })
    }

    /// Loads the content into the model.
    pub fn load(&self, help_center: Option<&str>) -> Result<model::Workspace> {
        self.open()?.load(help_center)
    }
}

/// An [`Input`] that has been opened: a snapshot with its manifest read, or a tree's directory.
pub enum OpenInput<'a> {
    /// A snapshot made by `pull`.
    Snapshot(Box<Snapshot>),
    /// A Markdown tree.
    Markdown(&'a Path),
}

impl OpenInput<'_> {
    /// Loads the content into the model.
    pub fn load(&self, help_center: Option<&str>) -> Result<model::Workspace> {
        match self {
            OpenInput::Snapshot(snapshot) => {
                let load = LoadOptions {
                    help_center: help_center.map(str::to_string),
                    ..LoadOptions::default()
                };
                model::load_snapshot(snapshot, &load)
            }
            OpenInput::Markdown(dir) => crate::tree::load(dir),
        }
    }

    /// Loads the content into the model, and for a Markdown tree also which file holds which
    /// article translation (relative `/`-separated path -> article id and locale).
    pub fn load_tracked(
        &self,
        help_center: Option<&str>,
    ) -> Result<(model::Workspace, ArticleFiles)> {
        match self {
            OpenInput::Markdown(dir) => {
                let loaded = crate::tree::load_with_new(dir)?;
                crate::tree::warn_new_files(&loaded);
                Ok((loaded.workspace, loaded.article_files))
            }
            OpenInput::Snapshot(_) => Ok((self.load(help_center)?, ArticleFiles::new())),
        }
    }
}

/// Which file of a Markdown tree holds which article translation, by relative path.
pub type ArticleFiles = BTreeMap<String, (String, model::Locale)>;

/// The content a build loaded, kept for [`incremental`] rebuilds: the model without its
/// article bodies, and where each article translation's file is.
pub struct Loaded {
    /// The model; article bodies are empty (each page took its own).
    pub ws: model::Workspace,
    /// The article files of a Markdown tree (empty for a snapshot).
    pub files: ArticleFiles,
    /// The search index's shards with their records (none with `--no-search`).
    pub search: Option<search::KeptShards>,
    /// Which pages link to which articles (none noted from a snapshot).
    backlinks: backlinks::Backlinks,
    /// What the build set up and rendered with, for the next edits to render with too.
    setup: Setup,
    cache: BodyCache,
    assets: assets::SiteAssets,
}

/// What to build, from where, and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The snapshot or Markdown tree to read.
    pub input: Input,
    /// The output directory (created if needed).
    pub out: PathBuf,
    /// A built-in theme name (`default`) or a theme folder; `None` is `default`.
    pub theme: Option<String>,
    /// The absolute URL the site will be published at; enables the sitemap, canonical links
    /// and absolute Open Graph URLs.
    pub base_url: Option<String>,
    /// Build only these locales (each must have content).
    pub locales: Option<Vec<String>>,
    /// Include draft translations.
    pub drafts: bool,
    /// Leave out the search index and the search box.
    pub no_search: bool,
    /// Text per search index shard; `None` is [`search::SHARD_TEXT_BUDGET`]. Tests set it low to
    /// get several shards from little content.
    pub search_shard_budget: Option<usize>,
    /// Where to keep sanitised bodies between builds; `None` is [`default_cache_path`].
    pub cache: Option<PathBuf>,
    /// The help center to build, required when the snapshot holds several.
    pub help_center: Option<String>,
    /// Site name, logo, favicon, accent colour, header links and footer.
    pub branding: brand::Branding,
}

/// What a build did (`--json` prints it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildReport {
    /// The output directory.
    pub out: PathBuf,
    /// The help center built, if the snapshot has one.
    pub help_center: Option<String>,
    /// The locales built.
    pub locales: Vec<String>,
    /// The locale `/` leads to.
    pub default_locale: String,
    /// HTML pages produced (written or unchanged).
    pub pages: usize,
    /// Article pages among them.
    pub article_pages: usize,
    /// Collection and section pages among them.
    pub collection_pages: usize,
    /// Files written because they were new or changed.
    pub files_written: usize,
    /// Files left alone because their bytes were already right.
    pub files_unchanged: usize,
    /// Files of earlier builds removed because this build no longer produces them.
    pub files_removed: usize,
    /// Whether a sitemap was written (it needs `--base-url`).
    pub sitemap: bool,
    /// Old URLs that lead to the current pages: id-only URLs and earlier slugs (each has a
    /// page, and a line in `_redirects`).
    pub redirects: usize,
    /// The search indexes, unless `--no-search`.
    pub search: Option<search::SearchReport>,
    /// Most memory the build held at once (Linux), in bytes.
    pub peak_rss_bytes: Option<u64>,
    /// The body cache file.
    pub cache: PathBuf,
    /// Bodies and descriptions taken from the cache.
    pub cache_hits: u64,
    /// Bodies and descriptions sanitised in this build.
    pub cache_misses: u64,
    /// Problems the build carried on after.
    pub warnings: Vec<String>,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
}

/// Logs how long the build has taken so far (`-v` shows it), to see where time goes.
fn timing(phase: &str, started: Instant) {
    tracing::debug!(
        "build: {phase} after {:.2} s",
        started.elapsed().as_secs_f64()
    );
}

/// Builds the site described by `options`.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    build_with(options, false).map(|(report, _)| report)
}

/// Builds like [`build`], and returns the content it loaded and the search records it
/// indexed (none when nothing had changed since the last build, which loads nothing).
pub fn build_keeping(options: &BuildOptions) -> Result<(BuildReport, Option<Loaded>)> {
    build_with(options, true)
}

fn build_with(options: &BuildOptions, keep: bool) -> Result<(BuildReport, Option<Loaded>)> {
    let started = Instant::now();
    let setup = Setup::new(options)?;
    timing("set up", started);
    let record = fresh::record_path(&setup.cache_path);
    let inputs = fresh::Inputs::scan(options);
    timing("inputs listed", started);
    let last = inputs
        .as_ref()
        .and_then(|inputs| fresh::last(&record, inputs));
    timing("compared with the last build", started);
    let setup = match last {
        Some(last) => match shortcut(options, setup, last, keep, inputs.as_ref(), started)? {
            Shortcut::Unchanged(report) => return Ok((*report, None)),
            Shortcut::Edited(resumed) => {
                if let Some(inputs) = &inputs {
                    let mut recorded = resumed.report.clone();
                    recorded.warnings.retain(|w| !resumed.once.contains(w));
                    let content = resumed.content.as_deref();
                    fresh::save(&record, inputs, &recorded.out, &recorded, content);
                }
                return Ok((resumed.report, None));
            }
            Shortcut::None(setup) => *setup,
        },
        None => setup,
    };
    let (report, once, loaded) = build_all(options, setup, started, keep)?;
    if let Some(inputs) = &inputs {
        let content = incremental::save_content(
            options,
            &loaded.setup.cache_path,
            &inputs.digest(),
            (&loaded.ws, &loaded.files, &loaded.backlinks),
        );
        // A later build that finds nothing changed repeats the warnings about the content,
        // not those about what this build changed.
        let mut recorded = report.clone();
        recorded.warnings.retain(|w| !once.contains(w));
        fresh::save(
            &record,
            inputs,
            &loaded.setup.out,
            &recorded,
            content.as_deref(),
        );
    }
    Ok((report, Some(loaded)))
}

/// A build that did less than a full one, or why not.
enum Shortcut {
    /// Nothing changed since the last build: its report.
    Unchanged(Box<BuildReport>),
    /// Article files were edited, and only the pages that show them rendered.
    Edited(Box<incremental::Resumed>),
    /// A full build is needed, with this setup.
    None(Box<Setup>),
}

/// Builds from what the `last` build recorded, if nothing changed since but some article
/// files (`inputs` are the files now): `serve` (`keep`) needs the whole content loaded, which
/// that does not load.
fn shortcut(
    options: &BuildOptions,
    setup: Setup,
    last: fresh::Last,
    keep: bool,
    inputs: Option<&fresh::Inputs>,
    started: Instant,
) -> Result<Shortcut> {
    if last.edited.is_empty() {
        if !last.outputs_unchanged(&setup.out) {
            return Ok(Shortcut::None(Box::new(setup)));
        }
        timing("nothing changed since the last build", started);
        for warning in &last.report.warnings {
            tracing::warn!("{warning}");
        }
        return Ok(Shortcut::Unchanged(Box::new(fresh::as_unchanged(
            last.report,
            started,
        ))));
    }
    let (false, Some(inputs), Some(resumed)) = (keep, inputs, last.content.as_deref()) else {
        return Ok(Shortcut::None(Box::new(setup)));
    };
    // The output folder is checked on one core while the edited files are read on the other.
    let (outputs_unchanged, edits) = rayon::join(
        || last.outputs_unchanged(&setup.out),
        || incremental::edits(options, &setup.cache_path, resumed, &last.edited, started),
    );
    let (true, Some(edits)) = (outputs_unchanged, edits) else {
        return Ok(Shortcut::None(Box::new(setup)));
    };
    timing("edited article files read", started);
    let ids = (resumed, inputs.digest());
    match incremental::rebuild_edited(options, setup, edits, last.report, (ids.0, &ids.1), started)
    {
        Ok(Some(resumed)) => Ok(Shortcut::Edited(Box::new(resumed))),
        Ok(None) => Setup::new(options).map(|setup| Shortcut::None(Box::new(setup))),
        Err(error) => {
            // The full build redoes it all, and reports a problem properly.
            tracing::debug!("rebuilding the edited pages failed: {error}");
            Setup::new(options).map(|setup| Shortcut::None(Box::new(setup)))
        }
    }
}

/// Builds the whole site: loads the content and renders every page (from the caches).
/// Returns the report, those of its warnings that are about this build's changes, and the
/// content it loaded.
fn build_all(
    options: &BuildOptions,
    setup: Setup,
    started: Instant,
    keep: bool,
) -> Result<(BuildReport, Vec<String>, Loaded)> {
    // Only the cache's index is loaded; bodies stay in its file until a page asks for them.
    let cache = BodyCache::load(&setup.cache_path);
    timing("cache loaded", started);
    let input = options.input.open()?;
    let (mut ws, files) = input.load_tracked(options.help_center.as_deref())?;
    let bodies = take_bodies(&mut ws);
    timing("content loaded", started);
    let plan = Plan::new(&ws, options.drafts, options.locales.as_deref())?;
    if plan.locales.is_empty() {
        let what = if options.drafts { "" } else { "published " };
        return Err(Error::usage(format!(
            "{} has no {what}articles to build",
            options.input.dir().display()
        )));
    }
    let links = plan.link_map();
    timing("pages planned", started);
    let indexing = search_indexing(options, plan.locales.len(), &setup.cache_path, keep);
    // Only an edit of a Markdown tree's file is rebuilt page by page, and needs them.
    let noted = matches!(options.input, Input::Markdown(_)).then(backlinks::Noted::default);
    let renderer = setup.renderer(&plan, &links, &cache, indexing.as_ref(), noted.as_ref());
    let out = OutDir::open(&setup.out)?;
    let redirects = site_redirects(&renderer, &plan.pages(), out.previous_history());
    let site_assets = assets::SiteAssets::new(assets::local_assets(&input)?);
    drop(input);
    let mut written = write_site(&out, &renderer, bodies, &setup, &site_assets, redirects)?;
    timing("site written", started);
    let mut warnings = ws.warnings.clone();
    warnings.extend(written.moved.iter().cloned());
    warnings.extend(site_assets.warnings());
    warnings.extend(setup.finish(&cache));
    timing("cache saved", started);
    let once = written.moved.clone();
    let report = report(&setup, &plan, &written, &cache, warnings, started);
    let mut backlinks = backlinks::Backlinks::default();
    if let Some(noted) = &noted {
        let pages: Vec<(Page, String)> = (written.pages.iter())
            .map(|&page| (page, renderer.site_path(page)))
            .collect();
        backlinks.add(&plan, noted, &pages);
    }
    drop(renderer);
    drop(links);
    drop(plan);
    let loaded = Loaded {
        ws,
        files,
        search: written.kept_search.take(),
        backlinks,
        setup,
        cache,
        assets: site_assets,
    };
    Ok((report, once, loaded))
}

/// Everything checked and prepared from the options before any content is read.
struct Setup {
    base: Option<BaseUrl>,
    theme: Theme,
    brand: brand::Brand,
    templates: Templates,
    out: PathBuf,
    cache_path: PathBuf,
}

impl Setup {
    fn new(options: &BuildOptions) -> Result<Setup> {
        let base = options
            .base_url
            .as_deref()
            .map(BaseUrl::parse)
            .transpose()?;
        let mut theme = Theme::resolve(options.theme.as_deref())?;
        let mut brand = brand::Brand::apply(&options.branding, &mut theme)?;
        // Pages link theme files with a content hash, which must include the branding's.
        brand.logo = brand.logo.map(|file| asset_href(&theme, &file));
        brand.favicon = brand.favicon.map(|file| asset_href(&theme, &file));
        let templates = Templates::compile(&theme)?;
        let out = absolute(&options.out)?;
        check_separate(&absolute(options.input.dir())?, &out)?;
        let cache_path = match &options.cache {
            Some(path) => path.clone(),
            None => default_cache_path(&out)?,
        };
        Ok(Setup {
            base,
            theme,
            brand,
            templates,
            out,
            cache_path,
        })
    }

    fn renderer<'a>(
        &'a self,
        plan: &'a Plan<'a>,
        links: &'a crate::html::LinkMap,
        cache: &'a BodyCache,
        search: Option<&'a search::Indexing>,
        noted: Option<&'a backlinks::Noted>,
    ) -> Renderer<'a> {
        let i18n = &self.theme.i18n;
        Renderer {
            noted,
            search,
            search_script: search.map(|_| asset_href(&self.theme, "search.js")),
            plan,
            templates: &self.templates,
            links,
            cache,
            base: self.base.as_ref(),
            strings: plan.locales.iter().map(|l| i18n.strings(l)).collect(),
            names: plan.locales.iter().map(|l| i18n.language_name(l)).collect(),
            css: asset_href(&self.theme, "style.css"),
            brand: &self.brand,
        }
    }

    /// Saves the cache when it learned something; returns the warnings of the build itself.
    fn finish(&self, cache: &BodyCache) -> Vec<String> {
        let mut warnings = self.brand.warnings.clone();
        if self.base.is_none() {
            // A preview or a site served from any path needs no base URL: not a warning, but
            // worth knowing (`-v`); the report's `sitemap: false` says it too.
            tracing::info!(
                "no --base-url: sitemap.xml is not written (sitemaps need absolute URLs), and \
                 pages have no canonical link"
            );
        }
        if cache.learned() {
            if let Err(e) = cache.save(&self.cache_path) {
                let path = self.cache_path.display();
                warnings.push(format!("could not save the body cache {path}: {e}"));
            }
        }
        for warning in &warnings {
            tracing::warn!("{warning}");
        }
        warnings
    }
}

fn report(
    setup: &Setup,
    plan: &Plan,
    written: &WriteSummary,
    cache: &BodyCache,
    warnings: Vec<String>,
    started: Instant,
) -> BuildReport {
    let count = |want: fn(&Page) -> bool| written.pages.iter().filter(|p| want(p)).count();
    BuildReport {
        out: setup.out.clone(),
        help_center: plan.help_center.map(|h| h.id.clone()),
        locales: plan.locales.iter().map(|l| l.to_string()).collect(),
        default_locale: plan.locales[plan.default].to_string(),
        pages: written.pages.len(),
        article_pages: count(|p| matches!(p, Page::Article(..))),
        collection_pages: count(|p| matches!(p, Page::Group(..))),
        files_written: written.written,
        files_unchanged: written.unchanged,
        files_removed: written.removed,
        sitemap: setup.base.is_some(),
        redirects: written.redirects,
        search: written.search.clone(),
        peak_rss_bytes: peak_rss(written.search.as_ref()),
        cache: setup.cache_path.clone(),
        cache_hits: cache.hits(),
        cache_misses: cache.misses(),
        warnings,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}

/// The build's peak memory: indexing measures its own by resetting the process's high-water
/// mark, so the peak before it counts too.
fn peak_rss(search: Option<&search::SearchReport>) -> Option<u64> {
    let now = crate::memory::peak_rss();
    let before = search.and_then(|s| s.peak_rss_before_bytes);
    now.max(before)
}

/// The default body cache: a hidden file beside the output directory (`site/` gets
/// `.site.helpcenter-cache`), so it survives `rm -rf site` and is never deployed with it.
pub fn default_cache_path(out: &Path) -> Result<PathBuf> {
    let out = absolute(out)?;
    match (out.parent(), out.file_name()) {
        (Some(parent), Some(name)) => {
            Ok(parent.join(format!(".{}.helpcenter-cache", name.to_string_lossy())))
        }
        _ => Err(Error::usage(format!(
            "--out {} cannot be a root directory",
            out.display()
        ))),
    }
}

/// The path of what a build keeps beside its body cache `cache`, named `<cache>.<what>`.
fn beside_cache(cache: &Path, what: &str) -> PathBuf {
    let mut name = cache.as_os_str().to_owned();
    name.push(".");
    name.push(what);
    PathBuf::from(name)
}

/// Totals of the writing phase.
struct WriteSummary {
    pages: Vec<Page>,
    written: usize,
    unchanged: usize,
    removed: usize,
    redirects: usize,
    /// Pages whose URL changed (see [`redirects::Redirects::warnings`]).
    moved: Vec<String>,
    search: Option<search::SearchReport>,
    kept_search: Option<search::KeptShards>,
}

/// Moves every article body out of the workspace. Each body is needed by one page only; the
/// page that renders it consumes it, so raw bodies are freed while sanitised ones accumulate
/// in the cache, instead of both being held for the whole build.
fn take_bodies(ws: &mut model::Workspace) -> Vec<BTreeMap<model::Locale, String>> {
    ws.articles
        .iter_mut()
        .map(|article| {
            let content = article.content.iter_mut();
            content
                .map(|(locale, c)| (locale.clone(), std::mem::take(&mut c.body)))
                .collect()
        })
        .collect()
}

/// Starting size of a rendering thread's page buffer: a typical page and its body fit.
const PAGE_BUFFER: usize = 64 * 1024;

fn write_site(
    out: &OutDir,
    renderer: &Renderer,
    mut bodies: Vec<BTreeMap<model::Locale, String>>,
    setup: &Setup,
    assets: &assets::SiteAssets,
    redirects: redirects::Redirects,
) -> Result<WriteSummary> {
    let (theme, base) = (&setup.theme, setup.base.as_ref());
    let pages = renderer.plan.pages();
    let mut produced = planned_files(renderer, &pages, &redirects.list, theme)?;
    out.record_history(redirects.history);
    out.claim(&produced)?;
    let work: Vec<(Page, String)> = pages
        .iter()
        .map(|&page| match page {
            Page::Article(li, a) => {
                let locale = &renderer.plan.locales[li];
                (page, bodies[a.0].remove(locale).unwrap_or_default())
            }
            _ => (page, String::new()),
        })
        .collect();
    drop(bodies);
    let written_pages: Vec<(Written, Option<Written>)> = work
        .into_par_iter()
        .map_init(
            || Vec::with_capacity(PAGE_BUFFER),
            |html, (page, body)| write_page(out, renderer, assets, page, body, html),
        )
        .collect::<Result<_>>()?;
    let mut outcomes: Vec<Written> = (written_pages.into_iter())
        .flat_map(|(page, markdown)| std::iter::once(page).chain(markdown))
        .collect();
    outcomes.extend(write_listings(renderer, out, &pages)?);
    let robots = sitemap::render_robots(renderer.templates, base)?;
    outcomes.push(out.write("robots.txt", robots.as_bytes())?);
    for (name, bytes) in &theme.assets {
        outcomes.push(out.write(&format!("static/{name}"), bytes)?);
    }
    let stubs: Vec<Written> = (redirects.list.par_iter())
        .map_init(Vec::new, |html, redirect| {
            let file = renderer.render_redirect(redirect, html)?;
            out.write(&file, html)
        })
        .collect::<Result<_>>()?;
    outcomes.extend(stubs);
    let file = redirects_file(renderer, &redirects.list);
    outcomes.push(out.write(redirects::REDIRECTS_FILE, file.as_bytes())?);
    // Known only once the pages are rendered: the copies they use, and the search bundles.
    let asset_files = assets.files();
    out.claim(&asset_files)?;
    outcomes.extend(assets.write(out)?);
    produced.extend(asset_files);
    let (search, kept_search) = match renderer.search {
        Some(indexing) => {
            let bundles = search::write_indexes(indexing, &renderer.plan.locales, out)?;
            outcomes.extend(bundles.outcomes);
            produced.extend(bundles.files);
            (Some(bundles.report), bundles.kept)
        }
        None => (None, None),
    };
    let removed = out.finish(&produced)?;
    let written = outcomes.iter().filter(|o| **o == Written::Written).count();
    Ok(WriteSummary {
        written,
        unchanged: outcomes.len() - written,
        removed,
        pages,
        redirects: redirects.list.len(),
        moved: redirects.warnings,
        search,
        kept_search,
    })
}

/// The redirects of the site of `renderer` with `pages`, given the page history the last
/// build recorded.
fn site_redirects(
    renderer: &Renderer,
    pages: &[Page],
    history: &output::PageHistory,
) -> redirects::Redirects {
    let taken: std::collections::HashSet<String> =
        pages.iter().map(|&p| renderer.site_path(p)).collect();
    redirects::plan_redirects(renderer.plan, history, &taken)
}

/// The `_redirects` file of the site of `renderer` with `list`.
fn redirects_file(renderer: &Renderer, list: &[redirects::Redirect]) -> String {
    let rules: Vec<(String, String, bool)> = (list.iter())
        .map(|r| (r.from.clone(), renderer.site_path(r.to), r.moved))
        .collect();
    redirects::redirects_file(&rules, renderer.base)
}

/// Every file the site of `renderer` with `pages` and `redirects` is made of, but the asset
/// copies its pages use and the search bundles: both are known only once pages are rendered.
fn planned_files(
    renderer: &Renderer,
    pages: &[Page],
    redirects: &[redirects::Redirect],
    theme: &Theme,
) -> Result<BTreeSet<String>> {
    let sitemap_count = sitemap::sitemap_pages(pages).len();
    let mut planned: Vec<String> = pages
        .iter()
        .map(|&p| urls::output_file(&renderer.site_path(p)))
        .collect();
    planned.push("robots.txt".to_string());
    let locales = &renderer.plan.locales;
    planned.extend(
        locales
            .iter()
            .map(|l| urls::output_file(&feeds::feed_path(l))),
    );
    planned.extend(sitemap::sitemap_files(renderer.base, sitemap_count));
    planned.extend(theme.assets.keys().map(|name| format!("static/{name}")));
    planned.extend(redirects.iter().map(|r| urls::output_file(&r.from)));
    planned.push(llms::LLMS_FILE.to_string());
    planned.extend(
        pages
            .iter()
            .filter(|p| matches!(p, Page::Article(..)))
            .map(|&p| markdown_file(&renderer.site_path(p))),
    );
    planned.push(redirects::REDIRECTS_FILE.to_string());
    let produced: BTreeSet<String> = planned.iter().cloned().collect();
    if produced.len() != planned.len() {
        return Err(Error::data(
            "two outputs of the build have the same path".to_string(),
        ));
    }
    Ok(produced)
}

/// Writes the files that list every article: `llms.txt`, each locale's feed and the sitemap.
fn write_listings(renderer: &Renderer, out: &OutDir, pages: &[Page]) -> Result<Vec<Written>> {
    let mut outcomes = vec![out.write(llms::LLMS_FILE, llms::render_llms(renderer).as_bytes())?];
    for li in 0..renderer.plan.locales.len() {
        let (file, xml) = feeds::render_feed(renderer, li)?;
        outcomes.push(out.write(&file, xml.as_bytes())?);
    }
    if let Some(base) = renderer.base {
        let write = |file: &str, xml: &[u8]| out.write(file, xml);
        let listed = sitemap::sitemap_pages(pages);
        outcomes.extend(sitemap::write_sitemaps(renderer, base, &listed, write)?);
    }
    Ok(outcomes)
}

/// Renders one page (with the asset copies its body uses) and writes it, and an article's
/// `index.md`, into `out`; `html` is the rendering thread's buffer.
fn write_page(
    out: &OutDir,
    renderer: &Renderer,
    assets: &assets::SiteAssets,
    page: Page,
    body: String,
    html: &mut Vec<u8>,
) -> Result<(Written, Option<Written>)> {
    let site_path =
        (assets.active() && matches!(page, Page::Article(..))).then(|| renderer.site_path(page));
    let (body, refs) = match &site_path {
        Some(path) => assets.localize(body, path),
        None => (body, assets::Refs::default()),
    };
    let (file, markdown) = renderer.render(page, body, html)?;
    if let Some(path) = &site_path {
        assets.record(refs, html, path);
    }
    let markdown = match markdown {
        Some(text) => {
            let file = markdown_file(&renderer.site_path(page));
            Some(out.write(&file, text.as_bytes())?)
        }
        None => None,
    };
    Ok((out.write(&file, html)?, markdown))
}

/// The Markdown of an article page: `index.md` beside its `index.html`.
fn markdown_file(page_site_path: &str) -> String {
    format!("{}index.md", page_site_path.trim_start_matches('/'))
}

/// `static/<name>?v=<hash>`: the hash changes when the file does, so browsers fetch the new
/// stylesheet after a redeploy, and stays the same otherwise (builds stay byte-identical).
fn asset_href(theme: &Theme, name: &str) -> String {
    let hash = theme
        .assets
        .get(name)
        .map(|bytes| hex::encode(&Sha256::digest(bytes)[..4]))
        .unwrap_or_default();
    format!("static/{name}?v={hash}")
}

/// `path` as an absolute path with `.` and `..` resolved and symbolic links followed as far
/// as it exists, so two spellings of one folder compare equal (`../demo` from `site/` is
/// `demo`, not something inside `site/`).
fn absolute(path: &Path) -> Result<PathBuf> {
    let absolute = std::path::absolute(path).map_err(|e| Error::io(path, "resolve", e))?;
    let mut lexical = PathBuf::new();
    for component in absolute.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    // The longest part that exists, with its links followed; the rest as written.
    let mut existing = lexical.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return Ok(rest.iter().rev().fold(real, |p, c| p.join(c)));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return Ok(lexical),
        }
    }
}

/// Building into the input (or the input into the output) would mix the two.
fn check_separate(input: &Path, out: &Path) -> Result<()> {
    if out.starts_with(input) || input.starts_with(out) {
        return Err(Error::usage(format!(
            "--out {} and the input {} must not contain each other",
            out.display(),
            input.display()
        )));
    }
    Ok(())
}

/// What search indexing needs for a build of `locales` locales whose body cache is at
/// `cache_path`, unless `--no-search`; `keep` keeps the records once indexed.
pub(crate) fn search_indexing(
    options: &BuildOptions,
    locales: usize,
    cache_path: &Path,
    keep: bool,
) -> Option<search::Indexing> {
    // A Markdown tree's builds save each shard's records, so that a build after an edit can
    // index its shard again; `serve` keeps them in memory instead.
    let saves_records = matches!(options.input, Input::Markdown(_)) && !keep;
    (!options.no_search).then(|| search::Indexing {
        collector: search::Collector::new(locales),
        state: search::state_path(cache_path),
        budget: (options.search_shard_budget).unwrap_or(search::SHARD_TEXT_BUDGET),
        keep,
        records: saves_records.then(|| search::records_dir(cache_path)),
    })
}
