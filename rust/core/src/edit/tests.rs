use proptest::prelude::*;

use super::*;
use crate::options::OptionValue;
use crate::parse::parse_deck_file;

const FILE: &str = r#"# My deck — comments stay where they are.
[package]
name = "Spanish"   # trailing comment

[[models]]
name = "Basic"
fields = ["Front", "Back"]

[[models.templates]]
name = "Card 1"
front = '{{Front}}'
back = "{{Back}}"

[[notes]]
deck = "Spanish"
model = "Basic"
tags = ["a"]

[notes.fields]
Front = 'hola'   # literal string
Back = "hello"

# second note
[[notes]]
deck = "Spanish"
model = "Basic"
fields = { Front = "adiós", Back = "bye" }
"#;

fn reparsed(text: &str) -> crate::DeckFile {
    parse_deck_file("t.toml", text).unwrap_or_else(|e| panic!("{e}\n---\n{text}"))
}

#[test]
fn set_note_id_goes_right_after_model_and_nothing_else_moves() {
    let mut doc = DeckDocument::parse(FILE).unwrap();
    doc.set_note_id(0, 1234).unwrap();
    let out = doc.render();
    assert_eq!(
        out,
        FILE.replace(
            "model = \"Basic\"\ntags = [\"a\"]",
            "model = \"Basic\"\nnote_id = 1234\ntags = [\"a\"]"
        )
    );
}

#[test]
fn inline_note_tables_take_edits_too() {
    let mut doc = DeckDocument::parse(FILE).unwrap();
    doc.set_note_id(1, 99).unwrap();
    doc.set_field(1, "Back", "see you").unwrap();
    let deck = reparsed(&doc.render());
    assert_eq!(deck.notes[1].note_id, Some(99));
    assert_eq!(deck.notes[1].fields["Back"], "see you");
    assert_eq!(deck.notes[1].fields["Front"], "adiós");
}

#[test]
fn a_changed_value_keeps_its_comment() {
    let mut doc = DeckDocument::parse(FILE).unwrap();
    doc.set_field(0, "Front", "buenas").unwrap();
    assert_eq!(
        doc.render(),
        FILE.replace(
            "Front = 'hola'   # literal",
            "Front = \"buenas\"   # literal"
        )
    );
}

#[test]
fn multi_line_values_use_triple_quotes() {
    let mut doc = DeckDocument::parse(FILE).unwrap();
    doc.set_field(0, "Back", "line 1\nline \"2\"\n").unwrap();
    let out = doc.render();
    assert!(
        out.contains("Back = \"\"\"\nline 1\nline \"2\"\n\"\"\""),
        "{out}"
    );
    assert_eq!(
        reparsed(&out).notes[0].fields["Back"],
        "line 1\nline \"2\"\n"
    );
}

#[test]
fn tags_deck_and_guid_are_replaced_in_place() {
    let mut doc = DeckDocument::parse(FILE).unwrap();
    doc.set_tags(0, &["x".into(), "y z".into()]).unwrap();
    doc.set_deck(0, "Spanish::Verbs").unwrap();
    doc.set_guid(0, "abc").unwrap();
    let deck = reparsed(&doc.render());
    assert_eq!(deck.notes[0].tags, vec!["x", "y z"]);
    assert_eq!(deck.notes[0].deck, "Spanish::Verbs");
    assert_eq!(deck.notes[0].guid.as_deref(), Some("abc"));
}

#[test]
fn appended_notes_come_last_in_the_house_style() {
    let mut doc = DeckDocument::parse(FILE).unwrap();
    let mut note = reparsed(FILE).notes[0].clone();
    note.note_id = Some(5);
    note.guid = Some("g5".into());
    doc.append_note(&note);
    let out = doc.render();
    assert!(out.starts_with(FILE), "existing text changed:\n{out}");
    assert_eq!(
        &out[FILE.len()..],
        "\n[[notes]]\ndeck = \"Spanish\"\nmodel = \"Basic\"\nnote_id = 5\nguid = \"g5\"\ntags = [\"a\"]\n\n[notes.fields]\nFront = \"hola\"\nBack = \"hello\"\n"
    );
    assert_eq!(reparsed(&out).notes.len(), 3);
}

#[test]
fn removing_notes_keeps_the_others() {
    let mut doc = DeckDocument::parse(FILE).unwrap();
    doc.remove_notes(&[0]).unwrap();
    let deck = reparsed(&doc.render());
    assert_eq!(deck.notes.len(), 1);
    assert_eq!(deck.notes[0].fields["Front"], "adiós");
}

#[test]
fn removing_notes_in_one_pass_takes_repeats_and_refuses_a_missing_one_whole() {
    let three = format!(
        "{FILE}\n[[notes]]\ndeck = \"Spanish\"\nmodel = \"Basic\"\nfields = {{ Front = \"3\" }}\n"
    );
    let mut doc = DeckDocument::parse(&three).unwrap();
    let err = doc.remove_notes(&[0, 7, 3]).unwrap_err();
    assert!(err.to_string().contains("no note at index 7"), "{err}");
    assert_eq!(doc.render(), three);
    doc.remove_notes(&[2, 0, 2]).unwrap();
    let deck = reparsed(&doc.render());
    let fronts: Vec<&str> = deck
        .notes
        .iter()
        .map(|n| n.fields["Front"].as_str())
        .collect();
    assert_eq!(fronts, ["adiós"]);
}

pub(super) fn text_strategy() -> impl Strategy<Value = String> {
    // Anki field content: HTML, quotes, backslashes, newlines, CR, tabs, unicode, control
    // chars, DEL.
    prop::collection::vec(
        prop_oneof![
            Just("\"".to_string()),
            Just("\"\"\"".to_string()),
            Just("\\".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("\t".to_string()),
            Just("\u{1}".to_string()),
            Just("\r".to_string()),
            Just("\u{7f}\u{8}\u{c}".to_string()),
            Just("'''".to_string()),
            Just("<b>x</b>".to_string()),
            "[a-zA-Z0-9 ]{0,8}",
            "\\PC{0,4}",
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

fn deck_text(values: &[(String, String)], comments: &[bool]) -> String {
    let mut text = String::from("[package]\nname = \"p\"\n\n[[models]]\nname = \"M\"\nfields = [\"A\", \"B\"]\n[[models.templates]]\nname = \"T\"\nfront = \"{{A}}\"\nback = \"{{B}}\"\n");
    for (i, (a, b)) in values.iter().enumerate() {
        if comments.get(i).copied().unwrap_or(false) {
            text.push_str(&format!("\n# note {i}\n"));
        }
        text.push_str(&format!(
            "\n[[notes]]\ndeck = \"D\"\nmodel = \"M\"\n\n[notes.fields]\nA = {}\nB = {}\n",
            string_value(a),
            string_value(b)
        ));
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_string_survives_the_house_style(s in text_strategy()) {
        let text = format!("[package]\nname = \"p\"\ndescription = {}\n", string_value(&s));
        let deck = parse_deck_file("t.toml", &text).unwrap();
        prop_assert_eq!(deck.package.description, Some(s));
    }

    #[test]
    fn parse_then_render_without_edits_is_byte_identical(
        values in prop::collection::vec((text_strategy(), text_strategy()), 0..6),
        comments in prop::collection::vec(any::<bool>(), 6),
    ) {
        let text = deck_text(&values, &comments);
        prop_assert_eq!(DeckDocument::parse(&text).unwrap().render(), text);
    }

    #[test]
    fn an_edit_to_one_note_changes_only_that_notes_lines(
        values in prop::collection::vec((text_strategy(), text_strategy()), 1..6),
        comments in prop::collection::vec(any::<bool>(), 6),
        target in any::<prop::sample::Index>(),
        new_value in text_strategy(),
    ) {
        let text = deck_text(&values, &comments);
        let k = target.index(values.len());
        let mut doc = DeckDocument::parse(&text).unwrap();
        doc.set_field(k, "B", &new_value).unwrap();
        doc.set_note_id(k, 42).unwrap();
        let out = doc.render();

        let before = reparsed(&text);
        let after = reparsed(&out);
        prop_assert_eq!(&after.notes[k].fields["B"], &new_value);
        prop_assert_eq!(after.notes[k].note_id, Some(42));
        // Lines before note k and from note k+1 on are untouched.
        let start = before.notes[k].location.line - 1;
        let old_lines: Vec<&str> = text.lines().collect();
        let new_lines: Vec<&str> = out.lines().collect();
        prop_assert_eq!(&old_lines[..start], &new_lines[..start]);
        if k + 1 < values.len() {
            let old_next = before.notes[k + 1].location.line - 1;
            let new_next = after.notes[k + 1].location.line - 1;
            prop_assert_eq!(&old_lines[old_next - 1..], &new_lines[new_next - 1..]);
        }
        for (i, note) in after.notes.iter().enumerate() {
            if i != k {
                prop_assert_eq!(note, &before.notes[i].placed_like(note));
            }
        }
    }
}

const OLD_SHAPE: &str = r#"[package]
name = "P"

[[models]]
name = "Basic"   # mine
fields = [
    { name = "Front", id = 11, font = "Noto" },
    { name = "Back" },
]

[[models.templates]]
name = "Card 1"
front = "{{Front}}"
back = "{{Back}}"
"#;

#[test]
fn a_model_in_the_old_shape_is_written_in_the_seed_shape_when_updated() {
    let deck = reparsed(OLD_SHAPE);
    let mut model = deck.models[0].clone();
    model.fields[1].id = Some(12);
    model.templates[0].id = Some(13);
    let mut doc = DeckDocument::parse(OLD_SHAPE).unwrap();
    doc.update_model(0, &model).unwrap();
    let out = doc.render();
    assert_eq!(
        out,
        r#"[package]
name = "P"

[[models]]
name = "Basic"   # mine
fields = ["Front", "Back"]

[models.field_settings]
Front = { id = 11, font = "Noto" }
Back = { id = 12 }

[[models.templates]]
name = "Card 1"
id = 13
front = "{{Front}}"
back = "{{Back}}"
"#
    );
    let again = reparsed(&out);
    assert_eq!(again.models[0].fields, model.fields);
    // Nothing to change: nothing moves.
    let mut doc = DeckDocument::parse(&out).unwrap();
    doc.update_model(0, &again.models[0]).unwrap();
    assert_eq!(doc.render(), out);
}

#[test]
fn settings_are_written_under_their_file_keys_and_others_stay() {
    let text = OLD_SHAPE.replace(
        "name = \"Basic\"   # mine\n",
        "name = \"Basic\"   # mine\nlatex_post = \"x\"   # footer\n",
    );
    let deck = reparsed(&text);
    let mut model = deck.models[0].clone();
    model
        .options
        .insert("latexsvg".into(), OptionValue::Bool(true));
    model.fields[0]
        .options
        .insert("plainText".into(), OptionValue::Bool(true));
    model.templates[0]
        .options
        .insert("bqfmt".into(), OptionValue::Text("{{Front}}".into()));
    let mut doc = DeckDocument::parse(&text).unwrap();
    doc.update_model(0, &model).unwrap();
    let out = doc.render();
    assert!(out.contains("latex_post = \"x\"   # footer\n"), "{out}");
    assert!(out.contains("latex_svg = true\n"), "{out}");
    assert!(
        out.contains("Front = { id = 11, font = \"Noto\", html_editor = true }"),
        "{out}"
    );
    assert!(out.contains("browser_front = \"{{Front}}\""), "{out}");
    let mut again = reparsed(&out).models[0].clone();
    again.location = model.location;
    assert_eq!(again, model);
}

/// Found by `fuzz/` (deck_document): toml_edit writes `\n` between values, so a CRLF file
/// changed on every line at its first edit, and an unedited one did not render as itself.
#[test]
fn a_crlf_file_keeps_its_line_endings_and_its_values() {
    let crlf = FILE.replace('\n', "\r\n");
    let mut doc = DeckDocument::parse(&crlf).unwrap();
    assert_eq!(doc.render(), crlf);
    doc.set_field(0, "Back", "two\nlines").unwrap();
    let out = doc.render();
    let expected = crlf.replace("Back = \"hello\"", "Back = \"\"\"\ntwo\nlines\"\"\"");
    assert_eq!(out, expected);
    // The value's own line break stays `\n`: in a TOML string `\r\n` would be content.
    assert_eq!(reparsed(&out).notes[0].fields["Back"], "two\nlines");
}

#[test]
fn unedited_text_renders_as_itself_whatever_its_line_endings() {
    for text in [
        "[package]\nname = \"x\"",
        "[package]\r\nname = \"x\"\n# mixed\r\n",
        "[package]\nname = \"x\"\r\n",
        "\u{feff}[package]\nname = \"x\"\n",
    ] {
        let doc = DeckDocument::parse(text).unwrap();
        assert_eq!(doc.render(), text);
    }
}

/// Found by `fuzz/` (deck_document): appending to `notes = [{...}]` (or decks, models, media)
/// replaced the array with a new `[[notes]]`, dropping every note the file had.
#[test]
fn appending_to_inline_entries_keeps_them() {
    let text = r#"package = { name = "Inline" }
decks = [{ name = "D" }]
notes = [
  { deck = "D", model = "Basic", fields = { Front = "f" } },
]
media = []
"#;
    let mut doc = DeckDocument::parse(text).unwrap();
    let mut note = reparsed(text).notes[0].clone();
    note.fields.insert("Back".into(), "two\nlines".into());
    doc.append_note(&note);
    doc.append_deck(&Deck {
        name: "E".into(),
        description: None,
        id: None,
    });
    doc.append_media(&Media {
        name: "a.mp3".into(),
        path: "a.mp3".into(),
        location: None,
    });
    let out = doc.render();
    let file = reparsed(&out);
    assert_eq!(file.notes.len(), 2, "{out}");
    assert_eq!(file.notes[1].fields["Back"], "two\nlines");
    let decks: Vec<&str> = file.decks.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(decks, ["D", "E"]);
    assert_eq!(file.media.len(), 1);
    let kept = "package = { name = \"Inline\" }\n\
                decks = [{ name = \"D\" }, { name = \"E\" }]\n\
                notes = [\n  { deck = \"D\", model = \"Basic\", fields = { Front = \"f\" } },\n  {";
    assert!(out.starts_with(kept), "{out}");
}

/// A model written inline (`models = [{ ..., templates = [{...}] }]`) could not take the ids
/// Anki assigns on a push: update_model refused anything but `[[models.templates]]`.
#[test]
fn an_inline_model_takes_ids_and_new_templates() {
    let text = r#"package = { name = "Inline" }
models = [{ name = "B", fields = ["Front"], templates = [{ name = "C", front = "{{Front}}", back = "b" }] }]
"#;
    let mut doc = DeckDocument::parse(text).unwrap();
    let mut model = reparsed(text).models[0].clone();
    model.id = Some(7);
    model.templates[0].id = Some(-3);
    let mut second = model.templates[0].clone();
    second.name = "D".into();
    second.id = Some(4);
    second.front = "{{Front}}<br>".into();
    model.templates.push(second);
    doc.update_model(0, &model).unwrap();
    let out = doc.render();
    let file = reparsed(&out);
    assert_eq!(file.models[0].id, Some(7));
    let templates: Vec<(&str, Option<i64>)> = file.models[0]
        .templates
        .iter()
        .map(|t| (t.name.as_str(), t.id))
        .collect();
    assert_eq!(templates, [("C", Some(-3)), ("D", Some(4))], "{out}");
    assert!(
        out.starts_with("package = { name = \"Inline\" }\nmodels = [{ name = \"B\", id = 7,"),
        "{out}"
    );
}

#[test]
fn ids_given_to_fields_without_an_entry_go_in_field_order() {
    let text = r#"[package]
name = "P"

[[models]]
name = "Vocab"
fields = ["Word", "Colored", "Meaning", "Hint"]

[models.field_settings]
Word = { font = "SimSun" }   # kept
Meaning = { size = 12 }

[[models.templates]]
name = "Card 1"
front = "{{Word}}"
back = "{{Meaning}}"
"#;
    let deck = reparsed(text);
    let mut model = deck.models[0].clone();
    for (i, field) in model.fields.iter_mut().enumerate() {
        field.id = Some(100 + i as i64);
    }
    let mut doc = DeckDocument::parse(text).unwrap();
    doc.update_model(0, &model).unwrap();
    let out = doc.render();
    let settings = &out
        [out.find("[models.field_settings]").unwrap()..out.find("[[models.templates]]").unwrap()];
    let keys: Vec<&str> = settings
        .lines()
        .skip(1)
        .filter_map(|line| line.split(" = ").next().filter(|k| !k.is_empty()))
        .collect();
    assert_eq!(keys, ["Word", "Colored", "Meaning", "Hint"], "{out}");
    assert_eq!(reparsed(&out).models[0].fields, model.fields);
}
