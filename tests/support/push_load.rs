//! The push load scenario, shared by `tests/push.rs` (a few hundred articles) and
//! `benches/push.rs` (5,000): a generated help center exported as a Markdown tree, every
//! article file edited, then pushed against a fake that answers 429 with `Retry-After` to one
//! request in five and drops one connection in twenty ([`faults`]). [`PushLoad::check`] says
//! whether every edit was applied exactly once.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use helpcenter::intercom::{Client, ClientOptions, RetryPolicy};
use helpcenter::push::PushOptions;
use helpcenter::tree::{BaseRecord, FileKind};
use serde_json::Value;

use super::fake_intercom::{FakeIntercom, FaultKind, FaultPlan, ServerConfig};
use super::trees::{pulled_and_exported, push_options};
use super::workspace::{GeneratedSpec, Workspace};

/// A fake serving the generated help center and a tree exported from it with every article
/// edited.
pub struct PushLoad {
    /// The fake, without faults yet.
    pub server: FakeIntercom,
    /// Holds `content/`.
    pub dir: tempfile::TempDir,
    /// The tree.
    pub content: PathBuf,
    /// The sentence added to each article, by id.
    pub edits: BTreeMap<String, String>,
}

/// One request in five answered 429 (`Retry-After: retry_after` seconds), one in twenty
/// answered with a connection dropped halfway, drawn from `seed`.
pub fn faults(seed: u64, retry_after: u64) -> FaultPlan {
    let limited = FaultKind::TooManyRequests {
        retry_after: Some(retry_after),
        reset_in: None,
    };
    let mut kinds = vec![limited; 4];
    kinds.push(FaultKind::DropConnection);
    FaultPlan::random(seed, 0.25, kinds)
}

impl PushLoad {
    /// `articles` generated articles (one locale), served with `config`, pulled, exported and
    /// edited; the requests made so far are forgotten.
    pub async fn new(articles: usize, config: ServerConfig) -> PushLoad {
        let workspace = Workspace::generated(&GeneratedSpec {
            articles,
            locales: vec!["en".into()],
            collections: 20,
            blocks_per_body: 3,
            draft_rate: 0.0,
            standalone_rate: 0.0,
            seed: 16,
            ..GeneratedSpec::default()
        });
        let server = FakeIntercom::with_config(workspace, config);
        let client = Client::new(server.client_options()).expect("a client");
        let (dir, content) = pulled_and_exported(&client).await;
        let edits = edit_every_article(&content);
        server.clear_requests();
        PushLoad {
            server,
            dir,
            content,
            edits,
        }
    }

    /// The push of the whole tree.
    pub fn options(&self) -> PushOptions {
        push_options(&self.content)
    }

    /// A client that tries each request `max_tries` times, backing off from `retry_delay`.
    pub fn client(&self, concurrency: usize, max_tries: u32, retry_delay: Duration) -> Client {
        Client::new(ClientOptions {
            concurrency,
            retry: RetryPolicy {
                max_attempts: max_tries,
                base_delay: retry_delay,
                ..RetryPolicy::default()
            },
            ..self.server.client_options()
        })
        .expect("a client")
    }

    /// Problems with the outcome: an article whose edit was applied other than exactly once
    /// (writes answered 200 that no fault replaced), or that Intercom does not hold.
    pub fn check(&self) -> Vec<String> {
        let mut applied: BTreeMap<String, usize> = BTreeMap::new();
        for request in self.server.requests() {
            let id = request.path.strip_prefix("/articles/");
            if let (Some(id), "PUT", 200, None) =
                (id, request.method.as_str(), request.status, &request.fault)
            {
                *applied.entry(id.to_string()).or_default() += 1;
            }
        }
        let workspace = self.server.workspace();
        let mut problems = Vec::new();
        for (id, edit) in &self.edits {
            let times = applied.get(id).copied().unwrap_or(0);
            if times != 1 {
                problems.push(format!("article {id}: its edit was applied {times} times"));
            }
            let body = workspace.article(id).and_then(|a| a.get("body"));
            if !body
                .and_then(Value::as_str)
                .is_some_and(|b| b.contains(edit))
            {
                problems.push(format!("article {id}: Intercom does not hold its edit"));
            }
        }
        problems
    }
}

/// Adds a sentence naming the article to the end of every article file; the sentences by id.
fn edit_every_article(content: &std::path::Path) -> BTreeMap<String, String> {
    let base = BaseRecord::read(content)
        .expect("the base record")
        .expect("a base record");
    let mut edits = BTreeMap::new();
    for (path, entry) in &base.files {
        let (FileKind::Article, Some(id)) = (entry.kind, &entry.id) else {
            continue;
        };
        let edit = format!("Edited under load: article {id}.");
        let file = content.join(path);
        let mut text = fs::read_to_string(&file).expect("an article file");
        text.push_str(&format!("\n{edit}\n"));
        fs::write(&file, text).expect("the edit");
        edits.insert(id.clone(), edit);
    }
    edits
}
