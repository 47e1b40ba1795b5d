//! Article bodies as GitHub-flavoured Markdown, and back, without losing anything.
//!
//! [`html_to_markdown`] turns an Intercom body into the Markdown a writer edits in the Markdown
//! tree; [`markdown_to_html`] turns it back into the HTML Intercom's editor would have written.
//! For every body `B`, `markdown_to_html(&html_to_markdown(B))` is equivalent to
//! `crate::html::sanitize(B)` (equal after [`normalize_html`]), and for every Markdown `M` that
//! `html_to_markdown` wrote, `html_to_markdown(&markdown_to_html(M)) == M` byte for byte.
//!
//! # Sanitising
//! `html_to_markdown` sanitises its input itself with [`crate::html::sanitize`], so raw HTML in
//! the Markdown is always policy-clean and the Markdown does not depend on what the caller did
//! (sanitising is idempotent, so an already clean body costs one more pass, nothing else).
//! `markdown_to_html` sanitises its output: writers may type any HTML into a Markdown file.
//!
//! # Rules
//! - Paragraphs: Intercom's editor puts `class="no-margin"` on nearly every paragraph, so a
//!   plain Markdown paragraph is `<p class="no-margin">`. Any other paragraph (no class, an
//!   alignment class, an `id`, ...) stays a raw `<p ...>` HTML block. List items always wrap
//!   their text in `<p class="no-margin">`, tight list or not, as Intercom does.
//! - Headings: `## Title` is a heading without attributes. Intercom's headings carry anchor
//!   ids (`h_0123456789`) that other articles link to; GFM has no syntax for ids (`{#id}` is
//!   not GFM, and GitHub would print it), so such a heading stays a raw `<h2 id="h_...">`
//!   block, which pulldown-cmark and Hugo both pass through untouched.
//! - Emphasis: `**x**` is `<b>`, `*x*` (or `_x_`) is `<i>`, `~~x~~` is `<s>`: the tags
//!   Intercom's editor writes. `<strong>`, `<em>`, `<del>`, `<u>`, `<span>`, ... stay inline
//!   HTML tags around Markdown content.
//! - Links: `[text](url "title")`. Intercom opens links to other sites in a new tab, so a
//!   Markdown link to an absolute `http(s)`, `mailto` or `tel` URL that is not a help center
//!   article or collection gets `target="_blank"`; a link whose `target` does not follow that
//!   rule stays an inline `<a>` tag. `rel` is never written: the sanitiser decides it.
//! - Images: Markdown has no size, and Intercom's images all have one, so an image with
//!   `width`/`height` stays raw HTML (`<div class="intercom-container"><img ...></div>`). A
//!   paragraph that is a lone `![alt](src)` becomes `<div class="intercom-container"><img>`.
//! - Tables: a GFM pipe table is `<div class="intercom-interblocks-table-container"><table
//!   role="presentation">` with a `<thead>` and optional `<tbody>`, alignment as
//!   `style="text-align: ..."`. Intercom's own tables (styled cells holding paragraphs) stay raw
//!   HTML, one row per line.
//! - Containers Markdown cannot express (callouts and other `div`s, `<details>`, blockquotes with
//!   attributes) keep their tags as raw HTML lines around Markdown content, when all their
//!   children are blocks; otherwise the whole element is one raw HTML block. Stray inline content
//!   at the top level is written after an `<!-- raw -->` comment (which the sanitiser drops), the
//!   only way to keep it out of a paragraph, unless it is a lone tag that opens an HTML block by
//!   itself (`<img ...>`, `<iframe ...>`).
//! - Lists: `-` and `1.` items (`start` kept; the next list of the same kind right after uses
//!   `*` or `1)` so the two do not merge). Items whose text is not in a paragraph (`<li>text`)
//!   make the whole list raw HTML, one item per line.
//! - Code: `<pre><code class="language-x">` is a fenced block with info string `x`.
//! - Task list items (`- [ ]`, which Intercom has no block for) become `☐ `/`☑ ` text.
//!
//! Every paragraph, heading and pipe table written in Markdown is parsed back before it is kept;
//! if it would not come back identical, it is written as raw HTML instead, so nothing is lost.
//!
//! # Hugo
//! The Markdown is CommonMark + GFM tables and strikethrough. For a Hugo build to give the same
//! HTML, Hugo's Goldmark needs `renderer.unsafe = true` (raw HTML blocks) and its `typographer`
//! and `linkify` extensions off (they rewrite quotes and dashes and link bare URLs).

mod deep;
mod dom;
mod escape;
mod inline;
mod lists;
mod normalize;
mod serialize;
mod tables;
mod to_html;
mod to_markdown;

/// Converts an Intercom body (sanitised here first) to GitHub-flavoured Markdown.
///
/// Blocks are separated by one blank line and the text ends with a newline (an empty body gives
/// an empty string).
pub fn html_to_markdown(html: &str) -> String {
    to_markdown::document(&crate::html::sanitize(html))
}

/// Converts Markdown to the HTML Intercom's editor writes, sanitised.
pub fn markdown_to_html(md: &str) -> String {
    crate::html::sanitize(&to_html::render(md))
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
