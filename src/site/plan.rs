//! What the site contains: its locales, and which article and collection pages exist in each.
//!
//! Rules, so that no page lists or links to something that does not exist in its locale:
//! - an article page exists in a locale when the article has a translation there that is
//!   published (or any translation, with drafts);
//! - a group (collection or section) is listed in a locale when it has a name there, its
//!   parent is listed there (or it is top level), and it holds at least one article page of
//!   that locale, directly or below it;
//! - the site's locales are those with at least one article page, limited by `--locales`.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::html::LinkMap;
use crate::model::{ArticleIx, GroupIx, GroupKind, HelpCenter, HelpCenterIx, Locale, Workspace};

/// Index of a locale in [`Plan::locales`].
pub type Li = usize;

/// One page to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    /// `/index.html`: chooses a language.
    Root,
    /// `/<locale>/`: the top-level collections.
    Home(Li),
    /// A collection or section page.
    Group(Li, GroupIx),
    /// An article page.
    Article(Li, ArticleIx),
    /// `/404.html`.
    NotFound,
}

/// The site's locales and pages, computed once before rendering.
pub struct Plan<'w> {
    /// The workspace.
    pub ws: &'w Workspace,
    /// The help center being built, if the snapshot has one.
    pub help_center: Option<&'w HelpCenter>,
    /// The site's locales, sorted.
    pub locales: Vec<Locale>,
    /// The locale `/` sends visitors to.
    pub default: Li,
    /// Top-level groups, in display order.
    pub top: Vec<GroupIx>,
    /// `[locale][article]`: the page's site path, when it exists.
    article_paths: Vec<Vec<Option<String>>>,
    /// `[locale][group]`: the page's site path, when the group is listed.
    group_paths: Vec<Vec<Option<String>>>,
    /// `[locale][group]`: article pages in the group and below.
    counts: Vec<Vec<usize>>,
    /// `[locale][group]`: the group's own article pages, in display order.
    listed: Vec<Vec<Vec<ArticleIx>>>,
    /// `[locale]`: article pages that no listed group lists (standalone articles, and those
    /// whose collection has no name in the locale), in display order. The home page lists them,
    /// so every page can be reached from it.
    loose: Vec<Vec<ArticleIx>>,
}

impl<'w> Plan<'w> {
    /// Works out the pages of `ws`, with or without drafts, limited to `requested` locales.
    pub fn new(ws: &'w Workspace, drafts: bool, requested: Option<&[String]>) -> Result<Plan<'w>> {
        let help_center = single_help_center(ws)?;
        // After loading with a help center selected, it is the workspace's only one.
        let top = ws.top_groups(help_center.map(|_| HelpCenterIx(0)));
        let candidates: Vec<Locale> = ws
            .locales
            .iter()
            .filter(|l| has_article_page(ws, l, drafts))
            .cloned()
            .collect();
        let locales = select_locales(candidates, requested)?;
        let default_locale = help_center.map_or(&ws.default_locale, |h| &h.default_locale);
        let default = locales
            .iter()
            .position(|l| l == default_locale)
            .unwrap_or(0);
        let mut plan = Plan {
            ws,
            help_center,
            default,
            top,
            article_paths: Vec::new(),
            group_paths: Vec::new(),
            counts: Vec::new(),
            listed: Vec::new(),
            loose: Vec::new(),
            locales,
        };
        for li in 0..plan.locales.len() {
            plan.add_locale(li, drafts);
        }
        plan.check_unique_group_paths()?;
        Ok(plan)
    }

    fn add_locale(&mut self, li: Li, drafts: bool) {
        let ws = self.ws;
        let locale = &self.locales[li];
        let articles: Vec<Option<String>> = ws
            .articles
            .iter()
            .map(|a| {
                let published = a.content.get(locale)?.is_published();
                (drafts || published).then(|| a.site_path(locale)).flatten()
            })
            .collect();
        let mut counts = vec![0; ws.groups.len()];
        let mut listed = vec![false; ws.groups.len()];
        for &g in &self.top {
            count_subtree(ws, locale, &articles, g, &mut counts, &mut listed);
        }
        let groups: Vec<Option<String>> = ws
            .groups
            .iter()
            .enumerate()
            .map(|(g, group)| listed[g].then(|| group.site_path(locale)).flatten())
            .collect();
        let has_page = |a: &ArticleIx| articles[a.0].is_some();
        let in_groups = ws
            .groups
            .iter()
            .zip(&groups)
            .map(|(group, path)| match path {
                Some(_) => {
                    let ordered = ws.in_display_order(&group.articles, locale);
                    ordered.into_iter().filter(has_page).collect()
                }
                None => Vec::new(),
            })
            .collect();
        let loose: Vec<ArticleIx> = ws
            .article_ixs()
            .filter(|a| has_page(a))
            .filter(|&a| ws.article(a).parent.is_none_or(|g| groups[g.0].is_none()))
            .collect();
        self.loose.push(ws.in_display_order(&loose, locale));
        self.listed.push(in_groups);
        self.article_paths.push(articles);
        self.group_paths.push(groups);
        self.counts.push(counts);
    }

    /// A section and a collection could share an id (and slug); two pages cannot share a path.
    fn check_unique_group_paths(&self) -> Result<()> {
        for paths in &self.group_paths {
            let mut seen: HashMap<&str, GroupIx> = HashMap::new();
            for (g, path) in paths.iter().enumerate() {
                let Some(path) = path else { continue };
                if let Some(other) = seen.insert(path, GroupIx(g)) {
                    return Err(Error::data(format!(
                        "{} and {} would both be built at {path}",
                        self.ws.group(other).source.display(),
                        self.ws.group(GroupIx(g)).source.display()
                    )));
                }
            }
        }
        Ok(())
    }

    /// The site path of an article page, if it exists in that locale.
    pub fn article_path(&self, li: Li, a: ArticleIx) -> Option<&str> {
        self.article_paths[li][a.0].as_deref()
    }

    /// The site path of a group page, if the group is listed in that locale.
    pub fn group_path(&self, li: Li, g: GroupIx) -> Option<&str> {
        self.group_paths[li][g.0].as_deref()
    }

    /// Article pages in a group and below it, in one locale.
    pub fn count(&self, li: Li, g: GroupIx) -> usize {
        self.counts[li][g.0]
    }

    /// The article pages a group lists in one locale, in display order.
    pub fn articles_in(&self, li: Li, g: GroupIx) -> &[ArticleIx] {
        &self.listed[li][g.0]
    }

    /// The article pages of a locale that no group lists, in display order.
    pub fn loose_articles(&self, li: Li) -> &[ArticleIx] {
        &self.loose[li]
    }

    /// Locales in which an article page exists.
    pub fn article_locales(&self, a: ArticleIx) -> Vec<Li> {
        (0..self.locales.len())
            .filter(|&li| self.article_paths[li][a.0].is_some())
            .collect()
    }

    /// Locales in which a group is listed.
    pub fn group_locales(&self, g: GroupIx) -> Vec<Li> {
        (0..self.locales.len())
            .filter(|&li| self.group_paths[li][g.0].is_some())
            .collect()
    }

    /// Every page, in a fixed order: root, then per locale its home, groups and articles.
    pub fn pages(&self) -> Vec<Page> {
        let mut pages = vec![Page::Root, Page::NotFound];
        for li in 0..self.locales.len() {
            pages.push(Page::Home(li));
            pages.extend(
                self.ws
                    .group_ixs()
                    .filter(|&g| self.group_path(li, g).is_some())
                    .map(|g| Page::Group(li, g)),
            );
            pages.extend(
                self.ws
                    .article_ixs()
                    .filter(|&a| self.article_path(li, a).is_some())
                    .map(|a| Page::Article(li, a)),
            );
        }
        pages
    }

    /// The map from the help center's URLs to site paths, for rewriting links in bodies.
    pub fn link_map(&self) -> LinkMap {
        let mut links = LinkMap::new(self.hosts());
        let default = &self.locales[self.default];
        let others = self.locales.iter().filter(|&l| l != default);
        links.set_fallback_locales(std::iter::once(default).chain(others).map(Locale::as_str));
        // Sections first: should a collection share a section's id, the collection wins.
        let mut groups: Vec<GroupIx> = self.ws.group_ixs().collect();
        groups.sort_by_key(|&g| self.ws.group(g).kind == GroupKind::Collection);
        for (li, locale) in self.locales.iter().enumerate() {
            for &g in &groups {
                if let Some(path) = self.group_path(li, g) {
                    links.add_collection(&self.ws.group(g).id, locale.as_str(), path);
                }
            }
            for a in self.ws.article_ixs() {
                if let Some(path) = self.article_path(li, a) {
                    links.add_article(&self.ws.article(a).id, locale.as_str(), path);
                }
            }
        }
        links
    }

    /// The hosts the help center was served on: its URL, its custom domain, and the host of
    /// every content URL (Intercom-hosted help centers live on a shared domain).
    fn hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = Vec::new();
        if let Some(hc) = self.help_center {
            hosts.extend(hc.url.iter().cloned());
            hosts.extend(hc.custom_domain.iter().cloned());
        }
        let article_urls = self
            .ws
            .articles
            .iter()
            .flat_map(|a| a.content.values().filter_map(|c| c.url.as_deref()));
        let group_urls = self
            .ws
            .groups
            .iter()
            .flat_map(|g| g.content.values().filter_map(|c| c.url.as_deref()));
        for url in article_urls.chain(group_urls) {
            if let Some(host) = url::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
            {
                if !hosts.contains(&host) {
                    hosts.push(host);
                }
            }
        }
        hosts
    }
}

fn single_help_center(ws: &Workspace) -> Result<Option<&HelpCenter>> {
    match ws.help_centers.as_slice() {
        [] => Ok(None),
        [only] => Ok(Some(only)),
        several => {
            let list: Vec<String> = several
                .iter()
                .map(|h| match &h.display_name {
                    Some(name) => format!("{} ({name})", h.id),
                    None => h.id.clone(),
                })
                .collect();
            Err(Error::usage(format!(
                "the snapshot has {} help centers; choose one with --help-center: {}",
                several.len(),
                list.join(", ")
            )))
        }
    }
}

fn has_article_page(ws: &Workspace, locale: &Locale, drafts: bool) -> bool {
    ws.articles.iter().any(|a| {
        a.content
            .get(locale)
            .is_some_and(|c| drafts || c.is_published())
    })
}

fn select_locales(available: Vec<Locale>, requested: Option<&[String]>) -> Result<Vec<Locale>> {
    let Some(requested) = requested else {
        return Ok(available);
    };
    if requested.is_empty() {
        return Err(Error::usage("--locales names no locale"));
    }
    let list = || {
        let codes: Vec<&str> = available.iter().map(Locale::as_str).collect();
        if codes.is_empty() {
            "none".to_string()
        } else {
            codes.join(", ")
        }
    };
    let mut chosen = Vec::new();
    for code in requested {
        let Some(locale) = available.iter().find(|l| l.as_str() == code) else {
            return Err(Error::usage(format!(
                "--locales: the site has no locale {code:?}; available: {}",
                list()
            )));
        };
        if !chosen.contains(locale) {
            chosen.push(locale.clone());
        }
    }
    chosen.sort();
    Ok(chosen)
}

/// Counts article pages below `g` and marks the groups that are listed; returns the count.
fn count_subtree(
    ws: &Workspace,
    locale: &Locale,
    articles: &[Option<String>],
    g: GroupIx,
    counts: &mut [usize],
    listed: &mut [bool],
) -> usize {
    let group = ws.group(g);
    if !group.content.contains_key(locale) {
        return 0;
    }
    let mut count = group
        .articles
        .iter()
        .filter(|a| articles[a.0].is_some())
        .count();
    for &child in &group.children {
        count += count_subtree(ws, locale, articles, child, counts, listed);
    }
    counts[g.0] = count;
    listed[g.0] = count > 0;
    count
}
