//! Case tests for the sanitising policy.
//!
//! Every `tests/cases/sanitize/NN-name.input.html` is sanitised and compared exactly with
//! `NN-name.expected.html` (one trailing newline is ignored in both files, so editors can add
//! it). Cases named `NN-keep-*` are Intercom shapes that must come out unchanged: their expected
//! file must equal the input. Every expected output must also be a fixed point: sanitising it
//! again changes nothing.
//!
//! `UPDATE_EXPECTED=1 cargo test --test sanitize` rewrites the expected files from the current
//! output; review every changed file before committing it.

use helpcenter::html::sanitize;
use proptest::prelude::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const MIN_CASES: usize = 60;

struct Case {
    name: String,
    input: String,
    expected_path: PathBuf,
}

fn case_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/sanitize")
}

/// Reads a case file without its final newline.
fn read_case_file(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(text.strip_suffix('\n').unwrap_or(&text).to_owned())
}

fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = std::fs::read_dir(case_dir())
        .expect("case folder exists")
        .map(|e| e.expect("readable entry").path())
        .filter_map(|path| {
            let file = path.file_name()?.to_str()?;
            let name = file.strip_suffix(".input.html")?.to_owned();
            let input = read_case_file(&path).expect("readable input");
            let expected_path = path.with_file_name(format!("{name}.expected.html"));
            Some(Case {
                name,
                input,
                expected_path,
            })
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// Expected and actual side by side, line by line, with a caret under the first difference.
fn diff(expected: &str, actual: &str) -> String {
    let mut out = String::new();
    let (e_lines, a_lines): (Vec<_>, Vec<_>) =
        (expected.lines().collect(), actual.lines().collect());
    for i in 0..e_lines.len().max(a_lines.len()) {
        let (e, a) = (e_lines.get(i).copied(), a_lines.get(i).copied());
        if e == a {
            continue;
        }
        let e = e.unwrap_or("<missing line>");
        let a = a.unwrap_or("<missing line>");
        let col = e.chars().zip(a.chars()).take_while(|(x, y)| x == y).count();
        let _ = writeln!(
            out,
            "  line {}:\n  - {e}\n  + {a}\n    {}^",
            i + 1,
            " ".repeat(col)
        );
    }
    out
}

/// Checks one case; returns a readable failure, if any.
fn check(case: &Case, update: bool) -> Option<String> {
    let actual = sanitize(&case.input);
    if update {
        std::fs::write(&case.expected_path, format!("{actual}\n")).expect("writable expected file");
    }
    let Some(expected) = read_case_file(&case.expected_path) else {
        return Some(format!(
            "{}: missing {}",
            case.name,
            case.expected_path.display()
        ));
    };
    let mut problems = String::new();
    if actual != expected {
        let _ = write!(
            problems,
            "output differs from expected:\n{}",
            diff(&expected, &actual)
        );
    }
    if case.name.contains("-keep-") && expected != case.input {
        let _ = write!(
            problems,
            "keep case changes its input:\n{}",
            diff(&case.input, &expected)
        );
    }
    let again = sanitize(&expected);
    if again != expected {
        let _ = write!(
            problems,
            "expected output is not a fixed point:\n{}",
            diff(&expected, &again)
        );
    }
    (!problems.is_empty()).then(|| format!("{}: {problems}", case.name))
}

#[test]
fn sanitize_cases() {
    let update = std::env::var_os("UPDATE_EXPECTED").is_some_and(|v| v == "1");
    let cases = cases();
    assert!(cases.len() >= MIN_CASES, "only {} cases found", cases.len());
    let failures: Vec<String> = cases.iter().filter_map(|c| check(c, update)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Fragments that hostile bodies are made of; proptest glues them together at random.
const PIECES: &[&str] = &[
    "<p>",
    "</p>",
    "<div class=\"intercom-container x\">",
    "</div>",
    "<a href=\"",
    "\">",
    "</a>",
    "<img src=x onerror=alert(1)>",
    "<script>",
    "</script>",
    "<svg>",
    "</svg>",
    "<math>",
    "<mi>",
    "<style>",
    "</style>",
    "<noscript>",
    "</noscript>",
    "<iframe src=\"",
    "</iframe>",
    "<table>",
    "<td>",
    "<tr>",
    "</table>",
    "<template>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "\"",
    "'",
    ">",
    "<",
    "&",
    "&lt;",
    "&#106;avascript:",
    "javascript:alert(1)",
    "https://www.youtube.com/embed/x",
    "https://evil.test/",
    "#frag",
    " style=\"color: red; background: url(x)\"",
    " id=\"x\"",
    " onclick=\"y\"",
    "<textarea>",
    "</textarea>",
    "<select>",
    "<option>",
    "<form>",
    "<button>",
    "<details open ontoggle=alert(1)>",
    "<xmp>",
    "</xmp>",
    "<title>",
    "</title>",
    "text",
    "<foreignObject>",
    "<mglyph>",
    "<h2 id=\"h_1\">",
    "<br>",
    "<pre>",
    "<code>",
    "\n",
    " ",
];

/// Elements the policy may emit.
const ALLOWED_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "iframe",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Attributes the policy may emit, on any element.
const ALLOWED_ATTRIBUTES: &[&str] = &[
    "id",
    "class",
    "title",
    "lang",
    "dir",
    "href",
    "target",
    "rel",
    "src",
    "alt",
    "width",
    "height",
    "allow",
    "allowfullscreen",
    "frameborder",
    "hidden",
    "role",
    "colspan",
    "rowspan",
    "scope",
    "span",
    "start",
    "reversed",
    "type",
    "value",
    "open",
    "style",
];

/// Checks the tags of serialised output (always `<name attr="value">`, text `<` escaped),
/// skipping an iframe's raw-text content, which browsers never parse as markup.
fn unsafe_markup(html: &str) -> Option<String> {
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let end = tag_end(after)?;
        let tag = &after[..end];
        rest = &after[end + 1..];
        if tag.starts_with('/') {
            continue;
        }
        let name = tag.split([' ', '/']).next().unwrap_or("");
        if !ALLOWED_TAGS.contains(&name) {
            return Some(format!("element <{name}>"));
        }
        if let Some(problem) = unsafe_attributes(&tag[name.len()..]) {
            return Some(problem);
        }
        if name == "iframe" {
            rest = &rest[rest.find("</iframe>")?..];
        }
    }
    None
}

/// Index of the `>` closing a tag, ignoring `>` inside double-quoted values.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quoted = false;
    tag.char_indices().find_map(|(i, c)| {
        if c == '"' {
            quoted = !quoted;
        }
        (c == '>' && !quoted).then_some(i)
    })
}

fn unsafe_attributes(attrs: &str) -> Option<String> {
    let parts: Vec<&str> = attrs.split('"').collect();
    for pair in parts.chunks(2) {
        let name = pair[0].trim().trim_end_matches('=');
        let value = unescape(pair.get(1).copied().unwrap_or(""));
        if name.is_empty() {
            continue;
        }
        if !ALLOWED_ATTRIBUTES.contains(&name) {
            return Some(format!("attribute {name}"));
        }
        let bad = match name {
            "href" | "src" => !is_safe_url(&value),
            "style" => ["url(", "expression(", "\\", "@"]
                .iter()
                .any(|b| value.contains(b)),
            _ => false,
        };
        if bad {
            return Some(format!("{name}={value}"));
        }
    }
    None
}

/// Undoes the serialiser's attribute escaping.
fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// What a browser would resolve the value to is web, contact, raster data or page-relative.
fn is_safe_url(value: &str) -> bool {
    match url::Url::parse(value) {
        Ok(u) => match u.scheme() {
            "http" | "https" | "mailto" | "tel" => true,
            "data" => u.path().to_ascii_lowercase().starts_with("image/"),
            _ => false,
        },
        Err(e) => e == url::ParseError::RelativeUrlWithoutBase,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever goes in, every pass emits only allowed markup, and the output settles after a
    /// second pass. (Usually after the first: a second pass only changes trees that unwrapping
    /// an element left unparsable as serialised, such as `<h2><option><h2>`. A `<pre>` loses
    /// one leading newline per HTML parse, so it is exempt.)
    #[test]
    fn output_is_safe_and_settles(picks in prop::collection::vec(0..PIECES.len(), 0..40)) {
        let input: String = picks.iter().map(|&i| PIECES[i]).collect();
        let once = sanitize(&input);
        prop_assert_eq!(unsafe_markup(&once), None, "input: {}\noutput: {}", input, once);
        let twice = sanitize(&once);
        prop_assert_eq!(unsafe_markup(&twice), None, "input: {}\noutput: {}", input, twice);
        if !input.contains("<pre") {
            prop_assert_eq!(sanitize(&twice), twice.clone(), "input: {}", input);
        }
    }
}

#[test]
fn invariant_checker_catches_unsafe_markup() {
    assert_eq!(
        unsafe_markup(r#"<p title="a>b">x<a href="/y">z</a></p>"#),
        None
    );
    assert!(unsafe_markup(r#"<img src="x" onerror="alert(1)">"#).is_some());
    assert!(unsafe_markup(r#"<a href="JavaScript:alert(1)">"#).is_some());
    assert!(unsafe_markup("<script>alert(1)</script>").is_some());
    assert_eq!(unsafe_markup(r#"<iframe src="x"><script></iframe>"#), None);
    assert_eq!(unsafe_markup(r#"a onclick="y" b"#), None);
    assert_eq!(unsafe_markup(r#"<a href="&lt;p&gt;javascript:x">"#), None);
    assert!(
        unsafe_markup(r#"<a href=" java&#9;script:x">"#).is_none(),
        "entity text is literal"
    );
    assert!(unsafe_markup("<a href=\" java\tscript:x\">").is_some());
}

/// Every Intercom block shape in the fixture workspaces, as CSS selectors.
const INTERCOM_BLOCKS: &[&str] = &[
    "p.no-margin",
    "p.intercom-align-center",
    "p.intercom-align-right",
    "p.intercom-align-justify",
    "h1[id^=h_], h2[id^=h_], h3[id^=h_], h4[id^=h_]",
    "div.intercom-container > img[src][width][height]",
    "div.intercom-interblocks-callout[style]",
    "div.intercom-interblocks-table-container > table[role=presentation]",
    "td[style], th[style]",
    "div.intercom-h2b-video > iframe[src^='https://']",
    "a.intercom-h2b-button[href]",
    "details > summary",
    "pre > code",
    "hr",
    "blockquote",
    "ol li, ul li",
    "a[href^='https://help.example.com/']",
];

/// Article bodies of the fixture workspaces (every locale), minus the deliberately hostile one.
fn fixture_bodies() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workspaces");
    let mut bodies = Vec::new();
    for workspace in ["multilingual", "sections-2.9"] {
        let dir = root.join(workspace).join("articles");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let article: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            if article["title"].as_str().unwrap_or("").contains("<script>") {
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            for (locale, content) in article["translated_content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                if let Some(body) = content["body"].as_str() {
                    bodies.push((format!("{workspace}/{name} [{locale}]"), body.to_string()));
                }
            }
        }
    }
    bodies
}

/// What a selector finds, as the outer HTML of each match minus `rel`/`target` (which the
/// policy sets itself) and with attributes in a fixed order.
fn matches(html: &str, selector: &str) -> Vec<String> {
    let fragment = scraper::Html::parse_fragment(html);
    let selector = scraper::Selector::parse(selector).unwrap();
    fragment
        .select(&selector)
        .map(|element| {
            let mut attrs: Vec<String> = element
                .value()
                .attrs()
                .filter(|(name, _)| !matches!(*name, "rel" | "target"))
                .map(|(name, value)| format!("{name}={value:?}"))
                .collect();
            attrs.sort();
            format!(
                "<{} {}>{}",
                element.value().name(),
                attrs.join(" "),
                element.text().collect::<String>()
            )
        })
        .collect()
}

#[test]
fn every_intercom_block_of_the_fixtures_comes_out_intact() {
    let bodies = fixture_bodies();
    assert!(bodies.len() > 40, "only {} fixture bodies", bodies.len());
    let mut seen = vec![0usize; INTERCOM_BLOCKS.len()];
    for (name, body) in &bodies {
        let clean = sanitize(body);
        for (i, selector) in INTERCOM_BLOCKS.iter().enumerate() {
            let before = matches(body, selector);
            seen[i] += before.len();
            assert_eq!(matches(&clean, selector), before, "{name}: {selector}");
        }
    }
    for (selector, count) in INTERCOM_BLOCKS.iter().zip(seen) {
        assert!(
            count > 0,
            "no fixture body has {selector}: the test would prove nothing"
        );
    }
}
