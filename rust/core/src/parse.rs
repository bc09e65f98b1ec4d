//! Reading a deck file: TOML -> [`DeckFile`], with every problem located at `line:column`.
//!
//! Parsing is in two steps. serde (through the `toml` crate, which keeps spans) checks syntax,
//! required keys and types; then [`validate`] checks what spans many tables (unknown fields,
//! duplicate ids, cloze rules). Validation collects every problem instead of stopping at the
//! first, so one `check` run shows the user all of them. Doubtful things (unknown keys, an
//! unknown `model_type`) are warnings, kept in [`DeckFile::warnings`]; `strict` refuses them.
//!
//! Fields come as names (`fields = ["Word"]`, the seed tool's shape) with their ids and
//! settings in `[models.field_settings]`; older files wrote `{ name, id }` tables in `fields`,
//! which still load.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use indexmap::IndexMap;
use serde::Deserialize;
use toml::de::DeTable;
use toml::Spanned;

use crate::deck_file::{
    Deck, DeckFile, FieldDef, Media, Model, ModelKind, Note, NotePlaces, Package, TemplateDef,
};
use crate::error::{Error, ParseError, ParseProblem, Result, MAX_NOTE_ID};
use crate::location::{LineIndex, Location};
use crate::options::{
    by_file_key, OptionKind, OptionSpec, OptionValue, Options, FIELD_OPTIONS, MODEL_OPTIONS,
    TEMPLATE_OPTIONS,
};
use crate::template_check::{self, Side};

mod known_keys;

#[derive(Deserialize)]
struct RawFile {
    package: RawPackage,
    #[serde(default)]
    models: Vec<Spanned<RawModel>>,
    #[serde(default)]
    decks: Vec<Spanned<RawDeck>>,
    #[serde(default)]
    notes: Vec<Spanned<RawNote>>,
    #[serde(default)]
    media: Vec<Spanned<RawMedia>>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: Spanned<String>,
    version: Option<String>,
    author: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct RawModel {
    name: Spanned<String>,
    id: Option<Spanned<i64>>,
    fields: Vec<Spanned<RawField>>,
    #[serde(default)]
    templates: Vec<Spanned<RawTemplate>>,
    css: Option<String>,
    sort_field: Option<Spanned<String>>,
    #[serde(default)]
    markdown_fields: Vec<Spanned<String>>,
    model_type: Option<Spanned<String>>,
    /// Field name -> its id and settings.
    #[serde(default)]
    field_settings: IndexMap<Spanned<String>, RawSettings>,
    latex_pre: Option<Spanned<toml::Value>>,
    latex_post: Option<Spanned<toml::Value>>,
    latex_svg: Option<Spanned<toml::Value>>,
}

/// Keys with values of any type, checked against [`crate::options`] with their places.
type RawSettings = IndexMap<Spanned<String>, Spanned<toml::Value>>;

/// A field is either its name or (older files) an inline table with its name and settings.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawField {
    Name(String),
    Table(IndexMap<String, toml::Value>),
}

#[derive(Deserialize)]
struct RawTemplate {
    name: String,
    id: Option<i64>,
    front: Spanned<String>,
    back: Spanned<String>,
    browser_front: Option<Spanned<toml::Value>>,
    browser_back: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
struct RawDeck {
    name: Spanned<String>,
    description: Option<String>,
    id: Option<i64>,
}

#[derive(Deserialize)]
struct RawNote {
    deck: Spanned<String>,
    model: Spanned<String>,
    #[serde(default)]
    tags: Vec<String>,
    guid: Option<Spanned<String>>,
    note_id: Option<Spanned<i64>>,
    #[serde(default)]
    fields: IndexMap<Spanned<String>, String>,
}

#[derive(Deserialize)]
struct RawMedia {
    name: String,
    path: String,
}

/// Parse and validate a deck file. `path` is only used in messages.
pub fn parse_deck_file(path: &str, text: &str) -> Result<DeckFile> {
    let syntax = |err: toml::de::Error| {
        let offset = err.span().map_or(0, |span| span.start);
        Error::DeckFile(vec![ParseError {
            path: path.to_owned(),
            location: Location::of_offset(text, offset),
            problem: ParseProblem::Syntax {
                message: first_line(err.message()),
            },
        }])
    };
    let root: Spanned<DeTable> = DeTable::parse(text).map_err(syntax)?;
    let mut problems = Problems {
        path,
        lines: LineIndex::new(text),
        found: Vec::new(),
        warnings: Vec::new(),
    };
    known_keys::check(root.get_ref(), &mut problems);
    let raw = RawFile::deserialize(toml::de::Deserializer::from(root)).map_err(syntax)?;
    let mut file = validate(raw, &mut problems);
    let by_place = |e: &ParseError| (e.location.line, e.location.column);
    if problems.found.is_empty() {
        problems.warnings.sort_by_key(by_place);
        file.warnings = problems.warnings;
        Ok(file)
    } else {
        problems.found.sort_by_key(by_place);
        Err(Error::DeckFile(problems.found))
    }
}

/// Like [`parse_deck_file`], but with `strict` a warning refuses the file like an error.
pub fn parse_deck_file_strict(path: &str, text: &str, strict: bool) -> Result<DeckFile> {
    let file = parse_deck_file(path, text)?;
    if strict && !file.warnings.is_empty() {
        return Err(Error::DeckFile(file.warnings));
    }
    Ok(file)
}

/// serde's messages can run over several lines; the first one is the sentence.
fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_owned()
}

struct Problems<'a> {
    path: &'a str,
    lines: LineIndex<'a>,
    found: Vec<ParseError>,
    warnings: Vec<ParseError>,
}

impl Problems<'_> {
    fn at(&mut self, offset: usize, problem: ParseProblem) {
        self.found.push(ParseError {
            path: self.path.to_owned(),
            location: self.lines.location(offset),
            problem,
        });
    }

    fn warn(&mut self, offset: usize, problem: ParseProblem) {
        self.warnings.push(ParseError {
            path: self.path.to_owned(),
            location: self.lines.location(offset),
            problem,
        });
    }

    fn line_of(&self, offset: usize) -> usize {
        self.lines.location(offset).line
    }
}

fn validate(raw: RawFile, problems: &mut Problems) -> DeckFile {
    let package = Package {
        name: raw.package.name.get_ref().clone(),
        version: raw.package.version,
        author: raw.package.author,
        description: raw.package.description,
    };
    if package.name.trim().is_empty() {
        problems.at(
            raw.package.name.span().start,
            ParseProblem::Empty {
                what: "package name".into(),
            },
        );
    }

    let models = validate_models(raw.models, problems);
    let decks = validate_decks(raw.decks, problems);
    let notes = validate_notes(raw.notes, &models, problems);

    let defined_models: HashSet<&str> = models.iter().map(|m| m.name.as_str()).collect();
    let defined_decks: HashSet<&str> = decks.iter().map(|d| d.name.as_str()).collect();
    let mut external_models: Vec<String> = Vec::new();
    let mut external_decks: Vec<String> = Vec::new();
    // Seen sets beside the lists: 8,000 notes of as many undefined models took 0.3 s.
    let mut seen_models = HashSet::new();
    let mut seen_decks = HashSet::new();
    for note in &notes {
        if !defined_models.contains(note.model.as_str()) && seen_models.insert(&note.model) {
            external_models.push(note.model.clone());
        }
        if !defined_decks.contains(note.deck.as_str()) && seen_decks.insert(&note.deck) {
            external_decks.push(note.deck.clone());
        }
    }

    let media = raw
        .media
        .into_iter()
        .map(|spanned| {
            let location = problems.lines.location(spanned.span().start);
            let m = spanned.into_inner();
            Media {
                name: m.name,
                path: m.path,
                location: Some(location),
            }
        })
        .collect();

    DeckFile {
        package,
        models,
        decks,
        notes,
        media,
        external_models,
        external_decks,
        warnings: Vec::new(),
    }
}

fn validate_models(raw: Vec<Spanned<RawModel>>, problems: &mut Problems) -> Vec<Model> {
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    let mut first_id: HashMap<i64, usize> = HashMap::new();
    let mut models = Vec::with_capacity(raw.len());
    for spanned in raw {
        let start = spanned.span().start;
        let raw = spanned.into_inner();
        let name = raw.name.get_ref().clone();
        let name_at = raw.name.span().start;
        if name.trim().is_empty() {
            problems.at(
                name_at,
                ParseProblem::Empty {
                    what: "model name".into(),
                },
            );
        }
        if let Some(first) = first_seen.get(&name) {
            let first_line = problems.line_of(*first);
            problems.at(
                name_at,
                ParseProblem::DuplicateModel {
                    name: name.clone(),
                    first_line,
                },
            );
        } else {
            first_seen.insert(name.clone(), name_at);
        }
        // Two models with one id would both stand for the same note type in Anki.
        if let Some(id) = &raw.id {
            if let Some(first) = first_id.get(id.get_ref()) {
                let first_line = problems.line_of(*first);
                problems.at(
                    id.span().start,
                    ParseProblem::DuplicateModelId {
                        id: *id.get_ref(),
                        first_line,
                    },
                );
            } else {
                first_id.insert(*id.get_ref(), id.span().start);
            }
        }

        let kind = match raw
            .model_type
            .as_ref()
            .map(|t| (t.get_ref().as_str(), t.span().start))
        {
            None | Some(("standard" | "normal" | "basic", _)) => ModelKind::Standard,
            Some(("cloze", _)) => ModelKind::Cloze,
            Some(("image_occlusion", _)) => ModelKind::ImageOcclusion,
            Some((other, at)) => {
                problems.warn(
                    at,
                    ParseProblem::UnknownModelType {
                        found: other.to_owned(),
                    },
                );
                ModelKind::Standard
            }
        };

        let mut fields = Vec::with_capacity(raw.fields.len());
        // Sets, not scans of what came before: a model with 16,000 fields took 0.8 s.
        let mut field_names = HashSet::new();
        let mut ids_seen = HashSet::new();
        let mut field_places = Vec::with_capacity(raw.fields.len());
        for field in raw.fields {
            let at = field.span().start;
            let field = match field.into_inner() {
                RawField::Name(name) => FieldDef::named(&name),
                RawField::Table(table) => field_from_table(table, at, problems),
            };
            field_places.push(at);
            fields.push(field);
        }
        apply_field_settings(&name, &mut fields, raw.field_settings, problems);
        for (field, at) in fields.iter().zip(field_places) {
            if field.name.trim().is_empty() {
                problems.at(
                    at,
                    ParseProblem::Empty {
                        what: "field name".into(),
                    },
                );
            }
            if !field_names.insert(field.name.clone()) {
                problems.at(
                    at,
                    ParseProblem::DuplicateField {
                        model: name.clone(),
                        field: field.name.clone(),
                    },
                );
            }
            if let Some(id) = field.id {
                if !ids_seen.insert(("field", id)) {
                    problems.at(
                        at,
                        ParseProblem::DuplicateId {
                            model: name.clone(),
                            id,
                        },
                    );
                }
            }
        }
        if fields.is_empty() {
            problems.at(
                start,
                ParseProblem::NoFields {
                    model: name.clone(),
                },
            );
        }

        let mut templates: Vec<TemplateDef> = Vec::with_capacity(raw.templates.len());
        let mut template_spans = Vec::with_capacity(raw.templates.len());
        let mut template_names = HashSet::new();
        for template in raw.templates {
            let at = template.span().start;
            let t = template.into_inner();
            template_spans.push((t.front.span(), t.back.span()));
            if !template_names.insert(t.name.clone()) {
                problems.at(
                    at,
                    ParseProblem::DuplicateTemplate {
                        model: name.clone(),
                        template: t.name.clone(),
                    },
                );
            }
            if let Some(id) = t.id {
                if !ids_seen.insert(("template", id)) {
                    problems.at(
                        at,
                        ParseProblem::DuplicateId {
                            model: name.clone(),
                            id,
                        },
                    );
                }
            }
            let options = typed_options(
                TEMPLATE_OPTIONS,
                [
                    ("browser_front", t.browser_front),
                    ("browser_back", t.browser_back),
                ],
                problems,
            );
            templates.push(TemplateDef {
                name: t.name,
                id: t.id,
                front: t.front.into_inner(),
                back: t.back.into_inner(),
                options,
            });
        }
        check_templates(&name, &fields, &templates, &template_spans, problems);
        if templates.is_empty() {
            problems.at(
                start,
                ParseProblem::NoTemplates {
                    model: name.clone(),
                },
            );
        }
        if kind.is_cloze() {
            if templates.len() > 1 {
                problems.at(
                    start,
                    ParseProblem::ClozeTemplateCount {
                        model: name.clone(),
                        count: templates.len(),
                    },
                );
            }
            if !templates.is_empty() && !templates.iter().any(|t| has_cloze_field(&t.front)) {
                problems.at(
                    start,
                    ParseProblem::ClozeWithoutClozeField {
                        model: name.clone(),
                    },
                );
            }
        }

        let has_field = |f: &str| field_names.contains(f);
        let sort_field = raw.sort_field.map(|s| {
            if !has_field(s.get_ref()) {
                problems.at(
                    s.span().start,
                    ParseProblem::UnknownSortField {
                        field: s.get_ref().clone(),
                        model: name.clone(),
                    },
                );
            }
            s.into_inner()
        });
        let mut markdown_fields = Vec::with_capacity(raw.markdown_fields.len());
        for field in raw.markdown_fields {
            if !has_field(field.get_ref()) {
                problems.at(
                    field.span().start,
                    ParseProblem::UnknownMarkdownField {
                        field: field.get_ref().clone(),
                        model: name.clone(),
                    },
                );
            }
            markdown_fields.push(field.into_inner());
        }

        let options = typed_options(
            MODEL_OPTIONS,
            [
                ("latex_pre", raw.latex_pre),
                ("latex_post", raw.latex_post),
                ("latex_svg", raw.latex_svg),
            ],
            problems,
        );
        models.push(Model {
            name,
            id: raw.id.map(Spanned::into_inner),
            kind,
            options,
            fields,
            templates,
            css: raw.css,
            sort_field,
            markdown_fields,
            location: problems_location(problems, start),
        });
    }
    models
}

/// What Anki would refuse in the templates, at its place in the template's text. A name the
/// model lacks is only sure to be wrong in a model that has no ids: one that has may be matched
/// to a note type whose fields the same push renames or removes, which Anki carries into the
/// templates; the planner checks those against the collection ([`place_template_findings`]).
fn check_templates(
    model: &str,
    fields: &[FieldDef],
    templates: &[TemplateDef],
    spans: &[(Range<usize>, Range<usize>)],
    problems: &mut Problems,
) {
    let sides: Vec<(&str, &str)> = templates
        .iter()
        .map(|t| (t.front.as_str(), t.back.as_str()))
        .collect();
    let mut found = template_check::check_templates(&sides);
    if fields.iter().all(|f| f.id.is_none()) && templates.iter().all(|t| t.id.is_none()) {
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        found.extend(template_check::unknown_fields(&names, &sides));
    }
    for finding in found {
        let template = &templates[finding.template];
        let (span, value) = match finding.side {
            Side::Front => (spans[finding.template].0.clone(), &template.front),
            Side::Back => (spans[finding.template].1.clone(), &template.back),
        };
        let offset =
            template_check::offset_in_file(problems.lines.text(), span, value, finding.offset);
        problems.at(
            offset,
            ParseProblem::Template {
                model: model.to_owned(),
                template: template.name.clone(),
                side: finding.side.name().to_owned(),
                message: finding.message,
            },
        );
    }
}

/// Just the templates' text and places, to place what the planner found in a file that parsed.
#[derive(Deserialize)]
struct TemplatesOnly {
    #[serde(default)]
    models: Vec<ModelTemplatesOnly>,
}

#[derive(Deserialize)]
struct ModelTemplatesOnly {
    #[serde(default)]
    templates: Vec<TemplateTextOnly>,
}

#[derive(Deserialize)]
struct TemplateTextOnly {
    front: Spanned<String>,
    back: Spanned<String>,
}

/// Template problems found in the parsed model `model_index` of `text`, placed in the file.
pub fn place_template_findings(
    path: &str,
    text: &str,
    model_index: usize,
    findings: Vec<template_check::Finding>,
    deck: &DeckFile,
) -> Vec<ParseError> {
    let spans: Option<TemplatesOnly> = toml::from_str(text).ok();
    let lines = LineIndex::new(text);
    let model = &deck.models[model_index];
    findings
        .into_iter()
        .map(|finding| {
            let template = &model.templates[finding.template];
            let spanned = spans
                .as_ref()
                .and_then(|s| s.models.get(model_index))
                .and_then(|m| m.templates.get(finding.template));
            let offset = match (spanned, finding.side) {
                (Some(t), Side::Front) => template_check::offset_in_file(
                    text,
                    t.front.span(),
                    &template.front,
                    finding.offset,
                ),
                (Some(t), Side::Back) => template_check::offset_in_file(
                    text,
                    t.back.span(),
                    &template.back,
                    finding.offset,
                ),
                (None, _) => 0,
            };
            ParseError {
                path: path.to_owned(),
                location: if offset == 0 {
                    model.location
                } else {
                    lines.location(offset)
                },
                problem: ParseProblem::Template {
                    model: model.name.clone(),
                    template: template.name.clone(),
                    side: finding.side.name().to_owned(),
                    message: finding.message,
                },
            }
        })
        .collect()
}

fn problems_location(problems: &Problems, offset: usize) -> Location {
    problems.lines.location(offset)
}

/// One setting's value, if it has the type its spec says.
fn option_value(spec: &OptionSpec, value: &toml::Value) -> Option<OptionValue> {
    match (spec.kind, value) {
        (OptionKind::Text, toml::Value::String(s)) => Some(OptionValue::Text(s.clone())),
        (OptionKind::Bool, toml::Value::Boolean(b)) => Some(OptionValue::Bool(*b)),
        (OptionKind::Integer, toml::Value::Integer(i)) if *i >= 0 => Some(OptionValue::Integer(*i)),
        _ => None,
    }
}

fn expected(kind: OptionKind) -> &'static str {
    match kind {
        OptionKind::Text => "a string",
        OptionKind::Bool => "true or false",
        OptionKind::Integer => "a whole number, 0 or more",
    }
}

/// Settings read by file key into a map by Anki's key; a value of the wrong type is refused at
/// its place.
fn typed_options<const N: usize>(
    specs: &[OptionSpec],
    values: [(&str, Option<Spanned<toml::Value>>); N],
    problems: &mut Problems,
) -> Options {
    let mut options = Options::new();
    for (key, value) in values {
        let (Some(value), Some(spec)) = (value, by_file_key(specs, key)) else {
            continue;
        };
        match option_value(spec, value.get_ref()) {
            Some(v) => {
                options.insert(spec.anki_key.to_owned(), v);
            }
            None => problems.at(
                value.span().start,
                ParseProblem::WrongOptionType {
                    key: key.to_owned(),
                    expected: expected(spec.kind).to_owned(),
                },
            ),
        }
    }
    options
}

/// An older file's `{ name = "Word", id = ..., font = ... }` entry in `fields`.
fn field_from_table(
    table: IndexMap<String, toml::Value>,
    at: usize,
    problems: &mut Problems,
) -> FieldDef {
    let mut field = FieldDef::named("");
    for (key, value) in &table {
        let wrong = |problems: &mut Problems, expected: &str| {
            problems.at(
                at,
                ParseProblem::WrongOptionType {
                    key: key.clone(),
                    expected: expected.to_owned(),
                },
            )
        };
        match (key.as_str(), value) {
            ("name", toml::Value::String(name)) => field.name = name.clone(),
            ("name", _) => wrong(problems, "a string"),
            ("id", toml::Value::Integer(id)) => field.id = Some(*id),
            ("id", _) => wrong(problems, "an integer"),
            (key, value) => {
                // Unknown keys were warned about already (see `known_keys`).
                if let Some(spec) = by_file_key(FIELD_OPTIONS, key) {
                    match option_value(spec, value) {
                        Some(v) => {
                            field.options.insert(spec.anki_key.to_owned(), v);
                        }
                        None => wrong(problems, expected(spec.kind)),
                    }
                }
            }
        }
    }
    if !table.contains_key("name") {
        problems.at(
            at,
            ParseProblem::Syntax {
                message: "a field table needs a `name`".into(),
            },
        );
    }
    field
}

/// Merges `[models.field_settings]` into the fields it names.
fn apply_field_settings(
    model: &str,
    fields: &mut [FieldDef],
    settings: IndexMap<Spanned<String>, RawSettings>,
    problems: &mut Problems,
) {
    for (name, entries) in settings {
        let Some(position) = fields.iter().position(|f| &f.name == name.get_ref()) else {
            let known: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            problems.at(
                name.span().start,
                ParseProblem::UnknownFieldSetting {
                    field: name.get_ref().clone(),
                    model: model.to_owned(),
                    suggestion: known_keys::nearest(name.get_ref(), &known).map(str::to_owned),
                },
            );
            continue;
        };
        let field = &mut fields[position];
        for (key, value) in entries {
            let at = value.span().start;
            let twice = |problems: &mut Problems| {
                problems.at(
                    at,
                    ParseProblem::OptionGivenTwice {
                        field: name.get_ref().clone(),
                        key: key.get_ref().clone(),
                    },
                )
            };
            if key.get_ref() == "id" {
                match value.get_ref() {
                    toml::Value::Integer(id) => {
                        if field.id.is_some_and(|old| old != *id) {
                            twice(problems);
                        }
                        field.id = Some(*id);
                    }
                    _ => problems.at(
                        at,
                        ParseProblem::WrongOptionType {
                            key: "id".into(),
                            expected: "an integer".into(),
                        },
                    ),
                }
                continue;
            }
            let Some(spec) = by_file_key(FIELD_OPTIONS, key.get_ref()) else {
                continue;
            };
            match option_value(spec, value.get_ref()) {
                Some(v) => {
                    if field
                        .options
                        .get(spec.anki_key)
                        .is_some_and(|old| *old != v)
                    {
                        twice(problems);
                    }
                    field.options.insert(spec.anki_key.to_owned(), v);
                }
                None => problems.at(
                    at,
                    ParseProblem::WrongOptionType {
                        key: key.get_ref().clone(),
                        expected: expected(spec.kind).to_owned(),
                    },
                ),
            }
        }
    }
}

/// Anki makes cloze cards from `{{cloze:Field}}`, possibly behind other filters
/// (`{{cloze:furigana:Field}}` is not valid, but `{{text:cloze:Field}}` is not either; Anki
/// accepts `cloze:` as any filter in the chain).
fn has_cloze_field(template: &str) -> bool {
    template.split("{{").skip(1).any(|tag| {
        let tag = tag.split("}}").next().unwrap_or("");
        tag.split(':')
            .rev()
            .skip(1)
            .any(|filter| filter.trim() == "cloze")
    })
}

fn validate_decks(raw: Vec<Spanned<RawDeck>>, problems: &mut Problems) -> Vec<Deck> {
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    let mut decks = Vec::with_capacity(raw.len());
    for deck in raw {
        let deck = deck.into_inner();
        let at = deck.name.span().start;
        let name = deck.name.into_inner();
        if name.trim().is_empty() {
            problems.at(
                at,
                ParseProblem::Empty {
                    what: "deck name".into(),
                },
            );
        }
        if let Some(first) = first_seen.get(&name) {
            let first_line = problems.line_of(*first);
            problems.at(
                at,
                ParseProblem::DuplicateDeck {
                    name: name.clone(),
                    first_line,
                },
            );
        } else {
            first_seen.insert(name.clone(), at);
        }
        decks.push(Deck {
            name,
            description: deck.description,
            id: deck.id,
        });
    }
    decks
}

fn validate_notes(
    raw: Vec<Spanned<RawNote>>,
    models: &[Model],
    problems: &mut Problems,
) -> Vec<Note> {
    let mut note_ids: HashMap<i64, usize> = HashMap::new();
    let mut guids: HashMap<String, usize> = HashMap::new();
    // Each note's model and fields are looked up, not searched for: 8,000 notes of 8,000
    // models took 0.5 s. The first model of a name is the one, as duplicates are refused.
    let mut by_name: HashMap<&str, (&Model, HashSet<&str>)> = HashMap::new();
    for model in models {
        by_name
            .entry(model.name.as_str())
            .or_insert_with(|| (model, model.field_names().collect()));
    }
    let mut notes = Vec::with_capacity(raw.len());
    for (index, spanned) in raw.into_iter().enumerate() {
        let start = spanned.span().start;
        let raw = spanned.into_inner();
        let model_name = raw.model.get_ref().clone();
        if let Some((model, field_names)) = by_name.get(model_name.as_str()) {
            for field in raw.fields.keys() {
                if !field_names.contains(field.get_ref().as_str()) {
                    let known = model.field_names().collect::<Vec<_>>().join(", ");
                    problems.at(
                        field.span().start,
                        ParseProblem::UnknownField {
                            field: field.get_ref().clone(),
                            model: model_name.clone(),
                            known,
                        },
                    );
                }
            }
        }
        if let Some(id) = &raw.note_id {
            let reason = match *id.get_ref() {
                i64::MIN..=-1 => Some("it is negative"),
                0 => Some("it is zero"),
                n if n > MAX_NOTE_ID => Some("it is far beyond any creation time"),
                _ => None,
            };
            if let Some(reason) = reason {
                problems.at(
                    id.span().start,
                    ParseProblem::ImpossibleNoteId {
                        note_id: *id.get_ref(),
                        reason: reason.into(),
                    },
                );
            } else if let Some(first) = note_ids.get(id.get_ref()) {
                let first_line = problems.line_of(*first);
                problems.at(
                    id.span().start,
                    ParseProblem::DuplicateNoteId {
                        note_id: *id.get_ref(),
                        first_line,
                    },
                );
            } else {
                note_ids.insert(*id.get_ref(), id.span().start);
            }
        }
        if let Some(guid) = &raw.guid {
            if guid.get_ref().is_empty() {
                problems.at(
                    guid.span().start,
                    ParseProblem::Empty {
                        what: "guid".into(),
                    },
                );
            } else if let Some(first) = guids.get(guid.get_ref()) {
                let first_line = problems.line_of(*first);
                problems.at(
                    guid.span().start,
                    ParseProblem::DuplicateGuid {
                        guid: guid.get_ref().clone(),
                        first_line,
                    },
                );
            } else {
                guids.insert(guid.get_ref().clone(), guid.span().start);
            }
        }
        let id_slot = match (&raw.note_id, &raw.guid) {
            (Some(_), _) => None,
            (None, Some(guid)) => id_slot(problems.lines.text(), start, guid.span().end),
            (None, None) => id_slot(problems.lines.text(), start, raw.model.span().end),
        };
        let places = NotePlaces {
            deck: problems.lines.location(raw.deck.span().start),
            model: problems.lines.location(raw.model.span().start),
            note_id: raw
                .note_id
                .as_ref()
                .map(|id| problems.lines.location(id.span().start)),
            fields: raw
                .fields
                .keys()
                .map(|k| (k.get_ref().clone(), problems.lines.location(k.span().start)))
                .collect(),
            id_slot,
        };
        notes.push(Note {
            index,
            location: problems.lines.location(start),
            deck: raw.deck.into_inner(),
            model: model_name,
            tags: raw.tags,
            guid: raw.guid.map(Spanned::into_inner),
            note_id: raw.note_id.map(Spanned::into_inner),
            fields: raw
                .fields
                .into_iter()
                .map(|(k, v)| (k.into_inner(), v))
                .collect(),
            places,
        });
    }
    notes
}

/// Where a line can go after the value ending at `value_end`, in the note whose table starts
/// at `table_start`: only in a `[[notes]]` table (an inline `{ ... }` note has no lines of its
/// own), after the rest of the value's line (spaces and a comment), which a line break ends.
fn id_slot(text: &str, table_start: usize, value_end: usize) -> Option<usize> {
    if !text[table_start..].starts_with("[[") {
        return None;
    }
    let rest = &text[value_end..];
    let line_end = rest.find('\n')?;
    let tail = rest[..line_end]
        .strip_suffix('\r')
        .unwrap_or(&rest[..line_end])
        .trim_start_matches([' ', '\t']);
    (tail.is_empty() || tail.starts_with('#')).then_some(value_end + line_end + 1)
}

#[cfg(test)]
mod tests;
