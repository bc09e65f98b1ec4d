//! Knowing a sync has nothing to do before planning it, as git knows a clean tree from its
//! index.
//!
//! After an apply whose plan changed nothing (so both sides were seen to agree with the base),
//! the base also records the deck file's fingerprint, the scope that was read from the
//! collection and a stamp of that scope (taken by the Python side: note rows' ids, note types,
//! modification times, the decks of the cards, deck names). While the file's text and the
//! collection's stamp are the same, a plan would again change nothing, so it is not made.
//! The stamp is only recorded when nothing in it was modified in the second it was taken
//! (Anki keeps modification times in seconds: a later edit in that same second would not move
//! it). Anything that does not match simply means a full plan.
//!
//! Media fingerprints (size, modification time, hash and the name Anki stored) are kept too,
//! so an unchanged media file is neither read nor copied again.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::base::{fingerprint, Base, BASE_VERSION};
use super::plan::{AnkiChanges, SyncPlan};
use super::report::Report;
use super::rules::Direction;
use crate::deck_file::Media;

/// What a plan that changed nothing leaves in the base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clean {
    /// Fingerprint of the deck file's text.
    pub file: u64,
    /// The scope read from the collection (as `sync::scope` made it from file and base).
    pub scope: serde_json::Value,
    /// The collection's stamp of that scope.
    pub anki: String,
    /// The notes the plan found unchanged.
    pub notes: usize,
    /// The file's media entries, whose files must still match their fingerprints.
    pub media: Vec<Media>,
}

/// A media file as it was when last copied into Anki.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaPrint {
    pub size: u64,
    pub mtime_ns: i64,
    /// SHA-1 of the bytes, as Anki's media database keeps them.
    pub sha1: String,
    /// The name Anki stored the file under.
    pub stored: String,
}

/// The parts of a stored base that the fast path reads; the notes are skipped unparsed.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Stored {
    #[serde(default)]
    pub clean: Option<Clean>,
    /// Keyed by the `[[media]]` entry's path.
    #[serde(default)]
    pub media: BTreeMap<String, MediaPrint>,
}

#[derive(Deserialize)]
struct Head {
    version: u32,
    #[serde(default)]
    clean: Option<Clean>,
    #[serde(default)]
    media: BTreeMap<String, MediaPrint>,
}

/// The text of a base file: the base of an applied plan, the media fingerprints, and the
/// record of a clean state when the plan changed nothing (what [`stored`] reads back).
pub fn stored_text(
    base: &Base,
    media: &BTreeMap<String, MediaPrint>,
    clean: Option<&Clean>,
) -> String {
    #[derive(Serialize)]
    struct StoredBase<'a> {
        #[serde(flatten)]
        base: &'a Base,
        media: &'a BTreeMap<String, MediaPrint>,
        #[serde(skip_serializing_if = "Option::is_none")]
        clean: Option<&'a Clean>,
    }
    serde_json::to_string(&StoredBase { base, media, clean }).expect("a base serializes")
}

/// What a stored base says about the fast path for this file text: its record of a clean
/// state if the file is still the one recorded, and the media fingerprints. A base of another
/// version gives neither.
pub fn stored(text: &str, base_text: Option<&str>) -> Stored {
    let Some(head) = base_text.and_then(|b| serde_json::from_str::<Head>(b).ok()) else {
        return Stored::default();
    };
    if head.version != BASE_VERSION {
        return Stored::default();
    }
    let file = fingerprint(text);
    Stored {
        clean: head.clean.filter(|clean| clean.file == file),
        media: head.media,
    }
}

/// A plan with nothing to do, for a state the base recorded as clean: what a full plan of it
/// would be. Its base is empty: applying it must write nothing (`apply_prepared` skips it).
pub fn plan(clean: &Clean, direction: Direction, notices: &[String]) -> SyncPlan {
    let mut report = Report::default();
    report.counts.unchanged = clean.notes;
    report.warnings.extend(notices.iter().cloned());
    SyncPlan {
        direction,
        report,
        anki: AnkiChanges {
            media: if direction.writes_anki() {
                clean.media.clone()
            } else {
                Vec::new()
            },
            ..AnkiChanges::default()
        },
        file_edits: Vec::new(),
        base: super::base::Base {
            version: BASE_VERSION,
            ..Default::default()
        },
        id_slots: Default::default(),
    }
}

/// Whether a plan changes nothing on either side and leaves nothing pending in any direction:
/// only then may its state be recorded as clean.
pub fn is_clean(plan: &SyncPlan) -> bool {
    let report = &plan.report;
    let counts = &report.counts;
    let anki = AnkiChanges {
        media: Vec::new(),
        ..plan.anki.clone()
    };
    anki.is_empty()
        && plan.file_edits.is_empty()
        && report.notes.is_empty()
        && report.schema_changes.is_empty()
        && report.model_changes.is_empty()
        && report.warnings.is_empty()
        && report.conflicts_left == 0
        && counts.unchanged
            == counts.unchanged
                + counts.file_only
                + counts.anki_only
                + counts.changed_in_file
                + counts.changed_in_anki
                + counts.conflicts
                + counts.deleted_in_file
                + counts.deleted_in_anki
}

/// The fingerprint the clean record keeps of a deck file's text.
pub fn file_fingerprint(text: &str) -> u64 {
    fingerprint(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(text: &str) -> String {
        serde_json::json!({
            "version": BASE_VERSION,
            "notes": {"1": {"deck": null, "tags": null, "fields": {}}},
            "clean": {"file": fingerprint(text), "scope": {}, "anki": "s", "notes": 3,
                      "media": []},
            "media": {"m/a.mp3": {"size": 1, "mtime_ns": 2, "sha1": "x", "stored": "a.mp3"}},
        })
        .to_string()
    }

    #[test]
    fn a_record_counts_only_for_the_text_it_was_made_of() {
        let base = record("text");
        let same = stored("text", Some(&base));
        assert_eq!(same.clean.map(|c| c.notes), Some(3));
        assert_eq!(same.media.len(), 1);
        let edited = stored("text ", Some(&base));
        assert!(edited.clean.is_none());
        assert_eq!(edited.media.len(), 1);
    }

    #[test]
    fn a_stored_base_reads_back_with_its_media_and_clean_record() {
        let mut base = Base {
            version: BASE_VERSION,
            ..Base::default()
        };
        base.notes.insert(
            "7".into(),
            super::super::base::BaseNote {
                deck: Some("D".into()),
                tags: None,
                fields: BTreeMap::new(),
            },
        );
        let media = BTreeMap::from([(
            "m/a.mp3".to_string(),
            MediaPrint {
                size: 1,
                mtime_ns: 2,
                sha1: "x".into(),
                stored: "a.mp3".into(),
            },
        )]);
        let clean = Clean {
            file: fingerprint("text"),
            scope: serde_json::json!({"decks": ["D"]}),
            anki: "s".into(),
            notes: 1,
            media: Vec::new(),
        };
        let text = stored_text(&base, &media, Some(&clean));
        assert_eq!(Base::read(&text), Some(base.clone()));
        let back = stored("text", Some(&text));
        assert_eq!((back.clean, back.media), (Some(clean), media.clone()));
        let unclean = stored_text(&base, &media, None);
        assert!(stored("text", Some(&unclean)).clean.is_none());
    }

    #[test]
    fn another_version_or_no_base_gives_nothing() {
        let old = record("text").replace(&format!("\"version\":{BASE_VERSION}"), "\"version\":1");
        assert_ne!(old, record("text"));
        for base in [Some(old.as_str()), Some("{"), None] {
            let got = stored("text", base);
            assert!(got.clean.is_none() && got.media.is_empty());
        }
    }

    #[test]
    fn a_plan_with_anything_pending_is_not_clean() {
        let clean = Clean {
            file: 0,
            scope: serde_json::Value::Null,
            anki: String::new(),
            notes: 2,
            media: Vec::new(),
        };
        let empty = plan(&clean, Direction::Sync, &[]);
        assert!(is_clean(&empty));
        let mut pending = empty.clone();
        pending.report.counts.anki_only = 1;
        assert!(!is_clean(&pending));
        let mut warned = empty.clone();
        warned.report.warnings.push("w".into());
        assert!(!is_clean(&warned));
        let mut deleting = empty;
        deleting.anki.delete_notes.push(5);
        assert!(!is_clean(&deleting));
    }
}
