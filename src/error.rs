//! The error type every command returns, and the exit code each error maps to.

use std::path::Path;

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Exit codes, as documented in the README.
pub mod exit {
    /// Everything worked.
    pub const OK: i32 = 0;
    /// The command failed (network, API, bad data, disk).
    pub const FAILURE: i32 = 1;
    /// Wrong usage or configuration, including a missing or rejected token.
    pub const USAGE: i32 = 2;
    /// `push` found a conflict with a newer remote edit or refused unresolved conflict markers;
    /// `merge` left conflicts to resolve.
    pub const CONFLICT: i32 = 3;
    /// `verify` found a damaged backup.
    pub const DAMAGED: i32 = 4;
    /// `pull --assets` wrote the snapshot but some assets could not be stored, or `verify`
    /// found a sound backup that lacks some of them.
    pub const INCOMPLETE: i32 = 5;
}

/// Everything that can stop a command. Messages name the file or endpoint involved and never
/// contain the access token.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line or configuration is wrong.
    #[error("{0}")]
    Usage(String),
    /// The API refused the token (401/403) or none was given.
    #[error("{0}")]
    Auth(String),
    /// The API answered with an error, or could not be reached, after retries.
    #[error("{0}")]
    Api(String),
    /// Data (an API response, a snapshot file, a Markdown file) is malformed.
    #[error("{0}")]
    Data(String),
    /// A backup is damaged: an archive whose compressed stream or tar structure is cut short
    /// or corrupt (exit code 4, as for damage `verify` finds inside a backup).
    #[error("{0}")]
    Damaged(String),
    /// Edits on both sides wait to be resolved: a tree with conflict markers `push` will not
    /// send (exit code 3, as for the conflicts a push or a merge reports).
    #[error("{0}")]
    Conflict(String),
    /// A file system operation failed.
    #[error("failed to {action} {path}: {source}")]
    Io {
        /// What was being done, e.g. `write`.
        action: &'static str,
        /// The path involved.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
}

impl Error {
    /// A usage or configuration error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Error {
        Error::Usage(message.into())
    }

    /// A malformed-data error (exit code 1).
    pub fn data(message: impl Into<String>) -> Error {
        Error::Data(message.into())
    }

    /// A file system error naming the path and what was being done.
    pub fn io(path: &Path, action: &'static str, source: std::io::Error) -> Error {
        Error::Io {
            action,
            path: path.display().to_string(),
            source,
        }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Auth(_) => exit::USAGE,
            Error::Api(_) | Error::Data(_) | Error::Io { .. } => exit::FAILURE,
            Error::Damaged(_) => exit::DAMAGED,
            Error::Conflict(_) => exit::CONFLICT,
        }
    }
}
