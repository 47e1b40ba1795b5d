//! Seeded generation of big or edge-case workspaces: many articles, several locales, nested
//! collections, bodies built from every Intercom editor block, translations missing at random,
//! mostly distinct `updated_at` values with some ties.
//!
//! The same spec always gives the same workspace (for a given `rand` version: the draws come
//! from `StdRng`). Titles depend only on the seed, the article id and the locale, so any article
//! can link to any other by its real URL.

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{Shape, Workspace};

/// What to generate. `Default` gives a small English workspace; set `articles` to hit
/// pagination edges (0, `per_page`, `per_page + 1`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GeneratedSpec {
    /// How many articles.
    pub articles: usize,
    /// Locales; the first is the help center's default and every article has it.
    pub locales: Vec<String>,
    /// How many collections (sections included, for [`Shape::Sections29`]).
    pub collections: usize,
    /// The seed of every random choice.
    pub seed: u64,
    /// Nested collections, or 2.9 collections and sections.
    pub shape: Shape,
    /// Collection levels: 1 is flat; `Sections29` uses at most 2 (collection, section).
    pub max_depth: usize,
    /// Chance that an article or collection has a translation in each non-default locale.
    pub translation_rate: f64,
    /// Chance that an article (or one of its translations) is a draft.
    pub draft_rate: f64,
    /// Chance that an article shares its `updated_at` with an earlier one.
    pub tie_rate: f64,
    /// Chance that an article has no parent.
    pub standalone_rate: f64,
    /// Editor blocks per body after the opening paragraph; 0 gives empty bodies.
    pub blocks_per_body: usize,
}

impl Default for GeneratedSpec {
    fn default() -> GeneratedSpec {
        GeneratedSpec {
            articles: 20,
            locales: vec!["en".to_string()],
            collections: 4,
            seed: 1,
            shape: Shape::Nested,
            max_depth: 3,
            translation_rate: 0.7,
            draft_rate: 0.1,
            tie_rate: 0.05,
            standalone_rate: 0.03,
            blocks_per_body: 6,
        }
    }
}

impl GeneratedSpec {
    /// The default spec with `articles` articles.
    pub fn with_articles(articles: usize) -> GeneratedSpec {
        GeneratedSpec {
            articles,
            ..GeneratedSpec::default()
        }
    }
}

/// Where the generated help center lives.
const HOST: &str = "https://help.generated.example";
const WORKSPACE_ID: &str = "gen4ws2x";
const HELP_CENTER_ID: u64 = 9001;
const FIRST_COLLECTION_ID: u64 = 5001;
const FIRST_ARTICLE_ID: u64 = 100_001;
/// 2023-11-14: generated timestamps lie in the months before it.
const BASE_TIME: i64 = 1_700_000_000;
const AUTHORS: [u64; 3] = [7_310_022, 7_310_023, 7_310_041];

/// A collection (or section) in the generated tree.
struct Group {
    id: u64,
    parent: Option<usize>,
    depth: usize,
    order: usize,
}

/// Builds the workspace for `spec`.
pub fn generate(spec: &GeneratedSpec) -> Workspace {
    assert!(
        !spec.locales.is_empty(),
        "a generated workspace needs a locale"
    );
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let groups = plan_groups(spec, &mut rng);
    let mut workspace = Workspace {
        shape: spec.shape,
        help_centers: vec![help_center()],
        ..Workspace::default()
    };
    for group in &groups {
        let object = group_object(spec, &groups, group, &mut rng);
        if spec.shape == Shape::Sections29 && group.depth == 1 {
            workspace.sections.push(object);
        } else {
            workspace.collections.push(object);
        }
    }
    let mut updated = Vec::with_capacity(spec.articles);
    for index in 0..spec.articles {
        let article = article_object(spec, &groups, index, &mut updated, &mut rng);
        workspace.articles.push(article);
    }
    workspace
}

fn help_center() -> Value {
    json!({
        "id": HELP_CENTER_ID.to_string(),
        "workspace_id": WORKSPACE_ID,
        "created_at": BASE_TIME - 40_000_000,
        "updated_at": BASE_TIME - 1_000_000,
        "identifier": "generated",
        "website_turned_on": true,
        "display_name": "Generated Help Center",
        "url": HOST,
        "custom_domain": HOST.trim_start_matches("https://"),
    })
}

/// The collection tree: the first group is top level; each later one hangs under a random
/// group that still has room below it, or (one time in three) starts a new top-level group.
fn plan_groups(spec: &GeneratedSpec, rng: &mut StdRng) -> Vec<Group> {
    let max_depth = match spec.shape {
        Shape::Nested => spec.max_depth.max(1),
        Shape::Sections29 => spec.max_depth.clamp(1, 2),
    };
    let mut groups: Vec<Group> = Vec::with_capacity(spec.collections);
    let mut children: HashMap<Option<usize>, usize> = HashMap::new();
    for index in 0..spec.collections {
        let open: Vec<usize> = (0..groups.len())
            .filter(|&g| groups[g].depth + 1 < max_depth)
            .collect();
        let parent = if open.is_empty() || rng.random_bool(1.0 / 3.0) {
            None
        } else {
            Some(open[rng.random_range(0..open.len())])
        };
        let order = children.entry(parent).or_default();
        groups.push(Group {
            id: FIRST_COLLECTION_ID + index as u64,
            parent,
            depth: parent.map_or(0, |p| groups[p].depth + 1),
            order: *order,
        });
        *order += 1;
    }
    groups
}

/// A collection in the workspace's shape (or a section, for a 2.9 second-level group).
fn group_object(spec: &GeneratedSpec, groups: &[Group], group: &Group, rng: &mut StdRng) -> Value {
    let default = &spec.locales[0];
    let names: Vec<(String, Option<(String, String)>)> = spec
        .locales
        .iter()
        .map(|locale| {
            let present = locale == default || rng.random_bool(spec.translation_rate);
            let text = present.then(|| group_text(spec.seed, group.id, locale));
            (locale.clone(), text)
        })
        .collect();
    let (name, description) = names[0].1.clone().expect("the default locale is present");
    let created = BASE_TIME - 30_000_000 + rng.random_range(0..1_000_000);
    let section = spec.shape == Shape::Sections29 && group.depth == 1;
    let parent = group.parent.map(|p| groups[p].id);
    let mut object = Map::new();
    if section {
        object.insert("type".into(), json!("section"));
    }
    object.insert("id".into(), json!(group.id.to_string()));
    object.insert("workspace_id".into(), json!(WORKSPACE_ID));
    object.insert("name".into(), json!(name));
    let url = format!("{HOST}/{default}/collections/{}-{}", group.id, slug(&name));
    object.insert("url".into(), json!(url));
    object.insert("order".into(), json!(group.order));
    object.insert("created_at".into(), json!(created));
    object.insert("updated_at".into(), json!(created + 86_400));
    object.insert("description".into(), json!(description));
    object.insert("icon".into(), json!("book-bookmark"));
    match (spec.shape, section) {
        (Shape::Nested, _) => {
            object.insert("parent_id".into(), json!(parent.map(|p| p.to_string())));
            object.insert("help_center_id".into(), json!(HELP_CENTER_ID));
        }
        (Shape::Sections29, true) => {
            object.insert("parent_id".into(), json!(parent));
        }
        (Shape::Sections29, false) => {
            object.insert("help_center_id".into(), json!(HELP_CENTER_ID));
            object.insert("type".into(), json!("collection"));
        }
    }
    object.insert("default_locale".into(), json!(default));
    object.insert("translated_content".into(), group_translations(&names, rng));
    Value::Object(object)
}

fn group_translations(names: &[(String, Option<(String, String)>)], rng: &mut StdRng) -> Value {
    let mut content = Map::new();
    content.insert("type".into(), json!("group_translated_content"));
    for (locale, text) in names {
        match text {
            Some((name, description)) => {
                let value =
                    json!({ "type": "group_content", "name": name, "description": description });
                content.insert(locale.clone(), value);
            }
            // A missing translation is null or absent; clients must handle both.
            None if rng.random_bool(0.5) => {
                content.insert(locale.clone(), Value::Null);
            }
            None => {}
        }
    }
    Value::Object(content)
}

/// One article with all its translations.
fn article_object(
    spec: &GeneratedSpec,
    groups: &[Group],
    index: usize,
    updated: &mut Vec<i64>,
    rng: &mut StdRng,
) -> Value {
    let id = FIRST_ARTICLE_ID + index as u64;
    let times = article_times(spec, updated, rng);
    let parent = (!groups.is_empty() && !rng.random_bool(spec.standalone_rate))
        .then(|| &groups[rng.random_range(0..groups.len())]);
    let author = AUTHORS[rng.random_range(0..AUTHORS.len())];
    let ctx = ArticleCtx {
        spec,
        id,
        author,
        times,
    };
    let translations = translations(&ctx, rng);
    let default = translations[0]
        .1
        .clone()
        .expect("the default locale is present");
    let mut object = Map::new();
    object.insert("id".into(), json!(id.to_string()));
    object.insert("type".into(), json!("article"));
    object.insert("workspace_id".into(), json!(WORKSPACE_ID));
    insert_parent(&mut object, spec.shape, parent);
    object.insert("statistics".into(), statistics(rng));
    if spec.shape == Shape::Nested {
        object.insert("tags".into(), json!({ "type": "tag.list", "tags": [] }));
    }
    for key in [
        "title",
        "description",
        "body",
        "author_id",
        "state",
        "created_at",
        "updated_at",
        "url",
    ] {
        object.insert(key.into(), default[key].clone());
    }
    object.insert("default_locale".into(), json!(spec.locales[0]));
    object.insert(
        "translated_content".into(),
        article_translations(translations, rng),
    );
    Value::Object(object)
}

/// `parent_id` (an integer, as the API sends it), `parent_type` and, for the nested shape,
/// `parent_ids`.
fn insert_parent(object: &mut Map<String, Value>, shape: Shape, parent: Option<&Group>) {
    let kind = parent.map(|group| match (shape, group.depth) {
        (Shape::Sections29, 1) => "section",
        _ => "collection",
    });
    object.insert("parent_id".into(), json!(parent.map(|g| g.id)));
    object.insert("parent_type".into(), json!(kind));
    if shape == Shape::Nested {
        let ids: Vec<u64> = parent.iter().map(|g| g.id).collect();
        object.insert("parent_ids".into(), json!(ids));
    }
}

/// What every locale of one article shares.
struct ArticleCtx<'a> {
    spec: &'a GeneratedSpec,
    id: u64,
    author: u64,
    times: (i64, i64),
}

/// `(created_at, updated_at)`: spread over about two months so values rarely collide, plus
/// deliberate ties with an earlier article.
fn article_times(spec: &GeneratedSpec, updated: &mut Vec<i64>, rng: &mut StdRng) -> (i64, i64) {
    let created = BASE_TIME - 20_000_000 + rng.random_range(0..10_000_000);
    let mut last = created + rng.random_range(0..5_000_000);
    if !updated.is_empty() && rng.random_bool(spec.tie_rate) {
        last = updated[rng.random_range(0..updated.len())].max(created);
    }
    updated.push(last);
    (created, last)
}

/// Each locale's `article_content`, or `None` where the translation is missing.
fn translations(ctx: &ArticleCtx, rng: &mut StdRng) -> Vec<(String, Option<Value>)> {
    ctx.spec
        .locales
        .iter()
        .enumerate()
        .map(|(i, locale)| {
            let present = i == 0 || rng.random_bool(ctx.spec.translation_rate);
            let content = present.then(|| article_content(ctx, locale, i == 0, rng));
            (locale.clone(), content)
        })
        .collect()
}

fn article_content(ctx: &ArticleCtx, locale: &str, is_default: bool, rng: &mut StdRng) -> Value {
    let title = article_title(ctx.spec.seed, ctx.id, locale);
    let vocab = vocab(locale);
    let (created, updated) = ctx.times;
    // Translations are edited separately, a little before the default locale.
    let updated = if is_default {
        updated
    } else {
        (updated - rng.random_range(0..200_000)).max(created)
    };
    let state = if rng.random_bool(ctx.spec.draft_rate) {
        "draft"
    } else {
        "published"
    };
    json!({
        "type": "article_content",
        "title": title,
        "description": vocab.sentence(rng, 6, 12),
        "body": body(ctx, locale, rng),
        "author_id": ctx.author,
        "state": state,
        "created_at": created,
        "updated_at": updated,
        "url": article_url(locale, ctx.id, &title),
    })
}

fn article_translations(translations: Vec<(String, Option<Value>)>, rng: &mut StdRng) -> Value {
    let mut content = Map::new();
    content.insert("type".into(), json!("article_translated_content"));
    for (locale, value) in translations {
        match value {
            Some(value) => {
                content.insert(locale, value);
            }
            None if rng.random_bool(0.5) => {
                content.insert(locale, Value::Null);
            }
            None => {}
        }
    }
    Value::Object(content)
}

fn statistics(rng: &mut StdRng) -> Value {
    let views: u32 = rng.random_range(0..5000);
    let happy: u32 = rng.random_range(0..=100);
    let neutral: u32 = rng.random_range(0..=100 - happy);
    json!({
        "type": "article_statistics",
        "views": views,
        "conversions": rng.random_range(0..=views / 20),
        "reactions": rng.random_range(0..=views / 10),
        "happy_reaction_percentage": f64::from(happy),
        "neutral_reaction_percentage": f64::from(neutral),
        "sad_reaction_percentage": f64::from(100 - happy - neutral),
    })
}

/// The body: an opening paragraph, then `blocks_per_body` blocks chosen at random.
fn body(ctx: &ArticleCtx, locale: &str, rng: &mut StdRng) -> String {
    if ctx.spec.blocks_per_body == 0 {
        return String::new();
    }
    let vocab = vocab(locale);
    let mut html = paragraph("no-margin", &vocab.sentence(rng, 8, 20));
    for _ in 0..ctx.spec.blocks_per_body {
        html.push_str(&block(ctx, locale, rng));
    }
    html
}

/// One editor block, of any kind Intercom's editor produces.
fn block(ctx: &ArticleCtx, locale: &str, rng: &mut StdRng) -> String {
    let vocab = vocab(locale);
    match rng.random_range(0..14) {
        0 => paragraph("no-margin", &vocab.sentence(rng, 10, 24)),
        1 => heading(vocab, rng),
        2 => image(rng),
        3 => callout(vocab, rng),
        4 => table(vocab, rng),
        5 => video(rng),
        6 => button(vocab, rng),
        7 => collapsible(vocab, rng),
        8 => code_block(rng),
        9 => "<hr>".to_string(),
        10 => nested_list(vocab, rng),
        11 => format!(
            "<blockquote>{}</blockquote>",
            paragraph("no-margin", &vocab.sentence(rng, 8, 16))
        ),
        12 => link_paragraph(ctx, locale, rng),
        _ => {
            let class = ["center", "right", "justify"][rng.random_range(0..3)];
            paragraph(
                &format!("intercom-align-{class}"),
                &vocab.sentence(rng, 6, 14),
            )
        }
    }
}

fn paragraph(class: &str, text: &str) -> String {
    format!("<p class=\"{class}\">{}</p>", escape(text))
}

fn heading(vocab: &Vocab, rng: &mut StdRng) -> String {
    let level = rng.random_range(1..=3);
    let text = vocab.phrase(rng, 2, 5);
    format!(
        "<h{level} id=\"{}\">{}</h{level}>",
        heading_id(rng),
        escape(&text)
    )
}

/// Intercom heading ids: `h_` and ten hex digits.
fn heading_id(rng: &mut StdRng) -> String {
    format!("h_{:010x}", rng.random_range(0..0x100_0000_0000_u64))
}

fn image(rng: &mut StdRng) -> String {
    let (width, height) =
        [(1600, 900), (1200, 800), (640, 480), (2048, 1152)][rng.random_range(0..4)];
    format!(
        "<div class=\"intercom-container\"><img src=\"https://downloads.intercomcdn.com/i/o/{}/{:016x}/screenshot.png\" width=\"{width}\" height=\"{height}\"></div>",
        rng.random_range(100_000_000..999_999_999_u64),
        rng.random::<u64>()
    )
}

fn callout(vocab: &Vocab, rng: &mut StdRng) -> String {
    let (background, border) = [
        ("#e3e7fa80", "#334bfa33"),
        ("#feedaf80", "#fbc91633"),
        ("#d7efdc80", "#0bb53e33"),
        ("#fde7e980", "#f2465433"),
    ][rng.random_range(0..4)];
    format!(
        "<div class=\"intercom-interblocks-callout\" style=\"background-color: {background}; border-color: {border};\">{}</div>",
        paragraph("no-margin", &vocab.sentence(rng, 8, 18))
    )
}

fn table(vocab: &Vocab, rng: &mut StdRng) -> String {
    let columns = rng.random_range(2..=3);
    let rows = rng.random_range(2..=4);
    let mut html = String::from(
        "<div class=\"intercom-interblocks-table-container\"><table role=\"presentation\"><tbody>",
    );
    for row in 0..rows {
        html.push_str("<tr>");
        for _ in 0..columns {
            let text = escape(&vocab.phrase(rng, 1, 3));
            let cell = if row == 0 {
                format!("<b>{text}</b>")
            } else {
                text
            };
            html.push_str(&format!(
                "<td style=\"border: 1px solid #dde0e4; padding: 6px 10px; vertical-align: top;\"><p class=\"no-margin\">{cell}</p></td>"
            ));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");
    html
}

fn video(rng: &mut StdRng) -> String {
    let key = format!("{:011x}", rng.random_range(0..0x1000_0000_0000_u64));
    let src = match rng.random_range(0..4) {
        0 => format!("https://www.youtube.com/embed/{key}"),
        1 => format!(
            "https://player.vimeo.com/video/{}",
            rng.random_range(100_000_000..999_999_999_u64)
        ),
        2 => format!("https://www.loom.com/embed/{key}{key}"),
        _ => format!("https://fast.wistia.net/embed/iframe/{}", &key[..10]),
    };
    format!("<div class=\"intercom-h2b-video\"><iframe src=\"{src}\" frameborder=\"0\" allowfullscreen=\"\"></iframe></div>")
}

fn button(vocab: &Vocab, rng: &mut StdRng) -> String {
    format!(
        "<p class=\"intercom-align-center\"><a class=\"intercom-h2b-button\" href=\"https://app.generated.example/settings\" target=\"_blank\" rel=\"nofollow noopener noreferrer\">{}</a></p>",
        escape(&vocab.phrase(rng, 1, 3))
    )
}

fn collapsible(vocab: &Vocab, rng: &mut StdRng) -> String {
    format!(
        "<details><summary>{}</summary>{}</details>",
        escape(&vocab.phrase(rng, 3, 6)),
        paragraph("no-margin", &vocab.sentence(rng, 10, 20))
    )
}

fn code_block(rng: &mut StdRng) -> String {
    let code = [
        "acme sync --all\nacme export --format markdown > notes.md",
        "curl -H \"Authorization: Bearer $TOKEN\" https://api.generated.example/v1/notes",
        "if (notes.length > 0 && user.canEdit) {\n  save(notes);\n}",
        "<div class=\"note\">Hello &amp; welcome</div>",
    ][rng.random_range(0..4)];
    format!("<pre><code>{}</code></pre>", escape(code))
}

fn nested_list(vocab: &Vocab, rng: &mut StdRng) -> String {
    let tag = if rng.random_bool(0.5) { "ol" } else { "ul" };
    let item = |rng: &mut StdRng| {
        format!(
            "<li>{}</li>",
            paragraph("no-margin", &vocab.sentence(rng, 4, 10))
        )
    };
    let inner: String = (0..2).map(|_| item(rng)).collect();
    format!(
        "<{tag}><li>{}<ul>{inner}</ul></li>{}</{tag}>",
        paragraph("no-margin", &vocab.sentence(rng, 4, 10)),
        item(rng)
    )
}

/// A paragraph with a link: to another generated article (with or without slug, anchor, in this
/// or another locale), to an article that does not exist, or to another site.
fn link_paragraph(ctx: &ArticleCtx, locale: &str, rng: &mut StdRng) -> String {
    let vocab = vocab(locale);
    let count = ctx.spec.articles.max(1) as u64;
    let target = FIRST_ARTICLE_ID + rng.random_range(0..count);
    let href = match rng.random_range(0..6) {
        0 => article_url(
            locale,
            target,
            &article_title(ctx.spec.seed, target, locale),
        ),
        1 => format!("{HOST}/{locale}/articles/{target}"),
        2 => format!(
            "{}#{}",
            article_url(
                locale,
                target,
                &article_title(ctx.spec.seed, target, locale)
            ),
            heading_id(rng)
        ),
        3 => {
            let other = &ctx.spec.locales[rng.random_range(0..ctx.spec.locales.len())];
            article_url(other, target, &article_title(ctx.spec.seed, target, other))
        }
        // Ids above every generated article: links to articles outside the workspace.
        4 => format!(
            "{HOST}/{locale}/articles/{}-retired-page",
            FIRST_ARTICLE_ID + count + 5000
        ),
        _ => "https://www.example.org/guides/notes?ref=help".to_string(),
    };
    format!(
        "<p class=\"no-margin\">{} <a href=\"{}\">{}</a>.</p>",
        escape(&vocab.sentence(rng, 4, 8)),
        escape(&href),
        escape(&vocab.phrase(rng, 2, 4))
    )
}

fn article_url(locale: &str, id: u64, title: &str) -> String {
    format!("{HOST}/{locale}/articles/{id}-{}", slug(title))
}

/// An article's title in a locale, from the seed and id alone (see the module comment).
fn article_title(seed: u64, id: u64, locale: &str) -> String {
    let mut rng = StdRng::seed_from_u64(mix(seed, id, locale));
    let vocab = vocab(locale);
    let mut title = vocab.phrase(&mut rng, 3, 6);
    // Some titles carry punctuation, which slugs and file names must cope with.
    match rng.random_range(0..8) {
        0 => title.push('?'),
        1 => title.push_str(" & more"),
        2 => title = format!("{title} (v{})", rng.random_range(2..10)),
        _ => {}
    }
    title
}

/// A collection's name and description in a locale.
fn group_text(seed: u64, id: u64, locale: &str) -> (String, String) {
    let mut rng = StdRng::seed_from_u64(mix(seed, id, locale));
    let vocab = vocab(locale);
    (
        vocab.phrase(&mut rng, 1, 3),
        vocab.sentence(&mut rng, 5, 10),
    )
}

/// A seed for one (seed, id, locale), independent of the main draw sequence.
fn mix(seed: u64, id: u64, locale: &str) -> u64 {
    let mut hash = seed ^ 0x9e37_79b9_7f4a_7c15;
    for byte in id.to_le_bytes().iter().chain(locale.as_bytes()) {
        hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Intercom-like slugs: lowercase letters and digits of any script, other runs become `-`;
/// non-ASCII letters are percent-encoded as they appear in URLs.
pub fn slug(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    percent_encode(slug)
}

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Words to build text from, per language.
struct Vocab {
    words: &'static [&'static str],
    /// Separator between words ("" for Japanese).
    space: &'static str,
    /// Sentence end.
    stop: &'static str,
}

impl Vocab {
    fn phrase(&self, rng: &mut StdRng, min: usize, max: usize) -> String {
        let count = rng.random_range(min..=max);
        let words: Vec<&str> = (0..count)
            .map(|_| self.words[rng.random_range(0..self.words.len())])
            .collect();
        capitalise(&words.join(self.space))
    }

    fn sentence(&self, rng: &mut StdRng, min: usize, max: usize) -> String {
        format!("{}{}", self.phrase(rng, min, max), self.stop)
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The vocabulary for a locale; locales without their own use English.
fn vocab(locale: &str) -> &'static Vocab {
    match locale {
        "fr" => &FRENCH,
        "de" => &GERMAN,
        "es" => &SPANISH,
        "ja" => &JAPANESE,
        "ar" => &ARABIC,
        _ => &ENGLISH,
    }
}

static ENGLISH: Vocab = Vocab {
    words: &[
        "notes", "notebook", "sync", "share", "export", "tags", "search", "team", "account",
        "device", "backup", "reminder", "template", "offline", "archive", "settings", "your",
        "with", "and", "the", "quickly", "securely", "every", "new", "shared", "private",
    ],
    space: " ",
    stop: ".",
};

static FRENCH: Vocab = Vocab {
    words: &[
        "notes",
        "carnet",
        "synchroniser",
        "partager",
        "exporter",
        "étiquettes",
        "recherche",
        "équipe",
        "compte",
        "appareil",
        "sauvegarde",
        "rappel",
        "modèle",
        "hors ligne",
        "archive",
        "paramètres",
        "votre",
        "avec",
        "et",
        "le",
        "rapidement",
        "sécurisé",
        "chaque",
        "nouveau",
    ],
    space: " ",
    stop: ".",
};

static GERMAN: Vocab = Vocab {
    words: &[
        "Notizen",
        "Notizbuch",
        "synchronisieren",
        "teilen",
        "exportieren",
        "Schlagwörter",
        "Suche",
        "Team",
        "Konto",
        "Gerät",
        "Sicherung",
        "Erinnerung",
        "Vorlage",
        "offline",
        "Archiv",
        "Einstellungen",
        "Ihre",
        "mit",
        "und",
        "der",
        "schnell",
        "sicher",
        "jede",
        "neue",
    ],
    space: " ",
    stop: ".",
};

static SPANISH: Vocab = Vocab {
    words: &[
        "notas",
        "cuaderno",
        "sincronizar",
        "compartir",
        "exportar",
        "etiquetas",
        "búsqueda",
        "equipo",
        "cuenta",
        "dispositivo",
        "copia",
        "recordatorio",
        "plantilla",
        "sin conexión",
        "archivo",
        "ajustes",
        "tu",
        "con",
        "y",
        "el",
        "rápido",
        "seguro",
        "cada",
        "nuevo",
    ],
    space: " ",
    stop: ".",
};

static JAPANESE: Vocab = Vocab {
    words: &[
        "ノート",
        "ノートブック",
        "同期",
        "共有",
        "エクスポート",
        "タグ",
        "検索",
        "チーム",
        "アカウント",
        "デバイス",
        "バックアップ",
        "リマインダー",
        "テンプレート",
        "オフライン",
        "アーカイブ",
        "設定",
        "の",
        "と",
        "を",
        "に",
        "すばやく",
        "安全に",
        "新しい",
    ],
    space: "",
    stop: "。",
};

static ARABIC: Vocab = Vocab {
    words: &[
        "الملاحظات",
        "دفتر",
        "مزامنة",
        "مشاركة",
        "تصدير",
        "الوسوم",
        "البحث",
        "الفريق",
        "الحساب",
        "الجهاز",
        "نسخة احتياطية",
        "تذكير",
        "قالب",
        "دون اتصال",
        "الأرشيف",
        "الإعدادات",
        "مع",
        "و",
        "في",
        "بسرعة",
        "بأمان",
        "كل",
        "جديد",
    ],
    space: " ",
    stop: ".",
};
