//! What the user sees: progress bars on a terminal, logs on stderr, one summary at the end.

use std::io::{IsTerminal, Write};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// How chatty a command is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verbosity {
    /// `--quiet`: warnings and errors only, no summary line.
    pub quiet: bool,
    /// `-v` count: 1 for info, 2 for debug logs, 3 or more for the HTTP client's and TLS
    /// library's debug logs too.
    pub verbose: u8,
    /// `--json`: the summary as JSON on stdout instead of a line.
    pub json: bool,
}

/// The terminal side of a command: progress display and the final summary.
#[derive(Clone)]
pub struct Ui {
    verbosity: Verbosity,
    progress: MultiProgress,
    /// Whether bars are drawn (stderr is a terminal and not `--quiet`).
    bars: bool,
    command: String,
    started: std::time::Instant,
}

impl Ui {
    /// Progress bars show only when stderr is a terminal and the user did not ask for quiet.
    pub fn new(verbosity: Verbosity) -> Ui {
        let show = std::io::stderr().is_terminal() && !verbosity.quiet;
        let target = if show {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Ui {
            verbosity,
            progress: MultiProgress::with_draw_target(target),
            bars: show,
            command: String::new(),
            started: std::time::Instant::now(),
        }
    }

    /// The same, naming the subcommand in JSON summaries.
    pub fn for_command(self, command: impl Into<String>) -> Ui {
        Ui {
            command: command.into(),
            ..self
        }
    }

    /// Sends `tracing` logs to stderr without tearing the progress bars.
    pub fn init_logging(&self) {
        let default = match (self.verbosity.quiet, self.verbosity.verbose) {
            (true, _) => "warn",
            (false, 0) => "warn",
            (false, 1) => "helpcenter=info",
            (false, 2) => "helpcenter=debug",
            // The network stack's own logs; the HTML parsers' would drown everything else.
            (false, _) => {
                "helpcenter=trace,reqwest=debug,hyper=debug,hyper_util=debug,h2=debug,rustls=debug"
            }
        };
        let filter = EnvFilter::try_from_env("HELPCENTER_LOG").unwrap_or_else(|_| default.into());
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_target(false)
            .without_time()
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(BarSafeStderr(self.progress.clone()))
            .try_init();
    }

    /// A bar counting pages of one list, labelled e.g. `articles`.
    pub fn pages_bar(&self, label: &str) -> ProgressBar {
        let style = ProgressStyle::with_template("{prefix:>14} {bar:30} {pos}/{len} pages")
            .expect("template is valid");
        let bar = self.progress.add(ProgressBar::new(0).with_style(style));
        bar.set_prefix(label.to_string());
        bar
    }

    /// A bar counting items, labelled e.g. `rendering`.
    pub fn items_bar(&self, label: &str, total: u64) -> ProgressBar {
        let style = ProgressStyle::with_template("{prefix:>14} {bar:30} {pos}/{len} {msg}")
            .expect("template is valid");
        let bar = self.progress.add(ProgressBar::new(total).with_style(style));
        bar.set_prefix(label.to_string());
        bar
    }

    /// Progress through `total` steps of one long task, e.g. `restoring articles`: a bar on a
    /// terminal; elsewhere (CI logs, a pipe), at `-v`, a log line at most every
    /// [`PROGRESS_LOG_INTERVAL`] and one when the task is done.
    pub fn progress(&self, label: &str, total: u64) -> Progress {
        let bar = self.items_bar(label, total);
        Progress {
            log: !self.bars,
            label: label.to_string(),
            last_log: std::sync::Mutex::new(std::time::Instant::now()),
            bar,
        }
    }

    /// Whether `--json` was given.
    pub fn is_json(&self) -> bool {
        self.verbosity.json
    }

    /// Whether `--quiet` was given.
    pub fn is_quiet(&self) -> bool {
        self.verbosity.quiet
    }

    /// Prints a successful command's result: the line, or with `--json` the JSON, on stdout.
    pub fn summary<T: Serialize>(&self, line: &str, report: &T) {
        self.finish(line, report, crate::error::exit::OK);
    }

    /// Prints a command's result with the exit code it ends with.
    ///
    /// With `--json`, one object: `command`, `ok`, `exit_code`, then the report's own fields,
    /// always with `warnings` and `errors` lists, so CI can read every command the same way.
    pub fn finish<T: Serialize>(&self, line: &str, report: &T, exit_code: i32) {
        let mut out = std::io::stdout().lock();
        if self.verbosity.json {
            let report = serde_json::to_value(report).expect("reports serialise");
            let json = envelope(&self.command, exit_code, report, self.elapsed_ms());
            let _ = writeln!(out, "{json}");
        } else if !self.verbosity.quiet {
            let _ = writeln!(out, "{line}");
        }
    }

    fn elapsed_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// With `--json`, prints a failed command's JSON summary on stdout (the message also goes
    /// to stderr, from `main`).
    pub fn failure(&self, error: &crate::error::Error) {
        if self.verbosity.json {
            let report = serde_json::json!({ "errors": [error.to_string()] });
            let json = envelope(&self.command, error.exit_code(), report, self.elapsed_ms());
            let _ = writeln!(std::io::stdout().lock(), "{json}");
        }
    }
}

/// `{"command", "ok", "exit_code", ...report, "warnings": [], "errors": [], "duration_ms"}`; a
/// report's own `duration_ms` (the work alone) is kept over the command's `elapsed_ms`.
fn envelope(
    command: &str,
    exit_code: i32,
    report: serde_json::Value,
    elapsed_ms: u64,
) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    object.insert("command".into(), command.into());
    object.insert("ok".into(), (exit_code == crate::error::exit::OK).into());
    object.insert("exit_code".into(), exit_code.into());
    match report {
        serde_json::Value::Object(fields) => object.extend(fields),
        other => {
            object.insert("report".into(), other);
        }
    }
    for list in ["warnings", "errors"] {
        object.entry(list).or_insert_with(|| serde_json::json!([]));
    }
    object.entry("duration_ms").or_insert(elapsed_ms.into());
    serde_json::Value::Object(object)
}

/// A `MakeWriter` that hides the progress bars while a log line is written.
#[derive(Clone)]
struct BarSafeStderr(MultiProgress);

/// One log record's writer.
struct BarSafeWriter(MultiProgress);

impl Write for BarSafeWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.suspend(|| std::io::stderr().write_all(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> MakeWriter<'a> for BarSafeStderr {
    type Writer = BarSafeWriter;

    fn make_writer(&'a self) -> Self::Writer {
        BarSafeWriter(self.0.clone())
    }
}

/// The longest time between two progress lines in a log (see [`Ui::progress`]).
pub const PROGRESS_LOG_INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);

/// Progress of one long task; see [`Ui::progress`]. Shared by the concurrent steps of the task;
/// the bar is cleared when it is dropped, also when the task failed.
pub struct Progress {
    bar: ProgressBar,
    /// Log lines instead of a bar (no terminal); shown at `-v`.
    log: bool,
    label: String,
    last_log: std::sync::Mutex<std::time::Instant>,
}

impl Progress {
    /// Counts `done` steps that were already done before this run (a continued task).
    pub fn skip(&self, done: u64) {
        self.bar.inc(done);
    }

    /// Counts one step done.
    pub fn step(&self) {
        self.bar.inc(1);
        if !self.log {
            return;
        }
        let mut last = self.last_log.lock().unwrap_or_else(|e| e.into_inner());
        if last.elapsed() >= PROGRESS_LOG_INTERVAL {
            *last = std::time::Instant::now();
            self.log_line();
        }
    }

    /// Ends the task: clears the bar, or logs the final count.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
        if self.log {
            self.log_line();
        }
    }

    fn log_line(&self) {
        if self.bar.length() == Some(0) {
            return;
        }
        let (done, total) = (self.bar.position(), self.bar.length().unwrap_or(0));
        tracing::info!("{}: {done}/{total}", self.label);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
