//! Inline `style` filtering, declaration by declaration.
//!
//! Only the presentational properties Intercom's callouts and tables use survive, and only with
//! values built from a tiny alphabet (words, numbers, units, `#hex`, `rgb()`/`hsl()`): no quotes,
//! escapes, comments, `url()`, `expression()`, `@import`, `!important` or nested blocks. Because a
//! kept value can contain neither quotes nor unbalanced parentheses, splitting on `;` and `:` sees
//! the same declarations a CSS parser would.

use std::borrow::Cow;

/// Properties allowed verbatim.
const PROPERTIES: [&str; 11] = [
    "background-color",
    "color",
    "text-align",
    "vertical-align",
    "width",
    "height",
    "min-width",
    "max-width",
    "min-height",
    "max-height",
    "padding",
];

/// CSS functions a value may call: colours only.
const FUNCTIONS: [&str; 4] = ["rgb", "rgba", "hsl", "hsla"];

/// Words that never belong in a kept value, checked on top of the alphabet as a second fence.
const FORBIDDEN: [&str; 7] = [
    "url",
    "expression",
    "javascript",
    "import",
    "behavior",
    "behaviour",
    "binding",
];

/// Filters a `style` attribute; `None` when no declaration survives.
///
/// An unchanged value is returned as is, so Intercom's own markup round-trips byte for byte; a
/// value that lost declarations is re-joined as `a: b; c: d;`.
pub(crate) fn filter_style(value: &str) -> Option<Cow<'_, str>> {
    let mut kept = Vec::new();
    let mut dropped = false;
    for declaration in value.split(';').map(str::trim).filter(|d| !d.is_empty()) {
        if is_safe_declaration(declaration) {
            kept.push(declaration);
        } else {
            dropped = true;
        }
    }
    match (kept.is_empty(), dropped) {
        (true, _) => None,
        (false, false) => Some(Cow::Borrowed(value)),
        (false, true) => Some(Cow::Owned(format!("{};", kept.join("; ")))),
    }
}

/// One `property: value` pair with an allowed property and a safe value.
fn is_safe_declaration(declaration: &str) -> bool {
    declaration
        .split_once(':')
        .is_some_and(|(p, v)| is_allowed_property(p.trim()) && is_safe_value(v.trim()))
}

/// The property allow-list: a few names plus the border and padding families.
fn is_allowed_property(name: &str) -> bool {
    // Compared ASCII case-insensitively in place: this runs for every declaration of every
    // styled cell, and lowercased copies were a measurable share of sanitising.
    PROPERTIES.iter().any(|p| p.eq_ignore_ascii_case(name))
        || starts_with_ignore_case(name, "padding-")
        || name.eq_ignore_ascii_case("border")
        || (starts_with_ignore_case(name, "border-") && !contains_ignore_case(name, "image"))
}

/// A value from the safe alphabet, whose parentheses all belong to colour functions.
fn is_safe_value(value: &str) -> bool {
    !value.is_empty()
        && value.bytes().all(is_value_byte)
        && !FORBIDDEN.iter().any(|w| contains_ignore_case(value, w))
        && functions_are_colours(value)
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Whether `text` contains `word` (lowercase ASCII), ignoring ASCII case.
fn contains_ignore_case(text: &str, word: &str) -> bool {
    let (text, word) = (text.as_bytes(), word.as_bytes());
    text.len() >= word.len()
        && text
            .windows(word.len())
            .any(|window| window.eq_ignore_ascii_case(word))
}

/// Letters, digits, spaces and the punctuation numbers, units and colours need.
fn is_value_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b' ' | b'#' | b'%' | b'.' | b',' | b'-' | b'+' | b'(' | b')' | b'/'
        )
}

/// Every `(` opens a colour function, nothing nests, and every `(` is closed.
fn functions_are_colours(value: &str) -> bool {
    let mut rest = value;
    while let Some(open) = rest.find(['(', ')']) {
        if rest.as_bytes()[open] == b')' {
            return false;
        }
        let name_start = rest[..open]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .map_or(0, |i| i + 1);
        let name = &rest[name_start..open];
        if !FUNCTIONS.iter().any(|f| f.eq_ignore_ascii_case(name)) {
            return false;
        }
        let Some(close) = rest[open + 1..].find(['(', ')']) else {
            return false;
        };
        if rest.as_bytes()[open + 1 + close] == b'(' {
            return false;
        }
        rest = &rest[open + 1 + close + 1..];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: &str) -> Option<String> {
        filter_style(v).map(Cow::into_owned)
    }

    #[test]
    fn intercom_callout_kept_verbatim() {
        let v = "background-color: #e3e7fa80; border-color: #334bfa33;";
        assert_eq!(f(v).as_deref(), Some(v));
        let v = "width: 50%;vertical-align:top;border: 1px solid rgba(0, 0, 0, 0.1)";
        assert_eq!(f(v).as_deref(), Some(v));
    }

    #[test]
    fn dangerous_declarations_dropped() {
        assert_eq!(
            f("color: red; background-image: url(x)").as_deref(),
            Some("color: red;")
        );
        assert_eq!(f("width: expression(alert(1))"), None);
        assert_eq!(f("color: red !important"), None);
        assert_eq!(f("color: \\72 ed"), None);
        assert_eq!(f("-moz-binding: url(x.xml#x)"), None);
        assert_eq!(f("behavior: url(x.htc)"), None);
        assert_eq!(f("border-image: rgb(1,2,3)"), None);
        assert_eq!(f("color: rgb(1, 2, 3"), None);
        assert_eq!(f("color: rgb(1 2 3; width: 2)"), None);
        assert_eq!(f("color: rgb(rgb(1))"), None);
        assert_eq!(f("color: red /* x */"), None);
        assert_eq!(f("position: fixed"), None);
        assert_eq!(f("@import 'x'; color: red").as_deref(), Some("color: red;"));
        assert_eq!(f("color: calc(1px)"), None);
        assert_eq!(f("color: red)"), None);
        assert_eq!(
            f("COLOR: RGB(1, 2, 3)").as_deref(),
            Some("COLOR: RGB(1, 2, 3)")
        );
        assert_eq!(f("Border-Image: red"), None);
        assert_eq!(f("width: EXPRESSION(1)"), None);
        assert_eq!(f("color: Calc(1px)"), None);
        assert_eq!(f("Padding-Left: 4px").as_deref(), Some("Padding-Left: 4px"));
    }
}
