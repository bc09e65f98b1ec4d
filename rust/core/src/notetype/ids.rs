//! Giving IDs to the fields and templates of a note type that lack one ("Add IDs").
//!
//! An ID is a random signed 64-bit number, as Anki makes them. Within one note type an ID is
//! never 0 and never used twice: not by another field, not by a template, not by an ID the note
//! type already had. Parts that already have an ID keep it untouched.

use std::collections::HashSet;

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::shape::{NoteTypeShape, Part};

/// What "Add IDs" did to one note type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdAssignment {
    /// The note type with every field and template carrying an ID.
    pub notetype: NoteTypeShape,
    pub fields_added: usize,
    pub fields_total: usize,
    pub templates_added: usize,
    pub templates_total: usize,
}

impl IdAssignment {
    pub fn added_any(&self) -> bool {
        self.fields_added + self.templates_added > 0
    }

    /// The report shown to the user.
    pub fn message(&self) -> String {
        if !self.added_any() {
            return "All fields and templates already have IDs.".to_string();
        }
        format!(
            "Added IDs to {} of {} fields and {} of {} templates of note type {}",
            self.fields_added,
            self.fields_total,
            self.templates_added,
            self.templates_total,
            self.notetype.name
        )
    }
}

/// Adds IDs from the thread's random generator.
pub fn assign_ids(notetype: &NoteTypeShape) -> IdAssignment {
    assign_ids_with(notetype, &mut rand::rng())
}

/// Adds IDs drawn from `rng` (a seeded one makes tests repeatable).
pub fn assign_ids_with<R: Rng + ?Sized>(notetype: &NoteTypeShape, rng: &mut R) -> IdAssignment {
    let mut taken: HashSet<i64> = notetype
        .fields
        .iter()
        .chain(&notetype.templates)
        .filter_map(|part| part.id)
        .collect();
    let mut result = notetype.clone();
    let fields_added = fill_missing(&mut result.fields, &mut taken, rng);
    let templates_added = fill_missing(&mut result.templates, &mut taken, rng);
    IdAssignment {
        fields_total: result.fields.len(),
        templates_total: result.templates.len(),
        notetype: result,
        fields_added,
        templates_added,
    }
}

fn fill_missing<R: Rng + ?Sized>(
    parts: &mut [Part],
    taken: &mut HashSet<i64>,
    rng: &mut R,
) -> usize {
    let mut added = 0;
    for part in parts.iter_mut().filter(|part| part.id.is_none()) {
        part.id = Some(fresh_id(taken, rng));
        added += 1;
    }
    added
}

fn fresh_id<R: Rng + ?Sized>(taken: &mut HashSet<i64>, rng: &mut R) -> i64 {
    loop {
        // Reinterpreting all 64 random bits covers the whole signed range, as Anki's IDs do.
        let candidate = rng.next_u64() as i64;
        if candidate != 0 && taken.insert(candidate) {
            return candidate;
        }
    }
}
