//! The content of a fake Intercom workspace: help centers, collections, sections and articles, each
//! kept as the raw JSON object the real API returns, so unknown fields survive untouched.
//!
//! Workspaces come from fixtures on disk ([`Workspace::load`]), from a seeded generator
//! ([`Workspace::generated`]) or start [`Workspace::empty`].
//!
//! Fixture layout, `tests/fixtures/workspaces/<name>/`:
//! ```text
//! workspace.json            {"shape": "nested" | "sections-2.9"}, optionally "generate": {GeneratedSpec}
//! help_centers/<id>.json    one pretty JSON object per file, exactly as the API returns it
//! collections/<id>.json
//! sections/<id>.json        "sections-2.9" workspaces only
//! articles/<id>.json
//! ```
//! A `workspace.json` with a `generate` object describes a generated workspace instead of listing
//! files, so big workspaces need not be stored (see [`GeneratedSpec`]).

mod generated;

use std::cmp::Ordering;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{json, Value};

pub use generated::GeneratedSpec;

/// How a workspace stores its groups, which is also the API version family it was written with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum Shape {
    /// API 2.10 and later: collections nest (`parent_id`, `help_center_id`); there are no sections.
    #[default]
    #[serde(rename = "nested")]
    Nested,
    /// API 2.9: flat collections, with sections (`type: "section"`, `parent_id` = their collection).
    #[serde(rename = "sections-2.9")]
    Sections29,
}

impl Shape {
    /// The name used in `workspace.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Nested => "nested",
            Shape::Sections29 => "sections-2.9",
        }
    }
}

/// Everything a fake Intercom workspace holds, each list sorted by id (numerically).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Workspace {
    /// The version family the objects below are written in.
    pub shape: Shape,
    /// `help_center` objects.
    pub help_centers: Vec<Value>,
    /// `collection` objects (nested or flat, per `shape`).
    pub collections: Vec<Value>,
    /// `section` objects; always empty for [`Shape::Nested`].
    pub sections: Vec<Value>,
    /// `article` objects, with their whole `translated_content` (and `statistics`, which the fake
    /// leaves out of list answers as the real API does).
    pub articles: Vec<Value>,
}

/// What `workspace.json` says.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    shape: Shape,
    generate: Option<GeneratedSpec>,
}

/// The kinds of objects, with the directory each is stored in.
const KINDS: [&str; 4] = ["help_centers", "collections", "sections", "articles"];

impl Workspace {
    /// Loads the fixture workspace `tests/fixtures/workspaces/<name>/`. Panics with a clear message
    /// when it is missing or malformed: fixtures are part of the test suite.
    pub fn load(name: &str) -> Workspace {
        Self::load_dir(&Self::fixture_dir(name))
    }

    /// The directory of the fixture workspace `name`.
    pub fn fixture_dir(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/workspaces")
            .join(name)
    }

    /// Loads a workspace stored in the fixture layout at `dir`.
    pub fn load_dir(dir: &Path) -> Workspace {
        let manifest: Manifest = serde_json::from_value(read_json(&dir.join("workspace.json")))
            .unwrap_or_else(|e| panic!("{}/workspace.json: {e}", dir.display()));
        if let Some(spec) = manifest.generate {
            return Self::generated(&GeneratedSpec {
                shape: manifest.shape,
                ..spec
            });
        }
        let [help_centers, collections, sections, articles] =
            KINDS.map(|kind| read_objects(&dir.join(kind)));
        Workspace {
            shape: manifest.shape,
            help_centers,
            collections,
            sections,
            articles,
        }
    }

    /// A nested workspace with nothing in it, not even a help center.
    pub fn empty() -> Workspace {
        Workspace::default()
    }

    /// A new workspace with one empty help center (77, at `https://help.new.test`), as a
    /// restore target.
    pub fn with_empty_help_center() -> Workspace {
        Workspace {
            help_centers: vec![json!({
                "id": "77", "workspace_id": "n3wsp4ce", "created_at": 1760000000,
                "updated_at": 1760000000, "identifier": "acme-new", "website_turned_on": true,
                "display_name": "Acme Notes Help Center", "url": "https://help.new.test",
                "custom_domain": "help.new.test"
            })],
            ..Workspace::empty()
        }
    }

    /// A workspace generated from `spec`: the same spec always gives the same workspace.
    pub fn generated(spec: &GeneratedSpec) -> Workspace {
        generated::generate(spec)
    }

    /// Writes the workspace in the fixture layout into `dir` (created if needed), for tests that
    /// need a variant of a fixture on disk.
    pub fn write_dir(&self, dir: &Path) {
        let manifest = json!({ "shape": self.shape.as_str() });
        write_json(&dir.join("workspace.json"), &manifest);
        for (kind, objects) in KINDS.iter().zip(self.lists()) {
            for object in objects {
                let id = id_of(object).expect("every object has an id");
                write_json(&dir.join(kind).join(format!("{id}.json")), object);
            }
        }
    }

    /// The help center with this id.
    pub fn help_center(&self, id: &str) -> Option<&Value> {
        find(&self.help_centers, id)
    }

    /// The collection with this id.
    pub fn collection(&self, id: &str) -> Option<&Value> {
        find(&self.collections, id)
    }

    /// The section with this id.
    pub fn section(&self, id: &str) -> Option<&Value> {
        find(&self.sections, id)
    }

    /// The article with this id.
    pub fn article(&self, id: &str) -> Option<&Value> {
        find(&self.articles, id)
    }

    /// The article with this id, to change it (tests use this to simulate edits made in Intercom).
    pub fn article_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.articles
            .iter_mut()
            .find(|a| id_of(a).as_deref() == Some(id))
    }

    /// The four object lists, in the order of [`KINDS`].
    fn lists(&self) -> [&Vec<Value>; 4] {
        [
            &self.help_centers,
            &self.collections,
            &self.sections,
            &self.articles,
        ]
    }
}

/// An object's `id` as text, whether the API sent it as a string or a number.
pub fn id_of(object: &Value) -> Option<String> {
    id_text(object.get("id")?)
}

/// A string or integer id as text; `None` for null and other types.
pub fn id_text(id: &Value) -> Option<String> {
    match id {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Orders ids numerically when both are numbers (`"9" < "10"`), as text otherwise.
pub fn compare_ids(a: &str, b: &str) -> Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ => a.cmp(b),
    }
}

/// Sorts objects by id, numerically.
pub fn sort_by_id(objects: &mut [Value]) {
    objects
        .sort_by(|a, b| compare_ids(&id_of(a).unwrap_or_default(), &id_of(b).unwrap_or_default()));
}

fn find<'a>(objects: &'a [Value], id: &str) -> Option<&'a Value> {
    objects.iter().find(|o| id_of(o).as_deref() == Some(id))
}

/// Reads every `<id>.json` of a kind directory; a missing directory is an empty list.
fn read_objects(dir: &Path) -> Vec<Value> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut objects: Vec<Value> = entries
        .map(|entry| entry.expect("readable fixture directory").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| read_object(&path))
        .collect();
    sort_by_id(&mut objects);
    objects
}

/// Reads one object and checks that its file is named after its id, so fixtures cannot drift.
fn read_object(path: &Path) -> Value {
    let object = read_json(path);
    let stem = path.file_stem().and_then(|s| s.to_str());
    assert_eq!(
        id_of(&object).as_deref(),
        stem,
        "{}: file name and id differ",
        path.display()
    );
    object
}

fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write_json(path: &Path, value: &Value) {
    fs::create_dir_all(path.parent().expect("a file inside a directory"))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = serde_json::to_string_pretty(value).expect("JSON values serialise");
    text.push('\n');
    fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
