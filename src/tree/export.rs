//! Model -> tree: renders every planned file and writes the whole tree atomically.

use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use super::assets::{ExportAssets, UsedAssets};
use super::base::{BaseEntry, BaseRecord, FileKind, LocalChanges};
use super::bodies::{self, Encoded};
use super::frontmatter::Writer;
use super::layout::{self, kind_name, Layout, Planned, RelPath, Slot};
use super::write::{check_existing, Staging};
use crate::assets::LocalAssets;
use crate::error::{Error, Result};
use crate::markdown::{convert_with, html_to_markdown_copy};
use crate::model::slug::{article_path, group_path, home_path};
use crate::model::{Article, ArticleIx, GroupIx, GroupKind, HelpCenter, Locale, State, Workspace};

/// Where to export, and whether local edits there may be overwritten.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// The tree's root, e.g. `content` (created if needed, replaced if it is an earlier export).
    pub content: PathBuf,
    /// Replace a tree even if its files were edited since it was exported.
    pub force: bool,
}

/// What an export did (`--json` prints it).
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    /// The tree's root, absolute.
    pub content: PathBuf,
    /// The locale folders written.
    pub locales: Vec<String>,
    /// Help center `_index.md` files (one per locale).
    pub help_center_files: usize,
    /// Collection and section `_index.md` files.
    pub group_files: usize,
    /// Article files (one per article and translation).
    pub article_files: usize,
    /// Whether an earlier export was replaced.
    pub replaced: bool,
    /// Local changes to the earlier export that `force` discarded.
    pub overwritten: LocalChanges,
    /// What could not be exported.
    pub warnings: Vec<String>,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
}

impl ExportReport {
    /// `wrote 47 articles, 33 collection and section pages and 5 help center pages in 5 locales
    /// to content in 0.4 s`
    pub fn summary_line(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut line = format!(
            "wrote {}, {} and {} in {} to {} in {:.1} s",
            plural(self.article_files, "article", "articles"),
            plural(
                self.group_files,
                "collection or section page",
                "collection and section pages"
            ),
            plural(
                self.help_center_files,
                "help center page",
                "help center pages"
            ),
            plural(self.locales.len(), "locale", "locales"),
            self.content.display(),
            self.duration_ms as f64 / 1000.0
        );
        let overwritten = self.overwritten.lines().len();
        if overwritten > 0 {
            line.push_str(&format!(" (discarded {} local changes)", overwritten));
        }
        line
    }
}

/// Writes `ws` as a Markdown tree at `options.content` (see the module docs for the layout).
///
/// The workspace must hold at most one help center (load the snapshot with
/// `LoadOptions::help_center` to choose one).
pub fn export(ws: &Workspace, options: &ExportOptions) -> Result<ExportReport> {
    export_with_assets(ws, options, &LocalAssets::default())
}

/// Like [`export`], and copies the assets of `local` that the bodies use into
/// `assets/`, pointing the Markdown at them (see the `assets` module docs).
pub fn export_with_assets(
    ws: &Workspace,
    options: &ExportOptions,
    local: &LocalAssets,
) -> Result<ExportReport> {
    let started = std::time::Instant::now();
    let (render, layout) = Render::new(ws, local)?;
    let target = std::path::absolute(&options.content)
        .map_err(|e| Error::io(&options.content, "resolve", e))?;
    let staging = Staging::create(&target)?;
    let existing = check_existing(&target, options.force)?;
    let rendered: Vec<(String, BaseEntry)> = layout
        .files
        .par_iter()
        .map(|file| {
            let rendered = render.file(file);
            render.record_assets(rendered.assets, &rendered.text);
            staging.write(&file.path, rendered.text.as_bytes())?;
            staging.write_base_text(&rendered.entry.sha256, rendered.text.as_bytes())?;
            if let Some(body) = rendered.body {
                staging.write_body(&body)?;
            }
            Ok((file.path.key(), rendered.entry))
        })
        .collect::<Result<_>>()?;
    let count = |kinds: &[FileKind]| {
        (rendered.iter())
            .filter(|(_, e)| kinds.contains(&e.kind))
            .count()
    };
    let report = ExportReport {
        content: target,
        locales: locales_of(&layout.files),
        help_center_files: count(&[FileKind::HelpCenter]),
        group_files: count(&[FileKind::Collection, FileKind::Section]),
        article_files: count(&[FileKind::Article]),
        replaced: existing.replaced,
        overwritten: existing.overwritten,
        warnings: layout.warnings,
        duration_ms: 0,
    };
    let used = render.finish_assets()?;
    for (file, source) in &used.files {
        let segments = file.split('/').map(str::to_string).collect();
        staging.copy(&RelPath::new(segments)?, source)?;
    }
    if !used.record.files.is_empty() {
        staging.write_asset_record(&used.record)?;
    }
    staging.write_base(&BaseRecord::new(rendered.into_iter().collect()))?;
    staging.commit()?;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(ExportReport {
        duration_ms,
        ..report
    })
}

fn single_help_center(ws: &Workspace) -> Result<Option<&HelpCenter>> {
    match ws.help_centers.as_slice() {
        [] => Ok(None),
        [only] => Ok(Some(only)),
        several => {
            let ids: Vec<&str> = several.iter().map(|h| h.id.as_str()).collect();
            Err(Error::usage(format!(
                "a Markdown tree holds one help center, and this workspace has {}: {}; choose \
                 one with --help-center",
                several.len(),
                ids.join(", ")
            )))
        }
    }
}

fn locales_of(files: &[Planned]) -> Vec<String> {
    let mut locales: Vec<String> = files.iter().map(|f| f.locale.to_string()).collect();
    locales.dedup();
    locales
}

/// One file of the tree as an export writes it.
pub(crate) struct RenderedFile {
    /// Its text.
    pub(crate) text: String,
    /// Its base record entry.
    pub(crate) entry: BaseEntry,
    /// An article's body record.
    pub(crate) body: Option<Encoded>,
    /// The assets its body points at, as (tree file, Intercom URL), for
    /// [`Render::record_assets`].
    pub(crate) assets: Vec<(String, String)>,
}

/// Renders the files of one workspace as an export writes them, one at a time (in parallel),
/// and collects the assets the written ones use.
pub(crate) struct Render<'w> {
    ws: &'w Workspace,
    help_center: Option<&'w HelpCenter>,
    default_locale: &'w Locale,
    assets: ExportAssets<'w>,
}

impl<'w> Render<'w> {
    /// The renderer of `ws` (at most one help center), whose bodies point at the copies in
    /// `local`, and the layout of its tree.
    pub(crate) fn new(ws: &'w Workspace, local: &'w LocalAssets) -> Result<(Render<'w>, Layout)> {
        let help_center = single_help_center(ws)?;
        let default_locale = help_center.map_or(&ws.default_locale, |h| &h.default_locale);
        let layout = layout::plan(ws, default_locale)?;
        let render = Render {
            ws,
            help_center,
            default_locale,
            assets: ExportAssets::new(local),
        };
        Ok((render, layout))
    }

    /// Records the assets of a file that is written with `text`.
    pub(crate) fn record_assets(&self, used: Vec<(String, String)>, text: &str) {
        self.assets.record(used, text);
    }

    /// The asset files the recorded files use, and their record.
    pub(crate) fn finish_assets(self) -> Result<UsedAssets> {
        self.assets.finish()
    }

    /// The file's text, its base record entry and, for an article, its body record.
    pub(crate) fn file(&self, file: &Planned) -> RenderedFile {
        let locale = &file.locale;
        let mut body = None;
        let mut assets = Vec::new();
        let (text, kind, id, updated_at, untranslated) = match file.slot {
            Slot::HelpCenter => {
                let id = self.help_center.map(|h| h.id.clone());
                (
                    self.help_center_doc(locale),
                    FileKind::HelpCenter,
                    id,
                    None,
                    false,
                )
            }
            Slot::Group(g) => {
                let group = self.ws.group(g);
                let kind = match group.kind {
                    GroupKind::Collection => FileKind::Collection,
                    GroupKind::Section => FileKind::Section,
                };
                let untranslated = !group.content.contains_key(locale);
                let doc = self.group_doc(g, locale);
                (
                    doc,
                    kind,
                    Some(group.id.clone()),
                    group.updated_at,
                    untranslated,
                )
            }
            Slot::Article(a) => {
                let article = self.ws.article(a);
                let updated_at = article.content.get(locale).and_then(|c| c.updated_at);
                let (doc, record, used) = self.article_doc(a, locale, &file.path.key());
                body = Some(record);
                assets = used;
                (
                    doc,
                    FileKind::Article,
                    Some(article.id.clone()),
                    updated_at,
                    false,
                )
            }
        };
        let hash = crate::snapshot::file_entry(text.as_bytes());
        let entry = BaseEntry {
            kind,
            id,
            locale: locale.clone(),
            updated_at,
            untranslated,
            sha256: hash.sha256,
            bytes: hash.bytes,
            body: body.as_ref().map(|b| b.name.clone()),
        };
        RenderedFile {
            text,
            entry,
            body,
            assets,
        }
    }

    fn help_center_doc(&self, locale: &Locale) -> String {
        let mut w = Writer::default();
        let hc = self.help_center;
        w.opt_string("title", hc.and_then(|h| h.display_name.as_deref()))
            .opt_string("id", hc.map(|h| h.id.as_str()))
            .string("locale", locale.as_str())
            .string("default_locale", self.default_locale.as_str())
            .opt_string("identifier", hc.and_then(|h| h.identifier.as_deref()))
            .opt_string("custom_domain", hc.and_then(|h| h.custom_domain.as_deref()))
            .opt_string(
                "translationKey",
                hc.map(|h| format!("help-center-{}", h.id)).as_deref(),
            )
            .string("url", &home_path(locale))
            .opt_string("intercom_url", hc.and_then(|h| h.url.as_deref()));
        w.document("")
    }

    fn group_doc(&self, g: GroupIx, locale: &Locale) -> String {
        let group = self.ws.group(g);
        let content = group.content.get(locale);
        // A folder in a locale where the group has no name still needs a title for Hugo.
        let title = content
            .or_else(|| group.content.get(self.default_locale))
            .or_else(|| group.content.values().next())
            .map_or(group.id.as_str(), |c| c.name.as_str());
        let kind = kind_name(group.kind);
        let mut w = Writer::default();
        w.string("title", title)
            .opt_string("description", content.map(|c| c.description.as_str()))
            .string("id", &group.id)
            .string("locale", locale.as_str())
            .string("kind", kind)
            .flag("untranslated", content.is_none())
            .opt_string("icon", group.icon.as_deref())
            .time("date", group.created_at)
            .time("lastmod", group.updated_at)
            .string("translationKey", &format!("{kind}-{}", group.id))
            .int("weight", group.order)
            .opt_string(
                "url",
                content
                    .map(|c| group_path(locale, &group.id, &c.slug))
                    .as_deref(),
            )
            .opt_string("intercom_url", content.and_then(|c| c.url.as_deref()));
        w.document("")
    }

    /// An article file, its body record and the assets its body points at.
    fn article_doc(
        &self,
        a: ArticleIx,
        locale: &Locale,
        file_key: &str,
    ) -> (String, Encoded, Vec<(String, String)>) {
        let article = self.ws.article(a);
        let c = &article.content[locale];
        // Each piece of the body points at the tree's copies of its assets; the blocks keep
        // Intercom's bytes.
        let used = std::cell::RefCell::new(Vec::new());
        let converted = convert_with(&c.body, &|piece| {
            let (piece, found) = self.assets.localize(piece, file_key);
            used.borrow_mut().extend(found);
            piece
        });
        let markdown = converted.markdown();
        let document = article_front_matter(article, locale).document(&markdown);
        (document, bodies::encode(&converted), used.into_inner())
    }
}

/// An article translation as the Markdown tree writes it (front matter, then the body as
/// Markdown), with `body_html` as its body: the site puts one beside each article page.
pub fn article_markdown(article: &Article, locale: &Locale, body_html: &str) -> String {
    article_document(article, locale, &html_to_markdown_copy(body_html))
}

/// [`article_markdown`] of a body already converted to Markdown (by
/// [`crate::markdown::html_to_markdown_copy`]).
pub fn article_document(article: &Article, locale: &Locale, body_markdown: &str) -> String {
    article_front_matter(article, locale).document(body_markdown)
}

fn article_front_matter(article: &Article, locale: &Locale) -> Writer {
    let c = &article.content[locale];
    let state = match c.state {
        State::Published => "published",
        State::Draft => "draft",
    };
    let mut w = Writer::default();
    w.string("title", &c.title)
        .string("description", &c.description)
        .string("id", &article.id)
        .string("locale", locale.as_str())
        .string("state", state)
        .flag("draft", c.state == State::Draft)
        .opt_string("author_id", c.author_id.as_deref())
        .time("date", c.created_at)
        .time("lastmod", c.updated_at)
        .string("translationKey", &article.id)
        .opt_int("weight", article.order)
        .string("url", &article_path(locale, &article.id, &c.slug))
        .opt_string("intercom_url", c.url.as_deref());
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line_reads_naturally() {
        let mut report = ExportReport {
            content: PathBuf::from("content"),
            locales: vec!["en".into(), "fr".into()],
            help_center_files: 2,
            group_files: 1,
            article_files: 47,
            replaced: true,
            overwritten: LocalChanges::default(),
            warnings: Vec::new(),
            duration_ms: 420,
        };
        assert_eq!(
            report.summary_line(),
            "wrote 47 articles, 1 collection or section page and 2 help center pages in 2 \
             locales to content in 0.4 s"
        );
        report.overwritten.modified = vec!["en/a.md".into(), "en/b.md".into()];
        assert!(report
            .summary_line()
            .ends_with(" (discarded 2 local changes)"));
    }
}
