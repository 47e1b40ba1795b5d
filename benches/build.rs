//! Site build benchmark: a generated snapshot of realistic help-center articles, then a cold
//! build, a rebuild into an empty directory with the body cache warm, and an unchanged rebuild.
//! Prints pages per second, wall time and peak RSS (VmHWM) of each phase. A last line
//! sanitises the same bodies outside any build, with ammonia's default policy and with ours,
//! on all threads: the time a cold build cannot go below.
//!
//! `cargo bench --bench build` (settings through the environment): `BENCH_ARTICLES` (10000),
//! `BENCH_LOCALES` (`en,fr,de,ar,ja`), `BENCH_SEED` (1), `BENCH_DIR` (a temporary directory;
//! set it to keep the snapshot and site for inspection). `RUST_LOG=helpcenter=debug` also prints
//! when each stage of a build ends (cache loaded, content loaded, site written).
//!
//! The machine may be shared: every line gives the CPU time (user + system) beside the wall
//! time, and the load average when the phase ended, so figures from a busy machine can be read.
//! Even an idle virtual machine drifts by a fifth from minute to minute: `BENCH_ROUNDS` (1)
//! repeats all phases that many times over the same snapshot, so rounds of two binaries can be
//! interleaved and compared.
//!
//! Search indexing is part of every build; each build line is followed by the index's own
//! time and peak RSS. `BENCH_PEERS=1` then measures, side by side on the same pages, the
//! pipeline people use without this tool: the Markdown tree rendered by Hugo (`hugo` on the
//! PATH; Debian's package), then indexed by the Pagefind CLI with CJK segmentation
//! (`pagefind_extended`, from npm's `pagefind` package; `BENCH_PAGEFIND` names the binary, or
//! several, comma-separated, to compare Pagefind versions),
//! against `helpcenter build --from markdown` of the same tree. Those three run as commands
//! under GNU `time` (Debian's `time`), which gives their wall, CPU and peak RSS.
//!
//! `BENCH_SERVE=1` measures the writer's loop on the same Markdown tree: `helpcenter serve`
//! (the release binary) is started, one article is edited `BENCH_EDITS` (5) times, and each
//! edit is timed from the file write to the reload event, to the new page being served and
//! to its search shard indexed again; then the same edits under `hugo server` (to the new
//! page served), and the peak RSS of both.
//!
//! `BENCH_EDIT=1` times `helpcenter build --from markdown` of that tree after an edit of one
//! article's body (`BENCH_EDITS` times): to the edited pages written, and to the search shard
//! indexed again, with an unchanged build first.

/// The same allocator as the binary, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use helpcenter::site::{build, BuildOptions, BuildReport, Input};
use helpcenter::snapshot::{ApiInfo, ObjectKind, SnapshotWriter};
use serde_json::{json, Value};

const HOST: &str = "https://help.bench.example";

fn setting(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// A small deterministic generator (xorshift64*), so every run builds the same snapshot.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Words per locale, so bodies have each script's byte profile.
fn vocabulary(locale: &str) -> &'static [&'static str] {
    match locale {
        "fr" => &[
            "votre",
            "compte",
            "paramètres",
            "équipe",
            "facture",
            "créer",
            "modifier",
            "accès",
            "données",
            "sécurité",
            "synchronisation",
            "appareil",
            "cliquez",
            "ensuite",
            "disponible",
        ],
        "de" => &[
            "Ihr",
            "Konto",
            "Einstellungen",
            "Team",
            "Rechnung",
            "erstellen",
            "ändern",
            "Zugriff",
            "Daten",
            "Sicherheit",
            "Synchronisierung",
            "Gerät",
            "klicken",
            "danach",
            "verfügbar",
        ],
        "ar" => &[
            "حسابك",
            "الإعدادات",
            "الفريق",
            "الفاتورة",
            "إنشاء",
            "تعديل",
            "الوصول",
            "البيانات",
            "الأمان",
            "المزامنة",
            "الجهاز",
            "انقر",
            "ثم",
            "متاح",
            "الملاحظات",
        ],
        "ja" => &[
            "アカウント",
            "設定",
            "チーム",
            "請求書",
            "作成する",
            "変更する",
            "アクセス",
            "データ",
            "セキュリティ",
            "同期",
            "デバイス",
            "クリック",
            "次に",
            "利用できます",
            "ノート",
        ],
        _ => &[
            "your",
            "account",
            "settings",
            "team",
            "invoice",
            "create",
            "change",
            "access",
            "data",
            "security",
            "sync",
            "device",
            "click",
            "then",
            "available",
        ],
    }
}

fn sentence(rng: &mut Rng, locale: &str, min_words: usize) -> String {
    let vocab = vocabulary(locale);
    let words = min_words + rng.below(min_words.max(2));
    let sep = if locale == "ja" { "" } else { " " };
    let mut s: Vec<&str> = (0..words).map(|_| rng.pick(vocab)).collect();
    s.push(if locale == "ja" { "。" } else { "." });
    s.join(sep)
}

/// One Intercom block of the kinds the editor produces.
fn block(rng: &mut Rng, locale: &str, article_count: usize, n: usize) -> String {
    let text = sentence(rng, locale, 12);
    match rng.below(12) {
        0 => format!("<h2 id=\"h_{:010x}\">{}</h2>", rng.next() & 0xff_ffff_ffff, sentence(rng, locale, 4)),
        1 => format!(
            "<div class=\"intercom-container\"><img src=\"https://downloads.intercomcdn.com/i/o/{}/image.png\" width=\"1200\" height=\"800\"></div>",
            rng.next() % 1_000_000
        ),
        2 => format!(
            "<div class=\"intercom-interblocks-callout\" style=\"background-color: #feedaf80; border-color: #fbc91633;\"><p class=\"no-margin\">{text}</p></div>"
        ),
        3 => {
            let mut table = String::from("<div class=\"intercom-interblocks-table-container\"><table role=\"presentation\"><tbody>");
            for _ in 0..3 {
                table.push_str("<tr>");
                for _ in 0..3 {
                    let _ = write!(table, "<td style=\"border: 1px solid #dde0e4; padding: 6px 10px;\"><p class=\"no-margin\">{}</p></td>", rng.pick(vocabulary(locale)));
                }
                table.push_str("</tr>");
            }
            table + "</tbody></table></div>"
        }
        4 => format!(
            "<div class=\"intercom-h2b-video\"><iframe src=\"https://www.youtube.com/embed/{:011x}\" frameborder=\"0\" allowfullscreen></iframe></div>",
            rng.next() & 0xfff_ffff_ffff
        ),
        5 => format!("<p class=\"no-margin\"><a class=\"intercom-h2b-button\" href=\"https://app.bench.example/settings\" target=\"_blank\">{}</a></p>", rng.pick(vocabulary(locale))),
        6 => format!("<details><summary>{}</summary><p class=\"no-margin\">{text}</p></details>", sentence(rng, locale, 3)),
        7 => "<pre><code>curl -H \"Authorization: Bearer $TOKEN\" https://api.bench.example/v1/notes?limit=50</code></pre>".to_string(),
        8 => {
            let target = 1 + rng.below(article_count);
            format!("<p class=\"no-margin\">{text} <a href=\"{HOST}/{locale}/articles/{target}-see-also#h_{n:010}\">{}</a></p>", rng.pick(vocabulary(locale)))
        }
        9 => format!("<ul><li><p class=\"no-margin\">{text}</p></li><li><p class=\"no-margin\">{}</p></li></ul>", sentence(rng, locale, 10)),
        10 => "<hr>".to_string(),
        _ => format!("<p class=\"intercom-align-left\">{text} <b>{}</b> <i>{}</i></p>", rng.pick(vocabulary(locale)), rng.pick(vocabulary(locale))),
    }
}

fn body(rng: &mut Rng, locale: &str, article_count: usize) -> String {
    let target = 3_000 + rng.below(3_000);
    let mut html = String::with_capacity(target + 600);
    let mut n = 0;
    while html.len() < target {
        html.push_str(&block(rng, locale, article_count, n));
        n += 1;
    }
    html
}

/// 20 top-level collections, each with 5 children, each with 2 grandchildren.
fn collections(locales: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    let mut id = 10_000;
    let group = |id: usize, parent: Option<usize>, order: usize| {
        let mut translated = serde_json::Map::new();
        translated.insert("type".into(), json!("group_translated_content"));
        for l in locales {
            translated.insert(l.clone(), json!({"type": "group_content", "name": format!("Collection {id} {l}"), "description": format!("About {id} in {l}")}));
        }
        json!({"id": id.to_string(), "type": "collection", "name": format!("Collection {id}"),
               "order": order, "parent_id": parent.map(|p| p.to_string()), "help_center_id": 1,
               "default_locale": "en", "created_at": 1_600_000_000, "updated_at": 1_700_000_000,
               "url": format!("{HOST}/en/collections/{id}"), "icon": "book", "translated_content": translated})
    };
    for top in 0..20 {
        id += 1;
        let top_id = id;
        out.push(group(top_id, None, top));
        for child in 0..5 {
            id += 1;
            let child_id = id;
            out.push(group(child_id, Some(top_id), child));
            for grand in 0..2 {
                id += 1;
                out.push(group(id, Some(child_id), grand));
            }
        }
    }
    out
}

fn article(rng: &mut Rng, id: usize, parent: &str, locales: &[String], count: usize) -> Value {
    let mut translated = serde_json::Map::new();
    translated.insert("type".into(), json!("article_translated_content"));
    for l in locales {
        let title = sentence(rng, l, 3);
        translated.insert(
            l.clone(),
            json!({
            "type": "article_content", "title": title, "description": sentence(rng, l, 8),
            "body": body(rng, l, count), "author_id": 42, "state": "published",
            "created_at": 1_600_000_000 + id, "updated_at": 1_700_000_000 + id,
            "url": format!("{HOST}/{l}/articles/{id}")}),
        );
    }
    json!({"id": id.to_string(), "type": "article", "parent_id": parent, "parent_type": "collection",
           "default_locale": "en", "translated_content": translated})
}

fn generate(dir: &Path, articles: usize, locales: &[String], seed: u64) -> PathBuf {
    let target = dir.join("snapshot");
    let _ = std::fs::remove_dir_all(&target);
    let mut writer = SnapshotWriter::create(&target).expect("snapshot writer");
    let hc = json!({"id": "1", "identifier": "bench", "display_name": "Bench Help", "url": HOST});
    writer
        .write_object(ObjectKind::HelpCenter, "1", hc.to_string().as_bytes())
        .unwrap();
    let groups = collections(locales);
    for g in &groups {
        let id = g["id"].as_str().unwrap();
        writer
            .write_object(ObjectKind::Collection, id, g.to_string().as_bytes())
            .unwrap();
    }
    let mut rng = Rng(seed.max(1));
    for id in 1..=articles {
        let parent = groups[rng.below(groups.len())]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let a = article(&mut rng, id, &parent, locales, articles);
        writer
            .write_object(
                ObjectKind::Article,
                &id.to_string(),
                a.to_string().as_bytes(),
            )
            .unwrap();
    }
    let api = ApiInfo {
        version: "2.15".into(),
        region: "us".into(),
        base_url: "https://api.intercom.io".into(),
    };
    writer.commit(api, None).expect("commit");
    target
}

/// Bytes in MiB.
fn mebibytes(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// User plus system CPU seconds this process has used, from /proc (Linux, 100 ticks a second).
/// On a shared machine wall time depends on the neighbours; CPU time does not.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The 1-minute load average, from /proc (Linux only): how busy the machine was.
fn load_average() -> Option<f64> {
    let loadavg = std::fs::read_to_string("/proc/loadavg").ok()?;
    loadavg.split_whitespace().next()?.parse().ok()
}

/// Runs one build and prints its figures. Each phase runs in its own process (see `main`), so
/// its peak RSS is its own, as it would be for the CLI.
fn phase(name: &str, options: &BuildOptions) -> BuildReport {
    let started = Instant::now();
    let cpu_before = cpu_seconds().unwrap_or(f64::NAN);
    let report = build(options).expect("build");
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds().unwrap_or(f64::NAN) - cpu_before;
    // The build's own figure: indexing resets the process's high-water mark to measure itself.
    let peak = report.peak_rss_bytes.map_or(f64::NAN, mebibytes);
    println!(
        "{name:<26} {:>6} pages {:>6.2} s wall {:>6.0} pages/s {:>6.2} s CPU  written {:>6} unchanged {:>6}  cache hits {:>6} misses {:>6}  peak RSS {peak:>4.0} MiB  load {:.2}",
        report.pages,
        wall,
        report.pages as f64 / wall,
        cpu,
        report.files_written,
        report.files_unchanged,
        report.cache_hits,
        report.cache_misses,
        load_average().unwrap_or(f64::NAN)
    );
    if let Some(search) = &report.search {
        println!(
            "{:<26} {:>6} pages {:>6.2} s wall  {} shards: {} indexed, {} unchanged  {} files  peak RSS {:>4} MiB",
            "  of which search index",
            search.pages,
            search.duration_ms as f64 / 1000.0,
            search.shards,
            search.shards_indexed.len(),
            search.shards_unchanged,
            search.files,
            // None when nothing was indexed.
            (search.peak_rss_bytes.map(mebibytes)).map_or("-".to_string(), |m| format!("{m:.0}")),
        );
    }
    report
}

/// The article bodies of the generated snapshot, every locale.
fn snapshot_bodies(dir: &Path) -> Vec<String> {
    let mut bodies = Vec::new();
    for file in std::fs::read_dir(dir.join("snapshot/articles")).expect("articles") {
        let bytes = std::fs::read(file.expect("entry").path()).expect("article file");
        let article: Value = serde_json::from_slice(&bytes).expect("article JSON");
        let translations = article["translated_content"]
            .as_object()
            .expect("translations");
        bodies.extend(
            translations
                .values()
                .filter_map(|t| t["body"].as_str().map(String::from)),
        );
    }
    bodies
}

/// Sanitises every body of the snapshot on all threads with `clean`, outside any build, and
/// prints the throughput: the floor that sanitising puts under a cold build.
fn sanitise_alone(name: &str, bodies: &[String], clean: impl Fn(&str) -> String + Sync) {
    use rayon::prelude::*;
    let megabytes = bodies.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    let started = Instant::now();
    let cpu_before = cpu_seconds().unwrap_or(f64::NAN);
    let out: usize = bodies.par_iter().map(|b| clean(b).len()).sum();
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds().unwrap_or(f64::NAN) - cpu_before;
    println!(
        "{name:<26} {:>6} bodies {:>6.2} s wall {:>6.1} MB/s  {:>6.2} s CPU  {megabytes:.1} MB in, {:.1} MB out  load {:.2}",
        bodies.len(),
        wall,
        megabytes / wall,
        cpu,
        out as f64 / 1e6,
        load_average().unwrap_or(f64::NAN)
    );
}

fn options(dir: &Path) -> BuildOptions {
    BuildOptions {
        input: Input::Snapshot(dir.join("snapshot")),
        out: dir.join("site"),
        base_url: Some("https://help.bench.example/".into()),
        cache: Some(dir.join("body.cache")),
        ..BuildOptions::default()
    }
}

/// Runs `phase` of this benchmark in a child process.
fn child(dir: &Path, phase: &str) {
    let status = std::process::Command::new(std::env::current_exe().expect("own path"))
        .arg("--phase")
        .arg(phase)
        .env("BENCH_DIR", dir)
        .status()
        .expect("run phase");
    assert!(status.success(), "phase {phase} failed");
}

fn main() {
    helpcenter::memory::disable_transparent_huge_pages();
    let args: Vec<String> = std::env::args().collect();
    let phase_at = args.iter().position(|a| a == "--phase");
    if phase_at.is_none() && !args.iter().any(|a| a == "--bench") {
        // `cargo test --benches` runs harness-less benches too, without `--bench`; a
        // 50,000-page build in a debug binary is no test.
        println!("build benchmark: run it with `cargo bench --bench build`");
        return;
    }
    if let Some(at) = phase_at {
        if std::env::var_os("RUST_LOG").is_some() {
            tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
                .with_writer(std::io::stderr)
                .init();
        }
        let dir = PathBuf::from(std::env::var_os("BENCH_DIR").expect("BENCH_DIR"));
        if args[at + 1] == "sanitise" {
            let bodies = snapshot_bodies(&dir);
            sanitise_alone("ammonia alone, its default", &bodies, ammonia::clean);
            sanitise_alone(
                "ammonia with our policy",
                &bodies,
                helpcenter::html::sanitize,
            );
            return;
        }
        let report = match args[at + 1].as_str() {
            "cold" => phase("cold (no cache, empty out)", &options(&dir)),
            "warm" => phase("warm cache, empty out", &options(&dir)),
            _ => phase("unchanged rebuild", &options(&dir)),
        };
        if args[at + 1] == "unchanged" {
            assert_eq!(
                report.files_written, 0,
                "an unchanged rebuild writes nothing"
            );
        }
        return;
    }
    let articles: usize = setting("BENCH_ARTICLES", "10000")
        .parse()
        .expect("BENCH_ARTICLES");
    let locales: Vec<String> = setting("BENCH_LOCALES", "en,fr,de,ar,ja")
        .split(',')
        .map(String::from)
        .collect();
    let seed: u64 = setting("BENCH_SEED", "1").parse().expect("BENCH_SEED");
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = std::env::var_os("BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();

    let started = Instant::now();
    generate(&dir, articles, &locales, seed);
    println!(
        "generated {articles} articles x {} locales in {:.1} s; {} threads; output in {}",
        locales.len(),
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads(),
        dir.display()
    );
    let rounds: usize = setting("BENCH_ROUNDS", "1").parse().expect("BENCH_ROUNDS");
    for _ in 0..rounds {
        let _ = std::fs::remove_dir_all(dir.join("site"));
        let _ = std::fs::remove_file(dir.join("body.cache"));
        child(&dir, "cold");
        std::fs::remove_dir_all(dir.join("site")).unwrap();
        child(&dir, "warm");
        child(&dir, "unchanged");
        child(&dir, "sanitise");
    }
    if std::env::var_os("BENCH_PEERS").is_some() {
        peers(&dir);
    }
    if std::env::var_os("BENCH_SERVE").is_some() {
        serve::measure(&dir);
    }
    if std::env::var_os("BENCH_EDIT").is_some() {
        edits(&dir);
    }
}

/// `helpcenter build` of the bench's Markdown tree (run from the bench folder).
const BUILD_TREE: [&str; 5] = ["build", "--from", "markdown", "--content", "hugo/content"];

/// `helpcenter build --from markdown` after one article's body is edited, `BENCH_EDITS`
/// times, then after its title is changed as often: from the start of the command to its
/// edited pages written, and to its search shard indexed again (the build's own timings),
/// against the full build of the same tree.
fn edits(dir: &Path) {
    let edits: usize = setting("BENCH_EDITS", "5").parse().expect("BENCH_EDITS");
    let site = hugo_site(dir);
    let content = site.join("content");
    let (file, url) = serve::an_article(&content);
    let bin = serve::binary();
    let _ = std::fs::remove_dir_all(dir.join("site-edit"));
    let _ = std::fs::remove_file(dir.join(".site-edit.helpcenter-cache"));
    let args = [&BUILD_TREE[..], &["--out", "site-edit"]].concat();
    timed(
        "helpcenter build --from markdown",
        bin.to_str().unwrap(),
        &[&args[..], &["--quiet"]].concat(),
        dir,
    );
    println!(
        "build after an edit of {} ({url}), {edits} times:",
        file.display()
    );
    // Unchanged, then `edits` body edits, then `edits` new titles (each moves the page).
    for round in 0..=2 * edits {
        let text = std::fs::read_to_string(&file).unwrap();
        if (1..=edits).contains(&round) {
            let text = format!("{text}\nEdit number {round} of this article.\n");
            std::fs::write(&file, text).unwrap();
        } else if round > edits {
            let title = text.lines().find(|l| l.starts_with("title:")).unwrap();
            let retitled = format!("title: \"Retitled number {round} of this article\"");
            std::fs::write(&file, text.replacen(title, &retitled, 1)).unwrap();
        }
        let started = Instant::now();
        let output = std::process::Command::new(&bin)
            .args(&args)
            .args(["--json", "--quiet"])
            .current_dir(dir)
            .output()
            .expect("run helpcenter build");
        let wall = started.elapsed().as_secs_f64();
        assert!(output.status.success(), "build after an edit failed");
        let report: BuildReport = serde_json::from_slice(&output.stdout).expect("--json");
        let search_ms = report.search.as_ref().map_or(0, |s| s.duration_ms);
        let what = match round {
            0 => "unchanged",
            _ if round <= edits => "one body edited",
            _ => "a new title",
        };
        println!(
            "  {what:<16} {:>6.0} ms to the pages written, {wall:>5.2} s in all; {} files \
             written, search shards indexed again: {:?}; peak RSS {:.0} MiB; load {:.2}",
            report.duration_ms.saturating_sub(search_ms) as f64,
            report.files_written,
            report.search.map(|s| s.shards_indexed).unwrap_or_default(),
            report.peak_rss_bytes.unwrap_or(0) as f64 / 1048576.0,
            load_average().unwrap_or(f64::NAN)
        );
    }
}

/// `helpcenter serve` against `hugo server`: from an edit to the page served.
mod serve {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpStream;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc::{channel, Receiver};
    use std::time::{Duration, Instant};

    /// The release binary beside the bench.
    pub fn binary() -> PathBuf {
        let own = std::env::current_exe().expect("own path");
        own.parent()
            .and_then(Path::parent)
            .map(|release| release.join("helpcenter"))
            .filter(|b| b.exists())
            .expect("the helpcenter binary beside the bench (cargo build --release)")
    }

    /// A server process; stopped with Ctrl-C's signal when dropped (so that `serve` removes
    /// its temporary site, over a gigabyte at 50,000 pages), killed if that does not stop it.
    struct Server(Child);

    impl Drop for Server {
        fn drop(&mut self) {
            let interrupted = Command::new("kill")
                .args(["-INT", &self.0.id().to_string()])
                .status()
                .is_ok_and(|s| s.success());
            let started = Instant::now();
            let deadline = started + Duration::from_secs(30);
            while interrupted && Instant::now() < deadline {
                if matches!(self.0.try_wait(), Ok(Some(_))) {
                    let stopped = started.elapsed().as_secs_f64();
                    println!("  (server stopped {stopped:.1} s after Ctrl-C)");
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            println!("  (server still running 30 s after Ctrl-C: killed)");
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    impl Server {
        /// Peak RSS so far (VmHWM), in MiB.
        fn peak_mib(&self) -> f64 {
            let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id()));
            let kib: f64 = status
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("VmHWM:"))
                        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                })
                .unwrap_or(f64::NAN);
            kib / 1024.0
        }
    }

    fn get(address: &str, path: &str) -> String {
        let Ok(mut stream) = TcpStream::connect(address) else {
            return String::new();
        };
        let head = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        let mut body = Vec::new();
        if stream.write_all(head.as_bytes()).is_ok() {
            let _ = stream.read_to_end(&mut body);
        }
        String::from_utf8_lossy(&body).into_owned()
    }

    fn events(address: &str) -> Receiver<Instant> {
        let mut stream = TcpStream::connect(address).expect("connect to serve");
        let head = format!("GET /__helpcenter/events HTTP/1.1\r\nHost: {address}\r\n\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if line.starts_with("event: reload") && tx.send(Instant::now()).is_err() {
                    break;
                }
            }
        });
        std::thread::sleep(Duration::from_millis(200));
        rx
    }

    /// Waits until `path` has `text`; the time it first did.
    fn served(address: &str, path: &str, text: &str) -> Instant {
        let started = Instant::now();
        loop {
            if get(address, path).contains(text) {
                return Instant::now();
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "{path} never had {text}"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// The article file to edit (the first of the English tree) and its page's path.
    pub fn an_article(content: &Path) -> (PathBuf, String) {
        let file = walkdir::WalkDir::new(content.join("en"))
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .find(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
            .expect("an article");
        let text = std::fs::read_to_string(&file).unwrap();
        let url = text
            .lines()
            .find_map(|l| l.strip_prefix("url: "))
            .expect("url in the front matter")
            .trim_matches(['"', '\''])
            .to_string();
        (file, url)
    }

    fn median(mut values: Vec<f64>) -> f64 {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    }

    fn ms(from: Instant, to: Instant) -> f64 {
        to.duration_since(from).as_secs_f64() * 1000.0
    }

    /// When `serve` reports on stderr that it indexed a search shard again.
    fn search_updates(stderr: impl Read + Send + 'static) -> Receiver<Instant> {
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if line.starts_with("search index") && tx.send(Instant::now()).is_err() {
                    break;
                }
            }
        });
        rx
    }

    /// The times of one edit loop, in ms from each file write.
    #[derive(Default)]
    struct Times {
        to_event: Vec<f64>,
        to_page: Vec<f64>,
        to_search: Vec<f64>,
    }

    /// What an edit of the article changes.
    #[derive(Clone, Copy, PartialEq)]
    enum Edit {
        Body,
        Title,
    }

    /// Edits the article `edits` times; returns the times to the event (if `events`), to the
    /// page (or, after a new title, its old URL) served with the edit and to the search shard
    /// indexed again (if `search`).
    fn edit_loop(
        (address, file, url): (&str, &Path, &str),
        (edits, kind): (usize, Edit),
        events: Option<&Receiver<Instant>>,
        search: Option<&Receiver<Instant>>,
    ) -> Times {
        let original = std::fs::read_to_string(file).unwrap();
        let title = (original.lines())
            .find(|l| l.starts_with("title:"))
            .expect("a title");
        let mut times = Times::default();
        for n in 0..edits {
            let marker = format!("Edited while serving, number {n}-{}", std::process::id());
            let text = match kind {
                Edit::Body => format!("{original}\n{marker}.\n"),
                // The page moves; its old URL leads to it, and says so with its title.
                Edit::Title => original.replacen(title, &format!("title: \"{marker}\""), 1),
            };
            let written = Instant::now();
            std::fs::write(file, text).unwrap();
            if let Some(events) = events {
                let at = events
                    .recv_timeout(Duration::from_secs(120))
                    .expect("a reload");
                times.to_event.push(ms(written, at));
            }
            times
                .to_page
                .push(ms(written, served(address, url, &marker)));
            if let Some(search) = search {
                let at = search
                    .recv_timeout(Duration::from_secs(120))
                    .expect("the search index updated");
                times.to_search.push(ms(written, at));
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        std::fs::write(file, original).unwrap();
        times
    }

    fn wait_listening(address: &str, started: Instant) -> f64 {
        while TcpStream::connect(address).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "nothing listens"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        started.elapsed().as_secs_f64()
    }

    pub fn measure(dir: &Path) {
        let edits: usize = super::setting("BENCH_EDITS", "5")
            .parse()
            .expect("BENCH_EDITS");
        let site = super::hugo_site(dir);
        let content = site.join("content");
        let (file, url) = an_article(&content);
        println!("serve: editing {} ({url}) {edits} times", file.display());

        let started = Instant::now();
        let mut child = Command::new(binary())
            .args(["serve", "--content"])
            .arg(&content)
            .args(["--port", "0", "--quiet"])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start helpcenter serve");
        let searched = search_updates(child.stderr.take().unwrap());
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = lines.next().expect("the URL").unwrap();
        std::thread::spawn(move || lines.for_each(drop));
        let server = Server(child);
        let address = line
            .strip_prefix("Serving http://")
            .and_then(|r| r.split('/').next())
            .expect("Serving http://...")
            .to_string();
        let startup = wait_listening(&address, started);
        let reloads = events(&address);
        let page = (address.as_str(), file.as_path(), url.as_str());
        let times = edit_loop(page, (edits, Edit::Body), Some(&reloads), Some(&searched));
        println!(
            "helpcenter serve: started in {startup:.2} s; edit -> reload event median {:.0} ms \
             (all {:.0?}), -> new page served median {:.0} ms, -> search shard indexed again \
             median {:.0} ms (all {:.0?}); peak RSS {:.0} MiB",
            median(times.to_event.clone()),
            times.to_event,
            median(times.to_page.clone()),
            median(times.to_search.clone()),
            times.to_search,
            server.peak_mib()
        );
        let times = edit_loop(page, (edits, Edit::Title), Some(&reloads), Some(&searched));
        println!(
            "helpcenter serve, new title: edit -> reload event median {:.0} ms (all {:.0?}), \
             -> old URL leads to the retitled page median {:.0} ms, -> search shard indexed \
             again median {:.0} ms; peak RSS {:.0} MiB",
            median(times.to_event.clone()),
            times.to_event,
            median(times.to_page.clone()),
            median(times.to_search.clone()),
            server.peak_mib()
        );
        drop(server);

        let port = "11313";
        let address = format!("127.0.0.1:{port}");
        let started = Instant::now();
        let child = Command::new("hugo")
            .args(["server", "--port", port, "--bind", "127.0.0.1", "--quiet"])
            .current_dir(&site)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(child) = child else {
            println!("hugo server: not run (hugo is not installed)");
            return;
        };
        let hugo = Server(child);
        let startup = wait_listening(&address, started);
        served(&address, &url, "<h1>");
        let page = (address.as_str(), file.as_path(), url.as_str());
        let times = edit_loop(page, (edits, Edit::Body), None, None);
        println!(
            "hugo server:      started in {startup:.2} s; edit -> new page served median {:.0} ms \
             (all {:.0?}); peak RSS {:.0} MiB",
            median(times.to_page.clone()),
            times.to_page,
            hugo.peak_mib()
        );
    }
}

/// The Markdown tree of the snapshot, and a Hugo site around it (minimal layouts: a page's
/// title and content, a list's links), so Hugo renders the same articles this tool does.
fn hugo_site(dir: &Path) -> PathBuf {
    let site = dir.join("hugo");
    let _ = std::fs::remove_dir_all(&site);
    let input = Input::Snapshot(dir.join("snapshot"));
    let workspace = input.load(None).expect("load the snapshot");
    let options = helpcenter::tree::ExportOptions {
        content: site.join("content"),
        force: true,
    };
    helpcenter::tree::export(&workspace, &options).expect("export the Markdown tree");
    let write = |path: &str, text: &str| {
        let file = site.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    };
    write(
        "hugo.toml",
        "baseURL = 'https://help.bench.example/'\n\
         disableKinds = ['taxonomy', 'term', 'RSS', 'sitemap']\n\
         [markup.goldmark.renderer]\nunsafe = true\n",
    );
    write(
        "layouts/_default/baseof.html",
        "<!DOCTYPE html><html lang=\"{{ .Params.locale | default \"en\" }}\"><head>\
         <meta charset=\"utf-8\"><title>{{ .Title }}</title></head><body>\
         <main>{{ block \"main\" . }}{{ end }}</main></body></html>\n",
    );
    write(
        "layouts/_default/single.html",
        "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n",
    );
    write(
        "layouts/_default/list.html",
        "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}\
         <li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n",
    );
    site
}

/// Runs `program args` under GNU time and prints its wall, CPU and peak RSS as `name`.
fn timed(name: &str, program: &str, args: &[&str], cwd: &Path) -> f64 {
    let report = cwd.join(".time");
    let status = std::process::Command::new("/usr/bin/time")
        .arg("-o")
        .arg(&report)
        .args(["-f", "%e %U %S %M", program])
        .args(args)
        .current_dir(cwd)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{name}: /usr/bin/time: {e} (install Debian's time)"));
    assert!(status.success(), "{name} failed: {program} {args:?}");
    let text = std::fs::read_to_string(&report).expect("time's report");
    let figures: Vec<f64> = text
        .lines()
        .last()
        .unwrap_or("")
        .split_whitespace()
        .map(|f| f.parse().expect("a figure"))
        .collect();
    let [wall, user, system, kib] = figures[..] else {
        panic!("{name}: time printed {text:?}");
    };
    println!(
        "{name:<34} {wall:>7.2} s wall {:>7.2} s CPU  peak RSS {:>5.0} MiB  load {:.2}",
        user + system,
        kib / 1024.0,
        load_average().unwrap_or(f64::NAN)
    );
    wall
}

/// What `program --version` prints (`pagefind 1.4.0`), to tell several Pagefind CLIs apart.
fn version_of(program: &str) -> String {
    let output = std::process::Command::new(program)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Hugo then the Pagefind CLI (each of those `BENCH_PAGEFIND` names, comma-separated), against
/// this tool, on the same Markdown tree.
fn peers(dir: &Path) {
    let site = hugo_site(dir);
    let own = std::env::current_exe().expect("own path");
    let bin = own
        .parent()
        .and_then(Path::parent)
        .map(|release| release.join("helpcenter"))
        .filter(|b| b.exists())
        .expect("the helpcenter binary beside the bench (cargo build --release)");
    println!("peers, on the Markdown tree of the same snapshot:");
    let hugo = timed(
        "hugo (render)",
        "hugo",
        &["--quiet", "--destination", "public"],
        &site,
    );
    // Each Pagefind CLI named indexes the same pages, into a folder of its own.
    let setting = setting("BENCH_PAGEFIND", "pagefind_extended");
    let indexers: Vec<(&str, f64)> = setting
        .split(',')
        .enumerate()
        .map(|(i, pagefind)| {
            let bundle = format!("pagefind-{i}");
            let _ = std::fs::remove_dir_all(site.join("public").join(&bundle));
            let label = format!("{} (index)", version_of(pagefind));
            let took = timed(
                &label,
                pagefind,
                &["--site", "public", "--output-subdir", &bundle, "--quiet"],
                &site,
            );
            (pagefind, took)
        })
        .collect();
    let _ = std::fs::remove_dir_all(dir.join("site-md"));
    let _ = std::fs::remove_file(dir.join(".site-md.helpcenter-cache"));
    let ours = timed(
        "helpcenter build --from markdown",
        bin.to_str().unwrap(),
        &[&BUILD_TREE[..], &["--out", "site-md", "--quiet"]].concat(),
        dir,
    );
    for (pagefind, index) in indexers {
        println!(
            "hugo + {} {:.2} s / helpcenter with search {ours:.2} s = {:.1}x",
            version_of(pagefind),
            hugo + index,
            (hugo + index) / ours
        );
    }
}
