//! The fuzz targets on stable Rust, bounded for CI: every committed input of each target
//! (`tests/fuzz/corpus/<target>/`, seeds and whatever `cargo fuzz` added, and
//! `tests/fuzz/regressions/<target>/`, each crash found and fixed) is replayed as a
//! regression test, then mutations of them.
//!
//! By default the mutations are the same in every run (seed [`DEFAULT_SEED`],
//! [`DEFAULT_RUNS`] inputs per target), so `cargo test` passes or fails the same way on every
//! machine and CI never trips on an input nobody has seen. To search for new failures, give a
//! time budget: `FUZZ_SECONDS=120` runs random seeds for that long per target (`FUZZ_SEED`
//! repeats one, `FUZZ_RUNS` sets a count instead). The coverage-guided runs are the
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

/// The seed of the mutations `cargo test` runs when no `FUZZ_*` setting is given.
const DEFAULT_SEED: u64 = 1;

/// Mutated inputs per target that `cargo test` runs: about 2 s for the slowest target in a
/// debug build on a 2-core machine.
const DEFAULT_RUNS: u64 = 600;

/// How long to fuzz, from `FUZZ_SECONDS`, `FUZZ_RUNS` and `FUZZ_SEED`.
struct Budget {
    seed: u64,
    runs: Option<u64>,
    deadline: Option<Instant>,
}

impl Budget {
    fn from_env() -> Budget {
        let setting = |name: &str| -> Option<String> { std::env::var(name).ok() };
        let number = |name: &str| {
            setting(name).map(|v| {
                v.parse::<f64>()
                    .unwrap_or_else(|_| panic!("{name}={v} is not a number"))
            })
        };
        let seconds = number("FUZZ_SECONDS");
        let runs = number("FUZZ_RUNS").map(|n| n as u64);
        let exploring = seconds.is_some() || runs.is_some();
        let seed = match setting("FUZZ_SEED") {
            Some(v) => v
                .parse()
                .unwrap_or_else(|_| panic!("FUZZ_SEED={v} is not a number")),
            None if exploring => rand::rng().random(),
            None => DEFAULT_SEED,
        };
        Budget {
            seed,
            runs: runs.or((!exploring).then_some(DEFAULT_RUNS)),
            deadline: seconds.map(|s| Instant::now() + Duration::from_secs_f64(s)),
        }
    }

    fn more(&self, runs: u64) -> bool {
        self.runs.is_none_or(|max| runs < max) && self.deadline.is_none_or(|d| Instant::now() < d)
    }
}

/// Replays every committed input of `target`, then fuzzes within the budget.
fn fuzz(target: &str, run: impl Fn(&[u8])) {
    let corpus = inputs(target);
    for (path, bytes) in &corpus {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(bytes)));
        assert!(outcome.is_ok(), "{} fails", path.display());
    }
    let budget = Budget::from_env();
    let seed = budget.seed;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut runs = 0u64;
    while budget.more(runs) {
        let mut input = corpus[rng.random_range(0..corpus.len())].1.clone();
        for _ in 0..rng.random_range(1..8) {
            mutate(&mut rng, &mut input, &corpus);
        }
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&input)));
        if outcome.is_err() {
            let out = std::env::temp_dir().join(format!("helpcenter-fuzz-{target}-{seed}"));
            std::fs::write(&out, &input).unwrap();
            panic!(
                "{target}: an input failed after {runs} runs (FUZZ_SEED={seed} FUZZ_RUNS={}); saved to {} \
                 (copy it into tests/fuzz/regressions/{target}/ once fixed)",
                runs + 1,
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
