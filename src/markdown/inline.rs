//! Inline content (text, emphasis, code, links, images, breaks) as Markdown.
//!
//! Elements with a Markdown form get it when their attributes are exactly what `to_html` writes
//! back; anything else keeps its HTML tags around Markdown content (inline HTML is allowed
//! anywhere in a paragraph). In `safe` style emphasis is written as tags too: `to_markdown`
//! falls back to it when the delimiters would not parse back (flanking rules are subtle).

use super::dom::{Element, Node};
use super::escape;
use super::serialize::{write_close_tag, write_element, write_open_tag, Mode};
use super::to_html::opens_in_new_tab;

/// Elements allowed inside Markdown paragraphs, headings and table cells.
const PHRASING: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "iframe", "img",
    "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var",
    "wbr",
];

/// Where the inline content goes.
#[derive(Clone, Copy)]
pub(crate) struct Style {
    /// A paragraph: lines start there, and `<br>` can be a Markdown hard break.
    pub paragraph: bool,
    /// A pipe table cell: `|` must be escaped.
    pub table: bool,
    /// Emphasis as HTML tags instead of delimiters.
    pub safe: bool,
}

/// Whether `nodes` hold only text and phrasing elements, all the way down.
pub(crate) fn is_phrasing(nodes: &[Node]) -> bool {
    nodes.iter().all(|node| match node {
        Node::Text(_) => true,
        Node::Element(e) => PHRASING.contains(&e.name.as_str()) && is_phrasing(&e.children),
    })
}

/// Writes `nodes` as Markdown in `style`.
pub(crate) fn markdown(nodes: &[Node], style: Style) -> String {
    let mut writer = Writer {
        out: String::new(),
        style,
    };
    writer.nodes(nodes);
    writer.out
}

struct Writer {
    out: String,
    style: Style,
}

impl Writer {
    fn nodes(&mut self, nodes: &[Node]) {
        for (i, node) in nodes.iter().enumerate() {
            match node {
                Node::Text(text) => {
                    let line_start = self.style.paragraph && self.at_line_start();
                    escape::push_text(&mut self.out, text, line_start, self.style.table);
                }
                Node::Element(e) => self.element(e, nodes.get(i + 1).is_some()),
            }
        }
    }

    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    /// Writes one element; `more` says content follows it inside the same parent.
    fn element(&mut self, e: &Element, more: bool) {
        let plain = e.attrs.is_empty();
        match e.name.as_str() {
            "b" | "i" | "s" if plain && !self.style.safe => self.delimited(e),
            "code" if plain => self.code(e),
            "a" => self.link(e),
            "img" => self.image(e),
            "br" if more && self.style.paragraph => self.out.push_str("\\\n"),
            _ => self.tags(e),
        }
    }

    /// The element as HTML tags around Markdown content. Raw-text elements (`iframe`) and
    /// empty ones are written whole.
    fn tags(&mut self, e: &Element) {
        if e.name == "iframe" {
            write_element(&mut self.out, e, Mode::RawLine);
            return;
        }
        write_open_tag(&mut self.out, &e.name, &e.attrs);
        if super::dom::VOID.contains(&e.name.as_str()) {
            return;
        }
        self.nodes(&e.children);
        write_close_tag(&mut self.out, &e.name);
    }

    /// `**b**`, `*i*` (`_i_` next to a `*` run, where `*` would merge with it) or `~~s~~`; tags
    /// when the content cannot sit between delimiters (empty, or space at an edge). The content
    /// is written once, after a stand-in opening delimiter that nested emphasis sees as its
    /// neighbour, so nesting costs linear time.
    fn delimited(&mut self, e: &Element) {
        let usual = match e.name.as_str() {
            "b" => "**",
            "s" => "~~",
            _ => "*",
        };
        let mark = self.out.len();
        self.out.push_str(usual);
        self.nodes(&e.children);
        let inner = self.out.split_off(mark + usual.len());
        self.out.truncate(mark);
        let fits = !inner.is_empty()
            && !inner.starts_with(char::is_whitespace)
            && !inner.ends_with(char::is_whitespace);
        if !fits {
            write_open_tag(&mut self.out, &e.name, &e.attrs);
            self.out.push_str(&inner);
            write_close_tag(&mut self.out, &e.name);
            return;
        }
        let next_to_star =
            self.out.ends_with('*') || inner.starts_with('*') || inner.ends_with('*');
        let delimiter = if usual == "*" && next_to_star {
            "_"
        } else {
            usual
        };
        self.out.push_str(delimiter);
        self.out.push_str(&inner);
        self.out.push_str(delimiter);
    }

    fn code(&mut self, e: &Element) {
        let text: Option<String> = e
            .children
            .iter()
            .map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect();
        match text.and_then(|t| escape::code_span(&t, self.style.table)) {
            Some(span) => self.out.push_str(&span),
            None => self.tags(e),
        }
    }

    /// `[text](url "title")` when the link's `target` is the one `to_html` would give it.
    fn link(&mut self, e: &Element) {
        let markdown = e.attr("href").and_then(|href| {
            let target_ok = match e.attr("target") {
                Some("_blank") => opens_in_new_tab(href),
                Some(_) => false,
                None => !opens_in_new_tab(href),
            };
            let known = e
                .attrs
                .iter()
                .all(|(n, _)| matches!(n.as_str(), "href" | "title" | "target"));
            (target_ok && known).then_some(())?;
            Some((escape::destination(href)?, optional_title(e)?))
        });
        let Some((destination, title)) = markdown else {
            return self.tags(e);
        };
        self.out.push('[');
        self.nodes(&e.children);
        self.out.push_str("](");
        self.out.push_str(&destination);
        self.out.push_str(&title);
        self.out.push(')');
    }

    /// `![alt](src "title")` for an image without size or other attributes.
    fn image(&mut self, e: &Element) {
        let known = e
            .attrs
            .iter()
            .all(|(n, v)| matches!(n.as_str(), "src" | "alt" | "title") && !v.is_empty());
        let markdown = e
            .attr("src")
            .filter(|_| known)
            .and_then(|src| Some((escape::destination(src)?, optional_title(e)?)));
        let Some((destination, title)) = markdown else {
            return self.tags(e);
        };
        self.out.push_str("![");
        let alt = e.attr("alt").unwrap_or("");
        escape::push_text(&mut self.out, alt, false, self.style.table);
        self.out.push_str("](");
        self.out.push_str(&destination);
        self.out.push_str(&title);
        self.out.push(')');
    }
}

/// ` "title"` (with its leading space), empty without a title; `None` when it cannot be written
/// (empty titles are not written back, and titles must not span lines).
fn optional_title(e: &Element) -> Option<String> {
    match e.attr("title") {
        None => Some(String::new()),
        Some("") => None,
        Some(title) => escape::title(title).map(|t| format!(" {t}")),
    }
}
