//! The sync rules, all in one place.
//!
//! Each value (a field, the tag set, the deck) is compared three ways: the file, Anki, and the
//! base (what both agreed on last time). Equal values need nothing. With a base, the side that
//! moved away from it changed, and its value wins; if both moved, to different values, that is a
//! conflict. Without a base (a file never synced with this collection) any difference is a
//! conflict, since nothing tells which side is newer. Tags merge as sets: additions and removals
//! from both sides since the base are all kept, so tags never conflict when a base exists.
//!
//! What happens then depends on the direction (push writes Anki, pull writes the file, sync
//! both) and, for conflicts, on the strategy:
//!
//! | strategy      | a conflict                                                        |
//! |---------------|-------------------------------------------------------------------|
//! | `prefer_toml` | the file's value goes to Anki (when the direction writes Anki)    |
//! | `prefer_anki` | Anki's value goes to the file (when the direction writes the file)|
//! | `skip`        | nothing changes; reported, exit code 1 (the default for sync)     |
//! | `fail`        | nothing at all changes; every conflict is reported                |
//!
//! Push alone defaults to `prefer_toml`, pull alone to `prefer_anki`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Push,
    Pull,
    Sync,
}

impl Direction {
    pub fn writes_anki(self) -> bool {
        matches!(self, Direction::Push | Direction::Sync)
    }

    pub fn writes_file(self) -> bool {
        matches!(self, Direction::Pull | Direction::Sync)
    }

    pub fn default_strategy(self) -> Strategy {
        match self {
            Direction::Push => Strategy::PreferToml,
            Direction::Pull => Strategy::PreferAnki,
            Direction::Sync => Strategy::Skip,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    PreferToml,
    PreferAnki,
    Skip,
    Fail,
}

/// Which side's value should stand, before direction and strategy are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Same,
    FileChanged,
    AnkiChanged,
    Conflict,
}

/// `changed` is `(file moved from base, anki moved from base)`, known only with a base.
pub fn verdict(equivalent: bool, changed: Option<(bool, bool)>) -> Verdict {
    if equivalent {
        return Verdict::Same;
    }
    match changed {
        Some((true, false)) => Verdict::FileChanged,
        Some((false, true)) => Verdict::AnkiChanged,
        _ => Verdict::Conflict,
    }
}

/// What to do about one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Nothing,
    /// Write the file's value into Anki.
    ToAnki,
    /// Write Anki's value into the file.
    ToFile,
    /// A conflict nobody resolved: both sides keep their value.
    LeaveConflict,
}

pub fn action(verdict: Verdict, direction: Direction, strategy: Strategy) -> Action {
    match verdict {
        Verdict::Same => Action::Nothing,
        Verdict::FileChanged if direction.writes_anki() => Action::ToAnki,
        Verdict::AnkiChanged if direction.writes_file() => Action::ToFile,
        Verdict::FileChanged | Verdict::AnkiChanged => Action::Nothing,
        Verdict::Conflict => match strategy {
            Strategy::PreferToml if direction.writes_anki() => Action::ToAnki,
            Strategy::PreferAnki if direction.writes_file() => Action::ToFile,
            // The winning side already holds its value; the direction does not write the other.
            Strategy::PreferToml | Strategy::PreferAnki => Action::Nothing,
            Strategy::Skip | Strategy::Fail => Action::LeaveConflict,
        },
    }
}

/// Tags as Anki sees them: case does not make two tags different.
fn tag_key(tag: &str) -> String {
    tag.to_lowercase()
}

pub fn same_tags(a: &[String], b: &[String]) -> bool {
    let mut a: Vec<String> = a.iter().map(|t| tag_key(t)).collect();
    let mut b: Vec<String> = b.iter().map(|t| tag_key(t)).collect();
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    a == b
}

/// Three-way set merge: the file's tags, less what Anki removed since the base, plus what Anki
/// added. Keeps the file's order and spelling; Anki's additions follow in Anki's order.
pub fn merge_tags(file: &[String], anki: &[String], base: &[String]) -> Vec<String> {
    let has = |set: &[String], tag: &str| set.iter().any(|t| tag_key(t) == tag_key(tag));
    let mut merged: Vec<String> = file
        .iter()
        .filter(|t| has(anki, t) || !has(base, t))
        .cloned()
        .collect();
    for tag in anki {
        if !has(base, tag) && !has(&merged, tag) {
            merged.push(tag.clone());
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_a_value_moved_on_both_sides_conflicts() {
        assert_eq!(verdict(true, None), Verdict::Same);
        assert_eq!(verdict(false, None), Verdict::Conflict);
        assert_eq!(verdict(false, Some((true, false))), Verdict::FileChanged);
        assert_eq!(verdict(false, Some((false, true))), Verdict::AnkiChanged);
        assert_eq!(verdict(false, Some((true, true))), Verdict::Conflict);
    }

    #[test]
    fn the_direction_limits_what_is_written() {
        use Direction::*;
        assert_eq!(
            action(Verdict::FileChanged, Pull, Strategy::Skip),
            Action::Nothing
        );
        assert_eq!(
            action(Verdict::FileChanged, Push, Strategy::Skip),
            Action::ToAnki
        );
        assert_eq!(
            action(Verdict::AnkiChanged, Sync, Strategy::Skip),
            Action::ToFile
        );
        assert_eq!(
            action(Verdict::Conflict, Sync, Strategy::PreferToml),
            Action::ToAnki
        );
        assert_eq!(
            action(Verdict::Conflict, Sync, Strategy::PreferAnki),
            Action::ToFile
        );
        assert_eq!(
            action(Verdict::Conflict, Sync, Strategy::Skip),
            Action::LeaveConflict
        );
        assert_eq!(
            action(Verdict::Conflict, Pull, Strategy::PreferToml),
            Action::Nothing
        );
    }

    #[test]
    fn tags_merge_as_sets() {
        let base = tags(&["a", "b", "c"]);
        let file = tags(&["a", "b", "x"]); // removed c, added x
        let anki = tags(&["b", "c", "y"]); // removed a, added y
        assert_eq!(merge_tags(&file, &anki, &base), tags(&["b", "x", "y"]));
        assert!(same_tags(&tags(&["A", "b"]), &tags(&["b", "a"])));
    }
}
