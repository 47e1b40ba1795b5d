//! Turning each planned page into HTML: the template context of every page kind.
//!
//! Contexts are built from borrowed model data and serialised once into Tera's context; every
//! href is computed here (relative to the page), so templates only place values.

use serde::Serialize;

use super::backlinks;
use super::body::{self, Heading};
use super::brand::Brand;
use super::i18n::{article_count, format_date, Strings};
use super::meta::{self, plain_text, ArticleFacts, Trail};
use super::plan::{Li, Page, Plan};
use super::redirects::Redirect;
use super::search;
use super::templates::Templates;
use super::urls::{href, root_prefix, BaseUrl};
use crate::error::Result;
use crate::html::{is_http_url, text_of, BodyCache, LinkMap};
use crate::model::{slug, ArticleIx, GroupIx, GroupKind, Locale};

/// Most related articles an article page lists.
const RELATED_ARTICLES: usize = 5;

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
    /// Logo, favicon, header links and footer (paths relative to the site root).
    pub brand: &'a Brand,
    /// Where article pages leave their text for the search index; `None` with `--no-search`.
    pub search: Option<&'a search::Indexing>,
    /// The search box script's path under the site root, with a content hash query.
    pub search_script: Option<String>,
    /// Where pages note the articles they link to, for rebuilds after an edit.
    pub noted: Option<&'a backlinks::Noted>,
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
    /// This locale's Atom feed.
    feed: String,
    brand: &'a Brand,
    /// Absolute URL of the image link previews show (the article's first image).
    og_image: Option<String>,
    twitter_card: &'static str,
    /// When an article was last changed (RFC 3339), for `article:modified_time`.
    modified: Option<String>,
    /// JSON-LD for `<script type="application/ld+json">`, safe to place as is.
    json_ld: Option<String>,
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
    /// Articles no collection lists.
    articles: Vec<ArticleLink<'a>>,
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
    /// The table of contents; empty for fewer than three headings.
    toc: &'a [Heading],
}

#[derive(Serialize)]
struct ArticleView<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    breadcrumbs: Vec<Crumb>,
    article: ArticleBody<'a>,
    /// Other articles of the same collection, in its order.
    related: Vec<ArticleLink<'a>>,
    /// The article's collection, as a link after the related articles.
    collection: Option<Crumb>,
    previous: Option<ArticleLink<'a>>,
    next: Option<ArticleLink<'a>>,
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
    ///
    /// An article page also returns its Markdown (`index.md` beside it), made from the body as
    /// the page has it, so its links and images lead where the page's do.
    pub fn render(
        &self,
        page: Page,
        body: String,
        html: &mut Vec<u8>,
    ) -> Result<(String, Option<String>)> {
        let path = self.site_path(page);
        let mut markdown = None;
        match page {
            Page::Root => self.root_page(&path, html)?,
            Page::NotFound => self.not_found_page(html)?,
            Page::Home(li) => self.home_page(li, &path, html)?,
            Page::Group(li, g) => self.group_page(li, g, &path, html)?,
            Page::Article(li, a) => {
                markdown = Some(self.article_page(li, a, &path, &body, html)?);
            }
        }
        Ok((super::urls::output_file(&path), markdown))
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

    /// The site's name: the branding's, else the help center's, else "Help Center" translated.
    pub(super) fn site_name(&self, li: Li) -> &str {
        self.brand
            .site_name
            .as_deref()
            .or_else(|| {
                self.plan
                    .help_center
                    .and_then(|h| h.display_name.as_deref())
            })
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
            feed: href(&root, &super::feeds::feed_path(locale)),
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
            brand: self.brand,
            og_image: None,
            twitter_card: "summary",
            modified: None,
            json_ld: None,
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

    /// An image of the page at `page_path` as an absolute URL: share previews need one. A
    /// local copy (`<root>assets/...`) has one only with `--base-url`; any other relative URL
    /// is the body's own and not known to lead anywhere.
    fn absolute_image(&self, src: &str, root: &str) -> Option<String> {
        if is_http_url(src) {
            return Some(src.to_string());
        }
        let asset = src
            .strip_prefix(root)
            .filter(|p| p.starts_with("assets/"))?;
        Some(self.base?.absolute(asset))
    }

    /// Sanitises HTML from the data for the page at `path`, through the cache.
    fn clean(&self, html: &str, li: Li, path: &str) -> String {
        if html.trim().is_empty() {
            return String::new();
        }
        let locale = self.locale(li).as_str();
        let Some(noted) = self.noted else {
            return self
                .cache
                .sanitize_with_links(html, self.links, locale, path);
        };
        let mut linked = Vec::new();
        let clean = (self.cache).sanitize_noting_links(html, self.links, locale, path, &mut linked);
        if !linked.is_empty() {
            noted.note(path, linked);
        }
        clean
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
        let articles = (self.plan.loose_articles(li).iter())
            .filter_map(|&a| self.article_link(li, a, path, &root))
            .collect();
        let title = self.site_name(li);
        let frame = self.frame(li, path, root, title, "", &translations);
        let view = HomeView {
            frame,
            groups,
            articles,
        };
        self.templates.render_to("home.html", &view, html)
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

    /// The pages above a page in locale `li`: the home page, then the listed groups of
    /// `chain` (top down), each as its name and site path.
    fn trail(&self, li: Li, chain: &[GroupIx]) -> Vec<(String, String)> {
        let locale = self.locale(li);
        let mut trail = vec![(
            self.strings[li]["all_collections"].clone(),
            slug::home_path(locale),
        )];
        for &g in chain {
            let Some(target) = self.plan.group_path(li, g) else {
                break;
            };
            let name = self.plan.ws.group(g).content[locale].name.clone();
            trail.push((name, target.to_string()));
        }
        trail
    }

    fn crumbs(&self, root: &str, trail: &[(String, String)]) -> Vec<Crumb> {
        trail
            .iter()
            .map(|(name, path)| Crumb {
                name: name.clone(),
                href: href(root, path),
            })
            .collect()
    }

    /// The trail with the page itself at its end, for JSON-LD.
    fn json_trail<'s>(
        &self,
        root: &str,
        trail: &'s [(String, String)],
        page: (&'s str, &str),
    ) -> Trail<'s> {
        let mut steps: Vec<(&str, String)> = trail
            .iter()
            .map(|(name, path)| (name.as_str(), self.url(root, path)))
            .collect();
        steps.push((page.0, self.url(root, page.1)));
        Trail { steps }
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
        let articles = (plan.articles_in(li, g).iter())
            .filter_map(|&a| self.article_link(li, a, path, &root))
            .collect();
        let trail = self.trail(li, &ws.ancestors(g));
        let json_ld =
            meta::collection_json_ld(&self.json_trail(&root, &trail, (&content.name, path)));
        let mut frame = self.frame(li, path, root, &content.name, &content.description, &paths);
        frame.json_ld = Some(json_ld);
        let view = CollectionView {
            breadcrumbs: self.crumbs(&frame.root, &trail),
            group: GroupHeader {
                id: &group.id,
                name: &content.name,
                description: self.clean(&content.description, li, path),
                kind: group.kind,
                icon: group.icon.as_deref(),
            },
            groups: self.cards(li, &group.children, path, &frame.root),
            articles,
            frame,
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

    /// A link to another article in a navigation list: its title only.
    fn nav_link(&self, li: Li, a: ArticleIx, root: &str) -> Option<ArticleLink<'_>> {
        let target = self.plan.article_path(li, a)?;
        Some(ArticleLink {
            title: &self.plan.ws.article(a).content[self.locale(li)].title,
            description: String::new(),
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
    ) -> Result<String> {
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
        let cleaned = self.clean(body, li, path);
        let derived = body::derive(&cleaned, self.cache);
        drop(cleaned);
        let markdown = crate::tree::article_document(article, self.locale(li), &derived.markdown);
        let prepared = derived.body;
        let description = if content.description.trim().is_empty() {
            meta::first_sentence(&derived.text)
        } else {
            content.description.clone()
        };
        let mut frame = self.frame(li, path, root, &content.title, &description, &paths);
        frame.og_type = "article";
        frame.og_image =
            (prepared.first_image.as_deref()).and_then(|src| self.absolute_image(src, &frame.root));
        if frame.og_image.is_some() {
            frame.twitter_card = "summary_large_image";
        }
        frame.modified = content.updated_at.and_then(rfc3339);
        let trail = self.trail(li, &chain);
        let published = content.created_at.and_then(rfc3339);
        let facts = ArticleFacts {
            headline: &content.title,
            description: &frame.description,
            language: frame.lang,
            url: &self.url(&frame.root, path),
            published: published.as_deref(),
            modified: frame.modified.as_deref(),
            image: frame.og_image.as_deref(),
            publisher: frame.site_name,
        };
        let json_trail = self.json_trail(&frame.root, &trail, (&content.title, path));
        frame.json_ld = Some(meta::article_json_ld(&facts, &json_trail));
        let nav = self.neighbours(li, a, &frame.root);
        let lead = self.clean(&content.description, li, path);
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
                    text: format!("{} {}", text_of(&lead), derived.text),
                },
            );
        }
        let view = ArticleView {
            breadcrumbs: self.crumbs(&frame.root, &trail),
            article: ArticleBody {
                id: &article.id,
                title: &content.title,
                description: lead,
                updated: content.updated_at.and_then(|t| date(t, &self.strings[li])),
                toc: body::toc(&prepared.headings),
                body: prepared.html,
            },
            related: nav.related,
            collection: nav.collection,
            previous: nav.previous,
            next: nav.next,
            frame,
        };
        self.templates.render_to("article.html", &view, html)?;
        Ok(markdown)
    }

    /// The articles around article `a` in its collection (in locale `li`): the related ones,
    /// the collection itself, and the previous and next article. Nothing for an article that
    /// no listed collection holds.
    fn neighbours(&self, li: Li, a: ArticleIx, root: &str) -> Neighbours<'_> {
        let plan = self.plan;
        let listed = plan
            .ws
            .article(a)
            .parent
            .and_then(|g| Some((g, plan.group_path(li, g)?)));
        let Some((g, group_path)) = listed else {
            return Neighbours::default();
        };
        let siblings = plan.articles_in(li, g);
        let at = siblings.iter().position(|&other| other == a);
        let link = |i: usize| {
            siblings
                .get(i)
                .and_then(|&other| self.nav_link(li, other, root))
        };
        let name = &plan.ws.group(g).content[self.locale(li)].name;
        Neighbours {
            related: (siblings.iter())
                .filter(|&&other| other != a)
                .take(RELATED_ARTICLES)
                .filter_map(|&other| self.nav_link(li, other, root))
                .collect(),
            collection: Some(Crumb {
                name: self.strings[li]["all_in"].replace("{name}", name),
                href: href(root, group_path),
            }),
            previous: at.and_then(|i| i.checked_sub(1)).and_then(link),
            next: at.and_then(|i| link(i + 1)),
        }
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

/// A page that sends visitors from an old URL to the current one.
#[derive(Serialize)]
struct RedirectView<'a> {
    /// The old URL's language (the message is in it).
    lang: &'a str,
    dir: &'static str,
    t: &'a Strings,
    /// The current page's title, and its language.
    title: &'a str,
    title_lang: &'a str,
    /// The current page, relative to the old URL.
    href: String,
    /// The current page, absolute with `--base-url`.
    canonical: String,
}

impl Renderer<'_> {
    /// Renders the page at `redirect.from` that leads to its page into `html`; returns its
    /// output file.
    pub fn render_redirect(&self, redirect: &Redirect, html: &mut Vec<u8>) -> Result<String> {
        let (target_li, title) = match redirect.to {
            Page::Article(li, a) => (
                li,
                self.plan.ws.article(a).content[self.locale(li)]
                    .title
                    .as_str(),
            ),
            Page::Group(li, g) => (
                li,
                self.plan.ws.group(g).content[self.locale(li)].name.as_str(),
            ),
            Page::Home(li) => (li, self.site_name(li)),
            Page::Root | Page::NotFound => (self.plan.default, self.site_name(self.plan.default)),
        };
        let root = root_prefix(&redirect.from);
        let target = self.site_path(redirect.to);
        let locale = self.locale(redirect.locale);
        let view = RedirectView {
            lang: locale.as_str(),
            dir: locale.dir(),
            t: &self.strings[redirect.locale],
            title,
            title_lang: self.locale(target_li).as_str(),
            href: href(&root, &target),
            canonical: self.url(&root, &target),
        };
        self.templates.render_to("redirect.html", &view, html)?;
        Ok(super::urls::output_file(&redirect.from))
    }
}

/// What surrounds an article in its collection.
#[derive(Default)]
struct Neighbours<'a> {
    related: Vec<ArticleLink<'a>>,
    collection: Option<Crumb>,
    previous: Option<ArticleLink<'a>>,
    next: Option<ArticleLink<'a>>,
}

/// A Unix timestamp as RFC 3339 (UTC).
pub(super) fn rfc3339(timestamp: i64) -> Option<String> {
    let time = time::OffsetDateTime::from_unix_timestamp(timestamp).ok()?;
    time.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// The full RFC 3339 time of a Unix timestamp (UTC), and its date in the page's language.
fn date(timestamp: i64, strings: &Strings) -> Option<Date> {
    let time = time::OffsetDateTime::from_unix_timestamp(timestamp).ok()?;
    Some(Date {
        datetime: rfc3339(timestamp)?,
        date: format_date(strings, time.date()),
    })
}

/// `pt_BR` for `pt-BR`: Open Graph writes locales with an underscore.
fn og_locale(locale: &Locale) -> String {
    locale.as_str().replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_and_in_the_pages_language() {
        let mut strings = Strings::new();
        strings.insert("date_format".into(), "{day} {month} {year}".into());
        strings.insert(
            "months".into(),
            "jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec".into(),
        );
        let d = date(1_700_000_000, &strings).unwrap();
        assert_eq!(d.datetime, "2023-11-14T22:13:20Z");
        assert_eq!(d.date, "14 nov 2023");
    }
}
