//! Watching what the site is made of (the input, the theme folder, the config file, the
//! logo and favicon) and rebuilding on a thread of its own after each burst of changes.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

use super::live::Live;
use super::Reload;
use crate::error::{Error, Result};
use crate::site::incremental::Session;
use crate::site::BuildOptions;

/// How long a burst of changes may go quiet before the rebuild: an editor's save is a few
/// events (write, rename, chmod) within milliseconds.
const QUIET: Duration = Duration::from_millis(30);

/// How long edits must pause before the search shards they changed are indexed again.
const SEARCH_QUIET: Duration = Duration::from_millis(300);

/// The rebuilding side of `serve`.
pub(super) struct Rebuilds {
    pub build: BuildOptions,
    /// What the last full build loaded, for rebuilding just the page an edit touches.
    pub session: Session,
    /// `--cache`, if the user named one.
    pub cache: Option<PathBuf>,
    /// The temporary folder builds go to.
    pub out: PathBuf,
    pub live: Arc<Live>,
    pub config: Option<(PathBuf, Reload)>,
    pub stop: Arc<AtomicBool>,
}

/// The running watcher; [`Watcher::stop`] ends it once the rebuild under way (if any) is done.
pub(super) struct Watcher {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    thread: JoinHandle<()>,
}

impl Watcher {
    pub fn stop(self) {
        // Dropping the debouncer closes the channel, which ends the thread's loop.
        drop(self.debouncer);
        let _ = self.thread.join();
    }
}

impl Rebuilds {
    /// Starts watching, and rebuilding on changes.
    pub fn start(self) -> Result<Watcher> {
        let (tx, rx) = channel();
        let mut debouncer = new_debouncer(QUIET, None, tx)
            .map_err(|e| Error::data(format!("cannot watch for changes: {e}")))?;
        for (path, mode) in self.watched() {
            debouncer
                .watch(&path, mode)
                .map_err(|e| Error::data(format!("cannot watch {}: {e}", path.display())))?;
        }
        let thread = std::thread::spawn(move || self.run(&rx));
        Ok(Watcher { debouncer, thread })
    }

    /// The folders to watch: the input and the theme with everything in them, and the
    /// folders of single files (watching a file itself misses editors that save by
    /// replacing it).
    fn watched(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let mut watched = vec![(absolute(self.build.input.dir()), RecursiveMode::Recursive)];
        if let Some(theme) = self.theme_dir() {
            watched.push((theme, RecursiveMode::Recursive));
        }
        for file in self.single_files() {
            if let Some(parent) = file.parent() {
                let parent = parent.to_path_buf();
                if !watched.iter().any(|(p, _)| *p == parent) {
                    watched.push((parent, RecursiveMode::NonRecursive));
                }
            }
        }
        watched
    }

    /// The theme, when it is a folder rather than a built-in name.
    fn theme_dir(&self) -> Option<PathBuf> {
        let theme = Path::new(self.build.theme.as_deref()?);
        theme.is_dir().then(|| absolute(theme))
    }

    fn single_files(&self) -> Vec<PathBuf> {
        let branding = &self.build.branding;
        let config = self.config.as_ref().map(|(path, _)| path);
        (branding.logo.iter().chain(&branding.favicon).chain(config))
            .map(|p| absolute(p))
            .collect()
    }

    /// Whether a change of `path` can change the site.
    fn matters(&self, path: &Path) -> bool {
        let in_tree = path.starts_with(absolute(self.build.input.dir()))
            || self
                .theme_dir()
                .is_some_and(|theme| path.starts_with(theme));
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // Editors' swap, backup and lock files.
        let scratch = name.ends_with('~')
            || name.ends_with(".swp")
            || name.ends_with(".swx")
            || name.starts_with(".#")
            || name == "4913";
        (in_tree && !scratch) || self.single_files().iter().any(|f| f == path)
    }

    fn run(mut self, changes: &Receiver<DebounceEventResult>) {
        let mut number = 0;
        loop {
            // Search shards an edit changed are indexed again once edits pause: indexing takes
            // longer than rendering a page, and must not hold up the next edit's reload.
            let first = if self.session.search_pending() {
                match changes.recv_timeout(SEARCH_QUIET) {
                    Ok(first) => first,
                    Err(RecvTimeoutError::Timeout) => {
                        self.update_search();
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            } else {
                match changes.recv() {
                    Ok(first) => first,
                    Err(_) => break,
                }
            };
            // Everything that arrived meanwhile is one rebuild.
            let mut paths: Vec<PathBuf> = Vec::new();
            for result in std::iter::once(first).chain(changes.try_iter()) {
                match result {
                    Ok(events) => paths.extend(
                        (events.into_iter())
                            .filter(|e| !matches!(e.kind, EventKind::Access(_)))
                            .flat_map(|e| e.event.paths),
                    ),
                    Err(errors) => {
                        for error in errors {
                            tracing::warn!("watching for changes: {error}");
                        }
                    }
                }
            }
            paths.retain(|p| self.matters(p));
            paths.sort();
            paths.dedup();
            if paths.is_empty() || self.stop.load(Ordering::Relaxed) {
                continue;
            }
            let config = self.config.as_ref().map(|(path, _)| absolute(path));
            let config_changed = config.is_some_and(|c| paths.contains(&c));
            number += 1;
            self.rebuild(number, &paths, config_changed);
        }
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
