//! End-to-end tests of `helpcenter build`: fixture workspaces (raw API JSON) are written into a
//! snapshot, built into a site, and the files checked.
//!
//! Page snapshots live in `tests/snapshots/` (review changes with `cargo insta review`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

mod support;

use support::files_under;

use helpcenter::error::Error;
use helpcenter::site::{build, BuildOptions, BuildReport, Input};

const BASE_URL: &str = "https://docs.example.org/help/";

/// Writes the raw API objects of a fixture folder into a snapshot at `dir/snapshot`.
fn snapshot_from(fixture: &Path, dir: &Path) -> PathBuf {
    let target = dir.join("snapshot");
    support::snapshots::snapshot_from_fixture(fixture, &target);
    target
}

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// A snapshot of a fixture in a temporary directory, and builds of it into `<dir>/site`.
struct Site {
    dir: tempfile::TempDir,
    snapshot: PathBuf,
}

impl Site {
    fn new(fixture_path: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let snapshot = snapshot_from(&fixture(fixture_path), dir.path());
        Site { dir, snapshot }
    }

    fn multilingual() -> Site {
        Site::new("workspaces/multilingual")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    fn options(&self) -> BuildOptions {
        BuildOptions {
            input: Input::Snapshot(self.snapshot.clone()),
            out: self.out(),
            base_url: Some(BASE_URL.into()),
            ..BuildOptions::default()
        }
    }

    fn try_build(&self, change: impl FnOnce(&mut BuildOptions)) -> Result<BuildReport, Error> {
        let mut options = self.options();
        change(&mut options);
        build(&options)
    }

    fn build(&self, change: impl FnOnce(&mut BuildOptions)) -> BuildReport {
        self.try_build(change).unwrap()
    }

    fn read(&self, file: &str) -> String {
        fs::read_to_string(self.out().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    fn exists(&self, file: &str) -> bool {
        self.out().join(file).exists()
    }

    /// Every file of the site (relative path -> bytes).
    fn files(&self) -> BTreeMap<String, Vec<u8>> {
        files_under(&self.out())
    }

    /// The pages built in one locale, as `articles/<segment>` / `collections/<segment>`.
    fn pages_in(&self, locale: &str) -> Vec<String> {
        let mut pages = Vec::new();
        for kind in ["articles", "collections"] {
            let dir = self.out().join(locale).join(kind);
            for entry in fs::read_dir(&dir).into_iter().flatten() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                pages.push(format!("{kind}/{name}"));
            }
        }
        pages.sort();
        pages
    }
}

fn mtimes(root: &Path) -> BTreeMap<String, SystemTime> {
    files_under(root)
        .into_keys()
        .map(|name| {
            let modified = fs::metadata(root.join(&name)).unwrap().modified().unwrap();
            (name, modified)
        })
        .collect()
}

/// The `hreflang` values of a page's `<link rel="alternate">` elements, in order.
fn hreflangs(html: &str) -> Vec<String> {
    html.lines()
        .filter(|l| l.starts_with("<link rel=\"alternate\" hreflang="))
        .map(|l| l.split('"').nth(3).unwrap().to_string())
        .collect()
}

/// Every `href` value of a page.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_string())
        .collect()
}

const ARTICLE_103_EN: &str = "en/articles/103-sync-your-notes-across-devices/index.html";
const ARTICLE_103_AR: &str = "ar/articles/103-مزامنة-ملاحظاتك-بين-الأجهزة/index.html";
const ARTICLE_103_JA: &str = "ja/articles/103-デバイス間でノートを同期する/index.html";
const COLLECTION_202_EN: &str = "en/collections/202-writing-and-organizing/index.html";

#[test]
fn renders_the_multilingual_help_center() {
    let site = Site::multilingual();
    let report = site.build(|_| {});
    assert_eq!(report.locales, ["ar", "de", "en", "fr", "ja"]);
    assert_eq!(report.default_locale, "en");
    assert_eq!(report.help_center.as_deref(), Some("12"));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert!(report.sitemap);
    let search_files = report.search.as_ref().unwrap().files;
    assert_eq!(
        report.pages,
        report.files_written - 11 - report.redirects - search_files - report.article_pages,
        "plus robots, sitemap, _redirects, llms.txt, style.css, search.js, a feed per locale, \
         the redirect pages, the search indexes and each article page's index.md"
    );
    insta::assert_snapshot!("root_index", site.read("index.html"));
    insta::assert_snapshot!("home_en", site.read("en/index.html"));
    insta::assert_snapshot!("collection_en", site.read(COLLECTION_202_EN));
    insta::assert_snapshot!("article_en", site.read(ARTICLE_103_EN));
    insta::assert_snapshot!("article_ar_rtl", site.read(ARTICLE_103_AR));
    insta::assert_snapshot!("article_ja_cjk", site.read(ARTICLE_103_JA));
    insta::assert_snapshot!("sitemap", site.read("sitemap.xml"));
    insta::assert_snapshot!("robots", site.read("robots.txt"));
    insta::assert_snapshot!("not_found", site.read("404.html"));
}

#[test]
fn every_page_declares_its_language_and_direction() {
    let site = Site::multilingual();
    site.build(|_| {});
    for (name, bytes) in site.files() {
        if !name.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        let locale = match name.split_once('/') {
            Some((locale, _)) => locale,
            None => "en",
        };
        let dir = if locale == "ar" { "rtl" } else { "ltr" };
        let expected = format!("<html lang=\"{locale}\" dir=\"{dir}\">");
        assert!(html.contains(&expected), "{name} lacks {expected}");
    }
}

#[test]
fn links_to_the_help_center_become_relative_site_links() {
    let site = Site::multilingual();
    site.build(|_| {});
    let en = hrefs(&site.read(ARTICLE_103_EN));
    assert!(en.contains(
        &"../../../en/articles/102-install-acme-notes-on-macos-windows-and-linux/#h_2b3c4d5e6f"
            .to_string()
    ));
    // Links to pages the site does not have stay where they pointed.
    let all: Vec<String> = site
        .files()
        .into_iter()
        .filter(|(name, _)| name.ends_with(".html"))
        .flat_map(|(_, bytes)| hrefs(&String::from_utf8(bytes).unwrap()))
        .collect();
    assert!(
        all.contains(&"https://help.example.com/en/articles/999-legacy-search-syntax".to_string())
    );
    assert!(!all
        .iter()
        .any(|h| h.starts_with("https://help.example.com/en/articles/10")));
    assert!(!all.iter().any(|h| h.starts_with("javascript:")));
    // The French draft of 110 is not built: a French page's link to it goes to the page in
    // the help center's default locale, never back to Intercom; so does an English page's.
    let fr_111 = hrefs(&site.read("fr/articles/111-modifier-votre-moyen-de-paiement/index.html"));
    assert!(
        fr_111.contains(&"../../../en/articles/110-plans-and-pricing/#h_9e8d7c6b5a".to_string())
    );
    let en_111 = hrefs(&site.read("en/articles/111-update-your-payment-method/index.html"));
    assert!(en_111.contains(&"../../../en/articles/110-plans-and-pricing/".to_string()));
}

#[test]
fn links_to_any_page_of_the_site_never_point_back_at_the_old_host() {
    let site = Site::multilingual();
    site.build(|_| {});
    let built = |kind: &str, id: &str| {
        ["ar", "de", "en", "fr", "ja"].iter().any(|l| {
            site.pages_in(l)
                .iter()
                .any(|p| p.starts_with(&format!("{kind}/{id}-")))
        })
    };
    let mut old_host_links = Vec::new();
    for (name, bytes) in site.files() {
        if !name.ends_with(".html") {
            continue;
        }
        for href in hrefs(&String::from_utf8(bytes).unwrap()) {
            let Some(path) = href.strip_prefix("https://help.example.com/") else {
                continue;
            };
            let segments: Vec<&str> = path.split(['/', '#', '?']).collect();
            let (kind, id) = (segments[1], segments[2].split('-').next().unwrap());
            assert!(
                !built(kind, id),
                "{name} links to {href}, which the site has"
            );
            old_host_links.push(href);
        }
    }
    // Only links to an article the snapshot does not have stay.
    old_host_links.sort();
    old_host_links.dedup();
    assert_eq!(
        old_host_links,
        [
            "https://help.example.com/en/articles/999-legacy-search-syntax",
            "https://help.example.com/fr/articles/999-ancienne-syntaxe",
        ]
    );
}

#[test]
fn missing_translations_are_neither_built_nor_linked() {
    let site = Site::multilingual();
    site.build(|_| {});
    // Article 108 exists in en and de only; collection 208 (its parent) has no French name.
    assert!(!site
        .pages_in("fr")
        .iter()
        .any(|p| p.starts_with("articles/108-")));
    assert!(!site
        .pages_in("fr")
        .iter()
        .any(|p| p.starts_with("collections/208-")));
    let en = site.read("en/articles/108-roles-and-permissions/index.html");
    assert_eq!(hreflangs(&en), ["de", "en", "x-default"]);
    let switcher: Vec<String> = hrefs(&en)
        .into_iter()
        .filter(|h| h.contains("/articles/108"))
        .collect();
    let (de, en) = (
        "https://docs.example.org/help/de/articles/108-rollen-und-berechtigungen/",
        "https://docs.example.org/help/en/articles/108-roles-and-permissions/",
    );
    assert_eq!(
        switcher,
        [
            en, // canonical
            de, // alternates: de, en, x-default
            en,
            en,
            "../../../de/articles/108-rollen-und-berechtigungen/", // language switcher
            "../../../en/articles/108-roles-and-permissions/",
        ]
    );
    // A page in one language only has no alternates and no language switcher.
    let lonely = site.read("en/articles/114-etc-passwd-script-alert-1-script/index.html");
    assert!(hreflangs(&lonely).is_empty());
    assert!(!lonely.contains("class=\"languages\""));
    // French pages link to no page that only exists in other languages.
    for (name, bytes) in site.files() {
        if name.starts_with("fr/") && name.ends_with(".html") {
            let html = String::from_utf8(bytes).unwrap();
            for href in hrefs(&html) {
                if let Some(target) = href.strip_prefix("../../../fr/") {
                    let target = target.split('#').next().unwrap();
                    let file = match target.is_empty() || target.ends_with('/') {
                        true => format!("fr/{target}index.html"),
                        false => format!("fr/{target}"),
                    };
                    assert!(site.exists(&file), "{name} links to missing {file}");
                }
            }
        }
    }
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = Site::multilingual();
    let without = site.build(|_| {});
    let fr = site.pages_in("fr");
    assert!(!fr.iter().any(|p| p.starts_with("articles/110-")), "{fr:?}");
    assert!(!site
        .pages_in("en")
        .iter()
        .any(|p| p.starts_with("articles/113-")));

    let with = site.build(|o| o.drafts = true);
    assert!(site.exists("fr/articles/110-forfaits-et-tarifs/index.html"));
    assert!(site.exists("en/articles/113-offline-mode-beta/index.html"));
    assert_eq!(with.article_pages, without.article_pages + 2);
    let en_110 = site.read("en/articles/110-plans-and-pricing/index.html");
    assert_eq!(hreflangs(&en_110), ["de", "en", "fr", "x-default"]);
}

#[test]
fn locales_limit_the_languages() {
    let site = Site::multilingual();
    let report = site.build(|o| o.locales = Some(vec!["ja".into(), "fr".into()]));
    assert_eq!(report.locales, ["fr", "ja"]);
    assert_eq!(
        report.default_locale, "fr",
        "en is not built, so / leads to the first locale"
    );
    assert!(!site.exists("en/index.html") && !site.exists("de/index.html"));
    let fr = site.read("fr/articles/103-synchroniser-vos-notes-sur-tous-vos-appareils/index.html");
    assert_eq!(hreflangs(&fr), ["fr", "ja", "x-default"]);
    let root = site.read("index.html");
    assert!(
        root.contains(r#"var site = ["fr","ja"], fallback = "fr";"#),
        "{root}"
    );

    let err = site
        .try_build(|o| o.locales = Some(vec!["es".into()]))
        .unwrap_err();
    assert!(matches!(err, Error::Usage(_)));
    assert_eq!(
        err.to_string(),
        "--locales: the site has no locale \"es\"; available: ar, de, en, fr, ja"
    );
}

#[test]
fn builds_are_deterministic_and_an_unchanged_rebuild_writes_nothing() {
    let site = Site::multilingual();
    site.build(|_| {});
    let first = site.files();
    let other_out = site.dir.path().join("again");
    site.build(|o| {
        o.out = other_out.clone();
        o.cache = Some(site.dir.path().join("other.cache"));
    });
    assert_eq!(files_under(&other_out), first, "two builds differ");

    let before = mtimes(&site.out());
    std::thread::sleep(std::time::Duration::from_millis(20));
    let report = site.build(|_| {});
    assert_eq!(report.files_written, 0);
    assert_eq!(
        report.files_unchanged,
        first.len() - 1,
        "all but the build manifest"
    );
    assert_eq!(report.files_removed, 0);
    assert_eq!(report.cache_misses, 0, "bodies come from the cache");
    assert_eq!(mtimes(&site.out()), before);
    assert_eq!(site.files(), first);
}

#[test]
fn an_unchanged_rebuild_loads_nothing_and_any_change_rebuilds() {
    let site = Site::multilingual();
    let first = site.build(|_| {});
    assert!(first.cache_misses > 0);
    let files = site.files();

    // Nothing changed: the recorded build stands; not one body is looked up.
    let unchanged = site.build(|_| {});
    assert_eq!((unchanged.files_written, unchanged.cache_hits), (0, 0));
    assert_eq!(
        unchanged.files_unchanged,
        first.files_written + first.files_unchanged
    );
    assert_eq!(unchanged.pages, first.pages);
    assert_eq!(site.files(), files);

    // A page removed from the output: the build runs (from the cache) and puts it back.
    let page = site.out().join("en/index.html");
    fs::remove_file(&page).unwrap();
    let repaired = site.build(|_| {});
    assert_eq!(repaired.files_written, 1);
    assert!(repaired.cache_hits > 0);
    assert_eq!(site.files(), files);

    // An input touched (same bytes, new time): the build runs, and finds nothing to write.
    let manifest = site.snapshot.join("manifest.json");
    let bytes = fs::read(&manifest).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(&manifest, bytes).unwrap();
    let touched = site.build(|_| {});
    assert!(touched.cache_hits > 0, "the build ran");
    assert_eq!(touched.files_written, 0);

    // Other options: another build.
    let drafts = site.build(|o| o.drafts = true);
    assert!(drafts.cache_hits > 0, "the build ran");
}

#[test]
fn files_the_build_no_longer_produces_are_removed_but_only_its_own() {
    let site = Site::multilingual();
    site.build(|_| {});
    fs::write(site.out().join("CNAME"), "docs.example.org").unwrap();
    fs::write(site.out().join("fr/notes.txt"), "mine").unwrap();
    let report = site.build(|o| o.locales = Some(vec!["en".into()]));
    assert!(report.files_removed > 30, "{}", report.files_removed);
    assert!(!site.exists("de/index.html"));
    assert!(
        !site.out().join("de").exists(),
        "emptied directories go too"
    );
    assert!(!site.exists("fr/index.html"));
    assert_eq!(site.read("fr/notes.txt"), "mine");
    assert_eq!(site.read("CNAME"), "docs.example.org");
}

#[test]
fn refuses_to_overwrite_files_it_did_not_write() {
    let site = Site::multilingual();
    fs::create_dir_all(site.out()).unwrap();
    fs::write(site.out().join("index.html"), "my own page").unwrap();
    let err = site.try_build(|_| {}).unwrap_err();
    assert!(matches!(err, Error::Usage(_)));
    assert!(
        err.to_string().contains("did not write (index.html)"),
        "{err}"
    );
    assert_eq!(site.read("index.html"), "my own page");
}

#[test]
fn without_a_base_url_there_is_no_sitemap_and_no_canonical() {
    let site = Site::multilingual();
    let report = site.build(|o| o.base_url = None);
    assert!(!report.sitemap);
    assert!(!site.exists("sitemap.xml"));
    assert_eq!(site.read("robots.txt"), "User-agent: *\nDisallow:\n");
    let en = site.read(ARTICLE_103_EN);
    assert!(!en.contains("rel=\"canonical\"") && !en.contains("og:url"));
    assert!(en.contains(
        r#"<link rel="alternate" hreflang="fr" href="../../../fr/articles/103-synchroniser-vos-notes-sur-tous-vos-appareils/">"#
    ));
    // A site without a base URL is a legitimate preview, not something to warn about.
    assert_eq!(report.warnings, Vec::<String>::new());
    let not_found = site.read("404.html");
    assert!(
        not_found.contains(r#"<a href="/en/">"#),
        "404 links start at /"
    );
}

#[test]
fn hostile_titles_stay_inside_the_output() {
    let site = Site::multilingual();
    site.build(|_| {});
    let page = site.read("en/articles/114-etc-passwd-script-alert-1-script/index.html");
    assert!(page.contains(
        "<h1 class=\"page-title\">../../etc/passwd &lt;script&gt;alert(1)&lt;/script&gt;</h1>"
    ));
    assert!(!page.contains("<script>alert"));
    assert!(!site.dir.path().join("etc").exists());
}

#[test]
fn an_unsafe_locale_is_refused_naming_the_file() {
    let site = Site::new("site/hostile-locale");
    let err = site.try_build(|_| {}).unwrap_err();
    assert!(matches!(err, Error::Data(_)));
    let message = err.to_string();
    assert!(message.contains("articles/7.json"), "{message}");
    assert!(message.contains("\"../x\""), "{message}");
    assert!(!site.out().exists(), "nothing is written");
    assert!(!site.dir.path().join("x").exists());
}

#[test]
fn sections_of_api_2_9_get_collection_pages() {
    let site = Site::new("workspaces/sections-2.9");
    let report = site.build(|_| {});
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let pages = site.pages_in("en");
    assert!(
        pages.contains(&"collections/401-your-account".to_string()),
        "{pages:?}"
    );
    let collection = site.read("en/collections/301-getting-started/index.html");
    // A section is a card on its collection's page, with the anchor Intercom's section links
    // used (`#your-account`, rewritten to `#h_your-account`).
    assert!(collection.contains(
        "<li class=\"card card-section\" id=\"h_your-account\">\n<h2 class=\"card-title\"><a href=\"../../../en/collections/401-your-account/\">Your account</a></h2>"
    ), "{collection}");
    insta::assert_snapshot!("collection_with_sections", collection);
}

#[test]
fn a_theme_folder_overrides_templates_assets_and_strings() {
    let site = Site::multilingual();
    let theme = site.dir.path().join("theme");
    fs::create_dir_all(theme.join("templates")).unwrap();
    fs::create_dir_all(theme.join("static/img")).unwrap();
    fs::write(
        theme.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}<p>Lost: {{ t.back_home }}</p>{% endblock content %}",
    )
    .unwrap();
    fs::write(theme.join("static/img/logo.svg"), "<svg/>").unwrap();
    fs::write(
        theme.join("i18n.json"),
        r#"{"strings": {"en": {"back_home": "Home, please"}}}"#,
    )
    .unwrap();
    site.build(|o| o.theme = Some(theme.to_str().unwrap().into()));
    assert!(site.read("404.html").contains("<p>Lost: Home, please</p>"));
    assert_eq!(site.read("static/img/logo.svg"), "<svg/>");
    assert!(site
        .read("static/style.css")
        .contains("prefers-color-scheme: dark"));
    assert!(site
        .read(ARTICLE_103_EN)
        .contains("<article class=\"article\">"));
}

#[test]
fn an_unknown_theme_is_a_usage_error() {
    let site = Site::multilingual();
    let err = site
        .try_build(|o| o.theme = Some("fancy".into()))
        .unwrap_err();
    assert!(matches!(err, Error::Usage(_)));
    assert_eq!(
        err.to_string(),
        "unknown theme \"fancy\": not a built-in theme (default) nor a directory"
    );
}

#[test]
fn template_errors_name_the_template_and_line() {
    let site = Site::multilingual();
    let theme = site.dir.path().join("broken");
    fs::create_dir_all(theme.join("templates")).unwrap();
    fs::write(theme.join("templates/article.html"), "<h1>\n{% if %}\n").unwrap();
    let err = site
        .try_build(|o| o.theme = Some(theme.to_str().unwrap().into()))
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, Error::Usage(_)));
    assert!(message.contains("article.html"), "{message}");
    assert!(message.contains("--> 2:"), "{message}");

    fs::write(theme.join("templates/article.html"), "{{ article.nope }}").unwrap();
    let message = site
        .try_build(|o| o.theme = Some(theme.to_str().unwrap().into()))
        .unwrap_err()
        .to_string();
    assert!(message.starts_with("template article.html: "), "{message}");
    assert!(message.contains("article.nope"), "{message}");
}

#[test]
fn the_output_and_the_snapshot_stay_apart() {
    let site = Site::multilingual();
    let err = site
        .try_build(|o| o.out = o.input.dir().join("site"))
        .unwrap_err();
    assert!(matches!(err, Error::Usage(_)));
    assert!(
        err.to_string().contains("must not contain each other"),
        "{err}"
    );
}

#[test]
fn several_help_centers_need_a_choice() {
    let dir = tempfile::tempdir().unwrap();
    let two = dir.path().join("two");
    for kind in ["help_centers", "collections", "articles"] {
        let from = fixture("workspaces/multilingual").join(kind);
        fs::create_dir_all(two.join(kind)).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            fs::copy(&path, two.join(kind).join(path.file_name().unwrap())).unwrap();
        }
    }
    fs::copy(
        fixture("workspaces/sections-2.9/help_centers/31.json"),
        two.join("help_centers/31.json"),
    )
    .unwrap();
    let snapshot = snapshot_from(&two, dir.path());
    let mut options = BuildOptions {
        input: Input::Snapshot(snapshot),
        out: dir.path().join("site"),
        ..BuildOptions::default()
    };
    let err = build(&options).unwrap_err();
    assert!(matches!(err, Error::Usage(_)));
    assert_eq!(
        err.to_string(),
        "the snapshot has 2 help centers; choose one with --help-center: \
         12 (Acme Notes Help Center), 31 (Pebble Invoices Support)"
    );
    options.help_center = Some("12".into());
    let report = build(&options).unwrap();
    assert_eq!(report.help_center.as_deref(), Some("12"));
    assert_eq!(report.article_pages, 45);
}

/// A built site's links that do not lead to one of its files: every `href` and `src` of every
/// HTML page (relative, root-absolute, or absolute under `base`), every URL of the sitemap and
/// feeds under `base`, and every target of `_redirects`. Each as `file: link`.
fn broken_links(root: &Path, base: Option<&str>) -> Vec<String> {
    let base_path = base.map_or("/".to_string(), |b| {
        url::Url::parse(b).unwrap().path().to_string()
    });
    let resolve = |file: &str, link: &str| -> Option<Result<String, ()>> {
        let link = link.split(['#', '?']).next().unwrap();
        if link.is_empty() || link.starts_with("mailto:") || link.starts_with("data:") {
            return None;
        }
        let path = if let Some(rest) = base.and_then(|b| link.strip_prefix(b)) {
            format!("/{rest}")
        } else if link.contains("://") || link.starts_with("//") {
            return None; // another host
        } else if let Some(rest) = link.strip_prefix(&base_path) {
            format!("/{rest}")
        } else if link.starts_with('/') {
            return Some(Err(()));
        } else {
            match file.rsplit_once('/') {
                Some((dir, _)) => format!("/{dir}/{link}"),
                None => format!("/{link}"),
            }
        };
        // Normalise `.` and `..` like a browser.
        let mut parts: Vec<&str> = Vec::new();
        for segment in path.split('/').skip(1) {
            match segment {
                "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Some(Err(()));
                    }
                }
                "" => {}
                s => parts.push(s),
            }
        }
        let mut target = parts.join("/");
        if target.is_empty() || path.ends_with('/') {
            target = format!(
                "{target}{}index.html",
                if target.is_empty() { "" } else { "/" }
            );
        }
        let decoded = percent_decode(&target);
        Some(if root.join(&decoded).is_file() {
            Ok(decoded)
        } else {
            Err(())
        })
    };
    let mut broken = Vec::new();
    let mut check = |file: &str, link: &str| {
        if let Some(Err(())) = resolve(file, link) {
            broken.push(format!("{file}: {link}"));
        }
    };
    let selector = scraper::Selector::parse("[href], [src]").unwrap();
    for (name, bytes) in files_under(root) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if name.ends_with(".html") {
            let html = scraper::Html::parse_document(&text);
            for element in html.select(&selector) {
                for attr in ["href", "src"] {
                    if let Some(link) = element.value().attr(attr) {
                        check(&name, link);
                    }
                }
            }
        } else if name.ends_with(".xml") {
            let xml = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            for node in xml.descendants() {
                let link = match node.tag_name().name() {
                    "loc" => node.text(),
                    "link" => node.attribute("href"),
                    _ => None,
                };
                if let Some(link) = link {
                    check(&name, link);
                }
            }
        } else if name == "_redirects" {
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                let to = line.split(' ').nth(1).unwrap();
                check(&name, to);
            }
        }
    }
    broken
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn every_link_of_the_built_site_leads_to_one_of_its_files() {
    let site = Site::multilingual();
    site.build(|o| o.drafts = true);
    // The hostile article's body and description have relative links of their own (`x`,
    // `../../../etc/passwd`): they are content, kept as written (its description shows on its
    // collection's page too); every link the build makes must lead somewhere.
    let hostile = "en/articles/114-etc-passwd-script-alert-1-script/index.html";
    let written = [
        format!("{hostile}: x"),
        format!("{hostile}: ../../../etc/passwd"),
        "en/collections/201-getting-started/index.html: x".to_string(),
    ];
    let broken: Vec<String> = broken_links(&site.out(), Some(BASE_URL))
        .into_iter()
        .filter(|b| !written.contains(b))
        .collect();
    assert_eq!(broken, Vec::<String>::new());
    // Without a base URL too (relative links only, and the 404 page's root-absolute ones).
    let plain = Site::new("workspaces/sections-2.9");
    plain.build(|o| o.base_url = None);
    assert_eq!(broken_links(&plain.out(), None), Vec::<String>::new());
    // The check itself finds a broken link.
    fs::remove_file(site.out().join(COLLECTION_202_EN)).unwrap();
    let broken = broken_links(&site.out(), Some(BASE_URL));
    assert!(
        broken
            .contains(&"en/index.html: ../en/collections/202-writing-and-organizing/".to_string()),
        "{broken:?}"
    );
}

#[test]
fn hreflang_alternates_name_pages_that_exist() {
    let site = Site::multilingual();
    site.build(|_| {});
    let selector = scraper::Selector::parse("link[rel=alternate][hreflang]").unwrap();
    let mut alternates = 0;
    for (name, bytes) in site.files() {
        if !name.ends_with(".html") {
            continue;
        }
        let html = scraper::Html::parse_document(&String::from_utf8(bytes).unwrap());
        for link in html.select(&selector) {
            let href = link.value().attr("href").unwrap();
            let path = href
                .strip_prefix(BASE_URL)
                .unwrap_or_else(|| panic!("{name}: {href}"));
            let file = format!("{}index.html", percent_decode(path));
            assert!(
                site.exists(&file),
                "{name}: hreflang alternate {href} is not a page"
            );
            alternates += 1;
        }
    }
    assert!(alternates > 100, "{alternates}");
}

/// The `from to 301` rules of a site's `_redirects`.
fn redirect_rules(site: &Site) -> Vec<String> {
    site.read("_redirects")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[test]
fn id_only_urls_lead_to_the_page_in_every_locale() {
    let site = Site::multilingual();
    let report = site.build(|_| {});
    let stub = site.read("en/articles/103/index.html");
    assert!(stub.contains(
        "<link rel=\"canonical\" href=\"https://docs.example.org/help/en/articles/103-sync-your-notes-across-devices/\">"
    ), "{stub}");
    assert!(stub.contains(
        "<meta http-equiv=\"refresh\" content=\"0; url=../../../en/articles/103-sync-your-notes-across-devices/\">"
    ), "{stub}");
    // 108 has no French translation: its French id-only URL leads to the default locale's page.
    let fr_108 = site.read("fr/articles/108/index.html");
    assert!(
        fr_108.contains("url=../../../en/articles/108-roles-and-permissions/"),
        "{fr_108}"
    );
    assert!(site
        .read("de/collections/203/index.html")
        .contains("url=../../../de/collections/203-"));
    let rules = redirect_rules(&site);
    for rule in [
        "/help/en/articles/103 /help/en/articles/103-sync-your-notes-across-devices/ 301",
        "/help/fr/articles/108 /help/en/articles/108-roles-and-permissions/ 301",
        "/help/ja/articles/103 /help/ja/articles/103-%E3%83%87%E3%83%90%E3%82%A4%E3%82%B9%E9%96%93%E3%81%A7%E3%83%8E%E3%83%BC%E3%83%88%E3%82%92%E5%90%8C%E6%9C%9F%E3%81%99%E3%82%8B/ 301",
    ] {
        assert!(rules.contains(&rule.to_string()), "{rule} not in {rules:#?}");
    }
    // Every article and collection with a page, in each of the 5 locales; drafts have none.
    assert_eq!(report.redirects, rules.len());
    assert_eq!(report.redirects, (13 + 8) * 5);
    assert!(!site.exists("en/articles/113/index.html"), "113 is a draft");
    // The redirect pages are not pages of the site: not in the sitemap.
    assert!(!site.read("sitemap.xml").contains("/articles/103/<"));
}

#[test]
fn a_retitled_article_keeps_its_old_url_in_later_builds() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("fixture");
    support::copy_dir(&fixture_dir_of("workspaces/multilingual"), &fixture);
    let snapshot = dir.path().join("snapshot");
    let options = BuildOptions {
        input: Input::Snapshot(snapshot.clone()),
        out: dir.path().join("site"),
        base_url: Some(BASE_URL.into()),
        ..BuildOptions::default()
    };
    let retitle = |title: &str| {
        let file = fixture.join("articles/103.json");
        let mut article: serde_json::Value =
            serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
        article["translated_content"]["en"]["title"] = title.into();
        fs::write(&file, serde_json::to_vec_pretty(&article).unwrap()).unwrap();
        support::snapshots::snapshot_from_fixture(&fixture, &snapshot);
        build(&options).unwrap()
    };
    let first = retitle("Sync your notes across devices");
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    let second = retitle("Keep your notes in sync");
    let site = dir.path().join("site");
    let read = |file: &str| fs::read_to_string(site.join(file)).unwrap();
    assert_eq!(
        second.warnings,
        [format!(
            "{} (en): its title changed, so its page moved from \
             /en/articles/103-sync-your-notes-across-devices/ to \
             /en/articles/103-keep-your-notes-in-sync/; the old URL redirects to the new one",
            snapshot.join("articles/103.json").display()
        )]
    );
    let old = read("en/articles/103-sync-your-notes-across-devices/index.html");
    assert!(
        old.contains("url=../../../en/articles/103-keep-your-notes-in-sync/"),
        "{old}"
    );
    let rules = fs::read_to_string(site.join("_redirects")).unwrap();
    let first_rule = rules.lines().find(|l| !l.starts_with('#')).unwrap();
    assert_eq!(
        first_rule,
        "/help/en/articles/103-sync-your-notes-across-devices /help/en/articles/103-keep-your-notes-in-sync/ 301",
        "slug history comes first"
    );
    // A third title: both earlier URLs lead to the current page, and the record keeps them.
    let third = retitle("Sync everywhere");
    assert_eq!(third.warnings.len(), 1);
    for old in [
        "103-sync-your-notes-across-devices",
        "103-keep-your-notes-in-sync",
    ] {
        let stub = read(&format!("en/articles/{old}/index.html"));
        assert!(
            stub.contains("url=../../../en/articles/103-sync-everywhere/"),
            "{old}: {stub}"
        );
    }
    let record: serde_json::Value = serde_json::from_str(&read(".helpcenter-build.json")).unwrap();
    assert_eq!(
        record["paths"]["article/103/en"],
        serde_json::json!([
            "/en/articles/103-sync-your-notes-across-devices/",
            "/en/articles/103-keep-your-notes-in-sync/",
            "/en/articles/103-sync-everywhere/"
        ])
    );
    // An unchanged rebuild says nothing more and writes nothing.
    let again = build(&options).unwrap();
    assert!(again.warnings.is_empty(), "{:?}", again.warnings);
    assert_eq!(again.files_written, 0);
    // Back to the first title: that URL is a page again, not a redirect.
    retitle("Sync your notes across devices");
    assert!(read("en/articles/103-sync-your-notes-across-devices/index.html").contains("<article"));
    assert!(read("en/articles/103-sync-everywhere/index.html").contains("http-equiv=\"refresh\""));
}

fn fixture_dir_of(path: &str) -> PathBuf {
    fixture(path)
}

#[test]
fn feeds_are_valid_atom_with_the_newest_articles_first() {
    let site = Site::multilingual();
    site.build(|_| {});
    let text = site.read("en/feed.xml");
    let xml = roxmltree::Document::parse(&text).unwrap();
    let feed = xml.root_element();
    let atom = "http://www.w3.org/2005/Atom";
    assert_eq!(
        (feed.tag_name().namespace(), feed.tag_name().name()),
        (Some(atom), "feed")
    );
    fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
        let found = node.children().find(|c| c.tag_name().name() == name);
        found.unwrap_or_else(|| panic!("no {name}"))
    }
    // RFC 4287: a feed has an id, title, updated and author; each entry an id, title, updated
    // and (having no content) an alternate link.
    for name in ["id", "title", "updated", "author"] {
        child(feed, name);
    }
    assert_eq!(
        child(feed, "title").text(),
        Some("Acme Notes Help Center: Recently updated articles")
    );
    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.tag_name().name() == "entry")
        .collect();
    let titles: Vec<&str> = entries
        .iter()
        .map(|e| child(*e, "title").text().unwrap())
        .collect();
    // The published English articles, newest edit first (113 is a draft).
    assert_eq!(titles.len(), 13);
    assert_eq!(titles[0], "Plans and pricing");
    let updated: Vec<&str> = entries
        .iter()
        .map(|e| child(*e, "updated").text().unwrap())
        .collect();
    assert!(updated.windows(2).all(|w| w[0] >= w[1]), "{updated:?}");
    for entry in &entries {
        let id = child(*entry, "id").text().unwrap();
        assert!(id.starts_with("urn:uuid:"), "{id}");
        let link = child(*entry, "link");
        assert_eq!(link.attribute("rel"), Some("alternate"));
        assert!(link.attribute("href").unwrap().starts_with(BASE_URL));
        time::OffsetDateTime::parse(
            child(*entry, "updated").text().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
    }
    // Linked from every page of its locale.
    assert!(site.read(ARTICLE_103_EN).contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Acme Notes Help Center: Recently updated articles\" href=\"../../../en/feed.xml\">"
    ));
    // The ids do not depend on the base URL.
    let id = child(entries[0], "id").text().unwrap().to_string();
    site.build(|o| o.base_url = None);
    assert!(site.read("en/feed.xml").contains(&id));
    assert!(site.read("en/feed.xml").contains("<link rel=\"alternate\" type=\"text/html\" href=\"../en/articles/110-plans-and-pricing/\"/>"));
}

/// The JSON-LD of a page, parsed.
fn json_ld(html: &str) -> serde_json::Value {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse("script[type=\"application/ld+json\"]").unwrap();
    let script = document.select(&selector).next().expect("a JSON-LD script");
    serde_json::from_str(&script.text().collect::<String>()).unwrap()
}

#[test]
fn article_and_collection_pages_describe_themselves_in_json_ld() {
    let site = Site::multilingual();
    site.build(|_| {});
    let ld = json_ld(&site.read(ARTICLE_103_EN));
    assert_eq!(ld["@context"], "https://schema.org");
    let article = &ld["@graph"][0];
    assert_eq!(article["@type"], "Article");
    assert_eq!(article["headline"], "Sync your notes across devices");
    assert_eq!(article["inLanguage"], "en");
    assert_eq!(article["dateModified"], "2024-05-16T22:53:20Z");
    assert_eq!(
        article["url"],
        "https://docs.example.org/help/en/articles/103-sync-your-notes-across-devices/"
    );
    let crumbs = &ld["@graph"][1];
    assert_eq!(crumbs["@type"], "BreadcrumbList");
    let names: Vec<&str> = crumbs["itemListElement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "All collections",
            "Getting started",
            "Install and sync",
            "Sync your notes across devices"
        ]
    );
    let collection = json_ld(&site.read(COLLECTION_202_EN));
    assert_eq!(collection["@type"], "BreadcrumbList");
    assert_eq!(
        collection["itemListElement"][1]["item"],
        "https://docs.example.org/help/en/collections/202-writing-and-organizing/"
    );
    // The hostile title stays a string inside its script.
    let hostile =
        json_ld(&site.read("en/articles/114-etc-passwd-script-alert-1-script/index.html"));
    assert_eq!(
        hostile["@graph"][0]["headline"],
        "../../etc/passwd <script>alert(1)</script>"
    );
}

#[test]
fn article_pages_show_their_place_among_the_others() {
    let site = Site::multilingual();
    site.build(|_| {});
    let page = site.read("en/articles/111-update-your-payment-method/index.html");
    let document = scraper::Html::parse_document(&page);
    let texts = |css: &str| -> Vec<String> {
        let selector = scraper::Selector::parse(css).unwrap();
        document
            .select(&selector)
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    };
    assert_eq!(texts(".related-list a"), ["Plans and pricing"]);
    assert_eq!(
        texts(".related-collection a"),
        ["All articles in Account and billing"]
    );
    assert_eq!(
        texts(".article-nav-previous"),
        ["Previous Plans and pricing"]
    );
    assert!(texts(".article-nav-next").is_empty());
    assert_eq!(
        texts("h1"),
        ["Update your payment method"],
        "one h1 per page"
    );
    assert_eq!(texts("time"), ["May 6, 2024"]);
    // The French page of the same article, dated in French.
    let fr = site.read("fr/articles/111-modifier-votre-moyen-de-paiement/index.html");
    assert!(fr.contains(">6 mai 2024</time>"), "{fr}");
    // The standalone article is listed on the home page, so it can be reached.
    let home = site.read("en/index.html");
    assert!(
        home.contains("<h2 class=\"list-title\">Other articles</h2>"),
        "{home}"
    );
    assert!(
        home.contains("<a href=\"../en/articles/112-keyboard-shortcuts/\">"),
        "{home}"
    );
}

#[test]
fn the_table_of_contents_links_to_the_headings() {
    let site = Site::multilingual();
    site.build(|_| {});
    let page =
        site.read("en/articles/102-install-acme-notes-on-macos-windows-and-linux/index.html");
    let document = scraper::Html::parse_document(&page);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    let toc: Vec<String> = document
        .select(&select(".toc-aside a"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert!(toc.len() >= 3, "{toc:?}");
    for href in &toc {
        let id = href.strip_prefix('#').unwrap();
        let heading = document.select(&select(&format!("[id=\"{id}\"]"))).next();
        assert!(
            heading.is_some_and(|h| h.value().name().starts_with('h')),
            "{href}"
        );
    }
    // Folded above the body as well, for phones.
    assert_eq!(
        document.select(&select("details.toc-folded a")).count(),
        toc.len()
    );
    // Fewer than three headings: no table of contents.
    let short = site.read(ARTICLE_103_EN);
    assert!(!short.contains("class=\"toc"), "103 has two headings");
}

#[test]
fn llms_txt_lists_every_locales_collections_and_articles() {
    let site = Site::multilingual();
    site.build(|_| {});
    let llms = site.read("llms.txt");
    assert!(llms.starts_with("# Acme Notes Help Center\n\n> "), "{llms}");
    let english = llms
        .split("## English (en)\n\n")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let lines: Vec<&str> = english.lines().collect();
    assert_eq!(
        lines[0],
        "- [All collections](https://docs.example.org/help/en/)"
    );
    assert_eq!(
        lines[1],
        "- [Getting started](https://docs.example.org/help/en/collections/201-getting-started/): \
         Set up Acme Notes and write your first note in minutes."
    );
    // Nested as on the site, each article with its description.
    assert!(lines.contains(
        &"    - [Sync your notes across devices](https://docs.example.org/help/en/articles/103-sync-your-notes-across-devices/): How sync works, which devices it covers and what to do when it stops."
    ), "{english}");
    // The standalone article too, and every English article page exactly once.
    assert!(lines.contains(&"- [Keyboard shortcuts ⌨️](https://docs.example.org/help/en/articles/112-keyboard-shortcuts/): Every shortcut in one table."), "{english}");
    let articles = lines.iter().filter(|l| l.contains("/en/articles/")).count();
    assert_eq!(
        articles,
        site.pages_in("en")
            .iter()
            .filter(|p| p.starts_with("articles/") && p.contains('-'))
            .count()
    );
    // Markdown in titles cannot break the list.
    assert!(llms.contains("[../../etc/passwd <script>alert(1)</script>](https://docs.example.org/help/en/articles/114-etc-passwd-script-alert-1-script/)"));
    for locale in ["ar", "de", "fr", "ja"] {
        assert!(llms.contains(&format!(" ({locale})\n\n- [")), "{locale}");
    }
}

#[test]
fn every_article_page_has_its_markdown_beside_it() {
    let site = Site::multilingual();
    site.build(|_| {});
    let markdown = site.read("en/articles/103-sync-your-notes-across-devices/index.md");
    // The Markdown tree's own front matter and converter.
    assert!(
        markdown.starts_with(
            "---\ntitle: \"Sync your notes across devices\"\ndescription: \"How sync works, which \
         devices it covers and what to do when it stops.\"\nid: \"103\"\nlocale: \"en\"\n"
        ),
        "{markdown}"
    );
    assert!(markdown.contains("url: \"/en/articles/103-sync-your-notes-across-devices/\"\n"));
    assert!(
        markdown.contains("\n## How sync works {#h_5c6d7e8f90}\n"),
        "{markdown}"
    );
    // Its links lead where the page's do: relative to the same folder.
    assert!(markdown.contains(
        "[Reinstall the Linux package](../../../en/articles/102-install-acme-notes-on-macos-windows-and-linux/#h_2b3c4d5e6f)"
    ), "{markdown}");
    // Read back by the tree's converter, it is the page's body.
    let body = markdown.split("\n---\n\n").nth(1).unwrap();
    let html = helpcenter::markdown::markdown_to_html(body);
    assert!(
        html.contains("<h2 id=\"h_5c6d7e8f90\">How sync works</h2>"),
        "{html}"
    );
    // One per article page, in every locale.
    for locale in ["ar", "de", "en", "fr", "ja"] {
        for page in site.pages_in(locale) {
            let is_article = page.starts_with("articles/") && page.contains('-');
            if is_article {
                assert!(
                    site.exists(&format!("{locale}/{page}/index.md")),
                    "{locale}/{page}"
                );
            }
        }
    }
}

#[test]
fn every_article_page_can_be_reached_from_the_home_pages() {
    let site = Site::multilingual();
    site.build(|_| {});
    let selector = scraper::Selector::parse("a[href]").unwrap();
    // Follow the links of the pages from `/` on, as a visitor (or a crawler) would.
    let mut seen: std::collections::BTreeSet<String> = ["index.html".to_string()].into();
    let mut queue = vec!["index.html".to_string()];
    while let Some(file) = queue.pop() {
        let html = scraper::Html::parse_document(&site.read(&file));
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        for link in html.select(&selector) {
            let href = link
                .value()
                .attr("href")
                .unwrap()
                .split(['#', '?'])
                .next()
                .unwrap();
            if href.contains(':') || href.is_empty() || !href.ends_with('/') {
                continue;
            }
            let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
            for segment in href.split('/').filter(|s| !s.is_empty() && *s != ".") {
                if segment == ".." {
                    parts.pop();
                } else {
                    parts.push(segment);
                }
            }
            let target = format!("{}/index.html", parts.join("/"));
            if site.exists(&target) && seen.insert(target.clone()) {
                queue.push(target);
            }
        }
    }
    for locale in ["ar", "de", "en", "fr", "ja"] {
        for page in site.pages_in(locale) {
            let file = format!("{locale}/{page}/index.html");
            if page.starts_with("articles/") && !site.read(&file).contains("http-equiv=\"refresh\"")
            {
                assert!(
                    seen.contains(&file),
                    "{file} cannot be reached from the home page"
                );
            }
        }
    }
    // The standalone article, in particular, and in every language it has.
    assert!(
        seen.contains("fr/articles/112-raccourcis-clavier/index.html"),
        "{seen:?}"
    );
}
