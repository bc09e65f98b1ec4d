//! The base: what both sides agreed on after the last successful push, pull or sync, per note.
//!
//! With a base, a difference can be attributed: the side whose value moved away from the base
//! changed. Values are kept as 64-bit fingerprints, one per side (the file's Markdown and Anki's
//! HTML for the same field are different text), so the base stays small for 100,000-note decks
//! and never needs a conversion to be exact. Tags and decks are short and kept as they are.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// 2: the base also records a clean state and media fingerprints (`clean.rs`); a version-1
/// base is ignored with a warning, which is safe (differences then count as conflicts).
pub const BASE_VERSION: u32 = 2;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Base {
    pub version: u32,
    /// Keyed by Anki note id (as text, since JSON object keys are strings).
    pub notes: BTreeMap<String, BaseNote>,
    /// Note-type text (css, template sides), keyed by model name then part.
    #[serde(default)]
    pub models: BTreeMap<String, BTreeMap<String, SidePair>>,
    /// Deck descriptions, keyed by deck name.
    #[serde(default)]
    pub decks: BTreeMap<String, SidePair>,
}

impl Base {
    /// A stored base, or None when the text is not one this version wrote. A base that cannot
    /// be used is as good as lost, which is safe: differences then count as conflicts.
    pub fn read(text: &str) -> Option<Base> {
        serde_json::from_str::<Base>(text)
            .ok()
            .filter(|base| base.version == BASE_VERSION)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseNote {
    pub deck: Option<String>,
    pub tags: Option<Vec<String>>,
    pub fields: BTreeMap<String, SidePair>,
}

/// Fingerprints of one value as the file holds it and as Anki holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SidePair {
    pub file: u64,
    pub anki: u64,
}

impl SidePair {
    pub fn of(file: &str, anki: &str) -> SidePair {
        SidePair {
            file: fingerprint(file),
            anki: fingerprint(anki),
        }
    }
}

/// FNV-1a, 64-bit: a fingerprint that must stay the same across releases and platforms
/// (std's hasher makes no such promise), for a few lines instead of a dependency.
pub fn fingerprint(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_across_releases() {
        // Changing these breaks every user's stored base: never change the function.
        assert_eq!(fingerprint(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fingerprint("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn only_a_base_of_this_version_is_read() {
        let good = serde_json::to_string(&Base {
            version: BASE_VERSION,
            ..Base::default()
        })
        .unwrap();
        assert!(Base::read(&good).is_some());
        let future = good.replace(&format!("\"version\":{BASE_VERSION}"), "\"version\":99");
        assert_ne!(future, good);
        for bad in [
            future.as_str(),
            "{\"version\": 1, \"notes\": {",
            "[1, 2]",
            "{\"notes\": 5}",
        ] {
            assert!(Base::read(bad).is_none(), "{bad}");
        }
    }
}
