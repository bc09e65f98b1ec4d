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
    /// Deck id -> name, for notes handed over as [`NoteRow`]s rather than in `notes` (see
    /// [`notes_from_rows`]).
    #[serde(default)]
    pub deck_names: BTreeMap<i64, String>,
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

/// A note as Anki's `notes` table holds it, with the deck of its first card: what the add-on
/// reads in one query and hands over as it is (converting tens of thousands of notes to
/// dicts and JSON in Python cost more than the core's work on them).
#[derive(Debug, Clone, PartialEq)]
pub struct NoteRow {
    pub id: i64,
    pub guid: String,
    pub model_id: i64,
    /// Space-separated, as Anki stores them.
    pub tags: String,
    /// The field values joined by U+001F, in the note type's order.
    pub fields: String,
    pub deck_id: Option<i64>,
}

/// The rows as notes: fields named by their note type (`models`), the deck by its name. A
/// row of a note type not in `models` is left out; a deck id not in `deck_names` (a note
/// without cards) gives an empty deck name.
pub fn notes_from_rows(
    rows: Vec<NoteRow>,
    models: &[AnkiModel],
    deck_names: &BTreeMap<i64, String>,
) -> Vec<AnkiNote> {
    let by_id: BTreeMap<i64, &AnkiModel> = models.iter().map(|m| (m.id, m)).collect();
    rows.into_iter()
        .filter_map(|row| {
            let model = by_id.get(&row.model_id)?;
            let fields = model
                .fields
                .iter()
                .map(|f| f.name.clone())
                .zip(row.fields.split('\u{1f}').map(str::to_owned))
                .collect();
            Some(AnkiNote {
                id: row.id,
                guid: row.guid,
                model: model.name.clone(),
                deck: row
                    .deck_id
                    .and_then(|id| deck_names.get(&id).cloned())
                    .unwrap_or_default(),
                tags: row.tags.split_whitespace().map(str::to_owned).collect(),
                fields,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(id: i64, name: &str, fields: &[&str]) -> AnkiModel {
        AnkiModel {
            id,
            name: name.into(),
            kind: ModelKind::Standard,
            fields: fields
                .iter()
                .enumerate()
                .map(|(ord, f)| AnkiPart {
                    name: (*f).into(),
                    id: None,
                    ord,
                    options: Options::default(),
                })
                .collect(),
            templates: vec![],
            css: String::new(),
            sort_field: 0,
            original_id: None,
            options: Options::default(),
        }
    }

    fn row(id: i64, model_id: i64, fields: &str, deck_id: Option<i64>) -> NoteRow {
        NoteRow {
            id,
            guid: format!("g{id}"),
            model_id,
            tags: " one  two ".into(),
            fields: fields.into(),
            deck_id,
        }
    }

    #[test]
    fn rows_become_notes_named_by_their_note_type_and_deck() {
        let models = [model(7, "Basic", &["Front", "Back"])];
        let decks = BTreeMap::from([(1, "Default".to_string()), (2, "A::B".to_string())]);
        let notes = notes_from_rows(
            vec![
                row(10, 7, "f\u{1f}b <i>x</i>", Some(2)),
                row(11, 99, "of a note type not asked for", Some(1)),
                row(12, 7, "only front", None),
            ],
            &models,
            &decks,
        );
        assert_eq!(notes.len(), 2);
        assert_eq!(
            (notes[0].model.as_str(), notes[0].deck.as_str()),
            ("Basic", "A::B")
        );
        assert_eq!(notes[0].tags, ["one", "two"]);
        assert_eq!(
            notes[0].fields.iter().collect::<Vec<_>>(),
            [
                (&"Front".to_string(), &"f".to_string()),
                (&"Back".to_string(), &"b <i>x</i>".to_string())
            ]
        );
        assert_eq!((notes[1].id, notes[1].deck.as_str()), (12, ""));
        assert_eq!(notes[1].fields.len(), 1);
    }
}
