//! Sanitised body HTML to Markdown, block by block, in the article's [`Dialect`].
//!
//! Blocks are separated by blank lines. A block Markdown can express is written as Markdown; a
//! paragraph, heading or table is then rendered back with `to_html` in the dialect and kept
//! only if that gives exactly the HTML it came from (else it is written again with emphasis as
//! tags, and at last as raw HTML). Containers keep their tags as raw HTML lines around Markdown
//! blocks; anything else is one raw HTML block, which Markdown passes through untouched. At the
//! top level every block is checked once more as a whole (lists and containers too), so no
//! block that would not come back is ever written as Markdown.

use std::ops::Range;

use super::dialect::{CodeBlocks, Dialect, Images, IMAGE_CONTAINER};
use super::dom::{self, Element, Node};
use super::inline::{self, Style};
use super::serialize::{
    compact, write_close_tag, write_element, write_nodes, write_open_tag, Mode,
};
use super::to_html;
use super::{escape, lists, tables};

/// The comment that starts a line of stray inline HTML at the top level. It makes the line an
/// HTML block (so it is not wrapped in a paragraph); the sanitiser removes it.
pub(crate) const RAW_MARKER: &str = "<!-- raw -->";

/// One block of Markdown, without a trailing newline.
pub(crate) struct Block {
    /// The Markdown lines.
    pub text: String,
    /// What the lines are.
    pub kind: Kind,
    /// The nodes it was written from, among its container's children.
    pub nodes: Range<usize>,
    /// Whether its Markdown was already rendered back and gave exactly the compact HTML of the
    /// one element it was written from (see [`verified`]), which the top-level check then
    /// need not do again.
    pub rendered_back: bool,
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

/// What becomes of inline content that is not in a block of its own.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Runs {
    /// Raw HTML after [`RAW_MARKER`] (the top level of a body).
    Raw,
    /// Markdown text, like a paragraph (the items of a tight list in CommonMark's style).
    Text,
    /// Not writable: the container stays raw.
    Refuse,
}

/// The top-level blocks of a body's (sanitised, whitespace-normalised) nodes, each checked to
/// render back as its nodes.
pub(crate) fn document(nodes: &[Node], dialect: &Dialect) -> Vec<Block> {
    let blocks = blocks(nodes, dialect, Runs::Raw).expect("top-level inline content is writable");
    blocks
        .into_iter()
        .map(|block| checked(block, nodes, dialect))
        .collect()
}

/// `block` if its Markdown renders back as the nodes it came from, else those nodes as raw HTML.
fn checked(block: Block, nodes: &[Node], dialect: &Dialect) -> Block {
    let source = &nodes[block.nodes.clone()];
    if block.kind == Kind::Raw {
        return block;
    }
    if block.rendered_back && source.len() == 1 {
        debug_assert_eq!(
            to_html::render_html(&block.text, dialect),
            compact(source),
            "a block rendered back renders as its element"
        );
        debug_assert_eq!(
            super::normalize::normalize(&to_html::render_html(&block.text, dialect)),
            compact(source),
            "the compact form of an element is its own normal form"
        );
        return block;
    }
    let rendered = to_html::render_html(&block.text, dialect);
    let expected = compact(source);
    // The writer's output is canonical, so most blocks (every one `verified` already compared)
    // render to exactly the compact form of their nodes, which is its own normal form: only
    // the others need parsing to be compared.
    let same = if rendered == expected {
        debug_assert_eq!(super::normalize::normalize(&rendered), expected);
        true
    } else {
        super::normalize::normalize(&rendered) == expected
    };
    if same {
        return block;
    }
    match source {
        [Node::Element(e)] => Block {
            nodes: block.nodes,
            ..raw(e)
        },
        _ => Block {
            nodes: block.nodes,
            ..inline_run(source, Runs::Raw, dialect).expect("raw runs are writable")
        },
    }
}

/// Joins block texts with `separator`.
pub(crate) fn join(blocks: &[Block], separator: &str) -> String {
    let texts: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
    texts.join(separator)
}

/// The blocks of a container's children; `runs` says what becomes of inline content between
/// them (`None` when it makes the container raw).
pub(crate) fn blocks(nodes: &[Node], dialect: &Dialect, runs: Runs) -> Option<Vec<Block>> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut run_start = None;
    for (i, node) in nodes.iter().enumerate() {
        match node.element().filter(|e| e.is_block()) {
            Some(e) => {
                if let Some(start) = run_start.take() {
                    let run = inline_run(&nodes[start..i], runs, dialect)?;
                    blocks.push(Block {
                        nodes: start..i,
                        ..run
                    });
                }
                let previous = blocks.last().map(|b| b.kind);
                let block = block(e, previous, dialect);
                blocks.push(Block {
                    nodes: i..i + 1,
                    ..block
                });
            }
            None => {
                run_start.get_or_insert(i);
            }
        }
    }
    if let Some(start) = run_start {
        let run = inline_run(&nodes[start..], runs, dialect)?;
        blocks.push(Block {
            nodes: start..nodes.len(),
            ..run
        });
    }
    Some(blocks)
}

/// Inline content between blocks, as `runs` says.
fn inline_run(nodes: &[Node], runs: Runs, dialect: &Dialect) -> Option<Block> {
    match runs {
        Runs::Refuse => None,
        Runs::Text => {
            // Checked the way a paragraph of it renders; the list decides about the `<p>`.
            let paragraph = Element {
                name: "p".to_owned(),
                attrs: (dialect.paragraph_attrs().into_iter())
                    .map(|(n, v)| (n.to_owned(), v.to_owned()))
                    .collect(),
                children: nodes.to_vec(),
            };
            inline_paragraph(&paragraph, dialect)
        }
        Runs::Raw => {
            let mut text = String::new();
            if !opens_html_block(nodes) {
                text.push_str(RAW_MARKER);
            }
            write_nodes(&mut text, nodes, Mode::RawLine);
            Some(block_of(text, Kind::Raw))
        }
    }
}

/// Whether the HTML of `nodes` starts an HTML block by itself: a lone `iframe` (one of
/// CommonMark's block tags) or a lone void element (a complete tag alone on its line).
fn opens_html_block(nodes: &[Node]) -> bool {
    match nodes {
        [Node::Element(e)] => e.name == "iframe" || dom::VOID.contains(&e.name.as_str()),
        _ => false,
    }
}

fn block_of(text: String, kind: Kind) -> Block {
    Block {
        text,
        kind,
        nodes: 0..0,
        rendered_back: false,
    }
}

/// `block`, written from an element that [`verified`] rendered it back as.
pub(crate) fn rendered_back(block: Block) -> Block {
    Block {
        rendered_back: true,
        ..block
    }
}

fn other(text: String) -> Block {
    block_of(text, Kind::Other)
}

/// One block element; `previous` is the block before it in the same container.
fn block(e: &Element, previous: Option<Kind>, dialect: &Dialect) -> Block {
    markdown_block(e, previous, dialect)
        .or_else(|| skeleton(e, dialect))
        .unwrap_or_else(|| raw(e))
}

/// The block as one of Markdown's own blocks, if it is one exactly.
fn markdown_block(e: &Element, previous: Option<Kind>, dialect: &Dialect) -> Option<Block> {
    match e.name.as_str() {
        "p" => paragraph(e, dialect),
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => heading(e, dialect),
        "ul" | "ol" => lists::list(e, previous, dialect),
        "blockquote" if e.attrs.is_empty() => blockquote(e, dialect),
        "pre" => code_block(e, dialect),
        "hr" if e.attrs.is_empty() => Some(block_of("---".to_owned(), Kind::Break)),
        "div" => image_block(e, dialect).or_else(|| tables::pipe_table(e, dialect)),
        "table" => tables::pipe_table(e, dialect),
        _ => None,
    }
}

/// The element as one raw HTML block.
pub(crate) fn raw(e: &Element) -> Block {
    let mut text = String::new();
    write_element(&mut text, e, Mode::Raw);
    // An HTML block opened by `<pre` ends at the first line holding an end tag of its kind: a
    // nested `pre` or an attribute value holding one must not end it early, so such a block
    // is written on one line (the only line, which is also the last).
    if e.name == "pre" && ends_before_last_line(&text) {
        text.clear();
        write_element(&mut text, e, Mode::RawLine);
    }
    block_of(text, Kind::Raw)
}

/// The end tags that end an HTML block opened by `<pre`, `<script`, `<style` or `<textarea`,
/// whichever of them opened it and in any case, as CommonMark says (pulldown-cmark looks for
/// the matching one only; Goldmark, Hugo's parser, for any of them).
const PRE_BLOCK_ENDS: [&str; 4] = ["</pre>", "</script>", "</style>", "</textarea>"];

/// Whether a line of raw HTML `text` other than its last holds one of [`PRE_BLOCK_ENDS`].
fn ends_before_last_line(text: &str) -> bool {
    let mut lines: Vec<&str> = text.split(['\n', '\r']).collect();
    lines.pop();
    lines.iter().any(|line| {
        let line = line.to_ascii_lowercase();
        PRE_BLOCK_ENDS.iter().any(|end| line.contains(end))
    })
}

/// Tries the pretty style, then the safe one; the first Markdown that renders back to exactly
/// the HTML of `e` in `dialect` wins.
pub(crate) fn verified(
    e: &Element,
    dialect: &Dialect,
    write: impl Fn(bool) -> String,
) -> Option<String> {
    // Written once for both tries.
    let mut expected = String::new();
    write_element(&mut expected, e, Mode::Compact);
    [false, true]
        .into_iter()
        .map(&write)
        .find(|md| to_html::render_html(md, dialect) == expected)
}

/// A paragraph of inline content, with the dialect's attributes.
fn paragraph(e: &Element, dialect: &Dialect) -> Option<Block> {
    let plain = e.has_exactly(&dialect.paragraph_attrs());
    if !plain || e.children.is_empty() || !inline::is_phrasing(&e.children) {
        return None;
    }
    inline_paragraph(e, dialect).map(rendered_back)
}

/// `e`'s inline children as one Markdown paragraph, if that converts back to `e` exactly.
fn inline_paragraph(e: &Element, dialect: &Dialect) -> Option<Block> {
    let text = verified(e, dialect, |safe| {
        let style = Style {
            paragraph: true,
            table: false,
            safe,
        };
        inline::markdown(&e.children, style, dialect)
    })?;
    Some(block_of(text, Kind::Paragraph))
}

/// Intercom's image block, in a dialect where a lone image is one: `![alt](src)`.
fn image_block(e: &Element, dialect: &Dialect) -> Option<Block> {
    let [Node::Element(img)] = e.children.as_slice() else {
        return None;
    };
    let shaped = dialect.images == Images::Container
        && img.name == "img"
        && e.has_exactly(&[("class", IMAGE_CONTAINER)]);
    if !shaped {
        return None;
    }
    inline_paragraph(e, dialect).map(rendered_back)
}

/// An ATX heading, with its id as `{#id}`; headings with other attributes stay raw.
fn heading(e: &Element, dialect: &Dialect) -> Option<Block> {
    let id = match e.attrs.as_slice() {
        [] => None,
        [(name, id)] if name == "id" && is_attribute_id(id) => Some(id.as_str()),
        _ => return None,
    };
    if !inline::is_phrasing(&e.children) {
        return None;
    }
    let level: usize = e.name[1..].parse().ok()?;
    let text = verified(e, dialect, |safe| {
        let style = Style {
            paragraph: false,
            table: false,
            safe,
        };
        let mut md = "#".repeat(level);
        let content = protect_closing_hashes(inline::markdown(&e.children, style, dialect));
        let content = match id {
            Some(_) => content,
            None => protect_attribute_block(content),
        };
        if !content.is_empty() {
            md.push(' ');
            md.push_str(&content);
        }
        if let Some(id) = id {
            md.push_str(" {#");
            md.push_str(id);
            md.push('}');
        }
        md
    })?;
    Some(rendered_back(other(text)))
}

/// An id `{#id}` can hold: no whitespace, braces or quotes, nothing a parser could misread.
fn is_attribute_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'))
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

/// A heading ending in `}` would have its last `{...}` read as attributes: escape that `}`.
fn protect_attribute_block(mut content: String) -> String {
    if content.ends_with('}') && !content.ends_with("\\}") {
        content.insert(content.len() - 1, '\\');
    }
    content
}

/// `> ` before every line of the quoted blocks.
fn blockquote(e: &Element, dialect: &Dialect) -> Option<Block> {
    let inner = join(&blocks(&e.children, dialect, Runs::Refuse)?, "\n\n");
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

/// A fenced code block for `<pre><code>` holding only text (or a bare `<pre>` holding only
/// text, in a dialect that writes those).
fn code_block(e: &Element, dialect: &Dialect) -> Option<Block> {
    if !e.attrs.is_empty() {
        return None;
    }
    let bare_pre = dialect.code_blocks == CodeBlocks::Pre;
    let (language, children) = match e.children.as_slice() {
        [Node::Element(code)] if code.name == "code" => {
            let language = code_language(code)?;
            // Where code blocks are bare `<pre>`s, only a language keeps the `<code>`.
            if language.is_empty() && bare_pre {
                return None;
            }
            (language, code.children.as_slice())
        }
        children if bare_pre => ("", children),
        _ => return None,
    };
    let text: String = children
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

/// Block elements that hold inline content, not blocks: never a [`skeleton`].
const LEAF_BLOCKS: &[&str] = &[
    "address",
    "col",
    "colgroup",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "p",
    "pre",
    "summary",
];

/// Whether the tags of `name` may stand on raw HTML lines around Markdown: a block element
/// (each starts one of CommonMark's HTML blocks) that holds blocks.
fn is_skeleton_name(name: &str) -> bool {
    dom::is_block_name(name) && !LEAF_BLOCKS.contains(&name)
}

/// An element Markdown cannot say (a callout, a collapsible section, Intercom's styled table,
/// ...) whose descendants hold Markdown blocks: its tags on raw HTML lines, every descendant
/// block Markdown can say as Markdown between them. Tags with no Markdown between them share
/// a line (`</td><td style="...">`); blocks Markdown cannot say join the raw lines. `None`
/// when no Markdown would show, where one raw block reads better.
fn skeleton(e: &Element, dialect: &Dialect) -> Option<Block> {
    let mut writer = Skeleton {
        dialect,
        parts: Vec::new(),
        line: String::new(),
        previous: None,
    };
    if !writer.element(e) || !writer.parts.iter().any(|(_, markdown)| *markdown) {
        return None;
    }
    writer.end_line();
    let parts: Vec<&str> = writer.parts.iter().map(|(text, _)| text.as_str()).collect();
    Some(other(parts.join("\n\n")))
}

/// Writes a [`skeleton`].
struct Skeleton<'d> {
    dialect: &'d Dialect,
    /// Raw lines and Markdown blocks so far, each with whether it is Markdown.
    parts: Vec<(String, bool)>,
    /// The raw HTML line being written.
    line: String,
    /// The kind of the Markdown block right before, with no raw line since.
    previous: Option<Kind>,
}

impl Skeleton<'_> {
    /// Writes `e` as a skeleton; false when it is not one (not a skeleton element, or a child
    /// that is not a block; a `details`' first child may be its `summary`).
    fn element(&mut self, e: &Element) -> bool {
        let mut children = e.children.as_slice();
        let summary = match children.split_first() {
            Some((Node::Element(s), rest)) if e.name == "details" && s.name == "summary" => {
                children = rest;
                Some(s)
            }
            _ => None,
        };
        let shaped = is_skeleton_name(&e.name) && children.iter().all(Node::is_block);
        if !shaped {
            return false;
        }
        // Rows and items start lines of their own, so a table reads row by row.
        if matches!(e.name.as_str(), "tr" | "li") && !self.line.is_empty() {
            self.line.push('\n');
        }
        write_open_tag(&mut self.line, &e.name, &e.attrs);
        if let Some(summary) = summary {
            write_element(&mut self.line, summary, Mode::Raw);
        }
        for child in children.iter().filter_map(Node::element) {
            self.child(child);
        }
        write_close_tag(&mut self.line, &e.name);
        true
    }

    /// A child block: Markdown if it is a Markdown block, a skeleton if it is one, else raw.
    fn child(&mut self, e: &Element) {
        if let Some(block) = markdown_block(e, self.previous, self.dialect) {
            self.end_line();
            self.previous = Some(block.kind);
            self.parts.push((block.text, true));
            return;
        }
        if !self.element(e) {
            write_element(&mut self.line, e, Mode::Raw);
        }
    }

    /// Ends the raw line being written, if any.
    fn end_line(&mut self) {
        if !self.line.is_empty() {
            self.parts.push((std::mem::take(&mut self.line), false));
            self.previous = Some(Kind::Raw);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw_text(html: &str) -> String {
        let nodes = dom::parse(html).nodes;
        raw(nodes[0].element().expect("an element")).text
    }

    #[test]
    fn a_raw_pre_block_keeps_its_lines_unless_an_end_tag_would_cut_it_short() {
        assert_eq!(raw_text("<pre><b>a\nb</b></pre>"), "<pre><b>a\nb</b></pre>");
        assert_eq!(
            raw_text("<pre><a href=\"</pre>\">a\nb</a></pre>"),
            "<pre><a href=\"</pre>\">a&#10;b</a></pre>"
        );
        assert_eq!(
            raw_text("<pre><a title=\"</Style>\">a</a>\nb</pre>"),
            "<pre><a title=\"</Style>\">a</a>&#10;b</pre>"
        );
        assert_eq!(
            raw_text("<pre>a<pre>b\nc</pre>\nd</pre>"),
            "<pre>a<pre>b&#10;c</pre>&#10;d</pre>"
        );
        // The last line may hold any of them: the block ends there anyway.
        assert_eq!(
            raw_text("<pre>a\n<b title=\"</pre>\">b</b></pre>"),
            "<pre>a\n<b title=\"</pre>\">b</b></pre>"
        );
    }
}
