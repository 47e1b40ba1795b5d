//! The HTTP client: one request with auth, version header, bounded concurrency, rate-limit
//! pacing and retries.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, RETRY_AFTER, USER_AGENT};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tokio::sync::Semaphore;

use super::ratelimit::{RateGovernor, RateHeaders};
use super::retry::RetryPolicy;
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

/// The outcome of one try.
enum Attempt<T> {
    Done(T),
    /// Worth another try; `wait` is what the server asked for, if anything.
    Retry {
        reason: String,
        wait: Option<Duration>,
    },
    Fatal(Error),
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
    ///
    /// `what` names the request in errors, e.g. `/articles?page=3`.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let what = describe(path, query);
        let url = format!("{}{}", self.options.endpoint.base_url, path);
        let policy = self.options.retry;
        let mut attempt = 1;
        loop {
            let outcome = self.try_once(&url, query, &what).await;
            let (reason, wait) = match outcome {
                Attempt::Done(bytes) => match serde_json::from_slice::<T>(&bytes) {
                    Ok(value) => return Ok(value),
                    Err(e) => (format!("malformed response: {e}"), None),
                },
                Attempt::Retry { reason, wait } => (reason, wait),
                Attempt::Fatal(error) => return Err(error),
            };
            if attempt >= policy.max_attempts {
                return Err(Error::Api(format!(
                    "failed to fetch {what}: {reason} (after {attempt} tries)"
                )));
            }
            let wait = match wait {
                Some(server_wait) => {
                    let wait = policy.server_wait(server_wait);
                    self.governor.pause_for(wait).await;
                    wait
                }
                None => policy.backoff(attempt),
            };
            tracing::warn!("{what}: {reason}; retrying in {:.1} s", wait.as_secs_f64());
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn try_once(&self, url: &str, query: &[(&str, String)], what: &str) -> Attempt<Vec<u8>> {
        let _slot = self
            .slots
            .acquire()
            .await
            .expect("semaphore is never closed");
        self.governor.acquire().await;
        tracing::debug!("GET {what}");
        let response = match self.http.get(url).query(query).send().await {
            Ok(response) => response,
            Err(e) => return transport_failure(e),
        };
        let status = response.status();
        let headers = response.headers().clone();
        self.governor
            .observe(RateHeaders::from_headers(&headers))
            .await;
        let body = match response.bytes().await {
            Ok(body) => body.to_vec(),
            Err(e) => return transport_failure(e),
        };
        classify(status, &headers, body, what)
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

fn transport_failure<T>(error: reqwest::Error) -> Attempt<T> {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "connection dropped while reading the answer"
    } else {
        "request failed"
    };
    let reason = format!("{kind}: {}", error_chain(&error.without_url()));
    Attempt::Retry { reason, wait: None }
}

fn error_chain(error: &dyn std::error::Error) -> String {
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
    status: StatusCode,
    headers: &HeaderMap,
    body: Vec<u8>,
    what: &str,
) -> Attempt<Vec<u8>> {
    if status.is_success() {
        return Attempt::Done(body);
    }
    let detail = api_error_detail(&body);
    let status_text = format!("{status}{detail}");
    match status {
        StatusCode::TOO_MANY_REQUESTS => Attempt::Retry {
            reason: format!("rate limited ({status_text})"),
            wait: server_requested_wait(headers),
        },
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Attempt::Fatal(Error::Auth(format!(
            "Intercom refused the access token for GET {what}: {status_text}. Check that \
             {TOKEN_ENV} holds a valid access token for this workspace and region, with read \
             access to articles and help centers"
        ))),
        s if s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT => Attempt::Retry {
            reason: status_text,
            wait: None,
        },
        _ => Attempt::Fatal(Error::Api(format!("GET {what} failed: {status_text}"))),
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
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v.trim()));
    retry_after.or_else(|| RateHeaders::from_headers(headers).until_reset())
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

    #[test]
    fn statuses_are_classified() {
        let headers = HeaderMap::new();
        assert!(matches!(
            classify(StatusCode::OK, &headers, b"{}".to_vec(), "/x"),
            Attempt::Done(_)
        ));
        assert!(matches!(
            classify(StatusCode::SERVICE_UNAVAILABLE, &headers, vec![], "/x"),
            Attempt::Retry { wait: None, .. }
        ));
        let mut limited = HeaderMap::new();
        limited.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert!(matches!(
            classify(StatusCode::TOO_MANY_REQUESTS, &limited, vec![], "/x"),
            Attempt::Retry { wait: Some(w), .. } if w == Duration::from_secs(2)
        ));
        match classify(StatusCode::UNAUTHORIZED, &headers, vec![], "/articles") {
            Attempt::Fatal(Error::Auth(message)) => {
                assert!(
                    message.starts_with(
                        "Intercom refused the access token for GET /articles: 401 Unauthorized."
                    ),
                    "{message}"
                )
            }
            _ => panic!("401 must be fatal"),
        }
        assert!(matches!(
            classify(StatusCode::NOT_FOUND, &headers, vec![], "/x"),
            Attempt::Fatal(Error::Api(_))
        ));
    }
}
