//! The ids written as lines are the bytes a toml_edit document writes, and read back as the
//! ids Anki gave.

use proptest::prelude::*;

use super::IdSlots;
use crate::parse::parse_deck_file;
use crate::sync::base::Base;
use crate::sync::finish::{finish, AddedNote, Applied, FileSide};

const HEAD: &str = "[package]\nname = \"p\"\n\n[[models]]\nname = \"M\"\nfields = [\"A\", \"B\"]\n\n[[models.templates]]\nname = \"T\"\nfront = \"{{A}}\"\nback = \"{{B}}\"\n";

/// Every note without an id, added: the finish as lines (None where the layout has no place)
/// and the finish through a toml_edit document.
fn both(text: &str) -> (Option<String>, String, Applied) {
    let deck = parse_deck_file("t.toml", text).unwrap();
    let added: Vec<AddedNote> = deck
        .notes
        .iter()
        .filter(|n| n.note_id.is_none())
        .map(|n| AddedNote {
            file_index: n.index,
            note_id: 1_700_000_000_000 + n.index as i64,
            // Anki's guids use characters TOML strings must not leave bare in other files.
            guid: format!("g{}`{{\"", n.index),
        })
        .collect();
    let applied = Applied {
        added,
        models: Vec::new(),
    };
    let lines = IdSlots::of(text, &deck).write(
        text,
        applied
            .added
            .iter()
            .map(|a| (a.file_index, a.note_id, a.guid.as_str())),
    );
    let side = FileSide {
        file_edits: Vec::new(),
        base: Base::default(),
        id_slots: IdSlots::default(),
    };
    let doc = finish("t.toml", text, &side, &applied)
        .unwrap()
        .text
        .unwrap_or_else(|| panic!("unchanged: {text}"));
    (lines, doc, applied)
}

fn assert_ids_read_back(text: &str, applied: &Applied) {
    let deck = parse_deck_file("t.toml", text).unwrap();
    for a in &applied.added {
        let note = &deck.notes[a.file_index];
        assert_eq!(note.note_id, Some(a.note_id));
        assert!(note.guid.is_some());
    }
}

fn same_as_document(text: &str) -> String {
    let (lines, doc, applied) = both(text);
    let lines = lines.unwrap_or_else(|| panic!("no place for the ids in:\n{text}"));
    assert_eq!(lines, doc, "for:\n{text}");
    assert_ids_read_back(&lines, &applied);
    lines
}

#[test]
fn ids_go_after_the_model_with_a_new_guid_or_after_the_files_guid() {
    let text = format!(
        "{HEAD}\n[[notes]]\ndeck = \"D\"\nmodel = \"M\"\n\n[notes.fields]\nA = \"x\"\n\n\
         [[notes]]\ndeck = \"D\"\nmodel = \"M\"  # the model\nguid = \"kept\" # its guid\n\
         tags = [\"t\"]\nfields = {{ A = \"y\" }}\n\n\
         [[notes]]\ndeck = \"D\"\nmodel = \"M\"\nnote_id = 5\nfields.A = \"z\"\n"
    );
    let written = same_as_document(&text);
    assert!(written
        .contains("model = \"M\"\nnote_id = 1700000000000\nguid = \"g0`{\\\"\"\n\n[notes.fields]"));
    assert!(written.contains("guid = \"kept\" # its guid\nnote_id = 1700000000001\ntags"));
    assert!(written.contains("note_id = 5\nfields.A"));
}

#[test]
fn a_crlf_file_gets_crlf_lines_and_a_bom_stays() {
    let text =
        format!("\u{feff}{HEAD}\n[[notes]]\n  deck = \"D\"\n  model = \"M\"\n  fields.A = \"x\"\n")
            .replace('\n', "\r\n");
    let written = same_as_document(&text);
    assert!(written.contains("model = \"M\"\r\nnote_id = 1700000000000\r\nguid"));
    assert!(!written.replace("\r\n", "").contains('\n'));
}

#[test]
fn inline_notes_and_a_last_line_without_break_are_left_to_the_document() {
    for text in [
        // Top-level keys come before the first table.
        format!("notes = [{{ deck = \"D\", model = \"M\", fields = {{ A = \"x\" }} }}]\n{HEAD}"),
        format!("{HEAD}\n[[notes]]\ndeck = \"D\"\nfields.A = \"x\"\nmodel = \"M\""),
    ] {
        let (lines, doc, applied) = both(&text);
        assert_eq!(lines, None, "{text}");
        assert_ids_read_back(&doc, &applied);
    }
}

#[test]
fn another_text_than_the_planned_one_gets_no_lines() {
    let text = format!("{HEAD}\n[[notes]]\ndeck = \"D\"\nmodel = \"M\"\n");
    let deck = parse_deck_file("t.toml", &text).unwrap();
    let slots = IdSlots::of(&text, &deck);
    let added = [(0, 7, "g")];
    assert!(slots.write(&text, added.into_iter()).is_some());
    let edited = text.replace("deck = \"D\"", "deck = \"E\"");
    assert_eq!(slots.write(&edited, added.into_iter()), None);
}

/// One note's layout: where its keys go and what surrounds them.
#[derive(Debug, Clone)]
struct Layout {
    guid: Option<bool>,
    model_comment: bool,
    indent: bool,
    note_id: bool,
    fields: u8,
    blank_after: bool,
    model_first: bool,
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        proptest::option::of(any::<bool>()),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.2),
        0u8..4,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(guid, model_comment, indent, note_id, fields, blank_after, model_first)| Layout {
                guid,
                model_comment,
                indent,
                note_id,
                fields,
                blank_after,
                model_first,
            },
        )
}

fn note_text(i: usize, l: &Layout) -> String {
    let pad = if l.indent { "  " } else { "" };
    let mut keys = Vec::new();
    if l.fields == 2 {
        // Dotted keys before the model: toml_edit keeps their place too.
        keys.push(format!("{pad}fields.A = 'a{i}'"));
    }
    let model = format!(
        "{pad}model = \"M\"{}",
        if l.model_comment { " # m" } else { "" }
    );
    let deck = format!("{pad}deck = \"D\"");
    if l.model_first {
        keys.extend([model, deck]);
    } else {
        keys.extend([deck, model]);
    }
    if let Some(commented) = l.guid {
        let comment = if commented { "\t# g" } else { "" };
        keys.push(format!("{pad}guid = 'guid{i}'{comment}"));
    }
    if l.note_id {
        keys.push(format!("{pad}note_id = {}", 100 + i));
    }
    let mut out = format!("[[notes]]\n{}\n", keys.join("\n"));
    match l.fields {
        0 => out.push_str(&format!("{pad}fields = {{ A = \"a{i}\" }}\n")),
        1 => out.push_str(&format!("\n[notes.fields]\nA = \"\"\"\na{i}\n\"\"\"\n")),
        _ => {} // 2: dotted, above; 3: none
    }
    if l.blank_after {
        out.push_str("# between\n\n");
    }
    out
}

proptest! {
    #[test]
    fn lines_are_what_the_document_writes(
        layouts in prop::collection::vec(layout(), 1..12),
        crlf in any::<bool>(),
    ) {
        let mut text = format!("{HEAD}\n");
        for (i, l) in layouts.iter().enumerate() {
            text.push_str(&note_text(i, l));
        }
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        if layouts.iter().all(|l| l.note_id) {
            return Ok(());
        }
        same_as_document(&text);
    }
}
