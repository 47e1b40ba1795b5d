//! The fake's state: one [`Workspace`], and the read queries the API answers from it, already
//! converted for the client's API version (see [`convert`]).
//!
//! The server keeps a `Store` behind a mutex and each handler locks it for one query, so write
//! endpoints can be added here as `&mut self` methods without touching the routing.

mod convert;
mod write;

use std::cmp::Ordering;

use serde_json::Value;

use super::super::workspace::{compare_ids, id_of, Workspace};
use super::version::ApiVersion;
use convert::ArticleLens;

/// Which page of a list a client asked for, already validated and clamped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: usize,
    /// Items per page, at least 1.
    pub per_page: usize,
}

/// One page of a list.
#[derive(Debug)]
pub struct Page {
    /// The items on this page (empty past the end).
    pub items: Vec<Value>,
    /// How many items the whole list has.
    pub total: usize,
}

/// The workspace and the queries on it.
pub struct Store {
    workspace: Workspace,
    /// The last time a write stamped (Unix seconds), so write times always increase.
    clock: i64,
}

impl Store {
    /// A store holding `workspace`.
    pub fn new(workspace: Workspace) -> Store {
        Store {
            workspace,
            clock: 0,
        }
    }

    /// The stored workspace, in its stored shape.
    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// The stored workspace, to change it.
    pub fn workspace_mut(&mut self) -> &mut Workspace {
        &mut self.workspace
    }

    /// All help centers (they look the same in every version).
    pub fn help_centers(&self) -> Vec<Value> {
        self.workspace.help_centers.clone()
    }

    /// One help center.
    pub fn help_center(&self, id: &str) -> Option<Value> {
        self.workspace.help_center(id).cloned()
    }

    /// A page of collections as `version` sees them, by id ascending.
    pub fn collections(&self, version: ApiVersion, page: PageRequest) -> Page {
        paginate(convert::groups(&self.workspace, version).collections, page)
    }

    /// One collection as `version` sees it (sections are not collections in 2.9).
    pub fn collection(&self, version: ApiVersion, id: &str) -> Option<Value> {
        find(convert::groups(&self.workspace, version).collections, id)
    }

    /// A page of sections, by id ascending; only meaningful for 2.9.
    pub fn sections(&self, version: ApiVersion, page: PageRequest) -> Page {
        paginate(convert::groups(&self.workspace, version).sections, page)
    }

    /// One section as 2.9 sees it.
    pub fn section(&self, version: ApiVersion, id: &str) -> Option<Value> {
        find(convert::groups(&self.workspace, version).sections, id)
    }

    /// A page of articles, most recently updated first (ties: higher id first), without
    /// `statistics`. Only the page's articles are copied, so big workspaces stay cheap.
    pub fn articles(&self, version: ApiVersion, page: PageRequest) -> Page {
        let articles = &self.workspace.articles;
        let mut order: Vec<usize> = (0..articles.len()).collect();
        order.sort_by(|&a, &b| newest_first(&articles[a], &articles[b]));
        let lens = ArticleLens::new(&self.workspace, version);
        let items = page_range(order.len(), page)
            .map(|i| lens.show(&articles[order[i]], true))
            .collect();
        Page {
            items,
            total: articles.len(),
        }
    }

    /// One article as `version` sees it, with its `statistics`.
    pub fn article(&self, version: ApiVersion, id: &str) -> Option<Value> {
        let stored = self.workspace.article(id)?;
        Some(ArticleLens::new(&self.workspace, version).show(stored, false))
    }
}

/// The real API lists articles by `updated_at` descending; ties fall back to id descending so the
/// order is total and pages never overlap.
fn newest_first(a: &Value, b: &Value) -> Ordering {
    let updated = |v: &Value| v.get("updated_at").and_then(Value::as_i64).unwrap_or(0);
    updated(b)
        .cmp(&updated(a))
        .then_with(|| compare_ids(&id_of(b).unwrap_or_default(), &id_of(a).unwrap_or_default()))
}

fn paginate(items: Vec<Value>, page: PageRequest) -> Page {
    let total = items.len();
    let range = page_range(total, page);
    Page {
        items: items
            .into_iter()
            .skip(range.start)
            .take(range.len())
            .collect(),
        total,
    }
}

/// The indices of `page` within a list of `total` items; empty past the end.
fn page_range(total: usize, page: PageRequest) -> std::ops::Range<usize> {
    let start = (page.page - 1).saturating_mul(page.per_page).min(total);
    let end = start.saturating_add(page.per_page).min(total);
    start..end
}

fn find(items: Vec<Value>, id: &str) -> Option<Value> {
    items
        .into_iter()
        .find(|item| id_of(item).as_deref() == Some(id))
}
