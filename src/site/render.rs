//! Turning each planned page into HTML: the template context of every page kind.
//!
//! Contexts are built from borrowed model data and serialised once into Tera's context; every
//! href is computed here (relative to the page), so templates only place values.

use serde::Serialize;

use super::i18n::{article_count, Strings};
use super::plan::{Li, Page, Plan};
use super::search;
use super::templates::Templates;
use super::urls::{href, root_prefix, BaseUrl};
use crate::error::Result;
use crate::html::{text_of, BodyCache, LinkMap};
use crate::model::{slug, ArticleIx, GroupIx, GroupKind, Locale};

/// Everything a page needs besides the page itself; shared by all rendering threads.
pub struct Renderer<'a> {
    /// The pages and their paths.
    pub plan: &'a Plan<'a>,
    /// Compiled templates.
    pub templates: &'a Templates,
    /// Site paths of every page, for link rewriting.
    pub links: &'a LinkMap,
    /// Sanitised bodies from earlier builds.
    pub cache: &'a BodyCache,
    /// `--base-url`, when given.
    pub base: Option<&'a BaseUrl>,
    /// UI strings per locale (same order as the plan's locales).
    pub strings: Vec<Strings>,
    /// Language names per locale.
    pub names: Vec<String>,
    /// The stylesheet's path under the site root, with a content hash query.
    pub css: String,
    /// Where article pages leave their text for the search index; `None` with `--no-search`.
    pub search: Option<&'a search::Indexing>,
    /// The search box script's path under the site root, with a content hash query.
    pub search_script: Option<String>,
}

/// The frame every page shares: language, links to itself in other languages, head metadata.
#[derive(Serialize)]
struct Frame<'a> {
    lang: &'a str,
    dir: &'static str,
    root: String,
    site_name: &'a str,
    home: String,
    css: String,
    t: &'a Strings,
    title: &'a str,
    description: String,
    canonical: Option<String>,
    og_type: &'static str,
    og_locale: String,
    current_language: &'a str,
    alternates: Vec<Alternate>,
    x_default: Option<String>,
    search: Option<SearchBox>,
}

/// The search box of a page: its locale's index and the script that queries it.
#[derive(Serialize)]
struct SearchBox {
    /// Link to the folder of the locale's search bundle (`../../pagefind/de/`).
    bundle: String,
    /// Link to the search box script.
    script: String,
}

/// This page in one language.
#[derive(Serialize)]
struct Alternate {
    hreflang: String,
    /// Relative link, for the language switcher.
    href: String,
    /// Absolute URL with `--base-url`, else the relative link: for `<link rel=alternate>`.
    url: String,
    name: String,
    dir: &'static str,
    og_locale: String,
    current: bool,
}

#[derive(Serialize)]
struct Crumb {
    name: String,
    href: String,
}

/// A child group as a card: home page and collection pages.
#[derive(Serialize)]
struct Card<'a> {
    name: &'a str,
    description: String,
    href: String,
    count: usize,
    count_label: String,
    icon: Option<&'a str>,
    kind: GroupKind,
    /// `h_<slug>` for sections: Intercom linked to a section as an anchor of its collection
    /// page (`/collections/301-x#your-account`), which link rewriting turns into `#h_...`.
    anchor: Option<String>,
}

#[derive(Serialize)]
struct ArticleLink<'a> {
    title: &'a str,
    description: String,
    href: String,
}

#[derive(Serialize)]
struct Date {
    datetime: String,
    date: String,
}

#[derive(Serialize)]
struct HomeView<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    groups: Vec<Card<'a>>,
}

#[derive(Serialize)]
struct GroupHeader<'a> {
    id: &'a str,
    name: &'a str,
    description: String,
    kind: GroupKind,
    icon: Option<&'a str>,
}

#[derive(Serialize)]
struct CollectionView<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    breadcrumbs: Vec<Crumb>,
    group: GroupHeader<'a>,
    groups: Vec<Card<'a>>,
    articles: Vec<ArticleLink<'a>>,
}

#[derive(Serialize)]
struct ArticleBody<'a> {
    id: &'a str,
    title: &'a str,
    description: String,
    body: String,
    updated: Option<Date>,
}

#[derive(Serialize)]
struct ArticleView<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    breadcrumbs: Vec<Crumb>,
    article: ArticleBody<'a>,
}

/// A language on the root and 404 pages.
#[derive(Serialize)]
struct Language {
    code: String,
    name: String,
    href: String,
    dir: &'static str,
    default: bool,
}

#[derive(Serialize)]
struct LanguagesView<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    languages: Vec<Language>,
    default_locale: &'a str,
    /// The locale codes as a JSON array, for the root page's redirect script.
    locales_json: String,
}

impl Renderer<'_> {
    /// Renders a page into `html` (replacing what it held) and returns its output file,
    /// relative to `--out`. An article page is given its raw body (moved out of the model, see
    /// `take_bodies`). One buffer serves many pages, so rendering allocates no output.
    pub fn render(&self, page: Page, body: String, html: &mut Vec<u8>) -> Result<String> {
        let path = self.site_path(page);
        match page {
            Page::Root => self.root_page(&path, html)?,
            Page::NotFound => self.not_found_page(html)?,
            Page::Home(li) => self.home_page(li, &path, html)?,
            Page::Group(li, g) => self.group_page(li, g, &path, html)?,
            Page::Article(li, a) => self.article_page(li, a, &path, &body, html)?,
        }
        Ok(super::urls::output_file(&path))
    }

    /// The site path of a planned page.
    pub fn site_path(&self, page: Page) -> String {
        let plan = self.plan;
        match page {
            Page::Root => "/".to_string(),
            Page::NotFound => "/404.html".to_string(),
            Page::Home(li) => slug::home_path(&plan.locales[li]),
            Page::Group(li, g) => plan.group_path(li, g).expect("planned").to_string(),
            Page::Article(li, a) => plan.article_path(li, a).expect("planned").to_string(),
        }
    }

    fn locale(&self, li: Li) -> &Locale {
        &self.plan.locales[li]
    }

    fn site_name(&self, li: Li) -> &str {
        self.plan
            .help_center
            .and_then(|h| h.display_name.as_deref())
            .unwrap_or_else(|| self.strings[li]["help_center"].as_str())
    }

    /// The frame of a page at `path` in locale `li`, available in `translations` (each with
    /// its site path).
    fn frame<'s>(
        &'s self,
        li: Li,
        path: &str,
        root: String,
        title: &'s str,
        description: &str,
        translations: &[(Li, &str)],
    ) -> Frame<'s> {
        let locale = self.locale(li);
        let alternates: Vec<Alternate> = translations
            .iter()
            .map(|&(other, other_path)| self.alternate(li, other, &root, other_path))
            .collect();
        let x_default = translations
            .iter()
            .find(|(other, _)| *other == self.plan.default)
            .map(|&(_, p)| self.url(&root, p));
        Frame {
            lang: locale.as_str(),
            dir: locale.dir(),
            home: href(&root, &slug::home_path(locale)),
            css: format!("{root}{}", self.css),
            site_name: self.site_name(li),
            t: &self.strings[li],
            title,
            description: plain_text(description),
            canonical: self.base.map(|b| b.absolute(path)),
            og_type: "website",
            og_locale: og_locale(locale),
            current_language: &self.names[li],
            alternates,
            x_default,
            search: self.search_script.as_ref().map(|script| SearchBox {
                bundle: href(&root, &search::bundle_path(locale)),
                script: format!("{root}{script}"),
            }),
            root,
        }
    }

    fn alternate(&self, current: Li, li: Li, root: &str, path: &str) -> Alternate {
        let locale = self.locale(li);
        Alternate {
            hreflang: locale.to_string(),
            href: href(root, path),
            url: self.url(root, path),
            name: self.names[li].clone(),
            dir: locale.dir(),
            og_locale: og_locale(locale),
            current: li == current,
        }
    }

    /// Absolute with `--base-url`, else relative to the page.
    fn url(&self, root: &str, path: &str) -> String {
        match self.base {
            Some(base) => base.absolute(path),
            None => href(root, path),
        }
    }

    /// Sanitises HTML from the data for the page at `path`, through the cache.
    fn clean(&self, html: &str, li: Li, path: &str) -> String {
        if html.trim().is_empty() {
            return String::new();
        }
        self.cache
            .sanitize_with_links(html, self.links, self.locale(li).as_str(), path)
    }

    fn home_translations(&self) -> Vec<(Li, String)> {
        (0..self.plan.locales.len())
            .map(|li| (li, slug::home_path(self.locale(li))))
            .collect()
    }

    fn home_page(&self, li: Li, path: &str, html: &mut Vec<u8>) -> Result<()> {
        let root = root_prefix(path);
        let homes = self.home_translations();
        let translations: Vec<(Li, &str)> = homes.iter().map(|(l, p)| (*l, p.as_str())).collect();
        let groups = self.cards(li, &self.plan.top, path, &root);
        let title = self.site_name(li);
        let frame = self.frame(li, path, root, title, "", &translations);
        self.templates
            .render_to("home.html", &HomeView { frame, groups }, html)
    }

    fn cards(&self, li: Li, groups: &[GroupIx], path: &str, root: &str) -> Vec<Card<'_>> {
        let locale = self.locale(li);
        groups
            .iter()
            .filter_map(|&g| {
                let target = self.plan.group_path(li, g)?;
                let group = self.plan.ws.group(g);
                let content = &group.content[locale];
                let count = self.plan.count(li, g);
                Some(Card {
                    name: &content.name,
                    description: self.clean(&content.description, li, path),
                    href: href(root, target),
                    count,
                    count_label: article_count(&self.strings[li], locale, count),
                    icon: group.icon.as_deref(),
                    kind: group.kind,
                    anchor: (group.kind == GroupKind::Section)
                        .then(|| format!("h_{}", content.slug)),
                })
            })
            .collect()
    }

    fn crumbs(&self, li: Li, root: &str, chain: &[GroupIx]) -> Vec<Crumb> {
        let locale = self.locale(li);
        let mut crumbs = vec![Crumb {
            name: self.strings[li]["all_collections"].clone(),
            href: href(root, &slug::home_path(locale)),
        }];
        for &g in chain {
            let Some(target) = self.plan.group_path(li, g) else {
                break;
            };
            crumbs.push(Crumb {
                name: self.plan.ws.group(g).content[locale].name.clone(),
                href: href(root, target),
            });
        }
        crumbs
    }

    fn group_page(&self, li: Li, g: GroupIx, path: &str, html: &mut Vec<u8>) -> Result<()> {
        let (plan, ws) = (self.plan, self.plan.ws);
        let root = root_prefix(path);
        let group = ws.group(g);
        let content = &group.content[self.locale(li)];
        let paths: Vec<(Li, &str)> = plan
            .group_locales(g)
            .into_iter()
            .map(|l| (l, plan.group_path(l, g).expect("listed")))
            .collect();
        let articles = ws
            .ordered_articles(g, self.locale(li))
            .into_iter()
            .filter_map(|a| self.article_link(li, a, path, &root))
            .collect();
        let view = CollectionView {
            breadcrumbs: self.crumbs(li, &root, &ws.ancestors(g)),
            group: GroupHeader {
                id: &group.id,
                name: &content.name,
                description: self.clean(&content.description, li, path),
                kind: group.kind,
                icon: group.icon.as_deref(),
            },
            groups: self.cards(li, &group.children, path, &root),
            articles,
            frame: self.frame(li, path, root, &content.name, &content.description, &paths),
        };
        self.templates.render_to("collection.html", &view, html)
    }

    fn article_link(
        &self,
        li: Li,
        a: ArticleIx,
        path: &str,
        root: &str,
    ) -> Option<ArticleLink<'_>> {
        let target = self.plan.article_path(li, a)?;
        let content = &self.plan.ws.article(a).content[self.locale(li)];
        Some(ArticleLink {
            title: &content.title,
            description: self.clean(&content.description, li, path),
            href: href(root, target),
        })
    }

    fn article_page(
        &self,
        li: Li,
        a: ArticleIx,
        path: &str,
        body: &str,
        html: &mut Vec<u8>,
    ) -> Result<()> {
        let (plan, ws) = (self.plan, self.plan.ws);
        let root = root_prefix(path);
        let article = ws.article(a);
        let content = &article.content[self.locale(li)];
        let paths: Vec<(Li, &str)> = plan
            .article_locales(a)
            .into_iter()
            .map(|l| (l, plan.article_path(l, a).expect("exists")))
            .collect();
        let chain = match article.parent {
            Some(parent) => {
                let mut chain = ws.ancestors(parent);
                chain.push(parent);
                chain
            }
            None => Vec::new(),
        };
        let mut frame = self.frame(li, path, root, &content.title, &content.description, &paths);
        frame.og_type = "article";
        let description = self.clean(&content.description, li, path);
        let body = self.clean(body, li, path);
        if let Some(search) = self.search {
            // A collection without a name in this locale has no page here either.
            let collection = article
                .parent
                .and_then(|g| ws.group(g).content.get(self.locale(li)));
            search.collector.add(
                li,
                search::Record {
                    key: article.id.clone(),
                    url: path.to_string(),
                    title: content.title.clone(),
                    collection: collection.map(|c| c.name.clone()),
                    text: format!("{} {}", text_of(&description), text_of(&body)),
                },
            );
        }
        let view = ArticleView {
            breadcrumbs: self.crumbs(li, &frame.root, &chain),
            article: ArticleBody {
                id: &article.id,
                title: &content.title,
                description,
                body,
                updated: content.updated_at.and_then(date),
            },
            frame,
        };
        self.templates.render_to("article.html", &view, html)
    }

    fn languages(&self, root: &str) -> Vec<Language> {
        (0..self.plan.locales.len())
            .map(|li| Language {
                code: self.locale(li).to_string(),
                name: self.names[li].clone(),
                href: href(root, &slug::home_path(self.locale(li))),
                dir: self.locale(li).dir(),
                default: li == self.plan.default,
            })
            .collect()
    }

    fn languages_view<'s>(&'s self, root: String, path: &str, title: &'s str) -> LanguagesView<'s> {
        let li = self.plan.default;
        let codes: Vec<&str> = self.plan.locales.iter().map(Locale::as_str).collect();
        LanguagesView {
            languages: self.languages(&root),
            default_locale: self.locale(li).as_str(),
            // Locale codes are `[A-Za-z0-9-]`, so the JSON cannot close the script element.
            locales_json: serde_json::to_string(&codes).expect("strings serialise"),
            frame: self.frame(li, path, root, title, "", &[]),
        }
    }

    fn root_page(&self, path: &str, html: &mut Vec<u8>) -> Result<()> {
        let title = self.site_name(self.plan.default);
        let view = self.languages_view(root_prefix(path), path, title);
        self.templates.render_to("index.html", &view, html)
    }

    /// The 404 page is served for any missing path, at any depth, so its links cannot be
    /// relative: they start from the base URL's path, or `/`.
    fn not_found_page(&self, html: &mut Vec<u8>) -> Result<()> {
        let root = self.base.map_or("/", |b| b.path()).to_string();
        let li = self.plan.default;
        let title = self.strings[li]["not_found_title"].as_str();
        let mut view = self.languages_view(root, "/404.html", title);
        view.frame.canonical = None;
        self.templates.render_to("404.html", &view, html)
    }
}

/// `2024-01-05` and the full RFC 3339 time of a Unix timestamp (UTC).
fn date(timestamp: i64) -> Option<Date> {
    let time = time::OffsetDateTime::from_unix_timestamp(timestamp).ok()?;
    let datetime = time
        .format(&time::format_description::well_known::Rfc3339)
        .ok()?;
    let date = datetime.get(..10)?.to_string();
    Some(Date { datetime, date })
}

/// `pt_BR` for `pt-BR`: Open Graph writes locales with an underscore.
fn og_locale(locale: &Locale) -> String {
    locale.as_str().replace('-', "_")
}

/// A description as plain text for `<meta>`: tags dropped, whitespace collapsed. A `<` that
/// does not start a tag (`a < b`) is text.
fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut chars = html.chars().peekable();
    while let Some(c) = chars.next() {
        let starts_tag = c == '<'
            && chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!'));
        if starts_tag {
            for c in chars.by_ref() {
                if c == '>' {
                    break;
                }
            }
            text.push(' ');
        } else {
            text.push(c);
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_of_descriptions() {
        assert_eq!(
            plain_text("  Set <b>up</b>\n your   account "),
            "Set up your account"
        );
        assert_eq!(plain_text("a < b <br/>c"), "a < b c");
        assert_eq!(plain_text(""), "");
    }

    #[test]
    fn dates_are_utc() {
        let d = date(1_700_000_000).unwrap();
        assert_eq!(d.datetime, "2023-11-14T22:13:20Z");
        assert_eq!(d.date, "2023-11-14");
    }
}
