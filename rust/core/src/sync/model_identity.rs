//! Which Anki note type a file's model is, by the rules of Anki's own `.apkg` importer, so a
//! deck shared from one collection keeps its note type apart in another.
//!
//! Anki's importer looks an incoming note type up by id only. When no note type has the id, it
//! adds the incoming one keeping its id, and if the name is taken it appends `+` until the name
//! is free. When an earlier import had to make a copy under a new id, the copy records the
//! incoming id as its original id, and later imports find the copy by that.
//!
//! Here a model with an `id` is the note type with that id, else the copy whose original id it
//! is, else the note type of the same name if the two are compatible (every field and template
//! matches in order, by Anki's merge rule); if they are not (the stock "Basic" of two
//! collections: same names, other ids), the model is created apart, keeping its id, under a name
//! of its own. A model without an `id` is matched by name, as before. The file keeps its own
//! model name: the mapping is by id, and the names Anki uses are put back only in what goes to
//! Anki ([`Identities::to_anki`]).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use super::models::parts_match;
use super::plan::{AnkiChanges, SyncRequest};
use super::snapshot::{AnkiModel, AnkiSnapshot};
use crate::deck_file::{DeckFile, Model};

/// The Anki note type `model` is, if the collection has it.
pub fn existing<'a>(anki: &'a AnkiSnapshot, model: &Model) -> Option<&'a AnkiModel> {
    if let Some(id) = model.id {
        let by_id = anki.models.iter().find(|m| m.id == id);
        let copy = || anki.models.iter().find(|m| m.original_id == Some(id));
        if let Some(found) = by_id.or_else(copy) {
            return Some(found);
        }
    }
    anki.models
        .iter()
        .find(|m| m.name == model.name)
        .filter(|same_name| model.id.is_none() || compatible(model, same_name))
}

/// Anki's importer's test for one note type standing for another: as many fields and
/// templates, each matching the other's at the same place.
fn compatible(model: &Model, anki: &AnkiModel) -> bool {
    model.fields.len() == anki.fields.len()
        && model.templates.len() == anki.templates.len()
        && model
            .fields
            .iter()
            .zip(&anki.fields)
            .all(|(f, a)| parts_match(&f.name, f.id, &a.name, a.id))
        && model
            .templates
            .iter()
            .zip(&anki.templates)
            .all(|(t, a)| parts_match(&t.name, t.id, &a.name, a.id))
}

/// The name Anki's importer gives a note type whose name is taken.
fn free_name(name: &str, taken: &HashSet<String>) -> String {
    let mut candidate = name.to_owned();
    while taken.contains(&candidate) {
        candidate.push('+');
    }
    candidate
}

/// For each of the file's models whose Anki note type has another name: the name Anki uses.
#[derive(Debug, Default)]
pub struct Identities {
    /// File name -> Anki name, for models that exist in Anki under another name.
    existing: BTreeMap<String, String>,
    /// File name -> Anki name, for models to be created apart.
    created: BTreeMap<String, String>,
}

impl Identities {
    pub fn of(deck: &DeckFile, anki: &AnkiSnapshot) -> Identities {
        let mut taken: HashSet<String> = anki.note_types.iter().map(|t| t.name.clone()).collect();
        taken.extend(anki.models.iter().map(|m| m.name.clone()));
        let mut out = Identities::default();
        for model in &deck.models {
            match existing(anki, model) {
                // Matched by id under another name: a rename, unless the file's name belongs
                // to another note type (then the two stay apart, each with its own name).
                Some(found) if found.name != model.name && taken.contains(&model.name) => {
                    out.existing.insert(model.name.clone(), found.name.clone());
                }
                Some(_) => {}
                None => {
                    let anki_name = free_name(&model.name, &taken);
                    if anki_name != model.name {
                        out.created.insert(model.name.clone(), anki_name.clone());
                    }
                    // Two models created in one push get different names.
                    taken.insert(anki_name);
                }
            }
        }
        out
    }

    fn is_empty(&self) -> bool {
        self.existing.is_empty() && self.created.is_empty()
    }

    /// The request as the file sees the collection: each note type the file's models map to
    /// under another name carries the file's name, and the note type that holds that name in
    /// Anki is left out (its notes, if the file's decks have any, show the note type's id).
    pub fn file_view<'r>(&self, req: &'r SyncRequest) -> Cow<'r, SyncRequest> {
        if self.existing.is_empty() {
            return Cow::Borrowed(req);
        }
        let mut req = req.clone();
        let to_file: BTreeMap<&str, &str> = self
            .existing
            .iter()
            .map(|(file, anki)| (anki.as_str(), file.as_str()))
            .collect();
        let mut renamed: BTreeMap<String, String> = BTreeMap::new();
        for m in &mut req.anki.models {
            if let Some(file) = to_file.get(m.name.as_str()) {
                renamed.insert(m.name.clone(), (*file).to_owned());
                m.name = (*file).to_owned();
            } else if self.existing.contains_key(&m.name) {
                let apart = format!("{} (note type {})", m.name, m.id);
                renamed.insert(m.name.clone(), apart.clone());
                m.name = apart;
            }
        }
        for note in &mut req.anki.notes {
            if let Some(name) = renamed.get(&note.model) {
                note.model = name.clone();
            }
        }
        Cow::Owned(req)
    }

    /// Put the names Anki uses into what goes to Anki.
    pub fn to_anki(&self, changes: &mut AnkiChanges) {
        if self.is_empty() {
            return;
        }
        let anki_name = |file: &str| {
            self.existing
                .get(file)
                .or_else(|| self.created.get(file))
                .cloned()
        };
        for model in &mut changes.create_models {
            if let Some(name) = anki_name(&model.name) {
                model.name = name;
            }
        }
        for update in &mut changes.update_models {
            if let Some(name) = anki_name(&update.name) {
                update.name = name;
            }
        }
        for note in &mut changes.add_notes {
            if let Some(name) = anki_name(&note.model) {
                note.model = name;
            }
        }
    }
}
