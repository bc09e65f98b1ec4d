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

/// What the file calls a note type whose name one of the file's models takes (a pull writes it
/// so if the file's decks have notes of it); such a model is never a rename of it.
fn shadowed_name(name: &str, id: i64) -> String {
    format!("{name} (note type {id})")
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
                Some(found)
                    if found.name != model.name
                        && (taken.contains(&model.name)
                            || model.name == shadowed_name(&found.name, found.id)) =>
                {
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

    /// For the report: the models created apart, under another name in Anki. (One found again
    /// under another name is no change, so it is not reported.)
    pub fn describe(&self) -> Vec<String> {
        self.created
            .iter()
            .map(|(file, anki)| {
                format!(
                    "note type '{file}' is created apart as '{anki}', keeping its id: Anki's \
                     '{file}' is another note type (its fields and templates do not match)"
                )
            })
            .collect()
    }

    fn is_empty(&self) -> bool {
        self.existing.is_empty() && self.created.is_empty()
    }

    /// The request as the file sees the collection: each note type the file's models map to
    /// under another name carries the file's name, and the note type that holds that name in
    /// Anki goes by [`shadowed_name`] (seen only if the file's decks have notes of it).
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
                let apart = shadowed_name(&m.name, m.id);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck_file::ModelKind;
    use crate::parse::parse_deck_file;
    use crate::sync::snapshot::{AnkiPart, AnkiTemplate};

    /// A file with one model "Basic" of fields Front/Back (ids 11, 12) and template id 13.
    fn file(model_id: Option<i64>) -> DeckFile {
        let id = model_id.map_or(String::new(), |id| format!("id = {id}\n"));
        let text = format!(
            "[package]\nname = \"p\"\n\n[[models]]\nname = \"Basic\"\n{id}fields = [\
             {{ name = \"Front\", id = 11 }}, {{ name = \"Back\", id = 12 }}]\n\n\
             [[models.templates]]\nname = \"Card 1\"\nid = 13\nfront = \"{{{{Front}}}}\"\n\
             back = \"{{{{Back}}}}\"\n"
        );
        parse_deck_file("t.toml", &text).unwrap()
    }

    /// An Anki "Basic" whose field ids are `fields` (the template's id is the first plus 2).
    fn anki_basic(id: i64, name: &str, fields: [i64; 2]) -> AnkiModel {
        let part = |name: &str, id, ord| AnkiPart {
            name: name.into(),
            id: Some(id),
            ord,
            options: Default::default(),
        };
        AnkiModel {
            id,
            name: name.into(),
            kind: ModelKind::Standard,
            fields: vec![part("Front", fields[0], 0), part("Back", fields[1], 1)],
            templates: vec![AnkiTemplate {
                name: "Card 1".into(),
                id: Some(fields[0] + 2),
                ord: 0,
                front: "{{Front}}".into(),
                back: "{{Back}}".into(),
                options: Default::default(),
            }],
            css: String::new(),
            sort_field: 0,
            original_id: None,
            options: Default::default(),
        }
    }

    fn snapshot(models: Vec<AnkiModel>) -> AnkiSnapshot {
        AnkiSnapshot {
            note_types: models
                .iter()
                .map(|m| super::super::snapshot::NoteTypeName {
                    id: m.id,
                    name: m.name.clone(),
                })
                .collect(),
            models,
            ..AnkiSnapshot::default()
        }
    }

    #[test]
    fn an_incompatible_note_type_of_the_same_name_is_kept_apart_with_a_plus() {
        let deck = file(Some(5));
        let theirs = snapshot(vec![anki_basic(9, "Basic", [91, 92])]);
        assert!(existing(&theirs, &deck.models[0]).is_none());
        let ids = Identities::of(&deck, &theirs);
        assert_eq!(ids.created.get("Basic").map(String::as_str), Some("Basic+"));
        // "Basic+" taken too: one more `+`, as Anki's importer does.
        let both = snapshot(vec![
            anki_basic(9, "Basic", [91, 92]),
            anki_basic(8, "Basic+", [81, 82]),
        ]);
        let ids = Identities::of(&deck, &both);
        assert_eq!(
            ids.created.get("Basic").map(String::as_str),
            Some("Basic++")
        );
    }

    #[test]
    fn found_by_id_then_by_original_id_then_by_a_compatible_name() {
        let deck = file(Some(5));
        let copy = anki_basic(5, "Basic+", [11, 12]);
        let theirs = snapshot(vec![anki_basic(9, "Basic", [91, 92]), copy.clone()]);
        assert_eq!(existing(&theirs, &deck.models[0]).map(|m| m.id), Some(5));
        let ids = Identities::of(&deck, &theirs);
        assert_eq!(
            ids.existing.get("Basic").map(String::as_str),
            Some("Basic+")
        );

        let imported = AnkiModel {
            id: 77,
            original_id: Some(5),
            ..copy
        };
        let theirs = snapshot(vec![anki_basic(9, "Basic", [91, 92]), imported]);
        assert_eq!(existing(&theirs, &deck.models[0]).map(|m| m.id), Some(77));

        // Same fields and template by id: the same note type under another note type id.
        let same_parts = snapshot(vec![anki_basic(9, "Basic", [11, 12])]);
        assert_eq!(
            existing(&same_parts, &deck.models[0]).map(|m| m.id),
            Some(9)
        );
    }

    #[test]
    fn a_model_without_an_id_is_matched_by_name_as_before() {
        let deck = file(None);
        let theirs = snapshot(vec![anki_basic(9, "Basic", [91, 92])]);
        assert_eq!(existing(&theirs, &deck.models[0]).map(|m| m.id), Some(9));
        assert!(Identities::of(&deck, &theirs).is_empty());
    }
}
