//! Rendered HTML as it is sent: sanitised for Intercom, and in the article's dialect where raw
//! HTML in the Markdown would take it out of it.
//!
//! Writers may type any HTML into a Markdown file, and sanitising may leave what remains of it
//! in a shape the dialect never writes. For lists that shape decides the Markdown: one list of
//! bare items (`<li>text</li>`) makes a body read as CommonMark's dialect (see `dialect.rs`),
//! where lists of paragraphs are written loose. So in a dialect whose items hold paragraphs
//! (Intercom's editor), a list whose items all start with bare text gets them in paragraphs, as
//! the editor writes them: raw `<ul><li>a</li></ul>`, or an item holding only `</div>a` (an
//! HTML block whose stray end tag the sanitiser drops), is sent as
//! `<ul><li><p class="no-margin">a</p></li></ul>`. A list that mixes both kinds of items does
//! not change the dialect and stays as written.

use super::dialect::{bare_items, Dialect, ListItems};
use super::dom::{self, Element, Node};
use super::{deep, serialize};
use crate::html::sanitize_for_intercom;

/// `html` rendered from Markdown in `dialect`, sanitised for Intercom and in the dialect's
/// shape (see the module docs). HTML already in that shape comes back as the sanitiser wrote it.
pub(crate) fn sanitized(html: &str, dialect: &Dialect) -> String {
    let clean = sanitize_for_intercom(html);
    if dialect.list_items != ListItems::Paragraphs || !clean.contains("<li") {
        return clean;
    }
    let paragraph: Vec<(String, String)> = (dialect.paragraph_attrs().into_iter())
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    let parsed = dom::parse(&clean);
    deep::run(parsed.depth, move || {
        let mut nodes = parsed.nodes;
        if items_in_paragraphs(&mut nodes, &paragraph) {
            serialize::compact(&nodes)
        } else {
            clean
        }
    })
}

/// Puts the leading inline content of every item of each list of bare items among `nodes` and
/// their descendants into a paragraph with `attrs`; whether there was any.
fn items_in_paragraphs(nodes: &mut [Node], attrs: &[(String, String)]) -> bool {
    let mut changed = false;
    for node in nodes {
        let Node::Element(e) = node else { continue };
        if matches!(e.name.as_str(), "ul" | "ol") && bare_items(e) {
            for item in e.children.iter_mut() {
                if let Node::Element(item) = item {
                    lead_in_paragraph(item, attrs);
                }
            }
            changed = true;
        }
        changed |= items_in_paragraphs(&mut e.children, attrs);
    }
    changed
}

/// Moves the inline content before `item`'s first block into a paragraph with `attrs`.
fn lead_in_paragraph(item: &mut Element, attrs: &[(String, String)]) {
    let end = (item.children.iter())
        .position(Node::is_block)
        .unwrap_or(item.children.len());
    let lead: Vec<Node> = item.children.drain(..end).collect();
    let paragraph = Element {
        name: "p".to_owned(),
        attrs: attrs.to_vec(),
        children: lead,
    };
    item.children.insert(0, Node::Element(paragraph));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intercom(html: &str) -> String {
        sanitized(html, &Dialect::default())
    }

    #[test]
    fn bare_items_get_the_dialects_paragraphs() {
        assert_eq!(
            intercom("<ul><li>a</li><li>b <i>c</i><ol><li>d</li></ol></li></ul>"),
            concat!(
                r#"<ul><li><p class="no-margin">a</p></li>"#,
                r#"<li><p class="no-margin">b <i>c</i></p>"#,
                r#"<ol><li><p class="no-margin">d</p></li></ol></li></ul>"#
            )
        );
        // What the sanitiser leaves of an item holding an HTML block: a stray end tag goes.
        assert_eq!(
            intercom("<ul><li><p class=\"no-margin\">a</p><ol><li>\n</div>b\n</li></ol></li></ul>"),
            r#"<ul><li><p class="no-margin">a</p><ol><li><p class="no-margin">b</p></li></ol></li></ul>"#
        );
        let plain_paragraphs = Dialect {
            paragraph_class: None,
            ..Dialect::default()
        };
        assert_eq!(
            sanitized("<div><ol><li>a</li></ol></div>", &plain_paragraphs),
            "<div><ol><li><p>a</p></li></ol></div>"
        );
    }

    #[test]
    fn lists_the_dialect_writes_or_that_mix_items_stay_as_sanitised() {
        for html in [
            "<ul>\n<li><p class=\"no-margin\">a</p></li>\n</ul>\n",
            "<ul><li><p class=\"no-margin\">a</p></li><li>b</li></ul>",
            "<ul><li></li><li>b</li></ul>",
            "<p class=\"no-margin\">x\n y</p>",
        ] {
            assert_eq!(intercom(html), html);
        }
        let commonmark = Dialect {
            list_items: ListItems::Tight,
            ..Dialect::default()
        };
        assert_eq!(
            sanitized("<ul><li>a</li></ul>", &commonmark),
            "<ul><li>a</li></ul>"
        );
    }
}
