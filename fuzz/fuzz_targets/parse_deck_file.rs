//! Any text: the parser returns a deck file or located errors, never panics, and every error
//! points inside the text.
#![no_main]

use ankitoml_core::{parse::parse_deck_file, Error};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.split('\n').count();
    match parse_deck_file("fuzz.toml", text) {
        Ok(file) => {
            for note in &file.notes {
                assert!(note.location.line >= 1 && note.location.line <= lines);
            }
        }
        Err(Error::DeckFile(errors)) => {
            assert!(!errors.is_empty(), "a refusal names at least one problem");
            for error in &errors {
                let line = error.location.line;
                assert!(
                    line >= 1 && line <= lines,
                    "line {line} of {lines}: {error}"
                );
                assert!(error.location.column >= 1, "{error}");
            }
        }
        Err(other) => panic!("parse_deck_file gave a non-deck-file error: {other}"),
    }
});
