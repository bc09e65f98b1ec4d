//! New notes' ids written into a deck file as lines of text, without opening it as a
//! toml_edit document: after a push of 100,000 new notes that document was most of the
//! finish (2.4 s), though nothing else of the file changes.
//!
//! The lines go where [`super::DeckDocument::set_note_id`] and
//! [`super::DeckDocument::set_guid_if_missing`] put them (`note_id` after the note's `guid`,
//! or after its `model` followed by the new `guid`), written the same way, so either path
//! gives the same bytes (`tests.rs` holds them to that). The places come from the parse
//! ([`crate::deck_file::NotePlaces::id_slot`]).

use std::fmt::Write;

use super::string_repr;

/// One note's new lines: at byte offset `at` (the start of a line), its `note_id`, and its
/// `guid` where the file gives none.
#[derive(Debug, Clone, Copy)]
pub struct NewIdLines<'a> {
    pub at: usize,
    pub note_id: i64,
    pub guid: Option<&'a str>,
}

/// `text` with each note's lines inserted, each ending like the line before it (a CRLF file
/// stays CRLF).
pub fn insert_id_lines(text: &str, mut lines: Vec<NewIdLines>) -> String {
    lines.sort_by_key(|l| l.at);
    let mut out = String::with_capacity(text.len() + lines.len() * 48);
    let mut from = 0;
    for line in lines {
        out.push_str(&text[from..line.at]);
        let eol = if text[..line.at].ends_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        // Writing to a String cannot fail.
        let _ = write!(out, "note_id = {}{eol}", line.note_id);
        if let Some(guid) = line.guid {
            let _ = write!(out, "guid = {}{eol}", string_repr(guid));
        }
        from = line.at;
    }
    out.push_str(&text[from..]);
    out
}
