//! URL classification for the sanitising policy: which scheme a link uses, which `data:` images
//! are acceptable and which iframes come from a known video host.

use std::sync::LazyLock;
use url::Url;

/// Host of the made-up base used to resolve relative references: `.invalid` can never be a real
/// host, so a resolved URL with any other host was a network-path reference (`//host/...`).
const PLACEHOLDER_HOST: &str = "relative.invalid";

/// Base URL for resolving relative references; https so `\\host` is treated like `//host`,
/// exactly as browsers do for special schemes.
static PLACEHOLDER_BASE: LazyLock<Url> = LazyLock::new(|| {
    Url::parse(&format!("https://{PLACEHOLDER_HOST}/a/b/c/")).expect("constant URL parses")
});

/// Media types an `img` may carry inline: raster formats only, which cannot run script.
const RASTER_DATA_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// What a URL attribute points at, as far as the policy cares.
#[derive(Debug)]
pub(crate) enum Target {
    /// An http(s) URL, or a network-path reference (`//host/...`) resolved as https.
    Web(Url),
    /// A path, query or fragment relative to the page.
    Relative,
    /// `mailto:` or `tel:`.
    Contact,
    /// A `data:` URL; only some images may use it.
    Data(Url),
    /// Anything else (javascript:, vbscript:, file:, unparsable): never kept.
    Denied,
}

/// Classifies a URL the way a browser would resolve it (WHATWG parsing, as in the `url` crate).
pub(crate) fn classify(value: &str) -> Target {
    match Url::parse(value) {
        Ok(url) => match url.scheme() {
            "http" | "https" => Target::Web(url),
            "mailto" | "tel" => Target::Contact,
            "data" => Target::Data(url),
            _ => Target::Denied,
        },
        Err(url::ParseError::RelativeUrlWithoutBase) => classify_relative(value),
        Err(_) => Target::Denied,
    }
}

/// A relative reference is either page-relative or, when it names a host, a web URL.
fn classify_relative(value: &str) -> Target {
    match PLACEHOLDER_BASE.join(value) {
        Ok(url) if url.host_str() == Some(PLACEHOLDER_HOST) => Target::Relative,
        Ok(url) => Target::Web(url),
        Err(_) => Target::Denied,
    }
}

/// True for `data:` URLs of raster images (png, jpeg, gif, webp), plain or base64.
pub(crate) fn is_raster_data_url(url: &Url) -> bool {
    let Some((media, _)) = url.path().split_once(',') else {
        return false;
    };
    let media: String = media
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let media = media.strip_suffix(";base64").unwrap_or(&media);
    RASTER_DATA_TYPES.contains(&media)
}

/// True when an iframe `src` is an https embed page of YouTube, Vimeo, Loom or Wistia.
///
/// Only the embed paths are accepted so a known host cannot be used to frame its other pages
/// (redirectors, log-in forms).
pub(crate) fn is_video_embed(value: &str) -> bool {
    let Ok(url) = Url::parse(value) else {
        return false;
    };
    let plain = url.scheme() == "https"
        && url.username().is_empty()
        && url.password().is_none()
        && url.port().is_none();
    match url.host_str() {
        Some(host) if plain => embed_path_for(host).is_some_and(|p| url.path().starts_with(p)),
        _ => false,
    }
}

/// The path prefix of embeddable players on a known video host.
fn embed_path_for(host: &str) -> Option<&'static str> {
    match host {
        "www.youtube.com" | "youtube.com" | "www.youtube-nocookie.com" | "youtube-nocookie.com" => {
            Some("/embed/")
        }
        "player.vimeo.com" => Some("/video/"),
        "www.loom.com" | "loom.com" => Some("/embed/"),
        "fast.wistia.net" => Some("/embed/"),
        h if is_wistia_com(h) => Some("/embed/"),
        _ => None,
    }
}

/// `*.wistia.com` (account subdomains and fast.wistia.com), a real subdomain only.
fn is_wistia_com(host: &str) -> bool {
    host.strip_suffix(".wistia.com")
        .is_some_and(|sub| !sub.is_empty() && !sub.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_hosts() {
        assert!(is_video_embed("https://www.youtube.com/embed/abc"));
        assert!(is_video_embed(
            "https://www.youtube-nocookie.com/embed/abc?rel=0"
        ));
        assert!(is_video_embed("https://player.vimeo.com/video/1"));
        assert!(is_video_embed("https://www.loom.com/embed/x"));
        assert!(is_video_embed("https://fast.wistia.net/embed/iframe/x"));
        assert!(is_video_embed("https://acme.wistia.com/embed/iframe/x"));
        assert!(!is_video_embed("http://www.youtube.com/embed/abc"));
        assert!(!is_video_embed("//www.youtube.com/embed/abc"));
        assert!(!is_video_embed("https://www.youtube.com/redirect?q=x"));
        assert!(!is_video_embed("https://www.youtube.com.evil.test/embed/x"));
        assert!(!is_video_embed("https://evil.test/embed/?www.youtube.com"));
        assert!(!is_video_embed("https://www.youtube.com@evil.test/embed/x"));
        assert!(!is_video_embed("https://u@www.youtube.com/embed/x"));
        assert!(!is_video_embed("https://www.youtube.com:8443/embed/x"));
        assert!(!is_video_embed("https://wistia.com/embed/x"));
        assert!(!is_video_embed("https://evilwistia.com/embed/x"));
    }

    #[test]
    fn data_images() {
        let ok = |s: &str| match classify(s) {
            Target::Data(u) => is_raster_data_url(&u),
            _ => false,
        };
        assert!(ok("data:image/png;base64,iVBORw0KGgo="));
        assert!(ok("DATA:Image/JPEG,abc"));
        assert!(!ok("data:image/svg+xml;base64,PHN2Zz4="));
        assert!(!ok("data:text/html,<script>alert(1)</script>"));
        assert!(!ok("data:image/png;charset=utf-8;base64,x"));
    }

    #[test]
    fn network_path_references_are_web_urls() {
        assert!(
            matches!(classify("//evil.test/x"), Target::Web(u) if u.host_str() == Some("evil.test"))
        );
        assert!(matches!(classify("\\\\evil.test/x"), Target::Web(_)));
        assert!(matches!(classify("../x#y"), Target::Relative));
        assert!(matches!(classify(" java\tscript:alert(1)"), Target::Denied));
        assert!(matches!(classify("mailto:a@b.c"), Target::Contact));
    }
}
