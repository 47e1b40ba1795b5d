//! Each subcommand's glue: turn parsed flags into options, run, print the summary.

use std::path::PathBuf;

use crate::cli::{
    ArchiveArgs, BuildArgs, Format, PullArgs, PushArgs, RestoreArgs, Source, VerifyArgs,
};
use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::output::Ui;
use crate::pull::{self, PullOptions};
use crate::push::{self, PushOptions, PushReport};
use crate::site::{self, BuildOptions, BuildReport, Input};
use crate::tree::{self, ExportOptions};

/// `helpcenter pull`
pub fn pull(args: PullArgs, ui: &Ui) -> Result<()> {
    let client = Client::new(args.connection.client_options()?)?;
    let options = PullOptions {
        snapshot: args.snapshot,
        help_center: args.help_center,
    };
    let report = runtime()?.block_on(pull::pull(&client, &options, ui))?;
    ui.summary(&report.summary_line(), &report);
    Ok(())
}

/// `helpcenter build`: a site (or a Markdown tree) from a snapshot (or a Markdown tree).
pub fn build(args: BuildArgs, ui: &Ui) -> Result<()> {
    let input = match args.from {
        Source::Snapshot => Input::Snapshot(args.snapshot.clone()),
        Source::Markdown => Input::Markdown(args.content.clone()),
    };
    match args.format {
        Format::Html => build_site(args, input, ui),
        Format::Markdown => export_tree(args, input, ui),
    }
}

fn build_site(args: BuildArgs, input: Input, ui: &Ui) -> Result<()> {
    let options = BuildOptions {
        input,
        out: args.out.unwrap_or_else(|| PathBuf::from("site")),
        theme: args.theme,
        base_url: args.base_url,
        locales: args.locales,
        drafts: args.drafts,
        cache: args.cache,
        help_center: args.help_center,
    };
    let report = site::build(&options)?;
    ui.summary(&build_summary(&report), &report);
    Ok(())
}

fn export_tree(args: BuildArgs, input: Input, ui: &Ui) -> Result<()> {
    if let Input::Markdown(dir) = &input {
        return Err(Error::usage(format!(
            "--from markdown --format markdown would export {} onto itself; \
             use --from snapshot to export a snapshot",
            dir.display()
        )));
    }
    let workspace = input.load(args.help_center.as_deref())?;
    let options = ExportOptions {
        content: args.out.unwrap_or_else(|| PathBuf::from("content")),
        force: args.force,
    };
    let report = tree::export(&workspace, &options)?;
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
    };
    let report = runtime()?.block_on(push::push(&client, &options))?;
    if !ui.is_json() && !ui.is_quiet() {
        print_push_files(&report);
    }
    ui.summary(&report.summary_line(), &report);
    Ok(report.exit_code())
}

/// One line per file that did or would change, with the diff where there is one.
fn print_push_files(report: &PushReport) {
    for file in &report.files {
        if matches!(file.outcome, push::Outcome::InSync) {
            continue;
        }
        println!("{}", file.line());
        if let Some(diff) = &file.diff {
            for line in diff.lines() {
                println!("    {line}");
            }
        }
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

/// `helpcenter verify`; returns the exit code (4 when the backup is damaged).
pub fn verify(args: VerifyArgs, ui: &Ui) -> Result<i32> {
    let report = crate::verify::verify(&args.backup)?;
    if !ui.is_json() {
        for problem in &report.problems {
            println!("{}: {}", problem.file, problem.problem);
        }
        for warning in &report.warnings {
            tracing::warn!("{}: {}", warning.file, warning.problem);
        }
    }
    ui.summary(&report.summary_line(), &report);
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
    let report = runtime()?.block_on(crate::restore::restore(&client, &options))?;
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
