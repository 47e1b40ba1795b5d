//! Markdown to the HTML Intercom's editor writes (before sanitising).
//!
//! pulldown-cmark parses; this writer renders its events with Intercom's shapes: `no-margin`
//! paragraphs (also for the text of tight list items), `<b>`/`<i>`/`<s>`, images alone in a
//! paragraph wrapped in `intercom-container`, tables in `intercom-interblocks-table-container`.
//! Output is canonical (attributes in `dom::attr_key` order, the escapes of `serialize`, no
//! added whitespace), so
//! `to_markdown` can compare it with the HTML it started from as plain strings.

use super::dom::attr_key;
use super::serialize::{write_close_tag, write_open_tag, write_text};
use pulldown_cmark::{Alignment, CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// The class Intercom's editor puts on paragraphs.
pub(crate) const PARAGRAPH_CLASS: &str = "no-margin";
/// The wrapper of images that stand alone.
pub(crate) const IMAGE_CONTAINER: &str = "intercom-container";
/// The wrapper of tables.
pub(crate) const TABLE_CONTAINER: &str = "intercom-interblocks-table-container";

/// The GFM extensions the Markdown tree uses.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// Renders Markdown to unsanitised, canonical HTML.
pub(crate) fn render(md: &str) -> String {
    let mut writer = Writer::default();
    for event in with_item_paragraphs(Parser::new_ext(md, options())) {
        writer.event(event);
    }
    writer.out
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
/// content in an item is rendered as a `no-margin` paragraph, as Intercom writes items.
fn with_item_paragraphs<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    // For each open block: whether it is a list item.
    let mut blocks: Vec<bool> = Vec::new();
    let mut synthetic = false;
    for event in events {
        let inline = is_inline(&event);
        if synthetic && !inline {
            out.push(Event::End(TagEnd::Paragraph));
            synthetic = false;
        }
        if inline && !synthetic && blocks.last() == Some(&true) {
            out.push(Event::Start(Tag::Paragraph));
            synthetic = true;
        }
        match &event {
            Event::Start(tag) if !is_inline_tag(tag) => blocks.push(matches!(tag, Tag::Item)),
            Event::End(end) if !is_inline_end(end) => {
                blocks.pop();
            }
            _ => {}
        }
        out.push(event);
    }
    out
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
#[derive(Default)]
struct Writer<'a> {
    out: String,
    /// Events of the paragraph being read, rendered at its end.
    paragraph: Option<Vec<Event<'a>>>,
    /// Text of the code block being read.
    code: Option<String>,
    /// Alt text of the image being read, with its nesting depth and attributes.
    image: Option<Image>,
    table: Table,
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

impl<'a> Writer<'a> {
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
            Tag::Heading { level, .. } => self.open(&format!("{level}")),
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
            Tag::Emphasis => self.open("i"),
            Tag::Strong => self.open("b"),
            Tag::Strikethrough => self.open("s"),
            Tag::Superscript => self.open("sup"),
            Tag::Subscript => self.open("sub"),
            Tag::Link {
                dest_url, title, ..
            } => self.start_link(&dest_url, &title),
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
            TagEnd::Emphasis => write_close_tag(&mut self.out, "i"),
            TagEnd::Strong => write_close_tag(&mut self.out, "b"),
            TagEnd::Strikethrough => write_close_tag(&mut self.out, "s"),
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

    /// A paragraph that is one image is Intercom's image block; any other is `no-margin`.
    fn end_paragraph(&mut self) {
        let events = self.paragraph.take().unwrap_or_default();
        let lone_image = matches!(events.first(), Some(Event::Start(Tag::Image { .. })))
            && events
                .iter()
                .skip(1)
                .position(|e| matches!(e, Event::End(TagEnd::Image)))
                .is_some_and(|end| end + 2 == events.len() && !has_inner_image(&events));
        let (name, class) = if lone_image {
            ("div", IMAGE_CONTAINER)
        } else {
            ("p", PARAGRAPH_CLASS)
        };
        write_open_tag(&mut self.out, name, &[("class", class)]);
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
        if language.is_empty() {
            self.open("code");
        } else {
            let class = format!("language-{language}");
            write_open_tag(&mut self.out, "code", &[("class", class)]);
        }
        self.code = Some(String::new());
    }

    /// Markdown ends every code line with a newline; Intercom's code has none after the last.
    fn end_code(&mut self) {
        let code = self.code.take().unwrap_or_default();
        write_text(&mut self.out, code.strip_suffix('\n').unwrap_or(&code));
        self.out.push_str("</code></pre>");
    }

    fn start_link(&mut self, href: &str, title: &str) {
        let mut attrs = vec![("href", href)];
        if opens_in_new_tab(href) {
            attrs.push(("target", "_blank"));
        }
        if !title.is_empty() {
            attrs.push(("title", title));
        }
        write_sorted(&mut self.out, "a", attrs);
    }

    fn end_image(&mut self) {
        let Some(image) = self.image.take() else {
            return;
        };
        let mut attrs = Vec::new();
        if !image.alt.is_empty() {
            attrs.push(("alt", image.alt.as_str()));
        }
        attrs.push(("src", image.src.as_str()));
        if !image.title.is_empty() {
            attrs.push(("title", image.title.as_str()));
        }
        write_sorted(&mut self.out, "img", attrs);
    }

    fn start_table(&mut self, alignments: Vec<Alignment>) {
        self.table = Table {
            alignments,
            ..Table::default()
        };
        write_open_tag(&mut self.out, "div", &[("class", TABLE_CONTAINER)]);
        write_open_tag(&mut self.out, "table", &[("role", "presentation")]);
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
        self.out.push_str("</table></div>");
    }
}

/// Writes an open tag with its attributes in canonical order.
fn write_sorted(out: &mut String, name: &str, mut attrs: Vec<(&str, &str)>) {
    attrs.sort_by_key(|(n, _)| attr_key(n));
    write_open_tag(out, name, &attrs);
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
    use super::*;

    #[test]
    fn paragraphs_emphasis_and_headings() {
        assert_eq!(
            render("a **b** *c* ~~d~~\nsoft"),
            r#"<p class="no-margin">a <b>b</b> <i>c</i> <s>d</s>"#.to_owned() + "\nsoft</p>"
        );
        assert_eq!(
            render("## T\n\n> q"),
            r#"<h2>T</h2><blockquote><p class="no-margin">q</p></blockquote>"#
        );
    }

    #[test]
    fn list_items_always_hold_paragraphs() {
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
    }

    #[test]
    fn images_code_and_tables() {
        assert_eq!(
            render("![x *y*](i.png)"),
            r#"<div class="intercom-container"><img src="i.png" alt="x y"></div>"#
        );
        assert_eq!(
            render("```rust\nfn x() {}\n```\n"),
            r#"<pre><code class="language-rust">fn x() {}</code></pre>"#
        );
        assert_eq!(
            render("| a | b |\n| :-- | --- |\n| 1 | 2 |\n"),
            concat!(
                r#"<div class="intercom-interblocks-table-container"><table role="presentation">"#,
                r#"<thead><tr><th style="text-align: left">a</th><th>b</th></tr></thead>"#,
                r#"<tbody><tr><td style="text-align: left">1</td><td>2</td></tr></tbody>"#,
                "</table></div>"
            )
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
                r#"<p class="no-margin"><a href="https://a.test" title="t" target="_blank">x</a> "#,
                r##"<a href="#h_1">y</a></p>"##
            )
        );
    }
}
