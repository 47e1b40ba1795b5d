//! Settings through the binary: helpcenter.toml under HELPCENTER_* variables under flags,
//! `helpcenter config`, bad config files, and shell completions.

mod support;

use std::fs;
use std::path::Path;
use std::process::Output;

use serde_json::{json, Value};
use support::cli;
use support::fake_intercom::FakeIntercom;
use support::workspace::Workspace;

fn helpcenter(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    cli::helpcenter(dir)
        .envs(env.iter().copied())
        .args(args)
        .output()
        .unwrap()
}

/// The exit code checked; stdout and stderr.
#[track_caller]
fn assert_code(output: &Output, code: i32) -> (String, String) {
    (cli::assert_code(output, code), cli::text(&output.stderr))
}

fn demo() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/demo")
        .display()
        .to_string()
}

#[test]
fn the_file_is_under_the_environment_which_is_under_the_flags() {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "api_base = \"{}\"\nsnapshot = \"from-file\"\nper_page = 4\n",
        server.base_url()
    );
    fs::write(dir.path().join("helpcenter.toml"), config).unwrap();
    let token = ("INTERCOM_TOKEN", FakeIntercom::TOKEN);

    assert_code(&helpcenter(dir.path(), &[token], &["pull", "-q"]), 0);
    assert!(dir.path().join("from-file/manifest.json").is_file());
    // per_page from the file reached the requests.
    let per_page: Vec<Option<String>> = (server.requests().iter())
        .filter(|r| r.path == "/articles")
        .map(|r| r.query_param("per_page").map(String::from))
        .collect();
    assert!(!per_page.is_empty(), "no article listing was requested");
    assert!(
        per_page.iter().all(|p| p.as_deref() == Some("4")),
        "{per_page:?}"
    );

    let env = [token, ("HELPCENTER_SNAPSHOT", "from-env")];
    assert_code(&helpcenter(dir.path(), &env, &["pull", "-q"]), 0);
    assert!(dir.path().join("from-env/manifest.json").is_file());

    let flag = ["pull", "-q", "--snapshot", "from-flag"];
    assert_code(&helpcenter(dir.path(), &env, &flag), 0);
    assert!(dir.path().join("from-flag/manifest.json").is_file());

    // A config file named by --config replaces ./helpcenter.toml.
    let other = dir.path().join("other.toml");
    let other_config = format!(
        "api_base = \"{}\"\nsnapshot = \"other\"\n",
        server.base_url()
    );
    fs::write(&other, other_config).unwrap();
    let named = ["pull", "-q", "--config", "other.toml"];
    assert_code(&helpcenter(dir.path(), &[token], &named), 0);
    assert!(dir.path().join("other/manifest.json").is_file());
}

#[test]
fn out_in_the_file_is_the_site_and_the_tree_goes_to_content() {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "snapshot = \"{}\"\nout = \"public\"\ncontent = \"docs\"\nlocales = [\"en\", \"fr\"]\n",
        demo()
    );
    fs::write(dir.path().join("helpcenter.toml"), config).unwrap();

    assert_code(&helpcenter(dir.path(), &[], &["build", "-q"]), 0);
    assert!(dir.path().join("public/index.html").is_file());
    assert!(dir.path().join("public/fr/index.html").is_file());
    assert!(!dir.path().join("public/de").exists());
    // `archive -o` is not the `out` setting: the file's `out` does not become its default.
    let (_, stderr) = assert_code(&helpcenter(dir.path(), &[], &["archive"]), 2);
    assert!(stderr.contains("--out <FILE>"), "{stderr}");
    let export = ["build", "-q", "--format", "markdown"];
    assert_code(&helpcenter(dir.path(), &[], &export), 0);
    assert!(dir.path().join("docs/.helpcenter/base.json").is_file());
    assert!(!dir.path().join("public/.helpcenter").exists());
    let to_flag = ["build", "-q", "--format", "markdown", "--out", "tree"];
    assert_code(&helpcenter(dir.path(), &[], &to_flag), 0);
    assert!(dir.path().join("tree/.helpcenter/base.json").is_file());
}

#[test]
fn config_shows_each_value_and_where_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let file = "region = \"eu\"\nlocales = [\"en\", \"fr\"]\ndefault_author_id = \"991\"\n";
    fs::write(dir.path().join("helpcenter.toml"), file).unwrap();
    let env = [
        ("HELPCENTER_REGION", "au"),
        ("INTERCOM_TOKEN", "secret-token-value"),
    ];

    let (stdout, _) = assert_code(&helpcenter(dir.path(), &env, &["config"]), 0);
    assert!(!stdout.contains("secret-token-value"), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "config file: helpcenter.toml");
    assert_eq!(lines[1], "token: set (INTERCOM_TOKEN)");
    let line = |key: &str| {
        let found = lines
            .iter()
            .find(|l| l.split_whitespace().next() == Some(key));
        found
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(line("region"), "region au env HELPCENTER_REGION");
    assert_eq!(line("locales"), "locales en,fr file helpcenter.toml");
    assert_eq!(line("api_version"), "api_version 2.15 default");
    assert_eq!(line("base_url"), "base_url - unset");

    let (json, _) = assert_code(&helpcenter(dir.path(), &env, &["config", "--json"]), 0);
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["config_file"], "helpcenter.toml");
    assert_eq!(report["token"], "set");
    let settings = report["settings"].as_array().unwrap();
    assert_eq!(settings.len(), 22);
    let author = settings.iter().find(|s| s["key"] == "default_author_id");
    assert_eq!(
        author.unwrap(),
        &json!({"key": "default_author_id", "value": "991",
                "origin": {"source": "file", "name": "helpcenter.toml"}})
    );
    assert!(!json.contains("secret-token-value"));

    let (bare, _) = assert_code(
        &helpcenter(dir.path(), &[], &["config", "--config", "x"]),
        2,
    );
    assert_eq!(bare, "");
}

#[test]
fn a_bad_config_file_is_a_usage_error_naming_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "regoin = \"eu\"\n",
            "error: bad.toml: unknown setting `regoin` (did you mean `region`?); settings are: \
             region, api_base, api_version, concurrency, per_page, max_tries, retry_delay, \
             timeout, help_center, snapshot, content, out, theme, base_url, locales, \
             default_author_id, site_name, logo, favicon, accent_color, header_link, \
             footer_text\n",
        ),
        (
            "region = \"mars\"\n",
            "error: bad.toml: `region`: invalid value 'mars' for '--region <REGION>' \
             [possible values: us, eu, au]\n",
        ),
        (
            "concurrency = 0\n",
            "error: bad.toml: `concurrency`: invalid value '0' for '--concurrency \
             <CONCURRENCY>': 0 is not in 1..=64\n",
        ),
        (
            "default_author_id = \"ada\"\n",
            "error: bad.toml: `default_author_id`: invalid value 'ada' for \
             '--default-author-id <ID>': `ada` is not an Intercom admin id (digits only)\n",
        ),
        (
            "token = \"abc\"\n",
            "error: bad.toml: `token`: the access token is never read from a file (files end \
             up in git and backups); set INTERCOM_TOKEN in the environment\n",
        ),
        (
            "drafts = true\n",
            "error: bad.toml: unknown setting `drafts`; settings are: region, api_base, \
             api_version, concurrency, per_page, max_tries, retry_delay, timeout, help_center, \
             snapshot, content, out, theme, base_url, locales, default_author_id, site_name, logo, \
             favicon, accent_color, header_link, footer_text\n",
        ),
        (
            "timeout = 1.5\n",
            "error: bad.toml: `timeout` must be a string, a number, or a list of strings\n",
        ),
    ];
    for (content, expected) in cases {
        fs::write(dir.path().join("bad.toml"), content).unwrap();
        let output = helpcenter(dir.path(), &[], &["build", "--config", "bad.toml"]);
        let (_, stderr) = assert_code(&output, 2);
        assert_eq!(stderr, expected, "for {content:?}");
        assert!(!dir.path().join("site").exists());
    }

    // With --json the error is also the command's JSON frame on stdout.
    fs::write(dir.path().join("bad.toml"), "regoin = \"eu\"\n").unwrap();
    let args = ["--config", "bad.toml", "pull", "--json"];
    let (stdout, stderr) = assert_code(&helpcenter(dir.path(), &[], &args), 2);
    let mut frame: Value = serde_json::from_str(&stdout).unwrap();
    assert!(frame
        .as_object_mut()
        .unwrap()
        .remove("duration_ms")
        .is_some());
    let message = stderr.trim().strip_prefix("error: ").unwrap();
    assert_eq!(
        frame,
        json!({"command": "pull", "ok": false, "exit_code": 2, "errors": [message],
               "warnings": []})
    );

    fs::write(dir.path().join("bad.toml"), "region = \n").unwrap();
    let env = [("HELPCENTER_CONFIG", "bad.toml")];
    let (_, stderr) = assert_code(&helpcenter(dir.path(), &env, &["config"]), 2);
    assert!(
        stderr.starts_with("error: bad.toml: invalid TOML: TOML parse error at line 1, column 10"),
        "{stderr}"
    );

    let (_, stderr) = assert_code(
        &helpcenter(dir.path(), &[], &["config", "--config", "missing.toml"]),
        2,
    );
    assert!(
        stderr.starts_with("error: cannot read config file missing.toml: "),
        "{stderr}"
    );
}

#[test]
fn completions_name_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, start) in [
        ("bash", "_helpcenter() {"),
        ("zsh", "#compdef helpcenter"),
        ("fish", "# Print an optspec for argparse"),
    ] {
        let (script, _) = assert_code(&helpcenter(dir.path(), &[], &["completions", shell]), 0);
        assert!(script.starts_with(start), "{shell}: {}", &script[..80]);
        for name in subcommands() {
            assert!(names_subcommand(&script, &name), "{shell} lacks {name}");
        }
        for flag in ["api-version", "base-url"] {
            assert!(script.contains(flag), "{shell} lacks --{flag}");
        }
    }
    let (_, stderr) = assert_code(&helpcenter(dir.path(), &[], &["completions", "tcsh"]), 2);
    assert!(stderr.contains("invalid value 'tcsh'"), "{stderr}");
}

/// Every subcommand the CLI defines, so a new one cannot be missed by the completions test.
fn subcommands() -> Vec<String> {
    use clap::CommandFactory;
    let command = helpcenter::cli::Cli::command();
    let names: Vec<String> = command
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|name| name != "help")
        .collect();
    assert!(names.len() >= 8, "{names:?}");
    names
}

/// True when `name` occurs in `script` other than as part of a `--flag` (`config` is both).
fn names_subcommand(script: &str, name: &str) -> bool {
    script
        .match_indices(name)
        .any(|(at, _)| !script[..at].ends_with('-'))
}
