//! lol_html content handlers whose selectors are parsed once per process.
//!
//! lol_html's `element!` and `text!` parse their CSS selector every time they are called, and a
//! site build runs several lol_html passes over every body (preparing it for its page, reading
//! its text, splitting a Markdown tree's body): parsing the same few selectors again was about
//! 1.5 % of a cold build. [`selector!`] parses one on first use and lends it to every pass.

use std::borrow::Cow;

use lol_html::html_content::{Element, TextChunk};
use lol_html::{ElementContentHandlers, HandlerResult, Selector};

/// An element content handler of lol_html, with its selector.
pub type ElementHandler<'h> = (Cow<'static, Selector>, ElementContentHandlers<'h>);

/// The selector `$css` (a constant), parsed on first use, as the `Cow` lol_html takes.
macro_rules! selector {
    ($css:expr) => {{
        static SELECTOR: std::sync::LazyLock<lol_html::Selector> =
            std::sync::LazyLock::new(|| $css.parse().expect("a valid selector"));
        std::borrow::Cow::Borrowed(&*SELECTOR)
    }};
}
pub(crate) use selector;

/// lol_html's `element!` with an already parsed selector (see [`selector!`]).
pub fn on_element<'h>(
    selector: Cow<'static, Selector>,
    handler: impl FnMut(&mut Element<'_, '_>) -> HandlerResult + 'h,
) -> ElementHandler<'h> {
    (selector, ElementContentHandlers::default().element(handler))
}

/// lol_html's `text!` with an already parsed selector (see [`selector!`]).
pub fn on_text<'h>(
    selector: Cow<'static, Selector>,
    handler: impl FnMut(&mut TextChunk<'_>) -> HandlerResult + 'h,
) -> ElementHandler<'h> {
    (selector, ElementContentHandlers::default().text(handler))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selector_is_parsed_once_and_lent_to_every_pass() {
        fn img() -> Cow<'static, Selector> {
            selector!("img")
        }
        let (first, second) = (img(), img());
        let (Cow::Borrowed(first), Cow::Borrowed(second)) = (first, second) else {
            panic!("an owned selector: parsed again");
        };
        assert!(std::ptr::eq(first, second));
    }

    #[test]
    fn handlers_with_parsed_selectors_match_like_lol_htmls_macros() {
        let seen = std::cell::RefCell::new(Vec::new());
        let settings = lol_html::RewriteStrSettings::new()
            .append_element_content_handler(on_element(selector!("h1, [id]"), |el| {
                seen.borrow_mut().push(el.tag_name());
                Ok(())
            }))
            .append_element_content_handler(on_text(selector!("h1"), |chunk| {
                seen.borrow_mut().push(chunk.as_str().to_string());
                Ok(())
            }));
        lol_html::rewrite_str("<h1>T</h1><p id=x>y</p><p>z</p>", settings).unwrap();
        assert_eq!(seen.into_inner(), ["h1", "T", "", "p"]);
    }
}
