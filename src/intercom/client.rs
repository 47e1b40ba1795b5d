//! The HTTP client: one request with auth, version header, bounded concurrency, rate-limit
//! pacing and retries.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, USER_AGENT,
};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::Semaphore;

use super::ratelimit::{RateGovernor, RateHeaders};
use super::retry::{Attempt, Failure, RetryPolicy};
use super::{ApiVersion, Endpoint, Token, TOKEN_ENV};
use crate::error::{Error, Result};

/// Everything needed to talk to one Intercom workspace.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Host and region.
    pub endpoint: Endpoint,
    /// The `Intercom-Version` sent with every request.
    pub version: ApiVersion,
    /// The access token.
    pub token: Token,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Items asked for per page of a list (the server may cap it).
    pub per_page: usize,
    /// Retries and backoff.
    pub retry: RetryPolicy,
    /// Time limit for one request, answer included.
    pub timeout: Duration,
}

/// A client for one workspace. Cheap to clone; clones share pacing and concurrency limits.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    options: Arc<ClientOptions>,
    governor: Arc<RateGovernor>,
    slots: Arc<Semaphore>,
}

/// One request: what the retry loop needs to send it again and to name it in messages.
struct Request<'a> {
    method: Method,
    path: &'a str,
    query: &'a [(&'a str, String)],
    /// JSON body; `None` sends none.
    body: Option<&'a Value>,
}

impl Request<'_> {
    /// `/articles?page=3` for reads, `PUT /articles/12` for writes (never holds the token).
    fn label(&self) -> String {
        let what = describe(self.path, self.query);
        if self.method == Method::GET {
            what
        } else {
            format!("{} {what}", self.method)
        }
    }

    /// Whether sending it twice leaves the same state as sending it once. A `POST` that may
    /// have reached the server is not tried again: it could create a second article.
    fn idempotent(&self) -> bool {
        self.method != Method::POST
    }

    fn gave_up(&self, reason: &str, tries: u32) -> Error {
        let message = if self.method == Method::GET {
            format!(
                "failed to fetch {}: {reason} (after {tries} tries)",
                self.label()
            )
        } else {
            format!("{} failed: {reason} (after {tries} tries)", self.label())
        };
        Error::Api(message)
    }

    /// The error for a failure after which a non-idempotent request must not be repeated.
    fn maybe_applied(&self, reason: &str) -> Error {
        Error::Api(format!(
            "{} may or may not have been applied ({reason}); not retried because it is not \
             idempotent: check Intercom before trying again",
            self.label()
        ))
    }
}

impl Client {
    /// Builds the client (TLS by rustls; no system libraries needed).
    pub fn new(options: ClientOptions) -> Result<Client> {
        let http = reqwest::Client::builder()
            .default_headers(default_headers(&options)?)
            .connect_timeout(Duration::from_secs(10))
            .timeout(options.timeout)
            .build()
            .map_err(|e| Error::usage(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Client {
            http,
            slots: Arc::new(Semaphore::new(options.concurrency.max(1))),
            options: Arc::new(options),
            governor: Arc::new(RateGovernor::default()),
        })
    }

    /// The options this client was built with.
    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// GETs `path` with `query` and parses the JSON answer, retrying what is worth retrying.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let request = Request {
            method: Method::GET,
            path,
            query,
            body: None,
        };
        self.execute(&request).await
    }

    /// Sends `body` as JSON with `method` (`PUT`, `POST`, `DELETE`) and parses the JSON answer.
    /// A `null` body sends none. `PUT` and `DELETE` are retried like reads; a `POST` only
    /// when the server certainly did not act on it (no connection, `429`, `503`).
    pub async fn send_json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<T> {
        let request = Request {
            method,
            path,
            query: &[],
            body: (!body.is_null()).then_some(body),
        };
        self.execute(&request).await
    }

    /// Every request goes through the one retry loop, [`RetryPolicy::run`]. A wait the
    /// server asked for pauses every request of this client, not only this one.
    async fn execute<T: DeserializeOwned>(&self, request: &Request<'_>) -> Result<T> {
        let outcome = self
            .options
            .retry
            .run(
                || self.attempt(request),
                |retry| async move {
                    if retry.requested {
                        self.governor.pause_for(retry.wait).await;
                    }
                    tracing::warn!(
                        "{}: {}; retrying in {:.1} s",
                        request.label(),
                        retry.reason,
                        retry.wait.as_secs_f64()
                    );
                },
            )
            .await;
        outcome.map_err(|failure| match failure {
            Failure::Fatal { error, .. } => error,
            Failure::GaveUp { reason, tries } => request.gave_up(&reason, tries),
        })
    }

    /// One try, its answer parsed: a malformed one is retried when repeating is safe.
    async fn attempt<T: DeserializeOwned>(&self, request: &Request<'_>) -> Attempt<T, Error> {
        let bytes = match self.try_once(request).await {
            Attempt::Done(bytes) => bytes,
            Attempt::Retry { reason, wait } => return Attempt::Retry { reason, wait },
            Attempt::Fatal(error) => return Attempt::Fatal(error),
        };
        match serde_json::from_slice::<T>(&bytes) {
            Ok(value) => Attempt::Done(value),
            Err(e) if request.idempotent() => Attempt::Retry {
                reason: format!("malformed response: {e}"),
                wait: None,
            },
            Err(e) => {
                let reason = format!("malformed response: {e}");
                Attempt::Fatal(Error::Api(format!("{}: {reason}", request.label())))
            }
        }
    }

    async fn try_once(&self, request: &Request<'_>) -> Attempt<Vec<u8>, Error> {
        let _slot = self
            .slots
            .acquire()
            .await
            .expect("semaphore is never closed");
        self.governor.acquire().await;
        tracing::debug!(
            "{} {}",
            request.method,
            describe(request.path, request.query)
        );
        let url = format!("{}{}", self.options.endpoint.base_url, request.path);
        let mut builder = self
            .http
            .request(request.method.clone(), url)
            .query(request.query);
        if let Some(body) = request.body {
            let bytes = serde_json::to_vec(body).expect("JSON values serialise");
            builder = builder.header(CONTENT_TYPE, "application/json").body(bytes);
        }
        let response = match builder.send().await {
            Ok(response) => response,
            Err(e) => return transport_failure(request, e),
        };
        let status = response.status();
        let headers = response.headers().clone();
        self.governor
            .observe(RateHeaders::from_headers(&headers))
            .await;
        match response.bytes().await {
            Ok(body) => classify(request, status, &headers, body.to_vec()),
            Err(e) => transport_failure(request, e),
        }
    }
}

fn default_headers(options: &ClientOptions) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    let mut auth =
        HeaderValue::from_str(&format!("Bearer {}", options.token.secret())).map_err(|_| {
            Error::Auth(format!(
                "{TOKEN_ENV} contains characters that cannot be sent in an HTTP header"
            ))
        })?;
    auth.set_sensitive(true);
    headers.insert(AUTHORIZATION, auth);
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(
        "Intercom-Version",
        HeaderValue::from_str(&options.version.to_string()).expect("version is ASCII"),
    );
    headers.insert(
        USER_AGENT,
        HeaderValue::from_static(concat!("helpcenter/", env!("CARGO_PKG_VERSION"))),
    );
    Ok(headers)
}

/// `/articles?page=3&per_page=150` for messages (never holds the token: it travels in a header).
pub(crate) fn describe(path: &str, query: &[(&str, String)]) -> String {
    if query.is_empty() {
        return path.to_string();
    }
    let pairs: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{path}?{}", pairs.join("&"))
}

/// What went wrong in transit, in words: `timed out`, `could not connect`, ...
pub(crate) fn transport_kind(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "connection dropped while reading the answer"
    } else {
        "request failed"
    }
}

/// A request that failed in transit: retried when repeating it is safe or it never left.
fn transport_failure<T>(request: &Request<'_>, error: reqwest::Error) -> Attempt<T, Error> {
    let never_sent = error.is_connect();
    let kind = transport_kind(&error);
    let reason = format!("{kind}: {}", error_chain(&error.without_url()));
    if never_sent || request.idempotent() {
        Attempt::Retry { reason, wait: None }
    } else {
        Attempt::Fatal(request.maybe_applied(&reason))
    }
}

/// An error and its causes on one line, each said once.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn classify(
    request: &Request<'_>,
    status: StatusCode,
    headers: &HeaderMap,
    body: Vec<u8>,
) -> Attempt<Vec<u8>, Error> {
    if status.is_success() {
        return Attempt::Done(body);
    }
    let status_text = format!("{status}{}", api_error_detail(&body));
    let label = request.label();
    match status {
        StatusCode::TOO_MANY_REQUESTS => Attempt::Retry {
            reason: format!("rate limited ({status_text})"),
            wait: server_requested_wait(headers),
        },
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            let access = if request.method == Method::GET {
                "read"
            } else {
                "write"
            };
            Attempt::Fatal(Error::Auth(format!(
                "Intercom refused the access token for {} {}: {status_text}. Check that \
                 {TOKEN_ENV} holds a valid access token for this workspace and region, with \
                 {access} access to articles and help centers",
                request.method,
                describe(request.path, request.query)
            )))
        }
        // The server did not act on the request: safe to repeat even a POST.
        StatusCode::SERVICE_UNAVAILABLE => Attempt::Retry {
            reason: status_text,
            wait: None,
        },
        s if s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT => {
            if request.idempotent() {
                Attempt::Retry {
                    reason: status_text,
                    wait: None,
                }
            } else {
                Attempt::Fatal(request.maybe_applied(&status_text))
            }
        }
        _ => Attempt::Fatal(Error::Api(format!("{label} failed: {status_text}"))),
    }
}

/// `: not_found: Article Not Found` from an Intercom `error.list` body, or nothing.
fn api_error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct ErrorList {
        errors: Vec<ApiError>,
    }
    #[derive(Deserialize)]
    struct ApiError {
        code: Option<String>,
        message: Option<String>,
    }
    let Ok(list) = serde_json::from_slice::<ErrorList>(body) else {
        return String::new();
    };
    let parts: Vec<String> = list
        .errors
        .iter()
        .map(|e| match (&e.code, &e.message) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            (Some(one), None) | (None, Some(one)) => one.clone(),
            (None, None) => String::new(),
        })
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

/// What a 429 asks for: `Retry-After` (seconds or an HTTP date), else `X-RateLimit-Reset`.
fn server_requested_wait(headers: &HeaderMap) -> Option<Duration> {
    retry_after(headers).or_else(|| RateHeaders::from_headers(headers).until_reset())
}

/// The wait a `Retry-After` header asks for, in seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v.trim()))
}

fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_joins_query() {
        let query = [("page", "3".to_string()), ("per_page", "150".to_string())];
        assert_eq!(
            describe("/articles", &query),
            "/articles?page=3&per_page=150"
        );
        assert_eq!(
            describe("/help_center/help_centers", &[]),
            "/help_center/help_centers"
        );
    }

    #[test]
    fn error_detail_reads_error_lists() {
        let body = br#"{"type":"error.list","request_id":"x","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}"#;
        assert_eq!(
            api_error_detail(body),
            " (unauthorized: Access Token Invalid)"
        );
        assert_eq!(api_error_detail(b"<html>502</html>"), "");
    }

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        let past = httpdate::fmt_http_date(std::time::SystemTime::UNIX_EPOCH);
        assert_eq!(parse_retry_after(&past), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }

    fn get<'a>(path: &'a str) -> Request<'a> {
        Request {
            method: Method::GET,
            path,
            query: &[],
            body: None,
        }
    }

    fn write(method: Method) -> Request<'static> {
        Request {
            method,
            path: "/articles",
            query: &[],
            body: None,
        }
    }

    #[test]
    fn statuses_are_classified() {
        let headers = HeaderMap::new();
        let x = get("/x");
        assert!(matches!(
            classify(&x, StatusCode::OK, &headers, b"{}".to_vec()),
            Attempt::Done(_)
        ));
        assert!(matches!(
            classify(&x, StatusCode::SERVICE_UNAVAILABLE, &headers, vec![]),
            Attempt::Retry { wait: None, .. }
        ));
        let mut limited = HeaderMap::new();
        limited.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert!(matches!(
            classify(&x, StatusCode::TOO_MANY_REQUESTS, &limited, vec![]),
            Attempt::Retry { wait: Some(w), .. } if w == Duration::from_secs(2)
        ));
        match classify(
            &get("/articles"),
            StatusCode::UNAUTHORIZED,
            &headers,
            vec![],
        ) {
            Attempt::Fatal(Error::Auth(message)) => assert!(
                message.starts_with(
                    "Intercom refused the access token for GET /articles: 401 Unauthorized."
                ),
                "{message}"
            ),
            _ => panic!("401 must be fatal"),
        }
        assert!(matches!(
            classify(&x, StatusCode::NOT_FOUND, &headers, vec![]),
            Attempt::Fatal(Error::Api(_))
        ));
    }

    #[test]
    fn server_errors_retry_puts_but_not_posts() {
        let headers = HeaderMap::new();
        let (put, post) = (write(Method::PUT), write(Method::POST));
        assert!(matches!(
            classify(&put, StatusCode::BAD_GATEWAY, &headers, vec![]),
            Attempt::Retry { .. }
        ));
        match classify(&post, StatusCode::BAD_GATEWAY, &headers, vec![]) {
            Attempt::Fatal(Error::Api(message)) => assert!(
                message.starts_with("POST /articles may or may not have been applied"),
                "{message}"
            ),
            _ => panic!("a 502 after a POST must not be retried"),
        }
        for status in [
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::SERVICE_UNAVAILABLE,
        ] {
            assert!(matches!(
                classify(&post, status, &headers, vec![]),
                Attempt::Retry { .. }
            ));
        }
    }

    #[test]
    fn client_errors_are_fatal_and_named() {
        let answer = br#"{"type":"error.list","errors":[{"code":"parameter_not_found","message":"title is missing"}]}"#;
        match classify(
            &write(Method::PUT),
            StatusCode::BAD_REQUEST,
            &HeaderMap::new(),
            answer.to_vec(),
        ) {
            Attempt::Fatal(Error::Api(message)) => assert_eq!(
                message,
                "PUT /articles failed: 400 Bad Request (parameter_not_found: title is missing)"
            ),
            _ => panic!("a 400 is fatal"),
        }
        match classify(
            &write(Method::PUT),
            StatusCode::FORBIDDEN,
            &HeaderMap::new(),
            vec![],
        ) {
            Attempt::Fatal(Error::Auth(message)) => {
                assert!(message.contains("with write access"), "{message}")
            }
            _ => panic!("a 403 is fatal"),
        }
    }
}
