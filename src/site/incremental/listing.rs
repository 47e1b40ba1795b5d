//! Rebuilding after an edit of an article's front matter that leaves the article in its place
//! (same id, locale, folder, `weight`, state): its title, description, dates or author. Those
//! show on its own page, on its collection's page (or the home page, for an article no
//! collection lists) and on every article page of that collection (related articles, previous
//! and next), in its search record, and in the files that list every article (feeds,
//! `llms.txt`, the sitemap). A new title also moves the page (a new slug): then its
//! translations' pages (their language links), the pages whose bodies or descriptions link to
//! it ([`Backlinks`](crate::site::backlinks::Backlinks)), the redirects to it and from its old
//! path change too. Those pages are rendered again; every other file is left alone, and the
//! site is what a full build writes. An edit that changes any other page's path, or which pages
//! exist, is a full build.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use super::{plan_links, Kept, ListingEdit, PlanLinks, Planned, PAGE_BUFFER};
use crate::error::Result;
use crate::model::{ArticleContent, ArticleIx, Locale};
use crate::site::backlinks::{Backlinks, Noted};
use crate::site::output::{PageHistory, Written};
use crate::site::plan::{Li, Page, Plan};
use crate::site::redirects::{self, Redirect};
use crate::site::render::Renderer;
use crate::site::write_listings;
use crate::site::{planned_files, redirects_file, search_indexing, site_redirects, write_page};
use crate::site::{BuildOptions, Setup};

/// What rendering the pages of a listing edit did.
pub(in crate::site) struct Relisted {
    /// The edited translation's page (`None` when it has none).
    pub path: Option<String>,
    /// Pages rendered again.
    pub pages: usize,
    /// Files written because their bytes changed.
    pub files_written: usize,
    /// Files the site has now that it did not have (a moved page's).
    pub files_added: usize,
    /// Files removed (a moved page's old `index.md`).
    pub files_removed: usize,
    /// Redirects the site has now.
    pub redirects: usize,
    /// What a full build would warn about the new paths (a page moved).
    pub warnings: Vec<String>,
}

impl Kept {
    /// Renders again the pages that show the edited translation, as a full build of the edited
    /// content would; `None` when the edit changes more than they show (a full build is needed;
    /// nothing was written).
    pub(super) fn relist(
        &mut self,
        options: &BuildOptions,
        edit: ListingEdit,
    ) -> Result<Option<Relisted>> {
        let mut ws = self.content.planned.borrow_owner().clone();
        let Some(translation) = ws.articles[edit.article.0].content.get_mut(&edit.locale) else {
            return Ok(None);
        };
        *translation = *edit.content;
        let edited = plan_links(options, ws)?;
        let Some(relisted) =
            self.relist_with(options, &edited, edit.article, edit.locale, edit.body)?
        else {
            return Ok(None);
        };
        self.content.planned = edited;
        self.content.changed = true;
        Ok(Some(relisted))
    }

    fn relist_with(
        &mut self,
        options: &BuildOptions,
        edited: &Planned,
        a: ArticleIx,
        locale: Locale,
        mut body: String,
    ) -> Result<Option<Relisted>> {
        let old = self.content.planned.borrow_dependent();
        let PlanLinks { plan, links } = edited.borrow_dependent();
        let li = plan.locales.iter().position(|l| *l == locale);
        let (old_pages, pages) = (old.plan.pages(), plan.pages());
        if old_pages != pages || !only_moved(&old.plan, plan, li.map(|li| (li, a))) {
            return Ok(None);
        }
        let moved = li.is_some_and(|li| old.plan.article_path(li, a) != plan.article_path(li, a));
        let history = self.out.history();
        let setup: &Setup = &self.setup;
        let indexing = search_indexing(options, plan.locales.len(), &setup.cache_path, false);
        let noted = Noted::default();
        let renderer = setup.renderer(plan, links, &self.cache, indexing.as_ref(), Some(&noted));
        let redirects = site_redirects(&renderer, &pages, &history);
        // Only a page that moved, or its old URLs, change which files the site has.
        let (was, is) = (&old.plan.ws.article(a).content, &plan.ws.article(a).content);
        let old_urls = |c: &ArticleContent| (c.recorded_path.clone(), c.url.clone());
        let changes = if moved || was.get(&locale).map(old_urls) != is.get(&locale).map(old_urls) {
            let before = setup.renderer(&old.plan, &old.links, &self.cache, None, None);
            let after = (&renderer, pages.as_slice(), redirects.list.as_slice());
            FileChanges::between((&before, &old_pages), &history, after, setup)?
        } else {
            FileChanges::default()
        };
        // Before the claim, which saves it with the manifest: the old path is in it now.
        self.out.record_history(redirects.history.clone());
        self.out.claim(&changes.added)?;
        self.out.remove(&changes.removed)?;

        let shown = pages_showing(plan, &self.content.backlinks, li.map(|li| (li, a)), moved);
        let bodies = self.content.files_by_translation();
        let mut html = Vec::with_capacity(PAGE_BUFFER);
        let mut outcomes = Vec::new();
        let mut rendered = Vec::with_capacity(shown.len());
        for page in shown {
            let body = match page {
                Page::Article(l, x) if (Some(l), x) == (li, a) => std::mem::take(&mut body),
                Page::Article(l, x) => self.content.read_body(&bodies, x, &plan.locales[l])?,
                _ => String::new(),
            };
            let (file, markdown) =
                write_page(&self.out, &renderer, &self.assets, page, body, &mut html)?;
            outcomes.extend([file].into_iter().chain(markdown));
            rendered.push((page, renderer.site_path(page)));
        }
        drop(bodies);

        let listings = write_listings(&renderer, &self.out, &pages)?;
        outcomes.extend(listings);
        for redirect in &redirects.list {
            let to_edited = matches!(redirect.to, Page::Article(_, x) if x == a);
            if to_edited || changes.new_redirects.contains(&redirect.from) {
                let file = renderer.render_redirect(redirect, &mut html)?;
                outcomes.push(self.out.write(&file, &html)?);
            }
        }
        let file = redirects_file(&renderer, &redirects.list);
        outcomes.push(self.out.write(redirects::REDIRECTS_FILE, file.as_bytes())?);
        outcomes.extend(self.write_asset_copies()?);

        // Only the edited translation's record changes (the others' text, title and collection
        // do not show it); reading the shards of the others' would cost more than rendering.
        if let (Some(indexing), Some(search), Some(li)) = (&indexing, &mut self.search, li) {
            let id = &plan.ws.article(a).id;
            for record in indexing.collector.take_sorted(li) {
                if record.key == *id {
                    self.stale_shards.extend(search.update(li, record)?);
                }
            }
        }
        self.content.backlinks.add(plan, &noted, &rendered);
        Ok(Some(Relisted {
            path: li
                .and_then(|li| plan.article_path(li, a))
                .map(str::to_string),
            pages: rendered.len(),
            files_written: outcomes.iter().filter(|o| **o == Written::Written).count(),
            files_added: changes.added.len(),
            files_removed: changes.removed.len(),
            redirects: redirects.list.len(),
            warnings: redirects.warnings,
        }))
    }
}

/// How the files of a site change when a page moves.
#[derive(Default)]
struct FileChanges {
    /// Files it has now that it did not have.
    added: BTreeSet<String>,
    /// Files it no longer has.
    removed: Vec<String>,
    /// The old paths that redirect now and did not.
    new_redirects: HashSet<String>,
}

impl FileChanges {
    /// From the site `before` (its renderer and pages, with the page history `history`) to
    /// the site `after` (its renderer, pages and redirects).
    fn between(
        (renderer, pages): (&Renderer, &[Page]),
        history: &PageHistory,
        after: (&Renderer, &[Page], &[Redirect]),
        setup: &Setup,
    ) -> Result<FileChanges> {
        let files = |(renderer, pages, redirects): (&Renderer, &[Page], &[Redirect])| {
            let files = planned_files(renderer, pages, redirects, &setup.theme)?;
            let froms: HashSet<String> = redirects.iter().map(|r| r.from.clone()).collect();
            Ok::<_, crate::error::Error>((files, froms))
        };
        let old_redirects = site_redirects(renderer, pages, history).list;
        let (old_files, old_froms) = files((renderer, pages, &old_redirects))?;
        let (new_files, new_froms) = files(after)?;
        Ok(FileChanges {
            added: new_files.difference(&old_files).cloned().collect(),
            removed: old_files.difference(&new_files).cloned().collect(),
            new_redirects: new_froms.difference(&old_froms).cloned().collect(),
        })
    }
}

impl super::Content {
    /// The file of each article translation.
    fn files_by_translation(&self) -> HashMap<(ArticleIx, &Locale), &Path> {
        (self.files.iter())
            .map(|(path, (a, locale))| ((*a, locale), path.as_path()))
            .collect()
    }

    /// The body of the translation of `article` in `locale`, read from its file.
    fn read_body(
        &self,
        files: &HashMap<(ArticleIx, &Locale), &Path>,
        article: ArticleIx,
        locale: &Locale,
    ) -> Result<String> {
        let (Some(reader), Some(path)) = (&self.reader, files.get(&(article, locale))) else {
            return Ok(String::new());
        };
        Ok(reader.read(path)?.content.body)
    }
}

/// Whether `old` and `new` give every page the same path, but the article page `edited`.
fn only_moved(old: &Plan, new: &Plan, edited: Option<(Li, ArticleIx)>) -> bool {
    let ws = new.ws;
    (0..new.locales.len()).all(|li| {
        let articles_stay = (ws.article_ixs())
            .filter(|&a| Some((li, a)) != edited)
            .all(|a| old.article_path(li, a) == new.article_path(li, a));
        articles_stay
            && ws
                .group_ixs()
                .all(|g| old.group_path(li, g) == new.group_path(li, g))
    }) && old.locales == new.locales
        && old.default == new.default
}

/// The pages of `plan` that show the article translation `edited` (see the module's
/// documentation), each once.
fn pages_showing(
    plan: &Plan,
    backlinks: &Backlinks,
    edited: Option<(Li, ArticleIx)>,
    moved: bool,
) -> Vec<Page> {
    let Some((li, a)) = edited else {
        return Vec::new();
    };
    let mut pages = vec![Page::Article(li, a)];
    let article = plan.ws.article(a);
    match article.parent.filter(|&g| plan.group_path(li, g).is_some()) {
        Some(g) => {
            pages.push(Page::Group(li, g));
            pages.extend(
                plan.articles_in(li, g)
                    .iter()
                    .map(|&s| Page::Article(li, s)),
            );
        }
        None => pages.push(Page::Home(li)),
    }
    if moved {
        pages.extend(
            plan.article_locales(a)
                .into_iter()
                .map(|l| Page::Article(l, a)),
        );
        pages.extend(backlinks.pages_linking_to(plan, &article.id));
    }
    let mut seen = HashSet::new();
    pages.retain(|&page| seen.insert(page) && page_exists(plan, page));
    pages
}

/// Whether `page` is a page of `plan`.
fn page_exists(plan: &Plan, page: Page) -> bool {
    match page {
        Page::Article(li, a) => plan.article_path(li, a).is_some(),
        Page::Group(li, g) => plan.group_path(li, g).is_some(),
        Page::Home(_) | Page::Root | Page::NotFound => true,
    }
}
