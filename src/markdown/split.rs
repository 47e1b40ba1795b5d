//! A raw body cut into its top-level pieces, byte for byte, so that each Markdown block can be
//! traced back to the exact bytes it came from.
//!
//! lol_html tokenises the body (with the source position of every tag and comment); a stack of
//! open elements finds where each top-level element ends. Block elements are units of their
//! own; inline elements and text between blocks form one unit per run; whitespace and comments
//! between blocks are glue. The cut is checked: the units, parsed one by one, must give the
//! same nodes as the whole body parsed at once. A body where they do not (tags left open in
//! ways the stack does not follow) is one unit.

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use lol_html::{doc_comments, end_tag, rewrite_str, RewriteStrSettings};

use super::dom::{self, is_block_name, is_html_space};
use super::serialize::compact;
use crate::html::{on_element, selector};

/// One top-level piece of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unit {
    /// Its bytes in the body.
    pub range: Range<usize>,
    /// What it is.
    pub kind: UnitKind,
}

/// What a top-level piece is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitKind {
    /// One block element, from its start tag to its end tag.
    Block,
    /// A run of text and inline elements.
    Inline,
    /// Whitespace and comments between blocks, which show nothing.
    Glue,
}

/// A tag or comment, where it is in the body.
enum Token {
    Start {
        name: String,
        at: Range<usize>,
        has_content: bool,
    },
    End {
        name: String,
        at: Range<usize>,
    },
    Comment(Range<usize>),
}

/// Cuts `html` into units covering it entirely, in order.
pub(crate) fn split(html: &str) -> Vec<Unit> {
    let units = tokens(html)
        .map(|tokens| units(html, &tokens))
        .filter(|units| parses_alike(html, units));
    units.unwrap_or_else(|| whole(html))
}

/// The body as one unit (or none, when it is empty).
fn whole(html: &str) -> Vec<Unit> {
    if html.is_empty() {
        return Vec::new();
    }
    let kind = if html.trim_matches(is_html_space).is_empty() {
        UnitKind::Glue
    } else {
        UnitKind::Block
    };
    vec![Unit {
        range: 0..html.len(),
        kind,
    }]
}

/// Every tag and comment of `html`, in order; `None` if lol_html cannot tokenise it.
fn tokens(html: &str) -> Option<Vec<Token>> {
    let tokens: Rc<RefCell<Vec<Token>>> = Rc::default();
    let (starts, comments) = (tokens.clone(), tokens.clone());
    let settings = RewriteStrSettings::new()
        .with_strict(false)
        .with_enable_esi_tags(false)
        .append_element_content_handler(on_element(selector!("*"), move |el| {
            let name = el.tag_name();
            let has_content = el.can_have_content();
            starts.borrow_mut().push(Token::Start {
                name: name.clone(),
                at: el.source_location().bytes(),
                has_content,
            });
            if has_content {
                let ends = starts.clone();
                el.on_end_tag(end_tag!(move |end| {
                    ends.borrow_mut().push(Token::End {
                        name: name.clone(),
                        at: end.source_location().bytes(),
                    });
                    Ok(())
                }))?;
            }
            Ok(())
        }))
        .append_document_content_handler(doc_comments!(move |c| {
            comments
                .borrow_mut()
                .push(Token::Comment(c.source_location().bytes()));
            Ok(())
        }));
    rewrite_str(html, settings).ok()?;
    let tokens = std::mem::take(&mut *tokens.borrow_mut());
    Some(tokens)
}

/// The top-level elements (their bytes and names) and comments, then the units.
fn units(html: &str, tokens: &[Token]) -> Vec<Unit> {
    let mut elements: Vec<(Range<usize>, &str)> = Vec::new();
    let mut comments: Vec<Range<usize>> = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    let mut top: Option<(usize, &str)> = None;
    for token in tokens {
        match token {
            Token::Start {
                name,
                at,
                has_content,
            } => {
                // A block's start closes a paragraph left open at the top level, as in HTML.
                if let (["p"], Some((start, name))) = (open.as_slice(), top) {
                    if is_block_name(name_of(token)) {
                        elements.push((start..at.start, name));
                        open.clear();
                    }
                }
                if open.is_empty() {
                    top = Some((at.start, name));
                }
                if *has_content {
                    open.push(name);
                } else if open.is_empty() {
                    elements.extend(top.take().map(|(start, name)| (start..at.end, name)));
                }
            }
            Token::End { name, at } => {
                let Some(depth) = open.iter().rposition(|n| n == name) else {
                    continue;
                };
                open.truncate(depth);
                if open.is_empty() {
                    elements.extend(top.take().map(|(start, name)| (start..at.end, name)));
                }
            }
            Token::Comment(at) if open.is_empty() => comments.push(at.clone()),
            Token::Comment(_) => {}
        }
    }
    if let Some((start, name)) = top.filter(|_| !open.is_empty()) {
        elements.push((start..html.len(), name));
    }
    pieces_to_units(html, &elements, &comments)
}

fn name_of(token: &Token) -> &str {
    match token {
        Token::Start { name, .. } | Token::End { name, .. } => name,
        Token::Comment(_) => "",
    }
}

/// Units from the top-level elements, with the text between them (comments excluded) deciding
/// whether a gap is glue or inline content. Inline pieces next to each other form one run.
fn pieces_to_units(
    html: &str,
    elements: &[(Range<usize>, &str)],
    comments: &[Range<usize>],
) -> Vec<Unit> {
    let mut pieces: Vec<Unit> = Vec::new();
    let gap = |start: usize, end: usize, pieces: &mut Vec<Unit>| {
        if start < end {
            let kind = if shows_text(html, start..end, comments) {
                UnitKind::Inline
            } else {
                UnitKind::Glue
            };
            pieces.push(Unit {
                range: start..end,
                kind,
            });
        }
    };
    let mut pos = 0;
    for (range, name) in elements {
        gap(pos, range.start, &mut pieces);
        let kind = if is_block_name(name) {
            UnitKind::Block
        } else {
            UnitKind::Inline
        };
        pieces.push(Unit {
            range: range.clone(),
            kind,
        });
        pos = range.end;
    }
    gap(pos, html.len(), &mut pieces);
    merge_runs(pieces)
}

/// Whether the bytes of `range`, comments left out, hold anything but whitespace.
fn shows_text(html: &str, range: Range<usize>, comments: &[Range<usize>]) -> bool {
    let mut pos = range.start;
    for comment in comments.iter().filter(|c| range.contains(&c.start)) {
        if !html[pos..comment.start]
            .trim_matches(is_html_space)
            .is_empty()
        {
            return true;
        }
        pos = comment.end;
    }
    !html[pos..range.end].trim_matches(is_html_space).is_empty()
}

/// Joins inline pieces, and the glue between two of them, into runs.
fn merge_runs(pieces: Vec<Unit>) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        let inline_before = units.last().is_some_and(|u| u.kind == UnitKind::Inline);
        let joins = match piece.kind {
            UnitKind::Inline => inline_before,
            UnitKind::Glue => {
                inline_before
                    && pieces[i + 1..]
                        .iter()
                        .find(|p| p.kind != UnitKind::Glue)
                        .is_some_and(|p| p.kind == UnitKind::Inline)
            }
            UnitKind::Block => false,
        };
        match units.last_mut() {
            Some(last) if joins => last.range.end = piece.range.end,
            _ => units.push(piece.clone()),
        }
    }
    units
}

/// Whether the units, parsed one by one, make the same nodes as the whole body.
fn parses_alike(html: &str, units: &[Unit]) -> bool {
    let whole = dom::parse(html);
    let mut parts = Vec::new();
    let mut depth = 0;
    for unit in units {
        let parsed = dom::parse(&html[unit.range.clone()]);
        if unit.kind == UnitKind::Glue && !parsed.nodes.is_empty() {
            return false;
        }
        depth = depth.max(parsed.depth);
        parts.extend(parsed.nodes);
    }
    let nodes = whole.nodes;
    super::deep::run(whole.depth.max(depth), move || {
        compact(&nodes) == compact(&parts)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(html: &str) -> Vec<(&str, UnitKind)> {
        split(html)
            .into_iter()
            .map(|u| (&html[u.range], u.kind))
            .collect()
    }

    #[test]
    fn blocks_runs_and_glue() {
        use UnitKind::*;
        let html = "<p class=\"no-margin\">a <b>b</b></p>\n<!-- c -->\n<h2 id=\"h_1\">T</h2>text <i>x</i> <br>more<ul><li>1</li></ul><img src=\"x\">\n";
        assert_eq!(
            pieces(html),
            [
                ("<p class=\"no-margin\">a <b>b</b></p>", Block),
                ("\n<!-- c -->\n", Glue),
                ("<h2 id=\"h_1\">T</h2>", Block),
                ("text <i>x</i> <br>more", Inline),
                ("<ul><li>1</li></ul>", Block),
                ("<img src=\"x\">", Inline),
                ("\n", Glue),
            ]
        );
    }

    #[test]
    fn void_and_raw_text_elements_and_open_paragraphs() {
        use UnitKind::*;
        assert_eq!(
            pieces("<hr><pre>a</p>b</pre><p>one<p>two<div>x</div>"),
            [
                ("<hr>", Block),
                ("<pre>a</p>b</pre>", Block),
                ("<p>one", Block),
                ("<p>two", Block),
                ("<div>x</div>", Block),
            ]
        );
        assert_eq!(
            pieces("<div><iframe src=\"v\"></div></iframe></div>"),
            [("<div><iframe src=\"v\"></div></iframe></div>", Block)]
        );
    }

    #[test]
    fn stray_and_missing_end_tags() {
        use UnitKind::*;
        // A stray `</p>` makes an empty paragraph, in the unit as in the whole body.
        assert_eq!(
            pieces("<ul><li>a</ul></p><p>b</p>"),
            [
                ("<ul><li>a</ul>", Block),
                ("</p>", Inline),
                ("<p>b</p>", Block)
            ]
        );
        assert_eq!(pieces("<li>a<li>b"), [("<li>a<li>b", Block)]);
        assert_eq!(pieces("  \n"), [("  \n", Glue)]);
        assert_eq!(pieces(""), []);
    }

    #[test]
    fn a_cut_that_parses_otherwise_is_refused() {
        let html = "<b>x</b>y";
        let cut = |range: Range<usize>| Unit {
            range,
            kind: UnitKind::Inline,
        };
        assert!(!parses_alike(html, &[cut(0..3), cut(3..9)]));
        assert!(parses_alike(html, &[cut(0..9)]));
    }
}
