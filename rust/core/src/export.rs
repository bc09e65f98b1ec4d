//! Export: a new deck file for a deck of the collection, in the house style, with the base that
//! records that file and collection agree.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::deck_file::{Deck, Media, Package};
use unicode_normalization::UnicodeNormalization;

use crate::edit::{DeckDocument, EntryWriter};
pub use crate::error::ExportError;
use crate::media_refs::field_media;
use crate::notetype_media::models_media;
use crate::options::OptionDefaults;
use crate::sync::base::{Base, SidePair, BASE_VERSION};
use crate::sync::field_values::FieldFormat;
use crate::sync::file_note::file_note;
use crate::sync::models::{agreed_model_base, model_from_anki};
use crate::sync::plan::Scope;
use crate::sync::snapshot::{AnkiModel, AnkiNote};

#[derive(Debug, Clone, Deserialize)]
pub struct ExportRequest {
    pub package: Package,
    /// The exported deck and its subdecks, with descriptions.
    pub decks: Vec<Deck>,
    /// Every note type the notes may use (those they do not use are not exported).
    pub models: Vec<AnkiModel>,
    /// The notes; the add-on hands them over as [`crate::sync::snapshot::NoteRow`]s, which
    /// [`crate::sync::snapshot::notes_from_rows`] turns into these.
    #[serde(default)]
    pub notes: Vec<AnkiNote>,
    /// Deck id -> name, for the rows.
    #[serde(default)]
    pub deck_names: BTreeMap<i64, String>,
    /// Fields the file holds as Markdown, as the user named them (`MODEL:FIELD`).
    #[serde(default)]
    pub markdown_fields: Vec<MarkdownField>,
    /// Every field of every exported model as Markdown.
    #[serde(default)]
    pub markdown_all: bool,
    /// Media entries to write whatever the notes use.
    #[serde(default)]
    pub media: Vec<Media>,
    /// The names of the files in Anki's media folder. When given, every one of them that the
    /// notes (see [`crate::media_refs`]), the note types or `extra_media` use is exported.
    #[serde(default)]
    pub media_folder: Option<Vec<String>>,
    /// Media the add-on found beyond what the core reads in fields (LaTeX images Anki names).
    #[serde(default)]
    pub extra_media: Vec<String>,
    /// What this Anki gives new note types: settings equal to these are not written.
    #[serde(default)]
    pub option_defaults: OptionDefaults,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MarkdownField {
    pub model: String,
    pub field: String,
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
    /// The media folder's files the file's `[[media]]` entries name, to copy beside it.
    pub media: Vec<String>,
    /// The file's `[[media]]` entries (without their place in it).
    pub media_entries: Vec<Media>,
    /// What a sync of the file reads of the collection (as [`Scope::of`] finds it in the
    /// text): the add-on records file and collection as agreeing on it (`sync::clean`), so
    /// the first sync after an export knows it has nothing to do without planning.
    pub scope: Scope,
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

pub fn export_deck(req: &ExportRequest) -> Result<Exported, ExportError> {
    // The head (package, note types, decks) is a toml_edit document; the notes and media,
    // most of the file, are written as text (see `EntryWriter`), as toml_edit renders them.
    let mut doc = DeckDocument::new();
    let doc = &mut doc;
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
    let mut text = doc.render();
    // toml_edit starts a fresh document's first table with a blank line; files start at once.
    while text.starts_with('\n') {
        text.remove(0);
    }
    // The notes are most of the file: room for them up front, not a copy at each doubling
    // (tens of megabytes for 100,000 notes).
    let fields_len: usize = req
        .notes
        .iter()
        .map(|n| n.fields.values().map(String::len).sum::<usize>())
        .sum();
    text.reserve(fields_len + fields_len / 8 + req.notes.len() * 160);
    let mut writer = EntryWriter::default();
    // Stable order: by deck, then note id (creation time), so two exports give the same bytes.
    let mut notes: Vec<&AnkiNote> = req.notes.iter().collect();
    notes.sort_by(|a, b| a.deck.cmp(&b.deck).then(a.id.cmp(&b.id)));
    let mut guid_owner: HashMap<&str, i64> = HashMap::with_capacity(notes.len());
    // Each note's deck, note_id and guid as written, for the scope.
    let mut written: Vec<(&str, i64, Option<&str>)> = Vec::with_capacity(notes.len());
    let mut guids_left_out = Vec::new();
    // Collected, then built in one go: a BTreeMap built from its entries sorts them once
    // instead of inserting 100,000 keys one by one.
    let mut base_notes = Vec::with_capacity(notes.len());
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
        let guid = comment.is_none().then(|| anki.guid.clone());
        let kept_guid = comment.is_none().then_some(anki.guid.as_str());
        written.push((anki.deck.as_str(), anki.id, kept_guid));
        let (note, base_note) = file_note(anki, guid, |field| {
            FieldFormat::for_field(markdown.is_some_and(|m| m.iter().any(|f| f == field)))
        });
        base_notes.push((anki.id.to_string(), base_note));
        writer.note(&note, comment.as_deref(), &mut text);
    }
    base.notes = base_notes.into_iter().collect();
    let mut media = req.media.clone();
    let copied = used_media(req, &models);
    media.extend(copied.iter().map(|name| Media {
        name: name.clone(),
        path: format!("media/{name}"),
        location: None,
    }));
    media.sort_by(|a, b| a.name.cmp(&b.name));
    media.dedup_by(|a, b| a.name == b.name);
    for m in &media {
        writer.media(m, &mut text);
    }
    let scope = Scope::new(
        decks.iter().map(|d| d.name.as_str()),
        written
            .into_iter()
            .map(|(deck, id, guid)| (deck, Some(id), guid)),
        models.iter().map(|m| m.name.clone()).collect(),
        models.iter().map(|m| m.id).collect(),
        Some(&base),
    );
    Ok(Exported {
        text,
        base,
        guids_left_out,
        media: copied,
        media_entries: media,
        scope,
    })
}

/// The media folder's files that the notes, their note types and `extra_media` use, by their
/// names in the folder, sorted. A name matches in NFC, the form Anki stores names in (a folder
/// on macOS may hand back another form).
fn used_media(req: &ExportRequest, models: &[&AnkiModel]) -> Vec<String> {
    let Some(folder) = &req.media_folder else {
        return Vec::new();
    };
    let present: HashMap<String, &String> = folder
        .iter()
        .map(|name| (name.nfc().collect::<String>(), name))
        .collect();
    let mut used = BTreeSet::new();
    let mut take = |name: &str| {
        if let Some(stored) = present.get(name.nfc().collect::<String>().as_str()) {
            used.insert((*stored).clone());
        }
    };
    for note in &req.notes {
        for value in note.fields.values() {
            for name in field_media(value) {
                take(&name);
            }
        }
    }
    let models: Vec<AnkiModel> = models.iter().map(|m| (*m).clone()).collect();
    for name in models_media(&models).iter().chain(&req.extra_media) {
        take(name);
    }
    used.into_iter().collect()
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
    fn renders_the_text_one_toml_edit_document_gave() {
        assert_eq!(export_deck(&request()).unwrap().text, ONE_DOCUMENT);
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
    fn the_scope_is_the_one_a_sync_finds_in_the_file() {
        let mut req = request();
        req.notes[1].guid = "g0".into(); // left out: the note is found by id alone
        req.notes[3].deck = "Elsewhere".into(); // a first card outside the exported decks
        let exported = export_deck(&req).unwrap();
        let deck = crate::parse::parse_deck_file("x.toml", &exported.text).unwrap();
        assert_eq!(exported.scope, Scope::of(&deck, Some(&exported.base)));
        assert!(exported.scope.decks.contains(&"Elsewhere".to_string()));
        assert_eq!(exported.scope.guids.len(), 4);
        // Entries as parsed, but for their place in the file (which a message would name).
        let placeless = |media: &[Media]| -> Vec<(String, String)> {
            media
                .iter()
                .map(|m| (m.name.clone(), m.path.clone()))
                .collect()
        };
        assert_eq!(placeless(&exported.media_entries), placeless(&deck.media));
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
