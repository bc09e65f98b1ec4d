//! Note-type settings the deck file carries beside fields and templates: LaTeX header and
//! footer, each field's editor settings, each template's browser appearance.
//!
//! One table lists them, with the key the file uses and the key Anki's note-type dict uses.
//! Values are kept by Anki's key, so the Python side sets and reads them without a list of its
//! own (it asks [`option_keys`]). The file writes a setting only where it differs from what
//! Anki gives a new note type, field or template; a setting the file leaves out stays as Anki
//! has it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What kind of value a setting holds, for type checks with a place in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    Text,
    Integer,
    Bool,
}

#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    /// The key in the deck file.
    pub file_key: &'static str,
    /// The key in Anki's legacy note-type dict (stable since before 23.10).
    pub anki_key: &'static str,
    pub kind: OptionKind,
}

const fn spec(file_key: &'static str, anki_key: &'static str, kind: OptionKind) -> OptionSpec {
    OptionSpec {
        file_key,
        anki_key,
        kind,
    }
}

/// `[[models]]` keys.
pub const MODEL_OPTIONS: &[OptionSpec] = &[
    spec("latex_pre", "latexPre", OptionKind::Text),
    spec("latex_post", "latexPost", OptionKind::Text),
    spec("latex_svg", "latexsvg", OptionKind::Bool),
];

/// Keys of a field's entry in `[models.field_settings]` (besides `id`).
pub const FIELD_OPTIONS: &[OptionSpec] = &[
    spec("font", "font", OptionKind::Text),
    spec("size", "size", OptionKind::Integer),
    spec("rtl", "rtl", OptionKind::Bool),
    // Anki's "Use HTML editor by default".
    spec("html_editor", "plainText", OptionKind::Bool),
    spec("sticky", "sticky", OptionKind::Bool),
    spec("description", "description", OptionKind::Text),
    spec("collapsed", "collapsed", OptionKind::Bool),
    spec("exclude_from_search", "excludeFromSearch", OptionKind::Bool),
];

/// `[[models.templates]]` keys (the browser's question and answer formats).
pub const TEMPLATE_OPTIONS: &[OptionSpec] = &[
    spec("browser_front", "bqfmt", OptionKind::Text),
    spec("browser_back", "bafmt", OptionKind::Text),
];

/// One setting's value, as JSON and TOML both hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OptionValue {
    Bool(bool),
    Integer(i64),
    Text(String),
}

impl OptionValue {
    pub fn kind(&self) -> OptionKind {
        match self {
            OptionValue::Bool(_) => OptionKind::Bool,
            OptionValue::Integer(_) => OptionKind::Integer,
            OptionValue::Text(_) => OptionKind::Text,
        }
    }

    /// The value as one string, for fingerprints and messages.
    pub fn display(&self) -> String {
        match self {
            OptionValue::Bool(b) => b.to_string(),
            OptionValue::Integer(i) => i.to_string(),
            OptionValue::Text(s) => s.clone(),
        }
    }
}

/// Settings by Anki's key; absent = not said (file) or not known to this Anki (collection).
pub type Options = BTreeMap<String, OptionValue>;

/// What Anki gives a new note type, field and template: which settings are worth writing,
/// and which this Anki version knows at all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OptionDefaults {
    #[serde(default)]
    pub model: Options,
    #[serde(default)]
    pub field: Options,
    #[serde(default)]
    pub template: Options,
}

/// A part's settings as the file should say them, from the collection's: every setting the
/// file said already, and those where Anki differs from its defaults.
pub fn file_view(anki: &Options, file: &Options, defaults: &Options) -> Options {
    anki.iter()
        .filter(|(key, value)| file.contains_key(*key) || defaults.get(*key) != Some(value))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Anki's keys, per level, for the Python side to read.
pub fn option_keys() -> BTreeMap<&'static str, Vec<&'static str>> {
    let keys = |specs: &[OptionSpec]| specs.iter().map(|s| s.anki_key).collect();
    BTreeMap::from([
        ("model", keys(MODEL_OPTIONS)),
        ("field", keys(FIELD_OPTIONS)),
        ("template", keys(TEMPLATE_OPTIONS)),
    ])
}

pub fn by_file_key<'a>(specs: &'a [OptionSpec], key: &str) -> Option<&'a OptionSpec> {
    specs.iter().find(|s| s.file_key == key)
}

pub fn by_anki_key<'a>(specs: &'a [OptionSpec], key: &str) -> Option<&'a OptionSpec> {
    specs.iter().find(|s| s.anki_key == key)
}
