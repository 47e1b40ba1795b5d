//! A built site's search index read back: the Pagefind bundles `build` writes
//! (`pagefind/<locale>/shards.json` listing the shard folders, each with
//! `fragment/*.pf_fragment`: gzip, a `pagefind_dcd` signature, then one page's JSON record).

use std::fs;
use std::io::Read;
use std::path::Path;

use serde_json::Value;

/// The shard folders `shards.json` lists for a locale of the site at `site`.
pub fn shards(site: &Path, locale: &str) -> Vec<String> {
    let listing = site.join("pagefind").join(locale).join("shards.json");
    let json: Value = serde_json::from_slice(&fs::read(listing).unwrap()).unwrap();
    let folders = json["shards"].as_array().unwrap();
    folders
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

/// The records of one shard of a locale's index, sorted by URL.
pub fn shard_records(site: &Path, locale: &str, shard: &str) -> Vec<Value> {
    let dir = site
        .join("pagefind")
        .join(locale)
        .join(shard)
        .join("fragment");
    let mut records: Vec<Value> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| fragment(&entry.unwrap().path()))
        .collect();
    records.sort_by(|a, b| a["url"].as_str().cmp(&b["url"].as_str()));
    records
}

/// The records of every shard of a locale's index, sorted by URL.
pub fn records(site: &Path, locale: &str) -> Vec<Value> {
    let mut records: Vec<Value> = (shards(site, locale).iter())
        .flat_map(|shard| shard_records(site, locale, shard))
        .collect();
    records.sort_by(|a, b| a["url"].as_str().cmp(&b["url"].as_str()));
    records
}

/// One page's record, from its fragment file.
pub fn fragment(path: &Path) -> Value {
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(fs::File::open(path).unwrap())
        .read_to_end(&mut bytes)
        .unwrap();
    let json = bytes
        .strip_prefix(b"pagefind_dcd")
        .expect("a Pagefind signature");
    serde_json::from_slice(json).unwrap()
}
