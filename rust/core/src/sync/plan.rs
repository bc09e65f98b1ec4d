//! Building a sync plan: match the file's notes with Anki's, decide every difference by the
//! rules in `rules.rs`, and list what to change on each side. Nothing is changed here; the
//! Python side applies [`SyncPlan::anki`] in one undoable step, then [`super::finish`] writes
//! the file and the new base.

use std::collections::{BTreeMap, HashMap, HashSet};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::base::{fingerprint, Base, BaseNote, SidePair, BASE_VERSION};
use super::content_match::{duplicate_key, match_one_to_one, Candidate};
use super::decks::plan_decks;
use super::field_values::FieldFormat;
use super::file_note::file_note;
use super::id_slots::IdSlots;
use super::model_checks::check_model_plan;
use super::model_identity::Identities;
use super::models::{
    find_anki_model, model_from_anki, plan_models, ModelContext, ModelPlan, ModelUpdate,
};
use super::report::{label, Change, NoteReport, Outcome, Report, Status};
use super::rules::{action, merge_tags, same_tags, verdict, Action, Direction, Strategy, Verdict};
use super::snapshot::{AnkiNote, AnkiSnapshot};
use crate::deck_file::{Deck, DeckFile, Media, Model, Note};
use crate::error::{Error, ParseError, ParseProblem, Result, SyncError};
use crate::parse::{parse_deck_file, place_template_findings};

#[derive(Debug, Clone, Deserialize)]
pub struct SyncRequest {
    /// The deck file's path, for messages.
    pub path: String,
    /// The file's text (left out by a caller that hands the core the parsed file with it).
    #[serde(default)]
    pub text: String,
    pub anki: AnkiSnapshot,
    #[serde(default)]
    pub base: Option<Base>,
    pub direction: Direction,
    #[serde(default)]
    pub strategy: Option<Strategy>,
    #[serde(default)]
    pub delete: bool,
    #[serde(default)]
    pub allow_schema_change: bool,
    /// Report everything and refuse nothing (the `fail` strategy and missing consent to a
    /// schema change stop a real run, not a preview).
    #[serde(default)]
    pub preview: bool,
    /// Schema changes the caller makes in Anki before applying the plan (folding the versions
    /// that earlier imports made of a note type): reported and refused like the plan's own.
    #[serde(default)]
    pub prior_schema_changes: Vec<String>,
    /// The caller's notices about the collection, shown with the plan's warnings.
    #[serde(default)]
    pub notices: Vec<String>,
    /// Refuse the file's warnings (unknown keys, unknown note ids) like errors.
    #[serde(default)]
    pub strict: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AnkiChanges {
    pub create_decks: Vec<String>,
    pub create_models: Vec<Model>,
    pub update_models: Vec<ModelUpdate>,
    pub add_notes: Vec<NewNote>,
    pub update_notes: Vec<NoteUpdate>,
    pub move_notes: Vec<NoteMove>,
    pub delete_notes: Vec<i64>,
    pub media: Vec<Media>,
    /// Deck name -> the description to set.
    #[serde(default)]
    pub deck_descriptions: BTreeMap<String, String>,
}

impl AnkiChanges {
    pub fn is_empty(&self) -> bool {
        self.create_decks.is_empty()
            && self.create_models.is_empty()
            && self.update_models.is_empty()
            && self.add_notes.is_empty()
            && self.update_notes.is_empty()
            && self.move_notes.is_empty()
            && self.delete_notes.is_empty()
            && self.media.is_empty()
            && self.deck_descriptions.is_empty()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewNote {
    /// The note's index in the file, to write its id back.
    pub file_index: usize,
    pub model: String,
    pub deck: String,
    /// The file's guid, or a new one (see [`crate::guid`]) when the file gives none.
    pub guid: String,
    pub tags: Vec<String>,
    /// Field name -> HTML.
    pub fields: IndexMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoteUpdate {
    pub id: i64,
    /// Only the fields that change, name -> HTML.
    pub fields: IndexMap<String, String>,
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoteMove {
    pub id: i64,
    pub deck: String,
}

/// One change to the deck file; applied in order by [`super::finish`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum FileEdit {
    SetField {
        index: usize,
        field: String,
        value: String,
    },
    SetTags {
        index: usize,
        tags: Vec<String>,
    },
    SetDeck {
        index: usize,
        deck: String,
    },
    SetNoteId {
        index: usize,
        note_id: i64,
    },
    SetGuid {
        index: usize,
        guid: String,
    },
    AppendNote {
        note: Note,
    },
    RemoveNotes {
        indices: Vec<usize>,
    },
    AppendDeck {
        deck: Deck,
    },
    SetDeckDescription {
        name: String,
        description: String,
    },
    AppendModel {
        model: Model,
    },
    UpdateModel {
        index: usize,
        model: Model,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncPlan {
    pub direction: Direction,
    pub report: Report,
    pub anki: AnkiChanges,
    pub file_edits: Vec<FileEdit>,
    /// The base once the plan is applied. Notes Anki has yet to create are keyed `new:INDEX`.
    pub base: Base,
    /// For [`super::finish`]: where the notes to add take their ids in the file's text.
    #[serde(skip)]
    pub id_slots: IdSlots,
}

/// Which field is stored how, per model name.
struct Formats(HashMap<String, HashSet<String>>);

impl Formats {
    fn of(&self, model: &str, field: &str) -> FieldFormat {
        FieldFormat::for_field(self.0.get(model).is_some_and(|m| m.contains(field)))
    }
}

pub fn plan_sync(req: &SyncRequest) -> Result<SyncPlan> {
    plan_parsed(req, &parse_deck_file(&req.path, &req.text)?)
}

/// [`plan_sync`] for a file already parsed from `req.text`: one parse serves the scope (what
/// to read from the collection) and then the plan, where it was most of a big file's cost.
pub fn plan_parsed(req: &SyncRequest, deck: &DeckFile) -> Result<SyncPlan> {
    if req.strict && !deck.warnings.is_empty() {
        return Err(Error::DeckFile(deck.warnings.clone()));
    }
    let identities = Identities::of(deck, &req.anki);
    let req: &SyncRequest = &identities.file_view(req);
    check_against_collection(&req.path, deck, &req.anki)?;
    let unknown_ids = unknown_note_ids(&req.path, deck, &req.anki, req.base.as_ref());
    if req.strict && !unknown_ids.is_empty() {
        return Err(Error::DeckFile(unknown_ids));
    }
    let strategy = req.strategy.unwrap_or(req.direction.default_strategy());
    let direction = req.direction;
    let old_base = req.base.clone().unwrap_or_default();

    let (models, schema_changes) = plan_note_types(req, deck, strategy)?;

    let formats = Formats(
        deck.models
            .iter()
            .map(|m| (m.name.clone(), m.markdown_fields.iter().cloned().collect()))
            .collect(),
    );
    let mut out = Planner {
        direction,
        strategy,
        delete: req.delete,
        formats: &formats,
        report: Report::default(),
        anki: AnkiChanges::default(),
        edits: Vec::new(),
        base: Base {
            version: BASE_VERSION,
            notes: BTreeMap::new(),
            models: models.base.clone(),
            decks: BTreeMap::new(),
        },
        conflicts: Vec::new(),
        guids_in_file: deck.notes.iter().filter_map(|n| n.guid.clone()).collect(),
    };
    out.anki.create_models = models.create.clone();
    out.anki.update_models = models.update.clone();
    out.report.schema_changes = schema_changes;
    out.report
        .warnings
        .extend(deck.warnings.iter().map(ToString::to_string));
    out.report
        .warnings
        .extend(summarised_unknown_ids(&unknown_ids));
    out.report.warnings.extend(models.warnings.iter().cloned());
    out.report.warnings.extend(req.notices.iter().cloned());
    out.report.model_changes = identities.describe();
    out.report
        .model_changes
        .extend(models.model_changes.iter().cloned());
    let decks = plan_decks(deck, &req.anki, &old_base.decks, direction, strategy);
    out.report.deck_changes = decks.changes;
    out.base.decks = decks.base;
    out.anki.deck_descriptions = decks.to_anki;
    for (name, description) in decks.to_file {
        out.edits
            .push(FileEdit::SetDeckDescription { name, description });
    }
    for (index, model) in &models.file_updates {
        out.edits.push(FileEdit::UpdateModel {
            index: *index,
            model: model.clone(),
        });
    }

    // Match: note_id first, then guid (design section 3), then by content.
    let Pairing {
        mut pairs,
        mut claimed,
    } = pair_by_identity(&req.path, deck, &req.anki)?;
    let unmatched: Vec<usize> = pairs
        .iter()
        .filter(|(_, found)| found.is_none())
        .map(|(fi, _)| *fi)
        .collect();
    let by_content = match_by_content(deck, &req.anki, &formats, &unmatched, &claimed, &old_base);
    let mut found_by_content = HashSet::new();
    for &(fi, ai) in &by_content.pairs {
        claimed.insert(ai, fi);
        found_by_content.insert(fi);
        // Every file note has its place in `pairs` (a note that could not be paired stopped
        // the plan above).
        debug_assert_eq!(pairs[fi].0, fi);
        pairs[fi].1 = Some(ai);
    }
    out.report.warnings.extend(by_content.warnings);

    let mut file_decks: HashSet<String> = deck.decks.iter().map(|d| d.name.clone()).collect();
    if direction.writes_anki() {
        out.anki.create_decks = decks_to_create(deck, &req.anki);
    }

    for (fi, matched) in pairs {
        let note = &deck.notes[fi];
        match matched {
            Some(ai) => out.matched(
                note,
                &req.anki.notes[ai],
                old_base.notes.get(&req.anki.notes[ai].id.to_string()),
                if found_by_content.contains(&fi) {
                    Match::ByContent
                } else {
                    Match::ById
                },
            ),
            None => out.file_only(note, &old_base),
        }
    }

    out.unclaimed(deck, &req.anki, &old_base, &claimed, &mut file_decks);
    out.define_decks_moved_to(&req.anki, &mut file_decks);

    if direction.writes_anki() {
        out.anki.media = deck.media.clone();
    }
    out.report.conflicts_left = out.conflicts.len();
    if strategy == Strategy::Fail && !out.conflicts.is_empty() && !req.preview {
        return Err(SyncError::Conflicts {
            details: out.conflicts,
        }
        .into());
    }
    identities.to_anki(&mut out.anki);
    // Only a plan that adds notes has ids to write (and the text's fingerprint to take).
    let id_slots = if out.anki.add_notes.is_empty() {
        IdSlots::default()
    } else {
        IdSlots::of(&req.text, deck)
    };
    Ok(SyncPlan {
        direction,
        report: out.report,
        anki: out.anki,
        file_edits: out.edits,
        base: out.base,
        id_slots,
    })
}

/// A `[[decks]]` entry for a deck the collection has, with its description.
/// The note-type half of the plan, and every change in it (or before it) that forces a
/// one-way sync with AnkiWeb. Stops at what Anki would refuse of the note types the plan sends
/// it (fields its templates do not have, card types whose fronts are the same), and at a
/// schema change the request does not allow.
fn plan_note_types(
    req: &SyncRequest,
    deck: &DeckFile,
    strategy: Strategy,
) -> Result<(ModelPlan, Vec<String>)> {
    let models = plan_models(&ModelContext {
        deck,
        anki: &req.anki,
        base: req.base.as_ref().map(|b| &b.models),
        direction: req.direction,
        strategy,
        delete: req.delete,
    });
    let mut refused = check_planned_templates(&req.path, &req.text, deck, &req.anki, &models);
    refused.extend(check_model_plan(&req.path, deck, &models));
    if !refused.is_empty() {
        return Err(Error::DeckFile(refused));
    }
    let schema_changes: Vec<String> = req
        .prior_schema_changes
        .iter()
        .chain(&models.schema_changes)
        .cloned()
        .collect();
    if !schema_changes.is_empty() && !req.allow_schema_change && !req.preview {
        return Err(SyncError::SchemaChange {
            changes: schema_changes,
        }
        .into());
    }
    Ok((models, schema_changes))
}

/// File notes paired with Anki notes by note_id, else guid: `pairs` holds every file note in
/// order, with the index of its Anki note if found; `claimed` maps Anki index -> file index.
struct Pairing {
    pairs: Vec<(usize, Option<usize>)>,
    claimed: HashMap<usize, usize>,
}

/// Pairs the file's notes with the collection's by identity. Two file notes that are one Anki
/// note, or a note whose Anki note is of another note type, stop the plan.
fn pair_by_identity(path: &str, deck: &DeckFile, anki: &AnkiSnapshot) -> Result<Pairing> {
    let by_id: HashMap<i64, usize> = anki
        .notes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id, i))
        .collect();
    let by_guid: HashMap<&str, usize> = anki
        .notes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.guid.as_str(), i))
        .collect();
    let mut claimed: HashMap<usize, usize> = HashMap::new(); // anki index -> file index
    let mut pairs: Vec<(usize, Option<usize>)> = Vec::with_capacity(deck.notes.len());
    let mut errors = Vec::new();
    for (fi, note) in deck.notes.iter().enumerate() {
        let found = note
            .note_id
            .and_then(|id| by_id.get(&id))
            .or_else(|| note.guid.as_deref().and_then(|g| by_guid.get(g)))
            .copied();
        if let Some(ai) = found {
            if let Some(&first) = claimed.get(&ai) {
                errors.push(ParseError {
                    path: path.to_owned(),
                    location: note.location,
                    problem: ParseProblem::SameAnkiNote {
                        first_line: deck.notes[first].location.line,
                    },
                });
                continue;
            }
            claimed.insert(ai, fi);
            // A note keeps its note type: changing it is Anki's Change Note Type, not a sync.
            // A version an earlier import made of the note type (see `notetype::merge`) is the
            // same note type to Anki's importer, and can be folded into it.
            let anki_note = &anki.notes[ai];
            let expected = match deck.model(&note.model) {
                Some(model) => find_anki_model(anki, model),
                None => anki.models.iter().find(|m| m.name == note.model),
            };
            let actual = anki.models.iter().find(|m| m.name == anki_note.model);
            let same_type = match (expected, actual) {
                (Some(e), Some(a)) => e.id == a.id || a.original_id == Some(e.id),
                (Some(e), None) => e.name == anki_note.model,
                (None, _) => false,
            };
            if !same_type {
                let at = note.places.model;
                errors.push(ParseError {
                    path: path.to_owned(),
                    location: if at.line == 0 { note.location } else { at },
                    problem: ParseProblem::OtherNoteType {
                        model: note.model.clone(),
                        anki_model: anki_note.model.clone(),
                    },
                });
                continue;
            }
        }
        pairs.push((fi, found));
    }
    if !errors.is_empty() {
        return Err(Error::DeckFile(errors));
    }
    Ok(Pairing { pairs, claimed })
}

/// The decks a push must create: those the file defines or its notes use that Anki lacks, in
/// file order, each once.
fn decks_to_create(deck: &DeckFile, anki: &AnkiSnapshot) -> Vec<String> {
    let anki_decks: HashSet<&str> = anki.decks.iter().map(String::as_str).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let wanted = deck.decks.iter().map(|d| d.name.as_str());
    wanted
        .chain(deck.notes.iter().map(|n| n.deck.as_str()))
        .filter(|name| !anki_decks.contains(name) && seen.insert(name))
        .map(str::to_owned)
        .collect()
}

fn deck_entry(anki: &AnkiSnapshot, name: &str) -> Deck {
    Deck {
        name: name.to_owned(),
        description: anki
            .deck_descriptions
            .get(name)
            .filter(|d| !d.is_empty())
            .cloned(),
        id: None,
    }
}

/// Notes matched by content, and what could not be matched one to one.
struct ContentMatches {
    pairs: Vec<(usize, usize)>,
    warnings: Vec<String>,
}

/// Finds the Anki notes that the file's notes without a known id stand for: same note type,
/// same deck, same first field as Anki's duplicate check sees it (see `content_match`).
fn match_by_content(
    deck: &DeckFile,
    anki: &AnkiSnapshot,
    formats: &Formats,
    unmatched: &[usize],
    claimed: &HashMap<usize, usize>,
    base: &Base,
) -> ContentMatches {
    let model_named = |name: &str| anki.models.iter().find(|m| m.name == name);
    let mut file = Vec::new();
    for &fi in unmatched {
        let note = &deck.notes[fi];
        // Synced before and since deleted in Anki: a deletion, not a note to find again.
        if note
            .note_id
            .is_some_and(|id| base.notes.contains_key(&id.to_string()))
        {
            continue;
        }
        let model = match deck.model(&note.model) {
            Some(model) => find_anki_model(anki, model),
            None => model_named(&note.model),
        };
        let Some(model) = model else { continue };
        let Some(first) = model.fields.iter().min_by_key(|f| f.ord) else {
            continue;
        };
        let Some(value) = note.fields.get(&first.name) else {
            continue;
        };
        let html = formats.of(&note.model, &first.name).to_anki(value);
        if let Some(key) = duplicate_key(&html) {
            let key = (model.id, note.deck.as_str(), key);
            file.push(Candidate { key, index: fi });
        }
    }
    if file.is_empty() {
        return ContentMatches {
            pairs: Vec::new(),
            warnings: Vec::new(),
        };
    }
    let mut in_anki = Vec::new();
    for (ai, note) in anki.notes.iter().enumerate() {
        if claimed.contains_key(&ai) {
            continue;
        }
        let (Some(model), Some(value)) = (model_named(&note.model), note.fields.values().next())
        else {
            continue;
        };
        if let Some(key) = duplicate_key(value) {
            let key = (model.id, note.deck.as_str(), key);
            in_anki.push(Candidate { key, index: ai });
        }
    }
    let found = match_one_to_one(file, in_anki);
    let warnings = found
        .ambiguous
        .iter()
        .map(|(file, in_anki)| {
            let first = &deck.notes[file[0]];
            let lines: Vec<String> = file
                .iter()
                .map(|&fi| deck.notes[fi].location.line.to_string())
                .collect();
            let ids: Vec<String> = in_anki
                .iter()
                .map(|&ai| anki.notes[ai].id.to_string())
                .collect();
            format!(
                "line {}: {} file note(s) and {} Anki note(s) ({}) have the first field '{}' \
                 in note type '{}' and deck '{}'; not matched by content (only a one-to-one \
                 match is), so the file's are new notes",
                lines.join(", "),
                file.len(),
                in_anki.len(),
                ids.join(", "),
                label(first_value(&first.fields)),
                first.model,
                first.deck,
            )
        })
        .collect();
    ContentMatches {
        pairs: found.pairs,
        warnings,
    }
}

pub(crate) fn placeholder_model(name: &str) -> Model {
    Model {
        name: name.to_owned(),
        id: None,
        kind: crate::deck_file::ModelKind::Standard,
        fields: Vec::new(),
        templates: Vec::new(),
        css: None,
        sort_field: None,
        markdown_fields: Vec::new(),
        options: Default::default(),
        location: crate::location::Location { line: 0, column: 0 },
    }
}

/// The field names in the templates a plan sends to Anki must be fields of the note type as
/// the plan leaves it, or fields the same update renames or removes (Anki carries those into
/// the templates itself). Problems in a template as the file says it are placed there; one in a
/// template merged with Anki's text, at its model.
fn check_planned_templates(
    path: &str,
    text: &str,
    deck: &DeckFile,
    anki: &AnkiSnapshot,
    models: &ModelPlan,
) -> Vec<ParseError> {
    let mut errors = Vec::new();
    let mut check = |index: usize, known: Vec<&str>, sides: Vec<(&str, &str)>| {
        let model = &deck.models[index];
        let mut in_file = Vec::new();
        for mut finding in crate::template_check::unknown_fields(&known, &sides) {
            let (front, back) = sides[finding.template];
            let same_text = model
                .templates
                .iter()
                .position(|t| (t.front.as_str(), t.back.as_str()) == (front, back));
            match same_text {
                Some(at) => {
                    finding.template = at;
                    in_file.push(finding);
                }
                None => errors.push(ParseError {
                    path: path.to_owned(),
                    location: model.location,
                    problem: ParseProblem::Template {
                        model: model.name.clone(),
                        template: format!("{} (merged with Anki's)", finding.template + 1),
                        side: finding.side.name().to_owned(),
                        message: finding.message,
                    },
                }),
            }
        }
        if !in_file.is_empty() {
            errors.extend(place_template_findings(path, text, index, in_file, deck));
        }
    };
    for created in &models.create {
        if let Some(index) = deck.models.iter().position(|m| m.name == created.name) {
            let sides = created
                .templates
                .iter()
                .map(|t| (t.front.as_str(), t.back.as_str()))
                .collect();
            check(index, created.field_names().collect(), sides);
        }
    }
    for update in &models.update {
        let index = deck
            .models
            .iter()
            .position(|m| find_anki_model(anki, m).is_some_and(|am| am.id == update.id));
        let Some(index) = index else { continue };
        let mut known: Vec<&str> = update.fields.iter().map(|f| f.name.as_str()).collect();
        if let Some(am) = anki.models.iter().find(|m| m.id == update.id) {
            known.extend(am.fields.iter().map(|f| f.name.as_str()));
        }
        let sides = update
            .templates
            .iter()
            .map(|t| (t.front.as_str(), t.back.as_str()))
            .collect();
        check(index, known, sides);
    }
    errors
}

/// A file exported from another collection has thousands of such notes: a few are named, the
/// rest counted, so the output stays readable (`--strict` still lists every one).
fn summarised_unknown_ids(unknown: &[ParseError]) -> Vec<String> {
    const NAMED: usize = 3;
    let mut lines: Vec<String> = unknown
        .iter()
        .take(NAMED)
        .map(ToString::to_string)
        .collect();
    if unknown.len() > NAMED {
        lines.push(format!(
            "{} more notes have a note_id this collection does not have (a file from another \
             collection?); they are treated the same way",
            unknown.len() - NAMED
        ));
    }
    lines
}

/// Notes whose `note_id` the collection does not have and the base does not know (a note
/// deleted in Anki since the last sync is not a surprise), and whose guid does not find them
/// either (an import gives notes new ids but keeps guids): each a warning at its place, since
/// the note is then matched by content or taken as new, and its id replaced.
fn unknown_note_ids(
    path: &str,
    deck: &DeckFile,
    anki: &AnkiSnapshot,
    base: Option<&Base>,
) -> Vec<ParseError> {
    let known: HashSet<i64> = anki.notes.iter().map(|n| n.id).collect();
    let guids: HashSet<&str> = anki.notes.iter().map(|n| n.guid.as_str()).collect();
    deck.notes
        .iter()
        .filter_map(|note| {
            let id = note.note_id?;
            let in_base = base.is_some_and(|b| b.notes.contains_key(&id.to_string()));
            let by_guid = note.guid.as_deref().is_some_and(|g| guids.contains(g));
            (!known.contains(&id) && !in_base && !by_guid).then(|| ParseError {
                path: path.to_owned(),
                location: note.places.note_id.unwrap_or(note.location),
                problem: ParseProblem::NoteIdNotInCollection { note_id: id },
            })
        })
        .collect()
}

/// Models and decks the file uses but does not define must exist in the collection, and notes
/// of such models may only name fields the collection's note type has.
fn check_against_collection(path: &str, deck: &DeckFile, anki: &AnkiSnapshot) -> Result<()> {
    let mut errors = Vec::new();
    let defined_decks: HashSet<&str> = deck.decks.iter().map(|d| d.name.as_str()).collect();
    for note in &deck.notes {
        // Each problem points at the value it is about (notes made by code have no places).
        let place = |at: crate::location::Location| if at.line == 0 { note.location } else { at };
        let problem = if deck.model(&note.model).is_none() {
            match anki.models.iter().find(|m| m.name == note.model) {
                None => Some((
                    place(note.places.model),
                    ParseProblem::ModelNotFound {
                        model: note.model.clone(),
                    },
                )),
                Some(m) => note
                    .fields
                    .keys()
                    .find(|f| !m.fields.iter().any(|x| &x.name == *f))
                    .map(|f| {
                        let at = note.places.fields.get(f).copied().unwrap_or_default();
                        let known = m.fields.iter().map(|x| x.name.as_str());
                        (
                            place(at),
                            ParseProblem::UnknownField {
                                field: f.clone(),
                                model: m.name.clone(),
                                known: known.collect::<Vec<_>>().join(", "),
                            },
                        )
                    }),
            }
        } else {
            None
        };
        let problem = problem.or_else(|| {
            (!defined_decks.contains(note.deck.as_str()) && !anki.decks.contains(&note.deck)).then(
                || {
                    (
                        place(note.places.deck),
                        ParseProblem::DeckNotFound {
                            deck: note.deck.clone(),
                        },
                    )
                },
            )
        });
        if let Some((location, problem)) = problem {
            errors.push(ParseError {
                path: path.to_owned(),
                location,
                problem,
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::DeckFile(errors))
    }
}

struct Planner<'a> {
    direction: Direction,
    strategy: Strategy,
    delete: bool,
    formats: &'a Formats,
    report: Report,
    anki: AnkiChanges,
    edits: Vec<FileEdit>,
    base: Base,
    /// One line per conflict, for the `fail` strategy's message.
    conflicts: Vec<String>,
    /// The guids the file has or will have once the plan's edits are made.
    guids_in_file: HashSet<String>,
}

/// How a file note found its Anki note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    /// By `note_id`, or by `guid` (design section 3).
    ById,
    /// By note type, deck and first field (see `content_match`).
    ByContent,
}

/// What comparing one matched note found so far. Whether it has a conflict, and whether one is
/// left, follow from `changes`; which sides changed does not (a conflict resolved either way
/// looks like a change of one side), so it is recorded as the values are decided.
struct NoteDiff {
    changes: Vec<Change>,
    update: NoteUpdate,
    file_side: bool,
    anki_side: bool,
}

impl NoteDiff {
    fn saw(&mut self, v: Verdict) {
        self.file_side |= v == Verdict::FileChanged;
        self.anki_side |= v == Verdict::AnkiChanged;
    }
}

fn outcome(act: Action) -> Outcome {
    match act {
        Action::ToAnki => Outcome::ToAnki,
        Action::ToFile => Outcome::ToFile,
        Action::Nothing => Outcome::Pending,
        Action::LeaveConflict => Outcome::Left,
    }
}

impl Planner<'_> {
    fn push_report(&mut self, report: NoteReport) {
        self.report.counts.add(report.status);
        if report.status != Status::Unchanged {
            self.report.notes.push(report);
        }
    }

    /// A file note and the Anki note it stands for: each value (fields, tags, deck) is decided
    /// by the rules, and the note's status follows from what was decided.
    fn matched(&mut self, note: &Note, anki: &AnkiNote, base: Option<&BaseNote>, how: Match) {
        if note.note_id != Some(anki.id) {
            self.edits.push(FileEdit::SetNoteId {
                index: note.index,
                note_id: anki.id,
            });
        }
        // A note found by its content takes Anki's guid, so the next sync finds it by id alone.
        // A guid another note of the file has stays out: Anki lets notes share one, a deck file
        // does not (export leaves it out for the same reason).
        let guid_differs = note.guid.as_deref() != Some(anki.guid.as_str());
        if (note.guid.is_none() || (how == Match::ByContent && guid_differs))
            && self.guids_in_file.insert(anki.guid.clone())
        {
            self.edits.push(FileEdit::SetGuid {
                index: note.index,
                guid: anki.guid.clone(),
            });
        }

        let mut diff = NoteDiff {
            changes: Vec::new(),
            update: NoteUpdate {
                id: anki.id,
                fields: IndexMap::new(),
                tags: None,
            },
            file_side: false,
            anki_side: false,
        };
        let fields = self.match_fields(note, anki, base, &mut diff);
        let tags = self.match_tags(note, anki, base, &mut diff);
        let deck = self.match_deck(note, anki, base, &mut diff);

        let NoteDiff {
            changes,
            update,
            file_side,
            anki_side,
        } = diff;
        if !update.fields.is_empty() || update.tags.is_some() {
            self.anki.update_notes.push(update);
        }
        if changes.iter().any(|c| c.outcome == Outcome::Left) {
            self.conflicts.push(format!(
                "line {}: note {} ('{}'): {}",
                note.location.line,
                anki.id,
                first_value(&note.fields),
                changes
                    .iter()
                    .filter(|c| c.conflict)
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        self.base
            .notes
            .insert(anki.id.to_string(), BaseNote { deck, tags, fields });
        let conflict = changes.iter().any(|c| c.conflict);
        if how == Match::ByContent {
            self.report.counts.matched_by_content += 1;
        }
        let status = match (conflict, how, file_side, anki_side) {
            (true, _, _, _) => Status::Conflict,
            (false, Match::ByContent, _, _) => Status::MatchedByContent,
            (false, Match::ById, true, true) => Status::ChangedOnBothSides,
            (false, Match::ById, true, false) => Status::ChangedInFile,
            (false, Match::ById, false, true) => Status::ChangedInAnki,
            (false, Match::ById, false, false) => Status::Unchanged,
        };
        self.push_report(NoteReport {
            status,
            note_id: Some(anki.id),
            guid: Some(anki.guid.clone()),
            label: label(first_value(&note.fields)),
            line: Some(note.location.line),
            changes,
        });
    }

    /// Each field the note type has on both sides; returns what the base records for them.
    fn match_fields(
        &mut self,
        note: &Note,
        anki: &AnkiNote,
        base: Option<&BaseNote>,
        diff: &mut NoteDiff,
    ) -> BTreeMap<String, SidePair> {
        let (direction, strategy) = (self.direction, self.strategy);
        let mut base_fields = BTreeMap::new();
        for (name, file_value) in &note.fields {
            // A field the note type lacks in Anki is a schema change the model plan reports.
            let Some(anki_value) = anki.fields.get(name) else {
                continue;
            };
            let format = self.formats.of(&note.model, name);
            let old = base.and_then(|b| b.fields.get(name));
            let (file_fp, anki_fp) = (fingerprint(file_value), fingerprint(anki_value));
            let unchanged_since_base = old.is_some_and(|p| p.file == file_fp && p.anki == anki_fp);
            let equivalent = unchanged_since_base || format.equivalent(file_value, anki_value);
            let v = verdict(
                equivalent,
                old.map(|p| (p.file != file_fp, p.anki != anki_fp)),
            );
            let act = action(v, direction, strategy);
            diff.saw(v);
            let agreed = match act {
                Action::ToAnki => {
                    let html = format.to_anki(file_value);
                    let pair = SidePair::of(file_value, &html);
                    diff.update.fields.insert(name.clone(), html);
                    Some(pair)
                }
                Action::ToFile => {
                    let text = format.to_file(anki_value);
                    let pair = SidePair::of(&text, anki_value);
                    self.edits.push(FileEdit::SetField {
                        index: note.index,
                        field: name.clone(),
                        value: text,
                    });
                    Some(pair)
                }
                Action::Nothing if v == Verdict::Same => Some(SidePair {
                    file: file_fp,
                    anki: anki_fp,
                }),
                Action::Nothing | Action::LeaveConflict => old.copied(),
            };
            if let Some(pair) = agreed {
                base_fields.insert(name.clone(), pair);
            }
            if v != Verdict::Same {
                diff.changes.push(Change {
                    what: "field".into(),
                    name: name.clone(),
                    file: Some(file_value.clone()),
                    anki: Some(format.to_file(anki_value)),
                    conflict: v == Verdict::Conflict,
                    outcome: outcome(act),
                });
            }
        }
        base_fields
    }

    /// Tags are a set, merged three ways when a base exists; returns the base's tags.
    fn match_tags(
        &mut self,
        note: &Note,
        anki: &AnkiNote,
        base: Option<&BaseNote>,
        diff: &mut NoteDiff,
    ) -> Option<Vec<String>> {
        if same_tags(&note.tags, &anki.tags) {
            return Some(note.tags.clone());
        }
        let (direction, strategy) = (self.direction, self.strategy);
        let mut base_tags = base.and_then(|b| b.tags.clone());
        let (v, act, merged) = match base.and_then(|b| b.tags.as_ref()) {
            Some(b) => {
                let file_moved = !same_tags(&note.tags, b);
                let anki_moved = !same_tags(&anki.tags, b);
                if file_moved && anki_moved {
                    let merged = merge_tags(&note.tags, &anki.tags, b);
                    // Both sides changed different tags: each side gets the union of edits.
                    diff.saw(Verdict::AnkiChanged);
                    (Verdict::FileChanged, Action::ToAnki, Some(merged))
                } else {
                    let v = verdict(false, Some((file_moved, anki_moved)));
                    (v, action(v, direction, strategy), None)
                }
            }
            None => {
                let v = Verdict::Conflict;
                (v, action(v, direction, strategy), None)
            }
        };
        diff.saw(v);
        match (&merged, act) {
            (Some(merged), _) => {
                if direction.writes_anki() {
                    diff.update.tags = Some(merged.clone());
                }
                if direction.writes_file() {
                    self.edits.push(FileEdit::SetTags {
                        index: note.index,
                        tags: merged.clone(),
                    });
                }
                if direction == Direction::Sync {
                    base_tags = Some(merged.clone());
                }
            }
            (None, Action::ToAnki) => {
                diff.update.tags = Some(note.tags.clone());
                base_tags = Some(note.tags.clone());
            }
            (None, Action::ToFile) => {
                self.edits.push(FileEdit::SetTags {
                    index: note.index,
                    tags: anki.tags.clone(),
                });
                base_tags = Some(anki.tags.clone());
            }
            _ => {}
        }
        diff.changes.push(Change {
            what: "tags".into(),
            name: "tags".into(),
            file: Some(note.tags.join(" ")),
            anki: Some(anki.tags.join(" ")),
            conflict: v == Verdict::Conflict,
            outcome: if merged.is_some() {
                Outcome::ToAnki
            } else {
                outcome(act)
            },
        });
        base_tags
    }

    /// The deck the note's cards are in; returns the base's deck.
    fn match_deck(
        &mut self,
        note: &Note,
        anki: &AnkiNote,
        base: Option<&BaseNote>,
        diff: &mut NoteDiff,
    ) -> Option<String> {
        if note.deck == anki.deck {
            return Some(note.deck.clone());
        }
        let mut base_deck = base.and_then(|b| b.deck.clone());
        let old = base.and_then(|b| b.deck.as_deref());
        let v = verdict(false, old.map(|d| (d != note.deck, d != anki.deck)));
        let act = action(v, self.direction, self.strategy);
        diff.saw(v);
        match act {
            Action::ToAnki => {
                self.anki.move_notes.push(NoteMove {
                    id: anki.id,
                    deck: note.deck.clone(),
                });
                base_deck = Some(note.deck.clone());
            }
            Action::ToFile => {
                self.edits.push(FileEdit::SetDeck {
                    index: note.index,
                    deck: anki.deck.clone(),
                });
                base_deck = Some(anki.deck.clone());
            }
            _ => {}
        }
        diff.changes.push(Change {
            what: "deck".into(),
            name: "deck".into(),
            file: Some(note.deck.clone()),
            anki: Some(anki.deck.clone()),
            conflict: v == Verdict::Conflict,
            outcome: outcome(act),
        });
        base_deck
    }

    fn file_only(&mut self, note: &Note, base: &Base) {
        let in_base = note.note_id.and_then(|id| base.notes.get(&id.to_string()));
        let status = if let Some(base_note) = in_base {
            // It was synced before and Anki no longer has it.
            let edited = note.fields.iter().any(|(k, v)| {
                base_note
                    .fields
                    .get(k)
                    .is_some_and(|p| p.file != fingerprint(v))
            });
            if self.delete && self.direction.writes_file() && !edited {
                self.edits.push(FileEdit::RemoveNotes {
                    indices: vec![note.index],
                });
            } else {
                if edited {
                    self.report.warnings.push(format!(
                        "line {}: note {} was deleted in Anki but edited in the file; kept",
                        note.location.line,
                        note.note_id.unwrap_or_default()
                    ));
                }
                self.base.notes.insert(
                    note.note_id.unwrap_or_default().to_string(),
                    base_note.clone(),
                );
            }
            Status::DeletedInAnki
        } else {
            if self.direction.writes_anki() {
                let fields: IndexMap<String, String> = note
                    .fields
                    .iter()
                    .map(|(k, v)| (k.clone(), self.formats.of(&note.model, k).to_anki(v)))
                    .collect();
                let base_fields = note
                    .fields
                    .iter()
                    .map(|(k, v)| (k.clone(), SidePair::of(v, &fields[k])))
                    .collect();
                self.base.notes.insert(
                    format!("new:{}", note.index),
                    BaseNote {
                        deck: Some(note.deck.clone()),
                        tags: Some(note.tags.clone()),
                        fields: base_fields,
                    },
                );
                self.anki.add_notes.push(NewNote {
                    file_index: note.index,
                    model: note.model.clone(),
                    deck: note.deck.clone(),
                    // A note the file gives no guid gets one now, as Anki's new_note would;
                    // finishing writes it into the file.
                    guid: note.guid.clone().unwrap_or_else(crate::guid::new_guid),
                    tags: note.tags.clone(),
                    fields,
                });
            }
            Status::FileOnly
        };
        self.push_report(NoteReport {
            status,
            note_id: note.note_id,
            guid: note.guid.clone(),
            label: label(first_value(&note.fields)),
            line: Some(note.location.line),
            changes: Vec::new(),
        });
    }

    fn deleted_in_file(&mut self, anki: &AnkiNote, base_note: &BaseNote) {
        let edited = anki.fields.iter().any(|(k, v)| {
            base_note
                .fields
                .get(k)
                .is_some_and(|p| p.anki != fingerprint(v))
        });
        if self.delete && self.direction.writes_anki() && !edited {
            self.anki.delete_notes.push(anki.id);
        } else {
            if edited {
                self.report.warnings.push(format!(
                    "note {} was deleted in the file but edited in Anki; kept",
                    anki.id
                ));
            }
            self.base
                .notes
                .insert(anki.id.to_string(), base_note.clone());
        }
        self.push_report(NoteReport {
            status: Status::DeletedInFile,
            note_id: Some(anki.id),
            guid: Some(anki.guid.clone()),
            label: label(first_value(&anki.fields)),
            line: None,
            changes: Vec::new(),
        });
    }

    /// The collection's notes no file note claimed: deleted in the file since the base, or
    /// new in Anki (a pull gives the file the note, and its note type and deck if missing).
    fn unclaimed(
        &mut self,
        deck: &DeckFile,
        anki: &AnkiSnapshot,
        old_base: &Base,
        claimed: &HashMap<usize, usize>,
        file_decks: &mut HashSet<String>,
    ) {
        let mut models_in_file: HashSet<String> =
            deck.models.iter().map(|m| m.name.clone()).collect();
        for (ai, anki_note) in anki.notes.iter().enumerate() {
            if claimed.contains_key(&ai) {
                continue;
            }
            match old_base.notes.get(&anki_note.id.to_string()) {
                Some(base_note) => self.deleted_in_file(anki_note, base_note),
                None => {
                    if self.direction.writes_file() {
                        if !models_in_file.contains(&anki_note.model) {
                            if let Some(am) = anki.models.iter().find(|m| m.name == anki_note.model)
                            {
                                let empty = Model {
                                    markdown_fields: Vec::new(),
                                    ..model_from_anki(
                                        am,
                                        &placeholder_model(&am.name),
                                        &anki.option_defaults,
                                    )
                                };
                                self.edits.push(FileEdit::AppendModel { model: empty });
                                models_in_file.insert(am.name.clone());
                            }
                        }
                        if !file_decks.contains(&anki_note.deck) {
                            self.edits.push(FileEdit::AppendDeck {
                                deck: deck_entry(anki, &anki_note.deck),
                            });
                            file_decks.insert(anki_note.deck.clone());
                        }
                    }
                    self.anki_only(anki_note);
                }
            }
        }
    }

    /// A note moved in Anki to a deck the file does not define (a deck renamed there): the
    /// file gets that deck too, so that it still defines every deck its notes use (the seed
    /// tool refuses a file that does not).
    fn define_decks_moved_to(&mut self, anki: &AnkiSnapshot, file_decks: &mut HashSet<String>) {
        let moved_to: Vec<String> = self
            .edits
            .iter()
            .filter_map(|edit| match edit {
                FileEdit::SetDeck { deck, .. } => Some(deck.clone()),
                _ => None,
            })
            .collect();
        for name in moved_to {
            if file_decks.insert(name.clone()) {
                self.edits.push(FileEdit::AppendDeck {
                    deck: deck_entry(anki, &name),
                });
            }
        }
    }

    fn anki_only(&mut self, anki: &AnkiNote) {
        if self.direction.writes_file() {
            let guid = if self.guids_in_file.insert(anki.guid.clone()) {
                Some(anki.guid.clone())
            } else {
                self.report.warnings.push(format!(
                    "note {} has the guid of another note in the file; written without it \
                     (it is found by its note_id)",
                    anki.id
                ));
                None
            };
            let (note, base_note) =
                file_note(anki, guid, |field| self.formats.of(&anki.model, field));
            self.base.notes.insert(anki.id.to_string(), base_note);
            self.edits.push(FileEdit::AppendNote { note });
        }
        self.push_report(NoteReport {
            status: Status::AnkiOnly,
            note_id: Some(anki.id),
            guid: Some(anki.guid.clone()),
            label: label(first_value(&anki.fields)),
            line: None,
            changes: Vec::new(),
        });
    }
}

fn first_value(fields: &IndexMap<String, String>) -> &str {
    fields.values().next().map_or("", String::as_str)
}

/// Which notes the Python side must read from the collection for this file: its decks (with
/// subdecks), the note ids the file or the base names, and the guids the file names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scope {
    pub decks: Vec<String>,
    pub note_ids: Vec<i64>,
    pub guids: Vec<String>,
    pub models: Vec<String>,
    /// The file's model ids: the note types with these ids, or made from them by an import.
    pub model_ids: Vec<i64>,
}

pub fn scope(path: &str, text: &str, base: Option<&Base>) -> Result<Scope> {
    Ok(Scope::of(&parse_deck_file(path, text)?, base))
}

impl Scope {
    /// What to read of the collection for `deck`; `base`: the note ids the last sync knew.
    pub fn of(deck: &DeckFile, base: Option<&Base>) -> Scope {
        let mut models: Vec<String> = deck.models.iter().map(|m| m.name.clone()).collect();
        models.extend(deck.external_models.iter().cloned());
        Scope::new(
            deck.decks.iter().map(|d| d.name.as_str()),
            (deck.notes.iter()).map(|n| (n.deck.as_str(), n.note_id, n.guid.as_deref())),
            models,
            deck.models.iter().filter_map(|m| m.id).collect(),
            base,
        )
    }

    /// The scope of a file with these decks, notes (deck, note_id, guid) and note types (an
    /// export knows them without parsing the file it wrote).
    pub fn new<'a>(
        file_decks: impl Iterator<Item = &'a str>,
        notes: impl Iterator<Item = (&'a str, Option<i64>, Option<&'a str>)>,
        models: Vec<String>,
        model_ids: Vec<i64>,
        base: Option<&Base>,
    ) -> Scope {
        let mut decks: Vec<String> = file_decks.map(str::to_owned).collect();
        let mut seen: HashSet<String> = decks.iter().cloned().collect();
        let mut note_ids = Vec::new();
        let mut guids = Vec::new();
        for (deck, note_id, guid) in notes {
            if !seen.contains(deck) {
                seen.insert(deck.to_owned());
                decks.push(deck.to_owned());
            }
            note_ids.extend(note_id);
            guids.extend(guid.map(str::to_owned));
        }
        if let Some(base) = base {
            note_ids.extend(base.notes.keys().filter_map(|k| k.parse::<i64>().ok()));
        }
        note_ids.sort_unstable();
        note_ids.dedup();
        Scope {
            decks,
            note_ids,
            guids,
            models,
            model_ids,
        }
    }
}

#[cfg(test)]
mod unknown_id_tests {
    use super::*;
    use crate::location::Location;

    fn unknown(line: usize) -> ParseError {
        ParseError {
            path: "d.toml".into(),
            location: Location { line, column: 11 },
            problem: ParseProblem::NoteIdNotInCollection { note_id: 1 },
        }
    }

    #[test]
    fn many_unknown_note_ids_are_named_three_times_then_counted() {
        let three: Vec<_> = (1..=3).map(unknown).collect();
        assert_eq!(summarised_unknown_ids(&three).len(), 3);
        let many: Vec<_> = (1..=3902).map(unknown).collect();
        let lines = summarised_unknown_ids(&many);
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("d.toml:1:11: note_id 1 is not in the collection"));
        assert!(
            lines[3].starts_with("3899 more notes have a note_id"),
            "{}",
            lines[3]
        );
    }
}
