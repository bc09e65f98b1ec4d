//! Errors, one enum per concern. Every deck-file problem names `file:line:column`.
//!
//! The Python binding maps [`Error`]'s variants, in one place, onto one exception family
//! (`AnkitomlError` and its subclasses), so callers catch one thing and show its message.

use serde::Serialize;
use thiserror::Error as ThisError;

use crate::location::Location;

/// What is wrong with a deck file at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ThisError)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ParseProblem {
    /// TOML syntax, a missing required key or a value of the wrong type.
    #[error("{message}")]
    Syntax { message: String },
    #[error("note uses field '{field}', which model '{model}' does not have (it has: {known})")]
    UnknownField {
        field: String,
        model: String,
        known: String,
    },
    #[error("markdown_fields names '{field}', which model '{model}' does not have")]
    UnknownMarkdownField { field: String, model: String },
    #[error("sort_field names '{field}', which model '{model}' does not have")]
    UnknownSortField { field: String, model: String },
    #[error("note_id {note_id} is used twice in this file (first at line {first_line})")]
    DuplicateNoteId { note_id: i64, first_line: usize },
    #[error("guid '{guid}' is used twice in this file (first at line {first_line})")]
    DuplicateGuid { guid: String, first_line: usize },
    #[error("model '{name}' is defined twice in this file (first at line {first_line})")]
    DuplicateModel { name: String, first_line: usize },
    #[error("model id {id} is used twice in this file (first at line {first_line})")]
    DuplicateModelId { id: i64, first_line: usize },
    #[error("deck '{name}' is defined twice in this file (first at line {first_line})")]
    DuplicateDeck { name: String, first_line: usize },
    #[error("model '{model}' has field '{field}' twice")]
    DuplicateField { model: String, field: String },
    #[error("model '{model}' has template '{template}' twice")]
    DuplicateTemplate { model: String, template: String },
    #[error("field or template id {id} is used twice in model '{model}'")]
    DuplicateId { model: String, id: i64 },
    #[error("model '{model}' has no fields")]
    NoFields { model: String },
    #[error("model '{model}' has no templates")]
    NoTemplates { model: String },
    #[error(
        "cloze model '{model}' has no cloze field in its template: \
         put {{{{cloze:FieldName}}}} on the front"
    )]
    ClozeWithoutClozeField { model: String },
    /// A card template Anki would refuse; `message` is in Anki's words.
    #[error("model '{model}', template '{template}', {side}: {message}")]
    Template {
        model: String,
        template: String,
        side: String,
        message: String,
    },
    #[error("cloze model '{model}' must have exactly one template, it has {count}")]
    ClozeTemplateCount { model: String, count: usize },
    /// A warning: the seed tool takes such a note type as standard, and so does ankitoml.
    #[error(
        "model_type '{found}' is not one ankitoml knows (\"standard\", \"cloze\", \
         \"image_occlusion\"); the note type is taken as standard"
    )]
    UnknownModelType { found: String },
    /// A warning: a key nothing reads, most often a typo.
    #[error("unknown key `{key}` in {table}{}", did_you_mean(suggestion.as_deref()))]
    UnknownKey {
        key: String,
        table: String,
        suggestion: Option<String>,
    },
    #[error(
        "field_settings names field '{field}', which model '{model}' does not have{}",
        did_you_mean(suggestion.as_deref())
    )]
    UnknownFieldSetting {
        field: String,
        model: String,
        suggestion: Option<String>,
    },
    #[error("`{key}` must be {expected}")]
    WrongOptionType { key: String, expected: String },
    #[error(
        "field '{field}' gives `{key}` twice, differently: in `fields` and in \
         [models.field_settings]"
    )]
    OptionGivenTwice { field: String, key: String },
    #[error(
        "note_id {note_id} cannot be an Anki note id: {reason} (note ids are creation times \
         in milliseconds, 1 to {max})",
        max = MAX_NOTE_ID
    )]
    ImpossibleNoteId { note_id: i64, reason: String },
    /// A warning: the note is found by its content or added as a new one, and the file gets
    /// the id Anki has for it.
    #[error(
        "note_id {note_id} is not in the collection: the note is matched by its content or \
         taken as new, and a push gives it the collection's note_id"
    )]
    NoteIdNotInCollection { note_id: i64 },
    #[error("{what} must not be empty")]
    Empty { what: String },
    #[error(
        "note uses model '{model}', which is defined neither in this file nor in the collection"
    )]
    ModelNotFound { model: String },
    #[error(
        "note uses deck '{deck}', which is defined neither in this file nor in the collection"
    )]
    DeckNotFound { deck: String },
    #[error(
        "note is of note type '{anki_model}' in Anki, not '{model}' as the file says (same \
         note_id or guid); change the note's type in Anki or the model in the file"
    )]
    OtherNoteType { model: String, anki_model: String },
    #[error(
        "model '{model}': the front side of template '{template}' is identical to card \
         template {number} ('{other}'); Anki refuses that (change one front, or put {{{{Card}}}} \
         in both)"
    )]
    IdenticalFront {
        model: String,
        template: String,
        number: usize,
        other: String,
    },
    #[error("note is the same Anki note as the note at line {first_line} (same note_id or guid)")]
    SameAnkiNote { first_line: usize },
}

/// The largest `note_id` taken as an Anki note id: 1 January 3000 in milliseconds. Anki's
/// note ids are creation times in milliseconds (bumped by one on a clash), so anything
/// larger is a typo or a number from elsewhere.
pub const MAX_NOTE_ID: i64 = 32_503_680_000_000;

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
}

/// Why a sync stops before changing anything.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
pub enum SyncError {
    /// The strategy was `fail` and notes changed on both sides.
    #[error("{} conflict(s); nothing was changed (strategy 'fail'):\n{}", details.len(), details.join("\n"))]
    Conflicts { details: Vec<String> },
    /// The file changes note types in ways that force a one-way sync with AnkiWeb.
    #[error(
        "these note-type changes force a one-way sync with AnkiWeb; nothing was changed. \
         Run again with --allow-schema-change to apply them:\n{}",
        changes.join("\n")
    )]
    SchemaChange { changes: Vec<String> },
}

/// Why two note types cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ThisError)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MergeError {
    /// The kinds are `"standard"` or `"cloze"` (strings, so that errors depend on nothing).
    #[error(
        "note type '{incoming}' is {incoming_kind} and '{existing}' is {existing_kind}: \
         Anki never merges a cloze note type with a standard one"
    )]
    KindMismatch {
        existing: String,
        existing_kind: &'static str,
        incoming: String,
        incoming_kind: &'static str,
    },
}

/// An export asked for something the collection's notes do not have.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
pub enum ExportError {
    #[error(
        "Markdown field {model}:{field}: the exported notes have no such field (their note \
         types' fields: {known})"
    )]
    UnknownMarkdownField {
        model: String,
        field: String,
        known: String,
    },
}

/// A problem with a deck file, with its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ThisError)]
#[error("{path}:{location}: {problem}")]
pub struct ParseError {
    pub path: String,
    pub location: Location,
    pub problem: ParseProblem,
}

/// Every error the core returns.
#[derive(Debug, ThisError)]
pub enum Error {
    /// The deck file is not valid; all problems found, in file order.
    #[error("{}", join_lines(.0))]
    DeckFile(Vec<ParseError>),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// Two note types that Anki would refuse to merge.
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// An export asked for something the collection's notes do not have.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// Data handed across the binding was not of the expected shape: a bug, not a user error.
    #[error("internal: malformed input to the core: {0}")]
    BadInput(String),
}

fn join_lines(errors: &[ParseError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    pub fn io(path: &std::path::Path, err: &std::io::Error) -> Error {
        Error::Io {
            path: path.display().to_string(),
            message: err.to_string(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
