//! `pull --assets`: downloads the images and attachments that bodies refer to.
//!
//! Assets live on CDNs, not on the API host, so they are fetched by a separate plain HTTP
//! client that never carries the Intercom token. Downloads run at most `concurrency` at once,
//! are retried like API requests (5xx, 429, timeouts, dropped connections), follow at most
//! [`MAX_REDIRECTS`] redirects and only to http(s), and stop as soon as an answer grows past
//! the size limit. A URL the previous snapshot already holds is copied from it, not fetched.
//! A host that cannot be reached is given up at its first failure (see [`hosts`]). A failed
//! asset is reported, grouped by host, never fatal to the pull: the pull ends with
//! [`exit::INCOMPLETE`](crate::error::exit::INCOMPLETE) and the manifest lists it as missing.

mod hosts;

use std::time::Duration;

use futures::stream::{self, StreamExt};
use reqwest::header::{HeaderValue, CONTENT_TYPE, USER_AGENT};
use reqwest::StatusCode;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::html::{asset_urls, is_http_url};
use crate::intercom::{error_chain, retry_after, transport_kind, Attempt, Failure, RetryPolicy};
use crate::snapshot::{asset_extension, AssetEntry, FileEntry, Snapshot, SnapshotWriter};
pub use hosts::host_of;
use hosts::Hosts;

/// The local copy of one asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAsset {
    /// `assets/<sha256>.<ext>`: its path from the root it was read from, and the path its copy
    /// gets in a site or a Markdown tree.
    pub file: String,
    /// The `Content-Type` it was served with, if known.
    pub content_type: Option<String>,
}

/// Local copies of assets by original URL: a snapshot's (`pull --assets`) or a Markdown
/// tree's. Empty when there are none, and then nothing is rewritten.
#[derive(Debug, Clone, Default)]
pub struct LocalAssets {
    root: std::path::PathBuf,
    by_url: std::collections::BTreeMap<String, LocalAsset>,
}

impl LocalAssets {
    /// Assets under `root`, by URL; every `file` must be a plain name inside `assets/`.
    pub fn new(
        root: std::path::PathBuf,
        by_url: std::collections::BTreeMap<String, LocalAsset>,
    ) -> LocalAssets {
        LocalAssets { root, by_url }
    }

    /// The assets of a snapshot, from its manifest. A `file` that is not a plain name inside
    /// `assets/` is refused, naming the manifest, so no manifest can point a copy elsewhere.
    pub fn from_snapshot(snapshot: &Snapshot) -> Result<LocalAssets> {
        let mut by_url = std::collections::BTreeMap::new();
        for (url, entry) in &snapshot.manifest.assets {
            if !crate::snapshot::is_asset_file(&entry.file) {
                return Err(Error::data(format!(
                    "{}: asset {url} names {:?}, which is not a file of assets/",
                    snapshot.dir.join(crate::snapshot::MANIFEST_FILE).display(),
                    entry.file
                )));
            }
            let local = LocalAsset {
                file: entry.file.clone(),
                content_type: entry.content_type.clone(),
            };
            by_url.insert(url.clone(), local);
        }
        Ok(LocalAssets::new(snapshot.dir.clone(), by_url))
    }

    /// Whether there are no local copies at all.
    pub fn is_empty(&self) -> bool {
        self.by_url.is_empty()
    }

    /// The local copy of `url`, if there is one.
    pub fn get(&self, url: &str) -> Option<&LocalAsset> {
        self.by_url.get(url)
    }

    /// Every local copy, once per URL.
    pub fn assets(&self) -> impl Iterator<Item = &LocalAsset> {
        self.by_url.values()
    }

    /// Where the file of `asset` is on disk.
    pub fn path(&self, asset: &LocalAsset) -> std::path::PathBuf {
        self.root.join(&asset.file)
    }
}

/// Redirects followed per asset before giving up.
pub const MAX_REDIRECTS: usize = 5;
/// The default size limit per asset: 50 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 50 * 1024 * 1024;

/// How assets are fetched.
#[derive(Debug, Clone)]
pub struct AssetOptions {
    /// Downloads in flight at once.
    pub concurrency: usize,
    /// The largest asset kept, in bytes; a bigger one is a failure.
    pub max_bytes: u64,
    /// Tries and backoff, as for API requests.
    pub retry: RetryPolicy,
    /// Time limit for one download, body included.
    pub timeout: Duration,
    /// How long one host may keep failing (timeouts, 5xx, 429) with no download succeeding
    /// before its remaining assets are given up.
    pub host_budget: Duration,
}

/// The default [`AssetOptions::host_budget`]: two minutes.
pub const DEFAULT_HOST_BUDGET: Duration = Duration::from_secs(120);

/// What happened to the assets of a pull (`--json` prints it under `assets`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AssetReport {
    /// Distinct asset URLs the bodies refer to.
    pub referenced: usize,
    /// Fetched from their hosts in this pull.
    pub downloaded: usize,
    /// Copied from the previous snapshot without a request.
    pub reused: usize,
    /// Bytes fetched in this pull.
    pub bytes_downloaded: u64,
    /// Assets that could not be stored, by host (sorted); the bodies keep pointing at them.
    pub failed: Vec<HostFailures>,
}

/// The assets of one host that could not be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostFailures {
    /// The host, with `:port` when the URLs name one.
    pub host: String,
    /// Why the host was given up for the rest of the pull (unreachable, or failing for longer
    /// than `--asset-host-budget`); `None` when only some of its assets failed.
    pub down: Option<String>,
    /// Each asset that failed, sorted by URL.
    pub assets: Vec<AssetFailure>,
}

/// One asset that could not be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetFailure {
    /// The URL as the body has it.
    pub url: String,
    /// Why, e.g. `404 Not Found (after 1 try)`.
    pub error: String,
}

impl AssetReport {
    /// `3 assets (2 downloaded, 1 reused, 1 failed)`, for the pull's summary line.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "{} {} ({} downloaded, {} reused",
            self.referenced,
            if self.referenced == 1 {
                "asset"
            } else {
                "assets"
            },
            self.downloaded,
            self.reused
        );
        let failed = self.failed_count();
        if failed > 0 {
            line.push_str(&format!(", {failed} failed"));
        }
        line.push(')');
        line
    }

    /// How many assets could not be stored.
    pub fn failed_count(&self) -> usize {
        self.failed.iter().map(|host| host.assets.len()).sum()
    }

    /// Every asset that could not be stored, with why, by URL: what the manifest records as
    /// missing.
    pub fn missing(&self) -> std::collections::BTreeMap<String, String> {
        (self.failed.iter().flat_map(|host| &host.assets))
            .map(|failure| (failure.url.clone(), failure.error.clone()))
            .collect()
    }

    /// One line per host that was given up (`asset host H was given up: why; N assets not
    /// stored`), then one per failed asset of the other hosts.
    pub fn warnings(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for host in &self.failed {
            match &host.down {
                Some(down) => lines.push(format!(
                    "asset host {} was given up: {down}; {} not stored (first: {})",
                    host.host,
                    count_of(host.assets.len(), "asset", "assets"),
                    host.assets[0].url
                )),
                None => lines
                    .extend((host.assets.iter()).map(|f| format!("asset {}: {}", f.url, f.error))),
            }
        }
        lines
    }
}

fn count_of(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Failures grouped by host, hosts and URLs sorted; `down` says which hosts were given up.
fn group_by_host(failures: Vec<AssetFailure>, hosts: &Hosts) -> Vec<HostFailures> {
    let mut by_host: std::collections::BTreeMap<String, Vec<AssetFailure>> = Default::default();
    for failure in failures {
        by_host
            .entry(host_of(&failure.url))
            .or_default()
            .push(failure);
    }
    by_host
        .into_iter()
        .map(|(host, mut assets)| {
            assets.sort_by(|a, b| a.url.cmp(&b.url));
            HostFailures {
                down: hosts.down(&host),
                host,
                assets,
            }
        })
        .collect()
}

/// Every distinct asset URL in the bodies and descriptions of raw API objects, sorted.
pub fn referenced_urls<'a>(objects: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut urls = std::collections::BTreeSet::new();
    for raw in objects {
        let Ok(value) = serde_json::from_str::<Value>(raw) else {
            continue;
        };
        urls.extend(object_asset_urls(&value));
    }
    urls.into_iter().collect()
}

/// The asset URLs of one object's bodies and descriptions (every translation's), sorted.
pub fn object_asset_urls(object: &Value) -> std::collections::BTreeSet<String> {
    html_fields(object)
        .into_iter()
        .flat_map(asset_urls)
        .collect()
}

/// `body` and `description` of an object and of each of its translations.
fn html_fields(object: &Value) -> Vec<&str> {
    let own = [object];
    let translations = object
        .get("translated_content")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|map| map.values());
    own.into_iter()
        .chain(translations)
        .flat_map(|v| ["body", "description"].map(|key| v.get(key).and_then(Value::as_str)))
        .flatten()
        .collect()
}

/// The asset map of the snapshot being replaced, so a later pull copies what it already has
/// instead of fetching it again.
pub struct PreviousAssets {
    snapshot: Option<Snapshot>,
}

/// Previous files already checked against their checksums, so one shared by several URLs is
/// read once.
type Checked = std::collections::HashMap<std::path::PathBuf, bool>;

impl PreviousAssets {
    /// Reads the manifest at `dir`, if there is a usable snapshot there; anything else means
    /// nothing to reuse (it is not an error: the pull replaces it).
    pub fn open(dir: &std::path::Path) -> PreviousAssets {
        PreviousAssets {
            snapshot: Snapshot::open(dir).ok(),
        }
    }

    /// The previous copy of `url`: its path, checksum (checked against the file: a damaged
    /// copy is fetched again) and entry.
    fn get(
        &self,
        url: &str,
        checked: &mut Checked,
    ) -> Option<(std::path::PathBuf, &FileEntry, &AssetEntry)> {
        let snapshot = self.snapshot.as_ref()?;
        let entry = snapshot.manifest.assets.get(url)?;
        // `Snapshot::open` does not vet asset entries: one naming a file outside `assets/`
        // is not reused.
        if !crate::snapshot::is_asset_file(&entry.file) {
            return None;
        }
        let expected = snapshot.manifest.files.get(&entry.file)?;
        let path = snapshot.dir.join(&entry.file);
        let matches = *checked.entry(path.clone()).or_insert_with(|| {
            std::fs::read(&path).is_ok_and(|b| crate::snapshot::file_entry(&b) == *expected)
        });
        matches.then_some((path, expected, entry))
    }
}

/// A downloaded asset.
struct Downloaded {
    bytes: Vec<u8>,
    content_type: Option<String>,
}

/// Stores every URL in `urls` into the snapshot being written: from `previous` when it has
/// it, else downloaded. Only disk errors fail; a failed download is listed in the report.
pub async fn store_assets(
    writer: &mut SnapshotWriter,
    urls: Vec<String>,
    previous: &PreviousAssets,
    options: &AssetOptions,
    progress: &dyn Fn(u64),
) -> Result<AssetReport> {
    let mut report = AssetReport {
        referenced: urls.len(),
        ..AssetReport::default()
    };
    let mut to_fetch = Vec::new();
    let mut checked = Checked::new();
    for url in urls {
        match previous.get(&url, &mut checked) {
            Some((path, checksum, entry)) => {
                let ext = entry.file.rsplit_once('.').map_or("bin", |(_, ext)| ext);
                let content_type = entry.content_type.clone();
                writer.reuse_asset(&url, &path, checksum, ext, content_type)?;
                report.reused += 1;
            }
            None => to_fetch.push(url),
        }
    }
    progress(report.reused as u64);
    if to_fetch.is_empty() {
        return Ok(report);
    }
    let fetcher = Fetcher::new(options)?;
    let mut failures = Vec::new();
    let mut downloads = stream::iter(to_fetch)
        .map(|url| async {
            let result = fetcher.fetch(&url).await;
            (url, result)
        })
        .buffer_unordered(options.concurrency.max(1));
    while let Some((url, result)) = downloads.next().await {
        match result {
            Ok(asset) => {
                let ext = extension(&url, asset.content_type.as_deref());
                writer.write_asset(&url, &asset.bytes, &ext, asset.content_type)?;
                report.downloaded += 1;
                report.bytes_downloaded += asset.bytes.len() as u64;
            }
            Err(error) => {
                tracing::info!("asset {url} not stored: {error}");
                failures.push(AssetFailure { url, error });
            }
        }
        progress((report.reused + report.downloaded + failures.len()) as u64);
    }
    drop(downloads);
    report.failed = group_by_host(failures, &fetcher.hosts);
    Ok(report)
}

/// The file extension for an asset: the URL path's, else one for its content type, else `bin`
/// (the snapshot writer makes anything odd `bin` too).
fn extension(url: &str, content_type: Option<&str>) -> String {
    let from_path = url::Url::parse(url).ok().and_then(|u| {
        let last = u.path_segments()?.next_back()?.to_string();
        let (_, ext) = last.rsplit_once('.')?;
        // The writer's own rule; its `bin` for an unusable extension means "ask the type".
        let usable = asset_extension(ext);
        (usable != "bin" || ext.eq_ignore_ascii_case("bin")).then_some(usable)
    });
    let essence = content_type
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase());
    let from_type = match essence.as_deref() {
        Some("image/png") => Some("png"),
        Some("image/jpeg") => Some("jpg"),
        Some("image/gif") => Some("gif"),
        Some("image/webp") => Some("webp"),
        Some("image/svg+xml") => Some("svg"),
        Some("application/pdf") => Some("pdf"),
        Some("video/mp4") => Some("mp4"),
        _ => None,
    };
    from_path
        .or(from_type.map(str::to_string))
        .unwrap_or_else(|| "bin".to_string())
}

/// The plain HTTP client for assets: no token, no API headers.
struct Fetcher<'a> {
    http: reqwest::Client,
    options: &'a AssetOptions,
    hosts: Hosts,
}

/// Why one try at an asset did not end in its bytes.
enum Failed {
    /// This asset cannot be had (404, too big, a bad redirect): its host may be fine.
    Asset(String),
    /// Its host cannot be reached (DNS, refused connection, TLS): nothing on it can be.
    HostDown(String),
    /// Not tried, because its host was given up meanwhile.
    HostGivenUp,
}

impl<'a> Fetcher<'a> {
    fn new(options: &'a AssetOptions) -> Result<Fetcher<'a>> {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("helpcenter/", env!("CARGO_PKG_VERSION"))),
        );
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .redirect(redirect_policy())
            .connect_timeout(Duration::from_secs(10))
            .timeout(options.timeout)
            .build()
            .map_err(|e| Error::usage(format!("cannot set up the HTTP client for assets: {e}")))?;
        let hosts = Hosts::new(options.host_budget);
        Ok(Fetcher {
            http,
            options,
            hosts,
        })
    }

    /// Fetches `url` with retries (the API client's loop, [`RetryPolicy::run`]) unless its
    /// host was given up; the error says why and after how many tries.
    async fn fetch(&self, url: &str) -> std::result::Result<Downloaded, String> {
        if !is_http_url(url) {
            return Err("only http and https URLs are downloaded".to_string());
        }
        let host = host_of(url);
        let last_reason = std::sync::Mutex::new(String::new());
        let attempt = || async {
            if self.hosts.down(&host).is_some() {
                return Attempt::Fatal(Failed::HostGivenUp);
            }
            let outcome = self.try_once(url).await;
            match &outcome {
                Attempt::Done(_) => self.hosts.succeeded(&host),
                Attempt::Fatal(Failed::HostDown(reason)) => self.hosts.mark_down(&host, reason),
                Attempt::Retry { reason, .. } => {
                    *last_reason.lock().unwrap_or_else(|e| e.into_inner()) = reason.clone();
                    if self.hosts.failed(&host, reason).is_some() {
                        return Attempt::Fatal(Failed::Asset(reason.clone()));
                    }
                }
                Attempt::Fatal(_) => {}
            }
            outcome
        };
        let outcome = self
            .options
            .retry
            .run(attempt, |retry| {
                tracing::debug!(
                    "asset {url}: {}; retrying in {:.1} s",
                    retry.reason,
                    retry.wait.as_secs_f64()
                );
                std::future::ready(())
            })
            .await;
        let last_reason = last_reason.into_inner().unwrap_or_else(|e| e.into_inner());
        outcome.map_err(|failure| match failure {
            Failure::Fatal {
                error: Failed::HostGivenUp,
                tries: 1,
            } => format!("not tried: its host {host} was given up"),
            Failure::Fatal {
                error: Failed::HostGivenUp,
                tries,
            } => format!(
                "{last_reason} (after {}; then its host was given up)",
                count_of(tries as usize - 1, "try", "tries")
            ),
            Failure::Fatal {
                error: Failed::Asset(reason) | Failed::HostDown(reason),
                tries,
            }
            | Failure::GaveUp { reason, tries } => {
                format!(
                    "{reason} (after {})",
                    count_of(tries as usize, "try", "tries")
                )
            }
        })
    }

    /// One GET, without the API's headers: never the token.
    async fn try_once(&self, url: &str) -> Attempt<Downloaded, Failed> {
        tracing::debug!("GET asset {url}");
        let mut response = match self.http.get(url).send().await {
            Ok(response) => response,
            Err(e) => return transport_failure(e),
        };
        let status = response.status();
        if !status.is_success() {
            return status_failure(status, response.headers());
        }
        let limit = self.options.max_bytes;
        if let Some(length) = response.content_length() {
            if length > limit {
                return Attempt::Fatal(Failed::Asset(too_big(limit)));
            }
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut bytes = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    // Checked per chunk, so an answer without (or lying about) its length
                    // stops as soon as it passes the limit instead of filling memory.
                    if bytes.len() as u64 + chunk.len() as u64 > limit {
                        return Attempt::Fatal(Failed::Asset(too_big(limit)));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return transport_failure(e),
            }
        }
        Attempt::Done(Downloaded {
            bytes,
            content_type,
        })
    }
}

fn too_big(limit: u64) -> String {
    format!(
        "larger than the limit of {} (--max-asset-size)",
        format_size(limit)
    )
}

/// `50 MiB`, `512 KiB`, `900 bytes`.
pub fn format_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Parses a size such as `50M`, `50MB`, `50MiB`, `512k` or `1048576` (K, M and G count 1024s).
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let text = text.trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size (e.g. 50MB, 512KB, 1048576)"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        _ => return Err(format!("{text:?}: unknown unit (use K, M or G)")),
    };
    match number.checked_mul(factor) {
        Some(0) => Err("the size limit must be more than 0".to_string()),
        Some(bytes) => Ok(bytes),
        None => Err(format!("{text:?} is too large")),
    }
}

/// At most [`MAX_REDIRECTS`] hops, and never to anything but http(s).
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
        } else if !matches!(attempt.url().scheme(), "http" | "https") {
            attempt.error("redirected to a URL that is not http or https")
        } else {
            attempt.follow()
        }
    })
}

/// Failed in transit: retried like an API read, except a refused redirect, and a connection
/// that could not be made at all (the name does not resolve, the connection is refused, the
/// TLS handshake fails), which puts the whole host down. A connection that timed out is
/// retried: the host may only be slow.
fn transport_failure(error: reqwest::Error) -> Attempt<Downloaded, Failed> {
    // Without the URL: the failure is listed under it already (and for a redirect the
    // error's URL is a hop's, not the asset's).
    let (redirect, timeout, connect) =
        (error.is_redirect(), error.is_timeout(), error.is_connect());
    let kind = transport_kind(&error);
    let chain = error_chain(&error.without_url());
    if redirect && !timeout {
        return Attempt::Fatal(Failed::Asset(format!("bad redirect: {chain}")));
    }
    let reason = format!("{kind}: {chain}");
    if connect && !timeout {
        return Attempt::Fatal(Failed::HostDown(reason));
    }
    Attempt::Retry { reason, wait: None }
}

/// A status that is not success: 429, 5xx and 408 are retried, a 429 after the wait its
/// `Retry-After` asks for (seconds or an HTTP date, as for the API).
fn status_failure(
    status: StatusCode,
    headers: &reqwest::header::HeaderMap,
) -> Attempt<Downloaded, Failed> {
    let reason = status.to_string();
    if status.is_redirection() {
        // Only a redirect the client refused to follow gets here (e.g. to `file:`).
        let location = headers.get(reqwest::header::LOCATION);
        let location = location.and_then(|v| v.to_str().ok()).unwrap_or("nowhere");
        return Attempt::Fatal(Failed::Asset(format!(
            "{reason}: the redirect to {location} was not followed (only http and https are)"
        )));
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        let wait = retry_after(headers);
        Attempt::Retry { reason, wait }
    } else if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT {
        Attempt::Retry { reason, wait: None }
    } else {
        Attempt::Fatal(Failed::Asset(reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_come_from_bodies_and_descriptions_of_every_translation() {
        let article = r#"{"id":"1","body":"<img src=\"https://cdn.test/top.png\">",
            "translated_content":{"type":"article_translated_content",
              "en":{"body":"<img src=\"https://cdn.test/en.png\"><img src=\"https://cdn.test/top.png\">"},
              "fr":{"description":"<img src=\"https://cdn.test/fr.png\">"},"de":null}}"#;
        let collection = r#"{"id":"2","description":"Plain words"}"#;
        assert_eq!(
            referenced_urls([article, collection, "not json"]),
            [
                "https://cdn.test/en.png",
                "https://cdn.test/fr.png",
                "https://cdn.test/top.png"
            ]
        );
    }

    #[test]
    fn extensions_come_from_the_path_then_the_type() {
        assert_eq!(extension("https://c.test/i/o/1/Shot.PNG?x=1", None), "png");
        assert_eq!(
            extension("https://c.test/i/o/1/file", Some("image/jpeg; q=1")),
            "jpg"
        );
        assert_eq!(extension("https://c.test/dl/", Some("text/html")), "bin");
        assert_eq!(extension("https://c.test/a.tar..gz~", None), "bin");
    }

    #[test]
    fn an_unusable_path_extension_falls_back_to_the_type() {
        let long = "https://c.test/f.abcdefghi";
        assert_eq!(extension(long, Some("image/png")), "png");
        assert_eq!(extension("https://c.test/f.p-g", Some("image/gif")), "gif");
        assert_eq!(extension("https://c.test/f.BIN", Some("image/png")), "bin");
        assert_eq!(
            extension("https://c.test/f.Jpeg", Some("image/png")),
            "jpeg"
        );
    }

    #[test]
    fn a_429_waits_what_retry_after_asks_in_seconds_or_as_a_date() {
        let mut headers = reqwest::header::HeaderMap::new();
        let limited = StatusCode::TOO_MANY_REQUESTS;
        headers.insert(reqwest::header::RETRY_AFTER, HeaderValue::from_static("7"));
        assert!(matches!(
            status_failure(limited, &headers),
            Attempt::Retry { wait: Some(w), .. } if w == Duration::from_secs(7)
        ));
        let past = httpdate::fmt_http_date(std::time::SystemTime::UNIX_EPOCH);
        let past = HeaderValue::from_str(&past).unwrap();
        headers.insert(reqwest::header::RETRY_AFTER, past);
        assert!(matches!(
            status_failure(limited, &headers),
            Attempt::Retry {
                wait: Some(Duration::ZERO),
                ..
            }
        ));
        assert!(matches!(
            status_failure(StatusCode::BAD_GATEWAY, &headers),
            Attempt::Retry { wait: None, .. }
        ));
        assert!(matches!(
            status_failure(StatusCode::NOT_FOUND, &headers),
            Attempt::Fatal(Failed::Asset(reason)) if reason == "404 Not Found"
        ));
    }

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("50MB"), Ok(50 * 1024 * 1024));
        assert_eq!(parse_size("512k"), Ok(512 * 1024));
        assert_eq!(parse_size("1 GiB"), Ok(1024 * 1024 * 1024));
        assert_eq!(parse_size("900"), Ok(900));
        assert_eq!(
            parse_size("5 parsecs"),
            Err("\"5 parsecs\": unknown unit (use K, M or G)".to_string())
        );
        assert_eq!(
            parse_size("0"),
            Err("the size limit must be more than 0".to_string())
        );
        assert_eq!(format_size(50 * 1024 * 1024), "50 MiB");
        assert_eq!(format_size(2048), "2 KiB");
        assert_eq!(format_size(1536), "1536 bytes");
    }

    #[test]
    fn summary_names_failures_only_when_there_are_some() {
        let mut report = AssetReport {
            referenced: 3,
            downloaded: 2,
            reused: 1,
            ..AssetReport::default()
        };
        assert_eq!(report.summary(), "3 assets (2 downloaded, 1 reused)");
        report.failed.push(HostFailures {
            host: "x.test".into(),
            down: None,
            assets: vec![AssetFailure {
                url: "https://x.test/a.png".into(),
                error: "404 Not Found (after 1 try)".into(),
            }],
        });
        report.referenced = 4;
        assert_eq!(
            report.summary(),
            "4 assets (2 downloaded, 1 reused, 1 failed)"
        );
    }
}
