//! The format-preserving editor on any text, with any sequence of edits.
//!
//! The input is the deck file's text, then (after the last 0xFF byte, which UTF-8 never holds)
//! the bytes that choose the edits; seeds can be plain deck files. Checked:
//! - the render of an unedited document is the text, byte for byte;
//! - whatever the edits, the render is TOML again;
//! - on a valid deck file, edits that keep it valid (chosen so here) give a file that parses to
//!   exactly what the edits said, every note, model and deck the file had included.
#![no_main]

use ankitoml_core::deck_file::{
    Deck, DeckFile, FieldDef, Media, Model, ModelKind, Note, NotePlaces, Package, TemplateDef,
};
use ankitoml_core::edit::DeckDocument;
use ankitoml_core::error::{ParseProblem, MAX_NOTE_ID};
use ankitoml_core::location::Location;
use ankitoml_core::options::{
    OptionKind, OptionSpec, OptionValue, Options, FIELD_OPTIONS, MODEL_OPTIONS, TEMPLATE_OPTIONS,
};
use ankitoml_core::parse::parse_deck_file;
use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (text, edits) = match data.iter().rposition(|&b| b == 0xFF) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let valid = parse_deck_file("fuzz.toml", text).ok();
    let mut doc = match DeckDocument::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            assert!(
                valid.is_none(),
                "parse_deck_file took what the editor refuses: {e}"
            );
            return;
        }
    };
    assert_eq!(
        doc.render(),
        text,
        "an unedited document renders as its text"
    );

    let mut expected = valid.clone();
    let mut u = Unstructured::new(edits);
    let mut log = Vec::new();
    for _ in 0..24 {
        if u.is_empty() {
            break;
        }
        match edit(&mut u, &mut doc, &mut expected) {
            Ok(done) => log.push(done),
            Err(_) => break,
        }
    }
    let out = doc.render();
    if let Err(e) = DeckDocument::parse(&out) {
        panic!("edits {log:?} made the text stop parsing: {e}\n{out}");
    }
    if let Some(mut expected) = expected {
        let got = match parse_deck_file("fuzz.toml", &out) {
            Ok(got) => got,
            // Templates are checked as Anki checks them (fields they name, identical fronts),
            // which the model of the edits does not foresee.
            Err(_)
                if log
                    .iter()
                    .any(|d| matches!(d, Done::AppendModel(_) | Done::UpdateModel(..))) =>
            {
                return
            }
            Err(e) => panic!("edits {log:?} made a valid deck file invalid: {e}\n{out}"),
        };
        recompute_external(&mut expected);
        assert_eq!(
            without_places(got),
            without_places(expected),
            "edits {log:?} gave\n{out}"
        );
    }
});

/// Pieces that names and values are made of: TOML's quoting and escaping, and what the
/// deck files around here hold.
const PIECES: &[&str] = &[
    "Front",
    "Back",
    "a",
    "",
    " ",
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "\\",
    "\\u0041",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "#",
    "=",
    "[",
    "]",
    "{",
    "}",
    ".",
    ",",
    "é",
    "日本",
    "\u{0}",
    "\u{7f}",
    "\u{1b}",
    "\u{feff}",
    "\u{2028}",
    "{{c1::x}}",
    "<b>b</b>",
    "**m**",
    "x\"\"",
    "\"\"\"\"",
];

fn text(u: &mut Unstructured) -> Result<String> {
    let mut out = String::new();
    for _ in 0..u.int_in_range(0..=4)? {
        if u.ratio(3, 4)? {
            out.push_str(u.choose(PIECES)?);
        } else {
            out.push_str(u.arbitrary::<&str>()?);
        }
    }
    Ok(out)
}

fn names(u: &mut Unstructured) -> Result<Vec<String>> {
    (0..u.int_in_range(0..=3)?).map(|_| text(u)).collect()
}

/// A name an existing thing has, or a new one.
fn pick_or_new(u: &mut Unstructured, known: &[String]) -> Result<String> {
    if !known.is_empty() && u.ratio(3, 4)? {
        return Ok(u.choose(known)?.clone());
    }
    text(u)
}

fn index(u: &mut Unstructured, len: usize) -> Result<usize> {
    // Mostly in range; sometimes one past, or far past, the end.
    match u.int_in_range(0..=9)? {
        0 => Ok(len),
        1 => Ok(u.arbitrary::<u16>()?.into()),
        _ if len == 0 => Ok(0),
        _ => u.int_in_range(0..=len - 1),
    }
}

#[derive(Debug)]
#[allow(dead_code)] // read through Debug, in failure messages
enum Done {
    NoteId(usize, i64),
    Guid(usize, String),
    Deck(usize, String),
    Tags(usize, Vec<String>),
    Field(usize, String, String),
    AppendNote(Box<Note>),
    Remove(Vec<usize>),
    Package(Package),
    AppendDeck(Deck),
    AppendMedia(Media),
    MediaName(usize, String),
    AppendModel(Box<Model>),
    UpdateModel(usize, Box<Model>),
}

/// Applies one edit to the document and, where it keeps the deck file valid, to `expected`;
/// an edit that would make it invalid is still applied, and `expected` is dropped.
fn edit(
    u: &mut Unstructured,
    doc: &mut DeckDocument,
    expected: &mut Option<DeckFile>,
) -> Result<Done> {
    let notes = expected.as_ref().map_or(4, |f| f.notes.len());
    let done = match u.int_in_range(0..=11)? {
        0 => {
            let i = index(u, notes)?;
            let id = if u.ratio(1, 2)? {
                u.int_in_range(1..=9)?
            } else {
                u.arbitrary()?
            };
            let result = doc.set_note_id(i, id);
            note_edit(expected, i, result.is_ok(), |file, note| {
                let unique = !file
                    .notes
                    .iter()
                    .any(|n| n.index != i && n.note_id == Some(id));
                file.notes[note].note_id = Some(id);
                unique && possible_note_id(id)
            });
            Done::NoteId(i, id)
        }
        1 => {
            let i = index(u, notes)?;
            let guid = text(u)?;
            let result = doc.set_guid(i, &guid);
            note_edit(expected, i, result.is_ok(), |file, note| {
                let unique = !file
                    .notes
                    .iter()
                    .any(|n| n.index != i && n.guid.as_ref() == Some(&guid));
                file.notes[note].guid = Some(guid.clone());
                unique && !guid.is_empty()
            });
            Done::Guid(i, guid)
        }
        2 => {
            let i = index(u, notes)?;
            let decks: Vec<String> = expected
                .iter()
                .flat_map(|f| f.decks.iter().map(|d| d.name.clone()))
                .collect();
            let deck = pick_or_new(u, &decks)?;
            let result = doc.set_deck(i, &deck);
            note_edit(expected, i, result.is_ok(), |file, note| {
                file.notes[note].deck = deck.clone();
                true
            });
            Done::Deck(i, deck)
        }
        3 => {
            let i = index(u, notes)?;
            let tags = names(u)?;
            let result = doc.set_tags(i, &tags);
            note_edit(expected, i, result.is_ok(), |file, note| {
                file.notes[note].tags = tags.clone();
                true
            });
            Done::Tags(i, tags)
        }
        4 | 5 => {
            let i = index(u, notes)?;
            let known: Vec<String> = expected
                .as_ref()
                .and_then(|f| f.notes.get(i).map(|n| (f, n)))
                .and_then(|(f, n)| f.model(&n.model))
                .map(|m| m.field_names().map(str::to_owned).collect())
                .unwrap_or_default();
            let field = pick_or_new(u, &known)?;
            let value = text(u)?;
            let result = doc.set_field(i, &field, &value);
            note_edit(expected, i, result.is_ok(), |file, note| {
                let fits = file
                    .model(&file.notes[note].model)
                    .is_none_or(|m| m.field_names().any(|f| f == field));
                file.notes[note].fields.insert(field.clone(), value.clone());
                fits
            });
            Done::Field(i, field, value)
        }
        6 => {
            let note = new_note(u, expected.as_ref())?;
            doc.append_note(&note);
            if let Some(file) = expected {
                let fits = file
                    .model(&note.model)
                    .is_none_or(|m| note.fields.keys().all(|k| m.field_names().any(|f| f == k)));
                let unique_id = note.note_id.is_none_or(|id| {
                    possible_note_id(id) && !file.notes.iter().any(|n| n.note_id == Some(id))
                });
                let unique_guid = note.guid.as_ref().is_none_or(|g| {
                    !g.is_empty() && !file.notes.iter().any(|n| n.guid.as_ref() == Some(g))
                });
                if fits && unique_id && unique_guid {
                    file.notes.push(Note {
                        index: file.notes.len(),
                        ..note.clone()
                    });
                } else {
                    *expected = None;
                }
            }
            Done::AppendNote(Box::new(note))
        }
        7 => {
            let mut indices = Vec::new();
            for _ in 0..u.int_in_range(0..=3)? {
                indices.push(index(u, notes)?);
            }
            let result = doc.remove_notes(&indices);
            if let Some(file) = expected {
                let in_range = indices.iter().all(|&i| i < file.notes.len());
                assert_eq!(
                    result.is_ok(),
                    in_range,
                    "remove_notes({indices:?}) of {}",
                    file.notes.len()
                );
                if in_range {
                    // A removed note's unknown keys go with it, and their warnings: a
                    // warning belongs to the last note starting at or above its line.
                    let starts: Vec<(usize, usize)> = file
                        .notes
                        .iter()
                        .map(|n| (n.location.line, n.index))
                        .collect();
                    file.warnings.retain(|w| {
                        let in_note = matches!(&w.problem,
                            ParseProblem::UnknownKey { table, .. } if table == "[[notes]]");
                        let owner = starts
                            .iter()
                            .filter(|(line, _)| *line > 0 && *line <= w.location.line)
                            .max_by_key(|(line, _)| *line)
                            .map(|(_, index)| *index);
                        !(in_note && owner.is_some_and(|i| indices.contains(&i)))
                    });
                    file.notes.retain(|n| !indices.contains(&n.index));
                    for (i, note) in file.notes.iter_mut().enumerate() {
                        note.index = i;
                    }
                }
            }
            Done::Remove(indices)
        }
        8 => {
            let package = Package {
                name: text(u)?,
                version: optional_text(u)?,
                author: optional_text(u)?,
                description: optional_text(u)?,
            };
            doc.set_package(&package);
            if let Some(file) = expected {
                if package.name.trim().is_empty() {
                    *expected = None;
                } else {
                    file.package = package.clone();
                    // set_package writes a new [package] table (export uses it on a new
                    // document): keys nothing reads there go, and their warnings with them.
                    file.warnings.retain(|w| {
                        !matches!(&w.problem, ParseProblem::UnknownKey { table, .. } if table == "[package]")
                    });
                }
            }
            Done::Package(package)
        }
        9 => {
            let deck = Deck {
                name: text(u)?,
                description: optional_text(u)?,
                id: optional_id(u)?,
            };
            doc.append_deck(&deck);
            if let Some(file) = expected {
                if deck.name.trim().is_empty() || file.decks.iter().any(|d| d.name == deck.name) {
                    *expected = None;
                } else {
                    file.decks.push(deck.clone());
                }
            }
            Done::AppendDeck(deck)
        }
        10 if u.arbitrary()? => {
            let media = Media {
                name: text(u)?,
                path: text(u)?,
                location: None,
            };
            doc.append_media(&media);
            if let Some(file) = expected {
                file.media.push(media.clone());
            }
            Done::AppendMedia(media)
        }
        10 => {
            let i = index(u, expected.as_ref().map_or(2, |f| f.media.len()))?;
            let name = text(u)?;
            let result = doc.set_media_name(i, &name);
            if let Some(file) = expected {
                assert_eq!(
                    result.is_ok(),
                    i < file.media.len(),
                    "media {i} of {}",
                    file.media.len()
                );
                if let Some(media) = file.media.get_mut(i) {
                    media.name = name.clone();
                }
            }
            Done::MediaName(i, name)
        }
        _ => {
            let models = expected.as_ref().map_or(2, |f| f.models.len());
            if u.ratio(1, 3)? {
                let model = new_model(u, None)?;
                doc.append_model(&model);
                if let Some(file) = expected {
                    if model_fits(file, &model, None) {
                        file.models.push(model.clone());
                    } else {
                        *expected = None;
                    }
                }
                Done::AppendModel(Box::new(model))
            } else {
                let i = index(u, models)?;
                let old = expected.as_ref().and_then(|f| f.models.get(i)).cloned();
                let model = new_model(u, old.as_ref())?;
                let result = doc.update_model(i, &model);
                if let Some(file) = expected.as_mut() {
                    let exists = i < file.models.len();
                    match result {
                        Ok(()) if !exists => {
                            panic!("update_model took model {i} of {}", file.models.len())
                        }
                        Err(e) if exists => {
                            panic!("update_model refused model {i} of a valid file: {e}")
                        }
                        Err(_) => {}
                        Ok(()) if model_fits(file, &model, Some(i)) => {
                            file.models[i] = updated_model(&file.models[i], &model);
                        }
                        Ok(()) => *expected = None,
                    }
                }
                Done::UpdateModel(i, Box::new(model))
            }
        }
    };
    Ok(done)
}

/// An edit of note `i`: the document must refuse it exactly when there is no such note;
/// `change` applies it to the expected file and says whether the file stays valid.
fn note_edit(
    expected: &mut Option<DeckFile>,
    i: usize,
    accepted: bool,
    change: impl FnOnce(&mut DeckFile, usize) -> bool,
) {
    let Some(file) = expected else {
        return;
    };
    assert_eq!(
        accepted,
        i < file.notes.len(),
        "note {i} of {}",
        file.notes.len()
    );
    if accepted && !change(file, i) {
        *expected = None;
    }
}

fn optional_text(u: &mut Unstructured) -> Result<Option<String>> {
    if u.ratio(1, 2)? {
        Ok(Some(text(u)?))
    } else {
        Ok(None)
    }
}

/// What the parser takes as a note id: a creation time in milliseconds.
fn possible_note_id(id: i64) -> bool {
    (1..=MAX_NOTE_ID).contains(&id)
}

fn optional_id(u: &mut Unstructured) -> Result<Option<i64>> {
    Ok(match u.int_in_range(0..=3)? {
        0 => None,
        1 => Some(u.arbitrary()?),
        _ => Some(u.int_in_range(-3..=9)?),
    })
}

fn new_note(u: &mut Unstructured, file: Option<&DeckFile>) -> Result<Note> {
    let models: Vec<String> = file
        .iter()
        .flat_map(|f| f.models.iter().map(|m| m.name.clone()))
        .collect();
    let decks: Vec<String> = file
        .iter()
        .flat_map(|f| f.decks.iter().map(|d| d.name.clone()))
        .collect();
    let model = pick_or_new(u, &models)?;
    let deck = pick_or_new(u, &decks)?;
    let known: Vec<String> = file
        .and_then(|f| f.model(&model))
        .map(|m| m.field_names().map(str::to_owned).collect())
        .unwrap_or_default();
    let mut fields = indexmap::IndexMap::new();
    for _ in 0..u.int_in_range(0..=3)? {
        fields.insert(pick_or_new(u, &known)?, text(u)?);
    }
    Ok(Note {
        index: 0,
        location: Location::default(),
        deck,
        model,
        tags: names(u)?,
        guid: optional_text(u)?,
        note_id: optional_id(u)?,
        fields,
        places: NotePlaces::default(),
    })
}

/// A model to append, or to update `old` with: its fields and templates, mostly its own.
fn new_model(u: &mut Unstructured, old: Option<&Model>) -> Result<Model> {
    let mut fields: Vec<FieldDef> = old.map(|m| m.fields.clone()).unwrap_or_default();
    if fields.is_empty() || u.ratio(1, 3)? {
        fields.push(FieldDef::named(&text(u)?));
    }
    for field in &mut fields {
        if u.ratio(1, 3)? {
            field.id = optional_id(u)?;
        }
        if u.ratio(1, 6)? {
            field.options = options(u, FIELD_OPTIONS)?;
        }
    }
    let mut templates: Vec<TemplateDef> = old.map(|m| m.templates.clone()).unwrap_or_default();
    if templates.is_empty() || u.ratio(1, 4)? {
        templates.push(TemplateDef {
            name: text(u)?,
            id: optional_id(u)?,
            front: text(u)?,
            back: text(u)?,
            options: options(u, TEMPLATE_OPTIONS)?,
        });
    }
    if templates.len() > 1 && u.ratio(1, 4)? {
        templates.pop();
    }
    for template in &mut templates {
        if u.ratio(1, 3)? {
            template.id = optional_id(u)?;
            template.front = text(u)?;
            template.options = options(u, TEMPLATE_OPTIONS)?;
        }
    }
    let field_names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
    Ok(Model {
        name: match old {
            Some(m) => m.name.clone(),
            None => text(u)?,
        },
        id: optional_id(u)?,
        kind: old.map_or(ModelKind::Standard, |m| m.kind),
        sort_field: if u.arbitrary()? {
            Some(pick_or_new(u, &field_names)?)
        } else {
            None
        },
        markdown_fields: old.map(|m| m.markdown_fields.clone()).unwrap_or_default(),
        css: optional_text(u)?,
        options: options(u, MODEL_OPTIONS)?,
        fields,
        templates,
        location: Location::default(),
    })
}

/// What `update_model` leaves: name, kind and Markdown fields stay; what `model` says wins;
/// what it leaves out (`None`) stays as it was.
fn updated_model(old: &Model, model: &Model) -> Model {
    let templates = model
        .templates
        .iter()
        .enumerate()
        .map(|(position, t)| match old.templates.get(position) {
            Some(o) => TemplateDef {
                id: t.id.or(o.id),
                options: merged(&o.options, &t.options),
                ..t.clone()
            },
            None => t.clone(),
        })
        .collect();
    Model {
        name: old.name.clone(),
        id: model.id.or(old.id),
        kind: old.kind,
        fields: model.fields.clone(),
        templates,
        css: model.css.clone().or(old.css.clone()),
        sort_field: model.sort_field.clone().or(old.sort_field.clone()),
        markdown_fields: old.markdown_fields.clone(),
        options: merged(&old.options, &model.options),
        location: old.location,
    }
}

/// Settings after an update: what `new` says wins, what it leaves out stays.
fn merged(old: &Options, new: &Options) -> Options {
    let mut out = old.clone();
    out.extend(new.iter().map(|(k, v)| (k.clone(), v.clone())));
    out
}

/// Some of the settings `specs` lists, each of its own kind (by Anki's key, as the core keeps
/// them).
fn options(u: &mut Unstructured, specs: &[OptionSpec]) -> Result<Options> {
    let mut out = Options::new();
    for spec in specs {
        if u.ratio(1, 3)? {
            let value = match spec.kind {
                OptionKind::Text => OptionValue::Text(text(u)?),
                OptionKind::Integer => OptionValue::Integer(u.arbitrary()?),
                OptionKind::Bool => OptionValue::Bool(u.arbitrary()?),
            };
            out.insert(spec.anki_key.to_owned(), value);
        }
    }
    Ok(out)
}

/// Whether the file stays valid with `model` appended (`replacing` none) or replacing one.
fn model_fits(file: &DeckFile, model: &Model, replacing: Option<usize>) -> bool {
    let model = match replacing {
        Some(i) => updated_model(&file.models[i], model),
        None => model.clone(),
    };
    let others = || {
        file.models
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != replacing)
            .map(|(_, m)| m)
    };
    let mut names = std::collections::HashSet::new();
    let mut ids = std::collections::HashSet::new();
    let fields_ok = model.fields.iter().all(|f| {
        !f.name.trim().is_empty()
            && names.insert(&f.name)
            && f.id.is_none_or(|id| ids.insert(("field", id)))
    });
    let mut template_names = std::collections::HashSet::new();
    let templates_ok = !model.templates.is_empty()
        && model.templates.iter().all(|t| {
            template_names.insert(&t.name) && t.id.is_none_or(|id| ids.insert(("template", id)))
        });
    let has = |f: &String| model.fields.iter().any(|x| &x.name == f);
    let notes_ok = file
        .notes
        .iter()
        .filter(|n| n.model == model.name)
        .all(|n| n.fields.keys().all(has));
    fields_ok
        && templates_ok
        && notes_ok
        && model.kind == ModelKind::Standard
        && !model.name.trim().is_empty()
        && !others().any(|m| m.name == model.name || (m.id.is_some() && m.id == model.id))
        && model.sort_field.iter().all(has)
        && model.markdown_fields.iter().all(has)
}

fn recompute_external(file: &mut DeckFile) {
    file.external_models.clear();
    file.external_decks.clear();
    for note in &file.notes {
        if file.model(&note.model).is_none() && !file.external_models.contains(&note.model) {
            file.external_models.push(note.model.clone());
        }
        if !file.decks.iter().any(|d| d.name == note.deck)
            && !file.external_decks.contains(&note.deck)
        {
            file.external_decks.push(note.deck.clone());
        }
    }
}

fn without_places(mut file: DeckFile) -> DeckFile {
    for model in &mut file.models {
        model.location = Location::default();
    }
    for note in &mut file.notes {
        note.location = Location::default();
        note.places = NotePlaces::default();
    }
    for media in &mut file.media {
        media.location = None;
    }
    // Warnings point at lines that edits move.
    for warning in &mut file.warnings {
        warning.location = Location::default();
    }
    file
}
