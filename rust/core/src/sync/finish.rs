//! After Anki has applied a plan: write the deck file (edits, new note ids, note-type ids) and
//! complete the base. The file text is produced here; writing it to disk is the caller's, with
//! [`crate::atomic_write::write_atomic`].

use serde::{Deserialize, Serialize};

use super::base::Base;
use super::id_slots::IdSlots;
use super::models::agreed_model_base;
use super::plan::{FileEdit, SyncPlan};
use super::snapshot::AnkiModel;
use crate::edit::DeckDocument;
use crate::error::Result;
use crate::parse::parse_deck_file;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Applied {
    /// The notes Anki created for the plan's `add_notes`.
    #[serde(default)]
    pub added: Vec<AddedNote>,
    /// The note types the plan created or updated, as Anki now has them (with their ids).
    #[serde(default)]
    pub models: Vec<AnkiModel>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AddedNote {
    pub file_index: usize,
    pub note_id: i64,
    pub guid: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finished {
    /// The new file text, or None when the file does not change.
    pub text: Option<String>,
    pub base: Base,
}

/// Plans never leave placeholders for new notes behind, even if Anki added fewer than planned.
fn drop_placeholders(base: &mut Base) {
    base.notes.retain(|key, _| !key.starts_with("new:"));
}

/// What finishing needs of a plan: its file edits and the base. A caller holding a plan that
/// is mostly notes for Anki (a push of many new notes) sends only this part back.
#[derive(Debug, Clone, Deserialize)]
pub struct FileSide {
    pub file_edits: Vec<FileEdit>,
    pub base: Base,
    /// Not sent: it only means something beside the text the plan was made from.
    #[serde(skip)]
    pub id_slots: IdSlots,
}

impl SyncPlan {
    pub fn file_side(&self) -> FileSide {
        FileSide {
            file_edits: self.file_edits.clone(),
            base: self.base.clone(),
            id_slots: self.id_slots.clone(),
        }
    }

    /// The file side, the base moved out (the plan keeps an empty one): for a caller that
    /// hands the rest of the plan on and keeps this part for [`finish`].
    pub fn take_file_side(&mut self) -> FileSide {
        FileSide {
            file_edits: self.file_edits.clone(),
            base: std::mem::take(&mut self.base),
            id_slots: std::mem::take(&mut self.id_slots),
        }
    }
}

/// The base keyed by the ids Anki gave the added notes.
fn rekey_added(base: &mut Base, added: &[AddedNote]) {
    for added in added {
        if let Some(entry) = base.notes.remove(&format!("new:{}", added.file_index)) {
            base.notes.insert(added.note_id.to_string(), entry);
        }
    }
    drop_placeholders(base);
}

pub fn finish(path: &str, text: &str, plan: &FileSide, applied: &Applied) -> Result<Finished> {
    if plan.file_edits.is_empty() && applied.added.is_empty() && applied.models.is_empty() {
        // Nothing to write (the most common sync): no need to hold the file as a toml_edit
        // document, which for a big deck is the largest thing a sync builds.
        let mut base = plan.base.clone();
        drop_placeholders(&mut base);
        return Ok(Finished { text: None, base });
    }
    let mut base = plan.base.clone();
    if plan.file_edits.is_empty() && applied.models.is_empty() {
        // A push of new notes, the file's only change their ids.
        if let Some(written) = plan.id_slots.write(
            text,
            applied
                .added
                .iter()
                .map(|a| (a.file_index, a.note_id, a.guid.as_str())),
        ) {
            rekey_added(&mut base, &applied.added);
            return Ok(Finished {
                text: Some(written),
                base,
            });
        }
    }
    let mut doc = DeckDocument::parse(text)?;
    for added in &applied.added {
        doc.set_note_id(added.file_index, added.note_id)?;
        doc.set_guid_if_missing(added.file_index, &added.guid)?;
    }
    rekey_added(&mut base, &applied.added);

    let mut model_updates: Vec<(usize, crate::deck_file::Model)> = Vec::new();
    // The file's note types, read only when Anki gave some of them ids (a push of new notes
    // needs none of this, and reading a big file is most of what finishing costs).
    let deck = if applied.models.is_empty() {
        None
    } else {
        Some(parse_deck_file(path, text)?)
    };
    let file_models = deck.as_ref().map_or(&[][..], |d| &d.models[..]);
    for anki in &applied.models {
        // A note type the push just created is as the file says: that is the base.
        base.models
            .entry(anki.name.clone())
            .or_insert_with(|| agreed_model_base(anki));
        if let Some((index, model)) = file_models
            .iter()
            .enumerate()
            .find(|(_, m)| m.id == Some(anki.id))
            .or_else(|| {
                file_models
                    .iter()
                    .enumerate()
                    .find(|(_, m)| m.name == anki.name)
            })
        {
            let mut filled = model.clone();
            filled.fill_missing_ids(
                Some(anki.id),
                |_, field| {
                    let same = anki.fields.iter().find(|f| f.name == field.name);
                    same.and_then(|f| f.id)
                },
                |_, template| {
                    let same = anki.templates.iter().find(|t| t.name == template.name);
                    same.and_then(|t| t.id)
                },
            );
            if filled != *model {
                model_updates.push((index, filled));
            }
        }
    }

    let mut removals = Vec::new();
    for edit in &plan.file_edits {
        match edit {
            FileEdit::SetField {
                index,
                field,
                value,
            } => doc.set_field(*index, field, value)?,
            FileEdit::SetTags { index, tags } => doc.set_tags(*index, tags)?,
            FileEdit::SetDeck { index, deck } => doc.set_deck(*index, deck)?,
            FileEdit::SetNoteId { index, note_id } => doc.set_note_id(*index, *note_id)?,
            FileEdit::SetGuid { index, guid } => doc.set_guid(*index, guid)?,
            FileEdit::AppendNote { note } => doc.append_note(note),
            FileEdit::AppendDeck { deck } => doc.append_deck(deck),
            FileEdit::SetDeckDescription { name, description } => {
                doc.set_deck_description(name, description)?
            }
            FileEdit::AppendModel { model } => doc.append_model(model),
            FileEdit::UpdateModel { index, model } => {
                // Ids Anki assigned just now win over the plan's copy of the model.
                match model_updates.iter().position(|(i, _)| i == index) {
                    Some(pos) => {
                        let (_, fresh) = model_updates.remove(pos);
                        let mut merged = model.clone();
                        merged.fill_missing_ids(
                            fresh.id,
                            |i, _| fresh.fields.get(i).and_then(|f| f.id),
                            |i, _| fresh.templates.get(i).and_then(|t| t.id),
                        );
                        doc.update_model(*index, &merged)?
                    }
                    None => doc.update_model(*index, model)?,
                }
            }
            FileEdit::RemoveNotes { indices } => removals.extend(indices.iter().copied()),
        }
    }
    for (index, model) in model_updates {
        doc.update_model(index, &model)?;
    }
    // Removals last: they shift the indices every other edit uses.
    if !removals.is_empty() {
        doc.remove_notes(&removals)?;
    }

    let rendered = doc.render();
    Ok(Finished {
        text: (rendered != text).then_some(rendered),
        base,
    })
}
