//! A Markdown body cut into the units a merge compares: paragraphs, headings, code blocks,
//! quotes, rules and raw HTML blocks each whole; lists item by item; tables row by row (the
//! header row together with its delimiter row). Two writers who edit different units of a body
//! merge cleanly; edits to the same unit are a conflict.
//!
//! The cut covers the text exactly: each unit keeps the whitespace before it (`sep`), and the
//! body's leading whitespace and tail are kept apart, so putting units back together gives the
//! bytes they came from.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

/// One unit of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unit<'a> {
    /// The whitespace between the previous unit and this one (empty for the first).
    pub(crate) sep: &'a str,
    /// The unit's Markdown, without trailing whitespace.
    pub(crate) text: &'a str,
    /// What two units are compared by: the text, with an ordered list item's number left out
    /// (renumbering a list does not edit its items).
    pub(crate) key: Cow<'a, str>,
}

/// A body as units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Body<'a> {
    /// The whitespace before the first unit.
    pub(crate) lead: &'a str,
    /// The units, in order.
    pub(crate) units: Vec<Unit<'a>>,
    /// Everything after the last unit (whitespace).
    pub(crate) tail: &'a str,
}

/// What a top-level block holds, for cutting it further.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    /// Not cut further.
    None,
    /// A list: each item is a unit; `true` when it is ordered.
    List(bool),
    /// A table: the head and each row are units.
    Table,
}

/// Cuts `md` into units (see the module docs).
pub(crate) fn cut(md: &str) -> Body<'_> {
    let mut ranges: Vec<(Range<usize>, bool)> = Vec::new();
    let mut depth = 0usize;
    let mut container = Container::None;
    let parser = Parser::new_ext(md, crate::markdown::parser_options());
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(tag) => {
                match (depth, container, &tag) {
                    (0, _, Tag::List(start)) => container = Container::List(start.is_some()),
                    (0, _, Tag::Table(_)) => container = Container::Table,
                    (0, _, _) => ranges.push((range, false)),
                    (1, Container::List(ordered), Tag::Item) => ranges.push((range, ordered)),
                    (1, Container::Table, Tag::TableHead) => {
                        ranges.push((range.start..delimiter_row_end(md, range.end), false))
                    }
                    (1, Container::Table, Tag::TableRow) => ranges.push((range, false)),
                    _ => {}
                }
                depth += 1;
            }
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    container = Container::None;
                }
            }
            _ if depth == 0 => ranges.push((range, false)),
            _ => {}
        }
    }
    from_ranges(md, &ranges)
}

/// The end of a table's delimiter row, which follows the head row's line (`range_end` is
/// where pulldown-cmark ends the head).
fn delimiter_row_end(md: &str, head_end: usize) -> usize {
    let after_head = match md[..head_end].ends_with('\n') {
        true => head_end,
        false => md[head_end..]
            .find('\n')
            .map_or(md.len(), |i| head_end + i + 1),
    };
    md[after_head..]
        .find('\n')
        .map_or(md.len(), |i| after_head + i)
}

/// The body from the units' ranges (sorted, not overlapping): trailing whitespace goes to the
/// next separator; text between units that is not whitespace (a link reference definition)
/// is a unit of its own.
fn from_ranges<'a>(md: &'a str, ranges: &[(Range<usize>, bool)]) -> Body<'a> {
    let mut pieces: Vec<(Range<usize>, bool)> = Vec::new();
    let mut pos = 0;
    for (range, ordered) in ranges {
        if range.start < pos {
            continue;
        }
        add_gap(md, pos..range.start, &mut pieces);
        let end = range.start + md[range.clone()].trim_end().len();
        if end > range.start {
            pieces.push((range.start..end, *ordered));
        }
        pos = range.end.max(end);
    }
    add_gap(md, pos..md.len(), &mut pieces);
    let mut units = Vec::with_capacity(pieces.len());
    let mut pos = 0;
    let mut lead = "";
    for (i, (range, ordered)) in pieces.iter().enumerate() {
        let sep = &md[pos..range.start];
        let text = &md[range.clone()];
        if i == 0 {
            lead = sep;
        }
        units.push(Unit {
            sep: if i == 0 { "" } else { sep },
            text,
            key: if *ordered {
                item_key(text)
            } else {
                text.into()
            },
        });
        pos = range.end;
    }
    Body {
        lead,
        units,
        tail: &md[pos..],
    }
}

/// Adds the non-whitespace core of a gap between units as a unit.
fn add_gap(md: &str, gap: Range<usize>, pieces: &mut Vec<(Range<usize>, bool)>) {
    let text = &md[gap.clone()];
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return;
    }
    let start = gap.start + (text.len() - text.trim_start().len());
    pieces.push((start..start + trimmed.len(), false));
}

/// An ordered list item without its number: `1. Text` and `7. Text` are the same item.
fn item_key(text: &str) -> Cow<'_, str> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    match text.as_bytes().get(digits) {
        Some(b'.' | b')') if digits > 0 => Cow::Owned(format!("#{}", &text[digits..])),
        _ => Cow::Borrowed(text),
    }
}

impl Body<'_> {
    /// The text back: the lead, the units with their separators, the tail.
    #[cfg(test)]
    pub(crate) fn text(&self) -> String {
        let mut out = self.lead.to_string();
        for unit in &self.units {
            out.push_str(unit.sep);
            out.push_str(unit.text);
        }
        out.push_str(self.tail);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(md: &str) -> Vec<&str> {
        cut(md).units.iter().map(|u| u.text).collect()
    }

    #[test]
    fn blocks_items_and_rows_are_units() {
        let md = "Intro *text*\nsecond line.\n\n## Title {#h_1}\n\n- one\n- two\n  - nested\n\n1. first\n2. second\n\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n<div class=\"intercom-interblocks-callout\">\n\nInside\n\n</div>\n\n```sh\ncode\n\nmore\n```\n\n> quoted\n> still\n\n---\n\n[ref]: https://example.com\n";
        assert_eq!(
            texts(md),
            [
                "Intro *text*\nsecond line.",
                "## Title {#h_1}",
                "- one",
                "- two\n  - nested",
                "1. first",
                "2. second",
                "| a | b |\n|---|---|",
                "| 1 | 2 |",
                "| 3 | 4 |",
                "<div class=\"intercom-interblocks-callout\">",
                "Inside",
                "</div>",
                "```sh\ncode\n\nmore\n```",
                "> quoted\n> still",
                "---",
                "[ref]: https://example.com",
            ]
        );
        let body = cut(md);
        assert_eq!(body.text(), md);
        assert_eq!(body.units[3].sep, "\n");
        assert_eq!(body.units[4].key, "#. first");
        assert_eq!(body.tail, "\n");
    }

    #[test]
    fn loose_lists_empty_bodies_and_leading_space() {
        let md = "\n\n- a\n\n- b\n";
        let body = cut(md);
        assert_eq!(texts(md), ["- a", "- b"]);
        assert_eq!(
            (body.lead, body.units[1].sep, body.tail),
            ("\n\n", "\n\n", "\n")
        );
        assert_eq!(body.text(), md);
        let empty = cut("");
        assert!(empty.units.is_empty());
        assert_eq!(cut("  \n").text(), "  \n");
        let table_only = "| a |\n|---|";
        assert_eq!(texts(table_only), ["| a |\n|---|"]);
    }
}
