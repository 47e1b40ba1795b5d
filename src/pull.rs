//! `helpcenter pull`: fetch every help center, collection, section and article into a snapshot.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::assets::{self, AssetOptions, AssetReport, PreviousAssets};
use crate::error::{exit, Error, Result};
use crate::intercom::Client;
use crate::output::Ui;
use crate::snapshot::{ApiInfo, ObjectKind, SnapshotWriter};

/// What to pull and where to put it.
#[derive(Debug, Clone)]
pub struct PullOptions {
    /// The snapshot directory to create or replace.
    pub snapshot: PathBuf,
    /// Limit the pull to this help center and what lies under it.
    pub help_center: Option<String>,
    /// Also download the images and attachments bodies refer to (`--assets`).
    pub assets: Option<AssetOptions>,
}

/// What a pull fetched, for the summary line and `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct PullReport {
    /// The snapshot written.
    pub snapshot: PathBuf,
    /// Help centers written.
    pub help_centers: usize,
    /// Collections written.
    pub collections: usize,
    /// Sections written (API 2.9).
    pub sections: usize,
    /// Articles written.
    pub articles: usize,
    /// Locales with content, sorted.
    pub locales: Vec<String>,
    /// With `--assets`: what was downloaded, reused and what failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assets: Option<AssetReport>,
    /// Problems that did not stop the pull (assets that could not be stored).
    pub warnings: Vec<String>,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
}

impl PullReport {
    /// [`exit::INCOMPLETE`] when assets could not be stored (the snapshot is written, but it
    /// is not the complete backup that was asked for), else [`exit::OK`].
    pub fn exit_code(&self) -> i32 {
        match &self.assets {
            Some(assets) if assets.failed_count() > 0 => exit::INCOMPLETE,
            _ => exit::OK,
        }
    }

    /// The one-line human summary.
    pub fn summary_line(&self) -> String {
        let mut parts = vec![
            plural(self.help_centers, "help center", "help centers"),
            plural(self.collections, "collection", "collections"),
        ];
        if self.sections > 0 {
            parts.push(plural(self.sections, "section", "sections"));
        }
        parts.push(plural(self.articles, "article", "articles"));
        let assets = self
            .assets
            .as_ref()
            .map(|a| format!(" and {}", a.summary()))
            .unwrap_or_default();
        format!(
            "pulled {}{assets} in {} to {} in {:.1} s",
            parts.join(", "),
            plural(self.locales.len(), "locale", "locales"),
            self.snapshot.display(),
            self.duration_ms as f64 / 1000.0
        )
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The fields of an object that decide which help center it belongs to.
#[derive(Debug, Deserialize)]
struct Placement {
    id: IdValue,
    #[serde(default)]
    help_center_id: Option<IdValue>,
    #[serde(default)]
    parent_id: Option<IdValue>,
    #[serde(default)]
    parent_ids: Option<Vec<IdValue>>,
}

/// An id the API sends as a string in some places and as a number in others.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum IdValue {
    Text(String),
    Number(serde_json::Number),
}

impl IdValue {
    fn text(&self) -> String {
        match self {
            IdValue::Text(s) => s.clone(),
            IdValue::Number(n) => n.to_string(),
        }
    }
}

/// A raw object as received, with its placement parsed.
struct Fetched {
    kind: ObjectKind,
    raw: Box<RawValue>,
    place: Placement,
}

/// Runs a pull: fetch everything, then write the snapshot atomically.
pub async fn pull(client: &Client, options: &PullOptions, ui: &Ui) -> Result<PullReport> {
    let started = Instant::now();
    let fetched = fetch_everything(client, ui).await?;
    tracing::info!(
        "fetched {} objects in {:.2} s",
        fetched.len(),
        started.elapsed().as_secs_f64()
    );
    let kept = match &options.help_center {
        Some(id) => limit_to_help_center(fetched, id)?,
        None => fetched,
    };
    let writing = Instant::now();
    let (manifest, assets) = write_snapshot(client, options, &kept, ui).await?;
    tracing::info!(
        "wrote the snapshot in {:.2} s",
        writing.elapsed().as_secs_f64()
    );
    let count = |kind: ObjectKind| manifest.counts.get(kind.dir_name()).copied().unwrap_or(0);
    Ok(PullReport {
        snapshot: options.snapshot.clone(),
        help_centers: count(ObjectKind::HelpCenter),
        collections: count(ObjectKind::Collection),
        sections: count(ObjectKind::Section),
        articles: count(ObjectKind::Article),
        locales: manifest.locales.keys().cloned().collect(),
        warnings: assets
            .as_ref()
            .map(AssetReport::warnings)
            .unwrap_or_default(),
        assets,
        duration_ms: started.elapsed().as_millis() as u64,
    })
}

async fn fetch_everything(client: &Client, ui: &Ui) -> Result<Vec<Fetched>> {
    let version = client.options().version;
    let help_centers = fetch_kind(
        client,
        ui,
        ObjectKind::HelpCenter,
        "/help_center/help_centers",
    );
    let collections = fetch_kind(
        client,
        ui,
        ObjectKind::Collection,
        "/help_center/collections",
    );
    let sections = async {
        if version.has_sections() {
            fetch_kind(client, ui, ObjectKind::Section, "/help_center/sections").await
        } else {
            Ok(Vec::new())
        }
    };
    let articles = fetch_kind(client, ui, ObjectKind::Article, "/articles");
    let (help_centers, collections, sections, articles) =
        tokio::try_join!(help_centers, collections, sections, articles)?;
    Ok([help_centers, collections, sections, articles]
        .into_iter()
        .flatten()
        .collect())
}

async fn fetch_kind(
    client: &Client,
    ui: &Ui,
    kind: ObjectKind,
    path: &str,
) -> Result<Vec<Fetched>> {
    let bar: ProgressBar = ui.pages_bar(kind.dir_name());
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let items = client.list_all(path, &progress).await?;
    bar.finish_and_clear();
    items
        .into_iter()
        .map(|raw| {
            let place = serde_json::from_str::<Placement>(raw.get()).map_err(|e| {
                Error::Api(format!(
                    "malformed {} item in GET {path}: {e}",
                    kind.dir_name()
                ))
            })?;
            Ok(Fetched { kind, raw, place })
        })
        .collect()
}

/// Keeps one help center, the collections and sections under it, and the articles in those.
/// Articles without a parent belong to no help center and are left out.
fn limit_to_help_center(fetched: Vec<Fetched>, help_center: &str) -> Result<Vec<Fetched>> {
    let known: BTreeSet<String> = fetched
        .iter()
        .filter(|f| f.kind == ObjectKind::HelpCenter)
        .map(|f| f.place.id.text())
        .collect();
    if !known.contains(help_center) {
        let list = known.into_iter().collect::<Vec<_>>().join(", ");
        return Err(Error::usage(format!(
            "help center {help_center} does not exist in this workspace (its help centers: {})",
            if list.is_empty() { "none" } else { &list }
        )));
    }
    let groups = groups_in_help_center(&fetched, help_center);
    Ok(fetched
        .into_iter()
        .filter(|f| match f.kind {
            ObjectKind::HelpCenter => f.place.id.text() == help_center,
            ObjectKind::Collection | ObjectKind::Section => groups.contains(&f.place.id.text()),
            ObjectKind::Article => article_parents(&f.place).any(|p| groups.contains(&p)),
        })
        .collect())
}

/// Ids of the collections and sections inside a help center: those that name it, and
/// (following parents) everything below them.
fn groups_in_help_center(fetched: &[Fetched], help_center: &str) -> HashSet<String> {
    let parents: HashMap<String, Option<String>> = fetched
        .iter()
        .filter(|f| matches!(f.kind, ObjectKind::Collection | ObjectKind::Section))
        .map(|f| {
            (
                f.place.id.text(),
                f.place.parent_id.as_ref().map(IdValue::text),
            )
        })
        .collect();
    let named: HashSet<String> = fetched
        .iter()
        .filter(|f| f.kind == ObjectKind::Collection)
        .filter(|f| {
            f.place
                .help_center_id
                .as_ref()
                .map(IdValue::text)
                .as_deref()
                == Some(help_center)
        })
        .map(|f| f.place.id.text())
        .collect();
    parents
        .keys()
        .filter(|id| has_ancestor_in(id, &named, &parents))
        .cloned()
        .collect()
}

fn has_ancestor_in(
    id: &str,
    named: &HashSet<String>,
    parents: &HashMap<String, Option<String>>,
) -> bool {
    let mut current = Some(id.to_string());
    // Bounded walk: a parent cycle in bad data must not hang the pull.
    for _ in 0..=parents.len() {
        let Some(id) = current else { return false };
        if named.contains(&id) {
            return true;
        }
        current = parents.get(&id).cloned().flatten();
    }
    false
}

fn article_parents(place: &Placement) -> impl Iterator<Item = String> + '_ {
    place
        .parent_id
        .iter()
        .chain(place.parent_ids.iter().flatten())
        .map(IdValue::text)
}

async fn write_snapshot(
    client: &Client,
    options: &PullOptions,
    objects: &[Fetched],
    ui: &Ui,
) -> Result<(crate::snapshot::Manifest, Option<AssetReport>)> {
    let mut writer = SnapshotWriter::create(&options.snapshot)?;
    for object in objects {
        let id = object.place.id.text();
        writer.write_object(object.kind, &id, object.raw.get().as_bytes())?;
    }
    let assets = match &options.assets {
        Some(asset_options) => {
            Some(pull_assets(&mut writer, options, asset_options, objects, ui).await?)
        }
        None => None,
    };
    let client_options = client.options();
    let api = ApiInfo {
        version: client_options.version.to_string(),
        region: client_options.endpoint.region.clone(),
        base_url: client_options.endpoint.base_url.clone(),
    };
    let manifest = writer.commit(api, options.help_center.clone())?;
    Ok((manifest, assets))
}

/// Stores the assets of `objects`; the previous snapshot's are read while the lock is held,
/// before the swap replaces them.
async fn pull_assets(
    writer: &mut SnapshotWriter,
    options: &PullOptions,
    asset_options: &AssetOptions,
    objects: &[Fetched],
    ui: &Ui,
) -> Result<AssetReport> {
    let urls = assets::referenced_urls(objects.iter().map(|o| o.raw.get()));
    let previous = PreviousAssets::open(&options.snapshot);
    let bar = ui.items_bar("assets", urls.len() as u64);
    let progress = |done: u64| bar.set_position(done);
    let report = assets::store_assets(writer, urls, &previous, asset_options, &progress).await;
    bar.finish_and_clear();
    let report = report?;
    writer.record_asset_pull(report.missing());
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetched(kind: ObjectKind, json: &str) -> Fetched {
        let raw = RawValue::from_string(json.to_string()).unwrap();
        let place = serde_json::from_str(json).unwrap();
        Fetched { kind, raw, place }
    }

    fn ids(objects: &[Fetched]) -> Vec<String> {
        objects
            .iter()
            .map(|f| format!("{}:{}", f.kind.dir_name(), f.place.id.text()))
            .collect()
    }

    #[test]
    fn limiting_keeps_the_tree_of_one_help_center() {
        let objects = vec![
            fetched(ObjectKind::HelpCenter, r#"{"id":"1"}"#),
            fetched(ObjectKind::HelpCenter, r#"{"id":"2"}"#),
            fetched(
                ObjectKind::Collection,
                r#"{"id":"10","help_center_id":1,"parent_id":null}"#,
            ),
            fetched(ObjectKind::Collection, r#"{"id":"11","parent_id":"10"}"#),
            fetched(ObjectKind::Collection, r#"{"id":"20","help_center_id":2}"#),
            fetched(ObjectKind::Section, r#"{"id":"30","parent_id":10}"#),
            fetched(ObjectKind::Article, r#"{"id":"100","parent_id":11}"#),
            fetched(ObjectKind::Article, r#"{"id":"101","parent_id":30}"#),
            fetched(ObjectKind::Article, r#"{"id":"102","parent_id":20}"#),
            fetched(ObjectKind::Article, r#"{"id":"103","parent_id":null}"#),
            fetched(
                ObjectKind::Article,
                r#"{"id":"104","parent_id":20,"parent_ids":[20,10]}"#,
            ),
        ];
        let kept = limit_to_help_center(objects, "1").unwrap();
        assert_eq!(
            ids(&kept),
            vec![
                "help_centers:1",
                "collections:10",
                "collections:11",
                "sections:30",
                "articles:100",
                "articles:101",
                "articles:104"
            ]
        );
    }

    #[test]
    fn unknown_help_center_lists_the_known_ones() {
        let objects = vec![
            fetched(ObjectKind::HelpCenter, r#"{"id":"1"}"#),
            fetched(ObjectKind::HelpCenter, r#"{"id":"2"}"#),
        ];
        let err = limit_to_help_center(objects, "9").err().unwrap();
        assert_eq!(
            err.to_string(),
            "help center 9 does not exist in this workspace (its help centers: 1, 2)"
        );
    }

    #[test]
    fn parent_cycles_do_not_hang() {
        let objects = vec![
            fetched(ObjectKind::HelpCenter, r#"{"id":"1"}"#),
            fetched(ObjectKind::Collection, r#"{"id":"10","parent_id":"11"}"#),
            fetched(ObjectKind::Collection, r#"{"id":"11","parent_id":"10"}"#),
        ];
        let kept = limit_to_help_center(objects, "1").unwrap();
        assert_eq!(ids(&kept), vec!["help_centers:1"]);
    }

    #[test]
    fn summary_line_reads_naturally() {
        let report = PullReport {
            snapshot: PathBuf::from("snapshot"),
            help_centers: 1,
            collections: 24,
            sections: 0,
            articles: 412,
            locales: (0..6).map(|i| i.to_string()).collect(),
            assets: None,
            warnings: Vec::new(),
            duration_ms: 3060,
        };
        assert_eq!(
            report.summary_line(),
            "pulled 1 help center, 24 collections, 412 articles in 6 locales to snapshot in 3.1 s"
        );
        let with_assets = PullReport {
            assets: Some(AssetReport {
                referenced: 2,
                downloaded: 1,
                reused: 1,
                ..AssetReport::default()
            }),
            ..report
        };
        assert_eq!(
            with_assets.summary_line(),
            "pulled 1 help center, 24 collections, 412 articles and 2 assets (1 downloaded, 1 \
             reused) in 6 locales to snapshot in 3.1 s"
        );
    }
}
