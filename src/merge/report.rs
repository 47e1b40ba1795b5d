//! What a merge did (or, in a dry run, would do), file by file.

use std::path::PathBuf;

use serde::Serialize;

use crate::error::exit;

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Unchanged here, changed in Intercom: it took Intercom's version.
    Updated,
    /// Changed on both sides, in different blocks or keys: both edits are in it.
    Merged,
    /// Changed on both sides in the same block or key: conflict markers to resolve.
    Conflicted,
    /// New in Intercom: a new file.
    Added,
    /// Deleted in Intercom and unchanged here: removed.
    Removed,
    /// Moved (Intercom moved it to another collection, or its folder was renamed), contents
    /// as they were.
    Moved,
    /// Deleted here but edited in Intercom since: back, with that edit.
    Restored,
    /// Deleted in Intercom but edited here: kept, for a writer to decide.
    KeptDeleted,
    /// Its conflicts from an earlier merge were resolved: its base moved on.
    Resolved,
    /// Its conflicts from an earlier merge still have markers.
    Unresolved,
    /// Changed on both sides but could not be merged (see the detail).
    Unmergeable,
    /// The snapshot is older than the tree for this file: left alone.
    Stale,
}

impl Outcome {
    /// Whether it leaves something for a writer to resolve.
    pub fn is_conflict(self) -> bool {
        matches!(
            self,
            Outcome::Conflicted | Outcome::Unresolved | Outcome::KeptDeleted | Outcome::Unmergeable
        )
    }

    fn verb(self, dry_run: bool) -> &'static str {
        match (self, dry_run) {
            (Outcome::Updated, false) => "updated from Intercom",
            (Outcome::Updated, true) => "would update from Intercom",
            (Outcome::Merged, false) => "merged",
            (Outcome::Merged, true) => "would merge",
            (Outcome::Conflicted, false) => "conflict",
            (Outcome::Conflicted, true) => "would conflict",
            (Outcome::Added, false) => "added",
            (Outcome::Added, true) => "would add",
            (Outcome::Removed, false) => "removed",
            (Outcome::Removed, true) => "would remove",
            (Outcome::Moved, false) => "moved",
            (Outcome::Moved, true) => "would move",
            (Outcome::Restored, false) => "restored",
            (Outcome::Restored, true) => "would restore",
            (Outcome::KeptDeleted, _) => "kept",
            (Outcome::Resolved, false) => "resolved",
            (Outcome::Resolved, true) => "would record as resolved",
            (Outcome::Unresolved, _) => "unresolved",
            (Outcome::Unmergeable, _) => "not merged",
            (Outcome::Stale, _) => "skipped",
        }
    }
}

/// A conflict left in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictReport {
    /// The 1-based line of its `<<<<<<< local` marker.
    pub line: usize,
}

/// One file the merge changed or left for a writer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    /// Its path relative to the tree's root after the merge (`/`-separated).
    pub path: String,
    /// What happened.
    pub outcome: Outcome,
    /// Where it was, when it moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<String>,
    /// `article`, `collection`, `section` or `help_center`.
    pub kind: String,
    /// The API id of what it describes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its locale.
    pub locale: String,
    /// The conflicts left in it (their lines).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<ConflictReport>,
    /// The front matter keys in conflict.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicting_keys: Vec<String>,
    /// Why, where it needs a word.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A dry run's unified diff of the file, before and after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

impl FileReport {
    /// One line for people: `en/x.md: merged`.
    pub fn line(&self, dry_run: bool) -> String {
        let mut line = format!("{}: {}", self.path, self.outcome.verb(dry_run));
        if let Some(from) = &self.moved_from {
            line.push_str(&format!(" (moved from {from})"));
        }
        if !self.conflicts.is_empty() {
            let lines: Vec<String> = self.conflicts.iter().map(|c| c.line.to_string()).collect();
            let what = if self.conflicting_keys.is_empty() {
                String::new()
            } else {
                format!("; front matter: {}", self.conflicting_keys.join(", "))
            };
            line.push_str(&format!(
                " at line{} {}{what}",
                if lines.len() == 1 { "" } else { "s" },
                lines.join(", ")
            ));
        }
        if let Some(detail) = &self.detail {
            line.push_str(&format!(": {detail}"));
        }
        line
    }
}

/// The result of a merge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergeReport {
    /// The tree merged into.
    pub content: PathBuf,
    /// The snapshot merged from.
    pub snapshot: PathBuf,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Files that took Intercom's version.
    pub updated: usize,
    /// Files merged cleanly from both sides.
    pub merged: usize,
    /// Files left with conflicts (markers, or a deletion against an edit) to resolve.
    pub conflicts: usize,
    /// New files.
    pub added: usize,
    /// Removed files.
    pub removed: usize,
    /// Files moved (also counted above when their contents changed).
    pub moved: usize,
    /// Files deleted here and restored with Intercom's newer edit.
    pub restored: usize,
    /// Earlier conflicts now resolved (their base moved on).
    pub resolved: usize,
    /// Files left alone because the snapshot is older than the tree.
    pub stale: usize,
    /// Files edited here only: kept as they are.
    pub kept: usize,
    /// Every file changed or left for a writer, sorted by path.
    pub files: Vec<FileReport>,
    /// What a writer should know (stale snapshot, ...).
    pub warnings: Vec<String>,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
}

impl MergeReport {
    /// An empty report.
    pub fn new(content: PathBuf, snapshot: PathBuf, dry_run: bool) -> MergeReport {
        MergeReport {
            content,
            snapshot,
            dry_run,
            updated: 0,
            merged: 0,
            conflicts: 0,
            added: 0,
            removed: 0,
            moved: 0,
            restored: 0,
            resolved: 0,
            stale: 0,
            kept: 0,
            files: Vec::new(),
            warnings: Vec::new(),
            duration_ms: 0,
        }
    }

    /// Adds a file's entry and counts it.
    pub fn add(&mut self, entry: FileReport) {
        match entry.outcome {
            Outcome::Updated => self.updated += 1,
            Outcome::Merged => self.merged += 1,
            Outcome::Added => self.added += 1,
            Outcome::Removed => self.removed += 1,
            Outcome::Moved => {}
            Outcome::Restored => self.restored += 1,
            Outcome::Resolved => self.resolved += 1,
            Outcome::Stale => self.stale += 1,
            outcome if outcome.is_conflict() => self.conflicts += 1,
            _ => {}
        }
        if entry.moved_from.is_some() {
            self.moved += 1;
        }
        self.files.push(entry);
    }

    /// The exit code: [`exit::CONFLICT`] while conflicts are left to resolve.
    pub fn exit_code(&self) -> i32 {
        if self.conflicts > 0 {
            exit::CONFLICT
        } else {
            exit::OK
        }
    }

    /// `merged snapshot into content: 2 updated, 1 merged, 1 conflict, 1 added, 0 removed, 0
    /// moved (5 with local edits kept) in 0.3 s`
    pub fn summary_line(&self) -> String {
        let verb = if self.dry_run {
            "would merge"
        } else {
            "merged"
        };
        let mut extra: Vec<String> = Vec::new();
        for (n, what) in [
            (self.restored, "restored"),
            (self.resolved, "resolved"),
            (self.stale, "skipped (snapshot older than the tree)"),
        ] {
            if n > 0 {
                extra.push(format!("{n} {what}"));
            }
        }
        let extra = extra.iter().map(|e| format!(", {e}")).collect::<String>();
        format!(
            "{verb} {} into {}: {} updated, {} merged, {} conflict{}, {} added, {} removed, {} \
             moved{extra} ({} with local edits kept) in {:.1} s",
            self.snapshot.display(),
            self.content.display(),
            self.updated,
            self.merged,
            self.conflicts,
            if self.conflicts == 1 { "" } else { "s" },
            self.added,
            self.removed,
            self.moved,
            self.kept,
            self.duration_ms as f64 / 1000.0
        )
    }

    /// What to do next, when conflicts are left.
    pub fn next_step(&self) -> Option<String> {
        (self.conflicts > 0).then(|| {
            "resolve each conflict (keep one side or combine them, and delete the `<<<<<<< \
             local`, `=======` and `>>>>>>> intercom` lines; `helpcenter build --from markdown` \
             shows them), then run `helpcenter merge` again to record the resolution, and \
             `helpcenter push`"
                .to_string()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_counts() {
        let mut report = MergeReport::new("content".into(), "snapshot".into(), false);
        let file = |path: &str, outcome| FileReport {
            path: path.into(),
            outcome,
            moved_from: None,
            kind: "article".into(),
            id: Some("1".into()),
            locale: "en".into(),
            conflicts: Vec::new(),
            conflicting_keys: Vec::new(),
            detail: None,
            diff: None,
        };
        let mut conflict = file("en/1-a.md", Outcome::Conflicted);
        conflict.conflicts = vec![ConflictReport { line: 3 }, ConflictReport { line: 12 }];
        conflict.conflicting_keys = vec!["title".into()];
        report.add(conflict);
        let mut moved = file("en/b/1-a.md", Outcome::Moved);
        moved.moved_from = Some("en/a/1-a.md".into());
        report.add(moved);
        report.add(file("en/2-b.md", Outcome::Updated));
        report.kept = 4;
        report.duration_ms = 250;
        assert_eq!(report.exit_code(), exit::CONFLICT);
        assert_eq!(
            report.summary_line(),
            "merged snapshot into content: 1 updated, 0 merged, 1 conflict, 0 added, 0 removed, \
             1 moved (4 with local edits kept) in 0.2 s"
        );
        assert_eq!(
            report.files[0].line(false),
            "en/1-a.md: conflict at lines 3, 12; front matter: title"
        );
        assert_eq!(
            report.files[1].line(true),
            "en/b/1-a.md: would move (moved from en/a/1-a.md)"
        );
        assert!(report
            .next_step()
            .unwrap()
            .contains("run `helpcenter merge` again"));
    }
}
