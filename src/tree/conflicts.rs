//! Conflict markers: what `helpcenter merge` writes into a file where both sides edited the same
//! block or front matter key, git's way:
//!
//! ```text
//! <<<<<<< local
//! The paragraph as edited in the tree.
//! =======
//! The paragraph as edited in Intercom.
//! >>>>>>> intercom (2026-12-07 10:41 UTC)
//! ```
//!
//! The remote label carries the time of the Intercom edit. Until a writer resolves them (keeps
//! one side, or combines both, and deletes the three marker lines), the loader reads such a
//! file anyway, so a preview build works: front matter takes the local side, and a body shows
//! every marker line as a red bar in the page. `push` refuses a file that still has markers,
//! naming its file and line.
//!
//! A marker is a line that starts with `<<<<<<< local` or `>>>>>>> intercom`, and a `=======`
//! line between two of them; nothing else (a `=======` underline elsewhere is Markdown). They
//! are recognised everywhere in a file, code blocks included: a marker left in a code block
//! would otherwise reach Intercom.

/// The line that opens a conflict; the local side follows.
pub const LOCAL_MARKER: &str = "<<<<<<< local";
/// The line between the two sides.
pub const SEPARATOR: &str = "=======";
/// The start of the line that closes a conflict, after Intercom's side.
pub const REMOTE_MARKER: &str = ">>>>>>> intercom";

/// `>>>>>>> intercom (2026-12-07 10:41 UTC)`: the closing marker, with the time of the Intercom
/// edit when it is known.
pub fn remote_marker(updated_at: Option<i64>) -> String {
    match updated_at.and_then(utc_minutes) {
        Some(time) => format!("{REMOTE_MARKER} ({time})"),
        None => REMOTE_MARKER.to_string(),
    }
}

/// A time as people read it in messages: `2026-12-07 10:41 UTC`; `None` out of range.
pub fn utc_minutes(secs: i64) -> Option<String> {
    let time = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time.format(&format).ok()
}

/// What a marker line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    /// `<<<<<<< local`
    Local,
    /// `=======` inside a conflict.
    Separator,
    /// `>>>>>>> intercom ...`
    Remote,
}

/// A marker line of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker {
    /// Its 1-based line in the text.
    pub line: usize,
    /// Which marker.
    pub kind: MarkerKind,
}

/// The kind of marker `line` (without its line break) is, ignoring separators.
fn outer_kind(line: &str) -> Option<MarkerKind> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let starts = |marker: &str| {
        line.strip_prefix(marker)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    };
    if starts(LOCAL_MARKER) {
        Some(MarkerKind::Local)
    } else if starts(REMOTE_MARKER) {
        Some(MarkerKind::Remote)
    } else {
        None
    }
}

/// Every marker line of `text`, in order: the opening and closing lines wherever they are,
/// and a `=======` line only inside a conflict (after an opening line not yet closed).
pub fn markers(text: &str) -> Vec<Marker> {
    let mut found = Vec::new();
    let mut open = false;
    for (i, line) in text.split('\n').enumerate() {
        let kind = match outer_kind(line) {
            Some(kind) => Some(kind),
            None if open && line.strip_suffix('\r').unwrap_or(line) == SEPARATOR => {
                Some(MarkerKind::Separator)
            }
            None => None,
        };
        if let Some(kind) = kind {
            open = kind != MarkerKind::Remote;
            found.push(Marker { line: i + 1, kind });
        }
    }
    found
}

/// The lines where `text` has unresolved conflicts: every opening marker, and every closing
/// marker without one.
pub fn unresolved(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut open = false;
    for m in markers(text) {
        match m.kind {
            MarkerKind::Local => {
                lines.push(m.line);
                open = true;
            }
            MarkerKind::Remote if !open => lines.push(m.line),
            MarkerKind::Remote => open = false,
            MarkerKind::Separator => {}
        }
    }
    lines
}

/// Whether `text` has a conflict marker left.
pub fn has_markers(text: &str) -> bool {
    text.split('\n').any(|line| outer_kind(line).is_some())
}

/// The local side of every conflict in `text`: the lines of Intercom's sides and the marker
/// lines become empty lines, so every other line keeps its number. A conflict that is not
/// closed is left as it is.
pub fn local_side(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut blank = vec![false; lines.len()];
    let mut open: Option<usize> = None;
    let mut separator: Option<usize> = None;
    for m in markers(text) {
        let at = m.line - 1;
        match m.kind {
            MarkerKind::Local => (open, separator) = (Some(at), None),
            MarkerKind::Separator => separator = separator.or(Some(at)),
            MarkerKind::Remote => {
                if let Some(start) = open.take() {
                    blank[start] = true;
                    let theirs = separator.take().unwrap_or(at);
                    blank[theirs..=at].iter_mut().for_each(|b| *b = true);
                }
            }
        }
    }
    let kept: Vec<&str> = (lines.iter().zip(&blank))
        .map(|(line, &gone)| if gone { "" } else { line })
        .collect();
    kept.join("\n")
}

/// The style of a marker line in a preview build: a red bar, readable in light and dark mode
/// (only properties the sanitiser keeps, on an element it keeps them on).
const BAR_STYLE: &str = "background-color: #d1242f; color: #ffffff; padding: 4px 8px";
/// The style of the box that shows a front matter conflict.
const BOX_STYLE: &str = "border: 3px solid #d1242f; padding: 4px 8px";

/// A Markdown body with every marker line turned into a red bar that shows it (a raw HTML
/// paragraph between blank lines), so a preview build shows where conflicts are; and, per
/// line of the result, how many lines the change added before it (to map lines back).
pub fn show_in_body(markdown: &str) -> (String, Vec<usize>) {
    let shown: std::collections::BTreeSet<usize> =
        markers(markdown).into_iter().map(|m| m.line).collect();
    if shown.is_empty() {
        return (markdown.to_string(), Vec::new());
    }
    let mut out = String::with_capacity(markdown.len() + 256 * shown.len());
    let mut added = Vec::new();
    let mut extra = 0;
    for (i, line) in markdown.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if shown.contains(&(i + 1)) {
            let text = line.strip_suffix('\r').unwrap_or(line);
            out.push_str(&format!(
                "\n<div style=\"{BAR_STYLE}\"><code>{}</code></div>\n",
                escape_html(text)
            ));
            added.extend([extra, extra + 1, extra + 2]);
            extra += 2;
        } else {
            out.push_str(line);
            added.push(extra);
        }
    }
    (out, added)
}

/// The conflicts of a file's front matter shown as one red block for the top of its page:
/// the front matter's lines from the first opening marker to the last closing one.
pub fn show_front_matter(yaml: &str) -> Option<String> {
    let found = markers(yaml);
    let first = found.iter().find(|m| m.kind == MarkerKind::Local)?.line;
    let last = found.iter().rfind(|m| m.kind == MarkerKind::Remote)?.line;
    let lines: Vec<&str> = yaml.split('\n').collect();
    // A blank line would end the raw HTML block early.
    let shown: Vec<String> = lines[first - 1..last.min(lines.len())]
        .iter()
        .map(|line| match escape_html(line.trim_end_matches('\r')) {
            empty if empty.trim().is_empty() => " ".to_string(),
            line => line,
        })
        .collect();
    Some(format!(
        "<div style=\"{BOX_STYLE}\"><pre><code>front matter:\n{}</code></pre></div>\n\n",
        shown.join("\n")
    ))
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFLICT: &str = "Intro\n\n<<<<<<< local\nMine\n=======\nTheirs\n>>>>>>> intercom (2026-12-07 10:41 UTC)\n\nTitle\n=======\n";

    #[test]
    fn markers_are_found_and_an_underline_is_not_one() {
        let found = markers(CONFLICT);
        let lines: Vec<(usize, MarkerKind)> = found.iter().map(|m| (m.line, m.kind)).collect();
        assert_eq!(
            lines,
            [
                (3, MarkerKind::Local),
                (5, MarkerKind::Separator),
                (7, MarkerKind::Remote)
            ]
        );
        assert!(has_markers(CONFLICT));
        assert_eq!(unresolved(CONFLICT), [3]);
        assert_eq!(unresolved("a\n>>>>>>> intercom\n<<<<<<< local\n"), [2, 3]);
        assert!(!has_markers(
            "Title\n=======\n<<<<<<< HEAD\n>>>>>>> intercomx\n"
        ));
        assert_eq!(
            remote_marker(Some(1_796_647_610)),
            ">>>>>>> intercom (2026-12-07 12:46 UTC)"
        );
        assert_eq!(remote_marker(None), ">>>>>>> intercom");
    }

    #[test]
    fn the_local_side_keeps_every_line_number() {
        assert_eq!(
            local_side(CONFLICT),
            "Intro\n\n\nMine\n\n\n\n\nTitle\n=======\n"
        );
        let open = "a\n<<<<<<< local\nb\n";
        assert_eq!(local_side(open), open);
    }

    #[test]
    fn markers_show_as_red_bars_between_blank_lines() {
        let (shown, added) = show_in_body(CONFLICT);
        assert!(shown.starts_with(
            "Intro\n\n\n<div style=\"background-color: #d1242f; color: #ffffff; padding: 4px 8px\"><code>&lt;&lt;&lt;&lt;&lt;&lt;&lt; local</code></div>\n\nMine\n\n<div"
        ), "{shown}");
        assert!(shown.ends_with("\n\nTitle\n=======\n"), "{shown}");
        assert_eq!(shown.split('\n').count(), added.len());
        // `Title` was line 9; six lines were added before it.
        let title = shown.split('\n').position(|l| l == "Title").unwrap();
        assert_eq!(title + 1 - added[title], 9);
        assert_eq!(
            show_in_body("no markers\n"),
            ("no markers\n".into(), vec![])
        );
    }
}
