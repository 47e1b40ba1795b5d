//! A body as Markdown blocks that each know the exact HTML they came from ([`Converted`]), and
//! an edited Markdown body put back together from them ([`assemble`]).
//!
//! Converting cuts the raw body into top-level units (`split`), sanitises and parses each,
//! detects the article's [`Dialect`] and writes the Markdown blocks. A block written from
//! several units (rare: a unit the sanitiser unwraps into inline content next to other inline
//! content) takes them all. Bytes that show nothing (whitespace, comments, a `<script>` the
//! sanitiser drops) go with the block after them, or into the tail.
//!
//! Assembling matches the edited Markdown's top-level blocks with the base's blocks, in order
//! (the longest common subsequence). A matched block whose Markdown renders exactly as it did
//! is sent as the HTML it came from, byte for byte; everything else is rendered from the
//! Markdown in the article's dialect. A run of new blocks that replaces base blocks keeps the
//! glue before the first of them; blocks added elsewhere are separated as the article
//! separates its blocks.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::dialect::{self, Dialect};
use super::dom::{self, Node};
use super::split::{self, UnitKind};
use super::to_html::{self, Rendered};
use super::{deep, shape, to_markdown};
use crate::html::sanitize_for_intercom;

/// A body converted to Markdown, block by block, with the HTML of every block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Converted {
    /// How the article writes its HTML.
    pub dialect: Dialect,
    /// The blocks, in order.
    pub blocks: Vec<SourceBlock>,
    /// The bytes after the last block (whitespace, comments, dropped elements).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tail: String,
}

/// One block of the Markdown and the HTML it was written from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceBlock {
    /// The bytes between the previous block and this one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub before: String,
    /// The block's Markdown (no trailing newline).
    pub markdown: String,
    /// The HTML it came from, byte for byte.
    pub html: String,
}

impl Converted {
    /// The Markdown: the blocks separated by blank lines, ending with a newline (an empty
    /// string for a body without blocks).
    pub fn markdown(&self) -> String {
        let texts: Vec<&str> = self.blocks.iter().map(|b| b.markdown.as_str()).collect();
        let mut md = texts.join("\n\n");
        if !md.is_empty() {
            md.push('\n');
        }
        md
    }

    /// The body it was converted from, byte for byte.
    pub fn html(&self) -> String {
        let mut html = String::new();
        for block in &self.blocks {
            html.push_str(&block.before);
            html.push_str(&block.html);
        }
        html.push_str(&self.tail);
        html
    }
}

/// Converts a raw body; `prepare` rewrites each unit's HTML before it is sanitised and
/// converted (the Markdown tree points asset URLs at its local copies with it), while the
/// blocks keep the original bytes.
pub(crate) fn convert(html: &str, prepare: &dyn Fn(&str) -> String) -> Converted {
    let units = split::split(html);
    // Each top-level node with the units it comes from (a text may span several: where the
    // sanitiser unwraps a unit into text, it meets the text around it).
    let mut pieces: Vec<(Node, Range<usize>)> = Vec::new();
    let mut depth = 0;
    for (u, unit) in units.iter().enumerate() {
        if unit.kind == UnitKind::Glue {
            continue;
        }
        let clean = sanitize_for_intercom(&prepare(&html[unit.range.clone()]));
        let parsed = dom::parse_piece(&clean);
        depth = depth.max(parsed.depth);
        pieces.extend(parsed.nodes.into_iter().map(|node| (node, u..u + 1)));
    }
    let joined = dom::join_pieces(pieces, |units, more| units.end = more.end);
    let (nodes, unit_of): (Vec<Node>, Vec<Range<usize>>) = joined.into_iter().unzip();
    let separators = separators(html, &units);
    deep::run(depth, move || {
        let dialect = dialect::detect(&nodes, separators.iter().map(String::as_str));
        let blocks = to_markdown::document(&nodes, &dialect);
        let mut converted = Converted {
            dialect,
            blocks: Vec::with_capacity(blocks.len()),
            tail: String::new(),
        };
        let mut pos = 0;
        for (units_range, texts) in group(&blocks, &unit_of) {
            let start = units[units_range.start].range.start;
            let end = units[units_range.end - 1].range.end;
            converted.blocks.push(SourceBlock {
                before: html[pos..start].to_owned(),
                markdown: texts.join("\n\n"),
                html: html[start..end].to_owned(),
            });
            pos = end;
        }
        converted.tail = html[pos..].to_owned();
        converted
    })
}

/// The Markdown of a body, the same as [`convert`]'s, converted in one piece: for a copy that is
/// only read (a page's `index.md`), which needs no record of the HTML of each block. It saves
/// cutting the body into units and parsing each unit on its own, most of the conversion's cost.
pub(crate) fn markdown_of(html: &str) -> String {
    markdown_of_clean(&sanitize_for_intercom(html))
}

/// [`markdown_of`] of a body that sanitising for Intercom leaves as it is (see
/// [`super::site_html_to_markdown_copy`]).
pub(crate) fn markdown_of_clean(clean: &str) -> String {
    let parsed = dom::parse(clean);
    let nodes = parsed.nodes;
    deep::run(parsed.depth, move || {
        // Separators only choose how rendered blocks are joined, never the Markdown.
        let dialect = dialect::detect(&nodes, []);
        let blocks = to_markdown::document(&nodes, &dialect);
        let mut md = to_markdown::join(&blocks, "\n\n");
        if !md.is_empty() {
            md.push('\n');
        }
        md
    })
}

/// The glue between consecutive units that show something (`""` where they touch).
fn separators(html: &str, units: &[split::Unit]) -> Vec<String> {
    let shown: Vec<&split::Unit> = units.iter().filter(|u| u.kind != UnitKind::Glue).collect();
    shown
        .windows(2)
        .map(|pair| html[pair[0].range.end..pair[1].range.start].to_owned())
        .filter(|glue| glue.chars().all(dom::is_html_space))
        .collect()
}

/// The blocks grouped by the units they were written from: each group's units (a range of
/// indices) and its blocks' Markdown.
fn group<'b>(
    blocks: &'b [to_markdown::Block],
    unit_of: &[Range<usize>],
) -> Vec<(Range<usize>, Vec<&'b str>)> {
    let mut groups: Vec<(Range<usize>, Vec<&str>)> = Vec::new();
    for block in blocks {
        let first = unit_of[block.nodes.start].start;
        let last = unit_of[block.nodes.end - 1].end - 1;
        match groups.last_mut() {
            Some((units, texts)) if first < units.end => {
                units.end = units.end.max(last + 1);
                texts.push(&block.text);
            }
            _ => groups.push((first..last + 1, vec![&block.text])),
        }
    }
    groups
}

/// Puts the HTML of Markdown `md` together: blocks unchanged since `base` as the HTML they came
/// from, the rest rendered in the base's dialect (Intercom's editor without a base), sanitised
/// for Intercom and passed through `finish` with the Markdown they were rendered from.
pub(crate) fn assemble(
    md: &str,
    base: Option<&Converted>,
    finish: &mut dyn FnMut(String, Range<usize>) -> String,
) -> String {
    let Some(base) = base else {
        let dialect = Dialect::default();
        let html = shape::sanitized(&to_html::render_html(md, &dialect), &dialect);
        return finish(html, 0..md.len());
    };
    if md == base.markdown() {
        return base.html();
    }
    let rendered = to_html::render(md, &base.dialect);
    let mut out = Assembly {
        base,
        rendered: &rendered,
        finish,
        html: String::new(),
        new: Vec::new(),
        glue: None,
    };
    for piece in align(md, &rendered, base) {
        match piece {
            Piece::Kept(b) => {
                out.render_new();
                out.html.push_str(&base.blocks[b].before);
                out.html.push_str(&base.blocks[b].html);
            }
            Piece::Replaced(b) => {
                if out.new.is_empty() && out.glue.is_none() {
                    out.glue = Some(&base.blocks[b].before);
                }
            }
            Piece::New(i) => out.new.push(i),
        }
    }
    out.render_new();
    out.html.push_str(&base.tail);
    out.html
}

/// An edited body being put together.
struct Assembly<'a, 'f> {
    base: &'a Converted,
    rendered: &'a Rendered,
    finish: &'f mut dyn FnMut(String, Range<usize>) -> String,
    html: String,
    /// New top-level blocks waiting to be rendered as one run.
    new: Vec<usize>,
    /// The glue of the first base block they replace.
    glue: Option<&'a str>,
}

impl Assembly<'_, '_> {
    /// Adds the waiting new blocks, after the glue of what they replace (or the article's
    /// separator), separated as the article separates blocks.
    fn render_new(&mut self) {
        let (Some(&first), Some(&last)) = (self.new.first(), self.new.last()) else {
            return;
        };
        let separator = self.base.dialect.separator.as_str();
        let glue = match self.glue.take() {
            Some(glue) => glue,
            None if self.html.is_empty() => "",
            None => separator,
        };
        let blocks = &self.rendered.blocks;
        let html: Vec<&str> = (self.new.iter())
            .map(|&i| &self.rendered.html[blocks[i].html.clone()])
            .collect();
        let source = blocks[first].markdown.start..blocks[last].markdown.end;
        let html = shape::sanitized(&html.join(separator), &self.base.dialect);
        let html = (self.finish)(html, source);
        self.html.push_str(glue);
        self.html.push_str(&html);
        self.new.clear();
    }
}

/// What becomes of a base block or a new top-level block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    /// Base block `b`, unchanged.
    Kept(usize),
    /// Base block `b`, edited or deleted.
    Replaced(usize),
    /// New top-level block `i`, rendered.
    New(usize),
}

/// Above this many cells the alignment of an edited middle is not searched: it is replaced.
const MAX_ALIGNMENT_CELLS: usize = 4_000_000;

/// The most base blocks that can stay, in order, and what happens to everything else.
fn align(md: &str, rendered: &Rendered, base: &Converted) -> Vec<Piece> {
    let aligner = Aligner {
        md,
        rendered,
        base,
        spans: (base.blocks.iter())
            .map(|b| to_html::count_top_level(&b.markdown))
            .collect(),
    };
    let mut pieces = Vec::new();
    let (mut b, mut i) = (0, 0);
    for (kept, at) in aligner.matches() {
        pieces.extend((b..kept).map(Piece::Replaced));
        pieces.extend((i..at).map(Piece::New));
        let k = aligner.spans[kept];
        if aligner.renders_as_before(kept, at) {
            pieces.push(Piece::Kept(kept));
        } else {
            pieces.push(Piece::Replaced(kept));
            pieces.extend((at..at + k).map(Piece::New));
        }
        (b, i) = (kept + 1, at + k);
    }
    pieces.extend((b..base.blocks.len()).map(Piece::Replaced));
    pieces.extend((i..rendered.blocks.len()).map(Piece::New));
    pieces
}

/// Matches the base's blocks with the new top-level blocks.
struct Aligner<'a> {
    md: &'a str,
    rendered: &'a Rendered,
    base: &'a Converted,
    /// How many top-level blocks each base block's Markdown is.
    spans: Vec<usize>,
}

impl Aligner<'_> {
    /// Whether base block `b` is written, unchanged, as the new blocks from `i` on.
    fn fits(&self, b: usize, i: usize) -> bool {
        let (k, tops) = (self.spans[b], &self.rendered.blocks);
        k > 0
            && i + k <= tops.len()
            && self.md[tops[i].markdown.start..tops[i + k - 1].markdown.end]
                == self.base.blocks[b].markdown
    }

    /// The base blocks that stay and where they start among the new blocks, in order: the
    /// common head and tail, and the longest common subsequence of what is between.
    fn matches(&self) -> Vec<(usize, usize)> {
        let (nb, nt) = (self.base.blocks.len(), self.rendered.blocks.len());
        let mut head = Vec::new();
        let (mut b, mut i) = (0, 0);
        while b < nb && self.fits(b, i) {
            head.push((b, i));
            i += self.spans[b];
            b += 1;
        }
        let mut tail = Vec::new();
        let (mut b_end, mut i_end) = (nb, nt);
        while b_end > b && i_end >= i + self.spans[b_end - 1] {
            let at = i_end - self.spans[b_end - 1];
            if !self.fits(b_end - 1, at) {
                break;
            }
            tail.push((b_end - 1, at));
            (b_end, i_end) = (b_end - 1, at);
        }
        head.extend(self.common(b..b_end, i..i_end));
        head.extend(tail.into_iter().rev());
        head
    }

    /// The longest common subsequence of base blocks `bs` and new blocks `is`.
    fn common(&self, bs: Range<usize>, is: Range<usize>) -> Vec<(usize, usize)> {
        let (nb, nt) = (bs.len(), is.len());
        if nb == 0 || nt == 0 || (nb + 1) * (nt + 1) > MAX_ALIGNMENT_CELLS {
            return Vec::new();
        }
        let width = nt + 1;
        // best[b][i]: the most base blocks from `b` on that can stay, new blocks from `i` on.
        let mut best = vec![0u32; (nb + 1) * width];
        let step = |b: usize, i: usize| {
            let (gb, gi) = (bs.start + b, is.start + i);
            let k = self.spans[gb];
            (i + k <= nt && self.fits(gb, gi)).then_some(k)
        };
        for b in (0..nb).rev() {
            for i in (0..nt).rev() {
                let mut value = best[(b + 1) * width + i].max(best[b * width + i + 1]);
                if let Some(k) = step(b, i) {
                    value = value.max(1 + best[(b + 1) * width + i + k]);
                }
                best[b * width + i] = value;
            }
        }
        let mut matches = Vec::new();
        let (mut b, mut i) = (0, 0);
        while b < nb && i < nt {
            let here = best[b * width + i];
            match step(b, i) {
                Some(k) if here == 1 + best[(b + 1) * width + i + k] => {
                    matches.push((bs.start + b, is.start + i));
                    b += 1;
                    i += k;
                }
                _ if here == best[(b + 1) * width + i] => b += 1,
                _ => i += 1,
            }
        }
        matches
    }

    /// Whether base block `b`, found at new block `i`, renders there exactly as its Markdown
    /// renders alone (ending in a newline where it does in the document): then nothing around
    /// it changed what it means.
    fn renders_as_before(&self, b: usize, i: usize) -> bool {
        let tops = &self.rendered.blocks;
        let last = i + self.spans[b] - 1;
        let html = &self.rendered.html[tops[i].html.start..tops[last].html.end];
        let mut markdown = self.base.blocks[b].markdown.clone();
        if self.md[tops[last].markdown.end..].starts_with('\n') {
            markdown.push('\n');
        }
        let alone = to_html::render_html(&markdown, &self.base.dialect);
        html == alone.strip_suffix('\n').unwrap_or(&alone)
    }
}
