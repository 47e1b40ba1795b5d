//! Process-wide memory settings, applied once at start-up by the binary and the benchmarks.

/// Turns transparent huge pages off for this process (Linux; elsewhere nothing to do).
///
/// mimalloc spreads a site build's millions of short-lived strings over many arena pages and
/// returns idle ones to the OS; with THP every fault on a fresh 2 MiB region zeroes all of it.
/// `perf` showed 15% of a rebuild's CPU in that zeroing (`clear_page_erms` under
/// `do_huge_pmd_anonymous_page`). Without THP, `cargo bench --bench build` on an idle 2-core
/// machine went from 24.9 to 20.6-21.0 s of CPU cold and from 11.2 to 9.1-10.3 s warm, with
/// peak RSS 388 -> 360 MiB. Failing to set it only costs that time, so errors are ignored.
pub fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

/// Starts a new measurement of [`peak_rss`] (Linux: resets the kernel's high-water mark of the
/// process's resident set; elsewhere nothing to do).
pub fn reset_peak_rss() {
    #[cfg(target_os = "linux")]
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The most memory the process has held resident since it started or since the last
/// [`reset_peak_rss`], in bytes (Linux; `None` elsewhere or when it cannot be read).
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
