//! Themes: the built-in `default` (compiled into the binary) or a folder that overrides it.
//!
//! A theme folder may hold `templates/` (files replacing built-in templates of the same name,
//! or adding new ones for `include`), `static/` (files replacing or adding assets, copied to
//! `/static/`) and `i18n.json` (strings replacing or adding the built-in ones, key by key).
//! Anything it does not provide comes from the built-in theme.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::i18n::I18n;
use crate::error::{Error, Result};

/// Names of the built-in themes.
pub const BUILTIN_THEMES: [&str; 1] = ["default"];

/// The built-in templates, by name.
const TEMPLATES: [(&str, &str); 17] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("home.html", include_str!("../../templates/home.html")),
    (
        "collection.html",
        include_str!("../../templates/collection.html"),
    ),
    ("article.html", include_str!("../../templates/article.html")),
    ("404.html", include_str!("../../templates/404.html")),
    (
        "_languages.html",
        include_str!("../../templates/_languages.html"),
    ),
    (
        "_breadcrumbs.html",
        include_str!("../../templates/_breadcrumbs.html"),
    ),
    ("_cards.html", include_str!("../../templates/_cards.html")),
    (
        "_article_list.html",
        include_str!("../../templates/_article_list.html"),
    ),
    ("_toc.html", include_str!("../../templates/_toc.html")),
    ("_search.html", include_str!("../../templates/_search.html")),
    ("sitemap.xml", include_str!("../../templates/sitemap.xml")),
    (
        "sitemap-index.xml",
        include_str!("../../templates/sitemap-index.xml"),
    ),
    ("robots.txt", include_str!("../../templates/robots.txt")),
    ("feed.xml", include_str!("../../templates/feed.xml")),
    (
        "redirect.html",
        include_str!("../../templates/redirect.html"),
    ),
];

/// The default theme's assets, by path under `/static/`.
const DEFAULT_STATIC: [(&str, &[u8]); 2] = [
    (
        "style.css",
        include_bytes!("../../themes/default/static/style.css"),
    ),
    (
        "search.js",
        include_bytes!("../../themes/default/static/search.js"),
    ),
];

const DEFAULT_I18N: &str = include_str!("../../themes/default/i18n.json");

/// One template's text and where it came from (for error messages).
#[derive(Debug, Clone)]
pub struct TemplateSource {
    /// The Tera source.
    pub text: String,
    /// `built-in` or the file it was read from.
    pub origin: String,
}

/// A resolved theme: every template, asset and string the build uses.
#[derive(Debug, Clone)]
pub struct Theme {
    /// `default`, or the folder's path.
    pub name: String,
    /// Templates by name (`article.html`, `partials/x.html`).
    pub templates: BTreeMap<String, TemplateSource>,
    /// Assets by path under `/static/` (`style.css`).
    pub assets: BTreeMap<String, Vec<u8>>,
    /// Language names and UI strings.
    pub i18n: I18n,
}

impl Theme {
    /// Resolves `--theme`: a built-in name, else a folder; `None` is the default theme.
    pub fn resolve(spec: Option<&str>) -> Result<Theme> {
        let mut theme = Theme::builtin();
        match spec {
            None => Ok(theme),
            Some(name) if BUILTIN_THEMES.contains(&name) => Ok(theme),
            Some(folder) if Path::new(folder).is_dir() => {
                theme.overlay(Path::new(folder))?;
                Ok(theme)
            }
            Some(other) => Err(Error::usage(format!(
                "unknown theme {other:?}: not a built-in theme ({}) nor a directory",
                BUILTIN_THEMES.join(", ")
            ))),
        }
    }

    fn builtin() -> Theme {
        let templates = TEMPLATES
            .iter()
            .map(|(name, text)| {
                let source = TemplateSource {
                    text: text.to_string(),
                    origin: "built-in".to_string(),
                };
                (name.to_string(), source)
            })
            .collect();
        let assets = DEFAULT_STATIC
            .iter()
            .map(|(name, bytes)| (name.to_string(), bytes.to_vec()))
            .collect();
        Theme {
            name: BUILTIN_THEMES[0].to_string(),
            templates,
            assets,
            i18n: serde_json::from_str(DEFAULT_I18N).expect("built-in i18n.json is valid"),
        }
    }

    /// Applies a theme folder's files over the built-in theme.
    fn overlay(&mut self, folder: &Path) -> Result<()> {
        self.name = folder.display().to_string();
        let templates = folder.join("templates");
        let assets = folder.join("static");
        let i18n = folder.join("i18n.json");
        if !templates.is_dir() && !assets.is_dir() && !i18n.is_file() {
            return Err(Error::usage(format!(
                "theme folder {} has none of templates/, static/ or i18n.json",
                folder.display()
            )));
        }
        for (name, path) in files_under(&templates)? {
            let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, "read", e))?;
            let origin = path.display().to_string();
            self.templates.insert(name, TemplateSource { text, origin });
        }
        for (name, path) in files_under(&assets)? {
            let bytes = fs::read(&path).map_err(|e| Error::io(&path, "read", e))?;
            self.assets.insert(name, bytes);
        }
        if i18n.is_file() {
            let text = fs::read_to_string(&i18n).map_err(|e| Error::io(&i18n, "read", e))?;
            let overrides: I18n = serde_json::from_str(&text)
                .map_err(|e| Error::usage(format!("{}: {e}", i18n.display())))?;
            self.i18n.merge(overrides);
        }
        Ok(())
    }
}

/// Regular files below `dir` (if it exists), as `/`-separated relative names, sorted.
/// Symbolic links are not followed, so a theme cannot pull in files from elsewhere by accident.
fn files_under(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::io(dir, "list", e.into()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry
            .path()
            .strip_prefix(dir)
            .expect("walkdir stays below its root");
        let name = relative
            .components()
            .map(|c| c.as_os_str().to_str())
            .collect::<Option<Vec<&str>>>()
            .ok_or_else(|| {
                Error::usage(format!(
                    "{}: file name is not UTF-8",
                    entry.path().display()
                ))
            })?
            .join("/");
        files.push((name, entry.path().to_path_buf()));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_by_default_and_by_name() {
        assert_eq!(Theme::resolve(None).unwrap().name, "default");
        let theme = Theme::resolve(Some("default")).unwrap();
        assert!(theme.templates.contains_key("article.html"));
        assert!(theme.assets.contains_key("style.css"));
    }

    #[test]
    fn unknown_name_is_a_usage_error() {
        let err = Theme::resolve(Some("no-such-theme-here")).unwrap_err();
        assert!(matches!(err, Error::Usage(_)));
        assert_eq!(
            err.to_string(),
            "unknown theme \"no-such-theme-here\": not a built-in theme (default) nor a directory"
        );
    }

    #[test]
    fn folder_overrides_file_by_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("templates")).unwrap();
        fs::create_dir_all(dir.path().join("static/img")).unwrap();
        fs::write(dir.path().join("templates/404.html"), "gone").unwrap();
        fs::write(dir.path().join("static/img/logo.svg"), "<svg/>").unwrap();
        fs::write(
            dir.path().join("i18n.json"),
            r#"{"strings": {"en": {"updated": "Last edited"}}}"#,
        )
        .unwrap();
        let theme = Theme::resolve(Some(dir.path().to_str().unwrap())).unwrap();
        assert_eq!(theme.templates["404.html"].text, "gone");
        assert_eq!(theme.templates["article.html"].origin, "built-in");
        assert_eq!(theme.assets["img/logo.svg"], b"<svg/>");
        assert!(theme.assets.contains_key("style.css"));
        let en = crate::model::Locale::parse("en").unwrap();
        assert_eq!(theme.i18n.strings(&en)["updated"], "Last edited");
        assert_eq!(theme.i18n.strings(&en)["articles"], "Articles");
    }
}
