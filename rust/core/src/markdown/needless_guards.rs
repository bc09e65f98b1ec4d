//! Taking back the references that guard raw HTML where they turn out needless.
//!
//! Raw HTML inside the Markdown writes a `\(`, `\[`, `[latex]` or backtick that does not make
//! whole Anki syntax within its text node as a reference (`&#92;[`), because the Markdown side
//! finds Anki syntax and code spans without knowing where HTML ends and could pair it with a
//! closer outside. Mostly nothing outside could pair with it (`<div>\[x</div>` then
//! `<div>y\]</div>` are two blocks), and then the reference only changes the field's bytes, and
//! shows MathJax delimiters as references in Anki's HTML editor. Line feeds and spaces are
//! written as references (`&#10;`) where they might end an HTML block early or be stripped,
//! which again is mostly not the case (a `<pre>` block ends only at its end tag). So each guard
//! is taken back when the Markdown without it still gives the field's DOM.
//!
//! The result depends only on the DOM, so converting the HTML it gives yields it again.

use super::dom::{self, Node};

/// The references a guard writes, and the characters they stand for.
const GUARDS: [(&str, char); 6] = [
    ("&#92;", '\\'),
    ("&#91;", '['),
    ("&#96;", '`'),
    ("&#10;", '\n'),
    ("&#32;", ' '),
    ("&#9;", '\t'),
];

/// At most this many guards are tried one by one (each try converts the whole field) when
/// taking them all back at once changes the DOM.
const SINGLE_TRIES: usize = 16;

pub(super) fn drop_needless_guards(field: &[Node], markdown: String) -> String {
    let guards = guard_positions(&markdown);
    if guards.is_empty() {
        return markdown;
    }
    let all = without(&markdown, &guards);
    if gives(field, &all) {
        return all;
    }
    let mut kept = markdown;
    // Back to front, so that the positions of the guards still to try stay valid.
    for &guard in guards.iter().rev().take(SINGLE_TRIES) {
        let candidate = without(&kept, &[guard]);
        if gives(field, &candidate) {
            kept = candidate;
        }
    }
    kept
}

/// Byte positions of guard references, in order.
fn guard_positions(markdown: &str) -> Vec<usize> {
    if !markdown.contains("&#") {
        return Vec::new();
    }
    markdown
        .match_indices("&#")
        .map(|(at, _)| at)
        .filter(|&at| {
            GUARDS
                .iter()
                .any(|(reference, _)| markdown[at..].starts_with(reference))
        })
        .collect()
}

/// `markdown` with the guards at `positions` (in order) written as their characters.
fn without(markdown: &str, positions: &[usize]) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut at = 0;
    for &position in positions {
        let Some((reference, c)) = GUARDS
            .iter()
            .find(|(reference, _)| markdown[position..].starts_with(reference))
        else {
            continue;
        };
        out.push_str(&markdown[at..position]);
        out.push(*c);
        if *c == '\n' {
            // Inside a list item or block quote the new line needs the container's prefix.
            let line_start = markdown[..position].rfind('\n').map_or(0, |i| i + 1);
            push_continuation_prefix(&markdown[line_start..position], &mut out);
        }
        at = position + reference.len();
    }
    out.push_str(&markdown[at..]);
    out
}

/// The prefix that continues the containers `line` starts in: its block quote markers and
/// indentation, with list markers as spaces. A wrong guess is harmless: the result is checked.
fn push_continuation_prefix(line: &str, out: &mut String) {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'>' => {
                out.push(bytes[i] as char);
                i += 1;
            }
            b'-' | b'*' | b'+' if bytes.get(i + 1) == Some(&b' ') => {
                out.push_str("  ");
                i += 2;
            }
            b'0'..=b'9' => {
                let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                let after = &bytes[i + digits..];
                if !(after.starts_with(b". ") || after.starts_with(b") ")) {
                    return;
                }
                out.extend(std::iter::repeat_n(' ', digits + 2));
                i += digits + 2;
            }
            _ => return,
        }
    }
}

fn gives(field: &[Node], markdown: &str) -> bool {
    dom::same_nodes_as(field, &super::to_html::markdown_to_html(markdown))
}
