//! The compiled Tera templates, built once per build and shared by every rendering thread.

use serde::Serialize;
use tera::Tera;

use super::theme::Theme;
use crate::error::{Error, Result};

/// Every template of a theme, parsed and ready to render.
pub struct Templates {
    tera: Tera,
}

impl Templates {
    /// Parses the theme's templates; a syntax error names the template, its origin and the line.
    pub fn compile(theme: &Theme) -> Result<Templates> {
        let mut tera = Tera::default();
        tera.set_escape_fn(escape);
        let sources = theme
            .templates
            .iter()
            .map(|(name, source)| (name.as_str(), source.text.as_str()));
        tera.add_raw_templates(sources).map_err(|e| {
            Error::usage(format!(
                "theme {}: {}{}",
                theme.name,
                error_chain(&e),
                origins(theme)
            ))
        })?;
        Ok(Templates { tera })
    }

    /// Renders a template with a context made from `data` (a struct that serialises to a map).
    pub fn render(&self, name: &str, data: &impl Serialize) -> Result<String> {
        let mut out = Vec::new();
        self.render_to(name, data, &mut out)?;
        Ok(String::from_utf8(out).expect("Tera renders UTF-8 text"))
    }

    /// [`Templates::render`] into `out`, replacing what it held: pages are written as bytes, so
    /// a reused buffer saves an allocation and a UTF-8 check of every page.
    pub fn render_to(&self, name: &str, data: &impl Serialize, out: &mut Vec<u8>) -> Result<()> {
        let context = tera::Context::from_serialize(data)
            .map_err(|e| Error::data(format!("template context for {name}: {e}")))?;
        out.clear();
        self.tera
            .render_to(name, &context, &mut *out)
            .map_err(|e| Error::usage(format!("template {name}: {}", error_chain(&e))))
    }
}

/// Tera's error and all its causes: the outer error only says which template failed, the
/// inner ones say what and where.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Which templates came from the theme folder, so an error in one can be found on disk.
fn origins(theme: &Theme) -> String {
    let overridden: Vec<String> = theme
        .templates
        .iter()
        .filter(|(_, s)| s.origin != "built-in")
        .map(|(name, s)| format!("{name} = {}", s.origin))
        .collect();
    if overridden.is_empty() {
        String::new()
    } else {
        format!(" (theme templates: {})", overridden.join(", "))
    }
}

/// HTML/XML escaping of the characters that matter, leaving `/` alone (Tera's default escapes
/// it too, which bloats every URL without making anything safer in quoted attributes).
fn escape(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 16);
    let mut plain = 0;
    // Copy runs of ordinary bytes at once: most values (URLs, titles) hold nothing to escape.
    for (i, byte) in input.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&input[plain..i]);
        out.push_str(entity);
        plain = i + 1;
    }
    out.push_str(&input[plain..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_but_not_slashes() {
        assert_eq!(
            escape(r#"<a href="x/y">'&'</a>"#),
            "&lt;a href=&quot;x/y&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn syntax_errors_name_template_and_line() {
        let mut theme = Theme::resolve(None).unwrap();
        theme.templates.insert(
            "404.html".into(),
            super::super::theme::TemplateSource {
                text: "line one\n{% if %}".into(),
                origin: "/themes/x/templates/404.html".into(),
            },
        );
        let err = Templates::compile(&theme).err().unwrap().to_string();
        assert!(err.contains("404.html"), "{err}");
        assert!(err.contains("2:"), "{err}");
        assert!(err.contains("/themes/x/templates/404.html"), "{err}");
    }
}
