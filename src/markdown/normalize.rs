//! The canonical form used to call two bodies equivalent.

use super::{deep, dom, serialize};

/// Parses `html` into the whitespace-normalised tree and writes it back compactly.
pub(crate) fn normalize(html: &str) -> String {
    let parsed = dom::parse(html);
    let nodes = parsed.nodes;
    deep::run(parsed.depth, move || serialize::compact(&nodes))
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn attribute_order_entities_and_block_whitespace_do_not_count() {
        let a = "<p class=\"no-margin\" id=\"h_1\">a &amp; b&#160;</p>\n\n<ul>\n <li>x</li>\n</ul>";
        let b = "<p id=\"h_1\" class=\"no-margin\">a &#38; b&nbsp;</p><ul><li>x</li></ul>";
        assert_eq!(normalize(a), normalize(b));
    }

    #[test]
    fn inline_differences_count() {
        assert_ne!(
            normalize("<p><b>a</b> b</p>"),
            normalize("<p><b>a </b>b</p>")
        );
        assert_ne!(normalize("<pre>a\n</pre>"), normalize("<pre>a</pre>"));
    }
}
