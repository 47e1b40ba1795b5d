//! An Atom feed per locale (`/<locale>/feed.xml`) of its most recently updated articles,
//! linked from every page's head.
//!
//! Entry ids are `urn:uuid:`s derived from the help center, the article and the locale, so they
//! never change, whatever the title, slug or `--base-url`: a feed reader never shows an article
//! twice. Links are absolute with `--base-url`, else relative to the feed (which RFC 4287
//! allows: readers resolve them against the feed's own URL).

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::plan::{Li, Plan};
use super::render::{rfc3339, Renderer};
use super::urls::{href, root_prefix};
use crate::error::Result;
use crate::model::{slug, ArticleIx, Locale};

/// Articles per feed.
pub const FEED_ENTRIES: usize = 50;

/// The site path of a locale's feed.
pub fn feed_path(locale: &Locale) -> String {
    format!("/{locale}/feed.xml")
}

#[derive(Serialize)]
struct Feed<'a> {
    lang: &'a str,
    title: String,
    id: String,
    updated: String,
    /// The feed's own URL.
    url: String,
    /// The locale's home page.
    home: String,
    author: &'a str,
    entries: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    title: &'a str,
    url: String,
    id: String,
    updated: String,
    published: Option<String>,
    summary: &'a str,
}

/// The locale's article pages that have a date, most recently updated first (ties by id),
/// at most [`FEED_ENTRIES`], with the time each was updated.
fn newest(plan: &Plan, li: Li) -> Vec<(i64, ArticleIx)> {
    let locale = &plan.locales[li];
    let mut dated: Vec<(i64, ArticleIx)> = plan
        .ws
        .article_ixs()
        .filter(|&a| plan.article_path(li, a).is_some())
        .filter_map(|a| {
            let content = &plan.ws.article(a).content[locale];
            Some((content.updated_at.or(content.created_at)?, a))
        })
        .collect();
    dated.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
    dated.truncate(FEED_ENTRIES);
    dated
}

/// A permanent `urn:uuid:` for `name` (an RFC 9562 version 8 UUID from its SHA-256).
fn urn(name: &str) -> String {
    let mut bytes: [u8; 16] = Sha256::digest(name.as_bytes())[..16]
        .try_into()
        .expect("16 bytes");
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Renders the feed of locale `li`; returns its output file and bytes.
pub fn render_feed(renderer: &Renderer, li: Li) -> Result<(String, String)> {
    let plan = renderer.plan;
    let locale = &plan.locales[li];
    let path = feed_path(locale);
    let root = root_prefix(&path);
    let url = |site_path: &str| match renderer.base {
        Some(base) => base.absolute(site_path),
        None => href(&root, site_path),
    };
    let scope = plan.help_center.map_or("", |h| h.id.as_str());
    let entries: Vec<(i64, Entry)> = newest(plan, li)
        .into_iter()
        .map(|(updated, a)| {
            let article = plan.ws.article(a);
            let content = &article.content[locale];
            let entry = Entry {
                title: &content.title,
                url: url(plan.article_path(li, a).expect("has a page")),
                id: urn(&format!(
                    "helpcenter:{scope}:article:{}:{locale}",
                    article.id
                )),
                updated: rfc3339(updated).unwrap_or_default(),
                published: content.created_at.and_then(rfc3339),
                summary: content.description.trim(),
            };
            (updated, entry)
        })
        .collect();
    // A feed with no dated article was last updated when the help center began: never.
    let updated = entries.first().map_or(0, |(t, _)| *t);
    let strings = &renderer.strings[li];
    let site_name = renderer.site_name(li);
    let feed = Feed {
        lang: locale.as_str(),
        title: format!("{site_name}: {}", strings["recent_articles"]),
        id: urn(&format!("helpcenter:{scope}:feed:{locale}")),
        updated: rfc3339(updated).unwrap_or_default(),
        url: url(&path),
        home: url(&slug::home_path(locale)),
        author: site_name,
        entries: entries.into_iter().map(|(_, e)| e).collect(),
    };
    let xml = renderer.templates.render("feed.xml", &feed)?;
    Ok((super::urls::output_file(&path), xml))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_version_8_uuids() {
        let id = urn("helpcenter:12:article:101:en");
        assert_eq!(id, urn("helpcenter:12:article:101:en"));
        assert_ne!(id, urn("helpcenter:12:article:101:fr"));
        let uuid = id.strip_prefix("urn:uuid:").unwrap();
        let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(&uuid[14..15], "8", "version 8");
        assert!("89ab".contains(&uuid[19..20]), "RFC 9562 variant");
    }
}
