//! What a plan tells the user: counts, notes by status, and field-by-field changes.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    FileOnly,
    AnkiOnly,
    ChangedInFile,
    ChangedInAnki,
    /// Both sides changed different things; merged without conflict.
    ChangedOnBothSides,
    Conflict,
    DeletedInFile,
    DeletedInAnki,
    Unchanged,
    /// A file note without a known id, found in Anki by note type, deck and first field.
    MatchedByContent,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub file_only: usize,
    pub anki_only: usize,
    /// Includes notes changed on both sides without conflict (they count in both).
    pub changed_in_file: usize,
    pub changed_in_anki: usize,
    pub conflicts: usize,
    pub deleted_in_file: usize,
    pub deleted_in_anki: usize,
    pub unchanged: usize,
    /// Notes found in Anki by their content (note type, deck, first field) rather than by id;
    /// a conflicting one counts in `conflicts` as well.
    pub matched_by_content: usize,
}

impl Counts {
    pub fn add(&mut self, status: Status) {
        match status {
            Status::FileOnly => self.file_only += 1,
            Status::AnkiOnly => self.anki_only += 1,
            Status::ChangedInFile => self.changed_in_file += 1,
            Status::ChangedInAnki => self.changed_in_anki += 1,
            Status::ChangedOnBothSides => {
                self.changed_in_file += 1;
                self.changed_in_anki += 1;
            }
            Status::Conflict => self.conflicts += 1,
            Status::DeletedInFile => self.deleted_in_file += 1,
            Status::DeletedInAnki => self.deleted_in_anki += 1,
            Status::Unchanged => self.unchanged += 1,
            // Counted by the planner for every such note, conflicting or not.
            Status::MatchedByContent => {}
        }
    }
}

/// What will happen to one difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Anki gets the file's value.
    ToAnki,
    /// The file gets Anki's value.
    ToFile,
    /// Not in this direction; stays pending.
    Pending,
    /// A conflict left as it is.
    Left,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `field`, `tags` or `deck`.
    pub what: String,
    pub name: String,
    pub file: Option<String>,
    pub anki: Option<String>,
    pub conflict: bool,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteReport {
    pub status: Status,
    pub note_id: Option<i64>,
    pub guid: Option<String>,
    /// The note's first field, shortened: how a person recognises it.
    pub label: String,
    /// The note's line in the deck file, when it is in the file.
    pub line: Option<usize>,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub counts: Counts,
    /// Every note that is not unchanged, in file order, then Anki's.
    pub notes: Vec<NoteReport>,
    /// Note-type changes that force a one-way sync with AnkiWeb (need consent).
    pub schema_changes: Vec<String>,
    /// Other note-type changes (renames, template and CSS text, new note types).
    pub model_changes: Vec<String>,
    /// Deck description changes.
    #[serde(default)]
    pub deck_changes: Vec<String>,
    pub warnings: Vec<String>,
    /// Conflicts left unresolved (strategy `skip`): the exit code is 1 when this is not 0.
    pub conflicts_left: usize,
}

/// A short, single-line label from a field's text, without markup.
pub fn label(text: &str) -> String {
    let mut plain = String::with_capacity(text.len().min(80));
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => plain.push(if c.is_whitespace() { ' ' } else { c }),
            _ => {}
        }
    }
    let plain = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    if plain.chars().count() > 60 {
        let cut: String = plain.chars().take(57).collect();
        format!("{cut}...")
    } else {
        plain
    }
}
