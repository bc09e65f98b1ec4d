//! Building an `.apkg` from a deck file (`ankitoml build`): what keeps an import of a later
//! build from updating what an import of this one created. Anki's importer finds notes by guid
//! and note types by id, so a note without a guid or a note type without an id in the file gets
//! a new one in every build.

use crate::deck_file::DeckFile;

pub fn build_warnings(deck: &DeckFile) -> Vec<String> {
    let mut out = Vec::new();
    let no_guid = deck.notes.iter().filter(|n| n.guid.is_none()).count();
    if no_guid > 0 {
        out.push(format!(
            "{no_guid} note(s) have no guid: each build gives them new ones, so importing a \
             later build adds them again (push the file once, or give them guids)"
        ));
    }
    for name in &deck.external_models {
        out.push(format!(
            "model '{name}' is not in the file: the package has Anki's stock '{name}' with new \
             ids each build, so an import of a later build makes another note type (export the \
             note type into the file)"
        ));
    }
    for model in &deck.models {
        if model.id.is_none() {
            out.push(format!(
                "model '{}' has no id: each build gives it a new one, so an import of a later \
                 build makes another note type (push the file once)",
                model.name
            ));
        } else if model.fields.iter().any(|f| f.id.is_none())
            || model.templates.iter().any(|t| t.id.is_none())
        {
            // Two ids that differ never match, even under one name: Anki adds the part again.
            out.push(format!(
                "model '{}' has fields or templates without ids: each build gives them new \
                 ones, so importing a later build with \"Merge note types\" adds them again \
                 (push the file once)",
                model.name
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_deck_file;

    #[test]
    fn notes_without_guids_and_models_without_ids_are_named() {
        let text = "[package]\nname = \"p\"\n\n[[models]]\nname = \"M\"\nfields = [\"A\"]\n\n\
                    [[models.templates]]\nname = \"T\"\nfront = \"{{A}}\"\nback = \"\"\n\n\
                    [[decks]]\nname = \"D\"\n\n[[notes]]\ndeck = \"D\"\nmodel = \"M\"\n\n\
                    [notes.fields]\nA = \"a\"\n";
        let warnings = build_warnings(&parse_deck_file("t.toml", text).unwrap());
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("1 note(s) have no guid"));
        assert!(warnings[1].starts_with("model 'M' has no id"));
        let with_ids = text
            .replace("name = \"M\"\n", "name = \"M\"\nid = 5\n")
            .replace("model = \"M\"\n", "model = \"M\"\nguid = \"g\"\n");
        let warnings = build_warnings(&parse_deck_file("t.toml", &with_ids).unwrap());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("model 'M' has fields or templates without ids"));
        let all_ids = with_ids
            .replace("fields = [\"A\"]", "fields = [{ name = \"A\", id = 6 }]")
            .replace("name = \"T\"\n", "name = \"T\"\nid = 7\n");
        assert!(build_warnings(&parse_deck_file("t.toml", &all_ids).unwrap()).is_empty());
    }
}
