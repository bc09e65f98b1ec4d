//! New `[[notes]]` and `[[media]]` entries written straight as text, byte for byte what
//! [`super::DeckDocument::append_note`] renders.
//!
//! An export writes tens of thousands of notes; building a toml_edit table for each (and
//! parsing back every string literal) was most of its time. The text here is checked against
//! the toml_edit render by the tests below, for any field text and any field name.

use std::collections::HashMap;
use std::fmt::Write;

use toml_edit::Key;

use crate::deck_file::{Media, Note};

use super::string_repr;

/// Renders new entries; keeps the rendered field names, which repeat on every note.
#[derive(Default)]
pub struct EntryWriter {
    keys: HashMap<String, String>,
}

impl EntryWriter {
    /// Appends `note` as a new `[[notes]]` table, with `comment` on a line above it.
    pub fn note(&mut self, note: &Note, comment: Option<&str>, out: &mut String) {
        out.push('\n');
        if let Some(comment) = comment {
            let _ = writeln!(out, "# {comment}");
        }
        out.push_str("[[notes]]\ndeck = ");
        out.push_str(&string_repr(&note.deck));
        out.push_str("\nmodel = ");
        out.push_str(&string_repr(&note.model));
        out.push('\n');
        if let Some(id) = note.note_id {
            let _ = writeln!(out, "note_id = {id}");
        }
        if let Some(guid) = &note.guid {
            out.push_str("guid = ");
            out.push_str(&string_repr(guid));
            out.push('\n');
        }
        if !note.tags.is_empty() {
            out.push_str("tags = [");
            for (i, tag) in note.tags.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&string_repr(tag));
            }
            out.push_str("]\n");
        }
        out.push_str("\n[notes.fields]\n");
        for (name, value) in &note.fields {
            let key = self
                .keys
                .entry(name.clone())
                .or_insert_with(|| Key::new(name.as_str()).display_repr().into_owned());
            out.push_str(key);
            out.push_str(" = ");
            out.push_str(&string_repr(value));
            out.push('\n');
        }
    }

    /// Appends `media` as a new `[[media]]` table.
    pub fn media(&mut self, media: &Media, out: &mut String) {
        out.push_str("\n[[media]]\nname = ");
        out.push_str(&string_repr(&media.name));
        out.push_str("\npath = ");
        out.push_str(&string_repr(&media.path));
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use indexmap::IndexMap;
    use proptest::prelude::*;

    use super::*;
    use crate::edit::tests::text_strategy;
    use crate::edit::DeckDocument;
    use crate::location::Location;

    fn note(fields: Vec<(String, String)>, tags: Vec<String>, guid: Option<String>) -> Note {
        Note {
            index: 0,
            location: Location { line: 0, column: 0 },
            deck: "Deck::\"Sub\" \u{e9}".into(),
            model: "Basic\t(x)".into(),
            tags,
            guid,
            note_id: Some(1_700_000_000_123),
            fields: fields.into_iter().collect::<IndexMap<_, _>>(),
            places: Default::default(),
        }
    }

    fn by_toml_edit(notes: &[(Note, Option<String>)], media: &[Media]) -> String {
        let mut doc = DeckDocument::new();
        for (note, comment) in notes {
            match comment {
                Some(c) => doc.append_note_with_comment(note, c),
                None => doc.append_note(note),
            }
        }
        for m in media {
            doc.append_media(m);
        }
        doc.render()
    }

    fn by_writer(notes: &[(Note, Option<String>)], media: &[Media]) -> String {
        let mut writer = EntryWriter::default();
        let mut out = String::new();
        for (note, comment) in notes {
            writer.note(note, comment.as_deref(), &mut out);
        }
        for m in media {
            writer.media(m, &mut out);
        }
        out
    }

    fn field_name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z0-9_-]{1,8}",
            "[A-Za-z .:'\"]{1,8}",
            Just("Front side".to_string()),
            Just("R\u{fc}ckseite".to_string()),
            Just("it's".to_string()),
            Just("say \"hi\"".to_string()),
            Just("".to_string()),
        ]
    }

    proptest! {
        #[test]
        fn notes_and_media_render_as_toml_edit_renders_them(
            notes in prop::collection::vec(
                (
                    prop::collection::vec((field_name(), text_strategy()), 0..4),
                    prop::collection::vec("[a-z:_\u{e9}\"\\\\]{1,6}", 0..3),
                    prop::option::of(text_strategy()),
                    prop::option::of("[a-z \"]{0,20}"),
                ),
                1..4,
            ),
            media in prop::collection::vec((text_strategy(), text_strategy()), 0..3),
        ) {
            let notes: Vec<(Note, Option<String>)> = notes
                .into_iter()
                .map(|(fields, tags, guid, comment)| (note(fields, tags, guid), comment))
                .collect();
            let media: Vec<Media> = media
                .into_iter()
                .map(|(name, path)| Media { name, path, location: None })
                .collect();
            prop_assert_eq!(by_writer(&notes, &media), by_toml_edit(&notes, &media));
        }
    }

    #[test]
    fn a_note_without_id_guid_tags_or_fields() {
        let mut bare = note(vec![], vec![], None);
        bare.note_id = None;
        let notes = [(bare, None)];
        assert_eq!(by_writer(&notes, &[]), by_toml_edit(&notes, &[]));
    }
}
