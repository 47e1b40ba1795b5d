//! Injected failures: what can go wrong ([`FaultKind`]), when ([`FaultPlan`], [`Matcher`]), and how
//! each failure is produced on the wire; and holds ([`Hold`]), which stop one request at a
//! chosen point so a test can kill its client there.
//!
//! Faults only hit requests that are otherwise valid (right token, known version, within the
//! configured rate limit), and they never change state: a faulted write is not applied.

use std::collections::HashMap;
use std::io;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::{future, stream, StreamExt};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use super::respond::{error_list, json_response};

/// One way an answer can go wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// An Intercom error: this status (500, 502, 503, 504, ...) with an `error.list` JSON body.
    Status(u16),
    /// A load balancer error: this status with a plain HTML page instead of JSON.
    HtmlStatus(u16),
    /// `429` with `rate_limit_exceeded`, a `Retry-After: <seconds>` header when `retry_after` is
    /// set, and `X-RateLimit-Remaining: 0` plus `X-RateLimit-Reset: <now + reset_in>` (Unix
    /// seconds) when `reset_in` is set.
    TooManyRequests {
        /// Seconds for the `Retry-After` header.
        retry_after: Option<u64>,
        /// Seconds from now for the `X-RateLimit-Reset` header.
        reset_in: Option<u64>,
    },
    /// The real status and headers (with the full `Content-Length`), then half the body, then the
    /// connection is closed: the client sees an incomplete message.
    DropConnection,
    /// The real answer, after this delay (to exercise client timeouts).
    Slow(Duration),
    /// A complete, well-formed HTTP answer whose JSON body is cut in half; `Content-Length`
    /// matches the cut body, so only JSON parsing fails.
    TruncatedJson,
}

/// Which requests a scripted fault hits. Requests are counted from the moment the plan is set,
/// and only requests that faults can hit (authorised, valid version, within the rate limit).
///
/// A pattern is matched against the path (`/articles`), or against `path?query` when it
/// contains `?` (`/articles?page=2*`); a trailing `*` makes it a prefix (`/articles/*`), a lone
/// `*` matches everything, and a leading method (`PUT /articles/*`) restricts the method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matcher {
    pattern: Pattern,
    selection: Selection,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Selection {
    /// Only the n-th matching request (1-based).
    Nth(usize),
    /// The first n matching requests.
    First(usize),
    /// Every matching request.
    Every,
}

impl Matcher {
    /// The n-th request (1-based) to any path.
    pub fn nth(n: usize) -> Matcher {
        Matcher::nth_to("*", n)
    }

    /// The n-th request (1-based) matching `pattern`, e.g. `nth_to("/articles", 3)`.
    pub fn nth_to(pattern: &str, n: usize) -> Matcher {
        assert!(n >= 1, "requests are counted from 1");
        Matcher {
            pattern: Pattern::parse(pattern),
            selection: Selection::Nth(n),
        }
    }

    /// The first n requests matching `pattern`: "fail twice, then answer".
    pub fn first_to(pattern: &str, n: usize) -> Matcher {
        Matcher {
            pattern: Pattern::parse(pattern),
            selection: Selection::First(n),
        }
    }

    /// Every request matching `pattern`.
    pub fn every(pattern: &str) -> Matcher {
        Matcher {
            pattern: Pattern::parse(pattern),
            selection: Selection::Every,
        }
    }

    fn selects(&self, count: usize) -> bool {
        match self.selection {
            Selection::Nth(n) => count == n,
            Selection::First(n) => count <= n,
            Selection::Every => true,
        }
    }
}

/// A parsed matcher pattern; see [`Matcher`].
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pattern {
    method: Option<String>,
    text: String,
    prefix: bool,
}

impl Pattern {
    fn parse(pattern: &str) -> Pattern {
        let (method, rest) = match pattern.split_once(' ') {
            Some((method, rest)) => (Some(method.to_ascii_uppercase()), rest),
            None => (None, pattern),
        };
        let (text, prefix) = match rest.strip_suffix('*') {
            Some(text) => (text.to_string(), true),
            None => (rest.to_string(), false),
        };
        Pattern {
            method,
            text,
            prefix,
        }
    }

    fn matches(&self, request: &RequestLine) -> bool {
        if self.method.as_deref().is_some_and(|m| m != request.method) {
            return false;
        }
        let subject = if self.text.contains('?') {
            format!("{}?{}", request.path, request.query)
        } else {
            request.path.to_string()
        };
        if self.prefix {
            subject.starts_with(&self.text)
        } else {
            subject == self.text
        }
    }
}

/// When faults happen: scripted rules (the first rule that selects a request wins), then, for
/// requests no rule selected, optional random faults. The default plan has no faults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultPlan {
    rules: Vec<(Matcher, FaultKind)>,
    random: Option<RandomFaults>,
}

#[derive(Clone, Debug, PartialEq)]
struct RandomFaults {
    seed: u64,
    probability: f64,
    kinds: Vec<FaultKind>,
    only: Option<Pattern>,
    max_per_request: Option<usize>,
}

impl FaultPlan {
    /// No faults: every request is answered normally.
    pub fn none() -> FaultPlan {
        FaultPlan::default()
    }

    /// Faults at scripted points, e.g.
    /// `FaultPlan::scripted(vec![(Matcher::nth_to("/articles", 3), FaultKind::Status(503))])`.
    pub fn scripted(rules: Vec<(Matcher, FaultKind)>) -> FaultPlan {
        FaultPlan {
            rules,
            random: None,
        }
    }

    /// Each request fails with `probability`, with a kind drawn evenly from `kinds`; the draws
    /// come from `seed`, so a client that sends the same requests in the same order meets the
    /// same faults.
    pub fn random(seed: u64, probability: f64, kinds: Vec<FaultKind>) -> FaultPlan {
        assert!((0.0..=1.0).contains(&probability), "a probability");
        assert!(
            !kinds.is_empty() || probability == 0.0,
            "random faults need kinds"
        );
        FaultPlan {
            rules: Vec::new(),
            random: Some(RandomFaults {
                seed,
                probability,
                kinds,
                only: None,
                max_per_request: None,
            }),
        }
    }

    /// Random faults hit the same request (method, path and query) at most `n` times, so a client
    /// that tries each request `n + 1` times always gets through.
    pub fn max_per_request(mut self, n: usize) -> FaultPlan {
        self.random_mut().max_per_request = Some(n);
        self
    }

    /// Random faults hit only requests matching `pattern` (see [`Matcher`] for patterns).
    pub fn only(mut self, pattern: &str) -> FaultPlan {
        self.random_mut().only = Some(Pattern::parse(pattern));
        self
    }

    /// Adds a scripted rule, checked before random faults.
    pub fn with_rule(mut self, matcher: Matcher, kind: FaultKind) -> FaultPlan {
        self.rules.push((matcher, kind));
        self
    }

    fn random_mut(&mut self) -> &mut RandomFaults {
        self.random
            .as_mut()
            .expect("only random plans take this option")
    }
}

/// The request fields faults are matched on.
pub struct RequestLine<'a> {
    /// `GET`, `PUT`, ...
    pub method: &'a str,
    /// The path, without the query.
    pub path: &'a str,
    /// The raw query, without `?` (empty when none).
    pub query: &'a str,
}

/// A plan being played: its counters and random generator.
pub struct FaultState {
    plan: FaultPlan,
    /// How many requests each rule's pattern matched so far.
    rule_counts: Vec<usize>,
    rng: StdRng,
    /// Random faults so far per `METHOD path?query`, for `max_per_request`.
    random_hits: HashMap<String, usize>,
}

impl FaultState {
    /// Starts playing `plan` with fresh counters.
    pub fn new(plan: FaultPlan) -> FaultState {
        let seed = plan.random.as_ref().map_or(0, |r| r.seed);
        FaultState {
            rule_counts: vec![0; plan.rules.len()],
            rng: StdRng::seed_from_u64(seed),
            random_hits: HashMap::new(),
            plan,
        }
    }

    /// The fault for this request, if any. Every rule counts the request even when an earlier
    /// rule already chose a fault, so "the 3rd request to X" means the 3rd, whatever else fails.
    pub fn decide(&mut self, request: &RequestLine) -> Option<FaultKind> {
        let mut chosen = None;
        for (i, (matcher, kind)) in self.plan.rules.iter().enumerate() {
            if !matcher.pattern.matches(request) {
                continue;
            }
            self.rule_counts[i] += 1;
            if chosen.is_none() && matcher.selects(self.rule_counts[i]) {
                chosen = Some(kind.clone());
            }
        }
        chosen.or_else(|| self.random_fault(request))
    }

    fn random_fault(&mut self, request: &RequestLine) -> Option<FaultKind> {
        let random = self.plan.random.as_ref()?;
        if random.only.as_ref().is_some_and(|p| !p.matches(request)) {
            return None;
        }
        let key = format!("{} {}?{}", request.method, request.path, request.query);
        let hits = self.random_hits.entry(key).or_default();
        if random.max_per_request.is_some_and(|max| *hits >= max) {
            return None;
        }
        if !self.rng.random_bool(random.probability) {
            return None;
        }
        *hits += 1;
        let index = self.rng.random_range(0..random.kinds.len());
        Some(random.kinds[index].clone())
    }
}

/// Answers `request` with `fault`. Faults that need the real answer (slow, truncated, dropped)
/// run the handler only for reads: a faulted write must not change state, so it gets a
/// placeholder body instead.
pub async fn apply(fault: &FaultKind, request: Request, next: Next) -> Response {
    match fault {
        FaultKind::Status(code) => json_error_status(*code),
        FaultKind::HtmlStatus(code) => html_error_status(*code),
        FaultKind::TooManyRequests {
            retry_after,
            reset_in,
        } => too_many_requests(*retry_after, *reset_in),
        FaultKind::Slow(delay) => {
            tokio::time::sleep(*delay).await;
            next.run(request).await
        }
        FaultKind::TruncatedJson => truncate(real_or_placeholder(request, next).await).await,
        FaultKind::DropConnection => drop_midway(real_or_placeholder(request, next).await).await,
    }
}

fn status_code(code: u16) -> StatusCode {
    StatusCode::from_u16(code).expect("a fault status is a valid HTTP status")
}

/// An Intercom-style error, with a code named after the status.
fn json_error_status(code: u16) -> Response {
    let (error_code, message) = match code {
        502 => ("bad_gateway", "Bad Gateway"),
        503 => ("service_unavailable", "Service Unavailable"),
        504 => ("gateway_timeout", "Gateway Timeout"),
        _ => ("server_error", "Server Error"),
    };
    error_list(status_code(code), error_code, message)
}

/// The kind of page a load balancer answers with when the application behind it fails.
fn html_error_status(code: u16) -> Response {
    let status = status_code(code);
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let page = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    );
    let mut response = (status, page).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

fn too_many_requests(retry_after: Option<u64>, reset_in: Option<u64>) -> Response {
    let mut response = error_list(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limit_exceeded",
        "Rate limit exceeded",
    );
    let headers = response.headers_mut();
    if let Some(seconds) = retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if let Some(seconds) = reset_in {
        headers.insert("x-ratelimit-remaining", HeaderValue::from(0));
        headers.insert("x-ratelimit-reset", HeaderValue::from(unix_now() + seconds));
    }
    response
}

async fn real_or_placeholder(request: Request, next: Next) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return next.run(request).await;
    }
    let body = json!({ "type": "fake_intercom.placeholder", "note": "this write was not applied" });
    json_response(StatusCode::OK, &body)
}

/// Keeps status and headers, cuts the body in half (at a character boundary, so the client
/// fails on JSON syntax rather than on UTF-8) and sets `Content-Length` to match.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = collect(body).await;
    let cut = half_at_char_boundary(&bytes);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(cut));
    Response::from_parts(parts, Body::from(bytes.slice(..cut)))
}

/// Keeps status and headers with the full `Content-Length`, sends half the body, then fails the
/// body stream, which makes the server abort the connection. The pause before failing lets the
/// server flush what it has, so the client really receives a partial message.
async fn drop_midway(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = collect(body).await;
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let half = bytes.slice(..half_at_char_boundary(&bytes));
    let failure = async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "fake Intercom dropped the connection",
        ))
    };
    let chunks =
        stream::once(future::ready(Ok::<Bytes, io::Error>(half))).chain(stream::once(failure));
    Response::from_parts(parts, Body::from_stream(chunks))
}

async fn collect(body: Body) -> Bytes {
    axum::body::to_bytes(body, usize::MAX)
        .await
        .expect("the fake's own answers are readable")
}

/// Half the length, moved back to a UTF-8 character boundary; never the whole body.
fn half_at_char_boundary(bytes: &[u8]) -> usize {
    let mut cut = bytes.len() / 2;
    // UTF-8 continuation bytes look like 0b10xx_xxxx.
    while cut > 0 && bytes.get(cut).is_some_and(|b| b & 0xC0 == 0x80) {
        cut -= 1;
    }
    cut
}

/// Where a held request stops (see [`super::FakeIntercom::hold`]). A held request is never
/// answered: it waits until its client goes away (killed) or the server stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    /// Before the fake acts on it: nothing of it is applied.
    Before,
    /// After the fake acted on it (a write is applied), with the answer withheld.
    After,
    /// Not held: answered as usual, the tripwire going off as the answer leaves.
    Answered,
}

/// Goes off when a hold's request arrives, so a test can act (kill the client) at that point.
#[derive(Clone, Debug, Default)]
pub struct Tripwire(std::sync::Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>);

impl Tripwire {
    /// Sets it off.
    pub fn trip(&self) {
        let (tripped, ready) = &*self.0;
        *tripped.lock().unwrap_or_else(|e| e.into_inner()) = true;
        ready.notify_all();
    }

    /// Waits until it goes off; `false` when `timeout` passes first.
    pub fn wait(&self, timeout: Duration) -> bool {
        let (tripped, ready) = &*self.0;
        let guard = tripped.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = ready
            .wait_timeout_while(guard, timeout, |tripped| !*tripped)
            .unwrap_or_else(|e| e.into_inner());
        *guard
    }
}

/// Holds being played: which request each waits for, and its tripwire.
#[derive(Default)]
pub struct Holds {
    rules: Vec<(Matcher, Hold, Tripwire, usize)>,
}

impl Holds {
    /// Adds a hold of the request `matcher` selects (counted from now).
    pub fn add(&mut self, matcher: Matcher, hold: Hold) -> Tripwire {
        let wire = Tripwire::default();
        self.rules.push((matcher, hold, wire.clone(), 0));
        wire
    }

    /// The hold for this request, if one selects it; every hold counts the request.
    pub fn decide(&mut self, request: &RequestLine) -> Option<(Hold, Tripwire)> {
        let mut chosen = None;
        for (matcher, hold, wire, count) in &mut self.rules {
            if matcher.pattern.matches(request) {
                *count += 1;
                if chosen.is_none() && matcher.selects(*count) {
                    chosen = Some((*hold, wire.clone()));
                }
            }
        }
        chosen
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}
