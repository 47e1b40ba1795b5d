//! helpcenter: take an Intercom Help Center out of Intercom and back in.
//!
//! Data flows one way: loaders (`snapshot`, the Markdown [`tree`]) build one in-memory
//! [`model`]; renderers ([`site`]) and the pusher only read it. Only [`intercom`] talks to the API.

pub mod archive;
pub mod assets;
pub mod cli;
pub mod commands;
pub mod config;
pub mod durable;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod html;
pub mod intercom;
pub mod journal;
pub mod markdown;
pub mod memory;
pub mod merge;
pub mod model;
pub mod output;
pub mod pull;
pub mod push;
pub mod restore;
pub mod serve;
pub mod site;
pub mod snapshot;
pub mod tree;
pub mod verify;
