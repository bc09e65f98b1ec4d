//! The deck file as plain data: what a `.toml` deck file says, after parsing and validation.
//!
//! The format is a superset of the seed tool's (`[package]`, `[[models]]`, `[[decks]]`,
//! `[[notes]]`, `[[media]]`); the additions (`id` on fields and templates, field options,
//! template browser formats) are optional. What a file does not say, a push does not change:
//! hence the many `Option`s.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::location::Location;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeckFile {
    pub package: Package,
    pub models: Vec<Model>,
    pub decks: Vec<Deck>,
    pub notes: Vec<Note>,
    pub media: Vec<Media>,
    /// Models that notes use but the file does not define: they must exist in the collection.
    pub external_models: Vec<String>,
    /// Decks that notes use but the file does not define: they must exist in the collection.
    pub external_decks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    pub version: Option<String>,
    pub author: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    Standard,
    Cloze,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub name: String,
    /// The Anki note type id, when the file was exported from a collection.
    pub id: Option<i64>,
    pub kind: ModelKind,
    pub fields: Vec<FieldDef>,
    pub templates: Vec<TemplateDef>,
    pub css: Option<String>,
    pub sort_field: Option<String>,
    pub markdown_fields: Vec<String>,
    pub location: Location,
}

impl Model {
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }

    pub fn is_markdown_field(&self, field: &str) -> bool {
        self.markdown_fields.iter().any(|f| f == field)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    pub name: String,
    /// Anki's field id (23.10+), a random signed 64-bit number.
    pub id: Option<i64>,
    pub description: Option<String>,
    pub font: Option<String>,
    pub size: Option<u32>,
    pub rtl: Option<bool>,
    pub sticky: Option<bool>,
}

impl FieldDef {
    pub fn named(name: &str) -> FieldDef {
        FieldDef {
            name: name.to_owned(),
            id: None,
            description: None,
            font: None,
            size: None,
            rtl: None,
            sticky: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateDef {
    pub name: String,
    /// Anki's template id (23.10+), a random signed 64-bit number.
    pub id: Option<i64>,
    pub front: String,
    pub back: String,
    pub browser_front: Option<String>,
    pub browser_back: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deck {
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// Position among the file's `[[notes]]`, which is how edits find the note again.
    pub index: usize,
    /// Where the note starts in the file, for messages.
    pub location: Location,
    pub deck: String,
    pub model: String,
    pub tags: Vec<String>,
    pub guid: Option<String>,
    pub note_id: Option<i64>,
    /// Field values as the file holds them (Markdown for `markdown_fields`), in file order.
    pub fields: IndexMap<String, String>,
    /// Where the note's values are, for messages that point at one of them.
    #[serde(skip)]
    pub places: NotePlaces,
}

/// Where a note's deck, model and field names are in the file it was parsed from. Not
/// serialised: the places only mean something for that text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NotePlaces {
    pub deck: Location,
    pub model: Location,
    pub fields: IndexMap<String, Location>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Media {
    /// The file name inside Anki's media folder.
    pub name: String,
    /// The file on disk, relative to the deck file's folder.
    pub path: String,
    /// Where the entry starts in the file it was parsed from (so a media error can point at
    /// it); absent for media that come from elsewhere (export).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl DeckFile {
    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.name == name)
    }
}

impl Note {
    /// The same note at the place `other` has in a file (tests compare notes across edits).
    pub fn placed_like(&self, other: &Note) -> Note {
        Note {
            location: other.location,
            places: other.places.clone(),
            ..self.clone()
        }
    }
}
