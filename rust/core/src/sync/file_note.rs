//! An Anki note as a deck file writes it: the one conversion export and a pull both use, so a
//! note pulled into a file reads exactly as the same note exported.

use indexmap::IndexMap;

use super::base::{BaseNote, SidePair};
use super::field_values::FieldFormat;
use super::snapshot::AnkiNote;
use crate::deck_file::Note;
use crate::location::Location;

/// The file's note for `anki` and the base entry recording that both sides now agree.
///
/// `guid` is the guid to write (`None` when an earlier note in the file has the same one:
/// the note is then found by its note_id); `format(field)` says how each field is stored.
pub fn file_note(
    anki: &AnkiNote,
    guid: Option<String>,
    format: impl Fn(&str) -> FieldFormat,
) -> (Note, BaseNote) {
    let fields: IndexMap<String, String> = anki
        .fields
        .iter()
        .map(|(name, html)| (name.clone(), format(name).to_file(html)))
        .collect();
    let base = BaseNote {
        deck: Some(anki.deck.clone()),
        tags: Some(anki.tags.clone()),
        fields: anki
            .fields
            .iter()
            .map(|(name, html)| (name.clone(), SidePair::of(&fields[name], html)))
            .collect(),
    };
    let note = Note {
        // A note not yet in the file: it has no index and no place.
        index: usize::MAX,
        location: Location { line: 0, column: 0 },
        deck: anki.deck.clone(),
        model: anki.model.clone(),
        tags: anki.tags.clone(),
        guid,
        note_id: Some(anki.id),
        fields,
        places: Default::default(),
    };
    (note, base)
}
