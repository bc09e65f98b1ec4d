//! Format-preserving edits of a deck file, through toml_edit.
//!
//! Everything an edit does not touch stays byte-identical: comments, key order, blank lines,
//! quoting, inline versus standard tables. A changed value is replaced in place and keeps the
//! comment after it; new notes are appended at the end. New values are written in one stable
//! style (see [`string_value`]) so that the same content always gives the same bytes and git
//! diffs show only real changes.

use std::collections::{HashMap, HashSet};

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike, Value};

use crate::deck_file::{Deck, FieldDef, Media, Model, Note, Package, TemplateDef};
use crate::error::{Error, Result};
use crate::options::{
    by_anki_key, OptionSpec, OptionValue, Options, FIELD_OPTIONS, MODEL_OPTIONS, TEMPLATE_OPTIONS,
};

mod entry_text;
pub mod new_ids;
mod text_style;

pub use entry_text::EntryWriter;

use text_style::TextStyle;

/// A deck file's text, open for edits.
pub struct DeckDocument {
    doc: DocumentMut,
    style: TextStyle,
    /// For a text that toml_edit renders otherwise even unedited (mixed line endings): that
    /// render, and the text to give back while nothing changed.
    verbatim: Option<(String, String)>,
}

impl DeckDocument {
    /// Opens text that [`crate::parse::parse_deck_file`] accepted.
    pub fn parse(text: &str) -> Result<DeckDocument> {
        let doc = text
            .parse::<DocumentMut>()
            .map_err(|e| Error::BadInput(format!("deck file no longer parses: {e}")))?;
        let mut opened = DeckDocument {
            doc,
            style: TextStyle::of(text),
            verbatim: None,
        };
        // An LF file that ends its last line renders as it is; others are checked once.
        if text.contains('\r') || !text.ends_with('\n') || text.starts_with('\u{feff}') {
            let unedited = opened.render();
            if unedited != text {
                opened.verbatim = Some((unedited, text.to_owned()));
            }
        }
        Ok(opened)
    }

    /// An empty document, to build a new deck file.
    pub fn new() -> DeckDocument {
        DeckDocument {
            doc: DocumentMut::new(),
            style: TextStyle::of(""),
            verbatim: None,
        }
    }

    pub fn render(&self) -> String {
        let rendered = self.style.apply(self.doc.to_string());
        match &self.verbatim {
            Some((unedited, text)) if *unedited == rendered => text.clone(),
            _ => rendered,
        }
    }

    fn note(&mut self, index: usize) -> Result<Entry<'_>> {
        table_at(&mut self.doc, "notes", index)
    }

    /// Sets `note_id`; a new key goes right after `model`, where readers look for it.
    pub fn set_note_id(&mut self, index: usize, note_id: i64) -> Result<()> {
        let mut note = self.note(index)?;
        set_key_after(
            &mut note,
            "note_id",
            Value::from(note_id),
            &["guid", "model"],
        );
        Ok(())
    }

    pub fn set_guid(&mut self, index: usize, guid: &str) -> Result<()> {
        let mut note = self.note(index)?;
        set_key_after(&mut note, "guid", string_value(guid), &["note_id", "model"]);
        Ok(())
    }

    /// Sets `guid` only where the note has none: a guid the file gives stays as it is written.
    pub fn set_guid_if_missing(&mut self, index: usize, guid: &str) -> Result<()> {
        if self.note(index)?.table().contains_key("guid") {
            return Ok(());
        }
        self.set_guid(index, guid)
    }

    pub fn set_deck(&mut self, index: usize, deck: &str) -> Result<()> {
        let mut note = self.note(index)?;
        replace_value(note.table(), "deck", string_value(deck));
        Ok(())
    }

    pub fn set_tags(&mut self, index: usize, tags: &[String]) -> Result<()> {
        let mut note = self.note(index)?;
        set_key_after(
            &mut note,
            "tags",
            string_array(tags),
            &["guid", "note_id", "model"],
        );
        Ok(())
    }

    /// Replaces one field's value, or adds the field when the note did not list it.
    pub fn set_field(&mut self, index: usize, field: &str, value: &str) -> Result<()> {
        let mut entry = self.note(index)?;
        let note = entry.table();
        if note.get("fields").is_none() {
            note.insert("fields", Item::Table(Table::new()));
        }
        let fields = note
            .get_mut("fields")
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| Error::BadInput(format!("note {index}: 'fields' is not a table")))?;
        replace_value(fields, field, string_value(value));
        Ok(())
    }

    /// Appends a note at the end of the file.
    pub fn append_note(&mut self, note: &Note) {
        let mut table = Table::new();
        table.decor_mut().set_prefix("\n");
        table.insert("deck", Item::Value(string_value(&note.deck)));
        table.insert("model", Item::Value(string_value(&note.model)));
        if let Some(id) = note.note_id {
            table.insert("note_id", Item::Value(Value::from(id)));
        }
        if let Some(guid) = &note.guid {
            table.insert("guid", Item::Value(string_value(guid)));
        }
        if !note.tags.is_empty() {
            table.insert("tags", Item::Value(string_array(&note.tags)));
        }
        let mut fields = Table::new();
        fields.decor_mut().set_prefix("\n");
        for (name, value) in &note.fields {
            fields.insert(name, Item::Value(string_value(value)));
        }
        table.insert("fields", Item::Table(fields));
        push_table(&mut self.doc, "notes", table);
    }

    /// Appends a note with a comment line above it, to say why the note is written as it is.
    pub fn append_note_with_comment(&mut self, note: &Note, comment: &str) {
        self.append_note(note);
        if let Some(Item::ArrayOfTables(notes)) = self.doc.get_mut("notes") {
            if let Some(table) = notes.iter_mut().last() {
                table.decor_mut().set_prefix(format!("\n# {comment}\n"));
            }
        }
    }

    /// Removes notes (for deletions the user asked for). Indices are those of the file as
    /// parsed; removing several at once keeps them valid.
    pub fn remove_notes(&mut self, indices: &[usize]) -> Result<()> {
        let len = match self.doc.get("notes") {
            Some(Item::ArrayOfTables(notes)) => notes.len(),
            Some(Item::Value(Value::Array(notes))) => notes.len(),
            _ => 0,
        };
        if let Some(&index) = indices.iter().filter(|&&i| i >= len).max() {
            return Err(Error::BadInput(format!("no note at index {index}")));
        }
        // One pass: removing one at a time moved every later note each time, which took
        // seconds for half of a big file.
        let remove: HashSet<usize> = indices.iter().copied().collect();
        let mut at = 0;
        let mut keep = || {
            at += 1;
            !remove.contains(&(at - 1))
        };
        match self.doc.get_mut("notes") {
            Some(Item::ArrayOfTables(notes)) => notes.retain(|_| keep()),
            Some(Item::Value(Value::Array(notes))) => notes.retain(|_| keep()),
            _ => {}
        }
        Ok(())
    }

    pub fn set_package(&mut self, package: &Package) {
        let mut table = Table::new();
        table.insert("name", Item::Value(string_value(&package.name)));
        for (key, value) in [
            ("version", &package.version),
            ("author", &package.author),
            ("description", &package.description),
        ] {
            if let Some(value) = value {
                table.insert(key, Item::Value(string_value(value)));
            }
        }
        self.doc.insert("package", Item::Table(table));
    }

    pub fn append_model(&mut self, model: &Model) {
        let mut table = Table::new();
        table.decor_mut().set_prefix("\n");
        fill_model(&mut table, model);
        push_table(&mut self.doc, "models", table);
    }

    /// Brings a model the file defines in line with `model` (ids, fields, templates, css,
    /// sort field, settings), touching only the keys whose values differ. A model written in
    /// the older shape (`{ name, id }` tables in `fields`) is written in the seed tool's shape:
    /// names in `fields`, ids and settings in `[models.field_settings]`.
    pub fn update_model(&mut self, index: usize, model: &Model) -> Result<()> {
        let mut entry = table_at(&mut self.doc, "models", index)?;
        let position = match &entry {
            Entry::Standard(t) => t.position(),
            Entry::Inline(_) => None,
        };
        let current = field_names(&model.fields);
        let same_fields = entry
            .table()
            .get("fields")
            .and_then(Item::as_value)
            .is_some_and(|v| same_value(v, &current));
        if !same_fields {
            replace_value(entry.table(), "fields", current);
        }
        if let Some(id) = model.id {
            let unchanged = entry.table().get("id").and_then(Item::as_integer) == Some(id);
            if !unchanged {
                set_key_after(&mut entry, "id", Value::from(id), &["name"]);
            }
        }
        let table = entry.table();
        set_optional_string(table, "sort_field", model.sort_field.as_deref());
        set_optional_string(table, "css", model.css.as_deref());
        set_options(table, MODEL_OPTIONS, &model.options);
        update_field_settings(table, &model.fields, position)?;
        let not_tables = || Error::BadInput(format!("model {index}: templates are not tables"));
        match table.get_mut("templates") {
            Some(Item::ArrayOfTables(templates)) => {
                for (position, template) in model.templates.iter().enumerate() {
                    match templates.get_mut(position) {
                        Some(existing) => fill_template(&mut Entry::Standard(existing), template),
                        None => {
                            let mut new = Table::new();
                            new.decor_mut().set_prefix("\n");
                            fill_template(&mut Entry::Standard(&mut new), template);
                            templates.push(new);
                        }
                    }
                }
                while templates.len() > model.templates.len() {
                    templates.remove(templates.len() - 1);
                }
            }
            // `templates = [{...}]`, or a whole model written inline.
            Some(Item::Value(Value::Array(templates))) => {
                for (position, template) in model.templates.iter().enumerate() {
                    match templates.get_mut(position) {
                        Some(existing) => {
                            let existing = existing.as_inline_table_mut().ok_or_else(not_tables)?;
                            fill_template(&mut Entry::Inline(existing), template);
                        }
                        None => {
                            let mut new = InlineTable::new();
                            fill_template(&mut Entry::Inline(&mut new), template);
                            push_inline(templates, new);
                        }
                    }
                }
                while templates.len() > model.templates.len() {
                    templates.remove(templates.len() - 1);
                }
            }
            _ => return Err(not_tables()),
        }
        Ok(())
    }

    pub fn append_deck(&mut self, deck: &Deck) {
        let mut table = Table::new();
        table.decor_mut().set_prefix("\n");
        table.insert("name", Item::Value(string_value(&deck.name)));
        if let Some(id) = deck.id {
            table.insert("id", Item::Value(Value::from(id)));
        }
        if let Some(description) = &deck.description {
            table.insert("description", Item::Value(string_value(description)));
        }
        push_table(&mut self.doc, "decks", table);
    }

    /// Sets a deck's description in the first `[[decks]]` entry of that name.
    pub fn set_deck_description(&mut self, name: &str, description: &str) -> Result<()> {
        let index = match self.doc.get("decks") {
            Some(Item::ArrayOfTables(all)) => all
                .iter()
                .position(|t| t.get("name").and_then(Item::as_str) == Some(name)),
            _ => None,
        }
        .ok_or_else(|| Error::BadInput(format!("no [[decks]] entry named '{name}'")))?;
        let mut entry = table_at(&mut self.doc, "decks", index)?;
        set_string_if_changed(entry.table(), "description", description);
        Ok(())
    }

    pub fn append_media(&mut self, media: &Media) {
        let mut table = Table::new();
        table.decor_mut().set_prefix("\n");
        table.insert("name", Item::Value(string_value(&media.name)));
        table.insert("path", Item::Value(string_value(&media.path)));
        push_table(&mut self.doc, "media", table);
    }

    /// Renames a `[[media]]` entry (to the name Anki stored the file under).
    pub fn set_media_name(&mut self, index: usize, name: &str) -> Result<()> {
        let mut entry = table_at(&mut self.doc, "media", index)?;
        replace_value(entry.table(), "name", string_value(name));
        Ok(())
    }

    pub fn has_media(&self, name: &str) -> bool {
        match self.doc.get("media") {
            Some(Item::ArrayOfTables(all)) => all
                .iter()
                .any(|t| t.get("name").and_then(Item::as_str) == Some(name)),
            _ => false,
        }
    }
}

impl Default for DeckDocument {
    fn default() -> Self {
        DeckDocument::new()
    }
}

fn fill_model(table: &mut Table, model: &Model) {
    table.insert("name", Item::Value(string_value(&model.name)));
    if let Some(id) = model.id {
        table.insert("id", Item::Value(Value::from(id)));
    }
    if let Some(kind) = model.kind.file_name() {
        table.insert("model_type", Item::Value(string_value(kind)));
    }
    table.insert("fields", Item::Value(field_names(&model.fields)));
    if let Some(sort_field) = &model.sort_field {
        table.insert("sort_field", Item::Value(string_value(sort_field)));
    }
    if !model.markdown_fields.is_empty() {
        table.insert(
            "markdown_fields",
            Item::Value(string_array(&model.markdown_fields)),
        );
    }
    if let Some(css) = &model.css {
        table.insert("css", Item::Value(string_value(css)));
    }
    set_options(table, MODEL_OPTIONS, &model.options);
    if let Some(settings) = field_settings(&model.fields) {
        table.insert("field_settings", Item::Table(settings));
    }
    let mut templates = ArrayOfTables::new();
    for template in &model.templates {
        let mut t = Table::new();
        t.decor_mut().set_prefix("\n");
        fill_template(&mut Entry::Standard(&mut t), template);
        templates.push(t);
    }
    table.insert("templates", Item::ArrayOfTables(templates));
}

fn fill_template(entry: &mut Entry, template: &TemplateDef) {
    set_string_if_changed(entry.table(), "name", &template.name);
    if let Some(id) = template.id {
        let unchanged = entry.table().get("id").and_then(Item::as_integer) == Some(id);
        if !unchanged {
            set_key_after(entry, "id", Value::from(id), &["name"]);
        }
    }
    let table = entry.table();
    set_string_if_changed(table, "front", &template.front);
    set_string_if_changed(table, "back", &template.back);
    set_options(table, TEMPLATE_OPTIONS, &template.options);
}

fn option_value(value: &OptionValue) -> Value {
    match value {
        OptionValue::Text(s) => string_value(s),
        OptionValue::Bool(b) => Value::from(*b),
        OptionValue::Integer(i) => Value::from(*i),
    }
}

/// Writes the settings `options` gives (by Anki's key) under their file keys; a setting the
/// file has and `options` lacks is left alone, like every `None`.
fn set_options(table: &mut dyn TableLike, specs: &[OptionSpec], options: &Options) {
    for (anki_key, value) in options {
        let Some(spec) = by_anki_key(specs, anki_key) else {
            continue;
        };
        let new = option_value(value);
        let same = table
            .get(spec.file_key)
            .and_then(Item::as_value)
            .is_some_and(|old| same_value(old, &new));
        if !same {
            replace_value(table, spec.file_key, new);
        }
    }
}

/// One field's entry in `[models.field_settings]`, or None when it has nothing to say.
fn field_setting(field: &FieldDef) -> Option<Value> {
    if field.id.is_none() && field.options.is_empty() {
        return None;
    }
    let mut t = InlineTable::new();
    if let Some(id) = field.id {
        t.insert("id", Value::from(id));
    }
    for spec in FIELD_OPTIONS {
        if let Some(value) = field.options.get(spec.anki_key) {
            t.insert(spec.file_key, option_value(value));
        }
    }
    Some(Value::InlineTable(t))
}

/// `[models.field_settings]` for new models: ids and settings by field name (the seed tool
/// ignores the table, so its `fields` stay plain names).
fn field_settings(fields: &[FieldDef]) -> Option<Table> {
    let mut table = Table::new();
    for f in fields {
        if let Some(value) = field_setting(f) {
            table.insert(&f.name, Item::Value(value));
        }
    }
    (!table.is_empty()).then_some(table)
}

/// Brings an existing model's `[models.field_settings]` in line with `fields`: entries that
/// already say the same stay byte for byte, others are replaced, added or removed.
fn update_field_settings(
    model: &mut dyn TableLike,
    fields: &[FieldDef],
    model_position: Option<isize>,
) -> Result<()> {
    let wanted: Vec<(&str, Value)> = fields
        .iter()
        .filter_map(|f| field_setting(f).map(|v| (f.name.as_str(), v)))
        .collect();
    if model.get("field_settings").is_none() {
        if wanted.is_empty() {
            return Ok(());
        }
        // A new subtable goes right after the model's own keys, before its templates: tables
        // render by position, and one that ties with its parent comes just after it.
        let mut table = Table::new();
        table.set_position(model_position);
        model.insert("field_settings", Item::Table(table));
    }
    let settings = model
        .get_mut("field_settings")
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| Error::BadInput("field_settings is not a table".into()))?;
    let added = wanted.iter().any(|(name, _)| settings.get(name).is_none());
    let stale: Vec<String> = settings
        .iter()
        .map(|(k, _)| k.to_owned())
        .filter(|k| !wanted.iter().any(|(name, _)| name == k))
        .collect();
    for key in stale {
        settings.remove(&key);
    }
    for (name, value) in wanted {
        let same = settings
            .get(name)
            .and_then(Item::as_value)
            .is_some_and(|old| same_value(old, &value));
        if !same {
            replace_value(settings, name, value);
        }
    }
    // An entry added (a field that just got the id Anki gave it) goes in field order, not at
    // the end, so the file reads as an export of the same note type would.
    if added {
        let position = |key: &str| fields.iter().position(|f| f.name == key);
        match model.get_mut("field_settings") {
            Some(Item::Table(table)) => {
                table.sort_values_by(|a, _, b, _| position(a).cmp(&position(b)))
            }
            Some(Item::Value(Value::InlineTable(table))) => {
                table.sort_values_by(|a, _, b, _| position(a).cmp(&position(b)))
            }
            _ => {}
        }
    }
    Ok(())
}

fn set_string_if_changed(table: &mut dyn TableLike, key: &str, value: &str) {
    if table.get(key).and_then(Item::as_str) != Some(value) {
        replace_value(table, key, string_value(value));
    }
}

/// `None` means "the file does not say": an existing key is left alone, none is added.
fn set_optional_string(table: &mut dyn TableLike, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        set_string_if_changed(table, key, value);
    }
}

/// Fields as the seed tool has them: names only (ids and settings go to `field_settings`).
fn field_names(fields: &[FieldDef]) -> Value {
    let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
    string_array(&names)
}

fn same_value(a: &Value, b: &Value) -> bool {
    // Compare content, not formatting: strip decor by rendering both through a fresh value.
    fn plain(v: &Value) -> String {
        let mut v = v.clone();
        v.decor_mut().clear();
        match &mut v {
            Value::Array(a) => {
                a.fmt();
                for item in a.iter_mut() {
                    if let Value::InlineTable(t) = item {
                        t.fmt();
                    }
                }
            }
            Value::InlineTable(t) => t.fmt(),
            _ => {}
        }
        v.to_string()
    }
    plain(a) == plain(b)
}

fn string_array(items: &[String]) -> Value {
    let mut array = Array::new();
    for item in items {
        array.push(string_value(item));
    }
    Value::Array(array)
}

/// A TOML string in this project's one style: `"..."` on one line, `"""` for multi-line
/// values (so a field's lines read as lines in the file). Only what TOML requires is escaped.
pub fn string_value(s: &str) -> Value {
    // Parsing the literal we wrote keeps exactly that representation.
    string_repr(s)
        .parse::<Value>()
        .expect("string_value writes valid TOML strings")
}

/// The TOML literal [`string_value`] stands for.
pub(crate) fn string_repr(s: &str) -> String {
    if s.contains('\n') {
        multi_line_basic(s)
    } else {
        single_line_basic(s)
    }
}

fn escape_control(c: char, out: &mut String) -> bool {
    match c {
        '\\' => out.push_str("\\\\"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\r' => out.push_str("\\r"),
        c if (c < ' ' && c != '\t' && c != '\n') || c == '\u{7f}' => {
            out.push_str(&format!("\\u{:04X}", c as u32));
        }
        _ => return false,
    }
    true
}

fn single_line_basic(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if escape_control(c, &mut out) {
            continue;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn multi_line_basic(s: &str) -> String {
    // The newline right after the opening quotes is not part of the value (TOML trims it).
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str("\"\"\"\n");
    let mut quotes_in_a_row = 0;
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '"' {
            // Three quotes in a row would close the string, and one just before the closing
            // delimiter would merge with it: escape those.
            if quotes_in_a_row == 2 || i + 1 == chars.len() {
                out.push_str("\\\"");
                quotes_in_a_row = 0;
            } else {
                out.push('"');
                quotes_in_a_row += 1;
            }
            continue;
        }
        quotes_in_a_row = 0;
        if !escape_control(c, &mut out) {
            out.push(c);
        }
    }
    out.push_str("\"\"\"");
    out
}

/// Appends an entry to `[[key]]`, or to `key = [{...}]` in a file that writes its entries
/// inline (replacing that array would drop every entry it holds).
fn push_table(doc: &mut DocumentMut, key: &str, table: Table) {
    match doc.get_mut(key) {
        Some(Item::ArrayOfTables(all)) => all.push(table),
        Some(Item::Value(Value::Array(all))) if !all.is_empty() => {
            push_inline(all, table.into_inline_table())
        }
        _ => {
            let mut all = ArrayOfTables::new();
            all.push(table);
            doc.insert(key, Item::ArrayOfTables(all));
        }
    }
}

/// Appends `entry` to an inline array, spaced like the last entry: on a line of its own, or
/// after a space.
fn push_inline(all: &mut Array, mut entry: InlineTable) {
    entry.fmt();
    let mut entry = Value::InlineTable(entry);
    let prefix = all.iter().last().and_then(|last| last.decor().prefix());
    match prefix.and_then(|p| p.as_str()).filter(|p| !p.is_empty()) {
        Some(prefix) => entry.decor_mut().set_prefix(prefix.to_owned()),
        None => entry.decor_mut().set_prefix(" "),
    }
    all.push_formatted(entry);
}

/// One entry of an array of tables: files may write `[[key]]` tables or `key = [{...}]`.
enum Entry<'a> {
    Standard(&'a mut Table),
    Inline(&'a mut InlineTable),
}

impl Entry<'_> {
    fn table(&mut self) -> &mut dyn TableLike {
        match self {
            Entry::Standard(t) => *t,
            Entry::Inline(t) => *t,
        }
    }

    fn sort_by_key_rank(&mut self, rank: &dyn Fn(&str) -> (usize, u8)) {
        match self {
            Entry::Standard(t) => {
                t.sort_values_by(|k1, _, k2, _| rank(k1.get()).cmp(&rank(k2.get())))
            }
            Entry::Inline(t) => {
                t.sort_values_by(|k1, _, k2, _| rank(k1.get()).cmp(&rank(k2.get())))
            }
        }
    }
}

fn table_at<'a>(doc: &'a mut DocumentMut, key: &str, index: usize) -> Result<Entry<'a>> {
    let missing = || Error::BadInput(format!("no [[{key}]] entry at index {index}"));
    match doc.get_mut(key) {
        Some(Item::ArrayOfTables(all)) => {
            all.get_mut(index).map(Entry::Standard).ok_or_else(missing)
        }
        Some(Item::Value(Value::Array(all))) => all
            .get_mut(index)
            .and_then(Value::as_inline_table_mut)
            .map(Entry::Inline)
            .ok_or_else(missing),
        _ => Err(missing()),
    }
}

/// Replaces a value in place, keeping the spacing and comment around it; adds the key at the
/// end when it is missing.
fn replace_value(table: &mut dyn TableLike, key: &str, mut value: Value) {
    match table.get_mut(key) {
        Some(Item::Value(old)) => {
            *value.decor_mut() = old.decor().clone();
            *old = value;
        }
        Some(item) => *item = Item::Value(value),
        None => {
            table.insert(key, Item::Value(value));
        }
    }
}

/// Like [`replace_value`], but a new key goes right after the first of `after` that exists.
fn set_key_after(entry: &mut Entry, key: &str, value: Value, after: &[&str]) {
    let table = entry.table();
    if table.contains_key(key) {
        replace_value(table, key, value);
        return;
    }
    table.insert(key, Item::Value(value));
    // Positions by name: searching the key list in each comparison took a second for a note
    // with 16,000 keys.
    let order: HashMap<String, usize> = table
        .iter()
        .enumerate()
        .map(|(at, (k, _))| (k.to_owned(), at))
        .collect();
    let Some(anchor) = after.iter().find_map(|a| order.get(*a).copied()) else {
        return;
    };
    // Rank each key by its old position, with the new key just behind its anchor; the sort is
    // stable, so nothing else moves and every key keeps its comments.
    let rank = |k: &str| -> (usize, u8) {
        if k == key {
            (anchor, 1)
        } else {
            (order.get(k).copied().unwrap_or(usize::MAX), 0)
        }
    };
    entry.sort_by_key_rank(&rank);
}

#[cfg(test)]
mod tests;
