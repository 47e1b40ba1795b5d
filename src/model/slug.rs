//! Slugs and site paths: the only place where titles from API data turn into URL and path text.

use super::Locale;

/// Longest slug, in characters.
pub const MAX_SLUG_CHARS: usize = 80;
/// Longest slug, in bytes: `<id>-<slug>` must stay a valid file name (255 bytes on common file
/// systems) even for titles in 3- and 4-byte scripts.
pub const MAX_SLUG_BYTES: usize = 200;

/// The slug of a localised title: lowercase, unicode letters, digits and combining marks kept,
/// every other run of characters replaced by one `-`, trimmed of `-`, and capped at
/// [`MAX_SLUG_CHARS`] characters and [`MAX_SLUG_BYTES`] bytes on a character boundary.
///
/// `../../etc/passwd` becomes `etc-passwd`; a title with no letters or digits gives `""`.
pub fn slugify(title: &str) -> String {
    let mut slug = String::with_capacity(title.len().min(MAX_SLUG_BYTES));
    let mut chars = 0;
    let mut pending_dash = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        if !keeps(c) {
            pending_dash = !slug.is_empty();
            continue;
        }
        let needed = c.len_utf8() + usize::from(pending_dash);
        if chars + 1 + usize::from(pending_dash) > MAX_SLUG_CHARS
            || slug.len() + needed > MAX_SLUG_BYTES
        {
            break;
        }
        if pending_dash {
            slug.push('-');
            chars += 1;
            pending_dash = false;
        }
        slug.push(c);
        chars += 1;
    }
    slug
}

/// Whether a (lowercased) character belongs in a slug. Combining marks are kept so that words
/// written with diacritics that are separate code points (Hebrew points, Arabic harakat, kana
/// voicing marks, decomposed Latin accents) are not cut apart.
fn keeps(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0591}'..='\u{05BD}'
        | '\u{05BF}' | '\u{05C1}' | '\u{05C2}' | '\u{05C4}' | '\u{05C5}' | '\u{05C7}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{3099}' | '\u{309A}')
}

/// The last path segment of a page: `<id>-<slug>`, or just `<id>` when the slug is empty.
pub fn page_segment(id: &str, slug: &str) -> String {
    if slug.is_empty() {
        id.to_string()
    } else {
        format!("{id}-{slug}")
    }
}

/// The site path of an article: `/<locale>/articles/<id>-<slug>/`.
pub fn article_path(locale: &Locale, id: &str, slug: &str) -> String {
    format!("/{locale}/articles/{}/", page_segment(id, slug))
}

/// The site path of a collection or section: `/<locale>/collections/<id>-<slug>/`.
pub fn group_path(locale: &Locale, id: &str, slug: &str) -> String {
    format!("/{locale}/collections/{}/", page_segment(id, slug))
}

/// The site path of a locale's home page: `/<locale>/`.
pub fn home_path(locale: &Locale) -> String {
    format!("/{locale}/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        let cases = [
            ("How to create a new article", "how-to-create-a-new-article"),
            ("../../etc/passwd", "etc-passwd"),
            ("  Café -- crème brûlée!  ", "café-crème-brûlée"),
            ("C:\\Windows\\system32", "c-windows-system32"),
            ("設定を変更する", "設定を変更する"),
            ("كيفية إنشاء مقال", "كيفية-إنشاء-مقال"),
            ("Über uns", "über-uns"),
            ("...", ""),
            ("", ""),
            ("a\u{202E}b\u{0000}c", "a-b-c"),
            ("v2.0 release", "v2-0-release"),
        ];
        for (title, slug) in cases {
            assert_eq!(slugify(title), slug, "title {title:?}");
        }
    }

    #[test]
    fn caps_length_on_a_character_boundary() {
        let slug = slugify(&"é".repeat(300));
        assert_eq!(slug.chars().count(), MAX_SLUG_CHARS);
        let slug = slugify(&"𝒜".repeat(300));
        assert!(slug.len() <= MAX_SLUG_BYTES);
        assert_eq!(slug.chars().count(), MAX_SLUG_BYTES / 4);
        let slug = slugify(&"word ".repeat(100));
        assert!(!slug.ends_with('-'));
        assert_eq!(slug.len(), 79);
    }

    #[test]
    fn paths_use_the_id_alone_for_an_empty_slug() {
        let en = Locale::parse("en").unwrap();
        assert_eq!(article_path(&en, "12", ""), "/en/articles/12/");
        assert_eq!(article_path(&en, "12", "hi"), "/en/articles/12-hi/");
        assert_eq!(group_path(&en, "7", "setup"), "/en/collections/7-setup/");
        assert_eq!(home_path(&en), "/en/");
    }

    proptest! {
        #[test]
        fn slugs_never_hold_path_syntax(title in any::<String>()) {
            let slug = slugify(&title);
            prop_assert!(!slug.contains(['/', '\\', '.', ':']));
            prop_assert!(!slug.chars().any(char::is_control));
            prop_assert!(!slug.starts_with('-') && !slug.ends_with('-'));
            prop_assert!(!slug.contains("--"));
            prop_assert!(slug.chars().count() <= MAX_SLUG_CHARS && slug.len() <= MAX_SLUG_BYTES);
        }

        #[test]
        fn hostile_titles_stay_one_segment(title in "[./\\\\a-z\u{0}-\u{1f} ]{0,40}") {
            let en = Locale::parse("en").unwrap();
            let path = article_path(&en, "42", &slugify(&title));
            let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
            prop_assert_eq!(segments.len(), 3);
            prop_assert!(segments[2].starts_with("42"));
            prop_assert!(segments.iter().all(|s| !s.is_empty() && *s != "." && *s != ".."));
        }
    }
}
