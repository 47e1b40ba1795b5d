//! `sitemap.xml` and `robots.txt`.
//!
//! The sitemap protocol requires absolute URLs, so the sitemap is only written with
//! `--base-url`; without it the build warns and `robots.txt` names no sitemap. A sitemap file
//! may hold at most 50,000 URLs and 50 MB; with an `xhtml:link` alternate per locale on every
//! URL, files are cut at [`URLS_PER_FILE`] URLs and listed by a sitemap index at
//! `/sitemap.xml` when there is more than one.

use rayon::prelude::*;
use serde::Serialize;

use super::output::Written;
use super::plan::{Li, Page, Plan};
use super::render::Renderer;
use super::templates::Templates;
use super::urls::BaseUrl;
use crate::error::Result;

/// URLs per sitemap file: with 40 locales of alternates, 5,000 URLs stay well under 50 MB.
pub const URLS_PER_FILE: usize = 5_000;

#[derive(Serialize)]
struct Entry {
    loc: String,
    lastmod: Option<String>,
    alternates: Vec<Alternate>,
}

#[derive(Serialize)]
struct Alternate {
    hreflang: String,
    href: String,
}

#[derive(Serialize)]
struct UrlSet<'a> {
    urls: &'a [Entry],
}

#[derive(Serialize)]
struct Index {
    sitemaps: Vec<String>,
}

#[derive(Serialize)]
struct Robots {
    sitemap: Option<String>,
}

/// The file names the sitemap takes for `pages` pages (none without a base URL).
pub fn sitemap_files(base: Option<&BaseUrl>, pages: usize) -> Vec<String> {
    match base {
        None => Vec::new(),
        Some(_) if pages <= URLS_PER_FILE => vec!["sitemap.xml".to_string()],
        Some(_) => {
            let chunks = pages.div_ceil(URLS_PER_FILE);
            let mut files: Vec<String> = (1..=chunks).map(|n| format!("sitemap-{n}.xml")).collect();
            files.insert(0, "sitemap.xml".to_string());
            files
        }
    }
}

/// Pages that belong in the sitemap: every page with content (not `/` and not the 404 page).
pub fn sitemap_pages(pages: &[Page]) -> Vec<Page> {
    pages
        .iter()
        .copied()
        .filter(|p| !matches!(p, Page::Root | Page::NotFound))
        .collect()
}

/// Renders the sitemap file(s) and hands each to `write` as soon as it is made: a big site's
/// sitemap holds hundreds of thousands of URLs, so files are made in parallel and none is kept.
pub fn write_sitemaps(
    renderer: &Renderer,
    base: &BaseUrl,
    pages: &[Page],
    write: impl Fn(&str, &[u8]) -> Result<Written> + Sync,
) -> Result<Vec<Written>> {
    let templates = renderer.templates;
    let render = |chunk: &[Page]| {
        let urls: Vec<Entry> = chunk.iter().map(|&p| entry(renderer, base, p)).collect();
        templates.render("sitemap.xml", &UrlSet { urls: &urls })
    };
    if pages.len() <= URLS_PER_FILE {
        return Ok(vec![write("sitemap.xml", render(pages)?.as_bytes())?]);
    }
    let mut outcomes: Vec<Written> = pages
        .par_chunks(URLS_PER_FILE)
        .enumerate()
        .map(|(n, chunk)| write(&format!("sitemap-{}.xml", n + 1), render(chunk)?.as_bytes()))
        .collect::<Result<_>>()?;
    let index = Index {
        sitemaps: (1..=pages.len().div_ceil(URLS_PER_FILE))
            .map(|n| base.absolute(&format!("/sitemap-{n}.xml")))
            .collect(),
    };
    let xml = templates.render("sitemap-index.xml", &index)?;
    outcomes.push(write("sitemap.xml", xml.as_bytes())?);
    Ok(outcomes)
}

fn entry(renderer: &Renderer, base: &BaseUrl, page: Page) -> Entry {
    let plan = renderer.plan;
    let translations: Vec<(Li, String)> = match page {
        Page::Home(_) => (0..plan.locales.len())
            .map(|li| (li, renderer.site_path(Page::Home(li))))
            .collect(),
        Page::Group(_, g) => plan
            .group_locales(g)
            .into_iter()
            .map(|li| (li, renderer.site_path(Page::Group(li, g))))
            .collect(),
        Page::Article(_, a) => plan
            .article_locales(a)
            .into_iter()
            .map(|li| (li, renderer.site_path(Page::Article(li, a))))
            .collect(),
        Page::Root | Page::NotFound => Vec::new(),
    };
    Entry {
        loc: base.absolute(&renderer.site_path(page)),
        lastmod: lastmod(plan, page),
        alternates: alternates(plan, base, &translations),
    }
}

/// Every translation plus `x-default`, or nothing for a page in one language only.
fn alternates(plan: &Plan, base: &BaseUrl, translations: &[(Li, String)]) -> Vec<Alternate> {
    if translations.len() < 2 {
        return Vec::new();
    }
    let mut list: Vec<Alternate> = translations
        .iter()
        .map(|(li, path)| Alternate {
            hreflang: plan.locales[*li].to_string(),
            href: base.absolute(path),
        })
        .collect();
    if let Some((_, path)) = translations.iter().find(|(li, _)| *li == plan.default) {
        list.push(Alternate {
            hreflang: "x-default".to_string(),
            href: base.absolute(path),
        });
    }
    list
}

/// The last update the data records for a page, as W3C datetime.
fn lastmod(plan: &Plan, page: Page) -> Option<String> {
    let ws = plan.ws;
    let timestamp = match page {
        Page::Article(li, a) => ws.article(a).content[&plan.locales[li]].updated_at,
        Page::Group(_, g) => ws.group(g).updated_at,
        _ => None,
    }?;
    let time = time::OffsetDateTime::from_unix_timestamp(timestamp).ok()?;
    time.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// `robots.txt`, naming the sitemap when there is one.
pub fn render_robots(templates: &Templates, base: Option<&BaseUrl>) -> Result<String> {
    let robots = Robots {
        sitemap: base.map(|b| b.absolute("/sitemap.xml")),
    };
    templates.render("robots.txt", &robots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_sites_get_a_sitemap_index() {
        let base = BaseUrl::parse("https://x.test/").unwrap();
        assert!(sitemap_files(None, 10).is_empty());
        assert_eq!(sitemap_files(Some(&base), URLS_PER_FILE), ["sitemap.xml"]);
        assert_eq!(
            sitemap_files(Some(&base), URLS_PER_FILE * 2 + 1),
            [
                "sitemap.xml",
                "sitemap-1.xml",
                "sitemap-2.xml",
                "sitemap-3.xml"
            ]
        );
    }
}
