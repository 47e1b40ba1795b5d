//! The one in-memory help-center tree.
//!
//! Loaders build a [`Workspace`] (today from a snapshot: [`load_snapshot`]); renderers (the HTML
//! site, the Markdown exporter) and the pusher only read it. API 2.9 sections and 2.10+ nested
//! collections are both [`Group`]s with a [`GroupKind`] tag, so consumers have one code path.
//! Objects refer to each other by index ([`GroupIx`], [`ArticleIx`]) into the workspace's lists.

mod fields;
mod load;
mod locale;
pub mod slug;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use load::{load_snapshot, LoadOptions};
pub use locale::{Locale, INTERCOM_LOCALES};

/// Index of a [`HelpCenter`] in [`Workspace::help_centers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct HelpCenterIx(pub usize);

/// Index of a [`Group`] in [`Workspace::groups`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GroupIx(pub usize);

/// Index of an [`Article`] in [`Workspace::articles`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ArticleIx(pub usize);

/// Everything one snapshot holds, resolved into a tree.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Workspace {
    /// Help centers, sorted by id.
    pub help_centers: Vec<HelpCenter>,
    /// Collections and sections, sorted by kind then id.
    pub groups: Vec<Group>,
    /// Articles, sorted by id.
    pub articles: Vec<Article>,
    /// The locale of content that comes without `translated_content` (see [`LoadOptions`]).
    pub default_locale: Locale,
    /// Every locale some article or group has content in, sorted.
    pub locales: Vec<Locale>,
    /// Problems the loader carried on after (already logged with `tracing::warn!`).
    pub warnings: Vec<String>,
}

/// A help center: the root of a tree of groups.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HelpCenter {
    /// The API id.
    pub id: String,
    /// The identifier used in Intercom's URLs, e.g. `acme`.
    pub identifier: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
    /// The public URL, e.g. `https://help.acme.com`.
    pub url: Option<String>,
    /// The custom domain, if one is configured.
    pub custom_domain: Option<String>,
    /// The locale visitors get by default.
    pub default_locale: Locale,
    /// Locales with content in this help center's groups or their articles, sorted.
    pub locales: Vec<Locale>,
    /// Top-level groups, in display order.
    pub groups: Vec<GroupIx>,
    /// The snapshot file it came from.
    pub source: PathBuf,
}

/// Whether a group was a collection or an API 2.9 section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// A collection (nested under another collection from API 2.10 on).
    Collection,
    /// An API 2.9 section: a child group of a collection.
    Section,
}

/// A collection or a section.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Group {
    /// The API id (collections and sections have separate id spaces).
    pub id: String,
    /// Collection or section.
    pub kind: GroupKind,
    /// The parent group; `None` at the top level.
    pub parent: Option<GroupIx>,
    /// The help center of the tree it is in, if known.
    pub help_center: Option<HelpCenterIx>,
    /// Position among its siblings (`0` when the API gives none).
    pub order: i64,
    /// Intercom's icon name, e.g. `book-bookmark`.
    pub icon: Option<String>,
    /// Creation time, Unix seconds.
    pub created_at: Option<i64>,
    /// Last update, Unix seconds.
    pub updated_at: Option<i64>,
    /// Content per locale; a locale without a name is absent.
    pub content: BTreeMap<Locale, GroupContent>,
    /// Child groups, by `order` then id.
    pub children: Vec<GroupIx>,
    /// Articles whose parent this is, by id (see [`Workspace::ordered_articles`]).
    pub articles: Vec<ArticleIx>,
    /// The snapshot file it came from.
    pub source: PathBuf,
}

/// A group's name and description in one locale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupContent {
    /// The name.
    pub name: String,
    /// The description, as the API gives it (may be empty).
    pub description: String,
    /// Intercom's public URL; the API gives it for the default locale only.
    pub url: Option<String>,
    /// The slug of the name (see [`slug::slugify`]).
    pub slug: String,
}

/// An article.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Article {
    /// The API id.
    pub id: String,
    /// The group it is in; `None` for a standalone article.
    pub parent: Option<GroupIx>,
    /// Position among its siblings, when the API gives one.
    pub order: Option<i64>,
    /// Content per locale; a locale without a translation is absent.
    pub content: BTreeMap<Locale, ArticleContent>,
    /// The snapshot file it came from.
    pub source: PathBuf,
}

/// Whether a translation is visible to readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Live.
    Published,
    /// Not yet live (also anything the API reports that this tool does not know).
    Draft,
}

/// An article's content in one locale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleContent {
    /// The title.
    pub title: String,
    /// The description (plain text as the API gives it; may be empty).
    pub description: String,
    /// The body: raw HTML exactly as in the snapshot, not yet sanitised.
    pub body: String,
    /// The author's id.
    pub author_id: Option<String>,
    /// Published or draft.
    pub state: State,
    /// Creation time, Unix seconds.
    pub created_at: Option<i64>,
    /// Last update, Unix seconds.
    pub updated_at: Option<i64>,
    /// Intercom's public URL of this translation.
    pub url: Option<String>,
    /// The slug of the title (see [`slug::slugify`]).
    pub slug: String,
    /// The site path the source says this translation's page has (a Markdown file's `url:`):
    /// differs from [`Article::site_path`] when the title changed since it was written.
    pub recorded_path: Option<String>,
}

impl ArticleContent {
    /// Whether readers can see this translation.
    pub fn is_published(&self) -> bool {
        self.state == State::Published
    }
}

impl Article {
    /// The site path of this article in `locale` (`/fr/articles/12-bonjour/`), if translated.
    pub fn site_path(&self, locale: &Locale) -> Option<String> {
        let content = self.content.get(locale)?;
        Some(slug::article_path(locale, &self.id, &content.slug))
    }
}

impl Group {
    /// The site path of this group in `locale` (`/fr/collections/3-aide/`), if translated.
    pub fn site_path(&self, locale: &Locale) -> Option<String> {
        let content = self.content.get(locale)?;
        Some(slug::group_path(locale, &self.id, &content.slug))
    }
}

impl Workspace {
    /// The help center with this API id.
    pub fn help_center_by_id(&self, id: &str) -> Option<HelpCenterIx> {
        self.help_centers
            .iter()
            .position(|hc| hc.id == id)
            .map(HelpCenterIx)
    }

    /// A help center by index.
    pub fn help_center(&self, ix: HelpCenterIx) -> &HelpCenter {
        &self.help_centers[ix.0]
    }

    /// A group by index.
    pub fn group(&self, ix: GroupIx) -> &Group {
        &self.groups[ix.0]
    }

    /// An article by index.
    pub fn article(&self, ix: ArticleIx) -> &Article {
        &self.articles[ix.0]
    }

    /// Every group index, in list order.
    pub fn group_ixs(&self) -> impl Iterator<Item = GroupIx> {
        (0..self.groups.len()).map(GroupIx)
    }

    /// Every article index, in list order.
    pub fn article_ixs(&self) -> impl Iterator<Item = ArticleIx> {
        (0..self.articles.len()).map(ArticleIx)
    }

    /// Top-level groups: those of `help_center`, or every parentless group when `None`.
    pub fn top_groups(&self, help_center: Option<HelpCenterIx>) -> Vec<GroupIx> {
        match help_center {
            Some(hc) => self.help_center(hc).groups.clone(),
            None => {
                let mut top: Vec<GroupIx> = self
                    .group_ixs()
                    .filter(|&g| self.group(g).parent.is_none())
                    .collect();
                top.sort_by(|&a, &b| group_order(self, a, b));
                top
            }
        }
    }

    /// The ancestors of a group, from the top level down, excluding the group itself.
    pub fn ancestors(&self, group: GroupIx) -> Vec<GroupIx> {
        let mut chain = Vec::new();
        let mut current = self.group(group).parent;
        while let Some(ix) = current {
            chain.push(ix);
            current = self.group(ix).parent;
        }
        chain.reverse();
        chain
    }

    /// The articles of a group that have content in `locale`, in display order (see
    /// [`Workspace::in_display_order`]).
    pub fn ordered_articles(&self, group: GroupIx, locale: &Locale) -> Vec<ArticleIx> {
        self.in_display_order(&self.group(group).articles, locale)
    }

    /// Those of `articles` that have content in `locale`, in display order: those with an
    /// `order` first (by order), then the rest by title (case-insensitively), ties by id.
    pub fn in_display_order(&self, articles: &[ArticleIx], locale: &Locale) -> Vec<ArticleIx> {
        let mut keyed: Vec<(Option<i64>, String, ArticleIx)> = articles
            .iter()
            .filter_map(|&a| {
                let article = self.article(a);
                let content = article.content.get(locale)?;
                Some((article.order, content.title.to_lowercase(), a))
            })
            .collect();
        keyed.sort_by(|a, b| {
            let order = match (a.0, b.0) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            };
            order
                .then_with(|| a.1.cmp(&b.1))
                .then_with(|| a.2.cmp(&b.2))
        });
        keyed.into_iter().map(|(_, _, a)| a).collect()
    }
}

/// Sibling order of groups: `order`, then kind (collections before sections), then id.
pub(crate) fn group_order(ws: &Workspace, a: GroupIx, b: GroupIx) -> std::cmp::Ordering {
    let (ga, gb) = (ws.group(a), ws.group(b));
    ga.order
        .cmp(&gb.order)
        .then(ga.kind.cmp(&gb.kind))
        .then_with(|| id_cmp(&ga.id, &gb.id))
}

/// Orders ids numerically when both are digits (Intercom's are), as text otherwise.
pub fn id_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let numeric = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    if numeric(a) && numeric(b) {
        let (x, y) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
        x.len()
            .cmp(&y.len())
            .then_with(|| x.cmp(y))
            .then_with(|| a.cmp(b))
    } else {
        a.cmp(b)
    }
}

#[cfg(test)]
mod tests;

/// Fills in the child lists, each help center's top-level groups and the locale lists: the
/// last step of every loader, so all loaders give the same tree.
pub(crate) fn link_tree(ws: &mut Workspace) {
    for g in 0..ws.groups.len() {
        match (ws.groups[g].parent, ws.groups[g].help_center) {
            (Some(parent), _) => ws.groups[parent.0].children.push(GroupIx(g)),
            (None, Some(hc)) => ws.help_centers[hc.0].groups.push(GroupIx(g)),
            (None, None) => {}
        }
    }
    for a in 0..ws.articles.len() {
        if let Some(parent) = ws.articles[a].parent {
            ws.groups[parent.0].articles.push(ArticleIx(a));
        }
    }
    let mut children: Vec<Vec<GroupIx>> = ws
        .groups
        .iter_mut()
        .map(|g| std::mem::take(&mut g.children))
        .collect();
    for list in &mut children {
        list.sort_by(|&a, &b| group_order(ws, a, b));
    }
    for (group, list) in ws.groups.iter_mut().zip(children) {
        group.children = list;
    }
    for hc in 0..ws.help_centers.len() {
        let mut top = std::mem::take(&mut ws.help_centers[hc].groups);
        top.sort_by(|&a, &b| group_order(ws, a, b));
        ws.help_centers[hc].groups = top;
    }
    fill_locales(ws);
}

fn fill_locales(ws: &mut Workspace) {
    let mut all = BTreeSet::new();
    let mut per_hc = vec![BTreeSet::new(); ws.help_centers.len()];
    for group in &ws.groups {
        all.extend(group.content.keys().cloned());
        if let Some(hc) = group.help_center {
            per_hc[hc.0].extend(group.content.keys().cloned());
        }
    }
    for article in &ws.articles {
        all.extend(article.content.keys().cloned());
        if let Some(hc) = article.parent.and_then(|g| ws.groups[g.0].help_center) {
            per_hc[hc.0].extend(article.content.keys().cloned());
        }
    }
    ws.locales = all.into_iter().collect();
    for (hc, locales) in ws.help_centers.iter_mut().zip(per_hc) {
        hc.locales = locales.into_iter().collect();
    }
}
