//! Which URLs in a body are assets (images, media, attachments) a backup should keep.

use scraper::{Html, Selector};

/// Elements and attributes whose URL is always an asset.
const MEDIA_ATTRIBUTES: [(&str, &str); 5] = [
    ("img", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("source", "src"),
    ("audio", "src"),
];

/// The http(s) URLs of every image, media file and Intercom attachment `html` refers to, in
/// document order, each once.
///
/// Links (`a href`) count only when they point at Intercom's attachment hosts: a link to
/// another web page is not something to download.
pub fn asset_urls(html: &str) -> Vec<String> {
    let fragment = Html::parse_fragment(html);
    let selector =
        Selector::parse("img[src], video[src], video[poster], source[src], audio[src], a[href]")
            .expect("static selector");
    let mut urls: Vec<String> = Vec::new();
    for element in fragment.select(&selector) {
        let name = element.value().name();
        let candidates = MEDIA_ATTRIBUTES
            .iter()
            .filter(|(tag, _)| *tag == name)
            .filter_map(|(_, attribute)| element.value().attr(attribute));
        let link = (name == "a")
            .then(|| element.value().attr("href"))
            .flatten()
            .filter(|href| is_attachment_url(href));
        for url in candidates.chain(link) {
            let url = url.trim();
            if is_http_url(url) && !urls.iter().any(|seen| seen == url) {
                urls.push(url.to_string());
            }
        }
    }
    urls
}

/// Which kind of attribute a URL of a body sits in, for [`rewrite_asset_urls`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetAttribute {
    /// `src` or `poster` of `img`, `video`, `source` or `audio`: always an asset.
    Media,
    /// `href` of `a`: an asset only when it points at a downloaded file.
    Link,
}

/// Rewrites the URLs of media attributes and links in `html` (trimmed, as [`asset_urls`]
/// reads them) that `replace` gives a new value for. Returns `None` when nothing changed, so
/// a body without assets is left byte for byte as it was.
///
/// The fragment is parsed and serialised by html5ever: the result has the same DOM, but not
/// necessarily the same spelling (attributes come out sorted by name; every caller sanitises
/// the result afterwards anyway).
pub fn rewrite_asset_urls(
    html: &str,
    mut replace: impl FnMut(&str, AssetAttribute) -> Option<String>,
) -> Option<String> {
    if !html.contains('<') {
        return None;
    }
    let mut fragment = Html::parse_fragment(html);
    let mut changed = false;
    for node in fragment.tree.values_mut() {
        let scraper::Node::Element(element) = node else {
            continue;
        };
        let name = element.name.local.to_string();
        for (attribute, value) in element.attrs.iter_mut() {
            let attribute = &*attribute.local;
            let kind = if name == "a" && attribute == "href" {
                AssetAttribute::Link
            } else if MEDIA_ATTRIBUTES.contains(&(name.as_str(), attribute)) {
                AssetAttribute::Media
            } else {
                continue;
            };
            if let Some(new) = replace(value.trim(), kind) {
                *value = new.as_str().into();
                changed = true;
            }
        }
    }
    changed.then(|| fragment.root_element().inner_html())
}

/// Whether `url` is an absolute http or https URL.
pub fn is_http_url(url: &str) -> bool {
    url::Url::parse(url)
        .map(|parsed| matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some())
        .unwrap_or(false)
}

/// Whether `url` points at one of the hosts Intercom serves uploaded files from.
pub fn is_attachment_url(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    let Some(host) = parsed.host_str() else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    [
        "intercomcdn.com",
        "intercomcdn.eu",
        "intercom-attachments.com",
    ]
    .iter()
    .any(|domain| host == *domain || host.ends_with(&format!(".{domain}")))
        || (host.starts_with("intercom-attachments") && host.ends_with(".amazonaws.com"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_media_and_attachments_once_in_document_order() {
        let body = r#"<p><img src="https://downloads.intercomcdn.com/i/o/1/a.png">
            <a href="https://downloads.intercomcdn.com/i/o/2/guide.pdf">guide</a>
            <a href="https://example.com/page">elsewhere</a>
            <img src="https://downloads.intercomcdn.com/i/o/1/a.png">
            <video src="https://videos.example.com/v.mp4" poster="https://cdn.example.com/p.jpg"></video>
            <img src="data:image/png;base64,AAAA"><img src="/relative.png">
            <img src="javascript:alert(1)"></p>"#;
        assert_eq!(
            asset_urls(body),
            [
                "https://downloads.intercomcdn.com/i/o/1/a.png",
                "https://downloads.intercomcdn.com/i/o/2/guide.pdf",
                "https://videos.example.com/v.mp4",
                "https://cdn.example.com/p.jpg",
            ]
        );
    }

    #[test]
    fn rewriting_replaces_only_what_the_closure_maps() {
        let body = r#"<p><img src=" https://cdn.test/a.png " alt="A"><a href="https://cdn.test/a.png">a</a><a href="https://x.test/">x</a><span title="https://cdn.test/a.png">t</span></p>"#;
        let mut seen = Vec::new();
        let rewritten = rewrite_asset_urls(body, |url, kind| {
            seen.push((url.to_string(), kind));
            (url == "https://cdn.test/a.png").then(|| "../assets/f.png".to_string())
        });
        assert_eq!(
            rewritten.as_deref(),
            Some(
                r#"<p><img alt="A" src="../assets/f.png"><a href="../assets/f.png">a</a><a href="https://x.test/">x</a><span title="https://cdn.test/a.png">t</span></p>"#
            )
        );
        assert_eq!(
            seen,
            [
                ("https://cdn.test/a.png".to_string(), AssetAttribute::Media),
                ("https://cdn.test/a.png".to_string(), AssetAttribute::Link),
                ("https://x.test/".to_string(), AssetAttribute::Link),
            ]
        );
        assert_eq!(rewrite_asset_urls(body, |_, _| None), None);
        assert_eq!(
            rewrite_asset_urls("plain text", |_, _| Some("x".into())),
            None
        );
    }

    #[test]
    fn attachment_hosts() {
        assert!(is_attachment_url("https://downloads.intercomcdn.com/x.pdf"));
        assert!(is_attachment_url("https://downloads.intercomcdn.eu/x.pdf"));
        assert!(is_attachment_url(
            "https://intercom-attachments-7.s3.amazonaws.com/x.zip"
        ));
        assert!(!is_attachment_url("https://evilintercomcdn.com/x.pdf"));
        assert!(!is_attachment_url("https://example.com/intercomcdn.com"));
    }
}
