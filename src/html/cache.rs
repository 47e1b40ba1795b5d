//! A content-addressed cache of sanitised bodies, persisted between builds.
//!
//! Key: SHA-256 of the policy version, the help center's hosts, the page's locale and depth and
//! the input body. The link map is deliberately *not* hashed whole: every entry instead records
//! the lookups its link rewriting made ([`Dep`]) and is reused only while the current map answers
//! them the same way. Renaming one article then re-sanitises only the bodies that link to it,
//! not all 50,000.
//!
//! File format (little-endian, one file, replaced atomically):
//! `MAGIC`, format version u32, policy version u32, record count u64, then per record:
//! key (32 bytes), dependency count u32, dependencies (kind u8, id, locale, found flag u8
//! [+ path]), html; strings are a u32 length and UTF-8 bytes. Anything that does not parse
//! exactly, or has another version, is ignored: it is only a cache.

use super::links::{up_prefix, Dep, Kind, LinkMap};
use super::POLICY_VERSION;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

const MAGIC: &[u8; 8] = b"HCBODY\0\n";
const FORMAT_VERSION: u32 = 1;

type Key = [u8; 32];

/// The map used by plain [`super::sanitize`]: no hosts, so nothing is rewritten.
pub(crate) static NO_LINKS: LazyLock<LinkMap> = LazyLock::new(LinkMap::default);

struct Entry {
    deps: Vec<Dep>,
    html: Arc<str>,
    /// Looked up or inserted during this run; only those are saved, so stale bodies age out.
    used: bool,
}

/// Thread-safe cache from (body, page context, policy) to the sanitised body.
#[derive(Default)]
pub struct BodyCache {
    entries: Mutex<HashMap<Key, Entry>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl BodyCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads a cache saved by [`BodyCache::save`]; a missing, corrupt or outdated file gives an
    /// empty cache (logged at debug level), never an error.
    pub fn load(path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        let entries = match std::fs::read(path) {
            Ok(bytes) => decode(&bytes).unwrap_or_else(|| {
                tracing::debug!(path = %path.display(), "ignoring unreadable or outdated html cache");
                HashMap::new()
            }),
            Err(e) => {
                tracing::debug!(path = %path.display(), error = %e, "no html cache loaded");
                HashMap::new()
            }
        };
        BodyCache {
            entries: Mutex::new(entries),
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

    /// [`super::sanitize_with_links`], through the cache.
    pub fn sanitize_with_links(
        &self,
        html: &str,
        links: &LinkMap,
        page_locale: &str,
        page_site_path: &str,
    ) -> String {
        let key = key(html, links, page_locale, page_site_path);
        if let Some(hit) = self.get(&key, links) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return hit.to_string();
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let (out, deps) = super::policy::clean(html, links, page_locale, page_site_path);
        let entry = Entry {
            deps,
            html: Arc::from(out.as_str()),
            used: true,
        };
        self.lock().insert(key, entry);
        out
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

    fn get(&self, key: &Key, links: &LinkMap) -> Option<Arc<str>> {
        let mut entries = self.lock();
        let entry = entries.get_mut(key)?;
        if !entry.deps.iter().all(|d| d.holds(links)) {
            return None;
        }
        entry.used = true;
        Some(Arc::clone(&entry.html))
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Entry>> {
        // A panic elsewhere cannot leave an entry half-written (inserts are single calls).
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn write_to(&self, tmp: &Path) -> io::Result<()> {
        let entries = self.lock();
        let mut used: Vec<(&Key, &Entry)> = entries.iter().filter(|(_, e)| e.used).collect();
        // Sorted so the same cache content always produces the same file.
        used.sort_unstable_by_key(|(k, _)| **k);
        let mut w = BufWriter::new(std::fs::File::create(tmp)?);
        w.write_all(MAGIC)?;
        w.write_all(&FORMAT_VERSION.to_le_bytes())?;
        w.write_all(&POLICY_VERSION.to_le_bytes())?;
        w.write_all(&(used.len() as u64).to_le_bytes())?;
        for (key, entry) in used {
            write_entry(&mut w, key, entry)?;
        }
        w.into_inner().map_err(|e| e.into_error())?.flush()
    }
}

/// The cache key: everything the output depends on except the link lookups ([`Dep`]s).
fn key(html: &str, links: &LinkMap, page_locale: &str, page_site_path: &str) -> Key {
    let mut h = Sha256::new();
    h.update(MAGIC);
    h.update(POLICY_VERSION.to_le_bytes());
    h.update(links.hosts_fingerprint());
    for part in [page_locale, &up_prefix(page_site_path), html] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

fn write_entry(w: &mut impl Write, key: &Key, entry: &Entry) -> io::Result<()> {
    w.write_all(key)?;
    w.write_all(&(entry.deps.len() as u32).to_le_bytes())?;
    for dep in &entry.deps {
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
    write_str(w, &entry.html)
}

fn write_str(w: &mut impl Write, s: &str) -> io::Result<()> {
    let len = u32::try_from(s.len()).map_err(|_| io::Error::other("string too long for cache"))?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(s.as_bytes())
}

/// Parses a whole cache file; `None` on any mismatch, truncation or trailing bytes.
fn decode(bytes: &[u8]) -> Option<HashMap<Key, Entry>> {
    let mut r = Reader(bytes);
    if r.take(MAGIC.len())? != MAGIC || r.u32()? != FORMAT_VERSION || r.u32()? != POLICY_VERSION {
        return None;
    }
    let count = r.u64()?;
    let mut entries = HashMap::with_capacity(usize::try_from(count).ok()?.min(1 << 20));
    for _ in 0..count {
        let (key, entry) = read_entry(&mut r)?;
        entries.insert(key, entry);
    }
    r.0.is_empty().then_some(entries)
}

fn read_entry(r: &mut Reader<'_>) -> Option<(Key, Entry)> {
    let key: Key = r.take(32)?.try_into().ok()?;
    let ndeps = r.u32()?;
    let mut deps = Vec::with_capacity(ndeps.min(1024) as usize);
    for _ in 0..ndeps {
        deps.push(read_dep(r)?);
    }
    let html = Arc::from(r.str()?);
    let entry = Entry {
        deps,
        html,
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

/// A cursor over the file's bytes.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = self.u32()? as usize;
        std::str::from_utf8(self.take(len)?).ok()
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
}
