//! Article bodies as GitHub-flavoured Markdown, and back, without losing anything, whatever
//! HTML dialect they are written in.
//!
//! [`convert`] turns a body into the Markdown a writer edits in the Markdown tree, block by block,
//! each block with the exact HTML it came from ([`Converted`]); [`assemble`] turns edited
//! Markdown back into a body: unchanged blocks as the HTML they came from, byte for byte, and
//! edited or new blocks rendered in the article's [`Dialect`]. [`render`] renders Markdown in a
//! dialect; [`html_to_markdown`] and [`markdown_to_html`] are the two directions for one body.
//!
//! For every body `B` with `C = convert(B)`: `render(&C.markdown(), &C.dialect)` is equivalent
//! to `crate::html::sanitize_for_intercom(B)` (equal after [`normalize_html`]), converting that
//! HTML again gives `C.markdown()` byte for byte, and `assemble(&C.markdown(), Some(&C))` is
//! `B` byte for byte.
//!
//! # Sanitising
//! Conversion sanitises each piece of the body with [`crate::html::sanitize_for_intercom`] (the
//! site's policy without its decorations), so raw HTML in the Markdown is always policy-clean
//! and keeps Intercom's own spelling (a link's `rel`, an id without the site's `h_` prefix).
//! Rendering sanitises its output the same way: writers may type any HTML into a Markdown file.
//! In a dialect whose list items hold paragraphs, a list whose items all start with bare text
//! (raw HTML, or what the sanitiser leaves of it) then gets them in paragraphs, so what is sent
//! stays in the article's dialect (see `shape.rs`).
//!
//! # Dialects
//! Each article's markup is detected from its body (see `dialect.rs`): Intercom's editor
//! (`<p class="no-margin">`, `<b>`, items holding paragraphs, `intercom-container` images, `h_`
//! anchors), plain HTML as the API takes it (`<p>`, `<li>text</li>`, headings without ids), and
//! what other help desks and Markdown renderers write (`<strong>`/`<em>`, `<p><img></p>`, bare
//! `<table>`s). A block is written as Markdown when rendering that Markdown in the article's
//! dialect gives it back exactly; a block a writer adds takes the article's markup.
//!
//! # Rules
//! - Paragraphs: a paragraph with the dialect's class (or none) is Markdown; any other (an
//!   alignment class, an `id`, ...) stays a raw `<p ...>` HTML block.
//! - Headings: `## Title {#h_3f9a1c0b7e}` (heading attributes, which pulldown-cmark and Hugo
//!   read), so anchors other articles link to are kept. In a dialect whose headings have
//!   Intercom's anchors, a heading written without one gets a stable one: `h_` and ten hex
//!   digits of the sha256 of its text.
//! - Emphasis: `**x**`, `*x*` (or `_x_`), `~~x~~` are the dialect's elements (`<b>`, `<i>`,
//!   `<s>` in Intercom's editor); the others stay inline HTML tags around Markdown content.
//! - Links: `[text](url "title")`, with the dialect's `target` and `rel` for links out of the
//!   help center; a link with other attributes stays an inline `<a>` tag.
//! - Images: `![alt](src "title")`, alone in its paragraph Intercom's image block or a paragraph
//!   as the dialect says. Sizes come from the dialect's record of the article's images.
//! - Tables: a GFM pipe table is a table with a `<thead>` and optional `<tbody>` of inline cells,
//!   in Intercom's container or bare, alignment as `style="text-align: ..."`. Intercom's own
//!   tables (styled cells holding paragraphs) and merged cells stay raw HTML, one row per line.
//! - Containers Markdown cannot express (callouts and other `div`s, `<details>`, blockquotes with
//!   attributes) keep their tags as raw HTML lines around Markdown content, when all their
//!   children are blocks; otherwise the whole element is one raw HTML block. Stray inline content
//!   at the top level is written after an `<!-- raw -->` comment (which the sanitiser drops), the
//!   only way to keep it out of a paragraph, unless it is a lone tag that opens an HTML block by
//!   itself (`<img ...>`, `<iframe ...>`).
//! - Lists: `-` and `1.` items (`start` kept; the next list of the same kind right after uses
//!   `*` or `1)` so the two do not merge); tight or loose as the dialect needs (see `lists.rs`).
//! - Code: `<pre><code class="language-x">` is a fenced block with info string `x`; without a
//!   language it is `<pre><code>`, or a bare `<pre>` in a dialect that writes those.
//! - Task list items (`- [ ]`, which Intercom has no block for) become `☐ `/`☑ ` text.
//!
//! Every block is rendered back before it is kept; if it would not come back identical, it is
//! written as raw HTML instead, so nothing is lost.
//!
//! # Hugo
//! The Markdown is CommonMark + GFM tables and strikethrough + heading attributes. For a Hugo
//! build to give the same HTML, Hugo's Goldmark needs `renderer.unsafe = true` (raw HTML
//! blocks), `parser.attribute.title = true` (the default) and its `typographer` and `linkify`
//! extensions off (they rewrite quotes and dashes and link bare URLs).

mod base;
mod deep;
mod dialect;
mod dom;
mod escape;
mod inline;
mod lists;
mod normalize;
mod serialize;
mod shape;
mod split;
mod tables;
mod to_html;
mod to_markdown;

use std::ops::Range;

pub use base::{Converted, SourceBlock};
pub use dialect::{
    CodeBlocks, Dialect, Emphasis, HeadingIds, ImageSize, Images, ListItems, Strikethrough, Strong,
    Tables,
};

/// The pulldown-cmark extensions the Markdown tree is read with.
pub(crate) fn parser_options() -> pulldown_cmark::Options {
    to_html::options()
}

/// Converts a body to Markdown, block by block (see the module docs).
pub fn convert(html: &str) -> Converted {
    base::convert(html, &|unit| unit.to_owned())
}

/// Like [`convert`], with `prepare` rewriting each piece of the body before it is converted
/// (the blocks keep the original bytes): the Markdown tree points asset URLs at local copies.
pub fn convert_with(html: &str, prepare: &dyn Fn(&str) -> String) -> Converted {
    base::convert(html, prepare)
}

/// Converts a body to GitHub-flavoured Markdown: [`convert`]'s Markdown.
///
/// Blocks are separated by one blank line and the text ends with a newline (an empty body gives
/// an empty string).
pub fn html_to_markdown(html: &str) -> String {
    convert(html).markdown()
}

/// The same Markdown as [`html_to_markdown`], faster, for a copy that is only read (no push
/// records come with it).
pub fn html_to_markdown_copy(html: &str) -> String {
    base::markdown_of(html)
}

/// [`html_to_markdown_copy`] of HTML the site's sanitiser wrote ([`crate::html::sanitize`] or
/// [`crate::html::sanitize_with_links`]), without sanitising it again for Intercom: that policy
/// keeps everything the site's keeps (its `rel`, its `h_` ids and fragments, its rewritten
/// links), so a second pass would only parse and write the same markup again. A page's
/// `index.md` is made this way from the page's body; `tests/convert.rs` and the `html` fuzz
/// target check it gives the same Markdown.
pub fn site_html_to_markdown_copy(site_html: &str) -> String {
    base::markdown_of_clean(site_html)
}

/// Renders Markdown in `dialect`, sanitised for Intercom.
pub fn render(md: &str, dialect: &Dialect) -> String {
    shape::sanitized(&to_html::render_html(md, dialect), dialect)
}

/// Renders Markdown as Intercom's editor writes HTML, sanitised for Intercom.
pub fn markdown_to_html(md: &str) -> String {
    render(md, &Dialect::default())
}

/// The body of Markdown `md` (see the module docs): blocks unchanged since `base` as the HTML
/// they came from, the rest rendered in the base's dialect (Intercom's editor without a base),
/// sanitised for Intercom and passed through `finish` with the range of Markdown they come from
/// (the Markdown tree turns local asset paths back into URLs there).
pub fn assemble(
    md: &str,
    base: Option<&Converted>,
    finish: &mut dyn FnMut(String, Range<usize>) -> String,
) -> String {
    base::assemble(md, base, finish)
}

/// The lines of a body for a diff: its text with a line break after every top-level block that
/// does not end one, split at every line break.
pub fn block_lines(html: &str) -> Vec<String> {
    let mut text = String::with_capacity(html.len() + 64);
    for unit in split::split(html) {
        if !text.is_empty() && !text.ends_with('\n') && unit.kind != split::UnitKind::Glue {
            text.push('\n');
        }
        text.push_str(&html[unit.range]);
    }
    text.split('\n').map(str::to_owned).collect()
}

/// The canonical form of a body: two bodies are equivalent when their forms are equal.
///
/// Parses `html` (with scraper) and serialises it again with: attributes in one fixed order,
/// one spelling per character (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&nbsp;`, `&#10;` in
/// attributes, everything else literal), comments dropped, and whitespace as a browser renders
/// it outside `<pre>`: runs collapsed to one space, and removed between blocks, at the start and
/// end of a block and next to `<br>`. Elements, attribute values and text stay as they are.
pub fn normalize_html(html: &str) -> String {
    normalize::normalize(html)
}

/// How much of a Markdown body's text a writer edits as Markdown, and how much sits inside raw
/// HTML blocks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextShare {
    /// Characters of text (whitespace not counted) written as Markdown.
    pub markdown: usize,
    /// Characters of text inside raw HTML blocks.
    pub raw: usize,
}

impl TextShare {
    /// The share of text inside raw HTML, from 0 to 1 (0 for no text at all).
    pub fn raw_fraction(&self) -> f64 {
        let total = self.markdown + self.raw;
        if total == 0 {
            0.0
        } else {
            self.raw as f64 / total as f64
        }
    }
}

impl std::ops::AddAssign for TextShare {
    fn add_assign(&mut self, other: TextShare) {
        self.markdown += other.markdown;
        self.raw += other.raw;
    }
}

/// Measures `md`: the text of Markdown text and code events against the text inside raw HTML
/// blocks (inline tags around Markdown text do not count as raw: their text is Markdown).
pub fn text_share(md: &str) -> TextShare {
    to_html::text_share(md)
}
