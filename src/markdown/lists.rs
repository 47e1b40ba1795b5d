//! Ordered and unordered lists, nested to any depth.
//!
//! In Intercom's style every item's text is a paragraph however the list is written, so the
//! Markdown is tight (no blank lines) whenever that parses unambiguously: each item at most one
//! paragraph followed by at most one list that can interrupt it. Otherwise blank lines
//! separate items and blocks. In CommonMark's style (`<li>text</li>`) blank lines are what put
//! the text in paragraphs: a list whose items hold bare text is tight, one whose items hold
//! paragraphs is loose, and one that mixes both cannot be written.

use super::dialect::{Dialect, ListItems};
use super::dom::{Element, Node};
use super::to_markdown::{blocks, join, raw, Block, Kind, Runs};

/// The Markdown of a `ul`/`ol` whose items Markdown can hold; `None` otherwise (it stays raw).
/// `previous` is the block before it: a list right after a list of its kind must use another
/// marker, or the two would merge into one.
pub(crate) fn list(e: &Element, previous: Option<Kind>, dialect: &Dialect) -> Option<Block> {
    let ordered = e.name == "ol";
    let start = if ordered { start(e)? } else { 0 };
    if !ordered && !e.attrs.is_empty() {
        return None;
    }
    let (items, tight) = match dialect.list_items {
        ListItems::Paragraphs => {
            let items = items(e, dialect, Runs::Refuse)?;
            let tight = items.iter().all(|item| fits_tight(item));
            (items, tight)
        }
        ListItems::Tight => commonmark_items(e, dialect)?,
    };
    let last = start + items.len() as u64;
    if items.is_empty() || (ordered && last > 1_000_000_000) {
        return None;
    }
    let marker = marker(ordered, previous);
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
        nodes: 0..0,
        rendered_back: false,
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

/// The attribute-less `li` children, if the list has nothing else.
fn list_items(e: &Element) -> Option<Vec<&Element>> {
    e.children
        .iter()
        .map(|child| match child {
            Node::Element(li) if li.name == "li" && li.attrs.is_empty() => Some(li),
            _ => None,
        })
        .collect()
}

/// The blocks of every item, inline runs treated as `runs` says.
fn items(e: &Element, dialect: &Dialect, runs: Runs) -> Option<Vec<Vec<Block>>> {
    list_items(e)?
        .into_iter()
        .map(|li| blocks(&li.children, dialect, runs))
        .collect()
}

/// The items of a list in CommonMark's style, and whether it is tight: items of bare text make
/// a tight list, items of paragraphs a loose one.
fn commonmark_items(e: &Element, dialect: &Dialect) -> Option<(Vec<Vec<Block>>, bool)> {
    let lis = list_items(e)?;
    let holds = |li: &Element, bare: bool| {
        li.children.iter().any(|child| match child {
            Node::Element(p) if p.name == "p" => !bare,
            child => bare && !child.is_block(),
        })
    };
    let bare = lis.iter().any(|li| holds(li, true));
    let paragraphs = lis.iter().any(|li| holds(li, false));
    match (bare, paragraphs) {
        (true, true) => None,
        (false, true) => Some((items(e, dialect, Runs::Refuse)?, false)),
        _ => {
            let mut items = items(e, dialect, Runs::Text)?;
            for (li, item) in lis.iter().zip(&mut items) {
                raw_where_not_interrupting(li, item);
            }
            Some((items, true))
        }
    }
}

/// In a tight item, a list that cannot interrupt the text before it (numbered from other than
/// 1) would run into that text: it is written as raw HTML, which can.
fn raw_where_not_interrupting(li: &Element, item: &mut [Block]) {
    for i in 1..item.len() {
        let stuck = item[i - 1].kind == Kind::Paragraph
            && matches!(
                item[i].kind,
                Kind::List {
                    interrupts: false,
                    ..
                }
            );
        if let (true, Some(Node::Element(list))) = (stuck, li.children.get(item[i].nodes.start)) {
            item[i] = Block {
                nodes: item[i].nodes.clone(),
                ..raw(list)
            };
        }
    }
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
