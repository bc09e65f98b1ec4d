//! When Anki keeps a media file under another name than the deck file asked for, the deck
//! file's references follow it.
//!
//! Anki picks the name when a file is added: every version makes it NFC and drops characters
//! some systems refuse, newer ones also lowercase it, and a different file already there
//! under that name gives a hash suffix. A field that still says the old name would show a
//! missing file in Anki, and a `[[media]]` entry with the old name would be copied again
//! under yet another name, so the file is rewritten to what Anki stored.

use indexmap::IndexMap;
use unicode_normalization::is_nfc;

use crate::edit::DeckDocument;
use crate::error::Result;
use crate::parse::parse_deck_file;

/// Asked name -> the name Anki stored the file under.
pub type Renames = IndexMap<String, String>;

/// `text` with every `[[media]]` name in `renames` replaced by Anki's name, and every
/// reference to it in a note's field (`[sound:...]`, `src=`, a Markdown image or link).
pub fn rename_media(path: &str, text: &str, renames: &Renames) -> Result<String> {
    let deck = parse_deck_file(path, text)?;
    let mut doc = DeckDocument::parse(text)?;
    for (index, media) in deck.media.iter().enumerate() {
        if let Some(stored) = renames.get(&media.name) {
            doc.set_media_name(index, stored)?;
        }
    }
    let longest = longest_name(renames);
    for (index, note) in deck.notes.iter().enumerate() {
        for (field, value) in &note.fields {
            if let Some(renamed) = renamed_references(value, renames, longest) {
                doc.set_field(index, field, &renamed)?;
            }
        }
    }
    Ok(doc.render())
}

/// Well under Anki's limit (120 bytes in 23.10.1 and the newest), so no version truncates it.
const PLAIN_MAX_BYTES: usize = 100;

/// The names Anki stores `asked` under when no file of a like name is in its media folder yet:
/// `(as asked, lowercased)` (newer versions lowercase, older keep the case; the caller learns
/// which from Anki itself), or None when Anki's normalisation might change the name in a way
/// not predicted here, and Anki must be asked.
///
/// Only names every version leaves alone qualify: NFC, no character any version drops (the
/// ones some systems refuse, controls, code points an old Unicode table calls unassigned:
/// letters and digits only from the Latin, Greek and Cyrillic blocks), not a Windows device
/// name, not ending in a space or dot, short enough never to be cut.
pub fn plain_stored_names(asked: &str) -> Option<(String, String)> {
    let lower = asked.to_lowercase();
    let plain = |name: &str| {
        !name.is_empty()
            && name.len() <= PLAIN_MAX_BYTES
            && is_nfc(name)
            && !name.starts_with('.')
            && !name.ends_with(['.', ' '])
            && name.chars().all(plain_char)
            && !is_windows_device_name(name)
    };
    (plain(asked) && plain(&lower)).then(|| (asked.to_string(), lower))
}

fn plain_char(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | ' ' | '-' | '_' | '.' | ',' | '(' | ')' | '+' => true,
        // Lowercasing these is not one character to one (dotted I, final sigma).
        '\u{130}' | '\u{3a3}' => false,
        '\u{c0}'..='\u{24f}' | '\u{370}'..='\u{3ff}' | '\u{400}'..='\u{4ff}' => c.is_alphanumeric(),
        _ => false,
    }
}

/// CON, PRN, AUX, NUL, COM1-9, LPT1-9, alone or before a dot, in any case: Anki appends `_`.
fn is_windows_device_name(name: &str) -> bool {
    let head = name
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    matches!(head.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (head.len() == 4
            && (head.starts_with("COM") || head.starts_with("LPT"))
            && matches!(head.as_bytes()[3], b'1'..=b'9'))
}

/// The places a media name stands in a field, as (text before it, what may follow it).
const REFERENCES: &[(&str, &[char])] = &[
    ("[sound:", &[']']),
    ("src=\"", &['"']),
    ("src='", &['\'']),
    ("src=", &[' ', '>', '/', '\t', '\n']),
    ("](<", &['>']),
    ("](", &[')', ' ']),
];

/// The field with its references renamed, or None when it names none of them.
pub fn rename_references(value: &str, renames: &Renames) -> Option<String> {
    renamed_references(value, renames, longest_name(renames))
}

fn longest_name(renames: &Renames) -> usize {
    renames.keys().map(String::len).max().unwrap_or(0)
}

/// [`rename_references`], with the length of the longest old name (the farthest a name can end).
fn renamed_references(value: &str, renames: &Renames, longest: usize) -> Option<String> {
    // A name ending the field is still a reference for an unquoted `src=`.
    rewrite_references(value, |tail, after, at_end| {
        renamed_at(tail, renames, after, at_end, longest)
    })
}

/// `value` with each reference `find` names renamed, or None when it names none. `find` gets
/// the text after a reference's opening, the characters that may end the name, and whether
/// the end of the field may; it gives the old name's length and the new name.
fn rewrite_references<'r>(
    value: &str,
    find: impl Fn(&str, &[char], bool) -> Option<(usize, &'r str)>,
) -> Option<String> {
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while at < value.len() {
        let rest = &value[at..];
        let found = REFERENCES.iter().find_map(|(before, after)| {
            let tail = rest.strip_prefix(before)?;
            let (old_len, new) = find(tail, after, *before == "src=")?;
            Some((before.len(), old_len, new))
        });
        match found {
            Some((prefix, old_len, new)) => {
                out.push_str(&value[copied..at + prefix]);
                out.push_str(new);
                at += prefix + old_len;
                copied = at;
            }
            None => at += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&value[copied..]);
    Some(out)
}

/// The rename whose old name `tail` starts with, where one of `after` (or, with `at_end`, the
/// end of the field) follows it: the first such in `renames`' order, as (old length, new name).
/// Looked up at each place a name can end rather than tried name by name: 3,000 renames in a
/// deck of 20,000 notes took half a second that way.
fn renamed_at<'r>(
    tail: &str,
    renames: &'r Renames,
    after: &[char],
    at_end: bool,
    longest: usize,
) -> Option<(usize, &'r str)> {
    let mut first: Option<(usize, usize, &'r str)> = None;
    let mut consider = |end: usize| {
        if let Some((order, _, new)) = renames.get_full(&tail[..end]) {
            if first.is_none_or(|(seen, _, _)| order < seen) {
                first = Some((order, end, new.as_str()));
            }
        }
    };
    for (end, c) in tail.char_indices() {
        if end > longest {
            break;
        }
        if after.contains(&c) {
            consider(end);
        }
    }
    if at_end && tail.len() <= longest {
        consider(tail.len());
    }
    first.map(|(_, end, new)| (end, new))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Each rename tried in turn at each place: the first way this was written, kept as what
    /// the lookup must agree with.
    fn references_renamed_one_by_one(value: &str, renames: &Renames) -> Option<String> {
        rewrite_references(value, |tail, after, at_end| {
            renames.iter().find_map(|(old, new)| {
                let next = tail.strip_prefix(old.as_str())?.chars().next();
                let ends = next.map_or(at_end, |c| after.contains(&c));
                ends.then_some((old.len(), new.as_str()))
            })
        })
    }

    #[test]
    fn of_two_names_a_reference_can_end_after_the_first_one_listed_wins() {
        for (first, second) in [("a", "a)"), ("a)", "a")] {
            let map = renames(&[(first, "one"), (second, "two")]);
            for value in ["](a))", "](a) x", "[sound:a)]"] {
                assert_eq!(
                    rename_references(value, &map),
                    references_renamed_one_by_one(value, &map),
                    "{value} with {first} first"
                );
            }
        }
        let map = renames(&[("a", "one"), ("a)", "two")]);
        assert_eq!(rename_references("](a))", &map).unwrap(), "](one))");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn lookups_rename_what_trying_each_name_renames(
            // A small alphabet with the characters that end references, so names overlap.
            names in prop::collection::vec("[aé)> ]{1,4}", 1..6),
            pieces in prop::collection::vec(
                (prop::sample::select(vec!["[sound:", "src=\"", "src='", "src=", "](<", "](", "x", " "]),
                 0usize..6,
                 prop::sample::select(vec!["]", "\"", "'", " ", ">", ")", "", "é"])),
                0..8,
            ),
        ) {
            let renames: Renames = names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), format!("new{i}")))
                .collect();
            let keys: Vec<&String> = renames.keys().collect();
            let value: String = pieces
                .iter()
                .map(|(before, k, after)| format!("{before}{}{after}", keys[k % keys.len()]))
                .collect();
            prop_assert_eq!(
                rename_references(&value, &renames),
                references_renamed_one_by_one(&value, &renames)
            );
        }
    }

    fn renames(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn only_names_anki_leaves_alone_are_predicted() {
        assert_eq!(
            plain_stored_names("Ǆemal Clip 00001.mp3"),
            Some(("Ǆemal Clip 00001.mp3".into(), "ǆemal clip 00001.mp3".into()))
        );
        assert_eq!(
            plain_stored_names("Straße.ogg"),
            Some(("Straße.ogg".into(), "straße.ogg".into()))
        );
        let nfd = "Cafe\u{301}.mp3";
        for refused in [
            nfd,
            "a:b.png",
            "a[1].png",
            "tab\there.png",
            "nbsp\u{a0}.png",
            "con.jpg",
            "LPT1",
            "ends in a dot.",
            "ends in a space ",
            ".hidden",
            "\u{130}stanbul.png",
            "\u{3a3}.png",
            "日本.png",
            "",
        ] {
            assert_eq!(plain_stored_names(refused), None, "{refused:?}");
        }
        assert!(plain_stored_names("console.jpg").is_some());
        assert!(plain_stored_names("COM0.jpg").is_some());
        assert!(plain_stored_names(&format!("{}.mp3", "x".repeat(96))).is_some());
        assert!(plain_stored_names(&format!("{}.mp3", "x".repeat(97))).is_none());
    }

    #[test]
    fn every_kind_of_reference_follows_and_nothing_else_does() {
        let map = renames(&[("KTV.mp3", "ktv.mp3"), ("A b.png", "a b.png")]);
        let field = "KTV.mp3 [sound:KTV.mp3] <img src=\"A b.png\"> <img src='A b.png'> \
                     <img src=KTV.mp3> ![x](A b.png) [l](<A b.png>) [sound:KTV.mp3x]";
        assert_eq!(
            rename_references(field, &map).unwrap(),
            "KTV.mp3 [sound:ktv.mp3] <img src=\"a b.png\"> <img src='a b.png'> \
             <img src=ktv.mp3> ![x](a b.png) [l](<a b.png>) [sound:KTV.mp3x]"
        );
        assert_eq!(rename_references("no reference here: KTV.mp3", &map), None);
        assert_eq!(rename_references("ünïcode [sound:x]", &map), None);
    }

    #[test]
    fn the_media_entry_and_the_notes_are_rewritten_and_the_rest_kept() {
        let text = "# kept\n[package]\nname = \"D\"\n\n[[notes]]\ndeck = \"D\"\nmodel = \"M\"\n\n\
                    [notes.fields]\nFront = \"[sound:Caf\u{e9}.mp3]\" # kept too\nBack = \"b\"\n\n\
                    [[media]]\nname = \"Caf\u{e9}.mp3\"\npath = \"media/Caf\u{e9}.mp3\"\n";
        let out = rename_media(
            "d.toml",
            text,
            &renames(&[("Caf\u{e9}.mp3", "caf\u{e9}.mp3")]),
        )
        .unwrap();
        assert_eq!(
            out,
            text.replace("[sound:Caf\u{e9}", "[sound:caf\u{e9}")
                .replace("name = \"Caf\u{e9}", "name = \"caf\u{e9}")
        );
    }
}
