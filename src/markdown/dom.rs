//! A small owned DOM read from scraper's html5ever tree, with whitespace as a browser renders it.
//!
//! Both directions and the equivalence check work on this tree, so they agree on what counts as
//! content: text outside `<pre>` (and an iframe's fallback text, even in a `<pre>`) has its
//! whitespace runs collapsed to one space, and whitespace between blocks, at the edges of a
//! block and next to `<br>` is gone, because none of it shows.

use scraper::{ElementRef, Html, Node as ScraperNode};

/// An element or a text node.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    Text(String),
    Element(Element),
}

/// An element with its attributes in [`attr_key`] order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

/// Elements laid out as blocks: whitespace next to them never shows.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "col",
    "colgroup",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Elements without content or end tag.
pub(crate) const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

impl Element {
    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the element has exactly these attributes (names and values, in any order).
    pub fn has_exactly(&self, attrs: &[(&str, &str)]) -> bool {
        self.attrs.len() == attrs.len() && attrs.iter().all(|(n, v)| self.attr(n) == Some(*v))
    }

    /// Whether the element is laid out as a block.
    pub fn is_block(&self) -> bool {
        is_block_name(&self.name)
    }
}

impl Node {
    /// The node as an element.
    pub fn element(&self) -> Option<&Element> {
        match self {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        }
    }

    /// Whether the node is a block element.
    pub fn is_block(&self) -> bool {
        self.element().is_some_and(Element::is_block)
    }

    fn is_br(&self) -> bool {
        self.element().is_some_and(|e| e.name == "br")
    }
}

/// Attributes that come first, in this order, as Intercom's editor writes them; the parser
/// does not keep the source order, so a fixed one is the only canonical choice.
const FIRST_ATTRIBUTES: &[&str] = &[
    "id", "class", "href", "src", "alt", "title", "width", "height", "start", "role", "style",
];

/// The sort key of an attribute name: [`FIRST_ATTRIBUTES`] first, the others by name.
pub(crate) fn attr_key(name: &str) -> (usize, &str) {
    let rank = FIRST_ATTRIBUTES.iter().position(|n| *n == name);
    (rank.unwrap_or(FIRST_ATTRIBUTES.len()), name)
}

/// Sorts attributes into [`attr_key`] order.
pub(crate) fn sort_attrs<N: AsRef<str>, V>(attrs: &mut [(N, V)]) {
    attrs.sort_by(|a, b| attr_key(a.0.as_ref()).cmp(&attr_key(b.0.as_ref())));
}

/// Whether elements called `name` are laid out as blocks.
pub(crate) fn is_block_name(name: &str) -> bool {
    BLOCKS.contains(&name)
}

/// A parsed body: its nodes, and how deep its elements nest (the walks over the tree recurse,
/// so callers size their stack by it; see `deep`).
pub(crate) struct Parsed {
    pub nodes: Vec<Node>,
    pub depth: usize,
}

/// A scraper node, named through `ElementRef` (scraper does not re-export ego_tree).
type ScraperNodeRef<'a> = <ElementRef<'a> as std::ops::Deref>::Target;

/// An element being copied, with the next scraper child to copy (its later siblings follow).
struct Frame<'a> {
    element: Element,
    pending: Option<ScraperNodeRef<'a>>,
    in_pre: bool,
}

impl<'a> Frame<'a> {
    fn new(source: ElementRef<'a>, element: Element, in_pre: bool) -> Frame<'a> {
        Frame {
            element,
            pending: source.first_child(),
            in_pre,
        }
    }

    /// The next child to copy, if any.
    fn next_child(&mut self) -> Option<ScraperNodeRef<'a>> {
        let child = self.pending?;
        self.pending = child.next_sibling();
        Some(child)
    }
}

/// Parses a body (as the content of `<body>`) into whitespace-normalised nodes.
///
/// The copy is iterative (an explicit stack), so no nesting depth can overflow it.
pub(crate) fn parse(html: &str) -> Parsed {
    parse_as(html, true)
}

/// Parses a piece of a body like [`parse`], but keeps (collapsed) whitespace at the edges of
/// the piece: whether it shows depends on the pieces around it (see [`join_pieces`]).
pub(crate) fn parse_piece(html: &str) -> Parsed {
    parse_as(html, false)
}

/// The top-level nodes of pieces parsed with [`parse_piece`], each with a `tag` saying where
/// it comes from, as the nodes of the whole body: texts that meet are one text (their tags
/// joined with `join`), and whitespace is settled as [`parse`] settles it.
pub(crate) fn join_pieces<T>(pieces: Vec<(Node, T)>, join: impl Fn(&mut T, T)) -> Vec<(Node, T)> {
    let mut joined: Vec<(Node, T)> = Vec::with_capacity(pieces.len());
    for (node, tag) in pieces {
        match (joined.last_mut(), node) {
            (Some((Node::Text(text), last)), Node::Text(more)) => {
                text.push_str(&more);
                join(last, tag);
            }
            (_, node) => joined.push((node, tag)),
        }
    }
    let (mut nodes, tags): (Vec<Node>, Vec<T>) = joined.into_iter().unzip();
    settle(&mut nodes, true);
    (nodes.into_iter().zip(tags))
        .filter(|(node, _)| !matches!(node, Node::Text(t) if t.is_empty()))
        .collect()
}

/// Parses `html`; `block` says whether the edges of the whole swallow whitespace.
fn parse_as(html: &str, block: bool) -> Parsed {
    let document = Html::parse_fragment(html);
    let root = Element {
        name: String::new(),
        attrs: Vec::new(),
        children: Vec::new(),
    };
    let mut stack = vec![Frame::new(document.root_element(), root, false)];
    let mut depth = 0;
    loop {
        let top = stack.last_mut().expect("the root frame is popped last");
        match top.next_child() {
            Some(child) => {
                if let Some(frame) = visit(top, child) {
                    stack.push(frame);
                    depth = depth.max(stack.len() - 1);
                }
            }
            None => {
                let mut frame = stack.pop().expect("a frame is open");
                match stack.last_mut() {
                    Some(parent) => {
                        finish(&mut frame);
                        parent.element.children.push(Node::Element(frame.element));
                    }
                    None => {
                        let mut nodes = frame.element.children;
                        tidy_children(&mut nodes, block);
                        return Parsed { nodes, depth };
                    }
                }
            }
        }
    }
}

/// Copies a text child into `parent`, or opens a frame for an element child. Comments and
/// other non-content nodes are left out.
fn visit<'a>(parent: &mut Frame<'a>, child: ScraperNodeRef<'a>) -> Option<Frame<'a>> {
    match child.value() {
        ScraperNode::Text(text) => {
            parent.element.children.push(Node::Text(text.to_string()));
            None
        }
        ScraperNode::Element(value) => {
            let mut attrs: Vec<(String, String)> = value
                .attrs()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect();
            sort_attrs(&mut attrs);
            let name = value.name().to_owned();
            // Inside `<pre>` whitespace is content and stays as it is; not in an iframe's
            // fallback text, which never shows (and which raw HTML cannot escape).
            let in_pre = (parent.in_pre || name == "pre") && name != "iframe";
            let element = Element {
                name,
                attrs,
                children: Vec::new(),
            };
            let source = ElementRef::wrap(child).expect("an element node");
            Some(Frame::new(source, element, in_pre))
        }
        _ => None,
    }
}

/// Tidies a finished element's children, unless they are preformatted.
fn finish(frame: &mut Frame<'_>) {
    if !frame.in_pre {
        let block = frame.element.is_block();
        tidy_children(&mut frame.element.children, block);
    }
}

/// Normalises the whitespace of one element's children (already tidied themselves); `block`
/// says whether the parent is a block, whose edges swallow whitespace.
fn tidy_children(nodes: &mut Vec<Node>, block: bool) {
    settle(nodes, block);
    nodes.retain(|n| !matches!(n, Node::Text(t) if t.is_empty()));
}

/// Collapses the whitespace of `nodes` and trims it where it never shows, leaving texts that
/// become empty in place.
fn settle(nodes: &mut [Node], block: bool) {
    for node in nodes.iter_mut() {
        if let Node::Text(text) = node {
            if !is_collapsed(text) {
                *text = collapse(text);
            }
        }
    }
    for i in 0..nodes.len() {
        let before_is_edge = match i.checked_sub(1) {
            None => block,
            Some(p) => nodes[p].is_block() || nodes[p].is_br(),
        };
        let after_is_edge = match nodes.get(i + 1) {
            None => block,
            Some(n) => n.is_block() || n.is_br(),
        };
        if let Node::Text(text) = &mut nodes[i] {
            trim_edges(text, before_is_edge, after_is_edge);
        }
    }
}

/// Whether [`collapse`] would leave `text` as it is: its only whitespace is single spaces.
/// Most text is, and is then kept without a copy.
fn is_collapsed(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| match b {
        b' ' => bytes.get(i + 1) != Some(&b' '),
        b'\t' | b'\n' | b'\r' | b'\x0C' => false,
        _ => true,
    })
}

/// Collapses runs of HTML whitespace to one space.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if is_html_space(c) {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

fn trim_edges(text: &mut String, start: bool, end: bool) {
    if end {
        let kept = text.trim_end_matches(is_html_space).len();
        text.truncate(kept);
    }
    if start {
        let cut = text.len() - text.trim_start_matches(is_html_space).len();
        text.drain(..cut);
    }
}

/// ASCII whitespace as HTML defines it (not U+00A0, which shows).
pub(crate) fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(html: &str) -> Vec<Node> {
        super::parse(html).nodes
    }

    fn text(s: &str) -> Node {
        Node::Text(s.to_owned())
    }

    #[test]
    fn whitespace_between_blocks_goes() {
        let nodes = parse("<p> a  b </p>\n <p>c<br> d</p>");
        assert_eq!(nodes.len(), 2);
        assert_eq!(nodes[0].element().unwrap().children, vec![text("a b")]);
        let second = &nodes[1].element().unwrap().children;
        assert_eq!(second[2], text("d"));
    }

    #[test]
    fn inline_spaces_stay() {
        let nodes = parse("<p><b>a</b> <i> b</i></p>");
        let p = nodes[0].element().unwrap();
        assert_eq!(p.children[1], text(" "));
        assert_eq!(p.children[2].element().unwrap().children, vec![text(" b")]);
    }

    #[test]
    fn pre_is_untouched() {
        let nodes = parse("<pre><code>  a\n\n b </code></pre>");
        let code = nodes[0].element().unwrap().children[0].element().unwrap();
        assert_eq!(code.children, vec![text("  a\n\n b ")]);
    }

    #[test]
    fn iframe_text_is_never_preformatted() {
        let nodes = parse("<pre>a\n<iframe>\n</pre>\n\nb </iframe></pre>");
        let pre = nodes[0].element().unwrap();
        assert_eq!(pre.children[0], text("a\n"));
        let iframe = pre.children[1].element().unwrap();
        assert_eq!(iframe.children, vec![text(" </pre> b ")]);
    }

    #[test]
    fn pieces_join_as_the_whole_parses() {
        let piece = |html: &str, tag: usize| -> Vec<(Node, Vec<usize>)> {
            (super::parse_piece(html).nodes.into_iter())
                .map(|node| (node, vec![tag]))
                .collect()
        };
        assert_eq!(piece(" a ", 0), [(text(" a "), vec![0])]);
        let pieces = [
            piece("a ", 0),
            piece(" b", 1),
            piece("<p> c </p>", 2),
            piece(" <br> d", 3),
        ]
        .concat();
        let joined = join_pieces(pieces, |tags, more| tags.extend(more));
        let nodes: Vec<Node> = joined.iter().map(|(node, _)| node.clone()).collect();
        assert_eq!(nodes, parse("a  b<p> c </p> <br> d"));
        let tags: Vec<&[usize]> = joined.iter().map(|(_, tags)| tags.as_slice()).collect();
        assert_eq!(tags, [&[0, 1][..], &[2], &[3], &[3]]);
    }

    #[test]
    fn text_is_copied_only_when_collapsing_changes_it() {
        for text in [
            "", "a", "a b", " a b ", "é ü", "a  b", "a\tb", "a \nb", "\n", "a\x0C", "  ",
        ] {
            assert_eq!(is_collapsed(text), collapse(text) == text, "{text:?}");
        }
        assert_eq!(
            parse("<p>a \n b</p>")[0].element().unwrap().children,
            vec![text("a b")]
        );
    }

    #[test]
    fn depth_counts_element_levels() {
        assert_eq!(super::parse("text").depth, 0);
        assert_eq!(super::parse("<p>a</p><ul><li><b>x</b></li></ul>").depth, 3);
    }

    #[test]
    fn attributes_in_canonical_order() {
        let nodes = parse(r#"<img data-x="2" width="1" src="x" alt="y" aria-label="z">"#);
        let names: Vec<_> = nodes[0]
            .element()
            .unwrap()
            .attrs
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(names, ["src", "alt", "width", "aria-label", "data-x"]);
    }
}
