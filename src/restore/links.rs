//! Links between restored pages: a body's `<a href>` to an article or collection of the old
//! help center is pointed at the page's new URL. Only the `href` values change; every other
//! byte of the body is kept (lol_html rewrites the stream in place, it does not re-serialise).

use std::cell::Cell;
use std::collections::BTreeSet;

use lol_html::html_content::Element;
use lol_html::{element, rewrite_str, RewriteStrSettings};
use url::Url;

use crate::error::{Error, Result};

pub use crate::html::PageKind;

/// A link to a page of the old help center: its kind, id and the locale segment, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    /// Article or collection.
    pub kind: PageKind,
    /// The old id.
    pub id: String,
    /// The segment before `articles`/`collections` (a locale, or a path prefix).
    pub locale: Option<String>,
}

/// The hosts of the old help center, lowercase, from every URL the backup holds.
pub fn host_of(url: &str) -> Option<String> {
    crate::html::normalize_host(url)
}

/// The page an `href` names when it is on one of `hosts`.
pub fn page_link(href: &str, hosts: &BTreeSet<String>) -> Option<(PageLink, Url)> {
    let url = Url::parse(href.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    if !hosts.contains(&host) {
        return None;
    }
    let (kind, id, locale) = crate::html::page_ref(&url)?;
    let link = PageLink {
        kind,
        id: id.to_string(),
        locale: locale.map(str::to_string),
    };
    Some((link, url))
}

/// `html` with every link to an old page that `resolve` knows replaced by the new URL (the
/// original query and fragment kept); and how many links changed.
pub fn rewrite_links(
    html: &str,
    hosts: &BTreeSet<String>,
    resolve: &dyn Fn(&PageLink) -> Option<String>,
) -> Result<(String, usize)> {
    let changed = Cell::new(0usize);
    let handler = |el: &mut Element| {
        let Some(href) = el.get_attribute("href") else {
            return Ok(());
        };
        let Some((link, old)) = page_link(&href, hosts) else {
            return Ok(());
        };
        let Some(new) = resolve(&link) else {
            return Ok(());
        };
        let mut new = Url::parse(&new)?;
        if old.query().is_some() {
            new.set_query(old.query());
        }
        if old.fragment().is_some() {
            new.set_fragment(old.fragment());
        }
        el.set_attribute("href", new.as_str())?;
        changed.set(changed.get() + 1);
        Ok(())
    };
    let settings =
        RewriteStrSettings::new().append_element_content_handler(element!("a[href]", handler));
    let out = rewrite_str(html, settings)
        .map_err(|e| Error::data(format!("cannot rewrite the links of a body: {e}")))?;
    Ok((out, changed.get()))
}

/// `url` with the locale segment before `articles`/`collections` set to `locale`: a
/// collection's URL in another language.
pub fn with_locale(url: &str, locale: &str) -> Option<String> {
    let mut parsed = Url::parse(url).ok()?;
    let mut segments: Vec<String> = parsed.path_segments()?.map(str::to_string).collect();
    let at = segments
        .iter()
        .position(|s| s == "articles" || s == "collections")?;
    if at == 0 {
        return None;
    }
    segments[at - 1] = locale.to_string();
    parsed.set_path(&segments.join("/"));
    Some(parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> BTreeSet<String> {
        ["help.example.com".to_string()].into()
    }

    #[test]
    fn links_are_recognised_with_or_without_slug_and_locale() {
        let link = |href: &str| page_link(href, &hosts()).map(|(l, _)| l);
        assert_eq!(
            link("https://help.example.com/fr/articles/102-installer#h_1"),
            Some(PageLink {
                kind: PageKind::Article,
                id: "102".into(),
                locale: Some("fr".into())
            })
        );
        assert_eq!(
            link("https://HELP.example.com/articles/7").unwrap().locale,
            None
        );
        assert_eq!(
            link("https://help.example.com/en/collections/201-x/")
                .unwrap()
                .kind,
            PageKind::Collection
        );
        for other in [
            "https://elsewhere.test/en/articles/1",
            "https://help.example.com/en/articles/x1",
            "https://help.example.com/en/articles/12x",
            "https://help.example.com/en/",
            "mailto:help@example.com",
            "/en/articles/1",
        ] {
            assert_eq!(link(other), None, "{other}");
        }
    }

    #[test]
    fn only_known_links_change_and_every_other_byte_stays() {
        let html = r#"<p class="a">x <a href="https://help.example.com/en/articles/1-old?x=1#h_2" target=_blank>one</a> <a href='https://help.example.com/en/articles/9'>gone</a><br></p>"#;
        let resolve = |link: &PageLink| {
            (link.id == "1").then(|| "https://new.test/en/articles/71-new".to_string())
        };
        let (out, changed) = rewrite_links(html, &hosts(), &resolve).unwrap();
        assert_eq!(changed, 1);
        assert_eq!(
            out,
            r#"<p class="a">x <a href="https://new.test/en/articles/71-new?x=1#h_2" target=_blank>one</a> <a href='https://help.example.com/en/articles/9'>gone</a><br></p>"#
        );
    }

    #[test]
    fn a_collection_url_in_another_locale() {
        assert_eq!(
            with_locale("https://new.test/en/collections/3-start", "fr").as_deref(),
            Some("https://new.test/fr/collections/3-start")
        );
        assert_eq!(with_locale("https://new.test/collections/3", "fr"), None);
    }
}
