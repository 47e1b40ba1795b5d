//! Each subcommand's glue: turn parsed flags into options, run, print the summary.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use serde::Serialize;

use crate::cli::{
    ArchiveArgs, BrandingArgs, BuildArgs, Cli, Format, MergeArgs, PullArgs, PushArgs, RestoreArgs,
    ServeArgs, SiteArgs, Source, VerifyArgs,
};
use crate::config::{self, ConfigFile, Effective, Origin, Origins};
use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::merge::{self, MergeOptions, MergeReport};
use crate::output::Ui;
use crate::pull::{self, PullOptions};
use crate::push::{self, PushOptions, PushReport};
use crate::site::{self, BuildOptions, BuildReport, Input};
use crate::tree::{self, ExportOptions};

/// `helpcenter pull`; returns the exit code (5 when assets could not all be stored).
pub fn pull(args: PullArgs, ui: &Ui) -> Result<i32> {
    let client = Client::new(args.connection.client_options()?)?;
    let options = PullOptions {
        assets: args.asset_options(),
        snapshot: args.snapshot,
        help_center: args.help_center,
    };
    let report = runtime()?.block_on(pull::pull(&client, &options, ui))?;
    for warning in &report.warnings {
        tracing::warn!("{warning}");
    }
    ui.finish(&report.summary_line(), &report, report.exit_code());
    Ok(report.exit_code())
}

/// `helpcenter build`: a site (or a Markdown tree) from a snapshot (or a Markdown tree).
pub fn build(args: BuildArgs, origins: &Origins, ui: &Ui) -> Result<()> {
    let input = match args.from {
        Source::Snapshot => Input::Snapshot(args.snapshot.clone()),
        Source::Markdown => Input::Markdown(args.content.clone()),
    };
    match args.format {
        Format::Html => build_site(args, input, ui),
        Format::Markdown => export_tree(args, origins, input, ui),
    }
}

fn build_site(args: BuildArgs, input: Input, ui: &Ui) -> Result<()> {
    let options = BuildOptions {
        out: args.out.unwrap_or_else(|| PathBuf::from("site")),
        base_url: args.base_url,
        cache: args.cache,
        ..site_options(args.site, input, args.branding)
    };
    let report = site::build(&options)?;
    ui.summary(&build_summary(&report), &report);
    Ok(())
}

/// `helpcenter serve`: builds, serves and rebuilds until Ctrl-C. `args` are the command line
/// itself, read again when the config file changes.
pub fn serve(args: ServeArgs, config: Option<&ConfigFile>, argv: Vec<OsString>) -> Result<()> {
    let config_file = match config {
        Some(file) => file.path.clone(),
        None => PathBuf::from(crate::config::DEFAULT_FILE),
    };
    let reload: crate::serve::Reload =
        Box::new(
            move || match crate::cli::reparse(argv.clone())?.cli.command {
                crate::cli::Command::Serve(args) => Ok(serve_build(args).0),
                _ => Err(Error::usage("the command line is no longer `serve`")),
            },
        );
    let (build, bind, port, open) = serve_build(args);
    crate::serve::serve(crate::serve::ServeOptions {
        build,
        bind,
        port,
        open,
        config: Some((config_file, reload)),
    })
}

/// The build `serve` makes, and where it listens.
fn serve_build(args: ServeArgs) -> (BuildOptions, std::net::IpAddr, u16, bool) {
    let input = match (args.content, args.snapshot) {
        (Some(content), _) => Input::Markdown(content),
        (None, Some(snapshot)) => Input::Snapshot(snapshot),
        (None, None) if Path::new("content").is_dir() => Input::Markdown("content".into()),
        (None, None) => Input::Snapshot("snapshot".into()),
    };
    let build = BuildOptions {
        cache: args.cache,
        ..site_options(args.site, input, args.branding)
    };
    (build, args.bind, args.port, args.open)
}

/// The build options the site flags shared by `build` and `serve` give, for `input`; no
/// output folder, base URL or cache yet.
fn site_options(site: SiteArgs, input: Input, branding: BrandingArgs) -> BuildOptions {
    BuildOptions {
        input,
        out: PathBuf::new(),
        theme: site.theme,
        base_url: None,
        locales: site.locales,
        drafts: site.drafts,
        no_search: site.no_search,
        search_shard_budget: None,
        cache: None,
        help_center: site.help_center,
        branding: branding.branding(),
    }
}

fn export_tree(args: BuildArgs, origins: &Origins, input: Input, ui: &Ui) -> Result<()> {
    if let Input::Markdown(dir) = &input {
        return Err(Error::usage(format!(
            "--from markdown --format markdown would export {} onto itself; \
             use --from snapshot to export a snapshot",
            dir.display()
        )));
    }
    // Opened once: the snapshot's manifest serves both the content and its local assets.
    let opened = input.open()?;
    let workspace = opened.load(args.site.help_center.as_deref())?;
    // `out` in helpcenter.toml is where the site goes; the tree goes to `content` unless
    // --out (or HELPCENTER_OUT) says otherwise for this run.
    let out_given = matches!(origins.get("out"), Origin::Flag | Origin::Env(_));
    let options = ExportOptions {
        content: args.out.filter(|_| out_given).unwrap_or(args.content),
        force: args.force,
    };
    let local_assets = site::assets::local_assets(&opened)?;
    let report = tree::export_with_assets(&workspace, &options, &local_assets)?;
    for warning in &report.warnings {
        tracing::warn!("{warning}");
    }
    ui.summary(&report.summary_line(), &report);
    Ok(())
}

/// `built 63 pages (14 article pages) in 5 locales into site in 0.3 s (63 written, 0 unchanged)`
fn build_summary(report: &BuildReport) -> String {
    format!(
        "built {} pages ({} article pages) in {} {} into {} in {:.1} s ({} written, {} unchanged{})",
        report.pages,
        report.article_pages,
        report.locales.len(),
        if report.locales.len() == 1 { "locale" } else { "locales" },
        report.out.display(),
        report.duration_ms as f64 / 1000.0,
        report.files_written,
        report.files_unchanged,
        if report.files_removed > 0 {
            format!(", {} removed", report.files_removed)
        } else {
            String::new()
        }
    )
}

/// `helpcenter push`; returns the exit code (3 when a conflict held something back).
pub fn push(args: PushArgs, ui: &Ui) -> Result<i32> {
    let client = Client::new(args.connection.client_options()?)?;
    let options = PushOptions {
        content: args.content,
        paths: args.paths,
        dry_run: args.dry_run,
        force: args.force,
        delete: args.delete,
        default_author_id: args.default_author_id,
    };
    let report = runtime()?.block_on(push::push(&client, &options))?;
    if !ui.is_json() && !ui.is_quiet() {
        print_push_files(&report);
    }
    ui.finish(&report.summary_line(), &report, report.exit_code());
    Ok(report.exit_code())
}

/// One line per file that did or would change, with the diffs of what changed.
fn print_push_files(report: &PushReport) {
    for file in &report.files {
        if matches!(file.outcome, push::Outcome::InSync) {
            continue;
        }
        println!("{}", file.line());
        for line in file.details() {
            println!("{line}");
        }
    }
}

/// `helpcenter merge`; returns the exit code (3 while conflicts remain).
pub fn merge(args: MergeArgs, ui: &Ui) -> Result<i32> {
    let options = MergeOptions {
        content: args.content,
        snapshot: args.snapshot,
        dry_run: args.dry_run,
    };
    let report = merge::merge(&options)?;
    for warning in &report.warnings {
        tracing::warn!("{warning}");
    }
    if !ui.is_json() && !ui.is_quiet() {
        print_merge_files(&report);
    }
    ui.finish(&report.summary_line(), &report, report.exit_code());
    if let (Some(next), false) = (report.next_step(), ui.is_json()) {
        eprintln!("hint: {next}");
    }
    Ok(report.exit_code())
}

/// One line per file that changed or needs a writer, with a dry run's diffs.
fn print_merge_files(report: &MergeReport) {
    for file in &report.files {
        println!("{}", file.line(report.dry_run));
        if let Some(diff) = &file.diff {
            for line in diff.lines() {
                println!("    {line}");
            }
        }
    }
}

/// What `helpcenter config --json` prints.
#[derive(Serialize)]
struct ConfigReport<'a> {
    config_file: Option<String>,
    token: &'static str,
    settings: &'a [Effective],
}

/// `helpcenter config`: every setting's effective value and where it came from.
pub fn config(file: Option<&ConfigFile>, ui: &Ui) -> Result<()> {
    let settings = config::effective(&Cli::command(), file);
    let token = if std::env::var_os(crate::intercom::TOKEN_ENV).is_some_and(|t| !t.is_empty()) {
        "set"
    } else {
        "unset"
    };
    let config_file = file.map(|f| f.path.display().to_string());
    if ui.is_json() {
        let report = ConfigReport {
            config_file,
            token,
            settings: &settings,
        };
        ui.summary("", &report);
        return Ok(());
    }
    let shown = config_file.unwrap_or_else(|| format!("none ({} not found)", config::DEFAULT_FILE));
    let mut text = format!("config file: {shown}\ntoken: {token} (INTERCOM_TOKEN)\n");
    let key_width = settings.iter().map(|s| s.key.len()).max().unwrap_or(0);
    let values: Vec<&str> = (settings.iter())
        .map(|s| s.value.as_deref().unwrap_or("-"))
        .collect();
    let value_width = values.iter().map(|v| v.chars().count()).max().unwrap_or(0);
    for (setting, value) in settings.iter().zip(values) {
        let line = format!(
            "{:key_width$}  {value:value_width$}  {}",
            setting.key, setting.origin
        );
        text.push_str(line.trim_end());
        text.push('\n');
    }
    write_stdout(text.as_bytes())
}

/// `helpcenter completions SHELL`
pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "helpcenter", &mut script);
    write_stdout(&script)
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn write_stdout(bytes: &[u8]) -> Result<()> {
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::io(std::path::Path::new("<stdout>"), "write", e))
        }
        _ => Ok(()),
    }
}

/// `helpcenter archive`
pub fn archive(args: ArchiveArgs, ui: &Ui) -> Result<()> {
    let options = crate::archive::ArchiveOptions {
        snapshot: args.snapshot,
        out: args.out,
        compression: args.compression,
    };
    let report = crate::archive::archive(&options)?;
    ui.summary(&report.summary_line(), &report);
    Ok(())
}

/// `helpcenter verify`; returns the exit code (4 when the backup is damaged, 5 when it lacks
/// assets).
pub fn verify(args: VerifyArgs, ui: &Ui) -> Result<i32> {
    let report = crate::verify::verify(&args.backup)?;
    if !ui.is_json() {
        for problem in &report.problems {
            println!("{}: {}", problem.file, problem.problem);
        }
        for missing in &report.missing_assets {
            println!(
                "{}: asset {} is missing ({})",
                missing.file, missing.url, missing.reason
            );
        }
        for warning in &report.warnings {
            tracing::warn!("{}: {}", warning.file, warning.problem);
        }
    }
    ui.finish(&report.summary_line(), &report, report.exit_code());
    Ok(report.exit_code())
}

/// `helpcenter restore`
pub fn restore(args: RestoreArgs, ui: &Ui) -> Result<()> {
    let client = Client::new(args.connection.client_options()?)?;
    let options = crate::restore::RestoreOptions {
        backup: args.backup,
        help_center: args.help_center,
        author_id: args.author_id,
        state: args.state,
        dry_run: args.dry_run,
        into_nonempty: args.into_nonempty,
    };
    let report = runtime()?.block_on(crate::restore::restore(&client, &options, ui))?;
    if options.dry_run && !ui.is_json() && !ui.is_quiet() {
        for action in &report.actions {
            println!("{action}");
        }
    }
    ui.summary(&report.summary_line(), &report);
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Api(format!("cannot start the async runtime: {e}")))
}
