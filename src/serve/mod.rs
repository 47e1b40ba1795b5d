//! `helpcenter serve`: the site as `build` makes it, served on 127.0.0.1 while the writer
//! edits, rebuilt on every change and reloaded in the open pages.
//!
//! One engine: each rebuild is [`crate::site::build`] into a temporary folder, which renders
//! from the body cache, writes only the files whose bytes changed and re-indexes only the
//! search shards whose records changed; an edit of one article's body renders just its page
//! at once, and its search shard once edits pause ([`crate::site::incremental`]). The folder (and the cache, unless `--cache` names one)
//! is removed when the server stops. A failed build leaves the last good site in place and
//! puts its error on every page ([`live`]) and on the terminal, until a build succeeds.

pub mod files;
pub mod live;
mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::error::{Error, Result};
use crate::site::incremental::{Rebuilt, Session};
use crate::site::BuildOptions;
pub use files::{Files, StaticServer};
use live::{Change, Live};

/// Re-reads the settings (the command line over `helpcenter.toml`) when the config file
/// changes.
pub type Reload = Box<dyn Fn() -> Result<BuildOptions> + Send>;

/// What to serve, and where.
pub struct ServeOptions {
    /// The build; its `out` is ignored (serve builds into a temporary folder), its `cache`
    /// kept if given (else the cache lives and dies with the server).
    pub build: BuildOptions,
    /// The address to listen on (`127.0.0.1` unless asked otherwise).
    pub bind: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
    /// Files outside the input and the theme whose changes matter (the config file, the
    /// logo), with how to re-read the settings when the config file changes.
    pub config: Option<(PathBuf, Reload)>,
}

/// Builds, serves and rebuilds until Ctrl-C; prints the URL (to stdout) once it listens.
pub fn serve(options: ServeOptions) -> Result<()> {
    let temp = tempfile::Builder::new()
        .prefix("helpcenter-serve-")
        .tempdir()
        .map_err(|e| Error::io(&std::env::temp_dir(), "create a folder in", e))?;
    let mut build = options.build;
    let cache = build.cache.clone();
    place(&mut build, temp.path(), cache.as_deref());
    let address = SocketAddr::new(options.bind, options.port);
    let listener = std::net::TcpListener::bind(address)
        .map_err(|e| Error::usage(format!("cannot listen on {address}: {e}")))?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::usage(format!("cannot listen on {address}: {e}")))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::usage(format!("cannot listen on {address}: {e}")))?;
    let live = Live::new();
    let started = Instant::now();
    let mut session = Session::default();
    match session.rebuild(&build, &[]) {
        Ok(Rebuilt::Site(report)) => eprintln!(
            "built {} pages in {} ms",
            report.pages,
            started.elapsed().as_millis()
        ),
        Ok(Rebuilt::Page { .. } | Rebuilt::Pages { .. }) => {}
        Err(error) => report_error(&live, &error),
    }
    let url = format!("http://{}/", display_address(address));
    println!("Serving {url} (Ctrl-C to stop)");
    if options.open {
        open_browser(&url);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let rebuilds = watch::Rebuilds {
        build,
        session,
        cache,
        out: temp.path().to_path_buf(),
        live: live.clone(),
        config: options.config,
        stop: stop.clone(),
    };
    let watcher = rebuilds.start()?;
    let router = Files::new(&temp.path().join("site"), "/")
        .live(live)
        .router();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::data(format!("cannot start the server's runtime: {e}")))?;
    let served: std::io::Result<()> = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        tokio::select! {
            served = axum::serve(listener, router) => served,
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    });
    // Open pages hold their event streams: close them rather than wait for them.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    stop.store(true, Ordering::Relaxed);
    watcher.stop();
    served.map_err(|e| Error::usage(format!("the server on {address} failed: {e}")))?;
    let folder = temp.keep();
    remove_folder(&folder).map_err(|e| Error::io(&folder, "remove the temporary folder", e))?;
    eprintln!("stopped");
    Ok(())
}

/// Removes `folder` and all it holds (never following a symbolic link), its subfolders on all
/// cores: the site of 50,000 pages is 200,000 files in 100,000 folders, and one thread was
/// still removing them half a minute after Ctrl-C.
fn remove_folder(folder: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    let entries = std::fs::read_dir(folder)?.collect::<std::io::Result<Vec<_>>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            remove_folder(&entry.path())
        } else {
            std::fs::remove_file(entry.path())
        }
    })?;
    std::fs::remove_dir(folder)
}

/// Points a build at the temporary folder: the site in `site/`, the cache in `cache` unless
/// the user named one.
fn place(build: &mut BuildOptions, temp: &Path, cache: Option<&Path>) {
    build.out = temp.join("site");
    build.cache = Some(match cache {
        Some(cache) => cache.to_path_buf(),
        None => temp.join("cache"),
    });
}

/// A failed build, on the terminal and in the pages.
fn report_error(live: &Live, error: &Error) {
    eprintln!("error: {error}");
    live.set_error(Some(error.to_string()));
}

/// `127.0.0.1:1111`, or `[::1]:1111`: as a URL writes it.
fn display_address(address: SocketAddr) -> String {
    match address.ip() {
        IpAddr::V4(ip) => format!("{ip}:{}", address.port()),
        IpAddr::V6(ip) => format!("[{ip}]:{}", address.port()),
    }
}

/// Opens `url` in the default browser; a failure is only a warning.
fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(program)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        tracing::warn!("could not open a browser ({program}): {e}");
    }
}

impl watch::Rebuilds {
    /// One rebuild after a change of `paths`; tells the pages what to do.
    fn rebuild(&mut self, number: u64, paths: &[PathBuf], config_changed: bool) {
        let started = Instant::now();
        if config_changed {
            if let Some((_, reload)) = &self.config {
                match reload() {
                    Ok(mut build) => {
                        place(&mut build, &self.out, self.cache.as_deref());
                        self.build = build;
                        self.session.forget();
                    }
                    Err(error) => {
                        report_error(&self.live, &error);
                        self.live.send(number, Change::Reload);
                        return;
                    }
                }
            }
        }
        match self.session.rebuild(&self.build, paths) {
            Ok(rebuilt) => {
                let only_css = !config_changed
                    && paths
                        .iter()
                        .all(|p| p.extension().is_some_and(|e| e == "css"));
                self.live.set_error(None);
                let change = if only_css {
                    Change::Css
                } else {
                    Change::Reload
                };
                self.live.send(number, change);
                let done = match rebuilt {
                    Rebuilt::Site(report) => format!(
                        "{} files written, {} removed",
                        report.files_written, report.files_removed
                    ),
                    Rebuilt::Page {
                        path,
                        files_written,
                    } => format!(
                        "page {} only, {files_written} files written",
                        path.as_deref().unwrap_or("(none: not built)")
                    ),
                    Rebuilt::Pages {
                        path,
                        pages,
                        files_written,
                    } => format!(
                        "{pages} pages showing {}, {files_written} files written",
                        path.as_deref().unwrap_or("(none: not built)")
                    ),
                };
                eprintln!(
                    "rebuilt in {} ms: {done} ({})",
                    started.elapsed().as_millis(),
                    shown(paths)
                );
            }
            Err(error) => {
                report_error(&self.live, &error);
                self.live.send(number, Change::Reload);
            }
        }
    }

    /// Indexes again the search shards that the last edits changed.
    fn update_search(&mut self) {
        let started = Instant::now();
        match self.session.update_search() {
            Ok(shards) if shards.is_empty() => {}
            Ok(shards) => eprintln!(
                "search index {} updated in {} ms",
                shards.join(", "),
                started.elapsed().as_millis()
            ),
            Err(error) => eprintln!("error: updating the search index: {error}"),
        }
    }
}

/// The changed files, for the terminal: the first few.
fn shown(paths: &[PathBuf]) -> String {
    let mut names: Vec<String> = paths
        .iter()
        .take(3)
        .map(|p| p.display().to_string())
        .collect();
    if paths.len() > 3 {
        names.push(format!("and {} more", paths.len() - 3));
    }
    names.join(", ")
}
