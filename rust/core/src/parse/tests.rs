use super::*;
use crate::error::ParseProblem;
use crate::options::OptionValue;

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
}

fn warnings(text: &str) -> Vec<String> {
    let deck = parse_deck_file("deck.toml", text).unwrap_or_else(|e| panic!("{e}"));
    deck.warnings.iter().map(ToString::to_string).collect()
}

#[test]
fn an_unknown_model_type_is_a_warning_and_taken_as_standard() {
    let text = GOOD.replace(
        "sort_field = \"Front\"",
        "sort_field = \"Front\"\nmodel_type = \"clozze\"",
    );
    let deck = parse_deck_file("deck.toml", &text).unwrap();
    assert_eq!(deck.models[0].kind, ModelKind::Standard);
    assert_eq!(
        warnings(&text),
        [
            "deck.toml:9:14: model_type 'clozze' is not one ankitoml knows (\"standard\", \
          \"cloze\", \"image_occlusion\"); the note type is taken as standard"
        ]
    );
    let strict = parse_deck_file_strict("deck.toml", &text, true).unwrap_err();
    assert!(
        strict.to_string().contains("model_type 'clozze'"),
        "{strict}"
    );
}

#[test]
fn image_occlusion_is_a_cloze_kind() {
    let text = GOOD.replace(
        "sort_field = \"Front\"",
        "sort_field = \"Front\"\nmodel_type = \"image_occlusion\"",
    );
    assert!(matches!(
        single(&text).2,
        ParseProblem::ClozeWithoutClozeField { .. }
    ));
    let ok = text.replace("front = \"{{Front}}\"", "front = \"{{cloze:Front}}\"");
    let deck = parse_deck_file("deck.toml", &ok).unwrap();
    assert_eq!(deck.models[0].kind, ModelKind::ImageOcclusion);
    assert!(deck.warnings.is_empty());
}

#[test]
fn unknown_keys_are_warned_at_their_place_with_the_nearest_known_key() {
    let text = GOOD
        .replace("note_id = 17", "note_id = 17\ngyud = \"x\"")
        .replace(
            "name = \"Spanish\"\n",
            "name = \"Spanish\"\nautor = \"me\"\n",
        )
        .replace(
            "front = \"{{Front}}\"",
            "front = \"{{Front}}\"\nbrowser_font = \"\"",
        )
        .replace("[[decks]]\nname", "[[decks]]\ncolour = 1\nname");
    assert_eq!(
        warnings(&text),
        [
            "deck.toml:4:1: unknown key `autor` in [package]; did you mean `author`?",
            "deck.toml:15:1: unknown key `browser_font` in [[models.templates]]; did you mean \
             `browser_front`?",
            "deck.toml:19:1: unknown key `colour` in [[decks]]",
            "deck.toml:27:1: unknown key `gyud` in [[notes]]; did you mean `guid`?",
        ]
    );
    assert!(warnings(GOOD).is_empty());
}

#[test]
fn unknown_keys_in_field_settings_and_inline_notes_are_warned() {
    let text = format!(
        "{GOOD}\n[[models]]\nname = \"M\"\nfields = [\"A\"]\nlatex_sgv = true\n\
         [models.field_settings]\nA = {{ fnt = \"Arial\" }}\n\
         [[models.templates]]\nname = \"T\"\nfront = \"{{{{A}}}}\"\nback = \"\"\n"
    );
    let found = warnings(&text);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("unknown key `latex_sgv` in [[models]]; did you mean `latex_svg`?"));
    assert!(found[1].contains("unknown key `fnt` in [models.field_settings]; did you mean `font`?"));
    let inline = "notes = [{ deck = \"D\", model = \"M\", tagz = [] }]\n[package]\nname = \"x\"\n";
    let found = warnings(inline);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("`tagz` in [[notes]]; did you mean `tags`?"),
        "{found:?}"
    );
}

#[test]
fn field_settings_carry_ids_and_options_and_old_field_tables_still_load() {
    let new = GOOD
        .replace(
            "fields = [\"Front\", { name = \"Back\", id = -886679619640481536 }]",
            "fields = [\"Front\", \"Back\"]\nlatex_svg = true\nlatex_pre = \"\\\\begin\"",
        )
        .replace(
            "markdown_fields = [\"Back\"]",
            "markdown_fields = [\"Back\"]\n[models.field_settings]\nBack = { id = -886679619640481536, \
             font = \"Noto\", size = 24, html_editor = true }",
        );
    let deck = parse_deck_file("deck.toml", &new).unwrap_or_else(|e| panic!("{e}\n{new}"));
    let model = &deck.models[0];
    assert_eq!(model.fields[1].id, Some(-886679619640481536));
    assert_eq!(
        model.fields[1].options["font"],
        OptionValue::Text("Noto".into())
    );
    assert_eq!(model.fields[1].options["size"], OptionValue::Integer(24));
    assert_eq!(
        model.fields[1].options["plainText"],
        OptionValue::Bool(true)
    );
    assert_eq!(model.options["latexsvg"], OptionValue::Bool(true));
    assert_eq!(
        model.options["latexPre"],
        OptionValue::Text("\\begin".into())
    );
    assert!(deck.warnings.is_empty(), "{:?}", deck.warnings);

    let old = GOOD.replace(
        "{ name = \"Back\", id = -886679619640481536 }",
        "{ name = \"Back\", id = -886679619640481536, font = \"Noto\", sticky = true }",
    );
    let deck = parse_deck_file("deck.toml", &old).unwrap();
    assert_eq!(deck.models[0].fields[1].id, Some(-886679619640481536));
    assert_eq!(
        deck.models[0].fields[1].options["sticky"],
        OptionValue::Bool(true)
    );
}

#[test]
fn bad_field_settings_are_errors_at_their_place() {
    let base = GOOD.replace(
        "markdown_fields = [\"Back\"]",
        "markdown_fields = [\"Back\"]\n[models.field_settings]\nKEY",
    );
    let (line, column, problem) = single(&base.replace("KEY", "Bakc = { size = 3 }"));
    assert_eq!((line, column), (11, 1));
    assert_eq!(
        problem.to_string(),
        "field_settings names field 'Bakc', which model 'Basic' does not have; did you mean `Back`?"
    );
    let (line, column, problem) = single(&base.replace("KEY", "Front = { size = \"big\" }"));
    assert_eq!((line, column), (11, 18));
    assert_eq!(
        problem.to_string(),
        "`size` must be a whole number, 0 or more"
    );
    let (_, _, problem) = single(&base.replace("KEY", "Back = { id = 5 }"));
    assert!(
        matches!(problem, ParseProblem::OptionGivenTwice { .. }),
        "{problem}"
    );
}

#[test]
fn decks_keep_their_id() {
    let text = GOOD.replace(
        "name = \"Spanish::Food\"\n",
        "name = \"Spanish::Food\"\nid = 1700000000000\n",
    );
    let deck = parse_deck_file("deck.toml", &text).unwrap();
    assert_eq!(deck.decks[0].id, Some(1700000000000));
    assert!(deck.warnings.is_empty());
}

#[test]
fn note_ids_that_cannot_be_anki_ids_are_refused_at_their_place() {
    for (value, reason) in [
        ("-5", "it is negative"),
        ("0", "it is zero"),
        ("99999999999999999", "it is far beyond any creation time"),
    ] {
        let (line, column, problem) =
            single(&GOOD.replace("note_id = 17", &format!("note_id = {value}")));
        assert_eq!((line, column), (23, 11), "{value}");
        assert!(problem.to_string().contains(reason), "{problem}");
    }
    for value in ["\"17\"", "1.5", "99999999999999999999"] {
        let (line, _, problem) =
            single(&GOOD.replace("note_id = 17", &format!("note_id = {value}")));
        assert_eq!(line, 23, "{value}: {problem}");
    }
    assert!(
        problems(&GOOD.replace("note_id = 17", &format!("note_id = {MAX_NOTE_ID}"))).is_empty()
    );
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
