//! Routing and the request pipeline. Every request goes through, outermost first:
//!
//! 1. [`record`]: logs the request, adds the configured latency, logs the status answered;
//! 2. [`gate`]: token, `Intercom-Version`, rate limit, then holds and injected faults;
//! 3. the route's handler, which locks the [`Store`] for one query.
//!
//! To add a write endpoint, add a route here and a `&mut self` method on `Store`.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{json, Value};

use super::super::workspace::Workspace;
use super::assets::{self, FakeAsset};
use super::faults::{self, FaultKind, FaultPlan, FaultState, Hold, Holds, RequestLine, Tripwire};
use super::ratelimit::{RateLimiter, Verdict};
use super::respond::{error_list, list_page, not_found, ok, ApiError};
use super::store::{PageRequest, Store};
use super::version::ApiVersion;
use super::{FakeIntercom, RecordedRequest, ServerConfig};

/// Everything the handlers share. Locks are held only for short synchronous work, never across
/// an `.await`, so plain mutexes do.
pub struct Shared {
    /// The configuration the server was started with.
    pub config: ServerConfig,
    default_version: ApiVersion,
    store: Mutex<Store>,
    faults: Mutex<FaultState>,
    holds: Mutex<Holds>,
    log: Mutex<Vec<RecordedRequest>>,
    limiter: Option<Mutex<RateLimiter>>,
    assets: Mutex<std::collections::BTreeMap<String, FakeAsset>>,
}

/// Marks an answer with the fault that produced it, for the request log.
#[derive(Clone)]
struct AppliedFault(FaultKind);

impl Shared {
    /// State for a server serving `workspace` with `config`; panics on a bad default version.
    pub fn new(workspace: Workspace, config: ServerConfig) -> Shared {
        let default_version = ApiVersion::parse(&config.default_version)
            .unwrap_or_else(|| panic!("unknown default version {:?}", config.default_version));
        Shared {
            default_version,
            store: Mutex::new(Store::new(workspace)),
            faults: Mutex::new(FaultState::new(FaultPlan::none())),
            holds: Mutex::new(Holds::default()),
            log: Mutex::new(Vec::new()),
            assets: Mutex::new(Default::default()),
            limiter: config
                .rate_limit
                .clone()
                .map(|r| Mutex::new(RateLimiter::new(r))),
            config,
        }
    }

    /// The store, locked.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    /// Replaces the fault plan; its counters start from zero.
    pub fn set_faults(&self, plan: FaultPlan) {
        *lock(&self.faults) = FaultState::new(plan);
    }

    /// Holds the request `matcher` selects at `hold`; see [`FakeIntercom::hold`].
    pub fn hold(&self, matcher: faults::Matcher, hold: Hold) -> Tripwire {
        lock(&self.holds).add(matcher, hold)
    }

    /// Forgets every hold (requests already held stay held).
    pub fn release_holds(&self) {
        *lock(&self.holds) = Holds::default();
    }

    /// The files of the fake CDN, by name, locked.
    pub fn assets(&self) -> MutexGuard<'_, std::collections::BTreeMap<String, FakeAsset>> {
        lock(&self.assets)
    }

    /// The request log, locked.
    pub fn log(&self) -> MutexGuard<'_, Vec<RecordedRequest>> {
        lock(&self.log)
    }

    fn log_request(&self, parts: &axum::http::request::Parts, body: &[u8]) -> usize {
        let mut log = self.log();
        log.push(RecordedRequest {
            method: parts.method.to_string(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().unwrap_or("").to_string(),
            headers: header_pairs(&parts.headers),
            body: body.to_vec(),
            status: 0,
            fault: None,
        });
        log.len() - 1
    }

    fn log_answer(&self, index: usize, response: &Response) {
        let fault = response.extensions().get::<AppliedFault>();
        if let Some(entry) = self.log().get_mut(index) {
            entry.status = response.status().as_u16();
            entry.fault = fault.map(|f| f.0.clone());
        }
    }
}

/// A poisoned lock only means another test thread panicked; the data is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The whole app: routes, then the pipeline layers (the last added runs first).
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/help_center/help_centers", get(list_help_centers))
        .route("/help_center/help_centers/{id}", get(get_help_center))
        .route(
            "/help_center/collections",
            get(list_collections).post(create_collection),
        )
        .route(
            "/help_center/collections/{id}",
            get(get_collection).put(update_collection),
        )
        .route("/help_center/sections", get(list_sections))
        .route(
            "/help_center/sections/{id}",
            get(get_section).put(update_section),
        )
        .route("/articles", get(list_articles).post(create_article))
        .route(
            "/articles/{id}",
            get(get_article).put(update_article).delete(delete_article),
        )
        .fallback(unknown_path)
        .layer(from_fn_with_state(shared.clone(), gate))
        // Added after the gate, so it is outside it: a CDN asks for no token.
        .route("/cdn/{*path}", get(assets::serve))
        .layer(from_fn_with_state(shared.clone(), record))
        .with_state(shared)
}

/// Logs every request on arrival (so the log is in arrival order) and its status once answered.
/// A request whose client went away before the answer keeps status 0.
async fn record(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let index = shared.log_request(&parts, &body);
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
    shared.log_answer(index, &response);
    response
}

/// Token, version, rate limit and faults, in the order the real API checks them: a bad token
/// is answered before anything else and is not counted against the rate limit.
async fn gate(State(shared): State<Arc<Shared>>, mut request: Request, next: Next) -> Response {
    if !authorized(request.headers()) {
        return error_list(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Access Token Invalid",
        );
    }
    let version = match requested_version(request.headers(), shared.default_version) {
        Ok(version) => version,
        Err(error) => return error.into_response(),
    };
    request.extensions_mut().insert(version);
    let verdict = shared.limiter.as_ref().map(|limiter| lock(limiter).hit());
    let mut response = match verdict {
        Some(verdict) if !verdict.allowed => rate_limited(&verdict, &shared.config),
        _ => answer_or_fault(&shared, request, next).await,
    };
    if let Some(verdict) = verdict {
        verdict.add_headers(response.headers_mut());
    }
    response
}

fn authorized(headers: &HeaderMap) -> bool {
    let expected = format!("Bearer {}", FakeIntercom::TOKEN);
    headers
        .get(header::AUTHORIZATION)
        .is_some_and(|value| value.as_bytes() == expected.as_bytes())
}

/// The `Intercom-Version` header, or the default when absent.
fn requested_version(headers: &HeaderMap, default: ApiVersion) -> Result<ApiVersion, ApiError> {
    let Some(value) = headers.get("intercom-version") else {
        return Ok(default);
    };
    value
        .to_str()
        .ok()
        .and_then(ApiVersion::parse)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "intercom_version_invalid",
                "The requested version could not be found",
            )
        })
}

fn rate_limited(verdict: &Verdict, config: &ServerConfig) -> Response {
    let window = config.rate_limit.as_ref().map_or(0, |r| r.window.as_secs());
    let message = format!(
        "Exceeded rate limit of {} in {window} seconds",
        verdict.limit
    );
    error_list(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limit_exceeded",
        &message,
    )
}

async fn answer_or_fault(shared: &Shared, request: Request, next: Next) -> Response {
    let (fault, hold) = {
        let line = RequestLine {
            method: request.method().as_str(),
            path: request.uri().path(),
            query: request.uri().query().unwrap_or(""),
        };
        let hold = lock(&shared.holds).decide(&line);
        (lock(&shared.faults).decide(&line), hold)
    };
    if let Some((hold, wire)) = hold {
        return held(hold, wire, request, next).await;
    }
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    let mut response = faults::apply(&fault, request, next).await;
    response.extensions_mut().insert(AppliedFault(fault));
    response
}

/// A held request: the tripwire goes off at the hold's point, and the answer never comes
/// (except for [`Hold::Answered`]).
async fn held(hold: Hold, wire: Tripwire, request: Request, next: Next) -> Response {
    if hold == Hold::Before {
        wire.trip();
        return std::future::pending().await;
    }
    let response = next.run(request).await;
    wire.trip();
    if hold == Hold::After {
        return std::future::pending().await;
    }
    response
}

/// The `page` and `per_page` query parameters: positive integers, `per_page` clamped to the cap
/// (bigger values are not an error), anything else a 400 `parameter_invalid`.
fn page_request(query: Option<&str>, config: &ServerConfig) -> Result<PageRequest, ApiError> {
    let mut request = PageRequest {
        page: 1,
        per_page: config.default_per_page,
    };
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "page" => request.page = positive("page", value)?,
            "per_page" => request.per_page = positive("per_page", value)?,
            _ => {}
        }
    }
    request.per_page = request.per_page.min(config.per_page_cap);
    Ok(request)
}

fn positive(key: &'static str, value: &str) -> Result<usize, ApiError> {
    match value.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(ApiError::parameter_invalid(key)),
    }
}

/// `200` with the object, or `404 not_found`. Handlers bind the query's result before calling
/// this, so the store is locked only for the query, not while the answer is serialised.
fn found(object: Option<Value>) -> Response {
    object.map_or_else(not_found, |object| ok(&object))
}

/// The help centers list has no `pages` and no `total_count`: the real API sends everything in
/// one answer, and clients must cope with that difference.
async fn list_help_centers(State(shared): State<Arc<Shared>>) -> Response {
    let data = shared.store().help_centers();
    ok(&json!({ "type": "list", "data": data }))
}

async fn get_help_center(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let object = shared.store().help_center(&id);
    found(object)
}

async fn list_collections(
    State(shared): State<Arc<Shared>>,
    Extension(version): Extension<ApiVersion>,
    RawQuery(query): RawQuery,
) -> Response {
    let page = match page_request(query.as_deref(), &shared.config) {
        Ok(page) => page,
        Err(error) => return error.into_response(),
    };
    let items = shared.store().collections(version, page);
    list_page(items, page)
}

async fn get_collection(
    State(shared): State<Arc<Shared>>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> Response {
    let object = shared.store().collection(version, &id);
    found(object)
}

/// Sections exist only in 2.9; later versions answer 404, as the real API does.
async fn list_sections(
    State(shared): State<Arc<Shared>>,
    Extension(version): Extension<ApiVersion>,
    RawQuery(query): RawQuery,
) -> Response {
    if !version.has_sections() {
        return not_found();
    }
    let page = match page_request(query.as_deref(), &shared.config) {
        Ok(page) => page,
        Err(error) => return error.into_response(),
    };
    let items = shared.store().sections(version, page);
    list_page(items, page)
}

async fn get_section(
    State(shared): State<Arc<Shared>>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> Response {
    if !version.has_sections() {
        return not_found();
    }
    let object = shared.store().section(version, &id);
    found(object)
}

/// `PUT /help_center/sections/{id}` (2.9 only): merges names and descriptions.
async fn update_section(
    State(shared): State<Arc<Shared>>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if !version.has_sections() {
        return not_found();
    }
    write_answer(&body, |body| {
        shared.store().update_section(version, &id, body)
    })
}

async fn list_articles(
    State(shared): State<Arc<Shared>>,
    Extension(version): Extension<ApiVersion>,
    RawQuery(query): RawQuery,
) -> Response {
    let page = match page_request(query.as_deref(), &shared.config) {
        Ok(page) => page,
        Err(error) => return error.into_response(),
    };
    let items = shared.store().articles(version, page);
    list_page(items, page)
}

async fn get_article(
    State(shared): State<Arc<Shared>>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> Response {
    let object = shared.store().article(version, &id);
    found(object)
}

/// `PUT /articles/{id}`: merges the given fields and locales; 400 for a body that breaks the
/// schema, 404 for an unknown id.
async fn update_article(
    State(shared): State<Arc<Shared>>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    write_answer(&body, |body| {
        shared.store().update_article(version, &id, body)
    })
}

/// `PUT /help_center/collections/{id}`: merges names and descriptions; 404 for an unknown id.
async fn update_collection(
    State(shared): State<Arc<Shared>>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    write_answer(&body, |body| {
        shared.store().update_collection(version, &id, body)
    })
}

/// `POST /help_center/collections`: a new collection; 400 without `name`.
async fn create_collection(
    State(shared): State<Arc<Shared>>,
    Extension(version): Extension<ApiVersion>,
    body: axum::body::Bytes,
) -> Response {
    write_answer(&body, |body| {
        shared.store().create_collection(version, body)
    })
}

/// `POST /articles`: a new article; 400 without `title` or `author_id`.
async fn create_article(
    State(shared): State<Arc<Shared>>,
    Extension(version): Extension<ApiVersion>,
    body: axum::body::Bytes,
) -> Response {
    write_answer(&body, |body| shared.store().create_article(version, body))
}

/// `DELETE /articles/{id}`; 404 for an unknown id.
async fn delete_article(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    answer(shared.store().delete_article(&id))
}

/// Parses a write's JSON body (400 when it is not JSON) and answers with what `apply` made of it.
fn write_answer(body: &[u8], apply: impl FnOnce(&Value) -> Result<Value, ApiError>) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return error_list(
            StatusCode::BAD_REQUEST,
            "parameter_invalid",
            "the request body is not valid JSON",
        );
    };
    answer(apply(&body))
}

/// The object a write produced, or its error as Intercom's `error.list`.
fn answer(result: Result<Value, ApiError>) -> Response {
    match result {
        Ok(object) => ok(&object),
        Err(error) => error.into_response(),
    }
}

async fn unknown_path() -> Response {
    not_found()
}

/// Header names (lowercase, as the `http` crate spells them) and values, as received.
fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_string(), value)
        })
        .collect()
}
