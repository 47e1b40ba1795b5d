//! Rewriting absolute links to the original help center into relative links of the built site.

use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};
use url::Url;

/// Which kind of help-center page a link names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `/<locale>/articles/<id>-<slug>`.
    Article,
    /// `/<locale>/collections/<id>-<slug>`.
    Collection,
}

impl Kind {
    /// Stable one-byte tag used in fingerprints and the cache file.
    pub(crate) fn tag(self) -> u8 {
        match self {
            Kind::Article => b'a',
            Kind::Collection => b'c',
        }
    }

    /// Inverse of [`Kind::tag`].
    pub(crate) fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            b'a' => Some(Kind::Article),
            b'c' => Some(Kind::Collection),
            _ => None,
        }
    }
}

/// One map lookup a rewrite depended on, and what it answered.
///
/// The body cache stores these so a cached body stays valid until one of the pages it links to
/// appears, disappears or moves, instead of until anything in the help center changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Dep {
    pub(crate) kind: Kind,
    pub(crate) id: Box<str>,
    pub(crate) locale: Box<str>,
    pub(crate) found: Option<Box<str>>,
}

impl Dep {
    /// True when `links` still answers this lookup the same way.
    pub(crate) fn holds(&self, links: &LinkMap) -> bool {
        links.lookup(self.kind, &self.id, &self.locale) == self.found.as_deref()
    }
}

/// Site paths per id: a short list of `(locale, site path)`, since one id has a few locales.
type Pages = HashMap<Box<str>, Vec<(Box<str>, Box<str>)>>;

/// The help center's hosts and the site path of every article and collection in the built site.
///
/// Cloning is cheap (the contents are shared), so a sanitiser can hold it for the duration of a
/// call. Locales compare ASCII case-insensitively (`pt-BR` and `pt-br` are the same page).
#[derive(Clone, Debug, Default)]
pub struct LinkMap {
    inner: Arc<Inner>,
}

#[derive(Clone, Debug, Default)]
struct Inner {
    hosts: BTreeSet<String>,
    /// Locales tried, in order, when a page exists in neither the link's nor the page's locale.
    fallback: Vec<Box<str>>,
    articles: Pages,
    collections: Pages,
    fingerprint: OnceLock<[u8; 32]>,
    rules_fingerprint: OnceLock<[u8; 32]>,
}

impl LinkMap {
    /// A map for the help center served on `hosts` (bare host names or URLs; only hosts count).
    pub fn new(hosts: impl IntoIterator<Item = String>) -> Self {
        let hosts = hosts
            .into_iter()
            .filter_map(|h| normalize_host(&h))
            .collect();
        LinkMap {
            inner: Arc::new(Inner {
                hosts,
                ..Inner::default()
            }),
        }
    }

    /// Sets the locales a link falls back to, in order, when the site has the page in neither
    /// the locale the link names nor the linking page's own: the help center's default locale
    /// first, then the others. So a link from a German page to an article without a German
    /// translation goes to the article in another language, not back to the old host.
    pub fn set_fallback_locales<S: AsRef<str>>(&mut self, locales: impl IntoIterator<Item = S>) {
        let inner = Arc::make_mut(&mut self.inner);
        inner.fingerprint = OnceLock::new();
        inner.rules_fingerprint = OnceLock::new();
        inner.fallback = locales.into_iter().map(|l| l.as_ref().into()).collect();
    }

    /// Records that article `id` in `locale` is built at `site_path` (e.g. `/fr/articles/12-bonjour/`).
    pub fn add_article(&mut self, id: &str, locale: &str, site_path: &str) {
        self.add(Kind::Article, id, locale, site_path);
    }

    /// Records that collection `id` in `locale` is built at `site_path` (e.g. `/fr/collections/3-aide/`).
    pub fn add_collection(&mut self, id: &str, locale: &str, site_path: &str) {
        self.add(Kind::Collection, id, locale, site_path);
    }

    /// True when `host` is one of the original help center's hosts.
    pub fn is_help_center_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.');
        self.inner
            .hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host))
    }

    /// The site path of a page in a locale, if the site has it.
    pub fn article_path(&self, id: &str, locale: &str) -> Option<&str> {
        self.lookup(Kind::Article, id, locale)
    }

    /// The site path of a collection in a locale, if the site has it.
    pub fn collection_path(&self, id: &str, locale: &str) -> Option<&str> {
        self.lookup(Kind::Collection, id, locale)
    }

    /// The relative link that replaces `href` on the page at `page_site_path`, if it is a link
    /// to an article or collection of the help center that the site contains.
    pub fn rewrite(&self, href: &str, page_locale: &str, page_site_path: &str) -> Option<String> {
        let url = match super::urls::classify(href) {
            super::urls::Target::Web(url) => url,
            _ => return None,
        };
        let up = up_prefix(page_site_path);
        self.rewrite_url(&url, page_locale, &up, &mut |_| {})
    }

    /// A deterministic SHA-256 (hex) of the hosts and every entry, independent of insertion order.
    pub fn fingerprint(&self) -> String {
        hex::encode(self.fingerprint_bytes())
    }

    /// [`LinkMap::fingerprint`] as raw bytes, computed once per version of the map.
    pub(crate) fn fingerprint_bytes(&self) -> [u8; 32] {
        *self.inner.fingerprint.get_or_init(|| {
            let mut h = Sha256::new();
            self.hash_rules(&mut h);
            hash_pages(&mut h, Kind::Article, &self.inner.articles);
            hash_pages(&mut h, Kind::Collection, &self.inner.collections);
            h.finalize().into()
        })
    }

    /// A hash of what a rewrite depends on besides its lookups: the hosts (which links are
    /// internal) and the fallback order (which lookups are made, and in what order).
    pub(crate) fn rules_fingerprint(&self) -> [u8; 32] {
        *self.inner.rules_fingerprint.get_or_init(|| {
            let mut h = Sha256::new();
            self.hash_rules(&mut h);
            h.finalize().into()
        })
    }

    /// Rewrites a help-center URL, reporting every lookup it makes to `record`.
    pub(crate) fn rewrite_url(
        &self,
        url: &Url,
        page_locale: &str,
        up: &str,
        record: &mut dyn FnMut(Dep),
    ) -> Option<String> {
        if !url.host_str().is_some_and(|h| self.is_help_center_host(h)) {
            return None;
        }
        let (kind, id, locale) = page_ref(url)?;
        let mut look = |loc: &str| {
            let found = self.lookup(kind, id, loc);
            record(Dep {
                kind,
                id: id.into(),
                locale: loc.into(),
                found: found.map(Into::into),
            });
            found
        };
        // The link's own locale, the page's, then the fallbacks: each tried once, and each
        // lookup recorded, since the answer depends on all of them.
        let mut tried: Vec<&str> = Vec::with_capacity(2 + self.inner.fallback.len());
        let candidates = locale
            .into_iter()
            .chain([page_locale])
            .chain(self.inner.fallback.iter().map(|l| &**l));
        for candidate in candidates {
            if tried.iter().any(|t| t.eq_ignore_ascii_case(candidate)) {
                continue;
            }
            tried.push(candidate);
            if let Some(path) = look(candidate) {
                return Some(relative_link(up, path, url));
            }
        }
        None
    }

    /// The site path of `id` in `locale`, if any.
    pub(crate) fn lookup(&self, kind: Kind, id: &str, locale: &str) -> Option<&str> {
        let pages = match kind {
            Kind::Article => &self.inner.articles,
            Kind::Collection => &self.inner.collections,
        };
        pages
            .get(id)?
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(locale))
            .map(|(_, p)| &**p)
    }

    fn add(&mut self, kind: Kind, id: &str, locale: &str, site_path: &str) {
        let inner = Arc::make_mut(&mut self.inner);
        // Any change invalidates the memoised fingerprint.
        inner.fingerprint = OnceLock::new();
        let pages = match kind {
            Kind::Article => &mut inner.articles,
            Kind::Collection => &mut inner.collections,
        };
        let entries = pages.entry(id.into()).or_default();
        entries.retain(|(l, _)| !l.eq_ignore_ascii_case(locale));
        entries.push((locale.into(), site_path.into()));
    }

    fn hash_rules(&self, h: &mut Sha256) {
        h.update(b"hosts");
        for host in &self.inner.hosts {
            put(h, host);
        }
        h.update(b"fallback");
        for locale in &self.inner.fallback {
            put(h, locale);
        }
    }
}

/// Hashes one kind's entries in sorted order so the result does not depend on insertion order.
fn hash_pages(h: &mut Sha256, kind: Kind, pages: &Pages) {
    h.update([kind.tag()]);
    let mut ids: Vec<_> = pages.keys().collect();
    ids.sort();
    for id in ids {
        let mut entries: Vec<_> = pages[id].iter().collect();
        entries.sort();
        put(h, id);
        h.update((entries.len() as u64).to_le_bytes());
        for (locale, path) in entries {
            put(h, locale);
            put(h, path);
        }
    }
}

/// Length-prefixed, so `("ab","c")` and `("a","bc")` hash differently.
fn put(h: &mut Sha256, s: &str) {
    h.update((s.len() as u64).to_le_bytes());
    h.update(s.as_bytes());
}

/// Lowercase host of a host name or URL; `None` when there is none.
pub fn normalize_host(entry: &str) -> Option<String> {
    let entry = entry.trim();
    let url = Url::parse(entry)
        .ok()
        .filter(Url::has_host)
        .or_else(|| Url::parse(&format!("https://{entry}")).ok())?;
    let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// `(kind, id, locale segment)` of `[/<prefix>...]/<locale>/(articles|collections)/<id>[-<slug>][/]`.
///
/// The locale is whatever segment precedes `articles`; when that is a path prefix (a help center
/// without locales in its URLs) the lookup simply misses and falls back to the page's locale.
pub fn page_ref(url: &Url) -> Option<(Kind, &str, Option<&str>)> {
    let mut segments: Vec<&str> = url.path_segments()?.collect();
    if segments.last() == Some(&"") {
        segments.pop();
    }
    let n = segments.len();
    if n < 2 {
        return None;
    }
    let kind = match segments[n - 2] {
        "articles" => Kind::Article,
        "collections" => Kind::Collection,
        _ => return None,
    };
    let locale = (n >= 3).then(|| segments[n - 3]).filter(|l| !l.is_empty());
    Some((kind, id_of(segments[n - 1])?, locale))
}

/// The numeric id at the start of `<id>` or `<id>-<slug>`.
fn id_of(segment: &str) -> Option<&str> {
    let end = segment
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(segment.len());
    let rest = &segment[end..];
    (end > 0 && (rest.is_empty() || rest.starts_with('-'))).then(|| &segment[..end])
}

/// `up` + site path + the original query and (id-prefixed) fragment.
fn relative_link(up: &str, site_path: &str, url: &Url) -> String {
    let mut out = format!("{up}{}", site_path.trim_start_matches('/'));
    if let Some(q) = url.query() {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = url.fragment() {
        out.push('#');
        out.push_str(&super::policy::map_fragment(f));
    }
    out
}

/// The prefix that climbs from a page to the site root: `../../../` for
/// `/fr/articles/12-bonjour/` (or `.../index.html`), `./` for `/`.
///
/// A path ending in `/` is a directory whose page is its `index.html`; otherwise the last segment
/// is the page's file name. Always starting with `.` keeps a first segment containing `:` from
/// reading as a URL scheme.
pub(crate) fn up_prefix(page_site_path: &str) -> String {
    let dir = page_site_path
        .rfind('/')
        .map_or("", |i| &page_site_path[..i]);
    let depth = dir
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .count();
    if depth == 0 {
        "./".to_owned()
    } else {
        "../".repeat(depth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> LinkMap {
        let mut m = LinkMap::new([
            "https://help.acme.test/".to_owned(),
            "intercom.help".to_owned(),
            "Docs.Acme.Test".to_owned(),
        ]);
        m.add_article("12", "en", "/en/articles/12-hello/");
        m.add_article("12", "fr", "/fr/articles/12-bonjour/");
        m.add_article("13", "en", "/en/articles/13-only-english/");
        m.add_article("14", "pt-BR", "/pt-BR/articles/14-ola/");
        m.add_collection("7", "fr", "/fr/collections/7-aide/");
        m
    }

    const FR_PAGE: &str = "/fr/articles/99-page/";

    fn rw(href: &str) -> Option<String> {
        map().rewrite(href, "fr", FR_PAGE)
    }

    #[test]
    fn with_and_without_slug() {
        let want = Some("../../../fr/articles/12-bonjour/".to_owned());
        assert_eq!(rw("https://help.acme.test/fr/articles/12-bonjour"), want);
        assert_eq!(rw("https://help.acme.test/fr/articles/12"), want);
        assert_eq!(rw("https://help.acme.test/fr/articles/12-old-slug/"), want);
        assert_eq!(rw("http://HELP.acme.test/fr/articles/12"), want);
    }

    #[test]
    fn link_locale_wins_over_page_locale() {
        assert_eq!(
            rw("https://help.acme.test/en/articles/12-hello").as_deref(),
            Some("../../../en/articles/12-hello/")
        );
        assert_eq!(
            rw("https://help.acme.test/PT-br/articles/14").as_deref(),
            Some("../../../pt-BR/articles/14-ola/")
        );
    }

    #[test]
    fn falls_back_to_page_locale() {
        assert_eq!(
            rw("https://help.acme.test/de/articles/12-hallo").as_deref(),
            Some("../../../fr/articles/12-bonjour/")
        );
        // A help center without locales in its URLs: the prefix is not a locale.
        assert_eq!(
            rw("https://intercom.help/acme/articles/12").as_deref(),
            Some("../../../fr/articles/12-bonjour/")
        );
    }

    #[test]
    fn falls_back_to_the_default_locale_then_the_others_in_order() {
        let mut m = map();
        m.set_fallback_locales(["en", "fr", "pt-BR"]);
        // 13 exists in English only: a French page's link to its German URL goes there.
        assert_eq!(
            m.rewrite(
                "https://help.acme.test/de/articles/13-nur-englisch",
                "fr",
                FR_PAGE
            )
            .as_deref(),
            Some("../../../en/articles/13-only-english/")
        );
        // 14 exists in neither en nor fr: the first fallback locale that has it.
        assert_eq!(
            m.rewrite("https://help.acme.test/de/articles/14#x", "fr", FR_PAGE)
                .as_deref(),
            Some("../../../pt-BR/articles/14-ola/#h_x")
        );
        // The link's and the page's own locales still come first.
        assert_eq!(
            m.rewrite("https://help.acme.test/de/articles/12", "fr", FR_PAGE)
                .as_deref(),
            Some("../../../fr/articles/12-bonjour/")
        );
        // Each lookup is recorded once, in order, so a cached body knows what it relied on.
        let url = Url::parse("https://help.acme.test/en/articles/14").unwrap();
        let mut deps = Vec::new();
        m.rewrite_url(&url, "fr", "../", &mut |d| deps.push(d));
        let asked: Vec<&str> = deps.iter().map(|d| &*d.locale).collect();
        assert_eq!(asked, ["en", "fr", "pt-BR"]);
        // The order decides the answer, so it is part of the rules' fingerprint.
        let mut other = map();
        other.set_fallback_locales(["pt-BR", "en", "fr"]);
        assert_ne!(m.rules_fingerprint(), other.rules_fingerprint());
        assert_ne!(m.fingerprint(), other.fingerprint());
    }

    #[test]
    fn missing_pages_untouched() {
        assert_eq!(
            rw("https://help.acme.test/de/articles/13-nur-englisch"),
            None
        );
        assert_eq!(rw("https://help.acme.test/fr/articles/404-missing"), None);
        assert_eq!(rw("https://help.acme.test/fr/collections/12"), None);
        assert_eq!(rw("https://help.acme.test/fr/"), None);
        assert_eq!(rw("https://help.acme.test/fr/articles/12x"), None);
        assert_eq!(rw("https://help.acme.test/fr/articles/12/extra"), None);
        assert_eq!(rw("https://help.acme.test/fr/articles/"), None);
        assert_eq!(rw("mailto:help@acme.test"), None);
    }

    #[test]
    fn unknown_hosts_untouched() {
        assert_eq!(rw("https://evil.test/fr/articles/12"), None);
        assert_eq!(rw("https://help.acme.test.evil.test/fr/articles/12"), None);
        assert_eq!(
            rw("https://evil.test/?u=https://help.acme.test/fr/articles/12"),
            None
        );
    }

    #[test]
    fn fragment_and_query_kept() {
        assert_eq!(
            rw("https://help.acme.test/fr/articles/12-bonjour#h_0123456789").as_deref(),
            Some("../../../fr/articles/12-bonjour/#h_0123456789")
        );
        assert_eq!(
            rw("https://help.acme.test/fr/articles/12?utm_source=x&b=2#setup").as_deref(),
            Some("../../../fr/articles/12-bonjour/?utm_source=x&b=2#h_setup")
        );
    }

    #[test]
    fn prefix_segments_and_collections() {
        assert_eq!(
            rw("https://intercom.help/acme/fr/collections/7-aide").as_deref(),
            Some("../../../fr/collections/7-aide/")
        );
        assert_eq!(
            rw("//docs.acme.test/fr/collections/7").as_deref(),
            Some("../../../fr/collections/7-aide/")
        );
    }

    #[test]
    fn relative_to_the_page_depth() {
        let m = map();
        let href = "https://help.acme.test/fr/articles/12";
        assert_eq!(
            m.rewrite(href, "fr", "/").as_deref(),
            Some("./fr/articles/12-bonjour/")
        );
        assert_eq!(
            m.rewrite(href, "fr", "/fr/").as_deref(),
            Some("../fr/articles/12-bonjour/")
        );
        assert_eq!(
            m.rewrite(href, "fr", "/fr/articles/99-x/index.html")
                .as_deref(),
            Some("../../../fr/articles/12-bonjour/")
        );
        assert_eq!(up_prefix("/fr/collections/7-aide/"), "../../../");
        assert_eq!(up_prefix("/404.html"), "./");
    }

    #[test]
    fn fingerprint_is_order_independent_and_content_sensitive() {
        let mut a = LinkMap::new(["b.test".to_owned(), "a.test".to_owned()]);
        a.add_article("1", "en", "/en/articles/1-x/");
        a.add_article("2", "en", "/en/articles/2-y/");
        let mut b = LinkMap::new(["a.test".to_owned(), "b.test".to_owned()]);
        b.add_article("2", "en", "/en/articles/2-y/");
        b.add_article("1", "en", "/en/articles/1-x/");
        assert_eq!(a.fingerprint(), b.fingerprint());
        let before = a.fingerprint();
        let shared = a.clone();
        a.add_article("1", "en", "/en/articles/1-renamed/");
        assert_ne!(a.fingerprint(), before);
        assert_eq!(shared.fingerprint(), before, "clones are snapshots");
        a.add_collection("1", "en", "/en/articles/1-renamed/");
        assert_ne!(a.fingerprint(), b.fingerprint());
    }

    #[test]
    fn dependencies_are_recorded() {
        let m = map();
        let url = Url::parse("https://help.acme.test/de/articles/12").unwrap();
        let mut deps = Vec::new();
        m.rewrite_url(&url, "fr", "../", &mut |d| deps.push(d));
        assert_eq!(deps.len(), 2);
        assert_eq!(deps[0].found, None);
        assert_eq!(deps[1].found.as_deref(), Some("/fr/articles/12-bonjour/"));
        assert!(deps.iter().all(|d| d.holds(&m)));
        let mut changed = m.clone();
        changed.add_article("12", "de", "/de/articles/12-hallo/");
        assert!(!deps[0].holds(&changed));
    }
}
