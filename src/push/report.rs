//! What a push did (or, in a dry run, would do), file by file.

use std::path::PathBuf;

use serde::Serialize;

use crate::error::exit;

/// What happened to one changed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Written to Intercom, and its base updated.
    Updated,
    /// A new article created in Intercom; its id written back into the file and the base.
    Created,
    /// Dry run: a new article that would be created.
    WouldCreate,
    /// Dry run: would be written.
    WouldUpdate,
    /// The remote copy changed since the export; not written (see `--force`).
    Conflict,
    /// The write was refused or could not be made.
    Failed,
    /// A local change this version of push does not send (see the entry's `detail`).
    NotPushed,
    /// The article was deleted in Intercom (every locale file of it was deleted, with `delete`).
    Deleted,
    /// Dry run: the article would be deleted.
    WouldDelete,
    /// Intercom already holds what the file says (e.g. a push stopped between the write and
    /// the base update); nothing was sent and the base was brought up to date.
    InSync,
}

/// The exact change of one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDiff {
    /// The field (`title`, `description`, `body`, `author_id`, `state`).
    pub field: String,
    /// Its old value's lines as `-` lines and the new one's as `+` lines; for the body, a
    /// unified diff of the HTML.
    pub diff: String,
}

/// One changed file of the tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    /// Its path relative to the tree's root (`/`-separated).
    pub path: String,
    /// What happened.
    pub outcome: Outcome,
    /// The API id of the article, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article_id: Option<String>,
    /// The API id of the collection, for a collection's `_index.md`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection_id: Option<String>,
    /// The locale of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The fields that differ from the remote copy (`title`, `description`, `body`, `name`...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// The remote `updated_at` recorded at export (conflicts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_updated_at: Option<i64>,
    /// The remote `updated_at` now (conflicts), or after the write (updates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_updated_at: Option<i64>,
    /// A unified diff of the Markdown body, remote copy first, when the body differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// The exact change of every field that would be (or was) sent changed, in field order;
    /// the body's is a diff of its HTML, one line per top-level block.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_diffs: Vec<FieldDiff>,
    /// Why it failed or was not pushed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl FileReport {
    /// An entry with only a path and an outcome.
    pub fn new(path: impl Into<String>, outcome: Outcome) -> FileReport {
        FileReport {
            path: path.into(),
            outcome,
            article_id: None,
            collection_id: None,
            locale: None,
            fields: Vec::new(),
            base_updated_at: None,
            remote_updated_at: None,
            diff: None,
            field_diffs: Vec::new(),
            detail: None,
        }
    }

    /// The same entry with `detail` set.
    pub fn with_detail(mut self, detail: impl Into<String>) -> FileReport {
        self.detail = Some(detail.into());
        self
    }

    /// One line for humans: `en/x.md: conflict (...)`.
    pub fn line(&self) -> String {
        let what = match self.outcome {
            Outcome::Updated => "updated",
            Outcome::WouldUpdate => "would update",
            Outcome::Created => "created",
            Outcome::WouldCreate => "would create",
            Outcome::Conflict => "conflict",
            Outcome::Failed => "failed",
            Outcome::NotPushed => "not pushed",
            Outcome::InSync => "already in Intercom",
            Outcome::Deleted => "deleted in Intercom",
            Outcome::WouldDelete => "would delete in Intercom",
        };
        let mut line = format!("{}: {what}", self.path);
        if !self.fields.is_empty() {
            line.push_str(&format!(" [{}]", self.fields.join(", ")));
        }
        if self.outcome == Outcome::Conflict {
            line.push_str(&self.conflict_text());
        } else if let Some(detail) = &self.detail {
            line.push_str(&format!(": {detail}"));
        }
        line
    }

    /// Why a conflict is one and what to do: ` (fr): edited in Intercom on 2026-12-07 10:41
    /// UTC, after this file's export of 2024-05-27 06:53 UTC; nothing was overwritten: run ...`.
    fn conflict_text(&self) -> String {
        let locale = self
            .locale
            .as_deref()
            .map_or(String::new(), |l| format!(" ({l})"));
        let mut why: Vec<String> = self.detail.iter().cloned().collect();
        if let Some(now) = self.remote_updated_at {
            why.push(format!(
                "edited in Intercom on {}, after this file's export of {}",
                time_text(Some(now)),
                time_text(self.base_updated_at)
            ));
        }
        why.push(
            "nothing was overwritten: run `helpcenter pull && helpcenter merge` to bring \
             Intercom's edit into the tree, then push again (or --force to overwrite it)"
                .to_string(),
        );
        format!("{locale}: {}", why.join("; "))
    }
}

impl FileReport {
    /// What to print under [`FileReport::line`] for humans, indented: the Markdown diff of the
    /// body, then the exact change of every field sent.
    pub fn details(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let indented = |text: &str, lines: &mut Vec<String>| {
            lines.extend(text.lines().map(|line| format!("    {line}")));
        };
        if let Some(diff) = &self.diff {
            indented("body (Markdown):", &mut lines);
            indented(diff, &mut lines);
        }
        for change in &self.field_diffs {
            let heading = if change.field == "body" {
                "body as sent (HTML, a line per block):".to_string()
            } else {
                format!("{}:", change.field)
            };
            indented(&heading, &mut lines);
            indented(&change.diff, &mut lines);
        }
        lines
    }
}

/// A time as a date people read (`2026-12-07 10:41 UTC`).
fn time_text(time: Option<i64>) -> String {
    match time {
        Some(secs) => crate::tree::conflicts::utc_minutes(secs).unwrap_or_else(|| secs.to_string()),
        None => "an unknown time".to_string(),
    }
}

/// The result of a push.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PushReport {
    /// The tree pushed.
    pub content: PathBuf,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Files written (dry run: that would be written).
    pub updated: usize,
    /// New articles created (dry run: that would be), also counted in `updated`.
    pub created: usize,
    /// Exported files without local changes, and changed files Intercom already matches.
    pub skipped: usize,
    /// Locale files of articles deleted in Intercom (dry run: that would be).
    pub deleted: usize,
    /// Files not written because the remote copy is newer than the export.
    pub conflicts: usize,
    /// Files whose write failed.
    pub failed: usize,
    /// Local changes this version does not push (deleted files, help center `_index.md`...).
    pub not_pushed: usize,
    /// Every changed file, sorted by path.
    pub files: Vec<FileReport>,
    /// Wall time.
    pub duration_ms: u64,
}

impl PushReport {
    /// An empty report.
    pub fn new(content: PathBuf, dry_run: bool) -> PushReport {
        PushReport {
            content,
            dry_run,
            updated: 0,
            created: 0,
            skipped: 0,
            deleted: 0,
            conflicts: 0,
            failed: 0,
            not_pushed: 0,
            files: Vec::new(),
            duration_ms: 0,
        }
    }

    /// Adds a file's entry and counts it.
    pub fn add(&mut self, entry: FileReport) {
        match entry.outcome {
            Outcome::Updated | Outcome::WouldUpdate => self.updated += 1,
            Outcome::Created | Outcome::WouldCreate => {
                self.updated += 1;
                self.created += 1;
            }
            Outcome::Conflict => self.conflicts += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::NotPushed => self.not_pushed += 1,
            Outcome::InSync => self.skipped += 1,
            Outcome::Deleted | Outcome::WouldDelete => self.deleted += 1,
        }
        self.files.push(entry);
    }

    /// Sorts the entries by path (call once, at the end).
    pub fn finish(&mut self, duration_ms: u64) {
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        self.duration_ms = duration_ms;
    }

    /// The exit code the CLI should use: conflicts first, then failures.
    pub fn exit_code(&self) -> i32 {
        if self.conflicts > 0 {
            exit::CONFLICT
        } else if self.failed > 0 {
            exit::FAILURE
        } else {
            exit::OK
        }
    }

    /// One line: `pushed 2 files (0 created), 40 unchanged, 1 conflict, 0 failed, 0 not pushed`
    /// (`, 2 deleted` after `unchanged` when files were deleted remotely).
    pub fn summary_line(&self) -> String {
        let verb = if self.dry_run { "would push" } else { "pushed" };
        let deleted = if self.deleted > 0 {
            format!(", {} deleted", self.deleted)
        } else {
            String::new()
        };
        format!(
            "{verb} {} file{} ({} created), {} unchanged{deleted}, {} conflict{}, {} failed, {} \
             not pushed in {:.1} s",
            self.updated,
            plural(self.updated),
            self.created,
            self.skipped,
            self.conflicts,
            plural(self.conflicts),
            self.failed,
            self.not_pushed,
            self.duration_ms as f64 / 1000.0
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_lines() {
        let mut report = PushReport::new(PathBuf::from("content"), false);
        let mut conflict = FileReport::new("fr/1-a.md", Outcome::Conflict);
        conflict.locale = Some("fr".into());
        conflict.base_updated_at = Some(1_716_792_800);
        conflict.remote_updated_at = Some(1_796_647_610);
        report.add(conflict);
        let mut updated = FileReport::new("en/1-a.md", Outcome::Updated);
        updated.fields = vec!["body".into()];
        report.add(updated);
        report.skipped = 3;
        report.finish(1500);
        assert_eq!(report.exit_code(), exit::CONFLICT);
        assert_eq!(
            report.summary_line(),
            "pushed 1 file (0 created), 3 unchanged, 1 conflict, 0 failed, 0 not pushed in 1.5 s"
        );
        assert_eq!(report.files[0].line(), "en/1-a.md: updated [body]");
        let mut edited = FileReport::new("en/1-a.md", Outcome::WouldUpdate);
        edited.diff = Some("--- a\n+++ b\n@@ -1,1 +1,1 @@\n-x\n+y\n".into());
        edited.field_diffs = vec![FieldDiff {
            field: "title".into(),
            diff: "-Old\n+New\n".into(),
        }];
        assert_eq!(
            edited.details(),
            [
                "    body (Markdown):",
                "    --- a",
                "    +++ b",
                "    @@ -1,1 +1,1 @@",
                "    -x",
                "    +y",
                "    title:",
                "    -Old",
                "    +New"
            ]
        );
        assert_eq!(
            report.files[1].line(),
            "fr/1-a.md: conflict (fr): edited in Intercom on 2026-12-07 12:46 UTC, after this \
             file's export of 2024-05-27 06:53 UTC; nothing was overwritten: run `helpcenter \
             pull && helpcenter merge` to bring Intercom's edit into the tree, then push again \
             (or --force to overwrite it)"
        );
    }
}
