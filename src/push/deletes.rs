//! Deleted article files. Intercom cannot delete one translation, so an article is deleted
//! (`DELETE /articles/{id}`) only when every exported locale file of it was deleted and the
//! push was asked to delete ([`PushOptions::delete`]); otherwise deletions are reported only.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::Value;

use super::journal::PushJournal;
use super::payload;
use super::report::{FileReport, Outcome, PushReport};
use super::PushOptions;
use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::tree::{BaseRecord, FileKind};

/// An article whose every locale file was deleted.
#[derive(Debug, Clone)]
pub struct ArticleDelete {
    /// The article's API id.
    pub id: String,
    /// Its deleted files with their locale and the remote `updated_at` at export.
    pub files: Vec<(String, String, Option<i64>)>,
}

/// Splits the deleted files into whole articles to delete and reports for the rest.
pub fn plan(
    base: &BaseRecord,
    deleted: &[&String],
    delete: bool,
) -> (Vec<ArticleDelete>, Vec<FileReport>) {
    let mut by_article: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
    let mut reports = Vec::new();
    for path in deleted {
        let entry = &base.files[*path];
        match (&entry.kind, &entry.id) {
            (FileKind::Article, Some(id)) => by_article.entry(id).or_default().push(path),
            _ => reports.push(not_pushed(
                path,
                "deleted locally; groups are never deleted",
            )),
        }
    }
    let mut deletes = Vec::new();
    for (id, paths) in by_article {
        let all = base
            .files
            .values()
            .filter(|e| e.kind == FileKind::Article && e.id.as_deref() == Some(id))
            .count();
        if !delete || paths.len() < all {
            let why = if paths.len() < all {
                "deleted locally; Intercom cannot delete one translation, so nothing is deleted"
            } else {
                "deleted locally; push with delete to delete the article in Intercom"
            };
            reports.extend(paths.iter().map(|p| not_pushed(p, why)));
            continue;
        }
        let files = paths
            .iter()
            .map(|p| {
                let entry = &base.files[*p];
                (
                    (*p).clone(),
                    entry.locale.as_str().to_string(),
                    entry.updated_at,
                )
            })
            .collect();
        deletes.push(ArticleDelete {
            id: id.to_string(),
            files,
        });
    }
    (deletes, reports)
}

fn not_pushed(path: &str, why: &str) -> FileReport {
    FileReport::new(path, Outcome::NotPushed).with_detail(why)
}

/// Deletes one article unless a locale of it changed remotely since the export.
pub async fn delete_article(
    client: &Client,
    options: &PushOptions,
    article: &ArticleDelete,
    journal: &PushJournal,
    report: &mut PushReport,
) -> Result<()> {
    let path = format!("/articles/{}", article.id);
    let remote: Option<Value> = match client.get_json(&path, &[]).await {
        Ok(remote) => Some(remote),
        Err(Error::Api(message)) if message.contains("404") => None,
        Err(Error::Auth(message)) => return Err(Error::Auth(message)),
        Err(e) => {
            add_all(article, Outcome::Failed, Some(e.to_string()), report);
            return Ok(());
        }
    };
    let Some(remote) = remote else {
        if !options.dry_run {
            forget(journal, None, article).await?;
        }
        add_all(
            article,
            outcome(options),
            Some("already gone".into()),
            report,
        );
        return Ok(());
    };
    if !options.force && changed_remotely(article, &remote) {
        let why = "changed in Intercom since the export; not deleted";
        add_all(article, Outcome::Conflict, Some(why.into()), report);
        return Ok(());
    }
    if options.dry_run {
        add_all(article, Outcome::WouldDelete, None, report);
        return Ok(());
    }
    match client
        .send_json::<Value>(Method::DELETE, &path, &Value::Null)
        .await
    {
        Ok(_) => {
            forget(journal, Some(&format!("DELETE {path}")), article).await?;
            add_all(article, Outcome::Deleted, None, report);
        }
        Err(Error::Auth(message)) => return Err(Error::Auth(message)),
        Err(e) => add_all(article, Outcome::Failed, Some(e.to_string()), report),
    }
    Ok(())
}

fn outcome(options: &PushOptions) -> Outcome {
    if options.dry_run {
        Outcome::WouldDelete
    } else {
        Outcome::Deleted
    }
}

fn changed_remotely(article: &ArticleDelete, remote: &Value) -> bool {
    article.files.iter().any(|(_, locale, then)| {
        let now = payload::remote_locale(remote, locale).and_then(payload::updated_at);
        matches!((now, then), (Some(now), Some(then)) if now > *then)
    })
}

/// Removes the article's files from the base record, after `request` (none: it was gone).
async fn forget(
    journal: &PushJournal,
    request: Option<&str>,
    article: &ArticleDelete,
) -> Result<()> {
    journal
        .update(request, |_, edit| {
            edit.remove = article
                .files
                .iter()
                .map(|(path, _, _)| path.clone())
                .collect();
            Ok(())
        })
        .await
}

fn add_all(
    article: &ArticleDelete,
    outcome: Outcome,
    detail: Option<String>,
    report: &mut PushReport,
) {
    for (path, locale, then) in &article.files {
        let mut entry = FileReport::new(path, outcome);
        entry.article_id = Some(article.id.clone());
        entry.locale = Some(locale.clone());
        entry.base_updated_at = *then;
        entry.detail = detail.clone();
        report.add(entry);
    }
}
