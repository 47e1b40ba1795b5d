//! Markdown to HTML in an article's [`Dialect`] (before sanitising).
//!
//! pulldown-cmark parses; this writer renders its events with the article's shapes: paragraphs
//! with its class (Intercom's `no-margin`, or none), list items holding paragraphs or not, its
//! emphasis elements, images alone in a paragraph as Intercom's image block or a paragraph,
//! image sizes from the dialect, tables in Intercom's container or bare, and headings with
//! their `{#id}` (a heading without one gets a stable Intercom anchor when the dialect wants
//! one). Output is canonical (attributes in `dom::attr_key` order, the escapes of `serialize`,
//! no added whitespace), so `to_markdown` can compare it with the HTML it started from as plain
//! strings.
//!
//! [`render`] also says which HTML each top-level block of the Markdown became, so an edited
//! body can be put together block by block (see `assemble`).

use std::collections::{HashSet, VecDeque};
use std::ops::Range;

use super::dialect::{
    CodeBlocks, Dialect, HeadingIds, Images, ListItems, Tables, IMAGE_CONTAINER, TABLE_CONTAINER,
};
use super::serialize::{write_close_tag, write_open_tag, write_text};
use pulldown_cmark::{Alignment, CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use sha2::{Digest, Sha256};

/// The extensions the Markdown tree uses: GFM tables, strikethrough and task lists, and heading
/// attributes (`## Title {#h_3f9a1c0b7e}`, as Hugo reads them too).
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Rendered Markdown: the HTML, and where each top-level block went.
pub(crate) struct Rendered {
    /// The whole HTML: the blocks' HTML one after the other.
    pub html: String,
    /// Every top-level block in order.
    pub blocks: Vec<TopBlock>,
}

/// One top-level block of the Markdown and the HTML it rendered to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopBlock {
    /// Its lines in the Markdown (without the final newline).
    pub markdown: Range<usize>,
    /// Its HTML in [`Rendered::html`].
    pub html: Range<usize>,
}

/// Renders Markdown in `dialect` to unsanitised, canonical HTML.
pub(crate) fn render(md: &str, dialect: &Dialect) -> Rendered {
    let events: Vec<(Event<'_>, Range<usize>)> =
        Parser::new_ext(md, options()).into_offset_iter().collect();
    let events = match dialect.list_items {
        ListItems::Paragraphs => with_item_paragraphs(events),
        ListItems::Tight => events,
    };
    let anchors = match dialect.heading_ids {
        HeadingIds::Intercom => new_anchors(&events),
        HeadingIds::None => VecDeque::new(),
    };
    let mut writer = Writer::new(dialect, anchors);
    for (event, range) in events {
        writer.top_level(&event, &range, md);
        writer.event(event);
    }
    writer.finish_top_level();
    Rendered {
        html: writer.out,
        blocks: writer.tops,
    }
}

/// Renders Markdown in `dialect` to unsanitised, canonical HTML.
pub(crate) fn render_html(md: &str, dialect: &Dialect) -> String {
    render(md, dialect).html
}

/// How many top-level blocks pulldown-cmark reads in `md`.
pub(crate) fn count_top_level(md: &str) -> usize {
    let mut depth = 0usize;
    let mut count = 0;
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Start(tag) if !is_inline_tag(&tag) => {
                count += usize::from(depth == 0);
                depth += 1;
            }
            Event::End(end) if !is_inline_end(&end) => depth = depth.saturating_sub(1),
            Event::Rule => count += usize::from(depth == 0),
            _ => {}
        }
    }
    count
}

/// The text of `md` written as Markdown against the text inside its raw HTML blocks.
pub(crate) fn text_share(md: &str) -> super::TextShare {
    let mut share = super::TextShare::default();
    let mut block: Option<String> = None;
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Start(Tag::HtmlBlock) => block = Some(String::new()),
            Event::End(TagEnd::HtmlBlock) => {
                let html = block.take().unwrap_or_default();
                share.raw += shown_chars(&super::dom::parse(&html).nodes);
            }
            Event::Html(html) => block.get_or_insert_with(String::new).push_str(&html),
            Event::Text(text) | Event::Code(text) => share.markdown += visible_chars(&text),
            _ => {}
        }
    }
    share
}

/// The characters of text in `nodes`, whitespace left out.
fn shown_chars(nodes: &[super::dom::Node]) -> usize {
    nodes
        .iter()
        .map(|node| match node {
            super::dom::Node::Text(text) => visible_chars(text),
            super::dom::Node::Element(e) => shown_chars(&e.children),
        })
        .sum()
}

fn visible_chars(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Whether Intercom opens a link in a new tab: absolute links out of the help center do.
/// Links to articles and collections (`/<locale>/articles/<id>...`) are the help center's own.
pub(crate) fn opens_in_new_tab(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    if lower.starts_with("mailto:") || lower.starts_with("tel:") {
        return true;
    }
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    let path = rest.split_once('/').map_or("", |(_, path)| path);
    let path = path.split(['?', '#']).next().unwrap_or("");
    !is_help_center_path(path)
}

/// `articles/<digits>...` or `collections/<digits>...`, optionally after a locale segment.
fn is_help_center_path(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').collect();
    let at = |i: usize| {
        matches!(segments.get(i), Some(&"articles" | &"collections"))
            && segments
                .get(i + 1)
                .is_some_and(|s| s.starts_with(|c: char| c.is_ascii_digit()))
    };
    at(0) || at(1)
}

/// Adds the paragraphs pulldown-cmark leaves out in tight list items, so every run of inline
/// content in an item is rendered as a paragraph, as Intercom's editor writes items. A synthetic
/// event takes the range of the event that caused it.
fn with_item_paragraphs<'a>(
    events: Vec<(Event<'a>, Range<usize>)>,
) -> Vec<(Event<'a>, Range<usize>)> {
    let mut out = Vec::with_capacity(events.len());
    // For each open block: whether it is a list item.
    let mut blocks: Vec<bool> = Vec::new();
    let mut synthetic = false;
    for (event, range) in events {
        let inline = is_inline(&event);
        if synthetic && !inline {
            out.push((Event::End(TagEnd::Paragraph), range.clone()));
            synthetic = false;
        }
        if inline && !synthetic && blocks.last() == Some(&true) {
            out.push((Event::Start(Tag::Paragraph), range.clone()));
            synthetic = true;
        }
        match &event {
            Event::Start(tag) if !is_inline_tag(tag) => blocks.push(matches!(tag, Tag::Item)),
            Event::End(end) if !is_inline_end(end) => {
                blocks.pop();
            }
            _ => {}
        }
        out.push((event, range));
    }
    out
}

/// The anchors of the headings written without `{#id}`, in order: `h_` and the first ten hex
/// digits of the sha256 of the heading's text (and, for the n-th repeat of one text, of the
/// text and `n`), never one the document already uses. So a new heading gets the same anchor
/// on every render, and it stays once an export has written it into the file.
fn new_anchors(events: &[(Event<'_>, Range<usize>)]) -> VecDeque<String> {
    let mut used: HashSet<String> = HashSet::new();
    let mut texts: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for (event, _) in events {
        match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => {
                used.insert(id.to_string());
            }
            Event::Start(Tag::Heading { id: None, .. }) => current = Some(String::new()),
            Event::Text(text) | Event::Code(text) => {
                if let Some(current) = current.as_mut() {
                    current.push_str(text);
                }
            }
            Event::End(TagEnd::Heading(_)) => texts.extend(current.take()),
            _ => {}
        }
    }
    texts
        .into_iter()
        .map(|text| {
            let anchor = (0u32..)
                .map(|n| anchor(&text, n))
                .find(|a| !used.contains(a))
                .expect("some anchor is free");
            used.insert(anchor.clone());
            anchor
        })
        .collect()
}

fn anchor(text: &str, repeat: u32) -> String {
    let mut hash = Sha256::new();
    hash.update(text.trim().as_bytes());
    if repeat > 0 {
        hash.update(format!("\n{repeat}").as_bytes());
    }
    format!("h_{}", &hex::encode(hash.finalize())[..10])
}

fn is_inline(event: &Event<'_>) -> bool {
    match event {
        Event::Start(tag) => is_inline_tag(tag),
        Event::End(end) => is_inline_end(end),
        Event::Html(_) | Event::Rule | Event::DisplayMath(_) => false,
        _ => true,
    }
}

fn is_inline_tag(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_inline_end(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// Renders events one by one; paragraphs, code blocks and image alt texts are buffered.
struct Writer<'a, 'd> {
    dialect: &'d Dialect,
    out: String,
    /// Events of the paragraph being read, rendered at its end.
    paragraph: Option<Vec<Event<'a>>>,
    /// Text of the code block being read.
    code: Option<String>,
    /// Whether the code block being read has a `<code>` inside its `<pre>`.
    code_element: bool,
    /// Alt text of the image being read, with its nesting depth and attributes.
    image: Option<Image>,
    table: Table,
    /// Anchors for the headings without `{#id}` still to come.
    anchors: VecDeque<String>,
    /// Open blocks, for finding the top-level ones.
    depth: usize,
    /// The top-level block being rendered: its Markdown and where its HTML starts.
    top: Option<(Range<usize>, usize)>,
    tops: Vec<TopBlock>,
}

struct Image {
    depth: usize,
    alt: String,
    src: String,
    title: String,
}

#[derive(Default)]
struct Table {
    alignments: Vec<Alignment>,
    in_head: bool,
    body_open: bool,
    cell: usize,
}

impl<'a, 'd> Writer<'a, 'd> {
    fn new(dialect: &'d Dialect, anchors: VecDeque<String>) -> Writer<'a, 'd> {
        Writer {
            dialect,
            out: String::new(),
            paragraph: None,
            code: None,
            code_element: true,
            image: None,
            table: Table::default(),
            anchors,
            depth: 0,
            top: None,
            tops: Vec::new(),
        }
    }

    /// Notes where top-level blocks start and end, before `event` is rendered.
    fn top_level(&mut self, event: &Event<'a>, range: &Range<usize>, md: &str) {
        let opens = match event {
            Event::Start(tag) => !is_inline_tag(tag),
            Event::Rule => true,
            _ => false,
        };
        if self.depth == 0 && opens {
            self.finish_top_level();
            let text = &md[range.clone()];
            let end = range.start + text.trim_end_matches(['\n', '\r']).len();
            self.top = Some((range.start..end, self.out.len()));
        }
        match event {
            Event::Start(tag) if !is_inline_tag(tag) => self.depth += 1,
            Event::End(end) if !is_inline_end(end) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
    }

    /// Closes the top-level block being rendered, if any: its HTML ends where the output is,
    /// without the newline that ends a raw HTML block's last line (the only raw newline a
    /// block can end with; it separates blocks rather than belonging to one).
    fn finish_top_level(&mut self) {
        if let Some((markdown, start)) = self.top.take() {
            let end =
                self.out.len() - usize::from(self.out.len() > start && self.out.ends_with('\n'));
            self.tops.push(TopBlock {
                markdown,
                html: start..end,
            });
        }
    }

    fn event(&mut self, event: Event<'a>) {
        if self.buffer(&event) {
            if let Some(paragraph) = self.paragraph.as_mut() {
                paragraph.push(event);
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(end) => self.end(end),
            Event::Text(text) => write_text(&mut self.out, &text),
            Event::Code(code) => {
                self.out.push_str("<code>");
                write_text(&mut self.out, &code);
                self.out.push_str("</code>");
            }
            Event::Html(html) | Event::InlineHtml(html) => self.out.push_str(&html),
            Event::SoftBreak => self.out.push('\n'),
            Event::HardBreak => self.out.push_str("<br>"),
            Event::Rule => self.out.push_str("<hr>"),
            Event::TaskListMarker(done) => self.out.push_str(if done { "☑ " } else { "☐ " }),
            Event::InlineMath(text) | Event::DisplayMath(text) => write_text(&mut self.out, &text),
            Event::FootnoteReference(name) => write_text(&mut self.out, &name),
        }
    }

    /// Routes events to the open buffers; true when the event was taken.
    fn buffer(&mut self, event: &Event<'a>) -> bool {
        if let Some(code) = self.code.as_mut() {
            if let Event::Text(text) = event {
                code.push_str(text);
                return true;
            }
        }
        if let Some(image) = self.image.as_mut() {
            match event {
                Event::Start(Tag::Image { .. }) => image.depth += 1,
                Event::End(TagEnd::Image) if image.depth == 0 => return false,
                Event::End(TagEnd::Image) => image.depth -= 1,
                Event::Text(text) | Event::Code(text) => image.alt.push_str(text),
                _ => {}
            }
            return true;
        }
        match event {
            Event::End(TagEnd::Paragraph) => false,
            _ => self.paragraph.is_some(),
        }
    }

    fn start(&mut self, tag: Tag<'a>) {
        match tag {
            Tag::Paragraph => self.paragraph = Some(Vec::new()),
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => self.start_heading(&format!("{level}"), id.as_deref(), &classes, &attrs),
            Tag::BlockQuote(_) => self.open("blockquote"),
            Tag::CodeBlock(kind) => self.start_code(&kind),
            Tag::List(None) => self.open("ul"),
            Tag::List(Some(1)) => self.open("ol"),
            Tag::List(Some(start)) => {
                write_open_tag(&mut self.out, "ol", &[("start", start.to_string())])
            }
            Tag::Item => self.open("li"),
            Tag::Table(alignments) => self.start_table(alignments),
            Tag::TableHead => {
                self.table.in_head = true;
                self.table.cell = 0;
                self.out.push_str("<thead><tr>");
            }
            Tag::TableRow => self.start_row(),
            Tag::TableCell => self.start_cell(),
            Tag::Emphasis => self.open(self.dialect.emphasis_tag()),
            Tag::Strong => self.open(self.dialect.strong_tag()),
            Tag::Strikethrough => self.open(self.dialect.strikethrough_tag()),
            Tag::Superscript => self.open("sup"),
            Tag::Subscript => self.open("sub"),
            Tag::Link {
                dest_url, title, ..
            } => {
                let attrs = self.dialect.link_attrs(&dest_url, &title);
                write_open_tag(&mut self.out, "a", &attrs);
            }
            Tag::Image {
                dest_url, title, ..
            } => {
                self.image = Some(Image {
                    depth: 0,
                    alt: String::new(),
                    src: dest_url.to_string(),
                    title: title.to_string(),
                })
            }
            Tag::HtmlBlock
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, end: TagEnd) {
        match end {
            TagEnd::Paragraph => self.end_paragraph(),
            TagEnd::Heading(level) => write_close_tag(&mut self.out, &format!("{level}")),
            TagEnd::BlockQuote(_) => write_close_tag(&mut self.out, "blockquote"),
            TagEnd::CodeBlock => self.end_code(),
            TagEnd::List(true) => write_close_tag(&mut self.out, "ol"),
            TagEnd::List(false) => write_close_tag(&mut self.out, "ul"),
            TagEnd::Item => write_close_tag(&mut self.out, "li"),
            TagEnd::Table => self.end_table(),
            TagEnd::TableHead => {
                self.table.in_head = false;
                self.out.push_str("</tr></thead>");
            }
            TagEnd::TableRow => self.out.push_str("</tr>"),
            TagEnd::TableCell => {
                let name = if self.table.in_head { "th" } else { "td" };
                write_close_tag(&mut self.out, name);
                self.table.cell += 1;
            }
            TagEnd::Emphasis => write_close_tag(&mut self.out, self.dialect.emphasis_tag()),
            TagEnd::Strong => write_close_tag(&mut self.out, self.dialect.strong_tag()),
            TagEnd::Strikethrough => {
                write_close_tag(&mut self.out, self.dialect.strikethrough_tag())
            }
            TagEnd::Superscript => write_close_tag(&mut self.out, "sup"),
            TagEnd::Subscript => write_close_tag(&mut self.out, "sub"),
            TagEnd::Link => write_close_tag(&mut self.out, "a"),
            TagEnd::Image => self.end_image(),
            TagEnd::HtmlBlock
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => {}
        }
    }

    fn open(&mut self, name: &str) {
        write_open_tag::<&str, &str>(&mut self.out, name, &[]);
    }

    /// `<hN>` with its `{#id .class key=value}` attributes; without an id, the next new anchor
    /// (when the dialect gives headings anchors).
    fn start_heading(
        &mut self,
        name: &str,
        id: Option<&str>,
        classes: &[pulldown_cmark::CowStr<'a>],
        attrs: &[(
            pulldown_cmark::CowStr<'a>,
            Option<pulldown_cmark::CowStr<'a>>,
        )],
    ) {
        let anchor = match id {
            Some(id) => Some(id.to_owned()),
            None => self.anchors.pop_front(),
        };
        let class = classes.join(" ");
        let mut all: Vec<(&str, &str)> = Vec::new();
        if let Some(anchor) = &anchor {
            all.push(("id", anchor));
        }
        if !class.is_empty() {
            all.push(("class", &class));
        }
        for (key, value) in attrs {
            if !matches!(key.as_ref(), "id" | "class") {
                all.push((key, value.as_deref().unwrap_or("")));
            }
        }
        super::dom::sort_attrs(&mut all);
        write_open_tag(&mut self.out, name, &all);
    }

    /// A paragraph that is one image is the dialect's image block; any other is a paragraph.
    fn end_paragraph(&mut self) {
        let events = self.paragraph.take().unwrap_or_default();
        let lone_image = matches!(events.first(), Some(Event::Start(Tag::Image { .. })))
            && events
                .iter()
                .skip(1)
                .position(|e| matches!(e, Event::End(TagEnd::Image)))
                .is_some_and(|end| end + 2 == events.len() && !has_inner_image(&events));
        let name = if lone_image && self.dialect.images == Images::Container {
            write_open_tag(&mut self.out, "div", &[("class", IMAGE_CONTAINER)]);
            "div"
        } else {
            write_open_tag(&mut self.out, "p", &self.dialect.paragraph_attrs());
            "p"
        };
        for event in events {
            self.event(event);
        }
        write_close_tag(&mut self.out, name);
    }

    fn start_code(&mut self, kind: &CodeBlockKind<'_>) {
        let language = match kind {
            CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or(""),
            CodeBlockKind::Indented => "",
        };
        self.out.push_str("<pre>");
        self.code_element = !language.is_empty() || self.dialect.code_blocks == CodeBlocks::Code;
        if !language.is_empty() {
            let class = format!("language-{language}");
            write_open_tag(&mut self.out, "code", &[("class", class)]);
        } else if self.code_element {
            self.open("code");
        }
        self.code = Some(String::new());
    }

    /// Markdown ends every code line with a newline; Intercom's code has none after the last.
    fn end_code(&mut self) {
        let code = self.code.take().unwrap_or_default();
        let code = code.strip_suffix('\n').unwrap_or(&code);
        // The parser drops a newline right after `<pre>`: a first blank line needs another.
        if !self.code_element && code.starts_with('\n') {
            self.out.push('\n');
        }
        write_text(&mut self.out, code);
        if self.code_element {
            self.out.push_str("</code>");
        }
        self.out.push_str("</pre>");
    }

    fn end_image(&mut self) {
        let Some(image) = self.image.take() else {
            return;
        };
        let attrs = self
            .dialect
            .image_attrs(&image.src, &image.alt, &image.title);
        write_open_tag(&mut self.out, "img", &attrs);
    }

    fn start_table(&mut self, alignments: Vec<Alignment>) {
        self.table = Table {
            alignments,
            ..Table::default()
        };
        match self.dialect.tables {
            Tables::Intercom => {
                write_open_tag(&mut self.out, "div", &[("class", TABLE_CONTAINER)]);
                write_open_tag(&mut self.out, "table", &[("role", "presentation")]);
            }
            Tables::Plain => self.open("table"),
        }
    }

    fn start_row(&mut self) {
        if !self.table.body_open {
            self.table.body_open = true;
            self.out.push_str("<tbody>");
        }
        self.table.cell = 0;
        self.out.push_str("<tr>");
    }

    fn start_cell(&mut self) {
        let name = if self.table.in_head { "th" } else { "td" };
        let alignment = self.table.alignments.get(self.table.cell);
        match alignment.and_then(|a| alignment_style(*a)) {
            Some(style) => write_open_tag(&mut self.out, name, &[("style", style)]),
            None => self.open(name),
        }
    }

    fn end_table(&mut self) {
        if self.table.body_open {
            self.out.push_str("</tbody>");
        }
        self.out.push_str("</table>");
        if self.dialect.tables == Tables::Intercom {
            self.out.push_str("</div>");
        }
    }
}

fn has_inner_image(events: &[Event<'_>]) -> bool {
    events
        .iter()
        .filter(|e| matches!(e, Event::Start(Tag::Image { .. })))
        .count()
        > 1
}

/// The inline style GFM alignment becomes.
pub(crate) fn alignment_style(alignment: Alignment) -> Option<&'static str> {
    match alignment {
        Alignment::None => None,
        Alignment::Left => Some("text-align: left"),
        Alignment::Center => Some("text-align: center"),
        Alignment::Right => Some("text-align: right"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::dialect::{Emphasis, Strong};
    use super::*;

    fn render(md: &str) -> String {
        render_html(md, &Dialect::default())
    }

    fn plain() -> Dialect {
        Dialect {
            paragraph_class: None,
            list_items: ListItems::Tight,
            strong: Strong::Strong,
            emphasis: Emphasis::Em,
            images: Images::Paragraph,
            tables: Tables::Plain,
            heading_ids: HeadingIds::None,
            external_links_new_tab: false,
            new_tab_rel: None,
            ..Dialect::default()
        }
    }

    #[test]
    fn paragraphs_emphasis_and_headings() {
        assert_eq!(
            render("a **b** *c* ~~d~~\nsoft"),
            r#"<p class="no-margin">a <b>b</b> <i>c</i> <s>d</s>"#.to_owned() + "\nsoft</p>"
        );
        assert_eq!(
            render("## T {#h_0123456789}\n\n> q"),
            r#"<h2 id="h_0123456789">T</h2><blockquote><p class="no-margin">q</p></blockquote>"#
        );
        assert_eq!(
            render_html("## T\n\na **b** *c*", &plain()),
            "<h2>T</h2><p>a <strong>b</strong> <em>c</em></p>"
        );
    }

    #[test]
    fn new_headings_get_stable_distinct_anchors() {
        let html = render("## Set up\n\n## Set up\n\n### Other {#h_x}\n");
        let first = format!("h_{}", &hex::encode(Sha256::digest(b"Set up"))[..10]);
        assert!(
            html.starts_with(&format!(r#"<h2 id="{first}">Set up</h2><h2 id="h_"#)),
            "{html}"
        );
        assert_eq!(html, render("## Set up\n\n## Set up\n\n### Other {#h_x}\n"));
        assert_ne!(html[8..20], html[36..48]);
        assert!(html.ends_with(r#"<h3 id="h_x">Other</h3>"#));
    }

    #[test]
    fn list_items_hold_paragraphs_as_the_dialect_says() {
        let item = |t: &str| format!(r#"<li><p class="no-margin">{t}</p>"#);
        let nested = format!("<ul>{}</li></ul>", item("b"));
        let expected = format!("<ul>{}{nested}</li></ul>", item("a"));
        assert_eq!(render("- a\n  - b\n"), expected);
        assert_eq!(render("- a\n\n  - b\n"), expected);
        assert_eq!(
            render("3. a\n"),
            format!(r#"<ol start="3">{}</li></ol>"#, item("a"))
        );
        assert_eq!(
            render("- [x] done\n"),
            format!("<ul>{}</li></ul>", item("☑ done"))
        );
        assert_eq!(
            render_html("- a\n  - b\n", &plain()),
            "<ul><li>a<ul><li>b</li></ul></li></ul>"
        );
        assert_eq!(
            render_html("- a\n\n- b\n", &plain()),
            "<ul><li><p>a</p></li><li><p>b</p></li></ul>"
        );
    }

    #[test]
    fn images_code_and_tables() {
        assert_eq!(
            render("![x *y*](i.png)"),
            r#"<div class="intercom-container"><img src="i.png" alt="x y"></div>"#
        );
        assert_eq!(
            render_html("![x](i.png)", &plain()),
            r#"<p><img src="i.png" alt="x"></p>"#
        );
        let mut sized = Dialect::default();
        sized.image_sizes.insert(
            "i.png".into(),
            super::super::dialect::ImageSize {
                width: Some("640".into()),
                height: None,
            },
        );
        assert_eq!(
            render_html("![](i.png)", &sized),
            r#"<div class="intercom-container"><img src="i.png" width="640"></div>"#
        );
        assert_eq!(
            render("```rust\nfn x() {}\n```\n"),
            r#"<pre><code class="language-rust">fn x() {}</code></pre>"#
        );
        let table = "| a | b |\n| :-- | --- |\n| 1 | 2 |\n";
        let rows = concat!(
            r#"<thead><tr><th style="text-align: left">a</th><th>b</th></tr></thead>"#,
            r#"<tbody><tr><td style="text-align: left">1</td><td>2</td></tr></tbody>"#,
        );
        assert_eq!(
            render(table),
            format!(
                r#"<div class="intercom-interblocks-table-container"><table role="presentation">{rows}</table></div>"#
            )
        );
        assert_eq!(
            render_html(table, &plain()),
            format!("<table>{rows}</table>")
        );
    }

    #[test]
    fn link_targets() {
        assert!(opens_in_new_tab("https://www.xero.com/"));
        assert!(opens_in_new_tab("mailto:a@b.test"));
        assert!(!opens_in_new_tab(
            "https://help.example.com/en/articles/104"
        ));
        assert!(!opens_in_new_tab(
            "https://help.example.com/fr/collections/12-x#h_1"
        ));
        assert!(!opens_in_new_tab("/en/articles/1"));
        assert!(!opens_in_new_tab("#h_1"));
        assert_eq!(
            render("[x](https://a.test \"t\") [y](#h_1)"),
            concat!(
                r#"<p class="no-margin"><a href="https://a.test" title="t" rel="nofollow noopener noreferrer" target="_blank">x</a> "#,
                r##"<a href="#h_1">y</a></p>"##
            )
        );
        assert_eq!(
            render_html("[x](https://a.test)", &plain()),
            r#"<p><a href="https://a.test">x</a></p>"#
        );
    }

    #[test]
    fn top_level_blocks_map_markdown_to_html() {
        let md = "para\n\n<div class=\"x\">\n\ninner\n\n</div>\n\n- a\n- b\n\n---\n";
        let rendered = super::render(md, &plain());
        let pairs: Vec<(&str, &str)> = rendered
            .blocks
            .iter()
            .map(|b| (&md[b.markdown.clone()], &rendered.html[b.html.clone()]))
            .collect();
        assert_eq!(
            pairs,
            [
                ("para", "<p>para</p>"),
                ("<div class=\"x\">", "<div class=\"x\">"),
                ("inner", "<p>inner</p>"),
                ("</div>", "</div>"),
                ("- a\n- b", "<ul><li>a</li><li>b</li></ul>"),
                ("---", "<hr>"),
            ]
        );
        let starts: Vec<usize> = rendered.blocks.iter().map(|b| b.html.start).collect();
        let ends: Vec<usize> = rendered.blocks.iter().map(|b| b.html.end).collect();
        // Blocks follow each other; only a raw block's final newline is between them.
        let gaps: Vec<usize> = (1..starts.len()).map(|i| starts[i] - ends[i - 1]).collect();
        assert_eq!(gaps, [0, 1, 0, 1, 0]);
    }
}
