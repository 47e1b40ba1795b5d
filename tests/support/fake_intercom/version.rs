//! The `Intercom-Version` header: which versions exist and what changed between them.

use std::fmt;

/// An Intercom API version the fake serves: 2.9 to 2.15.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion {
    /// The minor number: 9 for 2.9, 15 for 2.15 (every served version is 2.x).
    minor: u8,
}

impl ApiVersion {
    /// The oldest served version, the last one with sections.
    pub const V2_9: ApiVersion = ApiVersion { minor: 9 };
    /// The first version with nested collections instead of sections.
    pub const V2_10: ApiVersion = ApiVersion { minor: 10 };
    /// The first version whose articles carry `parent_ids`.
    pub const V2_11: ApiVersion = ApiVersion { minor: 11 };
    /// The newest served version.
    pub const V2_15: ApiVersion = ApiVersion { minor: 15 };

    /// Parses a header value such as `2.9` or `2.15`; anything else (`2.8`, `2.09`, `3.0`) is `None`.
    pub fn parse(text: &str) -> Option<ApiVersion> {
        let minor = text.trim().strip_prefix("2.")?;
        // Reject "2.09" and "2.+9", which `parse` would otherwise accept.
        if minor.starts_with('0') || !minor.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let minor: u8 = minor.parse().ok()?;
        (Self::V2_9.minor..=Self::V2_15.minor)
            .contains(&minor)
            .then_some(ApiVersion { minor })
    }

    /// Every served version, oldest first.
    pub fn all() -> impl Iterator<Item = ApiVersion> {
        (Self::V2_9.minor..=Self::V2_15.minor).map(|minor| ApiVersion { minor })
    }

    /// 2.9 has sections; 2.10 turned them into nested collections.
    pub fn has_sections(self) -> bool {
        self < Self::V2_10
    }

    /// Articles carry `parent_ids` from 2.11 on.
    pub fn has_parent_ids(self) -> bool {
        self >= Self::V2_11
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "2.{}", self.minor)
    }
}
