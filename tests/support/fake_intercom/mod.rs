//! An in-process fake of Intercom's REST API for help centers and articles.
//!
//! [`FakeIntercom::start`] serves a [`Workspace`] on an ephemeral `127.0.0.1` port from a
//! background thread with its own tokio runtime, so blocking and async tests can both use it;
//! dropping the value stops the server. It answers like the real API (token check,
//! `Intercom-Version` 2.9 to 2.15 with the matching object shapes, pagination, ordering, errors,
//! rate limits), records every request, and can inject failures ([`FaultPlan`]).
//!
//! Modules: [`store`] holds the data and converts it per version, [`server`] routes and runs the
//! request pipeline, [`faults`] decides and produces failures.

mod assets;
mod faults;
mod ratelimit;
mod respond;
mod server;
mod store;
mod version;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::serve::ListenerExt;
use tokio::sync::oneshot;

use super::workspace::Workspace;
use server::Shared;

// Re-exports are the public API; a test binary that uses none of them must not warn.
#[allow(unused_imports)]
pub use assets::{FakeAsset, BASE_PLACEHOLDER};
#[allow(unused_imports)]
pub use faults::{FaultKind, FaultPlan, Hold, Matcher, Tripwire};
#[allow(unused_imports)]
pub use version::ApiVersion;

/// How the fake behaves beyond the API contract.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The largest `per_page` honoured; bigger requests are clamped to it. Default 150.
    pub per_page_cap: usize,
    /// `per_page` when the client sends none. Default 50.
    pub default_per_page: usize,
    /// The version assumed when no `Intercom-Version` header is sent. Default `"2.15"`.
    pub default_version: String,
    /// A rate limit to enforce; none by default.
    pub rate_limit: Option<RateLimit>,
    /// Added to every answer. Default zero.
    pub latency: Duration,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            per_page_cap: 150,
            default_per_page: 50,
            default_version: "2.15".to_string(),
            rate_limit: None,
            latency: Duration::ZERO,
        }
    }
}

/// At most `limit` requests per `window`; windows follow each other from the server's start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: u32,
    /// The window length.
    pub window: Duration,
}

impl RateLimit {
    /// Intercom's default: 10,000 calls a minute, counted as 1,666 per 10-second window.
    pub fn intercom_default() -> RateLimit {
        RateLimit {
            limit: 1666,
            window: Duration::from_secs(10),
        }
    }
}

/// One request the fake received, and what it answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `PUT`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query without `?`; empty when there is none.
    pub query: String,
    /// Header names (lowercase) and values, as received.
    pub headers: Vec<(String, String)>,
    /// The request body.
    pub body: Vec<u8>,
    /// The status answered; 0 while unanswered (or if the client left first). A
    /// [`FaultKind::DropConnection`] still shows the status it sent before cutting the body.
    pub status: u16,
    /// The injected fault that shaped the answer, if any.
    pub fault: Option<FaultKind>,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of query parameter `name`, undecoded.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .split('&')
            .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }
}

/// A running fake Intercom server; stops when dropped.
pub struct FakeIntercom {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeIntercom {
    /// The one access token the fake accepts, as `Authorization: Bearer <TOKEN>`.
    pub const TOKEN: &'static str = "fake-token-1f2e3d4c5b6a";

    /// Serves `workspace` with the default [`ServerConfig`].
    pub fn start(workspace: Workspace) -> FakeIntercom {
        FakeIntercom::with_config(workspace, ServerConfig::default())
    }

    /// Serves `workspace` with `config`. The port is bound before this returns, so requests can
    /// be sent at once.
    pub fn with_config(mut workspace: Workspace, config: ServerConfig) -> FakeIntercom {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let addr = listener.local_addr().expect("a bound address");
        substitute_base(&mut workspace, &format!("http://{addr}"));
        let shared = Arc::new(Shared::new(workspace, config));
        let (shutdown, stop) = oneshot::channel();
        let app = server::router(shared.clone());
        let thread = std::thread::Builder::new()
            .name(format!("fake-intercom-{}", addr.port()))
            .spawn(move || serve(listener, app, stop))
            .expect("spawn the server thread");
        FakeIntercom {
            shared,
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// The base URL to give clients, `http://127.0.0.1:<port>` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Options for a client of this server: its URL and token, the latest API version, and the
    /// CLI's defaults for the rest (change fields with `..`).
    pub fn client_options(&self) -> helpcenter::intercom::ClientOptions {
        use helpcenter::intercom::{
            ApiVersion, ClientOptions, Endpoint, Region, RetryPolicy, Token,
        };
        ClientOptions {
            endpoint: Endpoint::new(Region::Us, Some(&self.base_url())).expect("base url"),
            version: ApiVersion::default(),
            token: Token::new(FakeIntercom::TOKEN),
            concurrency: 8,
            per_page: 150,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
        }
    }

    /// The URL of a file of the fake CDN: `<base>/cdn/<path>` (found by its last segment).
    pub fn asset_url(&self, path: &str) -> String {
        format!("{}/cdn/{path}", self.base_url())
    }

    /// Serves `asset` as `name` on the fake CDN (replacing any file of that name).
    pub fn add_asset(&self, name: &str, asset: FakeAsset) {
        self.shared.assets().insert(name.to_string(), asset);
    }

    /// Serves every file of `dir` on the fake CDN under its name (e.g. a fixture's `files/`).
    pub fn add_asset_dir(&self, dir: &std::path::Path) {
        self.shared.assets().extend(assets::read_dir(dir));
    }

    /// The requests that asked the fake CDN for a file.
    pub fn asset_requests(&self) -> Vec<RecordedRequest> {
        let log = self.shared.log();
        log.iter()
            .filter(|r| r.path.starts_with("/cdn/"))
            .cloned()
            .collect()
    }

    /// Replaces the fault plan at run time; its request counters start from zero.
    pub fn set_faults(&self, faults: FaultPlan) {
        self.shared.set_faults(faults);
    }

    /// Holds the request `matcher` selects (counted from now, among requests past the token,
    /// version and rate-limit checks) at `hold`, and returns the tripwire that goes off when it
    /// gets there: a test waits for it, then kills its client at that exact point. A held
    /// request is never answered ([`Hold::Answered`] aside); it ends when its client goes away.
    pub fn hold(&self, matcher: Matcher, hold: Hold) -> Tripwire {
        self.shared.hold(matcher, hold)
    }

    /// Forgets the holds not yet reached.
    pub fn release_holds(&self) {
        self.shared.release_holds();
    }

    /// Every request received so far, in arrival order, including unauthorised and faulted ones.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.log().clone()
    }

    /// `METHOD path` of every request other than a GET received so far, in arrival order.
    pub fn writes(&self) -> Vec<String> {
        (self.requests().into_iter())
            .filter(|r| r.method != "GET")
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.shared.log().clear();
    }

    /// A copy of the current workspace, in its stored shape.
    pub fn workspace(&self) -> Workspace {
        self.shared.store().workspace().clone()
    }

    /// Changes the workspace in place, as edits made in Intercom would (e.g. bump an article's
    /// `updated_at`, delete one) between two pulls.
    pub fn update_workspace(&self, change: impl FnOnce(&mut Workspace)) {
        change(self.shared.store().workspace_mut());
    }
}

impl Drop for FakeIntercom {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The server may already be gone; then there is nothing to stop.
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic in the server thread was already reported; do not panic again in drop.
            let _ = thread.join();
        }
    }
}

/// Writes the fake's address wherever fixture objects hold [`BASE_PLACEHOLDER`].
fn substitute_base(workspace: &mut Workspace, base: &str) {
    let kinds = [
        &mut workspace.help_centers,
        &mut workspace.collections,
        &mut workspace.sections,
        &mut workspace.articles,
    ];
    for object in kinds.into_iter().flatten() {
        assets::substitute_base(object, base);
    }
}

/// The server thread: its own runtime, serving until told to stop. In-flight connections (a
/// slow answer, an idle keep-alive) are then dropped rather than awaited, so drop is quick.
fn serve(listener: TcpListener, app: axum::Router, stop: oneshot::Receiver<()>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime for the fake server");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .expect("a tokio listener")
            // Small JSON answers must not wait for Nagle's algorithm.
            .tap_io(|stream| {
                let _ = stream.set_nodelay(true);
            });
        tokio::select! {
            result = axum::serve(listener, app) => result.expect("the fake server runs"),
            _ = stop => {}
        }
    });
    runtime.shutdown_background();
}
