//! HTML -> Markdown: html5ever parses the field, and this walk writes each node as Markdown
//! where Markdown can say the same thing, and as HTML where it cannot.

use super::anki_syntax::{self, Source, SpanKind};
use super::commonmark;
use super::dom::{self, Guard, HtmlStyle, Node, NodeData};
use super::escape::{self, Around, Class, Context};
use super::needless_guards;

pub(super) fn html_to_markdown(html: &str) -> String {
    let field = dom::parse(html);
    let mut markdown = flow(&field, false);
    if markdown.contains(LAZY) {
        markdown = markdown.replace(LAZY, "");
    }
    needless_guards::drop_needless_guards(&field, markdown)
}

/// Marks a line inside raw HTML (a comment spread over lines) that must not get a container's
/// prefix: Markdown keeps such a prefix inside the HTML. The line is then a lazy continuation.
/// The parser never leaves U+0000 in a DOM, so the mark cannot clash with content.
const LAZY: char = '\0';

fn prefix_lines(content: &str, first: &str, rest: &str, empty: &str) -> String {
    let mut out = String::with_capacity(content.len() + 16);
    for (index, line) in content.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        if line.starts_with(LAZY) {
            out.push_str(line);
            continue;
        }
        let prefix = if index == 0 { first } else { rest };
        if line.is_empty() {
            out.push_str(if index == 0 { prefix.trim_end() } else { empty });
        } else {
            out.push_str(prefix);
            out.push_str(line);
        }
    }
    out
}

/// The Markdown for a field that is one text node (no tags, no references).
pub(super) fn text_to_markdown(text: &str) -> String {
    let mut inline = Inline::new(Context::default(), true, None);
    let around = Around {
        line_start: true,
        before: None,
        at_end: true,
    };
    escape::push_text(text, Context::default(), around, &mut inline.out);
    let first_line = inline.out.split('\n').next().unwrap_or("");
    if commonmark::html_block_kind(first_line).is_some() {
        // Escaping leaves no `<` that starts a tag, so this cannot happen; stay safe anyway.
        return html_to_markdown(&text.replace('&', "&amp;").replace('<', "&lt;"));
    }
    inline.out
}

/// Flow content (the field, a list item, a block quote) as blocks separated by blank lines.
fn flow(nodes: &[Node], in_container: bool) -> String {
    flow_after(nodes, in_container, None)
}

/// `after_list`: the marker of a list this content follows on the same line (a list item's),
/// which a list starting the content must not repeat (`- - -` would be a thematic break).
fn flow_after(nodes: &[Node], in_container: bool, after_list: Option<char>) -> String {
    let mut blocks: Vec<String> = Vec::new();
    // Where the current run of inline nodes started.
    let mut run_start = 0;
    // The marker of a list just written: a list right after it needs the other marker, or
    // Markdown would join the two lists.
    let mut last_list: Option<char> = after_list;
    for (index, node) in nodes.iter().enumerate() {
        if is_flow_block(node) {
            if run_start < index {
                blocks.extend(run_blocks(&nodes[run_start..index], in_container));
                last_list = None;
            }
            run_start = index + 1;
            let (block, list) = block(node, in_container, last_list);
            blocks.push(block);
            last_list = list;
        }
    }
    if run_start < nodes.len() {
        blocks.extend(run_blocks(&nodes[run_start..], in_container));
    }
    blocks.join("\n\n")
}

fn is_flow_block(node: &Node) -> bool {
    dom::is_html_element(node)
        && dom::element_name(node)
            .is_some_and(|name| commonmark::is_block_name(name) || &**name == "pre")
}

fn has_attributes(node: &Node) -> bool {
    !dom::attrs(node).is_empty()
}

fn is_plain_br(node: &Node) -> bool {
    dom::is_html_element(node) && dom::is_element(node, "br") && !has_attributes(node)
}

/// A run of inline nodes as paragraphs: `<br><br>` between two stretches of content is where
/// one paragraph ends and the next begins (the Markdown -> HTML side joins paragraphs so).
fn run_blocks(run: &[Node], in_container: bool) -> Vec<String> {
    let mut paragraphs: Vec<&[Node]> = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < run.len() {
        if i > start && i + 2 < run.len() && is_plain_br(&run[i]) && is_plain_br(&run[i + 1]) {
            paragraphs.push(&run[start..i]);
            i += 2;
            start = i;
        } else {
            i += 1;
        }
    }
    paragraphs.push(&run[start..]);

    let mut blocks: Vec<String> = Vec::new();
    // A first paragraph that must go on the next one's line.
    let mut carried: Option<String> = None;
    for (index, nodes) in paragraphs.iter().enumerate() {
        let mut markdown = paragraph(nodes, in_container);
        if let Some(mut before) = carried.take() {
            before.push_str(&markdown);
            markdown = before;
        }
        let first_line = markdown.split('\n').next().unwrap_or("");
        if commonmark::html_block_kind(first_line).is_none() {
            blocks.push(markdown);
            continue;
        }
        // Markdown would read this paragraph as an HTML block, which is neither a paragraph
        // (no `<br><br>` before it) nor Markdown inside. Keep it on the previous paragraph's
        // line, or if it is the first, write the whole run as HTML; when that does not start
        // an HTML block either (`<br><br><br>b`), put the next paragraph on its line.
        match blocks.last_mut() {
            Some(previous) => {
                previous.push_str("<br><br>");
                previous.push_str(&markdown);
            }
            None => {
                if let Some(raw) = raw_run(run, in_container) {
                    return vec![raw];
                }
                if index + 1 < paragraphs.len() {
                    markdown.push_str("<br><br>");
                    carried = Some(markdown);
                } else {
                    blocks.push(markdown);
                }
            }
        }
    }
    blocks
}

fn paragraph(nodes: &[Node], in_container: bool) -> String {
    let context = Context {
        in_container,
        ..Context::default()
    };
    let mut inline = Inline::new(context, true, None);
    inline.nodes(nodes, true);
    inline.out
}

/// A run that starts like an HTML block, written entirely as HTML inside that block; None
/// when its HTML does not start one.
fn raw_run(run: &[Node], in_container: bool) -> Option<String> {
    let first = run.first();
    let starts_raw_text_kind = first.is_some_and(|node| {
        matches!(node.data, NodeData::Comment(_))
            || dom::element_name(node)
                .is_some_and(|n| matches!(&**n, "pre" | "script" | "style" | "textarea"))
    });
    let mut out = String::new();
    // Kinds 1 to 5 end at the line with their end marker, so everything must be on that line;
    // the others end at a blank line.
    dom::serialize_nodes(
        run,
        HtmlStyle {
            one_line: starts_raw_text_kind,
            no_blank_lines: true,
            guard_anki: Some(Guard { in_container }),
        },
        &mut out,
    );
    end_without_line_feed(&mut out);
    let first_line = out.split('\n').next().unwrap_or("");
    commonmark::html_block_kind(first_line)
        .is_some()
        .then_some(out)
}

/// An HTML block's last line feed is Markdown's, and a last line of spaces would be blank, so
/// whitespace the field ends with is written as references.
fn end_without_line_feed(out: &mut String) {
    let kept = out.trim_end_matches([' ', '\t', '\n']).len();
    if kept == out.len() {
        return;
    }
    let tail: String = out.split_off(kept);
    for c in tail.chars() {
        out.push_str(match c {
            ' ' => "&#32;",
            '\t' => "&#9;",
            _ => "&#10;",
        });
    }
}

fn raw_block(node: &Node, in_container: bool) -> String {
    let mut out = String::new();
    // `<pre>` starts an HTML block that ends at the first line with `</pre>` (or `</script>`,
    // ...) in it, so it is written on one line; the others end only at a blank line.
    let one_line = dom::is_element(node, "pre");
    dom::serialize(
        node,
        HtmlStyle {
            one_line,
            no_blank_lines: true,
            guard_anki: Some(Guard { in_container }),
        },
        &mut out,
    );
    end_without_line_feed(&mut out);
    out
}

/// A block element as Markdown, and the list marker used if it became a list.
fn block(node: &Node, in_container: bool, last_list: Option<char>) -> (String, Option<char>) {
    let name = dom::element_name(node).map_or("", |n| n);
    let markdown = match name {
        "ul" | "ol" => {
            if let Some((markdown, marker)) = list(node, name == "ol", last_list) {
                return (markdown, Some(marker));
            }
            None
        }
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => heading(node, name),
        "blockquote" => block_quote(node),
        "pre" => fenced_code(node),
        "table" => table(node),
        "hr" if !has_attributes(node) => Some("***".to_string()),
        _ => None,
    };
    (
        markdown.unwrap_or_else(|| raw_block(node, in_container)),
        None,
    )
}

fn list(node: &Node, ordered: bool, last_list: Option<char>) -> Option<(String, char)> {
    let start: u64 = match dom::attrs(node) {
        [] => 1,
        [attr] if ordered && dom::attribute_name(&attr.name) == "start" => {
            canonical_number(&attr.value)?
        }
        _ => return None,
    };
    let items = &node.children;
    if items.is_empty()
        || !items.iter().all(|item| {
            dom::is_element(item, "li") && dom::is_html_element(item) && !has_attributes(item)
        })
    {
        return None;
    }
    let marker = match (ordered, last_list) {
        (true, Some('.')) => ')',
        (true, _) => '.',
        (false, Some('-')) => '+',
        (false, _) => '-',
    };
    let mut out = String::new();
    for (index, item) in items.iter().enumerate() {
        let number = start.saturating_add(index as u64).min(999_999_999);
        let prefix = if ordered {
            format!("{number}{marker}")
        } else {
            marker.to_string()
        };
        let content = flow_after(&item.children, true, Some(marker));
        if index > 0 {
            out.push('\n');
        }
        let indent = " ".repeat(prefix.len() + 1);
        out.push_str(&prefix_lines(&content, &format!("{prefix} "), &indent, ""));
    }
    Some((out, marker))
}

/// A list start as Markdown can write it (the way the Markdown -> HTML side writes it back).
fn canonical_number(value: &str) -> Option<u64> {
    let number: u64 = value.parse().ok()?;
    (value.len() <= 9 && number.to_string() == value).then_some(number)
}

fn heading(node: &Node, name: &str) -> Option<String> {
    if has_attributes(node) {
        return None;
    }
    let level: usize = name[1..].parse().ok()?;
    let context = Context {
        single_line: true,
        in_heading: true,
        ..Context::default()
    };
    let mut inline = Inline::new(context, true, None);
    inline.nodes(&node.children, true);
    if inline.out.contains('\n') {
        return None;
    }
    let mut out = "#".repeat(level);
    if !inline.out.is_empty() {
        out.push(' ');
        out.push_str(&inline.out);
    }
    Some(out)
}

fn block_quote(node: &Node) -> Option<String> {
    if has_attributes(node) {
        return None;
    }
    let content = flow(&node.children, true);
    Some(prefix_lines(&content, "> ", "> ", ">"))
}

fn fenced_code(node: &Node) -> Option<String> {
    if has_attributes(node) {
        return None;
    }
    let [code] = node.children.as_slice() else {
        return None;
    };
    if !dom::is_element(code, "code") {
        return None;
    }
    let language = match dom::attrs(code) {
        [] => String::new(),
        [attr] if dom::attribute_name(&attr.name) == "class" => {
            let language = attr.value.strip_prefix("language-")?;
            let simple = !language.is_empty()
                && language.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'#' | b'.' | b'-')
                });
            if !simple {
                return None;
            }
            language.to_string()
        }
        _ => return None,
    };
    let mut text = String::new();
    for child in &code.children {
        match &child.data {
            NodeData::Text(contents) => text.push_str(contents),
            _ => return None,
        }
    }
    if text.contains('\r') {
        return None;
    }
    let longest = longest_run(&text, '`');
    let fence = "`".repeat((longest + 1).max(3));
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&fence);
    out.push_str(&language);
    out.push('\n');
    if !text.is_empty() {
        out.push_str(&text);
        out.push('\n');
    }
    out.push_str(&fence);
    Some(out)
}

fn longest_run(text: &str, c: char) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for x in text.chars() {
        if x == c {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

/// A table as a Markdown table when it has exactly the shape the Markdown -> HTML side writes:
/// a header row in `<thead>`, body rows in `<tbody>`, the same number of cells in every row.
fn table(node: &Node) -> Option<String> {
    if has_attributes(node) {
        return None;
    }
    let (head, body) = match node.children.as_slice() {
        [head] => (head, None),
        [head, body] => (head, Some(body)),
        _ => return None,
    };
    let plain = |n: &Node, tag: &str| dom::is_element(n, tag) && !has_attributes(n);
    if !plain(head, "thead") || body.is_some_and(|b| !plain(b, "tbody")) {
        return None;
    }
    let [header] = head.children.as_slice() else {
        return None;
    };
    let body_rows: &[Node] = body.map_or(&[], |b| &b.children);
    if body.is_some() && body_rows.is_empty() {
        return None;
    }
    let header_cells = row_cells(header, "th")?;
    let columns = header_cells.len();
    let alignments: Vec<&'static str> = header_cells.iter().map(|(_, a)| *a).collect();
    let mut rows = vec![header_cells];
    for row in body_rows {
        let cells = row_cells(row, "td")?;
        if cells.len() != columns || cells.iter().zip(&alignments).any(|((_, a), b)| a != b) {
            return None;
        }
        rows.push(cells);
    }
    let mut out = String::new();
    for (index, row) in rows.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push('|');
        for (cell, _) in row {
            out.push(' ');
            out.push_str(cell);
            out.push_str(" |");
        }
        if index == 0 {
            out.push_str("\n|");
            for alignment in &alignments {
                out.push(' ');
                out.push_str(match *alignment {
                    "left" => ":--",
                    "center" => ":-:",
                    "right" => "--:",
                    _ => "---",
                });
                out.push_str(" |");
            }
        }
    }
    Some(out)
}

/// The cells of a table row as Markdown, with their alignment; `None` if a cell cannot be one.
fn row_cells(row: &Node, tag: &str) -> Option<Vec<(String, &'static str)>> {
    if !dom::is_element(row, "tr") || has_attributes(row) {
        return None;
    }
    let cells = &row.children;
    if cells.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(cells.len());
    for cell in cells {
        if !dom::is_element(cell, tag) {
            return None;
        }
        let alignment = match dom::attrs(cell) {
            [] => "",
            [attr] if dom::attribute_name(&attr.name) == "style" => match &*attr.value {
                "text-align: left" => "left",
                "text-align: center" => "center",
                "text-align: right" => "right",
                _ => return None,
            },
            _ => return None,
        };
        let context = Context {
            single_line: true,
            in_table_cell: true,
            ..Context::default()
        };
        let mut inline = Inline::new(context, true, None);
        inline.nodes(&cell.children, true);
        // A pipe that is not escaped would split the cell (raw HTML is not escaped).
        if has_unescaped_pipe(&inline.out) || inline.out.contains('\n') {
            return None;
        }
        out.push((inline.out, alignment));
    }
    Some(out)
}

fn has_unescaped_pipe(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut escaped = false;
    for &b in bytes {
        if escaped {
            escaped = false;
        } else if b == b'\\' {
            escaped = true;
        } else if b == b'|' {
            return true;
        }
    }
    false
}

/// Delimiter characters used by emphasis written inside some content: an enclosing emphasis
/// must use another, or Markdown could pair the inner delimiters with the outer ones.
#[derive(Clone, Copy, Default)]
struct Delimiters {
    star: bool,
    underscore: bool,
    tilde: bool,
}

impl Delimiters {
    fn uses(&self, c: char) -> bool {
        match c {
            '*' => self.star,
            '_' => self.underscore,
            _ => self.tilde,
        }
    }

    fn add(&mut self, other: Delimiters) {
        self.star |= other.star;
        self.underscore |= other.underscore;
        self.tilde |= other.tilde;
    }

    fn set(&mut self, c: char) {
        match c {
            '*' => self.star = true,
            '_' => self.underscore = true,
            _ => self.tilde = true,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Emphasis {
    Italic,
    Bold,
    Strikethrough,
}

/// Inline content being written.
struct Inline {
    context: Context,
    out: String,
    line_start: bool,
    /// The last character written, as Markdown's delimiter rules see it.
    before: Option<char>,
    used: Delimiters,
}

impl Inline {
    fn new(context: Context, line_start: bool, before: Option<char>) -> Inline {
        Inline {
            context,
            out: String::new(),
            line_start,
            before,
            used: Delimiters::default(),
        }
    }

    fn nested(&self, context: Context, before: char) -> Inline {
        Inline::new(context, false, Some(before))
    }

    fn push_raw(&mut self, s: &str) {
        if let Some(last) = s.chars().next_back() {
            self.out.push_str(s);
            self.before = Some(last);
            self.line_start = false;
        }
    }

    fn nodes(&mut self, nodes: &[Node], ends_block: bool) {
        for (index, node) in nodes.iter().enumerate() {
            let is_last = index + 1 == nodes.len();
            match &node.data {
                NodeData::Text(contents) => {
                    let around = Around {
                        line_start: self.line_start,
                        before: self.before,
                        at_end: is_last && ends_block,
                    };
                    let end = escape::push_text(contents, self.context, around, &mut self.out);
                    self.line_start = end.line_start;
                    self.before = end.before;
                }
                NodeData::Comment(contents) => {
                    let mut comment = format!("<!--{contents}-->");
                    if self.context.in_container {
                        comment = comment.replace('\n', "\n\0");
                    }
                    self.push_raw(&comment);
                }
                NodeData::Element { .. } => self.element(node, index, nodes),
                NodeData::Other => {}
            }
        }
    }

    fn element(&mut self, node: &Node, index: usize, siblings: &[Node]) {
        let next = siblings.get(index + 1);
        if !dom::is_html_element(node) {
            return self.raw_element(node);
        }
        match dom::element_name(node).map_or("", |n| n) {
            "br" => self.line_break(node, index, siblings),
            "b" => self.emphasis(node, Emphasis::Bold, next),
            "i" => self.emphasis(node, Emphasis::Italic, next),
            "s" => self.emphasis(node, Emphasis::Strikethrough, next),
            "code" => self.code(node),
            "a" => self.link(node),
            "img" => self.image(node),
            _ => self.raw_element(node),
        }
    }

    /// `<br>` as a hard line break (`\` at the end of the line) where the next line can start
    /// safely; otherwise as `<br>`.
    fn line_break(&mut self, node: &Node, index: usize, siblings: &[Node]) {
        let next = siblings.get(index + 1);
        let next_starts_block = next.is_some_and(|n| match &n.data {
            NodeData::Comment(_) => true,
            NodeData::Element { name, .. } => commonmark::interrupts_paragraph(&name.local),
            _ => false,
        });
        if has_attributes(node)
            || self.context.single_line
            || index == 0
            || next.is_none()
            || self.line_start
            || next_starts_block
        {
            let mut tag = String::new();
            dom::push_start_tag(node, &mut tag);
            self.push_raw(&tag);
        } else {
            self.out.push_str("\\\n");
            self.line_start = true;
            self.before = None;
        }
    }

    fn raw_element(&mut self, node: &Node) {
        let mut tag = String::new();
        dom::push_start_tag(node, &mut tag);
        self.push_raw(&tag);
        let name = dom::element_name(node).map_or("", |n| n);
        if dom::is_html_element(node) && dom::is_void(name) {
            return;
        }
        let children = &node.children;
        let mut inner = self.nested(self.context, '>');
        if matches!(name, "pre" | "textarea" | "listing")
            && matches!(children.first().map(|c| &c.data), Some(NodeData::Text(contents)) if contents.starts_with('\n'))
        {
            // The parser drops a line feed right after the start tag: give it one to drop.
            inner.out.push_str("&#10;");
        }
        inner.nodes(children, false);
        self.out.push_str(&inner.out);
        self.used.add(inner.used);
        let mut end = String::new();
        dom::push_end_tag(node, &mut end);
        self.push_raw(&end);
    }

    fn emphasis(&mut self, node: &Node, kind: Emphasis, next: Option<&Node>) {
        if has_attributes(node) {
            return self.raw_element(node);
        }
        let mut inner = self.nested(self.context, '*');
        inner.nodes(&node.children, false);
        let candidates: &[&str] = match kind {
            Emphasis::Bold => &["**", "__"],
            Emphasis::Italic => &["*", "_"],
            Emphasis::Strikethrough => &["~~"],
        };
        let chosen = candidates
            .iter()
            .find(|d| self.delimiter_fits(d, &inner, next));
        match chosen {
            Some(delimiter) => {
                let c = delimiter.chars().next().unwrap_or('*');
                self.out.push_str(delimiter);
                self.out.push_str(&inner.out);
                self.out.push_str(delimiter);
                self.used.add(inner.used);
                self.used.set(c);
                self.before = Some(c);
                self.line_start = false;
            }
            None => {
                let mut tag = String::new();
                dom::push_start_tag(node, &mut tag);
                self.push_raw(&tag);
                self.out.push_str(&inner.out);
                self.used.add(inner.used);
                let mut end = String::new();
                dom::push_end_tag(node, &mut end);
                self.push_raw(&end);
            }
        }
    }

    /// Whether `delimiter` around `inner` is read back as exactly this emphasis.
    fn delimiter_fits(&self, delimiter: &str, inner: &Inline, next: Option<&Node>) -> bool {
        let c = delimiter.chars().next().unwrap_or('*');
        let (Some(first), Some(last)) = (inner.out.chars().next(), inner.out.chars().next_back())
        else {
            return false;
        };
        // Runs of the same character would merge with ours.
        if inner.used.uses(c) || first == c || last == c || self.before == Some(c) {
            return false;
        }
        let next_seen = match next {
            None => Class::Punctuation,
            Some(node) => match &node.data {
                NodeData::Text(text) => {
                    if text.starts_with(c) {
                        return false;
                    }
                    seen_start_of_text(text, self.context)
                }
                _ => Class::Punctuation,
            },
        };
        let before = escape::class(self.before);
        let (first, last) = (escape::class(Some(first)), escape::class(Some(last)));
        if [before, first, last, next_seen].contains(&Class::Unknown) {
            return false;
        }
        let (opens, opener_closes) = escape::opens_closes(c, before, first);
        let (closer_opens, closes) = escape::opens_closes(c, last, next_seen);
        if !opens || !closes {
            return false;
        }
        // Strikethrough's rules differ between implementations; insist on the plain case.
        if c == '~' && (opener_closes || closer_opens) {
            return false;
        }
        if inner.out.bytes().any(|b| b == b':' || b == b'}')
            && !anki_syntax::clozes_self_contained(&inner.out)
        {
            return false;
        }
        true
    }

    fn code(&mut self, node: &Node) {
        match self.code_span(node) {
            Some(span) => self.push_raw(&span),
            None => self.raw_element(node),
        }
    }

    fn code_span(&self, node: &Node) -> Option<String> {
        if has_attributes(node) || self.before == Some('`') {
            return None;
        }
        let [child] = node.children.as_slice() else {
            return None;
        };
        let NodeData::Text(text) = &child.data else {
            return None;
        };
        let text: &str = text;
        let longest = longest_run(text, '`');
        if text.contains(['\n', '\r'])
            || longest >= 2
            || (self.context.in_table_cell && text.contains('|'))
            || (self.context.in_link_text && text.contains([']', '[']))
        {
            return None;
        }
        let fence = "`".repeat(longest + 1);
        let all_spaces = text.bytes().all(|b| b == b' ');
        let pad = text.starts_with('`')
            || text.ends_with('`')
            || (text.starts_with(' ') && text.ends_with(' ') && !all_spaces);
        let pad = if pad { " " } else { "" };
        Some(format!("{fence}{pad}{text}{pad}{fence}"))
    }

    fn link(&mut self, node: &Node) {
        match self.link_markdown(node) {
            Some(link) => self.push_raw(&link),
            None => self.raw_element(node),
        }
    }

    fn link_markdown(&self, node: &Node) -> Option<String> {
        let mut href = None;
        let mut title = None;
        for attr in dom::attrs(node) {
            let value: &str = &attr.value;
            match &*dom::attribute_name(&attr.name) {
                "href" => href = Some(value),
                "title" => title = Some(value),
                _ => return None,
            }
        }
        // `x[text](url)` would be furigana, `![text](url)` an image.
        if self
            .before
            .is_some_and(|c| anki_syntax::is_base_char(c) || c == '!')
        {
            return None;
        }
        // Markdown links cannot hold links (the parser lets a table inside a link hold one).
        if title == Some("") || has_descendant(node, "a") {
            return None;
        }
        let destination = link_destination(href?)?;
        let context = Context {
            in_link_text: true,
            ..self.context
        };
        let mut inner = self.nested(context, '[');
        inner.nodes(&node.children, false);
        let mut out = format!("[{}]({}", inner.out, destination);
        push_title(title, &mut out);
        out.push(')');
        Some(out)
    }

    fn image(&mut self, node: &Node) {
        match self.image_markdown(node) {
            Some(image) => self.push_raw(&image),
            None => self.raw_element(node),
        }
    }

    fn image_markdown(&self, node: &Node) -> Option<String> {
        let mut src = None;
        let mut alt = None;
        let mut title = None;
        for attr in dom::attrs(node) {
            let value: &str = &attr.value;
            match &*dom::attribute_name(&attr.name) {
                "src" => src = Some(value),
                "alt" => alt = Some(value),
                "title" => title = Some(value),
                _ => return None,
            }
        }
        if title == Some("") {
            return None;
        }
        let destination = link_destination(src?)?;
        let mut out = String::from("![");
        if let Some(alt) = alt {
            if alt.is_empty() {
                return None;
            }
            let context = Context {
                in_link_text: true,
                single_line: true,
                ..self.context
            };
            let around = Around {
                line_start: false,
                before: Some('['),
                at_end: false,
            };
            escape::push_text(alt, context, around, &mut out);
        }
        out.push_str("](");
        out.push_str(&destination);
        push_title(title, &mut out);
        out.push(')');
        Some(out)
    }
}

fn has_descendant(node: &Node, tag: &str) -> bool {
    node.children
        .iter()
        .any(|child| dom::is_element(child, tag) || has_descendant(child, tag))
}

/// How Markdown will see the first character of a text node written after an emphasis.
fn seen_start_of_text(text: &str, context: Context) -> Class {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return Class::Punctuation;
    };
    if matches!(first, '\\' | '[') {
        let spans = anki_syntax::spans(text, Source::Text);
        if spans
            .first()
            .is_some_and(|span| span.range.start == 0 && span.kind == SpanKind::Opaque)
        {
            return Class::Letter;
        }
        // After a closing delimiter (a furigana base character) `[…]` reads as a reading.
        if anki_syntax::reading_len(text).is_some() {
            return Class::Letter;
        }
    }
    let second = chars.next();
    match first {
        ' ' | '\t' if second.is_none() || second == Some('\n') => Class::Punctuation,
        '\n' if second.is_none() || context.single_line => Class::Punctuation,
        '\u{a0}' | '\r' => Class::Punctuation,
        c => escape::class(Some(c)),
    }
}

/// A link destination Markdown reads back as `url`; `None` if it cannot be written.
fn link_destination(url: &str) -> Option<String> {
    if url
        .chars()
        .any(|c| matches!(c, '<' | '>' | '\n' | '\r') || c.is_control())
    {
        return None;
    }
    let pointy = url.is_empty()
        || url
            .chars()
            .any(|c| c.is_whitespace() || c == '(' || c == ')');
    let mut out = String::with_capacity(url.len() + 2);
    if pointy {
        out.push('<');
    }
    for (i, c) in url.char_indices() {
        match c {
            '\\' => out.push_str("\\\\"),
            '&' if anki_syntax::looks_like_entity(&url[i..]) => out.push_str("\\&"),
            _ => out.push(c),
        }
    }
    if pointy {
        out.push('>');
    }
    Some(out)
}

fn push_title(title: Option<&str>, out: &mut String) {
    let Some(title) = title else {
        return;
    };
    if title.is_empty() {
        return;
    }
    out.push_str(" \"");
    for (i, c) in title.char_indices() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '&' if anki_syntax::looks_like_entity(&title[i..]) => out.push_str("\\&"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
    out.push('"');
}
