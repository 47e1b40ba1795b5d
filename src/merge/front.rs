//! Front matter merged key by key. A key edited on one side takes that side's value; edited
//! alike on both, that value; edited differently on both, a conflict around the two entries.
//! Entries keep their lines as written (comments included), so a local file changes only where
//! a remote value comes in; a key new in Intercom goes after the key it follows there.
//!
//! Two keys are not the writers' to edit and never conflict: `url` and `intercom_url` are
//! Intercom's (the loader recomputes `url` anyway), and `lastmod` takes the later time.
//!
//! Without a base (a tree exported before base texts), a key that differs on the two sides is a
//! conflict: nothing says which side changed it.

use crate::tree::frontmatter::{parse_time, Layout, RawEntry, Value};

use super::text::{Conflicts, Markers};

/// Keys that belong to Intercom: the remote value wins.
const REMOTE_KEYS: [&str; 2] = ["url", "intercom_url"];
/// The key that takes the later of two times.
const LASTMOD: &str = "lastmod";

/// What becomes of one key.
enum Choice<'a> {
    /// This entry's lines (and the local entry's trailing comments, if it had the key).
    Take(&'a RawEntry<'a>),
    /// The key goes.
    Drop,
    /// Both sides: the local and the remote entry (either may be absent).
    Conflict(Option<&'a RawEntry<'a>>, Option<&'a RawEntry<'a>>),
}

/// The merged YAML between the `---` lines of `local`, with the conflicts' keys counted in
/// `conflicts`.
pub(crate) fn merge(
    base: Option<&Layout<'_>>,
    local: &Layout<'_>,
    remote: &Layout<'_>,
    markers: &Markers,
    conflicts: &mut Conflicts,
) -> String {
    let mut out = local.preamble.to_string();
    for key in keys(local, remote, base) {
        let (l, r) = (find(local, &key), find(remote, &key));
        let b = base.map(|b| find(b, &key));
        let trivia = l.map_or("", |e| trailing_trivia(e.text));
        match choose(&key, b, l, r) {
            Choice::Take(entry) if l.is_some_and(|l| std::ptr::eq(l, entry)) => {
                out.push_str(entry.text)
            }
            Choice::Take(entry) => {
                push_line(&mut out, value_lines(entry.text), markers);
                out.push_str(trivia);
            }
            Choice::Drop => out.push_str(trivia),
            Choice::Conflict(l, r) => {
                conflicts.front_matter.push(key.clone());
                out.push_str(&markers.local);
                if let Some(l) = l {
                    push_line(&mut out, value_lines(l.text), markers);
                }
                out.push_str(&markers.separator);
                if let Some(r) = r {
                    push_line(&mut out, value_lines(r.text), markers);
                }
                out.push_str(&markers.remote);
                out.push_str(trivia);
            }
        }
    }
    out
}

fn find<'l>(layout: &'l Layout<'_>, key: &str) -> Option<&'l RawEntry<'l>> {
    layout.entries.iter().find(|e| e.key == key)
}

/// The keys of the merged front matter in order: the local file's, with the keys Intercom
/// added (absent from the base and the local file) after the key they follow there.
fn keys(local: &Layout<'_>, remote: &Layout<'_>, base: Option<&Layout<'_>>) -> Vec<String> {
    let mut keys: Vec<String> = local.entries.iter().map(|e| e.key.clone()).collect();
    let has = |layout: Option<&Layout<'_>>, key: &str| {
        layout.is_some_and(|l| l.entries.iter().any(|e| e.key == key))
    };
    let mut after: Option<usize> = None;
    for entry in &remote.entries {
        if let Some(at) = keys.iter().position(|k| *k == entry.key) {
            after = Some(at);
        } else if !has(base, &entry.key) {
            let at = after.map_or(0, |a| a + 1);
            keys.insert(at, entry.key.clone());
            after = Some(at);
        }
    }
    keys
}

/// The three-way rule for one key (see the module docs); `base` is `None` without a base text,
/// `Some(None)` when the base has no such key.
fn choose<'a>(
    key: &str,
    base: Option<Option<&'a RawEntry<'a>>>,
    local: Option<&'a RawEntry<'a>>,
    remote: Option<&'a RawEntry<'a>>,
) -> Choice<'a> {
    let take = |entry: Option<&'a RawEntry<'a>>| entry.map_or(Choice::Drop, Choice::Take);
    if same(local, remote) {
        return take(local);
    }
    match base {
        Some(base) if same(local, base) => return take(remote),
        Some(base) if same(remote, base) => return take(local),
        _ => {}
    }
    if REMOTE_KEYS.contains(&key) {
        return take(remote);
    }
    if key == LASTMOD {
        if let (Some(l), Some(r)) = (local, remote) {
            if let (Ok(lt), Ok(rt)) = (parse_time(&l.value), parse_time(&r.value)) {
                return Choice::Take(if rt > lt { r } else { l });
            }
        }
    }
    Choice::Conflict(local, remote)
}

/// Whether two entries (or their absence) hold the same value.
fn same(a: Option<&RawEntry<'_>>, b: Option<&RawEntry<'_>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => equivalent(&a.value, &b.value),
        _ => false,
    }
}

/// Values alike as a reader takes them: `title: Foo` and `title: "Foo"` are the same title.
fn equivalent(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equivalent(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && (x.iter().zip(y)).all(|((ka, va), (kb, vb))| ka == kb && equivalent(va, vb))
        }
        _ => match (a.text(), b.text()) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}

/// An entry's lines without the comments and blank lines after its value.
fn value_lines(text: &str) -> &str {
    &text[..text.len() - trailing_trivia(text).len()]
}

/// The comment and blank lines at the end of an entry's lines (never its first line; a block
/// scalar's content is indented, so a line starting with `#` ends it).
fn trailing_trivia(text: &str) -> &str {
    let mut end = text.len();
    let mut start = end;
    while start > 0 {
        let line_start = text[..start.saturating_sub(1)]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        if line_start == 0 {
            break;
        }
        let line = text[line_start..start].trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() || line.starts_with('#') {
            start = line_start;
        } else {
            break;
        }
        end = start;
    }
    &text[end..]
}

/// Adds `lines`, ending them with a line break if they lack one.
fn push_line(out: &mut String, lines: &str, markers: &Markers) {
    out.push_str(lines);
    if !lines.ends_with('\n') {
        out.push_str(&markers.newline);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::frontmatter::layout;

    fn merged(base: Option<&str>, local: &str, remote: &str) -> (String, Vec<String>) {
        let doc = |yaml: &str| format!("---\n{yaml}---\n");
        let (b, l, r) = (base.map(doc), doc(local), doc(remote));
        let b = b.as_deref().map(|b| layout(b).unwrap().unwrap());
        let (l, r) = (layout(&l).unwrap().unwrap(), layout(&r).unwrap().unwrap());
        let markers = Markers::new(Some(1_796_647_610), "\n");
        let mut conflicts = Conflicts::default();
        let yaml = merge(b.as_ref(), &l, &r, &markers, &mut conflicts);
        (yaml, conflicts.front_matter)
    }

    #[test]
    fn keys_take_the_side_that_changed_them() {
        let base = "title: \"T\"\ndescription: \"D\"\nweight: 1\nlastmod: \"2023-01-01T00:00:00Z\"\nurl: \"/en/articles/1-t/\"\n";
        let local = "title: \"T\"\n# why\ndescription: Mine  # edited\nweight: 1\nlastmod: \"2023-01-01T00:00:00Z\"\nurl: \"/en/articles/1-t/\"\ntags: [a]\n";
        let remote = "title: \"New T\"\ndescription: \"D\"\nweight: 2\nlastmod: \"2024-05-01T00:00:00Z\"\nurl: \"/en/articles/1-new-t/\"\nauthor_id: \"7\"\n";
        let (yaml, conflicts) = merged(Some(base), local, remote);
        assert_eq!(
            yaml,
            "title: \"New T\"\n# why\ndescription: Mine  # edited\nweight: 2\nlastmod: \"2024-05-01T00:00:00Z\"\nurl: \"/en/articles/1-new-t/\"\nauthor_id: \"7\"\ntags: [a]\n"
        );
        assert!(conflicts.is_empty());
    }

    #[test]
    fn a_key_edited_on_both_sides_is_a_conflict_between_markers() {
        let base = "title: \"T\"\nweight: 1\n";
        let (yaml, conflicts) = merged(
            Some(base),
            "title: Mine\n# note\nweight: 1\n",
            "title: \"Theirs\"\n",
        );
        assert_eq!(
            yaml,
            "<<<<<<< local\ntitle: Mine\n=======\ntitle: \"Theirs\"\n>>>>>>> intercom (2026-12-07 12:46 UTC)\n# note\n"
        );
        assert_eq!(conflicts, ["title"]);
        // The same edit on both sides, a key deleted on one side, and `lastmod` edited on both.
        let (yaml, conflicts) = merged(
            Some("title: \"T\"\nweight: 1\nlastmod: 2023-01-01\n"),
            "title: Same\nlastmod: \"2025-01-01T00:00:00Z\"\n",
            "title: \"Same\"\nweight: 1\nlastmod: \"2024-01-01T00:00:00Z\"\n",
        );
        assert_eq!(yaml, "title: Same\nlastmod: \"2025-01-01T00:00:00Z\"\n");
        assert!(conflicts.is_empty());
    }

    #[test]
    fn without_a_base_differing_keys_conflict() {
        let (yaml, conflicts) = merged(
            None,
            "title: \"T\"\nurl: \"/a/\"\n",
            "title: \"U\"\nurl: \"/b/\"\n",
        );
        assert_eq!(
            yaml,
            "<<<<<<< local\ntitle: \"T\"\n=======\ntitle: \"U\"\n>>>>>>> intercom (2026-12-07 12:46 UTC)\nurl: \"/b/\"\n"
        );
        assert_eq!(conflicts, ["title"]);
    }

    #[test]
    fn trailing_comments_belong_to_no_value() {
        assert_eq!(trailing_trivia("a: 1\n# c\n\n"), "# c\n\n");
        assert_eq!(trailing_trivia("a: |\n  # text\n"), "");
        assert_eq!(trailing_trivia("# only\n"), "");
        assert_eq!(value_lines("a: 1\n# c\n"), "a: 1\n");
    }
}
