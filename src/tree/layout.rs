//! Where every file of an exported tree goes: locale folders, group folder names (with the
//! fallbacks and the collision rule of the module docs), article file names.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use super::INDEX_FILE;
use crate::error::{Error, Result};
use crate::model::slug::page_segment;
use crate::model::{ArticleIx, GroupIx, GroupKind, Locale, Workspace};

/// A path relative to the tree's root, made only of plain segments: the one place that makes
/// sure nothing derived from API data can name a path outside the output.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct RelPath(Vec<String>);

impl RelPath {
    /// Checks every segment: not empty, not `.`/`..`, no separator, NUL or `:` (a Windows drive
    /// or stream), not hidden (the tree's hidden names are the tool's own), and a single normal
    /// path component.
    pub(crate) fn new(segments: Vec<String>) -> Result<RelPath> {
        for segment in &segments {
            let single = {
                let mut parts = Path::new(segment).components();
                matches!(parts.next(), Some(Component::Normal(_))) && parts.next().is_none()
            };
            let plain = !segment.is_empty()
                && !segment.starts_with('.')
                && !segment.contains(['/', '\\', '\0', ':']);
            if !(single && plain) {
                return Err(Error::data(format!(
                    "refusing to write outside the Markdown tree: unsafe path segment {segment:?}"
                )));
            }
        }
        Ok(RelPath(segments))
    }

    /// This folder's child.
    pub(crate) fn join(&self, segment: String) -> Result<RelPath> {
        let mut segments = self.0.clone();
        segments.push(segment);
        RelPath::new(segments)
    }

    /// The `/`-separated form used as a key in the base record.
    pub(crate) fn key(&self) -> String {
        self.0.join("/")
    }

    /// The path below `root`.
    pub(crate) fn under(&self, root: &Path) -> PathBuf {
        self.0.iter().fold(root.to_path_buf(), |p, s| p.join(s))
    }
}

/// What one file of the tree describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// The help center in a locale (`<locale>/_index.md`).
    HelpCenter,
    /// A group's `_index.md`.
    Group(GroupIx),
    /// An article's file.
    Article(ArticleIx),
}

/// One file to write.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    /// Where.
    pub(crate) path: RelPath,
    /// Its locale.
    pub(crate) locale: Locale,
    /// What it describes.
    pub(crate) slot: Slot,
}

/// Every file of the tree, and what could not be placed.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    /// Files, in a fixed order: per locale its help center, groups (depth first), articles.
    pub(crate) files: Vec<Planned>,
    /// Articles left out, and why.
    pub(crate) warnings: Vec<String>,
}

/// Works out the layout of `ws`, whose default locale (for folder names and for groups that
/// exist in no locale) is `default_locale`.
pub(crate) fn plan(ws: &Workspace, default_locale: &Locale) -> Result<Layout> {
    let top = ws.top_groups(None);
    let mut needs = vec![BTreeSet::new(); ws.groups.len()];
    for &g in &top {
        collect_needs(ws, g, default_locale, &mut needs);
    }
    let mut locales: BTreeSet<Locale> = needs.iter().flatten().cloned().collect();
    locales.extend(ws.articles.iter().flat_map(|a| a.content.keys().cloned()));
    let mut layout = Layout::default();
    for a in ws.articles.iter().filter(|a| a.content.is_empty()) {
        layout.warnings.push(format!(
            "{}: article {} has no translation with a title; not exported",
            a.source.display(),
            a.id
        ));
    }
    for locale in &locales {
        let mut folders = Folders {
            ws,
            locale,
            default_locale,
            needs: &needs,
            dirs: HashMap::new(),
            files: Vec::new(),
        };
        folders.place(ws, &top)?;
        layout.files.extend(folders.files);
    }
    Ok(layout)
}

/// The locales in which a group needs a folder: where it has a name, holds articles, or has a
/// descendant that needs one; a group needed nowhere still gets the default locale, so that
/// no group of the model is lost.
fn collect_needs(ws: &Workspace, g: GroupIx, default: &Locale, needs: &mut [BTreeSet<Locale>]) {
    let group = ws.group(g);
    let mut need: BTreeSet<Locale> = group.content.keys().cloned().collect();
    for &a in &group.articles {
        need.extend(ws.article(a).content.keys().cloned());
    }
    for &child in &group.children {
        collect_needs(ws, child, default, needs);
        need.extend(needs[child.0].iter().cloned());
    }
    if need.is_empty() {
        need.insert(default.clone());
    }
    needs[g.0] = need;
}

/// The folders of one locale as they are placed.
struct Folders<'a> {
    ws: &'a Workspace,
    locale: &'a Locale,
    default_locale: &'a Locale,
    needs: &'a [BTreeSet<Locale>],
    dirs: HashMap<GroupIx, RelPath>,
    files: Vec<Planned>,
}

impl Folders<'_> {
    fn place(&mut self, ws: &Workspace, top: &[GroupIx]) -> Result<()> {
        let root = RelPath::new(vec![self.locale.to_string()])?;
        self.add(root.join(INDEX_FILE.to_string())?, Slot::HelpCenter);
        self.place_groups(&root, top)?;
        for a in ws.article_ixs() {
            let article = ws.article(a);
            let Some(content) = article.content.get(self.locale) else {
                continue;
            };
            let dir = match article.parent {
                Some(g) => self.dirs.get(&g).expect("a needed group has a folder"),
                None => &root,
            };
            let name = format!("{}.md", page_segment(&article.id, &content.slug));
            let path = dir.join(name)?;
            self.add(path, Slot::Article(a));
        }
        Ok(())
    }

    /// Places the groups of one folder (and, depth first, their children).
    fn place_groups(&mut self, dir: &RelPath, siblings: &[GroupIx]) -> Result<()> {
        let present: Vec<GroupIx> = siblings
            .iter()
            .copied()
            .filter(|g| self.needs[g.0].contains(self.locale))
            .collect();
        let names = self.sibling_names(&present)?;
        for (g, name) in present.into_iter().zip(names) {
            let folder = dir.join(name)?;
            self.add(folder.join(INDEX_FILE.to_string())?, Slot::Group(g));
            self.dirs.insert(g, folder.clone());
            let children = self.ws.group(g).children.clone();
            self.place_groups(&folder, &children)?;
        }
        Ok(())
    }

    fn add(&mut self, path: RelPath, slot: Slot) {
        self.files.push(Planned {
            path,
            locale: self.locale.clone(),
            slot,
        });
    }

    /// Folder names for sibling groups: slugs, with `-<id>` on every member of a colliding
    /// set, then `-<kind>-<id>` on any that still collide.
    fn sibling_names(&self, siblings: &[GroupIx]) -> Result<Vec<String>> {
        let bases: Vec<String> = siblings.iter().map(|&g| self.base_name(g)).collect();
        let with_id: Vec<String> = disambiguate(&bases, |i| {
            format!("{}-{}", bases[i], self.ws.group(siblings[i]).id)
        });
        let names = disambiguate(&with_id, |i| {
            let group = self.ws.group(siblings[i]);
            format!("{}-{}-{}", bases[i], kind_name(group.kind), group.id)
        });
        if let Some(name) = first_duplicate(&names) {
            return Err(Error::data(format!(
                "cannot give sibling groups distinct folder names in {}: {name}",
                self.locale
            )));
        }
        Ok(names)
    }

    /// The slug in this locale, else in the default locale, else the id.
    fn base_name(&self, g: GroupIx) -> String {
        let group = self.ws.group(g);
        let slug_in = |l: &Locale| group.content.get(l).map(|c| c.slug.as_str());
        match slug_in(self.locale).or_else(|| slug_in(self.default_locale)) {
            Some(slug) if !slug.is_empty() => slug.to_string(),
            _ => group.id.clone(),
        }
    }
}

/// Replaces every name that occurs more than once by `rename(index)`.
fn disambiguate(names: &[String], rename: impl Fn(usize) -> String) -> Vec<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for name in names {
        *counts.entry(name).or_default() += 1;
    }
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if counts[name.as_str()] > 1 {
                rename(i)
            } else {
                name.clone()
            }
        })
        .collect()
}

fn first_duplicate(names: &[String]) -> Option<&str> {
    let mut seen = BTreeSet::new();
    names
        .iter()
        .find(|n| !seen.insert(n.as_str()))
        .map(String::as_str)
}

/// `collection` or `section`, as written in front matter.
pub(crate) fn kind_name(kind: GroupKind) -> &'static str {
    match kind {
        GroupKind::Collection => "collection",
        GroupKind::Section => "section",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_segments_are_accepted() {
        let ok = RelPath::new(vec![
            "en".into(),
            "getting-started".into(),
            "_index.md".into(),
        ]);
        assert_eq!(ok.unwrap().key(), "en/getting-started/_index.md");
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "a\\b",
            ".helpcenter",
            "/etc",
            "a\0b",
            "C:",
        ] {
            assert!(
                RelPath::new(vec!["en".into(), bad.into()]).is_err(),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn collisions_rename_every_member() {
        let names: Vec<String> = ["a", "b", "a"].map(String::from).to_vec();
        let renamed = disambiguate(&names, |i| format!("{}-{i}", names[i]));
        assert_eq!(renamed, ["a-0", "b", "a-2"]);
        assert_eq!(first_duplicate(&renamed), None);
        assert_eq!(first_duplicate(&names), Some("a"));
    }
}
