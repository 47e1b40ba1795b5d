//! Writing text so Markdown reads it back as the same text.
//!
//! Escapes are minimal but context-blind where context is hard to know: a character is escaped
//! when it could start Markdown syntax given only the text around it in the same text node.
//! Every paragraph is parsed back anyway (see `to_markdown`), so a missed case costs prettiness,
//! never content.

/// Appends `text` escaped; `line_start` says it begins a Markdown line (where `#`, `>`, `-`,
/// `1.` ... would start a block), `in_table` that it sits in a pipe table cell.
pub(crate) fn push_text(out: &mut String, text: &str, line_start: bool, in_table: bool) {
    let chars: Vec<char> = text.chars().collect();
    let skip = if line_start {
        escape_line_start(out, &chars)
    } else {
        0
    };
    for i in skip..chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        match c {
            '\\' | '*' | '`' | '[' | ']' | '~' => escaped(out, c),
            '_' if !(is_word(prev) && is_word(next)) => escaped(out, c),
            '<' if next.is_none_or(|n| n.is_ascii_alphabetic() || "/!?".contains(n)) => {
                escaped(out, c)
            }
            '&' if starts_entity(&chars[i + 1..]) => escaped(out, c),
            '!' if next.is_none() => escaped(out, c),
            '|' if in_table => escaped(out, c),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
}

fn escaped(out: &mut String, c: char) {
    out.push('\\');
    out.push(c);
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(char::is_alphanumeric)
}

/// Escapes what would open a block at the start of a line; returns how many characters it
/// wrote (the digits of an ordered-list marker come with their escaped delimiter).
fn escape_line_start(out: &mut String, chars: &[char]) -> usize {
    let Some(&first) = chars.first() else {
        return 0;
    };
    let next = chars.get(1).copied();
    let only = |set: &str| chars.iter().all(|c| set.contains(*c));
    let escape_first = match first {
        '#' | '>' => true,
        // A table delimiter row (on a line after a hard break) or a setext underline.
        '|' | ':' | '-' if only("|:- ") && chars.contains(&'-') => true,
        '=' => only("= "),
        '-' | '+' => next.is_none_or(|n| n == ' '),
        c if c.is_ascii_digit() => return escape_ordered_marker(out, chars),
        _ => false,
    };
    if escape_first {
        escaped(out, first);
        1
    } else {
        0
    }
}

/// `1.` or `1)` followed by a space or the end: writes the digits and the escaped delimiter
/// and returns their count.
fn escape_ordered_marker(out: &mut String, chars: &[char]) -> usize {
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let delimiter = chars.get(digits).copied();
    let after = chars.get(digits + 1).copied();
    match delimiter {
        Some(d @ ('.' | ')')) if digits <= 9 && after.is_none_or(|c| c == ' ') => {
            out.extend(&chars[..digits]);
            escaped(out, d);
            digits + 1
        }
        _ => 0,
    }
}

/// Whether `&` followed by `rest` would read as a character reference (`&amp;`, `&#38;`).
fn starts_entity(rest: &[char]) -> bool {
    let body = rest.strip_prefix(&['#']).unwrap_or(rest);
    let len = body
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    len > 0 && body.get(len) == Some(&';')
}

/// A code span holding `code` exactly; `None` for empty code, which Markdown cannot write.
pub(crate) fn code_span(code: &str, in_table: bool) -> Option<String> {
    if code.is_empty() {
        return None;
    }
    let fence = "`".repeat(free_backtick_run(code));
    // The parser strips one space on each side when both are there (and the code is not all
    // spaces), and needs a space between fence and code that starts or ends with a backtick.
    let pad = code.starts_with('`')
        || code.ends_with('`')
        || (code.starts_with(' ')
            && code.ends_with(' ')
            && !code.trim_start_matches(' ').is_empty());
    let pad = if pad { " " } else { "" };
    let code = if in_table {
        code.replace('|', "\\|")
    } else {
        code.to_owned()
    };
    Some(format!("{fence}{pad}{code}{pad}{fence}"))
}

/// The shortest run of backticks that does not occur in `text`.
fn free_backtick_run(text: &str) -> usize {
    let runs: Vec<usize> = text
        .split(|c| c != '`')
        .map(str::len)
        .filter(|&n| n > 0)
        .collect();
    (1..)
        .find(|n| !runs.contains(n))
        .expect("some length is free")
}

/// The fence for a code block: backticks longer than any run inside the code.
pub(crate) fn code_fence(code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// A link or image destination; `None` when it holds characters no destination can.
pub(crate) fn destination(url: &str) -> Option<String> {
    if url.chars().any(char::is_control) {
        return None;
    }
    let mut out = String::new();
    let angled = url.is_empty() || url.contains([' ', '<', '>']) || !balanced(url);
    if angled {
        out.push('<');
    }
    let chars: Vec<char> = url.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '<' | '>' => escaped(&mut out, c),
            '(' | ')' if !angled => escaped(&mut out, c),
            '&' if starts_entity(&chars[i + 1..]) => escaped(&mut out, c),
            c => out.push(c),
        }
    }
    if angled {
        out.push('>');
    }
    Some(out)
}

fn balanced(url: &str) -> bool {
    let mut depth = 0usize;
    for c in url.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return false,
            ')' => depth -= 1,
            _ => {}
        }
    }
    depth == 0
}

/// A link or image title in double quotes; `None` when it spans lines.
pub(crate) fn title(title: &str) -> Option<String> {
    if title.chars().any(char::is_control) {
        return None;
    }
    let chars: Vec<char> = title.chars().collect();
    let mut out = String::from("\"");
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '"' | '\\' => escaped(&mut out, c),
            '&' if starts_entity(&chars[i + 1..]) => escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str, line_start: bool) -> String {
        let mut out = String::new();
        push_text(&mut out, s, line_start, false);
        out
    }

    #[test]
    fn inline_syntax() {
        assert_eq!(
            text(r"a*b_c snake_case [x] `y` \ ~", false),
            r"a\*b_c snake_case \[x\] \`y\` \\ \~"
        );
        assert_eq!(text("_x_ a_", false), r"\_x\_ a\_");
        assert_eq!(
            text("a < b <c &amp; AT&T &#1;", false),
            r"a < b \<c \&amp; AT&T \&#1;"
        );
        assert_eq!(text("wow!", false), r"wow\!");
        assert_eq!(text("a\u{a0}b", false), "a&nbsp;b");
    }

    #[test]
    fn line_starts() {
        assert_eq!(text("# a", true), r"\# a");
        assert_eq!(text("> a", true), r"\> a");
        assert_eq!(text("- a", true), r"\- a");
        assert_eq!(text("-5 degrees", true), "-5 degrees");
        assert_eq!(text("+", true), r"\+");
        assert_eq!(text("12. a_b *", true), r"12\. a_b \*");
        assert_eq!(text("2024 was", true), "2024 was");
        assert_eq!(text("---", true), r"\---");
        assert_eq!(text("|-|", true), r"\|-|");
        assert_eq!(text("===", true), r"\===");
        assert_eq!(text("# a", false), "# a");
    }

    #[test]
    fn code_spans() {
        assert_eq!(code_span("a", false).unwrap(), "`a`");
        assert_eq!(code_span("a`b", false).unwrap(), "``a`b``");
        assert_eq!(code_span("`", false).unwrap(), "`` ` ``");
        assert_eq!(code_span(" a ", false).unwrap(), "`  a  `");
        assert_eq!(code_span("  ", false).unwrap(), "`  `");
        assert_eq!(code_span("a|b", true).unwrap(), r"`a\|b`");
        assert_eq!(code_span("", false), None);
    }

    #[test]
    fn destinations_and_titles() {
        assert_eq!(
            destination("https://x.test/a_(b)").unwrap(),
            r"https://x.test/a_\(b\)"
        );
        assert_eq!(destination("a b").unwrap(), "<a b>");
        assert_eq!(destination("").unwrap(), "<>");
        assert_eq!(destination("a)").unwrap(), "<a)>");
        assert_eq!(title(r#"say "hi" \o/"#).unwrap(), r#""say \"hi\" \\o/""#);
        assert_eq!(title("a\nb"), None);
    }
}
