//! Branding: the site's name, logo, favicon, accent colour, header links and footer text, from
//! `helpcenter.toml` or flags (`--site-name`, `--logo`, `--favicon`, `--accent-color`,
//! `--header-link`, `--footer-text`).
//!
//! Files are copied into `/static/` with the theme's files (so they get the same cache-busting
//! links), and the accent colour becomes CSS custom properties appended to the theme's
//! stylesheet: used as given in light mode when it has AA contrast there (else darkened until it
//! does, with a warning), and lightened for dark mode until it has it on the dark background.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::colors::{Rgba, AA_TEXT};
use super::theme::Theme;
use crate::error::{Error, Result};

/// The branding settings of a build, as given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Branding {
    /// The name in the header, titles and share metadata; default: the help center's name.
    pub site_name: Option<String>,
    /// An image file shown before the name in the header.
    pub logo: Option<PathBuf>,
    /// An image file for the browser tab (`.ico`, `.png`, `.svg`, ...).
    pub favicon: Option<PathBuf>,
    /// The colour of links and buttons, `#rrggbb` (or any CSS colour `colors` reads).
    pub accent_color: Option<String>,
    /// Links in the header, e.g. "Back to example.com" (see [`HeaderLink::parse`]).
    pub header_links: Vec<HeaderLink>,
    /// A line of text in every page's footer.
    pub footer_text: Option<String>,
}

/// A link in the site's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderLink {
    /// What the link says.
    pub label: String,
    /// Where it goes: an absolute `http(s):` or `mailto:` URL.
    pub url: String,
}

impl HeaderLink {
    /// Parses `LABEL=URL` (`Back to example.com=https://example.com`). The URL is the part
    /// after the last `=` that starts a URL, so labels may hold `=` and URLs may hold queries.
    pub fn parse(text: &str) -> std::result::Result<HeaderLink, String> {
        let split = text
            .match_indices('=')
            .map(|(at, _)| at)
            .find(|&at| {
                let url = text[at + 1..].trim_start();
                ["http://", "https://", "mailto:"]
                    .iter()
                    .any(|scheme| url.len() >= scheme.len() && url[..scheme.len()].eq_ignore_ascii_case(scheme))
            })
            .ok_or_else(|| {
                format!("{text:?} is not LABEL=URL with an http(s) or mailto URL, e.g. \"Back to example.com=https://example.com\"")
            })?;
        let label = text[..split].trim();
        let url = text[split + 1..].trim();
        if label.is_empty() {
            return Err(format!("{text:?} has no label before the ="));
        }
        let parsed =
            url::Url::parse(url).map_err(|e| format!("{url:?} is not a valid URL: {e}"))?;
        if parsed.scheme() != "mailto" && parsed.host().is_none() {
            return Err(format!("{url:?} has no host"));
        }
        Ok(HeaderLink {
            label: label.to_string(),
            url: url.to_string(),
        })
    }
}

/// The image types a logo or favicon may be, by file extension.
const IMAGE_TYPES: [&str; 7] = ["svg", "png", "jpg", "jpeg", "gif", "webp", "ico"];

/// Branding checked and applied to the theme: what every page's frame shows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Brand {
    /// The site name given in the settings, if any.
    #[serde(skip)]
    pub site_name: Option<String>,
    /// The logo's file under `/static/`, if any.
    pub logo: Option<String>,
    /// The favicon's file under `/static/`, if any.
    pub favicon: Option<String>,
    /// Header links.
    pub header_links: Vec<HeaderLink>,
    /// Footer text.
    pub footer_text: Option<String>,
    /// What the build should tell the user (an accent colour that had to be darkened).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl Brand {
    /// Checks `branding` and adds its files and colours to `theme`.
    pub fn apply(branding: &Branding, theme: &mut Theme) -> Result<Brand> {
        let mut brand = Brand {
            site_name: branding
                .site_name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string),
            header_links: branding.header_links.clone(),
            footer_text: branding
                .footer_text
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            ..Brand::default()
        };
        if let Some(path) = &branding.logo {
            brand.logo = Some(add_image(theme, "--logo", path, "logo")?);
        }
        if let Some(path) = &branding.favicon {
            brand.favicon = Some(add_image(theme, "--favicon", path, "favicon")?);
        }
        if let Some(colour) = &branding.accent_color {
            let (css, warning) = accent_css(colour)?;
            let style = theme.assets.entry("style.css".to_string()).or_default();
            style.extend_from_slice(css.as_bytes());
            brand.warnings.extend(warning);
        }
        Ok(brand)
    }
}

/// Copies an image into the theme's static files as `<name>.<ext>`; returns that name.
fn add_image(theme: &mut Theme, flag: &str, path: &Path, name: &str) -> Result<String> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .filter(|e| IMAGE_TYPES.contains(&e.as_str()))
        .ok_or_else(|| {
            Error::usage(format!(
                "{flag} {}: not an image file (expected one of .{})",
                path.display(),
                IMAGE_TYPES.join(", .")
            ))
        })?;
    let bytes = std::fs::read(path)
        .map_err(|e| Error::usage(format!("{flag} {}: cannot read it: {e}", path.display())))?;
    let file = format!("{name}.{extension}");
    theme.assets.insert(file.clone(), bytes);
    Ok(file)
}

/// The CSS that sets the accent colour in both schemes, and a warning when the colour itself
/// had to be darkened to be readable on the light theme.
fn accent_css(text: &str) -> Result<(String, Option<String>)> {
    let colour = Rgba::parse(text).filter(Rgba::is_opaque).ok_or_else(|| {
        Error::usage(format!(
            "--accent-color {text:?} is not an opaque CSS colour such as #1f5fcc"
        ))
    })?;
    // Links in cards sit on the soft background, the darker of the light theme's two.
    let light_bg = Rgba::opaque(0xf5, 0xf6, 0xf8);
    let dark_bg = Rgba::opaque(0x1e, 0x21, 0x25);
    let unreadable = |bg: Rgba| {
        Error::usage(format!(
            "--accent-color {text:?}: no shade of it is readable on {bg}"
        ))
    };
    let light = colour
        .adjusted_for(light_bg, AA_TEXT)
        .ok_or_else(|| unreadable(light_bg))?;
    let dark = colour
        .adjusted_for(dark_bg, AA_TEXT)
        .ok_or_else(|| unreadable(dark_bg))?;
    let warning = (light != colour).then(|| {
        format!(
            "--accent-color {text}: too light for text on a light background ({:.1}:1, AA needs \
             4.5:1); links and buttons use {light} instead",
            colour.contrast(light_bg)
        )
    });
    let on = |c: Rgba| {
        let white = Rgba::opaque(255, 255, 255);
        let black = Rgba::opaque(0x11, 0x11, 0x11);
        if c.contrast(white) >= c.contrast(black) {
            white
        } else {
            black
        }
    };
    let css = format!(
        "\n/* Accent colour from the branding settings ({text}). */\n\
         :root {{\n  --accent: {light};\n  --accent-fg: {};\n}}\n\
         @media (prefers-color-scheme: dark) {{\n  :root {{\n    --accent: {dark};\n    --accent-fg: {};\n  }}\n}}\n",
        on(light),
        on(dark)
    );
    Ok((css, warning))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_links_are_label_equals_url() {
        assert_eq!(
            HeaderLink::parse("Back to example.com=https://example.com/?a=b").unwrap(),
            HeaderLink {
                label: "Back to example.com".into(),
                url: "https://example.com/?a=b".into()
            }
        );
        assert_eq!(
            HeaderLink::parse("2+2=4, ask us = mailto:help@example.com").unwrap(),
            HeaderLink {
                label: "2+2=4, ask us".into(),
                url: "mailto:help@example.com".into()
            }
        );
        for bad in [
            "https://example.com",
            "Home=/",
            "=https://x.test",
            "X=https://",
        ] {
            assert!(HeaderLink::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn accent_colours_are_kept_readable_in_both_schemes() {
        let (css, warning) = accent_css("#1f5fcc").unwrap();
        assert_eq!(warning, None);
        assert!(
            css.contains("--accent: #1f5fcc;\n  --accent-fg: #ffffff;"),
            "{css}"
        );
        let dark = css.split("prefers-color-scheme: dark").nth(1).unwrap();
        let lightened = dark.split("--accent: ").nth(1).unwrap()[..7].to_string();
        let lightened = Rgba::parse(&lightened).unwrap();
        assert!(lightened.contrast(Rgba::opaque(0x1e, 0x21, 0x25)) >= AA_TEXT);

        let (css, warning) = accent_css("#ffcc00").unwrap();
        let warning = warning.unwrap();
        assert!(
            warning.starts_with("--accent-color #ffcc00: too light"),
            "{warning}"
        );
        let (light, dark) = css.split_once("prefers-color-scheme: dark").unwrap();
        assert!(
            light.contains("--accent: #8a6e00;"),
            "darkened for the light theme: {css}"
        );
        assert!(
            dark.contains("--accent: #ffcc00;"),
            "as given on the dark one: {css}"
        );
        assert!(accent_css("nope").is_err());
        assert!(accent_css("#ff000080").is_err());
    }

    #[test]
    fn logos_must_be_images() {
        let dir = tempfile::tempdir().unwrap();
        let logo = dir.path().join("logo.SVG");
        std::fs::write(&logo, "<svg/>").unwrap();
        let mut theme = Theme::resolve(None).unwrap();
        let branding = Branding {
            logo: Some(logo),
            favicon: Some(dir.path().join("missing.ico")),
            ..Branding::default()
        };
        let err = Brand::apply(&branding, &mut theme).unwrap_err().to_string();
        assert!(
            err.starts_with("--favicon ") && err.contains("cannot read it"),
            "{err}"
        );
        let branding = Branding {
            logo: Some(dir.path().join("logo.txt")),
            ..Branding::default()
        };
        let err = Brand::apply(&branding, &mut theme).unwrap_err().to_string();
        assert!(err.contains("not an image file"), "{err}");
        let branding = Branding {
            logo: Some(dir.path().join("logo.SVG")),
            ..Branding::default()
        };
        let brand = Brand::apply(&branding, &mut theme).unwrap();
        assert_eq!(brand.logo.as_deref(), Some("logo.svg"));
        assert_eq!(theme.assets["logo.svg"], b"<svg/>");
    }
}
