//! Reading a whole paginated list: page 1 first, then every other page concurrently.

use std::collections::HashSet;

use futures::stream::{self, StreamExt, TryStreamExt};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::client::{describe, Client};
use crate::error::{Error, Result};

/// Called as pages arrive with (pages fetched, total pages).
pub type ListProgress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// One page of an Intercom list, with its items kept as raw JSON (byte for byte).
#[derive(Debug, Deserialize)]
pub struct ListPage {
    /// Always `list`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The items of this page, unparsed.
    pub data: Vec<Box<RawValue>>,
    /// How many items the whole list holds, when the API says.
    pub total_count: Option<u64>,
    /// Pagination; absent when everything fits on one page.
    pub pages: Option<Pages>,
}

/// The `pages` object of a list.
#[derive(Debug, Deserialize)]
pub struct Pages {
    /// This page's number, from 1.
    pub page: Option<u64>,
    /// Items per page as the server applied it.
    pub per_page: Option<u64>,
    /// How many pages there are.
    pub total_pages: Option<u64>,
}

/// Just the id of a list item, to find duplicates without parsing the whole item.
#[derive(Deserialize)]
struct ItemId {
    id: serde_json::Value,
}

/// How many times a list is read again when it changed while it was being read.
const LIST_PASSES: usize = 3;

impl Client {
    /// Every item of the list at `path`, in the API's order, each as raw JSON.
    ///
    /// Articles are ordered by `updated_at`, so an edit during the pull moves an article
    /// between pages; items seen twice are kept once, and when fewer distinct items arrive
    /// than `total_count` promised, the list is read again.
    pub async fn list_all(
        &self,
        path: &str,
        progress: ListProgress<'_>,
    ) -> Result<Vec<Box<RawValue>>> {
        let mut last_shortfall = None;
        for pass in 1..=LIST_PASSES {
            let (items, total_count) = self.read_list_once(path, progress).await?;
            let items = distinct(items, path)?;
            match total_count {
                Some(total) if (items.len() as u64) < total => {
                    tracing::warn!(
                        "{path}: {} of {total} items arrived (the list changed while it was \
                         read); reading it again (pass {pass} of {LIST_PASSES})",
                        items.len()
                    );
                    last_shortfall = Some((items.len(), total));
                }
                _ => return Ok(items),
            }
        }
        let (got, total) = last_shortfall.expect("loop ends early unless short");
        Err(Error::Api(format!(
            "GET {path}: the list kept changing while it was read: {got} of {total} items \
             after {LIST_PASSES} passes; try again when no one is editing"
        )))
    }

    async fn read_list_once(
        &self,
        path: &str,
        progress: ListProgress<'_>,
    ) -> Result<(Vec<Box<RawValue>>, Option<u64>)> {
        let per_page = self.options().per_page.to_string();
        let first = self.fetch_page(path, 1, &per_page).await?;
        let total_pages = first
            .pages
            .as_ref()
            .and_then(|p| p.total_pages)
            .unwrap_or(1)
            .max(1);
        let total_count = first.total_count;
        progress(1, total_pages);
        let done = std::sync::atomic::AtomicU64::new(1);
        let concurrency = self.options().concurrency.max(1);
        let mut rest: Vec<(u64, ListPage)> = stream::iter(2..=total_pages)
            .map(|page| {
                let per_page = &per_page;
                let done = &done;
                async move {
                    let fetched = self.fetch_page(path, page, per_page).await?;
                    let count = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    progress(count, total_pages);
                    Ok::<_, Error>((page, fetched))
                }
            })
            .buffer_unordered(concurrency)
            .try_collect()
            .await?;
        rest.sort_by_key(|(page, _)| *page);
        let mut items = first.data;
        for (_, page) in rest {
            items.extend(page.data);
        }
        Ok((items, total_count))
    }

    async fn fetch_page(&self, path: &str, page: u64, per_page: &str) -> Result<ListPage> {
        let query = [
            ("page", page.to_string()),
            ("per_page", per_page.to_string()),
        ];
        let list: ListPage = self.get_json(path, &query).await?;
        if list.kind != "list" {
            return Err(Error::Api(format!(
                "malformed response from {}: expected an object of type \"list\", got {:?}",
                describe(path, &query),
                list.kind
            )));
        }
        Ok(list)
    }
}

/// Drops repeated items (same id), keeping the first: the most recently updated copy.
fn distinct(items: Vec<Box<RawValue>>, path: &str) -> Result<Vec<Box<RawValue>>> {
    let mut seen = HashSet::new();
    let mut kept = Vec::with_capacity(items.len());
    for item in items {
        let id = serde_json::from_str::<ItemId>(item.get())
            .map_err(|e| Error::Api(format!("malformed item in GET {path}: {e}")))?
            .id;
        let key = match id {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            other => {
                return Err(Error::Api(format!(
                    "malformed item in GET {path}: id {other} is neither a string nor a number"
                )))
            }
        };
        if seen.insert(key) {
            kept.push(item);
        }
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_string()).unwrap()
    }

    #[test]
    fn distinct_keeps_first_of_each_id() {
        let items = vec![
            raw(r#"{"id":"1","v":"new"}"#),
            raw(r#"{"id":2}"#),
            raw(r#"{"id":"1","v":"old"}"#),
        ];
        let kept = distinct(items, "/articles").unwrap();
        let texts: Vec<&str> = kept.iter().map(|r| r.get()).collect();
        assert_eq!(texts, vec![r#"{"id":"1","v":"new"}"#, r#"{"id":2}"#]);
    }

    #[test]
    fn distinct_rejects_items_without_usable_id() {
        let err = distinct(vec![raw(r#"{"id":null}"#)], "/articles").unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed item in GET /articles: id null is neither a string nor a number"
        );
        assert!(distinct(vec![raw(r#"{"x":1}"#)], "/articles").is_err());
    }
}
