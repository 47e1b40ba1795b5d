//! Tests of the test support itself: the fake Intercom server answers like the real API, injects
//! the faults it promises, records requests, and the fixture workspaces hold what they claim.

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::RequestBuilder;
use serde_json::{json, Value};

use support::fake_intercom::{
    FakeIntercom, FaultKind, FaultPlan, Matcher, RateLimit, RecordedRequest, ServerConfig,
};
use support::workspace::{GeneratedSpec, Shape, Workspace};

/// A client for one server, one test: reqwest clients must not outlive their test's runtime.
struct Api {
    http: reqwest::Client,
    base: String,
}

/// A whole answer, read eagerly.
struct Answer {
    status: u16,
    headers: HeaderMap,
    bytes: Vec<u8>,
}

impl Api {
    fn new(server: &FakeIntercom) -> Api {
        Api {
            http: reqwest::Client::new(),
            base: server.base_url(),
        }
    }

    /// An authorised GET without a version header.
    fn request(&self, path: &str) -> RequestBuilder {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(FakeIntercom::TOKEN)
    }

    async fn get(&self, path: &str) -> Answer {
        send(self.request(path)).await
    }

    async fn get_v(&self, path: &str, version: &str) -> Answer {
        send(self.request(path).header("Intercom-Version", version)).await
    }
}

async fn send(request: RequestBuilder) -> Answer {
    let response = request.send().await.expect("the fake answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a complete body").to_vec();
    Answer {
        status,
        headers,
        bytes,
    }
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).expect("a JSON body")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().expect("ASCII"))
    }

    /// The ids of a list answer's `data`, in order.
    fn ids(&self) -> Vec<String> {
        self.json()["data"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|item| item["id"].as_str().expect("string ids").to_string())
            .collect()
    }

    /// The single error of an `error.list` answer.
    fn error_code(&self) -> String {
        let body = self.json();
        assert_eq!(body["type"], "error.list");
        assert_eq!(body["errors"].as_array().map(Vec::len), Some(1));
        body["errors"][0]["code"]
            .as_str()
            .expect("a code")
            .to_string()
    }
}

fn generated(articles: usize) -> Workspace {
    Workspace::generated(&GeneratedSpec::with_articles(articles))
}

fn strings(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// True for `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx` (lowercase hex).
fn is_uuid_v4(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let lengths: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    let hex = text
        .chars()
        .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c));
    hex && lengths == [8, 4, 4, 4, 12]
        && parts[2].starts_with('4')
        && parts[3].starts_with(['8', '9', 'a', 'b'])
}

// ---- pagination and ordering ------------------------------------------------------------------

#[tokio::test]
async fn an_empty_list_has_one_empty_page() {
    let server = FakeIntercom::start(generated(0));
    let answer = Api::new(&server).get("/articles").await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json(),
        json!({"type": "list", "data": [], "total_count": 0,
               "pages": {"type": "pages", "page": 1, "per_page": 50, "total_pages": 1}})
    );
}

#[tokio::test]
async fn exactly_per_page_items_fit_on_one_page() {
    let server = FakeIntercom::start(generated(50));
    let api = Api::new(&server);
    let first = api.get("/articles").await.json();
    assert_eq!(first["data"].as_array().unwrap().len(), 50);
    assert_eq!(first["total_count"], 50);
    assert_eq!(
        first["pages"],
        json!({"type": "pages", "page": 1, "per_page": 50, "total_pages": 1})
    );
    // A page past the end is not an error, just empty.
    let past = api.get("/articles?page=2").await;
    assert_eq!(past.status, 200);
    assert_eq!(past.json()["data"], json!([]));
    assert_eq!(past.json()["pages"]["page"], 2);
    assert_eq!(past.json()["total_count"], 50);
}

#[tokio::test]
async fn one_more_than_per_page_needs_a_second_page() {
    let server = FakeIntercom::start(generated(51));
    let api = Api::new(&server);
    let first = api.get("/articles").await;
    assert_eq!(first.json()["pages"]["total_pages"], 2);
    let second = api.get("/articles?page=2").await;
    assert_eq!(second.json()["data"].as_array().unwrap().len(), 1);
    let all = api.get("/articles?per_page=51").await.ids();
    assert_eq!(second.ids(), vec![all[50].clone()]);
}

#[tokio::test]
async fn per_page_is_clamped_to_the_cap_not_rejected() {
    let server = FakeIntercom::start(generated(200));
    let answer = Api::new(&server).get("/articles?per_page=1000").await;
    assert_eq!(answer.status, 200);
    let body = answer.json();
    assert_eq!(body["data"].as_array().unwrap().len(), 150);
    assert_eq!(
        body["pages"],
        json!({"type": "pages", "page": 1, "per_page": 150, "total_pages": 2})
    );

    let config = ServerConfig {
        per_page_cap: 10,
        default_per_page: 4,
        ..ServerConfig::default()
    };
    let server = FakeIntercom::with_config(generated(25), config);
    let api = Api::new(&server);
    assert_eq!(api.get("/articles").await.json()["pages"]["per_page"], 4);
    assert_eq!(api.get("/articles").await.json()["pages"]["total_pages"], 7);
    assert_eq!(
        api.get("/articles?per_page=11").await.json()["pages"]["per_page"],
        10
    );
}

#[tokio::test]
async fn invalid_paging_parameters_are_400() {
    let server = FakeIntercom::start(generated(3));
    let api = Api::new(&server);
    for (query, field) in [
        ("per_page=abc", "per_page"),
        ("per_page=0", "per_page"),
        ("per_page=-5", "per_page"),
        ("page=0", "page"),
        ("page=1.5", "page"),
        ("page=", "page"),
    ] {
        let answer = api.get(&format!("/articles?{query}")).await;
        assert_eq!(answer.status, 400, "{query}");
        assert_eq!(answer.error_code(), "parameter_invalid", "{query}");
        assert_eq!(answer.json()["errors"][0]["field"], field, "{query}");
    }
    // Unknown parameters are ignored, as by the real API.
    assert_eq!(api.get("/articles?order=asc").await.status, 200);
}

#[tokio::test]
async fn articles_are_newest_first_with_ties_by_id_descending() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let ids = Api::new(&server).get("/articles?per_page=100").await.ids();
    // 111 and 108 share updated_at 1715000000: the higher id comes first.
    let expected = [
        "113", "110", "109", "101", "107", "102", "103", "111", "108", "104", "105", "106", "112",
        "114",
    ];
    assert_eq!(ids, strings(&expected));
}

#[tokio::test]
async fn pages_concatenate_to_the_whole_list_in_order() {
    let spec = GeneratedSpec {
        articles: 400,
        tie_rate: 0.2,
        ..GeneratedSpec::default()
    };
    let workspace = Workspace::generated(&spec);
    let server = FakeIntercom::start(workspace.clone());
    let api = Api::new(&server);
    let mut seen = Vec::new();
    for page in 1..=11 {
        let body = api
            .get(&format!("/articles?per_page=37&page={page}"))
            .await
            .json();
        assert_eq!(body["pages"]["total_pages"], 11);
        seen.extend(body["data"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(seen.len(), 400);
    let ids: BTreeSet<&str> = seen.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 400, "no article twice");
    let key = |a: &Value| {
        (
            a["updated_at"].as_i64().unwrap(),
            a["id"].as_str().unwrap().parse::<u64>().unwrap(),
        )
    };
    assert!(seen.windows(2).all(|w| key(&w[0]) > key(&w[1])));
    let ties = seen
        .windows(2)
        .filter(|w| w[0]["updated_at"] == w[1]["updated_at"])
        .count();
    assert!(ties > 0, "the generated workspace has updated_at ties");
}

#[tokio::test]
async fn collections_are_listed_by_id_ascending() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let answer = Api::new(&server).get("/help_center/collections").await;
    let expected = ["201", "202", "203", "204", "205", "206", "207", "208"];
    assert_eq!(answer.ids(), strings(&expected));
    assert_eq!(answer.json()["total_count"], 8);
    let paged = Api::new(&server)
        .get("/help_center/collections?per_page=3&page=3")
        .await;
    assert_eq!(paged.ids(), strings(&["207", "208"]));
    assert_eq!(paged.json()["pages"]["total_pages"], 3);
}

// ---- objects, versions and shapes ------------------------------------------------------------

#[tokio::test]
async fn objects_are_served_exactly_as_stored() {
    let workspace = Workspace::load("multilingual");
    let server = FakeIntercom::start(workspace.clone());
    let api = Api::new(&server);
    let article = api.get("/articles/101").await;
    // Same text means same values and same key order, unknown fields included.
    let stored = workspace.article("101").unwrap();
    assert_eq!(
        String::from_utf8(article.bytes).unwrap(),
        serde_json::to_string(stored).unwrap()
    );
    assert_eq!(
        api.get("/help_center/collections/205").await.json()["future_field"]["layout"],
        "grid"
    );
    let ja = &api.get("/articles/109").await.json()["translated_content"]["ja"];
    assert_eq!(ja["machine_translated"], true);
}

#[tokio::test]
async fn statistics_come_only_with_a_single_article() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let api = Api::new(&server);
    let listed = api.get("/articles?per_page=100").await.json();
    assert!(listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a.get("statistics").is_none()));
    let single = api.get("/articles/101").await.json();
    assert_eq!(single["statistics"]["views"], 4812);
}

#[tokio::test]
async fn help_centers_list_has_no_pages() {
    let workspace = Workspace::load("multilingual");
    let server = FakeIntercom::start(workspace.clone());
    let api = Api::new(&server);
    let answer = api.get("/help_center/help_centers").await;
    assert_eq!(
        answer.json(),
        json!({"type": "list", "data": [workspace.help_centers[0].clone()]})
    );
    let one = api.get("/help_center/help_centers/12").await;
    assert_eq!(one.json(), workspace.help_centers[0]);
    assert_eq!(
        one.header("content-type"),
        Some("application/json; charset=utf-8")
    );
}

#[tokio::test]
async fn unknown_ids_and_paths_are_404_not_found() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let api = Api::new(&server);
    for path in [
        "/articles/999",
        "/articles/abc",
        "/help_center/collections/999",
        "/help_center/help_centers/999",
        "/help_center/nope",
        "/",
    ] {
        let answer = api.get(path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.error_code(), "not_found", "{path}");
        assert_eq!(
            answer.json()["errors"][0]["message"],
            "Resource Not Found",
            "{path}"
        );
    }
}

#[tokio::test]
async fn every_version_from_2_9_to_2_15_is_accepted() {
    let server = FakeIntercom::start(generated(2));
    let api = Api::new(&server);
    for minor in 9..=15 {
        let answer = api.get_v("/articles", &format!("2.{minor}")).await;
        assert_eq!(answer.status, 200, "2.{minor}");
    }
}

#[tokio::test]
async fn unknown_versions_are_400_intercom_version_invalid() {
    let server = FakeIntercom::start(generated(2));
    let api = Api::new(&server);
    for version in ["2.8", "2.16", "3.0", "2.09", "latest", "", "2"] {
        let answer = api.get_v("/articles", version).await;
        assert_eq!(answer.status, 400, "{version:?}");
        assert_eq!(
            answer.error_code(),
            "intercom_version_invalid",
            "{version:?}"
        );
    }
}

#[tokio::test]
async fn no_version_header_means_the_default_version() {
    let server = FakeIntercom::start(Workspace::load("sections-2.9"));
    // Default 2.15: no sections.
    assert_eq!(
        Api::new(&server).get("/help_center/sections").await.status,
        404
    );
    let config = ServerConfig {
        default_version: "2.9".into(),
        ..ServerConfig::default()
    };
    let server = FakeIntercom::with_config(Workspace::load("sections-2.9"), config);
    assert_eq!(
        Api::new(&server).get("/help_center/sections").await.status,
        200
    );
}

#[tokio::test]
async fn sections_exist_only_in_2_9() {
    let server = FakeIntercom::start(Workspace::load("sections-2.9"));
    let api = Api::new(&server);
    let sections = api.get_v("/help_center/sections", "2.9").await;
    assert_eq!(sections.ids(), strings(&["401", "402", "403", "404"]));
    assert_eq!(sections.json()["data"][0]["type"], "section");
    assert_eq!(sections.json()["data"][0]["parent_id"], 301);
    let one = api.get_v("/help_center/sections/402", "2.9").await;
    assert_eq!(one.json()["future_field"]["columns"], 2);
    for version in ["2.10", "2.15"] {
        for path in ["/help_center/sections", "/help_center/sections/401"] {
            let answer = api.get_v(path, version).await;
            assert_eq!(answer.status, 404, "{path} {version}");
            assert_eq!(answer.error_code(), "not_found");
        }
    }
    let collections = api.get_v("/help_center/collections", "2.9").await;
    assert_eq!(collections.ids(), strings(&["301", "302", "303"]));
    assert_eq!(collections.json()["data"][0]["type"], "collection");
    assert!(collections.json()["data"][0].get("parent_id").is_none());
}

#[tokio::test]
async fn a_2_9_workspace_seen_by_2_10_has_its_sections_as_collections() {
    let server = FakeIntercom::start(Workspace::load("sections-2.9"));
    let api = Api::new(&server);
    let collections = api.get_v("/help_center/collections", "2.10").await;
    let expected = ["301", "302", "303", "401", "402", "403", "404"];
    assert_eq!(collections.ids(), strings(&expected));
    let data = collections.json()["data"].clone();
    let top = &data[0];
    assert_eq!(top["parent_id"], Value::Null);
    assert_eq!(top["help_center_id"], 31);
    assert!(top.get("type").is_none());
    let former_section = &data[4];
    let keys: Vec<&str> = former_section
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "workspace_id",
            "name",
            "url",
            "order",
            "created_at",
            "updated_at",
            "parent_id",
            "help_center_id",
            "default_locale",
            "translated_content",
            "future_field"
        ]
    );
    assert_eq!(former_section["parent_id"], "302");
    assert_eq!(former_section["help_center_id"], 31);
    // The former section can be fetched as a collection now.
    let one = api.get_v("/help_center/collections/402", "2.15").await;
    assert_eq!(one.json(), *former_section);

    let in_section = api.get_v("/articles/501", "2.10").await.json();
    assert_eq!(in_section["parent_type"], "collection");
    assert_eq!(in_section["parent_id"], 401);
    assert!(in_section.get("parent_ids").is_none());
    let in_2_11 = api.get_v("/articles/501", "2.11").await.json();
    assert_eq!(in_2_11["parent_ids"], json!([401]));
    let standalone = api.get_v("/articles/509", "2.11").await.json();
    assert_eq!(standalone["parent_ids"], json!([]));
    let as_stored = api.get_v("/articles/501", "2.9").await.json();
    assert_eq!(as_stored["parent_type"], "section");
}

#[tokio::test]
async fn a_nested_workspace_seen_by_2_9_has_its_second_level_as_sections() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let api = Api::new(&server);
    let collections = api.get_v("/help_center/collections", "2.9").await;
    assert_eq!(collections.ids(), strings(&["201", "202", "203"]));
    let top = collections.json()["data"][0].clone();
    assert!(top.get("parent_id").is_none());
    assert_eq!(top["type"], "collection");
    assert_eq!(top["help_center_id"], 12);

    let sections = api.get_v("/help_center/sections", "2.9").await;
    assert_eq!(sections.ids(), strings(&["204", "205", "206"]));
    let parents: Vec<Value> = sections.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["parent_id"].clone())
        .collect();
    assert_eq!(parents, [json!(201), json!(202), json!(202)]);
    let section = &sections.json()["data"][0];
    assert_eq!(section["type"], "section");
    assert!(section.get("help_center_id").is_none());

    // Third-level collections do not exist in 2.9 (the documented limitation).
    let deep = api.get_v("/help_center/collections/207", "2.9").await;
    assert_eq!(deep.status, 404);
    let in_section = api.get_v("/articles/102", "2.9").await.json();
    assert_eq!(in_section["parent_type"], "section");
    assert!(in_section.get("parent_ids").is_none());
    let in_deep = api.get_v("/articles/106", "2.9").await.json();
    assert_eq!(in_deep["parent_type"], "collection");
    assert_eq!(in_deep["parent_id"], 207);
}

#[tokio::test]
async fn parent_ids_appear_from_2_11() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let api = Api::new(&server);
    assert!(api
        .get_v("/articles/101", "2.10")
        .await
        .json()
        .get("parent_ids")
        .is_none());
    assert_eq!(
        api.get_v("/articles/101", "2.11").await.json()["parent_ids"],
        json!([201])
    );
    let listed = api.get_v("/articles?per_page=100", "2.10").await.json();
    assert!(listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a.get("parent_ids").is_none()));
}

// ---- authentication, rate limits ---------------------------------------------------------------

#[tokio::test]
async fn requests_without_the_token_get_401() {
    let server = FakeIntercom::start(generated(1));
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.base_url());
    let attempts = [
        http.get(url("/articles")),
        http.get(url("/articles")).bearer_auth("wrong"),
        http.get(url("/articles"))
            .header("Authorization", FakeIntercom::TOKEN),
        // Authentication comes before routing and version checks.
        http.get(url("/nope")).header("Intercom-Version", "9.9"),
    ];
    for request in attempts {
        let answer = send(request).await;
        assert_eq!(answer.status, 401);
        let body = answer.json();
        let keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["type", "request_id", "errors"]);
        assert_eq!(body["type"], "error.list");
        assert!(is_uuid_v4(body["request_id"].as_str().unwrap()), "{body}");
        assert_eq!(
            body["errors"],
            json!([{"code": "unauthorized", "message": "Access Token Invalid"}])
        );
    }
}

#[tokio::test]
async fn rate_limit_headers_count_down_then_429() {
    let config = ServerConfig {
        rate_limit: Some(RateLimit {
            limit: 3,
            window: Duration::from_secs(60),
        }),
        ..ServerConfig::default()
    };
    let server = FakeIntercom::with_config(generated(1), config);
    let api = Api::new(&server);
    let before = unix_now();
    let mut resets = BTreeSet::new();
    for remaining in ["2", "1", "0"] {
        let answer = api.get("/articles").await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("x-ratelimit-limit"), Some("3"));
        assert_eq!(answer.header("x-ratelimit-remaining"), Some(remaining));
        resets.insert(answer.header("x-ratelimit-reset").unwrap().to_string());
    }
    assert_eq!(resets.len(), 1, "one window, one reset time");
    let reset: u64 = resets.first().unwrap().parse().unwrap();
    assert!(
        reset > before && reset <= before + 61,
        "{reset} vs {before}"
    );

    let limited = api.get("/articles").await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.error_code(), "rate_limit_exceeded");
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(
        limited.header("x-ratelimit-reset"),
        Some(reset.to_string().as_str())
    );

    // Unauthorised requests are neither counted nor given rate limit headers.
    let anonymous =
        send(reqwest::Client::new().get(format!("{}/articles", server.base_url()))).await;
    assert_eq!(anonymous.status, 401);
    assert!(anonymous.header("x-ratelimit-limit").is_none());
}

#[tokio::test]
async fn the_rate_limit_window_resets() {
    let config = ServerConfig {
        rate_limit: Some(RateLimit {
            limit: 1,
            window: Duration::from_secs(1),
        }),
        ..ServerConfig::default()
    };
    let server = FakeIntercom::with_config(generated(1), config);
    let api = Api::new(&server);
    // Two requests in one window: the second is over the limit. On a loaded machine the pair
    // may straddle a window boundary, so try a few pairs.
    let mut limited = false;
    for _ in 0..5 {
        if api.get("/articles").await.status == 429 || api.get("/articles").await.status == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "the limit of 1 per window was enforced");
    // After a whole window, the count starts again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let answer = api.get("/articles").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("x-ratelimit-remaining"), Some("0"));
}

// ---- faults ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_status_fault_answers_an_error_list() {
    let server = FakeIntercom::start(generated(3));
    server.set_faults(FaultPlan::scripted(vec![(
        Matcher::nth_to("/articles", 2),
        FaultKind::Status(503),
    )]));
    let api = Api::new(&server);
    assert_eq!(api.get("/articles").await.status, 200);
    // Other paths do not count towards "the 2nd request to /articles".
    assert_eq!(api.get("/help_center/collections").await.status, 200);
    let failed = api.get("/articles").await;
    assert_eq!(failed.status, 503);
    assert_eq!(failed.error_code(), "service_unavailable");
    assert_eq!(
        failed.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(api.get("/articles").await.status, 200);
    let faults: Vec<Option<FaultKind>> = server.requests().into_iter().map(|r| r.fault).collect();
    assert_eq!(faults, [None, None, Some(FaultKind::Status(503)), None]);
}

#[tokio::test]
async fn an_html_status_fault_looks_like_a_load_balancer() {
    let server = FakeIntercom::start(generated(3));
    server.set_faults(FaultPlan::scripted(vec![(
        Matcher::every("*"),
        FaultKind::HtmlStatus(502),
    )]));
    let answer = Api::new(&server).get("/articles").await;
    assert_eq!(answer.status, 502);
    assert_eq!(answer.header("content-type"), Some("text/html"));
    let page = String::from_utf8(answer.bytes).unwrap();
    assert!(page.starts_with("<html>"), "{page}");
    assert!(page.contains("<title>502 Bad Gateway</title>"), "{page}");
    assert!(serde_json::from_str::<Value>(&page).is_err());
}

#[tokio::test]
async fn a_too_many_requests_fault_sets_retry_headers() {
    let server = FakeIntercom::start(generated(3));
    server.set_faults(FaultPlan::scripted(vec![
        (
            Matcher::nth(1),
            FaultKind::TooManyRequests {
                retry_after: Some(7),
                reset_in: Some(30),
            },
        ),
        (
            Matcher::nth(2),
            FaultKind::TooManyRequests {
                retry_after: None,
                reset_in: None,
            },
        ),
    ]));
    let api = Api::new(&server);
    let now = unix_now();
    let first = api.get("/articles").await;
    assert_eq!(first.status, 429);
    assert_eq!(first.error_code(), "rate_limit_exceeded");
    assert_eq!(first.header("retry-after"), Some("7"));
    assert_eq!(first.header("x-ratelimit-remaining"), Some("0"));
    let reset: u64 = first.header("x-ratelimit-reset").unwrap().parse().unwrap();
    assert!((now + 30..=now + 35).contains(&reset), "{reset} vs {now}");
    let second = api.get("/articles").await;
    assert_eq!(second.status, 429);
    assert!(second.header("retry-after").is_none());
    assert!(second.header("x-ratelimit-reset").is_none());
}

#[tokio::test]
async fn a_scripted_429_keeps_its_own_reset_under_a_rate_limit() {
    let config = ServerConfig {
        rate_limit: Some(RateLimit::intercom_default()),
        ..ServerConfig::default()
    };
    let server = FakeIntercom::with_config(generated(1), config);
    server.set_faults(FaultPlan::scripted(vec![(
        Matcher::nth(1),
        FaultKind::TooManyRequests {
            retry_after: None,
            reset_in: Some(3600),
        },
    )]));
    let answer = Api::new(&server).get("/articles").await;
    assert_eq!(answer.header("x-ratelimit-limit"), Some("1666"));
    assert_eq!(answer.header("x-ratelimit-remaining"), Some("0"));
    let reset: u64 = answer.header("x-ratelimit-reset").unwrap().parse().unwrap();
    assert!(reset >= unix_now() + 3590);
}

#[tokio::test]
async fn a_dropped_connection_leaves_an_incomplete_body() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let api = Api::new(&server);
    let whole = api.get("/articles/101").await.bytes.len();
    server.set_faults(FaultPlan::scripted(vec![(
        Matcher::nth(1),
        FaultKind::DropConnection,
    )]));
    let response = api
        .request("/articles/101")
        .send()
        .await
        .expect("headers arrive");
    assert_eq!(response.status(), 200);
    assert_eq!(response.content_length(), Some(whole as u64));
    let body = response.bytes().await;
    assert!(
        body.is_err(),
        "the body must fail, got {} bytes",
        body.unwrap().len()
    );
    // The server is fine afterwards.
    assert_eq!(api.get("/articles/101").await.bytes.len(), whole);
    let recorded = &server.requests()[1];
    assert_eq!(recorded.status, 200);
    assert_eq!(recorded.fault, Some(FaultKind::DropConnection));
}

#[tokio::test]
async fn a_slow_fault_delays_the_real_answer() {
    let server = FakeIntercom::start(generated(3));
    server.set_faults(FaultPlan::scripted(vec![(
        Matcher::first_to("/articles", 2),
        FaultKind::Slow(Duration::from_millis(300)),
    )]));
    let api = Api::new(&server);
    let start = Instant::now();
    let answer = api.get("/articles").await;
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["total_count"], 3);
    // A client with a shorter timeout gives up.
    let error = api
        .request("/articles")
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
}

#[tokio::test]
async fn a_truncated_json_fault_is_a_complete_answer_with_half_the_json() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let api = Api::new(&server);
    let whole = api.get("/articles?per_page=5").await.bytes;
    server.set_faults(FaultPlan::scripted(vec![(
        Matcher::nth(1),
        FaultKind::TruncatedJson,
    )]));
    let cut = api.get("/articles?per_page=5").await;
    assert_eq!(cut.status, 200);
    assert_eq!(
        cut.header("content-length"),
        Some(cut.bytes.len().to_string().as_str())
    );
    assert!(cut.bytes.len() <= whole.len() / 2 && cut.bytes.len() + 4 > whole.len() / 2);
    assert_eq!(cut.bytes[..], whole[..cut.bytes.len()]);
    let error = serde_json::from_slice::<Value>(&cut.bytes).unwrap_err();
    assert!(error.is_eof(), "{error}");
}

#[tokio::test]
async fn matchers_select_requests_by_count_path_query_and_method() {
    let server = FakeIntercom::start(generated(120));
    let api = Api::new(&server);
    server.set_faults(FaultPlan::scripted(vec![
        (Matcher::first_to("/articles/*", 2), FaultKind::Status(500)),
        (Matcher::every("/articles?page=2*"), FaultKind::Status(504)),
        (Matcher::every("POST *"), FaultKind::Status(502)),
    ]));
    let statuses = [
        api.get("/articles/100001").await.status,
        api.get("/articles/100002").await.status,
        api.get("/articles/100001").await.status,
        api.get("/articles?page=2").await.status,
        api.get("/articles?page=2&per_page=10").await.status,
        api.get("/articles?page=1").await.status,
        api.get("/articles").await.status,
    ];
    assert_eq!(statuses, [500, 500, 200, 504, 504, 200, 200]);
}

#[tokio::test]
async fn faults_hit_only_otherwise_valid_requests() {
    let server = FakeIntercom::start(generated(3));
    server.set_faults(FaultPlan::scripted(vec![(
        Matcher::nth(1),
        FaultKind::Status(500),
    )]));
    let api = Api::new(&server);
    let anonymous =
        send(reqwest::Client::new().get(format!("{}/articles", server.base_url()))).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(api.get_v("/articles", "1.0").await.status, 400);
    // The first request faults may hit is this one.
    assert_eq!(api.get("/articles").await.status, 500);
    assert_eq!(api.get("/articles").await.status, 200);
}

#[tokio::test]
async fn random_faults_are_reproducible_from_the_seed() {
    let kinds = vec![
        FaultKind::Status(500),
        FaultKind::Status(503),
        FaultKind::HtmlStatus(502),
    ];
    let mut runs = Vec::new();
    for _ in 0..2 {
        let server = FakeIntercom::start(generated(60));
        server.set_faults(FaultPlan::random(42, 0.4, kinds.clone()));
        let api = Api::new(&server);
        let mut statuses = Vec::new();
        for page in 1..=30 {
            statuses.push(
                api.get(&format!("/articles?per_page=2&page={page}"))
                    .await
                    .status,
            );
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    let failures = runs[0].iter().filter(|s| **s != 200).count();
    assert!((3..=25).contains(&failures), "{:?}", runs[0]);
}

#[tokio::test]
async fn random_faults_respect_max_per_request_and_only() {
    let server = FakeIntercom::start(generated(3));
    let plan = FaultPlan::random(7, 1.0, vec![FaultKind::Status(500)])
        .max_per_request(2)
        .only("/articles*");
    server.set_faults(plan);
    let api = Api::new(&server);
    let statuses = [
        api.get("/articles").await.status,
        api.get("/articles").await.status,
        api.get("/articles").await.status,
        api.get("/articles?page=2").await.status,
        api.get("/help_center/collections").await.status,
    ];
    assert_eq!(statuses, [500, 500, 200, 500, 200]);
    // Setting a new plan resets everything: none means none.
    server.set_faults(FaultPlan::none());
    assert_eq!(api.get("/articles?page=2").await.status, 200);
}

#[tokio::test]
async fn faults_never_change_state() {
    let workspace = Workspace::load("multilingual");
    let server = FakeIntercom::start(workspace.clone());
    let every = |kind| FaultPlan::scripted(vec![(Matcher::every("*"), kind)]);
    let api = Api::new(&server);
    for kind in [FaultKind::Status(500), FaultKind::TruncatedJson] {
        server.set_faults(every(kind));
        api.get("/articles").await;
    }
    // Even a write to a path the fake does not route yet stays unapplied.
    server.set_faults(every(FaultKind::TruncatedJson));
    let answer = send(
        api.http
            .put(format!("{}/articles/101", server.base_url()))
            .bearer_auth(FakeIntercom::TOKEN)
            .json(&json!({"title": "changed"})),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert!(serde_json::from_slice::<Value>(&answer.bytes).is_err());
    assert_eq!(server.workspace(), workspace);
}

// ---- recording, latency, state ------------------------------------------------------------------

#[tokio::test]
async fn every_request_is_recorded_in_order_with_its_answer() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let api = Api::new(&server);
    send(reqwest::Client::new().get(format!("{}/articles", server.base_url()))).await;
    send(
        api.request("/articles?page=2&per_page=3")
            .header("Intercom-Version", "2.11")
            .header("X-Trace", "abc"),
    )
    .await;
    api.get("/articles/999").await;
    send(
        api.http
            .post(format!("{}/help_center/help_centers", server.base_url()))
            .bearer_auth(FakeIntercom::TOKEN)
            .body("{\"x\":1}"),
    )
    .await;

    let log: Vec<RecordedRequest> = server.requests();
    let summary: Vec<(&str, &str, &str, u16)> = log
        .iter()
        .map(|r| {
            (
                r.method.as_str(),
                r.path.as_str(),
                r.query.as_str(),
                r.status,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("GET", "/articles", "", 401),
            ("GET", "/articles", "page=2&per_page=3", 200),
            ("GET", "/articles/999", "", 404),
            ("POST", "/help_center/help_centers", "", 405),
        ]
    );
    let second = &log[1];
    assert_eq!(second.header("intercom-version"), Some("2.11"));
    assert_eq!(second.header("X-TRACE"), Some("abc"));
    let token = format!("Bearer {}", FakeIntercom::TOKEN);
    assert_eq!(second.header("authorization"), Some(token.as_str()));
    assert_eq!(second.query_param("per_page"), Some("3"));
    assert_eq!(log[3].body, b"{\"x\":1}");
    assert!(log.iter().all(|r| r.fault.is_none()));
    server.clear_requests();
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn latency_is_added_to_every_answer() {
    let config = ServerConfig {
        latency: Duration::from_millis(150),
        ..ServerConfig::default()
    };
    let server = FakeIntercom::with_config(generated(1), config);
    let api = Api::new(&server);
    let start = Instant::now();
    assert_eq!(api.get("/articles").await.status, 200);
    assert_eq!(
        send(reqwest::Client::new().get(format!("{}/x", server.base_url())))
            .await
            .status,
        401
    );
    assert!(start.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn state_changes_are_served_at_once() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    server.update_workspace(|ws| {
        ws.article_mut("114").unwrap()["updated_at"] = json!(1800000000);
        ws.articles.retain(|a| a["id"] != "113");
    });
    let api = Api::new(&server);
    let answer = api.get("/articles?per_page=2").await;
    assert_eq!(answer.ids(), strings(&["114", "110"]));
    assert_eq!(answer.json()["total_count"], 13);
    assert_eq!(api.get("/articles/113").await.status, 404);
    assert!(server.workspace().article("113").is_none());
}

#[test]
fn the_server_works_from_blocking_code_and_stops_on_drop() {
    let server = FakeIntercom::start(generated(1));
    let addr = server.base_url().trim_start_matches("http://").to_string();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async { Api::new(&server).get("/articles").await.status });
    assert_eq!(status, 200);
    drop(server);
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "the port is closed"
    );
}

// ---- fixtures ---------------------------------------------------------------------------------------

/// Every article body of a workspace, in every locale, concatenated.
fn all_bodies(workspace: &Workspace) -> String {
    let mut text = String::new();
    for article in &workspace.articles {
        for (locale, content) in article["translated_content"].as_object().unwrap() {
            if locale != "type" && !content.is_null() {
                text.push_str(content["body"].as_str().unwrap());
            }
        }
    }
    text
}

/// A marker for each body block listed in the API guide, and for the kinds of links.
const BLOCK_MARKERS: [&str; 21] = [
    "<p class=\"no-margin\">",
    "class=\"intercom-align-center\"",
    "class=\"intercom-align-right\"",
    "class=\"intercom-align-justify\"",
    "<h2 id=\"h_",
    "<div class=\"intercom-container\"><img src=\"https://",
    "<div class=\"intercom-interblocks-callout\" style=\"background-color: ",
    "<div class=\"intercom-interblocks-table-container\"><table role=\"presentation\">",
    "<td style=\"border: 1px solid",
    "<div class=\"intercom-h2b-video\"><iframe src=\"https://www.youtube.com/embed/",
    "<iframe src=\"https://player.vimeo.com/video/",
    "<iframe src=\"https://www.loom.com/embed/",
    "<iframe src=\"https://fast.wistia.net/embed/iframe/",
    "<a class=\"intercom-h2b-button\" href=\"https://",
    "<details><summary>",
    "<pre><code>",
    "<hr>",
    "</p><ul><li>",
    "<blockquote>",
    "#h_",
    "target=\"_blank\"",
];

#[test]
fn the_multilingual_fixture_uses_every_body_block_and_link_kind() {
    let workspace = Workspace::load("multilingual");
    let bodies = all_bodies(&workspace);
    for marker in BLOCK_MARKERS {
        assert!(bodies.contains(marker), "no {marker:?}");
    }
    for link in [
        "href=\"https://help.example.com/en/articles/102-install-acme-notes",
        "href=\"https://help.example.com/en/articles/104\"",
        "href=\"https://help.example.com/en/articles/103-sync-your-notes-across-devices#h_5c6d7e8f90\"",
        "href=\"https://help.example.com/fr/articles/104-",
        "href=\"https://help.example.com/en/articles/999-legacy-search-syntax\"",
        "href=\"https://commonmark.org/\"",
        "</p><ol><li>",
        "<img src=\"x\" onerror=",
        "<script>",
    ] {
        assert!(bodies.contains(link), "no {link:?}");
    }
    // Every heading anchor some article links to exists in its target.
    for anchor in bodies.split("#h_").skip(1) {
        let id = &anchor[..10];
        assert!(
            bodies.contains(&format!("id=\"h_{id}\"")),
            "dangling #h_{id}"
        );
    }
}

#[test]
fn the_multilingual_fixture_has_the_promised_shape() {
    let workspace = Workspace::load("multilingual");
    assert_eq!(workspace.shape, Shape::Nested);
    assert_eq!(workspace.help_centers.len(), 1);
    assert_eq!(workspace.collections.len(), 8);
    assert_eq!(workspace.articles.len(), 14);
    let locales = |id: &str| -> Vec<String> {
        let content = workspace.article(id).unwrap()["translated_content"]
            .as_object()
            .unwrap();
        content
            .iter()
            .filter(|(locale, value)| *locale != "type" && !value.is_null())
            .map(|(locale, _)| locale.clone())
            .collect()
    };
    assert_eq!(locales("101"), ["en", "fr", "de", "ar", "ja"]);
    assert_eq!(locales("108"), ["en", "de"]);
    assert_eq!(locales("113"), ["en"]);
    let standalone = workspace.article("112").unwrap();
    assert_eq!(standalone["parent_id"], Value::Null);
    assert_eq!(standalone["parent_type"], Value::Null);
    assert_eq!(standalone["parent_ids"], json!([]));
    let draft_fr = &workspace.article("110").unwrap()["translated_content"]["fr"];
    assert_eq!(draft_fr["state"], "draft");
    assert_eq!(draft_fr["url"], Value::Null);
    assert_eq!(
        workspace.article("114").unwrap()["title"],
        "../../etc/passwd <script>alert(1)</script>"
    );
    for article in &workspace.articles {
        let default = &article["translated_content"]["en"];
        assert_eq!(
            article["translated_content"]["type"],
            "article_translated_content"
        );
        assert_eq!(default["type"], "article_content");
        for key in [
            "title",
            "description",
            "body",
            "author_id",
            "state",
            "created_at",
            "updated_at",
            "url",
        ] {
            assert_eq!(article[key], default[key], "{} {key}", article["id"]);
        }
    }
    for collection in &workspace.collections {
        assert_eq!(
            collection["translated_content"]["type"],
            "group_translated_content"
        );
        assert_eq!(collection["help_center_id"], 12);
    }
}

#[test]
fn the_sections_fixture_is_2_9_shaped() {
    let workspace = Workspace::load("sections-2.9");
    assert_eq!(workspace.shape, Shape::Sections29);
    assert_eq!(workspace.collections.len(), 3);
    assert_eq!(workspace.sections.len(), 4);
    assert_eq!(workspace.articles.len(), 9);
    assert!(workspace
        .articles
        .iter()
        .all(|a| a.get("parent_ids").is_none()));
    let in_sections = workspace
        .articles
        .iter()
        .filter(|a| a["parent_type"] == "section")
        .count();
    assert_eq!(in_sections, 6);
}

#[test]
fn generated_workspaces_are_deterministic_and_varied() {
    let workspace = Workspace::load("generated");
    assert_eq!(workspace, Workspace::load("generated"));
    assert_eq!(workspace.articles.len(), 3000);
    assert_eq!(workspace.collections.len(), 30);
    let ids: BTreeSet<&str> = workspace
        .articles
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3000);
    let updated: BTreeSet<i64> = workspace
        .articles
        .iter()
        .map(|a| a["updated_at"].as_i64().unwrap())
        .collect();
    assert!(
        updated.len() > 2800 && updated.len() < 3000,
        "{}",
        updated.len()
    );
    let fr = |a: &Value| a["translated_content"].get("fr").cloned();
    assert!(workspace.articles.iter().any(|a| fr(a).is_none()));
    assert!(workspace
        .articles
        .iter()
        .any(|a| fr(a) == Some(Value::Null)));
    assert!(workspace.articles.iter().any(|a| a["parent_id"].is_null()));
    let deep = workspace.collections.iter().any(|c| {
        let parent = c["parent_id"]
            .as_str()
            .and_then(|p| workspace.collection(p));
        parent.is_some_and(|p| !p["parent_id"].is_null())
    });
    assert!(deep, "collections nest three deep");
    let bodies = all_bodies(&workspace);
    for marker in BLOCK_MARKERS.iter().filter(|m| !m.starts_with("</p><ul>")) {
        assert!(bodies.contains(marker), "no {marker:?}");
    }
    let other = Workspace::generated(&GeneratedSpec {
        seed: 2,
        ..GeneratedSpec::default()
    });
    assert_ne!(other, Workspace::generated(&GeneratedSpec::default()));
}

#[tokio::test]
async fn a_generated_2_9_workspace_has_sections() {
    let spec = GeneratedSpec {
        shape: Shape::Sections29,
        collections: 12,
        articles: 80,
        ..GeneratedSpec::default()
    };
    let workspace = Workspace::generated(&spec);
    assert!(!workspace.sections.is_empty());
    let server = FakeIntercom::start(workspace.clone());
    let api = Api::new(&server);
    let sections = api
        .get_v("/help_center/sections?per_page=100", "2.9")
        .await
        .json();
    assert_eq!(sections["total_count"], workspace.sections.len());
    let collections = api.get_v("/help_center/collections", "2.15").await.json();
    assert_eq!(collections["total_count"], 12);
}

#[test]
fn workspaces_round_trip_through_the_fixture_layout() {
    let dir = tempfile::tempdir().unwrap();
    for workspace in [
        Workspace::load("multilingual"),
        Workspace::load("sections-2.9"),
    ] {
        let path = dir.path().join(workspace.shape.as_str());
        workspace.write_dir(&path);
        assert_eq!(Workspace::load_dir(&path), workspace);
    }
    let copied = std::fs::read_to_string(dir.path().join("nested/articles/101.json")).unwrap();
    let original =
        std::fs::read_to_string(Workspace::fixture_dir("multilingual").join("articles/101.json"))
            .unwrap();
    assert_eq!(
        copied, original,
        "fixtures are written in the canonical layout"
    );
}
