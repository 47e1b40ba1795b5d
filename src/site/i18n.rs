//! The site's own words (skip link, breadcrumb label, "Updated", ...) and language names,
//! per locale. Content is never translated here: only the frame around it.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::Locale;

/// Strings of one locale, keyed like `skip_to_content`.
pub type Strings = BTreeMap<String, String>;

/// A theme's `i18n.json`: language names (endonyms) and UI strings per locale.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct I18n {
    /// Language names by locale code, in their own language.
    #[serde(default)]
    pub languages: BTreeMap<String, String>,
    /// UI strings by locale code, then key.
    #[serde(default)]
    pub strings: BTreeMap<String, Strings>,
}

/// Locale every missing string falls back to.
const FALLBACK: &str = "en";

impl I18n {
    /// Adds or replaces entries with those of `other` (a theme's overrides), key by key.
    pub fn merge(&mut self, other: I18n) {
        self.languages.extend(other.languages);
        for (locale, strings) in other.strings {
            self.strings.entry(locale).or_default().extend(strings);
        }
    }

    /// The strings for `locale`: its own, else its language's (`pt` for `pt-BR`), else English.
    pub fn strings(&self, locale: &Locale) -> Strings {
        let mut merged = Strings::new();
        for code in [FALLBACK, locale.language(), locale.as_str()] {
            if let Some(strings) = self.strings.get(code) {
                merged.extend(strings.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        merged
    }

    /// The name of a language in itself (`Français`), else its code.
    pub fn language_name(&self, locale: &Locale) -> String {
        self.languages
            .get(locale.as_str())
            .or_else(|| self.languages.get(locale.language()))
            .cloned()
            .unwrap_or_else(|| locale.to_string())
    }
}

/// "3 articles" in the page's language, from the `articles_one` / `articles_other` strings.
pub fn article_count(strings: &Strings, locale: &Locale, n: usize) -> String {
    // French and Portuguese use the singular for 0 as well; the other bundled languages either
    // do not inflect or have neutral wording in i18n.json.
    let one = n == 1 || (n == 0 && matches!(locale.language(), "fr" | "pt"));
    let key = if one {
        "articles_one"
    } else {
        "articles_other"
    };
    strings
        .get(key)
        .map(|s| s.replace("{n}", &n.to_string()))
        .unwrap_or_else(|| n.to_string())
}

/// A date in the page's language, from the `date_format` (`{day} {month} {year}`) and `months`
/// (twelve comma-separated names, in the grammatical case the format needs) strings, e.g.
/// `January 5, 2024`, `5. Januar 2024`, `2024年1月5日`; ISO 8601 if a theme lacks them.
pub fn format_date(strings: &Strings, date: time::Date) -> String {
    let month = u8::from(date.month());
    let name = strings
        .get("months")
        .and_then(|names| names.split(',').nth(usize::from(month - 1)))
        .map(str::trim);
    match (strings.get("date_format"), name) {
        (Some(format), Some(name)) => format
            .replace("{day}", &date.day().to_string())
            .replace("{month}", name)
            .replace("{year}", &date.year().to_string()),
        _ => format!("{:04}-{month:02}-{:02}", date.year(), date.day()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i18n() -> I18n {
        serde_json::from_str(include_str!("../../themes/default/i18n.json")).unwrap()
    }

    #[test]
    fn falls_back_from_region_to_language_to_english() {
        let i18n = i18n();
        let pt_br = Locale::parse("pt-BR").unwrap();
        let strings = i18n.strings(&pt_br);
        assert_eq!(strings["skip_to_content"], "Pular para o conteúdo");
        assert_eq!(strings["articles"], "Artigos");
        let sv = Locale::parse("sv").unwrap();
        assert_eq!(i18n.strings(&sv)["articles"], "Articles");
        assert_eq!(i18n.language_name(&sv), "Svenska");
        assert_eq!(i18n.language_name(&Locale::parse("xx").unwrap()), "xx");
    }

    #[test]
    fn every_bundled_language_is_complete() {
        // A regional variant (pt-BR) may hold only its differences from its language (pt).
        let i18n = i18n();
        let english: Vec<&String> = i18n.strings["en"].keys().collect();
        for (code, strings) in &i18n.strings {
            let locale = Locale::parse(code).unwrap();
            let variant = locale.language() != code && i18n.strings.contains_key(locale.language());
            let keys: Vec<&String> = strings.keys().collect();
            if variant {
                assert!(keys.iter().all(|k| english.contains(k)), "{code}");
            } else {
                assert_eq!(keys, english, "{code}");
            }
        }
    }

    #[test]
    fn dates_in_each_language() {
        let i18n = i18n();
        let date = time::macros::date!(2024 - 01 - 05);
        let on = |code: &str| format_date(&i18n.strings(&Locale::parse(code).unwrap()), date);
        assert_eq!(on("en"), "January 5, 2024");
        assert_eq!(on("fr"), "5 janvier 2024");
        assert_eq!(on("de"), "5. Januar 2024");
        assert_eq!(on("pt-BR"), "5 de janeiro de 2024");
        assert_eq!(on("ja"), "2024年1月5日");
        assert_eq!(on("ru"), "5 января 2024 г.");
        assert_eq!(on("sv"), "January 5, 2024", "falls back to English");
        assert_eq!(format_date(&Strings::new(), date), "2024-01-05");
        for (code, strings) in &i18n.strings {
            if let Some(months) = strings.get("months") {
                assert_eq!(months.split(',').count(), 12, "{code}");
            }
        }
    }

    #[test]
    fn counts() {
        let i18n = i18n();
        let en = Locale::parse("en").unwrap();
        let fr = Locale::parse("fr").unwrap();
        assert_eq!(article_count(&i18n.strings(&en), &en, 1), "1 article");
        assert_eq!(article_count(&i18n.strings(&en), &en, 0), "0 articles");
        assert_eq!(article_count(&i18n.strings(&fr), &fr, 0), "0 article");
    }
}
