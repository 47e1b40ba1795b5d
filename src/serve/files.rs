//! Serving a built site over HTTP, as a static host would: the files under one folder, at
//! `/` or under a path (`/help/`), directory paths by their `index.html`, missing files by the
//! site's `404.html` with status 404, HEAD like GET without the body. Nothing outside the
//! folder is reachable: a path with `..`, a backslash or an encoded separator is not found,
//! and folders are never listed.
//!
//! While `serve` runs, HTML pages also get the live-reload script and, after a failed
//! rebuild, the error (see [`super::live`]).

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::sync::oneshot;

use super::live::Live;
use crate::error::{Error, Result};

/// What a server serves.
pub struct Files {
    root: PathBuf,
    /// The URL path the site is mounted at: `/` or `/help/`.
    mount: String,
    /// Live reload and build errors, while `serve` runs.
    live: Option<Arc<Live>>,
}

impl Files {
    /// The files under `root`, at the URL path `mount` (`/` or `/help/`).
    pub fn new(root: &Path, mount: &str) -> Files {
        let mut mount = mount.to_string();
        if !mount.starts_with('/') {
            mount.insert(0, '/');
        }
        if !mount.ends_with('/') {
            mount.push('/');
        }
        Files {
            root: root.to_path_buf(),
            mount,
            live: None,
        }
    }

    /// Adds live reload (and build errors) to the HTML pages.
    pub(super) fn live(mut self, live: Arc<Live>) -> Files {
        self.live = Some(live);
        self
    }

    /// The router that serves them (and the live-reload endpoints, if any).
    pub fn router(self) -> Router {
        let files = Arc::new(self);
        let mut router = Router::new();
        if let Some(live) = &files.live {
            router = router.merge(live.router::<Arc<Files>>());
        }
        router.fallback(serve).with_state(files)
    }

    /// The file a request path names: `index.html` for a folder; `None` outside the site.
    fn file_for(&self, url_path: &str) -> Option<Found> {
        let inside = url_path.strip_prefix(&self.mount).or_else(|| {
            // `/help` for a site at `/help/`: the folder itself.
            (format!("{url_path}/") == self.mount).then_some("")
        })?;
        let decoded = percent_encoding::percent_decode_str(inside)
            .decode_utf8()
            .ok()?;
        if decoded.contains(['\\', '\0']) {
            return None;
        }
        let relative = Path::new(decoded.trim_start_matches('/'));
        if !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            return None;
        }
        let path = self.root.join(relative);
        let meta = std::fs::symlink_metadata(&path).ok()?;
        if meta.is_dir() {
            if !url_path.ends_with('/') {
                return Some(Found::Folder);
            }
            let index = path.join("index.html");
            return index.is_file().then_some(Found::File(index));
        }
        meta.is_file().then_some(Found::File(path))
    }
}

enum Found {
    File(PathBuf),
    /// A folder asked for without its trailing slash: redirected, so relative links work.
    Folder,
}

/// Serves one request.
async fn serve(State(files): State<Arc<Files>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    if method != Method::GET && method != Method::HEAD {
        let mut response = StatusCode::METHOD_NOT_ALLOWED.into_response();
        let allow = HeaderValue::from_static("GET, HEAD");
        response.headers_mut().insert(header::ALLOW, allow);
        return response;
    }
    let (status, file) = match files.file_for(&path) {
        Some(Found::File(file)) => (StatusCode::OK, file),
        Some(Found::Folder) => {
            let query = request.uri().query().map(|q| format!("?{q}"));
            let location = format!("{path}/{}", query.unwrap_or_default());
            return redirect(&location);
        }
        None => (StatusCode::NOT_FOUND, files.root.join("404.html")),
    };
    let bytes = match tokio::fs::read(&file).await {
        Ok(bytes) => bytes,
        Err(_) if status == StatusCode::NOT_FOUND => Vec::new(),
        // Removed between the lookup and the read (a rebuild): as if it was never there.
        Err(_) => tokio::fs::read(files.root.join("404.html"))
            .await
            .unwrap_or_default(),
    };
    if let Some(live) = &files.live {
        // The first build failed: no page to show the error on.
        if bytes.is_empty() && status == StatusCode::NOT_FOUND && live.error().is_some() {
            return live.error_page();
        }
    }
    let kind = content_type(&file);
    let bytes = match &files.live {
        Some(live) if kind.starts_with("text/html") => live.decorate(bytes),
        _ => bytes,
    };
    let length = bytes.len();
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, kind)
        .header(header::CONTENT_LENGTH, length)
        // A preview changes under the reader: never serve a stale copy.
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, value)]).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The content type of a file the site can hold, by its extension.
pub fn content_type(file: &Path) -> &'static str {
    let extension = file.extension().and_then(|e| e.to_str()).unwrap_or("");
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        // Pagefind's index chunks.
        "pf_meta" | "pf_index" | "pf_fragment" | "pagefind" => "application/octet-stream",
        _ => "application/octet-stream",
    }
}

/// A server on a thread of its own, for a program that is not async (the browser tests); it
/// stops when dropped.
pub struct StaticServer {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Serves the files under `root` at the URL path `mount` on `127.0.0.1`, on a free port,
    /// recording the paths requested.
    pub fn start(root: &Path, mount: &str) -> Result<StaticServer> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(|e| Error::io(Path::new("127.0.0.1:0"), "listen on", e))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::io(Path::new("127.0.0.1:0"), "listen on", e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io(Path::new("127.0.0.1:0"), "listen on", e))?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .fallback(logged)
            .with_state((Arc::new(Files::new(root, mount)), log.clone()));
        let (shutdown, stop) = oneshot::channel();
        let thread = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                tokio::select! {
                    _ = axum::serve(listener, app) => {}
                    _ = stop => {}
                }
            });
        });
        Ok(StaticServer {
            addr,
            log,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The paths requested so far, in order.
    pub fn requested(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

type Logged = (Arc<Files>, Arc<Mutex<Vec<String>>>);

async fn logged(State((files, log)): State<Logged>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    log.lock().unwrap_or_else(|e| e.into_inner()).push(path);
    serve(State(files), request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (tempfile::TempDir, Files) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("site/en")).unwrap();
        std::fs::write(dir.path().join("site/en/index.html"), "en").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        let files = Files::new(&dir.path().join("site"), "/");
        (dir, files)
    }

    fn found(files: &Files, path: &str) -> Option<String> {
        match files.file_for(path)? {
            Found::File(file) => Some(file.file_name().unwrap().to_string_lossy().into()),
            Found::Folder => Some("<folder>".into()),
        }
    }

    #[test]
    fn folders_serve_their_index_and_are_redirected_without_a_slash() {
        let (_dir, files) = site();
        assert_eq!(found(&files, "/en/").as_deref(), Some("index.html"));
        assert_eq!(
            found(&files, "/en/index.html").as_deref(),
            Some("index.html")
        );
        assert_eq!(found(&files, "/en").as_deref(), Some("<folder>"));
        assert_eq!(found(&files, "/").as_deref(), None, "no index, no listing");
    }

    #[test]
    fn nothing_outside_the_root_is_found() {
        let (_dir, files) = site();
        for path in [
            "/../secret.txt",
            "/en/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/en%2f..%2f..%2fsecret.txt",
            "/..%5csecret.txt",
            "/%00",
        ] {
            assert_eq!(found(&files, path), None, "{path}");
        }
    }

    #[test]
    fn a_site_under_a_path_is_only_found_there() {
        let (dir, _) = site();
        let files = Files::new(&dir.path().join("site"), "/help");
        assert_eq!(found(&files, "/help/en/").as_deref(), Some("index.html"));
        assert_eq!(found(&files, "/en/"), None);
    }
}
