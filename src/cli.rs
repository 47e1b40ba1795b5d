//! The command line: every subcommand, flag and its help text.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config::{ConfigFile, Origins};
use crate::error::Result;
use crate::intercom::{ApiVersion, ClientOptions, Endpoint, Region, RetryPolicy, Token};
use crate::output::{Ui, Verbosity};

/// Take an Intercom Help Center out of Intercom and back in.
///
/// `pull` copies every help center, collection, section and article (all languages, and with
/// --assets every image) into a local snapshot of raw API JSON. `build` turns it into a static
/// site, or into a Markdown tree (`--format markdown`) that people edit in git and preview
/// (`--from markdown`); `push` sends those edits back. `archive`, `verify` and `restore` keep,
/// check and put back backups. The access token is read from INTERCOM_TOKEN.
#[derive(Debug, Parser)]
#[command(
    name = "helpcenter",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "Settings come from flags, then HELPCENTER_* environment variables, then \
                  helpcenter.toml (or --config FILE); `helpcenter config` shows the result.\n\n\
                  Exit codes: 0 success, 1 failure, 2 usage or configuration error \
                  (including a missing or rejected token), 3 push conflict, 4 verify found damage."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// Print only warnings and errors (no progress, no summary line).
    #[arg(long, short, global = true, help_heading = "Output")]
    pub quiet: bool,

    /// More logs on stderr: -v for info, -vv for debug (HELPCENTER_LOG overrides).
    #[arg(long, short, global = true, action = clap::ArgAction::Count, help_heading = "Output")]
    pub verbose: u8,

    /// Print the summary as one JSON object on stdout (for CI).
    #[arg(long, global = true, help_heading = "Output")]
    pub json: bool,

    /// Read settings from FILE instead of ./helpcenter.toml (see `helpcenter config`).
    #[arg(long, global = true, value_name = "FILE", env = crate::config::CONFIG_ENV)]
    pub config: Option<PathBuf>,
}

impl Cli {
    /// The output settings the global flags ask for.
    pub fn verbosity(&self) -> Verbosity {
        Verbosity {
            quiet: self.quiet,
            verbose: self.verbose,
            json: self.json,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch help centers, collections, sections and articles into a snapshot.
    ///
    /// The snapshot is written next to the old one and swapped into place only when
    /// complete: a pull that fails or is interrupted leaves the previous snapshot as it was.
    #[command(after_help = "Examples:
  INTERCOM_TOKEN=... helpcenter pull
  helpcenter pull --region eu --snapshot backups/2026-11-25
  helpcenter pull --help-center 123 --api-version 2.9 --json
  helpcenter pull --assets                        # also keep every image and attachment
  helpcenter pull --assets --max-asset-size 10MB --concurrency 4")]
    Pull(PullArgs),

    /// Build a static, multilingual HTML site (or a Markdown tree) from a snapshot (or a
    /// Markdown tree).
    ///
    /// Every locale with content gets its pages under Intercom's own URL shapes
    /// (/<locale>/articles/<id>-<slug>/), with a language switcher and hreflang links that offer
    /// only the translations that exist. Bodies are sanitised; links to the original help
    /// center become relative links. Unchanged files are not rewritten.
    ///
    /// Rebuilds are incremental: when nothing changed since the last build, nothing is read or
    /// written; when only article bodies of a Markdown tree changed, only their pages and search
    /// shards are made again. Anything else renders from the cache of sanitised bodies kept beside
    /// the output (--cache).
    #[command(after_help = "Examples:
  helpcenter build --snapshot examples/demo --out site
  helpcenter build --base-url https://help.example.com --locales en,fr
  helpcenter build --theme ./my-theme --drafts
  helpcenter build --format markdown --out content     # export to edit in git
  helpcenter build --from markdown --content content   # preview the edited tree")]
    Build(BuildArgs),

    /// Preview the site while editing: build it, serve it on 127.0.0.1, rebuild on every
    /// change and reload the open pages.
    ///
    /// Reads the Markdown tree (--content, the default when ./content exists) or a snapshot
    /// (--snapshot), and serves exactly what `build` would write, from a temporary folder
    /// removed on exit. The content tree, a theme folder, helpcenter.toml, the logo and the
    /// favicon are watched; a change rebuilds (unchanged bodies come from the cache, unchanged
    /// files are not rewritten, unchanged search shards are kept) and open pages reload by
    /// themselves; a stylesheet change is swapped in without a reload. A mistake (broken front
    /// matter, a template error) is shown on every page and on the terminal, naming the file,
    /// while the last good pages stay served; fixing it clears it. Ctrl-C stops.
    #[command(after_help = "Examples:
  helpcenter serve                              # ./content on http://127.0.0.1:1111/
  helpcenter serve --content docs --open        # and open a browser
  helpcenter serve --snapshot snapshot --port 0 # a free port (the URL is printed)
  helpcenter serve --theme ./my-theme           # edit the theme, see it at once")]
    Serve(ServeArgs),

    /// Send edits of the Markdown tree back to Intercom: only what changed, one locale at a
    /// time, never over a newer remote edit.
    ///
    /// Each file is compared with what was exported (content/.helpcenter/base.json). A changed
    /// article sends one PUT with only its changed locales; before writing, the remote copy is
    /// read, and a locale edited in Intercom since the export is reported as a conflict and
    /// left alone (exit code 3) unless --force. The whole tree is validated before the first
    /// write. Every write is journaled (content/.helpcenter/journal) before it is sent and when
    /// it is answered, so a push killed at any moment is finished by the next one, creating
    /// nothing twice.
    #[command(after_help = "Examples:
  helpcenter push --dry-run                 # what would be sent, with diffs
  helpcenter push content/fr                # only the French files
  helpcenter push --force content/en/getting-started/101-getting-started.md")]
    Push(PushArgs),

    /// Bring Intercom's newer edits (a snapshot from `helpcenter pull`) into an edited Markdown
    /// tree, git's way: a three-way merge with the tree's base as the common ancestor.
    ///
    /// A file unchanged here takes Intercom's version; one changed here only is kept; one
    /// changed on both sides is merged front matter key by key and body block by block
    /// (paragraph, heading, list item, table row, raw HTML block). Edits to the same block get
    /// conflict markers (`<<<<<<< local`, `=======`, `>>>>>>> intercom (date)`), which a
    /// preview build shows and `push` refuses until resolved. New articles, collections and
    /// translations are added, remote deletions remove unedited files, moves are followed.
    /// The base moves on only for what merged cleanly, so the next push sends exactly the local
    /// edits. Exit code 3 while conflicts remain.
    #[command(after_help = "Examples:
  helpcenter pull && helpcenter merge       # after push reported a conflict (exit 3)
  helpcenter merge --dry-run                # what would change, with diffs
  helpcenter merge --json                   # for CI: per file outcome and conflict lines
  # resolve the markers, then record the resolution and push:
  helpcenter merge && helpcenter push")]
    Merge(MergeArgs),

    /// Write a snapshot into one compressed file (tar with zstd or gzip), for backups.
    ///
    /// The archive holds the manifest and every file it lists, checked against their checksums
    /// as they are read (a damaged snapshot is refused). Entries are sorted and carry fixed
    /// owners, modes and times, so two archives of one snapshot are byte-identical. The file is
    /// written beside its final name and renamed into place when complete.
    #[command(after_help = "Examples:
  helpcenter archive -o backup.tar.zst
  helpcenter archive --snapshot snapshot -o backup.tar.gz           # gzip, from the name
  helpcenter archive -o 'backups/helpcenter-{date}.tar.zst'         # nightly: one file per UTC day
  helpcenter pull --snapshot nightly && helpcenter archive --snapshot nightly -o 'b/{date}.tar.zst'")]
    Archive(ArchiveArgs),

    /// Check a backup (snapshot folder or archive): every checksum and every reference.
    ///
    /// Reports each problem with its file: files missing, changed or not in the manifest,
    /// invalid JSON, articles whose collection, section or help center is missing, collections
    /// whose parent is missing, and bodies whose downloaded assets are missing. Exit code 4
    /// when the backup is damaged, 1 when it cannot be read at all.
    #[command(after_help = "Examples:
  helpcenter verify snapshot
  helpcenter verify backups/helpcenter-2026-11-25.tar.zst
  helpcenter verify --json backup.tar.gz | jq .problems")]
    Verify(VerifyArgs),

    /// Put a backup (snapshot folder or archive) into a workspace: after a disaster, or to move.
    ///
    /// Creates the collection tree (parents first, every translation), then every article with
    /// all its translations and states, then sends again the bodies that link to other
    /// restored articles or collections, with the links pointing at their new URLs. Help
    /// centers cannot be created through the API: the backup goes into one existing help
    /// center. Writes run --concurrency at a time. Progress (old id to new id) is saved with
    /// every write in a state file, so an interrupted restore, run again, continues without
    /// creating anything twice; -v logs it where no progress bar shows. A workspace that
    /// already holds articles is refused unless --into-nonempty.
    #[command(after_help = "Examples:
  helpcenter restore --dry-run backups/helpcenter-2026-11-25.tar.zst   # what would be created
  INTERCOM_TOKEN=... helpcenter restore backups/helpcenter-2026-11-25.tar.zst
  helpcenter restore snapshot --help-center 123 --author-id 456      # another workspace
  helpcenter restore backup.tar.zst --state /var/lib/hc/restore.json  # progress kept elsewhere")]
    Restore(RestoreArgs),

    /// Show the effective settings and where each comes from (environment, config file,
    /// default).
    ///
    /// helpcenter.toml in the working directory (or --config FILE) may set any of: region,
    /// api_base, api_version, concurrency, per_page, max_tries, retry_delay, timeout,
    /// help_center, snapshot, content, out, theme, base_url, locales, default_author_id,
    /// site_name, logo, favicon, accent_color, header_link, footer_text. Each key is the flag of
    /// the same name (a list gives a repeated flag); HELPCENTER_<KEY> variables override the
    /// file and flags override both. The token is read only from INTERCOM_TOKEN and shown as set or unset.
    #[command(after_help = "Example helpcenter.toml:
  region = \"eu\"
  help_center = \"12\"
  locales = [\"en\", \"fr\"]
  base_url = \"https://help.example.com\"
  default_author_id = \"991\"
  accent_color = \"#1f5fcc\"
  header_link = [\"Back to example.com=https://example.com\"]")]
    Config,

    /// Print a shell completion script.
    #[command(after_help = "Examples:
  helpcenter completions bash > ~/.local/share/bash-completion/completions/helpcenter
  helpcenter completions zsh > ~/.zfunc/_helpcenter      # with fpath+=~/.zfunc
  helpcenter completions fish > ~/.config/fish/completions/helpcenter.fish")]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `helpcenter restore`
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A snapshot folder or an archive made by `helpcenter archive`.
    #[arg(value_name = "FILE|DIR")]
    pub backup: PathBuf,

    /// The help center to restore into (default: the workspace's only one). Every help center
    /// of the backup goes into it.
    #[arg(long, value_name = "ID", env = "HELPCENTER_HELP_CENTER")]
    pub help_center: Option<String>,

    /// The admin id to use as every article's author, for a workspace where the backup's
    /// authors do not exist (default: each translation's author from the backup).
    #[arg(long, value_name = "ID")]
    pub author_id: Option<String>,

    /// Where progress is kept, to continue an interrupted restore (default: beside the
    /// backup, e.g. backup.tar.zst.restore.json). Delete it to start over.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Print what would be created and which links rewritten; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Restore even though the workspace already holds articles (they are left as they are;
    /// the backup's articles are added beside them).
    #[arg(long)]
    pub into_nonempty: bool,

    /// Connection settings.
    #[command(flatten, next_help_heading = "Connection")]
    pub connection: ConnectionArgs,
}

/// `helpcenter merge`
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The snapshot with Intercom's newer edits (made by `helpcenter pull`).
    #[arg(long, default_value = "snapshot", env = "HELPCENTER_SNAPSHOT")]
    pub snapshot: PathBuf,

    /// The Markdown tree to merge into (made by `build --format markdown`).
    #[arg(long, default_value = "content", env = "HELPCENTER_CONTENT")]
    pub content: PathBuf,

    /// Write nothing; print per file what would change (updated, merged, conflicted, added,
    /// removed, moved), with diffs.
    #[arg(long)]
    pub dry_run: bool,
}

/// `helpcenter archive`
#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// The snapshot to archive (made by `helpcenter pull`).
    #[arg(long, default_value = "snapshot", env = "HELPCENTER_SNAPSHOT")]
    pub snapshot: PathBuf,

    /// The archive to write. `{date}` in it becomes today's UTC date (YYYY-MM-DD), so a nightly
    /// job keeps one archive per day. An existing file is replaced.
    #[arg(long, short, value_name = "FILE")]
    pub out: String,

    /// zstd (smaller, faster) or gzip (any tar reads it). Default: from the name of -o
    /// (.tar.gz/.tgz is gzip), else zstd.
    #[arg(long, value_enum)]
    pub compression: Option<crate::archive::Compression>,
}

/// `helpcenter verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A snapshot folder or an archive made by `helpcenter archive`.
    #[arg(value_name = "FILE|DIR")]
    pub backup: PathBuf,
}

/// `helpcenter push`
#[derive(Debug, Args)]
pub struct PushArgs {
    /// The Markdown tree (made by `build --format markdown`).
    #[arg(long, default_value = "content", env = "HELPCENTER_CONTENT")]
    pub content: PathBuf,

    /// Push only these files or folders (default: the whole tree).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Send nothing; print per file what would be sent (fields and a diff of the body).
    #[arg(long)]
    pub dry_run: bool,

    /// Write even where Intercom has a newer edit than the export (it is overwritten).
    #[arg(long)]
    pub force: bool,

    /// Delete in Intercom the articles whose files were all deleted from the tree.
    #[arg(long)]
    pub delete: bool,

    /// The author of new articles whose front matter has no `author_id` (an Intercom admin id).
    #[arg(long, value_name = "ID", env = "HELPCENTER_DEFAULT_AUTHOR_ID", value_parser = parse_admin_id)]
    pub default_author_id: Option<String>,

    /// Connection settings.
    #[command(flatten, next_help_heading = "Connection")]
    pub connection: ConnectionArgs,
}

/// Where `build` reads the help center from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    /// A snapshot made by `helpcenter pull` (--snapshot).
    Snapshot,
    /// A Markdown tree made by `build --format markdown` and edited by people (--content).
    Markdown,
}

/// What `build` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A static HTML site.
    Html,
    /// A Markdown tree (YAML front matter + GitHub-flavoured Markdown) to edit in git.
    Markdown,
}

/// `helpcenter build`
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// What to build from.
    #[arg(long, value_enum, default_value_t = Source::Snapshot)]
    pub from: Source,

    /// What to build.
    #[arg(long, value_enum, default_value_t = Format::Html)]
    pub format: Format,

    /// The snapshot to build from (made by `helpcenter pull`), with --from snapshot.
    #[arg(long, default_value = "snapshot", env = "HELPCENTER_SNAPSHOT")]
    pub snapshot: PathBuf,

    /// The Markdown tree: read with --from markdown, written with --format markdown.
    #[arg(long, default_value = "content", env = "HELPCENTER_CONTENT")]
    pub content: PathBuf,

    /// Output directory [default: site; with --format markdown, the --content folder].
    #[arg(long, short, env = "HELPCENTER_OUT")]
    pub out: Option<PathBuf>,

    /// With --format markdown: replace a tree that has local edits (they are lost).
    #[arg(long)]
    pub force: bool,

    /// The URL the site will be published at: enables the sitemap, canonical links and
    /// absolute Open Graph URLs.
    #[arg(long, value_name = "URL", env = "HELPCENTER_BASE_URL")]
    pub base_url: Option<String>,

    #[command(flatten)]
    pub site: SiteArgs,

    /// Where to keep sanitised bodies between builds (default: a hidden file beside --out).
    #[arg(long, value_name = "FILE")]
    pub cache: Option<PathBuf>,

    #[command(flatten)]
    pub branding: BrandingArgs,
}

/// What `build` and `serve` put in the site (all of them are also helpcenter.toml settings).
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// A built-in theme name (default) or a folder whose templates/ and static/ files override
    /// the built-in ones file by file.
    #[arg(long, value_name = "NAME|PATH", env = "HELPCENTER_THEME")]
    pub theme: Option<String>,

    /// Only these locales (comma-separated, e.g. en,fr).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "LOCALES",
        env = "HELPCENTER_LOCALES"
    )]
    pub locales: Option<Vec<String>>,

    /// Include draft articles and translations (in the pages and in the search index).
    #[arg(long)]
    pub drafts: bool,

    /// Leave out client-side search: no search index under pagefind/ and no search box on
    /// the pages. By default every locale gets its own index, searched in the browser with
    /// no server and no request to another host.
    #[arg(long)]
    pub no_search: bool,

    /// The help center to build, when the snapshot holds several.
    #[arg(long, value_name = "ID", env = "HELPCENTER_HELP_CENTER")]
    pub help_center: Option<String>,
}

/// `helpcenter serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The Markdown tree to serve [default: ./content if it exists, else --snapshot].
    #[arg(long, value_name = "DIR", conflicts_with = "snapshot")]
    pub content: Option<PathBuf>,

    /// The snapshot to serve (made by `helpcenter pull`) [default: ./snapshot].
    #[arg(long, value_name = "DIR")]
    pub snapshot: Option<PathBuf>,

    /// The address to listen on. Anything but 127.0.0.1 (or ::1) shows the preview to
    /// other machines.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDRESS")]
    pub bind: std::net::IpAddr,

    /// The port to listen on; 0 picks a free one.
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,

    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,

    #[command(flatten)]
    pub site: SiteArgs,

    /// Keep sanitised bodies in FILE between runs, so the next `serve` starts fast [default:
    /// a temporary file removed on exit].
    #[arg(long, value_name = "FILE")]
    pub cache: Option<PathBuf>,

    #[command(flatten)]
    pub branding: BrandingArgs,
}

/// `helpcenter build`: how the site looks (all of them are also helpcenter.toml settings).
#[derive(Debug, Args)]
#[command(next_help_heading = "Branding")]
pub struct BrandingArgs {
    /// The site's name in the header, page titles and link previews [default: the help
    /// center's name].
    #[arg(long, value_name = "NAME", env = "HELPCENTER_SITE_NAME")]
    pub site_name: Option<String>,

    /// An image file (svg, png, jpg, gif, webp) shown before the name in the header.
    #[arg(long, value_name = "FILE", env = "HELPCENTER_LOGO")]
    pub logo: Option<PathBuf>,

    /// The icon browsers show in the tab (ico, png or svg file).
    #[arg(long, value_name = "FILE", env = "HELPCENTER_FAVICON")]
    pub favicon: Option<PathBuf>,

    /// The colour of links and buttons, e.g. #1f5fcc. Darkened if needed to stay readable on
    /// the light theme (with a warning) and lightened for the dark one.
    #[arg(long, value_name = "COLOR", env = "HELPCENTER_ACCENT_COLOR")]
    pub accent_color: Option<String>,

    /// A link in the header, as LABEL=URL; repeat for more. E.g. --header-link "Back to
    /// example.com=https://example.com".
    #[arg(
        long,
        value_name = "LABEL=URL",
        env = "HELPCENTER_HEADER_LINK",
        value_parser = crate::site::brand::HeaderLink::parse
    )]
    pub header_link: Vec<crate::site::brand::HeaderLink>,

    /// A line of text at the bottom of every page, e.g. "© 2026 Acme Inc.".
    #[arg(long, value_name = "TEXT", env = "HELPCENTER_FOOTER_TEXT")]
    pub footer_text: Option<String>,
}

impl BrandingArgs {
    /// The branding settings of a build.
    pub fn branding(self) -> crate::site::brand::Branding {
        crate::site::brand::Branding {
            site_name: self.site_name,
            logo: self.logo,
            favicon: self.favicon,
            accent_color: self.accent_color,
            header_links: self.header_link,
            footer_text: self.footer_text,
        }
    }
}

/// `helpcenter pull`
#[derive(Debug, Args)]
pub struct PullArgs {
    /// Directory of the snapshot to create or replace.
    #[arg(long, default_value = "snapshot", env = "HELPCENTER_SNAPSHOT")]
    pub snapshot: PathBuf,

    /// Pull only this help center (its collection tree and the articles in it).
    #[arg(long, value_name = "ID", env = "HELPCENTER_HELP_CENTER")]
    pub help_center: Option<String>,

    /// Also download every image, video and Intercom attachment the bodies refer to into
    /// assets/ of the snapshot (Intercom's CDN URLs expire), so builds need no request to
    /// Intercom. Files already in the previous snapshot are reused, not fetched again. The
    /// token is never sent to asset hosts. An asset that cannot be fetched does not stop the
    /// pull: the snapshot is written with the asset listed as missing in its manifest, and
    /// the pull exits with code 5 (incomplete).
    #[arg(long, help_heading = "Assets")]
    pub assets: bool,

    /// With --assets: the largest asset kept (e.g. 50MB, 512KB; K, M and G count 1024s). A
    /// bigger one is a warning and is not stored; the download stops as soon as it passes
    /// the limit.
    #[arg(long, value_name = "SIZE", default_value = "50MB", value_parser = parse_asset_size, help_heading = "Assets")]
    pub max_asset_size: u64,

    /// With --assets: how long one asset host may keep failing (timeouts, 5xx, 429) with no
    /// download succeeding before its remaining assets are given up. A host whose name does
    /// not resolve, that refuses connections or fails TLS is given up at once.
    #[arg(long, value_name = "SECONDS", default_value_t = crate::assets::DEFAULT_HOST_BUDGET.as_secs(), value_parser = clap::value_parser!(u64).range(1..), help_heading = "Assets")]
    pub asset_host_budget: u64,

    /// Connection settings.
    #[command(flatten, next_help_heading = "Connection")]
    pub connection: ConnectionArgs,
}

/// How to reach Intercom; shared by every command that talks to it.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// The region your workspace is hosted in.
    #[arg(long, value_enum, default_value_t = Region::Us, env = "HELPCENTER_REGION")]
    pub region: Region,

    /// API base URL, overriding the region's host (for proxies and tests).
    #[arg(long, value_name = "URL", env = "HELPCENTER_API_BASE")]
    pub api_base: Option<String>,

    /// Intercom API version to request (2.9 to 2.15). 2.9 has sections; 2.10+ nests collections.
    #[arg(long, value_name = "VERSION", default_value_t = ApiVersion::default(), env = "HELPCENTER_API_VERSION")]
    pub api_version: ApiVersion,

    /// Requests in flight at once.
    #[arg(long, default_value_t = 8, env = "HELPCENTER_CONCURRENCY", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,

    /// Items to ask for per page of a list (the API may give fewer).
    #[arg(long, default_value_t = 150, env = "HELPCENTER_PER_PAGE", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub per_page: u16,

    /// Tries per request before giving up (429, 5xx, timeouts and dropped connections are retried).
    #[arg(long, default_value_t = 5, env = "HELPCENTER_MAX_TRIES", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_tries: u32,

    /// Base of the exponential backoff between tries, in milliseconds.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 500,
        env = "HELPCENTER_RETRY_DELAY"
    )]
    pub retry_delay: u64,

    /// Time limit for one request, in seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 60,
        env = "HELPCENTER_TIMEOUT"
    )]
    pub timeout: u64,
}

impl ConnectionArgs {
    /// Client options from these flags and the token in the environment.
    pub fn client_options(&self) -> Result<ClientOptions> {
        Ok(ClientOptions {
            endpoint: Endpoint::new(self.region, self.api_base.as_deref())?,
            version: self.api_version,
            token: Token::from_env()?,
            concurrency: usize::from(self.concurrency),
            per_page: usize::from(self.per_page),
            retry: self.retry_policy(),
            timeout: self.request_timeout(),
        })
    }

    /// `--timeout`, at least a second: how long one request may take.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.timeout.max(1))
    }

    /// Tries and backoff from `--max-tries` and `--retry-delay`.
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.max_tries,
            base_delay: Duration::from_millis(self.retry_delay),
            ..RetryPolicy::default()
        }
    }
}

fn parse_asset_size(text: &str) -> std::result::Result<u64, String> {
    crate::assets::parse_size(text)
}

impl PullArgs {
    /// How to fetch assets, if `--assets` was given: the connection's concurrency, retries
    /// and timeout, and the size limit.
    pub fn asset_options(&self) -> Option<crate::assets::AssetOptions> {
        let connection = &self.connection;
        self.assets.then(|| crate::assets::AssetOptions {
            concurrency: usize::from(connection.concurrency),
            max_bytes: self.max_asset_size,
            retry: connection.retry_policy(),
            timeout: connection.request_timeout(),
            host_budget: Duration::from_secs(self.asset_host_budget),
        })
    }
}

/// An Intercom admin id: digits only.
fn parse_admin_id(value: &str) -> std::result::Result<String, String> {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_string())
    } else {
        Err(format!(
            "`{value}` is not an Intercom admin id (digits only)"
        ))
    }
}

/// A parsed command line, with the config file it used and where each setting came from.
#[derive(Debug)]
pub struct Invocation {
    /// The parsed flags, config-file values included.
    pub cli: Cli,
    /// The config file in use, if any.
    pub config: Option<ConfigFile>,
    /// Where each setting of the chosen subcommand came from.
    pub origins: Origins,
    /// The chosen subcommand's name, as typed.
    pub command: String,
}

/// The output `args` ask for, read before they are parsed, so that an error in the config
/// file (which is read first) still reaches `--json` users as the JSON frame of their command.
pub fn early_ui(args: &[OsString]) -> Ui {
    let words: Vec<&str> = (args.iter().skip(1))
        .filter_map(|arg| arg.to_str())
        .take_while(|arg| *arg != "--")
        .collect();
    let command = Cli::command();
    let name = words.iter().find_map(|word| {
        (command.get_subcommands())
            .find(|sub| sub.get_name() == *word)
            .map(|sub| sub.get_name().to_string())
    });
    let verbosity = Verbosity {
        quiet: words.iter().any(|w| matches!(*w, "--quiet" | "-q")),
        verbose: 0,
        json: words.contains(&"--json"),
    };
    Ui::new(verbosity).for_command(name.unwrap_or_default())
}

/// Parses `args` (with the program name first) over the config file's settings.
///
/// A config file that is missing (when named), malformed or holds a bad value is an error;
/// clap's own errors and `--help`/`--version` print and exit here, as clap does.
pub fn parse(args: Vec<OsString>) -> Result<Invocation> {
    let config = ConfigFile::locate(&args)?;
    let command = match &config {
        Some(file) => file.apply(Cli::command())?,
        None => Cli::command(),
    };
    let matches = command
        .try_get_matches_from(args)
        .unwrap_or_else(|e| e.exit());
    invocation(matches, config)
}

/// Like [`parse`], but a command line clap refuses is an error instead of an exit: for
/// re-reading the settings while running (`serve`, after `helpcenter.toml` changed).
pub fn reparse(args: Vec<OsString>) -> Result<Invocation> {
    let config = ConfigFile::locate(&args)?;
    let command = match &config {
        Some(file) => file.apply(Cli::command())?,
        None => Cli::command(),
    };
    let matches = command
        .try_get_matches_from(args)
        .map_err(|e| crate::error::Error::usage(e.to_string().trim().to_string()))?;
    invocation(matches, config)
}

fn invocation(matches: clap::ArgMatches, config: Option<ConfigFile>) -> Result<Invocation> {
    let origins = matches
        .subcommand()
        .map(|(_, sub)| Origins::of(sub, config.as_ref()))
        .unwrap_or_default();
    let command = matches.subcommand_name().unwrap_or_default().to_string();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    Ok(Invocation {
        cli,
        config,
        origins,
        command,
    })
}

impl clap::builder::ValueParserFactory for ApiVersion {
    type Parser = clap::builder::ValueParser;

    fn value_parser() -> Self::Parser {
        clap::builder::ValueParser::new(|s: &str| s.parse::<ApiVersion>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
