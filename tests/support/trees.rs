//! Markdown trees exported from the fake, as a writer's checkout starts: for push tests.

use std::path::PathBuf;

use helpcenter::intercom::Client;
use helpcenter::model::{self, LoadOptions};
use helpcenter::output::{Ui, Verbosity};
use helpcenter::pull::{pull, PullOptions};
use helpcenter::push::PushOptions;
use helpcenter::snapshot::Snapshot;
use helpcenter::tree::{self, ExportOptions};

/// Pulls everything through `client` into `snapshot/` of a new temp folder and exports it as
/// a Markdown tree into `content/` of that folder; the folder and the tree's path.
pub async fn pulled_and_exported(client: &Client) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let snapshot = dir.path().join("snapshot");
    let quiet = Ui::new(Verbosity {
        quiet: true,
        verbose: 0,
        json: false,
    });
    let options = PullOptions {
        snapshot: snapshot.clone(),
        help_center: None,
        assets: None,
    };
    pull(client, &options, &quiet).await.expect("the pull");
    let snapshot = Snapshot::open(&snapshot).expect("the snapshot");
    let ws = model::load_snapshot(&snapshot, &LoadOptions::default()).expect("its model");
    let content = dir.path().join("content");
    let export = ExportOptions {
        content: content.clone(),
        force: false,
    };
    tree::export(&ws, &export).expect("the export");
    (dir, content)
}

/// A push of the whole tree at `content`, with every option off.
pub fn push_options(content: &std::path::Path) -> PushOptions {
    PushOptions {
        content: content.to_path_buf(),
        paths: Vec::new(),
        dry_run: false,
        force: false,
        delete: false,
        default_author_id: None,
    }
}
