//! What the Python side reads from the collection and hands to the core: plain data, HTML
//! field values as Anki stores them.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::deck_file::ModelKind;
use crate::options::{OptionDefaults, Options};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AnkiSnapshot {
    /// The notes in the file's decks (with subdecks), those the file or the base names by id,
    /// and those whose guid the file names.
    pub notes: Vec<AnkiNote>,
    /// Every note type the file's notes or models name.
    pub models: Vec<AnkiModel>,
    /// Every deck name in the collection.
    pub decks: Vec<String>,
    /// Deck name -> description, for the decks that have one.
    #[serde(default)]
    pub deck_descriptions: BTreeMap<String, String>,
    /// What this Anki gives new note types, fields and templates (see [`crate::options`]).
    #[serde(default)]
    pub option_defaults: OptionDefaults,
    /// Every note type in the collection, by id and name (to name a new one as Anki would).
    #[serde(default)]
    pub note_types: Vec<NoteTypeName>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteTypeName {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnkiNote {
    pub id: i64,
    pub guid: String,
    pub model: String,
    /// The deck of the note's first card.
    pub deck: String,
    pub tags: Vec<String>,
    /// Field name -> HTML, in the note type's order.
    pub fields: IndexMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnkiModel {
    pub id: i64,
    pub name: String,
    pub kind: ModelKind,
    pub fields: Vec<AnkiPart>,
    pub templates: Vec<AnkiTemplate>,
    pub css: String,
    /// Index into `fields`.
    pub sort_field: usize,
    /// Set when Anki recorded that this note type came from an import.
    #[serde(default)]
    pub original_id: Option<i64>,
    /// The note type's settings, by Anki's key (those this Anki has).
    #[serde(default)]
    pub options: Options,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnkiPart {
    pub name: String,
    pub id: Option<i64>,
    pub ord: usize,
    /// A field's settings, by Anki's key.
    #[serde(default)]
    pub options: Options,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnkiTemplate {
    pub name: String,
    pub id: Option<i64>,
    pub ord: usize,
    pub front: String,
    pub back: String,
    /// The browser formats, by Anki's key.
    #[serde(default)]
    pub options: Options,
}
