//! Settings from `helpcenter.toml`, under the environment and the flags.
//!
//! One mechanism: every key of the file is a flag's name (`api_version` is `--api-version`),
//! and its value becomes that flag's default in every subcommand that has the flag. Clap then
//! applies its own order, flag over `HELPCENTER_*` variable over default, so the file is the
//! lowest layer and its values are checked by the same parsers as the flags.
//!
//! ```toml
//! region = "eu"
//! api_version = "2.15"
//! help_center = "12"
//! locales = ["en", "fr"]
//! base_url = "https://help.example.com"
//! default_author_id = "991"
//! ```

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, Command};
use serde::Serialize;

use crate::error::{Error, Result};

/// The file read from the working directory when no `--config` is given.
pub const DEFAULT_FILE: &str = "helpcenter.toml";

/// The variable naming a config file, like `--config`.
pub const CONFIG_ENV: &str = "HELPCENTER_CONFIG";

/// The settings a config file may hold, each named like its flag with `_` for `-`.
pub const SETTINGS: [&str; 22] = [
    "region",
    "api_base",
    "api_version",
    "concurrency",
    "per_page",
    "max_tries",
    "retry_delay",
    "timeout",
    "help_center",
    "snapshot",
    "content",
    "out",
    "theme",
    "base_url",
    "locales",
    "default_author_id",
    "site_name",
    "logo",
    "favicon",
    "accent_color",
    "header_link",
    "footer_text",
];

/// A parsed config file: setting name to value, as a flag would spell it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Setting to value (lists joined with `,`).
    pub values: BTreeMap<String, String>,
    /// The items of the settings given as lists: each becomes one value of its flag, as if
    /// the flag were repeated (an item may itself hold a comma).
    pub lists: BTreeMap<String, Vec<String>>,
}

impl ConfigFile {
    /// The config file `args` point at (`--config FILE`, then `HELPCENTER_CONFIG`), else
    /// `helpcenter.toml` in the working directory if there is one.
    ///
    /// A file named explicitly must exist; the default one may be absent.
    pub fn locate(args: &[OsString]) -> Result<Option<ConfigFile>> {
        let explicit = config_flag(args).or_else(|| {
            std::env::var_os(CONFIG_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        match explicit {
            Some(path) => ConfigFile::read(&path).map(Some),
            None => {
                let path = PathBuf::from(DEFAULT_FILE);
                if path.is_file() {
                    ConfigFile::read(&path).map(Some)
                } else {
                    Ok(None)
                }
            }
        }
    }

    /// Reads and parses the file at `path`.
    pub fn read(path: &Path) -> Result<ConfigFile> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::usage(format!("cannot read config file {}: {e}", path.display()))
        })?;
        ConfigFile::parse(path, &text)
    }

    /// Parses `text` (the content of `path`); errors name the file and the key.
    pub fn parse(path: &Path, text: &str) -> Result<ConfigFile> {
        let shown = path.display();
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            Error::usage(format!("{shown}: invalid TOML: {}", e.to_string().trim()))
        })?;
        let mut values = BTreeMap::new();
        let mut lists = BTreeMap::new();
        for (key, value) in table {
            check_key(&shown.to_string(), &key)?;
            if let Some(items) = value.as_array() {
                let items = items.iter().filter_map(|i| i.as_str().map(str::to_string));
                lists.insert(key.clone(), items.collect());
            }
            let value = flag_value(&value).ok_or_else(|| {
                Error::usage(format!(
                    "{shown}: `{key}` must be a string, a number, or a list of strings"
                ))
            })?;
            values.insert(key, value);
        }
        Ok(ConfigFile {
            path: path.to_path_buf(),
            values,
            lists,
        })
    }

    /// `command` with this file's values as the defaults of the matching flags, checked by the
    /// flags' own parsers.
    pub fn apply(&self, mut command: Command) -> Result<Command> {
        for (key, value) in &self.values {
            let items = match self.lists.get(key) {
                Some(items) => items.clone(),
                None => vec![value.clone()],
            };
            self.check_value(&command, key, &items)?;
            let names: Vec<String> = command
                .get_subcommands()
                .filter(|sub| sub.get_arguments().any(|arg| is_setting(arg, key)))
                .map(|sub| sub.get_name().to_string())
                .collect();
            for name in names {
                let items = items.clone();
                command = command.mut_subcommand(name, |sub| {
                    sub.mut_arg(key.as_str(), |arg| arg.default_values(items))
                });
            }
        }
        Ok(command)
    }

    /// Runs each of `items` through the flag's own parser, as if given on the command line.
    fn check_value(&self, command: &Command, key: &str, items: &[String]) -> Result<()> {
        let Some(arg) = find_arg(command, key) else {
            return Ok(());
        };
        let flag = format!("--{}", arg.get_long().unwrap_or(key));
        let args = items.iter().flat_map(|item| [flag.clone(), item.clone()]);
        Command::new("helpcenter.toml")
            .no_binary_name(true)
            .arg(arg.clone().required(false))
            .try_get_matches_from(args)
            .map(drop)
            .map_err(|e| {
                Error::usage(format!(
                    "{}: `{key}`: {}",
                    self.path.display(),
                    clap_message(&e)
                ))
            })
    }
}

/// Where the value of a setting came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "source", content = "name", rename_all = "snake_case")]
pub enum Origin {
    /// A flag on the command line.
    Flag,
    /// An environment variable (its name).
    Env(String),
    /// The config file (its path).
    File(String),
    /// The built-in default.
    Default,
    /// Not set anywhere.
    Unset,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag => f.write_str("flag"),
            Origin::Env(name) => write!(f, "env {name}"),
            Origin::File(path) => write!(f, "file {path}"),
            Origin::Default => f.write_str("default"),
            Origin::Unset => f.write_str("unset"),
        }
    }
}

/// The origin of each setting of one parsed subcommand.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    origins: BTreeMap<String, Origin>,
}

impl Origins {
    /// Origins of the settings in a subcommand's `matches`, given the config file in use.
    pub fn of(matches: &ArgMatches, config: Option<&ConfigFile>) -> Origins {
        let origins = SETTINGS
            .iter()
            .filter_map(|&key| {
                let source = matches
                    .try_get_raw(key)
                    .ok()?
                    .and(matches.value_source(key))?;
                Some((key.to_string(), origin(source, key, config)))
            })
            .collect();
        Origins { origins }
    }

    /// Where `key` came from; `Unset` when the subcommand has no such setting or it is unset.
    pub fn get(&self, key: &str) -> Origin {
        self.origins.get(key).cloned().unwrap_or(Origin::Unset)
    }
}

fn origin(source: ValueSource, key: &str, config: Option<&ConfigFile>) -> Origin {
    match source {
        ValueSource::CommandLine => Origin::Flag,
        ValueSource::EnvVariable => Origin::Env(env_name(key)),
        _ => match config {
            Some(file) if file.values.contains_key(key) => {
                Origin::File(file.path.display().to_string())
            }
            _ => Origin::Default,
        },
    }
}

/// The environment variable of a setting: `HELPCENTER_` and the key in capitals.
pub fn env_name(key: &str) -> String {
    format!("HELPCENTER_{}", key.to_ascii_uppercase())
}

/// One line of `helpcenter config`: a setting, its effective value and its origin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effective {
    /// The setting's name.
    pub key: String,
    /// Its value, if it has one.
    pub value: Option<String>,
    /// Where the value came from.
    pub origin: Origin,
}

/// The effective value of every setting, outside of any one command's flags: environment
/// over config file over the built-in default. `command` is the CLI before the file is applied.
pub fn effective(command: &Command, config: Option<&ConfigFile>) -> Vec<Effective> {
    SETTINGS
        .iter()
        .map(|&key| {
            let env = std::env::var(env_name(key)).ok().filter(|v| !v.is_empty());
            let file = config.and_then(|c| c.values.get(key).map(|v| (c, v)));
            let default = find_arg(command, key).and_then(|arg| {
                let values: Vec<String> = arg
                    .get_default_values()
                    .iter()
                    .map(|v| v.to_string_lossy().into_owned())
                    .collect();
                (!values.is_empty()).then(|| values.join(","))
            });
            let (value, origin) = match (env, file, default) {
                (Some(env), _, _) => (Some(env), Origin::Env(env_name(key))),
                (None, Some((c, v)), _) => {
                    (Some(v.clone()), Origin::File(c.path.display().to_string()))
                }
                (None, None, Some(default)) => (Some(default), Origin::Default),
                (None, None, None) => (None, Origin::Unset),
            };
            Effective {
                key: key.to_string(),
                value,
                origin,
            }
        })
        .collect()
}

fn find_arg<'a>(command: &'a Command, key: &str) -> Option<&'a clap::Arg> {
    command
        .get_subcommands()
        .find_map(|sub| sub.get_arguments().find(|arg| is_setting(arg, key)))
}

/// Whether `arg` is setting `key`: a flag of that name with its `HELPCENTER_` variable. Flags
/// of the same name without it (`archive -o`) are something else and keep their own default.
fn is_setting(arg: &clap::Arg, key: &str) -> bool {
    arg.get_id() == key && arg.get_env() == Some(std::ffi::OsStr::new(&env_name(key)))
}

fn check_key(file: &str, key: &str) -> Result<()> {
    if matches!(key, "token" | "intercom_token" | "access_token") {
        return Err(Error::usage(format!(
            "{file}: `{key}`: the access token is never read from a file (files end up in git \
             and backups); set INTERCOM_TOKEN in the environment"
        )));
    }
    if SETTINGS.contains(&key) {
        return Ok(());
    }
    let hint = SETTINGS
        .iter()
        .find(|known| strsim::levenshtein(known, key) <= 2)
        .map(|known| format!(" (did you mean `{known}`?)"))
        .unwrap_or_default();
    Err(Error::usage(format!(
        "{file}: unknown setting `{key}`{hint}; settings are: {}",
        SETTINGS.join(", ")
    )))
}

/// A TOML value as it would be written on the command line.
fn flag_value(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(|items| items.join(",")),
        _ => None,
    }
}

/// `--config FILE` or `--config=FILE` before any `--`.
fn config_flag(args: &[OsString]) -> Option<PathBuf> {
    let mut args = args.iter().skip(1).take_while(|arg| *arg != "--");
    while let Some(arg) = args.next() {
        if arg == "--config" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = arg.to_str().and_then(|a| a.strip_prefix("--config=")) {
            return Some(PathBuf::from(path));
        }
    }
    None
}

/// Clap's message for a rejected value, on one line and without its own `error:` prefix.
fn clap_message(error: &clap::Error) -> String {
    error
        .to_string()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("For more information"))
        .map(|line| line.trim_start_matches("error: "))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_config_flag_is_found_before_any_double_dash() {
        let found = |list: &[&str]| config_flag(&args(list));
        assert_eq!(
            found(&["hc", "build", "--config", "a.toml"]),
            Some("a.toml".into())
        );
        assert_eq!(
            found(&["hc", "--config=b.toml", "pull"]),
            Some("b.toml".into())
        );
        assert_eq!(found(&["hc", "push", "--", "--config", "c.toml"]), None);
        assert_eq!(found(&["hc", "push", "--config"]), None);
    }

    #[test]
    fn lists_become_comma_separated_flag_values() {
        let file = ConfigFile::parse(
            Path::new("h.toml"),
            "locales = [\"en\", \"pt-BR\"]\nper_page = 50\n",
        )
        .unwrap();
        assert_eq!(file.values["locales"], "en,pt-BR");
        assert_eq!(file.lists["locales"], ["en", "pt-BR"]);
        assert_eq!(file.values["per_page"], "50");
        assert!(!file.lists.contains_key("per_page"));
        let mixed = ConfigFile::parse(Path::new("h.toml"), "locales = [\"en\", 1]\n").unwrap_err();
        assert_eq!(
            mixed.to_string(),
            "h.toml: `locales` must be a string, a number, or a list of strings"
        );
    }
}
