//! What an article page does to its (already sanitised) body before placing it, in one
//! streaming pass (lol_html rewrites in place; nothing is re-serialised):
//!
//! - Headings: the page's title is its only `<h1>`, so a body that uses `<h1>` has every heading
//!   moved one level down (`h1`→`h2`, ..., `h6` stays). Its h1–h3 headings (levels as the writer
//!   chose them) make the table of contents; Intercom's ids (`h_...`) are kept, so links to them
//!   keep working, and a heading without an id gets a stable one from its text (`h_` + slug,
//!   numbered when two headings share it), which needs a second pass over such bodies only.
//! - Images keep their alt text; an image without one gets `alt=""` (screen readers then skip it
//!   instead of reading its file name).
//! - Inline colours stay readable in light and dark mode: an element with its own background
//!   (Intercom's light table cells and callouts) gets the ink that reads on it (`hc-ink-dark` or
//!   `hc-ink-light`, whatever the page's scheme); a translucent background is painted over
//!   the light page it was chosen on, so it is the same colour in both schemes; an inline text
//!   colour that cannot be read on its known background is dropped, and one on the page itself
//!   that cannot be read in one scheme is marked for it (`hc-fix-light`, `hc-fix-dark`).
//! - The first image's URL is kept for the page's share metadata.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use lol_html::html_content::Element;
use lol_html::RewriteStrSettings;
use serde::{Deserialize, Serialize};

use super::colors::{Rgba, AA_TEXT, DARK_PAGE, LIGHT_PAGE};
use crate::html::{decode_text, on_element, on_text, selector, ElementHandler, TextReader};
use crate::model::slug::slugify;

/// The fewest headings for which a table of contents is worth showing.
pub const MIN_TOC_HEADINGS: usize = 3;

/// A heading of the body, for the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heading {
    /// 1 for the body's top level of headings, 2 and 3 below it.
    pub level: u8,
    /// The heading's id, for `#` links.
    pub id: String,
    /// Its text, whitespace collapsed.
    pub text: String,
}

/// An article body ready to place in its page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Body {
    /// The HTML.
    pub html: String,
    /// Its h1–h3 headings with text, in order.
    pub headings: Vec<Heading>,
    /// The URL of its first image, as written in the body.
    pub first_image: Option<String>,
}

impl Body {
    /// The table of contents: the headings, when there are enough of them.
    pub fn toc(&self) -> &[Heading] {
        toc(&self.headings)
    }
}

/// The table of contents of a body with `headings`: all of them, or none when they are fewer
/// than [`MIN_TOC_HEADINGS`].
pub fn toc(headings: &[Heading]) -> &[Heading] {
    if headings.len() >= MIN_TOC_HEADINGS {
        headings
    } else {
        &[]
    }
}

/// Everything an article page makes of its sanitised body: the page's form of it, its
/// Markdown (for `index.md`) and its visible text (for the search index and a missing
/// description). It depends on the sanitised body alone, so it is cached by it: an unchanged
/// article costs a lookup, not three HTML passes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Derived {
    /// The body as the page places it.
    pub body: Body,
    /// The sanitised body as Markdown.
    pub markdown: String,
    /// The visible text of [`Derived::body`].
    pub text: String,
}

/// Names the derivation in the cache; change it whenever [`derive`] (or what it calls: this
/// module, the Markdown writer, the text extractor) makes something else of the same body.
const DERIVED_KIND: &str = concat!("site-body/1/", env!("CARGO_PKG_VERSION"));

/// [`Derived`] of a sanitised body, through `cache`.
pub fn derive(cleaned: &str, cache: &crate::html::BodyCache) -> Derived {
    let mut computed = None;
    let encoded = cache.derived(DERIVED_KIND, cleaned, |cleaned| {
        let derived = derive_uncached(cleaned);
        let encoded = serde_json::to_string(&derived).expect("strings serialise");
        computed = Some(derived);
        encoded
    });
    // A miss has the value at hand: decoding what was just encoded would only copy it.
    if let Some(derived) = computed {
        return derived;
    }
    // A cache entry that does not parse (written by another version under the same name, or
    // damaged) is only a miss.
    serde_json::from_str(&encoded).unwrap_or_else(|_| derive_uncached(cleaned))
}

/// [`Derived`] of a sanitised body, computed.
pub fn derive_uncached(cleaned: &str) -> Derived {
    let markdown = crate::markdown::site_html_to_markdown_copy(cleaned);
    let (body, text) = prepare_and_read(cleaned.to_string());
    Derived {
        body,
        markdown,
        text,
    }
}

/// A heading as the pass finds it: its level as written, and its id if it has one.
struct Found {
    level: u8,
    id: Option<String>,
    text: String,
}

/// What the pass learns (attribute values decoded), shared with the end-tag handlers (which lol_html wants `'static`).
#[derive(Default)]
struct State {
    headings: Vec<Found>,
    /// The heading whose text is being read.
    open: Option<usize>,
    ids: HashSet<String>,
    first_image: Option<String>,
    /// The opaque backgrounds of the open elements that set one, innermost last.
    backgrounds: Vec<Rgba>,
}

type Shared = Rc<RefCell<State>>;

/// Prepares a sanitised body for its page (see the module docs).
pub fn prepare(html: String) -> Body {
    prepared(html, false).0
}

/// [`prepare`], and the visible text of the prepared body ([`crate::html::text_of`]), read in
/// the same pass where there is one.
pub fn prepare_and_read(html: String) -> (Body, String) {
    let (body, text) = prepared(html, true);
    let text = text.unwrap_or_else(|| crate::html::text_of(&body.html));
    (body, text)
}

/// [`prepare`]; with `read`, also the text of the body when the pass ran to its end. The text
/// is the prepared body's: its handlers come after the preparing ones, so they see an image
/// once it has its `alt`; nothing else the pass changes (tag names of headings, attributes)
/// changes the text.
fn prepared(html: String, read: bool) -> (Body, Option<String>) {
    // Most bodies have something to do, but plain text and bare paragraphs are left unparsed.
    if !(html.contains("<h") || html.contains("<img") || html.contains("style=")) {
        let body = Body {
            html,
            ..Body::default()
        };
        return (body, None);
    }
    let demote = html.contains("<h1");
    let state: Shared = Rc::default();
    let handlers = vec![
        on_element(selector!("h1, h2, h3, h4, h5, h6"), |el| {
            heading(el, demote, &state)
        }),
        on_text(selector!("h1, h2, h3"), |chunk| {
            let mut s = state.borrow_mut();
            if let Some(open) = s.open {
                s.headings[open].text.push_str(chunk.as_str());
            }
            Ok(())
        }),
        on_element(selector!("[id]"), |el| {
            if let Some(id) = el.get_attribute("id") {
                state.borrow_mut().ids.insert(decode_text(&id));
            }
            Ok(())
        }),
        on_element(selector!("img"), |el| {
            if !el.has_attribute("alt") {
                el.set_attribute("alt", "")?;
            }
            let mut s = state.borrow_mut();
            if s.first_image.is_none() {
                s.first_image = el.get_attribute("src").map(|src| decode_text(&src));
            }
            Ok(())
        }),
        on_element(selector!("[style]"), |el| colours(el, &state)),
    ];
    let reader = read.then(|| TextReader::new(html.len()));
    let Some(mut out) = rewrite(&html, handlers, reader.as_ref()) else {
        let body = Body {
            html,
            ..Body::default()
        };
        return (body, None);
    };
    let state = Rc::try_unwrap(state).map_or_else(|rc| rc.take(), RefCell::into_inner);
    let (headings, missing) = name_headings(state.headings, state.ids);
    if !missing.is_empty() {
        out = add_heading_ids(out, demote, &missing);
    }
    let body = Body {
        html: out,
        headings,
        first_image: state.first_image,
    };
    (body, reader.map(TextReader::finish))
}

type Handlers<'h> = Vec<ElementHandler<'h>>;

/// Runs `handlers` over `html`, then `reader`'s, if any.
fn rewrite(html: &str, handlers: Handlers<'_>, reader: Option<&TextReader>) -> Option<String> {
    let reading = reader.map(|r| (r.element_handlers(), r.text_handler()));
    let (read_elements, read_text) = match reading {
        Some((elements, text)) => (elements, Some(text)),
        None => (Vec::new(), None),
    };
    let mut settings = (handlers.into_iter())
        .chain(read_elements)
        .fold(RewriteStrSettings::new(), |settings, handler| {
            settings.append_element_content_handler(handler)
        });
    if let Some(text) = read_text {
        settings = settings.append_document_content_handler(text);
    }
    match lol_html::rewrite_str(html, settings) {
        Ok(out) => Some(out),
        Err(e) => {
            // Sanitised HTML always parses; should it not, the body is shown as it is.
            tracing::debug!(error = %e, "could not prepare an article body; left as it is");
            None
        }
    }
}

fn heading(el: &mut Element, demote: bool, state: &Shared) -> lol_html::HandlerResult {
    let level = el
        .tag_name()
        .as_bytes()
        .get(1)
        .map_or(6, |digit| digit.saturating_sub(b'0'));
    if demote {
        el.set_tag_name(&format!("h{}", (level + 1).min(6)))?;
    }
    if level <= 3 {
        let mut s = state.borrow_mut();
        s.headings.push(Found {
            level,
            id: el
                .get_attribute("id")
                .map(|id| decode_text(&id))
                .filter(|id| !id.is_empty()),
            text: String::new(),
        });
        s.open = Some(s.headings.len() - 1);
        let state = Rc::clone(state);
        el.on_end_tag(Box::new(move |_| {
            state.borrow_mut().open = None;
            Ok(())
        }))?;
    }
    Ok(())
}

/// Gives every heading an id (its own, or one made from its text that no other element of the
/// body has) and its text; returns the headings with text, and the ids to add, in order of
/// the headings (`None` for those that have one).
fn name_headings(
    found: Vec<Found>,
    mut ids: HashSet<String>,
) -> (Vec<Heading>, Vec<Option<String>>) {
    let top = found.iter().map(|h| h.level).min().unwrap_or(1);
    let mut headings = Vec::new();
    let mut missing = Vec::new();
    let any_missing = found.iter().any(|h| h.id.is_none());
    for heading in found {
        let text = collapse(&decode_text(&heading.text));
        let id = match heading.id {
            Some(id) => {
                missing.push(None);
                id
            }
            None => {
                let id = unique_id(&text, &mut ids);
                missing.push(Some(id.clone()));
                id
            }
        };
        if !text.is_empty() {
            headings.push(Heading {
                level: heading.level - top + 1,
                id,
                text,
            });
        }
    }
    if !any_missing {
        missing.clear();
    }
    (headings, missing)
}

/// `h_<slug of the text>`, with `-2`, `-3`, ... when another element already has it.
fn unique_id(text: &str, ids: &mut HashSet<String>) -> String {
    let slug = slugify(text);
    let base = if slug.is_empty() {
        "h_section".to_string()
    } else {
        format!("h_{slug}")
    };
    let mut id = base.clone();
    let mut n = 1;
    while ids.contains(&id) {
        n += 1;
        id = format!("{base}-{n}");
    }
    ids.insert(id.clone());
    id
}

/// Sets the ids the first pass made on the headings that had none (the `n`th h1–h3 heading
/// of the body gets `ids[n]`).
fn add_heading_ids(html: String, demoted: bool, ids: &[Option<String>]) -> String {
    let headings = if demoted {
        selector!("h2, h3, h4")
    } else {
        selector!("h1, h2, h3")
    };
    let next = RefCell::new(0usize);
    let handlers = vec![on_element(headings, |el| {
        let mut n = next.borrow_mut();
        if let Some(Some(id)) = ids.get(*n) {
            el.set_attribute("id", id)?;
        }
        *n += 1;
        Ok(())
    })];
    rewrite(&html, handlers, None).unwrap_or(html)
}

/// Makes inline colours readable in both schemes (see the module docs).
fn colours(el: &mut Element, state: &Shared) -> lol_html::HandlerResult {
    let Some(style) = el.get_attribute("style") else {
        return Ok(());
    };
    let mut declarations: Vec<(String, String)> = style
        .split(';')
        .filter_map(|d| d.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let below = state.borrow().backgrounds.last().copied();
    let mut changed = false;
    let mut classes: Vec<&str> = Vec::new();
    let own = value_of(&declarations, "background-color").filter(|c| c.a > 0.0);
    let background = own.map(|colour| {
        if colour.is_opaque() {
            return colour;
        }
        // Chosen on Intercom's light page: paint it over that once and for all, so it is the
        // same colour on a dark page.
        let solid = colour.over(below.unwrap_or(LIGHT_PAGE));
        set_value(&mut declarations, "background-color", solid.to_string());
        changed = true;
        solid
    });
    if let Some(background) = background {
        classes.push(if background.ink() == super::colors::DARK_INK {
            "hc-ink-dark"
        } else {
            "hc-ink-light"
        });
        state.borrow_mut().backgrounds.push(background);
        let state = Rc::clone(state);
        el.on_end_tag(Box::new(move |_| {
            state.borrow_mut().backgrounds.pop();
            Ok(())
        }))?;
    }
    if let Some(ink) = value_of(&declarations, "color") {
        match background.or(below) {
            Some(known) => {
                if ink.over(known).contrast(known) < AA_TEXT {
                    declarations.retain(|(name, _)| name != "color");
                    changed = true;
                }
            }
            None => {
                if ink.over(LIGHT_PAGE).contrast(LIGHT_PAGE) < AA_TEXT {
                    classes.push("hc-fix-light");
                }
                if ink.over(DARK_PAGE).contrast(DARK_PAGE) < AA_TEXT {
                    classes.push("hc-fix-dark");
                }
            }
        }
    }
    if changed {
        let joined: Vec<String> = declarations
            .iter()
            .map(|(name, value)| format!("{name}: {value};"))
            .collect();
        if joined.is_empty() {
            el.remove_attribute("style");
        } else {
            el.set_attribute("style", &joined.join(" "))?;
        }
    }
    if !classes.is_empty() {
        let class = match el.get_attribute("class") {
            Some(existing) if !existing.trim().is_empty() => {
                format!("{} {}", existing.trim(), classes.join(" "))
            }
            _ => classes.join(" "),
        };
        el.set_attribute("class", &class)?;
    }
    Ok(())
}

/// The last value of a colour property, if it is a colour this module reads.
fn value_of(declarations: &[(String, String)], property: &str) -> Option<Rgba> {
    declarations
        .iter()
        .rev()
        .find(|(name, _)| name == property)
        .and_then(|(_, value)| Rgba::parse(value))
}

fn set_value(declarations: &mut [(String, String)], property: &str, value: String) {
    for (name, old) in declarations.iter_mut() {
        if name == property {
            old.clone_from(&value);
        }
    }
}

/// Whitespace runs (including no-break spaces) as one space, trimmed.
fn collapse(text: &str) -> String {
    text.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(body: &Body) -> Vec<(u8, &str, &str)> {
        body.headings
            .iter()
            .map(|h| (h.level, h.id.as_str(), h.text.as_str()))
            .collect()
    }

    #[test]
    fn headings_keep_intercoms_ids_and_get_stable_ones_otherwise() {
        let body = prepare(
            "<h2 id=\"h_0123456789\">Set up</h2><p>x</p><h3>Your <b>first</b> note &amp; more</h3>\
             <h2>Set up</h2><p id=\"h_set-up-2\">taken</p><h4>Deep</h4>"
                .to_string(),
        );
        assert_eq!(
            ids(&body),
            [
                (1, "h_0123456789", "Set up"),
                (2, "h_your-first-note-more", "Your first note & more"),
                (1, "h_set-up", "Set up"),
            ]
        );
        assert_eq!(
            body.html,
            "<h2 id=\"h_0123456789\">Set up</h2><p>x</p><h3 id=\"h_your-first-note-more\">Your \
             <b>first</b> note &amp; more</h3><h2 id=\"h_set-up\">Set up</h2><p \
             id=\"h_set-up-2\">taken</p><h4>Deep</h4>"
        );
        assert_eq!(body.toc().len(), 3);
        // The same body gives the same ids every time.
        assert_eq!(prepare(body.html.clone()).html, body.html);
    }

    #[test]
    fn a_body_with_h1_moves_every_heading_one_level_down() {
        let body = prepare(
            "<h1 id=\"h_1\">One</h1><h2 id=\"h_2\">Two</h2><h3>Three</h3><h6>Six</h6>".to_string(),
        );
        assert_eq!(
            body.html,
            "<h2 id=\"h_1\">One</h2><h3 id=\"h_2\">Two</h3><h4 id=\"h_three\">Three</h4><h6>Six</h6>"
        );
        assert_eq!(
            ids(&body),
            [
                (1, "h_1", "One"),
                (2, "h_2", "Two"),
                (3, "h_three", "Three")
            ]
        );
    }

    #[test]
    fn fewer_than_three_headings_make_no_table_of_contents() {
        let body = prepare("<h2 id=\"h_a\">A</h2><h2 id=\"h_b\">B</h2>".to_string());
        assert_eq!(body.headings.len(), 2);
        assert!(body.toc().is_empty());
        let plain = prepare("<p class=\"no-margin\">Just text</p>".to_string());
        assert_eq!(plain.html, "<p class=\"no-margin\">Just text</p>");
    }

    #[test]
    fn images_keep_their_alt_text_and_the_first_is_remembered() {
        let body =
            prepare("<img src=\"a.png\" alt=\"The export dialog\"><img src=\"b.png\">".to_string());
        assert_eq!(
            body.html,
            "<img src=\"a.png\" alt=\"The export dialog\"><img src=\"b.png\" alt=\"\">"
        );
        assert_eq!(body.first_image.as_deref(), Some("a.png"));
    }

    #[test]
    fn the_text_read_while_preparing_is_the_prepared_bodys() {
        let bodies = [
            // An image without alt text gets `alt=""`, which keeps the words apart.
            "<p>before<img src=\"a.png\">after</p><p>x<img src=\"b.png\" alt=\"B\">y</p>",
            "<h1>One</h1><p>a &amp; b</p><h2 id=\"h_2\">Two</h2><h3>Three</h3><ul><li>i</li></ul>",
            "<div style=\"background-color: #333;\"><p>dark</p></div>plain<br>tail",
            "<table><tbody><tr><td style=\"color: #eee\">a</td><td>b</td></tr></tbody></table>",
            "<p>no markup to prepare</p><p>second</p>",
            "",
        ];
        for html in bodies {
            let (body, text) = prepare_and_read(html.to_string());
            assert_eq!(body, prepare(html.to_string()), "{html}");
            assert_eq!(text, crate::html::text_of(&body.html), "{html}");
        }
        let (_, text) = prepare_and_read(bodies[0].to_string());
        assert_eq!(text, "before after. x B y.");
    }

    #[test]
    fn light_cells_get_dark_ink_in_both_schemes() {
        let body = prepare(
            "<table><tbody><tr><td style=\"padding: 6px; background-color: #e3e7fa;\">a</td>\
             <td style=\"background-color: #333;\">b</td><td style=\"padding: 6px;\">c</td>\
             </tr></tbody></table>"
                .to_string(),
        );
        assert_eq!(
            body.html,
            "<table><tbody><tr><td style=\"padding: 6px; background-color: #e3e7fa;\" \
             class=\"hc-ink-dark\">a</td><td style=\"background-color: #333;\" \
             class=\"hc-ink-light\">b</td><td style=\"padding: 6px;\">c</td></tr></tbody></table>"
        );
    }

    #[test]
    fn translucent_backgrounds_are_made_solid_over_the_light_page() {
        let body = prepare(
            "<div class=\"intercom-interblocks-callout\" style=\"background-color: #feedaf80; \
             border-color: #fbc91633;\"><p>x</p></div>"
                .to_string(),
        );
        assert_eq!(
            body.html,
            "<div class=\"intercom-interblocks-callout hc-ink-dark\" style=\"background-color: \
             #fef6d7; border-color: #fbc91633;\"><p>x</p></div>"
        );
    }

    #[test]
    fn unreadable_text_colours_are_dropped_or_marked() {
        let body = prepare(
            "<div style=\"background-color: #e3e7fa;\"><div style=\"color: #f0f0f0; padding: 1px\">\
             on light</div></div><div style=\"color: #333333;\">on the page</div>\
             <div style=\"color: #eeeeee;\">pale</div><div style=\"color: #1f5fcc;\">fine</div>"
                .to_string(),
        );
        assert_eq!(
            body.html,
            "<div style=\"background-color: #e3e7fa;\" class=\"hc-ink-dark\"><div style=\"padding: \
             1px;\">on light</div></div><div style=\"color: #333333;\" class=\"hc-fix-dark\">on \
             the page</div><div style=\"color: #eeeeee;\" class=\"hc-fix-light\">pale</div><div \
             style=\"color: #1f5fcc;\" class=\"hc-fix-dark\">fine</div>"
        );
    }
}
