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
        .filter(|l| l.starts_with("<link rel=\"alternate\""))
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
        report.files_written - 4 - search_files,
        "plus robots, sitemap, style.css, search.js and the search indexes"
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
    // The French draft of 110 is not built: a French page's link to it keeps pointing at
    // Intercom, while an English page's link to it falls back to the English page.
    let fr_111 = hrefs(&site.read("fr/articles/111-modifier-votre-moyen-de-paiement/index.html"));
    assert!(fr_111.contains(
        &"https://help.example.com/fr/articles/110-forfaits-et-tarifs#h_9e8d7c6b5a".to_string()
    ));
    let en_111 = hrefs(&site.read("en/articles/111-update-your-payment-method/index.html"));
    assert!(en_111.contains(&"../../../en/articles/110-plans-and-pricing/".to_string()));
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
                    let file = format!("fr/{target}index.html");
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
