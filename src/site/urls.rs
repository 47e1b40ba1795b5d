//! Site paths, relative links between pages, and absolute URLs under `--base-url`.
//!
//! A site path is root-relative and ends in `/` for a page (`/fr/articles/12-bonjour/`,
//! written as `index.html` in that directory) or names a file (`/sitemap.xml`). Pages link to
//! each other relatively, so the site works under any host and path prefix; absolute URLs are
//! only made where a standard requires them (sitemap, canonical, Open Graph).

use url::Url;

use crate::error::{Error, Result};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// The file a site path is written to, relative to the output directory.
pub fn output_file(site_path: &str) -> String {
    let relative = site_path.trim_start_matches('/');
    if relative.is_empty() || relative.ends_with('/') {
        format!("{relative}index.html")
    } else {
        relative.to_string()
    }
}

/// The prefix that climbs from a page to the site root: `./` for `/`, `../../../` for
/// `/fr/articles/12-bonjour/`.
pub fn root_prefix(page_site_path: &str) -> String {
    let depth = page_site_path.rsplit_once('/').map_or(0, |(dir, _)| {
        dir.split('/').filter(|s| !s.is_empty()).count()
    });
    if depth == 0 {
        "./".to_string()
    } else {
        "../".repeat(depth)
    }
}

/// A link from a page (given by its root prefix) to a site path.
pub fn href(root: &str, target_site_path: &str) -> String {
    format!("{root}{}", target_site_path.trim_start_matches('/'))
}

/// A site path as it goes into a URL: non-ASCII bytes percent-encoded.
pub fn encode_path(site_path: &str) -> String {
    let mut out = String::with_capacity(site_path.len() * 3);
    push_encoded(&mut out, site_path);
    out
}

/// Appends `path`, percent-encoding its non-ASCII bytes. Site paths hold only validated
/// locales, ids and slugs: ASCII letters, digits, `-`, `/` and the unicode letters of slugs;
/// encoding the non-ASCII bytes is then exactly what `Url::join` would do, without parsing a
/// URL for every link.
fn push_encoded(out: &mut String, path: &str) {
    for &byte in path.as_bytes() {
        if byte.is_ascii() {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
}

/// The absolute URL the site is published at (`--base-url`), always ending in `/`.
#[derive(Debug, Clone)]
pub struct BaseUrl(Url);

impl BaseUrl {
    /// Parses `--base-url`: an absolute http(s) URL without query or fragment.
    pub fn parse(text: &str) -> Result<BaseUrl> {
        let mut url = Url::parse(text)
            .map_err(|e| Error::usage(format!("--base-url {text:?} is not a valid URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(Error::usage(format!(
                "--base-url {text:?} must be an absolute http:// or https:// URL"
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::usage(format!(
                "--base-url {text:?} must not have a query or fragment"
            )));
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(BaseUrl(url))
    }

    /// The absolute, percent-encoded URL of a site path.
    pub fn absolute(&self, site_path: &str) -> String {
        let relative = site_path.trim_start_matches('/');
        let mut url = String::with_capacity(self.0.as_str().len() + relative.len() * 3);
        url.push_str(self.0.as_str());
        push_encoded(&mut url, relative);
        url
    }

    /// The path part, e.g. `/docs/` for `https://example.com/docs/`.
    pub fn path(&self) -> &str {
        self.0.path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_and_prefixes() {
        assert_eq!(output_file("/"), "index.html");
        assert_eq!(
            output_file("/en/articles/1-a/"),
            "en/articles/1-a/index.html"
        );
        assert_eq!(output_file("/sitemap.xml"), "sitemap.xml");
        assert_eq!(root_prefix("/"), "./");
        assert_eq!(root_prefix("/404.html"), "./");
        assert_eq!(root_prefix("/en/"), "../");
        assert_eq!(root_prefix("/en/articles/1-a/"), "../../../");
        assert_eq!(href("../../../", "/fr/"), "../../../fr/");
    }

    #[test]
    fn base_urls() {
        let base = BaseUrl::parse("https://help.example.com/docs").unwrap();
        assert_eq!(base.path(), "/docs/");
        assert_eq!(
            base.absolute("/fr/articles/1-créer/"),
            "https://help.example.com/docs/fr/articles/1-cr%C3%A9er/"
        );
        assert_eq!(base.absolute("/"), "https://help.example.com/docs/");
        // The same as the url crate's own encoding of such paths.
        let path = "/ja/articles/103-デバイス間-ä/";
        let joined = base.0.join(path.trim_start_matches('/')).unwrap();
        assert_eq!(base.absolute(path), joined.as_str());
        for bad in [
            "example.com",
            "ftp://x.test/",
            "https://x.test/?a=1",
            "/docs",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad} accepted");
        }
    }
}
