//! Export: a new deck file for a deck of the collection, in the house style, with the base that
//! records that file and collection agree.

use std::collections::{BTreeMap, HashMap, HashSet};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use thiserror::Error as ThisError;

use crate::deck_file::{Deck, Media, Note, Package};
use crate::edit::DeckDocument;
use crate::location::Location;
use crate::options::OptionDefaults;
use crate::sync::base::{Base, BaseNote, SidePair, BASE_VERSION};
use crate::sync::field_values::FieldFormat;
use crate::sync::models::{agreed_model_base, model_from_anki};
use crate::sync::snapshot::{AnkiModel, AnkiNote};

#[derive(Debug, Clone, Deserialize)]
pub struct ExportRequest {
    pub package: Package,
    /// The exported deck and its subdecks, with descriptions.
    pub decks: Vec<Deck>,
    pub models: Vec<AnkiModel>,
    pub notes: Vec<AnkiNote>,
    /// Fields the file holds as Markdown, as the user named them (`MODEL:FIELD`).
    #[serde(default)]
    pub markdown_fields: Vec<MarkdownField>,
    /// Every field of every exported model as Markdown.
    #[serde(default)]
    pub markdown_all: bool,
    /// Media files the notes reference, with their path relative to the deck file.
    #[serde(default)]
    pub media: Vec<Media>,
    /// What this Anki gives new note types: settings equal to these are not written.
    #[serde(default)]
    pub option_defaults: OptionDefaults,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MarkdownField {
    pub model: String,
    pub field: String,
}

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

/// Model name -> the fields the file holds as Markdown; every named field must exist.
fn markdown_fields(
    req: &ExportRequest,
    models: &[&AnkiModel],
) -> Result<HashMap<String, Vec<String>>, ExportError> {
    let all_fields = |m: &AnkiModel| m.fields.iter().map(|f| f.name.clone()).collect();
    if req.markdown_all {
        return Ok(models
            .iter()
            .map(|m| (m.name.clone(), all_fields(m)))
            .collect());
    }
    let mut chosen: HashMap<String, Vec<String>> = HashMap::new();
    for wanted in &req.markdown_fields {
        let model = models.iter().find(|m| m.name == wanted.model);
        if !model.is_some_and(|m| m.fields.iter().any(|f| f.name == wanted.field)) {
            let known = models
                .iter()
                .flat_map(|m| {
                    m.fields
                        .iter()
                        .map(move |f| format!("{}:{}", m.name, f.name))
                })
                .collect::<Vec<_>>()
                .join(", ");
            return Err(ExportError::UnknownMarkdownField {
                model: wanted.model.clone(),
                field: wanted.field.clone(),
                known,
            });
        }
        let fields = chosen.entry(wanted.model.clone()).or_default();
        if !fields.contains(&wanted.field) {
            fields.push(wanted.field.clone());
        }
    }
    Ok(chosen)
}

#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    pub text: String,
    pub base: Base,
    /// Notes written without their guid, because an earlier note in the file has the same one.
    pub guids_left_out: Vec<GuidLeftOut>,
}

/// Anki lets notes share a guid (imports and old add-ons make them); a deck file may not, as
/// the guid is how a note is found again. The first note keeps it, the later ones are found
/// by their note_id alone.
#[derive(Debug, Clone, Serialize)]
pub struct GuidLeftOut {
    pub note_id: i64,
    pub guid: String,
    pub kept_by: i64,
}

/// Notes per toml_edit document while rendering (see [`PartRender`]).
const NOTES_PER_PART: usize = 1000;

/// Renders a new file in parts joined as text: the head, the notes a chunk at a time, the
/// media. A toml_edit document keeps several kilobytes per note, and one for 100,000 notes
/// was most of an export's memory. The text is the same as one document's (tested).
struct PartRender {
    text: String,
    doc: DeckDocument,
    notes: usize,
    notes_per_part: usize,
}

impl PartRender {
    fn flush(&mut self) {
        let doc = std::mem::take(&mut self.doc);
        self.text.push_str(&doc.render());
        self.notes = 0;
    }

    fn append_note(&mut self, note: &Note, comment: Option<&str>) {
        match comment {
            Some(comment) => self.doc.append_note_with_comment(note, comment),
            None => self.doc.append_note(note),
        }
        self.notes += 1;
        if self.notes == self.notes_per_part {
            self.flush();
        }
    }
}

pub fn export_deck(req: &ExportRequest) -> Result<Exported, ExportError> {
    export_in_parts(req, NOTES_PER_PART)
}

fn export_in_parts(req: &ExportRequest, notes_per_part: usize) -> Result<Exported, ExportError> {
    let mut out = PartRender {
        text: String::new(),
        doc: DeckDocument::new(),
        notes: 0,
        notes_per_part,
    };
    let doc = &mut out.doc;
    doc.set_package(&req.package);
    let used: HashSet<&str> = req.notes.iter().map(|n| n.model.as_str()).collect();
    let mut models: Vec<&AnkiModel> = req
        .models
        .iter()
        .filter(|m| used.contains(m.name.as_str()))
        .collect();
    models.sort_by(|a, b| a.name.cmp(&b.name));
    let markdown_fields = markdown_fields(req, &models)?;
    let mut base = Base {
        version: BASE_VERSION,
        notes: BTreeMap::new(),
        models: BTreeMap::new(),
        decks: BTreeMap::new(),
    };
    for anki in &models {
        let placeholder = crate::sync::plan::placeholder_model(&anki.name);
        let mut model = model_from_anki(anki, &placeholder, &req.option_defaults);
        model.markdown_fields = markdown_fields.get(&anki.name).cloned().unwrap_or_default();
        base.models
            .insert(anki.name.clone(), agreed_model_base(anki));
        doc.append_model(&model);
    }
    let mut decks = req.decks.clone();
    decks.sort_by(|a, b| a.name.cmp(&b.name));
    for deck in &decks {
        let description = deck.description.as_deref().unwrap_or("");
        base.decks
            .insert(deck.name.clone(), SidePair::of(description, description));
        doc.append_deck(deck);
    }
    out.flush();
    // Stable order: by deck, then note id (creation time), so two exports give the same bytes.
    let mut notes: Vec<&AnkiNote> = req.notes.iter().collect();
    notes.sort_by(|a, b| a.deck.cmp(&b.deck).then(a.id.cmp(&b.id)));
    let mut guid_owner: HashMap<&str, i64> = HashMap::with_capacity(notes.len());
    let mut guids_left_out = Vec::new();
    for anki in notes {
        let kept_by = *guid_owner.entry(anki.guid.as_str()).or_insert(anki.id);
        let comment = (kept_by != anki.id).then(|| {
            guids_left_out.push(GuidLeftOut {
                note_id: anki.id,
                guid: anki.guid.clone(),
                kept_by,
            });
            format!(
                "no guid: in Anki this note has guid {:?}, as note {kept_by} above does; \
                 it is found by its note_id",
                anki.guid
            )
        });
        let markdown = markdown_fields.get(&anki.model);
        let format = |field: &str| {
            FieldFormat::for_field(markdown.is_some_and(|m| m.iter().any(|f| f == field)))
        };
        let fields: IndexMap<String, String> = anki
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), format(k).to_file(v)))
            .collect();
        base.notes.insert(
            anki.id.to_string(),
            BaseNote {
                deck: Some(anki.deck.clone()),
                tags: Some(anki.tags.clone()),
                fields: anki
                    .fields
                    .iter()
                    .map(|(k, v)| (k.clone(), SidePair::of(&fields[k], v)))
                    .collect(),
            },
        );
        out.append_note(
            &Note {
                index: 0,
                location: Location { line: 0, column: 0 },
                deck: anki.deck.clone(),
                model: anki.model.clone(),
                tags: anki.tags.clone(),
                guid: comment.is_none().then(|| anki.guid.clone()),
                note_id: Some(anki.id),
                fields,
                places: Default::default(),
            },
            comment.as_deref(),
        );
    }
    let mut media = req.media.clone();
    media.sort_by(|a, b| a.name.cmp(&b.name));
    out.flush();
    for m in &media {
        out.doc.append_media(m);
    }
    out.flush();
    let mut text = out.text;
    // toml_edit starts a fresh document's first table with a blank line; files start at once.
    while text.starts_with('\n') {
        text.remove(0);
    }
    Ok(Exported {
        text,
        base,
        guids_left_out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> ExportRequest {
        let notes: Vec<serde_json::Value> = (0..5)
            .map(|i| {
                serde_json::json!({
                    "id": 100 + i, "guid": format!("g{i}"), "model": "Basic",
                    "deck": if i % 2 == 0 { "D" } else { "D::Sub" },
                    "tags": if i == 1 { vec![] } else { vec![format!("t{i}"), "x".to_string()] },
                    "fields": {
                        "Front": format!("front {i}\nsecond \"line\""),
                        "Back": format!("<b>bold</b> {i}<br>next"),
                    }
                })
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "package": {"name": "P", "version": null, "author": null, "description": null},
            "decks": [{"name": "D", "description": "desc"}, {"name": "D::Sub", "description": null}],
            "models": [{
                "id": 5, "name": "Basic", "kind": "standard",
                "fields": [{"name": "Front", "id": 11, "ord": 0}, {"name": "Back", "id": null, "ord": 1}],
                "templates": [{"name": "Card 1", "id": 3, "ord": 0, "front": "{{Front}}",
                               "back": "{{Back}}"}],
                "css": ".card {}\n", "sort_field": 0, "original_id": null
            }],
            "notes": notes,
            "markdown_fields": [{"model": "Basic", "field": "Back"}],
            "media": [{"name": "b.mp3", "path": "media/b.mp3"}, {"name": "a.png", "path": "media/a.png"}]
        }))
        .unwrap()
    }

    /// The file as the export wrote it when it built one toml_edit document for everything.
    const ONE_DOCUMENT: &str = include_str!("../testdata/export_one_document.toml");

    #[test]
    fn rendering_in_parts_gives_the_text_of_one_document() {
        for notes_per_part in [1, 2, 3, 1000] {
            let exported = export_in_parts(&request(), notes_per_part).unwrap();
            assert_eq!(
                exported.text, ONE_DOCUMENT,
                "{notes_per_part} notes per part"
            );
        }
    }

    #[test]
    fn a_guid_shared_by_notes_is_written_once_and_the_file_parses() {
        let mut req = request();
        for i in [1, 2] {
            req.notes[i].guid = "g0".into();
        }
        let exported = export_deck(&req).unwrap();
        let left_out: Vec<(i64, i64)> = exported
            .guids_left_out
            .iter()
            .map(|g| (g.note_id, g.kept_by))
            .collect();
        // File order is by deck, then id: 100, 102 and 104 are in D, 101 and 103 in D::Sub.
        assert_eq!(left_out, [(102, 100), (101, 100)]);
        let deck = crate::parse::parse_deck_file("x.toml", &exported.text).unwrap();
        assert_eq!(deck.notes.iter().filter(|n| n.guid.is_none()).count(), 2);
        assert!(exported
            .text
            .contains("# no guid: in Anki this note has guid \"g0\", as note 100 above does"));
    }

    #[test]
    fn an_unknown_markdown_field_is_refused() {
        let mut req = request();
        req.markdown_fields[0].field = "Bak".into();
        let err = export_deck(&req).unwrap_err();
        assert!(err.to_string().contains("Basic:Bak"), "{err}");
        assert!(err.to_string().contains("Basic:Back"), "{err}");
    }
}
