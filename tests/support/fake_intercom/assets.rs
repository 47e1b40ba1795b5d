//! The fake's CDN: image and attachment files served at `/cdn/...`, without a token, as
//! Intercom's `downloads.intercomcdn.com` serves them.
//!
//! A file is found by the last segment of the path (`/cdn/i/o/1/shot.png` serves `shot.png`);
//! the query is ignored, so two URLs can serve the same bytes. Bodies in fixtures write the
//! fake's own address as [`BASE_PLACEHOLDER`], which the fake replaces with its base URL when
//! it starts, so what it serves names it the way the real API names its CDN.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::server::Shared;

/// What fixture bodies write instead of the fake's base URL.
pub const BASE_PLACEHOLDER: &str = "{{fake_base}}";

/// One file the fake CDN serves.
#[derive(Clone, Debug)]
pub struct FakeAsset {
    /// The `Content-Type` sent.
    pub content_type: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Whether the answer says its length; without it the body is streamed in chunks, as a
    /// server that does not know the size would, so only counting while reading can stop it.
    pub declare_length: bool,
    /// Answer `503 Service Unavailable` to this many requests before serving the file.
    pub unavailable_first: u32,
    /// Answer `302 Found` to this location instead of serving anything.
    pub redirect_to: Option<String>,
}

impl FakeAsset {
    /// A file served with its `Content-Length`; the type follows the name's extension.
    pub fn new(name: &str, bytes: Vec<u8>) -> FakeAsset {
        FakeAsset {
            content_type: content_type(name).to_string(),
            bytes,
            declare_length: true,
            unavailable_first: 0,
            redirect_to: None,
        }
    }

    /// A redirect to `location`.
    pub fn redirect(location: &str) -> FakeAsset {
        FakeAsset {
            redirect_to: Some(location.to_string()),
            ..FakeAsset::new("", Vec::new())
        }
    }
}

/// Every file of `dir`, by name.
pub fn read_dir(dir: &Path) -> BTreeMap<String, FakeAsset> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|entry| entry.expect("readable fixture directory").path())
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&path).expect("readable fixture file");
            (name.clone(), FakeAsset::new(&name, bytes))
        })
        .collect()
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("jpg") | Some("jpeg") => "image/jpeg",
        Some("mp4") => "video/mp4",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Replaces [`BASE_PLACEHOLDER`] in every string of `value` with `base`.
pub fn substitute_base(value: &mut Value, base: &str) {
    match value {
        Value::String(text) if text.contains(BASE_PLACEHOLDER) => {
            *text = text.replace(BASE_PLACEHOLDER, base);
        }
        Value::Array(items) => items.iter_mut().for_each(|v| substitute_base(v, base)),
        Value::Object(map) => map.values_mut().for_each(|v| substitute_base(v, base)),
        _ => {}
    }
}

/// `GET /cdn/{*path}`: the file named by the last segment, or a plain 404.
pub async fn serve(State(shared): State<Arc<Shared>>, UrlPath(path): UrlPath<String>) -> Response {
    let name = path.rsplit('/').next().unwrap_or_default();
    let asset = {
        let mut assets = shared.assets();
        let Some(asset) = assets.get_mut(name) else {
            return (StatusCode::NOT_FOUND, "no such file").into_response();
        };
        if asset.unavailable_first > 0 {
            asset.unavailable_first -= 1;
            return (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response();
        }
        asset.clone()
    };
    if let Some(location) = &asset.redirect_to {
        return (StatusCode::FOUND, [(header::LOCATION, location.clone())]).into_response();
    }
    let content_type = [(header::CONTENT_TYPE, asset.content_type.clone())];
    if asset.declare_length {
        return (content_type, asset.bytes).into_response();
    }
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = asset
        .bytes
        .chunks(64 * 1024)
        .map(|chunk| Ok(chunk.to_vec()))
        .collect();
    let body = Body::from_stream(futures::stream::iter(chunks));
    (content_type, body).into_response()
}
