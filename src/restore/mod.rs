//! `helpcenter restore`: puts a backup into a workspace, the same one after a disaster or an
//! empty one when moving.
//!
//! Help centers cannot be created through the API, so every help center of the backup maps to
//! one target help center. Then, in three passes:
//!
//! 1. collections (and 2.9 sections), parents first, each with all its translations;
//! 2. articles, each with every locale's content and state in one `POST`;
//! 3. links: bodies that link to restored articles or collections are sent again (`PUT`) with
//!    the links pointing at the new URLs Intercom answered.
//!
//! Progress (old id to new id, new URLs, links done) is saved in a state file after every
//! write, so a rerun skips what is done. The one window is between Intercom acting on a
//! `POST` and the state recording its answer (a crash, or an answer lost on the way back):
//! before every create the state marks it pending, and a rerun that finds a pending create
//! first looks in Intercom for an object with the same title (or name) under the same parent
//! that no other entry claims, and adopts it instead of creating it again.

mod checks;
mod links;
mod payload;
mod state;

pub use links::{page_link, rewrite_links, PageKind, PageLink};
pub use state::{default_path as default_state_path, Created, Event, Kind, RestoreState, Target};

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use crate::archive::Backup;
use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::journal::{self, run_writes, Expected, Journal};
use crate::model::id_cmp;
use crate::output::{Progress, Ui};
use crate::snapshot::{checked_id, id_field, ObjectKind, Snapshot, StoredObject, MANIFEST_FILE};
use crate::verify::{self, VerifiedObjects};
use checks::{check_authors, check_state, refuse_nonempty, target_help_center};
use payload::{article_body, created_from, group_body, locales, relink_body, urls_of};

/// What `restore` is asked to do.
#[derive(Debug, Clone)]
pub struct RestoreOptions {
    /// A snapshot folder or an archive.
    pub backup: PathBuf,
    /// The target help center; default: the workspace's only one.
    pub help_center: Option<String>,
    /// The author of every restored article (default: each article's author in the backup).
    pub author_id: Option<String>,
    /// The progress file; default: beside the backup ([`default_state_path`]).
    pub state: Option<PathBuf>,
    /// Print what would be created; write nothing.
    pub dry_run: bool,
    /// Restore even though the workspace already holds articles.
    pub into_nonempty: bool,
}

/// What a restore did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RestoreReport {
    /// The backup restored.
    pub backup: String,
    /// The target help center.
    pub help_center: String,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Collections (and sections) created by this run.
    pub collections_created: usize,
    /// Articles created by this run.
    pub articles_created: usize,
    /// Objects a previous run had created but not recorded, found in Intercom and adopted.
    pub adopted: usize,
    /// Objects skipped because a previous run had restored them.
    pub already_restored: usize,
    /// Articles sent again with their links rewritten.
    pub articles_relinked: usize,
    /// Links pointed at new URLs.
    pub links_rewritten: usize,
    /// Collections and articles in the backup.
    pub backup_collections: usize,
    /// Articles in the backup.
    pub backup_articles: usize,
    /// The progress file (none with `--dry-run`).
    pub state_file: Option<PathBuf>,
    /// One line per create or update, with `--dry-run` what would be done.
    pub actions: Vec<String>,
    /// Wall time.
    pub duration_ms: u64,
}

impl RestoreReport {
    /// The one-line summary.
    pub fn summary_line(&self) -> String {
        if self.dry_run {
            return format!(
                "would create {} collections and {} articles in help center {} and rewrite \
                 links in {} articles ({} already restored; nothing was written)",
                self.collections_created,
                self.articles_created,
                self.help_center,
                self.articles_relinked,
                self.already_restored
            );
        }
        format!(
            "restored {} collections and {} articles into help center {} ({} already \
             restored, {} adopted), rewrote {} links in {} articles in {:.1} s",
            self.collections_created,
            self.articles_created,
            self.help_center,
            self.already_restored,
            self.adopted,
            self.links_rewritten,
            self.articles_relinked,
            self.duration_ms as f64 / 1000.0
        )
    }
}

/// The backup's content, read once.
struct Content {
    groups: Vec<Group>,
    articles: Vec<StoredObject>,
    /// Hosts of the old help center(s), for recognising links to its pages.
    hosts: BTreeSet<String>,
    /// `pulled_at` and manifest checksum: identifies the backup in the state file.
    fingerprint: String,
}

/// A collection or section of the backup, in creation order.
struct Group {
    kind: Kind,
    object: StoredObject,
    /// The old id of its parent collection (sections' parents are collections too).
    parent: Option<String>,
    /// How many collections are above it: a level is created once the one above exists.
    depth: usize,
}

/// Restores the backup (see the module documentation).
pub async fn restore(client: &Client, options: &RestoreOptions, ui: &Ui) -> Result<RestoreReport> {
    let started = Instant::now();
    if client.options().version.has_sections() {
        return Err(Error::usage(
            "restore creates nested collections, which API 2.9 does not have: use \
             --api-version 2.10 or later",
        ));
    }
    let backup = Backup::open(&options.backup)?;
    let (snapshot, objects) = verified_snapshot(&backup, options)?;
    let content = read_content(&snapshot, objects)?;
    check_authors(&content.articles, options.author_id.as_deref())?;
    let help_center = target_help_center(client, options.help_center.as_deref()).await?;
    let (state_path, state) = start_state(client, options, &content, &help_center).await?;
    let journal = match options.dry_run {
        true => None,
        false => Some(state::start(&state_path, &state)?),
    };
    let run = Run {
        client,
        options,
        ui,
        state_path,
        journal,
        content: &content,
        report: Mutex::new(RestoreReport {
            backup: options.backup.display().to_string(),
            help_center: help_center.clone(),
            dry_run: options.dry_run,
            backup_collections: content.groups.len(),
            backup_articles: content.articles.len(),
            ..RestoreReport::default()
        }),
        state: Mutex::new(state),
        help_center,
    };
    run.report().already_restored = run.already_restored();
    if !options.dry_run {
        run.report().state_file = Some(run.state_path.clone());
        run.resolve_pending().await?;
    }
    run.create_groups().await?;
    run.create_articles().await?;
    run.rewrite_all_links().await?;
    let mut report = run.report.into_inner().unwrap_or_else(|e| e.into_inner());
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// The backup's snapshot and the objects verification parsed, refused when `verify` finds it
/// damaged.
fn verified_snapshot(
    backup: &Backup,
    options: &RestoreOptions,
) -> Result<(Snapshot, VerifiedObjects)> {
    let snapshot = verify::open_snapshot(backup)?;
    let label = options.backup.display().to_string();
    let (verified, objects) = verify::verify_and_read(&snapshot, &label);
    if let Some(first) = verified.problems.first() {
        let n = verified.problems.len();
        return Err(Error::data(format!(
            "{label} is damaged ({n} problem{}, first {}: {}); run `helpcenter verify {label}` \
             and restore from a sound backup",
            if n == 1 { "" } else { "s" },
            first.file,
            first.problem
        )));
    }
    Ok((snapshot, objects))
}

/// The state file's path and the state to continue (or a fresh one); a fresh restore into a
/// workspace that holds articles is refused here, unless `--into-nonempty`.
async fn start_state(
    client: &Client,
    options: &RestoreOptions,
    content: &Content,
    help_center: &str,
) -> Result<(PathBuf, RestoreState)> {
    let target = Target {
        base_url: client.options().endpoint.base_url.clone(),
        help_center: help_center.to_string(),
    };
    let path = options
        .state
        .clone()
        .unwrap_or_else(|| default_state_path(&options.backup));
    let state = match state::load(&path)? {
        Some(state) => check_state(state, &path, content, &target)?,
        None => RestoreState::new(content.fingerprint.clone(), target),
    };
    // A continued restore (something created, or a create in flight) finds its own articles.
    let continued = state.has_created() || !state.pending.is_empty();
    if !continued && !options.into_nonempty {
        refuse_nonempty(client).await?;
    }
    Ok((path, state))
}

/// Collections, sections and articles, and the old help center's hosts, from the objects
/// verification parsed (a sound snapshot's every object: nothing is read again).
fn read_content(snapshot: &Snapshot, mut objects: VerifiedObjects) -> Result<Content> {
    let mut take = |kind: ObjectKind| -> Result<Vec<StoredObject>> {
        let list = objects.remove(&kind).unwrap_or_default();
        for object in &list {
            checked_id(&object.id).map_err(|why| {
                let manifest = snapshot.dir.join(MANIFEST_FILE);
                Error::data(format!("{}: {why}", manifest.display()))
            })?;
        }
        Ok(list)
    };
    let collections = take(ObjectKind::Collection)?;
    let sections = take(ObjectKind::Section)?;
    let articles = take(ObjectKind::Article)?;
    let help_centers = take(ObjectKind::HelpCenter)?;
    let mut hosts = BTreeSet::new();
    for object in help_centers.iter() {
        for field in ["url", "custom_domain"] {
            if let Some(host) = object
                .value
                .get(field)
                .and_then(Value::as_str)
                .and_then(links::host_of)
            {
                hosts.insert(host);
            }
        }
    }
    for object in collections.iter().chain(&sections).chain(&articles) {
        for url in urls_of(&object.value).into_values() {
            hosts.extend(links::host_of(&url));
        }
    }
    Ok(Content {
        groups: ordered_groups(collections, sections),
        articles,
        hosts,
        fingerprint: format!(
            "{} sha256:{}",
            snapshot.manifest.pulled_at,
            snapshot.manifest_sha256()
        ),
    })
}

/// Collections and sections, every parent before its children, then by id.
fn ordered_groups(collections: Vec<StoredObject>, sections: Vec<StoredObject>) -> Vec<Group> {
    let parents: BTreeMap<String, Option<String>> = collections
        .iter()
        .map(|c| (c.id.clone(), id_field(&c.value, "parent_id")))
        .collect();
    let depth = |id: &str| {
        let mut depth = 0;
        let mut current = parents.get(id).cloned().flatten();
        while let Some(parent) = current {
            depth += 1;
            if depth > parents.len() {
                break; // a cycle: verify reports broken trees; do not loop forever
            }
            current = parents.get(&parent).cloned().flatten();
        }
        depth
    };
    let mut groups: Vec<Group> = Vec::new();
    for object in collections {
        let parent = id_field(&object.value, "parent_id");
        groups.push(Group {
            kind: Kind::Collection,
            depth: depth(&object.id),
            object,
            parent,
        });
    }
    for object in sections {
        let parent = id_field(&object.value, "parent_id");
        groups.push(Group {
            kind: Kind::Section,
            depth: parent.as_ref().map_or(0, |p| depth(p) + 1),
            object,
            parent,
        });
    }
    groups.sort_by(|a, b| {
        a.depth
            .cmp(&b.depth)
            .then((a.kind == Kind::Section).cmp(&(b.kind == Kind::Section)))
            .then_with(|| id_cmp(&a.object.id, &b.object.id))
    });
    groups
}

/// Creates that a rerun could not tell apart (same title or name under the same parent) are
/// never in flight together: one lock per look, so a pending create is adopted as the right
/// object (see `resolve_pending`). Anything else runs side by side.
struct Lookalikes(HashMap<String, tokio::sync::Mutex<()>>);

impl Lookalikes {
    fn new(looks: impl Iterator<Item = String>) -> Lookalikes {
        Lookalikes(
            looks
                .map(|look| (look, tokio::sync::Mutex::new(())))
                .collect(),
        )
    }

    async fn lock(&self, look: &str) -> tokio::sync::MutexGuard<'_, ()> {
        self.0[look].lock().await
    }
}

/// How a collection's create looks in Intercom: its name under its parent.
fn group_look(group: &Group) -> String {
    let name = id_field(&group.object.value, "name").unwrap_or_default();
    format!(
        "collection\0{name}\0{}",
        group.parent.as_deref().unwrap_or("")
    )
}

/// How an article's create looks in Intercom: its title under its parent.
fn article_look(article: &Value) -> String {
    let field = |name| id_field(article, name).unwrap_or_default();
    let (title, kind, parent) = (field("title"), field("parent_type"), field("parent_id"));
    format!("article\0{title}\0{kind}\0{parent}")
}

/// One restore in progress. Its writes run `--concurrency` at a time, so the state and the
/// report sit behind locks, each held only for a moment, never across a request.
struct Run<'a> {
    client: &'a Client,
    options: &'a RestoreOptions,
    ui: &'a Ui,
    state_path: PathBuf,
    /// The state file (none in a dry run).
    journal: Option<Journal>,
    content: &'a Content,
    help_center: String,
    state: Mutex<RestoreState>,
    report: Mutex<RestoreReport>,
}

/// A lock whose holder panicked still guards consistent data: every change is one call.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Run<'_> {
    fn state(&self) -> MutexGuard<'_, RestoreState> {
        lock(&self.state)
    }

    fn report(&self) -> MutexGuard<'_, RestoreReport> {
        lock(&self.report)
    }

    /// Requests in flight at once: `--concurrency`, but one in a dry run, whose list of what
    /// it would do is then in order.
    fn limit(&self) -> usize {
        match self.options.dry_run {
            true => 1,
            false => self.client.options().concurrency,
        }
    }

    /// Objects of the backup a previous run created and recorded.
    fn already_restored(&self) -> usize {
        let state = self.state();
        let groups = self.content.groups.iter();
        let groups = groups.filter(|g| state.created(g.kind).contains_key(&g.object.id));
        let articles = self.content.articles.iter();
        let articles = articles.filter(|a| state.articles.contains_key(&a.id));
        groups.count() + articles.count()
    }

    /// The items of a pass over `all` that `done` does not find in the state, and the pass's
    /// progress, which counts the others as done already.
    fn pass<'c, T>(
        &self,
        label: &str,
        all: &'c [T],
        done: impl Fn(&RestoreState, &T) -> bool,
    ) -> (Vec<&'c T>, Progress) {
        let todo: Vec<&T> = {
            let state = self.state();
            all.iter().filter(|item| !done(&state, item)).collect()
        };
        let progress = self.ui.progress(label, all.len() as u64);
        progress.skip((all.len() - todo.len()) as u64);
        (todo, progress)
    }

    /// Writes a change to disk, then applies it to the state.
    async fn log(&self, event: Event) -> Result<()> {
        if let Some(journal) = &self.journal {
            journal.append(&event).await?;
        }
        self.state().apply(event);
        Ok(())
    }

    /// Pass 1: every collection and section, a level at a time (parents before children), each
    /// level `--concurrency` at a time.
    async fn create_groups(&self) -> Result<()> {
        let (todo, progress) = self.pass("restoring collections", &self.content.groups, |s, x| {
            s.created(x.kind).contains_key(&x.object.id)
        });
        let lookalikes = Lookalikes::new(todo.iter().map(|g| group_look(g)));
        let (lookalikes, progress) = (&lookalikes, &progress);
        for level in todo.chunk_by(|a, b| a.depth == b.depth) {
            run_writes(self.limit(), level.to_vec(), |group| async move {
                let _alone = lookalikes.lock(&group_look(group)).await;
                self.create_group(group).await?;
                progress.step();
                Ok(())
            })
            .await?;
        }
        progress.finish();
        Ok(())
    }

    async fn create_group(&self, group: &Group) -> Result<()> {
        let old = &group.object.id;
        let parent = self.group_parent(&self.state(), group)?;
        let body = group_body(&group.object.value, parent.as_deref(), &self.help_center);
        let what = format!(
            "collection {old} {:?}{}",
            id_field(&group.object.value, "name").unwrap_or_default(),
            group
                .parent
                .as_ref()
                .map_or(String::new(), |p| format!(" in collection {p}"))
        );
        let path = "/help_center/collections";
        self.create(group.kind, old, path, body, what).await?;
        self.report().collections_created += 1;
        Ok(())
    }

    /// Pass 2: every article with all its locales, `--concurrency` at a time.
    async fn create_articles(&self) -> Result<()> {
        let (todo, progress) = self.pass("restoring articles", &self.content.articles, |s, x| {
            s.articles.contains_key(&x.id)
        });
        let lookalikes = Lookalikes::new(todo.iter().map(|a| article_look(&a.value)));
        let (lookalikes, progress) = (&lookalikes, &progress);
        run_writes(self.limit(), todo, |article| async move {
            let _alone = lookalikes.lock(&article_look(&article.value)).await;
            self.create_article(article).await?;
            progress.step();
            Ok(())
        })
        .await?;
        progress.finish();
        Ok(())
    }

    async fn create_article(&self, article: &StoredObject) -> Result<()> {
        let old = &article.id;
        let parent = self.article_parent(&self.state(), &article.value)?;
        warn_extra_parents(article);
        let body = article_body(
            &article.value,
            parent.as_deref(),
            self.options.author_id.as_deref(),
        );
        let count = locales(&article.value).len().max(1);
        let what = format!(
            "article {old} {:?} ({count} locale{}){}",
            id_field(&article.value, "title").unwrap_or_default(),
            if count == 1 { "" } else { "s" },
            id_field(&article.value, "parent_id")
                .map_or(String::new(), |p| format!(" in collection {p}"))
        );
        self.create(Kind::Article, old, "/articles", body, what)
            .await?;
        self.report().articles_created += 1;
        Ok(())
    }

    /// The new parent of an article: its collection, or its section (2.9), or none.
    fn article_parent(&self, state: &RestoreState, article: &Value) -> Result<Option<String>> {
        let Some(parent) = id_field(article, "parent_id") else {
            return Ok(None);
        };
        let kind = match article.get("parent_type").and_then(Value::as_str) {
            Some("section") => Kind::Section,
            _ => Kind::Collection,
        };
        self.new_id(state, kind, &parent, "parent").map(Some)
    }

    /// The new parent of a collection or section: its parent collection, or none.
    fn group_parent(&self, state: &RestoreState, group: &Group) -> Result<Option<String>> {
        let parent = group.parent.as_deref();
        parent
            .map(|old| self.new_id(state, Kind::Collection, old, "parent"))
            .transpose()
    }

    /// The new id of an object restored earlier (a placeholder in a dry run).
    fn new_id(&self, state: &RestoreState, kind: Kind, old: &str, role: &str) -> Result<String> {
        if let Some(created) = state.created(kind).get(old) {
            return Ok(created.id.clone());
        }
        if self.options.dry_run {
            return Ok(format!("new-{old}"));
        }
        Err(Error::data(format!(
            "the {role} {kind:?} {old} was not restored; the backup's tree is broken (run \
             `helpcenter verify`)"
        )))
    }

    /// Creates one object: marks it pending, sends the `POST`, records the answer.
    async fn create(
        &self,
        kind: Kind,
        old: &str,
        path: &str,
        body: Value,
        what: String,
    ) -> Result<()> {
        if self.options.dry_run {
            self.report().actions.push(format!("would create {what}"));
            return Ok(());
        }
        let pending = state::Pending {
            kind,
            old_id: old.to_string(),
        };
        self.log(Event::Pending(pending)).await?;
        let answer: Value = self
            .client
            .send_json(Method::POST, path, &body)
            .await
            .map_err(|e| continue_hint(e, &self.state_path))?;
        let created = created_from(&answer).ok_or_else(|| {
            Error::data(format!(
                "POST {path}: Intercom created {what} but answered no id; find it in Intercom \
                 before restoring again"
            ))
        })?;
        tracing::info!("created {what} as {}", created.id);
        self.report()
            .actions
            .push(format!("created {what} as {}", created.id));
        let old_id = old.to_string();
        self.log(Event::Created {
            kind,
            old_id,
            created,
        })
        .await
    }

    /// A previous run stopped with creates in flight: each is adopted if Intercom has it (the
    /// lists are read once); the others are cleared, to be created again.
    async fn resolve_pending(&self) -> Result<()> {
        let pending: Vec<state::Pending> = self.state().pending.iter().cloned().collect();
        let mut lists: HashMap<&'static str, Vec<Value>> = HashMap::new();
        for pending in pending {
            let Some(expected) = self.expected(&self.state(), &pending)? else {
                continue;
            };
            if !lists.contains_key(expected.list) {
                let objects = journal::list_objects(self.client, expected.list).await?;
                lists.insert(expected.list, objects);
            }
            let taken = self.state().new_ids(pending.kind);
            let found = journal::find_unclaimed(&lists[expected.list], &expected, &taken);
            let Some(created) = found.and_then(created_from) else {
                continue;
            };
            tracing::warn!(
                "{:?} {} was created by the interrupted run as {}; adopting it",
                pending.kind,
                pending.old_id,
                created.id
            );
            {
                let mut report = self.report();
                report.actions.push(format!(
                    "adopted {:?} {} created before the interruption as {}",
                    pending.kind, pending.old_id, created.id
                ));
                report.adopted += 1;
            }
            let (kind, old_id) = (pending.kind, pending.old_id);
            self.log(Event::Created {
                kind,
                old_id,
                created,
            })
            .await?;
        }
        let unresolved = !self.state().pending.is_empty();
        if unresolved {
            self.log(Event::Cleared).await?;
        }
        Ok(())
    }

    /// What the pending object looks like in Intercom: where it is listed, its title (or
    /// name) and its new parent. `None` when the backup has no such object.
    fn expected(&self, state: &RestoreState, pending: &state::Pending) -> Result<Option<Expected>> {
        if pending.kind == Kind::Article {
            let articles = &self.content.articles;
            let Some(article) = articles.iter().find(|a| a.id == pending.old_id) else {
                return Ok(None);
            };
            let parent = self.article_parent(state, &article.value)?;
            let title = id_field(&article.value, "title");
            return Ok(Some(Expected::article(title, parent)));
        }
        let groups = &self.content.groups;
        let found = groups
            .iter()
            .find(|g| g.kind == pending.kind && g.object.id == pending.old_id);
        let Some(group) = found else {
            return Ok(None);
        };
        let parent = self.group_parent(state, group)?;
        let name = id_field(&group.object.value, "name");
        Ok(Some(Expected::collection(name, parent)))
    }

    /// Pass 3, once every page exists: bodies that link to restored pages are sent again with
    /// the new URLs, `--concurrency` at a time.
    async fn rewrite_all_links(&self) -> Result<()> {
        let (todo, progress) = self.pass("rewriting links", &self.content.articles, |s, x| {
            s.links_done.contains(&x.id)
        });
        let progress = &progress;
        run_writes(self.limit(), todo, |article| async move {
            self.rewrite_links_of(article).await?;
            progress.step();
            Ok(())
        })
        .await?;
        progress.finish();
        Ok(())
    }

    async fn rewrite_links_of(&self, article: &StoredObject) -> Result<()> {
        let (changed, links) = self.relinked_locales(&self.state(), &article.value)?;
        if !changed.is_empty() {
            {
                let mut report = self.report();
                report.articles_relinked += 1;
                report.links_rewritten += links;
            }
            let what = format!(
                "links in article {} ({}: {links} link{})",
                article.id,
                changed
                    .iter()
                    .map(|(l, _)| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                if links == 1 { "" } else { "s" }
            );
            if self.options.dry_run {
                self.report().actions.push(format!("would rewrite {what}"));
                return Ok(());
            }
            let new_id = self.new_id(&self.state(), Kind::Article, &article.id, "article")?;
            let body = relink_body(&article.value, changed, self.options.author_id.as_deref());
            let path = format!("/articles/{new_id}");
            let _: Value = self.client.send_json(Method::PUT, &path, &body).await?;
            self.report().actions.push(format!("rewrote {what}"));
        }
        if !self.options.dry_run {
            self.log(Event::LinksDone(article.id.clone())).await?;
        }
        Ok(())
    }

    /// The locales whose body changes when links point at the new pages, with the new bodies,
    /// and the number of links changed.
    fn relinked_locales(
        &self,
        state: &RestoreState,
        article: &Value,
    ) -> Result<(Vec<(String, String)>, usize)> {
        let mut changed = Vec::new();
        let mut total = 0;
        let bodies: Vec<(String, String)> = if article
            .get("translated_content")
            .is_some_and(Value::is_object)
        {
            locales(article)
                .into_iter()
                .filter_map(|(l, c)| Some((l, c.get("body")?.as_str()?.to_string())))
                .collect()
        } else {
            let locale = id_field(article, "default_locale").unwrap_or_else(|| "en".into());
            id_field(article, "body")
                .map(|b| (locale, b))
                .into_iter()
                .collect()
        };
        for (locale, body) in bodies {
            let resolve = |link: &PageLink| self.resolve(state, link, &locale);
            let (new, count) = rewrite_links(&body, &self.content.hosts, &resolve)?;
            if count > 0 && new != body {
                total += count;
                changed.push((locale, new));
            }
        }
        Ok((changed, total))
    }

    /// The new URL of a linked page: in the link's locale, else the page's, else the default.
    fn resolve(&self, state: &RestoreState, link: &PageLink, page_locale: &str) -> Option<String> {
        let created = match link.kind {
            PageKind::Article => state.articles.get(&link.id),
            PageKind::Collection => state
                .collections
                .get(&link.id)
                .or_else(|| state.sections.get(&link.id)),
        };
        let Some(created) = created else {
            if self.options.dry_run && self.in_backup(link) {
                return Some(format!("https://restored.invalid/{}", link.id));
            }
            return None;
        };
        let wanted = link
            .locale
            .as_deref()
            .filter(|l| created.urls.contains_key(*l))
            .unwrap_or(page_locale);
        if let Some(url) = created.urls.get(wanted) {
            return Some(url.clone());
        }
        let any = created.urls.values().next()?;
        match link.kind {
            // A collection's URL names its locale; Intercom answers only the default one.
            PageKind::Collection => links::with_locale(any, wanted).or_else(|| Some(any.clone())),
            // An article missing in that locale: its page in the default locale.
            PageKind::Article => Some(any.clone()),
        }
    }

    fn in_backup(&self, link: &PageLink) -> bool {
        match link.kind {
            PageKind::Article => self.content.articles.iter().any(|a| a.id == link.id),
            PageKind::Collection => self.content.groups.iter().any(|g| g.object.id == link.id),
        }
    }
}

/// The API creates an article under one parent; the others of `parent_ids` are not restored.
fn warn_extra_parents(article: &StoredObject) {
    let parents = article.value.get("parent_ids").and_then(Value::as_array);
    if let Some(parents) = parents.filter(|p| p.len() > 1) {
        tracing::warn!(
            "{}: restored under its parent_id only, not under its other {} parents",
            article.path.display(),
            parents.len() - 1
        );
    }
}

/// Adds "run restore again" to a failed create: the state marks it pending.
fn continue_hint(error: Error, state_path: &std::path::Path) -> Error {
    match error {
        Error::Api(message) => Error::Api(format!(
            "{message}. Run the same restore again to continue: progress is in {}, and the \
             object being created is looked for in Intercom before it is created again",
            state_path.display()
        )),
        other => other,
    }
}
