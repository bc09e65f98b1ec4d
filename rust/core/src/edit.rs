//! Format-preserving edits of a deck file, through toml_edit.
//!
//! Everything an edit does not touch stays byte-identical: comments, key order, blank lines,
//! quoting, inline versus standard tables. A changed value is replaced in place and keeps the
//! comment after it; new notes are appended at the end. New values are written in one stable
//! style (see [`string_value`]) so that the same content always gives the same bytes and git
//! diffs show only real changes.

use std::collections::{HashMap, HashSet};

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike, Value};

use crate::deck_file::{Deck, FieldDef, Media, Model, ModelKind, Note, Package, TemplateDef};
use crate::error::{Error, Result};

mod text_style;

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
    /// sort field), touching only the keys whose values differ.
    pub fn update_model(&mut self, index: usize, model: &Model) -> Result<()> {
        let mut entry = table_at(&mut self.doc, "models", index)?;
        let current = fields_value(&model.fields);
        let same_fields = entry
            .table()
            .get("fields")
            .and_then(Item::as_value)
            .is_some_and(|v| same_value(v, &current));
        if !same_fields {
            replace_value(entry.table(), "fields", current);
        }
        if let Some(id) = model.id {
            set_key_after(&mut entry, "id", Value::from(id), &["name"]);
        }
        let table = entry.table();
        set_optional_string(table, "sort_field", model.sort_field.as_deref());
        set_optional_string(table, "css", model.css.as_deref());
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
        if let Some(description) = &deck.description {
            table.insert("description", Item::Value(string_value(description)));
        }
        push_table(&mut self.doc, "decks", table);
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
    if model.kind == ModelKind::Cloze {
        table.insert("model_type", Item::Value(string_value("cloze")));
    }
    table.insert("fields", Item::Value(fields_value(&model.fields)));
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
    set_optional_string(table, "browser_front", template.browser_front.as_deref());
    set_optional_string(table, "browser_back", template.browser_back.as_deref());
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

/// Fields as names (`["Front", "Back"]`) while none has anything but a name; otherwise one
/// inline table per line.
fn fields_value(fields: &[FieldDef]) -> Value {
    let plain = fields.iter().all(|f| *f == FieldDef::named(&f.name));
    let mut array = Array::new();
    if plain {
        for f in fields {
            array.push(string_value(&f.name));
        }
        return Value::Array(array);
    }
    for f in fields {
        let mut t = InlineTable::new();
        t.insert("name", string_value(&f.name));
        if let Some(id) = f.id {
            t.insert("id", Value::from(id));
        }
        if let Some(d) = &f.description {
            t.insert("description", string_value(d));
        }
        if let Some(font) = &f.font {
            t.insert("font", string_value(font));
        }
        if let Some(size) = f.size {
            t.insert("size", Value::from(i64::from(size)));
        }
        if let Some(rtl) = f.rtl {
            t.insert("rtl", Value::from(rtl));
        }
        if let Some(sticky) = f.sticky {
            t.insert("sticky", Value::from(sticky));
        }
        let mut value = Value::InlineTable(t);
        value.decor_mut().set_prefix("\n    ");
        array.push_formatted(value);
    }
    array.set_trailing("\n");
    array.set_trailing_comma(true);
    Value::Array(array)
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
    let repr = if s.contains('\n') {
        multi_line_basic(s)
    } else {
        single_line_basic(s)
    };
    // Parsing the literal we wrote keeps exactly that representation.
    repr.parse::<Value>()
        .expect("string_value writes valid TOML strings")
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
