//! GFM pipe tables, for tables of exactly the shape `to_html` writes in the article's dialect:
//! in Intercom's table container or bare, one header row of `th`, body rows of `td` as wide as
//! the header, cells of inline content aligned per column at most. Intercom's own tables
//! (styled cells holding paragraphs) and tables with merged cells do not fit and stay raw HTML.

use super::dialect::{Dialect, Tables, TABLE_CONTAINER};
use super::dom::{Element, Node};
use super::inline::{self, Style};
use super::to_html::alignment_style;
use super::to_markdown::{rendered_back, verified, Block, Kind};
use pulldown_cmark::Alignment;

/// The pipe table for `e` (a table container `div`, or a `table` in a dialect of bare tables),
/// if it has the shape and renders back as it is.
pub(crate) fn pipe_table(e: &Element, dialect: &Dialect) -> Option<Block> {
    let rows = rows(e, dialect)?;
    let alignments = alignments(&rows)?;
    let text = verified(e, dialect, |safe| write(&rows, &alignments, safe, dialect))?;
    Some(rendered_back(Block {
        text,
        kind: Kind::Other,
        nodes: 0..0,
        rendered_back: false,
    }))
}

/// The `table` of `e` in the dialect's shape.
fn table<'a>(e: &'a Element, dialect: &Dialect) -> Option<&'a Element> {
    match dialect.tables {
        Tables::Intercom => {
            let [Node::Element(table)] = e.children.as_slice() else {
                return None;
            };
            let shaped = e.has_exactly(&[("class", TABLE_CONTAINER)])
                && table.name == "table"
                && table.has_exactly(&[("role", "presentation")]);
            shaped.then_some(table)
        }
        Tables::Plain => (e.name == "table" && e.attrs.is_empty()).then_some(e),
    }
}

/// The rows (header first) of a table holding a `thead` and an optional `tbody`.
fn rows<'a>(e: &'a Element, dialect: &Dialect) -> Option<Vec<&'a Element>> {
    let table = table(e, dialect)?;
    let (head, body) = match table.children.as_slice() {
        [Node::Element(head)] => (head, None),
        [Node::Element(head), Node::Element(body)] => (head, Some(body)),
        _ => return None,
    };
    let mut rows = section(head, "thead", "th")?;
    if rows.len() != 1 {
        return None;
    }
    if let Some(body) = body {
        rows.extend(section(body, "tbody", "td")?);
    }
    let width = cells(rows[0]).len();
    rows.iter()
        .all(|row| cells(row).len() == width)
        .then_some(rows)
}

/// The rows of a `thead`/`tbody` without attributes, whose rows hold only `cell` elements.
fn section<'a>(e: &'a Element, name: &str, cell: &str) -> Option<Vec<&'a Element>> {
    if e.name != name || !e.attrs.is_empty() || e.children.is_empty() {
        return None;
    }
    e.children
        .iter()
        .map(|row| match row {
            Node::Element(tr) if tr.name == "tr" && tr.attrs.is_empty() => {
                let ok = !tr.children.is_empty()
                    && tr.children.iter().all(|c| {
                        c.element()
                            .is_some_and(|c| c.name == cell && inline::is_phrasing(&c.children))
                    });
                ok.then_some(tr)
            }
            _ => None,
        })
        .collect()
}

fn cells(row: &Element) -> Vec<&Element> {
    row.children.iter().filter_map(Node::element).collect()
}

/// Each column's alignment, if every cell of it carries the same one (or none).
fn alignments(rows: &[&Element]) -> Option<Vec<Alignment>> {
    let header = cells(rows[0]);
    (0..header.len())
        .map(|column| {
            let alignment = alignment(header[column])?;
            rows.iter()
                .all(|row| alignment_of_cell(row, column) == Some(alignment))
                .then_some(alignment)
        })
        .collect()
}

fn alignment_of_cell(row: &Element, column: usize) -> Option<Alignment> {
    cells(row).get(column).and_then(|cell| alignment(cell))
}

fn alignment(cell: &Element) -> Option<Alignment> {
    let all = [
        Alignment::None,
        Alignment::Left,
        Alignment::Center,
        Alignment::Right,
    ];
    all.into_iter().find(|a| match alignment_style(*a) {
        None => cell.attrs.is_empty(),
        Some(style) => cell.has_exactly(&[("style", style)]),
    })
}

/// The pipe table text: header, delimiter row, body rows.
fn write(rows: &[&Element], alignments: &[Alignment], safe: bool, dialect: &Dialect) -> String {
    let style = Style {
        paragraph: false,
        table: true,
        safe,
    };
    let line = |cells: Vec<String>| format!("| {} |", cells.join(" | "));
    let mut lines = Vec::with_capacity(rows.len() + 1);
    for (i, row) in rows.iter().enumerate() {
        let texts = cells(row)
            .iter()
            .map(|c| inline::markdown(&c.children, style, dialect))
            .collect();
        lines.push(line(texts));
        if i == 0 {
            lines.push(line(alignments.iter().map(|a| delimiter(*a)).collect()));
        }
    }
    lines.join("\n")
}

fn delimiter(alignment: Alignment) -> String {
    match alignment {
        Alignment::None => "---",
        Alignment::Left => ":--",
        Alignment::Center => ":-:",
        Alignment::Right => "--:",
    }
    .to_owned()
}
