//! A built site served over http on 127.0.0.1, as any static host would serve it: the browser
//! tests need http (module scripts and `fetch` do not work from `file://`).
//!
//! Directory paths serve their `index.html`, missing files the site's `404.html` with status
//! 404, and every request is logged so a test can see what the browser asked for.

use std::net::{SocketAddr, TcpListener};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::Router;
use tokio::sync::oneshot;

/// A running static server; stops when dropped.
pub struct StaticSite {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

struct Site {
    root: PathBuf,
    /// The URL path the site is mounted at (`/` or `/help/`).
    mount: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl StaticSite {
    /// Serves the files under `root` at `/`.
    pub fn start(root: &Path) -> StaticSite {
        StaticSite::start_at(root, "/")
    }

    /// Serves the files under `root` at the URL path `mount` (`/help/`), as a site published
    /// with `--base-url https://example.com/help/` is; other paths get the 404 page.
    pub fn start_at(root: &Path, mount: &str) -> StaticSite {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
        listener.set_nonblocking(true).expect("non-blocking");
        let addr = listener.local_addr().expect("a bound address");
        let log = Arc::new(Mutex::new(Vec::new()));
        let site = Arc::new(Site {
            root: root.to_path_buf(),
            mount: mount.to_string(),
            log: log.clone(),
        });
        let app = Router::new().fallback(serve_file).with_state(site);
        let (shutdown, stop) = oneshot::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the static server");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                tokio::select! {
                    result = axum::serve(listener, app) => result.expect("the static server runs"),
                    _ = stop => {}
                }
            });
        });
        StaticSite {
            addr,
            log,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The paths requested so far, in order.
    pub fn requested(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for StaticSite {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve_file(State(site): State<Arc<Site>>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    site.log.lock().unwrap().push(path.clone());
    let found = path
        .strip_prefix(&site.mount)
        .and_then(|inside| file_for(&site.root, inside))
        .and_then(|file| Some((std::fs::read(&file).ok()?, file)));
    let (status, bytes, file) = match found {
        Some((bytes, file)) => (StatusCode::OK, bytes, file),
        None => {
            let page = site.root.join("404.html");
            let bytes = std::fs::read(&page).unwrap_or_default();
            (StatusCode::NOT_FOUND, bytes, page)
        }
    };
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type(&file))
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(bytes))
        .expect("a response")
}

/// The file a URL path names: `index.html` for a directory; `None` if it is outside the site.
fn file_for(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let relative = Path::new(decoded.trim_start_matches('/'));
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let mut file = root.join(relative);
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}
