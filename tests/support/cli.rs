//! Running the built `helpcenter` binary: one way to start it and to read what it said.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use super::fake_intercom::FakeIntercom;

/// The binary, run in `dir`, with no `HELPCENTER_*` setting, log filter or token leaking in
/// from the environment the tests run in.
pub fn helpcenter(dir: &Path) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("helpcenter").unwrap();
    command.current_dir(dir).timeout(Duration::from_secs(300));
    for name in inherited_settings() {
        command.env_remove(&name);
    }
    command
}

/// The settings of the environment the tests run in that must not reach the binary.
fn inherited_settings() -> Vec<std::ffi::OsString> {
    let names = std::env::vars_os().map(|(name, _)| name);
    names
        .filter(|name| {
            let text = name.to_string_lossy();
            text.starts_with("HELPCENTER_") || text == "INTERCOM_TOKEN"
        })
        .collect()
}

/// The binary started in `dir` with `args` against `server`, its output discarded: for a
/// test that kills it.
pub fn spawn_against(server: &FakeIntercom, dir: &Path, args: &[&str]) -> std::process::Child {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("helpcenter"));
    command
        .current_dir(dir)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    for name in inherited_settings() {
        command.env_remove(&name);
    }
    command
        .env("INTERCOM_TOKEN", FakeIntercom::TOKEN)
        .env("HELPCENTER_API_BASE", server.base_url());
    command.spawn().unwrap()
}

/// The binary in `dir`, talking to `server` with the token it accepts.
pub fn against(server: &FakeIntercom, dir: &Path) -> assert_cmd::Command {
    let mut command = helpcenter(dir);
    command
        .env("INTERCOM_TOKEN", FakeIntercom::TOKEN)
        .env("HELPCENTER_API_BASE", server.base_url());
    command
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Checks the exit code, showing both streams when it is wrong, and returns stdout.
#[track_caller]
pub fn assert_code(output: &Output, code: i32) -> String {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// The JSON document a `--json` run printed on stdout.
#[track_caller]
pub fn json_of(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// Runs `helpcenter args` in `dir` against `server` and waits for it.
pub fn run(server: &FakeIntercom, dir: &Path, args: &[&str]) -> Output {
    against(server, dir).args(args).output().unwrap()
}

/// A fake Intercom serving the multilingual fixture, and a folder where it was pulled and
/// exported to `content/` as a writer would start.
pub fn pulled_and_exported() -> (FakeIntercom, tempfile::TempDir) {
    let server = FakeIntercom::start(super::workspace::Workspace::load("multilingual"));
    let dir = tempfile::tempdir().unwrap();
    assert_code(&run(&server, dir.path(), &["pull", "--quiet"]), 0);
    let export = ["build", "--format", "markdown", "--quiet"];
    assert_code(&run(&server, dir.path(), &export), 0);
    (server, dir)
}
