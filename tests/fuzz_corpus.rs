//! The fuzz targets on stable Rust, bounded for CI: every committed input of each target
//! (`tests/fuzz/corpus/<target>/`, seeds and whatever `cargo fuzz` added, and
//! `tests/fuzz/regressions/<target>/`, each crash found and fixed) is replayed as a
//! regression test, then random mutations of them run for a short time per target
//! (`FUZZ_SECONDS`, default 2; `FUZZ_SEED` to repeat a run). The coverage-guided runs are the
//! `cargo fuzz` targets in `tests/fuzz/`, which call the same `helpcenter::fuzzing` functions.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The committed inputs of `target`, sorted by name.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let mut found = Vec::new();
    for kind in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(kind).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            found.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    found.sort();
    assert!(!found.is_empty(), "no corpus for {target}");
    found
}

/// One random change to `input`, as a mutational fuzzer makes: flip, insert, delete or
/// repeat bytes, insert a token that matters to the parsers, or splice in another input.
fn mutate(rng: &mut StdRng, input: &mut Vec<u8>, others: &[(PathBuf, Vec<u8>)]) {
    const TOKENS: [&[u8]; 16] = [
        b"---\n",
        b": ",
        b"\n  - ",
        b"&a ",
        b"*a",
        b"\"",
        b"'",
        b"<a href=\"",
        b"<script>",
        b"</div>",
        b"\n\n",
        b"|",
        b"[",
        b"{",
        b"\\u",
        b"..",
    ];
    let at = |rng: &mut StdRng, len: usize| rng.random_range(0..=len);
    match rng.random_range(0..6) {
        0 if !input.is_empty() => {
            let i = rng.random_range(0..input.len());
            input[i] ^= 1 << rng.random_range(0..8);
        }
        1 => {
            let i = at(rng, input.len());
            let token = TOKENS[rng.random_range(0..TOKENS.len())];
            input.splice(i..i, token.iter().copied());
        }
        2 if !input.is_empty() => {
            let i = rng.random_range(0..input.len());
            let n = rng.random_range(1..=(input.len() - i).min(64));
            input.drain(i..i + n);
        }
        3 if !input.is_empty() => {
            let i = rng.random_range(0..input.len());
            let n = rng.random_range(1..=(input.len() - i).min(32));
            let piece = input[i..i + n].to_vec();
            input.splice(i..i, piece);
        }
        4 => {
            let other = &others[rng.random_range(0..others.len())].1;
            if !other.is_empty() {
                let from = rng.random_range(0..other.len());
                let to = rng.random_range(from..=other.len().min(from + 256));
                let i = at(rng, input.len());
                input.splice(i..i, other[from..to].iter().copied());
            }
        }
        _ => {
            let keep = at(rng, input.len());
            input.truncate(keep);
        }
    }
}

/// Replays every committed input of `target`, then fuzzes for the time budget.
fn fuzz(target: &str, run: impl Fn(&[u8])) {
    let corpus = inputs(target);
    for (path, bytes) in &corpus {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(bytes)));
        assert!(outcome.is_ok(), "{} fails", path.display());
    }
    let seconds = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2.0);
    let seed = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    let mut rng = StdRng::seed_from_u64(seed);
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut runs = 0u64;
    while Instant::now() < deadline {
        let mut input = corpus[rng.random_range(0..corpus.len())].1.clone();
        for _ in 0..rng.random_range(1..8) {
            mutate(&mut rng, &mut input, &corpus);
        }
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&input)));
        if outcome.is_err() {
            let out = std::env::temp_dir().join(format!("helpcenter-fuzz-{target}-{seed}"));
            std::fs::write(&out, &input).unwrap();
            panic!(
                "{target}: an input failed after {runs} runs (FUZZ_SEED={seed}); saved to {} \
                 (copy it into tests/fuzz/regressions/{target}/ once fixed)",
                out.display()
            );
        }
        runs += 1;
    }
    eprintln!(
        "{target}: {} committed inputs, {runs} random runs",
        corpus.len()
    );
}

/// A fresh scratch folder per input, for the parsers that write files.
fn with_scratch(run: impl Fn(&[u8], &Path)) -> impl Fn(&[u8]) {
    move |data| {
        let scratch = tempfile::tempdir().unwrap();
        run(data, scratch.path());
    }
}

#[test]
fn front_matter() {
    fuzz("front_matter", helpcenter::fuzzing::front_matter);
}

#[test]
fn markdown() {
    fuzz("markdown", helpcenter::fuzzing::markdown);
}

#[test]
fn html() {
    fuzz("html", helpcenter::fuzzing::html);
}

#[test]
fn sanitize() {
    fuzz("sanitize", helpcenter::fuzzing::sanitize);
}

#[test]
fn api_json() {
    fuzz("api_json", with_scratch(helpcenter::fuzzing::api_json));
}

#[test]
fn config() {
    fuzz("config", helpcenter::fuzzing::config);
}

#[test]
fn archive() {
    fuzz("archive", with_scratch(helpcenter::fuzzing::archive));
}
