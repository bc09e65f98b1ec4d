//! Which media files a note's fields use, by the rule Anki's own `.apkg` export applies: the
//! `src`/`data` of `<img>`, `<audio>`, `<video>`, `<object>` and `<source>` tags and
//! `[sound:...]` tags, with HTML character references decoded (a field says `a&amp;b.jpg` for
//! the file `a&b.jpg`). LaTeX images are Anki's to name (their names hash the rendered LaTeX),
//! so the add-on asks Anki for them.

use std::sync::LazyLock;

use regex::Regex;

use crate::markdown::decode_entities;

static HTML_MEDIA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?xsi)
        <\b(?:img|audio|video|object|source)\b
        (?: [^>] | "[^"]+?" | '[^']+?' )+?
        \b(?:src|data)\b=
        (?:
            "([^"]+?)"[^>]*>
          | '([^']+?)'[^>]*>
          | ([^\ >]+?)(?:\x20[^>]*>|>)
        )"#,
    )
    .expect("valid media tag pattern")
});

static SOUND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\[sound:(.+?)\]").expect("valid sound tag pattern"));

/// The media names `value` refers to, in order, possibly repeated.
pub fn field_media(value: &str) -> Vec<String> {
    let mut names = Vec::new();
    if value.contains('<') {
        for caps in HTML_MEDIA.captures_iter(value) {
            if let Some(name) = caps.get(1).or_else(|| caps.get(2)).or_else(|| caps.get(3)) {
                names.push(decode(name.as_str()));
            }
        }
    }
    if value.contains("[sound:") {
        for caps in SOUND.captures_iter(value) {
            names.push(decode(&caps[1]));
        }
    }
    names
}

fn decode(name: &str) -> String {
    // As Anki decodes it: a non-breaking space in a name is a space.
    decode_entities(name).replace('\u{a0}', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_anki_s_export_takes() {
        let field = concat!(
            r#"<img src="a.png"> <IMG class=x SRC='b c.jpg' alt=">"> <audio src=d.mp3>"#,
            r#"<video controls src=e.webm data-x="1"></video><object data="f.svg"></object>"#,
            r#"<source src="g&amp;h.ogg">[sound:i j.mp3][sound:k&#39;l.mp3]"#,
            r#"<img alt="x" src="nb&nbsp;sp.png"><a href="no.png">no</a><img srcset="no2.png">"#,
        );
        assert_eq!(
            field_media(field),
            [
                "a.png",
                "b c.jpg",
                "d.mp3",
                "e.webm",
                "f.svg",
                "g&h.ogg",
                "nb sp.png",
                "i j.mp3",
                "k'l.mp3"
            ]
        );
    }

    #[test]
    fn plain_text_names_nothing() {
        assert!(field_media("src=\"a.png\" [sound: ]x").len() == 1);
        assert!(field_media("just text").is_empty());
        assert!(field_media("<b>bold</b> <img>").is_empty());
    }
}
