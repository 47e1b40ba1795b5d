//! Front matter: a small YAML subset, written deterministically and read strictly.
//!
//! Written: one `key: value` line per key, in the order given; strings always double-quoted with
//! JSON-compatible escapes (every JSON string is a valid YAML double-quoted scalar), integers and
//! booleans plain. Read: the same, plus what a writer types by hand: plain scalars
//! (`title: Hello world`), single quotes, `#` comments, blank lines, CRLF line ends. Anything
//! else YAML allows (nesting, lists, flow collections, anchors, tags, block and multi-line
//! scalars, duplicate keys) is refused with its line, rather than guessed at.

use std::fmt::Write as _;

/// Writes front matter lines in a fixed order with stable quoting.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    out: String,
}

impl Writer {
    /// A double-quoted string.
    pub(crate) fn string(&mut self, key: &str, value: &str) -> &mut Self {
        let _ = writeln!(self.out, "{key}: {}", quote(value));
        self
    }

    /// A double-quoted string, or nothing when `None`.
    pub(crate) fn opt_string(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.string(key, value);
        }
        self
    }

    /// A plain integer.
    pub(crate) fn int(&mut self, key: &str, value: i64) -> &mut Self {
        let _ = writeln!(self.out, "{key}: {value}");
        self
    }

    /// A plain integer, or nothing when `None`.
    pub(crate) fn opt_int(&mut self, key: &str, value: Option<i64>) -> &mut Self {
        if let Some(value) = value {
            self.int(key, value);
        }
        self
    }

    /// `key: true`, only when `value` is true (these keys default to false).
    pub(crate) fn flag(&mut self, key: &str, value: bool) -> &mut Self {
        if value {
            let _ = writeln!(self.out, "{key}: true");
        }
        self
    }

    /// A time as RFC 3339 UTC (a plain integer of Unix seconds if out of its range).
    pub(crate) fn time(&mut self, key: &str, secs: Option<i64>) -> &mut Self {
        match secs.map(|s| (s, format_time(s))) {
            Some((_, Some(text))) => self.string(key, &text),
            Some((s, None)) => self.int(key, s),
            None => self,
        }
    }

    /// The whole document: front matter between `---` lines, then the body.
    pub(crate) fn document(&self, body: &str) -> String {
        let mut doc = format!("---\n{}---\n", self.out);
        if !body.is_empty() {
            doc.push('\n');
            doc.push_str(body);
            if !body.ends_with('\n') {
                doc.push('\n');
            }
        }
        doc
    }
}

/// A YAML double-quoted scalar. JSON escapes, plus `\u` for what YAML calls non-printable (DEL,
/// C1 controls, U+FFFE/U+FFFF) and for line and paragraph separators and the BOM, which some
/// YAML 1.1 readers treat as line breaks or strip.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
                ) =>
            {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A time as RFC 3339 UTC, e.g. `2024-05-27T09:33:20Z`; `None` outside the representable range.
pub(crate) fn format_time(secs: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// Reads a time: RFC 3339 with any offset (fractions of a second are dropped), a date alone
/// (`2024-05-27`, midnight UTC), or an integer of Unix seconds.
pub(crate) fn parse_time(value: &Value) -> Result<i64, String> {
    let text = match value {
        Value::Plain(t) | Value::Quoted(t) => t.trim(),
        Value::Null => return Err("expected a date, found nothing".to_string()),
    };
    if let (Value::Plain(_), Ok(secs)) = (value, text.parse::<i64>()) {
        return Ok(secs);
    }
    let rfc3339 = time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(text, &rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let date_only = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = time::Date::parse(text, &date_only) {
        return Ok(d.midnight().assume_utc().unix_timestamp());
    }
    Err(format!(
        "invalid date {text:?} (expected RFC 3339, e.g. 2024-05-27T09:33:20Z, or 2024-05-27)"
    ))
}

/// A scalar as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// Empty, `~` or `null`.
    Null,
    /// A plain scalar, as typed (an integer, a boolean or text).
    Plain(String),
    /// A single- or double-quoted scalar, unescaped: always text.
    Quoted(String),
}

impl Value {
    /// The text of a non-null scalar (plain `2024` is the text `2024`).
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Value::Null => None,
            Value::Plain(t) | Value::Quoted(t) => Some(t),
        }
    }

    /// What the value is, for messages: `"draft"` or `nothing`.
    pub(crate) fn describe(&self) -> String {
        match self.text() {
            Some(t) => format!("{t:?}"),
            None => "nothing".to_string(),
        }
    }
}

/// One `key: value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    /// The key.
    pub(crate) key: String,
    /// The value.
    pub(crate) value: Value,
    /// Its 1-based line in the file.
    pub(crate) line: usize,
}

/// A Markdown file split into front matter and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Document<'a> {
    /// The front matter fields, in file order.
    pub(crate) fields: Vec<Field>,
    /// Everything after the closing `---` line (one blank line after it removed).
    pub(crate) body: &'a str,
}

/// A syntax error: its 1-based line and what is wrong.
pub(crate) type SyntaxError = (usize, String);

/// Splits a file into front matter and body, parsing the front matter.
pub(crate) fn parse(text: &str) -> Result<Document<'_>, SyntaxError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut lines = Lines {
        text,
        pos: 0,
        line: 0,
    };
    match lines.next() {
        Some(first) if first.trim_end() == "---" => {}
        _ => {
            return Err((
                1,
                "no front matter: the file must start with a `---` line".to_string(),
            ))
        }
    }
    let mut fields: Vec<Field> = Vec::new();
    loop {
        let Some(line) = lines.next() else {
            return Err((1, "front matter is not closed by a `---` line".to_string()));
        };
        if line.trim_end() == "---" {
            break;
        }
        if let Some(field) = parse_line(line).map_err(|why| (lines.line, why))? {
            if let Some(first) = fields.iter().find(|f| f.key == field.key) {
                return Err((
                    lines.line,
                    format!(
                        "duplicate key `{}` (first on line {})",
                        field.key, first.line
                    ),
                ));
            }
            fields.push(Field {
                line: lines.line,
                ..field
            });
        }
    }
    let rest = &text[lines.pos..];
    let body = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
        .unwrap_or(rest);
    Ok(Document { fields, body })
}

/// Lines without their `\n` / `\r\n`, counting line numbers.
struct Lines<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.pos >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.pos..];
        let (line, used) = match rest.find('\n') {
            Some(end) => (&rest[..end], end + 1),
            None => (rest, rest.len()),
        };
        self.pos += used;
        self.line += 1;
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

/// One front matter line: `None` for a blank or comment line.
fn parse_line(line: &str) -> Result<Option<Field>, String> {
    let trimmed = line.trim_start_matches([' ', '\t']);
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    if trimmed.len() != line.len() {
        return Err(
            "indented line: nested values, lists and multi-line values are not \
                    supported; write `key: value` on one line"
                .to_string(),
        );
    }
    let Some((key, rest)) = split_key(line) else {
        return Err(format!(
            "expected `key: value`, found {:?}",
            truncate(line, 40)
        ));
    };
    let value = parse_value(rest.trim_start_matches([' ', '\t']))?;
    Ok(Some(Field {
        key: key.to_string(),
        value,
        line: 0,
    }))
}

/// `key: rest` with a simple key (`[A-Za-z_][A-Za-z0-9_.-]*`) and `:` followed by a space or
/// the end of the line.
fn split_key(line: &str) -> Option<(&str, &str)> {
    let end = line.find(':')?;
    let (key, rest) = (&line[..end], &line[end + 1..]);
    let mut chars = key.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    let separated = rest.is_empty() || rest.starts_with([' ', '\t']);
    (first_ok && rest_ok && separated).then_some((key, rest))
}

fn parse_value(text: &str) -> Result<Value, String> {
    if let Some(rest) = text.strip_prefix('"') {
        let (value, after) = double_quoted(rest)?;
        end_of_value(after)?;
        return Ok(Value::Quoted(value));
    }
    if let Some(rest) = text.strip_prefix('\'') {
        let (value, after) = single_quoted(rest)?;
        end_of_value(after)?;
        return Ok(Value::Quoted(value));
    }
    plain(text)
}

/// After a quoted scalar only whitespace and a comment (`#` after whitespace) may follow.
fn end_of_value(after: &str) -> Result<(), String> {
    let trimmed = after.trim_start_matches([' ', '\t']);
    let comment = trimmed.starts_with('#') && trimmed.len() < after.len();
    if trimmed.is_empty() || comment {
        return Ok(());
    }
    Err(format!(
        "unexpected text after the closing quote: {:?}",
        truncate(trimmed, 40)
    ))
}

/// A plain scalar: the text up to a ` #` comment, trimmed, refusing what YAML would read as
/// something other than one scalar.
fn plain(text: &str) -> Result<Value, String> {
    let text = strip_comment(text).trim_end_matches([' ', '\t']);
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        _ => {}
    }
    let first = text.chars().next().expect("not empty");
    if "[]{},&*!|>%@`".contains(first) {
        return Err(format!(
            "values starting with `{first}` (lists, maps, anchors, tags, block scalars) are not \
             supported; quote the value: \"...\""
        ));
    }
    if matches!(first, '-' | '?' | ':') && text[1..].chars().next().is_none_or(char::is_whitespace)
    {
        return Err(format!(
            "`{first} ` starts a list or mapping, which is not supported; quote the value"
        ));
    }
    if text.contains(": ") || text.contains(":\t") || text.ends_with(':') {
        return Err("a plain value cannot contain `: `; quote the value: \"...\"".to_string());
    }
    Ok(Value::Plain(text.to_string()))
}

/// A `#` after whitespace starts a comment (the value itself follows whitespace after `:`).
fn strip_comment(text: &str) -> &str {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t')) {
            return &text[..i];
        }
    }
    text
}

/// A double-quoted scalar on one line: the value and the text after the closing quote.
fn double_quoted(rest: &str) -> Result<(String, &str), String> {
    let mut out = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &rest[i + 1..])),
            '\\' => {
                let (_, e) = chars.next().ok_or_else(|| {
                    "unterminated string (a value must fit on one line)".to_string()
                })?;
                escape(e, &mut chars, &mut out)?;
            }
            c if c.is_control() && c != '\t' => {
                return Err(format!(
                    "control character U+{:04X} in a string; write it as \\u{:04X}",
                    u32::from(c),
                    u32::from(c)
                ))
            }
            c => out.push(c),
        }
    }
    Err("unterminated string: missing the closing `\"` (a value must fit on one line)".to_string())
}

/// One YAML escape sequence (after the backslash).
fn escape(e: char, chars: &mut std::str::CharIndices, out: &mut String) -> Result<(), String> {
    let simple = match e {
        '0' => Some('\0'),
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        't' | '\t' => Some('\t'),
        'n' => Some('\n'),
        'v' => Some('\u{B}'),
        'f' => Some('\u{C}'),
        'r' => Some('\r'),
        'e' => Some('\u{1B}'),
        ' ' => Some(' '),
        '"' => Some('"'),
        '/' => Some('/'),
        '\\' => Some('\\'),
        'N' => Some('\u{85}'),
        '_' => Some('\u{A0}'),
        'L' => Some('\u{2028}'),
        'P' => Some('\u{2029}'),
        _ => None,
    };
    if let Some(c) = simple {
        out.push(c);
        return Ok(());
    }
    let digits = match e {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        other => return Err(format!("unknown escape `\\{other}` in a string")),
    };
    let code = hex_digits(chars, digits)?;
    let c = match code {
        // A UTF-16 surrogate pair, as JSON writes characters outside the BMP.
        0xD800..=0xDBFF => low_surrogate(chars, code)?,
        _ => char::from_u32(code).ok_or_else(|| format!("invalid character escape {code:#X}"))?,
    };
    out.push(c);
    Ok(())
}

fn low_surrogate(chars: &mut std::str::CharIndices, high: u32) -> Result<char, String> {
    let err = || "a \\u escape of a high surrogate must be followed by a low one".to_string();
    if chars.next().map(|(_, c)| c) != Some('\\') || chars.next().map(|(_, c)| c) != Some('u') {
        return Err(err());
    }
    let low = hex_digits(chars, 4)?;
    if !(0xDC00..=0xDFFF).contains(&low) {
        return Err(err());
    }
    char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)).ok_or_else(err)
}

fn hex_digits(chars: &mut std::str::CharIndices, n: usize) -> Result<u32, String> {
    let mut code = 0u32;
    for _ in 0..n {
        let digit = chars
            .next()
            .and_then(|(_, c)| c.to_digit(16))
            .ok_or_else(|| format!("expected {n} hex digits in a string escape"))?;
        code = code * 16 + digit;
    }
    Ok(code)
}

/// A single-quoted scalar on one line (`''` is a quote).
fn single_quoted(rest: &str) -> Result<(String, &str), String> {
    let mut out = String::new();
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\'' {
            out.push(c);
            continue;
        }
        if chars.peek().is_some_and(|&(_, n)| n == '\'') {
            chars.next();
            out.push('\'');
        } else {
            return Ok((out, &rest[i + 1..]));
        }
    }
    Err("unterminated string: missing the closing `'` (a value must fit on one line)".to_string())
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(front: &str) -> Vec<(String, Value)> {
        let text = format!("---\n{front}---\nbody\n");
        parse(&text)
            .unwrap()
            .fields
            .into_iter()
            .map(|f| (f.key, f.value))
            .collect()
    }

    fn error(front: &str) -> SyntaxError {
        parse(&format!("---\n{front}---\n")).unwrap_err()
    }

    fn plain_value(s: &str) -> Value {
        Value::Plain(s.to_string())
    }

    fn quoted(s: &str) -> Value {
        Value::Quoted(s.to_string())
    }

    #[test]
    fn written_strings_read_back_exactly() {
        let hostile = [
            "plain",
            "",
            "with \"quotes\" and \\ backslash",
            "line\nbreak\r\ttab",
            "../../etc/passwd <script>alert(1)</script>",
            "# not a comment: really",
            "'single' - [list] {map} &anchor *alias !tag | > % @ `",
            "\u{0}\u{1F}\u{7F}\u{85}\u{9F}\u{2028}\u{2029}\u{FEFF}\u{FFFE}\u{FFFF}",
            "設定を変更する كيفية 😀",
            "true",
            "null",
            "123",
            "---",
        ];
        for s in hostile {
            let mut w = Writer::default();
            w.string("title", s);
            let doc = w.document("");
            let parsed = parse(&doc).unwrap();
            assert_eq!(parsed.fields[0].value, quoted(s), "{doc}");
            assert!(!quote(s).contains('\n'));
        }
    }

    #[test]
    fn hand_written_scalars() {
        let got = fields(
            "# a comment\n\ntitle: Hello world   # trailing comment\nid: 101\n\
             description: 'It''s here'\ndraft: true\nweight: -3\nurl: a#b\nicon:\nx: ~\n",
        );
        assert_eq!(
            got,
            vec![
                ("title".into(), plain_value("Hello world")),
                ("id".into(), plain_value("101")),
                ("description".into(), quoted("It's here")),
                ("draft".into(), plain_value("true")),
                ("weight".into(), plain_value("-3")),
                ("url".into(), plain_value("a#b")),
                ("icon".into(), Value::Null),
                ("x".into(), Value::Null),
            ]
        );
    }

    #[test]
    fn yaml_escapes_and_crlf() {
        let text =
            "---\r\ntitle: \"a\\x41\\u00e9\\U0001F600\\ud83d\\ude00\\/\\_\"\r\n---\r\n\r\nbody";
        let doc = parse(text).unwrap();
        assert_eq!(doc.fields[0].value, quoted("aAé😀😀/\u{A0}"));
        assert_eq!(doc.body, "body");
    }

    #[test]
    fn body_starts_after_the_closing_line() {
        let doc = parse("\u{FEFF}---\ntitle: x\n---\n\n# Heading\n").unwrap();
        assert_eq!(doc.body, "# Heading\n");
        assert_eq!(doc.fields[0].line, 2);
        assert_eq!(parse("---\n---\n").unwrap().body, "");
    }

    #[test]
    fn refuses_what_it_does_not_support_with_the_line() {
        let cases: [(&str, usize, &str); 12] = [
            ("tags:\n  - a\n", 2, "indented line"),
            ("tags: [a, b]\n", 1, "values starting with `[`"),
            ("a: {b: c}\n", 1, "values starting with `{`"),
            ("a: &x y\n", 1, "values starting with `&`"),
            ("a: |\n", 1, "values starting with `|`"),
            ("a: - b\n", 1, "`- ` starts a list"),
            ("title: a: b\n", 1, "cannot contain `: `"),
            ("title: \"open\n", 1, "unterminated string"),
            ("title: 'open\n", 1, "unterminated string"),
            (
                "title: \"x\" y\n",
                1,
                "unexpected text after the closing quote",
            ),
            (
                "title: x\ntitle: y\n",
                2,
                "duplicate key `title` (first on line 2)",
            ),
            ("just text\n", 1, "expected `key: value`"),
        ];
        for (front, line, message) in cases {
            let (got_line, got) = error(front);
            assert_eq!(got_line, line + 1, "{front:?}: {got}");
            assert!(got.contains(message), "{front:?}: {got}");
        }
        assert_eq!(
            error("title: \"a\\qb\"\n").1,
            "unknown escape `\\q` in a string"
        );
        assert_eq!(
            parse("title: x\n").unwrap_err(),
            (
                1,
                "no front matter: the file must start with a `---` line".to_string()
            )
        );
        assert_eq!(
            parse("---\ntitle: x\n").unwrap_err(),
            (1, "front matter is not closed by a `---` line".to_string())
        );
    }

    #[test]
    fn writer_is_deterministic_and_typed() {
        let mut w = Writer::default();
        w.string("title", "T")
            .opt_string("description", None)
            .int("weight", 2)
            .flag("draft", true)
            .flag("untranslated", false)
            .time("date", Some(1_680_000_000))
            .time("lastmod", None);
        assert_eq!(
            w.document("Body"),
            "---\ntitle: \"T\"\nweight: 2\ndraft: true\ndate: \"2023-03-28T10:40:00Z\"\n---\n\nBody\n"
        );
    }

    #[test]
    fn times() {
        let t = |s: &str| parse_time(&quoted(s));
        assert_eq!(t("2023-03-28T10:40:00Z"), Ok(1_680_000_000));
        assert_eq!(t("2023-03-28T12:40:00+02:00"), Ok(1_680_000_000));
        assert_eq!(t("2023-03-28T10:40:00.75Z"), Ok(1_680_000_000));
        assert_eq!(t("2023-03-28"), Ok(1_679_961_600));
        assert_eq!(parse_time(&plain_value("1680000000")), Ok(1_680_000_000));
        assert!(t("1680000000").is_err());
        assert!(t("28/03/2023").unwrap_err().contains("invalid date"));
        assert_eq!(format_time(1_680_000_000).unwrap(), "2023-03-28T10:40:00Z");
        assert_eq!(format_time(i64::MAX), None);
    }
}
