//! A content-addressed cache of sanitised bodies, persisted between builds.
//!
//! Key: SHA-256 of the policy version, the help center's hosts, the page's locale and depth and
//! the input body. The link map is deliberately *not* hashed whole: every entry instead records
//! the lookups its link rewriting made ([`Dep`]) and is reused only while the current map answers
//! them the same way. Renaming one article then re-sanitises only the bodies that link to it,
//! not all 50,000.
//!
//! Memory: a site of 50,000 pages has some 250 MB of sanitised bodies, as much again as the raw
//! bodies being rendered. So a cache loaded from a file keeps only its index in memory (key,
//! dependencies, where the HTML lies in the file) and reads a body when it is asked for; bodies
//! sanitised during the run go to an unnamed temporary file beside the cache file. A cache made
//! with [`BodyCache::new`], or one whose temporary file cannot be made, keeps them in memory.
//!
//! File format (little-endian, one file, replaced atomically):
//! `MAGIC`, format version u32, policy version u32, record count u64, then per record:
//! key (32 bytes), dependency count u32, dependencies (kind u8, id, locale, found flag u8
//! [+ path]), html; strings are a u32 length and UTF-8 bytes. Anything that does not parse
//! exactly, or has another version, is ignored: it is only a cache. (A body whose bytes turn
//! out not to be UTF-8 when it is read is sanitised again.)

use super::links::{up_prefix, Dep, Kind, LinkMap};
use super::POLICY_VERSION;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, OnceLock};

const MAGIC: &[u8; 8] = b"HCBODY\0\n";
const FORMAT_VERSION: u32 = 1;

type Key = [u8; 32];

/// The map used by plain [`super::sanitize`]: no hosts, so nothing is rewritten.
pub(crate) static NO_LINKS: LazyLock<LinkMap> = LazyLock::new(LinkMap::default);

/// A byte range of a file.
#[derive(Clone, Copy, Debug)]
struct Span {
    offset: u64,
    len: u32,
}

/// Where an entry's sanitised HTML is kept.
#[derive(Clone, Debug)]
enum Html {
    /// In memory.
    Memory(Arc<str>),
    /// In the cache file the cache was loaded from.
    Loaded(Span),
    /// In this run's temporary file.
    Spilled(Span),
}

struct Entry {
    deps: Vec<Dep>,
    html: Html,
    /// Looked up or inserted during this run; only those are saved, so stale bodies age out.
    used: bool,
}

/// The unnamed temporary file that holds the bodies sanitised during this run.
struct Spill {
    /// Where to create it: beside the cache file.
    dir: PathBuf,
    /// Created on the first body; `None` when that failed.
    file: OnceLock<Option<File>>,
    /// Bytes reserved so far. Each append reserves its range with one `fetch_add` and then
    /// writes there without a lock: positioned writes to disjoint ranges do not interfere. A
    /// range whose write failed is left as a hole that no entry points at.
    end: AtomicU64,
    /// Creating or writing it failed: keep new bodies in memory instead.
    failed: AtomicBool,
}

/// Thread-safe cache from (body, page context, policy) to the sanitised body.
#[derive(Default)]
pub struct BodyCache {
    entries: Mutex<HashMap<Key, Entry>>,
    /// The file [`BodyCache::load`] indexed; [`Html::Loaded`] spans point into it.
    loaded: Option<File>,
    /// `None`: new bodies are kept in memory.
    spill: Option<Spill>,
    hits: AtomicU64,
    misses: AtomicU64,
    derived_hits: AtomicU64,
    derived_misses: AtomicU64,
}

impl BodyCache {
    /// An empty cache that keeps everything in memory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads a cache saved by [`BodyCache::save`]; a missing, corrupt or outdated file gives an
    /// empty cache (logged at debug level), never an error. Only the index is read now.
    pub fn load(path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        let indexed = File::open(path).and_then(|file| {
            let entries = index(&file)?;
            Ok((entries, file))
        });
        let (entries, loaded) = match indexed {
            Ok((Some(entries), file)) => (entries, Some(file)),
            Ok((None, _)) => {
                tracing::debug!(path = %path.display(), "ignoring unreadable or outdated html cache");
                (HashMap::new(), None)
            }
            Err(e) => {
                tracing::debug!(path = %path.display(), error = %e, "no html cache loaded");
                (HashMap::new(), None)
            }
        };
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        BodyCache {
            entries: Mutex::new(entries),
            loaded,
            spill: Some(Spill {
                dir,
                file: OnceLock::new(),
                end: AtomicU64::new(0),
                failed: AtomicBool::new(false),
            }),
            ..Self::default()
        }
    }

    /// Writes the entries used since loading to `path`, via a temporary file and a rename.
    pub fn save(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_file_name(format!(
            ".{}.tmp-{}",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("cache"),
            std::process::id()
        ));
        let written = self
            .write_to(&tmp)
            .and_then(|()| std::fs::rename(&tmp, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    }

    /// [`super::sanitize`], through the cache.
    pub fn sanitize(&self, html: &str) -> String {
        self.sanitize_with_links(html, &NO_LINKS, "", "/")
    }

    /// [`super::sanitize_with_links`], through the cache. Plain text (most descriptions) is
    /// its own sanitised form, so it bypasses the cache and counts as neither hit nor miss.
    pub fn sanitize_with_links(
        &self,
        html: &str,
        links: &LinkMap,
        page_locale: &str,
        page_site_path: &str,
    ) -> String {
        self.sanitize_noting_links(html, links, page_locale, page_site_path, &mut Vec::new())
    }

    /// [`BodyCache::sanitize_with_links`], and pushes onto `linked` the id of every article
    /// whose page the result links to (or would, were it in the site): the result changes when
    /// one of them moves.
    pub fn sanitize_noting_links(
        &self,
        html: &str,
        links: &LinkMap,
        page_locale: &str,
        page_site_path: &str,
        linked: &mut Vec<Box<str>>,
    ) -> String {
        if super::policy::is_plain_text(html) {
            return html.to_owned();
        }
        let key = key(html, links, page_locale, page_site_path);
        if let Some(hit) = self.get(&key, links, linked) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return hit;
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let (out, deps) = super::policy::clean(html, links, page_locale, page_site_path);
        note_articles(&deps, linked);
        let html = self.keep(&out);
        let entry = Entry {
            deps,
            html,
            used: true,
        };
        self.lock().insert(key, entry);
        out
    }

    /// A value derived from `input` alone by `derive` (for instance a page's form of a
    /// sanitised body), through the cache: an unchanged input costs a lookup instead of the
    /// work. `kind` names the derivation and its version; change it when `derive` changes
    /// what it makes. Entries are kept, saved and read back like sanitised bodies.
    pub fn derived(&self, kind: &str, input: &str, derive: impl FnOnce(&str) -> String) -> String {
        let key = derived_key(kind, input);
        if let Some(hit) = self.get(&key, &NO_LINKS, &mut Vec::new()) {
            self.derived_hits.fetch_add(1, Ordering::Relaxed);
            return hit;
        }
        self.derived_misses.fetch_add(1, Ordering::Relaxed);
        let out = derive(input);
        let entry = Entry {
            deps: Vec::new(),
            html: self.keep(&out),
            used: true,
        };
        self.lock().insert(key, entry);
        out
    }

    /// Lookups of [`BodyCache::derived`] answered from the cache so far.
    pub fn derived_hits(&self) -> u64 {
        self.derived_hits.load(Ordering::Relaxed)
    }

    /// Lookups of [`BodyCache::derived`] that had to derive so far.
    pub fn derived_misses(&self) -> u64 {
        self.derived_misses.load(Ordering::Relaxed)
    }

    /// True when this run added entries, so saving the cache would change its file.
    pub fn learned(&self) -> bool {
        self.misses() > 0 || self.derived_misses() > 0
    }

    /// Number of entries held (loaded or added).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lookups answered from the cache so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Lookups that had to sanitise so far.
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    /// The cached HTML for `key`, if its link lookups still hold and it can be read.
    /// Pushes the ids of the articles its links depend on onto `linked`.
    fn get(&self, key: &Key, links: &LinkMap, linked: &mut Vec<Box<str>>) -> Option<String> {
        let html = {
            let mut entries = self.lock();
            let entry = entries.get_mut(key)?;
            if !entry.deps.iter().all(|d| d.holds(links)) {
                return None;
            }
            note_articles(&entry.deps, linked);
            entry.used = true;
            entry.html.clone()
        };
        // Read outside the lock, so threads do not wait for each other's reads.
        match self.read(&html) {
            Ok(text) => Some(text),
            Err(e) => {
                tracing::debug!(error = %e, "unreadable body cache entry; sanitising again");
                None
            }
        }
    }

    /// The text of an entry, wherever it is kept.
    fn read(&self, html: &Html) -> io::Result<String> {
        // Already a `str`: neither a byte copy nor a second UTF-8 check.
        if let Html::Memory(text) = html {
            return Ok(text.to_string());
        }
        let mut bytes = Vec::new();
        self.read_bytes(html, &mut bytes)?;
        String::from_utf8(bytes).map_err(io::Error::other)
    }

    /// The bytes of an entry into `buf` (replacing what it held), not checked for UTF-8.
    fn read_bytes(&self, html: &Html, buf: &mut Vec<u8>) -> io::Result<()> {
        let (file, span) = match html {
            Html::Memory(text) => {
                buf.clear();
                buf.extend_from_slice(text.as_bytes());
                return Ok(());
            }
            Html::Loaded(span) => (self.loaded.as_ref(), span),
            Html::Spilled(span) => (self.spill.as_ref().and_then(Spill::file), span),
        };
        let file = file.ok_or_else(|| io::Error::other("the cache file is not open"))?;
        buf.resize(span.len as usize, 0);
        read_exact_at(file, buf, span.offset)
    }

    /// Stores a newly sanitised body: in the temporary file if there is one, else in memory.
    fn keep(&self, out: &str) -> Html {
        let spilled = self.spill.as_ref().and_then(|spill| spill.append(out));
        spilled.unwrap_or_else(|| Html::Memory(Arc::from(out)))
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Entry>> {
        lock(&self.entries)
    }

    fn write_to(&self, tmp: &Path) -> io::Result<()> {
        let entries = self.lock();
        let mut used: Vec<(&Key, &Entry)> = entries.iter().filter(|(_, e)| e.used).collect();
        // Sorted so the same cache content always produces the same file.
        used.sort_unstable_by_key(|(k, _)| **k);
        let mut w = BufWriter::new(File::create(tmp)?);
        w.write_all(MAGIC)?;
        w.write_all(&FORMAT_VERSION.to_le_bytes())?;
        w.write_all(&POLICY_VERSION.to_le_bytes())?;
        w.write_all(&(used.len() as u64).to_le_bytes())?;
        // Bodies are copied as bytes: they were UTF-8 when stored, and a body that is not
        // when read back is sanitised again (see `get`), so checking here would only cost.
        let mut html = Vec::new();
        for (key, entry) in used {
            self.read_bytes(&entry.html, &mut html)?;
            write_entry(&mut w, key, &entry.deps, &html)?;
        }
        w.into_inner().map_err(|e| e.into_error())?.flush()
    }
}

impl Spill {
    fn file(&self) -> Option<&File> {
        self.file.get().and_then(Option::as_ref)
    }

    /// Appends `html` to the temporary file, creating it first; `None` once that fails.
    fn append(&self, html: &str) -> Option<Html> {
        if self.failed.load(Ordering::Relaxed) {
            return None;
        }
        let appended = self.try_append(html);
        if let Err(e) = &appended {
            tracing::debug!(error = %e, dir = %self.dir.display(), "keeping sanitised bodies in memory");
            self.failed.store(true, Ordering::Relaxed);
        }
        appended.ok()
    }

    fn try_append(&self, html: &str) -> io::Result<Html> {
        let len = u32::try_from(html.len()).map_err(|_| io::Error::other("body too long"))?;
        let file = self
            .file
            .get_or_init(|| tempfile::tempfile_in(&self.dir).ok())
            .as_ref()
            .ok_or_else(|| io::Error::other("cannot create a temporary file"))?;
        let offset = self.end.fetch_add(u64::from(len), Ordering::Relaxed);
        write_all_at(file, html.as_bytes(), offset)?;
        Ok(Html::Spilled(Span { offset, len }))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere cannot leave the data half-written (updates are single calls).
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(unix)]
fn write_all_at(file: &File, buf: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(windows)]
fn write_all_at(file: &File, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_write(buf, offset)? {
            0 => return Err(io::ErrorKind::WriteZero.into()),
            n => {
                buf = &buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// Pushes the ids of the articles among `deps` onto `linked`.
fn note_articles(deps: &[Dep], linked: &mut Vec<Box<str>>) {
    let articles = deps.iter().filter(|d| d.kind == Kind::Article);
    linked.extend(articles.map(|d| d.id.clone()));
}

/// The cache key: everything the output depends on except the link lookups ([`Dep`]s).
fn key(html: &str, links: &LinkMap, page_locale: &str, page_site_path: &str) -> Key {
    let mut h = Sha256::new();
    h.update(MAGIC);
    h.update(POLICY_VERSION.to_le_bytes());
    h.update(links.rules_fingerprint());
    for part in [page_locale, &up_prefix(page_site_path), html] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

/// The key of a derived value: the derivation's name, then its input.
fn derived_key(kind: &str, input: &str) -> Key {
    let mut h = Sha256::new();
    h.update(MAGIC);
    h.update(b"derived\0");
    for part in [kind, input] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

fn write_entry(w: &mut impl Write, key: &Key, deps: &[Dep], html: &[u8]) -> io::Result<()> {
    w.write_all(key)?;
    w.write_all(&(deps.len() as u32).to_le_bytes())?;
    for dep in deps {
        w.write_all(&[dep.kind.tag()])?;
        write_str(w, &dep.id)?;
        write_str(w, &dep.locale)?;
        match &dep.found {
            Some(path) => {
                w.write_all(&[1])?;
                write_str(w, path)?;
            }
            None => w.write_all(&[0])?,
        }
    }
    write_bytes(w, html)
}

fn write_str(w: &mut impl Write, s: &str) -> io::Result<()> {
    write_bytes(w, s.as_bytes())
}

fn write_bytes(w: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let len =
        u32::try_from(bytes.len()).map_err(|_| io::Error::other("string too long for cache"))?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(bytes)
}

/// Reads the index of a whole cache file, skipping over the bodies; `Ok(None)` on any
/// mismatch, truncation or trailing bytes.
fn index(file: &File) -> io::Result<Option<HashMap<Key, Entry>>> {
    let size = file.metadata()?.len();
    let mut r = Reader {
        inner: BufReader::with_capacity(1 << 16, file),
        at: 0,
        size,
    };
    Ok(read_index(&mut r).filter(|_| r.at == size))
}

fn read_index(r: &mut Reader<'_>) -> Option<HashMap<Key, Entry>> {
    let mut magic = [0; MAGIC.len()];
    r.fill(&mut magic)?;
    if &magic != MAGIC || r.u32()? != FORMAT_VERSION || r.u32()? != POLICY_VERSION {
        return None;
    }
    let count = r.u64()?;
    let mut entries = HashMap::with_capacity(usize::try_from(count).ok()?.min(1 << 20));
    for _ in 0..count {
        let (key, entry) = read_entry(r)?;
        entries.insert(key, entry);
    }
    Some(entries)
}

fn read_entry(r: &mut Reader<'_>) -> Option<(Key, Entry)> {
    let mut key: Key = [0; 32];
    r.fill(&mut key)?;
    let ndeps = r.u32()?;
    let mut deps = Vec::with_capacity(ndeps.min(1024) as usize);
    for _ in 0..ndeps {
        deps.push(read_dep(r)?);
    }
    let len = r.u32()?;
    let span = Span { offset: r.at, len };
    r.skip(u64::from(len))?;
    let entry = Entry {
        deps,
        html: Html::Loaded(span),
        used: false,
    };
    Some((key, entry))
}

fn read_dep(r: &mut Reader<'_>) -> Option<Dep> {
    let kind = Kind::from_tag(r.u8()?)?;
    let id = r.str()?.into();
    let locale = r.str()?.into();
    let found = match r.u8()? {
        0 => None,
        1 => Some(r.str()?.into()),
        _ => return None,
    };
    Some(Dep {
        kind,
        id,
        locale,
        found,
    })
}

/// A buffered cursor over the cache file that knows its position and the file's size.
struct Reader<'a> {
    inner: BufReader<&'a File>,
    at: u64,
    size: u64,
}

impl Reader<'_> {
    fn fill(&mut self, buf: &mut [u8]) -> Option<()> {
        self.inner.read_exact(buf).ok()?;
        self.at += buf.len() as u64;
        Some(())
    }

    /// Moves past `n` bytes, which must lie inside the file.
    fn skip(&mut self, n: u64) -> Option<()> {
        let end = self.at.checked_add(n).filter(|&end| end <= self.size)?;
        self.inner.seek_relative(i64::try_from(n).ok()?).ok()?;
        self.at = end;
        Some(())
    }

    fn u8(&mut self) -> Option<u8> {
        let mut b = [0; 1];
        self.fill(&mut b)?;
        Some(b[0])
    }

    fn u32(&mut self) -> Option<u32> {
        let mut b = [0; 4];
        self.fill(&mut b)?;
        Some(u32::from_le_bytes(b))
    }

    fn u64(&mut self) -> Option<u64> {
        let mut b = [0; 8];
        self.fill(&mut b)?;
        Some(u64::from_le_bytes(b))
    }

    fn str(&mut self) -> Option<String> {
        let len = self.u32()?;
        // Dependency strings are short; a huge length is a corrupt file, not an allocation.
        if u64::from(len) > self.size - self.at {
            return None;
        }
        let mut bytes = vec![0; len as usize];
        self.fill(&mut bytes)?;
        String::from_utf8(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str =
        r#"<p>See <a href="https://help.acme.test/en/articles/12-hello#h_1">this</a>.</p>"#;

    fn links() -> LinkMap {
        let mut m = LinkMap::new(["help.acme.test".to_owned()]);
        m.add_article("12", "fr", "/fr/articles/12-bonjour/");
        m
    }

    #[test]
    fn hit_returns_same_output() {
        let cache = BodyCache::new();
        let m = links();
        let first = cache.sanitize_with_links(BODY, &m, "fr", "/fr/articles/1-x/");
        let second = cache.sanitize_with_links(BODY, &m, "fr", "/fr/articles/1-x/");
        assert_eq!(first, second);
        assert!(
            first.contains(r#"href="../../../fr/articles/12-bonjour/#h_1""#),
            "{first}"
        );
        assert_eq!((cache.hits(), cache.misses()), (1, 1));
        assert_eq!(cache.sanitize("<b onclick=x>b</b>"), "<b>b</b>");
    }

    #[test]
    fn page_context_is_part_of_the_key() {
        let cache = BodyCache::new();
        let m = links();
        let deep = cache.sanitize_with_links(BODY, &m, "fr", "/fr/articles/1-x/");
        let root = cache.sanitize_with_links(BODY, &m, "fr", "/");
        assert_ne!(deep, root);
        assert_eq!(cache.misses(), 2);
    }

    #[test]
    fn changed_link_target_invalidates_only_dependants() {
        let cache = BodyCache::new();
        let m = links();
        cache.sanitize_with_links(BODY, &m, "fr", "/fr/articles/1-x/");
        cache.sanitize_with_links("<p>plain</p>", &m, "fr", "/fr/articles/1-x/");
        let mut m2 = m.clone();
        m2.add_article("12", "en", "/en/articles/12-hello/");
        m2.add_article("99", "en", "/en/articles/99-unrelated/");
        let out = cache.sanitize_with_links(BODY, &m2, "fr", "/fr/articles/1-x/");
        assert!(out.contains("../../../en/articles/12-hello/#h_1"), "{out}");
        cache.sanitize_with_links("<p>plain</p>", &m2, "fr", "/fr/articles/1-x/");
        assert_eq!((cache.hits(), cache.misses()), (1, 3));
    }

    #[test]
    fn derived_values_are_made_once_per_input_and_kind_and_survive_a_save() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("html.cache");
        let cache = BodyCache::load(&path);
        let calls = AtomicU64::new(0);
        let upper = |input: &str| {
            calls.fetch_add(1, Ordering::Relaxed);
            input.to_uppercase()
        };
        assert_eq!(cache.derived("upper/1", "abc", upper), "ABC");
        assert_eq!(cache.derived("upper/1", "abc", upper), "ABC");
        assert_eq!(cache.derived("upper/2", "abc", upper), "ABC");
        assert_eq!(cache.derived("upper/1", "abd", upper), "ABD");
        assert_eq!(calls.load(Ordering::Relaxed), 3);
        assert_eq!((cache.derived_hits(), cache.derived_misses()), (1, 3));
        assert!(cache.learned());
        cache.save(&path).unwrap();
        let loaded = BodyCache::load(&path);
        assert_eq!(loaded.derived("upper/1", "abd", |_| unreachable!()), "ABD");
        assert_eq!((loaded.derived_hits(), loaded.derived_misses()), (1, 0));
        assert!(!loaded.learned());
    }

    #[test]
    fn persistence_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("html.cache");
        let m = links();
        let cache = BodyCache::new();
        let out = cache.sanitize_with_links(BODY, &m, "fr", "/fr/articles/1-x/");
        cache.save(&path).unwrap();
        let loaded = BodyCache::load(&path);
        assert_eq!(loaded.len(), 1);
        assert_eq!(
            loaded.sanitize_with_links(BODY, &m, "fr", "/fr/articles/1-x/"),
            out
        );
        assert_eq!((loaded.hits(), loaded.misses()), (1, 0));
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn unused_entries_are_not_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("html.cache");
        let cache = BodyCache::new();
        cache.sanitize("<p>a</p>");
        cache.sanitize("<p>b</p>");
        cache.sanitize("plain text");
        assert_eq!(cache.len(), 2, "plain text is not cached");
        cache.save(&path).unwrap();
        let loaded = BodyCache::load(&path);
        loaded.sanitize("<p>a</p>");
        loaded.save(&path).unwrap();
        assert_eq!(BodyCache::load(&path).len(), 1);
    }

    #[test]
    fn corrupt_or_missing_files_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("html.cache");
        assert!(BodyCache::load(&path).is_empty());
        std::fs::write(&path, b"not a cache at all").unwrap();
        assert!(BodyCache::load(&path).is_empty());
        let cache = BodyCache::new();
        cache.sanitize("<p>a</p>");
        cache.save(&path).unwrap();
        let good = std::fs::read(&path).unwrap();
        std::fs::write(&path, &good[..good.len() - 1]).unwrap();
        assert!(BodyCache::load(&path).is_empty(), "truncated");
        let mut extra = good.clone();
        extra.push(0);
        std::fs::write(&path, &extra).unwrap();
        assert!(BodyCache::load(&path).is_empty(), "trailing bytes");
        let mut old = good.clone();
        old[8] = old[8].wrapping_add(1);
        std::fs::write(&path, &old).unwrap();
        assert!(BodyCache::load(&path).is_empty(), "other format version");
        std::fs::write(&path, &good).unwrap();
        assert_eq!(BodyCache::load(&path).len(), 1);
    }

    #[test]
    fn a_loaded_cache_keeps_bodies_on_disk_not_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("html.cache");
        let m = links();
        let first = BodyCache::load(&path);
        let out = first.sanitize_with_links(BODY, &m, "fr", "/fr/articles/1-x/");
        assert!(matches!(
            first.lock().values().next().unwrap().html,
            Html::Spilled(_)
        ));
        assert_eq!(
            first.sanitize_with_links(BODY, &m, "fr", "/fr/articles/1-x/"),
            out,
            "read back from the temporary file"
        );
        first.save(&path).unwrap();
        drop(first);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "the temporary file is gone");

        let second = BodyCache::load(&path);
        assert!(matches!(
            second.lock().values().next().unwrap().html,
            Html::Loaded(_)
        ));
        assert_eq!(
            second.sanitize_with_links(BODY, &m, "fr", "/fr/articles/1-x/"),
            out
        );
        assert_eq!(second.sanitize("<i>new</i>"), "<i>new</i>");
        second.save(&path).unwrap();
        let third = BodyCache::load(&path);
        assert_eq!(third.len(), 2, "loaded and spilled entries are both saved");
        assert_eq!(third.sanitize("<i>new</i>"), "<i>new</i>");
        assert_eq!((third.hits(), third.misses()), (1, 0));
    }

    #[test]
    fn a_body_that_is_not_utf8_on_disk_is_sanitised_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("html.cache");
        let cache = BodyCache::new();
        cache.sanitize("<p>abc</p>");
        cache.save(&path).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.len() - 2;
        bytes[at] = 0xff;
        std::fs::write(&path, &bytes).unwrap();
        let loaded = BodyCache::load(&path);
        assert_eq!(loaded.len(), 1, "the index still parses");
        assert_eq!(loaded.sanitize("<p>abc</p>"), "<p>abc</p>");
        assert_eq!((loaded.hits(), loaded.misses()), (0, 1));
    }

    #[test]
    fn shared_between_threads() {
        let cache = BodyCache::new();
        let m = links();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for i in 0..20 {
                        let body = format!("<p>{i}</p>{BODY}");
                        cache.sanitize_with_links(&body, &m, "fr", "/fr/articles/1-x/");
                    }
                });
            }
        });
        assert_eq!(cache.len(), 20);
        assert_eq!(cache.hits() + cache.misses(), 80);
    }

    #[test]
    fn threads_spilling_at_once_keep_their_own_bodies() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("html.cache");
        let cache = BodyCache::load(&path);
        let body = |t: usize, i: usize| format!("<p>{t}-{i}</p>{}", "x".repeat(t * 97 + i));
        std::thread::scope(|s| {
            for t in 0..4 {
                let cache = &cache;
                s.spawn(move || {
                    for i in 0..50 {
                        cache.sanitize(&body(t, i));
                    }
                });
            }
        });
        assert_eq!(cache.len(), 200);
        assert!(cache
            .lock()
            .values()
            .all(|e| matches!(e.html, Html::Spilled(_))));
        for t in 0..4 {
            for i in 0..50 {
                let b = body(t, i);
                assert_eq!(cache.sanitize(&b), b, "read back from its own range");
            }
        }
        assert_eq!((cache.hits(), cache.misses()), (200, 200));
        cache.save(&path).unwrap();
        let loaded = BodyCache::load(&path);
        assert_eq!(loaded.sanitize(&body(3, 49)), body(3, 49));
        assert_eq!((loaded.hits(), loaded.misses()), (1, 0));
    }
}
