//! Writing DOM text as Markdown that reads back as exactly that text.
//!
//! Escapes are as few as keep the meaning, so `5 * 3`, `snake_case`, `#tag` and `C:\Users`
//! stay as they are; only what Markdown would act on gets a backslash (or, for whitespace and
//! line feeds that Markdown would strip, a character reference).

use super::anki_syntax::{self, Source, SpanKind};

/// Where the text goes.
#[derive(Clone, Copy, Default)]
pub(super) struct Context {
    /// Inside a list item or block quote, whose prefixes are added to every line afterwards.
    pub in_container: bool,
    /// A heading, table cell or image description: no line breaks.
    pub single_line: bool,
    pub in_heading: bool,
    pub in_table_cell: bool,
    /// Link text or an image description, where brackets count.
    pub in_link_text: bool,
}

/// The state around one piece of text.
#[derive(Clone, Copy)]
pub(super) struct Around {
    /// The output is at the start of a line (Markdown strips leading whitespace there and reads
    /// block markers).
    pub line_start: bool,
    /// The previous character as Markdown's delimiter rules see it; `None` at a line start.
    pub before: Option<char>,
    /// Nothing follows in this paragraph, cell or heading: trailing whitespace would be stripped.
    pub at_end: bool,
}

/// How Markdown's emphasis rules classify a neighbouring character.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Class {
    Whitespace,
    Punctuation,
    Letter,
    /// Not ASCII and neither alphanumeric nor whitespace: CommonMark's answer depends on Unicode
    /// categories we do not carry, so callers assume the worst.
    Unknown,
}

pub(super) fn class(c: Option<char>) -> Class {
    match c {
        None => Class::Whitespace,
        Some(c) if c.is_ascii() => {
            if c.is_ascii_whitespace() || c == '\u{b}' {
                Class::Whitespace
            } else if c.is_ascii_punctuation() {
                Class::Punctuation
            } else if c.is_ascii_alphanumeric() {
                Class::Letter
            } else {
                Class::Unknown
            }
        }
        Some(c) if c.is_alphanumeric() || c as u32 >= 0xF0000 => Class::Letter,
        Some('\u{a0}' | '\u{3000}' | '\u{2000}'..='\u{200a}') => Class::Whitespace,
        Some(_) => Class::Unknown,
    }
}

/// Whether a delimiter run of `c` between `before` and `after` could open or close emphasis.
pub(super) fn could_delimit(c: char, before: Class, after: Class) -> bool {
    if before == Class::Unknown || after == Class::Unknown {
        return true;
    }
    let (open, close) = opens_closes(c, before, after);
    open || close
}

/// (can open, can close) for a run of `c`, by CommonMark's flanking rules.
pub(super) fn opens_closes(c: char, before: Class, after: Class) -> (bool, bool) {
    use Class::*;
    let left =
        after != Whitespace && (after != Punctuation || matches!(before, Whitespace | Punctuation));
    let right = before != Whitespace
        && (before != Punctuation || matches!(after, Whitespace | Punctuation));
    if c == '_' {
        (
            left && (!right || before == Punctuation),
            right && (!left || after == Punctuation),
        )
    } else {
        (left, right)
    }
}

/// A character that [`class`] calls unknown, for neighbours that may read either way.
pub(super) const UNKNOWN: char = '\u{fffe}';

/// What the text ended with, for the next piece's decisions.
pub(super) struct End {
    pub line_start: bool,
    pub before: Option<char>,
}

/// Appends `text` to `out` as Markdown.
pub(super) fn push_text(text: &str, context: Context, around: Around, out: &mut String) -> End {
    let mut spans = if text.bytes().any(|b| b == b'\\' || b == b'[') {
        anki_syntax::spans(text, Source::Text)
    } else {
        Vec::new()
    };
    if context.in_container || context.single_line {
        // Container prefixes and line-break escapes would land inside a span spread over lines.
        spans.retain(|span| !text[span.range.clone()].contains('\n'));
    }
    let mut spans = spans.into_iter().peekable();
    let mut writer = TextWriter {
        text,
        context,
        at_end: around.at_end,
        out,
        line_start: around.line_start,
        before: around.before,
        next_span: spans.peek().map(|span| (span.range.start, span.kind)),
    };
    let mut i = 0;
    while i < text.len() {
        if writer.next_span.is_some_and(|(start, _)| start == i) {
            if let Some(span) = spans.next() {
                writer.next_span = spans.peek().map(|span| (span.range.start, span.kind));
                match span.kind {
                    SpanKind::FuriganaSpace => {
                        if writer.line_start && !context.in_container && !context.single_line {
                            writer.out.push(' ');
                            writer.line_start = false;
                            writer.before = Some(' ');
                        } else {
                            writer.char_at(i);
                        }
                    }
                    _ => {
                        anki_syntax::push_encoded_span(&text[span.range.clone()], writer.out);
                        writer.line_start = false;
                        writer.before = Some('a');
                    }
                }
                i = span.range.end;
                continue;
            }
        }
        if !writer.line_start {
            let limit = writer.next_span.map_or(text.len(), |(start, _)| start);
            let run = ordinary_run_len(text.as_bytes(), i, limit);
            if run > 0 {
                let ordinary = &text[i..i + run];
                writer.out.push_str(ordinary);
                writer.before = ordinary.chars().next_back();
                i += run;
                continue;
            }
        }
        i = writer.char_at(i);
    }
    End {
        line_start: writer.line_start,
        before: writer.before,
    }
}

/// How many bytes from `start` (up to `limit`) are characters that [`TextWriter::char_at`] would
/// write unchanged whatever surrounds them, once past the start of a line: most of any text, so
/// it is copied in one go instead of a character at a time. Stops before anything `char_at`
/// treats specially in some context, and before a space or tab that ends a line or the text.
fn ordinary_run_len(bytes: &[u8], start: usize, limit: usize) -> usize {
    let mut end = bytes[start..limit]
        .iter()
        .position(|&b| SPECIAL_BYTES[usize::from(b)])
        .map_or(limit, |n| start + n);
    // A space or tab right before a line feed, or ending the text, may become a reference.
    let line_or_text_end = none_or(bytes.get(end), |&b| b == b'\n');
    if end > start && line_or_text_end && matches!(bytes[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    end - start
}

/// The bytes [`ordinary_run_len`] stops at, looked up rather than matched: it runs over every
/// byte of text. `0xc2` leads U+0080..U+00BF, among them U+00A0 (written `&nbsp;`).
const SPECIAL_BYTES: [bool; 256] = {
    let mut special = [false; 256];
    let bytes = b"\\`*_~<&[]|#\r\n\xc2";
    let mut i = 0;
    while i < bytes.len() {
        special[bytes[i] as usize] = true;
        i += 1;
    }
    special
};

struct TextWriter<'t, 'o> {
    text: &'t str,
    context: Context,
    at_end: bool,
    out: &'o mut String,
    line_start: bool,
    before: Option<char>,
    /// Where the next Anki span starts, and its kind (Markdown sees an opaque one as a letter).
    next_span: Option<(usize, SpanKind)>,
}

impl TextWriter<'_, '_> {
    fn next_char(&self, at: usize) -> Option<char> {
        self.text[at..].chars().next()
    }

    /// How Markdown will see the character at `at` once written: spans look like letters, and
    /// whitespace written as a reference looks like punctuation.
    fn seen_at(&self, at: usize) -> Class {
        if self.next_span == Some((at, SpanKind::Opaque)) {
            return Class::Letter;
        }
        match self.next_char(at) {
            None => Class::Unknown,
            Some(c @ (' ' | '\t' | '\n')) => {
                if self.whitespace_needs_reference(c, at + 1) {
                    Class::Punctuation
                } else {
                    Class::Whitespace
                }
            }
            Some('\u{a0}' | '\r') => Class::Punctuation,
            Some(c) => class(Some(c)),
        }
    }

    fn whitespace_needs_reference(&self, c: char, after: usize) -> bool {
        let next = self.next_char(after);
        match c {
            '\n' => self.context.single_line || next.is_none(),
            _ => next == Some('\n') || (next.is_none() && self.at_end),
        }
    }

    fn emit(&mut self, s: &str, seen: char) {
        self.out.push_str(s);
        self.before = Some(seen);
        self.line_start = false;
    }

    fn escaped(&mut self, c: char) {
        self.out.push('\\');
        self.out.push(c);
        self.before = Some(c);
        self.line_start = false;
    }

    fn reference(&mut self, c: char) {
        let code = match c {
            ' ' => "&#32;",
            '\t' => "&#9;",
            '\n' => "&#10;",
            '\r' => "&#13;",
            _ => "&#32;",
        };
        self.emit(code, ';');
    }

    /// Writes the character at `at` (and sometimes a few after it); returns where to go on.
    fn char_at(&mut self, at: usize) -> usize {
        let rest = &self.text[at..];
        let c = rest.chars().next().unwrap_or(' ');
        let after = at + c.len_utf8();
        if self.line_start {
            if let Some(next) = self.line_start_char(at, c) {
                return next;
            }
        }
        match c {
            '\\' => {
                // Left bare only before a letter: anything else might be (or be written as)
                // punctuation, which the backslash would escape.
                let next = self.next_char(after);
                let before_letter = next.is_some_and(|n| n.is_alphanumeric() && n != '\u{a0}')
                    && self.next_span != Some((after, SpanKind::Opaque));
                if before_letter {
                    self.emit("\\", '\\');
                } else {
                    self.escaped('\\');
                }
            }
            '`' => self.escaped('`'),
            '*' | '_' | '~' => return self.delimiter_run(at, c),
            '<' => {
                let next = self.next_char(after);
                if next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')) {
                    self.escaped('<');
                } else {
                    self.emit("<", '<');
                }
            }
            '&' => {
                if anki_syntax::looks_like_entity(rest) {
                    self.escaped('&');
                } else {
                    self.emit("&", '&');
                }
            }
            '[' if self.context.in_link_text => self.emit("&#91;", ';'),
            ']' => {
                let next = self.next_char(after);
                if self.context.in_link_text || matches!(next, Some('(' | ':' | '[')) {
                    self.escaped(']');
                } else {
                    self.emit("]", ']');
                }
                // Whether `[…]` ends up a furigana reading (which Markdown then sees as a letter)
                // can depend on how the character before it is written; assume nothing.
                // A reading holds no `]`, so the look back ends at the previous one: linear
                // however many brackets the text has.
                let opening = self.text[..at]
                    .rfind(anki_syntax::ends_reading)
                    .filter(|&o| self.text.as_bytes()[o] == b'[');
                if opening
                    .is_some_and(|o| anki_syntax::reading_len(&self.text[o..]) == Some(after - o))
                {
                    self.before = Some(UNKNOWN);
                }
            }
            '[' if rest.starts_with("[sound:") => {
                // Not a whole sound tag here; keep the other side from finding one.
                self.emit("[sound\\:", ':');
                return at + "[sound:".len();
            }
            '[' if anki_syntax::bracket_word_len(rest).is_some() => {
                // `[latex]`, `[/$]` and the like, unpaired here: break the word with `\]`.
                let word = anki_syntax::bracket_word_len(rest).unwrap_or(0);
                self.emit(&rest[..word - 1], ']');
                self.escaped(']');
                return at + word;
            }
            '|' if self.context.in_table_cell => self.escaped('|'),
            '#' if self.context.in_heading => self.escaped('#'),
            '\u{a0}' => self.emit("&nbsp;", ';'),
            '\r' => self.reference('\r'),
            '\n' => {
                if self.whitespace_needs_reference('\n', after) {
                    self.reference('\n');
                } else {
                    self.out.push('\n');
                    self.before = None;
                    self.line_start = true;
                }
            }
            ' ' | '\t' if self.whitespace_needs_reference(c, after) => self.reference(c),
            _ => {
                let mut buf = [0u8; 4];
                self.emit(c.encode_utf8(&mut buf), c);
            }
        }
        after
    }

    /// Handles block syntax at the start of a line; `None` when the character is ordinary there.
    fn line_start_char(&mut self, at: usize, c: char) -> Option<usize> {
        let rest = &self.text[at..];
        let line = rest.split('\n').next().unwrap_or("");
        let after = at + c.len_utf8();
        let next = self.next_char(after);
        let ends_marker = none_or(next, |n| matches!(n, ' ' | '\t' | '\n'));
        match c {
            ' ' | '\t' | '\n' => {
                self.reference(c);
                Some(after)
            }
            '#' if line.trim_start_matches('#').starts_with([' ', '\t'])
                || line.bytes().all(|b| b == b'#') =>
            {
                self.escaped('#');
                Some(after)
            }
            '-' | '+' | '*' if ends_marker => {
                self.escaped(c);
                Some(after)
            }
            '>' => {
                self.escaped('>');
                Some(after)
            }
            '-' | '*' | '_' | '=' if is_break_or_underline(line, c) => {
                self.escaped(c);
                Some(after)
            }
            '~' | '`' if rest.starts_with("~~~") || rest.starts_with("```") => {
                self.escaped(c);
                Some(after)
            }
            '|' | ':' | '-' if is_table_delimiter_row(line) => {
                self.escaped(c);
                Some(after)
            }
            '0'..='9' => {
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                let marker = rest.as_bytes().get(digits).copied();
                let after_marker = rest[digits..].chars().nth(1);
                if digits <= 9
                    && matches!(marker, Some(b'.' | b')'))
                    && none_or(after_marker, |n| matches!(n, ' ' | '\t' | '\n'))
                {
                    self.emit(&rest[..digits], '0');
                    self.escaped(marker.map(char::from).unwrap_or('.'));
                    return Some(at + digits + 1);
                }
                None
            }
            _ => None,
        }
    }

    fn delimiter_run(&mut self, at: usize, c: char) -> usize {
        let len = self.text[at..]
            .bytes()
            .take_while(|&b| b == c as u8)
            .count();
        let end = at + len;
        let before = class(self.before);
        let after = if end == self.text.len() {
            Class::Unknown
        } else {
            self.seen_at(end)
        };
        let escape = could_delimit(c, before, after) || (c == '~' && self.line_start);
        for _ in 0..len {
            if escape {
                self.escaped(c);
            } else {
                let mut buf = [0u8; 4];
                self.emit(c.encode_utf8(&mut buf), c);
            }
        }
        end
    }
}

/// A thematic break (`***`, `- - -`) or setext underline (`===`, `---`) made of `c`.
fn is_break_or_underline(line: &str, c: char) -> bool {
    let body = line.trim_end_matches([' ', '\t']);
    if (c == '=' || c == '-') && !body.is_empty() && body.chars().all(|x| x == c) {
        return true;
    }
    c != '='
        && body.chars().filter(|&x| x == c).count() >= 3
        && body.chars().all(|x| x == c || x == ' ' || x == '\t')
}

/// A line that pulldown-cmark could take for the delimiter row under a table header.
fn is_table_delimiter_row(line: &str) -> bool {
    line.contains('-')
        && line
            .chars()
            .all(|x| matches!(x, '|' | '-' | ':' | ' ' | '\t'))
}

/// Whether plain text can be written as Markdown unchanged: the common case, checked quickly.
pub(super) fn is_plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return true;
    };
    if first == b' ' || last == b' ' || first.is_ascii_digit() {
        return false;
    }
    bytes.iter().all(|&b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b','
                    | b'.'
                    | b';'
                    | b'?'
                    | b'\''
                    | b'"'
                    | b'('
                    | b')'
                    | b'/'
                    | b'%'
                    | b'@'
                    | b'$'
                    | b'^'
                    | b'{'
                    | b'}'
                    | b'='
            )
            || (b >= 0x80 && b != 0xc2)
    })
}

/// `Option::is_none_or`, which the crate's minimum Rust version lacks.
pub(super) fn none_or<T>(option: Option<T>, f: impl FnOnce(T) -> bool) -> bool {
    match option {
        None => true,
        Some(value) => f(value),
    }
}
