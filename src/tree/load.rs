//! Tree -> model: reads every Markdown file, checks the whole tree, and builds the same
//! [`Workspace`] the snapshot loader builds.
//!
//! Structure comes from folders: a folder's `_index.md` says which group it is, so an article's
//! parent is its folder's group and a group's parent is the enclosing folder's group (none at a
//! locale folder's top). Translations are joined by `id` (groups by kind and id), and must
//! agree on what belongs to the object rather than to one translation: place, `weight`, and a
//! group's `icon`, `date` and `lastmod`; the help center's fields agree across locale folders.
//!
//! Files without `id` are new content for `push` to create; [`load_with_new`] returns them
//! beside the workspace (see the module docs of `tree`).
//!
//! Nothing is returned until the whole tree is checked: every problem is collected and reported
//! together, one `path:line: message` per line, sorted by path.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::assets::{globalize, AssetRecord};
use super::base::BaseRecord;
use super::bodies;
use super::read::{
    read_file, ArticleData, Data, GroupData, HelpCenterData, Parsed, Problem, Role, SourceFile,
};
use super::INDEX_FILE;
use crate::error::{Error, Result};
use crate::markdown::assemble;
use crate::model::INTERCOM_LOCALES;
use crate::model::{
    id_cmp, link_tree, Article, ArticleContent, Group, GroupIx, GroupKind, HelpCenter,
    HelpCenterIx, Locale, Workspace,
};
use crate::snapshot::ASSETS_DIR;

/// Reads the Markdown tree at `content` into a [`Workspace`], or reports every problem in it.
///
/// New article and collection files (no `id` yet) are left out of the workspace with a
/// warning: they have no id to build a page path from until `helpcenter push` creates them.
pub fn load(content: &Path) -> Result<Workspace> {
    let loaded = load_with_new(content)?;
    warn_new_files(&loaded);
    Ok(loaded.workspace)
}

/// Warns about the new files of `loaded` that a build leaves out (see [`load`]).
pub fn warn_new_files(loaded: &Loaded) {
    let new_files = (loaded.new_articles.iter().map(|a| (&a.path, "article")))
        .chain(loaded.new_groups.iter().map(|g| (&g.path, "collection")));
    for (path, what) in new_files {
        tracing::warn!(
            "{}: new {what} (no `id`) left out until `helpcenter push` creates it",
            path.display()
        );
    }
}

/// A loaded tree, with what `push` needs beyond the [`Workspace`].
#[derive(Debug)]
pub struct Loaded {
    /// The tree as the model (new articles left out).
    pub workspace: Workspace,
    /// Article files without an `id`, by path.
    pub new_articles: Vec<NewArticle>,
    /// Collection `_index.md` files without an `id`, by path.
    pub new_groups: Vec<NewGroup>,
    /// Every article file with an `id`: relative path (`/`-separated) -> (id, locale).
    pub article_files: BTreeMap<String, (String, Locale)>,
    /// The tree's asset record, as read for the load (empty when the tree has none).
    pub assets: AssetRecord,
    /// Every unresolved merge conflict (see `conflicts.rs`), sorted by file and line: the tree
    /// loads with the local side of each, and `push` refuses to send it.
    pub conflicts: Vec<Conflict>,
}

/// An unresolved merge conflict in a file of the tree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Conflict {
    /// The file (the tree's root as given, joined with its relative path).
    pub path: PathBuf,
    /// Its path relative to the tree's root, `/`-separated (the base record's key).
    pub rel: String,
    /// The 1-based line of the conflict's opening marker.
    pub line: usize,
}

/// Like [`load`], and also returns the new article files (no `id` yet), checked like the rest,
/// and which file holds which article translation.
pub fn load_with_new(content: &Path) -> Result<Loaded> {
    let scan = scan(content)?;
    let mut problems = scan.problems;
    let assets = AssetRecord::read(content)?;
    let bases = Bases::read(content)?;
    let results: Vec<_> = (scan.files.par_iter())
        .map(|file| {
            read_file(file).and_then(|parsed| with_body(content, file, parsed, &assets, &bases))
        })
        .collect();
    let mut warnings = Vec::new();
    let mut conflicts = Vec::new();
    let mut files = Vec::with_capacity(results.len());
    for (file, result) in scan.files.iter().zip(results) {
        match result {
            Ok(parsed) => {
                warnings.extend(parsed.warnings.iter().cloned());
                conflicts.extend(parsed.conflicts.iter().map(|&line| Conflict {
                    path: file.path.clone(),
                    rel: rel_path(file),
                    line,
                }));
                files.push((file, Some(parsed)));
            }
            Err(found) => {
                problems.extend(found);
                files.push((file, None));
            }
        }
    }
    let mut assembly = Assembly::new(content, &files, problems);
    let ws = assembly.workspace(warnings);
    let new_articles = assembly.new_articles();
    let new_groups = assembly.new_groups();
    let article_files = assembly.article_files();
    if !assembly.problems.is_empty() {
        return Err(problems_error(assembly.problems));
    }
    for warning in &ws.warnings {
        tracing::warn!("{warning}");
    }
    conflicts.sort();
    Ok(Loaded {
        workspace: ws,
        new_articles,
        new_groups,
        article_files,
        assets,
        conflicts,
    })
}

/// One article file read on its own, exactly as [`load`] reads it into the model.
#[derive(Debug)]
pub struct ArticleFile {
    /// Its `id` (none for a new article).
    pub id: Option<String>,
    /// The locale folder it is in.
    pub locale: Locale,
    /// Its `weight`.
    pub order: Option<i64>,
    /// Its front matter and body (the body as HTML, as the model holds it).
    pub content: ArticleContent,
    /// What loading the tree would warn about this file (unknown keys, ...).
    pub warnings: Vec<String>,
}

/// Reads single article files of a tree exactly as [`load`] reads them into the model, without
/// the rest of the tree: `serve` reads the file a writer just saved to tell an edit of a body
/// from one that changes the site's structure. The tree's records (local asset copies, the
/// bodies each file was exported from) are read once, when the reader opens.
pub struct ArticleReader {
    content: PathBuf,
    assets: AssetRecord,
    bases: Bases,
}

impl ArticleReader {
    /// A reader of the tree at `content`.
    pub fn open(content: &Path) -> Result<ArticleReader> {
        Ok(ArticleReader {
            content: content.to_path_buf(),
            assets: AssetRecord::read(content)?,
            bases: Bases::read(content)?,
        })
    }

    /// The article file at `path` (inside the tree). Problems are reported as [`load`]
    /// reports them, by file and line.
    pub fn read(&self, path: &Path) -> Result<ArticleFile> {
        let content = &self.content;
        let outside = || {
            Error::usage(format!(
                "{} is not in {}",
                path.display(),
                content.display()
            ))
        };
        let rel = path.strip_prefix(content).map_err(|_| outside())?;
        let file = source_file(rel.to_path_buf(), path.to_path_buf())
            .map_err(|p| problems_error(vec![p]))?;
        let not_an_article = || Error::usage(format!("{} is not an article file", path.display()));
        if file.role != Role::Article || !is_markdown(path) {
            return Err(not_an_article());
        }
        let parsed = read_file(&file)
            .and_then(|parsed| with_body(content, &file, parsed, &self.assets, &self.bases))
            .map_err(problems_error)?;
        match parsed.data {
            Data::Article(article) => Ok(ArticleFile {
                id: article.id,
                locale: file.locale,
                order: article.order,
                content: article.content,
                warnings: parsed.warnings,
            }),
            _ => Err(not_an_article()),
        }
    }
}

/// The body records of the exported article files, by path and by article and locale.
struct Bases {
    by_path: HashMap<String, String>,
    by_article: HashMap<(String, Locale), String>,
}

impl Bases {
    /// The body record names of the tree's base record (none without one).
    fn read(content: &Path) -> Result<Bases> {
        let mut bases = Bases {
            by_path: HashMap::new(),
            by_article: HashMap::new(),
        };
        let Some(base) = BaseRecord::read(content)? else {
            return Ok(bases);
        };
        for (path, entry) in base.files {
            let (Some(body), Some(id)) = (entry.body, entry.id) else {
                continue;
            };
            bases.by_article.insert((id, entry.locale), body.clone());
            bases.by_path.insert(path, body);
        }
        Ok(bases)
    }

    /// The body the file at `path` (holding article `id` in `locale`) was exported from: its
    /// own, or that of the file it was moved from.
    fn of(&self, path: &str, id: Option<&str>, locale: &Locale) -> Option<&str> {
        let moved = || id.and_then(|id| self.by_article.get(&(id.to_owned(), locale.clone())));
        self.by_path.get(path).or_else(moved).map(String::as_str)
    }
}

/// An article's body as HTML: blocks unchanged since the export as they came from Intercom,
/// the rest rendered in the article's dialect, local asset paths turned back into the Intercom
/// URLs they stand for. A local file Intercom does not have is a problem at its line.
fn with_body(
    content: &Path,
    file: &SourceFile,
    mut parsed: Parsed,
    assets: &AssetRecord,
    bases: &Bases,
) -> std::result::Result<Parsed, Vec<Problem>> {
    let Data::Article(article) = &mut parsed.data else {
        return Ok(parsed);
    };
    let key = rel_path(file);
    let base = match bases.of(&key, article.id.as_deref(), &file.locale) {
        Some(name) => match bodies::read(content, name) {
            Ok(base) => Some(base),
            Err(e) => return Err(vec![problem(&file.path, None, e.to_string())]),
        },
        None => None,
    };
    // Conflict markers show in a preview build; `push` refuses the file anyway.
    let (shown, added) = super::conflicts::show_in_body(&article.markdown);
    let front = article.front_conflicts.as_deref().unwrap_or("");
    let markdown = format!("{front}{shown}");
    let front_lines = front.matches('\n').count();
    let body_line = |at: usize| {
        let shown_line = markdown[..at]
            .matches('\n')
            .count()
            .saturating_sub(front_lines);
        let line = shown_line - added.get(shown_line).copied().unwrap_or(0);
        article.body_line + line
    };
    let mut problems = Vec::new();
    let body = assemble(&markdown, base.as_ref(), &mut |html, source| {
        let (html, found) = globalize(&html, assets, content, &key);
        for (url, message) in found {
            let at = markdown[source.clone()]
                .find(url.as_str())
                .map_or(source.start, |i| source.start + i);
            problems.push(problem(&file.path, Some(body_line(at)), message));
        }
        html
    });
    if !problems.is_empty() {
        return Err(problems);
    }
    article.content.body = body;
    Ok(parsed)
}

/// A file's path relative to the tree's root, `/`-separated (the base record's key).
fn rel_path(file: &SourceFile) -> String {
    slash_path(&file.dir.join(file.path.file_name().expect("a file name")))
}

/// A relative path, `/`-separated.
fn slash_path(rel: &Path) -> String {
    let parts: Vec<String> = (rel.components())
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Where a new article goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewParent {
    /// An existing collection, by id.
    Collection(String),
    /// A new collection, by its folder (relative, `/`-separated): created first.
    NewCollection(String),
}

/// A collection `_index.md` without an `id`: a collection `push` creates.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGroup {
    /// The file (the tree's root as given, joined with its relative path).
    pub path: PathBuf,
    /// Its path relative to the tree's root, `/`-separated (the base record's key).
    pub rel: String,
    /// Its folder, relative and `/`-separated (what new articles name as their parent).
    pub dir: String,
    /// The locale of its locale folder.
    pub locale: Locale,
    /// The id of the enclosing collection; `None` at the top level.
    pub parent: Option<String>,
    /// `title`: the name.
    pub name: String,
    /// `description`.
    pub description: String,
}

/// An article file without an `id`: an article `push` creates in Intercom.
#[derive(Debug, Clone, PartialEq)]
pub struct NewArticle {
    /// The file (the tree's root as given, joined with its relative path).
    pub path: PathBuf,
    /// Its path relative to the tree's root, `/`-separated (the base record's key).
    pub rel: String,
    /// The locale of its locale folder.
    pub locale: Locale,
    /// The collection of its folder.
    pub parent: NewParent,
    /// `weight`.
    pub order: Option<i64>,
    /// Its content, the body converted to HTML.
    pub content: ArticleContent,
}

fn problems_error(mut problems: Vec<Problem>) -> Error {
    problems.sort();
    problems.dedup();
    let lines: Vec<String> = problems.iter().map(Problem::to_string).collect();
    Error::data(lines.join("\n"))
}

fn problem(path: &Path, line: Option<usize>, message: String) -> Problem {
    Problem {
        path: path.to_path_buf(),
        line,
        column: None,
        message,
    }
}

/// The Markdown files of a tree, and what is wrong with its folders.
struct Scan {
    files: Vec<SourceFile>,
    problems: Vec<Problem>,
}

/// Walks the tree in file name order. Hidden names (the tool's `.helpcenter`, editors' swap
/// files) are skipped, files other than `.md` are ignored (images may live beside articles),
/// and symbolic links are refused: a link could publish a file from outside the tree.
fn scan(content: &Path) -> Result<Scan> {
    match std::fs::metadata(content) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(Error::usage(format!(
                "{} is not a directory",
                content.display()
            )))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::usage(format!(
            "{} does not exist: write a Markdown tree first (helpcenter build --format markdown)",
            content.display()
        )))
        }
        Err(e) => return Err(Error::io(content, "read", e)),
    }
    let mut scan = Scan {
        files: Vec::new(),
        problems: Vec::new(),
    };
    let known = KnownLocales::of(content)?;
    let mut walker = walkdir::WalkDir::new(content)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        // The assets folder holds images and attachments, not content (see `assets.rs`).
        .filter_entry(|e| {
            let assets = e.depth() == 1 && e.file_type().is_dir() && e.file_name() == ASSETS_DIR;
            !assets && !e.file_name().to_string_lossy().starts_with('.')
        });
    while let Some(entry) = walker.next() {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(content).to_path_buf();
            Error::io(&path, "list", e.into())
        })?;
        let rel = entry
            .path()
            .strip_prefix(content)
            .expect("below the root")
            .to_path_buf();
        let path = entry.path().to_path_buf();
        let kind = entry.file_type();
        if kind.is_symlink() {
            scan.problems.push(problem(
                &path,
                None,
                "symbolic links are not followed; put the file itself here".to_string(),
            ));
        } else if entry.depth() == 1 && kind.is_dir() {
            let code = entry.file_name().to_string_lossy().into_owned();
            if let Err(why) = Locale::parse(&code).and_then(|_| known.check(&code)) {
                let message = format!("not a locale folder: {why}");
                scan.problems.push(problem(&path, None, message));
                walker.skip_current_dir();
            }
        } else if kind.is_file() && is_markdown(&path) {
            match source_file(rel, path) {
                Ok(file) => scan.files.push(file),
                Err(p) => scan.problems.push(p),
            }
        }
    }
    Ok(scan)
}

/// The locales a tree's folders may be named after: Intercom's, and any the tree was
/// exported with (a locale Intercom added after this list was written).
struct KnownLocales {
    exported: BTreeSet<String>,
}

impl KnownLocales {
    fn of(content: &Path) -> Result<KnownLocales> {
        let base = super::BaseRecord::read(content)?;
        let exported = (base.iter().flat_map(|b| b.files.keys()))
            .filter_map(|rel| rel.split_once('/').map(|(locale, _)| locale.to_string()))
            .collect();
        Ok(KnownLocales { exported })
    }

    fn check(&self, code: &str) -> std::result::Result<(), String> {
        if INTERCOM_LOCALES.contains(&code) || self.exported.contains(code) {
            return Ok(());
        }
        Err(format!(
            "Intercom has no locale {code:?} (its locales: {})",
            INTERCOM_LOCALES.join(", ")
        ))
    }
}

fn is_markdown(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "md")
}

/// A Markdown file's role and locale from its place in the tree.
fn source_file(rel: PathBuf, path: PathBuf) -> std::result::Result<SourceFile, Problem> {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.len() < 2 {
        return Err(problem(
            &path,
            None,
            "outside any locale folder: Markdown files belong in <locale>/ folders".to_string(),
        ));
    }
    let locale = Locale::parse(&parts[0]).expect("locale folders are checked by the scan");
    let role = match (parts.last().map(String::as_str), parts.len()) {
        (Some(INDEX_FILE), 2) => Role::HelpCenter,
        (Some(INDEX_FILE), _) => Role::Group,
        _ => Role::Article,
    };
    let dir = rel.parent().expect("a file in a folder").to_path_buf();
    Ok(SourceFile {
        path,
        dir,
        locale,
        role,
    })
}

/// Collections and sections have separate id spaces.
type GroupKey = (GroupKind, String);

fn describe_group(key: &GroupKey) -> String {
    format!("{} {}", super::layout::kind_name(key.0), key.1)
}

/// What must be unique within a locale: `article 100`, `collection 10` (collections, sections
/// and articles have separate id spaces); a locale has one help center file anyway.
fn identity(data: &Data) -> Option<String> {
    match data {
        Data::HelpCenter(_) => None,
        Data::Group(g) => (g.id.clone()).map(|id| describe_group(&(g.kind, id))),
        Data::Article(a) => a.id.as_ref().map(|id| format!("article {id}")),
    }
}

/// What an `_index.md` makes of its folder.
#[derive(Debug, Clone)]
enum Folder {
    /// A locale folder (the help center).
    Root,
    /// A collection or section.
    Group(GroupKey),
    /// Its `_index.md` has errors of its own; things inside are not blamed for it.
    Broken,
    /// Its `_index.md` has no `id`: a collection `push` creates (the folder, relative).
    New(PathBuf),
}

/// Where a file's object sits.
#[derive(Debug, Clone, PartialEq)]
enum Parent {
    Top,
    Group(GroupKey),
    /// A new collection's folder (relative to the tree's root).
    New(PathBuf),
    /// Not known because of another problem.
    Unknown,
}

impl Parent {
    fn describe(&self) -> String {
        match self {
            Parent::Top => "the top level".to_string(),
            Parent::Group(key) => describe_group(key),
            Parent::New(dir) => format!("the new collection of {}", dir.display()),
            Parent::Unknown => "an unknown place".to_string(),
        }
    }
}

/// One locale's file of an object.
struct Translation<'a, T> {
    file: &'a SourceFile,
    parsed: &'a Parsed,
    data: &'a T,
    parent: Parent,
}

/// The files of a tree being put together, with the problems found so far.
struct Assembly<'a> {
    root: &'a Path,
    folders: HashMap<&'a Path, Folder>,
    help_centers: Vec<Translation<'a, HelpCenterData>>,
    groups: HashMap<GroupKey, Vec<Translation<'a, GroupData>>>,
    articles: HashMap<String, Vec<Translation<'a, ArticleData>>>,
    /// Article files without an `id`: new articles for `push` to create.
    new_articles: Vec<Translation<'a, ArticleData>>,
    /// `_index.md` files without an `id`: new collections for `push` to create.
    new_groups: Vec<Translation<'a, GroupData>>,
    problems: Vec<Problem>,
}

impl<'a> Assembly<'a> {
    fn new(
        root: &'a Path,
        files: &'a [(&'a SourceFile, Option<Parsed>)],
        problems: Vec<Problem>,
    ) -> Assembly<'a> {
        let mut assembly = Assembly {
            root,
            folders: folder_index(files),
            help_centers: Vec::new(),
            groups: HashMap::new(),
            articles: HashMap::new(),
            new_articles: Vec::new(),
            new_groups: Vec::new(),
            problems,
        };
        let mut seen: HashMap<(Locale, String), &SourceFile> = HashMap::new();
        for (file, parsed) in files {
            let parent = assembly.parent(file);
            let Some(parsed) = parsed else { continue };
            assembly.add(file, parsed, parent, &mut seen);
        }
        assembly
    }

    /// Where a file's object sits, from the folders around it.
    fn parent(&mut self, file: &SourceFile) -> Parent {
        let folder = match file.role {
            Role::HelpCenter => return Parent::Top,
            Role::Article => file.dir.as_path(),
            Role::Group => file.dir.parent().expect("inside a locale folder"),
        };
        let parent = match self.folders.get(folder) {
            Some(Folder::Root) => Parent::Top,
            Some(Folder::Group(key)) => Parent::Group(key.clone()),
            Some(Folder::Broken) => Parent::Unknown,
            Some(Folder::New(dir)) => Parent::New(dir.clone()),
            None => {
                let what = match file.role {
                    Role::Group => "its parent folder",
                    _ => "its folder",
                };
                let message = format!(
                    "{what} {} has no {INDEX_FILE}",
                    self.root.join(folder).display()
                );
                self.problems.push(problem(&file.path, None, message));
                Parent::Unknown
            }
        };
        match parent {
            Parent::Group((GroupKind::Section, id)) if file.role == Role::Group => {
                let message = format!(
                    "a section cannot contain collections or sections, and this folder is in \
                     section {id}"
                );
                self.problems.push(problem(&file.path, None, message));
                Parent::Unknown
            }
            parent => parent,
        }
    }

    fn add(
        &mut self,
        file: &'a SourceFile,
        parsed: &'a Parsed,
        parent: Parent,
        seen: &mut HashMap<(Locale, String), &'a SourceFile>,
    ) {
        if let Some(identity) = identity(&parsed.data) {
            let key = (file.locale.clone(), identity);
            if let Some(first) = seen.get(&key) {
                let line = parsed.lines.get("id").copied();
                let message = format!(
                    "{} is already in {} (ids are unique within a locale)",
                    key.1,
                    first.path.display()
                );
                self.problems.push(problem(&file.path, line, message));
                return;
            }
            seen.insert(key, file);
        }
        match &parsed.data {
            Data::HelpCenter(data) => self.help_centers.push(Translation {
                file,
                parsed,
                data,
                parent,
            }),
            Data::Group(data) => {
                let translation = Translation {
                    file,
                    parsed,
                    data,
                    parent,
                };
                match &data.id {
                    Some(id) => {
                        let key = (data.kind, id.clone());
                        self.groups.entry(key).or_default().push(translation);
                    }
                    None => self.new_groups.push(translation),
                }
            }
            Data::Article(data) => {
                let translation = Translation {
                    file,
                    parsed,
                    data,
                    parent,
                };
                match &data.id {
                    Some(id) => self
                        .articles
                        .entry(id.clone())
                        .or_default()
                        .push(translation),
                    None => self.new_articles.push(translation),
                }
            }
        }
    }

    /// The new article files; one outside a collection folder is a problem (Intercom files a
    /// new article under a collection; a section or the top level is not supported yet).
    fn new_articles(&mut self) -> Vec<NewArticle> {
        let mut found = Vec::new();
        for t in std::mem::take(&mut self.new_articles) {
            let parent = match &t.parent {
                Parent::Group((GroupKind::Collection, id)) => NewParent::Collection(id.clone()),
                Parent::New(dir) => NewParent::NewCollection(slash_path(dir)),
                Parent::Unknown => continue,
                other => {
                    let message = format!(
                        "a new article (no `id`) must be in a collection's folder, not in {}",
                        other.describe()
                    );
                    self.problems.push(problem(&t.file.path, None, message));
                    continue;
                }
            };
            found.push(NewArticle {
                path: t.file.path.clone(),
                rel: rel_path(t.file),
                locale: t.file.locale.clone(),
                parent,
                order: t.data.order,
                content: t.data.content.clone(),
            });
        }
        found
    }

    /// The new collection files. Only a new collection directly in an existing collection or
    /// at the top level can be created, and only new things may go inside it: moving an
    /// existing article or collection is not supported.
    fn new_groups(&mut self) -> Vec<NewGroup> {
        self.check_nothing_old_in_new_folders();
        let mut found = Vec::new();
        for t in std::mem::take(&mut self.new_groups) {
            let parent = match &t.parent {
                Parent::Top => None,
                Parent::Group((GroupKind::Collection, id)) => Some(id.clone()),
                Parent::Unknown => continue,
                other => {
                    let message = format!(
                        "a new collection (no `id`) must be at the top level or in an existing \
                         collection, not in {}; push the outer one first",
                        other.describe()
                    );
                    self.problems.push(problem(&t.file.path, None, message));
                    continue;
                }
            };
            let Some(content) = (t.data.kind == GroupKind::Collection)
                .then_some(t.data.content.as_ref())
                .flatten()
            else {
                let message = "a new collection (no `id`) needs `title` and cannot be a section \
                               or `untranslated`"
                    .to_string();
                self.problems.push(problem(&t.file.path, None, message));
                continue;
            };
            found.push(NewGroup {
                path: t.file.path.clone(),
                rel: rel_path(t.file),
                dir: slash_path(&t.file.dir),
                locale: t.file.locale.clone(),
                parent,
                name: content.name.clone(),
                description: content.description.clone(),
            });
        }
        found
    }

    /// Exported articles and collections must not sit in a new collection's folder.
    fn check_nothing_old_in_new_folders(&mut self) {
        let articles = self
            .articles
            .values()
            .flatten()
            .map(|t| (t.file, &t.parent));
        let groups = self.groups.values().flatten().map(|t| (t.file, &t.parent));
        let misplaced: Vec<Problem> = articles
            .chain(groups)
            .filter_map(|(file, parent)| match parent {
                Parent::New(_) => Some(problem(
                    &file.path,
                    None,
                    format!(
                        "has an `id` but is in {}: push creates new things, it does not move \
                         existing ones",
                        parent.describe()
                    ),
                )),
                _ => None,
            })
            .collect();
        self.problems.extend(misplaced);
    }

    /// Every article file with an id, by relative path.
    fn article_files(&self) -> BTreeMap<String, (String, Locale)> {
        let translations = self
            .articles
            .iter()
            .flat_map(|(id, ts)| ts.iter().map(move |t| (id, t)));
        translations
            .map(|(id, t)| (rel_path(t.file), (id.clone(), t.file.locale.clone())))
            .collect()
    }

    /// The workspace, with every disagreement between translations recorded as a problem.
    fn workspace(&mut self, warnings: Vec<String>) -> Workspace {
        let default_locale = self.default_locale();
        let help_center = self.help_center(&default_locale);
        let has_hc = help_center.as_ref().map(|_| HelpCenterIx(0));
        let mut keys: Vec<GroupKey> = self.groups.keys().cloned().collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| id_cmp(&a.1, &b.1)));
        let index: HashMap<GroupKey, GroupIx> = (keys.iter().cloned())
            .enumerate()
            .map(|(i, k)| (k, GroupIx(i)))
            .collect();
        let groups: Vec<Group> = keys
            .iter()
            .map(|key| self.group(key, &default_locale, &index, has_hc))
            .collect();
        let mut ids: Vec<String> = self.articles.keys().cloned().collect();
        ids.sort_by(|a, b| id_cmp(a, b));
        let articles: Vec<Article> = ids
            .iter()
            .map(|id| self.article(id, &default_locale, &index))
            .collect();
        let mut ws = Workspace {
            help_centers: help_center.into_iter().collect(),
            groups,
            articles,
            default_locale,
            locales: Vec::new(),
            warnings,
        };
        link_tree(&mut ws);
        ws
    }

    /// The help center's `default_locale` (the folders must agree on it; see [`merge`]),
    /// else `en` as for a snapshot whose objects name none.
    fn default_locale(&self) -> Locale {
        (self.help_centers.iter())
            .find_map(|t| t.data.default_locale.clone())
            .unwrap_or_else(|| Locale::parse("en").expect("valid"))
    }

    fn help_center(&mut self, default_locale: &Locale) -> Option<HelpCenter> {
        let translations = std::mem::take(&mut self.help_centers);
        let r = reference(&translations, default_locale)?;
        let p = &mut self.problems;
        let mut text = |key: &str, get: fn(&HelpCenterData) -> Option<String>| {
            let show = |v: &String| format!("{v:?}");
            merge(p, &translations, r, key, get, show)
        };
        let id = text("id", |d| d.id.clone());
        let identifier = text("identifier", |d| d.identifier.clone());
        let custom_domain = text("custom_domain", |d| d.custom_domain.clone());
        let url = text("intercom_url", |d| d.url.clone());
        let locale = text("default_locale", |d| {
            d.default_locale.as_ref().map(Locale::to_string)
        });
        let reference = &translations[r];
        Some(HelpCenter {
            id: id?,
            identifier,
            // The name is not translated in Intercom: the default locale's folder names it.
            display_name: reference.data.title.clone(),
            url,
            custom_domain,
            default_locale: locale
                .and_then(|l| Locale::parse(&l).ok())
                .unwrap_or_else(|| default_locale.clone()),
            locales: Vec::new(),
            groups: Vec::new(),
            source: reference.file.path.clone(),
        })
    }

    fn group(
        &mut self,
        key: &GroupKey,
        default_locale: &Locale,
        index: &HashMap<GroupKey, GroupIx>,
        help_center: Option<HelpCenterIx>,
    ) -> Group {
        let translations = &self.groups[key];
        let r = reference(translations, default_locale).expect("a group has a file");
        let p = &mut self.problems;
        check_place(p, translations, r);
        let number = |n: &i64| n.to_string();
        let order = merge(p, translations, r, "weight", |d| d.order, number);
        let icon = merge(
            p,
            translations,
            r,
            "icon",
            |d| d.icon.clone(),
            |v| format!("{v:?}"),
        );
        let created_at = merge(p, translations, r, "date", |d| d.created_at, time);
        let updated_at = merge(p, translations, r, "lastmod", |d| d.updated_at, time);
        let reference = &translations[r];
        let content = translations
            .iter()
            .filter_map(|t| Some((t.file.locale.clone(), t.data.content.clone()?)))
            .collect();
        Group {
            id: key.1.clone(),
            kind: key.0,
            parent: resolve(&reference.parent, index),
            help_center,
            order: order.unwrap_or(0),
            icon,
            created_at,
            updated_at,
            content,
            children: Vec::new(),
            articles: Vec::new(),
            source: reference.file.path.clone(),
        }
    }

    fn article(
        &mut self,
        id: &str,
        default_locale: &Locale,
        index: &HashMap<GroupKey, GroupIx>,
    ) -> Article {
        let translations = &self.articles[id];
        let r = reference(translations, default_locale).expect("an article has a file");
        let p = &mut self.problems;
        check_place(p, translations, r);
        let order = merge(p, translations, r, "weight", |d| d.order, i64::to_string);
        let reference = &translations[r];
        Article {
            id: id.to_string(),
            parent: resolve(&reference.parent, index),
            order,
            content: translations
                .iter()
                .map(|t| (t.file.locale.clone(), t.data.content.clone()))
                .collect(),
            source: reference.file.path.clone(),
        }
    }
}

/// A time for messages, as written in front matter.
fn time(secs: &i64) -> String {
    super::frontmatter::format_time(*secs).unwrap_or_else(|| secs.to_string())
}

/// Every folder's `_index.md`, by folder.
fn folder_index<'a>(files: &'a [(&'a SourceFile, Option<Parsed>)]) -> HashMap<&'a Path, Folder> {
    let mut folders = HashMap::new();
    for (file, parsed) in files {
        let folder = match (file.role, parsed.as_ref().map(|p| &p.data)) {
            (Role::HelpCenter, _) => Folder::Root,
            (Role::Group, Some(Data::Group(g))) => match &g.id {
                Some(id) => Folder::Group((g.kind, id.clone())),
                None => Folder::New(file.dir.clone()),
            },
            (Role::Group, _) => Folder::Broken,
            (Role::Article, _) => continue,
        };
        folders.insert(file.dir.as_path(), folder);
    }
    folders
}

/// The translation whose values the object takes: the default locale's, else the first.
fn reference<T>(translations: &[Translation<T>], default_locale: &Locale) -> Option<usize> {
    if translations.is_empty() {
        return None;
    }
    let position = translations
        .iter()
        .position(|t| &t.file.locale == default_locale);
    Some(position.unwrap_or(0))
}

/// A value that belongs to the object, not to one translation: it may be set in any of them
/// (a new translation written by hand need not repeat it), and where it is set more than once
/// it must agree with the first (the reference translation's, if set there).
fn merge<T, V: PartialEq>(
    problems: &mut Vec<Problem>,
    translations: &[Translation<T>],
    reference: usize,
    key: &str,
    get: impl Fn(&T) -> Option<V>,
    show: impl Fn(&V) -> String,
) -> Option<V> {
    let others = (0..translations.len()).filter(|&i| i != reference);
    let mut chosen: Option<(usize, V)> = None;
    for i in std::iter::once(reference).chain(others) {
        let Some(value) = get(translations[i].data) else {
            continue;
        };
        match &chosen {
            None => chosen = Some((i, value)),
            Some((first, expected)) if *expected != value => {
                let t = &translations[i];
                let message = format!(
                    "`{key}` is {} here but {} in {}; translations must agree",
                    show(&value),
                    show(expected),
                    translations[*first].file.path.display()
                );
                problems.push(problem(
                    &t.file.path,
                    t.parsed.lines.get(key).copied(),
                    message,
                ));
            }
            Some(_) => {}
        }
    }
    chosen.map(|(_, value)| value)
}

/// Translations must sit in the same group (or all at the top level).
fn check_place<T>(problems: &mut Vec<Problem>, translations: &[Translation<T>], reference: usize) {
    let expected = &translations[reference].parent;
    if *expected == Parent::Unknown {
        return;
    }
    for t in translations {
        if t.parent != *expected && t.parent != Parent::Unknown {
            let message = format!(
                "is in {} here but in {} in {}; translations must be in the same place",
                t.parent.describe(),
                expected.describe(),
                translations[reference].file.path.display()
            );
            problems.push(problem(&t.file.path, None, message));
        }
    }
}

fn resolve(parent: &Parent, index: &HashMap<GroupKey, GroupIx>) -> Option<GroupIx> {
    match parent {
        Parent::Group(key) => index.get(key).copied(),
        Parent::Top | Parent::New(_) | Parent::Unknown => None,
    }
}
