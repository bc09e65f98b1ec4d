//! Where a plan's new notes take their ids in the deck file's text (found by the parse, see
//! [`crate::deck_file::NotePlaces::id_slot`]), so that a finish whose only change to the file
//! is those ids writes them as lines ([`crate::edit::new_ids`]).

use super::base::fingerprint;
use crate::deck_file::DeckFile;
use crate::edit::new_ids::{insert_id_lines, NewIdLines};

/// The places, for the text the plan was made from. Empty for a plan that adds no notes.
#[derive(Debug, Clone, Default)]
pub struct IdSlots {
    /// The text's fingerprint: the places hold for that text only.
    text: u64,
    /// By file index: the place, and whether the note has a guid in the file.
    slots: Vec<Option<(usize, bool)>>,
}

impl IdSlots {
    pub fn of(text: &str, deck: &DeckFile) -> IdSlots {
        IdSlots {
            text: fingerprint(text),
            slots: deck
                .notes
                .iter()
                .map(|n| n.places.id_slot.map(|at| (at, n.guid.is_some())))
                .collect(),
        }
    }

    /// `text` with the added notes' ids (and guids) in it, or None when a note has no place
    /// or the text is not the one the places were found in.
    /// `added`: each note's file index, its new id and its guid.
    pub fn write<'a>(
        &self,
        text: &str,
        added: impl Iterator<Item = (usize, i64, &'a str)>,
    ) -> Option<String> {
        if self.slots.is_empty() || fingerprint(text) != self.text {
            return None;
        }
        let lines = added
            .map(|(index, note_id, guid)| {
                let (at, has_guid) = (*self.slots.get(index)?)?;
                Some(NewIdLines {
                    at,
                    note_id,
                    guid: (!has_guid).then_some(guid),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(insert_id_lines(text, lines))
    }
}

#[cfg(test)]
mod tests;
