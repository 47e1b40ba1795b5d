//! Markdown conversion of article bodies (`helpcenter::markdown`).
//!
//! - Case folders `tests/cases/convert/NN-name/` hold `input.html`, `expected.md` and
//!   `expected.html`: the input is converted and its Markdown compared exactly with the
//!   expected Markdown (one trailing newline in the input file is ignored), the Markdown
//!   rendered in the input's dialect is compared exactly with the expected HTML, and every
//!   round trip is checked for every case. `UPDATE_EXPECTED=1 cargo test --test convert`
//!   rewrites the expected files; review each one.
//! - Every body of the fixture workspaces, of a generated workspace and of generated corpora in
//!   each HTML dialect makes every round trip: rendering the Markdown in the body's dialect
//!   gives the body (sanitised for Intercom) after `normalize_html`, converting that HTML gives
//!   the Markdown byte for byte, and assembling the unedited Markdown gives the body byte for
//!   byte; and the one-piece conversion of a read-only copy (`html_to_markdown_copy`, a page's
//!   `index.md`) gives the same Markdown, from the body and from the site's HTML of it.
//! - proptest builds bodies from Intercom blocks nested in each other, and documents in each
//!   dialect, and checks the same; and that editing one paragraph changes only its bytes.
//! - `editability` prints the share of article text inside raw HTML over each corpus and holds
//!   the plain and Intercom corpora under 5 %.
//! - `measure_round_trips` (ignored) prints the share of exact round trips and the time to
//!   convert 10,000 articles: `cargo test --release --test convert -- --ignored --nocapture`.

mod support;

use helpcenter::html::{sanitize, sanitize_for_intercom, sanitize_with_links, LinkMap};
use helpcenter::markdown::{
    assemble, convert, html_to_markdown, html_to_markdown_copy, normalize_html, render,
    site_html_to_markdown_copy, text_share, Converted, TextShare,
};
use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use support::dialects::{self, Doc, HtmlDialect};
use support::workspace::{id_of, GeneratedSpec, Workspace};

/// The unedited Markdown put back together, without touching rendered runs.
fn assemble_unedited(md: &str, base: &Converted) -> String {
    assemble(md, Some(base), &mut |html, _| html)
}

/// Why a body's round trips are not exact, or `None` if they are.
fn round_trip_failure(body: &str) -> Option<String> {
    let converted = convert(body);
    let md = converted.markdown();
    let html = render(&md, &converted.dialect);
    let (want, got) = (
        normalize_html(&sanitize_for_intercom(body)),
        normalize_html(&html),
    );
    if want != got {
        return Some(format!(
            "HTML -> Markdown -> HTML differs\n--- markdown\n{md}\n--- want\n{want}\n--- got\n{got}\n"
        ));
    }
    let (site_want, site_got) = (
        normalize_html(&sanitize(body)),
        normalize_html(&sanitize(&html)),
    );
    if site_want != site_got {
        return Some(format!(
            "the site's HTML differs\n--- want\n{site_want}\n--- got\n{site_got}\n"
        ));
    }
    let again = html_to_markdown(&html);
    if again != md {
        return Some(format!(
            "Markdown -> HTML -> Markdown differs\n--- first\n{md}\n--- second\n{again}\n"
        ));
    }
    for (what, html) in [("body", body.to_owned()), ("site's HTML", sanitize(body))] {
        let (whole, copy) = (html_to_markdown(&html), html_to_markdown_copy(&html));
        if whole != copy {
            return Some(format!(
                "the copy's Markdown of the {what} differs\n--- block by block\n{whole}\n--- copy\n{copy}\n"
            ));
        }
    }
    // A page's `index.md` skips sanitising its (site-sanitised) body again for Intercom.
    for site_html in [
        sanitize(body),
        sanitize_with_links(body, &site_links(), "en", "/en/articles/1-a/"),
    ] {
        let (copy, skipped) = (
            html_to_markdown_copy(&site_html),
            site_html_to_markdown_copy(&site_html),
        );
        if copy != skipped {
            return Some(format!(
                "the Markdown of the site's HTML differs without sanitising it for Intercom\n--- site's HTML\n{site_html}\n--- sanitised again\n{copy}\n--- as it is\n{skipped}\n"
            ));
        }
    }
    let assembled = assemble_unedited(&md, &converted);
    if assembled != body {
        return Some(format!(
            "the unedited Markdown does not assemble to the body\n--- body\n{body}\n--- assembled\n{assembled}\n"
        ));
    }
    // The slow path (no shortcut for unchanged Markdown) must give the same bytes.
    let without_newline = md.strip_suffix('\n').unwrap_or(&md);
    let assembled = assemble_unedited(without_newline, &converted);
    if !md.is_empty() && assembled != body {
        return Some(format!(
            "block by block, the unedited Markdown does not assemble to the body\n--- body\n{body}\n--- assembled\n{assembled}\n"
        ));
    }
    None
}

/// A link map in which the fixtures' help center links are rewritten to site pages.
fn site_links() -> LinkMap {
    let mut links = LinkMap::new(["https://help.example.com".to_owned()]);
    for id in 100..120 {
        links.add_article(&id.to_string(), "en", &format!("/en/articles/{id}-a/"));
    }
    links
}

/// Every body of every article: `body` and each `translated_content.<locale>.body`.
fn bodies(workspace: &Workspace) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for article in &workspace.articles {
        let id = id_of(article).unwrap_or_default();
        if let Some(body) = article["body"].as_str() {
            out.push((id.clone(), body.to_owned()));
        }
        if let Some(Value::Object(translations)) = article.get("translated_content") {
            for (locale, content) in translations {
                if let Some(body) = content.get("body").and_then(Value::as_str) {
                    out.push((format!("{id}/{locale}"), body.to_owned()));
                }
            }
        }
    }
    out
}

fn generated_workspace(articles: usize) -> Workspace {
    Workspace::generated(&GeneratedSpec {
        articles,
        locales: ["en", "fr", "de", "es", "ja", "ar"]
            .map(String::from)
            .to_vec(),
        seed: 7,
        ..GeneratedSpec::default()
    })
}

/// Asserts that every body round-trips, listing all that do not.
fn assert_round_trips(name: &str, bodies: &[(String, String)]) {
    assert!(!bodies.is_empty(), "{name}: no bodies");
    let failures: Vec<String> = bodies
        .iter()
        .filter_map(|(label, body)| round_trip_failure(body).map(|f| format!("{label}: {f}")))
        .collect();
    assert!(
        failures.is_empty(),
        "{name}: {} of {} bodies do not round-trip:\n{}",
        failures.len(),
        bodies.len(),
        failures.join("\n")
    );
}

#[test]
fn fixture_bodies_round_trip() {
    for name in ["multilingual", "sections-2.9"] {
        assert_round_trips(name, &bodies(&Workspace::load(name)));
    }
}

#[test]
fn generated_bodies_round_trip() {
    assert_round_trips("generated", &bodies(&generated_workspace(120)));
}

/// The generated corpus written in `dialect`, labelled.
fn dialect_corpus(dialect: HtmlDialect, docs: &[Doc]) -> Vec<(String, String)> {
    docs.iter()
        .enumerate()
        .map(|(i, doc)| (format!("{} #{i}", dialect.name()), doc.html(dialect)))
        .collect()
}

#[test]
fn every_dialect_round_trips() {
    let docs = dialects::corpus(60);
    for dialect in HtmlDialect::ALL {
        assert_round_trips(dialect.name(), &dialect_corpus(dialect, &docs));
    }
}

/// The share of text inside raw HTML over the bodies of a corpus, as exported.
fn share_of(bodies: &[(String, String)]) -> TextShare {
    let mut share = TextShare::default();
    for (_, body) in bodies {
        share += text_share(&html_to_markdown(body));
    }
    share
}

/// The editability figure: how much of the article text writers would edit inside raw HTML,
/// per corpus. Callouts, videos and Intercom's styled tables are the raw blocks of the
/// Intercom corpus (a callout's text is Markdown between its tags); the plain HTML corpus has
/// none. Run with `--nocapture` to see the figures.
#[test]
fn editability() {
    let docs = dialects::corpus(200);
    let mut corpora: Vec<(String, Vec<(String, String)>)> = vec![
        ("fixtures (multilingual, sections-2.9)".to_owned(), {
            let mut all = bodies(&Workspace::load("multilingual"));
            all.extend(bodies(&Workspace::load("sections-2.9")));
            all
        }),
        (
            "generated workspace (Intercom editor)".to_owned(),
            bodies(&generated_workspace(120)),
        ),
    ];
    for dialect in HtmlDialect::ALL {
        corpora.push((
            format!("generated {}", dialect.name()),
            dialect_corpus(dialect, &docs),
        ));
    }
    let mut figures = Vec::new();
    for (name, bodies) in &corpora {
        let share = share_of(bodies);
        let percent = 100.0 * share.raw_fraction();
        println!(
            "{name}: {} bodies, {:.2} % of {} characters of text inside raw HTML",
            bodies.len(),
            percent,
            share.markdown + share.raw
        );
        figures.push((name.clone(), percent));
    }
    for (name, percent) in &figures {
        let target = name.contains("intercom-editor") || name.contains("plain-api-html");
        assert!(
            !target || *percent < 5.0,
            "{name}: {percent:.2} % inside raw HTML"
        );
    }
}

/// The smallest number of case folders the suite must have.
const MIN_CASES: usize = 60;

fn case_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/convert")
}

/// Every case folder, sorted by name.
fn case_folders() -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(case_dir())
        .expect("tests/cases/convert exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.join("input.html").is_file())
        .collect();
    folders.sort();
    folders
}

/// Why a case fails, or `None`.
fn case_failure(folder: &Path) -> Option<String> {
    let input = std::fs::read_to_string(folder.join("input.html")).expect("readable input");
    let input = input.strip_suffix('\n').unwrap_or(&input);
    let converted = convert(input);
    let actual_md = converted.markdown();
    let actual_html = render(&actual_md, &converted.dialect);
    let (md_path, html_path) = (folder.join("expected.md"), folder.join("expected.html"));
    if std::env::var_os("UPDATE_EXPECTED").is_some() {
        std::fs::write(&md_path, &actual_md).expect("writable expected file");
        std::fs::write(&html_path, format!("{actual_html}\n")).expect("writable expected file");
    }
    let expected_md = std::fs::read_to_string(&md_path).unwrap_or_default();
    if actual_md != expected_md {
        return Some(format!(
            "Markdown differs\n--- expected\n{expected_md}--- actual\n{actual_md}---"
        ));
    }
    let expected_html = std::fs::read_to_string(&html_path).unwrap_or_default();
    if actual_html != expected_html.strip_suffix('\n').unwrap_or(&expected_html) {
        return Some(format!(
            "HTML differs\n--- expected\n{expected_html}--- actual\n{actual_html}\n---"
        ));
    }
    round_trip_failure(input)
}

#[test]
fn cases_convert_exactly_and_round_trip() {
    let folders = case_folders();
    let failures: Vec<String> = folders
        .iter()
        .filter_map(|folder| {
            let name = folder.file_name().unwrap().to_string_lossy().into_owned();
            case_failure(folder).map(|f| format!("== {name}: {f}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        folders.len() >= MIN_CASES,
        "only {} case folders, want at least {MIN_CASES}",
        folders.len()
    );
}

/// Bodies built from Intercom's editor blocks nested in each other, with text full of
/// characters Markdown treats specially.
mod generated_bodies {
    use proptest::prelude::*;

    const SIZED_IMAGE: &str =
        r#"<img src="https://cdn.test/i.png" alt="a *b*" width="2" height="3">"#;
    const IMAGE_BLOCK: &str =
        r#"<div class="intercom-container"><img src="https://cdn.test/a.png"></div>"#;
    const SIZED_IMAGE_BLOCK: &str = r#"<div class="intercom-container"><img src="https://cdn.test/a.png" width="640" height="480"></div>"#;
    const VIDEO: &str = r#"<div class="intercom-h2b-video"><iframe src="https://www.youtube.com/embed/x" frameborder="0" allowfullscreen=""></iframe></div>"#;
    const CALLOUT: &str = r#"<div class="intercom-interblocks-callout" style="background-color: #e3e7fa80; border-color: #334bfa33;">"#;
    const TABLE: &str =
        r#"<div class="intercom-interblocks-table-container"><table role="presentation">"#;
    const CELL_STYLE: &str = "border: 1px solid #dde0e4; padding: 6px 10px;";

    /// Odd blocks: empty ones, `pre` without `code`, empty lists, whitespace.
    const ODD_BLOCKS: &[&str] = &[
        r#"<p class="no-margin"></p>"#,
        r#"<p class="no-margin"><br></p>"#,
        "<pre>\n\nplain pre\n</pre>",
        r#"<pre><code class="language-x">a</code>
<b>b</b></pre>"#,
        "<ul></ul>",
        "<ul><li></li></ul>",
        "\n  ",
    ];

    /// Words and the characters that need escaping in Markdown (as HTML text).
    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-zA-Z0-9]{1,8}",
            2 => prop::sample::select(vec![
                "*", "**", "_", "__", "#", "##", "&lt;", "&gt;", "&lt;b&gt;", "|", "[", "]",
                "[x]", "(", ")", "\\", "`", "``", "~", "~~", "&amp;", "&amp;amp;", "!", "-",
                "--", "---", "+", "1.", "2)", "=", "==", ":", "&nbsp;", "&quot;", "'", "é",
                "日本", "🎉", "snake_case", "a*b", "&lt;!--", "--&gt;", "http://x.test",
            ])
            .prop_map(str::to_owned),
        ]
    }

    /// Words joined by nothing, one or two spaces; no space at the ends (edge spaces come from
    /// the `" "` inline leaf).
    fn text() -> impl Strategy<Value = String> {
        let separator = prop::sample::select(vec!["", " ", " ", " ", "  "]);
        (word(), prop::collection::vec((separator, word()), 0..5)).prop_map(|(first, rest)| {
            rest.into_iter()
                .fold(first, |text, (s, w)| format!("{text}{s}{w}"))
        })
    }

    fn href() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "https://help.example.com/en/articles/12-x#h_1",
            "https://www.example.org/a_(b)?q=1&amp;r=2",
            "mailto:a@b.test",
            "#h_2",
            "../relative path",
            "",
        ])
        .prop_map(str::to_owned)
    }

    fn inline() -> impl Strategy<Value = String> {
        let odd = prop::sample::select(vec!["<b></b>", "<code></code>", "<i> </i>", " ", "\n  "]);
        let leaf = prop_oneof![
            6 => text(),
            1 => text().prop_map(|t| format!("<code>{t}</code>")),
            1 => Just("<br>".to_owned()),
            1 => Just(r#"<img src="https://cdn.test/i.png">"#.to_owned()),
            1 => Just(SIZED_IMAGE.to_owned()),
            1 => odd.prop_map(str::to_owned),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            let run = prop::collection::vec(inner, 1..4).prop_map(|v| v.concat());
            let tag = prop::sample::select(vec![
                ("<b>", "</b>"),
                ("<i>", "</i>"),
                ("<s>", "</s>"),
                ("<strong>", "</strong>"),
                (r#"<span class="intercom-x">"#, "</span>"),
            ]);
            prop_oneof![
                run.clone(),
                (tag, run.clone()).prop_map(|((open, close), t)| format!("{open}{t}{close}")),
                (href(), any::<bool>(), run).prop_map(|(h, blank, t)| {
                    let target = if blank { r#" target="_blank""# } else { "" };
                    format!(r#"<a href="{h}"{target}>{t}</a>"#)
                }),
            ]
        })
    }

    fn paragraph() -> impl Strategy<Value = String> {
        let class = prop::sample::select(vec![
            r#" class="no-margin""#,
            r#" class="no-margin""#,
            r#" class="no-margin""#,
            r#" class="intercom-align-center""#,
            "",
        ]);
        (class, inline()).prop_map(|(class, t)| format!("<p{class}>{t}</p>"))
    }

    fn heading() -> impl Strategy<Value = String> {
        (1..4u8, any::<bool>(), inline()).prop_map(|(level, id, t)| {
            let id = if id { r#" id="h_0a1b2c3d4e""# } else { "" };
            format!("<h{level}{id}>{t}</h{level}>")
        })
    }

    fn code_block() -> impl Strategy<Value = String> {
        let language = prop::sample::select(vec!["", "", "rust", "c++"]);
        (language, code()).prop_map(|(language, code)| {
            let class = match language {
                "" => String::new(),
                l => format!(r#" class="language-{l}""#),
            };
            format!("<pre><code{class}>{code}</code></pre>")
        })
    }

    /// Code with newlines, blank lines, indentation, fences and Markdown syntax.
    fn code() -> impl Strategy<Value = String> {
        let line = prop_oneof![
            text(),
            Just(String::new()),
            Just("   ".to_owned()),
            Just("\tindented".to_owned()),
            Just("```".to_owned()),
            Just("~~~ x".to_owned()),
            Just("    four".to_owned()),
            Just("&lt;/pre&gt; # * - 1.".to_owned()),
        ];
        prop::collection::vec(line, 0..5).prop_map(|lines| lines.join("\n"))
    }

    fn leaf_block() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => paragraph(),
            1 => heading(),
            2 => code_block(),
            1 => Just("<hr>".to_owned()),
            1 => prop::sample::select(ODD_BLOCKS).prop_map(str::to_owned),
            1 => inline().prop_map(|t| format!("<li>{t}</li>")),
            1 => prop::sample::select(vec![IMAGE_BLOCK, SIZED_IMAGE_BLOCK, VIDEO])
                .prop_map(str::to_owned),
            1 => prop::collection::vec(inline(), 1..4).prop_map(|cells| intercom_table(&cells)),
            1 => (1..4usize, prop::collection::vec(inline(), 1..7))
                .prop_map(|(width, cells)| pipe_table(width, &cells)),
        ]
    }

    fn intercom_table(cells: &[String]) -> String {
        let row: String = cells
            .iter()
            .map(|c| format!(r#"<td style="{CELL_STYLE}"><p class="no-margin">{c}</p></td>"#))
            .collect();
        format!("{TABLE}<tbody><tr>{row}</tr><tr>{row}</tr></tbody></table></div>")
    }

    fn pipe_table(width: usize, cells: &[String]) -> String {
        let cell = |tag: &str, i: usize| {
            let align = [
                "",
                r#" style="text-align: center""#,
                r#" style="text-align: right""#,
            ];
            format!("<{tag}{}>{}</{tag}>", align[i % 3], cells[i % cells.len()])
        };
        let head: String = (0..width).map(|i| cell("th", i)).collect();
        let body: String = (0..width).map(|i| cell("td", i)).collect();
        format!("{TABLE}<thead><tr>{head}</tr></thead><tbody><tr>{body}</tr></tbody></table></div>")
    }

    fn blocks() -> impl Strategy<Value = String> {
        leaf_block().prop_recursive(4, 40, 4, |inner| {
            let seq = prop::collection::vec(inner, 1..4).prop_map(|v| v.concat());
            let items = prop::collection::vec(seq.clone(), 1..4);
            let wrapper = prop::sample::select(vec![
                ("<blockquote>", "</blockquote>"),
                (r#"<blockquote dir="rtl">"#, "</blockquote>"),
                (CALLOUT, "</div>"),
                (CALLOUT, "</div>"),
                ("<details>", "</details>"),
            ]);
            prop_oneof![
                2 => seq.clone(),
                2 => items.clone().prop_map(|items| list("ul", "", &items)),
                2 => (0..12u32, items).prop_map(|(start, items)| {
                    let start = match start {
                        0 | 1 => String::new(),
                        n => format!(r#" start="{n}""#),
                    };
                    list("ol", &start, &items)
                }),
                3 => (wrapper, seq.clone()).prop_map(|((open, close), b)| format!("{open}{b}{close}")),
                1 => (inline(), seq.clone())
                    .prop_map(|(s, b)| format!("<details><summary>{s}</summary>{b}</details>")),
                1 => (inline(), seq).prop_map(|(t, b)| format!("{t}{b}")),
            ]
        })
    }

    fn list(tag: &str, attrs: &str, items: &[String]) -> String {
        let items: String = items.iter().map(|i| format!("<li>{i}</li>")).collect();
        format!("<{tag}{attrs}>{items}</{tag}>")
    }

    /// A whole body: a few top-level blocks.
    pub fn body() -> impl Strategy<Value = String> {
        prop::collection::vec(blocks(), 1..5).prop_map(|v| v.concat())
    }
}

proptest! {
    // No regression files: failures print the minimal body, which belongs in a case folder.
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn nested_intercom_blocks_round_trip(body in generated_bodies::body()) {
        if let Some(failure) = round_trip_failure(&body) {
            prop_assert!(false, "body: {body}\n{failure}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        // Each case is a document written in five dialects, each converted several times.
        cases: 96,
        ..ProptestConfig::default()
    })]

    #[test]
    fn documents_in_every_dialect_round_trip(doc in dialects::doc()) {
        for dialect in HtmlDialect::ALL {
            let body = doc.html(dialect);
            if let Some(failure) = round_trip_failure(&body) {
                prop_assert!(false, "{}: {body}\n{failure}", dialect.name());
            }
        }
    }

    #[test]
    fn editing_one_paragraph_changes_only_its_bytes(
        doc in dialects::doc(),
        pick in any::<prop::sample::Index>(),
    ) {
        for dialect in HtmlDialect::ALL {
            let body = doc.html(dialect);
            if let Some(failure) = only_the_edited_block_changes(&body, pick) {
                prop_assert!(false, "{}: {body}\n{failure}", dialect.name());
            }
        }
    }
}

/// Edits one Markdown paragraph of `body` (the `pick`-th), assembles, and checks that the body
/// changed in that block's bytes only, into that paragraph rendered in the body's dialect.
fn only_the_edited_block_changes(body: &str, pick: prop::sample::Index) -> Option<String> {
    let converted = convert(body);
    let paragraphs: Vec<usize> = (0..converted.blocks.len())
        .filter(|&i| is_plain_paragraph(&converted.blocks[i].markdown))
        .collect();
    if paragraphs.is_empty() {
        return None;
    }
    let edited = paragraphs[pick.index(paragraphs.len())];
    let mut blocks: Vec<String> = converted
        .blocks
        .iter()
        .map(|b| b.markdown.clone())
        .collect();
    blocks[edited].push_str(" Edited.");
    let md = blocks.join("\n\n") + "\n";
    let assembled = assemble_unedited(&md, &converted);
    let mut expected = String::new();
    for (i, block) in converted.blocks.iter().enumerate() {
        expected.push_str(&block.before);
        if i == edited {
            expected.push_str(&render(&blocks[i], &converted.dialect));
        } else {
            expected.push_str(&block.html);
        }
    }
    expected.push_str(&converted.tail);
    (assembled != expected).then(|| {
        format!("--- markdown\n{md}\n--- expected\n{expected}\n--- assembled\n{assembled}\n")
    })
}

/// A Markdown block that is one paragraph (not a heading, list, quote, table, raw HTML, ...).
fn is_plain_paragraph(md: &str) -> bool {
    let first = md.chars().next().unwrap_or(' ');
    !md.contains('\n')
        && (first.is_alphanumeric() || first == '*' || first == '`')
        && !md.ends_with('|')
}

/// Prints the share of exact round trips over the fixtures and the bundled `generated`
/// workspace, and how long 10,000 articles take each way. Run it on a release build:
/// `cargo test --release --test convert measure -- --ignored --nocapture`.
#[test]
#[ignore]
fn measure_round_trips() {
    let corpora = [
        ("fixtures", {
            let mut all = bodies(&Workspace::load("multilingual"));
            all.extend(bodies(&Workspace::load("sections-2.9")));
            all
        }),
        ("generated", bodies(&Workspace::load("generated"))),
    ];
    for (name, bodies) in &corpora {
        let (mut to_html, mut to_md) = (0, 0);
        for (_, body) in bodies {
            let converted = convert(body);
            let md = converted.markdown();
            let html = render(&md, &converted.dialect);
            let want = normalize_html(&sanitize_for_intercom(body));
            to_html += usize::from(normalize_html(&html) == want);
            to_md += usize::from(html_to_markdown(&html) == md);
        }
        let share = |n: usize| 100.0 * n as f64 / bodies.len() as f64;
        println!(
            "{name}: {} bodies; HTML->MD->HTML exact {:.2}%, MD->HTML->MD exact {:.2}%",
            bodies.len(),
            share(to_html),
            share(to_md)
        );
    }
    let articles = Workspace::generated(&GeneratedSpec {
        articles: 10_000,
        locales: vec!["en".to_owned()],
        seed: 11,
        ..GeneratedSpec::default()
    });
    let bodies: Vec<String> = articles
        .articles
        .iter()
        .map(|a| a["body"].as_str().unwrap_or_default().to_owned())
        .collect();
    let bytes: usize = bodies.iter().map(String::len).sum();
    let start = std::time::Instant::now();
    let converted: Vec<Converted> = bodies.iter().map(|b| convert(b)).collect();
    let to_md = start.elapsed();
    let start = std::time::Instant::now();
    let html: Vec<String> = converted
        .iter()
        .map(|c| render(&c.markdown(), &c.dialect))
        .collect();
    let to_html = start.elapsed();
    let start = std::time::Instant::now();
    let sanitized: Vec<String> = bodies.iter().map(|b| sanitize(b)).collect();
    let sanitize_only = start.elapsed();
    assert_eq!(html.len(), sanitized.len());
    println!(
        "10,000 articles ({:.1} MB of HTML), one thread: convert {:.2?}, render {:.2?} (sanitize alone {:.2?})",
        bytes as f64 / 1e6,
        to_md,
        to_html,
        sanitize_only
    );
}

/// Hostile nesting must not overflow the stack (which would abort the process). 1,000 levels
/// is about what the sanitiser itself survives on a test thread of an unoptimised build.
#[test]
fn deep_nesting_does_not_overflow() {
    let shapes = [
        ("<div>", "</div>"),
        ("<ul><li>", "</li></ul>"),
        ("<b>", "</b>"),
        ("<i>", "</i>"),
        ("<blockquote>", "</blockquote>"),
        (
            "<div class=\"intercom-interblocks-callout\"><p class=\"no-margin\">x</p>",
            "</div>",
        ),
    ];
    for (open, close) in shapes {
        let depth = 1000;
        let body = format!("{}x{}", open.repeat(depth), close.repeat(depth));
        assert!(round_trip_failure(&body).is_none(), "{open}");
    }
}
