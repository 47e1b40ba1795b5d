//! Article bodies in the HTML dialects help centers hold, written from one abstract document:
//! Intercom's editor, plain HTML as the API takes it (its reference's own examples), Zendesk's
//! and Help Scout's editors, and a Markdown renderer (pulldown-cmark's HTML). The conversion
//! tests generate documents with proptest ([`doc`]) and write them in each dialect
//! ([`Doc::html`]); [`corpus`] draws a fixed set of them for the editability figure.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// An HTML dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HtmlDialect {
    /// Intercom's editor: `no-margin` paragraphs, `h_` anchors, `intercom-container` images.
    Intercom,
    /// Plain HTML written through the API: `<p>`, `<li>text</li>`, `<b>`/`<i>`, `<br>`.
    Plain,
    /// Zendesk Guide's editor: `<strong>`/`<em>`, ULID heading ids, sized `<p><img></p>`.
    Zendesk,
    /// Help Scout Docs: `<section>` callouts, `<pre>` without `<code>`, links in new tabs.
    HelpScout,
    /// A CommonMark renderer (pulldown-cmark): `<strong>`, tight and loose lists, `<hr />`.
    Markdown,
}

impl HtmlDialect {
    /// Every dialect.
    pub const ALL: [HtmlDialect; 5] = [
        HtmlDialect::Intercom,
        HtmlDialect::Plain,
        HtmlDialect::Zendesk,
        HtmlDialect::HelpScout,
        HtmlDialect::Markdown,
    ];

    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            HtmlDialect::Intercom => "intercom-editor",
            HtmlDialect::Plain => "plain-api-html",
            HtmlDialect::Zendesk => "zendesk",
            HtmlDialect::HelpScout => "help-scout",
            HtmlDialect::Markdown => "markdown-renderer",
        }
    }
}

/// An article, independent of how it is spelled.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Its blocks.
    pub blocks: Vec<Block>,
}

/// A block of an article.
#[derive(Debug, Clone)]
pub enum Block {
    /// Text.
    Paragraph(Vec<Inline>),
    /// A heading of level 2 or 3; the number makes its anchor.
    Heading(u8, Vec<Inline>, u32),
    /// A list, maybe numbered from `start`.
    List(List),
    /// A quotation of paragraphs.
    Quote(Vec<Vec<Inline>>),
    /// Code, maybe in a language.
    Code(Option<String>, String),
    /// An image with its size.
    Image {
        name: String,
        alt: String,
        width: u32,
        height: u32,
    },
    /// A horizontal rule.
    Rule,
    /// A simple table: header and rows of plain text.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A highlighted note of paragraphs (a callout).
    Callout(Vec<Vec<Inline>>),
    /// An embedded video.
    Video(String),
}

/// A list.
#[derive(Debug, Clone)]
pub struct List {
    /// Numbered (from `start`) or not.
    pub ordered: Option<u32>,
    /// Its items: text, and maybe a nested list.
    pub items: Vec<(Vec<Inline>, Option<List>)>,
}

/// Inline content.
#[derive(Debug, Clone)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Strong emphasis.
    Strong(Vec<Inline>),
    /// Emphasis.
    Em(Vec<Inline>),
    /// Inline code.
    Code(String),
    /// A link out of the help center, or (with `internal`) to one of its articles.
    Link { internal: bool, text: Vec<Inline> },
    /// A line break.
    Break,
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => prop::sample::select(vec![
            "account", "billing", "invoice", "sync", "note", "team", "export", "settings",
            "password", "the", "your", "and", "to", "open", "click", "choose", "Acme", "app",
            "données", "équipe", "設定", "مرحبا", "2FA", "v2.1", "e-mail", "o'clock",
        ])
        .prop_map(str::to_owned),
        1 => prop::sample::select(vec![
            "*", "_", "#", "[x]", "<b>", "&", "a_b", "1.", "-", "`", "|", "~", "\\", "!",
        ])
        .prop_map(str::to_owned),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 1..8).prop_map(|words| words.join(" "))
}

fn inline() -> impl Strategy<Value = Vec<Inline>> {
    let leaf = prop_oneof![
        8 => text().prop_map(Inline::Text),
        1 => text().prop_map(Inline::Code),
    ];
    let span = leaf.prop_recursive(2, 8, 3, |inner| {
        let run = prop::collection::vec(inner, 1..3);
        prop_oneof![
            2 => run.clone().prop_map(Inline::Strong),
            2 => run.clone().prop_map(Inline::Em),
            2 => (any::<bool>(), run).prop_map(|(internal, text)| Inline::Link { internal, text }),
        ]
    });
    (
        text(),
        prop::collection::vec((span, any::<bool>(), text()), 0..3),
    )
        .prop_map(|(first, rest)| {
            let mut out = vec![Inline::Text(first)];
            for (span, line_break, after) in rest {
                out.push(Inline::Text(" ".to_owned()));
                out.push(span);
                out.push(if line_break {
                    Inline::Break
                } else {
                    Inline::Text(" ".to_owned())
                });
                out.push(Inline::Text(after));
            }
            out
        })
}

fn list(depth: u32) -> BoxedStrategy<List> {
    let nested = if depth == 0 {
        Just(None).boxed()
    } else {
        prop::option::weighted(0.2, list(depth - 1)).boxed()
    };
    let ordered = prop::option::weighted(0.4, prop::sample::select(vec![1u32, 1, 3]));
    (ordered, prop::collection::vec((inline(), nested), 1..4))
        .prop_map(|(ordered, items)| List { ordered, items })
        .boxed()
}

fn block() -> impl Strategy<Value = Block> {
    let paragraphs = || prop::collection::vec(inline(), 1..3);
    prop_oneof![
        20 => inline().prop_map(Block::Paragraph),
        4 => (2..4u8, inline(), any::<u32>()).prop_map(|(l, t, a)| Block::Heading(l, t, a)),
        5 => list(1).prop_map(Block::List),
        1 => paragraphs().prop_map(Block::Quote),
        2 => (prop::option::of(Just("rust".to_owned())), prop::collection::vec(text(), 1..4))
            .prop_map(|(lang, lines)| Block::Code(lang, lines.join("\n"))),
        2 => ("[a-z]{3,8}", text(), 100..2000u32, 100..2000u32).prop_map(
            |(name, alt, width, height)| Block::Image { name, alt, width, height }
        ),
        1 => Just(Block::Rule),
        1 => (1..4usize, prop::collection::vec(prop::collection::vec(text(), 3), 1..3))
            .prop_map(|(width, rows)| Block::Table {
                header: (0..width).map(|i| format!("Column {i}")).collect(),
                rows: rows.into_iter().map(|r| r[..width].to_vec()).collect(),
            }),
        1 => paragraphs().prop_map(Block::Callout),
        1 => "[A-Za-z0-9]{11}".prop_map(Block::Video),
    ]
}

/// Generates documents of a few blocks.
pub fn doc() -> impl Strategy<Value = Doc> {
    prop::collection::vec(block(), 1..10).prop_map(|blocks| Doc { blocks })
}

/// `n` documents drawn with a fixed seed: the same corpus on every run.
pub fn corpus(n: usize) -> Vec<Doc> {
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let strategy = doc();
    (0..n)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .expect("a document")
                .current()
        })
        .collect()
}

impl Doc {
    /// The body in `dialect`.
    pub fn html(&self, dialect: HtmlDialect) -> String {
        if dialect == HtmlDialect::Markdown {
            let mut html = String::new();
            let markdown = self.markdown();
            let parser = pulldown_cmark::Parser::new_ext(&markdown, markdown_options());
            pulldown_cmark::html::push_html(&mut html, parser);
            return html;
        }
        let w = Writer { dialect };
        let blocks: Vec<String> = self.blocks.iter().map(|b| w.block(b)).collect();
        let separator = match dialect {
            HtmlDialect::Intercom => "",
            _ => "\n",
        };
        blocks.join(separator)
    }

    /// The document as Markdown, for the Markdown renderer.
    fn markdown(&self) -> String {
        let blocks: Vec<String> = self.blocks.iter().map(markdown_block).collect();
        blocks.join("\n\n") + "\n"
    }
}

fn markdown_options() -> pulldown_cmark::Options {
    pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
}

const CALLOUT_STYLE: &str = "background-color: #e3e7fa80; border-color: #334bfa33;";
const CELL_STYLE: &str = "border: 1px solid #dde0e4; padding: 6px 10px;";

struct Writer {
    dialect: HtmlDialect,
}

impl Writer {
    fn paragraph(&self, inline: &[Inline]) -> String {
        match self.dialect {
            HtmlDialect::Intercom => format!("<p class=\"no-margin\">{}</p>", self.inline(inline)),
            _ => format!("<p>{}</p>", self.inline(inline)),
        }
    }

    fn block(&self, block: &Block) -> String {
        use HtmlDialect::*;
        match block {
            Block::Paragraph(inline) => self.paragraph(inline),
            Block::Heading(level, inline, anchor) => {
                let id = match self.dialect {
                    Intercom => format!(" id=\"h_{:010x}\"", *anchor as u64 * 97),
                    Zendesk => format!(" id=\"h_01HQ{anchor:08X}K7Z\""),
                    _ => String::new(),
                };
                format!("<h{level}{id}>{}</h{level}>", self.inline(inline))
            }
            Block::List(list) => self.list(list),
            Block::Quote(paragraphs) => {
                let inner: String = paragraphs.iter().map(|p| self.paragraph(p)).collect();
                format!("<blockquote>{inner}</blockquote>")
            }
            Block::Code(lang, code) => match (self.dialect, lang) {
                (HelpScout, _) => format!("<pre>{}</pre>", escape(code)),
                (Intercom, _) | (_, None) => format!("<pre><code>{}</code></pre>", escape(code)),
                (_, Some(lang)) => format!(
                    "<pre><code class=\"language-{lang}\">{}</code></pre>",
                    escape(code)
                ),
            },
            Block::Image {
                name,
                alt,
                width,
                height,
            } => match self.dialect {
                Intercom => format!(
                    "<div class=\"intercom-container\"><img src=\"https://downloads.intercomcdn.com/i/o/{width}/{name}.png\" width=\"{width}\" height=\"{height}\"></div>"
                ),
                Plain => format!(
                    "<p><img src=\"https://cdn.example.com/{name}.png\" alt=\"{}\"></p>",
                    escape(alt)
                ),
                Zendesk => format!(
                    "<p><img src=\"https://support.example.com/hc/article_attachments/{width}\" alt=\"{}\" width=\"{width}\" height=\"{height}\"></p>",
                    escape(alt)
                ),
                _ => format!(
                    "<p><img src=\"https://d33v4339jhl8k0.cloudfront.net/docs/assets/{name}.png\" alt=\"{}\"></p>",
                    escape(alt)
                ),
            },
            Block::Rule => "<hr>".to_owned(),
            Block::Table { header, rows } => self.table(header, rows),
            Block::Callout(paragraphs) => {
                let inner: String = paragraphs.iter().map(|p| self.paragraph(p)).collect();
                match self.dialect {
                    Intercom => format!(
                        "<div class=\"intercom-interblocks-callout\" style=\"{CALLOUT_STYLE}\">{inner}</div>"
                    ),
                    Zendesk => format!("<div class=\"callout callout--note\">{inner}</div>"),
                    HelpScout => format!("<section class=\"callout-yellow\">{inner}</section>"),
                    _ => format!("<blockquote>{inner}</blockquote>"),
                }
            }
            Block::Video(id) => {
                let iframe = format!(
                    "<iframe src=\"https://www.youtube.com/embed/{id}\" frameborder=\"0\" allowfullscreen=\"\"></iframe>"
                );
                match self.dialect {
                    Intercom => format!("<div class=\"intercom-h2b-video\">{iframe}</div>"),
                    _ => format!("<p>{iframe}</p>"),
                }
            }
        }
    }

    fn list(&self, list: &List) -> String {
        let (open, close) = match list.ordered {
            None => ("<ul>".to_owned(), "</ul>"),
            Some(1) => ("<ol>".to_owned(), "</ol>"),
            Some(start) => (format!("<ol start=\"{start}\">"), "</ol>"),
        };
        let items: String = list
            .items
            .iter()
            .map(|(text, nested)| {
                let text = match self.dialect {
                    HtmlDialect::Intercom => self.paragraph(text),
                    _ => self.inline(text),
                };
                let nested = nested.as_ref().map(|l| self.list(l)).unwrap_or_default();
                format!("<li>{text}{nested}</li>")
            })
            .collect();
        format!("{open}{items}{close}")
    }

    fn table(&self, header: &[String], rows: &[Vec<String>]) -> String {
        if self.dialect == HtmlDialect::Intercom {
            // Intercom's editor writes styled cells holding paragraphs: raw HTML in Markdown.
            let row = |cells: &[String]| {
                let cells: String = cells
                    .iter()
                    .map(|c| {
                        format!(
                            "<td style=\"{CELL_STYLE}\"><p class=\"no-margin\">{}</p></td>",
                            escape(c)
                        )
                    })
                    .collect();
                format!("<tr>{cells}</tr>")
            };
            let body: String = std::iter::once(row(header))
                .chain(rows.iter().map(|r| row(r)))
                .collect();
            return format!(
                "<div class=\"intercom-interblocks-table-container\"><table role=\"presentation\"><tbody>{body}</tbody></table></div>"
            );
        }
        let cells = |tag: &str, cells: &[String]| -> String {
            cells
                .iter()
                .map(|c| format!("<{tag}>{}</{tag}>", escape(c)))
                .collect()
        };
        let body: String = rows
            .iter()
            .map(|r| format!("<tr>{}</tr>", cells("td", r)))
            .collect();
        format!(
            "<table><thead><tr>{}</tr></thead><tbody>{body}</tbody></table>",
            cells("th", header)
        )
    }

    fn inline(&self, inline: &[Inline]) -> String {
        use HtmlDialect::*;
        inline
            .iter()
            .map(|i| match i {
                Inline::Text(text) => escape(text),
                Inline::Code(code) => format!("<code>{}</code>", escape(code)),
                Inline::Break => "<br>".to_owned(),
                Inline::Strong(inner) => match self.dialect {
                    Intercom | Plain => format!("<b>{}</b>", self.inline(inner)),
                    _ => format!("<strong>{}</strong>", self.inline(inner)),
                },
                Inline::Em(inner) => match self.dialect {
                    Intercom | Plain => format!("<i>{}</i>", self.inline(inner)),
                    _ => format!("<em>{}</em>", self.inline(inner)),
                },
                Inline::Link { internal, text } => {
                    let text = self.inline(text);
                    if *internal {
                        return format!(
                            "<a href=\"https://help.example.com/en/articles/104-create-a-notebook\">{text}</a>"
                        );
                    }
                    let href = "https://www.example.org/guide";
                    let target = match self.dialect {
                        Intercom => " target=\"_blank\" rel=\"nofollow noopener noreferrer\"",
                        Zendesk => " target=\"_blank\" rel=\"noopener noreferrer\"",
                        HelpScout => " target=\"_blank\"",
                        _ => "",
                    };
                    format!("<a href=\"{href}\"{target}>{text}</a>")
                }
            })
            .collect()
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn markdown_block(block: &Block) -> String {
    match block {
        Block::Paragraph(inline) => markdown_inline(inline),
        Block::Heading(level, inline, _) => {
            format!("{} {}", "#".repeat(*level as usize), markdown_inline(inline))
        }
        Block::List(list) => markdown_list(list, 0),
        Block::Quote(paragraphs) | Block::Callout(paragraphs) => {
            let inner: Vec<String> = paragraphs.iter().map(|p| markdown_inline(p)).collect();
            inner
                .join("\n\n")
                .lines()
                .map(|l| if l.is_empty() { ">".to_owned() } else { format!("> {l}") })
                .collect::<Vec<_>>()
                .join("\n")
        }
        Block::Code(lang, code) => {
            format!("```{}\n{code}\n```", lang.as_deref().unwrap_or(""))
        }
        Block::Image { name, alt, .. } => format!(
            "![{}](https://cdn.example.com/{name}.png)",
            markdown_text(alt)
        ),
        Block::Rule => "---".to_owned(),
        Block::Table { header, rows } => {
            let row = |cells: &[String]| {
                let cells: Vec<String> = cells.iter().map(|c| markdown_text(c)).collect();
                format!("| {} |", cells.join(" | "))
            };
            let mut lines = vec![row(header), format!("|{}", " --- |".repeat(header.len()))];
            lines.extend(rows.iter().map(|r| row(r)));
            lines.join("\n")
        }
        Block::Video(id) => format!(
            "<iframe src=\"https://www.youtube.com/embed/{id}\" frameborder=\"0\" allowfullscreen=\"\"></iframe>"
        ),
    }
}

fn markdown_list(list: &List, indent: usize) -> String {
    let pad = " ".repeat(indent);
    list.items
        .iter()
        .enumerate()
        .map(|(i, (text, nested))| {
            let marker = match list.ordered {
                None => "-".to_owned(),
                Some(start) => format!("{}.", start as usize + i),
            };
            let mut item = format!("{pad}{marker} {}", markdown_inline(text).replace('\n', " "));
            if let Some(nested) = nested {
                item.push('\n');
                item.push_str(&markdown_list(nested, indent + marker.len() + 1));
            }
            item
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn markdown_inline(inline: &[Inline]) -> String {
    inline
        .iter()
        .map(|i| match i {
            Inline::Text(text) => markdown_text(text),
            Inline::Code(code) => format!("`` {code} ``"),
            Inline::Break => "  \n".to_owned(),
            Inline::Strong(inner) => format!("**{}**", markdown_inline(inner)),
            Inline::Em(inner) => format!("*{}*", markdown_inline(inner)),
            Inline::Link { internal, text } => {
                let href = if *internal {
                    "https://help.example.com/en/articles/104-create-a-notebook"
                } else {
                    "https://www.example.org/guide"
                };
                format!("[{}]({href})", markdown_inline(text))
            }
        })
        .collect()
}

/// Text with every ASCII punctuation character escaped, so the renderer reads it as written.
fn markdown_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_punctuation() {
                format!("\\{c}")
            } else {
                c.to_string()
            }
        })
        .collect()
}
