//! The one way this module writes HTML: canonical, so equal trees give equal strings.
//!
//! Attributes come out in the order the tree holds them (`dom::attr_key`), text escapes only
//! `&`, `<`, `>` and U+00A0 (as `&nbsp;`, which a writer can see), attributes only `&`, `"`,
//! U+00A0 and newlines (as `&#10;`, so a raw HTML line in Markdown never breaks).

use super::dom::{Element, Node, VOID};

/// How to lay out the HTML.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// One string without added whitespace: for comparison and verification.
    Compact,
    /// A raw HTML block of Markdown: list items and table rows on their own lines, and no blank
    /// line anywhere (it would end the block).
    Raw,
    /// Raw HTML that must fit on one line (after an `<!-- raw -->` marker, which ends its HTML
    /// block at the end of its line).
    RawLine,
}

/// Elements whose text the parser takes literally (no character references), so it is written
/// back literally. `iframe` is the only one the sanitiser keeps.
const RAW_TEXT: &[&str] = &["iframe", "noembed", "noframes", "xmp", "style", "script"];

/// Elements whose block children go on lines of their own in [`Mode::Raw`].
const ONE_CHILD_PER_LINE: &[&str] = &["ul", "ol", "table", "thead", "tbody", "tfoot"];

/// Writes `nodes` in `mode`.
pub(crate) fn write_nodes(out: &mut String, nodes: &[Node], mode: Mode) {
    for node in nodes {
        write_node(out, node, mode, Within::default());
    }
}

/// Writes one element in `mode`.
pub(crate) fn write_element(out: &mut String, element: &Element, mode: Mode) {
    write_element_in(out, element, mode, false);
}

/// Serialises nodes in `Compact` mode into a new string.
pub(crate) fn compact(nodes: &[Node]) -> String {
    let mut out = String::new();
    write_nodes(&mut out, nodes, Mode::Compact);
    out
}

/// Where a node sits: inside `<pre>`, or directly in a raw-text element.
#[derive(Clone, Copy, Default)]
struct Within {
    pre: bool,
    raw_text: bool,
}

fn write_node(out: &mut String, node: &Node, mode: Mode, within: Within) {
    match node {
        Node::Text(text) if within.raw_text => out.push_str(text),
        Node::Text(text) if within.pre && mode != Mode::Compact => {
            write_pre_text(out, text, mode == Mode::RawLine)
        }
        Node::Text(text) => write_text(out, text),
        Node::Element(element) => write_element_in(out, element, mode, within.pre),
    }
}

fn write_element_in(out: &mut String, element: &Element, mode: Mode, in_pre: bool) {
    write_open_tag(out, &element.name, &element.attrs);
    if VOID.contains(&element.name.as_str()) {
        return;
    }
    let within = Within {
        pre: in_pre || element.name == "pre",
        raw_text: RAW_TEXT.contains(&element.name.as_str()),
    };
    // Inside `<pre>` every newline is content.
    let per_line =
        mode == Mode::Raw && !within.pre && ONE_CHILD_PER_LINE.contains(&element.name.as_str());
    let mut children = element.children.iter().peekable();
    if element.name == "pre" {
        if let Some(Node::Text(text)) = children.peek() {
            // The parser drops one newline right after `<pre>`: give it one to drop.
            if text.starts_with('\n') {
                children.next();
                let text = format!("\n{text}");
                write_node(out, &Node::Text(text), mode, within);
            }
        }
    }
    // Only next to blocks, where a newline is whitespace that never shows.
    for child in children {
        if per_line && child.is_block() {
            out.push('\n');
        }
        write_node(out, child, mode, within);
    }
    if per_line && element.children.last().is_some_and(Node::is_block) {
        out.push('\n');
    }
    write_close_tag(out, &element.name);
}

/// Writes `<name a="v" ...>` with the attributes in the given order.
pub(crate) fn write_open_tag<N: AsRef<str>, V: AsRef<str>>(
    out: &mut String,
    name: &str,
    attrs: &[(N, V)],
) {
    out.push('<');
    out.push_str(name);
    for (n, v) in attrs {
        out.push(' ');
        out.push_str(n.as_ref());
        out.push_str("=\"");
        write_attr_value(out, v.as_ref());
        out.push('"');
    }
    out.push('>');
}

/// Writes `</name>`.
pub(crate) fn write_close_tag(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Writes text content, escaped.
pub(crate) fn write_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
}

/// Writes an attribute value (for double quotes), escaped.
pub(crate) fn write_attr_value(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            '\n' => out.push_str("&#10;"),
            c => out.push(c),
        }
    }
}

/// Writes preformatted text for a raw HTML block: a newline that would start a blank line (or
/// any newline, for `one_line`) is written as `&#10;`, which parses to the same text.
fn write_pre_text(out: &mut String, text: &str, one_line: bool) {
    let mut rest = text;
    while let Some(i) = rest.find('\n') {
        write_text(out, &rest[..i]);
        rest = &rest[i + 1..];
        let next_line_blank = rest
            .find('\n')
            .is_some_and(|j| rest[..j].chars().all(char::is_whitespace));
        if one_line || next_line_blank {
            out.push_str("&#10;");
        } else {
            out.push('\n');
        }
    }
    write_text(out, rest);
}

#[cfg(test)]
mod tests {
    use super::super::dom::parse;
    use super::*;

    fn raw(html: &str) -> String {
        let mut out = String::new();
        write_nodes(&mut out, &parse(html).nodes, Mode::Raw);
        out
    }

    #[test]
    fn lists_and_rows_get_lines() {
        assert_eq!(
            raw("<ul><li>a</li><li>b<ol><li>c</li></ol></li></ul>"),
            "<ul>\n<li>a</li>\n<li>b<ol>\n<li>c</li>\n</ol></li>\n</ul>"
        );
    }

    #[test]
    fn pre_never_has_blank_lines() {
        assert_eq!(
            raw("<pre>a\n\n \nb\n</pre>"),
            "<pre>a&#10;&#10; \nb\n</pre>"
        );
        assert_eq!(raw("<pre>\n\nx</pre>"), "<pre>&#10;\nx</pre>");
    }

    #[test]
    fn escapes() {
        let html = "<p title=\"a&quot;b\nc\">x &amp; &lt;y&gt;\u{a0}</p>";
        assert_eq!(
            compact(&parse(html).nodes),
            "<p title=\"a&quot;b&#10;c\">x &amp; &lt;y&gt;&nbsp;</p>"
        );
    }
}
