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
