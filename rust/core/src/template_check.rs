//! The card-template checks Anki makes when a note type is saved, made here first so that a
//! template Anki would refuse is reported at its place in the deck file instead of coming back
//! from Anki's backend half-way through a push.
//!
//! The rules follow Anki's `rslib` (`template.rs` for the syntax, `notetype/mod.rs` for
//! `ensure_template_fronts_unique` and the field checks); the messages use Anki's own words.
//! A `{{` without a closing `}}` is plain text to Anki, not an error, and so it is here.

/// Names Anki fills in itself; a template may use them on any note type.
const SPECIAL_FIELDS: [&str; 8] = [
    "FrontSide",
    "Card",
    "CardFlag",
    "Deck",
    "Subdeck",
    "Tags",
    "Type",
    "CardID",
];

const LEGACY_ALT_SYNTAX: &str = "{{=<% %>=}}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Front,
    Back,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Front => "front",
            Side::Back => "back",
        }
    }
}

/// One problem in one template: where in the template's text, and what Anki would say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Index of the template in the model.
    pub template: usize,
    pub side: Side,
    /// Byte offset in that side's text.
    pub offset: usize,
    pub message: String,
}

/// What Anki refuses in the templates whatever the collection holds: bad syntax, a front that
/// uses no field, two identical fronts. In template order.
pub fn check_templates(templates: &[(&str, &str)]) -> Vec<Finding> {
    let mut found = Vec::new();
    for (index, (front, back)) in templates.iter().enumerate() {
        // Anki compares the raw front text; a `{{Card}}` makes equal fronts differ per card.
        if let Some(first) = templates[..index].iter().position(|(f, _)| f == front) {
            if !mentions_card(front) {
                found.push(Finding {
                    template: index,
                    side: Side::Front,
                    offset: 0,
                    message: format!(
                        "The front side is identical to card template {}.",
                        first + 1
                    ),
                });
            }
        }
        for (side, text) in [(Side::Front, *front), (Side::Back, *back)] {
            match references(text) {
                Err((offset, message)) => found.push(Finding {
                    template: index,
                    side,
                    offset,
                    message,
                }),
                Ok(refs) if side == Side::Front && refs.is_empty() => found.push(Finding {
                    template: index,
                    side,
                    offset: 0,
                    message: "Expected to find a field replacement on the front of the card \
                              template."
                        .into(),
                }),
                Ok(_) => {}
            }
        }
    }
    found
}

/// The field names the templates use that are neither `known` nor filled in by Anki, each at
/// its first use in a template. Templates with bad syntax are left to [`check_templates`].
///
/// Which names are known depends on the collection: Anki rewrites a template when the field it
/// names is renamed or removed in the same update, so the note type's names in Anki count too.
pub fn unknown_fields(known: &[&str], templates: &[(&str, &str)]) -> Vec<Finding> {
    let mut found = Vec::new();
    for (index, (front, back)) in templates.iter().enumerate() {
        let (Ok(front_refs), Ok(back_refs)) = (references(front), references(back)) else {
            continue;
        };
        let mut seen: Vec<&str> = Vec::new();
        for (side, refs) in [(Side::Front, front_refs), (Side::Back, back_refs)] {
            for r in refs {
                let fine = r.name.is_empty()
                    || SPECIAL_FIELDS.contains(&r.name)
                    || known.contains(&r.name);
                if fine || seen.contains(&r.name) {
                    continue;
                }
                seen.push(r.name);
                found.push(Finding {
                    template: index,
                    side,
                    offset: r.offset,
                    message: format!(
                        "Found '{}', but there is no field called '{}'",
                        r.tag, r.name
                    ),
                });
            }
        }
    }
    found
}

fn mentions_card(front: &str) -> bool {
    front.split("{{").skip(1).any(|rest| {
        rest.split_once("}}")
            .is_some_and(|(inside, _)| inside.trim_start_matches('{').trim() == "Card")
    })
}

/// A field name a template uses, as a replacement or a conditional.
struct Reference<'a> {
    name: &'a str,
    /// The whole tag as written, for messages.
    tag: &'a str,
    offset: usize,
}

enum Token<'a> {
    Replacement(&'a str),
    Open(&'a str),
    Close(&'a str),
}

/// Every field name the template refers to, or Anki's complaint about its syntax and where.
fn references(template: &str) -> Result<Vec<Reference<'_>>, (usize, String)> {
    let trimmed = template.trim_start();
    let (body, start, open, close) = if trimmed.starts_with(LEGACY_ALT_SYNTAX) {
        let body = trimmed.trim_start_matches(LEGACY_ALT_SYNTAX);
        (body, template.len() - body.len(), "<%", "%>")
    } else {
        (template, 0, "{{", "}}")
    };
    let mut refs = Vec::new();
    // Open conditionals: name, tag, offset.
    let mut open_stack: Vec<(&str, usize)> = Vec::new();
    for (offset, tag, token) in tokens(body, open, close) {
        let offset = start + offset;
        match token {
            Token::Replacement(inner) => {
                let name = inner.rsplit(':').next().unwrap_or(inner);
                refs.push(Reference { name, tag, offset });
            }
            Token::Open(name) => {
                if !is_cloze_conditional(name) {
                    refs.push(Reference { name, tag, offset });
                }
                open_stack.push((name, offset));
            }
            Token::Close(name) => match open_stack.pop() {
                Some((open_name, _)) if open_name == name => {}
                Some((open_name, _)) => {
                    return Err((
                        offset,
                        format!("Found '{{{{/{name}}}}}', but expected '{{{{/{open_name}}}}}'"),
                    ))
                }
                None => {
                    return Err((
                        offset,
                        format!(
                            "Found '{{{{/{name}}}}}', but missing '{{{{#{name}}}}}' or \
                             '{{{{^{name}}}}}'"
                        ),
                    ))
                }
            },
        }
    }
    if let Some((name, offset)) = open_stack.pop() {
        return Err((offset, format!("Missing '{{{{/{name}}}}}'")));
    }
    Ok(refs)
}

/// The template's tags in order: offset, the tag as written, and what it is. Comments
/// (`<!-- ... -->`) hide the tags inside them, as in Anki.
fn tokens<'a>(
    text: &'a str,
    open: &'static str,
    close: &'static str,
) -> impl Iterator<Item = (usize, &'a str, Token<'a>)> {
    let mut pos = 0;
    // Once no closing delimiter follows some point, none follows any later point: remembering
    // that keeps a template with thousands of unclosed `{{` linear.
    let (mut tags_left, mut comments_left) = (true, true);
    std::iter::from_fn(move || loop {
        let rest = &text[pos..];
        let next_tag = if tags_left { rest.find(open) } else { None };
        let next_comment = if comments_left {
            rest.find("<!--")
        } else {
            None
        };
        let (at, is_tag) = match (next_tag, next_comment) {
            (None, None) => return None,
            (Some(t), Some(c)) if c < t => (c, false),
            (Some(t), _) => (t, true),
            (None, Some(c)) => (c, false),
        };
        let start = pos + at;
        if is_tag {
            match text[start + open.len()..].find(close) {
                Some(len) => {
                    let inner = &text[start + open.len()..start + open.len() + len];
                    let end = start + open.len() + len + close.len();
                    pos = end;
                    return Some((start, &text[start..end], classify(inner)));
                }
                None => {
                    tags_left = false;
                    pos = start + open.len();
                }
            }
        } else {
            match text[start + 4..].find("-->") {
                Some(len) => pos = start + 4 + len + 3,
                None => {
                    comments_left = false;
                    pos = start + 4;
                }
            }
        }
    })
}

fn classify(inner: &str) -> Token<'_> {
    let start = inner.trim_start_matches('{').trim();
    if start.len() < 2 {
        return Token::Replacement(start);
    }
    if let Some(name) = start.strip_prefix('#') {
        Token::Open(name.trim_start())
    } else if let Some(name) = start.strip_prefix('^') {
        Token::Open(name.trim_start())
    } else if let Some(name) = start.strip_prefix('/') {
        Token::Close(name.trim_start())
    } else {
        Token::Replacement(start)
    }
}

/// `{{#c1}}` on a cloze note type tests for a cloze number, not a field.
fn is_cloze_conditional(name: &str) -> bool {
    name.strip_prefix('c')
        .is_some_and(|n| n.parse::<u32>().is_ok())
}

/// The byte offset in the file of byte `offset` of a string value whose TOML text is
/// `text[span]`. Escapes are walked over; where the text cannot be followed, the value's start.
pub fn offset_in_file(
    text: &str,
    span: std::ops::Range<usize>,
    value: &str,
    offset: usize,
) -> usize {
    let raw = &text[span.clone()];
    let (quote, literal) = match raw.as_bytes() {
        [b'"', b'"', b'"', ..] => (3, false),
        [b'\'', b'\'', b'\'', ..] => (3, true),
        [b'"', ..] => (1, false),
        [b'\'', ..] => (1, true),
        _ => return span.start,
    };
    let mut at = quote;
    if quote == 3 {
        // A newline right after the opening quotes is not part of the value.
        if raw[at..].starts_with("\r\n") {
            at += 2;
        } else if raw[at..].starts_with('\n') {
            at += 1;
        }
    }
    let body_start = span.start + at;
    let mut done = 0;
    let raw = raw.as_bytes();
    let value = value.as_bytes();
    while done < offset {
        let (Some(&r), Some(&v)) = (raw.get(at), value.get(done)) else {
            return body_start;
        };
        if literal || r != b'\\' {
            if r != v {
                return body_start;
            }
            at += 1;
            done += 1;
            continue;
        }
        match raw.get(at + 1) {
            Some(b'u') => (at, done) = (at + 6, done + decoded_len(raw, at + 2, 4)),
            Some(b'U') => (at, done) = (at + 10, done + decoded_len(raw, at + 2, 8)),
            Some(b' ' | b'\t' | b'\r' | b'\n') => {
                // A line-ending backslash: it and the whitespace after it are dropped.
                at += 1;
                while raw.get(at).is_some_and(u8::is_ascii_whitespace) {
                    at += 1;
                }
            }
            Some(_) => (at, done) = (at + 2, done + 1),
            None => return body_start,
        }
    }
    span.start + at
}

/// The UTF-8 length of the character a `\u`/`\U` escape's hex digits name.
fn decoded_len(raw: &[u8], from: usize, digits: usize) -> usize {
    raw.get(from..from + digits)
        .and_then(|hex| std::str::from_utf8(hex).ok())
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .and_then(char::from_u32)
        .map_or(1, char::len_utf8)
}

#[cfg(test)]
mod tests;
