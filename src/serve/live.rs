//! Live reload: while `serve` runs, every HTML page it serves loads a small script that
//! listens for Server-Sent Events at [`EVENTS_PATH`]: `reload` reloads the page, `css` swaps
//! the stylesheets in place (no reload, the scroll position stays). A failed rebuild puts its
//! error on every page (over the last good page, which stays served) until a build succeeds.

use std::convert::Infallible;
use std::sync::{Arc, RwLock};

use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures::Stream;
use tokio::sync::broadcast;

/// Where pages listen for changes.
pub const EVENTS_PATH: &str = "/__helpcenter/events";
/// The script pages load.
pub const SCRIPT_PATH: &str = "/__helpcenter/live.js";

const SCRIPT: &str = r#"// helpcenter serve: live reload (only while serving; never in a built site).
(() => {
  const events = new EventSource("/__helpcenter/events");
  events.addEventListener("reload", () => location.reload());
  events.addEventListener("css", () => {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("live", Date.now());
      const fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.addEventListener("load", () => link.remove());
      link.after(fresh);
    }
  });
})();
"#;

/// What changed in the site, as pages are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Pages changed (or a build failed, or recovered): reload.
    Reload,
    /// Only stylesheets changed: swap them.
    Css,
}

impl Change {
    fn name(self) -> &'static str {
        match self {
            Change::Reload => "reload",
            Change::Css => "css",
        }
    }
}

/// The connection between the builds and the open pages.
pub struct Live {
    changes: broadcast::Sender<(u64, Change)>,
    /// The last build's error, shown on every page until a build succeeds.
    error: RwLock<Option<String>>,
}

impl Live {
    /// No pages listening yet, no error.
    pub fn new() -> Arc<Live> {
        let (changes, _) = broadcast::channel(64);
        Arc::new(Live {
            changes,
            error: RwLock::new(None),
        })
    }

    /// Tells every open page about build number `build`'s change.
    pub fn send(&self, build: u64, change: Change) {
        // No page listening is not an error.
        let _ = self.changes.send((build, change));
    }

    /// Records the outcome of a build: its error, or `None` when it succeeded.
    pub fn set_error(&self, error: Option<String>) {
        *self.error.write().unwrap_or_else(|e| e.into_inner()) = error;
    }

    /// The last build's error, if it failed.
    pub fn error(&self) -> Option<String> {
        self.error.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The script and event endpoints.
    pub fn router<S: Clone + Send + Sync + 'static>(self: &Arc<Self>) -> Router<S> {
        Router::new()
            .route(SCRIPT_PATH, get(script))
            .route(EVENTS_PATH, get(events))
            .with_state(self.clone())
    }

    /// An HTML page as served: the script added at its end, and the error if there is one.
    pub fn decorate(&self, mut html: Vec<u8>) -> Vec<u8> {
        let mut insert = String::new();
        if let Some(error) = self.error() {
            insert.push_str(&error_box(&error));
        }
        insert.push_str(&format!(r#"<script src="{SCRIPT_PATH}" defer></script>"#));
        let end = find_last(&html, b"</body>").unwrap_or(html.len());
        html.splice(end..end, insert.into_bytes());
        html
    }

    /// A page of its own for the error, when there is no good page to show it on (the first
    /// build failed).
    pub fn error_page(&self) -> Response {
        let error = self.error().unwrap_or_default();
        let page = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build error \
             - helpcenter serve</title></head><body>{}<script src=\"{SCRIPT_PATH}\" defer>\
             </script></body></html>",
            error_box(&error)
        );
        let html = [(header::CONTENT_TYPE, "text/html; charset=utf-8")];
        let no_store = [(header::CACHE_CONTROL, "no-store")];
        (StatusCode::INTERNAL_SERVER_ERROR, html, no_store, page).into_response()
    }
}

/// The error as a box over the page.
fn error_box(error: &str) -> String {
    format!(
        "<div id=\"helpcenter-build-error\" role=\"alert\" style=\"position:fixed;inset:auto 1rem \
         1rem 1rem;z-index:2147483647;max-height:60vh;overflow:auto;padding:1rem 1.25rem;\
         background:#fff5f5;color:#5c0b0b;border:2px solid #c21d1d;border-radius:.5rem;\
         font:14px/1.5 system-ui,sans-serif;box-shadow:0 .5rem 2rem #0004\"><strong>Build \
         error</strong> (the page below is from the last good build; it updates when the \
         error is fixed)<pre style=\"white-space:pre-wrap;margin:.5rem 0 0;font:13px/1.45 \
         ui-monospace,monospace\">{}</pre></div>",
        escape(error)
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Where `needle` last occurs in `haystack`, ignoring ASCII case.
fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=haystack.len().checked_sub(needle.len())?)
        .rev()
        .find(|&at| haystack[at..at + needle.len()].eq_ignore_ascii_case(needle))
}

async fn script() -> Response {
    let js = [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")];
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    (js, no_store, SCRIPT).into_response()
}

async fn events(
    axum::extract::State(live): axum::extract::State<Arc<Live>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let changes = live.changes.subscribe();
    let stream = futures::stream::unfold(changes, |mut changes| async move {
        let (build, change) = match changes.recv().await {
            Ok(sent) => sent,
            // Missed some: whatever they were, a reload shows the result.
            Err(broadcast::error::RecvError::Lagged(_)) => (0, Change::Reload),
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        let event = Event::default()
            .event(change.name())
            .data(build.to_string());
        Some((Ok(event), changes))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_get_the_script_before_their_end_and_the_error_escaped() {
        let live = Live::new();
        let page = live.decorate(b"<html><body><p>x</p></BODY></html>".to_vec());
        assert_eq!(
            String::from_utf8(page).unwrap(),
            "<html><body><p>x</p><script src=\"/__helpcenter/live.js\" defer></script></BODY></html>"
        );
        live.set_error(Some("content/en/a.md:3: bad <key>".into()));
        let page = String::from_utf8(live.decorate(b"<p>x</p>".to_vec())).unwrap();
        assert!(
            page.starts_with("<p>x</p><div id=\"helpcenter-build-error\""),
            "{page}"
        );
        assert!(
            page.contains("content/en/a.md:3: bad &lt;key&gt;</pre>"),
            "{page}"
        );
        live.set_error(None);
        assert!(!String::from_utf8(live.decorate(Vec::new()))
            .unwrap()
            .contains("helpcenter-build-error"));
    }
}
