//! The Intercom REST API: connection settings, the HTTP client, pagination, retries and
//! rate limiting. Nothing else in the crate talks to the network.

mod client;
mod list;
mod ratelimit;
mod retry;

pub(crate) use client::{error_chain, retry_after, transport_kind};
pub use client::{Client, ClientOptions};
pub use list::{ListPage, ListProgress};
pub use ratelimit::RateGovernor;
pub use retry::RetryPolicy;
pub(crate) use retry::{Attempt, Failure};

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// Environment variable the access token is read from.
pub const TOKEN_ENV: &str = "INTERCOM_TOKEN";

/// Intercom's hosting regions, each with its own API host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Region {
    /// United States: https://api.intercom.io
    #[default]
    Us,
    /// Europe: https://api.eu.intercom.io
    Eu,
    /// Australia: https://api.au.intercom.io
    Au,
}

impl Region {
    /// The region's API base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Us => "https://api.intercom.io",
            Region::Eu => "https://api.eu.intercom.io",
            Region::Au => "https://api.au.intercom.io",
        }
    }

    /// The short name used on the command line and in manifests.
    pub fn name(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Au => "au",
        }
    }
}

/// An `Intercom-Version` this tool supports (2.9 to 2.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiVersion {
    minor: u8,
}

impl ApiVersion {
    /// The oldest supported version: flat collections plus sections.
    pub const OLDEST: ApiVersion = ApiVersion { minor: 9 };
    /// The newest supported version, and the default (see the README for why).
    pub const NEWEST: ApiVersion = ApiVersion { minor: 15 };

    /// Whether collections nest (2.10+) instead of holding sections (2.9).
    pub fn has_nested_collections(self) -> bool {
        self.minor >= 10
    }

    /// Whether `/help_center/sections` exists (2.9 only).
    pub fn has_sections(self) -> bool {
        !self.has_nested_collections()
    }
}

impl Default for ApiVersion {
    fn default() -> Self {
        ApiVersion::NEWEST
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "2.{}", self.minor)
    }
}

impl FromStr for ApiVersion {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let supported = || {
            format!(
                "unsupported Intercom API version {s:?}: helpcenter supports {} to {}",
                ApiVersion::OLDEST,
                ApiVersion::NEWEST
            )
        };
        let minor = s
            .strip_prefix("2.")
            .and_then(|m| m.parse::<u8>().ok())
            .ok_or_else(supported)?;
        let version = ApiVersion { minor };
        if (ApiVersion::OLDEST..=ApiVersion::NEWEST).contains(&version) {
            Ok(version)
        } else {
            Err(supported())
        }
    }
}

/// An access token. Its `Debug` and `Display` never show the secret.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Wraps a token string.
    pub fn new(secret: impl Into<String>) -> Token {
        Token(secret.into())
    }

    /// Reads the token from [`TOKEN_ENV`], with a message that says how to set it.
    pub fn from_env() -> Result<Token> {
        match std::env::var(TOKEN_ENV) {
            Ok(value) if !value.trim().is_empty() => Ok(Token(value.trim().to_string())),
            _ => Err(Error::Auth(format!(
                "no access token: set {TOKEN_ENV} to an Intercom access token with read access \
                 to articles and help centers (Developer Hub > your app > Authentication), e.g. \
                 `export {TOKEN_ENV}=...`"
            ))),
        }
    }

    pub(crate) fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Where to connect: a region's host or an explicit base URL (tests, proxies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The base URL, without a trailing slash.
    pub base_url: String,
    /// `us`, `eu`, `au`, or `custom`.
    pub region: String,
}

impl Endpoint {
    /// Chooses the base URL: `--api-base` when given, else the region's host.
    pub fn new(region: Region, api_base: Option<&str>) -> Result<Endpoint> {
        let Some(base) = api_base else {
            return Ok(Endpoint {
                base_url: region.base_url().to_string(),
                region: region.name().to_string(),
            });
        };
        let url = url::Url::parse(base)
            .map_err(|e| Error::usage(format!("invalid --api-base {base:?}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::usage(format!(
                "invalid --api-base {base:?}: only http and https are supported"
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            // Credentials in a URL end up in logs and manifests; the token has its own channel.
            return Err(Error::usage(
                "--api-base must not contain a user name or password; put the token in INTERCOM_TOKEN",
            ));
        }
        Ok(Endpoint {
            base_url: url.as_str().trim_end_matches('/').to_string(),
            region: "custom".to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_within_the_supported_range() {
        assert_eq!("2.9".parse::<ApiVersion>().unwrap().to_string(), "2.9");
        assert_eq!("2.15".parse::<ApiVersion>().unwrap().to_string(), "2.15");
        assert_eq!(
            "2.8".parse::<ApiVersion>().unwrap_err(),
            "unsupported Intercom API version \"2.8\": helpcenter supports 2.9 to 2.15"
        );
        assert!("2.16".parse::<ApiVersion>().is_err());
        assert!("Unstable".parse::<ApiVersion>().is_err());
        assert!("2.x".parse::<ApiVersion>().is_err());
    }

    #[test]
    fn version_shapes() {
        let v29: ApiVersion = "2.9".parse().unwrap();
        let v210: ApiVersion = "2.10".parse().unwrap();
        assert!(v29.has_sections() && !v29.has_nested_collections());
        assert!(v210.has_nested_collections() && !v210.has_sections());
    }

    #[test]
    fn token_debug_is_redacted() {
        let token = Token::new("sekrit-value");
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
    }

    #[test]
    fn endpoint_prefers_api_base_and_rejects_credentials() {
        let region = Endpoint::new(Region::Eu, None).unwrap();
        assert_eq!(region.base_url, "https://api.eu.intercom.io");
        assert_eq!(region.region, "eu");
        let custom = Endpoint::new(Region::Us, Some("http://127.0.0.1:9000/")).unwrap();
        assert_eq!(custom.base_url, "http://127.0.0.1:9000");
        assert_eq!(custom.region, "custom");
        let err = Endpoint::new(Region::Us, Some("https://me:secret@proxy.test")).unwrap_err();
        assert!(!err.to_string().contains("secret"));
        assert!(Endpoint::new(Region::Us, Some("ftp://x.test")).is_err());
    }
}
