//! Deck descriptions on sync: the file's `[[decks]]` against the collection's, by the same
//! three-way rules as note fields (see `rules.rs`). A deck the file gives no description keeps
//! Anki's; pull and sync write Anki's into the file where there is one.

use std::collections::BTreeMap;

use super::base::{fingerprint, SidePair};
use super::rules::{action, verdict, Action, Direction, Strategy};
use super::snapshot::AnkiSnapshot;
use crate::deck_file::DeckFile;

#[derive(Debug, Default)]
pub struct DeckPlan {
    /// Deck name -> the description Anki should have.
    pub to_anki: BTreeMap<String, String>,
    /// Deck name -> the description the file should say.
    pub to_file: BTreeMap<String, String>,
    pub changes: Vec<String>,
    pub base: BTreeMap<String, SidePair>,
}

pub fn plan_decks(
    deck: &DeckFile,
    anki: &AnkiSnapshot,
    base: &BTreeMap<String, SidePair>,
    direction: Direction,
    strategy: Strategy,
) -> DeckPlan {
    let mut plan = DeckPlan::default();
    for d in &deck.decks {
        let in_anki = anki.decks.contains(&d.name);
        let anki_text = anki.deck_descriptions.get(&d.name).map(String::as_str);
        let anki_text = anki_text.unwrap_or("");
        let Some(file_text) = d.description.as_deref() else {
            if direction.writes_file() && !anki_text.is_empty() {
                plan.to_file.insert(d.name.clone(), anki_text.to_owned());
                plan.changes
                    .push(format!("deck '{}': description from Anki", d.name));
            }
            if in_anki {
                plan.base
                    .insert(d.name.clone(), SidePair::of(anki_text, anki_text));
            }
            continue;
        };
        if !in_anki {
            // A deck the push creates gets the file's description.
            if direction.writes_anki() && !file_text.is_empty() {
                plan.to_anki.insert(d.name.clone(), file_text.to_owned());
                plan.base
                    .insert(d.name.clone(), SidePair::of(file_text, file_text));
            }
            continue;
        }
        let changed = base.get(&d.name).map(|p| {
            (
                fingerprint(file_text) != p.file,
                fingerprint(anki_text) != p.anki,
            )
        });
        let agreed = match action(
            verdict(file_text == anki_text, changed),
            direction,
            strategy,
        ) {
            Action::ToAnki => {
                plan.to_anki.insert(d.name.clone(), file_text.to_owned());
                plan.changes
                    .push(format!("deck '{}': description from the file", d.name));
                Some(file_text)
            }
            Action::ToFile => {
                plan.to_file.insert(d.name.clone(), anki_text.to_owned());
                plan.changes
                    .push(format!("deck '{}': description from Anki", d.name));
                Some(anki_text)
            }
            Action::LeaveConflict => {
                plan.changes.push(format!(
                    "deck '{}': description changed on both sides (left as is)",
                    d.name
                ));
                None
            }
            Action::Nothing => (file_text == anki_text).then_some(file_text),
        };
        match agreed {
            Some(text) => {
                plan.base.insert(d.name.clone(), SidePair::of(text, text));
            }
            None => {
                if let Some(old) = base.get(&d.name) {
                    plan.base.insert(d.name.clone(), *old);
                }
            }
        }
    }
    plan
}
