//! Page metadata for search engines and link previews: the description, the share image, and
//! JSON-LD (schema.org `Article` and `BreadcrumbList`).

use serde_json::{json, Value};

use crate::html::text_of;

/// Longest meta description, in characters: what search results show.
const DESCRIPTION_CHARS: usize = 160;

/// A page's place in the site, for `BreadcrumbList`: each step's name and URL.
pub struct Trail<'a> {
    /// From the help center's home down to the page itself.
    pub steps: Vec<(&'a str, String)>,
}

impl Trail<'_> {
    fn json(&self) -> Value {
        let items: Vec<Value> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, (name, url))| {
                json!({"@type": "ListItem", "position": i + 1, "name": name, "item": url})
            })
            .collect();
        json!({"@type": "BreadcrumbList", "itemListElement": items})
    }
}

/// What an article's JSON-LD says.
pub struct ArticleFacts<'a> {
    /// The title.
    pub headline: &'a str,
    /// The plain-text description.
    pub description: &'a str,
    /// The locale code.
    pub language: &'a str,
    /// The page's URL (absolute with `--base-url`).
    pub url: &'a str,
    /// RFC 3339 times.
    pub published: Option<&'a str>,
    /// RFC 3339 times.
    pub modified: Option<&'a str>,
    /// The share image's absolute URL.
    pub image: Option<&'a str>,
    /// The site's name, as publisher.
    pub publisher: &'a str,
}

/// The JSON-LD of an article page: the `Article` and its `BreadcrumbList`.
pub fn article_json_ld(facts: &ArticleFacts, trail: &Trail) -> String {
    let mut article = json!({
        "@type": "Article",
        "headline": facts.headline,
        "inLanguage": facts.language,
        "url": facts.url,
        "mainEntityOfPage": facts.url,
        "publisher": {"@type": "Organization", "name": facts.publisher},
    });
    let fields = [
        (
            "description",
            Some(facts.description).filter(|d| !d.is_empty()),
        ),
        ("datePublished", facts.published),
        ("dateModified", facts.modified),
        ("image", facts.image),
    ];
    for (key, value) in fields {
        if let Some(value) = value {
            article[key] = json!(value);
        }
    }
    script_json(&json!({"@context": "https://schema.org", "@graph": [article, trail.json()]}))
}

/// The JSON-LD of a collection page: its `BreadcrumbList`.
pub fn collection_json_ld(trail: &Trail) -> String {
    let mut list = trail.json();
    list["@context"] = json!("https://schema.org");
    script_json(&list)
}

/// JSON that can sit inside `<script>`: `<`, `>` and `&` as `\u` escapes, so no text of a title
/// can close the element or start a comment.
fn script_json(value: &Value) -> String {
    let text = serde_json::to_string(value).expect("JSON values serialise");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// A description for an article that has none: the first sentence of its body's visible text
/// (the end of a block ends a sentence too), cut at a word boundary if it is long.
pub fn first_sentence(body_html: &str) -> String {
    let text = text_of(body_html);
    let mut sentence = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        sentence.push(c);
        let ends = match c {
            '.' | '!' | '?' => chars.peek().is_none_or(|n| n.is_whitespace()),
            '。' | '！' | '？' | '؟' | '।' => true,
            _ => false,
        };
        if ends {
            break;
        }
    }
    truncate(sentence.trim(), DESCRIPTION_CHARS)
}

/// At most `max` characters, cut before a word with `…` if needed.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    let at_word = cut
        .rfind(char::is_whitespace)
        .filter(|&at| at > cut.len() / 2)
        .map_or(cut.as_str(), |at| &cut[..at]);
    format!("{}…", at_word.trim_end())
}

/// HTML as plain text for `<meta>`: tags dropped, whitespace collapsed. A `<` that does not
/// start a tag (`a < b`) is text. Character references are left as they are.
pub fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut chars = html.chars().peekable();
    while let Some(c) = chars.next() {
        let starts_tag = c == '<'
            && chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!'));
        if starts_tag {
            for c in chars.by_ref() {
                if c == '>' {
                    break;
                }
            }
            text.push(' ');
        } else {
            text.push(c);
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_of_descriptions() {
        assert_eq!(
            plain_text("  Set <b>up</b>\n your   account "),
            "Set up your account"
        );
        assert_eq!(plain_text("a < b <br/>c"), "a < b c");
        assert_eq!(plain_text(""), "");
    }

    #[test]
    fn the_first_sentence_stands_in_for_a_missing_description() {
        assert_eq!(
            first_sentence("<p>Sync keeps notes &amp; tags in step. It is on by default.</p>"),
            "Sync keeps notes & tags in step."
        );
        assert_eq!(
            first_sentence("<p>Version 2.5 is out</p><p>More</p>"),
            "Version 2.5 is out."
        );
        assert_eq!(
            first_sentence("<p>同期を使います。次に</p>"),
            "同期を使います。"
        );
        let long = format!("<p>{}</p>", "word ".repeat(100));
        let cut = first_sentence(&long);
        assert!(
            cut.ends_with("word…") && cut.chars().count() <= DESCRIPTION_CHARS,
            "{cut}"
        );
    }

    #[test]
    fn json_ld_cannot_close_its_script() {
        let facts = ArticleFacts {
            headline: "</script><script>alert(1)</script>",
            description: "",
            language: "en",
            url: "https://x.test/en/articles/1-a/",
            published: None,
            modified: Some("2024-01-05T00:00:00Z"),
            image: None,
            publisher: "Acme & Co",
        };
        let trail = Trail {
            steps: vec![("All collections", "https://x.test/en/".into())],
        };
        let ld = article_json_ld(&facts, &trail);
        assert!(!ld.contains('<') && !ld.contains('&'), "{ld}");
        let parsed: Value = serde_json::from_str(&ld).unwrap();
        assert_eq!(parsed["@graph"][0]["headline"], facts.headline);
        assert_eq!(parsed["@graph"][0]["dateModified"], "2024-01-05T00:00:00Z");
        assert!(parsed["@graph"][0].get("description").is_none());
        assert_eq!(parsed["@graph"][1]["itemListElement"][0]["position"], 1);
    }
}
