//! `kill -9` of the real binary, then a rerun.
//!
//! `push` and `restore` write to Intercom. Each is killed at 20 points drawn from a seed: a
//! request of the run that the fake holds before acting on it, or after acting on it with the
//! answer withheld, or answers, the kill following a few milliseconds later. Every fourth
//! rerun is killed too. Then a last run finishes: the fake must hold exactly what one
//! uninterrupted run leaves (nothing missing, nothing twice), and one more run sends nothing.
//!
//! `build` (the site and the Markdown export) and `archive` write files: killed at random
//! moments, they leave the previous output (the site: pages the next build repairs), and the
//! next run's output is exactly an uninterrupted run's. (`pull`'s test is in `pull.rs`.)
//!
//! The seed is printed: `HELPCENTER_KILL_SEED=<seed> cargo test --test kill` replays a run.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

use support::cli::{self, assert_code};
use support::fake_intercom::{FakeIntercom, Hold, Matcher, RecordedRequest};
use support::files_under;
use support::snapshots::fixture_snapshot_dir;
use support::workspace::{id_of, id_text, GeneratedSpec, Workspace};

/// Points per command that writes to Intercom.
const POINTS: usize = 20;

/// Where to kill a run: at the `nth` request matching `pattern` (see [`Matcher`]), held as
/// `hold`, `delay_ms` after the fake got there.
#[derive(Debug, Clone)]
struct Point {
    pattern: String,
    nth: usize,
    hold: Hold,
    delay_ms: u64,
}

fn seeded(test: &str) -> StdRng {
    let seed = std::env::var("HELPCENTER_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
            now.as_nanos() as u64
        });
    eprintln!("{test}: seed {seed} (HELPCENTER_KILL_SEED={seed} replays it)");
    StdRng::seed_from_u64(seed)
}

/// A random hold and delay at the `nth` request matching `pattern`.
fn point_at(rng: &mut StdRng, pattern: &str, nth: usize) -> Point {
    let holds = [Hold::Before, Hold::After, Hold::Answered];
    Point {
        pattern: pattern.to_string(),
        nth,
        hold: holds[rng.random_range(0..holds.len())],
        delay_ms: rng.random_range(0..15),
    }
}

/// A point anywhere among the first `requests` requests of a run.
fn anywhere(rng: &mut StdRng, requests: usize) -> Point {
    let nth = rng.random_range(1..=requests);
    point_at(rng, "*", nth)
}

/// [`POINTS`] points for a run that made `reference`'s requests: first the writes, in random
/// order (all of them when there are fewer than [`POINTS`]: every create and update is hit),
/// each found by its method and endpoint (`PUT /articles/*`, 3rd) since concurrent requests
/// arrive in any order; then points anywhere.
fn points(rng: &mut StdRng, reference: &[RecordedRequest]) -> Vec<Point> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut writes: Vec<Point> = Vec::new();
    for request in reference.iter().filter(|r| r.method != "GET") {
        let endpoint = match request.path.rsplit_once('/') {
            Some((parent, id)) if id.chars().all(|c| c.is_ascii_digit()) => format!("{parent}/*"),
            _ => request.path.clone(),
        };
        let pattern = format!("{} {endpoint}", request.method);
        let nth = seen.entry(pattern.clone()).or_default();
        *nth += 1;
        let nth = *nth;
        writes.push(point_at(rng, &pattern, nth));
    }
    for i in (1..writes.len()).rev() {
        writes.swap(i, rng.random_range(0..=i));
    }
    writes.truncate(POINTS);
    while writes.len() < POINTS {
        writes.push(anywhere(rng, reference.len()));
    }
    writes
}

/// Runs the binary with `args` until the fake reaches `point`, then kills it (`SIGKILL`);
/// `false` when the run ended before.
fn kill_at(server: &FakeIntercom, dir: &Path, args: &[&str], point: &Point) -> bool {
    let wire = server.hold(Matcher::nth_to(&point.pattern, point.nth), point.hold);
    let mut child = cli::spawn_against(server, dir, args);
    let deadline = Instant::now() + Duration::from_secs(120);
    let killed = loop {
        if wire.wait(Duration::from_millis(10)) {
            std::thread::sleep(Duration::from_millis(point.delay_ms));
            child.kill().unwrap();
            child.wait().unwrap();
            break true;
        }
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        assert!(Instant::now() < deadline, "{args:?} hangs before {point:?}");
    };
    server.release_holds();
    killed
}

/// A command that writes to Intercom, and how to check its runs.
struct Scenario<'a> {
    /// For the seed's message.
    name: &'a str,
    args: &'a [&'a str],
    /// Its journal, relative to the folder it runs in: it must never hold the token.
    journal: &'a str,
    /// A fresh fake and folder for one round.
    fresh: &'a dyn Fn() -> (FakeIntercom, tempfile::TempDir),
    /// What else must hold after a round's last run (it gets the round's context).
    after: &'a dyn Fn(&FakeIntercom, &Path, &str),
}

/// Runs the scenario once uninterrupted, then [`POINTS`] rounds: killed at a point (its rerun
/// too, every fourth round), then run to the end, which must succeed and leave the fake
/// holding what the uninterrupted run left. Returns the uninterrupted run's requests and how
/// many rounds were killed.
fn kill_rounds(scenario: &Scenario) -> (Vec<RecordedRequest>, usize) {
    let run_to_end = |server: &FakeIntercom, dir: &Path, context: &str| {
        let output = cli::against(server, dir)
            .args(scenario.args)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{context}\nstdout:\n{}\nstderr:\n{}",
            cli::text(&output.stdout),
            cli::text(&output.stderr)
        );
    };
    let (server, dir) = (scenario.fresh)();
    run_to_end(&server, dir.path(), "the uninterrupted run");
    let expected = content_of(&server.workspace());
    let reference = server.requests();
    let mut rng = seeded(scenario.name);
    let mut kills = 0;
    for (round, first) in points(&mut rng, &reference).into_iter().enumerate() {
        let (server, dir) = (scenario.fresh)();
        let mut points = vec![first];
        if round % 4 == 3 {
            points.push(anywhere(&mut rng, reference.len()));
        }
        kills += usize::from(kill_at(&server, dir.path(), scenario.args, &points[0]));
        for point in &points[1..] {
            kill_at(&server, dir.path(), scenario.args, point);
        }
        let context = format!("round {round}, killed at {points:?}");
        if let Ok(text) = fs::read_to_string(dir.path().join(scenario.journal)) {
            assert!(
                !text.contains(FakeIntercom::TOKEN),
                "{context}: the token is in the journal"
            );
        }
        run_to_end(&server, dir.path(), &context);
        assert_same_content(&server.workspace(), &expected, &context);
        (scenario.after)(&server, dir.path(), &context);
    }
    (reference, kills)
}

/// What a workspace holds without ids, times and order: one JSON line per collection and per
/// article (parents by the names above them; ids in links masked), sorted. Equal lists mean
/// the same content, with nothing missing and nothing twice.
fn content_of(workspace: &Workspace) -> Vec<String> {
    let collections: BTreeMap<String, &Value> = (workspace.collections.iter())
        .map(|c| (id_of(c).unwrap(), c))
        .collect();
    let path_of = |parent: &Value| {
        let mut names = Vec::new();
        let mut current = id_text(parent);
        while let Some(id) = current {
            let collection = collections[&id];
            names.push(collection["name"].as_str().unwrap_or("").to_string());
            current = id_text(&collection["parent_id"]);
        }
        names.reverse();
        names.join(" > ")
    };
    let mut lines = Vec::new();
    for collection in &workspace.collections {
        let mut kept = fields(collection, &["name", "description"]);
        kept.insert("in".into(), json!(path_of(&collection["parent_id"])));
        lines.push(format!("collection {}", Value::Object(kept)));
    }
    let article_fields = ["title", "description", "body", "author_id", "state"];
    for article in &workspace.articles {
        let mut kept = fields(article, &article_fields);
        kept.insert("in".into(), json!(path_of(&article["parent_id"])));
        lines.push(format!("article {}", Value::Object(kept)));
    }
    lines.sort();
    lines
}

/// `names` of `object` and of each of its translations, ids as text, link ids masked.
fn fields(object: &Value, names: &[&str]) -> Map<String, Value> {
    let pick = |object: &Value| -> Map<String, Value> {
        let present = names.iter().filter_map(|n| Some((*n, object.get(*n)?)));
        present
            .map(|(name, value)| {
                let text = match value {
                    Value::String(text) => masked(text),
                    other => id_text(other).unwrap_or_default(),
                };
                (name.to_string(), json!(text))
            })
            .collect()
    };
    let mut kept = pick(object);
    if let Some(Value::Object(translations)) = object.get("translated_content") {
        let locales: Map<String, Value> = (translations.iter())
            .filter(|(_, content)| content.is_object())
            .map(|(locale, content)| (locale.clone(), Value::Object(pick(content))))
            .collect();
        kept.insert("translated_content".into(), Value::Object(locales));
    }
    kept
}

/// `text` with the digits after `/articles/` and `/collections/` replaced by `N`: ids that
/// depend on the order of creation.
fn masked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = ["/articles/", "/collections/"]
        .iter()
        .filter_map(|m| rest.find(m).map(|at| at + m.len()))
        .min()
    {
        out.push_str(&rest[..at]);
        let digits = rest[at..].len()
            - rest[at..]
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .len();
        if digits > 0 {
            out.push('N');
        }
        rest = &rest[at + digits..];
    }
    out.push_str(rest);
    out
}

/// Fails naming what is missing from the workspace and what it holds beyond `expected`.
#[track_caller]
fn assert_same_content(workspace: &Workspace, expected: &[String], context: &str) {
    let actual = content_of(workspace);
    if actual == expected {
        return;
    }
    let short = |line: &String| line.chars().take(160).collect::<String>();
    let missing: Vec<String> = expected
        .iter()
        .filter(|l| !actual.contains(l))
        .map(short)
        .collect();
    let extra: Vec<String> = actual
        .iter()
        .filter(|l| !expected.contains(l))
        .map(short)
        .collect();
    panic!(
        "{context}: {} objects, expected {}\nmissing:\n{}\nextra (or twice):\n{}",
        actual.len(),
        expected.len(),
        missing.join("\n"),
        extra.join("\n")
    );
}

/// `snapshot/` pulled and `content/` exported from the multilingual fixture, to copy from.
fn exported_tree() -> tempfile::TempDir {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let dir = tempfile::tempdir().unwrap();
    let pull = ["pull", "-q", "--snapshot", "snapshot"];
    assert_code(
        &cli::against(&server, dir.path())
            .args(pull)
            .output()
            .unwrap(),
        0,
    );
    let export = [
        "build",
        "-q",
        "--format",
        "markdown",
        "--snapshot",
        "snapshot",
        "--out",
        "content",
    ];
    assert_code(
        &cli::helpcenter(dir.path()).args(export).output().unwrap(),
        0,
    );
    dir
}

const NEW_ARTICLE: &str = "---\ntitle: \"Notes that survive\"\ndescription: \"Kept safe.\"\nauthor_id: \"5017691\"\n---\n\nPress **Save**.\n";

/// Edits of every kind push sends: six article files in several locales, a collection
/// renamed, a new article in an existing collection, and a new collection with an article.
fn edit_tree(content: &Path) {
    let base: Value =
        serde_json::from_slice(&fs::read(content.join(".helpcenter/base.json")).unwrap()).unwrap();
    let files = base["files"].as_object().unwrap();
    let of_kind = |kind: &str| -> Vec<&String> {
        let files = files.iter().filter(|(_, e)| e["kind"] == kind);
        files.map(|(path, _)| path).collect()
    };
    let articles = of_kind("article");
    for path in articles.iter().step_by(articles.len() / 6).take(6) {
        let mut text = fs::read_to_string(content.join(path)).unwrap();
        text.push_str("\nEdited before a kill.\n");
        fs::write(content.join(path), text).unwrap();
    }
    let collection = of_kind("collection")
        .into_iter()
        .find(|p| p.starts_with("en/"))
        .unwrap()
        .clone();
    let text = fs::read_to_string(content.join(&collection)).unwrap();
    let title = text.lines().find(|l| l.starts_with("title: ")).unwrap();
    let renamed = format!("{} (renamed)\"", title.trim_end_matches('"'));
    fs::write(content.join(&collection), text.replacen(title, &renamed, 1)).unwrap();
    let folder = collection.strip_suffix("/_index.md").unwrap();
    fs::write(
        content.join(folder).join("notes-that-survive.md"),
        NEW_ARTICLE,
    )
    .unwrap();
    let new_folder = content.join("en/crash-tests");
    fs::create_dir_all(&new_folder).unwrap();
    let index = "---\ntitle: \"Crash tests\"\ndescription: \"What survives.\"\n---\n";
    fs::write(new_folder.join("_index.md"), index).unwrap();
    let inside = NEW_ARTICLE.replace("Notes that survive", "First crash");
    fs::write(new_folder.join("first-crash.md"), inside).unwrap();
}

/// A fresh fake of the fixture and a fresh edited copy of the tree in a new folder.
fn push_round(template: &Path) -> (FakeIntercom, tempfile::TempDir) {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&template.join("content"), &dir.path().join("content"));
    edit_tree(&dir.path().join("content"));
    (server, dir)
}

const PUSH: [&str; 5] = ["push", "--content", "content", "--retry-delay", "1"];

#[test]
fn push_killed_at_20_random_points_then_run_again_ends_as_one_uninterrupted_push() {
    let template = exported_tree();
    let scenario = Scenario {
        name: "push",
        args: &PUSH,
        journal: "content/.helpcenter/journal",
        fresh: &|| push_round(template.path()),
        after: &|server, dir, context| {
            assert!(
                !dir.join("content/.helpcenter/journal").exists(),
                "{context}"
            );
            assert_body_records_named(&dir.join("content"), context);
            server.clear_requests();
            assert_code(&cli::against(server, dir).args(PUSH).output().unwrap(), 0);
            assert_eq!(server.writes(), Vec::<String>::new(), "{context}");
        },
    };
    let (reference, kills) = kill_rounds(&scenario);
    // Every write is a point, and every push makes them all: at least those rounds killed.
    let writes = reference.iter().filter(|r| r.method != "GET").count();
    let creates = reference.iter().filter(|r| r.method == "POST").count();
    assert_eq!(creates, 3, "a collection and two articles are created");
    assert!(
        kills >= writes.min(POINTS),
        "only {kills} of {POINTS} rounds were killed"
    );
}

/// Every body record the base names is in the tree, and no other: none a killed push wrote
/// and never named is left behind.
#[track_caller]
fn assert_body_records_named(content: &Path, context: &str) {
    let base: Value =
        serde_json::from_slice(&fs::read(content.join(".helpcenter/base.json")).unwrap()).unwrap();
    let named: std::collections::BTreeSet<String> = (base["files"].as_object().unwrap().values())
        .filter_map(|entry| entry["body"].as_str())
        .map(|name| format!("{name}.json"))
        .collect();
    let stored: std::collections::BTreeSet<String> =
        (fs::read_dir(content.join(".helpcenter/bodies")).unwrap())
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    assert_eq!(stored, named, "{context}: body records");
}

/// A round killed at the first article `PUT`, after the fake applied it: its fake, its folder,
/// and the path of that `PUT`.
fn killed_after_first_put(template: &Path) -> (FakeIntercom, tempfile::TempDir, String) {
    let (server, dir) = push_round(template);
    let wire = server.hold(Matcher::nth_to("PUT /articles/*", 1), Hold::After);
    let mut child = cli::spawn_against(&server, dir.path(), &PUSH[..3]);
    assert!(wire.wait(Duration::from_secs(60)), "no PUT was sent");
    child.kill().unwrap();
    child.wait().unwrap();
    server.release_holds();
    let put = server
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    (server, dir, put.path)
}

/// The article file of `id` the kill round edited (its first edited locale).
fn edited_file_of(dir: &Path, id: &str) -> (String, String) {
    let content = dir.join("content");
    let base: Value =
        serde_json::from_slice(&fs::read(content.join(".helpcenter/base.json")).unwrap()).unwrap();
    let files = base["files"].as_object().unwrap();
    let edited = files.iter().find(|(path, entry)| {
        entry["id"] == id
            && fs::read_to_string(content.join(path))
                .unwrap()
                .ends_with("Edited before a kill.\n")
    });
    let (path, entry) = edited.unwrap();
    (path.clone(), entry["locale"].as_str().unwrap().to_string())
}

#[test]
fn a_landed_write_is_not_sent_again_over_a_newer_remote_edit() {
    let template = exported_tree();
    let (server, dir, put) = killed_after_first_put(template.path());
    let id = put.rsplit('/').next().unwrap().to_string();
    let (path, locale) = edited_file_of(dir.path(), &id);
    // Someone edits that translation in Intercom after the killed push's write landed.
    server.update_workspace(|w| {
        let article = w
            .articles
            .iter_mut()
            .find(|a| id_of(a).unwrap() == id)
            .unwrap();
        let translation = &mut article["translated_content"][&locale];
        translation["body"] = json!("<p>Edited in Intercom afterwards.</p>");
        translation["updated_at"] = json!(1_900_000_000);
    });
    server.clear_requests();
    let output = cli::against(&server, dir.path())
        .args(PUSH)
        .output()
        .unwrap();
    let stdout = assert_code(&output, 3);
    assert!(stdout.contains(&format!("{path}: conflict")), "{stdout}");
    let article = server.workspace().article(&id).unwrap().clone();
    assert_eq!(
        article["translated_content"][&locale]["body"],
        "<p>Edited in Intercom afterwards.</p>"
    );
    assert!(!server.writes().contains(&format!("PUT /articles/{id}")));
    // The conflict is reported, not kept: the journal is finished.
    assert!(!dir.path().join("content/.helpcenter/journal").exists());
}

#[test]
fn a_file_edited_again_after_its_write_landed_is_pushed_as_an_edit() {
    let template = exported_tree();
    let (server, dir, put) = killed_after_first_put(template.path());
    let id = put.rsplit('/').next().unwrap().to_string();
    let (path, locale) = edited_file_of(dir.path(), &id);
    let file = dir.path().join("content").join(&path);
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        text.replace("Edited before a kill.", "Edited again after it."),
    )
    .unwrap();
    server.clear_requests();
    let output = cli::against(&server, dir.path())
        .args(PUSH)
        .output()
        .unwrap();
    let stdout = assert_code(&output, 0);
    assert!(stdout.contains(&format!("{path}: updated")), "{stdout}");
    let article = server.workspace().article(&id).unwrap().clone();
    let body = article["translated_content"][&locale]["body"]
        .as_str()
        .unwrap();
    assert!(body.contains("Edited again after it."), "{body}");
}

const RESTORE: [&str; 4] = ["restore", "snapshot", "--retry-delay", "1"];

#[test]
fn restore_killed_at_20_random_points_then_run_again_ends_as_one_uninterrupted_restore() {
    let scenario = Scenario {
        name: "restore",
        args: &RESTORE,
        journal: "snapshot.restore.json",
        fresh: &|| {
            let server = FakeIntercom::start(Workspace::with_empty_help_center());
            (server, fixture_snapshot_dir("multilingual"))
        },
        after: &|server, dir, context| {
            server.clear_requests();
            let mut again = cli::against(server, dir);
            again.args(RESTORE).arg("--json");
            let report = cli::json_of(&assert_code(&again.output().unwrap(), 0));
            assert_eq!(report["already_restored"], 8 + 14, "{context}");
            assert_eq!(server.writes(), Vec::<String>::new(), "{context}");
        },
    };
    let (_, kills) = kill_rounds(&scenario);
    assert_eq!(kills, POINTS, "every point is a write every restore makes");
}

/// Two snapshots in `dir`: `a` (the multilingual fixture) and `b` (120 generated articles in
/// three locales, enough to take a while to build or archive).
fn two_snapshots() -> tempfile::TempDir {
    let dir = fixture_snapshot_dir("multilingual");
    fs::rename(dir.path().join("snapshot"), dir.path().join("a")).unwrap();
    let server = FakeIntercom::start(Workspace::generated(&GeneratedSpec {
        articles: 120,
        locales: vec!["en".into(), "fr".into(), "de".into()],
        ..GeneratedSpec::default()
    }));
    let pull = ["pull", "-q", "--snapshot", "b"];
    assert_code(
        &cli::against(&server, dir.path())
            .args(pull)
            .output()
            .unwrap(),
        0,
    );
    dir
}

/// Runs `args` in `dir` to the end, in `time`.
fn timed_run(dir: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    assert_code(&cli::helpcenter(dir).args(args).output().unwrap(), 0);
    started.elapsed()
}

/// Starts `args` in `dir` and kills it after a random part of `duration`.
fn kill_after(dir: &Path, args: &[&str], duration: Duration, rng: &mut StdRng) {
    let server = FakeIntercom::start(Workspace::empty());
    let mut child = cli::spawn_against(&server, dir, args);
    std::thread::sleep(duration.mul_f64(rng.random_range(0.0..1.0)));
    child.kill().unwrap();
    child.wait().unwrap();
}

/// What a killed run of `name` can leave beside it: staging folders, the previous tree.
fn leftovers(dir: &Path, name: &str) -> Vec<String> {
    let names = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name());
    let names = names.map(|n| n.to_string_lossy().into_owned());
    let prefix = format!(".{name}.");
    names.filter(|n| n.starts_with(&prefix)).collect()
}

/// Fails naming the files under `dir` that differ from `expected`.
#[track_caller]
fn assert_same_files(dir: &Path, expected: &BTreeMap<String, Vec<u8>>, context: &str) {
    let actual = files_under(dir);
    let paths = actual.keys().chain(expected.keys());
    let differ: std::collections::BTreeSet<&String> = paths
        .filter(|p| actual.get(*p) != expected.get(*p))
        .collect();
    assert!(
        differ.is_empty(),
        "{context}: these files differ: {differ:?}"
    );
}

/// The files under `dir`, none when it does not exist.
fn files_if_any(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    if dir.exists() {
        files_under(dir)
    } else {
        BTreeMap::new()
    }
}

/// Moments per build or archive kill test.
const MOMENTS: usize = 5;

#[test]
fn a_killed_markdown_export_leaves_the_previous_tree_and_the_next_one_completes() {
    let dir = two_snapshots();
    let cwd = dir.path();
    let export = |from: &'static str, out: &'static str| {
        [
            "build",
            "-q",
            "--format",
            "markdown",
            "--snapshot",
            from,
            "--out",
            out,
        ]
    };
    timed_run(cwd, &export("a", "old"));
    let took = timed_run(cwd, &export("b", "new"));
    let (old, new) = (files_under(&cwd.join("old")), files_under(&cwd.join("new")));
    let mut rng = seeded("export");
    for moment in 0..MOMENTS {
        support::copy_dir(&cwd.join("old"), &cwd.join("content"));
        kill_after(cwd, &export("b", "content"), took, &mut rng);
        let tree = files_if_any(&cwd.join("content"));
        // The swap is two renames: between them the previous tree waits beside the target.
        let previous = files_if_any(&cwd.join(".content.previous"));
        assert!(
            tree == old || tree == new || (tree.is_empty() && previous == old),
            "moment {moment}: the tree is neither the previous nor the new one"
        );
        timed_run(cwd, &export("b", "content"));
        assert_same_files(&cwd.join("content"), &new, &format!("moment {moment}"));
        assert_eq!(
            leftovers(cwd, "content"),
            Vec::<String>::new(),
            "moment {moment}"
        );
        fs::remove_dir_all(cwd.join("content")).unwrap();
    }
}

#[test]
fn a_killed_site_build_is_repaired_by_the_next_build() {
    let dir = two_snapshots();
    let cwd = dir.path();
    let build =
        |from: &'static str, out: &'static str| ["build", "-q", "--snapshot", from, "--out", out];
    timed_run(cwd, &build("a", "old"));
    // An uninterrupted build over the previous site: its manifest keeps the previous pages'
    // paths (for redirects), which a build into an empty folder does not have.
    support::copy_dir(&cwd.join("old"), &cwd.join("new"));
    let took = timed_run(cwd, &build("b", "new"));
    let new = files_under(&cwd.join("new"));
    let mut rng = seeded("site");
    for moment in 0..MOMENTS {
        support::copy_dir(&cwd.join("old"), &cwd.join("site"));
        kill_after(cwd, &build("b", "site"), took, &mut rng);
        timed_run(cwd, &build("b", "site"));
        // Also no temp file a killed write left (its manifest's, say) is deployed.
        assert_same_files(&cwd.join("site"), &new, &format!("moment {moment}"));
        fs::remove_dir_all(cwd.join("site")).unwrap();
    }
}

#[test]
fn a_killed_archive_leaves_the_previous_archive_and_the_next_one_completes() {
    let dir = two_snapshots();
    let cwd = dir.path();
    let archive =
        |from: &'static str, out: &'static str| ["archive", "-q", "--snapshot", from, "-o", out];
    fs::create_dir(cwd.join("backups")).unwrap();
    timed_run(cwd, &archive("a", "old.tar.zst"));
    let took = timed_run(cwd, &archive("b", "new.tar.zst"));
    let old = fs::read(cwd.join("old.tar.zst")).unwrap();
    let new = fs::read(cwd.join("new.tar.zst")).unwrap();
    let target = cwd.join("backups/hc.tar.zst");
    let mut rng = seeded("archive");
    for moment in 0..MOMENTS {
        fs::write(&target, &old).unwrap();
        kill_after(cwd, &archive("b", "backups/hc.tar.zst"), took, &mut rng);
        let after = fs::read(&target).unwrap();
        assert!(
            after == old || after == new,
            "moment {moment}: a partial archive"
        );
        timed_run(cwd, &archive("b", "backups/hc.tar.zst"));
        assert!(fs::read(&target).unwrap() == new, "moment {moment}");
        let backups = fs::read_dir(cwd.join("backups")).unwrap();
        let names: Vec<String> = (backups.map(|e| e.unwrap().file_name()))
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            ["hc.tar.zst"],
            "moment {moment}: the killed write's temp file stays"
        );
        assert_code(
            &cli::helpcenter(cwd)
                .args(["verify", "-q", "backups/hc.tar.zst"])
                .output()
                .unwrap(),
            0,
        );
    }
}
