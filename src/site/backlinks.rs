//! Which pages link to which articles: when an article's page moves (its title changed), every
//! page whose body or description links to it must be rendered again, and only those.
//!
//! The renderer notes, for each page it renders, the articles its sanitised HTML links to (the
//! link lookups the body cache records anyway, see [`crate::html::BodyCache`]); a build keeps
//! them by page identity (article or collection id and locale, not path: a page that links to
//! another may move itself). An edit's rebuild only adds to them, so they may name a page that
//! no longer links to an article (it is rendered again for nothing), never miss one.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use super::plan::{Page, Plan};
use crate::model::{ArticleIx, GroupIx, Locale};

/// A page, by what it shows rather than where it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PageKey {
    /// A locale's home page.
    Home(Locale),
    /// A collection or section page: its id and locale.
    Group(String, Locale),
    /// An article page: its id and locale.
    Article(String, Locale),
}

/// Links noted while pages render, by the site path of the page they are on.
#[derive(Default)]
pub struct Noted {
    pages: Mutex<HashMap<String, BTreeSet<Box<str>>>>,
}

impl Noted {
    /// Notes that the page at `page_path` links to the articles `ids`.
    pub fn note(&self, page_path: &str, ids: Vec<Box<str>>) {
        let mut pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        pages.entry(page_path.to_string()).or_default().extend(ids);
    }

    /// The articles the page at `page_path` links to, as noted so far.
    fn take(&self, page_path: &str) -> BTreeSet<Box<str>> {
        let mut pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        pages.remove(page_path).unwrap_or_default()
    }
}

/// For each article id, the pages that link to it.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backlinks {
    linked_from: BTreeMap<String, BTreeSet<PageKey>>,
}

impl Backlinks {
    /// Adds what `noted` holds of the `pages` of `plan` (each with its site path); returns
    /// whether that added anything.
    pub fn add(&mut self, plan: &Plan, noted: &Noted, pages: &[(Page, String)]) -> bool {
        let mut added = false;
        for (page, path) in pages {
            let ids = noted.take(path);
            let Some(key) = (!ids.is_empty()).then(|| page_key(plan, *page)).flatten() else {
                continue;
            };
            for id in ids {
                added |= self
                    .linked_from
                    .entry(id.into_string())
                    .or_default()
                    .insert(key.clone());
            }
        }
        added
    }

    /// The pages of `plan` that link to the article `id`.
    pub fn pages_linking_to(&self, plan: &Plan, id: &str) -> Vec<Page> {
        let Some(keys) = self.linked_from.get(id) else {
            return Vec::new();
        };
        let articles: HashMap<&str, ArticleIx> = (plan.ws.article_ixs())
            .map(|a| (plan.ws.article(a).id.as_str(), a))
            .collect();
        let groups: HashMap<&str, GroupIx> = (plan.ws.group_ixs())
            .map(|g| (plan.ws.group(g).id.as_str(), g))
            .collect();
        let li = |locale: &Locale| plan.locales.iter().position(|l| l == locale);
        let page = |key: &PageKey| match key {
            PageKey::Home(locale) => Some(Page::Home(li(locale)?)),
            PageKey::Group(id, locale) => {
                let (li, g) = (li(locale)?, *groups.get(id.as_str())?);
                plan.group_path(li, g).map(|_| Page::Group(li, g))
            }
            PageKey::Article(id, locale) => {
                let (li, a) = (li(locale)?, *articles.get(id.as_str())?);
                plan.article_path(li, a).map(|_| Page::Article(li, a))
            }
        };
        keys.iter().filter_map(page).collect()
    }
}

/// The key of `page`; `None` for the pages of no locale (the root and 404 pages).
fn page_key(plan: &Plan, page: Page) -> Option<PageKey> {
    let locale = |li: usize| plan.locales[li].clone();
    match page {
        Page::Home(li) => Some(PageKey::Home(locale(li))),
        Page::Group(li, g) => Some(PageKey::Group(plan.ws.group(g).id.clone(), locale(li))),
        Page::Article(li, a) => Some(PageKey::Article(plan.ws.article(a).id.clone(), locale(li))),
        Page::Root | Page::NotFound => None,
    }
}
