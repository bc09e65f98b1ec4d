//! Export: a new deck file for a deck of the collection, in the house style, with the base that
//! records that file and collection agree.

use std::collections::{BTreeMap, HashMap, HashSet};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use thiserror::Error as ThisError;

use crate::deck_file::{Deck, Media, Note, Package};
use crate::edit::DeckDocument;
use crate::location::Location;
use crate::sync::base::{Base, BaseNote, SidePair, BASE_VERSION};
use crate::sync::field_values::FieldFormat;
use crate::sync::models::model_from_anki;
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
}

pub fn export_deck(req: &ExportRequest) -> Result<Exported, ExportError> {
    let mut doc = DeckDocument::new();
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
    };
    for anki in &models {
        let mut model = model_from_anki(anki, &crate::sync::plan::placeholder_model(&anki.name));
        model.markdown_fields = markdown_fields.get(&anki.name).cloned().unwrap_or_default();
        let mut texts = BTreeMap::new();
        texts.insert("css".to_owned(), SidePair::of(&anki.css, &anki.css));
        for t in &anki.templates {
            texts.insert(
                format!("{}.front", t.name),
                SidePair::of(&t.front, &t.front),
            );
            texts.insert(format!("{}.back", t.name), SidePair::of(&t.back, &t.back));
        }
        base.models.insert(anki.name.clone(), texts);
        doc.append_model(&model);
    }
    let mut decks = req.decks.clone();
    decks.sort_by(|a, b| a.name.cmp(&b.name));
    for deck in &decks {
        doc.append_deck(deck);
    }
    // Stable order: by deck, then note id (creation time), so two exports give the same bytes.
    let mut notes: Vec<&AnkiNote> = req.notes.iter().collect();
    notes.sort_by(|a, b| a.deck.cmp(&b.deck).then(a.id.cmp(&b.id)));
    for anki in notes {
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
        doc.append_note(&Note {
            index: 0,
            location: Location { line: 0, column: 0 },
            deck: anki.deck.clone(),
            model: anki.model.clone(),
            tags: anki.tags.clone(),
            guid: Some(anki.guid.clone()),
            note_id: Some(anki.id),
            fields,
        });
    }
    let mut media = req.media.clone();
    media.sort_by(|a, b| a.name.cmp(&b.name));
    for m in &media {
        doc.append_media(m);
    }
    let mut text = doc.render();
    // toml_edit starts a fresh document's first table with a blank line; files start at once.
    while text.starts_with('\n') {
        text.remove(0);
    }
    Ok(Exported { text, base })
}
