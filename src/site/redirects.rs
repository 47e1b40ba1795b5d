//! Old URLs that must keep working: Intercom's id-only URLs (`/<locale>/articles/<id>`, no
//! slug), and every URL a page had before its title changed.
//!
//! Each old URL gets a tiny HTML page (`<link rel="canonical">` and `<meta http-equiv="refresh">`
//! to the current page), which works on any static host, and a line in `/_redirects`, the file
//! Netlify and Cloudflare Pages read to answer with a real 301 (slug history first: Cloudflare
//! reads only the first 2,000 lines).
//!
//! Where old URLs come from: the site paths each page had in earlier builds, kept in the
//! output's build record ([`super::output::PageHistory`]) so they survive rebuilds; the
//! Markdown tree's `url:` (the path the page had when the file was exported); and the slug of
//! Intercom's own URL of the article. An id-only URL exists in every locale of the site: in a
//! locale without a translation it leads to the page the links fall back to (the default
//! locale's, else the first that has one).

use std::collections::{BTreeSet, HashSet};

use super::output::PageHistory;
use super::plan::{Li, Page, Plan};
use super::urls::BaseUrl;
use crate::model::{slug, Locale};

/// The site file Netlify and Cloudflare Pages read redirects from.
pub const REDIRECTS_FILE: &str = "_redirects";

/// One old URL and the page it now leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The old site path (`/en/articles/12/`).
    pub from: String,
    /// The locale of the old URL (the page's own, or the one an id-only URL names).
    pub locale: Li,
    /// The page it leads to.
    pub to: Page,
    /// Whether it is a page's earlier URL rather than an id-only one.
    pub moved: bool,
}

/// What the redirects of a build are, and the history to record for the next one.
pub struct Redirects {
    /// Old URLs, slug history first, each site path once.
    pub list: Vec<Redirect>,
    /// Every page's paths, this build's last (pages not built this time keep theirs).
    pub history: PageHistory,
    /// Pages whose URL changed since the last build or since their Markdown file was written.
    pub warnings: Vec<String>,
}

fn article_key(id: &str, locale: &Locale) -> String {
    format!("article/{id}/{locale}")
}

fn collection_key(id: &str, locale: &Locale) -> String {
    format!("collection/{id}/{locale}")
}

/// Works out the redirects of the site of `plan`, given the history the last build recorded.
/// `taken` holds the site paths of the pages themselves: an old URL that is a page again is
/// not redirected.
pub fn plan_redirects(plan: &Plan, previous: &PageHistory, taken: &HashSet<String>) -> Redirects {
    let mut history = previous.clone();
    let mut moved: Vec<Redirect> = Vec::new();
    let mut warnings = Vec::new();
    let ws = plan.ws;
    for (li, locale) in plan.locales.iter().enumerate() {
        for a in ws.article_ixs() {
            let Some(path) = plan.article_path(li, a) else {
                continue;
            };
            let article = ws.article(a);
            let content = &article.content[locale];
            let key = article_key(&article.id, locale);
            let mut old = record(&mut history, &key, path);
            let source = format!("{} ({locale})", article.source.display());
            if let Some(last) = old.last().filter(|&last| last != path) {
                warnings.push(format!(
                    "{source}: its title changed, so its page moved from {last} to {path}; the \
                     old URL redirects to the new one"
                ));
            }
            if let Some(recorded) = content.recorded_path.as_deref().filter(|&r| r != path) {
                if !old.iter().any(|o| o == recorded) {
                    warnings.push(format!(
                        "{source}: `url:` says {recorded}, but the title now puts the page at \
                         {path}; the old URL redirects to the new one (the next export updates \
                         `url:`)"
                    ));
                }
                old.push(recorded.to_string());
            }
            old.extend(intercom_path(content.url.as_deref(), locale, &article.id));
            for from in old {
                if from != path && is_page_path(&from, locale, "articles", &article.id) {
                    moved.push(Redirect {
                        from,
                        locale: li,
                        to: Page::Article(li, a),
                        moved: true,
                    });
                }
            }
        }
        for g in ws.group_ixs() {
            let Some(path) = plan.group_path(li, g) else {
                continue;
            };
            let key = collection_key(&ws.group(g).id, locale);
            for from in record(&mut history, &key, path) {
                if from != path && is_page_path(&from, locale, "collections", &ws.group(g).id) {
                    moved.push(Redirect {
                        from,
                        locale: li,
                        to: Page::Group(li, g),
                        moved: true,
                    });
                }
            }
        }
    }
    let mut list = moved;
    list.extend(id_only(plan));
    // Each old path once (the first, slug history first), and never over a page.
    let mut seen: BTreeSet<String> = BTreeSet::new();
    list.retain(|r| !taken.contains(&r.from) && seen.insert(r.from.clone()));
    Redirects {
        list,
        history,
        warnings,
    }
}

/// Adds `path` as the latest path of `key`; returns the paths it had before.
fn record(history: &mut PageHistory, key: &str, path: &str) -> Vec<String> {
    let paths = history.entry(key.to_string()).or_default();
    let old = paths.clone();
    paths.retain(|p| p != path);
    paths.push(path.to_string());
    old
}

/// A path of the shape `/<locale>/<kind>/<id>-<slug>/`: anything else in a record (edited by
/// hand, or from another tool) is not a page of this id.
fn is_page_path(path: &str, locale: &Locale, kind: &str, id: &str) -> bool {
    let Some(segment) = path
        .strip_prefix(&format!("/{locale}/{kind}/"))
        .and_then(|rest| rest.strip_suffix('/'))
    else {
        return false;
    };
    let Some(slug) = segment.strip_prefix(id) else {
        return false;
    };
    (slug.is_empty() || slug.starts_with('-'))
        && !segment.contains(['/', '\\', '?', '#'])
        && !segment.chars().any(char::is_control)
}

/// The site path of Intercom's own URL of an article (`.../<locale>/articles/<id>-<slug>`),
/// when it names this article in this locale.
fn intercom_path(url: Option<&str>, locale: &Locale, id: &str) -> Option<String> {
    let parsed = url::Url::parse(url?).ok()?;
    let segments: Vec<&str> = parsed.path_segments()?.filter(|s| !s.is_empty()).collect();
    let n = segments.len();
    if n < 3
        || segments[n - 2] != "articles"
        || !segments[n - 3].eq_ignore_ascii_case(locale.as_str())
    {
        return None;
    }
    let segment = percent_encoding::percent_decode_str(segments[n - 1])
        .decode_utf8()
        .ok()?;
    Some(format!("/{locale}/articles/{segment}/"))
        .filter(|p| is_page_path(p, locale, "articles", id))
}

/// `/<locale>/articles/<id>/` and `/<locale>/collections/<id>/` of every article and collection
/// with a page, in every locale of the site.
fn id_only(plan: &Plan) -> Vec<Redirect> {
    let ws = plan.ws;
    let mut list = Vec::new();
    for (li, locale) in plan.locales.iter().enumerate() {
        for a in ws.article_ixs() {
            if let Some(to) = fallback(plan, li, |l| plan.article_path(l, a).is_some()) {
                list.push(Redirect {
                    from: slug::article_path(locale, &ws.article(a).id, ""),
                    locale: li,
                    to: Page::Article(to, a),
                    moved: false,
                });
            }
        }
        for g in ws.group_ixs() {
            if let Some(to) = fallback(plan, li, |l| plan.group_path(l, g).is_some()) {
                list.push(Redirect {
                    from: slug::group_path(locale, &ws.group(g).id, ""),
                    locale: li,
                    to: Page::Group(to, g),
                    moved: false,
                });
            }
        }
    }
    list
}

/// The locale whose page an id-only URL in locale `li` leads to: `li` itself, else the
/// default locale, else the first that has the page.
fn fallback(plan: &Plan, li: Li, has: impl Fn(Li) -> bool) -> Option<Li> {
    let order = [li, plan.default].into_iter().chain(0..plan.locales.len());
    order.into_iter().find(|&l| has(l))
}

/// `/_redirects`: one `from to 301` line per old URL, paths under the base URL's path and
/// percent-encoded. Old slugs come first, then id-only URLs.
pub fn redirects_file(list: &[(String, String, bool)], base: Option<&BaseUrl>) -> String {
    let prefix = base.map_or("/", |b| b.path()).trim_end_matches('/');
    let mut out = String::from(
        "# Written by helpcenter build: URLs of the help center that moved, and where they are\n\
         # now. Netlify and Cloudflare Pages read this file; every URL here also has a page that\n\
         # redirects, for other hosts.\n",
    );
    let (moved, id_only): (Vec<_>, Vec<_>) = list.iter().partition(|(_, _, moved)| *moved);
    for (from, to, _) in moved.into_iter().chain(id_only) {
        let from = super::urls::encode_path(from.trim_end_matches('/'));
        let to = super::urls::encode_path(to);
        out.push_str(&format!("{prefix}{from} {prefix}{to} 301\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en() -> Locale {
        Locale::parse("en").unwrap()
    }

    #[test]
    fn only_paths_of_the_same_page_count() {
        let en = en();
        assert!(is_page_path(
            "/en/articles/12-old-title/",
            &en,
            "articles",
            "12"
        ));
        assert!(is_page_path("/en/articles/12/", &en, "articles", "12"));
        assert!(!is_page_path(
            "/en/articles/123-other/",
            &en,
            "articles",
            "12"
        ));
        assert!(!is_page_path("/fr/articles/12-x/", &en, "articles", "12"));
        assert!(!is_page_path(
            "/en/articles/12-x/../../etc/",
            &en,
            "articles",
            "12"
        ));
        assert!(!is_page_path("/en/articles/12-x", &en, "articles", "12"));
    }

    #[test]
    fn intercoms_own_slug_is_an_old_url() {
        let en = en();
        let url = "https://intercom.help/acme/en/articles/12-how-it-was-called";
        assert_eq!(
            intercom_path(Some(url), &en, "12").as_deref(),
            Some("/en/articles/12-how-it-was-called/")
        );
        let encoded = "https://help.acme.test/en/articles/12-caf%C3%A9";
        assert_eq!(
            intercom_path(Some(encoded), &en, "12").as_deref(),
            Some("/en/articles/12-café/")
        );
        assert_eq!(intercom_path(Some(url), &en, "13"), None);
        assert_eq!(
            intercom_path(Some("https://help.acme.test/fr/articles/12-x"), &en, "12"),
            None
        );
        assert_eq!(intercom_path(None, &en, "12"), None);
    }

    #[test]
    fn history_keeps_the_latest_path_last() {
        let mut history = PageHistory::new();
        assert!(record(&mut history, "article/1/en", "/en/articles/1-a/").is_empty());
        assert_eq!(
            record(&mut history, "article/1/en", "/en/articles/1-b/"),
            ["/en/articles/1-a/"]
        );
        record(&mut history, "article/1/en", "/en/articles/1-a/");
        assert_eq!(
            history["article/1/en"],
            ["/en/articles/1-b/", "/en/articles/1-a/"]
        );
    }

    #[test]
    fn the_redirects_file_is_netlify_syntax_under_the_base_path() {
        let list = vec![
            (
                "/en/articles/1/".to_string(),
                "/en/articles/1-new/".to_string(),
                false,
            ),
            (
                "/en/articles/1-old/".to_string(),
                "/en/articles/1-new/".to_string(),
                true,
            ),
            (
                "/ja/articles/2-古い/".to_string(),
                "/ja/articles/2-新しい/".to_string(),
                true,
            ),
        ];
        let base = BaseUrl::parse("https://x.test/help/").unwrap();
        let file = redirects_file(&list, Some(&base));
        let rules: Vec<&str> = file.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            rules,
            [
                "/help/en/articles/1-old /help/en/articles/1-new/ 301",
                "/help/ja/articles/2-%E5%8F%A4%E3%81%84 /help/ja/articles/2-%E6%96%B0%E3%81%97%E3%81%84/ 301",
                "/help/en/articles/1 /help/en/articles/1-new/ 301",
            ]
        );
        let plain = redirects_file(&list[..1], None);
        assert!(
            plain.ends_with("\n/en/articles/1 /en/articles/1-new/ 301\n"),
            "{plain}"
        );
    }
}
