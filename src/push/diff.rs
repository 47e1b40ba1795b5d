//! A small line diff (longest common subsequence) printed in unified format, for the Markdown
//! bodies of dry runs and conflicts, and the exact change of each field a push sends.

/// A unified diff from `old` to `new` with 3 lines of context; `None` when they are equal.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> Option<String> {
    if old == new {
        return None;
    }
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = operations(&a, &b);
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    for hunk in hunks(&ops, 3) {
        out.push_str(&render(&ops[hunk.clone()]));
    }
    Some(out)
}

/// The change of a text field: its old and new value as removed and added lines (each value's
/// own lines kept); `None` when equal.
pub fn values(old: &str, new: &str) -> Option<String> {
    if old == new {
        return None;
    }
    let mut out = String::new();
    for (sign, value) in [('-', old), ('+', new)] {
        for line in value.split('\n') {
            out.push(sign);
            out.push_str(line);
            out.push('\n');
        }
    }
    Some(out)
}

/// A unified diff of two bodies' HTML with each top-level block on a line of its own (the
/// body's own line breaks kept), so an edited block shows as itself; `None` when equal.
pub fn html_blocks(old: &str, new: &str) -> Option<String> {
    if old == new {
        return None;
    }
    let lines = |html: &str| crate::markdown::block_lines(html).join("\n");
    let diff = unified(&lines(old), &lines(new), "intercom", "sent");
    // Bodies that differ only where the display breaks lines: show the bytes as they are.
    Some(diff.unwrap_or_else(|| values(old, new).unwrap_or_default()))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op<'a> {
    Same(&'a str, usize, usize),
    Delete(&'a str, usize),
    Insert(&'a str, usize),
}

/// The edit script by dynamic programming (bodies are small; O(n*m) is fine).
fn operations<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<Op<'a>> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut ops) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Same(a[i], i, j));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j]) {
            ops.push(Op::Insert(b[j], j));
            j += 1;
        } else {
            ops.push(Op::Delete(a[i], i));
            i += 1;
        }
    }
    ops
}

/// Ranges of `ops` around the changes, with `context` unchanged lines either side.
fn hunks(ops: &[Op<'_>], context: usize) -> Vec<std::ops::Range<usize>> {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    for (k, op) in ops.iter().enumerate() {
        if matches!(op, Op::Same(..)) {
            continue;
        }
        let start = k.saturating_sub(context);
        let end = (k + context + 1).min(ops.len());
        match ranges.last_mut() {
            Some(last) if start <= last.end => last.end = end,
            _ => ranges.push(start..end),
        }
    }
    ranges
}

fn render(ops: &[Op<'_>]) -> String {
    let (mut old_start, mut new_start) = (None, None);
    let (mut old_len, mut new_len) = (0, 0);
    let mut body = String::new();
    for op in ops {
        match *op {
            Op::Same(line, i, j) => {
                old_start.get_or_insert(i);
                new_start.get_or_insert(j);
                old_len += 1;
                new_len += 1;
                body.push_str(&format!(" {line}\n"));
            }
            Op::Delete(line, i) => {
                old_start.get_or_insert(i);
                old_len += 1;
                body.push_str(&format!("-{line}\n"));
            }
            Op::Insert(line, j) => {
                new_start.get_or_insert(j);
                new_len += 1;
                body.push_str(&format!("+{line}\n"));
            }
        }
    }
    let start = |s: Option<usize>, len: usize| s.map_or(0, |s| s + usize::from(len > 0));
    format!(
        "@@ -{},{old_len} +{},{new_len} @@\n{body}",
        start(old_start, old_len),
        start(new_start, new_len)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a\n", "a\n", "x", "y"), None);
    }

    #[test]
    fn field_values_and_html_blocks() {
        assert_eq!(values("a", "a"), None);
        assert_eq!(values("Old\ntwo", "New").unwrap(), "-Old\n-two\n+New\n");
        let old = r#"<p class="no-margin">One</p><p class="no-margin">Two</p><p class="no-margin">Three</p>"#;
        let new = old.replace("Two", "2");
        assert_eq!(
            html_blocks(old, &new).unwrap(),
            concat!(
                "--- intercom\n+++ sent\n@@ -1,3 +1,3 @@\n",
                " <p class=\"no-margin\">One</p>\n",
                "-<p class=\"no-margin\">Two</p>\n",
                "+<p class=\"no-margin\">2</p>\n",
                " <p class=\"no-margin\">Three</p>\n"
            )
        );
    }

    #[test]
    fn one_changed_line_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n";
        assert_eq!(
            unified(old, new, "remote", "local").unwrap(),
            "--- remote\n+++ local\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }
}
