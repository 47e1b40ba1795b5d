//! Inline content (text, emphasis, code, links, images, breaks) as Markdown.
//!
//! Elements with a Markdown form get it when they are exactly what `to_html` writes back in the
//! article's dialect (its emphasis elements, its link attributes, its image sizes); anything
//! else keeps its HTML tags around Markdown content (inline HTML is allowed
//! anywhere in a paragraph). In `safe` style emphasis is written as tags too: `to_markdown`
//! falls back to it when the delimiters would not parse back (flanking rules are subtle).

use super::dialect::Dialect;
use super::dom::{Element, Node};
use super::escape;
use super::serialize::{write_close_tag, write_element, write_open_tag, Mode};

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

/// Writes `nodes` as Markdown in `style`, for an article in `dialect`.
pub(crate) fn markdown(nodes: &[Node], style: Style, dialect: &Dialect) -> String {
    let mut writer = Writer {
        out: String::new(),
        style,
        dialect,
    };
    writer.nodes(nodes);
    writer.out
}

struct Writer<'d> {
    out: String,
    style: Style,
    dialect: &'d Dialect,
}

impl Writer<'_> {
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
        if let Some(delimiter) = self.delimiter(e).filter(|_| plain && !self.style.safe) {
            return self.delimited(e, delimiter);
        }
        match e.name.as_str() {
            "code" if plain => self.code(e),
            "a" => self.link(e),
            "img" => self.image(e),
            "br" if more && self.style.paragraph => self.out.push_str("\\\n"),
            _ => self.tags(e),
        }
    }

    /// The Markdown delimiter of `e`, if it is one of the dialect's emphasis elements.
    fn delimiter(&self, e: &Element) -> Option<&'static str> {
        [
            (self.dialect.strong_tag(), "**"),
            (self.dialect.emphasis_tag(), "*"),
            (self.dialect.strikethrough_tag(), "~~"),
        ]
        .into_iter()
        .find(|(tag, _)| *tag == e.name)
        .map(|(_, delimiter)| delimiter)
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

    /// `**strong**`, `*emphasis*` (`_x_` next to a `*` run, where `*` would merge with it) or
    /// `~~strikethrough~~`; tags when the content cannot sit between delimiters (empty, or space
    /// at an edge). The content is written once, after a stand-in opening delimiter that nested
    /// emphasis sees as its neighbour, so nesting costs linear time.
    fn delimited(&mut self, e: &Element, usual: &str) {
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
        // Code right after a code span would merge with it (`` `a``b` ``): tags then.
        let after_code = self.out.ends_with('`') && !self.out.ends_with("\\`");
        let text = text.filter(|_| !after_code);
        match text.and_then(|t| escape::code_span(&t, self.style.table)) {
            Some(span) => self.out.push_str(&span),
            None => self.tags(e),
        }
    }

    /// `[text](url "title")` when the link's attributes are the ones `to_html` gives it.
    fn link(&mut self, e: &Element) {
        let markdown = e.attr("href").and_then(|href| {
            let title = e.attr("title").unwrap_or("");
            same_attrs(e, &self.dialect.link_attrs(href, title)).then_some(())?;
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

    /// `![alt](src "title")` for an image whose other attributes are its URL's size.
    fn image(&mut self, e: &Element) {
        let markdown = e.attr("src").and_then(|src| {
            let (alt, title) = (e.attr("alt").unwrap_or(""), e.attr("title").unwrap_or(""));
            same_attrs(e, &self.dialect.image_attrs(src, alt, title)).then_some(())?;
            Some((escape::destination(src)?, optional_title(e)?))
        });
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

/// Whether `e` has exactly `attrs` (both in canonical order).
fn same_attrs(e: &Element, attrs: &[(&str, &str)]) -> bool {
    e.attrs.len() == attrs.len()
        && (e.attrs.iter().zip(attrs)).all(|((n, v), (m, w))| n == m && v == w)
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
