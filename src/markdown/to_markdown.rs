//! Sanitised body HTML to Markdown, block by block.
//!
//! Blocks are separated by blank lines. A block Markdown can express is written as Markdown; a
//! paragraph, heading or table is then rendered back with `to_html` and kept only if that gives
//! exactly the HTML it came from (else it is written again with emphasis as tags, and at last as
//! raw HTML). Containers keep their tags as raw HTML lines around Markdown blocks; anything else
//! is one raw HTML block, which Markdown passes through untouched.

use super::dom::{self, Element, Node};
use super::inline::{self, Style};
use super::serialize::{write_close_tag, write_element, write_nodes, write_open_tag, Mode};
use super::to_html::{self, IMAGE_CONTAINER, PARAGRAPH_CLASS};
use super::{deep, escape, lists, tables};

/// The comment that starts a line of stray inline HTML at the top level. It makes the line an
/// HTML block (so it is not wrapped in a paragraph); the sanitiser removes it.
pub(crate) const RAW_MARKER: &str = "<!-- raw -->";

/// One block of Markdown, without a trailing newline.
pub(crate) struct Block {
    /// The Markdown lines.
    pub text: String,
    /// What the lines are.
    pub kind: Kind,
}

/// What a block is, as far as its neighbours care.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Inline content (a paragraph, or a lone image).
    Paragraph,
    /// A list: its marker character (`-`, `*`, `.` or `)`), and whether it may interrupt a
    /// paragraph (so it can follow an item's text without a blank line).
    List { marker: char, interrupts: bool },
    /// A thematic break (`---`), which cannot share a line with a list marker.
    Break,
    /// Raw HTML.
    Raw,
    /// Any other Markdown block.
    Other,
}

/// Converts a sanitised body to Markdown: blocks separated by blank lines, ending in a newline.
pub(crate) fn document(html: &str) -> String {
    let parsed = dom::parse(html);
    let mut nodes = parsed.nodes;
    deep::run(parsed.depth, move || {
        drop_link_rel(&mut nodes);
        let blocks = blocks(&nodes, true).expect("top-level inline content is always writable");
        let mut md = join(&blocks, "\n\n");
        if !md.is_empty() {
            md.push('\n');
        }
        md
    })
}

/// `rel` is the sanitiser's decision from `href` alone, made again on the way back: writing it
/// would only add noise (and turn links into raw HTML).
fn drop_link_rel(nodes: &mut [Node]) {
    for node in nodes {
        if let Node::Element(e) = node {
            if e.name == "a" {
                e.attrs.retain(|(n, _)| n != "rel");
            }
            drop_link_rel(&mut e.children);
        }
    }
}

/// Joins block texts with `separator`.
pub(crate) fn join(blocks: &[Block], separator: &str) -> String {
    let texts: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
    texts.join(separator)
}

/// The blocks of a container's children. Runs of inline content are written after
/// [`RAW_MARKER`] at the `top` level; elsewhere they make the container raw (`None`).
pub(crate) fn blocks(nodes: &[Node], top: bool) -> Option<Vec<Block>> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut run_start = None;
    for (i, node) in nodes.iter().enumerate() {
        match node.element().filter(|e| e.is_block()) {
            Some(e) => {
                if let Some(start) = run_start.take() {
                    blocks.push(inline_run(&nodes[start..i], top)?);
                }
                let previous = blocks.last().map(|b| b.kind);
                blocks.push(block(e, previous));
            }
            None => {
                run_start.get_or_insert(i);
            }
        }
    }
    if let Some(start) = run_start {
        blocks.push(inline_run(&nodes[start..], top)?);
    }
    Some(blocks)
}

fn inline_run(nodes: &[Node], top: bool) -> Option<Block> {
    if !top {
        return None;
    }
    let mut text = String::new();
    if !opens_html_block(nodes) {
        text.push_str(RAW_MARKER);
    }
    write_nodes(&mut text, nodes, Mode::RawLine);
    Some(Block {
        text,
        kind: Kind::Raw,
    })
}

/// Whether the HTML of `nodes` starts an HTML block by itself: a lone `iframe` (one of
/// CommonMark's block tags) or a lone void element (a complete tag alone on its line).
fn opens_html_block(nodes: &[Node]) -> bool {
    match nodes {
        [Node::Element(e)] => e.name == "iframe" || dom::VOID.contains(&e.name.as_str()),
        _ => false,
    }
}

fn other(text: String) -> Block {
    Block {
        text,
        kind: Kind::Other,
    }
}

/// One block element; `previous` is the block before it in the same container.
fn block(e: &Element, previous: Option<Kind>) -> Block {
    let converted = match e.name.as_str() {
        "p" => paragraph(e),
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => heading(e),
        "ul" | "ol" => lists::list(e, previous),
        "blockquote" if e.attrs.is_empty() => blockquote(e),
        "pre" => code_block(e),
        "hr" if e.attrs.is_empty() => Some(Block {
            text: "---".to_owned(),
            kind: Kind::Break,
        }),
        "div" => image_block(e)
            .or_else(|| tables::pipe_table(e))
            .or_else(|| container(e)),
        "details" | "blockquote" => container(e),
        _ => None,
    };
    converted.unwrap_or_else(|| raw(e))
}

/// The element as one raw HTML block.
pub(crate) fn raw(e: &Element) -> Block {
    // An HTML block opened by `<pre` ends at the first line holding `</pre>`: a `pre` nested
    // in it must not end it early, so such a block is written on one line.
    let nested_pre = e.name == "pre" && contains_pre(&e.children);
    let mode = if nested_pre { Mode::RawLine } else { Mode::Raw };
    let mut text = String::new();
    write_element(&mut text, e, mode);
    Block {
        text,
        kind: Kind::Raw,
    }
}

fn contains_pre(nodes: &[Node]) -> bool {
    nodes.iter().any(|n| {
        n.element()
            .is_some_and(|e| e.name == "pre" || contains_pre(&e.children))
    })
}

/// Whether `md` renders back to exactly the HTML of `e`.
pub(crate) fn renders_as(md: &str, e: &Element) -> bool {
    let mut expected = String::new();
    write_element(&mut expected, e, Mode::Compact);
    to_html::render(md) == expected
}

/// Tries the pretty style, then the safe one; the first Markdown that renders back as `e` wins.
pub(crate) fn verified(e: &Element, write: impl Fn(bool) -> String) -> Option<String> {
    [false, true]
        .into_iter()
        .map(&write)
        .find(|md| renders_as(md, e))
}

/// A `no-margin` paragraph of inline content.
fn paragraph(e: &Element) -> Option<Block> {
    let plain = e.has_exactly(&[("class", PARAGRAPH_CLASS)]);
    if !plain || e.children.is_empty() || !inline::is_phrasing(&e.children) {
        return None;
    }
    inline_paragraph(e)
}

/// `e`'s inline children as one Markdown paragraph, if that converts back to `e` exactly.
fn inline_paragraph(e: &Element) -> Option<Block> {
    let text = verified(e, |safe| {
        let style = Style {
            paragraph: true,
            table: false,
            safe,
        };
        inline::markdown(&e.children, style)
    })?;
    Some(Block {
        text,
        kind: Kind::Paragraph,
    })
}

/// Intercom's image block, when its image has no size: a paragraph of one `![alt](src)`.
fn image_block(e: &Element) -> Option<Block> {
    let [Node::Element(img)] = e.children.as_slice() else {
        return None;
    };
    if img.name != "img" || !e.has_exactly(&[("class", IMAGE_CONTAINER)]) {
        return None;
    }
    inline_paragraph(e)
}

/// An ATX heading; headings with an id (or any attribute) stay raw.
fn heading(e: &Element) -> Option<Block> {
    if !e.attrs.is_empty() || !inline::is_phrasing(&e.children) {
        return None;
    }
    let level: usize = e.name[1..].parse().ok()?;
    let text = verified(e, |safe| {
        let style = Style {
            paragraph: false,
            table: false,
            safe,
        };
        let mut md = "#".repeat(level);
        let content = protect_closing_hashes(inline::markdown(&e.children, style));
        if !content.is_empty() {
            md.push(' ');
            md.push_str(&content);
        }
        md
    })?;
    Some(other(text))
}

/// Trailing `#`s after a space (or alone) would be read as the heading's closing sequence:
/// escape the first of them.
fn protect_closing_hashes(mut content: String) -> String {
    let rest = content.trim_end_matches('#');
    let (cut, closing) = (
        rest.len(),
        rest.len() < content.len() && (rest.is_empty() || rest.ends_with(' ')),
    );
    if closing {
        content.insert(cut, '\\');
    }
    content
}

/// `> ` before every line of the quoted blocks.
fn blockquote(e: &Element) -> Option<Block> {
    let inner = join(&blocks(&e.children, false)?, "\n\n");
    let quoted: Vec<String> = inner
        .split('\n')
        .map(|line| {
            if line.is_empty() {
                ">".to_owned()
            } else {
                format!("> {line}")
            }
        })
        .collect();
    Some(other(quoted.join("\n")))
}

/// A fenced code block for `<pre><code>` holding only text.
fn code_block(e: &Element) -> Option<Block> {
    let [Node::Element(code)] = e.children.as_slice() else {
        return None;
    };
    if !e.attrs.is_empty() || code.name != "code" {
        return None;
    }
    let language = code_language(code)?;
    let text: String = code
        .children
        .iter()
        .map(|n| match n {
            Node::Text(t) => Some(t.as_str()),
            Node::Element(_) => None,
        })
        .collect::<Option<String>>()?;
    let fence = escape::code_fence(&text);
    let mut md = format!("{fence}{language}\n");
    if !text.is_empty() {
        md.push_str(&text);
        md.push('\n');
    }
    md.push_str(&fence);
    Some(other(md))
}

/// The fence's info string: `x` for `class="language-x"`, empty without a class.
fn code_language(code: &Element) -> Option<&str> {
    match code.attrs.as_slice() {
        [] => Some(""),
        [(name, class)] if name == "class" => class.strip_prefix("language-").filter(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_+#.".contains(&b))
        }),
        _ => None,
    }
}

/// A `div`, `details` or attributed `blockquote` whose children are all blocks: its tags on
/// lines of their own, Markdown in between (a `summary` stays on the opening tag's block).
fn container(e: &Element) -> Option<Block> {
    let (summary, rest) = match e.children.split_first() {
        Some((Node::Element(s), rest)) if e.name == "details" && s.name == "summary" => {
            (Some(s), rest)
        }
        _ => (None, e.children.as_slice()),
    };
    let blocks = blocks(rest, false)?;
    // Only worth it when some Markdown shows; otherwise one raw block reads better.
    if blocks.iter().all(|b| b.kind == Kind::Raw) {
        return None;
    }
    let inner = join(&blocks, "\n\n");
    let mut text = String::new();
    write_open_tag(&mut text, &e.name, &e.attrs);
    if let Some(summary) = summary {
        text.push('\n');
        write_element(&mut text, summary, Mode::Raw);
    }
    text.push_str("\n\n");
    text.push_str(&inner);
    text.push_str("\n\n");
    write_close_tag(&mut text, &e.name);
    Some(other(text))
}
