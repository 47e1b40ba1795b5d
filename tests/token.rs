//! The access token never appears anywhere: not on stdout or stderr at `-vvv` (which turns on
//! the HTTP client's and TLS library's own debug logs) or `HELPCENTER_LOG=trace`, not in
//! `--json`, error chains, snapshots, trees, archives or restore state.

mod support;

use std::path::Path;
use std::process::Output;

use serde_json::json;
use support::cli::{self, assert_code, text};
use support::fake_intercom::FakeIntercom;
use support::files_under;
use support::workspace::Workspace;

/// Runs `args` at every log level that matters and returns each run's output.
fn at_every_level(server: &FakeIntercom, dir: &Path, args: &[&str]) -> Vec<Output> {
    let levels: [(&[&str], Option<&str>); 3] = [
        (&["-vvv"], None),
        (&["--json", "-vvv"], None),
        (&[], Some("trace")),
    ];
    levels
        .iter()
        .map(|(flags, log)| {
            let mut command = cli::against(server, dir);
            command.args(args).args(*flags);
            if let Some(filter) = log {
                command.env("HELPCENTER_LOG", filter);
            }
            command.output().unwrap()
        })
        .collect()
}

#[track_caller]
fn assert_no_token(outputs: &[Output], token: &str) {
    for output in outputs {
        for stream in [&output.stdout, &output.stderr] {
            let stream = text(stream);
            assert!(!stream.contains(token), "the token leaked:\n{stream}");
        }
    }
}

#[test]
fn the_token_is_in_no_output_log_or_file_at_any_verbosity() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let token = FakeIntercom::TOKEN;

    let pulls = at_every_level(&server, cwd, &["pull"]);
    assert_code(&pulls[0], 0);
    // The logs are there: the HTTP client's own debug lines included.
    let stderr = text(&pulls[0].stderr);
    assert!(stderr.contains("GET /help_center/help_centers"), "{stderr}");
    assert!(stderr.contains("starting new connection"), "{stderr}");
    let trace = text(&pulls[2].stderr);
    assert!(
        trace.contains("TRACE checkout waiting for idle connection"),
        "{trace}"
    );
    assert_no_token(&pulls, token);

    let export = ["build", "--format", "markdown", "--force"];
    assert_no_token(&at_every_level(&server, cwd, &export), token);
    let article = cwd.join("content/en/account-and-billing/111-update-your-payment-method.md");
    let edited = std::fs::read_to_string(&article).unwrap().replacen(
        "Enter the new card",
        "Type the new card",
        1,
    );
    std::fs::write(&article, edited).unwrap();
    let pushes = at_every_level(&server, cwd, &["push"]);
    assert_code(&pushes[0], 0);
    assert_no_token(&pushes, token);
    assert_eq!(server.writes(), ["PUT /articles/111"]);

    let archive = ["archive", "-o", "backup.tar.zst"];
    assert_no_token(&at_every_level(&server, cwd, &archive), token);
    assert_no_token(
        &at_every_level(&server, cwd, &["verify", "backup.tar.zst"]),
        token,
    );

    let target = FakeIntercom::start(Workspace {
        help_centers: vec![json!({"id": "77", "display_name": "New", "url": "https://n.test"})],
        ..Workspace::empty()
    });
    let restore = cli::against(&target, cwd)
        .args(["restore", "snapshot", "-vvv"])
        .output()
        .unwrap();
    assert_code(&restore, 0);
    assert_no_token(&[restore], token);

    // A token the API refuses is not repeated in the error either.
    let refused = "refused-secret-0a9b8c7d";
    let outputs: Vec<Output> = [&["pull", "-vvv"][..], &["pull", "-vvv", "--json"]]
        .iter()
        .map(|args| {
            cli::against(&server, cwd)
                .env("INTERCOM_TOKEN", refused)
                .args(*args)
                .output()
                .unwrap()
        })
        .collect();
    assert_code(&outputs[0], 2);
    assert!(text(&outputs[0].stderr).contains("Intercom refused the access token"));
    assert_no_token(&outputs, refused);

    // Nothing on disk holds either token: snapshot, tree, archive (compressed or not), state.
    for (name, bytes) in files_under(cwd) {
        let mut contents = bytes.clone();
        if name.ends_with(".tar.zst") {
            contents = zstd::decode_all(&bytes[..]).unwrap();
        }
        for secret in [token, refused] {
            let found = contents
                .windows(secret.len())
                .any(|w| w == secret.as_bytes());
            assert!(!found, "{name} holds the token");
        }
    }
}
