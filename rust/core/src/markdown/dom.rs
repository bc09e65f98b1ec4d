//! Parsing field HTML into a DOM, comparing two DOMs, and writing a DOM back as HTML.
//!
//! HTML is written the way Anki's editor (a Chromium `contenteditable`) serialises it: `&amp;`,
//! `&lt;`, `&gt;` and `&nbsp;` in text, `&quot;` in attributes, no `/` on void elements. The
//! bytes then match what a note typed in Anki holds, not only its DOM.

use html5ever::tendril::TendrilSink;
use html5ever::{local_name, ns, parse_fragment, LocalName, ParseOpts, QualName};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

use super::anki_syntax::{self, Source};

/// A parsed field. The DOM must outlive its nodes: dropping it empties every node below it.
pub(super) struct Fragment {
    pub nodes: Vec<Handle>,
    _dom: RcDom,
}

/// `html` parsed as the content of a `<div>`, as Anki's editor holds a field.
pub(super) fn parse(html: &str) -> Fragment {
    let context = QualName::new(None, ns!(html), local_name!("div"));
    let dom = parse_fragment(
        RcDom::default(),
        ParseOpts::default(),
        context,
        vec![],
        false,
    )
    .one(html);
    // A fragment parse puts the fragment's nodes under a synthetic <html> element.
    let root = dom.document.children.borrow().first().cloned();
    let nodes = match root {
        Some(root) => root.children.borrow().clone(),
        None => Vec::new(),
    };
    Fragment { nodes, _dom: dom }
}

/// The children of a node; for `<template>`, its template contents (where the parser puts them).
pub(super) fn children(node: &Handle) -> Vec<Handle> {
    if let NodeData::Element {
        template_contents, ..
    } = &node.data
    {
        if let Some(contents) = template_contents.borrow().as_ref() {
            return contents.children.borrow().clone();
        }
    }
    node.children.borrow().clone()
}

/// The element's local name, or `None` for text and comments.
pub(super) fn element_name(node: &Handle) -> Option<&LocalName> {
    match &node.data {
        NodeData::Element { name, .. } => Some(&name.local),
        _ => None,
    }
}

pub(super) fn is_element(node: &Handle, tag: &str) -> bool {
    element_name(node).is_some_and(|name| &**name == tag)
}

pub(super) fn is_html_element(node: &Handle) -> bool {
    matches!(&node.data, NodeData::Element { name, .. } if name.ns == ns!(html))
}

/// Attributes as (name as written in HTML, value), in document order.
pub(super) fn attributes(node: &Handle) -> Vec<(String, String)> {
    match &node.data {
        NodeData::Element { attrs, .. } => attrs
            .borrow()
            .iter()
            .map(|attr| (attribute_name(&attr.name), attr.value.to_string()))
            .collect(),
        _ => Vec::new(),
    }
}

fn attribute_name(name: &QualName) -> String {
    match &name.prefix {
        Some(prefix) => format!("{}:{}", prefix, name.local),
        None => name.local.to_string(),
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

pub(super) fn serialize_nodes(nodes: &[Handle], style: HtmlStyle, out: &mut String) {
    for node in nodes {
        serialize(node, style, out);
    }
}

pub(super) fn serialize(node: &Handle, style: HtmlStyle, out: &mut String) {
    match &node.data {
        NodeData::Text { contents } => {
            let raw = node_parent_is_raw_text(node);
            push_text(&contents.borrow(), raw, style, out);
        }
        NodeData::Comment { contents } => {
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
            let kids = children(node);
            // The parser drops one line feed right after these start tags, so write one more.
            if matches!(tag, "pre" | "textarea" | "listing") {
                if let Some(first) = kids.first() {
                    if let NodeData::Text { contents } = &first.data {
                        if contents.borrow().starts_with('\n') {
                            // A reference is dropped just the same.
                            out.push_str(if style.one_line { "&#10;" } else { "\n" });
                        }
                    }
                }
            }
            serialize_nodes(&kids, style, out);
            push_end_tag(node, out);
        }
        NodeData::Document | NodeData::Doctype { .. } | NodeData::ProcessingInstruction { .. } => {}
    }
}

fn node_parent_is_raw_text(node: &Handle) -> bool {
    let parent = node.parent.take();
    let raw = parent
        .as_ref()
        .and_then(|weak| weak.upgrade())
        .is_some_and(|parent| {
            matches!(&parent.data, NodeData::Element { name, .. }
                if name.ns == ns!(html) && is_raw_text(&name.local))
        });
    node.parent.set(parent);
    raw
}

pub(super) fn push_start_tag(node: &Handle, out: &mut String) {
    if let NodeData::Element { name, attrs, .. } = &node.data {
        out.push('<');
        out.push_str(&name.local);
        for attr in attrs.borrow().iter() {
            out.push(' ');
            out.push_str(&attribute_name(&attr.name));
            out.push_str("=\"");
            push_attribute_value(&attr.value, out);
            out.push('"');
        }
        out.push('>');
    }
}

pub(super) fn push_end_tag(node: &Handle, out: &mut String) {
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
    for (i, c) in text.char_indices() {
        while spans.peek().is_some_and(|span| span.range.end <= i) {
            spans.next();
        }
        let in_span = spans.peek().is_some_and(|span| span.range.start <= i);
        if style.guard_anki.is_some() && !in_span {
            let rest = &text[i..];
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
    same_nodes(&parse(a).nodes, &parse(b).nodes)
}

fn same_nodes(a: &[Handle], b: &[Handle]) -> bool {
    let a = merged(a);
    let b = merged(b);
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| same_node(x, y))
}

enum Merged {
    Text(String),
    Node(Handle),
}

fn merged(nodes: &[Handle]) -> Vec<Merged> {
    let mut out: Vec<Merged> = Vec::with_capacity(nodes.len());
    for node in nodes {
        match &node.data {
            NodeData::Text { contents } => {
                if let Some(Merged::Text(previous)) = out.last_mut() {
                    previous.push_str(&contents.borrow());
                } else {
                    out.push(Merged::Text(contents.borrow().to_string()));
                }
            }
            NodeData::Element { .. } | NodeData::Comment { .. } => {
                out.push(Merged::Node(node.clone()))
            }
            _ => {}
        }
    }
    out
}

fn same_node(a: &Merged, b: &Merged) -> bool {
    match (a, b) {
        (Merged::Text(x), Merged::Text(y)) => x == y,
        (Merged::Node(x), Merged::Node(y)) => match (&x.data, &y.data) {
            (NodeData::Comment { contents: c }, NodeData::Comment { contents: d }) => c == d,
            (
                NodeData::Element {
                    name: n, attrs: a, ..
                },
                NodeData::Element {
                    name: m, attrs: b, ..
                },
            ) => {
                n == m
                    && sorted_attributes(&a.borrow()) == sorted_attributes(&b.borrow())
                    && same_nodes(&children(x), &children(y))
            }
            _ => false,
        },
        _ => false,
    }
}

fn sorted_attributes(attrs: &[html5ever::Attribute]) -> Vec<(String, String, String)> {
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
