//! `/llms.txt`: the help center for language models, in the format of the llms.txt proposal
//! (<https://llmstxt.org/>): the site's name as the title, a short summary, then per locale a
//! Markdown list of its collections (nested as on the site) with their articles, each a link
//! with its description. Every article's Markdown is also beside its page (`index.md`).

use std::fmt::Write as _;

use super::meta::plain_text;
use super::plan::{Li, Plan};
use super::render::Renderer;
use super::urls::href;
use crate::model::{slug, ArticleIx, GroupIx};

/// The site file.
pub const LLMS_FILE: &str = "llms.txt";

/// Renders `/llms.txt`.
pub fn render_llms(renderer: &Renderer) -> String {
    let plan = renderer.plan;
    let url = |site_path: &str| match renderer.base {
        Some(base) => base.absolute(site_path),
        None => href("", site_path),
    };
    let mut out = String::new();
    let name = renderer.site_name(plan.default);
    let _ = writeln!(out, "# {}\n", escape(name));
    let _ = writeln!(
        out,
        "> The help center's articles, by language and collection. Each article's text is also \
         available as Markdown: add `index.md` to its URL.\n"
    );
    for (li, locale) in plan.locales.iter().enumerate() {
        let _ = writeln!(
            out,
            "## {} ({locale})\n\n- [{}]({})",
            renderer.names[li],
            escape(&renderer.strings[li]["all_collections"]),
            url(&slug::home_path(locale))
        );
        let list = List {
            plan,
            li,
            url: &url,
        };
        for &g in &plan.top {
            list.group(&mut out, g, 0);
        }
        for &a in plan.loose_articles(li) {
            list.article(&mut out, a, 0);
        }
        out.push('\n');
    }
    out
}

/// The Markdown list of one locale.
struct List<'a, F: Fn(&str) -> String> {
    plan: &'a Plan<'a>,
    li: Li,
    url: &'a F,
}

impl<F: Fn(&str) -> String> List<'_, F> {
    fn group(&self, out: &mut String, g: GroupIx, depth: usize) {
        let Some(path) = self.plan.group_path(self.li, g) else {
            return;
        };
        let content = &self.plan.ws.group(g).content[&self.plan.locales[self.li]];
        item(
            out,
            depth,
            &content.name,
            &(self.url)(path),
            &plain_text(&content.description),
        );
        for &child in &self.plan.ws.group(g).children {
            self.group(out, child, depth + 1);
        }
        for &a in self.plan.articles_in(self.li, g) {
            self.article(out, a, depth + 1);
        }
    }

    fn article(&self, out: &mut String, a: ArticleIx, depth: usize) {
        let Some(path) = self.plan.article_path(self.li, a) else {
            return;
        };
        let content = &self.plan.ws.article(a).content[&self.plan.locales[self.li]];
        item(
            out,
            depth,
            &content.title,
            &(self.url)(path),
            &plain_text(&content.description),
        );
    }
}

/// `- [title](url): description`, indented two spaces per level.
fn item(out: &mut String, depth: usize, title: &str, url: &str, description: &str) {
    let _ = write!(out, "{}- [{}]({})", "  ".repeat(depth), escape(title), url);
    if !description.is_empty() {
        let _ = write!(out, ": {description}");
    }
    out.push('\n');
}

/// Link text with Markdown's own brackets and backslashes escaped, on one line.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '[' | ']' | '\\' | '*' | '_' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_text_cannot_break_the_list() {
        assert_eq!(
            escape("Tags [beta] & *stars*\nnext"),
            "Tags \\[beta\\] & \\*stars\\* next"
        );
        let mut out = String::new();
        item(&mut out, 2, "A", "https://x.test/a/", "");
        item(&mut out, 0, "B", "b/", "About b");
        assert_eq!(out, "    - [A](https://x.test/a/)\n- [B](b/): About b\n");
    }
}
