//! Article bodies and descriptions: one sanitising policy, link rewriting, and a cache.
//!
//! Every body goes through [`sanitize`] (or [`sanitize_with_links`] when rendering a site page)
//! before it is rendered, so all ends see the same HTML; the Markdown tree and `push` use
//! [`sanitize_for_intercom`], the same policy without the site page's decorations.
//!
//! # Policy
//! - Kept: ordinary content elements (paragraphs, headings, lists, emphasis, code, quotes,
//!   tables, images, links, `details`/`summary`, `figure`, `sub`/`sup`, ...). Unknown elements
//!   are unwrapped (their text stays); `script`, `style`, `svg`, `math`, `template`,
//!   `noscript`, form fields, `object`/`embed`, `base`/`meta`/`link` go with their content.
//! - `id`: kept on every element but prefixed with `h_` unless it already starts with it, so
//!   Intercom's heading anchors (`h_0123456789`) are untouched and no id can shadow a global of
//!   the page's scripts. `#fragment` links are prefixed the same way.
//! - `class`: Intercom's classes (`intercom-*`, `no-margin`) and, on `code`, `language-*`.
//! - `style`: only on `div` and table elements, and only declarations of a small set of
//!   presentational properties with plain values (see `style.rs`).
//! - URLs: http, https, mailto, tel and relative. `img` may also use `data:` for png, jpeg,
//!   gif and webp. Everything else (javascript:, vbscript:, other data:) is removed.
//! - Links: `target` only as `_blank`; `rel` is decided by the policy, not kept from the input:
//!   a link to another host gets `rel="noopener noreferrer"`, while relative links and links to
//!   the help center's own hosts (rewritten or not) get none, so internal navigation keeps its
//!   referrer.
//! - iframes: https embeds of YouTube (also youtube-nocookie), Vimeo's player, Loom and Wistia
//!   only; any other iframe is removed with its content.
//!
//! Bump [`POLICY_VERSION`] whenever the output for some input changes (also on ammonia upgrades),
//! so persisted [`BodyCache`] files are discarded.

mod assets;
mod cache;
mod handlers;
mod links;
mod policy;
mod style;
mod text;
mod urls;

pub use assets::{asset_urls, is_attachment_url, is_http_url, rewrite_asset_urls, AssetAttribute};
pub use cache::BodyCache;
pub(crate) use handlers::selector;
pub use handlers::{on_element, on_text, ElementHandler};
pub use links::{normalize_host, page_ref, Kind as PageKind, LinkMap};
pub use text::{decode_text, text_of, TextReader};

/// Version of the sanitising policy; part of every [`BodyCache`] key.
pub const POLICY_VERSION: u32 = 2;

/// Sanitises a body or description with the one policy, leaving links where they point.
pub fn sanitize(html: &str) -> String {
    policy::clean(html, &cache::NO_LINKS, "", "/").0
}

/// Sanitises a body the way the Markdown tree holds it and `push` sends it: the policy's
/// allowlist without what only a site page needs (the policy's `rel` on links, `h_` prefixes on
/// ids and `#fragment` links). That is Intercom's own markup, minus anything unsafe; a site page
/// built from it gets the same HTML as from the original body.
pub fn sanitize_for_intercom(html: &str) -> String {
    policy::clean_for_intercom(html)
}

/// Sanitises a body for the site page at `page_site_path` (e.g. `/fr/articles/12-bonjour/`),
/// rewriting links to the help center's articles and collections into relative site links.
///
/// A link goes to the target in the link's own locale if the site has it, else in
/// `page_locale`, else in the map's fallback locales (see [`LinkMap::set_fallback_locales`]),
/// else it is left as it was.
pub fn sanitize_with_links(
    html: &str,
    links: &LinkMap,
    page_locale: &str,
    page_site_path: &str,
) -> String {
    policy::clean(html, links, page_locale, page_site_path).0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> LinkMap {
        let mut m = LinkMap::new(["https://help.acme.test".to_owned()]);
        m.add_article("12", "fr", "/fr/articles/12-bonjour/");
        m
    }

    #[test]
    fn help_center_links_rewritten_without_rel() {
        let html =
            r#"<a href="https://help.acme.test/en/articles/12-hello#h_abc" target="_blank">x</a>"#;
        assert_eq!(
            sanitize_with_links(html, &links(), "fr", "/fr/articles/1-a/"),
            r#"<a href="../../../fr/articles/12-bonjour/#h_abc" target="_blank">x</a>"#
        );
    }

    #[test]
    fn help_center_links_not_in_site_stay_without_rel() {
        let html = r#"<a href="https://help.acme.test/en/articles/404">x</a>"#;
        assert_eq!(
            sanitize_with_links(html, &links(), "fr", "/fr/articles/1-a/"),
            html
        );
    }

    #[test]
    fn other_hosts_get_rel() {
        let html = r#"<a href="https://evil.test/en/articles/12">x</a><a href="/rel">y</a>"#;
        assert_eq!(
            sanitize_with_links(html, &links(), "fr", "/fr/articles/1-a/"),
            r#"<a href="https://evil.test/en/articles/12" rel="noopener noreferrer">x</a><a href="/rel">y</a>"#
        );
    }

    #[test]
    fn plain_sanitize_treats_every_host_as_external() {
        assert_eq!(
            sanitize(r#"<a href="https://help.acme.test/fr/articles/12">x</a>"#),
            r#"<a href="https://help.acme.test/fr/articles/12" rel="noopener noreferrer">x</a>"#
        );
    }

    #[test]
    fn rel_state_does_not_leak_between_links() {
        let html = r#"<a href="https://x.test">a</a><a>b</a><a href="../c">c</a>"#;
        assert_eq!(
            sanitize(html),
            r#"<a href="https://x.test" rel="noopener noreferrer">a</a><a>b</a><a href="../c">c</a>"#
        );
    }

    #[test]
    fn rejected_iframe_state_does_not_leak() {
        let html = r#"<iframe src="https://evil.test/"></iframe><iframe src="https://player.vimeo.com/video/1"></iframe>"#;
        assert_eq!(
            sanitize(html),
            r#"<iframe src="https://player.vimeo.com/video/1"></iframe>"#
        );
    }

    #[test]
    fn a_leading_blank_line_of_preformatted_text_survives() {
        // The parser drops one newline right after `<pre>`; each output holds the text it read.
        for (html, clean) in [
            ("<pre>\n\nx</pre>", "<pre>\n\nx</pre>"),
            ("<pre><u>\n</u>x</pre>", "<pre><u>\n</u>x</pre>"),
            ("<pre><font>\n\n</font>x</pre>", "<pre>\n\n\nx</pre>"),
            (
                "<pre>\n\n<pre>\n\nx</pre></pre>",
                "<pre>\n\n<pre>\n\nx</pre></pre>",
            ),
            ("<pre>\nx\n</pre>", "<pre>x\n</pre>"),
            ("<pre><pre></pre>\nx</pre>", "<pre><pre></pre>\nx</pre>"),
        ] {
            assert_eq!(sanitize(html), clean, "{html:?}");
            assert_eq!(sanitize(clean), clean);
            assert_eq!(sanitize_for_intercom(html), clean, "{html:?}");
        }
    }

    #[test]
    fn usable_from_many_threads() {
        let m = links();
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|i| {
                    let m = &m;
                    s.spawn(move || {
                        let page = format!("/fr/articles/{i}-p/");
                        sanitize_with_links(
                            r#"<a href="https://help.acme.test/fr/articles/12">x</a>"#,
                            m,
                            "fr",
                            &page,
                        )
                    })
                })
                .collect();
            for h in handles {
                assert!(h
                    .join()
                    .unwrap()
                    .contains("../../../fr/articles/12-bonjour/"));
            }
        });
    }
}
