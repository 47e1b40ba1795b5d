//! `helpcenter merge`: bring Intercom's newer edits (a snapshot, after `helpcenter pull`) into
//! an edited Markdown tree without losing either side, git's way, with the tree's base as the
//! common ancestor.
//!
//! The snapshot is exported in memory exactly as `build --format markdown` would write it, and
//! each of its files is joined with the tree's file and base entry that describe the same thing
//! (help center, group or article, in one locale), so a move on either side is followed:
//!
//! - unchanged here, changed in Intercom: the file takes Intercom's version;
//! - changed here, unchanged in Intercom: kept as it is;
//! - changed on both sides: merged three ways ([`merge_text`]): the front matter key by key,
//!   the body block by block (paragraph, heading, list item, table row, raw HTML block; see
//!   `units.rs`). Edits to different blocks or keys merge cleanly; edits to the same one get
//!   git's conflict markers (see [`crate::tree::conflicts`]), which a preview build shows and
//!   `push` refuses;
//! - new in Intercom (an article, a collection, a translation): a new file; deleted in
//!   Intercom: removed if unchanged here, kept and reported if edited here; moved in Intercom
//!   (another collection, a renamed folder): moved, local edits kept; deleted here but edited
//!   in Intercom since: restored with that edit.
//!
//! The base moves on only for what merged cleanly: a file's base entry, base text and body
//! record become Intercom's version, so a later push sends exactly the local edits on top of
//! it and never undoes a colleague's change. A file left with conflicts keeps its base, and the
//! remote version it was merged with waits in `.helpcenter/merge.json` (see
//! [`crate::tree::MergeState`]); once its markers are gone, the next merge records that
//! version as its base.
//!
//! A snapshot older than the tree (pulled before the last push) never undoes anything: a file
//! whose base is newer than the snapshot's version is left alone and reported.
//!
//! Writing takes the tree's lock (as an export and a push do), refuses a tree whose last push
//! was interrupted (its journal is there to finish first), and writes each file atomically,
//! the base record last (see `apply.rs`).

mod apply;
mod front;
mod plan;
mod report;
mod text;
mod three_way;
mod units;

use std::path::PathBuf;
use std::time::Instant;

pub use report::{ConflictReport, FileReport, MergeReport, Outcome};
pub use text::{merge_text, MergedText, Unmergeable};

use crate::assets::LocalAssets;
use crate::error::{Error, Result};
use crate::model::{self, LoadOptions};
use crate::snapshot::Snapshot;
use crate::tree::export::Render;
use crate::tree::{self, BaseRecord, FileKind, BASE_FILE};
use plan::{Change, Planner};

/// What to merge.
#[derive(Debug, Clone)]
pub struct MergeOptions {
    /// The Markdown tree (the folder holding `.helpcenter/base.json`).
    pub content: PathBuf,
    /// The snapshot, as `helpcenter pull` left it.
    pub snapshot: PathBuf,
    /// Report what would change, with diffs; write nothing.
    pub dry_run: bool,
}

/// Merges the snapshot at `options.snapshot` into the tree at `options.content`; see the module
/// docs. Errors (nothing written): no base record, an interrupted push, another process writing
/// the tree, a snapshot that cannot be read or lacks the tree's help center.
pub fn merge(options: &MergeOptions) -> Result<MergeReport> {
    let started = Instant::now();
    let content = &options.content;
    let base = BaseRecord::read(content)?.ok_or_else(|| {
        Error::usage(format!(
            "{} has no {BASE_FILE}: merge works on a tree written by `helpcenter build --format \
             markdown`",
            content.display()
        ))
    })?;
    if content.join(crate::push::JOURNAL_FILE).exists() {
        return Err(Error::usage(format!(
            "{}: a push was interrupted; run `helpcenter push` to finish it, then merge",
            content.join(crate::push::JOURNAL_FILE).display()
        )));
    }
    let _lock = match options.dry_run {
        true => None,
        false => Some(tree::lock_tree(content)?),
    };
    let snapshot = Snapshot::open(&options.snapshot)?;
    let help_center = tree_help_center(&base);
    let load = LoadOptions {
        help_center: help_center.clone(),
        ..LoadOptions::default()
    };
    let workspace = model::load_snapshot(&snapshot, &load)?;
    if let Some(id) = &help_center {
        if !workspace.help_centers.iter().any(|h| &h.id == id) {
            return Err(Error::usage(format!(
                "{} has no help center {id}, which {} holds; pull it first (`helpcenter pull \
                 --help-center {id}`)",
                options.snapshot.display(),
                content.display()
            )));
        }
    }
    let assets = LocalAssets::from_snapshot(&snapshot)?;
    let (render, layout) = Render::new(&workspace, &assets)?;
    let before = plan::read_tree(content, &base)?;
    let planner = Planner {
        content,
        before: &before,
        render: &render,
        pulled_at: pulled_at(&snapshot),
    };
    let changes = planner.changes(&layout)?;
    let mut report = report(options, &changes, &before);
    report.warnings.extend(layout.warnings);
    if !options.dry_run && changes.iter().any(Change::writes) {
        let writes: Vec<Change> = changes.into_iter().filter(Change::writes).collect();
        apply::apply(content, &writes, &base, before.pending, &assets)?;
    }
    report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(report)
}

/// The help center the tree holds (`None` for a tree without one).
fn tree_help_center(base: &BaseRecord) -> Option<String> {
    (base.files.values())
        .find(|e| e.kind == FileKind::HelpCenter && e.id.is_some())
        .and_then(|e| e.id.clone())
}

/// When the snapshot was pulled, in Unix seconds.
fn pulled_at(snapshot: &Snapshot) -> Option<i64> {
    let rfc3339 = time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(&snapshot.manifest.pulled_at, &rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// The report of `changes`.
fn report(options: &MergeOptions, changes: &[Change], before: &plan::Before) -> MergeReport {
    let mut report = MergeReport::new(
        options.content.clone(),
        options.snapshot.clone(),
        options.dry_run,
    );
    for change in changes {
        report.add(file_report(change, options.dry_run));
        if change.outcome == Outcome::Stale {
            report.warnings.push(format!(
                "{}: {}",
                change.path(),
                change.detail.as_deref().unwrap_or("")
            ));
        }
    }
    report.kept = (before.edited())
        .filter(|identity| !changes.iter().any(|c| &c.identity == *identity))
        .count();
    report
}

/// One change as reported.
fn file_report(change: &Change, dry_run: bool) -> FileReport {
    let moved_from = match (&change.from, &change.to) {
        (Some(from), Some(to)) if from != to => Some(from.clone()),
        _ => None,
    };
    let diff = match (dry_run, &change.text) {
        (true, Some(text)) => crate::push::diff::unified(
            change.before.as_deref().unwrap_or(""),
            text,
            change.from.as_deref().unwrap_or("/dev/null"),
            change.path(),
        ),
        (true, None) if change.to.is_none() => change
            .before
            .as_deref()
            .and_then(|before| crate::push::diff::unified(before, "", change.path(), "/dev/null")),
        _ => None,
    };
    FileReport {
        path: change.path().to_string(),
        outcome: change.outcome,
        moved_from,
        kind: kind_name(change.identity.kind).to_string(),
        id: change.identity.id.clone(),
        locale: change.identity.locale.to_string(),
        conflicts: (change.conflict_lines.iter())
            .map(|&line| ConflictReport { line })
            .collect(),
        conflicting_keys: change.conflicting_keys.clone(),
        detail: change.detail.clone(),
        diff,
    }
}

fn kind_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::HelpCenter => "help_center",
        FileKind::Collection => "collection",
        FileKind::Section => "section",
        FileKind::Article => "article",
    }
}
