//! Checks made before the first write: authors, the target help center, an empty
//! workspace, and a state file that belongs to this restore.

use serde_json::Value;

use super::payload::locales;
use super::state::{RestoreState, Target};
use super::Content;
use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::snapshot::{id_field, StoredObject};

/// Every article and translation must have an author, unless `--author-id` gives one.
pub(super) fn check_authors(articles: &[StoredObject], author: Option<&str>) -> Result<()> {
    if author.is_some() {
        return Ok(());
    }
    let missing: Vec<String> = articles
        .iter()
        .filter(|a| {
            a.value.get("author_id").is_none_or(Value::is_null)
                && locales(&a.value)
                    .iter()
                    .any(|(_, c)| c.get("author_id").is_none_or(Value::is_null))
        })
        .map(|a| a.path.display().to_string())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::usage(format!(
        "these articles have no author_id in the backup; give one with --author-id: {}",
        missing.join(", ")
    )))
}

/// The help center to restore into: `--help-center`, or the workspace's only one.
pub(super) async fn target_help_center(client: &Client, wanted: Option<&str>) -> Result<String> {
    let list: Value = client.get_json("/help_center/help_centers", &[]).await?;
    let ids: Vec<String> = list
        .get("data")
        .and_then(Value::as_array)
        .map(|data| data.iter().filter_map(|hc| id_field(hc, "id")).collect())
        .unwrap_or_default();
    match (wanted, ids.as_slice()) {
        (Some(id), _) if ids.iter().any(|i| i == id) => Ok(id.to_string()),
        (Some(id), _) => Err(Error::usage(format!(
            "help center {id} is not in the target workspace (it has: {}); help centers cannot \
             be created through the API, so create it in Intercom first",
            list_or_none(&ids)
        ))),
        (None, [only]) => Ok(only.clone()),
        (None, []) => Err(Error::usage(
            "the target workspace has no help center, and the API cannot create one: create it \
             in Intercom (Settings > Help Center), then restore",
        )),
        (None, _) => Err(Error::usage(format!(
            "the target workspace has {} help centers ({}); choose one with --help-center ID",
            ids.len(),
            ids.join(", ")
        ))),
    }
}

pub(super) fn list_or_none(ids: &[String]) -> String {
    if ids.is_empty() {
        "none".to_string()
    } else {
        ids.join(", ")
    }
}

/// Refuses a workspace that already holds articles (a fresh restore into it would mix them).
pub(super) async fn refuse_nonempty(client: &Client) -> Result<()> {
    let page: Value = client
        .get_json(
            "/articles",
            &[("page", "1".to_string()), ("per_page", "1".to_string())],
        )
        .await?;
    let count = page
        .get("total_count")
        .and_then(Value::as_u64)
        .unwrap_or_else(|| {
            page.get("data")
                .and_then(Value::as_array)
                .map_or(0, |d| d.len() as u64)
        });
    if count == 0 {
        return Ok(());
    }
    Err(Error::usage(format!(
        "the target workspace already holds {count} article{}; restore refuses to mix a backup \
         into existing content. Restore into an empty workspace, or pass --into-nonempty to add \
         the backup's articles beside the existing ones",
        if count == 1 { "" } else { "s" }
    )))
}

/// A state file continues only the restore it was written for.
pub(super) fn check_state(
    state: RestoreState,
    path: &std::path::Path,
    content: &Content,
    target: &Target,
) -> Result<RestoreState> {
    if state.backup != content.fingerprint || &state.target != target {
        return Err(Error::usage(format!(
            "{} records a restore of another backup or into another help center ({} into help \
             center {} at {}); remove it or choose another --state file",
            path.display(),
            state.backup,
            state.target.help_center,
            state.target.base_url
        )));
    }
    Ok(state)
}
