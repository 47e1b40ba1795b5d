//! Which files a push sends: the exported files whose bytes changed, joined with what the loaded
//! tree says they hold, grouped by article so one request carries all locales of one article.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::deletes::{self, ArticleDelete};
use super::groups::{self, GroupEdit};
use super::report::{FileReport, Outcome};
use crate::error::{Error, Result};
use crate::model::{ArticleContent, GroupKind, Locale, Workspace};
use crate::snapshot::file_entry;
use crate::tree::{BaseRecord, FileKind, Loaded, LocalChanges};

/// One changed translation of an article.
#[derive(Debug, Clone)]
pub struct LocaleEdit {
    /// The file, relative to the tree's root.
    pub path: String,
    /// Its locale.
    pub locale: Locale,
    /// What the file holds now (body already converted to HTML).
    pub content: ArticleContent,
    /// The Markdown body of the file, for diffs.
    pub markdown: String,
    /// The remote `updated_at` recorded at export (`None` for a new translation).
    pub base_updated_at: Option<i64>,
    /// A translation the article did not have at export (a new file with an exported `id`).
    pub new_locale: bool,
    /// sha256 of the file's bytes as read now.
    pub sha256: String,
    /// Size of the file as read now.
    pub bytes: u64,
}

/// The changed translations of one article.
#[derive(Debug, Clone)]
pub struct ArticleEdit {
    /// The article's API id.
    pub id: String,
    /// Its changed translations, by path.
    pub locales: Vec<LocaleEdit>,
}

/// Everything a push will look at.
#[derive(Debug, Default)]
pub struct Plan {
    /// Articles with changed translations, by id.
    pub articles: Vec<ArticleEdit>,
    /// Collections with changed `_index.md` files, by id.
    pub groups: Vec<GroupEdit>,
    /// Articles whose every locale file was deleted, to delete in Intercom.
    pub deletes: Vec<ArticleDelete>,
    /// Changes that are not sent, already reported.
    pub not_pushed: Vec<FileReport>,
    /// Exported files (within the selection) without local changes.
    pub unchanged: usize,
}

/// Builds the plan from the base record, the tree's local changes and the loaded tree;
/// `delete` allows deleting articles whose every locale file was deleted. New articles and
/// collections (no `id`) are created elsewhere (`create.rs`), so they are not reported here.
pub fn plan(
    content: &Path,
    base: &BaseRecord,
    changes: &LocalChanges,
    loaded: &Loaded,
    selected: &Selection,
    delete: bool,
) -> Result<Plan> {
    let ws = &loaded.workspace;
    let mut plan = Plan::default();
    let modified: BTreeSet<&String> = changes.modified.iter().collect();
    let deleted: BTreeSet<&String> = changes.deleted.iter().collect();
    plan.unchanged = base
        .files
        .keys()
        .filter(|p| selected.contains(p) && !modified.contains(p) && !deleted.contains(p))
        .count();
    let mut articles: BTreeMap<String, Vec<LocaleEdit>> = BTreeMap::new();
    let mut groups: BTreeMap<(GroupKind, String), Vec<groups::GroupLocaleEdit>> = BTreeMap::new();
    for path in changes.modified.iter().filter(|p| selected.contains(p)) {
        let entry = &base.files[path];
        match (entry.kind, &entry.id) {
            (FileKind::Article, Some(id)) => {
                let exported = Exported {
                    id,
                    locale: &entry.locale,
                    updated_at: entry.updated_at,
                };
                match locale_edit(content, path, &exported, ws)? {
                    Ok(edit) => articles.entry(id.clone()).or_default().push(edit),
                    Err(report) => plan.not_pushed.push(report),
                }
            }
            (FileKind::Collection | FileKind::Section, Some(id)) => {
                let kind = match entry.kind {
                    FileKind::Section => GroupKind::Section,
                    _ => GroupKind::Collection,
                };
                match groups::locale_edit(content, path, kind, id, entry, ws)? {
                    Ok(edit) => groups.entry((kind, id.clone())).or_default().push(edit),
                    Err(report) => plan.not_pushed.push(report),
                }
            }
            _ => plan
                .not_pushed
                .push(FileReport::new(path, Outcome::NotPushed).with_detail(
                    "the help center's own `_index.md` is not pushed: the API cannot change it",
                )),
        }
    }
    let deleted_paths: Vec<&String> = changes
        .deleted
        .iter()
        .filter(|p| selected.contains(p))
        .collect();
    let (deletes, reports) = deletes::plan(base, &deleted_paths, delete);
    plan.deletes = deletes;
    plan.not_pushed.extend(reports);
    let added = changes.added.iter().filter(|p| p.ends_with(".md"));
    let new_files: BTreeSet<&str> = (loaded.new_articles.iter().map(|a| a.rel.as_str()))
        .chain(loaded.new_groups.iter().map(|g| g.rel.as_str()))
        .collect();
    let added = added.filter(|p| !new_files.contains(p.as_str()));
    for path in added.filter(|p| selected.contains(p)) {
        if let Some(edit) = new_translation(content, base, loaded, path)? {
            articles.entry(edit.0).or_default().push(edit.1);
            continue;
        }
        let entry = FileReport::new(path, Outcome::NotPushed).with_detail(added_detail(path));
        plan.not_pushed.push(entry);
    }
    plan.articles = articles
        .into_iter()
        .map(|(id, locales)| ArticleEdit { id, locales })
        .collect();
    plan.groups = groups
        .into_iter()
        .map(|((kind, id), locales)| GroupEdit { kind, id, locales })
        .collect();
    Ok(plan)
}

/// Why a new file with an `id` (not a new article or collection) is not pushed.
fn added_detail(path: &str) -> &'static str {
    if path.ends_with(crate::tree::INDEX_FILE) {
        "a new `_index.md` of an existing collection, section or help center is not pushed yet"
    } else {
        "has an `id` the export did not write in this locale (a copy of another file, or a \
         push stopped between writing the id back and recording it); not pushed"
    }
}

/// What the base record says a file held at export.
struct Exported<'a> {
    id: &'a str,
    locale: &'a Locale,
    updated_at: Option<i64>,
}

/// A new file holding a new locale of an exported article: sent with that article's `PUT`.
/// `None` for any other new file (reported as not pushed).
fn new_translation(
    content: &Path,
    base: &BaseRecord,
    loaded: &Loaded,
    path: &str,
) -> Result<Option<(String, LocaleEdit)>> {
    let Some((id, locale)) = loaded.article_files.get(path) else {
        return Ok(None);
    };
    let article_entries = base
        .files
        .values()
        .filter(|e| e.kind == FileKind::Article && e.id.as_deref() == Some(id));
    let mut exported = false;
    for entry in article_entries {
        if &entry.locale == locale {
            // Another file of this locale was exported: a copy, not a new translation.
            return Ok(None);
        }
        exported = true;
    }
    if !exported {
        return Ok(None);
    }
    let known = Exported {
        id,
        locale,
        updated_at: None,
    };
    match locale_edit(content, path, &known, &loaded.workspace)? {
        Ok(mut edit) => {
            edit.new_locale = true;
            Ok(Some((id.clone(), edit)))
        }
        Err(_) => Ok(None),
    }
}

/// The edit of one article file, or why it cannot be pushed.
fn locale_edit(
    content: &Path,
    path: &str,
    exported: &Exported<'_>,
    ws: &Workspace,
) -> Result<std::result::Result<LocaleEdit, FileReport>> {
    let (id, locale) = (exported.id, exported.locale);
    let full = content.join(path);
    let bytes = fs::read(&full).map_err(|e| Error::io(&full, "read", e))?;
    let loaded = ws
        .articles
        .iter()
        .find(|a| a.id == id)
        .and_then(|a| a.content.get(locale));
    let Some(loaded) = loaded else {
        let why = format!(
            "exported as article {id} in {locale}, which the tree no longer has (was its id or locale \
             changed?)"
        );
        return Ok(Err(
            FileReport::new(path, Outcome::NotPushed).with_detail(why)
        ));
    };
    let hash = file_entry(&bytes);
    Ok(Ok(LocaleEdit {
        path: path.to_string(),
        locale: locale.clone(),
        content: loaded.clone(),
        markdown: markdown_body(&String::from_utf8_lossy(&bytes)),
        base_updated_at: exported.updated_at,
        new_locale: false,
        sha256: hash.sha256,
        bytes: hash.bytes,
    }))
}

/// The text after the front matter (the whole text when there is none).
pub fn markdown_body(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let Some(rest) = text.strip_prefix("---\n") else {
        return text;
    };
    match rest.find("\n---\n") {
        Some(end) => rest[end + 5..].trim_start_matches('\n').to_string(),
        None => text.clone(),
    }
}

/// The files a push is limited to (`--` paths on the command line); all when empty.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    prefixes: Option<Vec<String>>,
}

impl Selection {
    /// Resolves `paths` (relative to the tree, relative to the working directory, or absolute)
    /// to paths inside the tree at `content`; a path outside the tree is a usage error.
    pub fn new(content: &Path, paths: &[PathBuf]) -> Result<Selection> {
        if paths.is_empty() {
            return Ok(Selection { prefixes: None });
        }
        let root = absolute(content)?;
        let prefixes = paths
            .iter()
            .map(|p| inside(&root, p))
            .collect::<Result<Vec<_>>>()?;
        Ok(Selection {
            prefixes: Some(prefixes),
        })
    }

    /// Refuses a selected path that names nothing: neither a file or folder of the tree at
    /// `content` nor a file the base record lists (a deleted file can be named).
    pub fn check_matches(&self, content: &Path, base: &BaseRecord) -> Result<()> {
        let Some(prefixes) = &self.prefixes else {
            return Ok(());
        };
        for prefix in prefixes {
            let exists = content.join(prefix).exists();
            let exported = base.files.keys().any(|file| {
                file == prefix
                    || file
                        .strip_prefix(prefix.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            });
            if !prefix.is_empty() && !exists && !exported {
                return Err(Error::usage(format!(
                    "{prefix} matches no file of the tree {} (nor one it was exported with)",
                    content.display()
                )));
            }
        }
        Ok(())
    }

    /// Whether the file at tree path `path` is selected (a selected folder selects its files).
    pub fn contains(&self, path: &str) -> bool {
        let Some(prefixes) = &self.prefixes else {
            return true;
        };
        prefixes.iter().any(|p| {
            p.is_empty()
                || path == p
                || path
                    .strip_prefix(p.as_str())
                    .is_some_and(|r| r.starts_with('/'))
        })
    }
}

fn absolute(path: &Path) -> Result<PathBuf> {
    let path = std::path::absolute(path).map_err(|e| Error::io(path, "resolve", e))?;
    Ok(fs::canonicalize(&path).unwrap_or(path))
}

/// `path` as a `/`-separated path below `root`. A relative path is taken from the working
/// directory when it exists there inside the tree, else from the tree's root (so deleted files
/// can be named too).
fn inside(root: &Path, path: &Path) -> Result<String> {
    let from_cwd = absolute(path)?;
    let candidate = if path.is_absolute() || (from_cwd.exists() && from_cwd.starts_with(root)) {
        from_cwd
    } else {
        root.join(path)
    };
    let candidate = fs::canonicalize(&candidate).unwrap_or(candidate);
    let rel = candidate.strip_prefix(root).map_err(|_| {
        Error::usage(format!(
            "{} is not inside the tree {}",
            path.display(),
            root.display()
        ))
    })?;
    if rel
        .components()
        .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(Error::usage(format!(
            "{} is not inside the tree {}",
            path.display(),
            root.display()
        )));
    }
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_follows_the_front_matter() {
        assert_eq!(
            markdown_body("---\ntitle: x\n---\n\nHello\n"),
            "Hello\n".to_string()
        );
        assert_eq!(markdown_body("Hello\n"), "Hello\n".to_string());
    }

    #[test]
    fn selections_match_files_and_folders() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("en/guides")).unwrap();
        let selection = Selection::new(dir.path(), &[PathBuf::from("en/guides")]).unwrap();
        assert!(selection.contains("en/guides/1-a.md"));
        assert!(!selection.contains("en/guides-old/1-a.md"));
        assert!(!selection.contains("fr/1-a.md"));
        assert!(Selection::new(dir.path(), &[]).unwrap().contains("x"));
        let gone = Selection::new(dir.path(), &[PathBuf::from("en/gone.md")]).unwrap();
        assert!(gone.contains("en/gone.md"));
        let absolute = Selection::new(dir.path(), &[dir.path().join("en")]).unwrap();
        assert!(absolute.contains("en/guides/1-a.md"));
        let outside = Selection::new(dir.path(), &[PathBuf::from("/")]).unwrap_err();
        assert!(outside.to_string().contains("is not inside the tree"));
        let up = Selection::new(dir.path(), &[PathBuf::from("../nowhere/x.md")]).unwrap_err();
        assert!(up.to_string().contains("is not inside the tree"));
    }
}
