//! The GitHub Actions workflow in the README uses only commands and flags the tool has.

use clap::Parser;
use helpcenter::cli::Cli;
use yaml_rust2::{Yaml, YamlLoader};

/// The README's workflow: the first ```yaml block after the GitHub Actions heading.
fn workflow() -> String {
    let readme = include_str!("../README.md");
    let section = readme
        .split_once("### In GitHub Actions")
        .expect("the README has the GitHub Actions section")
        .1;
    let block = section.split_once("```yaml\n").expect("a yaml block").1;
    block
        .split_once("```")
        .expect("the block ends")
        .0
        .to_string()
}

/// Every `run:` script of every step of every job.
fn run_scripts(workflow: &Yaml) -> Vec<(String, String)> {
    let jobs = workflow["jobs"].as_hash().expect("jobs");
    let mut scripts = Vec::new();
    for (name, job) in jobs {
        let name = name.as_str().unwrap().to_string();
        for step in job["steps"].as_vec().expect("steps") {
            if let Some(run) = step["run"].as_str() {
                scripts.push((name.clone(), run.to_string()));
            }
        }
    }
    scripts
}

/// The `helpcenter ...` commands in a shell script, split into words as the shell would.
fn helpcenter_commands(script: &str) -> Vec<Vec<String>> {
    script
        .lines()
        .flat_map(|line| line.split(['|', ';', '&']))
        .filter_map(|command| shlex::split(command.trim()))
        .filter(|words| words.first().map(String::as_str) == Some("helpcenter"))
        .map(without_redirections)
        .collect()
}

/// A command's words up to its first redirection (`> file`, `2>&1`): the shell consumes those.
fn without_redirections(words: Vec<String>) -> Vec<String> {
    let is_redirection = |word: &String| {
        word.trim_start_matches(|c: char| c.is_ascii_digit())
            .starts_with(['>', '<'])
    };
    words
        .into_iter()
        .take_while(|word| !is_redirection(word))
        .collect()
}

#[test]
fn every_helpcenter_command_in_the_workflow_parses() {
    let docs = YamlLoader::load_from_str(&workflow()).expect("the workflow is valid YAML");
    let workflow = &docs[0];
    assert_eq!(workflow["name"].as_str(), Some("help center"));
    let mut seen = Vec::new();
    for (job, script) in run_scripts(workflow) {
        for words in helpcenter_commands(&script) {
            if let Err(error) = Cli::try_parse_from(&words) {
                panic!("job {job}: `{}` does not parse:\n{error}", words.join(" "));
            }
            seen.push(format!("{job}: {}", words[..2].join(" ")));
        }
    }
    assert_eq!(
        seen,
        [
            "backup: helpcenter pull",
            "backup: helpcenter verify",
            "backup: helpcenter archive",
            "backup: helpcenter build",
            "dry-run: helpcenter push",
            "push: helpcenter push",
            "site: helpcenter build",
        ]
    );
}

#[test]
fn the_workflow_covers_backup_pages_and_pull_requests() {
    let text = workflow();
    for needle in [
        "helpcenter pull --assets",
        "helpcenter push --dry-run",
        "actions/upload-artifact",
        "actions/deploy-pages",
        "secrets.INTERCOM_TOKEN",
    ] {
        assert!(text.contains(needle), "the workflow lacks {needle}");
    }
}
