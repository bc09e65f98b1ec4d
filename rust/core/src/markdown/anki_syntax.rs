//! Finding Anki's own syntax in text and in Markdown, and keeping Markdown's hands off it.
//!
//! Both directions use one scanner, so that what the HTML -> Markdown side writes verbatim as
//! Anki syntax is exactly what the Markdown -> HTML side then protects.

use std::borrow::Cow;
use std::ops::Range;

/// What the scanner reads: DOM text (no escapes) or Markdown source (backslash escapes, code
/// spans and HTML tags, which are skipped).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    Text,
    Markdown,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum SpanKind {
    /// Math, LaTeX, a sound tag or a furigana reading: its text is literal.
    Opaque,
    /// The single space before a furigana base: Anki reads it as the base's left edge, so it
    /// must survive even where Markdown would strip it (at the start of a line).
    FuriganaSpace,
    /// A character from the placeholder planes that was already in the Markdown.
    Placeholder,
}

#[derive(Clone, Debug)]
pub(super) struct Span {
    pub range: Range<usize>,
    pub kind: SpanKind,
}

/// Anki's opaque syntax in `src`, in order and not overlapping.
///
/// A span never contains a blank line (Markdown would end the paragraph there) and its closer is
/// the first one after its opener, as in Anki.
pub(super) fn spans(src: &str, source: Source) -> Vec<Span> {
    let bytes = src.as_bytes();
    let mut scan = Scanner::new(src);
    let mut spans: Vec<Span> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                if let Some(&next) = bytes.get(i + 1) {
                    let closer = match next {
                        b'(' => Some("\\)"),
                        b'[' => Some("\\]"),
                        _ => None,
                    };
                    if let Some(end) = closer.and_then(|c| scan.closer(i + 2, c)) {
                        spans.push(opaque(i..end));
                        i = end;
                        continue;
                    }
                    if source == Source::Markdown && next.is_ascii_punctuation() {
                        i += 2;
                        continue;
                    }
                }
                i += 1;
            }
            b'[' => {
                if let Some(end) = scan.bracket_tag_end(i) {
                    spans.push(opaque(i..end));
                    i = end;
                } else if starts_bracket_word(&src[i..]) {
                    // An unpaired `[latex]` or `[sound:` is never a reading: the other side
                    // could pair it with a closer this side cannot see.
                    i += 1;
                } else if let Some(end) = furigana_reading_end(src, i) {
                    if let Some(space) = furigana_space(src, i, source, spans.last()) {
                        spans.push(Span {
                            range: space..space + 1,
                            kind: SpanKind::FuriganaSpace,
                        });
                    }
                    spans.push(opaque(i..end));
                    i = end;
                } else {
                    i += 1;
                }
            }
            b'`' if source == Source::Markdown => i = scan.skip_code_span(i),
            b'<' if source == Source::Markdown => i = scan.skip_html(i),
            _ => i += 1,
        }
    }
    spans
}

fn opaque(range: Range<usize>) -> Span {
    Span {
        range,
        kind: SpanKind::Opaque,
    }
}

/// The searches [`spans`] makes, for positions that grow as it goes. Each search remembers its
/// last answer, which holds for every later position up to it, so a run of openers that never
/// close costs one pass over the text rather than one per opener (40,000 unclosed `\(` took
/// 0.74 s).
struct Scanner<'a> {
    src: &'a str,
    /// One for each literal closer [`Scanner::closer`] is asked for: few, so a list.
    needles: Vec<(&'static str, Memo)>,
    blank: Memo,
    /// Backtick runs by length, found once on the first code span.
    code_runs: Option<std::collections::HashMap<usize, Vec<usize>>>,
}

/// The last answer to "where is the next ... at or after `from`": `answer`, which is also the
/// answer for any position in `from..=until`.
#[derive(Clone, Copy)]
struct Memo {
    from: usize,
    until: usize,
    answer: Option<usize>,
}

impl Memo {
    const NONE: Memo = Memo {
        from: usize::MAX,
        until: 0,
        answer: None,
    };

    /// The remembered answer for `at`, or `search(at)` (an answer and how far it holds).
    fn get(
        &mut self,
        at: usize,
        search: impl FnOnce(usize) -> (Option<usize>, usize),
    ) -> Option<usize> {
        if at >= self.from && at <= self.until {
            return self.answer;
        }
        let (answer, until) = search(at);
        *self = Memo {
            from: at,
            until,
            answer,
        };
        answer
    }
}

impl<'a> Scanner<'a> {
    fn new(src: &'a str) -> Scanner<'a> {
        Scanner {
            src,
            needles: Vec::new(),
            blank: Memo::NONE,
            code_runs: None,
        }
    }

    /// Where `needle` next starts at or after `at` (ASCII case-insensitively if `fold`).
    fn next(&mut self, at: usize, needle: &'static str, fold: bool) -> Option<usize> {
        let src = self.src.as_bytes();
        let index = match self.needles.iter().position(|(n, _)| *n == needle) {
            Some(index) => index,
            None => {
                self.needles.push((needle, Memo::NONE));
                self.needles.len() - 1
            }
        };
        self.needles[index].1.get(at, |at| {
            let found = find_from(src, at, needle.as_bytes(), fold);
            (found, found.unwrap_or(usize::MAX))
        })
    }

    /// Where the first blank line after `at` ends: the line feed that ends a line of only
    /// spaces, tabs and `>` (a blank line inside a block quote) whose own line feed is at or
    /// after `at`. Text from `at` to `end` holds a blank line if this is before `end`.
    fn blank_line_after(&mut self, at: usize) -> Option<usize> {
        let src = self.src.as_bytes();
        self.blank.get(at, |at| {
            let mut line_feed = match find_from(src, at, b"\n", false) {
                Some(i) => i,
                None => return (None, usize::MAX),
            };
            loop {
                let mut i = line_feed + 1;
                while i < src.len() && matches!(src[i], b' ' | b'\t' | b'>') {
                    i += 1;
                }
                examined(i - line_feed);
                match src.get(i) {
                    Some(b'\n') => return (Some(i), line_feed),
                    Some(_) => match find_from(src, i, b"\n", false) {
                        Some(next) => line_feed = next,
                        None => return (None, usize::MAX),
                    },
                    None => return (None, usize::MAX),
                }
            }
        })
    }

    fn has_blank_line(&mut self, from: usize, to: usize) -> bool {
        self.blank_line_after(from).is_some_and(|end| end < to)
    }

    /// The end of `closer` searched from `from`, unless a blank line comes first.
    fn closer(&mut self, from: usize, closer: &'static str) -> Option<usize> {
        self.closer_folded(from, closer, false)
    }

    fn closer_folded(&mut self, from: usize, closer: &'static str, fold: bool) -> Option<usize> {
        let found = self.next(from, closer, fold)?;
        if self.has_blank_line(from, found) {
            return None;
        }
        Some(found + closer.len())
    }

    /// `[sound:…]`, `[latex]…[/latex]`, `[$$]…[/$$]` and `[$]…[/$]` starting at `at`.
    fn bracket_tag_end(&mut self, at: usize) -> Option<usize> {
        let rest = &self.src[at..];
        if rest.starts_with("[sound:") {
            let end = self.next(at, "]", false)?;
            if self
                .next(at, "\n", false)
                .is_some_and(|line_feed| line_feed < end)
            {
                return None;
            }
            return Some(end + 1);
        }
        if rest.starts_with("[$$]") {
            return self.closer(at + 4, "[/$$]");
        }
        if rest.starts_with("[$]") {
            return self.closer(at + 3, "[/$]");
        }
        if rest.len() >= 7 && rest.as_bytes()[..7].eq_ignore_ascii_case(b"[latex]") {
            // Anki matches [latex] case-insensitively, so the closer is found the same way.
            return self.closer_folded(at + 7, "[/latex]", true);
        }
        None
    }

    /// Past a backtick code span starting at `at`, or past the backticks if it does not close
    /// before a blank line (a code span lives in one paragraph).
    fn skip_code_span(&mut self, at: usize) -> usize {
        let bytes = self.src.as_bytes();
        let run = bytes[at..].iter().take_while(|&&b| b == b'`').count();
        let after = at + run;
        // Past `after` (not a backtick), each run found is whole, so runs are found once, by
        // length, and a closer is the first run of the opener's length.
        let runs = self.code_runs.get_or_insert_with(|| backtick_runs(bytes));
        let close = runs.get(&run).and_then(|starts| {
            let index = starts.partition_point(|&start| start < after);
            starts.get(index).copied()
        });
        match close {
            Some(close) if !self.has_blank_line(after, close) => close + run,
            _ => after,
        }
    }

    /// Past an HTML comment or tag starting at `at` (their attribute values are not Anki
    /// syntax).
    fn skip_html(&mut self, at: usize) -> usize {
        let rest = &self.src.as_bytes()[at..];
        if rest.starts_with(b"<!--") {
            return match self.next(at + 4, "-->", false) {
                Some(end) => end + 3,
                None => at + 1,
            };
        }
        skip_tag(rest).map_or(at + 1, |len| at + len)
    }
}

#[cfg(test)]
thread_local! {
    /// Bytes the scanner's searches have looked at, for tests that check the work is linear.
    pub(super) static EXAMINED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn examined(_bytes: usize) {
    #[cfg(test)]
    EXAMINED.with(|count| count.set(count.get() + _bytes));
}

/// Where `needle` starts in `haystack` at or after `from`.
fn find_from(haystack: &[u8], from: usize, needle: &[u8], fold: bool) -> Option<usize> {
    let rest = haystack.get(from..)?;
    let first = needle.first()?;
    let mut offset = 0;
    while let Some(found) = rest[offset..].iter().position(|b| b == first) {
        examined(found + 1);
        let start = offset + found;
        let candidate = rest.get(start..start + needle.len())?;
        let matches = if fold {
            candidate.eq_ignore_ascii_case(needle)
        } else {
            candidate == needle
        };
        if matches {
            return Some(from + start);
        }
        offset = start + 1;
    }
    examined(rest.len() - offset);
    None
}

/// The starts of the maximal runs of backticks in `bytes`, by run length.
fn backtick_runs(bytes: &[u8]) -> std::collections::HashMap<usize, Vec<usize>> {
    let mut runs: std::collections::HashMap<usize, Vec<usize>> = Default::default();
    let mut i = 0;
    while let Some(found) = bytes[i..].iter().position(|&b| b == b'`') {
        let start = i + found;
        let len = bytes[start..].iter().take_while(|&&b| b == b'`').count();
        examined(found + len);
        runs.entry(len).or_default().push(start);
        i = start + len;
    }
    runs
}

/// Whether `rest` starts with a word that opens or closes bracketed Anki syntax.
pub(super) fn starts_bracket_word(rest: &str) -> bool {
    rest.starts_with("[sound:") || bracket_word_len(rest).is_some()
}

/// The length of `[latex]`, `[/$$]` and the like at the start of `rest`.
pub(super) fn bracket_word_len(rest: &str) -> Option<usize> {
    ["[latex]", "[/latex]", "[$$]", "[/$$]", "[$]", "[/$]"]
        .iter()
        .find(|word| {
            rest.len() >= word.len()
                && rest.as_bytes()[..word.len()].eq_ignore_ascii_case(word.as_bytes())
        })
        .map(|word| word.len())
}

/// A character that may end a furigana base (the text just before `[reading]`).
pub(super) fn is_base_char(c: char) -> bool {
    is_base_run_char(c) && !matches!(c, '!' | ']' | '\\')
}

/// A character Anki lets into a furigana base: anything but a space or `>` (U+00A0 counts as
/// a character, as in Anki, and Markdown writes it as `&nbsp;`).
fn is_base_run_char(c: char) -> bool {
    (c == '\u{a0}' || !c.is_whitespace()) && c != '>'
}

/// The end of a furigana reading `[…]` at `at`, if the character before it can end a base.
///
/// Readings hold none of `[ \ < > * _ ~ \``, nor a line break: in Markdown those could belong
/// to tags or emphasis around the brackets, and the two scanners must agree on what a reading
/// is whether they see DOM text or the Markdown written for it.
pub(super) fn furigana_reading_end(src: &str, at: usize) -> Option<usize> {
    let before = src[..at].chars().next_back()?;
    if !is_base_char(before) {
        return None;
    }
    Some(at + reading_len(&src[at..])?)
}

/// Whether `c` cannot be inside a reading (a reading ends at the first of these, or is none).
pub(super) fn ends_reading(c: char) -> bool {
    matches!(
        c,
        ']' | '[' | '\\' | '\n' | '<' | '>' | '*' | '_' | '~' | '`'
    )
}

/// The length of `[reading]` at the start of `rest`, by the rules above.
pub(super) fn reading_len(rest: &str) -> Option<usize> {
    let inner = rest.strip_prefix('[')?;
    let end = inner.find(ends_reading)?;
    if end == 0 || inner.as_bytes()[end] != b']' || starts_bracket_word(rest) {
        return None;
    }
    Some(end + 2)
}

/// The position of a single space just before the furigana base that ends at `reading`.
///
/// In Markdown only a space at the very start of a line needs protecting (elsewhere Markdown
/// keeps spaces); in text, every such space is reported so the writer can decide.
fn furigana_space(src: &str, reading: usize, source: Source, last: Option<&Span>) -> Option<usize> {
    // A run reaching back to the previous span gives no space; scanning no further than it
    // keeps a field of many readings linear.
    let mut floor = last.map_or(0, |span| span.range.end).min(reading);
    while !src.is_char_boundary(floor) {
        floor -= 1;
    }
    let base_start = floor
        + src[floor..reading]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_base_run_char(c))
            .last()
            .map(|(i, _)| i)?;
    let space = base_start.checked_sub(1)?;
    if src.as_bytes()[space] != b' ' || last.is_some_and(|span| span.range.end > space) {
        return None;
    }
    if source == Source::Markdown && space > 0 && src.as_bytes()[space - 1] != b'\n' {
        return None;
    }
    Some(space)
}

/// The length of the tag at the start of `rest`, if one closes before the next `<`.
fn skip_tag(rest: &[u8]) -> Option<usize> {
    let name_at = if rest.get(1) == Some(&b'/') { 2 } else { 1 };
    if !rest.get(name_at).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let mut quote: Option<u8> = None;
    for (offset, &b) in rest.iter().enumerate().skip(name_at) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some(offset + 1),
            None if b == b'<' => return None,
            None => {}
        }
    }
    None
}

/// Placeholders stand for protected spans while pulldown-cmark parses: one character each, from
/// the supplementary private use planes, which pulldown-cmark treats like a letter.
const PLACEHOLDER_BASE: u32 = 0xF0000;
const PLACEHOLDER_COUNT: u32 = 0xFFFE;

fn is_placeholder(c: char) -> bool {
    c as u32 >= PLACEHOLDER_BASE
}

/// Markdown with Anki's syntax replaced by placeholders, and how to put it back.
pub(super) struct Protected<'a> {
    pub markdown: String,
    original: &'a str,
    spans: Vec<Span>,
}

pub(super) fn protect(markdown: &str) -> Option<Protected<'_>> {
    let mut spans = spans(markdown, Source::Markdown);
    // Characters that look like placeholders are protected wherever they are (code, HTML),
    // so that putting placeholders back cannot mistake them for one.
    if markdown.chars().any(is_placeholder) {
        let mut placeholders = Vec::new();
        let mut opaque = spans.iter().peekable();
        for (i, c) in markdown.char_indices().filter(|&(_, c)| is_placeholder(c)) {
            while opaque.peek().is_some_and(|span| span.range.end <= i) {
                opaque.next();
            }
            if opaque.peek().is_none_or(|span| span.range.start > i) {
                placeholders.push(Span {
                    range: i..i + c.len_utf8(),
                    kind: SpanKind::Placeholder,
                });
            }
        }
        spans.extend(placeholders);
    }
    if spans.is_empty() {
        return None;
    }
    spans.sort_by_key(|span| span.range.start);
    spans.truncate(PLACEHOLDER_COUNT as usize);
    let mut out = String::with_capacity(markdown.len());
    let mut at = 0;
    for (index, span) in spans.iter().enumerate() {
        out.push_str(&markdown[at..span.range.start]);
        out.push(placeholder(index));
        at = span.range.end;
    }
    out.push_str(&markdown[at..]);
    Some(Protected {
        markdown: out,
        original: markdown,
        spans,
    })
}

fn placeholder(index: usize) -> char {
    char::from_u32(PLACEHOLDER_BASE + index as u32).unwrap_or('\u{fffd}')
}

/// Whether restored text is read as Markdown text (entities decoded) or as raw source (code and
/// HTML, where Markdown itself decodes nothing).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Restore {
    Text,
    Source,
}

impl Protected<'_> {
    pub fn restore<'s>(&self, s: &'s str, how: Restore) -> Cow<'s, str> {
        if !s.chars().any(is_placeholder) {
            return Cow::Borrowed(s);
        }
        let mut out = String::with_capacity(s.len() + 16);
        for c in s.chars() {
            let index = (c as u32).wrapping_sub(PLACEHOLDER_BASE) as usize;
            match self.spans.get(index) {
                Some(span) if is_placeholder(c) => {
                    let text = &self.original[span.range.clone()];
                    match (span.kind, how) {
                        (SpanKind::Opaque, Restore::Text) => out.push_str(&decode_entities(text)),
                        _ => out.push_str(text),
                    }
                }
                _ => out.push(c),
            }
        }
        Cow::Owned(out)
    }
}

/// Decodes HTML character references, as Markdown does in text. Inside Anki syntax this is the
/// only processing there is: `&nbsp;` and `&lt;` in math mean what they mean in Anki's HTML.
pub(crate) fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match entity_at(rest) {
            Some((decoded, len)) => {
                out.push_str(&decoded);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The character reference at the start of `s` (which starts with `&`): its text and length.
pub(super) fn entity_at(s: &str) -> Option<(String, usize)> {
    let semicolon = s[1..].find(';')? + 1;
    let body = &s[1..semicolon];
    if body.is_empty() || body.len() > 32 {
        return None;
    }
    let decoded = if let Some(number) = body.strip_prefix('#') {
        let value = if let Some(hex) = number.strip_prefix(['x', 'X']) {
            if hex.is_empty() || hex.len() > 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            u32::from_str_radix(hex, 16).ok()?
        } else {
            if number.is_empty() || number.len() > 7 || !number.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            number.parse().ok()?
        };
        let c = match value {
            0 => '\u{fffd}',
            v => char::from_u32(v).unwrap_or('\u{fffd}'),
        };
        c.to_string()
    } else {
        if !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let &(first, second) = html5ever::data::NAMED_ENTITIES.get(&s[1..=semicolon])?;
        let mut text = String::new();
        text.extend(char::from_u32(first));
        if second != 0 {
            text.extend(char::from_u32(second));
        }
        text
    };
    Some((decoded, semicolon + 1))
}

/// Whether `&` at the start of `s` would be read as the start of a character reference.
pub(super) fn looks_like_entity(s: &str) -> bool {
    let body = s[1..]
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#');
    let len = body.count();
    len > 0 && s.as_bytes().get(1 + len) == Some(&b';')
}

/// Writes the text of an opaque span so that [`decode_entities`] gives it back.
pub(super) fn push_encoded_span(text: &str, out: &mut String) {
    for (i, c) in text.char_indices() {
        match c {
            '&' if looks_like_entity(&text[i..]) => out.push_str("&amp;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            _ => out.push(c),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Marker {
    Open,
    Separator,
    Close,
}

/// The cloze markers (`{{c1::`, `::`, `}}`) of the clozes that close, with their byte ranges.
pub(super) fn cloze_markers(src: &str) -> Vec<(Range<usize>, Marker)> {
    if !src.contains("{{c") {
        return Vec::new();
    }
    let bytes = src.as_bytes();
    // Each marker remembers which cloze it belongs to; clozes that never close are dropped.
    let mut found: Vec<(Range<usize>, Marker, usize)> = Vec::new();
    let mut closed: Vec<bool> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(len) = cloze_open_len(&bytes[i..]) {
            open.push(closed.len());
            found.push((i..i + len, Marker::Open, closed.len()));
            closed.push(false);
            i += len;
        } else if bytes[i..].starts_with(b"::") && !open.is_empty() {
            found.push((i..i + 2, Marker::Separator, *open.last().unwrap_or(&0)));
            i += 2;
        } else if bytes[i..].starts_with(b"}}") && !open.is_empty() {
            let cloze = open.pop().unwrap_or(0);
            closed[cloze] = true;
            found.push((i..i + 2, Marker::Close, cloze));
            i += 2;
        } else {
            i += 1;
        }
    }
    found
        .into_iter()
        .filter(|(_, _, cloze)| closed[*cloze])
        .map(|(range, marker, _)| (range, marker))
        .collect()
}

fn cloze_open_len(bytes: &[u8]) -> Option<usize> {
    let rest = bytes.strip_prefix(b"{{c")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || !rest[digits..].starts_with(b"::") {
        return None;
    }
    Some(3 + digits + 2)
}

/// Whether every cloze marker in `s` belongs to a cloze that opens and closes within `s`.
/// Emphasis around such text cannot be torn apart by the cloze isolation of the other side.
pub(super) fn clozes_self_contained(s: &str) -> bool {
    if !s.contains("::") && !s.contains("}}") {
        return true;
    }
    let balanced = cloze_markers(s).len();
    let mut all = 0;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(len) = cloze_open_len(&bytes[i..]) {
            all += 1;
            i += len;
        } else if bytes[i..].starts_with(b"::") || bytes[i..].starts_with(b"}}") {
            all += 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    all == balanced
}

/// For each position, which cloze segment (answer, hint, or outside) it lies in: segments get
/// numbers as they start, and returning from a nested cloze returns to the outer number.
pub(super) struct Segments {
    starts: Vec<(usize, usize)>,
}

impl Segments {
    pub fn new(markers: &[(Range<usize>, Marker)]) -> Segments {
        let mut stack: Vec<usize> = Vec::new();
        let mut next = 1;
        let mut starts = Vec::with_capacity(markers.len());
        for (range, marker) in markers {
            match marker {
                Marker::Open => {
                    stack.push(next);
                    next += 1;
                }
                Marker::Separator => {
                    if let Some(top) = stack.last_mut() {
                        *top = next;
                        next += 1;
                    }
                }
                Marker::Close => {
                    stack.pop();
                }
            }
            starts.push((range.end, stack.last().copied().unwrap_or(0)));
        }
        Segments { starts }
    }

    pub fn at(&self, position: usize) -> usize {
        let index = self.starts.partition_point(|&(start, _)| start <= position);
        match index {
            0 => 0,
            i => self.starts[i - 1].1,
        }
    }
}
