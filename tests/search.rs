//! What `helpcenter build` puts into the search index: read back from the Pagefind bundles it
//! writes (`pagefind/<locale>/<shard>/fragment/*.pf_fragment`: gzip, a `pagefind_dcd`
//! signature, then the page's JSON record). The browser tests (`tests/browser.rs`) check
//! searching itself.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

mod support;

use helpcenter::site::{build, BuildOptions, BuildReport, Input};
use support::search_index;
use support::snapshots::snapshot_from_fixture;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workspaces/multilingual")
}

/// A snapshot of the multilingual fixture, with `edit` applied to its raw article objects
/// first, and a place to build it.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(edit: impl FnOnce(&Path)) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path().join("raw");
        support::copy_dir(&fixture_dir(), &raw);
        edit(&raw);
        snapshot_from_fixture(&raw, &dir.path().join("snapshot"));
        Fixture { dir }
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    fn build(&self, change: impl FnOnce(&mut BuildOptions)) -> BuildReport {
        let mut options = BuildOptions {
            input: Input::Snapshot(self.dir.path().join("snapshot")),
            out: self.out(),
            ..BuildOptions::default()
        };
        change(&mut options);
        build(&options).unwrap()
    }

    /// The shard folders `shards.json` lists for a locale.
    fn shards(&self, locale: &str) -> Vec<String> {
        search_index::shards(&self.out(), locale)
    }

    /// The records of one shard of a locale's index, sorted by URL.
    fn shard_records(&self, locale: &str, shard: &str) -> Vec<Value> {
        search_index::shard_records(&self.out(), locale, shard)
    }

    /// The records of every shard of a locale's index, sorted by URL.
    fn records(&self, locale: &str) -> Vec<Value> {
        search_index::records(&self.out(), locale)
    }

    fn urls(&self, locale: &str) -> Vec<String> {
        let records = self.records(locale);
        records
            .iter()
            .map(|r| r["url"].as_str().unwrap().to_string())
            .collect()
    }

    /// The record of the page at `url` in `locale`'s index.
    fn record(&self, locale: &str, url: &str) -> Value {
        let records = self.records(locale);
        let found = records.into_iter().find(|r| r["url"] == url);
        found.unwrap_or_else(|| panic!("{url} is not in the {locale} index"))
    }
}

/// Changes one locale's body of a raw fixture article.
fn set_body(raw: &Path, id: &str, locale: &str, body: &str) {
    let file = raw.join("articles").join(format!("{id}.json"));
    let mut article: Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
    article["translated_content"][locale]["body"] = Value::String(body.to_string());
    if locale == "en" {
        article["body"] = Value::String(body.to_string());
    }
    fs::write(&file, serde_json::to_vec_pretty(&article).unwrap()).unwrap();
}

/// The article pages of a locale in the built site, as site paths.
fn article_pages(out: &Path, locale: &str) -> Vec<String> {
    // Old URLs (id-only, earlier slugs) have pages too, that only redirect: not articles.
    let mut pages: Vec<String> = fs::read_dir(out.join(locale).join("articles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|dir| {
            let page = fs::read_to_string(dir.join("index.html")).unwrap();
            !page.contains("<meta http-equiv=\"refresh\"")
        })
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            format!("/{locale}/articles/{name}/")
        })
        .collect();
    pages.sort();
    pages
}

#[test]
fn each_locale_indexes_exactly_its_own_article_pages() {
    let site = Fixture::new(|_| {});
    let report = site.build(|_| {});
    let search = report.search.expect("search is on by default");
    // The fixture is small: one shard per locale.
    assert_eq!(
        search.shards_indexed,
        ["ar/0", "de/0", "en/0", "fr/0", "ja/0"]
    );
    let mut total = 0;
    for locale in ["ar", "de", "en", "fr", "ja"] {
        let urls = site.urls(locale);
        assert_eq!(urls, article_pages(&site.out(), locale), "{locale}");
        total += urls.len();
    }
    assert_eq!(search.pages, total);
}

#[test]
fn a_record_holds_the_title_collection_description_and_body_text() {
    let site = Fixture::new(|_| {});
    site.build(|_| {});
    let record = site.record("de", "/de/articles/108-rollen-und-berechtigungen/");
    assert_eq!(record["meta"]["title"], "Rollen und Berechtigungen");
    assert_eq!(record["meta"]["collection"], "Berechtigungen");
    assert_eq!(
        record["filters"]["collection"],
        serde_json::json!(["Berechtigungen"])
    );
    let content = record["content"].as_str().unwrap();
    assert!(
        content.starts_with(
            "Rollen und Berechtigungen. Was Eigentümer, Bearbeiter und Kommentierende tun \
             dürfen. Jede Person in einem geteilten Notizbuch hat eine von drei Rollen. Rollen im \
             Überblick."
        ),
        "{content}"
    );
    // An article without a collection has no collection to show.
    let loose = site.record("en", "/en/articles/112-keyboard-shortcuts/");
    assert_eq!(loose["meta"].get("collection"), None);
}

#[test]
fn hidden_markup_never_reaches_the_index_and_text_stays_escaped() {
    let site = Fixture::new(|raw| {
        set_body(
            raw,
            "112",
            "en",
            "<p>Visible words about offline mode &amp; sync &lt;fast&gt;.</p>\
             <script>var scriptsecret = 1;</script><style>.stylesecret{}</style>\
             <template><p>templatesecret</p></template><noscript>noscriptsecret</noscript>\
             <p onclick=\"handlersecret()\">Second paragraph</p>\
             <iframe src=\"https://evil.example/\">iframesecret</iframe>",
        )
    });
    site.build(|_| {});
    let record = site.record("en", "/en/articles/112-keyboard-shortcuts/");
    let content = record["content"].as_str().unwrap();
    assert_eq!(
        content,
        "Keyboard shortcuts ⌨️. Every shortcut in one table. Visible words about offline mode &amp; sync \
         &lt;fast&gt;. Second paragraph."
    );
    // The hostile title is indexed as the text it is, escaped like the body.
    let hostile = site.record("en", "/en/articles/114-etc-passwd-script-alert-1-script/");
    assert_eq!(
        hostile["meta"]["title"],
        "../../etc/passwd &lt;script&gt;alert(1)&lt;/script&gt;"
    );
}

#[test]
fn drafts_are_indexed_only_with_drafts() {
    let site = Fixture::new(|_| {});
    site.build(|_| {});
    let draft = "/fr/articles/110-forfaits-et-tarifs/";
    assert!(!site.urls("fr").contains(&draft.to_string()));
    site.build(|o| o.drafts = true);
    assert!(site.urls("fr").contains(&draft.to_string()));
}

#[test]
fn no_search_writes_no_index_and_no_search_box() {
    let site = Fixture::new(|_| {});
    site.build(|_| {});
    let page = site
        .out()
        .join("en/articles/110-plans-and-pricing/index.html");
    let html = fs::read_to_string(&page).unwrap();
    assert!(html.contains(r#"<input id="search-input" class="search-input" type="search""#));
    assert!(
        html.contains(r#"data-bundle="../../../pagefind/en/""#),
        "{html}"
    );
    assert!(
        html.contains(r#"<script src="../../../static/search.js?v="#),
        "{html}"
    );

    let report = site.build(|o| o.no_search = true);
    assert!(report.search.is_none());
    assert!(
        !site.out().join("pagefind").exists(),
        "the old index was not removed"
    );
    for file in support::files_under(&site.out()).keys() {
        if file.ends_with(".html") {
            let html = fs::read_to_string(site.out().join(file)).unwrap();
            for trace in ["type=\"search\"", "data-search", "search.js", "pagefind"] {
                assert!(!html.contains(trace), "{file} still has {trace}");
            }
        }
    }
}

#[test]
fn a_rebuild_reindexes_only_the_locales_that_changed() {
    let site = Fixture::new(|_| {});
    site.build(|_| {});
    let before = support::files_under(&site.out());

    let unchanged = site.build(|_| {}).search.unwrap();
    assert_eq!(unchanged.shards_indexed, Vec::<String>::new());
    assert_eq!(unchanged.shards_unchanged, 5);
    assert_eq!(support::files_under(&site.out()), before);

    // One German body changes: only the German index is made again.
    set_body(
        &site.dir.path().join("raw"),
        "108",
        "de",
        "<p>Neuer Text über Freigaben.</p>",
    );
    snapshot_from_fixture(
        &site.dir.path().join("raw"),
        &site.dir.path().join("snapshot"),
    );
    let changed = site.build(|_| {}).search.unwrap();
    assert_eq!(changed.shards_indexed, ["de/0"]);
    let after = support::files_under(&site.out());
    let differs: BTreeSet<&str> = (before.keys().chain(after.keys()))
        .filter(|f| f.starts_with("pagefind/") && before.get(*f) != after.get(*f))
        .map(|f| f.split('/').nth(1).unwrap())
        .collect();
    assert_eq!(differs, BTreeSet::from(["de"]));
    let record = site.record("de", "/de/articles/108-rollen-und-berechtigungen/");
    assert!(record["content"]
        .as_str()
        .unwrap()
        .contains("Neuer Text über Freigaben."));
}

#[test]
fn a_locale_over_the_budget_is_split_into_shards_by_article() {
    let site = Fixture::new(|_| {});
    // About a third of the English text per shard.
    let report = site.build(|o| o.search_shard_budget = Some(2_000));
    let shards = site.shards("en");
    assert!(shards.len() >= 3, "{shards:?}");
    // Numbered folders; a number that drew no article has none (Pagefind needs a page).
    assert!(
        shards.iter().all(|s| s
            .strip_suffix('/')
            .is_some_and(|n| n.parse::<u32>().is_ok())),
        "{shards:?}"
    );
    // Every page is in exactly one shard, and every shard is a whole Pagefind bundle.
    let mut seen = Vec::new();
    for shard in &shards {
        let bundle = site.out().join("pagefind/en").join(shard);
        for file in ["pagefind.js", "pagefind-entry.json", "pagefind-worker.js"] {
            assert!(bundle.join(file).is_file(), "{shard}{file}");
        }
        let urls = site.shard_records("en", shard);
        assert!(!urls.is_empty(), "{shard} is empty");
        seen.extend(urls.iter().map(|r| r["url"].as_str().unwrap().to_string()));
    }
    seen.sort();
    assert_eq!(seen, article_pages(&site.out(), "en"));
    let search = report.search.unwrap();
    let total: usize = ["ar", "de", "en", "fr", "ja"]
        .iter()
        .map(|l| article_pages(&site.out(), l).len())
        .sum();
    assert_eq!(search.pages, total);
    assert!(search.shards > 5, "{search:?}");

    // An article keeps its shard when the budget splits the locale the same way.
    let shard_of = |site: &Fixture| {
        let shards = site.shards("en");
        shards
            .iter()
            .find(|s| {
                (site.shard_records("en", s).iter())
                    .any(|r| r["url"] == "/en/articles/110-plans-and-pricing/")
            })
            .cloned()
    };
    let before = shard_of(&site);
    site.build(|o| o.search_shard_budget = Some(2_000));
    assert_eq!(shard_of(&site), before);
}
