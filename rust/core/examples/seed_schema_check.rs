//! `seed-schema-check FILE...`: does each deck file load in the seed tool's schema?
//!
//! The types below have the seed tool's shapes (anki-toolkit's `ankit-builder` schema: plain
//! string fields, `{name, front, back}` templates, unknown keys ignored) and its `validate()`
//! rules (every note's model and deck defined in the file, every note field in its model).
//! The tests run it on every deck file that export, push, pull and sync write, so ankitoml's
//! files stay readable by the tool they came from. Exit 1 names each file that does not load.

use std::collections::HashMap;

use serde::Deserialize;

#[derive(Deserialize)]
#[allow(dead_code)]
struct DeckDefinition {
    package: PackageInfo,
    #[serde(default)]
    models: Vec<ModelDef>,
    #[serde(default)]
    decks: Vec<DeckDef>,
    #[serde(default)]
    notes: Vec<NoteDef>,
    #[serde(default)]
    media: Vec<MediaDef>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PackageInfo {
    name: String,
    version: Option<String>,
    author: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct ModelDef {
    name: String,
    fields: Vec<String>,
    templates: Vec<TemplateDef>,
    css: Option<String>,
    sort_field: Option<String>,
    id: Option<i64>,
    #[serde(default)]
    markdown_fields: Vec<String>,
    model_type: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct TemplateDef {
    name: String,
    front: String,
    back: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct DeckDef {
    name: String,
    description: Option<String>,
    id: Option<i64>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct NoteDef {
    deck: String,
    model: String,
    fields: HashMap<String, String>,
    #[serde(default)]
    tags: Vec<String>,
    guid: Option<String>,
    note_id: Option<i64>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MediaDef {
    name: String,
    path: String,
}

fn check(text: &str) -> Result<(), String> {
    let def: DeckDefinition = toml::from_str(text).map_err(|e| e.to_string())?;
    for note in &def.notes {
        let model = def
            .models
            .iter()
            .find(|m| m.name == note.model)
            .ok_or_else(|| format!("model not found: {}", note.model))?;
        if let Some(field) = note.fields.keys().find(|f| !model.fields.contains(f)) {
            return Err(format!("field '{field}' not in model '{}'", model.name));
        }
        if !def.decks.iter().any(|d| d.name == note.deck) {
            return Err(format!("deck not found: {}", note.deck));
        }
    }
    Ok(())
}

fn main() {
    let mut failed = false;
    for path in std::env::args().skip(1) {
        let result = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| check(&text));
        if let Err(err) = result {
            eprintln!("{path}: not loadable by the seed tool: {err}");
            failed = true;
        }
    }
    std::process::exit(i32::from(failed));
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn field_tables_do_not_load_and_plain_names_do() {
        let head = "[package]\nname = \"P\"\n[[models]]\nname = \"M\"\n";
        let tail = "[[models.templates]]\nname = \"C\"\nfront = \"{{A}}\"\nback = \"\"\n";
        assert!(check(&format!("{head}fields = [\"A\"]\n{tail}")).is_ok());
        let err = check(&format!("{head}fields = [{{ name = \"A\" }}]\n{tail}")).unwrap_err();
        assert!(err.contains("expected a string"), "{err}");
    }
}
