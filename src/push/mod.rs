//! `helpcenter push`: send the Markdown edits of an exported tree back to Intercom, safely.
//!
//! 1. The whole tree is loaded and checked ([`tree::load`]); with any problem, or any
//!    unresolved merge conflict in a selected file (see `tree::conflicts`), nothing is sent.
//! 2. Every file is compared with the base record written at export ([`tree::BaseRecord`]); only
//!    article files whose bytes changed are sent, all changed locales of one article in one
//!    `PUT /articles/{id}`, each as a whole `article_content`, other locales left out. An
//!    article without translations gets only its changed fields, at the top level. A body is
//!    the remote body with only the edited blocks changed (see `tree::bodies`), and an
//!    unedited one is sent as the remote body, byte for byte (see `payload.rs`).
//! 3. Before writing an article it is fetched again: a locale whose remote `updated_at` is newer
//!    than the base's is a conflict and is not written (unless `force`); the rest go on.
//!    Articles go `--concurrency` at a time.
//! 4. Every write is recorded in the push journal (`journal.rs`) before it is sent and when its
//!    answer arrives (with the body Intercom answered as the file's new body record), on disk
//!    before the push goes on; `base.json` is written from it when the push ends. A push
//!    killed anywhere is finished by the next one, which creates nothing twice, and a second
//!    push sends nothing.
//!
//! A collection's `_index.md` whose name or description changed is sent the same way with
//! `PUT /help_center/collections/{id}` (see `groups.rs`).
//!
//! A file whose content Intercom already holds (a push that stopped between a write and its
//! base update, or an edit made on both sides) is not written; its base is brought up to date.
//!
//! New content (see `create.rs`): a collection `_index.md` without `id` is created with
//! `POST /help_center/collections`, then an article file without `id` with `POST /articles`
//! under its folder's collection; each new id is recorded in the journal, then written back into
//! the file, so a second push creates nothing. A new file holding an exported article's `id` in a
//! locale it did not have is a new translation, sent with the article's `PUT` like an edit.
//!
//! A dry run fetches the articles and reports per file what would change (fields, a unified
//! diff of the Markdown body, and the exact change of every field sent), but writes nothing. Not pushed yet, and reported as
//! such: help center and (API 2.9) section `_index.md` changes, and deleted files unless
//! [`PushOptions::delete`] is set and every locale file of the article is gone (see
//! `deletes.rs`).

mod base;
mod create;
mod deletes;
pub(crate) mod diff;
mod groups;
mod journal;
pub(crate) mod payload;
mod plan;
mod report;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use reqwest::Method;
use serde_json::Value;

use crate::journal::run_writes;

pub use journal::{FORMAT as JOURNAL_FORMAT, JOURNAL_FILE};
pub use report::{FieldDiff, FileReport, Outcome, PushReport};

use crate::assets::LocalAssets;
use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::tree;
use journal::PushJournal;
use plan::{ArticleEdit, LocaleEdit, Selection};

/// What to push.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// The root of the Markdown tree (the folder holding `.helpcenter/base.json`).
    pub content: PathBuf,
    /// Limit the push to these files or folders (relative to the tree or the working
    /// directory, or absolute); empty means the whole tree.
    pub paths: Vec<PathBuf>,
    /// Report what would be sent; send nothing.
    pub dry_run: bool,
    /// Write even over remote edits made since the export.
    pub force: bool,
    /// Delete in Intercom the articles whose every locale file was deleted from the tree;
    /// without it deletions are only reported.
    pub delete: bool,
    /// The `author_id` of new articles whose front matter names none (`default_author_id`).
    pub default_author_id: Option<String>,
}

/// Pushes the local edits of the tree at `options.content`; see the module docs.
///
/// Errors (nothing written): no base record, a tree that does not load, a selection outside
/// the tree. Errors after writes began: a refused token, a base record that cannot be updated.
/// Other failures of one article are reported in [`PushReport::files`] and the push goes on.
pub async fn push(client: &Client, options: &PushOptions) -> Result<PushReport> {
    let started = Instant::now();
    let (journal, recovered) = PushJournal::open(client, &options.content, options.dry_run).await?;
    let pushed = push_tree(client, options, &journal, recovered).await;
    // The base record is written (and the journal closed) whatever happened.
    let finished = journal.finish().await;
    if let (Err(_), Err(e)) = (&pushed, &finished) {
        tracing::warn!("{e}; the next push finishes from the journal");
    }
    let mut report = pushed?;
    finished?;
    report.finish(started.elapsed().as_millis() as u64);
    Ok(report)
}

/// The push proper, on a tree whose journal holds nothing unfinished; `recovered` reports
/// what finishing it found.
async fn push_tree(
    client: &Client,
    options: &PushOptions,
    journal: &PushJournal,
    recovered: Vec<FileReport>,
) -> Result<PushReport> {
    let content = &options.content;
    let base = journal.base();
    let mut loaded = tree::load_with_new(content)?;
    create::default_authors(
        &mut loaded.new_articles,
        options.default_author_id.as_deref(),
    );
    let ws = &loaded.workspace;
    let selection = Selection::new(content, &options.paths)?;
    selection.check_matches(content, &base)?;
    refuse_conflicts(&loaded.conflicts, &selection)?;
    let creates: Vec<&tree::NewArticle> = (loaded.new_articles.iter())
        .filter(|a| selection.contains(&a.rel))
        .collect();
    let group_creates = selected_groups(&loaded.new_groups, &creates, &selection);
    create::check(&creates, &group_creates, &ws.default_locale)?;
    let changes = base.local_changes(content)?;
    let plan = plan::plan(
        content,
        &base,
        &changes,
        &loaded,
        &selection,
        options.delete,
    )?;
    // Read once by the load; push writes ids and the base record, never the asset record.
    let assets = &loaded.assets.local_assets(content);
    let mut report = PushReport::new(content.clone(), options.dry_run);
    report.skipped = plan.unchanged;
    for entry in recovered.into_iter().chain(plan.not_pushed) {
        report.add(entry);
    }
    // Articles go `--concurrency` at a time; each writes only its own files' base entries.
    let limit = client.options().concurrency;
    let articles: Vec<&ArticleEdit> = plan.articles.iter().collect();
    let parts = run_writes(limit, articles, |article| async move {
        let mut part = PushReport::new(content.clone(), options.dry_run);
        push_article(client, options, article, assets, journal, &mut part).await?;
        Ok(part.files)
    })
    .await?;
    for entry in parts.into_iter().flatten() {
        report.add(entry);
    }
    for group in &plan.groups {
        groups::push_group(client, options, group, journal, &mut report).await?;
    }
    let help_center = ws.help_centers.first().map(|h| h.id.as_str());
    let mut created: HashMap<&str, Option<String>> = HashMap::new();
    for group in &group_creates {
        let id =
            create::create_group(client, options, group, help_center, journal, &mut report).await?;
        created.insert(group.dir.as_str(), id);
    }
    let multilingual = ws.locales.len() > 1;
    for article in creates {
        let collection = match &article.parent {
            tree::NewParent::Collection(id) => Some(id.as_str()),
            tree::NewParent::NewCollection(dir) => {
                created.get(dir.as_str()).and_then(|id| id.as_deref())
            }
        };
        let place = create::Place {
            collection,
            multilingual,
            assets,
        };
        create::create_article(client, options, article, &place, journal, &mut report).await?;
    }
    for article in &plan.deletes {
        deletes::delete_article(client, options, article, journal, &mut report).await?;
    }
    Ok(report)
}

/// Nothing is sent while a selected file has unresolved merge conflicts: an error naming the
/// file and line of each.
fn refuse_conflicts(conflicts: &[tree::Conflict], selection: &Selection) -> Result<()> {
    let lines: Vec<String> = (conflicts.iter())
        .filter(|c| selection.contains(&c.rel))
        .map(|c| format!("{}:{}: unresolved merge conflict", c.path.display(), c.line))
        .collect();
    if lines.is_empty() {
        return Ok(());
    }
    Err(Error::Conflict(format!(
        "{}\nnothing was pushed: resolve each conflict (keep one side or combine them, and \
         delete the `<<<<<<< local`, `=======` and `>>>>>>> intercom` lines), run `helpcenter \
         merge` to record the resolution, then push again",
        lines.join("\n")
    )))
}

/// The new collections to create: those selected, and those holding a selected new article.
fn selected_groups<'a>(
    groups: &'a [tree::NewGroup],
    creates: &[&tree::NewArticle],
    selection: &Selection,
) -> Vec<&'a tree::NewGroup> {
    let needed = |g: &tree::NewGroup| {
        (creates.iter()).any(|a| a.parent == tree::NewParent::NewCollection(g.dir.clone()))
    };
    groups
        .iter()
        .filter(|g| selection.contains(&g.rel) || needed(g))
        .collect()
}

/// Why a changed file that Intercom already matches is not sent.
const IN_SYNC: &str = "Intercom already has this title, description, body, author and state; \
                       other front matter (weight, dates, place) is not pushed";

/// One locale's edit, checked against the remote copy.
struct Checked<'a> {
    edit: &'a LocaleEdit,
    sent: Value,
    entry: FileReport,
    /// The locale's remote body, if it has one.
    remote_body: Option<String>,
}

/// Checks one article against its remote copy and writes what is not in conflict.
async fn push_article(
    client: &Client,
    options: &PushOptions,
    article: &ArticleEdit,
    assets: &LocalAssets,
    journal: &PushJournal,
    report: &mut PushReport,
) -> Result<()> {
    let path = format!("/articles/{}", article.id);
    let remote: Value = match client.get_json(&path, &[]).await {
        Ok(remote) => remote,
        Err(Error::Auth(message)) => return Err(Error::Auth(message)),
        Err(e) => {
            fail_all(article.locales.iter(), &article.id, &e.to_string(), report);
            return Ok(());
        }
    };
    let multilingual = payload::is_multilingual(&remote);
    let mut to_send = Vec::new();
    let mut in_sync = Vec::new();
    for edit in &article.locales {
        let checked = check(&article.id, edit, &remote, assets, options.force);
        match checked.entry.outcome {
            Outcome::InSync if !options.dry_run => in_sync.push(checked),
            Outcome::WouldUpdate if !options.dry_run => to_send.push(checked),
            _ => report.add(checked.entry),
        }
    }
    record_in_sync(options, assets, in_sync, journal, report).await?;
    if to_send.is_empty() {
        return Ok(());
    }
    let article = Written {
        path: &path,
        multilingual,
        assets,
    };
    write_article(client, options, &article, to_send, journal, report).await
}

/// Compares one locale with the remote copy: a conflict, or what would be sent.
fn check<'a>(
    id: &str,
    edit: &'a LocaleEdit,
    remote: &Value,
    assets: &LocalAssets,
    force: bool,
) -> Checked<'a> {
    let locale = edit.locale.as_str();
    let remote_locale = payload::remote_locale(remote, locale);
    let remote_updated = remote_locale.and_then(payload::updated_at);
    let newer = match (remote_updated, edit.base_updated_at) {
        (Some(now), Some(then)) => now > then,
        _ => false,
    };
    // A new translation has no remote copy yet; an exported one without it was deleted there.
    let gone = remote_locale.is_none() && !edit.new_locale;
    // Spelled as the export wrote it: asset URLs as paths to the tree's copies.
    let remote_markdown = payload::remote_markdown(remote_locale, assets, &edit.path);
    // A new translation without `author_id` takes the article's (default locale's) author.
    let content = payload::article_content(edit, remote_locale, remote_locale.or(Some(remote)));
    let mut entry = FileReport::new(&edit.path, Outcome::WouldUpdate);
    entry.article_id = Some(id.to_string());
    entry.locale = Some(locale.to_string());
    entry.fields = payload::changed_fields(&content, remote_locale);
    entry.field_diffs = payload::field_diffs(&content, remote_locale, &entry.fields);
    entry.base_updated_at = edit.base_updated_at;
    entry.remote_updated_at = remote_updated;
    entry.diff = diff::unified(
        &remote_markdown,
        &edit.markdown,
        &format!("intercom/{}", edit.path),
        &edit.path,
    );
    if edit.new_locale && remote_locale.is_none() {
        entry.fields = payload::FIELDS.iter().map(|f| f.to_string()).collect();
        entry.detail = Some(format!("a new {locale} translation"));
    }
    if !gone && entry.fields.is_empty() {
        entry.outcome = Outcome::InSync;
        entry.detail = Some(IN_SYNC.to_string());
    } else if !force && (newer || gone) {
        entry.outcome = Outcome::Conflict;
        if gone {
            entry.detail = Some(format!(
                "the {locale} translation no longer exists in Intercom"
            ));
        }
    }
    if edit.new_locale && !payload::is_multilingual(remote) {
        // The one-language body sets top-level fields: it would overwrite the article itself.
        entry.outcome = Outcome::Failed;
        entry.detail = Some(format!(
            "Intercom holds this article without translations; a {locale} translation cannot \
             be added to it"
        ));
    }
    // Without translations, fields are set at the top level: only the changed ones are sent.
    let sent = if payload::is_multilingual(remote) {
        content
    } else {
        payload::only(&content, &entry.fields)
    };
    let remote_body = remote_locale
        .and_then(|r| r.get("body"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Checked {
        edit,
        sent,
        entry,
        remote_body,
    }
}

/// The article a `PUT` writes.
struct Written<'a> {
    path: &'a str,
    multilingual: bool,
    assets: &'a LocalAssets,
}

/// Sends one `PUT` for the checked locales and records each in the base record, with the body
/// Intercom answered as its new base; the journal holds what was sent before it goes, and the
/// answer once it is back.
async fn write_article(
    client: &Client,
    options: &PushOptions,
    article: &Written<'_>,
    to_send: Vec<Checked<'_>>,
    journal: &PushJournal,
    report: &mut PushReport,
) -> Result<()> {
    let locales = to_send
        .iter()
        .map(|c| (c.edit.locale.as_str().to_string(), c.sent.clone()))
        .collect();
    let body = payload::update_body(article.multilingual, locales);
    let request = format!("PUT {}", article.path);
    let sent = to_send.iter().map(|c| sent(c)).collect();
    journal.sending(&request, sent).await?;
    let answer: Value = match client.send_json(Method::PUT, article.path, &body).await {
        Ok(answer) => answer,
        Err(e) => {
            let message = e.to_string();
            journal.failed(&request, &message).await?;
            if let Error::Auth(_) = e {
                return Err(e);
            }
            for checked in to_send {
                report.add(failed(checked.entry, &message));
            }
            return Ok(());
        }
    };
    let mut records = Vec::new();
    let mut entries = Vec::new();
    for checked in to_send {
        let locale = checked.edit.locale.as_str();
        let now = payload::remote_locale(&answer, locale);
        let updated_at = now.and_then(payload::updated_at);
        let stored = now.and_then(|r| r.get("body")).and_then(Value::as_str);
        let stored = stored.unwrap_or(&checked.edit.content.body);
        let body = base::body_record(&options.content, stored, article.assets, &checked.edit.path)?;
        records.push(pushed(&checked.entry, checked.edit, updated_at, Some(body)));
        let mut entry = checked.entry;
        entry.outcome = Outcome::Updated;
        entry.remote_updated_at = updated_at;
        entries.push(entry);
    }
    journal.record(Some(&request), &records).await?;
    for entry in entries {
        report.add(entry);
    }
    Ok(())
}

/// Brings the base of files Intercom already matches up to date, without a write.
async fn record_in_sync(
    options: &PushOptions,
    assets: &LocalAssets,
    in_sync: Vec<Checked<'_>>,
    journal: &PushJournal,
    report: &mut PushReport,
) -> Result<()> {
    if in_sync.is_empty() {
        return Ok(());
    }
    let mut records = Vec::with_capacity(in_sync.len());
    for c in &in_sync {
        let body = match &c.remote_body {
            Some(html) => Some(base::body_record(
                &options.content,
                html,
                assets,
                &c.edit.path,
            )?),
            None => None,
        };
        records.push(pushed(&c.entry, c.edit, c.entry.remote_updated_at, body));
    }
    journal.record(None, &records).await?;
    for checked in in_sync {
        report.add(checked.entry);
    }
    Ok(())
}

/// What the journal keeps of one locale of a `PUT`: the base update should it land (its time
/// and body record are Intercom's), and a digest of the fields sent.
fn sent(checked: &Checked<'_>) -> journal::Sent {
    let fields = journal::fields_of(&checked.sent);
    journal::Sent {
        file: pushed(&checked.entry, checked.edit, None, None),
        locale: checked.edit.locale.as_str().to_string(),
        digest: journal::digest(&checked.sent, &fields),
        fields,
    }
}

/// The base record's update for one written (or in-sync) locale; `entry` names the article,
/// `body` the record of the body Intercom now holds.
fn pushed(
    entry: &FileReport,
    edit: &LocaleEdit,
    updated_at: Option<i64>,
    body: Option<String>,
) -> base::Pushed {
    base::Pushed {
        path: edit.path.clone(),
        updated_at,
        sha256: edit.sha256.clone(),
        bytes: edit.bytes,
        body,
        new: edit.new_locale.then(|| base::NewFile {
            kind: tree::FileKind::Article,
            id: entry.article_id.clone(),
            locale: edit.locale.clone(),
        }),
    }
}

fn failed(mut entry: FileReport, message: &str) -> FileReport {
    entry.outcome = Outcome::Failed;
    entry.detail = Some(message.to_string());
    entry
}

fn fail_all<'a>(
    edits: impl Iterator<Item = &'a LocaleEdit>,
    id: &str,
    message: &str,
    report: &mut PushReport,
) {
    for edit in edits {
        let mut entry = FileReport::new(&edit.path, Outcome::Failed).with_detail(message);
        entry.article_id = Some(id.to_string());
        entry.locale = Some(edit.locale.as_str().to_string());
        report.add(entry);
    }
}
