//! The Markdown tree: the help center as Hugo-compatible Markdown files that writers edit in git.
//!
//! ```text
//! content/<locale>/_index.md                               help center
//! content/<locale>/<collection-slug>/_index.md             collection
//! content/<locale>/<collection-slug>/<sub-slug>/_index.md  nested collection or section
//! content/<locale>/<collection-slug>/<id>-<slug>.md        article in that collection
//! content/<locale>/<id>-<slug>.md                          standalone article
//! content/assets/<sha256>.<ext>                            images and attachments the bodies use
//! content/.helpcenter/base.json                            what was exported (see [`BaseRecord`])
//! content/.helpcenter/bodies/<sha256>.json                 an article body, block by block
//!                                                          (see [`bodies`])
//! content/.helpcenter/assets.json                          which Intercom URL each asset stands for
//! ```
//! [`export`] writes a [`Workspace`](crate::model::Workspace) as such a tree; [`load`] reads a
//! tree back into the same model, so every renderer works from either source. Files are joined
//! into translations by their `id`; folder names are only where things are (a folder's
//! `_index.md` says which collection it is), never what they are called.
//!
//! # Front matter
//! YAML between `---` lines, with Hugo's keys: `title`, `description`, `id`, `locale`, `state`,
//! `draft` (only when true), `author_id`, `date`/`lastmod` (RFC 3339), `translationKey`,
//! `weight`, `url` (the page's path in the built site; informational, recomputed on load) and
//! `intercom_url`; groups add `kind` (`collection` or `section`), `icon` and, in a locale where
//! the group has no name but holds articles, `untranslated: true`; the help center's
//! `_index.md` adds `default_locale`, `identifier` and `custom_domain`. The YAML is read in
//! full (see `frontmatter.rs`): Hugo's own keys (`tags`, `aliases`, `params`, ...) are kept for
//! Hugo without a warning, and `push` writes ids into a file without touching its other keys.
//!
//! # Folder names
//! A group's folder is named after its slug in that locale; a group without a name there uses
//! the default locale's slug, then its id. Siblings whose names collide all get `-<id>`
//! appended (and `-<kind>-<id>` should that still collide), so a name depends only on the
//! siblings present, not on their order. Every path is checked in one place
//! (`layout::RelPath`) to be plain segments below the tree's root.
//!
//! # Writing over an existing tree
//! The tree is written into a hidden sibling and swapped into place when complete. What is
//! already there is replaced only if it is empty or a tree this tool wrote (it has
//! [`BASE_FILE`]) whose files still match their base hashes; local edits (modified, deleted or
//! added files) are refused with a list of them unless [`ExportOptions::force`] is set, and a
//! folder that is a git repository itself is never replaced.
//!
//! # Loading
//! [`load`] checks the whole tree before returning anything and reports every problem at once
//! (`path:line: message`, sorted). An article's body is put together from its body record
//! ([`bodies`]): unchanged blocks are the HTML they came from, byte for byte, edited and new
//! ones are rendered in the article's dialect (see [`crate::markdown`]). Values that belong to an object rather than to one
//! translation (its place, `weight`, and a group's `icon`, `date`, `lastmod`; the help center's
//! fields) may be set in any of its files and must agree where set more than once. `url` is
//! derived, so it is not read back; unknown keys and `_index.md` bodies are ignored with a
//! warning; symbolic links are refused.
//!
//! # New content
//! An article file or a collection `_index.md` without `id` is new: `helpcenter push` creates
//! it in Intercom and writes the id back. [`load`] leaves new articles out of the workspace
//! (with a warning), so a site built before the push simply lacks them: without an id there is
//! no stable page path to give them. [`load_with_new`] returns them, checked like every other
//! file: a new article must be in a collection's folder, a new collection at the top level or
//! in an existing collection, and nothing with an `id` may sit in a new collection's folder.

mod assets;
mod base;
pub mod base_text;
pub mod bodies;
pub mod conflicts;
pub(crate) mod export;
pub(crate) mod frontmatter;
pub(crate) mod layout;
mod load;
mod pending;
mod read;
mod record;
mod write;

pub use assets::{globalize, localize, AssetRecord, TreeAsset, ASSETS_FILE};
pub use base::{BaseEntry, BaseRecord, FileKind, LocalChanges};
pub use export::{
    article_document, article_markdown, export, export_with_assets, ExportOptions, ExportReport,
};
pub(crate) use frontmatter::{
    parse as parse_front_matter, with_id, Field as FrontMatterField, Value as FrontMatterValue,
};
pub use load::{
    load, load_with_new, warn_new_files, ArticleFile, ArticleReader, Conflict, Loaded, NewArticle,
    NewGroup, NewParent,
};
pub use pending::{MergeState, PendingMerge, MERGE_FILE};
pub(crate) use write::lock_tree;

/// The hidden folder of a tree that holds what the tool keeps about it.
pub const META_DIR: &str = ".helpcenter";
/// The base record, relative to the tree's root.
pub const BASE_FILE: &str = ".helpcenter/base.json";
/// Format tag of the base record; bumped on incompatible layout changes.
pub const FORMAT: &str = "helpcenter-tree/1";
/// The folders of a tree whose files are named by the sha256 of their bytes (body records and
/// base texts), relative to the tree's root. Only the tool writes them, and a file there never
/// changes: one is added or removed, as `base.json` (which names them) changes.
pub const CONTENT_ADDRESSED_DIRS: [&str; 2] = [bodies::BODIES_DIR, base_text::BASE_TEXT_DIR];
/// The file that describes its folder: the help center, a collection or a section.
pub const INDEX_FILE: &str = "_index.md";
