//! Locale codes: validated once when loaded, because they become directory names in the output.

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest locale code accepted; Intercom's longest is `pt-BR`, BCP 47 tags rarely pass 35.
const MAX_LEN: usize = 35;

/// Primary language subtags written right to left (Intercom offers `ar` and `he`; `fa` and `ur`
/// are included so a future locale renders correctly without a code change).
const RTL_LANGUAGES: [&str; 4] = ["ar", "he", "fa", "ur"];

/// Names Windows reserves for devices: a directory called `con` cannot be created there.
const RESERVED_NAMES: [&str; 4] = ["con", "prn", "aux", "nul"];

/// The locales an Intercom Help Center can have content in (the keys of the API's
/// `translated_content`). A Markdown tree may use only these, or one it was exported with.
pub const INTERCOM_LOCALES: [&str; 37] = [
    "ar", "bg", "bs", "ca", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "he", "hr", "hu",
    "id", "it", "ja", "ko", "lt", "lv", "mn", "nb", "nl", "pl", "pt", "pt-BR", "ro", "ru", "sl",
    "sr", "sv", "tr", "vi", "zh-CN", "zh-TW",
];

/// A locale code as the API writes it (`en`, `pt-BR`, `zh-TW`), checked against
/// `^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$` so it is always safe as a single path segment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Locale(String);

impl Locale {
    /// Validates a locale code; the error says why it was refused.
    pub fn parse(code: &str) -> Result<Locale, String> {
        if is_safe_locale(code) {
            Ok(Locale(code.to_string()))
        } else {
            Err(format!(
                "unsafe or invalid locale code {code:?} (expected a code like `en` or `pt-BR`)"
            ))
        }
    }

    /// The code, e.g. `pt-BR`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary language subtag, e.g. `pt` for `pt-BR`.
    pub fn language(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    /// Whether the language is written right to left.
    pub fn is_rtl(&self) -> bool {
        RTL_LANGUAGES.contains(&self.language())
    }

    /// The value of the HTML `dir` attribute: `rtl` or `ltr`.
    pub fn dir(&self) -> &'static str {
        if self.is_rtl() {
            "rtl"
        } else {
            "ltr"
        }
    }
}

fn is_safe_locale(code: &str) -> bool {
    if code.len() > MAX_LEN || RESERVED_NAMES.contains(&code) {
        return false;
    }
    let mut parts = code.split('-');
    let language = parts.next().unwrap_or_default();
    let language_ok =
        (2..=3).contains(&language.len()) && language.bytes().all(|b| b.is_ascii_lowercase());
    language_ok
        && parts.all(|part| {
            (2..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Locale {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Lets maps keyed by [`Locale`] be queried with a plain `&str`.
impl Borrow<str> for Locale {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Locale {
    type Error = String;

    fn try_from(code: String) -> Result<Locale, String> {
        Locale::parse(&code)
    }
}

impl From<Locale> for String {
    fn from(locale: Locale) -> String {
        locale.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_intercom_locales() {
        for code in [
            "en", "fr", "pt-BR", "zh-CN", "zh-TW", "nb", "sr-Latn", "fil",
        ] {
            assert_eq!(Locale::parse(code).unwrap().as_str(), code);
        }
    }

    #[test]
    fn refuses_anything_that_could_escape_a_directory() {
        for code in [
            "",
            "e",
            "EN",
            "../x",
            "..",
            "en/..",
            "en\\x",
            "en-",
            "en--US",
            "en_US",
            "en-a",
            "abcd",
            "en-123456789",
            "con",
            "nul",
            " en",
            "en\n",
            "é",
        ] {
            assert!(Locale::parse(code).is_err(), "{code:?} was accepted");
        }
    }

    #[test]
    fn knows_right_to_left_languages() {
        let dirs: Vec<&str> = ["ar", "he", "fa", "ur", "en", "ja", "ar-EG"]
            .iter()
            .map(|c| Locale::parse(c).unwrap().dir())
            .collect();
        assert_eq!(dirs, ["rtl", "rtl", "rtl", "rtl", "ltr", "ltr", "rtl"]);
    }

    #[test]
    fn primary_language_subtag() {
        assert_eq!(Locale::parse("pt-BR").unwrap().language(), "pt");
        assert_eq!(Locale::parse("ja").unwrap().language(), "ja");
    }
}
