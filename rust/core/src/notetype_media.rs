//! Media a note type uses by itself: fonts and images its CSS and templates name. Anki keeps
//! such files only when their name starts with `_` (its media check never deletes those), and
//! its own export packs the `_` files that the note type's CSS and templates refer to; the
//! rules below are the ones of Anki's `extract_underscored_css_imports` and
//! `extract_underscored_references` (rslib `text.rs`), so an export here carries what an
//! `.apkg` would.

use std::collections::BTreeSet;

/// The `_` media names the CSS and the templates refer to, sorted, each once.
pub fn note_type_media(css: &str, templates: &[(&str, &str)]) -> Vec<String> {
    let mut names = BTreeSet::new();
    names.extend(css_references(css));
    for (front, back) in templates {
        names.extend(template_references(front));
        names.extend(template_references(back));
    }
    names
        .into_iter()
        .filter(|n| is_plain_file_name(n))
        .map(str::to_owned)
        .collect()
}

/// The `_` media names the note types' CSS and templates refer to, sorted, each once.
pub fn models_media(models: &[crate::sync::snapshot::AnkiModel]) -> Vec<String> {
    let mut names = BTreeSet::new();
    for model in models {
        let sides: Vec<(&str, &str)> = model
            .templates
            .iter()
            .map(|t| (t.front.as_str(), t.back.as_str()))
            .collect();
        names.extend(note_type_media(&model.css, &sides));
    }
    names.into_iter().collect()
}

/// A name for a file in the media folder itself, never a path elsewhere.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\'])
}

/// The quoted text at the start of `s` (which starts with the quote), if it starts with `_`.
fn quoted_underscored(s: &str) -> Option<&str> {
    let quote = s.chars().next()?;
    let body = &s[1..];
    let end = body.find(quote)?;
    let name = &body[..end];
    (name.starts_with('_') && name.len() > 1).then_some(name)
}

/// Tries `find` at each place of `text`, leftmost first as a regex search does: a match gives
/// a name and the length it covers, and the search goes on after it.
fn scan<'a>(
    text: &'a str,
    find: impl Fn(usize, &'a str) -> Option<(&'a str, usize)>,
) -> Vec<&'a str> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        match find(i, rest) {
            Some((name, len)) => {
                found.push(name);
                i += len;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    found
}

/// `@import "_x.css"`, a single-quoted `'_x.css'`, and `url(_x)` in any quoting.
fn css_references(css: &str) -> Vec<&str> {
    scan(css, |_, rest| {
        let is_css = |name: &str| name.len() > 4 && name.ends_with("css");
        let name = if let Some(after) = rest.strip_prefix("@import") {
            let trimmed = after.trim_start();
            (trimmed.len() < after.len() && trimmed.starts_with('"'))
                .then(|| quoted_underscored(trimmed))
                .flatten()
                .filter(|n| is_css(n))
                .map(|n| (n, rest.len() - trimmed.len() + n.len() + 2))
        } else if rest.starts_with('\'') {
            quoted_underscored(rest)
                .filter(|n| is_css(n))
                .map(|n| (n, n.len() + 2))
        } else if rest.len() >= 4 && rest.as_bytes()[..4].eq_ignore_ascii_case(b"url(") {
            // Compared as bytes: the text may not end a character four bytes in (CSS
            // `content: "・"` made the export of a real deck panic).
            let inner = rest[4..].trim_start();
            let skipped = rest.len() - inner.len();
            match inner.chars().next() {
                Some('"' | '\'') => quoted_underscored(inner).and_then(|n| {
                    let after = inner[n.len() + 2..].trim_start();
                    after
                        .starts_with(')')
                        .then(|| (n, rest.len() - after.len() + 1))
                }),
                Some('_') => inner.find(')').and_then(|close| {
                    let n = inner[..close].trim_end();
                    (n.len() > 1).then_some((n, skipped + close + 1))
                }),
                _ => None,
            }
        } else {
            None
        };
        name
    })
}

/// `[sound:_x]`, any quoted string starting with `_`, and unquoted `src=_x` or `data=_x`.
fn template_references(template: &str) -> Vec<&str> {
    let bytes = template.as_bytes();
    scan(template, |i, rest| {
        let name = if let Some(after) = rest.strip_prefix("[sound:_") {
            after
                .find(']')
                .filter(|&end| end > 0)
                .map(|end| (&rest[7..8 + end], 8 + end + 1))
        } else if rest.starts_with(['"', '\'']) {
            quoted_underscored(rest).map(|n| (n, n.len() + 2))
        } else {
            let word_start =
                i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
            ["src=_", "data=_"]
                .iter()
                .find(|p| word_start && rest.starts_with(*p))
                .and_then(|p| {
                    let value = &rest[p.len() - 1..];
                    let len = value.find([' ', '>']).unwrap_or(value.len());
                    (len > 1).then(|| (&value[..len], p.len() - 1 + len))
                })
        };
        name
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_anki_packs_with_a_note_type() {
        let css = "@font-face { font-family: F; src: url(\"_Font.woff2\") format('woff2'); }\n\
                   @import \"_base.css\";\n.card { background: url( _paper.jpg ); }\n\
                   .x { background: url('_x y.png') } .y { background: url(other.png) }\n\
                   @import \"not-underscored.css\";";
        let front = "<img src=\"_bg.png\"> {{Front}} <script src='_lib.js'></script>";
        let back = "[sound:_ding.mp3] <img src=_tick.svg> <div class=\"plain\">x</div> \
                    {{FrontSide}} <img src=\"picture.png\"> data=_d.bin>";
        assert_eq!(
            note_type_media(css, &[(front, back)]),
            [
                "_Font.woff2",
                "_base.css",
                "_bg.png",
                "_d.bin",
                "_ding.mp3",
                "_lib.js",
                "_paper.jpg",
                "_tick.svg",
                "_x y.png",
            ]
        );
    }

    #[test]
    fn text_that_is_not_ascii_anywhere_is_scanned() {
        let css = "/* café */ .a { content: \"・\"; } é url(\"_ü.png\") ñ";
        let template = "日本語 <img src=\"_画.png\"> é[sound:_ß.mp3]";
        assert_eq!(
            note_type_media(css, &[(template, "Ω")]),
            ["_ß.mp3", "_ü.png", "_画.png"]
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_scanned_without_a_panic(
            css in "(url\\(|@import |['\"_]|[a-z]|é|・|\\)){0,40}",
            template in "(src=_|data=_|\\[sound:_|['\"_ \\]>]|[a-z]|漢|ü){0,40}",
        ) {
            note_type_media(&css, &[(&template, &template)]);
        }
    }

    #[test]
    fn never_a_path() {
        assert!(note_type_media("url(\"_../../etc/passwd\")", &[("'_a/b'", "\"_\"")]).is_empty());
    }
}
