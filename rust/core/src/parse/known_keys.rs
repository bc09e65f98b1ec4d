//! Keys nothing reads: most are typos (`gyud` for `guid`), which serde skips silently and sync
//! then answers with a second, real `guid` line. Each gets a warning at its place with the
//! nearest known key. The walk reads the spanned table serde deserializes afterwards, so the
//! file is parsed once.

use toml::de::{DeTable, DeValue};

use super::Problems;
use crate::error::ParseProblem;
use crate::options::{OptionSpec, FIELD_OPTIONS, MODEL_OPTIONS, TEMPLATE_OPTIONS};

const TOP: &[&str] = &["package", "models", "decks", "notes", "media"];
const PACKAGE: &[&str] = &["name", "version", "author", "description"];
const MODEL: &[&str] = &[
    "name",
    "id",
    "model_type",
    "fields",
    "sort_field",
    "markdown_fields",
    "css",
    "field_settings",
    "templates",
];
const FIELD: &[&str] = &["name", "id"];
const FIELD_SETTING: &[&str] = &["id"];
const TEMPLATE: &[&str] = &["name", "id", "front", "back"];
const DECK: &[&str] = &["name", "description", "id"];
const NOTE: &[&str] = &["deck", "model", "note_id", "guid", "tags", "fields"];
const MEDIA: &[&str] = &["name", "path"];

fn with_options(keys: &[&'static str], options: &[OptionSpec]) -> Vec<&'static str> {
    keys.iter()
        .copied()
        .chain(options.iter().map(|o| o.file_key))
        .collect()
}

pub(super) fn check(root: &DeTable, problems: &mut Problems) {
    unknown_keys(root, TOP, "the top level", problems);
    let model_keys = with_options(MODEL, MODEL_OPTIONS);
    let field_keys = with_options(FIELD, FIELD_OPTIONS);
    let setting_keys = with_options(FIELD_SETTING, FIELD_OPTIONS);
    let template_keys = with_options(TEMPLATE, TEMPLATE_OPTIONS);
    for (key, value) in root {
        let value = value.get_ref();
        match key.get_ref().as_ref() {
            "package" => {
                for t in tables(value) {
                    unknown_keys(t, PACKAGE, "[package]", problems);
                }
            }
            "models" => {
                for model in tables(value) {
                    unknown_keys(model, &model_keys, "[[models]]", problems);
                    for (key, value) in model {
                        let value = value.get_ref();
                        match key.get_ref().as_ref() {
                            "fields" => {
                                for f in tables(value) {
                                    unknown_keys(f, &field_keys, "a field of [[models]]", problems);
                                }
                            }
                            "field_settings" => {
                                for settings in tables(value) {
                                    for (_, one) in settings {
                                        for t in tables(one.get_ref()) {
                                            unknown_keys(
                                                t,
                                                &setting_keys,
                                                "[models.field_settings]",
                                                problems,
                                            );
                                        }
                                    }
                                }
                            }
                            "templates" => {
                                for t in tables(value) {
                                    unknown_keys(
                                        t,
                                        &template_keys,
                                        "[[models.templates]]",
                                        problems,
                                    );
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            "decks" => each_entry(value, DECK, "[[decks]]", problems),
            "notes" => each_entry(value, NOTE, "[[notes]]", problems),
            "media" => each_entry(value, MEDIA, "[[media]]", problems),
            _ => {}
        }
    }
}

fn each_entry(value: &DeValue, known: &[&str], table: &str, problems: &mut Problems) {
    for t in tables(value) {
        unknown_keys(t, known, table, problems);
    }
}

/// A table, or each table of an array (`[[x]]` and `x = [{...}]` alike).
fn tables<'a, 'i>(value: &'a DeValue<'i>) -> Vec<&'a DeTable<'i>> {
    match value {
        DeValue::Table(t) => vec![t],
        DeValue::Array(items) => items
            .iter()
            .filter_map(|item| match item.get_ref() {
                DeValue::Table(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn unknown_keys(table: &DeTable, known: &[&str], name: &str, problems: &mut Problems) {
    for key in table.keys() {
        let text: &str = key.get_ref();
        if !known.contains(&text) {
            problems.warn(
                key.span().start,
                ParseProblem::UnknownKey {
                    key: text.to_owned(),
                    table: name.to_owned(),
                    suggestion: nearest(text, known).map(str::to_owned),
                },
            );
        }
    }
}

/// The known name closest to `word`, if it is close enough to be the one meant.
pub(super) fn nearest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    known
        .iter()
        .map(|k| (edit_distance(word, k), *k))
        .filter(|(d, _)| *d <= limit && *d < word.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_and_leaves_unrelated_words() {
        assert_eq!(nearest("gyud", NOTE), Some("guid"));
        assert_eq!(nearest("tag", NOTE), Some("tags"));
        assert_eq!(nearest("note_ids", NOTE), Some("note_id"));
        assert_eq!(nearest("colour", NOTE), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
