use super::*;
use crate::error::ParseProblem;

const GOOD: &str = r#"
[package]
name = "Spanish"

[[models]]
name = "Basic"
fields = ["Front", { name = "Back", id = -886679619640481536 }]
sort_field = "Front"
markdown_fields = ["Back"]

[[models.templates]]
name = "Card 1"
front = "{{Front}}"
back = "{{Back}}"

[[decks]]
name = "Spanish::Food"

[[notes]]
deck = "Spanish::Food"
model = "Basic"
tags = ["food"]
note_id = 17

[notes.fields]
Front = "el gato"
Back = "the **cat**"
"#;

fn problems(text: &str) -> Vec<(usize, usize, ParseProblem)> {
    match parse_deck_file("deck.toml", text) {
        Ok(_) => vec![],
        Err(Error::DeckFile(errors)) => errors
            .into_iter()
            .map(|e| (e.location.line, e.location.column, e.problem))
            .collect(),
        Err(other) => panic!("unexpected error {other}"),
    }
}

fn single(text: &str) -> (usize, usize, ParseProblem) {
    let mut found = problems(text);
    assert_eq!(found.len(), 1, "expected one problem, got {found:?}");
    found.remove(0)
}

#[test]
fn a_seed_style_file_parses() {
    let deck = parse_deck_file("deck.toml", GOOD).unwrap();
    assert_eq!(deck.package.name, "Spanish");
    assert_eq!(deck.models[0].fields[1].id, Some(-886679619640481536));
    assert_eq!(deck.models[0].fields[0].id, None);
    assert_eq!(deck.notes[0].note_id, Some(17));
    assert_eq!(deck.notes[0].fields["Back"], "the **cat**");
    assert_eq!(deck.notes[0].location.line, 19);
    assert!(deck.external_models.is_empty() && deck.external_decks.is_empty());
}

#[test]
fn syntax_errors_have_a_place() {
    let err = parse_deck_file("deck.toml", "[package]\nname = \"x\n").unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("deck.toml:2:"), "{text}");
}

#[test]
fn a_missing_package_name_is_named() {
    let (line, _, problem) = single("[package]\nversion = \"1\"\n");
    assert_eq!(line, 1);
    assert!(
        matches!(problem, ParseProblem::Syntax { ref message } if message.contains("name")),
        "{problem:?}"
    );
}

#[test]
fn a_wrong_type_is_named_at_the_value() {
    let text = GOOD.replace("note_id = 17", "note_id = \"seventeen\"");
    let (line, column, problem) = single(&text);
    assert_eq!((line, column), (23, 11));
    assert!(matches!(problem, ParseProblem::Syntax { .. }));
}

#[test]
fn an_unknown_field_is_named_at_its_key() {
    let text = GOOD.replace("Back = \"the **cat**\"", "Bak = \"the cat\"");
    let (line, column, problem) = single(&text);
    assert_eq!((line, column), (27, 1));
    assert_eq!(
        problem,
        ParseProblem::UnknownField {
            field: "Bak".into(),
            model: "Basic".into(),
            known: "Front, Back".into()
        }
    );
}

#[test]
fn markdown_and_sort_fields_must_exist() {
    let text = GOOD.replace(
        "markdown_fields = [\"Back\"]",
        "markdown_fields = [\"Extra\"]",
    );
    assert!(matches!(
        single(&text).2,
        ParseProblem::UnknownMarkdownField { .. }
    ));
    let text = GOOD.replace("sort_field = \"Front\"", "sort_field = \"Nope\"");
    assert!(matches!(
        single(&text).2,
        ParseProblem::UnknownSortField { .. }
    ));
}

#[test]
fn duplicate_note_ids_and_guids_are_errors() {
    let twice =
        format!("{GOOD}\n[[notes]]\ndeck = \"Spanish::Food\"\nmodel = \"Basic\"\nnote_id = 17\n");
    let (line, _, problem) = single(&twice);
    assert_eq!(line, 32);
    assert_eq!(
        problem,
        ParseProblem::DuplicateNoteId {
            note_id: 17,
            first_line: 23
        }
    );

    let guids = GOOD.replace("note_id = 17", "guid = \"g\"");
    let twice =
        format!("{guids}\n[[notes]]\ndeck = \"Spanish::Food\"\nmodel = \"Basic\"\nguid = \"g\"\n");
    assert_eq!(
        single(&twice).2,
        ParseProblem::DuplicateGuid {
            guid: "g".into(),
            first_line: 23
        }
    );
}

#[test]
fn duplicate_models_decks_fields_templates_and_ids_are_errors() {
    let model = "\n[[models]]\nname = \"Basic\"\nfields = [\"A\"]\n[[models.templates]]\nname = \"T\"\nfront = \"{{A}}\"\nback = \"\"\n";
    assert!(matches!(
        single(&format!("{GOOD}{model}")).2,
        ParseProblem::DuplicateModel { first_line: 6, .. }
    ));
    let deck = "\n[[decks]]\nname = \"Spanish::Food\"\n";
    assert!(matches!(
        single(&format!("{GOOD}{deck}")).2,
        ParseProblem::DuplicateDeck { .. }
    ));
    let text = GOOD.replace(
        "fields = [\"Front\", {",
        "fields = [\"Front\", \"Front\", {",
    );
    assert!(matches!(
        single(&text).2,
        ParseProblem::DuplicateField { .. }
    ));
    let text = GOOD.replace(
        "fields = [\"Front\", {",
        "fields = [{ name = \"Front\", id = -886679619640481536 }, {",
    );
    assert!(matches!(single(&text).2, ParseProblem::DuplicateId { .. }));
    let text = GOOD.replace("back = \"{{Back}}\"\n", "back = \"{{Back}}\"\n[[models.templates]]\nname = \"Card 1\"\nfront = \"{{Back}}\"\nback = \"y\"\n");
    assert!(matches!(
        single(&text).2,
        ParseProblem::DuplicateTemplate { .. }
    ));
    // Two models, one note type id: both would stand for the same note type in Anki.
    let text = format!(
        "{}{}",
        GOOD.replace("name = \"Basic\"\n", "name = \"Basic\"\nid = 42\n"),
        model.replace("name = \"Basic\"\n", "name = \"Other\"\nid = 42\n")
    );
    assert_eq!(
        single(&text),
        (
            32,
            6,
            ParseProblem::DuplicateModelId {
                id: 42,
                first_line: 7
            }
        )
    );
}

#[test]
fn cloze_models_need_a_cloze_field() {
    let text = GOOD.replace(
        "sort_field = \"Front\"",
        "sort_field = \"Front\"\nmodel_type = \"cloze\"",
    );
    assert!(matches!(
        single(&text).2,
        ParseProblem::ClozeWithoutClozeField { .. }
    ));
    let ok = text.replace("front = \"{{Front}}\"", "front = \"{{cloze:Front}}\"");
    assert!(problems(&ok).is_empty());
    let bad_kind = GOOD.replace(
        "sort_field = \"Front\"",
        "sort_field = \"Front\"\nmodel_type = \"clozze\"",
    );
    assert!(matches!(
        single(&bad_kind).2,
        ParseProblem::UnknownModelType { .. }
    ));
}

#[test]
fn models_need_fields_and_templates() {
    let text = "[package]\nname = \"x\"\n[[models]]\nname = \"M\"\nfields = []\n";
    let found = problems(text);
    assert!(found
        .iter()
        .any(|p| matches!(p.2, ParseProblem::NoFields { .. })));
    assert!(found
        .iter()
        .any(|p| matches!(p.2, ParseProblem::NoTemplates { .. })));
}

#[test]
fn models_and_decks_only_in_the_collection_are_marked_not_rejected() {
    let text = "[package]\nname = \"x\"\n[[notes]]\ndeck = \"Default\"\nmodel = \"Basic\"\n[notes.fields]\nFront = \"a\"\n";
    let deck = parse_deck_file("deck.toml", text).unwrap();
    assert_eq!(deck.external_models, vec!["Basic"]);
    assert_eq!(deck.external_decks, vec!["Default"]);
}

#[test]
fn every_problem_is_reported_in_file_order() {
    let text = GOOD
        .replace("Back = \"the **cat**\"", "Bak = \"x\"")
        .replace("sort_field = \"Front\"", "sort_field = \"Nope\"");
    let lines: Vec<usize> = problems(&text).iter().map(|p| p.0).collect();
    assert_eq!(lines, vec![8, 27]);
}

#[test]
fn messages_read_file_line_column_message() {
    let text = GOOD.replace("Back = \"the **cat**\"", "Bak = \"x\"");
    let err = parse_deck_file("decks/spanish.toml", &text).unwrap_err();
    assert_eq!(
        err.to_string(),
        "decks/spanish.toml:27:1: note uses field 'Bak', which model 'Basic' does not have (it has: Front, Back)"
    );
}
