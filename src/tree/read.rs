//! Reading one file of a tree: its front matter into typed fields, its Markdown body (turned into
//! HTML by the loader, which knows the body's base), and every problem with the file and line it
//! applies to.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use super::conflicts;
use super::frontmatter::{self, parse_time, Field, Value};
use crate::model::slug::slugify;
use crate::model::{ArticleContent, GroupContent, GroupKind, Locale, State};
use crate::snapshot::checked_id;

/// Something wrong with the tree, where it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Problem {
    /// The file or folder, as the user named the tree plus the path inside it.
    pub(crate) path: PathBuf,
    /// The 1-based line, when one applies.
    pub(crate) line: Option<usize>,
    /// The 1-based column on that line, when one is known (YAML syntax errors).
    pub(crate) column: Option<usize>,
    /// What is wrong.
    pub(crate) message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(
                f,
                "{}:{line}:{column}: {}",
                self.path.display(),
                self.message
            ),
            (Some(line), None) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            (None, _) => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// What a Markdown file is, from where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// `<locale>/_index.md`
    HelpCenter,
    /// `_index.md` in a folder below a locale folder.
    Group,
    /// Any other `.md` file.
    Article,
}

/// A Markdown file found in the tree.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// The path for messages and `source` (the tree's root as given, joined with `rel`).
    pub(crate) path: PathBuf,
    /// Its folder, relative to the tree's root.
    pub(crate) dir: PathBuf,
    /// The locale of its locale folder.
    pub(crate) locale: Locale,
    /// What it describes.
    pub(crate) role: Role,
}

/// A file read without errors.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    /// The line of every front matter key that was read.
    pub(crate) lines: HashMap<&'static str, usize>,
    /// The typed content.
    pub(crate) data: Data,
    /// Things ignored, each `path:line: message`.
    pub(crate) warnings: Vec<String>,
    /// The lines of unresolved merge conflicts (see `conflicts.rs`).
    pub(crate) conflicts: Vec<usize>,
}

/// The typed content of a file.
#[derive(Debug, Clone)]
pub(crate) enum Data {
    /// `<locale>/_index.md`
    HelpCenter(HelpCenterData),
    /// A group's `_index.md`.
    Group(GroupData),
    /// An article in one locale.
    Article(ArticleData),
}

/// The help center as one locale folder describes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HelpCenterData {
    /// `id`; absent in a tree without a help center (or a new locale's `_index.md`).
    pub(crate) id: Option<String>,
    /// `title`: the display name.
    pub(crate) title: Option<String>,
    /// `default_locale`.
    pub(crate) default_locale: Option<Locale>,
    /// `identifier`.
    pub(crate) identifier: Option<String>,
    /// `custom_domain`.
    pub(crate) custom_domain: Option<String>,
    /// `intercom_url`.
    pub(crate) url: Option<String>,
}

/// A group as one locale's `_index.md` describes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GroupData {
    /// `id`; `None` for a new collection that `push` has yet to create.
    pub(crate) id: Option<String>,
    /// `kind` (absent: collection).
    pub(crate) kind: GroupKind,
    /// `title`, `description`, `intercom_url`; `None` for an `untranslated: true` folder.
    pub(crate) content: Option<GroupContent>,
    /// `weight`.
    pub(crate) order: Option<i64>,
    /// `icon`.
    pub(crate) icon: Option<String>,
    /// `date`.
    pub(crate) created_at: Option<i64>,
    /// `lastmod`.
    pub(crate) updated_at: Option<i64>,
}

/// An article in one locale.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ArticleData {
    /// `id`; `None` for a new article that `push` has yet to create.
    pub(crate) id: Option<String>,
    /// `weight`.
    pub(crate) order: Option<i64>,
    /// Everything else; the body is empty until the loader renders [`ArticleData::markdown`].
    pub(crate) content: ArticleContent,
    /// The Markdown body (line endings as `\n`).
    pub(crate) markdown: String,
    /// The 1-based line of the file where the body starts.
    pub(crate) body_line: usize,
    /// The front matter's merge conflicts as raw HTML for the top of the page (a preview build
    /// shows them; the local side is what was read).
    pub(crate) front_conflicts: Option<String>,
}

/// Hugo's keys that hold lists of strings: kept in the file for Hugo, checked, not used.
const HUGO_LISTS: [&str; 5] = ["tags", "aliases", "keywords", "categories", "series"];

/// Hugo's other page keys: kept in the file for Hugo, not used, no warning.
const HUGO_KEYS: [&str; 17] = [
    "linkTitle",
    "summary",
    "slug",
    "publishDate",
    "expiryDate",
    "params",
    "menu",
    "menus",
    "layout",
    "type",
    "toc",
    "images",
    "outputs",
    "headless",
    "build",
    "cascade",
    "sitemap",
];

/// Reads and checks one file; every problem found, or the typed content.
pub(crate) fn read_file(file: &SourceFile) -> Result<Parsed, Vec<Problem>> {
    let problem = |line: Option<usize>, message: String| Problem {
        path: file.path.clone(),
        line,
        column: None,
        message,
    };
    let bytes =
        std::fs::read(&file.path).map_err(|e| vec![problem(None, format!("cannot read: {e}"))])?;
    let text = String::from_utf8(bytes)
        .map_err(|e| vec![problem(None, format!("not UTF-8 text: {e}"))])?;
    let conflicts = conflicts::unresolved(&text);
    let (text, front_conflicts) = with_local_front_matter(text);
    let doc = frontmatter::parse(&text).map_err(|e| {
        vec![Problem {
            column: e.column,
            ..problem(Some(e.line), e.message)
        }]
    })?;
    let mut r = Reader {
        file,
        fields: doc.fields,
        lines: HashMap::new(),
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    let data = match file.role {
        Role::HelpCenter => Some(Data::HelpCenter(r.help_center())),
        Role::Group => r.group().map(Data::Group),
        Role::Article => {
            let before_body = text.len() - doc.body.len();
            let body_line = text[..before_body].matches('\n').count() + 1;
            let article = r.article(doc.body, body_line);
            article.map(|a| {
                Data::Article(ArticleData {
                    front_conflicts,
                    ..a
                })
            })
        }
    };
    for &line in &conflicts {
        r.warn(
            Some(line),
            "unresolved merge conflict (the local side is used, the markers show in a preview \
             build); resolve it before `helpcenter push`"
                .to_string(),
        );
    }
    if file.role != Role::Article && !doc.body.trim().is_empty() {
        r.warn(
            None,
            "the body of an _index.md is not used; ignored".to_string(),
        );
    }
    r.finish(data, conflicts)
}

/// The text with the conflicts of its front matter resolved to the local side (every line
/// keeps its number), and those conflicts as HTML for the top of the page.
fn with_local_front_matter(text: String) -> (String, Option<String>) {
    let Some(range) = frontmatter::yaml_range(&text) else {
        return (text, None);
    };
    let Some(shown) = conflicts::show_front_matter(&text[range.clone()]) else {
        return (text, None);
    };
    let local = conflicts::local_side(&text[range.clone()]);
    let mut resolved = text;
    resolved.replace_range(range, &local);
    (resolved, Some(shown))
}

/// Typed reads of front matter fields; each key is taken once, and what is left at the end is
/// unknown.
struct Reader<'a> {
    file: &'a SourceFile,
    fields: Vec<Field>,
    lines: HashMap<&'static str, usize>,
    problems: Vec<Problem>,
    warnings: Vec<String>,
}

impl Reader<'_> {
    fn problem(&mut self, line: Option<usize>, message: String) {
        self.problems.push(Problem {
            path: self.file.path.clone(),
            line,
            column: None,
            message,
        });
    }

    fn warn(&mut self, line: Option<usize>, message: String) {
        let warning = Problem {
            path: self.file.path.clone(),
            line,
            column: None,
            message,
        };
        self.warnings.push(warning.to_string());
    }

    /// The field, if present; its line is remembered for later messages.
    fn take(&mut self, key: &'static str) -> Option<(Value, usize)> {
        let at = self.fields.iter().position(|f| f.key == key)?;
        let field = self.fields.remove(at);
        self.lines.insert(key, field.line);
        Some((field.value, field.line))
    }

    /// The field, if present and a single value: a list or a mapping is a problem.
    fn scalar(&mut self, key: &'static str) -> Option<(Value, usize)> {
        let (value, line) = self.take(key)?;
        if let Value::List(_) | Value::Map(_) = value {
            let found = value.describe();
            self.problem(
                Some(line),
                format!("`{key}`: expected a single value, found {found}"),
            );
            return None;
        }
        Some((value, line))
    }

    /// A list of strings (Hugo's `tags`, `aliases`...): kept for Hugo, checked here.
    fn string_list(&mut self, key: &'static str) {
        let Some((value, line)) = self.take(key) else {
            return;
        };
        let ok = match &value {
            Value::Null => true,
            Value::List(items) => items.iter().all(|item| item.text().is_some()),
            _ => false,
        };
        if !ok {
            let found = value.describe();
            self.problem(
                Some(line),
                format!("`{key}`: expected a list of strings, found {found}"),
            );
        }
    }

    /// Text; absent and null are `None`.
    fn string(&mut self, key: &'static str) -> Option<String> {
        self.scalar(key)
            .and_then(|(v, _)| v.text().map(str::to_string))
    }

    /// Text that must be there and not blank.
    fn required(&mut self, key: &'static str) -> Option<String> {
        let present = self.fields.iter().any(|f| f.key == key);
        match self.scalar(key) {
            None if !present => {
                self.problem(Some(1), format!("front matter has no `{key}`"));
                None
            }
            // A list or a mapping, already reported.
            None => None,
            Some((value, line)) => match value.text() {
                Some(text) if !text.trim().is_empty() => Some(text.to_string()),
                _ => {
                    self.problem(Some(line), format!("`{key}` is empty"));
                    None
                }
            },
        }
    }

    /// A plain integer.
    fn int(&mut self, key: &'static str) -> Option<i64> {
        let (value, line) = self.scalar(key)?;
        match &value {
            Value::Null => None,
            Value::Plain(text) => match text.strip_prefix('+').unwrap_or(text).parse() {
                Ok(n) => Some(n),
                Err(_) => {
                    let found = value.describe();
                    self.problem(
                        Some(line),
                        format!("`{key}`: expected an integer, found {found}"),
                    );
                    None
                }
            },
            Value::Quoted(_) | Value::List(_) | Value::Map(_) => {
                let found = value.describe();
                self.problem(
                    Some(line),
                    format!("`{key}`: expected an integer, found {found}"),
                );
                None
            }
        }
    }

    /// A plain `true` or `false`.
    fn bool(&mut self, key: &'static str) -> Option<bool> {
        let (value, line) = self.scalar(key)?;
        match &value {
            Value::Null => None,
            Value::Plain(t) if matches!(t.as_str(), "true" | "True" | "TRUE") => Some(true),
            Value::Plain(t) if matches!(t.as_str(), "false" | "False" | "FALSE") => Some(false),
            _ => {
                let found = value.describe();
                self.problem(
                    Some(line),
                    format!("`{key}`: expected true or false, found {found}"),
                );
                None
            }
        }
    }

    /// An API id, safe as a file name.
    fn id(&mut self, key: &'static str, required: bool) -> Option<String> {
        let id = if required {
            self.required(key)?
        } else {
            self.string(key)?
        };
        match checked_id(&id) {
            Ok(_) => Some(id),
            Err(why) => {
                let line = self.lines.get(key).copied();
                self.problem(line, format!("`{key}`: {why}"));
                None
            }
        }
    }

    fn time(&mut self, key: &'static str) -> Option<i64> {
        let (value, line) = self.scalar(key)?;
        if value == Value::Null {
            return None;
        }
        match parse_time(&value) {
            Ok(secs) => Some(secs),
            Err(why) => {
                self.problem(Some(line), format!("`{key}`: {why}"));
                None
            }
        }
    }

    /// The `locale` key, which must name the file's locale folder (absent: the folder's).
    fn check_locale(&mut self) {
        let Some((value, line)) = self.scalar("locale") else {
            return;
        };
        let Some(code) = value.text() else {
            return;
        };
        let folder = self.file.locale.as_str();
        if let Err(why) = Locale::parse(code) {
            self.problem(Some(line), format!("`locale`: {why}"));
        } else if code != folder {
            self.problem(
                Some(line),
                format!("locale {code:?} does not match its locale folder {folder:?}"),
            );
        }
    }

    /// `translationKey` is written for Hugo; translations are joined by `id`, so a different
    /// key would make Hugo and this tool disagree about what a translation of what is.
    fn check_translation_key(&mut self, expected: Option<&str>) {
        let Some((value, line)) = self.scalar("translationKey") else {
            return;
        };
        let (Some(found), Some(expected)) = (value.text(), expected) else {
            return;
        };
        if found != expected {
            self.warn(
                Some(line),
                format!(
                    "`translationKey` {found:?} is not {expected:?}: translations are joined by \
                     `id`, so Hugo would pair them differently"
                ),
            );
        }
    }

    fn help_center(&mut self) -> HelpCenterData {
        self.check_locale();
        let id = self.id("id", false);
        let expected = id.as_ref().map(|id| format!("help-center-{id}"));
        self.check_translation_key(expected.as_deref());
        let default_locale = self.string("default_locale").and_then(|code| {
            Locale::parse(&code)
                .map_err(|why| {
                    let line = self.lines.get("default_locale").copied();
                    self.problem(line, format!("`default_locale`: {why}"));
                })
                .ok()
        });
        if let Some((Value::Quoted(d) | Value::Plain(d), line)) = self.scalar("description") {
            if !d.trim().is_empty() {
                self.warn(
                    Some(line),
                    "a help center has no description in Intercom; ignored".to_string(),
                );
            }
        }
        self.take("url");
        HelpCenterData {
            id,
            title: self.string("title"),
            default_locale,
            identifier: self.string("identifier"),
            custom_domain: self.string("custom_domain"),
            url: self.string("intercom_url"),
        }
    }

    fn group(&mut self) -> Option<GroupData> {
        self.check_locale();
        let untranslated = self.bool("untranslated").unwrap_or(false);
        let kind = self.kind();
        let id = self.id("id", false);
        let content = if untranslated {
            // The title of an untranslated folder is only a placeholder for Hugo.
            for key in ["title", "description", "intercom_url"] {
                self.take(key);
            }
            None
        } else {
            self.group_content()
        };
        let order = self.int("weight");
        let icon = self.string("icon");
        let created_at = self.time("date");
        let updated_at = self.time("lastmod");
        self.take("url");
        let kind = kind?;
        if !untranslated {
            content.as_ref()?;
        }
        let expected = (id.as_ref()).map(|id| format!("{}-{id}", super::layout::kind_name(kind)));
        self.check_translation_key(expected.as_deref());
        Some(GroupData {
            id,
            kind,
            content,
            order,
            icon,
            created_at,
            updated_at,
        })
    }

    fn kind(&mut self) -> Option<GroupKind> {
        let Some((value, line)) = self.scalar("kind") else {
            return Some(GroupKind::Collection);
        };
        match value.text() {
            None | Some("collection") => Some(GroupKind::Collection),
            Some("section") => Some(GroupKind::Section),
            Some(_) => {
                let found = value.describe();
                self.problem(
                    Some(line),
                    format!("`kind`: expected collection or section, found {found}"),
                );
                None
            }
        }
    }

    fn group_content(&mut self) -> Option<GroupContent> {
        let name = self.required("title")?;
        Some(GroupContent {
            slug: slugify(&name),
            name,
            description: self.string("description").unwrap_or_default(),
            url: self.string("intercom_url"),
        })
    }

    fn article(&mut self, body: &str, body_line: usize) -> Option<ArticleData> {
        self.check_locale();
        let title = self.required("title");
        let id = self.id("id", false);
        let state_given = self
            .fields
            .iter()
            .any(|f| f.key == "state" || f.key == "draft");
        let state = self.state();
        let description = self.string("description").unwrap_or_default();
        let author_id = self.string("author_id");
        let created_at = self.time("date");
        let updated_at = self.time("lastmod");
        let url = self.string("intercom_url");
        let order = self.int("weight");
        let recorded_path = self.string("url");
        let (title, mut state) = (title?, state?);
        // A new article is created as a draft unless its file says otherwise: publishing is
        // a decision the writer makes explicitly.
        if id.is_none() && !state_given {
            state = State::Draft;
        }
        self.check_translation_key(id.as_deref());
        let content = ArticleContent {
            slug: slugify(&title),
            title,
            description,
            body: String::new(),
            author_id,
            state,
            created_at,
            updated_at,
            url,
            recorded_path,
        };
        Some(ArticleData {
            id,
            order,
            content,
            markdown: body.replace("\r\n", "\n"),
            body_line,
            front_conflicts: None,
        })
    }

    /// `state`, and `draft` (Hugo's key) which must not contradict it; without `state`,
    /// `draft: true` is a draft and anything else is published.
    fn state(&mut self) -> Option<State> {
        let state = match self.scalar("state") {
            None => None,
            Some((value, line)) => match value.text() {
                Some("published") => Some((State::Published, line)),
                Some("draft") => Some((State::Draft, line)),
                None => None,
                Some(_) => {
                    let found = value.describe();
                    self.problem(
                        Some(line),
                        format!("invalid state {found} (expected published or draft)"),
                    );
                    return None;
                }
            },
        };
        let draft = self.bool("draft");
        let draft_line = self.lines.get("draft").copied();
        match (state, draft) {
            (Some((State::Published, line)), Some(true)) => {
                self.problem(
                    draft_line,
                    format!("`draft: true` contradicts `state: published` on line {line}"),
                );
                None
            }
            (Some((State::Draft, line)), Some(false)) => {
                self.problem(
                    draft_line,
                    format!("`draft: false` contradicts `state: draft` on line {line}"),
                );
                None
            }
            (Some((state, _)), _) => Some(state),
            (None, Some(true)) => Some(State::Draft),
            (None, _) => Some(State::Published),
        }
    }

    /// The result: the data if nothing was wrong; Hugo's own keys are checked and kept for
    /// Hugo, other unknown keys become warnings.
    fn finish(mut self, data: Option<Data>, conflicts: Vec<usize>) -> Result<Parsed, Vec<Problem>> {
        for key in HUGO_LISTS {
            self.string_list(key);
        }
        self.fields.retain(|f| !HUGO_KEYS.contains(&f.key.as_str()));
        for field in std::mem::take(&mut self.fields) {
            self.warn(
                Some(field.line),
                format!("unknown key `{}` ignored", field.key),
            );
        }
        match data {
            Some(data) if self.problems.is_empty() => Ok(Parsed {
                lines: self.lines,
                data,
                warnings: self.warnings,
                conflicts,
            }),
            Some(_) => Err(self.problems),
            // Every way to `None` records a problem first; this keeps a slip from hiding a file.
            None if self.problems.is_empty() => Err(vec![Problem {
                path: self.file.path.clone(),
                line: None,
                column: None,
                message: "could not be read".to_string(),
            }]),
            None => Err(self.problems),
        }
    }
}
