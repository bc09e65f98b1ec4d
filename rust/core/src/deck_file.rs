//! The deck file as plain data: what a `.toml` deck file says, after parsing and validation.
//!
//! The format is a superset of the seed tool's (`[package]`, `[[models]]`, `[[decks]]`,
//! `[[notes]]`, `[[media]]`); the additions (ids, `[models.field_settings]`, note-type and
//! template settings, see [`crate::options`]) are optional, and live in keys the seed tool
//! ignores, so the files ankitoml writes still load there. What a file does not say, a push
//! does not change: hence the many `Option`s.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::error::ParseError;
use crate::location::Location;
use crate::options::Options;

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
    /// What the file says that ankitoml ignores or doubts (unknown keys, an unknown
    /// `model_type`), each with its place; `--strict` refuses a file that has any. Handed over
    /// as their messages (`file:line:column: ...`).
    #[serde(default, skip_deserializing, serialize_with = "as_messages")]
    pub warnings: Vec<ParseError>,
}

fn as_messages<S: serde::Serializer>(warnings: &[ParseError], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(warnings.iter().map(ToString::to_string))
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
    /// Anki's stock Image Occlusion note type (23.10+): a cloze note type that Anki's image
    /// occlusion editor recognises (`originalStockKind`).
    ImageOcclusion,
}

impl ModelKind {
    /// Cards from cloze numbers rather than one per template.
    pub fn is_cloze(self) -> bool {
        matches!(self, ModelKind::Cloze | ModelKind::ImageOcclusion)
    }

    /// The file's `model_type` value; `None` for standard, which files leave out.
    pub fn file_name(self) -> Option<&'static str> {
        match self {
            ModelKind::Standard => None,
            ModelKind::Cloze => Some("cloze"),
            ModelKind::ImageOcclusion => Some("image_occlusion"),
        }
    }
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
    /// Note-type settings the file gives (LaTeX header and footer, SVG), by Anki's key.
    #[serde(default)]
    pub options: Options,
    pub location: Location,
}

impl Model {
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }

    pub fn is_markdown_field(&self, field: &str) -> bool {
        self.markdown_fields.iter().any(|f| f == field)
    }

    /// Gives the model, its fields and its templates the ids they lack, never replacing one
    /// they have: the file's ids are the user's. `field_id(i, field)` and
    /// `template_id(i, template)` say which id the i-th part gets, if any.
    pub fn fill_missing_ids(
        &mut self,
        id: Option<i64>,
        field_id: impl Fn(usize, &FieldDef) -> Option<i64>,
        template_id: impl Fn(usize, &TemplateDef) -> Option<i64>,
    ) {
        self.id = self.id.or(id);
        for (i, field) in self.fields.iter_mut().enumerate() {
            if field.id.is_none() {
                field.id = field_id(i, field);
            }
        }
        for (i, template) in self.templates.iter_mut().enumerate() {
            if template.id.is_none() {
                template.id = template_id(i, template);
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    pub name: String,
    /// Anki's field id (23.10+), a random signed 64-bit number.
    pub id: Option<i64>,
    /// The field's editor settings the file gives (font, size, ...), by Anki's key.
    #[serde(default)]
    pub options: Options,
}

impl FieldDef {
    pub fn named(name: &str) -> FieldDef {
        FieldDef {
            name: name.to_owned(),
            id: None,
            options: Options::new(),
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
    /// The browser's appearance formats the file gives, by Anki's key.
    #[serde(default)]
    pub options: Options,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deck {
    pub name: String,
    pub description: Option<String>,
    /// Anki's deck id, as the seed tool's files may carry it; kept, not used to match.
    #[serde(default)]
    pub id: Option<i64>,
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
    pub note_id: Option<Location>,
    pub fields: IndexMap<String, Location>,
    /// For a note without `note_id` in a `[[notes]]` table: the byte offset of the line after
    /// its `guid` (or, without one, its `model`), where its new id goes (see
    /// [`crate::edit::new_ids`]). None where the note is laid out otherwise.
    pub id_slot: Option<usize>,
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
