//! Reading a snapshot's raw API objects into a [`Workspace`].
//!
//! What is accepted, and what happens to imperfect data:
//! - ids may be strings or numbers; `translated_content` may be missing, `null`, or hold `null`
//!   for a locale without a translation;
//! - without `translated_content` (a help center that is not multilingual) the top-level fields
//!   are the content of the object's `default_locale`, else of the workspace default locale:
//!   [`LoadOptions::default_locale`] if given, else the most common `default_locale` the objects
//!   carry, else `en`;
//! - an invalid locale code, a field of the wrong type, an id that does not match its file name
//!   or a cycle of collections is an error naming the file;
//! - a translation without a title (or a group translation without a name) is left out, an
//!   article or group whose parent is not in the snapshot is placed at the top level
//!   (articles: standalone), and an unknown `state` counts as draft: each with a warning,
//!   or an error under [`LoadOptions::strict`].

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::fields::Fields;
use super::slug::slugify;
use super::{
    id_cmp, link_tree, Article, ArticleContent, Group, GroupContent, GroupIx, GroupKind,
    HelpCenter, HelpCenterIx, Locale, State, Workspace,
};
use crate::error::{Error, Result};
use crate::snapshot::{object_id, ObjectKind, Snapshot, StoredObject};

use rayon::prelude::*;

/// Choices that change how a snapshot is read.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Keep only this help center (by id), its groups and their articles, plus standalone
    /// articles. A snapshot with several help centers needs it for a site build.
    pub help_center: Option<String>,
    /// The locale of content that comes without `translated_content`, overriding the data.
    pub default_locale: Option<Locale>,
    /// Refuse data the loader would otherwise carry on after with a warning.
    pub strict: bool,
}

/// Reads every object of a snapshot and resolves them into one [`Workspace`].
pub fn load_snapshot(snapshot: &Snapshot, options: &LoadOptions) -> Result<Workspace> {
    let mut log = Log {
        strict: options.strict,
        warnings: Vec::new(),
    };
    let help_centers = read_kind(snapshot, ObjectKind::HelpCenter, |object, _| {
        parse_help_center(object)
    })?;
    let mut groups = read_kind(snapshot, ObjectKind::Collection, |object, log| {
        parse_group(object, GroupKind::Collection, log)
    })?
    .into_log(&mut log)?;
    let sections = read_kind(snapshot, ObjectKind::Section, |object, log| {
        parse_group(object, GroupKind::Section, log)
    })?
    .into_log(&mut log)?;
    groups.extend(sections);
    let articles = read_kind(snapshot, ObjectKind::Article, parse_article)?.into_log(&mut log)?;
    let mut raw = Raw {
        help_centers: help_centers.into_log(&mut log)?,
        groups,
        articles,
    };
    let default_locale = match &options.default_locale {
        Some(locale) => {
            raw.forget_declared_locales();
            locale.clone()
        }
        None => raw.vote_default_locale(&mut log)?,
    };
    resolve(raw, default_locale, options, log)
}

/// Warnings collected while loading; under `strict` the first one is an error instead.
struct Log {
    strict: bool,
    warnings: Vec<String>,
}

impl Log {
    fn warn(&mut self, message: String) -> Result<()> {
        if self.strict {
            return Err(Error::data(message));
        }
        tracing::warn!("{message}");
        self.warnings.push(message);
        Ok(())
    }
}

/// Objects parsed from one directory, with the warnings parsing produced (parsing runs before
/// the main log exists in its final form, so warnings travel with the result).
struct Parsed<T> {
    items: Vec<T>,
    warnings: Vec<String>,
}

impl<T> Parsed<T> {
    fn into_log(self, log: &mut Log) -> Result<Vec<T>> {
        for warning in self.warnings {
            log.warn(warning)?;
        }
        Ok(self.items)
    }
}

/// Reads and parses every object of one kind, in parallel and one file at a time: the parsed
/// JSON of a file lives only until its strings have moved into the model, so a big snapshot
/// never needs all its raw JSON in memory at once (as `Snapshot::objects` would).
fn read_kind<T: Send>(
    snapshot: &Snapshot,
    kind: ObjectKind,
    parse: impl Fn(StoredObject, &mut Vec<String>) -> Result<T> + Sync,
) -> Result<Parsed<T>> {
    let files = snapshot.object_files(kind);
    let results: Vec<Result<(T, Vec<String>)>> = files
        .par_iter()
        .map(|&(relative, id)| {
            let object = snapshot.read_object(relative, id)?;
            check_id(&object)?;
            let mut warnings = Vec::new();
            let item = parse(object, &mut warnings)?;
            Ok((item, warnings))
        })
        .collect();
    // In file order, so the error reported and the order of warnings are deterministic.
    let mut parsed = Parsed {
        items: Vec::with_capacity(results.len()),
        warnings: Vec::new(),
    };
    for result in results {
        let (item, warnings) = result?;
        parsed.items.push(item);
        parsed.warnings.extend(warnings);
    }
    Ok(parsed)
}

fn check_id(object: &StoredObject) -> Result<()> {
    match object_id(&object.value) {
        Some(id) if id == object.id => Ok(()),
        Some(id) => Err(Error::data(format!(
            "{}: id {id:?} does not match the file name",
            object.path.display()
        ))),
        None => Err(Error::data(format!("{}: has no id", object.path.display()))),
    }
}

struct RawHelpCenter {
    id: String,
    identifier: Option<String>,
    display_name: Option<String>,
    url: Option<String>,
    custom_domain: Option<String>,
    default_locale: Option<Locale>,
    source: PathBuf,
}

/// Content that is either per locale, or (not multilingual) for a locale decided later.
enum Localised<T> {
    Translated(Vec<(Locale, T)>),
    Untranslated(Option<T>),
}

struct RawGroup {
    id: String,
    kind: GroupKind,
    parent_id: Option<String>,
    help_center_id: Option<String>,
    order: i64,
    icon: Option<String>,
    created_at: Option<i64>,
    updated_at: Option<i64>,
    default_locale: Option<Locale>,
    /// The top-level `url`: the default locale's.
    url: Option<String>,
    content: Localised<GroupContent>,
    source: PathBuf,
}

struct RawArticle {
    id: String,
    /// `parent_type` as a hint for where to look the parents up.
    parent_kind: Option<GroupKind>,
    /// `parent_id` first, then the other `parent_ids`.
    parent_ids: Vec<String>,
    order: Option<i64>,
    default_locale: Option<Locale>,
    content: Localised<ArticleContent>,
    source: PathBuf,
}

fn parse_help_center(object: StoredObject) -> Result<RawHelpCenter> {
    let mut f = Fields::top(object.value, &object.path)?;
    Ok(RawHelpCenter {
        id: object.id,
        identifier: f.string("identifier")?,
        display_name: f.string("display_name")?,
        url: f.string("url")?,
        custom_domain: f.string("custom_domain")?,
        default_locale: f.locale("default_locale")?,
        source: object.path,
    })
}

fn parse_group(
    object: StoredObject,
    kind: GroupKind,
    warnings: &mut Vec<String>,
) -> Result<RawGroup> {
    let mut f = Fields::top(object.value, &object.path)?;
    let translations = f.translations()?;
    let content = match translations {
        Some(entries) => Localised::Translated(
            entries
                .into_iter()
                .filter_map(|(locale, mut t)| {
                    group_content(&mut t, &object.id, Some(&locale), warnings)
                        .map(|c| c.map(|c| (locale, c)))
                        .transpose()
                })
                .collect::<Result<_>>()?,
        ),
        None => Localised::Untranslated(group_content(&mut f, &object.id, None, warnings)?),
    };
    Ok(RawGroup {
        id: object.id,
        kind,
        parent_id: f.id("parent_id")?,
        help_center_id: f.id("help_center_id")?,
        order: f.int("order")?.unwrap_or(0),
        icon: f.string("icon")?,
        created_at: f.int("created_at")?,
        updated_at: f.int("updated_at")?,
        default_locale: f.locale("default_locale")?,
        url: f.string("url")?,
        content,
        source: object.path,
    })
}

/// A group's content in one locale, or `None` (with a warning) when it has no name.
fn group_content(
    f: &mut Fields,
    id: &str,
    locale: Option<&Locale>,
    warnings: &mut Vec<String>,
) -> Result<Option<GroupContent>> {
    let name = f.string("name")?.filter(|n| !n.trim().is_empty());
    let description = f.string("description")?.unwrap_or_default();
    let Some(name) = name else {
        warnings.push(missing(f.file(), "group", id, "name", locale));
        return Ok(None);
    };
    Ok(Some(GroupContent {
        slug: slugify(&name),
        name,
        description,
        url: None,
    }))
}

fn parse_article(object: StoredObject, warnings: &mut Vec<String>) -> Result<RawArticle> {
    let mut f = Fields::top(object.value, &object.path)?;
    let content = match f.translations()? {
        Some(entries) => Localised::Translated(
            entries
                .into_iter()
                .filter_map(|(locale, mut t)| {
                    article_content(&mut t, &object.id, Some(&locale), warnings)
                        .map(|c| c.map(|c| (locale, c)))
                        .transpose()
                })
                .collect::<Result<_>>()?,
        ),
        None => Localised::Untranslated(article_content(&mut f, &object.id, None, warnings)?),
    };
    let parent_kind = match f.string("parent_type")?.as_deref() {
        Some("section") => Some(GroupKind::Section),
        Some("collection") => Some(GroupKind::Collection),
        _ => None,
    };
    let mut parent_ids: Vec<String> = f.id("parent_id")?.into_iter().collect();
    for id in f.ids("parent_ids")? {
        if !parent_ids.contains(&id) {
            parent_ids.push(id);
        }
    }
    Ok(RawArticle {
        id: object.id,
        parent_kind,
        parent_ids,
        order: f.int("order")?,
        default_locale: f.locale("default_locale")?,
        content,
        source: object.path,
    })
}

/// An article's content in one locale, or `None` (with a warning) when it has no title.
fn article_content(
    f: &mut Fields,
    id: &str,
    locale: Option<&Locale>,
    warnings: &mut Vec<String>,
) -> Result<Option<ArticleContent>> {
    let Some(title) = f.string("title")?.filter(|t| !t.trim().is_empty()) else {
        warnings.push(missing(f.file(), "article", id, "title", locale));
        return Ok(None);
    };
    let state = match f.string("state")?.as_deref() {
        Some("published") => State::Published,
        Some("draft") | None => State::Draft,
        Some(other) => {
            warnings.push(format!(
                "{}: article {id}{}: unknown state {other:?}, treated as draft",
                f.file().display(),
                in_locale(locale)
            ));
            State::Draft
        }
    };
    Ok(Some(ArticleContent {
        slug: slugify(&title),
        title,
        description: f.string("description")?.unwrap_or_default(),
        body: f.string("body")?.unwrap_or_default(),
        author_id: f.id("author_id")?,
        state,
        created_at: f.int("created_at")?,
        updated_at: f.int("updated_at")?,
        url: f.string("url")?,
        recorded_path: None,
    }))
}

fn missing(file: &Path, what: &str, id: &str, field: &str, locale: Option<&Locale>) -> String {
    format!(
        "{}: {what} {id} has no {field}{}; left out",
        file.display(),
        in_locale(locale)
    )
}

fn in_locale(locale: Option<&Locale>) -> String {
    locale.map(|l| format!(" in {l}")).unwrap_or_default()
}

struct Raw {
    help_centers: Vec<RawHelpCenter>,
    groups: Vec<RawGroup>,
    articles: Vec<RawArticle>,
}

impl Raw {
    /// An explicit default locale wins over what each object declares.
    fn forget_declared_locales(&mut self) {
        self.help_centers
            .iter_mut()
            .for_each(|h| h.default_locale = None);
        self.groups.iter_mut().for_each(|g| g.default_locale = None);
        self.articles
            .iter_mut()
            .for_each(|a| a.default_locale = None);
    }

    /// The most common `default_locale` the objects carry (ties: the smallest code), else `en`.
    fn vote_default_locale(&self, log: &mut Log) -> Result<Locale> {
        let mut votes: BTreeMap<&Locale, usize> = BTreeMap::new();
        let declared = (self.help_centers.iter().map(|h| &h.default_locale))
            .chain(self.groups.iter().map(|g| &g.default_locale))
            .chain(self.articles.iter().map(|a| &a.default_locale));
        for locale in declared.flatten() {
            *votes.entry(locale).or_default() += 1;
        }
        if votes.len() > 1 {
            let list: Vec<String> = votes.iter().map(|(l, n)| format!("{l} ({n})")).collect();
            log.warn(format!(
                "objects disagree on the default locale: {}; using the most common",
                list.join(", ")
            ))?;
        }
        let best = votes
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(l, _)| (*l).clone());
        Ok(best.unwrap_or_else(|| Locale::parse("en").expect("valid")))
    }
}

fn resolve(
    mut raw: Raw,
    default_locale: Locale,
    options: &LoadOptions,
    mut log: Log,
) -> Result<Workspace> {
    raw.help_centers.sort_by(|a, b| id_cmp(&a.id, &b.id));
    raw.groups
        .sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| id_cmp(&a.id, &b.id)));
    raw.articles.sort_by(|a, b| id_cmp(&a.id, &b.id));
    let index = GroupIndex::new(&raw.groups);
    let parents = group_parents(&raw.groups, &index, &mut log)?;
    check_cycles(&raw.groups, &parents)?;
    let homes = group_help_centers(&raw, &parents, &mut log)?;
    let selected = select_help_center(&raw.help_centers, options.help_center.as_deref())?;
    let keep: Vec<bool> = homes
        .iter()
        .map(|home| selected.is_none() || *home == selected)
        .collect();
    let article_parents = article_parents(&raw, &index, &keep, &mut log)?;
    Ok(assemble(
        raw,
        default_locale,
        selected,
        parents,
        homes,
        keep,
        article_parents,
        log,
    ))
}

/// Where to find a group by its API id.
struct GroupIndex {
    collections: HashMap<String, usize>,
    sections: HashMap<String, usize>,
}

impl GroupIndex {
    fn new(groups: &[RawGroup]) -> GroupIndex {
        let mut index = GroupIndex {
            collections: HashMap::new(),
            sections: HashMap::new(),
        };
        for (i, group) in groups.iter().enumerate() {
            let map = match group.kind {
                GroupKind::Collection => &mut index.collections,
                GroupKind::Section => &mut index.sections,
            };
            map.insert(group.id.clone(), i);
        }
        index
    }

    /// Looks in the hinted kind first: a 2.9 `parent_type: section` may name a section that a
    /// later API version turned into a collection with the same id.
    fn find(&self, id: &str, hint: Option<GroupKind>) -> Option<usize> {
        let (first, second) = match hint {
            Some(GroupKind::Section) => (&self.sections, &self.collections),
            _ => (&self.collections, &self.sections),
        };
        first.get(id).or_else(|| second.get(id)).copied()
    }
}

fn group_parents(
    groups: &[RawGroup],
    index: &GroupIndex,
    log: &mut Log,
) -> Result<Vec<Option<usize>>> {
    let mut parents = Vec::with_capacity(groups.len());
    for group in groups {
        let parent = match &group.parent_id {
            None => None,
            Some(pid) => {
                // A collection's parent is a collection; a section's is too (API 2.9).
                let found = index.collections.get(pid).copied();
                if found.is_none() {
                    log.warn(format!(
                        "{}: parent collection {pid} is not in the snapshot; shown at the top level",
                        group.source.display()
                    ))?;
                }
                found
            }
        };
        parents.push(parent);
    }
    Ok(parents)
}

fn check_cycles(groups: &[RawGroup], parents: &[Option<usize>]) -> Result<()> {
    for start in 0..groups.len() {
        let mut current = start;
        for _ in 0..=groups.len() {
            match parents[current] {
                Some(next) => current = next,
                None => break,
            }
        }
        if parents[current].is_some() {
            return Err(cycle_error(groups, parents, current));
        }
    }
    Ok(())
}

/// `member` is on the cycle (the walk above went round it); name every file on it.
fn cycle_error(groups: &[RawGroup], parents: &[Option<usize>], member: usize) -> Error {
    let mut files = vec![groups[member].source.display().to_string()];
    let mut current = parents[member].expect("on a cycle");
    while current != member {
        files.push(groups[current].source.display().to_string());
        current = parents[current].expect("on a cycle");
    }
    files.sort();
    Error::data(format!(
        "collections form a cycle through their parent_id: {}",
        files.join(", ")
    ))
}

/// The help center of every group: its top-level ancestor's `help_center_id`, or the only help
/// center when there is just one (API 2.9 collections may not say).
fn group_help_centers(
    raw: &Raw,
    parents: &[Option<usize>],
    log: &mut Log,
) -> Result<Vec<Option<HelpCenterIx>>> {
    let by_id: HashMap<&str, usize> = raw
        .help_centers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.id.as_str(), i))
        .collect();
    let only = (raw.help_centers.len() == 1).then_some(HelpCenterIx(0));
    let mut of_root = HashMap::new();
    for (i, group) in raw.groups.iter().enumerate() {
        if parents[i].is_some() {
            continue;
        }
        let home = match &group.help_center_id {
            None => only,
            Some(id) => match by_id.get(id.as_str()) {
                Some(&ix) => Some(HelpCenterIx(ix)),
                None => {
                    log.warn(format!(
                        "{}: help center {id} is not in the snapshot",
                        group.source.display()
                    ))?;
                    only
                }
            },
        };
        of_root.insert(i, home);
    }
    Ok((0..raw.groups.len())
        .map(|i| of_root[&root_of(parents, i)])
        .collect())
}

fn root_of(parents: &[Option<usize>], mut group: usize) -> usize {
    while let Some(parent) = parents[group] {
        group = parent;
    }
    group
}

fn select_help_center(
    help_centers: &[RawHelpCenter],
    wanted: Option<&str>,
) -> Result<Option<HelpCenterIx>> {
    let Some(wanted) = wanted else {
        return Ok(None);
    };
    match help_centers.iter().position(|h| h.id == wanted) {
        Some(ix) => Ok(Some(HelpCenterIx(ix))),
        None => Err(Error::usage(format!(
            "help center {wanted} is not in the snapshot; it has: {}",
            describe_help_centers(help_centers)
        ))),
    }
}

fn describe_help_centers(help_centers: &[RawHelpCenter]) -> String {
    if help_centers.is_empty() {
        return "none".to_string();
    }
    let names: Vec<String> = help_centers
        .iter()
        .map(|h| match &h.display_name {
            Some(name) => format!("{} ({name})", h.id),
            None => h.id.clone(),
        })
        .collect();
    names.join(", ")
}

/// What became of an article's parent.
enum ArticleParent {
    In(usize),
    Standalone,
    /// Its parents all belong to help centers that were not selected.
    Elsewhere,
}

fn article_parents(
    raw: &Raw,
    index: &GroupIndex,
    keep: &[bool],
    log: &mut Log,
) -> Result<Vec<ArticleParent>> {
    let mut resolved = Vec::with_capacity(raw.articles.len());
    for article in &raw.articles {
        let found: Vec<usize> = article
            .parent_ids
            .iter()
            .filter_map(|id| index.find(id, article.parent_kind))
            .collect();
        let parent = match found.iter().find(|&&g| keep[g]) {
            Some(&g) => ArticleParent::In(g),
            None if !found.is_empty() => ArticleParent::Elsewhere,
            None => ArticleParent::Standalone,
        };
        if found.is_empty() && !article.parent_ids.is_empty() {
            log.warn(format!(
                "{}: parent {} is not in the snapshot; treated as a standalone article",
                article.source.display(),
                article.parent_ids.join(", ")
            ))?;
        }
        resolved.push(parent);
    }
    Ok(resolved)
}

#[allow(clippy::too_many_arguments)]
fn assemble(
    raw: Raw,
    default_locale: Locale,
    selected: Option<HelpCenterIx>,
    parents: Vec<Option<usize>>,
    homes: Vec<Option<HelpCenterIx>>,
    keep: Vec<bool>,
    article_parents: Vec<ArticleParent>,
    log: Log,
) -> Workspace {
    // Old group index -> new, for the groups that stay.
    let mut renumber = vec![None; raw.groups.len()];
    let mut next = 0;
    for (old, &kept) in keep.iter().enumerate() {
        if kept {
            renumber[old] = Some(GroupIx(next));
            next += 1;
        }
    }
    let help_center_ix = |home: Option<HelpCenterIx>| match selected {
        Some(_) => home.map(|_| HelpCenterIx(0)),
        None => home,
    };
    let groups: Vec<Group> = raw
        .groups
        .into_iter()
        .enumerate()
        .filter(|(old, _)| keep[*old])
        .map(|(old, g)| {
            let parent = parents[old].and_then(|p| renumber[p]);
            let locale = g
                .default_locale
                .clone()
                .unwrap_or_else(|| default_locale.clone());
            build_group(g, parent, help_center_ix(homes[old]), &locale)
        })
        .collect();
    let articles: Vec<Article> = raw
        .articles
        .into_iter()
        .zip(article_parents)
        .filter_map(|(a, parent)| {
            let parent = match parent {
                ArticleParent::In(old) => renumber[old],
                ArticleParent::Standalone => None,
                ArticleParent::Elsewhere => return None,
            };
            Some(build_article(a, parent, &default_locale))
        })
        .collect();
    let help_centers = raw
        .help_centers
        .into_iter()
        .enumerate()
        .filter(|(i, _)| selected.is_none_or(|s| s.0 == *i))
        .map(|(_, h)| build_help_center(h, &default_locale))
        .collect();
    let mut ws = Workspace {
        help_centers,
        groups,
        articles,
        locales: Vec::new(),
        default_locale,
        warnings: log.warnings,
    };
    link_tree(&mut ws);
    ws
}

fn build_group(
    raw: RawGroup,
    parent: Option<GroupIx>,
    help_center: Option<HelpCenterIx>,
    default_locale: &Locale,
) -> Group {
    let mut content = localise(raw.content, default_locale);
    if let Some(c) = content.get_mut(default_locale) {
        c.url = raw.url;
    }
    Group {
        id: raw.id,
        kind: raw.kind,
        parent,
        help_center,
        order: raw.order,
        icon: raw.icon,
        created_at: raw.created_at,
        updated_at: raw.updated_at,
        content,
        children: Vec::new(),
        articles: Vec::new(),
        source: raw.source,
    }
}

fn build_article(raw: RawArticle, parent: Option<GroupIx>, default_locale: &Locale) -> Article {
    let locale = raw.default_locale.as_ref().unwrap_or(default_locale);
    Article {
        id: raw.id,
        parent,
        order: raw.order,
        content: localise(raw.content, locale),
        source: raw.source,
    }
}

fn localise<T>(content: Localised<T>, default_locale: &Locale) -> BTreeMap<Locale, T> {
    match content {
        Localised::Translated(entries) => entries.into_iter().collect(),
        Localised::Untranslated(content) => content
            .map(|c| (default_locale.clone(), c))
            .into_iter()
            .collect(),
    }
}

fn build_help_center(raw: RawHelpCenter, default_locale: &Locale) -> HelpCenter {
    HelpCenter {
        id: raw.id,
        identifier: raw.identifier,
        display_name: raw.display_name,
        url: raw.url,
        custom_domain: raw.custom_domain,
        default_locale: raw.default_locale.unwrap_or_else(|| default_locale.clone()),
        locales: Vec::new(),
        groups: Vec::new(),
        source: raw.source,
    }
}
