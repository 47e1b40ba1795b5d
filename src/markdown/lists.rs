//! Ordered and unordered lists, nested to any depth.
//!
//! `to_html` renders every list the same whether it is tight or loose, so the Markdown is tight
//! (no blank lines) whenever that parses unambiguously: each item at most one paragraph followed
//! by at most one list that can interrupt it. Otherwise blank lines separate items and blocks.

use super::dom::{Element, Node};
use super::to_markdown::{blocks, join, Block, Kind};

/// The Markdown of a `ul`/`ol` whose items Markdown can hold; `None` otherwise (it stays raw).
/// `previous` is the block before it: a list right after a list of its kind must use another
/// marker, or the two would merge into one.
pub(crate) fn list(e: &Element, previous: Option<Kind>) -> Option<Block> {
    let ordered = e.name == "ol";
    let start = if ordered { start(e)? } else { 0 };
    if !ordered && !e.attrs.is_empty() {
        return None;
    }
    let items = items(e)?;
    let last = start + items.len() as u64;
    if items.is_empty() || (ordered && last > 1_000_000_000) {
        return None;
    }
    let marker = marker(ordered, previous);
    let tight = items.iter().all(|item| fits_tight(item));
    let separator = if tight { "\n" } else { "\n\n" };
    let texts: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let label = if ordered {
                format!("{}{marker}", start + i as u64)
            } else {
                marker.to_string()
            };
            item_text(&label, item, separator)
        })
        .collect();
    // An item that starts on the marker's line; one that does not (empty, or opening with a
    // list or break on the next line) cannot interrupt a paragraph: `-` alone would even read
    // as a setext underline.
    let first_filled = items
        .first()
        .is_some_and(|item| item.first().is_some_and(|b| !starts_own_line(b)));
    Some(Block {
        text: texts.join(separator),
        kind: Kind::List {
            marker,
            interrupts: first_filled && (!ordered || start == 1),
        },
    })
}

/// The first number: `start` if it is written the way Markdown writes it back (not `1`, which
/// Markdown leaves out, and at most 9 digits, the longest marker).
fn start(e: &Element) -> Option<u64> {
    match e.attrs.as_slice() {
        [] => Some(1),
        [(name, value)] if name == "start" => value
            .parse::<u64>()
            .ok()
            .filter(|n| *n != 1 && value.len() <= 9 && n.to_string() == *value),
        _ => None,
    }
}

/// The blocks of every item, if all children are attribute-less `li`s holding blocks only.
fn items(e: &Element) -> Option<Vec<Vec<Block>>> {
    e.children
        .iter()
        .map(|child| match child {
            Node::Element(li) if li.name == "li" && li.attrs.is_empty() => {
                blocks(&li.children, false)
            }
            _ => None,
        })
        .collect()
}

fn marker(ordered: bool, previous: Option<Kind>) -> char {
    let (usual, other) = if ordered { ('.', ')') } else { ('-', '*') };
    match previous {
        Some(Kind::List { marker, .. }) if marker == usual => other,
        _ => usual,
    }
}

/// An item that reads the same without blank lines: a paragraph and/or one nested list.
fn fits_tight(item: &[Block]) -> bool {
    match item {
        [] | [_] => true,
        [first, second] => {
            first.kind == Kind::Paragraph
                && matches!(
                    second.kind,
                    Kind::List {
                        interrupts: true,
                        ..
                    }
                )
        }
        _ => false,
    }
}

/// Whether an item opening with `block` starts it on the line after the marker.
fn starts_own_line(block: &Block) -> bool {
    matches!(block.kind, Kind::List { .. } | Kind::Break)
}

/// One item: its label, then its blocks indented to the content column. A nested list or a
/// thematic break starts on the next line (`- - -` would be a thematic break itself).
fn item_text(label: &str, item: &[Block], separator: &str) -> String {
    let content = join(item, separator);
    if content.is_empty() {
        return label.to_owned();
    }
    let indent = " ".repeat(label.len() + 1);
    let own_line = item.first().is_some_and(starts_own_line);
    let mut text = label.to_owned();
    let mut lines = content.split('\n');
    if !own_line {
        text.push(' ');
        text.push_str(lines.next().unwrap_or(""));
    }
    for line in lines {
        text.push('\n');
        if !line.is_empty() {
            text.push_str(&indent);
            text.push_str(line);
        }
    }
    text
}
