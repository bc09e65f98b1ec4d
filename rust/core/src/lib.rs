//! ankitoml's core: everything that decides, nothing that touches Anki or Python.
//!
//! Where to find the rules:
//! - the deck-file format and its validation: [`deck_file`], [`parse`]
//! - format-preserving edits and atomic writes: [`edit`], [`atomic_write`]
//! - sync: plans, the three-way rules, note types: [`sync`]
//! - what an `.apkg` build warns about: [`package`]
//! - errors, each naming its place: [`error`]

pub mod atomic_write;
pub mod deck_file;
pub mod edit;
pub mod error;
pub mod export;
pub mod guid;
pub mod location;
pub mod markdown;
pub mod media_names;
pub mod media_refs;
pub mod notetype;
pub mod notetype_media;
pub mod options;
pub mod package;
pub mod parse;
pub mod sync;
pub mod template_check;

pub use deck_file::DeckFile;
pub use error::{Error, ParseError};
