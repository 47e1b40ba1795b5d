//! Test support shared by the integration tests and the benchmarks: a fake Intercom API server
//! ([`fake_intercom`]) and the help center content it serves ([`workspace`]).
//!
//! Tests include it with `mod support;`, benchmarks with
//! `#[path = "../tests/support/mod.rs"] mod support;`, so it may depend on dev-dependencies only.
//! Every binary uses a different part of it, hence the blanket `dead_code` allowance.
#![allow(dead_code)]

pub mod cli;
pub mod fake_intercom;
pub mod snapshots;
pub mod workspace;

/// A benchmark setting from the environment: `name` as a number, else `default`.
pub fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
