//! The one ammonia policy, and the per-call state its attribute filter needs.
//!
//! ammonia's `attribute_filter` is a `'static` callback fixed when the builder is built, yet
//! link rewriting depends on the page being rendered. The builder is therefore built once and
//! the page (link map, locale, depth) is put in a thread-local for the duration of one
//! `clean` call: ammonia cleans synchronously on the calling thread, so every callback of that
//! call sees exactly that page's state.
//!
//! Two decisions need to see more than one attribute of an element, and ammonia filters one
//! attribute at a time. Both rely on an attribute that ammonia itself appends *after* the
//! element's own attributes, so the filter sees it last:
//! - `a`: `link_rel` appends `rel` to every link. The filter remembers whether `href` was
//!   external and turns that `rel` into `noopener noreferrer` or drops it.
//! - `iframe`: a `hidden` attribute is set on every iframe. The filter remembers whether `src`
//!   was an allowed video embed and drops `hidden` if so. ammonia cannot remove an element
//!   based on an attribute value, so a rejected iframe leaves the pass marked (no `src`,
//!   `hidden`), and a DOM pass then removes it with its content.
//!
//! The case tests pin this ordering; an ammonia upgrade that changed it would fail them.
//!
//! A second builder, [`Output::Intercom`], applies the same allowlist without the decorations a
//! site page needs: no `rel` decided from `href` (the input's `rel` is kept), no `h_` prefix on
//! ids and `#fragment` links. It is what the Markdown tree and `push` hold: Intercom's own
//! markup, minus anything unsafe.
//!
//! ammonia removes the attributes the filter rejects with `swap_remove`, which moves the last
//! attribute (possibly a marker) into the gap. Such output would change again on a second
//! pass, so whenever the filter rejected an attribute the output is cleaned once more: the
//! second pass rejects nothing, so its output is a fixed point (`sanitize` is idempotent,
//! which lets push compare sanitised bodies byte for byte).

use super::handlers::{on_element, on_text, selector};
use super::links::{up_prefix, Dep, LinkMap};
use super::style::filter_style;
use super::urls::{classify, is_raster_data_url, is_video_embed, Target};
use ammonia::{Builder, UrlRelative};
use lol_html::html_content::ContentType;
use lol_html::{rewrite_str, EndTagHandler, RewriteStrSettings};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::LazyLock;

/// Prefix given to every element `id` that lacks it. Intercom's heading anchors (`h_...`)
/// already have it, so they survive unchanged; other ids cannot clobber the page's globals.
pub(crate) const ID_PREFIX: &str = "h_";

/// The `rel` given to links that leave the help center.
const EXTERNAL_REL: &str = "noopener noreferrer";

/// Attribute ammonia sets on every iframe; the filter keeps it only on rejected ones.
const IFRAME_MARKER: &str = "hidden";

/// Elements kept (with the attributes of [`tag_attributes`]).
const TAGS: &[&str] = &[
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

/// Elements removed together with everything inside them: their content is code, markup of
/// another language, or form/embedding machinery, never article text. Other unknown elements
/// (`form`, `button`, `font`, `section`, ...) are unwrapped: they go, their text stays.
const DROP_WITH_CONTENT: &[&str] = &[
    "script", "style", "svg", "math", "template", "noscript", "textarea", "select", "title",
    "noembed", "noframes", "object", "embed", "applet", "frameset", "frame", "head", "base",
    "meta", "link", "param",
];

/// Attributes every kept element may carry.
const GENERIC_ATTRIBUTES: &[&str] = &["id", "class", "title", "lang", "dir"];

/// Elements on which Intercom's callouts and tables put inline styles.
const STYLED: &[&str] = &[
    "div", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "col", "colgroup", "caption",
];

/// Schemes ammonia lets through to the filter; `data:` is narrowed there to raster images.
const URL_SCHEMES: &[&str] = &["http", "https", "mailto", "tel", "data"];

/// Features an embedded player may ask for; nothing that reaches camera, microphone or location.
const IFRAME_FEATURES: &[&str] = &[
    "accelerometer",
    "autoplay",
    "clipboard-write",
    "encrypted-media",
    "fullscreen",
    "gyroscope",
    "picture-in-picture",
    "web-share",
];

/// Per-element attributes beyond [`GENERIC_ATTRIBUTES`].
fn tag_attributes() -> HashMap<&'static str, HashSet<&'static str>> {
    let mut map: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut add = |tag, attrs: &[&'static str]| map.entry(tag).or_default().extend(attrs);
    add("a", &["href", "target"]);
    add("img", &["src", "alt", "width", "height"]);
    add(
        "iframe",
        &[
            "src",
            "width",
            "height",
            "allow",
            "allowfullscreen",
            "frameborder",
        ],
    );
    add("table", &["role", "width", "height"]);
    add("td", &["colspan", "rowspan", "width", "height"]);
    add("th", &["colspan", "rowspan", "width", "height", "scope"]);
    add("col", &["span", "width"]);
    add("colgroup", &["span", "width"]);
    add("ol", &["start", "reversed", "type"]);
    add("li", &["value"]);
    add("details", &["open"]);
    for tag in STYLED {
        add(tag, &["style"]);
    }
    map
}

/// What the output is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    /// A site page: `rel` decided by the policy, ids and fragments prefixed, links rewritten.
    Site,
    /// Intercom's markup as it is, minus anything unsafe (the tree and push).
    Intercom,
}

/// The site's builder, built once and shared by every thread.
static BUILDER: LazyLock<Builder<'static>> = LazyLock::new(|| build(Output::Site));
/// The builder of [`Output::Intercom`].
static INTERCOM_BUILDER: LazyLock<Builder<'static>> = LazyLock::new(|| build(Output::Intercom));

fn build(output: Output) -> Builder<'static> {
    let mut attributes = tag_attributes();
    if output == Output::Intercom {
        attributes.entry("a").or_default().insert("rel");
    }
    let site = output == Output::Site;
    let mut b = Builder::default();
    b.tags(TAGS.iter().copied().collect())
        .clean_content_tags(DROP_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(attributes)
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .url_relative(UrlRelative::PassThrough)
        .link_rel(site.then_some(EXTERNAL_REL))
        .id_prefix(site.then_some(ID_PREFIX))
        .strip_comments(true)
        .set_tag_attribute_value("iframe", IFRAME_MARKER, "")
        .attribute_filter(filter);
    b
}

/// The page a body is being cleaned for, plus the cross-attribute memory of the filter.
struct State {
    output: Output,
    links: LinkMap,
    page_locale: String,
    up: String,
    external_link: Cell<bool>,
    iframe_allowed: Cell<bool>,
    /// The filter rejected an attribute, so the output needs a normalising second pass.
    rejected: Cell<bool>,
    /// An iframe lost its `src`: it must then be removed, with what is inside it.
    iframe_rejected: Cell<bool>,
    deps: RefCell<Vec<Dep>>,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// Clears the thread-local even if ammonia panics, so no state leaks into the next call.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        STATE.with(|s| s.borrow_mut().take());
    }
}

/// True when `html` is text that the policy returns exactly as it is, so it need not be parsed:
/// no markup (`<`, `>`), no character reference (`&`), and none of the characters the parser or
/// the serialiser rewrite (NUL is dropped, CR becomes LF, a leading U+FEFF is discarded, U+00A0
/// is written `&nbsp;`). Most descriptions are such text.
pub(crate) fn is_plain_text(html: &str) -> bool {
    !html
        .bytes()
        .any(|b| matches!(b, b'<' | b'>' | b'&' | b'\0' | b'\r'))
        && !html.contains(['\u{a0}', '\u{feff}'])
}

/// Cleans `html` for the page at `page_site_path`; also returns the link lookups it made.
pub(crate) fn clean(
    html: &str,
    links: &LinkMap,
    page_locale: &str,
    page_site_path: &str,
) -> (String, Vec<Dep>) {
    if is_plain_text(html) {
        return (html.to_owned(), Vec::new());
    }
    clean_markup(html, links, page_locale, page_site_path, Output::Site)
}

/// Cleans `html` for [`Output::Intercom`].
pub(crate) fn clean_for_intercom(html: &str) -> String {
    if is_plain_text(html) {
        return html.to_owned();
    }
    clean_markup(html, &LinkMap::default(), "", "/", Output::Intercom).0
}

/// [`clean`] through ammonia.
fn clean_markup(
    html: &str,
    links: &LinkMap,
    page_locale: &str,
    page_site_path: &str,
    output: Output,
) -> (String, Vec<Dep>) {
    let state = State {
        output,
        links: links.clone(),
        page_locale: page_locale.to_owned(),
        up: up_prefix(page_site_path),
        external_link: Cell::new(false),
        iframe_allowed: Cell::new(false),
        rejected: Cell::new(false),
        iframe_rejected: Cell::new(false),
        deps: RefCell::new(Vec::new()),
    };
    STATE.with(|s| *s.borrow_mut() = Some(state));
    let _guard = Installed;
    let builder = match output {
        Output::Site => &*BUILDER,
        Output::Intercom => &*INTERCOM_BUILDER,
    };
    let run = |html: &str| run(builder, html);
    let first = run(html);
    let (deps, rejected) = STATE.with(|s| {
        let s = s.borrow();
        let st = s.as_ref().expect("installed above");
        (st.deps.take(), st.rejected.get())
    });
    let out = if rejected { run(&first) } else { first };
    let iframe_rejected = STATE.with(|s| {
        s.borrow()
            .as_ref()
            .is_some_and(|st| st.iframe_rejected.get())
    });
    let out = if iframe_rejected {
        remove_marked_iframes(&out)
    } else {
        out
    };
    (out, deps)
}

/// Removes the iframes the policy disarmed (marked `hidden`, no `src`), content and all.
///
/// ammonia decides attribute by attribute and cannot drop an element for the value of one, so
/// rejected iframes leave the ammonia pass empty and marked; this second DOM pass (html5ever,
/// through scraper) takes them out. It runs only for bodies that had such an iframe.
fn remove_marked_iframes(html: &str) -> String {
    static MARKED: LazyLock<scraper::Selector> = LazyLock::new(|| {
        scraper::Selector::parse(&format!("iframe[{IFRAME_MARKER}]"))
            .expect("the selector is valid")
    });
    let mut fragment = scraper::Html::parse_fragment(html);
    let marked: Vec<_> = fragment.select(&MARKED).map(|e| e.id()).collect();
    for id in marked {
        if let Some(mut node) = fragment.tree.get_mut(id) {
            node.detach();
        }
    }
    with_pre_newlines(fragment.root_element().inner_html())
}

/// One ammonia pass with a shared builder.
fn run(builder: &Builder<'static>, html: &str) -> String {
    let mut out = Vec::with_capacity(html.len() + html.len() / 8);
    builder
        .clean(html)
        .write_to(&mut out)
        .expect("writing to a Vec cannot fail");
    with_pre_newlines(String::from_utf8(out).expect("html5ever serialises UTF-8"))
}

/// html5ever's serialisation, with the newline HTML's own serialisation writes after a `<pre>`
/// tag whose text starts with one. The parser drops a newline right after `<pre>`, and
/// html5ever does not write that extra one, so without it every pass would lose a leading
/// blank line of preformatted text (`<pre>\n\nx</pre>` would become `<pre>\nx</pre>`, which
/// is `x`). Only bodies that may hold such a `pre` are read again (see [`may_lose_pre_newline`]).
fn with_pre_newlines(html: String) -> String {
    if !may_lose_pre_newline(&html) {
        return html;
    }
    add_pre_newlines(html)
}

/// The pass of [`with_pre_newlines`], on any HTML.
fn add_pre_newlines(html: String) -> String {
    // Whether the last tag read is a `pre` start tag, with no text since.
    let at_start = Rc::new(Cell::new(false));
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(on_element(selector!("*"), |el| {
            let pre = el.tag_name() == "pre";
            at_start.set(pre);
            if pre {
                let at_start = Rc::clone(&at_start);
                let at_end: EndTagHandler<'static> = Box::new(move |_| {
                    at_start.set(false);
                    Ok(())
                });
                el.on_end_tag(at_end)?;
            }
            Ok(())
        }))
        .append_element_content_handler(on_text(selector!("pre"), |chunk| {
            if at_start.get() && !chunk.as_str().is_empty() {
                if chunk.as_str().starts_with('\n') {
                    chunk.before("\n", ContentType::Html);
                }
                at_start.set(false);
            }
            Ok(())
        }));
    // html5ever's own output always tokenises; were it not to, it is kept as it is.
    rewrite_str(&html, settings).unwrap_or(html)
}

/// Whether [`with_pre_newlines`] could add anything to `html`: it adds a newline only where a
/// `pre` start tag (which starts with `<pre` and ends with `>`) is followed by one, so HTML
/// without a `>` and a newline after its first `<pre` is left as it is. Most bodies with code
/// blocks have none: their text does not start on the tag's line.
fn may_lose_pre_newline(html: &str) -> bool {
    html.find("<pre")
        .is_some_and(|start| html[start..].contains(">\n"))
}

/// ammonia's attribute callback: `None` drops the attribute, `Some` keeps or replaces it.
fn filter<'u>(element: &str, attr: &str, value: &'u str) -> Option<Cow<'u, str>> {
    let kept = decide(element, attr, value);
    let marker = match (element, attr) {
        ("a", "rel") => current_output() == Output::Site,
        ("iframe", IFRAME_MARKER) => true,
        _ => false,
    };
    if kept.is_none() && !marker {
        STATE.with(|s| s.borrow().as_ref().map(|st| st.rejected.set(true)));
    }
    kept
}

/// The per-attribute decision of [`filter`].
fn decide<'u>(element: &str, attr: &str, value: &'u str) -> Option<Cow<'u, str>> {
    match (element, attr) {
        ("a", "href") => with_state(|s| s.href(value)),
        ("a", "rel") => with_state(|s| s.rel(value)),
        ("a", "target") => value
            .eq_ignore_ascii_case("_blank")
            .then_some(Cow::Borrowed("_blank")),
        ("img", "src") => image_src(value),
        ("iframe", "src") => with_state(|s| s.iframe_src(value)),
        ("iframe", IFRAME_MARKER) => with_state(|s| s.iframe_marker()),
        ("iframe", "allow") => iframe_allow(value),
        ("table", "role") => value
            .eq_ignore_ascii_case("presentation")
            .then_some(Cow::Borrowed("presentation")),
        (_, "style") => filter_style(value),
        (_, "class") => filter_classes(element, value),
        (_, "dir") => ["ltr", "rtl", "auto"]
            .into_iter()
            .find(|d| value.eq_ignore_ascii_case(d))
            .map(Cow::Borrowed),
        _ => Some(Cow::Borrowed(value)),
    }
}

/// What the current call cleans for.
fn current_output() -> Output {
    STATE.with(|s| s.borrow().as_ref().map_or(Output::Site, |st| st.output))
}

/// Runs `f` with the current call's state; without one (impossible through [`clean`]) the
/// attribute is dropped, the safe answer.
fn with_state<'u>(f: impl FnOnce(&State) -> Option<Cow<'u, str>>) -> Option<Cow<'u, str>> {
    STATE.with(|s| s.borrow().as_ref().and_then(f))
}

impl State {
    /// Keeps safe link targets, rewrites help-center links, and notes if the link leaves.
    fn href<'u>(&self, value: &'u str) -> Option<Cow<'u, str>> {
        if self.output == Output::Intercom {
            return match classify(value) {
                Target::Data(_) | Target::Denied => None,
                _ => Some(Cow::Borrowed(value)),
            };
        }
        match classify(value) {
            Target::Web(url)
                if url
                    .host_str()
                    .is_some_and(|h| self.links.is_help_center_host(h)) =>
            {
                Some(self.rewrite(&url).map_or(Cow::Borrowed(value), Cow::Owned))
            }
            Target::Web(_) => {
                self.external_link.set(true);
                Some(Cow::Borrowed(value))
            }
            Target::Relative => Some(same_page_fragment(value)),
            Target::Contact => Some(Cow::Borrowed(value)),
            Target::Data(_) | Target::Denied => None,
        }
    }

    fn rewrite(&self, url: &url::Url) -> Option<String> {
        let mut deps = self.deps.borrow_mut();
        self.links
            .rewrite_url(url, &self.page_locale, &self.up, &mut |d| deps.push(d))
    }

    /// On a site page, the `rel` ammonia appended after the link's other attributes: only
    /// external links keep it. For Intercom, the link's own `rel`.
    fn rel<'u>(&self, value: &'u str) -> Option<Cow<'u, str>> {
        if self.output == Output::Intercom {
            return Some(Cow::Borrowed(value));
        }
        self.external_link
            .replace(false)
            .then_some(Cow::Borrowed(EXTERNAL_REL))
    }

    fn iframe_src<'u>(&self, value: &'u str) -> Option<Cow<'u, str>> {
        let allowed = is_video_embed(value);
        self.iframe_allowed.set(allowed);
        allowed.then_some(Cow::Borrowed(value))
    }

    /// The marker ammonia set after the iframe's other attributes: kept only when `src` was not.
    fn iframe_marker<'u>(&self) -> Option<Cow<'u, str>> {
        let rejected = !self.iframe_allowed.replace(false);
        if rejected {
            self.iframe_rejected.set(true);
        }
        rejected.then_some(Cow::Borrowed(""))
    }
}

/// Images: http(s), relative, or inline raster data.
fn image_src(value: &str) -> Option<Cow<'_, str>> {
    let ok = match classify(value) {
        Target::Web(_) | Target::Relative => true,
        Target::Data(url) => is_raster_data_url(&url),
        Target::Contact | Target::Denied => false,
    };
    ok.then_some(Cow::Borrowed(value))
}

/// `#anchor` links follow the ids they point at, which the policy prefixes.
fn same_page_fragment(value: &str) -> Cow<'_, str> {
    match value.strip_prefix('#') {
        Some(fragment) => match map_fragment(fragment) {
            Cow::Borrowed(_) => Cow::Borrowed(value),
            Cow::Owned(f) => Cow::Owned(format!("#{f}")),
        },
        None => Cow::Borrowed(value),
    }
}

/// The fragment that reaches an element whose id went through the policy. Empty and `top`
/// (which browsers scroll to the top for) are left alone.
pub(crate) fn map_fragment(fragment: &str) -> Cow<'_, str> {
    if fragment.is_empty()
        || fragment.starts_with(ID_PREFIX)
        || fragment.eq_ignore_ascii_case("top")
    {
        Cow::Borrowed(fragment)
    } else {
        Cow::Owned(format!("{ID_PREFIX}{fragment}"))
    }
}

/// Keeps Intercom's classes (`intercom-*`, `no-margin`) and, on code, Markdown's `language-*`.
fn filter_classes<'u>(element: &str, value: &'u str) -> Option<Cow<'u, str>> {
    let keep = |c: &&str| is_intercom_class(c) || (element == "code" && is_language_class(c));
    // Decided without collecting first: nearly every class attribute is kept whole.
    let mut classes = value.split_ascii_whitespace();
    if !classes.clone().any(|c| keep(&c)) {
        None
    } else if classes.all(|c| keep(&c)) {
        Some(Cow::Borrowed(value))
    } else {
        let kept: Vec<&str> = value.split_ascii_whitespace().filter(keep).collect();
        Some(Cow::Owned(kept.join(" ")))
    }
}

fn is_intercom_class(class: &str) -> bool {
    class == "no-margin"
        || class.strip_prefix("intercom-").is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

fn is_language_class(class: &str) -> bool {
    class.strip_prefix("language-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'#' | b'.'))
    })
}

/// Keeps the `allow` directives whose feature is harmless for a video player.
fn iframe_allow(value: &str) -> Option<Cow<'_, str>> {
    let directives: Vec<&str> = value
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    let allowed = |d: &&str| {
        let feature = d.split_ascii_whitespace().next().unwrap_or("");
        IFRAME_FEATURES
            .iter()
            .any(|f| f.eq_ignore_ascii_case(feature))
    };
    let kept: Vec<&str> = directives.iter().copied().filter(allowed).collect();
    if kept.is_empty() {
        None
    } else if kept.len() == directives.len() {
        Some(Cow::Borrowed(value))
    } else {
        Some(Cow::Owned(kept.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through_ammonia(text: &str) -> String {
        clean_markup(text, &LinkMap::default(), "", "/", Output::Site).0
    }

    #[test]
    fn intercom_output_keeps_rel_ids_and_fragments_and_drops_the_unsafe() {
        let html = concat!(
            r#"<h2 id="setup">Set up</h2><p class="no-margin lead" onclick="x()">"#,
            r#"<a href="https://x.test/" target="_blank" rel="nofollow noopener noreferrer">a</a>"#,
            r##"<a href="#setup">b</a><a href="javascript:alert(1)">c</a></p><script>x()</script>"##,
        );
        assert_eq!(
            clean_for_intercom(html),
            concat!(
                r#"<h2 id="setup">Set up</h2><p class="no-margin">"#,
                r#"<a href="https://x.test/" target="_blank" rel="nofollow noopener noreferrer">a</a>"#,
                r##"<a href="#setup">b</a><a>c</a></p>"##,
            )
        );
        assert_eq!(
            through_ammonia(html),
            concat!(
                r#"<h2 id="h_setup">Set up</h2><p class="no-margin">"#,
                r#"<a href="https://x.test/" target="_blank" rel="noopener noreferrer">a</a>"#,
                r##"<a href="#h_setup">b</a><a>c</a></p>"##,
            )
        );
    }

    #[test]
    fn plain_text_is_what_ammonia_returns_unchanged() {
        for text in [
            "Set up your account.",
            "",
            "  \t\n x  ",
            "日本語 · é",
            "a\u{c}b",
        ] {
            assert!(is_plain_text(text), "{text:?}");
            assert_eq!(through_ammonia(text), text);
        }
        for text in [
            "a < b",
            "a > b",
            "AT&T",
            "a\0b",
            "a\r\nb",
            "a\u{a0}b",
            "\u{feff}a",
        ] {
            assert!(!is_plain_text(text), "{text:?}");
            assert_ne!(through_ammonia(text), text, "ammonia changes {text:?}");
        }
    }

    #[test]
    fn bodies_without_a_newline_after_a_pre_tag_are_not_read_again() {
        for html in [
            "<p>x</p>\n<p>y</p>",
            "<pre>x</pre> \n<p>y</p>",
            "<pre>x\ny</pre><p>z</p>",
        ] {
            assert!(!may_lose_pre_newline(html), "{html:?}");
        }
        for html in [
            "<pre>\nx</pre>",
            "<pre title=\"a>b\">\nx</pre>",
            // Any `>` then a newline counts: only a parser would know which tag it ends.
            "<pre>x</pre><b>\n</b>",
            "<pre>x</pre>\n",
        ] {
            assert!(may_lose_pre_newline(html), "{html:?}");
        }
    }

    /// Serialised markup around `pre` tags: start tags with `>` in an attribute, other tags
    /// and text with and without newlines.
    fn markup_around_pre() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        let pieces = [
            "<pre>",
            "<pre title=\">\">",
            "<pre title=\"\n\">",
            "</pre>",
            "<b>",
            "</b>",
            "<br>",
            "\n",
            "x",
            ">",
            "&gt;",
        ];
        proptest::collection::vec(proptest::sample::select(pieces.to_vec()), 0..12)
            .prop_map(|pieces| pieces.concat())
    }

    proptest::proptest! {
        #[test]
        fn html_the_newline_pass_would_change_is_always_read_again(html in markup_around_pre()) {
            if !may_lose_pre_newline(&html) {
                proptest::prop_assert_eq!(add_pre_newlines(html.clone()), html);
            }
        }

        #[test]
        fn plain_text_needs_no_ammonia(
            text in "[ -~\\x00-\\x1f\\x7f-\\u{a1}\\u{feff}\\u{fffd}\\u{10ffff}é日]{0,24}"
        ) {
            if is_plain_text(&text) {
                proptest::prop_assert_eq!(through_ammonia(&text), text);
            }
        }

        #[test]
        fn any_plain_string_needs_no_ammonia(text in proptest::prelude::any::<String>()) {
            if is_plain_text(&text) {
                proptest::prop_assert_eq!(through_ammonia(&text), text);
            }
        }
    }
}
