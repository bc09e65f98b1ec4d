//! Parsing field HTML into a DOM, comparing two DOMs, and writing a DOM back as HTML.
//!
//! HTML is written the way Anki's editor (a Chromium `contenteditable`) serialises it: `&amp;`,
//! `&lt;`, `&gt;` and `&nbsp;` in text, `&quot;` in attributes, no `/` on void elements. The
//! bytes then match what a note typed in Anki holds, not only its DOM.

use std::borrow::Cow;

use html5ever::tendril::TendrilSink;
use html5ever::{local_name, ns, parse_fragment, Attribute, LocalName, ParseOpts, QualName};

use super::anki_syntax::{self, Source};
use super::editor_html;
pub(super) use super::tree::{Node, NodeData};

/// `html` parsed as the content of a `<div>`, as Anki's editor holds a field.
pub(super) fn parse(html: &str) -> Vec<Node> {
    if let Some(nodes) = editor_html::parse(html) {
        return nodes;
    }
    parse_with_html5ever(html)
}

/// [`parse`] by the full HTML parser, whatever the input.
pub(super) fn parse_with_html5ever(html: &str) -> Vec<Node> {
    let context = QualName::new(None, ns!(html), local_name!("div"));
    parse_fragment(
        super::tree::Sink::default(),
        ParseOpts::default(),
        context,
        vec![],
        false,
    )
    .one(html)
    .into_fragment()
}

/// The element's local name, or `None` for text and comments.
pub(super) fn element_name(node: &Node) -> Option<&LocalName> {
    match &node.data {
        NodeData::Element { name, .. } => Some(&name.local),
        _ => None,
    }
}

pub(super) fn is_element(node: &Node, tag: &str) -> bool {
    element_name(node).is_some_and(|name| &**name == tag)
}

pub(super) fn is_html_element(node: &Node) -> bool {
    matches!(&node.data, NodeData::Element { name, .. } if name.ns == ns!(html))
}

/// The element's attributes; none for text and comments.
pub(super) fn attrs(node: &Node) -> &[Attribute] {
    match &node.data {
        NodeData::Element { attrs, .. } => attrs,
        _ => &[],
    }
}

/// The attribute's name as written in HTML (with its prefix, if any).
pub(super) fn attribute_name(name: &QualName) -> Cow<'_, str> {
    match &name.prefix {
        // On `<svg>` and `<math>` the parser gives a plain `xmlns` an empty prefix.
        Some(prefix) if !prefix.is_empty() => Cow::Owned(format!("{}:{}", prefix, name.local)),
        _ => Cow::Borrowed(&name.local),
    }
}

/// Elements that never have children or an end tag.
pub(super) fn is_void(tag: &str) -> bool {
    matches!(
        tag,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements whose content the parser reads as raw text: no tags, no entities inside.
pub(super) fn is_raw_text(tag: &str) -> bool {
    matches!(
        tag,
        "script" | "style" | "xmp" | "iframe" | "noembed" | "noframes" | "plaintext"
    )
}

/// How text and attribute values are written in raw HTML that ends up inside Markdown.
#[derive(Clone, Copy)]
pub(super) struct HtmlStyle {
    /// Write line feeds in text as `&#10;`, so the HTML stays on one line (a Markdown HTML
    /// block of some kinds ends at the first line with an end tag like `</pre>`).
    pub one_line: bool,
    /// Write a line feed as `&#10;` where it would make a blank line (where any Markdown HTML
    /// block ends).
    pub no_blank_lines: bool,
    /// Write `\(`, `\[`, `[latex]` and the like that do not make whole Anki syntax, and
    /// backticks, with references, so the Markdown side cannot pair them with something outside
    /// this HTML.
    /// Inside a container, Anki syntax spread over lines is broken up too (the container's
    /// prefixes would end up inside it).
    pub guard_anki: Option<Guard>,
}

#[derive(Clone, Copy)]
pub(super) struct Guard {
    pub in_container: bool,
}

pub(super) fn serialize_nodes(nodes: &[Node], style: HtmlStyle, out: &mut String) {
    for node in nodes {
        serialize(node, style, out);
    }
}

/// `node` as HTML; its parent must not be a raw-text element (none of the callers' nodes is).
pub(super) fn serialize(node: &Node, style: HtmlStyle, out: &mut String) {
    serialize_in(node, false, style, out);
}

/// `in_raw_text`: the parent is a raw-text element (`<script>`), whose text is not escaped.
fn serialize_in(node: &Node, in_raw_text: bool, style: HtmlStyle, out: &mut String) {
    match &node.data {
        NodeData::Text(contents) => push_text(contents, in_raw_text, style, out),
        NodeData::Comment(contents) => {
            out.push_str("<!--");
            out.push_str(contents);
            out.push_str("-->");
        }
        NodeData::Element { name, .. } => {
            push_start_tag(node, out);
            let tag = &*name.local;
            if name.ns == ns!(html) && is_void(tag) {
                return;
            }
            let kids = &node.children;
            // The parser drops one line feed right after these start tags, so write one more.
            if matches!(tag, "pre" | "textarea" | "listing") {
                if let Some(first) = kids.first() {
                    if let NodeData::Text(contents) = &first.data {
                        if contents.starts_with('\n') {
                            // A reference is dropped just the same.
                            out.push_str(if style.one_line { "&#10;" } else { "\n" });
                        }
                    }
                }
            }
            let raw = name.ns == ns!(html) && is_raw_text(tag);
            for kid in kids {
                serialize_in(kid, raw, style, out);
            }
            push_end_tag(node, out);
        }
        NodeData::Other => {}
    }
}

pub(super) fn push_start_tag(node: &Node, out: &mut String) {
    if let NodeData::Element { name, attrs, .. } = &node.data {
        out.push('<');
        out.push_str(&name.local);
        for attr in attrs {
            out.push(' ');
            out.push_str(&attribute_name(&attr.name));
            out.push_str("=\"");
            push_attribute_value(&attr.value, out);
            out.push('"');
        }
        out.push('>');
    }
}

pub(super) fn push_end_tag(node: &Node, out: &mut String) {
    if let NodeData::Element { name, .. } = &node.data {
        out.push_str("</");
        out.push_str(&name.local);
        out.push('>');
    }
}

/// Text as Anki's editor writes it. Inside raw-text elements (`<script>`) nothing is escaped.
pub(super) fn push_text(text: &str, raw: bool, style: HtmlStyle, out: &mut String) {
    if raw {
        out.push_str(text);
        return;
    }
    let spans = match style.guard_anki {
        Some(guard) if text.contains(['\\', '[']) => {
            let mut spans = anki_syntax::spans(text, Source::Text);
            if guard.in_container {
                spans.retain(|span| !text[span.range.clone()].contains('\n'));
            }
            Some(spans)
        }
        _ => None,
    };
    let mut spans = spans.unwrap_or_default().into_iter().peekable();
    let mut i = 0;
    while i < text.len() {
        // Most text is copied in one go: what follows never treats these bytes specially.
        let run = text.as_bytes()[i..]
            .iter()
            .take_while(|&&b| !is_text_special(b))
            .count();
        if run > 0 {
            out.push_str(&text[i..i + run]);
            i += run;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        let at = i;
        i += c.len_utf8();
        while spans.peek().is_some_and(|span| span.range.end <= at) {
            spans.next();
        }
        let in_span = spans.peek().is_some_and(|span| span.range.start <= at);
        if style.guard_anki.is_some() && !in_span {
            let rest = &text[at..];
            if rest.starts_with("\\(") || rest.starts_with("\\[") {
                out.push_str("&#92;");
                continue;
            }
            if anki_syntax::starts_bracket_word(rest) {
                out.push_str("&#91;");
                continue;
            }
        }
        if style.guard_anki.is_some() && c == '`' {
            // The Markdown side looks for code spans without knowing where HTML blocks are.
            out.push_str("&#96;");
            continue;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            '\n' if style.one_line => out.push_str("&#10;"),
            '\n' if style.no_blank_lines && out.trim_end_matches([' ', '\t']).ends_with('\n') => {
                out.push_str("&#10;")
            }
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
}

/// Whether [`push_text`], in some style, may write the character that starts with byte `b` other
/// than as itself. `0xc2` leads U+0080..U+00BF, among them U+00A0 (`&nbsp;`).
fn is_text_special(b: u8) -> bool {
    matches!(
        b,
        b'&' | b'<' | b'>' | b'\n' | b'\r' | b'\\' | b'[' | b'`' | 0xc2
    )
}

/// An attribute value for a double-quoted attribute. Line feeds become `&#10;`: inside Markdown
/// a tag that spans lines could have its later lines read as the start of a block.
pub(super) fn push_attribute_value(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
}

/// Whether two HTML fragments parse to the same DOM: same elements in the same places, the same
/// attributes (in any order), the same text (adjacent text nodes merged) and the same comments.
pub fn same_dom(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    same_nodes(&parse(a), &parse(b))
}

/// Whether `html` parses to the DOM `nodes` (from [`parse`]).
pub(super) fn same_nodes_as(nodes: &[Node], html: &str) -> bool {
    same_nodes(nodes, &parse(html))
}

fn same_nodes(a: &[Node], b: &[Node]) -> bool {
    let a = merged(a);
    let b = merged(b);
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| same_node(x, y))
}

enum Merged<'a> {
    Text(String),
    Node(&'a Node),
}

fn merged(nodes: &[Node]) -> Vec<Merged<'_>> {
    let mut out: Vec<Merged> = Vec::with_capacity(nodes.len());
    for node in nodes {
        match &node.data {
            NodeData::Text(contents) => {
                if let Some(Merged::Text(previous)) = out.last_mut() {
                    previous.push_str(contents);
                } else {
                    out.push(Merged::Text(contents.to_string()));
                }
            }
            NodeData::Element { .. } | NodeData::Comment(_) => out.push(Merged::Node(node)),
            NodeData::Other => {}
        }
    }
    out
}

fn same_node(a: &Merged, b: &Merged) -> bool {
    match (a, b) {
        (Merged::Text(x), Merged::Text(y)) => x == y,
        (Merged::Node(x), Merged::Node(y)) => match (&x.data, &y.data) {
            (NodeData::Comment(c), NodeData::Comment(d)) => c == d,
            (
                NodeData::Element {
                    name: n, attrs: a, ..
                },
                NodeData::Element {
                    name: m, attrs: b, ..
                },
            ) => {
                n == m
                    && sorted_attributes(a) == sorted_attributes(b)
                    && same_nodes(&x.children, &y.children)
            }
            _ => false,
        },
        _ => false,
    }
}

fn sorted_attributes(attrs: &[Attribute]) -> Vec<(String, String, String)> {
    let mut list: Vec<_> = attrs
        .iter()
        .map(|attr| {
            (
                attr.name.ns.to_string(),
                attr.name.local.to_string(),
                attr.value.to_string(),
            )
        })
        .collect();
    list.sort();
    list
}
