//! How one article spells its HTML, detected from its body.
//!
//! Intercom's editor writes `<p class="no-margin">`, `<b>`, list items holding paragraphs,
//! images in an `intercom-container` and headings with `h_` ids; a body written through the API
//! often has plain `<p>`, `<li>text</li>` and headings without ids; other help desks and
//! Markdown renderers write `<strong>`/`<em>`, `<p><img></p>` and bare `<table>`s. Markdown says
//! the same things in one way, so each article's choices are detected once (the majority of
//! what its body does, Intercom's editor where it does not say) and both directions use them:
//! a block is written as Markdown when rendering that Markdown in the article's dialect gives
//! the block back exactly, and a block a writer adds is rendered the way the article already
//! writes such blocks.
//!
//! Image sizes are the one thing Markdown has no syntax for that an article holds per element:
//! [`Dialect::image_sizes`] keeps them by image URL, so an image written `![alt](url)` gets its
//! `width` and `height` back (and a new image of a known URL takes that URL's size).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::dom::{Element, Node};
use super::to_html::opens_in_new_tab;

/// The class Intercom's editor puts on paragraphs.
pub(crate) const PARAGRAPH_CLASS: &str = "no-margin";
/// The wrapper of Intercom's image blocks.
pub(crate) const IMAGE_CONTAINER: &str = "intercom-container";
/// The wrapper of Intercom's tables.
pub(crate) const TABLE_CONTAINER: &str = "intercom-interblocks-table-container";
/// The `rel` Intercom's editor gives links that open in a new tab.
pub(crate) const INTERCOM_REL: &str = "nofollow noopener noreferrer";

/// The markup choices of one article (see the module docs). The default is Intercom's editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dialect {
    /// The `class` of paragraphs: `no-margin` for Intercom's editor, none for plain HTML.
    pub paragraph_class: Option<String>,
    /// How list items hold their text.
    pub list_items: ListItems,
    /// The element `**strong**` is.
    pub strong: Strong,
    /// The element `*emphasis*` is.
    pub emphasis: Emphasis,
    /// The element `~~strikethrough~~` is.
    pub strikethrough: Strikethrough,
    /// What an image alone in its paragraph is.
    pub images: Images,
    /// Whether an image without alt text has an empty `alt` (rather than none).
    pub empty_alt: bool,
    /// What a pipe table is.
    pub tables: Tables,
    /// What a fenced code block without a language is.
    pub code_blocks: CodeBlocks,
    /// Whether a heading written without `{#id}` gets one.
    pub heading_ids: HeadingIds,
    /// Whether links out of the help center open in a new tab (`target="_blank"`).
    pub external_links_new_tab: bool,
    /// The `rel` of links that open in a new tab, if any.
    pub new_tab_rel: Option<String>,
    /// What separates top-level blocks in the body (`""`, or `"\n"` as renderers write).
    pub separator: String,
    /// `width` and `height` of the article's images, by URL (as the Markdown spells it).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub image_sizes: BTreeMap<String, ImageSize>,
}

/// How list items hold their text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListItems {
    /// Always in a paragraph, as Intercom's editor writes (`<li><p class="no-margin">`).
    Paragraphs,
    /// As CommonMark renders: bare in tight lists (`<li>text</li>`), in `<p>` in loose ones.
    Tight,
}

/// The element `**strong**` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strong {
    /// `<b>` (Intercom's editor).
    B,
    /// `<strong>`.
    Strong,
}

/// The element `*emphasis*` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Emphasis {
    /// `<i>` (Intercom's editor).
    I,
    /// `<em>`.
    Em,
}

/// The element `~~strikethrough~~` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strikethrough {
    /// `<s>` (Intercom's editor).
    S,
    /// `<del>`.
    Del,
}

/// What an image alone in its paragraph is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Images {
    /// Intercom's image block, `<div class="intercom-container"><img></div>`.
    Container,
    /// A paragraph holding the image, `<p><img></p>`.
    Paragraph,
}

/// What a pipe table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tables {
    /// In Intercom's table container, `<table role="presentation">`.
    Intercom,
    /// A bare `<table>`.
    Plain,
}

/// What a fenced code block without a language is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeBlocks {
    /// `<pre><code>` (Intercom's editor, Markdown renderers).
    Code,
    /// A bare `<pre>` (Help Scout).
    Pre,
}

/// Whether new headings get an anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeadingIds {
    /// `h_` and ten hex digits, as Intercom's editor gives every heading.
    Intercom,
    /// None.
    None,
}

/// The size attributes of an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageSize {
    /// `width`, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<String>,
    /// `height`, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<String>,
}

impl Default for Dialect {
    fn default() -> Dialect {
        Dialect {
            paragraph_class: Some(PARAGRAPH_CLASS.to_owned()),
            list_items: ListItems::Paragraphs,
            strong: Strong::B,
            emphasis: Emphasis::I,
            strikethrough: Strikethrough::S,
            images: Images::Container,
            empty_alt: false,
            tables: Tables::Intercom,
            code_blocks: CodeBlocks::Code,
            heading_ids: HeadingIds::Intercom,
            external_links_new_tab: true,
            new_tab_rel: Some(INTERCOM_REL.to_owned()),
            separator: String::new(),
            image_sizes: BTreeMap::new(),
        }
    }
}

impl Dialect {
    /// The attributes of a paragraph.
    pub(crate) fn paragraph_attrs(&self) -> Vec<(&'static str, &str)> {
        self.paragraph_class
            .as_deref()
            .map(|class| ("class", class))
            .into_iter()
            .collect()
    }

    /// The element names of `**`, `*` and `~~`.
    pub(crate) fn strong_tag(&self) -> &'static str {
        match self.strong {
            Strong::B => "b",
            Strong::Strong => "strong",
        }
    }

    /// The element of `*emphasis*`.
    pub(crate) fn emphasis_tag(&self) -> &'static str {
        match self.emphasis {
            Emphasis::I => "i",
            Emphasis::Em => "em",
        }
    }

    /// The element of `~~strikethrough~~`.
    pub(crate) fn strikethrough_tag(&self) -> &'static str {
        match self.strikethrough {
            Strikethrough::S => "s",
            Strikethrough::Del => "del",
        }
    }

    /// The attributes a link to `href` with `title` gets, in canonical order.
    pub(crate) fn link_attrs<'a>(
        &'a self,
        href: &'a str,
        title: &'a str,
    ) -> Vec<(&'a str, &'a str)> {
        let mut attrs = vec![("href", href)];
        if !title.is_empty() {
            attrs.push(("title", title));
        }
        if self.external_links_new_tab && opens_in_new_tab(href) {
            attrs.push(("target", "_blank"));
            if let Some(rel) = &self.new_tab_rel {
                attrs.push(("rel", rel));
            }
        }
        super::dom::sort_attrs(&mut attrs);
        attrs
    }

    /// The attributes an image of `src` gets, in canonical order.
    pub(crate) fn image_attrs<'a>(
        &'a self,
        src: &'a str,
        alt: &'a str,
        title: &'a str,
    ) -> Vec<(&'a str, &'a str)> {
        let mut attrs = vec![("src", src)];
        if !alt.is_empty() || self.empty_alt {
            attrs.push(("alt", alt));
        }
        if !title.is_empty() {
            attrs.push(("title", title));
        }
        if let Some(size) = self.image_sizes.get(src) {
            if let Some(width) = &size.width {
                attrs.push(("width", width));
            }
            if let Some(height) = &size.height {
                attrs.push(("height", height));
            }
        }
        super::dom::sort_attrs(&mut attrs);
        attrs
    }
}

/// Tallies of the two ways of writing one thing.
#[derive(Default)]
struct Votes {
    paragraph_intercom: usize,
    paragraph_plain: usize,
    bare_lists: usize,
    b: usize,
    strong: usize,
    i: usize,
    em: usize,
    s: usize,
    del: usize,
    image_containers: usize,
    image_paragraphs: usize,
    alt_missing: usize,
    alt_empty: usize,
    tables_intercom: usize,
    tables_plain: usize,
    pre_code: usize,
    pre_bare: usize,
    headings_intercom: usize,
    headings_other: usize,
    links_new_tab: usize,
    links_same_tab: usize,
    rels: BTreeMap<String, usize>,
    separators: BTreeMap<String, usize>,
    sizes: BTreeMap<String, Option<ImageSize>>,
}

/// Detects the dialect of a body from its (sanitised for Intercom) top-level nodes and the
/// whitespace between its top-level blocks.
pub(crate) fn detect<'a>(nodes: &[Node], separators: impl IntoIterator<Item = &'a str>) -> Dialect {
    let mut votes = Votes::default();
    for node in nodes {
        votes.node(node, true);
    }
    for separator in separators {
        *votes.separators.entry(separator.to_owned()).or_default() += 1;
    }
    votes.dialect()
}

impl Votes {
    fn node(&mut self, node: &Node, top: bool) {
        let Node::Element(e) = node else {
            return;
        };
        match e.name.as_str() {
            "p" => self.paragraph(e),
            "ul" | "ol" if bare_items(e) => self.bare_lists += 1,
            "b" => self.b += 1,
            "strong" => self.strong += 1,
            "i" => self.i += 1,
            "em" => self.em += 1,
            "s" => self.s += 1,
            "del" => self.del += 1,
            "div" if e.has_exactly(&[("class", IMAGE_CONTAINER)]) && lone_image(e) => {
                self.image_containers += 1
            }
            "div" if e.has_exactly(&[("class", TABLE_CONTAINER)]) => self.tables_intercom += 1,
            "table" if top => self.tables_plain += 1,
            "pre" => match e.children.as_slice() {
                [Node::Element(code)] if code.name == "code" => self.pre_code += 1,
                children if children.iter().all(|c| matches!(c, Node::Text(_))) => {
                    self.pre_bare += 1
                }
                _ => {}
            },
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => match e.attr("id") {
                Some(id) if is_intercom_anchor(id) => self.headings_intercom += 1,
                _ => self.headings_other += 1,
            },
            "a" => self.link(e),
            "img" => self.image(e),
            _ => {}
        }
        for child in &e.children {
            self.node(child, false);
        }
    }

    fn paragraph(&mut self, p: &Element) {
        if p.has_exactly(&[("class", PARAGRAPH_CLASS)]) {
            self.paragraph_intercom += 1;
        } else if p.attrs.is_empty() {
            self.paragraph_plain += 1;
            if lone_image(p) {
                self.image_paragraphs += 1;
            }
        }
    }

    fn link(&mut self, a: &Element) {
        if !a.attr("href").is_some_and(opens_in_new_tab) {
            return;
        }
        if a.attr("target") == Some("_blank") {
            self.links_new_tab += 1;
            if let Some(rel) = a.attr("rel") {
                *self.rels.entry(rel.to_owned()).or_default() += 1;
            }
        } else if a.attr("target").is_none() {
            self.links_same_tab += 1;
        }
    }

    /// Records the size of an image; a URL shown in two sizes gets none.
    fn image(&mut self, img: &Element) {
        match img.attr("alt") {
            None => self.alt_missing += 1,
            Some("") => self.alt_empty += 1,
            Some(_) => {}
        }
        let Some(src) = img.attr("src") else {
            return;
        };
        let size = ImageSize {
            width: img.attr("width").map(str::to_owned),
            height: img.attr("height").map(str::to_owned),
        };
        let entry = self
            .sizes
            .entry(src.to_owned())
            .or_insert(Some(size.clone()));
        if entry.as_ref() != Some(&size) {
            *entry = None;
        }
    }

    fn dialect(self) -> Dialect {
        let intercom = Dialect::default();
        let most = |counts: &BTreeMap<String, usize>| {
            counts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(value, _)| value.clone())
        };
        let new_tab = majority((self.links_new_tab, true), (self.links_same_tab, false));
        Dialect {
            paragraph_class: majority(
                (self.paragraph_intercom, intercom.paragraph_class),
                (self.paragraph_plain, None),
            ),
            // CommonMark's lists can also hold paragraphs (loose), Intercom's cannot hold bare
            // text: one list of bare items decides.
            list_items: if self.bare_lists > 0 {
                ListItems::Tight
            } else {
                ListItems::Paragraphs
            },
            strong: majority((self.b, Strong::B), (self.strong, Strong::Strong)),
            emphasis: majority((self.i, Emphasis::I), (self.em, Emphasis::Em)),
            strikethrough: majority((self.s, Strikethrough::S), (self.del, Strikethrough::Del)),
            images: majority(
                (self.image_containers, Images::Container),
                (self.image_paragraphs, Images::Paragraph),
            ),
            empty_alt: majority((self.alt_missing, false), (self.alt_empty, true)),
            tables: majority(
                (self.tables_intercom, Tables::Intercom),
                (self.tables_plain, Tables::Plain),
            ),
            code_blocks: majority(
                (self.pre_code, CodeBlocks::Code),
                (self.pre_bare, CodeBlocks::Pre),
            ),
            heading_ids: majority(
                (self.headings_intercom, HeadingIds::Intercom),
                (self.headings_other, HeadingIds::None),
            ),
            external_links_new_tab: new_tab,
            new_tab_rel: if !new_tab {
                None
            } else if self.links_new_tab == 0 {
                intercom.new_tab_rel
            } else {
                // The most common rel of links that open a new tab; none if most have none.
                let with_rel: usize = self.rels.values().sum();
                (with_rel * 2 > self.links_new_tab)
                    .then(|| most(&self.rels))
                    .flatten()
            },
            separator: most(&self.separators).unwrap_or_default(),
            image_sizes: self
                .sizes
                .into_iter()
                .filter_map(|(src, size)| {
                    size.filter(|s| s.width.is_some() || s.height.is_some())
                        .map(|s| (src, s))
                })
                .collect(),
        }
    }
}

/// Whether every item of list `e` starts with bare text or inline content.
pub(crate) fn bare_items(e: &Element) -> bool {
    let mut items = e.children.iter().filter_map(Node::element).peekable();
    items.peek().is_some()
        && items.all(|li| li.children.first().is_some_and(|first| !first.is_block()))
}

/// The choice most of the body makes: Intercom's editor's (the first), unless the other has
/// more votes (so also when nothing was seen).
fn majority<T>(intercom: (usize, T), other: (usize, T)) -> T {
    if other.0 > intercom.0 {
        other.1
    } else {
        intercom.1
    }
}

/// Whether `e` holds one image and nothing else.
fn lone_image(e: &Element) -> bool {
    matches!(e.children.as_slice(), [Node::Element(img)] if img.name == "img")
}

/// `h_` and ten lowercase hex digits: the anchors Intercom's editor gives headings.
pub(crate) fn is_intercom_anchor(id: &str) -> bool {
    id.strip_prefix("h_").is_some_and(|hex| {
        hex.len() == 10
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::dom::parse;

    fn detect_in(html: &str) -> Dialect {
        detect(&parse(html).nodes, [])
    }

    #[test]
    fn intercom_editor_markup_is_the_default() {
        assert_eq!(detect_in(""), Dialect::default());
        let html = r#"<p class="no-margin"><b>a</b> <a href="https://x.test" target="_blank" rel="nofollow noopener noreferrer">x</a></p><h2 id="h_0123456789">H</h2><ul><li><p class="no-margin">a</p></li></ul><div class="intercom-container"><img src="i.png" width="10" height="20"></div>"#;
        let dialect = detect_in(html);
        let sizes = BTreeMap::from([(
            "i.png".to_owned(),
            ImageSize {
                width: Some("10".into()),
                height: Some("20".into()),
            },
        )]);
        assert_eq!(
            dialect,
            Dialect {
                image_sizes: sizes,
                ..Dialect::default()
            }
        );
    }

    #[test]
    fn plain_and_rendered_markup_is_recognised() {
        let html = r#"<h2>H</h2><p>a <strong>b</strong> <em>c</em> <del>d</del> <a href="https://x.test">x</a></p><ul><li>a</li><li>b</li></ul><p><img src="i.png" alt="i"></p><table><thead><tr><th>a</th></tr></thead></table>"#;
        let dialect = detect(&parse(html).nodes, ["\n", "\n", ""]);
        assert_eq!(
            dialect,
            Dialect {
                paragraph_class: None,
                list_items: ListItems::Tight,
                strong: Strong::Strong,
                emphasis: Emphasis::Em,
                strikethrough: Strikethrough::Del,
                images: Images::Paragraph,
                empty_alt: false,
                tables: Tables::Plain,
                code_blocks: CodeBlocks::Code,
                heading_ids: HeadingIds::None,
                external_links_new_tab: false,
                new_tab_rel: None,
                separator: "\n".into(),
                image_sizes: BTreeMap::new(),
            }
        );
    }

    #[test]
    fn an_image_url_shown_in_two_sizes_has_none() {
        let html = r#"<img src="a.png" width="1"><img src="a.png" width="2"><img src="b.png" width="3"><img src="b.png" width="3">"#;
        let sizes = detect_in(html).image_sizes;
        assert_eq!(sizes.keys().collect::<Vec<_>>(), ["b.png"]);
    }

    #[test]
    fn intercom_anchors() {
        assert!(is_intercom_anchor("h_3f9a1c0b7e"));
        assert!(!is_intercom_anchor("h_setup"));
        assert!(!is_intercom_anchor("h_3F9A1C0B7E"));
    }
}
