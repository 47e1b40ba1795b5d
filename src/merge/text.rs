//! One file merged three ways: its front matter key by key (`front.rs`), its body unit by unit
//! (`units.rs`, `three_way.rs`), with git-style conflict markers where both sides edited the
//! same thing.

use crate::tree::conflicts::{self, LOCAL_MARKER, SEPARATOR};
use crate::tree::frontmatter::{self, Layout};

use super::front;
use super::three_way::{self, Region, Side};
use super::units::{self, Body, Unit};

/// The conflict marker lines, each with its line break.
pub(crate) struct Markers {
    pub(crate) local: String,
    pub(crate) separator: String,
    pub(crate) remote: String,
    pub(crate) newline: String,
}

impl Markers {
    /// The markers of a merge with the Intercom edit of `updated_at`, ending lines with
    /// `newline` (the local file's).
    pub(crate) fn new(updated_at: Option<i64>, newline: &str) -> Markers {
        Markers {
            local: format!("{LOCAL_MARKER}{newline}"),
            separator: format!("{SEPARATOR}{newline}"),
            remote: format!("{}{newline}", conflicts::remote_marker(updated_at)),
            newline: newline.to_string(),
        }
    }
}

/// What conflicted in a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Conflicts {
    /// Front matter keys.
    pub(crate) front_matter: Vec<String>,
    /// Body stretches (units edited differently on both sides, grouped).
    pub(crate) body: usize,
}

/// A merged file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedText {
    /// The merged text, with conflict markers where both sides edited the same thing.
    pub text: String,
    /// The 1-based lines of its conflicts' opening markers.
    pub conflict_lines: Vec<usize>,
    /// The front matter keys in conflict.
    pub conflicting_keys: Vec<String>,
}

/// Why a file cannot be merged: its local front matter does not parse, and Intercom changed
/// the front matter too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmergeable(pub String);

/// Merges a file of the tree: `base` is its text as exported (`None` for a tree exported
/// before base texts), `base_body` the body its body record holds (the body's base without a
/// base text), `local` the file now and `remote` the file an export of the snapshot writes;
/// `updated_at` is the time of the Intercom edit, for the closing marker.
pub fn merge_text(
    base: Option<&str>,
    base_body: Option<&str>,
    local: &str,
    remote: &str,
    updated_at: Option<i64>,
) -> Result<MergedText, Unmergeable> {
    let newline = if local.contains("\r\n") { "\r\n" } else { "\n" };
    let markers = Markers::new(updated_at, newline);
    let mut found = Conflicts::default();
    let base_layout = base.and_then(|b| frontmatter::layout(b).ok().flatten());
    let remote_layout = match frontmatter::layout(remote) {
        Ok(Some(layout)) => layout,
        _ => return Err(Unmergeable("Intercom's version has no front matter".into())),
    };
    let local_layout = match frontmatter::layout(local) {
        Ok(Some(layout)) => layout,
        Ok(None) => {
            return Err(Unmergeable(
                "its front matter is a flow mapping (`{...}`); write one `key: value` per line"
                    .into(),
            ))
        }
        Err(e) => {
            return Err(Unmergeable(format!(
                "line {}: {}; fix the front matter",
                e.line, e.message
            )))
        }
    };
    let yaml = front::merge(
        base_layout.as_ref(),
        &local_layout,
        &remote_layout,
        &markers,
        &mut found,
    );
    let body_of = |layout: &Layout<'_>| strip_blank(layout.rest).1.to_string();
    let base_body = match &base_layout {
        Some(layout) => body_of(layout),
        None => base_body.unwrap_or("").to_string(),
    };
    let (gap, local_body) = strip_blank(local_layout.rest);
    let remote_body = body_of(&remote_layout);
    let body = merge_body(&base_body, local_body, &remote_body, &markers, &mut found);
    let gap = if gap.is_empty() && !body.is_empty() {
        newline
    } else {
        gap
    };
    let text = format!(
        "{}{yaml}{}{gap}{body}",
        local_layout.head, local_layout.closing
    );
    let conflict_lines = conflicts::unresolved(&text);
    Ok(MergedText {
        text,
        conflict_lines,
        conflicting_keys: found.front_matter,
    })
}

/// Splits the line break that separates the body from the front matter off `rest`.
fn strip_blank(rest: &str) -> (&str, &str) {
    for gap in ["\r\n", "\n"] {
        if let Some(body) = rest.strip_prefix(gap) {
            return (gap, body);
        }
    }
    ("", rest)
}

/// Merges a Markdown body unit by unit; the stretches in conflict are counted in `found`.
pub(crate) fn merge_body(
    base: &str,
    local: &str,
    remote: &str,
    markers: &Markers,
    found: &mut Conflicts,
) -> String {
    let (b, l, r) = (units::cut(base), units::cut(local), units::cut(remote));
    let keys =
        |body: &Body<'_>| -> Vec<String> { body.units.iter().map(|u| u.key.to_string()).collect() };
    let regions = three_way::merge(&keys(&b), &keys(&l), &keys(&r));
    let mut out = Output {
        text: String::with_capacity(local.len() + remote.len() / 4),
        started: false,
    };
    for region in regions {
        match region {
            Region::Take(side, range) => {
                let units = match side {
                    Side::Local => &l.units[range],
                    Side::Remote => &r.units[range],
                };
                for unit in units {
                    out.unit(unit.sep, unit.text);
                }
            }
            Region::Conflict { local, remote } => {
                found.body += 1;
                let (ours, theirs) = (&l.units[local], &r.units[remote]);
                let sep = (ours.first().or(theirs.first())).map_or("\n\n", |u| u.sep);
                out.unit(sep, "");
                out.text.push_str(&markers.local);
                out.units(ours, &markers.newline);
                out.text.push_str(&markers.separator);
                out.units(theirs, &markers.newline);
                let closing = markers.remote.trim_end_matches(['\n', '\r']);
                out.text.push_str(closing);
            }
        }
    }
    let lead = pick(b.lead, l.lead, r.lead);
    let tail = pick(b.tail, l.tail, r.tail);
    let tail = if out.started && tail.is_empty() && !local.is_empty() {
        &markers.newline
    } else {
        tail
    };
    format!("{lead}{}{tail}", out.text)
}

/// Three-way for a piece of whitespace: the remote one where only Intercom changed it.
fn pick<'a>(base: &'a str, local: &'a str, remote: &'a str) -> &'a str {
    if local == base {
        remote
    } else {
        local
    }
}

/// The merged body as it is written.
struct Output {
    text: String,
    /// Whether a unit was written (the first goes without its separator).
    started: bool,
}

impl Output {
    fn unit(&mut self, sep: &str, text: &str) {
        if self.started {
            self.text.push_str(sep);
        }
        self.started = true;
        self.text.push_str(text);
    }

    /// One side of a conflict: its units as they are, each line ended.
    fn units(&mut self, units: &[Unit<'_>], newline: &str) {
        for (i, unit) in units.iter().enumerate() {
            if i > 0 {
                self.text.push_str(unit.sep);
            }
            self.text.push_str(unit.text);
        }
        if !units.is_empty() {
            self.text.push_str(newline);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "---\ntitle: \"Change your plan\"\ndescription: \"Upgrade.\"\nid: \"700\"\nlastmod: \"2023-11-14T22:46:40Z\"\n---\n\nGo to **Settings**.\n\n## Cancel {#h_1}\n\n- Open the team page.\n- Click *Cancel*.\n\nDone.\n";

    fn edit(text: &str, from: &str, to: &str) -> String {
        assert!(text.contains(from), "{from:?} not in {text}");
        text.replacen(from, to, 1)
    }

    #[test]
    fn different_blocks_and_keys_merge_cleanly() {
        let local = edit(BASE, "Go to **Settings**.", "Open **Settings**.");
        let local = edit(
            &local,
            "description: \"Upgrade.\"",
            "description: \"Upgrade or cancel.\"",
        );
        let remote = edit(BASE, "- Click *Cancel*.", "- Click *Cancel plan*.");
        let remote = edit(
            &remote,
            "title: \"Change your plan\"",
            "title: \"Change plans\"",
        );
        let remote = edit(&remote, "22:46:40Z", "23:00:00Z");
        let merged = merge_text(Some(BASE), None, &local, &remote, Some(1_700_003_000)).unwrap();
        let expected = edit(
            &edit(&remote, "Go to **Settings**.", "Open **Settings**."),
            "description: \"Upgrade.\"",
            "description: \"Upgrade or cancel.\"",
        );
        assert_eq!(merged.text, expected);
        assert!(merged.conflict_lines.is_empty());
    }

    #[test]
    fn the_same_block_edited_twice_gets_markers() {
        let local = edit(BASE, "- Open the team page.", "- Open the **team** page.");
        let remote = edit(BASE, "- Open the team page.", "- Open the members page.");
        let merged = merge_text(Some(BASE), None, &local, &remote, Some(1_796_647_610)).unwrap();
        let expected = edit(
            BASE,
            "- Open the team page.\n",
            "<<<<<<< local\n- Open the **team** page.\n=======\n- Open the members page.\n>>>>>>> intercom (2026-12-07 12:46 UTC)\n",
        );
        assert_eq!(merged.text, expected);
        assert_eq!(merged.conflict_lines, [12]);
        // The markers sit on lines of their own, so the list's other item is untouched.
        assert!(merged.text.contains("12:46 UTC)\n- Click *Cancel*."));
    }

    #[test]
    fn without_a_base_text_the_body_record_is_the_base() {
        let body = &BASE[BASE.find("Go to").unwrap()..];
        let local = edit(BASE, "Done.", "All done.");
        let remote = edit(BASE, "## Cancel", "## Stop");
        let merged = merge_text(None, Some(body), &local, &remote, None).unwrap();
        assert_eq!(merged.text, edit(&remote, "Done.", "All done."));
        let unmergeable = merge_text(None, Some(body), "---\ntitle: [\n---\n", &remote, None);
        let why = unmergeable.unwrap_err().0;
        assert!(why.starts_with("line 3: invalid YAML"), "{why}");
    }
}
