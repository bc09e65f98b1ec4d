//! Note types on sync: the file's `[[models]]` against the collection's note types.
//!
//! Fields and templates are matched as Anki 23.10+ matches them when merging note types: by
//! id when both have one, by name when at least one has none. A match with a different name is
//! a rename (no schema change). Adding, removing or reordering fields or templates, or changing
//! the sort field, is a schema change: it forces a one-way full sync with AnkiWeb, so it needs
//! the user's consent. Push and sync take the file's structure; pull takes the collection's.
//! Template and CSS text follow the same three-way rules as note fields (see `rules.rs`), and
//! so do the settings the file gives (see `crate::options`); a setting the file leaves out
//! stays as Anki has it, and pull writes it into the file where Anki's differs from its
//! default. A setting is never a schema change.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::base::{fingerprint, SidePair};
use super::rules::{action, verdict, Action, Direction, Strategy};
use super::snapshot::{AnkiModel, AnkiPart, AnkiSnapshot};
use crate::deck_file::{DeckFile, FieldDef, Model, TemplateDef};
use crate::options::{
    file_view, OptionDefaults, OptionSpec, OptionValue, Options, FIELD_OPTIONS, MODEL_OPTIONS,
    TEMPLATE_OPTIONS,
};

/// A change to an existing note type, for the Python side to apply through Anki's API. Parts are
/// listed in their new order; `ord` is the part's current position in Anki (None = new), which
/// is how Anki's API moves note contents along with reordered fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelUpdate {
    pub id: i64,
    pub name: String,
    pub fields: Vec<PartUpdate>,
    pub templates: Vec<TemplateUpdate>,
    pub css: String,
    pub sort_field: usize,
    pub schema_change: bool,
    /// Note-type settings to set, by Anki's key; the others stay as they are.
    #[serde(default)]
    pub options: Options,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartUpdate {
    pub name: String,
    pub id: Option<i64>,
    pub ord: Option<usize>,
    /// Settings to set, by Anki's key.
    #[serde(default)]
    pub options: Options,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateUpdate {
    pub name: String,
    pub id: Option<i64>,
    pub ord: Option<usize>,
    pub front: String,
    pub back: String,
    /// Settings to set, by Anki's key.
    #[serde(default)]
    pub options: Options,
}

#[derive(Debug, Default)]
pub struct ModelPlan {
    pub create: Vec<Model>,
    pub update: Vec<ModelUpdate>,
    /// `(index in the file's models, the model as the file should now say it)`.
    pub file_updates: Vec<(usize, Model)>,
    pub schema_changes: Vec<String>,
    pub model_changes: Vec<String>,
    pub warnings: Vec<String>,
    pub base: BTreeMap<String, BTreeMap<String, SidePair>>,
}

/// Whether two parts match: Anki's merge rule, from [`crate::notetype::merge::parts_match`].
pub fn parts_match(a_name: &str, a_id: Option<i64>, b_name: &str, b_id: Option<i64>) -> bool {
    use crate::notetype::shape::Part;
    crate::notetype::merge::parts_match(&Part::new(a_name, a_id), &Part::new(b_name, b_id))
}

/// For each of `file` parts, the index of its match among `anki` parts (each used once).
fn match_all(file: &[(String, Option<i64>)], anki: &[AnkiPart]) -> Vec<Option<usize>> {
    let mut used = vec![false; anki.len()];
    file.iter()
        .map(|(name, id)| {
            let found = anki
                .iter()
                .enumerate()
                .find(|(i, a)| !used[*i] && parts_match(name, *id, &a.name, a.id))
                .map(|(i, _)| i);
            if let Some(i) = found {
                used[i] = true;
            }
            found
        })
        .collect()
}

pub struct ModelContext<'a> {
    pub deck: &'a DeckFile,
    pub anki: &'a AnkiSnapshot,
    pub base: Option<&'a BTreeMap<String, BTreeMap<String, SidePair>>>,
    pub direction: Direction,
    pub strategy: Strategy,
    pub delete: bool,
}

/// See [`super::model_identity`].
pub fn find_anki_model<'a>(anki: &'a AnkiSnapshot, model: &Model) -> Option<&'a AnkiModel> {
    super::model_identity::existing(anki, model)
}

pub fn plan_models(cx: &ModelContext) -> ModelPlan {
    let mut plan = ModelPlan::default();
    for (index, model) in cx.deck.models.iter().enumerate() {
        match find_anki_model(cx.anki, model) {
            None if cx.direction.writes_anki() => {
                plan.model_changes
                    .push(format!("create note type '{}'", model.name));
                plan.create.push(model.clone());
            }
            None => plan.model_changes.push(format!(
                "note type '{}' is not in the collection (push creates it)",
                model.name
            )),
            Some(anki) => plan_existing(cx, index, model, anki, &mut plan),
        }
    }
    plan
}

fn plan_existing(
    cx: &ModelContext,
    index: usize,
    model: &Model,
    anki: &AnkiModel,
    plan: &mut ModelPlan,
) {
    let file_fields: Vec<(String, Option<i64>)> = model
        .fields
        .iter()
        .map(|f| (f.name.clone(), f.id))
        .collect();
    let field_matches = match_all(&file_fields, &anki.fields);
    let anki_templates: Vec<AnkiPart> = anki
        .templates
        .iter()
        .map(|t| AnkiPart {
            name: t.name.clone(),
            id: t.id,
            ord: t.ord,
            options: Default::default(),
        })
        .collect();
    let file_templates: Vec<(String, Option<i64>)> = model
        .templates
        .iter()
        .map(|t| (t.name.clone(), t.id))
        .collect();
    let template_matches = match_all(&file_templates, &anki_templates);

    // Structure: what differs between the file's parts and Anki's.
    let mut diff = StructureDiff::default();
    describe_structure(
        "field",
        &file_fields,
        &field_matches,
        &anki.fields,
        cx.delete,
        &mut diff,
    );
    describe_structure(
        "template",
        &file_templates,
        &template_matches,
        &anki_templates,
        cx.delete,
        &mut diff,
    );
    let StructureDiff {
        mut structure,
        renames,
        kept,
    } = diff;
    let file_sort = model
        .sort_field
        .as_ref()
        .and_then(|s| model.fields.iter().position(|f| &f.name == s))
        .unwrap_or(0);
    let anki_sort_name = anki
        .fields
        .get(anki.sort_field)
        .map(|f| f.name.as_str())
        .unwrap_or("");
    let sort_changed = model.sort_field.is_some()
        && model.fields.get(file_sort).map(|f| f.name.as_str()) != Some(anki_sort_name)
        && field_matches.get(file_sort).copied().flatten() != Some(anki.sort_field);
    if sort_changed {
        structure.push(format!(
            "sort field becomes '{}'",
            model.fields[file_sort].name
        ));
    }

    // Text: CSS and template sides, three ways.
    let base = cx.base.and_then(|b| b.get(&model.name));
    let mut text_base = BTreeMap::new();
    let mut to_anki = false;
    let mut new_file_model = model.clone();
    let mut texts: Vec<(String, String, String)> = Vec::new(); // key, file, anki
    texts.push((
        "css".into(),
        model.css.clone().unwrap_or_else(|| anki.css.clone()),
        anki.css.clone(),
    ));
    for (t, matched) in model.templates.iter().zip(&template_matches) {
        if let Some(a) = matched.map(|i| &anki.templates[i]) {
            texts.push((
                format!("{}.front", t.name),
                t.front.clone(),
                a.front.clone(),
            ));
            texts.push((format!("{}.back", t.name), t.back.clone(), a.back.clone()));
        }
    }
    let mut final_anki_text: BTreeMap<String, String> = BTreeMap::new();
    for (key, file, anki_text) in &texts {
        let changed = base.and_then(|b| b.get(key)).map(|p| {
            (
                fingerprint(file) != p.file,
                fingerprint(anki_text) != p.anki,
            )
        });
        let v = verdict(file == anki_text, changed);
        let act = action(v, cx.direction, cx.strategy);
        let (f, a) = match act {
            Action::ToAnki => {
                to_anki = true;
                plan.model_changes
                    .push(format!("note type '{}': {} from the file", model.name, key));
                (file.clone(), file.clone())
            }
            Action::ToFile => {
                set_text(&mut new_file_model, key, anki_text);
                plan.model_changes
                    .push(format!("note type '{}': {} from Anki", model.name, key));
                (anki_text.clone(), anki_text.clone())
            }
            Action::LeaveConflict => {
                plan.model_changes.push(format!(
                    "note type '{}': {} changed on both sides (left as is)",
                    model.name, key
                ));
                (file.clone(), anki_text.clone())
            }
            Action::Nothing => (file.clone(), anki_text.clone()),
        };
        if f == a {
            text_base.insert(key.clone(), SidePair::of(&f, &a));
        } else if let Some(old) = base.and_then(|b| b.get(key)) {
            text_base.insert(key.clone(), *old);
        }
        final_anki_text.insert(key.clone(), a);
    }
    let options = plan_options(
        cx,
        model,
        anki,
        &field_matches,
        &template_matches,
        &mut new_file_model,
        &mut text_base,
        plan,
    );
    to_anki |= !options.is_empty();
    plan.base.insert(model.name.clone(), text_base);

    if cx.direction.writes_anki() {
        let structure_differs = !structure.is_empty();
        for s in &structure {
            plan.schema_changes
                .push(format!("note type '{}': {}", model.name, s));
        }
        for k in &kept {
            plan.model_changes
                .push(format!("note type '{}': {}", model.name, k));
        }
        for r in &renames {
            plan.model_changes
                .push(format!("note type '{}': {}", model.name, r));
        }
        // Matched by id under another name: the file renamed the note type.
        let renamed = model.name != anki.name;
        if renamed {
            plan.model_changes.push(format!(
                "rename note type '{}' to '{}'",
                anki.name, model.name
            ));
        }
        if structure_differs || !renames.is_empty() || to_anki || renamed {
            plan.update.push(model_update(
                cx,
                model,
                anki,
                &field_matches,
                &template_matches,
                file_sort,
                &final_anki_text,
                &options,
                structure_differs,
            ));
        }
        // Ids Anki has that the file lacks are written back.
        fill_ids(&mut new_file_model, anki, &field_matches, &template_matches);
    } else {
        if model.name != anki.name {
            // The notes name the model too; only a push renames (in Anki).
            plan.model_changes.push(format!(
                "note type '{}' is named '{}' in Anki; push renames it there",
                model.name, anki.name
            ));
        }
        // Pull: the collection's structure wins; keep the file's Markdown choices that still apply.
        if !structure.is_empty() || !kept.is_empty() || !renames.is_empty() {
            plan.model_changes.push(format!(
                "note type '{}': fields and templates from Anki",
                model.name
            ));
            new_file_model = Model {
                name: model.name.clone(),
                ..model_from_anki(anki, model, &cx.anki.option_defaults)
            };
        } else {
            fill_ids(&mut new_file_model, anki, &field_matches, &template_matches);
        }
    }
    if new_file_model != *model {
        plan.file_updates.push((index, new_file_model));
    }
}

/// Settings to set in Anki: the note type's, and each field's and template's by its position
/// in the file.
#[derive(Default)]
struct OptionChanges {
    model: Options,
    fields: HashMap<usize, Options>,
    templates: HashMap<usize, Options>,
}

impl OptionChanges {
    fn is_empty(&self) -> bool {
        self.model.is_empty() && self.fields.is_empty() && self.templates.is_empty()
    }
}

#[derive(Clone, Copy)]
enum Level {
    Model,
    Field(usize),
    Template(usize),
}

/// One setting of one part, on both sides.
struct Slot<'a> {
    level: Level,
    /// How messages and the base name it: `latex_pre`, `field 'Word' font`.
    label: String,
    spec: &'a OptionSpec,
    file: Option<&'a OptionValue>,
    anki: Option<&'a OptionValue>,
    default: Option<&'a OptionValue>,
}

fn slots<'a>(
    level: Level,
    prefix: &str,
    specs: &'a [OptionSpec],
    file: &'a Options,
    anki: &'a Options,
    defaults: &'a Options,
) -> impl Iterator<Item = Slot<'a>> + 'a {
    let prefix = prefix.to_owned();
    specs.iter().map(move |spec| Slot {
        level,
        label: format!("{prefix}{}", spec.file_key),
        spec,
        file: file.get(spec.anki_key),
        anki: anki.get(spec.anki_key),
        default: defaults.get(spec.anki_key),
    })
}

/// The file's settings against Anki's, three ways like template text; fills the file's model
/// with what it should now say and returns what Anki should now have.
#[allow(clippy::too_many_arguments)]
fn plan_options(
    cx: &ModelContext,
    model: &Model,
    anki: &AnkiModel,
    field_matches: &[Option<usize>],
    template_matches: &[Option<usize>],
    new_file_model: &mut Model,
    text_base: &mut BTreeMap<String, SidePair>,
    plan: &mut ModelPlan,
) -> OptionChanges {
    let defaults = &cx.anki.option_defaults;
    let mut all: Vec<Slot> = slots(
        Level::Model,
        "",
        MODEL_OPTIONS,
        &model.options,
        &anki.options,
        &defaults.model,
    )
    .collect();
    for (i, (f, m)) in model.fields.iter().zip(field_matches).enumerate() {
        if let Some(a) = m.map(|m| &anki.fields[m]) {
            let prefix = format!("field '{}' ", f.name);
            all.extend(slots(
                Level::Field(i),
                &prefix,
                FIELD_OPTIONS,
                &f.options,
                &a.options,
                &defaults.field,
            ));
        }
    }
    for (i, (t, m)) in model.templates.iter().zip(template_matches).enumerate() {
        if let Some(a) = m.map(|m| &anki.templates[m]) {
            let prefix = format!("template '{}' ", t.name);
            all.extend(slots(
                Level::Template(i),
                &prefix,
                TEMPLATE_OPTIONS,
                &t.options,
                &a.options,
                &defaults.template,
            ));
        }
    }
    let base = cx.base.and_then(|b| b.get(&model.name));
    let mut changes = OptionChanges::default();
    for slot in all {
        let base_key = format!("option {}", slot.label);
        let Some(anki_value) = slot.anki else {
            if slot.file.is_some() {
                plan.warnings.push(format!(
                    "note type '{}': this Anki has no setting `{}`; the file's value is not used",
                    model.name, slot.label
                ));
            }
            continue;
        };
        let Some(file_value) = slot.file else {
            // The file does not say: Anki's value stands, and a pull writes it down where it
            // is not Anki's default.
            if cx.direction.writes_file() && slot.default != Some(anki_value) {
                set_file_option(new_file_model, slot.level, slot.spec, anki_value);
                plan.model_changes.push(format!(
                    "note type '{}': {} from Anki",
                    model.name, slot.label
                ));
            }
            let shown = anki_value.display();
            text_base.insert(base_key, SidePair::of(&shown, &shown));
            continue;
        };
        let (file_text, anki_text) = (file_value.display(), anki_value.display());
        let changed = base.and_then(|b| b.get(&base_key)).map(|p| {
            (
                fingerprint(&file_text) != p.file,
                fingerprint(&anki_text) != p.anki,
            )
        });
        let act = action(
            verdict(file_value == anki_value, changed),
            cx.direction,
            cx.strategy,
        );
        let agreed = match act {
            Action::ToAnki => {
                let target = match slot.level {
                    Level::Model => &mut changes.model,
                    Level::Field(i) => changes.fields.entry(i).or_default(),
                    Level::Template(i) => changes.templates.entry(i).or_default(),
                };
                target.insert(slot.spec.anki_key.to_owned(), file_value.clone());
                plan.model_changes.push(format!(
                    "note type '{}': {} from the file",
                    model.name, slot.label
                ));
                Some(&file_text)
            }
            Action::ToFile => {
                set_file_option(new_file_model, slot.level, slot.spec, anki_value);
                plan.model_changes.push(format!(
                    "note type '{}': {} from Anki",
                    model.name, slot.label
                ));
                Some(&anki_text)
            }
            Action::LeaveConflict => {
                plan.model_changes.push(format!(
                    "note type '{}': {} changed on both sides (left as is)",
                    model.name, slot.label
                ));
                None
            }
            Action::Nothing => (file_value == anki_value).then_some(&file_text),
        };
        match agreed {
            Some(v) => {
                text_base.insert(base_key, SidePair::of(v, v));
            }
            None => {
                if let Some(old) = base.and_then(|b| b.get(&base_key)) {
                    text_base.insert(base_key, *old);
                }
            }
        }
    }
    changes
}

/// The base of a note type on which file and Anki agree (after an export, or a push that
/// created it): css, template sides and settings, under the keys the plan uses.
pub fn agreed_model_base(anki: &AnkiModel) -> BTreeMap<String, SidePair> {
    let mut base = BTreeMap::new();
    base.insert("css".to_owned(), SidePair::of(&anki.css, &anki.css));
    for t in &anki.templates {
        base.insert(
            format!("{}.front", t.name),
            SidePair::of(&t.front, &t.front),
        );
        base.insert(format!("{}.back", t.name), SidePair::of(&t.back, &t.back));
    }
    let mut add = |prefix: &str, specs: &[OptionSpec], options: &Options| {
        for spec in specs {
            if let Some(value) = options.get(spec.anki_key) {
                let shown = value.display();
                base.insert(
                    format!("option {prefix}{}", spec.file_key),
                    SidePair::of(&shown, &shown),
                );
            }
        }
    };
    add("", MODEL_OPTIONS, &anki.options);
    for f in &anki.fields {
        add(&format!("field '{}' ", f.name), FIELD_OPTIONS, &f.options);
    }
    for t in &anki.templates {
        add(
            &format!("template '{}' ", t.name),
            TEMPLATE_OPTIONS,
            &t.options,
        );
    }
    base
}

fn set_file_option(model: &mut Model, level: Level, spec: &OptionSpec, value: &OptionValue) {
    let options = match level {
        Level::Model => &mut model.options,
        Level::Field(i) => &mut model.fields[i].options,
        Level::Template(i) => &mut model.templates[i].options,
    };
    options.insert(spec.anki_key.to_owned(), value.clone());
}

/// How the file's fields (or templates) differ from Anki's.
#[derive(Default)]
struct StructureDiff {
    /// Changes to the schema: adds, removals (with --delete) and reorders; need consent.
    structure: Vec<String>,
    renames: Vec<String>,
    /// Parts only Anki has, kept because deletions were not asked for.
    kept: Vec<String>,
}

fn describe_structure(
    kind: &str,
    file: &[(String, Option<i64>)],
    matches: &[Option<usize>],
    anki: &[AnkiPart],
    delete: bool,
    diff: &mut StructureDiff,
) {
    for ((name, _), m) in file.iter().zip(matches) {
        match m {
            None => diff.structure.push(format!("add {kind} '{name}'")),
            Some(i) if anki[*i].name != *name => diff
                .renames
                .push(format!("rename {kind} '{}' to '{}'", anki[*i].name, name)),
            Some(_) => {}
        }
    }
    let order: Vec<usize> = matches.iter().flatten().copied().collect();
    let mut kept_before_a_matched_part = false;
    for (i, part) in anki.iter().enumerate() {
        if matches.contains(&Some(i)) {
            continue;
        }
        if delete {
            diff.structure
                .push(format!("remove {kind} '{}'", part.name));
        } else {
            diff.kept.push(format!(
                "{kind} '{}' is not in the file: kept in Anki (remove it with --delete)",
                part.name
            ));
            kept_before_a_matched_part |= order.iter().any(|&m| m > i);
        }
    }
    // A kept part goes after the file's parts (see `model_update`), which moves it if it was
    // before one of them.
    if order.windows(2).any(|w| w[0] > w[1]) || kept_before_a_matched_part {
        diff.structure.push(format!("reorder {kind}s"));
    }
}

fn set_text(model: &mut Model, key: &str, value: &str) {
    if key == "css" {
        model.css = Some(value.to_owned());
        return;
    }
    for t in &mut model.templates {
        if key == format!("{}.front", t.name) {
            t.front = value.to_owned();
        } else if key == format!("{}.back", t.name) {
            t.back = value.to_owned();
        }
    }
}

fn fill_ids(
    model: &mut Model,
    anki: &AnkiModel,
    fields: &[Option<usize>],
    templates: &[Option<usize>],
) {
    model.fill_missing_ids(
        Some(anki.id),
        |i, _| {
            fields
                .get(i)
                .copied()
                .flatten()
                .and_then(|m| anki.fields[m].id)
        },
        |i, _| {
            templates
                .get(i)
                .copied()
                .flatten()
                .and_then(|m| anki.templates[m].id)
        },
    );
}

#[allow(clippy::too_many_arguments)]
fn model_update(
    cx: &ModelContext,
    model: &Model,
    anki: &AnkiModel,
    field_matches: &[Option<usize>],
    template_matches: &[Option<usize>],
    sort_field: usize,
    text: &BTreeMap<String, String>,
    options: &OptionChanges,
    schema_change: bool,
) -> ModelUpdate {
    // A new part takes every setting the file gives; a matched one what the plan changes.
    let part_options =
        |i: usize, matched: bool, file: &Options, changed: &HashMap<usize, Options>| {
            if matched {
                changed.get(&i).cloned().unwrap_or_default()
            } else {
                file.clone()
            }
        };
    let mut fields: Vec<PartUpdate> = model
        .fields
        .iter()
        .zip(field_matches)
        .enumerate()
        .map(|(i, (f, m))| PartUpdate {
            name: f.name.clone(),
            id: f.id.or_else(|| m.and_then(|i| anki.fields[i].id)),
            ord: m.map(|i| anki.fields[i].ord),
            options: part_options(i, m.is_some(), &f.options, &options.fields),
        })
        .collect();
    let mut templates: Vec<TemplateUpdate> = model
        .templates
        .iter()
        .zip(template_matches)
        .enumerate()
        .map(|(i, (t, m))| TemplateUpdate {
            name: t.name.clone(),
            id: t.id.or_else(|| m.and_then(|i| anki.templates[i].id)),
            ord: m.map(|i| anki.templates[i].ord),
            options: part_options(i, m.is_some(), &t.options, &options.templates),
            front: text
                .get(&format!("{}.front", t.name))
                .cloned()
                .unwrap_or_else(|| t.front.clone()),
            back: text
                .get(&format!("{}.back", t.name))
                .cloned()
                .unwrap_or_else(|| t.back.clone()),
        })
        .collect();
    // Parts only Anki has are removed only when the user asked for deletions; otherwise they
    // stay, at the end, so no note loses content.
    if !cx.delete {
        for (i, f) in anki.fields.iter().enumerate() {
            if !field_matches.contains(&Some(i)) {
                fields.push(PartUpdate {
                    name: f.name.clone(),
                    id: f.id,
                    ord: Some(f.ord),
                    options: Options::new(),
                });
            }
        }
        for (i, t) in anki.templates.iter().enumerate() {
            if !template_matches.contains(&Some(i)) {
                templates.push(TemplateUpdate {
                    name: t.name.clone(),
                    id: t.id,
                    ord: Some(t.ord),
                    front: t.front.clone(),
                    back: t.back.clone(),
                    options: Options::new(),
                });
            }
        }
    }
    ModelUpdate {
        id: anki.id,
        name: model.name.clone(),
        fields,
        templates,
        css: text.get("css").cloned().unwrap_or_else(|| anki.css.clone()),
        sort_field,
        schema_change,
        options: options.model.clone(),
    }
}

/// The file's description of a note type as the collection has it: Anki's parts and settings
/// (those the file said, and those that differ from Anki's defaults), the file's Markdown
/// choices that still apply.
pub fn model_from_anki(anki: &AnkiModel, file: &Model, defaults: &OptionDefaults) -> Model {
    let fields: Vec<FieldDef> = anki
        .fields
        .iter()
        .map(|f| {
            let old = file
                .fields
                .iter()
                .find(|o| parts_match(&o.name, o.id, &f.name, f.id));
            let said = old.map(|o| o.options.clone()).unwrap_or_default();
            FieldDef {
                name: f.name.clone(),
                id: f.id,
                options: file_view(&f.options, &said, &defaults.field),
            }
        })
        .collect();
    let templates = anki
        .templates
        .iter()
        .map(|t| {
            let old = file
                .templates
                .iter()
                .find(|o| parts_match(&o.name, o.id, &t.name, t.id));
            let said = old.map(|o| o.options.clone()).unwrap_or_default();
            TemplateDef {
                name: t.name.clone(),
                id: t.id,
                front: t.front.clone(),
                back: t.back.clone(),
                options: file_view(&t.options, &said, &defaults.template),
            }
        })
        .collect();
    let markdown_fields = file
        .markdown_fields
        .iter()
        .filter(|m| fields.iter().any(|f: &FieldDef| &f.name == *m))
        .cloned()
        .collect();
    Model {
        name: anki.name.clone(),
        id: Some(anki.id),
        kind: anki.kind,
        sort_field: anki.fields.get(anki.sort_field).map(|f| f.name.clone()),
        css: Some(anki.css.clone()),
        fields,
        templates,
        markdown_fields,
        options: file_view(&anki.options, &file.options, &defaults.model),
        location: file.location,
    }
}
