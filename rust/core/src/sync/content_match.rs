//! Finding the Anki note a file note without ids stands for (a file from the seed tool, or one
//! whose ids were lost): the same note type, the same deck and the same first field, compared
//! the way Anki's duplicate check compares it (`note_fields_check` in rslib: the first field
//! with its HTML stripped, media file names kept). Only one-to-one matches count: when two file
//! notes or two Anki notes share a key, none of them is matched, and the plan says so.

use std::collections::HashMap;

/// The first field as Anki's duplicate check sees it, or None when that is blank (Anki does
/// not call a blank first field a duplicate of anything). Anki stores field text in NFC; the
/// file's may be decomposed (macOS editors write NFD), so both sides are compared in NFC.
pub fn duplicate_key(first_field_html: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;

    let stripped: String = strip_html_preserving_media_filenames(first_field_html)
        .nfc()
        .collect();
    (!stripped.trim().is_empty()).then_some(stripped)
}

/// A file note and an Anki note that may be the same note.
pub struct Candidate<K> {
    pub key: K,
    pub index: usize,
}

/// What matching found: pairs (file index, Anki index), and the keys shared by more than one
/// note on a side, with the notes on each side.
pub struct Matches {
    pub pairs: Vec<(usize, usize)>,
    pub ambiguous: Vec<(Vec<usize>, Vec<usize>)>,
}

pub fn match_one_to_one<K: std::hash::Hash + Eq>(
    file: Vec<Candidate<K>>,
    anki: Vec<Candidate<K>>,
) -> Matches {
    let mut by_key: HashMap<K, (Vec<usize>, Vec<usize>)> = HashMap::new();
    let mut order = Vec::new();
    for c in file {
        let entry = by_key.entry(c.key).or_default();
        if entry.0.is_empty() {
            order.push(c.index);
        }
        entry.0.push(c.index);
    }
    for c in anki {
        if let Some(entry) = by_key.get_mut(&c.key) {
            entry.1.push(c.index);
        }
    }
    let mut groups: Vec<(Vec<usize>, Vec<usize>)> = by_key
        .into_values()
        .filter(|(_, anki)| !anki.is_empty())
        .collect();
    // File order, so the report and the edits come out the same every time.
    groups.sort_by_key(|(file, _)| file[0]);
    let mut out = Matches {
        pairs: Vec::new(),
        ambiguous: Vec::new(),
    };
    for (file, anki) in groups {
        if file.len() == 1 && anki.len() == 1 {
            out.pairs.push((file[0], anki[0]));
        } else {
            out.ambiguous.push((file, anki));
        }
    }
    out
}

/// Media tags (`<img src>`, `<audio>`, `<video>`, `<object data>`, `<source>`) become their
/// file name between spaces; then comments, `<style>` and `<script>` blocks and every other
/// tag go, and character references are decoded, with no-break spaces as plain spaces.
pub fn strip_html_preserving_media_filenames(html: &str) -> String {
    let mut kept = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        kept.push_str(&rest[..lt]);
        rest = &rest[lt..];
        match media_tag(rest) {
            Some((name, len)) => {
                kept.push(' ');
                kept.push_str(name);
                kept.push(' ');
                rest = &rest[len..];
            }
            None => {
                kept.push('<');
                rest = &rest[1..];
            }
        }
    }
    kept.push_str(rest);
    let text = strip_tags(&kept);
    crate::markdown::decode_entities(&text).replace('\u{a0}', " ")
}

const MEDIA_TAGS: [&str; 5] = ["img", "audio", "video", "object", "source"];

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// The file name of the media tag at the start of `s` and the tag's length.
fn media_tag(s: &str) -> Option<(&str, usize)> {
    let bytes = s.as_bytes();
    let name = MEDIA_TAGS
        .iter()
        .find(|t| starts_with_ignore_case(&s[1..], t))?;
    if bytes.get(1 + name.len()).is_some_and(|&b| is_word(b)) {
        return None;
    }
    let mut i = 1 + name.len();
    while i < bytes.len() && bytes[i] != b'>' {
        match bytes[i] {
            q @ (b'"' | b'\'') => {
                let close = s[i + 1..].find(q as char)?;
                i += close + 2;
            }
            b if (b == b's' || b == b'S' || b == b'd' || b == b'D') && !is_word(bytes[i - 1]) => {
                let attr = ["src=", "data="]
                    .iter()
                    .find(|a| starts_with_ignore_case(&s[i..], a));
                let Some(attr) = attr else {
                    i += 1;
                    continue;
                };
                let value_at = i + attr.len();
                let (value, after) = match bytes.get(value_at) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let len = s[value_at + 1..].find(q as char)?;
                        let value = &s[value_at + 1..value_at + 1 + len];
                        (value, value_at + len + 2)
                    }
                    _ => {
                        let len = s[value_at..].find([' ', '>'])?;
                        (&s[value_at..value_at + len], value_at + len)
                    }
                };
                if value.is_empty() {
                    return None;
                }
                let end = s[after..].find('>')? + after + 1;
                return Some((value, end));
            }
            _ => i += 1,
        }
    }
    None
}

/// Comments, style and script blocks, and tags removed, as Anki's `strip_html` does.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        let block = |open: &str, close: &str| -> Option<usize> {
            if !starts_with_ignore_case(rest, open) {
                return None;
            }
            let lower = rest.to_ascii_lowercase();
            let gt = lower.find('>')?;
            lower[gt..].find(close).map(|at| gt + at + close.len())
        };
        let skip = rest
            .strip_prefix("<!--")
            .and_then(|body| body.find("-->"))
            .map(|at| at + 7)
            .or_else(|| block("<style", "</style>"))
            .or_else(|| block("<script", "</script>"))
            .or_else(|| rest.find('>').map(|at| at + 1));
        match skip {
            Some(len) => rest = &rest[len..],
            None => {
                out.push_str(rest);
                return out;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_as_anki_does() {
        for (html, stripped) in [
            ("<b>cat</b>", "cat"),
            ("el <i>gato</i>&nbsp;negro", "el gato negro"),
            ("a<img src=\"cat.jpg\">b", "a cat.jpg b"),
            ("<IMG class='x' SRC='a b.png' />", " a b.png "),
            ("<img src=cat.jpg>", " cat.jpg "),
            ("<audio data=\"x.mp3\"></audio>", " x.mp3 "),
            ("[sound:a.mp3]", "[sound:a.mp3]"),
            ("<!-- hidden -->x<style>.a{}</style><script>1</script>", "x"),
            ("1 &lt; 2 &amp; <br>3", "1 < 2 & 3"),
            ("a < b", "a < b"),
            ("<imgx src=\"no\">", ""),
        ] {
            assert_eq!(
                strip_html_preserving_media_filenames(html),
                stripped,
                "{html}"
            );
        }
        assert_eq!(duplicate_key("<br>&nbsp;"), None);
        assert_eq!(duplicate_key("<b>x</b>").as_deref(), Some("x"));
        // "café" decomposed (as a macOS editor may save it) is the note Anki has in NFC.
        assert_eq!(duplicate_key("cafe\u{301}"), duplicate_key("caf\u{e9}"));
    }

    #[test]
    fn only_one_to_one_keys_match() {
        let c = |key: &str, index| Candidate {
            key: key.to_owned(),
            index,
        };
        let m = match_one_to_one(
            vec![c("a", 0), c("b", 1), c("b", 2), c("c", 3), c("d", 4)],
            vec![c("a", 10), c("b", 11), c("c", 12), c("c", 13), c("e", 14)],
        );
        assert_eq!(m.pairs, [(0, 10)]);
        assert_eq!(
            m.ambiguous,
            [(vec![1, 2], vec![11]), (vec![3], vec![12, 13])]
        );
    }
}
