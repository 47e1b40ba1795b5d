//! Front matter: YAML as people write it, read with a YAML 1.2 parser (`saphyr-parser`), and
//! written deterministically.
//!
//! Written: one `key: value` line per key, in the order given; strings always double-quoted with
//! JSON-compatible escapes (every JSON string is a valid YAML double-quoted scalar), integers and
//! booleans plain. Read: any YAML mapping, so comments, every quoting style, multi-line and block
//! scalars, lists and nested mappings (Hugo's `tags`, `aliases`, `params`...), anchors and
//! aliases. Scalars keep how they were written: a plain `2024` is text to a `title` and a number
//! to a `weight`, and a quoted `"3"` is never a number. A syntax error names its line and column.
//! [`with_id`] writes an id into a file and keeps every other byte of it, unknown keys included.

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

/// A mapping key, quoted, with its `:`. YAML reads a key written before its `:` (an implicit
/// key) only up to 1024 characters, and quoting can make a short key longer (a control
/// character takes six); a longer key is written in explicit form, `? "key"` then `:` after
/// `separator` (a line break in block style, a space in flow style).
fn mapping_key(key: &str, separator: &str) -> String {
    const IMPLICIT_KEY_LIMIT: usize = 1024;
    let quoted = quote(key);
    if quoted.chars().count() < IMPLICIT_KEY_LIMIT {
        format!("{quoted}:")
    } else {
        format!("? {quoted}{separator}:")
    }
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
        other => return Err(format!("expected a date, found {}", other.describe())),
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

/// A value as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// Empty, `~` or `null`.
    Null,
    /// A plain scalar, as typed (an integer, a boolean or text).
    Plain(String),
    /// A quoted or block scalar (or one tagged `!!str`), unescaped: always text.
    Quoted(String),
    /// A list.
    List(Vec<Value>),
    /// A mapping, in file order.
    Map(Vec<(String, Value)>),
}

impl Value {
    /// The text of a scalar (plain `2024` is the text `2024`); `None` for null, lists and
    /// mappings.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Value::Plain(t) | Value::Quoted(t) => Some(t),
            Value::Null | Value::List(_) | Value::Map(_) => None,
        }
    }

    /// What the value is, for messages: `"draft"`, `nothing`, `a list`, `a mapping`.
    pub(crate) fn describe(&self) -> String {
        match self {
            Value::Null => "nothing".to_string(),
            Value::Plain(t) | Value::Quoted(t) => format!("{t:?}"),
            Value::List(_) => "a list".to_string(),
            Value::Map(_) => "a mapping".to_string(),
        }
    }

    /// The value as YAML on one line (flow style), reading back as the same value.
    fn to_flow(&self) -> String {
        match self {
            Value::Null => "~".to_string(),
            // Numbers and booleans stay plain, so they keep their type; other text is quoted
            // unless it is plainly safe in flow context (no `[]{},:#`, quotes or spaces).
            Value::Plain(t) if is_flow_safe(t) => t.clone(),
            Value::Plain(t) | Value::Quoted(t) => quote(t),
            Value::List(items) => {
                let items: Vec<String> = items.iter().map(Value::to_flow).collect();
                format!("[{}]", items.join(", "))
            }
            Value::Map(entries) => {
                let entries: Vec<String> = (entries.iter())
                    .map(|(k, v)| format!("{} {}", mapping_key(k, " "), v.to_flow()))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
        }
    }
}

/// Whether plain text can be written as it is inside `[...]` or `{...}`.
fn is_flow_safe(text: &str) -> bool {
    text != "-"
        && !matches!(text, "~" | "null" | "Null" | "NULL")
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '/'))
}

/// One top-level `key: value` entry.
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

/// A syntax error: where (1-based line and column in the file) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// The line.
    pub(crate) line: usize,
    /// The column, when the YAML parser gave one.
    pub(crate) column: Option<usize>,
    /// What is wrong.
    pub(crate) message: String,
}

impl SyntaxError {
    fn at_line(line: usize, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            line,
            column: None,
            message: message.into(),
        }
    }
}

/// The front matter's place in a file.
struct Split<'a> {
    /// The YAML between the `---` lines.
    yaml: &'a str,
    /// Where the YAML starts in the text.
    yaml_start: usize,
    /// Everything after the closing line.
    rest: &'a str,
}

/// Finds the front matter between the first line (`---`) and the next `---` line.
fn split(text: &str) -> Result<Split<'_>, SyntaxError> {
    let mut lines = Lines {
        text,
        pos: 0,
        line: 0,
    };
    match lines.next() {
        Some(first) if first.trim_end() == "---" => {}
        _ => {
            return Err(SyntaxError::at_line(
                1,
                "no front matter: the file must start with a `---` line",
            ))
        }
    }
    let yaml_start = lines.pos;
    loop {
        let start = lines.pos;
        let Some(line) = lines.next() else {
            return Err(SyntaxError::at_line(
                1,
                "front matter is not closed by a `---` line",
            ));
        };
        if line.trim_end() == "---" {
            return Ok(Split {
                yaml: &text[yaml_start..start],
                yaml_start,
                rest: &text[lines.pos..],
            });
        }
    }
}

/// Where the YAML between the `---` lines is in `text` (a leading BOM counted); `None` when
/// the text has no closed front matter.
pub(crate) fn yaml_range(text: &str) -> Option<std::ops::Range<usize>> {
    let bom = if text.starts_with('\u{FEFF}') {
        '\u{FEFF}'.len_utf8()
    } else {
        0
    };
    let split = split(&text[bom..]).ok()?;
    let start = bom + split.yaml_start;
    Some(start..start + split.yaml.len())
}

/// A file's front matter entry by entry, as written: what a merge needs to change some entries
/// and keep every other byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout<'a> {
    /// From the start of the text to the YAML: a BOM and the opening `---` line.
    pub(crate) head: &'a str,
    /// The YAML before the first entry (comments, blank lines).
    pub(crate) preamble: &'a str,
    /// Every top-level entry, in file order.
    pub(crate) entries: Vec<RawEntry<'a>>,
    /// The closing `---` line.
    pub(crate) closing: &'a str,
    /// Everything after the closing line: the body, after the blank line that separates it.
    pub(crate) rest: &'a str,
}

/// One top-level entry as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawEntry<'a> {
    /// The key.
    pub(crate) key: String,
    /// The value.
    pub(crate) value: Value,
    /// Its lines: from the key's line to the next entry's (comments after it included).
    pub(crate) text: &'a str,
}

/// The [`Layout`] of `text`: `Ok(None)` when its entries do not each start a line of their
/// own (a flow mapping `{...}`), an error when the front matter does not parse.
pub(crate) fn layout(text: &str) -> Result<Option<Layout<'_>>, SyntaxError> {
    let bom = if text.starts_with('\u{FEFF}') {
        '\u{FEFF}'.len_utf8()
    } else {
        0
    };
    let split = split(&text[bom..])?;
    let fields = yaml::fields(split.yaml)?;
    let yaml_start = bom + split.yaml_start;
    let yaml = split.yaml;
    let mut line_starts = vec![0];
    let mut pos = 0;
    for line in yaml_lines(yaml) {
        pos += line.len();
        line_starts.push(pos);
    }
    let start_of = |line: usize| line_starts.get(line - 1).copied();
    let mut starts = Vec::with_capacity(fields.len());
    for entry in &fields {
        match start_of(entry.yaml_line) {
            Some(start) if starts.last().is_none_or(|&last| start > last) => starts.push(start),
            _ => return Ok(None),
        }
    }
    let preamble_end = starts.first().copied().unwrap_or(yaml.len());
    let entries = (fields.into_iter().enumerate())
        .map(|(i, entry)| RawEntry {
            key: entry.field.key,
            value: entry.field.value,
            text: &yaml[starts[i]..starts.get(i + 1).copied().unwrap_or(yaml.len())],
        })
        .collect();
    let closing_start = yaml_start + yaml.len();
    let rest_start = text.len() - split.rest.len();
    Ok(Some(Layout {
        head: &text[..yaml_start],
        preamble: &yaml[..preamble_end],
        entries,
        closing: &text[closing_start..rest_start],
        rest: split.rest,
    }))
}

/// Splits a file into front matter and body, parsing the front matter.
pub(crate) fn parse(text: &str) -> Result<Document<'_>, SyntaxError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let split = split(text)?;
    let fields = yaml::fields(split.yaml)?
        .into_iter()
        .map(|f| f.field)
        .collect();
    let body = (split.rest.strip_prefix("\r\n"))
        .or_else(|| split.rest.strip_prefix('\n'))
        .unwrap_or(split.rest);
    Ok(Document { fields, body })
}

/// The text with `id` and `translationKey` set at the top of its front matter (any previous
/// `id` or `translationKey` entry removed, whatever lines its value spans), every other byte
/// as it was. Where that edit would not read back as the same entries (a flow mapping
/// `{...}`, an old id that defines an anchor others use, ...), the front matter is written
/// anew from its values instead, one `key: value` line each.
pub(crate) fn with_id(text: &str, id: &str, key: &str) -> String {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let header = format!(
        "id: {}{newline}translationKey: {}{newline}",
        quote(id),
        quote(key)
    );
    let Ok(split) = split(text) else {
        return format!("---{newline}{header}---{newline}{newline}{text}");
    };
    let head = &text[..split.yaml_start];
    let closing = &text[split.yaml_start + split.yaml.len()..text.len() - split.rest.len()];
    let document = |yaml: &str| format!("{head}{header}{yaml}{closing}{}", split.rest);
    let Ok(entries) = yaml::fields(split.yaml) else {
        // Left as broken as it was: the loader reports it.
        return document(split.yaml);
    };
    let kept: Vec<&Field> = (entries.iter().map(|e| &e.field))
        .filter(|f| !is_id_key(&f.key))
        .collect();
    let edited = document(&without_entries(split.yaml, &entries));
    let reads_back = parse(&edited).is_ok_and(|doc| {
        let again: Vec<&Field> = doc.fields.iter().filter(|f| !is_id_key(&f.key)).collect();
        again.len() == kept.len()
            && again
                .iter()
                .zip(&kept)
                .all(|(a, b)| a.key == b.key && a.value == b.value)
    });
    if reads_back {
        return edited;
    }
    let lines: String = (kept.iter())
        .map(|f| {
            let key = mapping_key(&f.key, newline);
            format!("{key} {}{newline}", f.value.to_flow())
        })
        .collect();
    document(&lines)
}

fn is_id_key(key: &str) -> bool {
    key == "id" || key == "translationKey"
}

/// The YAML without the lines of its `id` and `translationKey` entries: from the entry's key
/// to the next entry's key (or the end).
fn without_entries(yaml: &str, fields: &[yaml::Entry]) -> String {
    let mut drop = Vec::new();
    for (i, entry) in fields.iter().enumerate() {
        if is_id_key(&entry.field.key) {
            let end = fields.get(i + 1).map_or(usize::MAX, |next| next.yaml_line);
            drop.push(entry.yaml_line..end);
        }
    }
    yaml_lines(yaml)
        .enumerate()
        .filter(|(i, _)| !drop.iter().any(|range| range.contains(&(i + 1))))
        .map(|(_, line)| line)
        .collect()
}

/// Lines with their ends as YAML counts them: `\r\n`, `\n` and a lone `\r` each end one.
fn yaml_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.find(['\n', '\r']).map_or(rest.len(), |i| {
            if rest[i..].starts_with("\r\n") {
                i + 2
            } else {
                i + 1
            }
        });
        let (line, after) = rest.split_at(end);
        rest = after;
        Some(line)
    })
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

/// The YAML itself, through `saphyr-parser`'s events.
mod yaml {
    use std::borrow::Cow;
    use std::collections::HashMap;

    use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};

    use super::{Field, SyntaxError, Value};

    /// Nesting deeper than this is refused rather than recursed into.
    const MAX_DEPTH: usize = 64;
    /// Values an input may expand to through aliases (`*a`), so a few lines cannot expand
    /// into gigabytes.
    const MAX_NODES: usize = 100_000;

    /// A top-level entry and where it is.
    pub(super) struct Entry {
        pub(super) field: Field,
        /// The 1-based line of its key in the YAML.
        pub(super) yaml_line: usize,
    }

    /// The entries of the front matter's YAML (a mapping, or nothing at all).
    pub(super) fn fields(yaml: &str) -> Result<Vec<Entry>, SyntaxError> {
        let mut reader = Reader {
            parser: Parser::new_from_str(yaml),
            anchors: HashMap::new(),
            nodes: 0,
        };
        reader.expect_start()?;
        let (event, span) = reader.next()?;
        let entries = match event {
            Event::DocumentEnd | Event::StreamEnd => return Ok(Vec::new()),
            Event::MappingStart(anchor, _) => {
                let entries = reader.top_level()?;
                if anchor > 0 {
                    reader.nodes += entries.len();
                }
                entries
            }
            Event::Scalar(value, ..) if value.trim().is_empty() => Vec::new(),
            _ => {
                return Err(error_at(
                    span,
                    "front matter must be `key: value` lines (a YAML mapping)",
                ))
            }
        };
        match reader.next()? {
            (Event::DocumentEnd, _) => {}
            (_, span) => return Err(error_at(span, "unexpected content after the mapping")),
        }
        match reader.next()? {
            (Event::StreamEnd, _) => Ok(entries),
            (_, span) => Err(error_at(
                span,
                "more than one YAML document in the front matter",
            )),
        }
    }

    /// A 1-based YAML line as a line of the file (the front matter starts on line 2).
    fn file_line(yaml_line: usize) -> usize {
        yaml_line + 1
    }

    fn error_at(span: Span, message: &str) -> SyntaxError {
        SyntaxError {
            line: file_line(span.start.line()),
            column: Some(span.start.col() + 1),
            message: message.to_string(),
        }
    }

    fn scan_error(e: ScanError) -> SyntaxError {
        SyntaxError {
            line: file_line(e.marker().line()),
            column: Some(e.marker().col() + 1),
            message: format!("invalid YAML: {}", e.info()),
        }
    }

    struct Reader<'a> {
        parser: Parser<'a, saphyr_parser::StrInput<'a>>,
        anchors: HashMap<usize, Value>,
        nodes: usize,
    }

    impl<'a> Reader<'a> {
        fn next(&mut self) -> Result<(Event<'a>, Span), SyntaxError> {
            match self.parser.next_event() {
                Some(Ok(event)) => Ok(event),
                Some(Err(e)) => Err(scan_error(e)),
                None => Ok((Event::StreamEnd, Span::default())),
            }
        }

        /// The stream and document starts.
        fn expect_start(&mut self) -> Result<(), SyntaxError> {
            loop {
                match self.next()? {
                    (Event::StreamStart, _) | (Event::Nothing, _) => {}
                    (Event::DocumentStart(_), _) => return Ok(()),
                    (Event::StreamEnd, _) => return Ok(()),
                    (_, span) => return Err(error_at(span, "unexpected YAML")),
                }
            }
        }

        fn top_level(&mut self) -> Result<Vec<Entry>, SyntaxError> {
            let mut entries: Vec<Entry> = Vec::new();
            loop {
                let (event, span) = self.next()?;
                let key = match event {
                    Event::MappingEnd => return Ok(entries),
                    Event::Scalar(text, ..) => text.into_owned(),
                    _ => return Err(error_at(span, "a key must be plain text")),
                };
                if key.is_empty() {
                    return Err(error_at(span, "empty key"));
                }
                let line = file_line(span.start.line());
                if let Some(first) = entries.iter().find(|e| e.field.key == key) {
                    return Err(SyntaxError {
                        line,
                        column: Some(span.start.col() + 1),
                        message: format!(
                            "duplicate key `{key}` (first on line {})",
                            first.field.line
                        ),
                    });
                }
                let value = self.value(1)?;
                entries.push(Entry {
                    field: Field { key, value, line },
                    yaml_line: span.start.line(),
                });
            }
        }

        /// The next value, nested at `depth`.
        fn value(&mut self, depth: usize) -> Result<Value, SyntaxError> {
            let (event, span) = self.next()?;
            if depth > MAX_DEPTH {
                return Err(error_at(span, "nested too deeply"));
            }
            self.nodes += 1;
            if self.nodes > MAX_NODES {
                return Err(error_at(span, "too many values (aliases expand too far)"));
            }
            let (value, anchor) = match event {
                Event::Scalar(text, style, anchor, tag) => (scalar(text, style, tag), anchor),
                Event::SequenceStart(anchor, _) => {
                    let mut items = Vec::new();
                    loop {
                        if matches!(self.parser.peek(), Some(Ok((Event::SequenceEnd, _)))) {
                            self.next()?;
                            break;
                        }
                        items.push(self.value(depth + 1)?);
                    }
                    (Value::List(items), anchor)
                }
                Event::MappingStart(anchor, _) => {
                    let mut entries = Vec::new();
                    loop {
                        if matches!(self.parser.peek(), Some(Ok((Event::MappingEnd, _)))) {
                            self.next()?;
                            break;
                        }
                        let key = match self.value(depth + 1)? {
                            Value::Plain(t) | Value::Quoted(t) => t,
                            Value::Null => String::new(),
                            _ => return Err(error_at(span, "a key must be plain text")),
                        };
                        entries.push((key, self.value(depth + 1)?));
                    }
                    (Value::Map(entries), anchor)
                }
                Event::Alias(id) => {
                    let value = self
                        .anchors
                        .get(&id)
                        .cloned()
                        .ok_or_else(|| error_at(span, "an alias to an unknown anchor"))?;
                    self.nodes += count(&value);
                    if self.nodes > MAX_NODES {
                        return Err(error_at(span, "too many values (aliases expand too far)"));
                    }
                    return Ok(value);
                }
                _ => return Err(error_at(span, "unexpected YAML")),
            };
            if anchor > 0 {
                self.anchors.insert(anchor, value.clone());
            }
            Ok(value)
        }
    }

    /// Values in `value`, itself included.
    fn count(value: &Value) -> usize {
        1 + match value {
            Value::List(items) => items.iter().map(count).sum(),
            Value::Map(entries) => entries.iter().map(|(_, v)| count(v)).sum(),
            _ => 0,
        }
    }

    /// A scalar as its style and tag make it: plain text can still be a number or a boolean;
    /// anything quoted, a block scalar or `!!str` is text.
    fn scalar(text: Cow<'_, str>, style: ScalarStyle, tag: Option<Cow<'_, Tag>>) -> Value {
        let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
        match (style, tag.as_deref()) {
            (_, Some("!!null" | "tag:yaml.org,2002:null")) => Value::Null,
            (_, Some("!!str" | "tag:yaml.org,2002:str")) => Value::Quoted(text.into_owned()),
            (ScalarStyle::Plain, _) => match text.as_ref() {
                "" | "~" | "null" | "Null" | "NULL" => Value::Null,
                _ => Value::Plain(text.into_owned()),
            },
            _ => Value::Quoted(text.into_owned()),
        }
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
        let text = "---\r\ntitle: \"a\\x41\\u00e9\\U0001F600\\/\\_\"\r\n---\r\n\r\nbody";
        let doc = parse(text).unwrap();
        assert_eq!(doc.fields[0].value, quoted("aAé😀/\u{A0}"));
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
    fn yaml_as_people_write_it() {
        let got = fields(
            "title: >-\n  A folded\n  title\ndescription: |\n  Line one\n  Line two\ntags:\n  - a\n  - \"b\"\naliases: [/old/, '/older/']\nparams:\n  hero: true  # a comment\nsummary: a plain\n  multi-line value\nweight: 3\nanchor: &x shared\ncopy: *x\nforced: !!str 12\n",
        );
        let list = |items: &[Value]| Value::List(items.to_vec());
        assert_eq!(
            got,
            vec![
                ("title".into(), quoted("A folded title")),
                ("description".into(), quoted("Line one\nLine two\n")),
                ("tags".into(), list(&[plain_value("a"), quoted("b")])),
                (
                    "aliases".into(),
                    list(&[plain_value("/old/"), quoted("/older/")])
                ),
                (
                    "params".into(),
                    Value::Map(vec![("hero".into(), plain_value("true"))])
                ),
                ("summary".into(), plain_value("a plain multi-line value")),
                ("weight".into(), plain_value("3")),
                ("anchor".into(), plain_value("shared")),
                ("copy".into(), plain_value("shared")),
                ("forced".into(), quoted("12")),
            ]
        );
        assert_eq!(fields("{title: Flow, id: 3}\n").len(), 2);
        assert_eq!(fields(""), vec![]);
        assert_eq!(fields("# only a comment\n"), vec![]);
    }

    #[test]
    fn errors_name_the_line_and_column_in_the_file() {
        let e = error("title: \"open\nid: 1\n");
        assert_eq!((e.line, e.column), (2, Some(8)), "{e:?}");
        assert!(e.message.starts_with("invalid YAML: "), "{e:?}");
        let e = error("title: x\n  bad: indent\n");
        assert_eq!(e.line, 3, "{e:?}");
        assert!(
            e.column.is_some() && e.message.starts_with("invalid YAML: "),
            "{e:?}"
        );
        let e = error("title: x\ntitle: y\n");
        assert_eq!(
            (e.line, e.column, e.message.as_str()),
            (3, Some(1), "duplicate key `title` (first on line 2)")
        );
        let e = error("- a\n- b\n");
        assert_eq!(
            (e.line, e.message.as_str()),
            (
                2,
                "front matter must be `key: value` lines (a YAML mapping)"
            )
        );
        assert_eq!(
            parse("title: x\n").unwrap_err(),
            SyntaxError::at_line(1, "no front matter: the file must start with a `---` line")
        );
        assert_eq!(
            parse("---\ntitle: x\n").unwrap_err(),
            SyntaxError::at_line(1, "front matter is not closed by a `---` line")
        );
    }

    #[test]
    fn aliases_cannot_expand_without_bound_and_nesting_is_limited() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = (b'a' + i) as char;
            let next = (b'a' + i + 1) as char;
            bomb.push_str(&format!(
                "{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert!(error(&bomb).message.contains("aliases expand too far"));
        let deep = format!("a: {}{}\n", "[".repeat(200), "]".repeat(200));
        assert_eq!(error(&deep).message, "nested too deeply");
    }

    #[test]
    fn the_id_goes_into_the_front_matter_and_everything_else_stays() {
        let text = "---\ntitle: New\nid:\ntranslationKey: x\n---\n\nid: stays\n";
        assert_eq!(
            with_id(text, "42", "42"),
            "---\nid: \"42\"\ntranslationKey: \"42\"\ntitle: New\n---\n\nid: stays\n"
        );
        // Unknown keys, comments and multi-line values are kept byte for byte; an old id
        // spanning lines goes entirely.
        let text = "---\r\n# mine\r\ntitle: New\r\nid: >-\r\n  7\r\ntags:\r\n  - a  # kept\r\nparams: {x: 1}\r\n---\r\nBody\r\n";
        assert_eq!(
            with_id(text, "9", "9"),
            "---\r\nid: \"9\"\r\ntranslationKey: \"9\"\r\n# mine\r\ntitle: New\r\ntags:\r\n  - a  # kept\r\nparams: {x: 1}\r\n---\r\nBody\r\n"
        );
        // A flow mapping is rewritten in block style with the same values.
        let flow = with_id("---\n{title: A, id: 3, tags: [x]}\n---\n", "5", "5");
        assert_eq!(
            flow,
            "---\nid: \"5\"\ntranslationKey: \"5\"\n\"title\": A\n\"tags\": [x]\n---\n"
        );
    }

    #[test]
    fn a_layout_keeps_every_byte_of_every_entry() {
        let text = "\u{FEFF}---\n# top\ntitle: A # t\ntags:\n  - x\n\n# about the id\nid: \"3\"\n---\n\nBody\n";
        let fm = layout(text).unwrap().unwrap();
        assert_eq!(fm.head, "\u{FEFF}---\n");
        assert_eq!(fm.preamble, "# top\n");
        let texts: Vec<(&str, &str)> = (fm.entries.iter())
            .map(|e| (e.key.as_str(), e.text))
            .collect();
        assert_eq!(
            texts,
            [
                ("title", "title: A # t\n"),
                ("tags", "tags:\n  - x\n\n# about the id\n"),
                ("id", "id: \"3\"\n")
            ]
        );
        assert_eq!(fm.entries[2].value, quoted("3"));
        assert_eq!((fm.closing, fm.rest), ("---\n", "\nBody\n"));
        assert_eq!(layout("---\n{title: A, id: 3}\n---\n").unwrap(), None);
        assert!(layout("---\ntitle: [\n---\n").is_err());
        let empty = layout("---\n---\n").unwrap().unwrap();
        assert!(empty.entries.is_empty() && empty.preamble.is_empty());
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
